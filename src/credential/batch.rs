//! Batch verification of many prepared `eddsa-jcs-2022` proofs (Ed25519 batch
//! equation from `ed25519_dalek::verify_batch`, deterministic: dalek derives
//! its batch scalars from a Merlin transcript of the inputs, no RNG).
//!
//! Invariant: the result has one entry per input, in order, and an entry is
//! `Ok` only if the batch equation holds for the whole set (or, after a batch
//! failure, that item alone passes `verify_strict`). Small-order keys and
//! small-order signature `R` values, which `verify_batch` does not reject but
//! `verify_strict` does, are rejected per item first, so an item that the batch
//! accepts is not one that [`super::verify`] would reject for those reasons.

use ed25519_dalek::{Signature, VerifyingKey};

use super::proof::{Prepared, ProofError};

/// Verifies every prepared proof; `result[i]` is the verdict for `items[i]`.
///
/// Runs one batch equation over the items that pass the per-item weak-key
/// checks; if it fails, falls back to `verify_strict` on each of them so the
/// result names exactly the bad ones.
pub fn verify_batch(items: &[Prepared]) -> Vec<Result<(), ProofError>> {
    let mut results: Vec<Result<(), ProofError>> = items.iter().map(precheck).collect();
    let candidates: Vec<usize> = (0..items.len()).filter(|&i| results[i].is_ok()).collect();
    if candidates.is_empty() {
        return results;
    }
    let messages: Vec<&[u8]> = candidates.iter().map(|&i| &items[i].message[..]).collect();
    let signatures: Vec<Signature> = candidates.iter().map(|&i| items[i].signature).collect();
    let keys: Vec<VerifyingKey> = candidates.iter().map(|&i| items[i].claims.key).collect();
    if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_err() {
        for &i in &candidates {
            results[i] = items[i].verify();
        }
    }
    results
}

/// The checks `verify_strict` makes that the batch equation skips.
fn precheck(item: &Prepared) -> Result<(), ProofError> {
    let verification_method = &item.claims.verification_method;
    if item.claims.key.is_weak() {
        return Err(ProofError::WeakKey {
            verification_method: verification_method.clone(),
        });
    }
    // R is a compressed Edwards point; reuse VerifyingKey to decompress it and
    // test its order. An undecodable R is left for the batch to reject.
    if let Ok(r) = VerifyingKey::from_bytes(item.signature.r_bytes()) {
        if r.is_weak() {
            return Err(ProofError::BadSignature {
                verification_method: verification_method.clone(),
            });
        }
    }
    Ok(())
}
