//! RFC 6962 / RFC 9162 Merkle tree hashing over "stored hashes", and proof generation.
//!
//! What it is: leaf and node hashing (RFC 6962 §2.1), the stored-hash index layout, appending
//! leaves and tree hashes. Proof generation is in `prove.rs`, verification in `verify.rs`.
//!
//! Port of Go's `golang.org/x/mod/sumdb/tlog` (`tlog.go`, Copyright 2019 The Go Authors,
//! BSD-3-Clause). Every leaf hash and every *completed* power-of-two subtree hash has a `u64`
//! "stored hash index": leaf `n`'s hash is written at `stored_hash_index(0, n)`, immediately
//! followed by the hashes of the subtrees that leaf completes, lowest level first. A tree of
//! `n` leaves therefore has exactly `stored_hash_count(n)` stored hashes, and they never change
//! once written (append-only). One deliberate difference from Go: the hash of the empty tree is
//! [`EMPTY_ROOT`] (`SHA-256("")`, as RFC 6962 says), not the all-zero hash.
//!
//! Invariant: for every `n`, `tree_hash(n)` equals RFC 6962 `MTH(D[0:n])`, and the proofs are
//! exactly RFC 6962 `PATH(m, D[n])` and `PROOF(m, D[n])`. Each operation reads O(log n)
//! stored hashes, in one `read_hashes` call.
//!
//! What it does NOT do: store hashes (the caller persists what [`append_leaves`] returns),
//! verify proofs (see `verify.rs`), or accept trees above [`MAX_TREE_SIZE`] leaves.

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::Hash;

/// `SHA-256("")`, the root of the empty tree (RFC 6962 §2.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The largest tree size the storage functions accept (2^62 leaves), so that stored-hash
/// indexes (about twice the leaf count) never overflow a `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Errors from tree storage, tree hashes, proof generation and tile reading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error(
        "invalid consistency proof request: old size {old_size} is larger than new size {new_size}"
    )]
    InvalidConsistencySizes { old_size: u64, new_size: u64 },
    #[error("tree size {size} is above the supported maximum of {max} leaves")]
    TreeTooLarge { size: u64, max: u64 },
    #[error("stored hash {index} is not in the store, which holds {stored} hashes")]
    StoredHashMissing { index: u64, stored: u64 },
    #[error("hash reader returned {returned} hashes for {requested} requested indexes")]
    ReaderReturnedWrongCount { requested: usize, returned: usize },
    #[error("hash storage failed: {message}")]
    Storage { message: String },
    #[error("stored hash {index} is not part of a tree of size {size}")]
    IndexNotInTree { index: u64, size: u64 },
    #[error("invalid tile: level {level}, index {index}, width {width} (width must be 1..=256)")]
    InvalidTile { level: u8, index: u64, width: u16 },
    #[error("fetching tile {path} failed: {message}")]
    TileFetch { path: String, message: String },
    #[error("tile {path} has {got} bytes, expected {want}")]
    TileWrongLength {
        path: String,
        got: usize,
        want: usize,
    },
    #[error("tile {path} does not match the trusted tree of size {size}: {detail}")]
    TileInconsistent {
        path: String,
        size: u64,
        detail: String,
    },
    #[error("internal error (a bug): {detail}")]
    Internal { detail: String },
}

/// Reads stored hashes by stored-hash index.
pub trait HashReader {
    /// Returns the hashes at `indexes`, in the same order; exactly one hash per index.
    /// Implementations may assume `indexes` are usually sorted ascending.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError>;
}

/// RFC 6962 leaf hash: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// RFC 6962 interior node hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The stored-hash index of the `n`th hash at `level` (level 0 = leaves; level `l` hash `n`
/// covers leaves `n*2^l .. (n+1)*2^l`). Meaningful for hashes of trees up to
/// [`MAX_TREE_SIZE`]; outside that range the result wraps instead of panicking.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // Level L's n'th hash is written right after level L+1's 2n+1'th hash.
    let mut n = n;
    for _ in 0..level.min(64) {
        n = n.wrapping_mul(2).wrapping_add(1);
    }
    // Level 0's n'th hash is written at n + n/2 + n/4 + ...
    let mut i: u64 = 0;
    while n > 0 {
        i = i.wrapping_add(n);
        n >>= 1;
    }
    i.wrapping_add(u64::from(level))
}

/// Inverse of [`stored_hash_index`]: returns `(level, n)`.
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // stored_hash_index(0, n) <= 2n, so the leaf we want is in [index/2, index/2 + log2(index)].
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    while index_n > index && n > 0 {
        // Not reached for valid indexes; kept so that bad math cannot loop or panic.
        n -= 1;
        index_n = stored_hash_index(0, n);
    }
    loop {
        // Each leaf n adds 1 + trailing_zeros(n+1) hashes.
        let x = index_n
            .wrapping_add(1)
            .wrapping_add(u64::from(n.wrapping_add(1).trailing_zeros()));
        if x > index || x <= index_n {
            break;
        }
        n += 1;
        index_n = x;
    }
    let level = (index - index_n.min(index)) as u32;
    (level, n.checked_shr(level).unwrap_or(0))
}

/// The number of stored hashes in a tree of `n` leaves.
pub fn stored_hash_count(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    // Hashes up to and including the last leaf hash, plus the subtrees that leaf completes.
    stored_hash_index(0, n - 1)
        .wrapping_add(1)
        .wrapping_add(u64::from((n - 1).trailing_ones()))
}

pub(super) fn check_size(size: u64) -> Result<(), TlogError> {
    if size > MAX_TREE_SIZE {
        return Err(TlogError::TreeTooLarge {
            size,
            max: MAX_TREE_SIZE,
        });
    }
    Ok(())
}

/// Reads `indexes` and checks that the reader returned one hash per index.
pub(super) fn read_checked(
    reader: &impl HashReader,
    indexes: &[u64],
) -> Result<Vec<Hash>, TlogError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TlogError::ReaderReturnedWrongCount {
            requested: indexes.len(),
            returned: hashes.len(),
        });
    }
    Ok(hashes)
}

/// New stored hashes produced by appending leaves with these leaf hashes to a tree of `start`
/// leaves, in stored-index order beginning at `stored_hash_count(start)`. Reads existing hashes
/// through `reader` (only those from before `start`, in one call), and keeps the batch's own
/// new hashes in memory, so a whole batch of leaves can be committed at once.
pub fn append_leaves(
    start: u64,
    leaf_hashes: &[Hash],
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TlogError> {
    let count = leaf_hashes.len() as u64;
    match start.checked_add(count) {
        Some(end) => check_size(end)?,
        None => {
            return Err(TlogError::TreeTooLarge {
                size: u64::MAX,
                max: MAX_TREE_SIZE,
            })
        }
    }
    let base = stored_hash_count(start);
    // Pass 1: the left siblings that live in storage (before `start`).
    let mut need = BTreeSet::new();
    for j in 0..count {
        let n = start + j;
        for level in 0..n.trailing_ones() {
            let idx = stored_hash_index(level, (n >> level) - 1);
            if idx < base {
                need.insert(idx);
            }
        }
    }
    let need: Vec<u64> = need.into_iter().collect();
    let old: HashMap<u64, Hash> = need
        .iter()
        .copied()
        .zip(read_checked(reader, &need)?)
        .collect();
    // Pass 2: compute, reading this batch's own hashes from `out`.
    let mut out: Vec<Hash> = Vec::with_capacity(leaf_hashes.len() * 2);
    for (j, leaf) in leaf_hashes.iter().enumerate() {
        let n = start + j as u64;
        let mut h = *leaf;
        out.push(h);
        for level in 0..n.trailing_ones() {
            let idx = stored_hash_index(level, (n >> level) - 1);
            let left = if idx < base {
                old.get(&idx).copied()
            } else {
                usize::try_from(idx - base)
                    .ok()
                    .and_then(|k| out.get(k))
                    .copied()
            };
            let left = left.ok_or_else(|| TlogError::Internal {
                detail: format!("append_leaves lost stored hash {idx} while appending leaf {n}"),
            })?;
            h = node_hash(&left, &h);
            out.push(h);
        }
    }
    Ok(out)
}

/// Returns `(2^level, level)` for the largest power of two `<= x` (`x >= 1`).
pub(super) fn pow2_floor(x: u64) -> (u64, u32) {
    let level = 63 - x.max(1).leading_zeros();
    (1u64 << level, level)
}

/// Stored-hash indexes of the maximal complete subtrees covering `lo..hi`, left to right.
pub(super) fn sub_tree_index(mut lo: u64, hi: u64, need: &mut Vec<u64>) {
    while lo < hi {
        let (k, level) = pow2_floor(hi - lo);
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
}

/// Consumes the hashes read for `sub_tree_index(lo, hi)` and combines them right to left.
pub(super) struct Cursor {
    pub(super) hashes: Vec<Hash>,
    pub(super) pos: usize,
}

impl Cursor {
    pub(super) fn take(&mut self) -> Result<Hash, TlogError> {
        let h = self
            .hashes
            .get(self.pos)
            .copied()
            .ok_or_else(|| TlogError::Internal {
                detail: format!("proof construction ran out of hashes at {}", self.pos),
            })?;
        self.pos += 1;
        Ok(h)
    }

    pub(super) fn sub_tree_hash(&mut self, mut lo: u64, hi: u64) -> Result<Hash, TlogError> {
        let mut parts = Vec::new();
        while lo < hi {
            let (k, _) = pow2_floor(hi - lo);
            parts.push(self.take()?);
            lo += k;
        }
        let mut iter = parts.into_iter().rev();
        let mut h = iter.next().ok_or_else(|| TlogError::Internal {
            detail: format!("empty subtree {lo}..{hi}"),
        })?;
        for left in iter {
            h = node_hash(&left, &h);
        }
        Ok(h)
    }
}

/// The RFC 6962 root of the first `size` leaves ([`EMPTY_ROOT`] for 0).
pub fn tree_hash(size: u64, reader: &impl HashReader) -> Result<Hash, TlogError> {
    check_size(size)?;
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    let mut need = Vec::new();
    sub_tree_index(0, size, &mut need);
    let mut cur = Cursor {
        hashes: read_checked(reader, &need)?,
        pos: 0,
    };
    cur.sub_tree_hash(0, size)
}
