//! The log as C2SP tlog-tiles: hash tiles, entry bundles and the checkpoint, computed from the
//! stored tree hashes and entries. `honors log export` and `honors serve` (`/log/…`) both call
//! [`Registry::tile`] / [`Registry::tile_bytes`], so a static mirror and the live server hand
//! out byte-identical tiles.
//!
//! A tile (level `L`, index `N`, width `W`) exists in a tree of `S` leaves when
//! `N·256 + W ≤ ⌊S / 256^L⌋`: its hashes are then stored hashes that never change, so any tile
//! implied by any checkpoint up to the current one can be served, full or partial.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{write_file, Registry};
use crate::error::Error;
use crate::tlog::{self, Checkpoint, Tile, TilePath, TILE_HEIGHT, TILE_WIDTH};

/// What `honors log export` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub dir: PathBuf,
    pub origin: String,
    /// The size of the exported checkpoint.
    pub tree_size: u64,
    /// Hash tiles in the export (`tile/<L>/<N>[.p/<W>]`).
    pub hash_tiles: u64,
    /// Entry bundles in the export (`tile/entries/<N>[.p/<W>]`).
    pub entry_bundles: u64,
    /// Files written this time (new or changed); the rest were already there, byte-identical.
    pub written: u64,
    pub unchanged: u64,
}

/// One tile's bytes and whether it is full (immutable, cacheable for ever).
#[derive(Debug, Clone)]
pub struct TileBytes {
    pub bytes: Vec<u8>,
    pub full: bool,
}

/// Whether the tile exists in a tree of `size` leaves.
pub fn tile_in_tree(tile: &Tile, size: u64) -> bool {
    let shift = TILE_HEIGHT * u32::from(tile.level);
    let hashes_at_level = size.checked_shr(shift).unwrap_or(0);
    tile.index
        .checked_mul(TILE_WIDTH)
        .and_then(|start| start.checked_add(u64::from(tile.width)))
        .is_some_and(|end| end <= hashes_at_level)
}

impl Registry {
    /// The checkpoint note signed at exactly tree size `size`, if the registry signed one there.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.store().checkpoint_at(size)?)
    }

    /// The latest signed checkpoint: its note and its parsed body.
    pub fn latest_checkpoint(&self) -> Result<(Vec<u8>, Checkpoint), Error> {
        let note = self.checkpoint()?;
        let (cp, _) = tlog::open_checkpoint(&note, std::slice::from_ref(&self.log_verifier))
            .map_err(|e| {
                Error::corrupt(format!(
                    "the latest checkpoint does not verify with the log key: {e}"
                ))
            })?;
        Ok((note, cp))
    }

    /// A tile or entry bundle by its C2SP path relative to the log prefix (`tile/0/000.p/7`,
    /// `tile/entries/x001/234`), as the current tree holds it. Not found: the path is not a
    /// canonical tile path, or the tree does not (yet) contain that tile.
    pub fn tile(&self, path: &str) -> Result<TileBytes, Error> {
        let not_found = |why: String| {
            Error::not_found(
                format!("no tile {path}: {why}"),
                "tile paths are tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>] (c2sp.org/tlog-tiles); fetch the checkpoint first and ask only for tiles it implies",
            )
        };
        let parsed = Tile::parse_path(path).map_err(|e| not_found(e.to_string()))?;
        let size = self.size()?;
        let tile = match parsed {
            TilePath::Hashes(t) | TilePath::Entries(t) => t,
        };
        if !tile_in_tree(&tile, size) {
            return Err(not_found(format!("the log holds {size} entries")));
        }
        Ok(TileBytes {
            bytes: self.tile_bytes(parsed)?,
            full: tile.is_full(),
        })
    }

    /// The bytes of a tile that the tree contains (see [`tile_in_tree`]): the tile's hashes,
    /// or for an entry bundle each entry as `uint16 big-endian length ‖ entry`.
    pub fn tile_bytes(&self, path: TilePath) -> Result<Vec<u8>, Error> {
        match path {
            TilePath::Hashes(t) => tlog::read_tile(&t, self.store())
                .map_err(|e| Error::corrupt(format!("tile {}: {e}", t.path()))),
            TilePath::Entries(t) => {
                let start = t.index * TILE_WIDTH;
                let end = start + u64::from(t.width);
                let entries: Vec<(u64, Vec<u8>)> =
                    self.store().entries(start, end).collect::<Result<_, _>>()?;
                if entries.len() as u64 != end - start
                    || entries.iter().zip(start..).any(|((i, _), want)| *i != want)
                {
                    return Err(Error::corrupt(format!(
                        "log entries {start}..{end} are not all stored"
                    )));
                }
                let refs: Vec<&[u8]> = entries.iter().map(|(_, e)| e.as_slice()).collect();
                tlog::encode_entry_bundle(&refs)
                    .map_err(|e| Error::corrupt(format!("entry bundle {}: {e}", t.entries_path())))
            }
        }
    }

    /// Writes the log as a C2SP tlog-tiles tree in `dir`: every hash tile and entry bundle of
    /// the latest checkpoint's tree, then `checkpoint` last (so a mirror never names tiles it
    /// lacks). Files already present with the same bytes are left alone, so exporting again
    /// into the same directory only adds what is new. Older partial tiles stay: they are
    /// still correct for the older checkpoints that imply them.
    pub fn export_log(&self, dir: &Path) -> Result<ExportReport, Error> {
        let (note, cp) = self.latest_checkpoint()?;
        std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))?;
        let mut report = ExportReport {
            dir: dir.to_path_buf(),
            origin: cp.origin.clone(),
            tree_size: cp.size,
            hash_tiles: 0,
            entry_bundles: 0,
            written: 0,
            unchanged: 0,
        };
        for tile in tlog::tiles_for_size(cp.size) {
            let mut items = vec![(tile.path(), TilePath::Hashes(tile))];
            if tile.level == 0 {
                items.push((tile.entries_path(), TilePath::Entries(tile)));
            }
            for (rel, what) in items {
                match what {
                    TilePath::Hashes(_) => report.hash_tiles += 1,
                    TilePath::Entries(_) => report.entry_bundles += 1,
                }
                let path = dir.join(&rel);
                let bytes = self.tile_bytes(what)?;
                if std::fs::read(&path).is_ok_and(|old| old == bytes) {
                    report.unchanged += 1;
                    continue;
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::file(parent, e))?;
                }
                write_file(&path, &bytes)?;
                report.written += 1;
            }
        }
        write_file(&dir.join("checkpoint"), &note)?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_containment() {
        let t = |level, index, width| Tile::new(level, index, width).unwrap();
        assert!(tile_in_tree(&t(0, 0, 5), 5));
        assert!(tile_in_tree(&t(0, 0, 3), 5));
        assert!(!tile_in_tree(&t(0, 0, 6), 5));
        assert!(!tile_in_tree(&t(0, 0, 256), 255));
        assert!(tile_in_tree(&t(0, 0, 256), 256));
        assert!(tile_in_tree(&t(0, 1, 1), 257));
        assert!(!tile_in_tree(&t(1, 0, 1), 255));
        assert!(tile_in_tree(&t(1, 0, 1), 256));
        assert!(tile_in_tree(&t(1, 0, 2), 70_000));
        assert!(!tile_in_tree(&t(2, 0, 2), 70_000));
        assert!(tile_in_tree(&t(2, 0, 1), 70_000));
        assert!(!tile_in_tree(&t(63, u64::MAX, 256), u64::MAX));
        // Every tile the spec lists for a size is contained in it.
        for size in [1u64, 255, 256, 257, 65_536, 70_000] {
            for tile in tlog::tiles_for_size(size) {
                assert!(tile_in_tree(&tile, size), "{} in {size}", tile.path());
            }
        }
    }
}
