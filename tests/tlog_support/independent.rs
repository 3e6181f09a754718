//! Checks by implementations that nobody on the team wrote: `signed_note` 0.2.0 and
//! `tlog_tiles` 0.2.0 (cloudflare/azul, ports of Go's x/mod note and tlog) and `ct-merkle` 0.3.0
//! (rozbb, an unrelated RFC 6962 implementation).
//!
//! Every helper takes plain bytes, strings and `[u8; 32]` hashes (never types of our library),
//! so the same helpers can check the output of the `honors` binary. Each returns `Ok(())` when
//! the independent implementation accepts, and `Err(reason)` when it rejects (a panic inside
//! the other crate also counts as a rejection).
//!
//! Known policy differences: all three reject consistency from size 0 (we accept an empty proof
//! from the empty tree), and `ct-merkle` needs the leaf *data* rather than its hash.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2::Sha256;
use signed_note::{Note, StandardVerifier, Verifier, VerifierList};

fn no_panic<T>(what: &str, f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(format!("{what} panicked")))
}

/// `signed_note` opens `note` with the given verifier keys; returns the names that verified.
pub fn signed_note_open(note: &[u8], vkeys: &[&str]) -> Result<Vec<String>, String> {
    no_panic("signed_note", || {
        let mut list: Vec<Box<dyn Verifier>> = Vec::new();
        for vk in vkeys {
            list.push(Box::new(
                StandardVerifier::new(vk).map_err(|e| format!("vkey {vk}: {e:?}"))?,
            ));
        }
        let n = Note::from_bytes(note).map_err(|e| format!("parse: {e:?}"))?;
        let (verified, _unverified) = n
            .verify(&VerifierList::new(list))
            .map_err(|e| format!("verify: {e:?}"))?;
        Ok(verified.iter().map(|s| s.name().to_string()).collect())
    })
}

/// `signed_note` accepts the verifier key string.
pub fn signed_note_vkey_ok(vkey: &str) -> Result<(), String> {
    no_panic("signed_note", || {
        StandardVerifier::new(vkey)
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    })
}

/// `tlog_tiles` parses a checkpoint body: returns (origin, size, root).
pub fn tlog_tiles_parse_checkpoint(text: &[u8]) -> Result<(String, u64, [u8; 32]), String> {
    no_panic("tlog_tiles", || {
        let c = tlog_tiles::Checkpoint::from_bytes(text).map_err(|e| format!("{e:?}"))?;
        Ok((c.origin().to_string(), c.size(), c.hash().0))
    })
}

/// `tlog_tiles::record_hash` (RFC 6962 leaf hash).
pub fn tlog_tiles_leaf_hash(data: &[u8]) -> [u8; 32] {
    tlog_tiles::record_hash(data).0
}

fn th(v: &[[u8; 32]]) -> Vec<tlog_tiles::Hash> {
    v.iter().map(|h| tlog_tiles::Hash(*h)).collect()
}

/// `tlog_tiles::check_record`: leaf hash `leaf` is at `index` in the tree (`size`, `root`).
pub fn tlog_tiles_check_inclusion(
    index: u64,
    size: u64,
    leaf: &[u8; 32],
    proof: &[[u8; 32]],
    root: &[u8; 32],
) -> Result<(), String> {
    no_panic("tlog_tiles", || {
        tlog_tiles::check_record(
            &th(proof),
            size,
            tlog_tiles::Hash(*root),
            index,
            tlog_tiles::Hash(*leaf),
        )
        .map_err(|e| format!("{e:?}"))
    })
}

/// `tlog_tiles::check_tree`: (old_size, old_root) is a prefix of (new_size, new_root).
pub fn tlog_tiles_check_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[[u8; 32]],
    old_root: &[u8; 32],
    new_root: &[u8; 32],
) -> Result<(), String> {
    no_panic("tlog_tiles", || {
        tlog_tiles::check_tree(
            &th(proof),
            new_size,
            tlog_tiles::Hash(*new_root),
            old_size,
            tlog_tiles::Hash(*old_root),
        )
        .map_err(|e| format!("{e:?}"))
    })
}

fn ct_root(size: u64, root: &[u8; 32]) -> RootHash<Sha256> {
    RootHash::new((*root).into(), size)
}

/// `ct-merkle`: leaf *data* `leaf_data` is at `index` in the tree (`size`, `root`).
pub fn ct_merkle_check_inclusion(
    index: u64,
    size: u64,
    leaf_data: &[u8],
    proof: &[[u8; 32]],
    root: &[u8; 32],
) -> Result<(), String> {
    no_panic("ct-merkle", || {
        let p = InclusionProof::<Sha256>::try_from_bytes(proof.concat())
            .map_err(|e| format!("{e:?}"))?;
        ct_root(size, root)
            .verify_inclusion(&leaf_data, index, &p)
            .map_err(|e| format!("{e:?}"))
    })
}

/// `ct-merkle`: (old_size, old_root) is a prefix of (new_size, new_root).
pub fn ct_merkle_check_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[[u8; 32]],
    old_root: &[u8; 32],
    new_root: &[u8; 32],
) -> Result<(), String> {
    no_panic("ct-merkle", || {
        let p = ConsistencyProof::<Sha256>::try_from_bytes(proof.concat())
            .map_err(|e| format!("{e:?}"))?;
        ct_root(new_size, new_root)
            .verify_consistency(&ct_root(old_size, old_root), &p)
            .map_err(|e| format!("{e:?}"))
    })
}

/// Both independent verifiers accept the inclusion proof.
pub fn independent_check_inclusion(
    index: u64,
    size: u64,
    leaf_data: &[u8],
    proof: &[[u8; 32]],
    root: &[u8; 32],
) -> Result<(), String> {
    let leaf = tlog_tiles_leaf_hash(leaf_data);
    tlog_tiles_check_inclusion(index, size, &leaf, proof, root)
        .map_err(|e| format!("tlog_tiles: {e}"))?;
    ct_merkle_check_inclusion(index, size, leaf_data, proof, root)
        .map_err(|e| format!("ct-merkle: {e}"))
}

/// Both independent verifiers accept the consistency proof (`old_size` must be > 0).
pub fn independent_check_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[[u8; 32]],
    old_root: &[u8; 32],
    new_root: &[u8; 32],
) -> Result<(), String> {
    tlog_tiles_check_consistency(old_size, new_size, proof, old_root, new_root)
        .map_err(|e| format!("tlog_tiles: {e}"))?;
    ct_merkle_check_consistency(old_size, new_size, proof, old_root, new_root)
        .map_err(|e| format!("ct-merkle: {e}"))
}
