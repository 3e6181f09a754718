//! Generation of RFC 6962 inclusion (`PATH`) and consistency (`PROOF`) proofs from stored
//! hashes.
//!
//! What it is: a port of `ProveRecord` / `ProveTree` from Go's `golang.org/x/mod/sumdb/tlog`
//! (Copyright 2019 The Go Authors, BSD-3-Clause). Each proof is planned first as a list of
//! stored-hash indexes (the maximal complete subtrees it needs), read in one `read_hashes`
//! call, then assembled, so a proof costs O(log n) reads whatever the storage is.
//!
//! Invariant: the output is exactly RFC 6962 §2.1.1 `PATH(m, D[n])` and §2.1.2
//! `PROOF(m, D[n])`, hash for hash, in the RFC's order (checked against the 8-leaf vectors).
//!
//! What it does NOT do: verify proofs (`verify.rs`), or prove anything about trees whose
//! stored hashes the reader does not hold.

use super::merkle::{
    check_size, pow2_floor, read_checked, sub_tree_index, Cursor, HashReader, TlogError,
};
use super::Hash;

/// `(k, _)`: the split point of RFC 6962, the largest power of two strictly less than `n >= 2`.
fn split(n: u64) -> u64 {
    pow2_floor(n - 1).0
}

fn leaf_proof_index(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if lo + 1 >= hi {
        return;
    }
    let k = split(hi - lo);
    if n < lo + k {
        leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need);
    }
}

fn leaf_proof(
    lo: u64,
    hi: u64,
    n: u64,
    cur: &mut Cursor,
    out: &mut Vec<Hash>,
) -> Result<(), TlogError> {
    if lo + 1 >= hi {
        return Ok(());
    }
    let k = split(hi - lo);
    let th = if n < lo + k {
        leaf_proof(lo, lo + k, n, cur, out)?;
        cur.sub_tree_hash(lo + k, hi)?
    } else {
        let th = cur.sub_tree_hash(lo, lo + k)?;
        leaf_proof(lo + k, hi, n, cur, out)?;
        th
    };
    out.push(th);
    Ok(())
}

/// RFC 6962 `PATH(index, D[0:size])`: sibling hashes from the leaf up to the root's child.
pub fn prove_inclusion(
    size: u64,
    index: u64,
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TlogError> {
    check_size(size)?;
    if index >= size {
        return Err(TlogError::IndexOutOfRange { index, size });
    }
    let mut need = Vec::new();
    leaf_proof_index(0, size, index, &mut need);
    let mut cur = Cursor {
        hashes: read_checked(reader, &need)?,
        pos: 0,
    };
    let mut out = Vec::new();
    leaf_proof(0, size, index, &mut cur, &mut out)?;
    Ok(out)
}

/// [`prove_inclusion`] of several leaves in the same tree, with every stored hash they need
/// read once, in one `read_hashes` call (the proofs of nearby leaves, and of all leaves near
/// the top and right edge of the tree, share most of their hashes). `out[i]` is exactly
/// `prove_inclusion(size, indexes[i], reader)`.
pub fn prove_inclusions(
    size: u64,
    indexes: &[u64],
    reader: &impl HashReader,
) -> Result<Vec<Vec<Hash>>, TlogError> {
    check_size(size)?;
    let mut needs = Vec::with_capacity(indexes.len());
    for &index in indexes {
        if index >= size {
            return Err(TlogError::IndexOutOfRange { index, size });
        }
        let mut need = Vec::new();
        leaf_proof_index(0, size, index, &mut need);
        needs.push(need);
    }
    let mut all: Vec<u64> = needs.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let hashes = read_checked(reader, &all)?;
    let mut out = Vec::with_capacity(indexes.len());
    for (need, &index) in needs.iter().zip(indexes) {
        let mut cur = Cursor {
            hashes: need
                .iter()
                .map(|i| hashes[all.binary_search(i).unwrap_or_default()])
                .collect(),
            pos: 0,
        };
        let mut proof = Vec::new();
        leaf_proof(0, size, index, &mut cur, &mut proof)?;
        out.push(proof);
    }
    Ok(out)
}

fn tree_proof_index(lo: u64, hi: u64, n: u64, need: &mut Vec<u64>) {
    if n >= hi {
        if lo != 0 {
            sub_tree_index(lo, hi, need);
        }
        return;
    }
    let k = split(hi - lo);
    if n <= lo + k {
        tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need);
    } else {
        sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need);
    }
}

fn tree_proof(
    lo: u64,
    hi: u64,
    n: u64,
    cur: &mut Cursor,
    out: &mut Vec<Hash>,
) -> Result<(), TlogError> {
    if n >= hi {
        if lo != 0 {
            out.push(cur.sub_tree_hash(lo, hi)?);
        }
        return Ok(());
    }
    let k = split(hi - lo);
    let th = if n <= lo + k {
        tree_proof(lo, lo + k, n, cur, out)?;
        cur.sub_tree_hash(lo + k, hi)?
    } else {
        let th = cur.sub_tree_hash(lo, lo + k)?;
        tree_proof(lo + k, hi, n, cur, out)?;
        th
    };
    out.push(th);
    Ok(())
}

/// RFC 6962 `PROOF(old_size, D[0:new_size])`. Empty when `old_size` is 0 or equals `new_size`
/// (see `verify_consistency` for the matching policy); an error when `old_size > new_size`.
pub fn prove_consistency(
    old_size: u64,
    new_size: u64,
    reader: &impl HashReader,
) -> Result<Vec<Hash>, TlogError> {
    check_size(new_size)?;
    if old_size > new_size {
        return Err(TlogError::InvalidConsistencySizes { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    let mut need = Vec::new();
    tree_proof_index(0, new_size, old_size, &mut need);
    let mut cur = Cursor {
        hashes: read_checked(reader, &need)?,
        pos: 0,
    };
    let mut out = Vec::new();
    tree_proof(0, new_size, old_size, &mut cur, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlog::MemoryHashStore;

    #[test]
    fn joint_inclusion_proofs_equal_single_ones() {
        let mut store = MemoryHashStore::new();
        let leaves: Vec<Vec<u8>> = (0..300u32).map(|i| i.to_be_bytes().to_vec()).collect();
        store.append_data(&leaves).unwrap();
        for size in [1u64, 2, 3, 7, 8, 9, 100, 255, 256, 257, 300] {
            let indexes: Vec<u64> = [0, 1, 2, 5, 63, 64, 99, 128, 200, 256, 299]
                .into_iter()
                .filter(|&i| i < size)
                .collect();
            let joint = prove_inclusions(size, &indexes, &store).unwrap();
            for (&i, proof) in indexes.iter().zip(&joint) {
                assert_eq!(
                    proof,
                    &prove_inclusion(size, i, &store).unwrap(),
                    "{i} of {size}"
                );
            }
        }
        assert!(prove_inclusions(5, &[1, 5], &store).is_err());
    }
}
