//! A [`HashReader`] over C2SP tiles fetched from anywhere, authenticated against a checkpoint.
//!
//! What it is: a port of Go's `tlog.TileHashReader` (`golang.org/x/mod/sumdb/tlog/tile.go`,
//! BSD-3-Clause) for C2SP tiles (height 8, `tile/<L>/<N>[.p/<W>]` paths). For every read it
//! fetches the tiles that recompute the trusted tree hash, plus the tiles holding the requested
//! hashes and their ancestors, checks that the first set reproduces the trusted root and that
//! each other (full) tile hashes to the entry its parent tile holds, and only then returns
//! hashes. It fetches only tiles implied by the trusted size, as c2sp.org/tlog-tiles requires.
//!
//! One deliberate difference from Go (and from the `tlog_tiles` 0.2.0 port): Go starts the
//! parent check at position `len(stx)` (the number of subtree *hashes*), although several of
//! those hashes can live in one tile, so the first non-root tiles could skip the check. Here
//! the check starts after the distinct root tiles, so every fetched tile is authenticated.
//!
//! Invariant: every hash returned is bound, through a chain of node hashes, to the root given
//! to [`TileHashReader::new`].
//!
//! What it does NOT do: cache tiles (each `read_hashes` fetches again; the `fetch` closure may
//! cache, since tiles are immutable), retry, or fall back from a partial to a full tile.

use std::collections::HashMap;

use super::merkle::{
    node_hash, stored_hash_index, sub_tree_index, HashReader, TlogError, MAX_TREE_SIZE,
};
use super::tiles::{hash_from_tile, tile_for_index, tile_hash, Tile, TILE_HEIGHT, TILE_WIDTH};
use super::verify::hex;
use super::Hash;

/// Reads stored hashes of the tree (`size`, `root`) from tiles returned by `fetch(path)`.
pub struct TileHashReader<F> {
    size: u64,
    root: Hash,
    fetch: F,
}

/// `t`'s `k`th ancestor tile in a tree of `n` leaves, with the width it has at that size.
fn tile_parent(t: Tile, k: u32, n: u64) -> Option<Tile> {
    let level = u32::from(t.level) + k;
    if level > 63 {
        return None;
    }
    let index = t.index.checked_shr(k * TILE_HEIGHT).unwrap_or(0);
    let max = n.checked_shr(level * TILE_HEIGHT).unwrap_or(0);
    let first = index.checked_mul(TILE_WIDTH)?;
    let mut width = TILE_WIDTH;
    if first.saturating_add(TILE_WIDTH) >= max {
        if first >= max {
            return None;
        }
        width = max - first;
    }
    Some(Tile {
        level: level as u8,
        index,
        width: width as u16,
    })
}

impl<F> TileHashReader<F>
where
    F: Fn(&str) -> Result<Vec<u8>, String>,
{
    /// A reader for the tree of `size` leaves with root `root` (from a verified checkpoint).
    pub fn new(size: u64, root: Hash, fetch: F) -> Self {
        TileHashReader { size, root, fetch }
    }
    pub fn size(&self) -> u64 {
        self.size
    }
    pub fn root(&self) -> &Hash {
        &self.root
    }

    fn inconsistent(&self, path: String, detail: String) -> TlogError {
        TlogError::TileInconsistent {
            path,
            size: self.size,
            detail,
        }
    }
}

impl<F> HashReader for TileHashReader<F>
where
    F: Fn(&str) -> Result<Vec<u8>, String>,
{
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        let n = self.size;
        if n > MAX_TREE_SIZE {
            return Err(TlogError::TreeTooLarge {
                size: n,
                max: MAX_TREE_SIZE,
            });
        }
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let lost = |what: String| TlogError::Internal {
            detail: format!("tile reader, size {n}: {what}"),
        };
        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles: Vec<Tile> = Vec::new();

        // Tiles that recompute the tree hash; once it matches, they are authenticated.
        let mut stx = Vec::new();
        sub_tree_index(0, n, &mut stx);
        let mut stx_order = Vec::with_capacity(stx.len());
        for &x in &stx {
            let t = tile_parent(tile_for_index(x).0, 0, n)
                .ok_or_else(|| lost(format!("no tile for root part {x}")))?;
            let j = *order.entry(t).or_insert_with(|| {
                tiles.push(t);
                tiles.len() - 1
            });
            stx_order.push(j);
        }
        let root_tiles = tiles.len();

        // Tiles holding the requested hashes, with any ancestors needed to authenticate them.
        let end = stored_hash_index(0, n);
        let mut index_order = Vec::with_capacity(indexes.len());
        for &x in indexes {
            if x >= end {
                return Err(TlogError::IndexNotInTree { index: x, size: n });
            }
            let t = tile_for_index(x).0;
            let mut k = 0;
            let found = loop {
                if k > 64 / TILE_HEIGHT {
                    return Err(lost(format!(
                        "no authenticated ancestor for stored hash {x}"
                    )));
                }
                if let Some(j) = tile_parent(t, k, n).and_then(|p| order.get(&p).copied()) {
                    break j;
                }
                k += 1;
            };
            let mut here = found;
            for kk in (0..k).rev() {
                let p =
                    tile_parent(t, kk, n).ok_or_else(|| lost(format!("missing tile under {x}")))?;
                if !p.is_full() {
                    return Err(lost(format!(
                        "tile {} has a parent but is not full",
                        p.path()
                    )));
                }
                order.insert(p, tiles.len());
                here = tiles.len();
                tiles.push(p);
            }
            index_order.push(here);
        }

        // Fetch.
        let mut data = Vec::with_capacity(tiles.len());
        for t in &tiles {
            let path = t.path();
            let bytes = (self.fetch)(&path).map_err(|message| TlogError::TileFetch {
                path: path.clone(),
                message,
            })?;
            let want = usize::from(t.width) * 32;
            if bytes.len() != want {
                return Err(TlogError::TileWrongLength {
                    path,
                    got: bytes.len(),
                    want,
                });
            }
            data.push(bytes);
        }

        // Authenticate the root tiles against the trusted tree hash.
        let mut th: Option<Hash> = None;
        for (i, &x) in stx.iter().enumerate().rev() {
            let j = stx_order[i];
            let h = hash_from_tile(&tiles[j], &data[j], x)?;
            th = Some(match th {
                None => h,
                Some(right) => node_hash(&h, &right),
            });
        }
        if th != Some(self.root) {
            let paths: Vec<String> = tiles[..root_tiles].iter().map(Tile::path).collect();
            return Err(self.inconsistent(
                paths.join(", "),
                format!(
                    "they give root {}, the checkpoint says {}",
                    th.map(|h| hex(&h)).unwrap_or_default(),
                    hex(&self.root)
                ),
            ));
        }

        // Authenticate every other (full) tile against its parent, parents first.
        for i in root_tiles..tiles.len() {
            let t = tiles[i];
            let p = tile_parent(t, 1, n)
                .ok_or_else(|| lost(format!("tile {} has no parent", t.path())))?;
            let j = *order
                .get(&p)
                .ok_or_else(|| lost(format!("lost parent of {}", t.path())))?;
            if j >= i {
                return Err(lost(format!(
                    "parent {} of {} not authenticated first",
                    p.path(),
                    t.path()
                )));
            }
            let level = u32::from(p.level) * TILE_HEIGHT;
            let want = hash_from_tile(&p, &data[j], stored_hash_index(level, t.index))?;
            let got = tile_hash(&data[i]);
            if got != want {
                return Err(self.inconsistent(
                    t.path(),
                    format!(
                        "it hashes to {}, but its parent {} says {}",
                        hex(&got),
                        p.path(),
                        hex(&want)
                    ),
                ));
            }
        }

        indexes
            .iter()
            .zip(index_order)
            .map(|(&x, j)| hash_from_tile(&tiles[j], &data[j], x))
            .collect()
    }
}
