//! Tiles and entry bundles (c2sp.org/tlog-tiles v0.1.0).
//!
//! What it is: the static read API's resource names and contents. A tile at level `L` and
//! index `N` holds up to [`TILE_WIDTH`] (256) consecutive hashes: level 0 holds leaf hashes;
//! level `L` holds the roots of full tiles one level below, i.e. stored hashes at tree level
//! `8·L` ([`TILE_HEIGHT`] = 8). Paths are `tile/<L>/<N>[.p/<W>]` for hash tiles and
//! `tile/entries/<N>[.p/<W>]` for entry bundles, `N` written in 3-digit groups, every group but
//! the last prefixed with `x` (1234067 → `x001/x234/067`), and `.p/<W>` (1..=255) only for a
//! partial tile. An entry bundle is a sequence of `uint16 big-endian length || entry`.
//! Tile geometry ported from Go's `golang.org/x/mod/sumdb/tlog` `tile.go` (BSD-3-Clause), with
//! C2SP paths (no height in the path, `entries` instead of `data`).
//!
//! Invariant: `Tile::parse_path(p)` accepts exactly the canonical paths that `path()` /
//! `entries_path()` produce, so a parsed tile always maps back to the same path.
//!
//! What it does NOT do: fetch or store tiles (see `tile_reader.rs` for authenticated reading),
//! compress bundles, or implement pruning.

use super::merkle::{
    node_hash, read_checked, split_stored_hash_index, stored_hash_index, HashReader, TlogError,
};
use super::Hash;

/// Hashes per full tile.
pub const TILE_WIDTH: u64 = 256;
/// Tree levels per tile level (`2^8 = 256`).
pub const TILE_HEIGHT: u32 = 8;
/// The largest entry an entry bundle can hold.
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

/// Errors from tile paths and entry bundles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("invalid tile path {path:?}: {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("invalid tile: level {level}, index {index}, width {width} (level must be 0..=63, width 1..=256)")]
    InvalidTile { level: u8, index: u64, width: u16 },
    #[error(
        "entry {index} is {size} bytes; an entry bundle can hold entries of at most 65535 bytes"
    )]
    EntryTooLarge { index: usize, size: usize },
    #[error("entry bundle truncated at byte offset {offset}: a 2-byte length prefix needs 2 bytes, {available} remain")]
    TruncatedLength { offset: usize, available: usize },
    #[error("entry bundle truncated at byte offset {offset}: entry of {len} bytes, only {available} remain")]
    TruncatedEntry {
        offset: usize,
        len: usize,
        available: usize,
    },
}

/// One tile: level, index within the level, and width (1..=256; 256 means a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    pub level: u8,
    pub index: u64,
    pub width: u16,
}

/// What a parsed path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`: a tile of hashes.
    Hashes(Tile),
    /// `tile/entries/<N>[.p/<W>]`: the entry bundle for the level-0 tile.
    Entries(Tile),
}

fn encode_index(mut n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    while n >= 1000 {
        n /= 1000;
        s = format!("x{:03}/{s}", n % 1000);
    }
    s
}

fn suffix(width: u16) -> String {
    if u64::from(width) >= TILE_WIDTH {
        String::new()
    } else {
        format!(".p/{width}")
    }
}

impl Tile {
    /// A validated tile (level 0..=63, width 1..=256).
    pub fn new(level: u8, index: u64, width: u16) -> Result<Tile, TileError> {
        if level > 63 || width == 0 || u64::from(width) > TILE_WIDTH {
            return Err(TileError::InvalidTile {
                level,
                index,
                width,
            });
        }
        Ok(Tile {
            level,
            index,
            width,
        })
    }

    /// Whether this is a full (256-hash) tile.
    pub fn is_full(&self) -> bool {
        u64::from(self.width) == TILE_WIDTH
    }

    /// `tile/<L>/<N>[.p/<W>]`. Only meaningful for a valid tile (see [`Tile::new`]).
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            encode_index(self.index),
            suffix(self.width)
        )
    }

    /// `tile/entries/<N>[.p/<W>]`: the entry bundle matching this level-0 tile. The level is
    /// ignored, so call it on level-0 tiles only.
    pub fn entries_path(&self) -> String {
        format!(
            "tile/entries/{}{}",
            encode_index(self.index),
            suffix(self.width)
        )
    }

    /// Parses a canonical C2SP tile or entry-bundle path.
    pub fn parse_path(p: &str) -> Result<TilePath, TileError> {
        let bad = |reason: &str| TileError::InvalidPath {
            path: p.to_string(),
            reason: reason.to_string(),
        };
        let rest = p
            .strip_prefix("tile/")
            .ok_or_else(|| bad("it does not start with \"tile/\""))?;
        let (kind, rest) = rest.split_once('/').ok_or_else(|| bad("no tile index"))?;
        let level = if kind == "entries" {
            None
        } else {
            let l = parse_decimal(kind)
                .filter(|&l| l <= 63)
                .ok_or_else(|| bad("level must be 0..=63 or \"entries\""))?;
            Some(l as u8)
        };
        let (idx, width) = match rest.split_once(".p/") {
            Some((idx, w)) => {
                let w = parse_decimal(w)
                    .filter(|w| (1..TILE_WIDTH).contains(w))
                    .ok_or_else(|| bad("partial width must be 1..=255"))?;
                (idx, w as u16)
            }
            None => (rest, TILE_WIDTH as u16),
        };
        let groups: Vec<&str> = idx.split('/').collect();
        let mut n: u64 = 0;
        for (i, g) in groups.iter().enumerate() {
            let digits = if i + 1 < groups.len() {
                g.strip_prefix('x')
            } else {
                Some(*g)
            };
            let digits = digits
                .filter(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    bad("index groups must be 3 digits, all but the last prefixed with 'x'")
                })?;
            let v = parse_decimal_any(digits).ok_or_else(|| bad("bad index digits"))?;
            n = n
                .checked_mul(1000)
                .and_then(|n| n.checked_add(v))
                .ok_or_else(|| bad("index does not fit in 64 bits"))?;
        }
        let tile = Tile {
            level: level.unwrap_or(0),
            index: n,
            width,
        };
        let (parsed, canonical) = match level {
            Some(_) => (TilePath::Hashes(tile), tile.path()),
            None => (TilePath::Entries(tile), tile.entries_path()),
        };
        if canonical != p {
            return Err(bad(&format!("not canonical; expected {canonical:?}")));
        }
        Ok(parsed)
    }
}

fn parse_decimal_any(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Decimal without leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    parse_decimal_any(s)
}

/// The tiles (full and partial) that exist after growing a tree from `old_size` to `new_size`
/// leaves and that differ from those at `old_size`, level 0 upward: what a writer must upload.
/// Empty if `old_size >= new_size`. Port of Go's `tlog.NewTiles` with height 8.
pub fn new_tiles(old_size: u64, new_size: u64) -> Vec<Tile> {
    let mut tiles = Vec::new();
    if old_size >= new_size {
        return tiles;
    }
    let mut level: u32 = 0;
    while level <= 63 {
        let shift = TILE_HEIGHT * level;
        let new_n = new_size.checked_shr(shift).unwrap_or(0);
        if new_n == 0 {
            break;
        }
        let old_n = old_size.checked_shr(shift).unwrap_or(0);
        if old_n != new_n {
            for n in (old_n >> TILE_HEIGHT)..(new_n >> TILE_HEIGHT) {
                tiles.push(Tile {
                    level: level as u8,
                    index: n,
                    width: TILE_WIDTH as u16,
                });
            }
            let n = new_n >> TILE_HEIGHT;
            let w = new_n - (n << TILE_HEIGHT);
            if w > 0 {
                tiles.push(Tile {
                    level: level as u8,
                    index: n,
                    width: w as u16,
                });
            }
        }
        level += 1;
    }
    tiles
}

/// Every tile (full and partial) that exists for a tree of `size` leaves, level 0 upward.
/// O(size / 256) tiles: for a large tree prefer [`new_tiles`] between two sizes.
pub fn tiles_for_size(size: u64) -> Vec<Tile> {
    new_tiles(0, size)
}

fn check_tile(tile: &Tile) -> Result<u64, TlogError> {
    let invalid = || TlogError::InvalidTile {
        level: tile.level,
        index: tile.index,
        width: tile.width,
    };
    if tile.level > 63 || tile.width == 0 || u64::from(tile.width) > TILE_WIDTH {
        return Err(invalid());
    }
    tile.index.checked_mul(TILE_WIDTH).ok_or_else(invalid)
}

/// The tile's bytes (`width * 32`): its hashes, read through `reader`.
pub fn read_tile(tile: &Tile, reader: &impl HashReader) -> Result<Vec<u8>, TlogError> {
    let start = check_tile(tile)?;
    let level = TILE_HEIGHT * u32::from(tile.level);
    let indexes: Vec<u64> = (0..u64::from(tile.width))
        .map(|i| stored_hash_index(level, start + i))
        .collect();
    Ok(read_checked(reader, &indexes)?.concat())
}

/// Which tile holds stored hash `index`, and the byte range within it of the data that hashes
/// to that stored hash. The returned tile's width is the minimum width that contains it.
pub(super) fn tile_for_index(index: u64) -> (Tile, usize, usize) {
    let (level, n) = split_stored_hash_index(index);
    let tile_level = level / TILE_HEIGHT;
    let level = level - tile_level * TILE_HEIGHT; // level within the tile
    let tile_index = n.wrapping_shl(level) >> TILE_HEIGHT;
    let n = n.wrapping_sub((tile_index << TILE_HEIGHT) >> level); // n within the tile at `level`
    let start = (n << level) as usize;
    let end = (n.wrapping_add(1) << level) as usize;
    (
        Tile {
            level: tile_level as u8,
            index: tile_index,
            width: end as u16,
        },
        start * 32,
        end * 32,
    )
}

/// RFC 6962 hash of a power-of-two run of hashes.
pub(super) fn tile_hash(data: &[u8]) -> Hash {
    let mut level: Vec<Hash> = data
        .chunks_exact(32)
        .filter_map(|c| c.try_into().ok())
        .collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| {
                if p.len() == 2 {
                    node_hash(&p[0], &p[1])
                } else {
                    p[0]
                }
            })
            .collect();
    }
    level.first().copied().unwrap_or([0; 32])
}

/// The stored hash `index`, computed from the data of `tile` (which must contain it).
pub(super) fn hash_from_tile(tile: &Tile, data: &[u8], index: u64) -> Result<Hash, TlogError> {
    let (t1, start, end) = tile_for_index(index);
    if tile.level != t1.level || tile.index != t1.index || tile.width < t1.width {
        return Err(TlogError::Internal {
            detail: format!(
                "stored hash {index} is in tile {} not {}",
                t1.path(),
                tile.path()
            ),
        });
    }
    let chunk = data
        .get(start..end)
        .ok_or_else(|| TlogError::TileWrongLength {
            path: tile.path(),
            got: data.len(),
            want: usize::from(tile.width) * 32,
        })?;
    Ok(tile_hash(chunk))
}

/// Encodes an entry bundle: each entry as `uint16 big-endian length || entry`.
pub fn encode_entry_bundle(entries: &[&[u8]]) -> Result<Vec<u8>, TileError> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for (index, e) in entries.iter().enumerate() {
        let len = u16::try_from(e.len()).map_err(|_| TileError::EntryTooLarge {
            index,
            size: e.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Decodes an entry bundle; truncated input is an error naming the offset.
pub fn decode_entry_bundle(bytes: &[u8]) -> Result<Vec<Vec<u8>>, TileError> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let available = bytes.len() - offset;
        let Some(&[hi, lo]) = bytes.get(offset..offset + 2) else {
            return Err(TileError::TruncatedLength { offset, available });
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let entry = bytes
            .get(offset + 2..offset + 2 + len)
            .ok_or(TileError::TruncatedEntry {
                offset,
                len,
                available: available - 2,
            })?;
        out.push(entry.to_vec());
        offset += 2 + len;
    }
    Ok(out)
}
