//! Verification of RFC 6962 / RFC 9162 inclusion and consistency proofs.
//!
//! What it is: RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), written in the
//! decomposed form of transparency-dev/merkle `proof/verify.go` (Apache-2.0): the expected proof
//! length is computed first (`inner` hashes below the point where the paths to the leaf and
//! to the last leaf diverge, plus `border` hashes on the right edge), so a proof that is too
//! short or too long is rejected with both lengths in the error.
//!
//! Edge-case policy (this is a choice; other libraries differ):
//! - `old_size == new_size`: valid iff the proof is empty and the roots are equal.
//! - `old_size == 0`: valid iff the proof is empty and `old_root == EMPTY_ROOT` (C2SP
//!   tlog-witness: "the empty tree is consistent with every tree"). transparency-dev/merkle,
//!   `tlog_tiles` and `ct-merkle` reject every consistency check from size 0 instead.
//! - `old_size > new_size`: always an error.
//! - Hashes are `[u8; 32]` by type, so the non-32-byte "roots" some probe files use cannot even
//!   be expressed; callers decoding hashes must reject other lengths.
//!
//! Invariant: `Ok(())` only if the proof recomputes *both* given roots (consistency) or the
//! given root (inclusion) exactly.
//!
//! What it does NOT do: fetch anything, decide which roots to trust, or check signatures.

use super::merkle::{node_hash, EMPTY_ROOT};
use super::Hash;

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("proof has {got} hashes, but a proof for {what} needs exactly {want}")]
    WrongProofLength {
        what: String,
        got: usize,
        want: usize,
    },
    #[error("proof does not lead to the expected root: computed {computed}, expected {expected}")]
    RootMismatch { computed: String, expected: String },
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    OldSizeLarger { old_size: u64, new_size: u64 },
    #[error("trees of equal size {size} have different roots {old_root} and {new_root}")]
    EqualSizeRootsDiffer {
        size: u64,
        old_root: String,
        new_root: String,
    },
    #[error("the old tree has size 0 but its root {old_root} is not SHA-256(\"\")")]
    EmptyTreeRootMismatch { old_root: String },
    #[error("consistency proof does not reproduce the old root (size {old_size}): computed {computed}, expected {expected}")]
    OldRootMismatch {
        old_size: u64,
        computed: String,
        expected: String,
    },
    #[error("consistency proof does not reproduce the new root (size {new_size}): computed {computed}, expected {expected}")]
    NewRootMismatch {
        new_size: u64,
        computed: String,
        expected: String,
    },
}

pub(super) fn hex(h: &Hash) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// `(inner, border)`: the proof length for leaf `index` in a tree of `size` (`index < size`).
fn decomp_incl_proof(index: u64, size: u64) -> (usize, usize) {
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = index.checked_shr(inner as u32).unwrap_or(0).count_ones() as usize;
    (inner, border)
}

fn chain_inner(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        if (index >> i) & 1 == 0 {
            seed = node_hash(&seed, h);
        } else {
            seed = node_hash(h, &seed);
        }
    }
    seed
}

fn chain_inner_right(mut seed: Hash, proof: &[Hash], index: u64) -> Hash {
    for (i, h) in proof.iter().enumerate() {
        if (index >> i) & 1 == 1 {
            seed = node_hash(h, &seed);
        }
    }
    seed
}

fn chain_border_right(mut seed: Hash, proof: &[Hash]) -> Hash {
    for h in proof {
        seed = node_hash(h, &seed);
    }
    seed
}

/// Verifies that `leaf` (a leaf *hash*) is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (inner, border) = decomp_incl_proof(index, size);
    if proof.len() != inner + border {
        return Err(ProofError::WrongProofLength {
            what: format!("leaf {index} in a tree of size {size}"),
            got: proof.len(),
            want: inner + border,
        });
    }
    let r = chain_inner(*leaf, &proof[..inner], index);
    let r = chain_border_right(r, &proof[inner..]);
    if &r != root {
        return Err(ProofError::RootMismatch {
            computed: hex(&r),
            expected: hex(root),
        });
    }
    Ok(())
}

/// Verifies that the tree of `old_size` with `old_root` is a prefix of the tree of `new_size`
/// with `new_root`. See the module doc for the `old_size == 0` and equal-size policies.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldSizeLarger { old_size, new_size });
    }
    let what = || format!("consistency from size {old_size} to size {new_size}");
    if old_size == 0 || old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                what: what(),
                got: proof.len(),
                want: 0,
            });
        }
        if old_size == 0 && old_root != &EMPTY_ROOT {
            return Err(ProofError::EmptyTreeRootMismatch {
                old_root: hex(old_root),
            });
        }
        if old_size == new_size && old_root != new_root {
            return Err(ProofError::EqualSizeRootsDiffer {
                size: old_size,
                old_root: hex(old_root),
                new_root: hex(new_root),
            });
        }
        return Ok(());
    }
    // 0 < old_size < new_size.
    let (inner, border) = decomp_incl_proof(old_size - 1, new_size);
    let shift = old_size.trailing_zeros() as usize;
    let inner = inner - shift; // shift < inner because old_size < new_size.
                               // The proof starts with the root of the 2^shift subtree, unless that is the whole old tree.
    let (seed, start) = if old_size == 1u64 << shift {
        (*old_root, 0)
    } else {
        match proof.first() {
            Some(h) => (*h, 1),
            None => {
                return Err(ProofError::WrongProofLength {
                    what: what(),
                    got: 0,
                    want: 1 + inner + border,
                })
            }
        }
    };
    if proof.len() != start + inner + border {
        return Err(ProofError::WrongProofLength {
            what: what(),
            got: proof.len(),
            want: start + inner + border,
        });
    }
    let proof = &proof[start..];
    let mask = (old_size - 1) >> shift;
    let h1 = chain_inner_right(seed, &proof[..inner], mask);
    let h1 = chain_border_right(h1, &proof[inner..]);
    if &h1 != old_root {
        return Err(ProofError::OldRootMismatch {
            old_size,
            computed: hex(&h1),
            expected: hex(old_root),
        });
    }
    let h2 = chain_inner(seed, &proof[..inner], mask);
    let h2 = chain_border_right(h2, &proof[inner..]);
    if &h2 != new_root {
        return Err(ProofError::NewRootMismatch {
            new_size,
            computed: hex(&h2),
            expected: hex(new_root),
        });
    }
    Ok(())
}
