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
    // R is a compressed Edwards point. An undecodable R is left for the batch to reject.
    if is_small_order_encoding(item.signature.r_bytes()) {
        return Err(ProofError::BadSignature {
            verification_method: verification_method.clone(),
        });
    }
    Ok(())
}

/// Whether `bytes` decompress to a point of small order, decided without decompressing (a
/// field square root): exactly when `y` (bit 255 cleared, reduced mod p) is the y of one of
/// the eight torsion points. Decompression accepts every such y with either sign bit (it
/// reduces y mod p, and the two points with a given y are negatives of each other, both
/// torsion points or neither), so this equals `VerifyingKey::from_bytes(bytes)` succeeding
/// with `is_weak()`; a unit test checks that on every such encoding and random ones.
pub(crate) fn is_small_order_encoding(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    y[31] &= 0x7f;
    // y >= p = 2^255 - 19: subtract p (y - p < 19 fits the low byte).
    if y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed {
        y = [0; 32];
        y[0] = bytes[0] - 0xed;
    }
    torsion_ys().contains(&y)
}

/// The y coordinates (canonical, sign bit cleared) of the eight torsion points.
fn torsion_ys() -> &'static [[u8; 32]; 8] {
    static YS: std::sync::OnceLock<[[u8; 32]; 8]> = std::sync::OnceLock::new();
    YS.get_or_init(|| {
        curve25519_dalek::constants::EIGHT_TORSION.map(|p| {
            let mut y = p.compress().to_bytes();
            y[31] &= 0x7f;
            y
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_decompression(bytes: &[u8; 32]) -> bool {
        VerifyingKey::from_bytes(bytes).is_ok_and(|k| k.is_weak())
    }

    #[test]
    fn small_order_encoding_matches_decompression() {
        let mut cases: Vec<[u8; 32]> = Vec::new();
        for y in torsion_ys() {
            cases.push(*y);
            // Non-canonical y + p where it fits in 255 bits (y < 19).
            if y[0] < 19 && y[1..].iter().all(|&b| b == 0) {
                let mut b = [0xffu8; 32];
                b[0] = 0xed + y[0];
                b[31] = 0x7f;
                cases.push(b);
            }
        }
        for k in 0..19u8 {
            let mut b = [0xffu8; 32];
            b[0] = 0xed + k;
            b[31] = 0x7f;
            cases.push(b);
            let mut small = [0u8; 32];
            small[0] = k;
            cases.push(small);
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut b = [0u8; 32];
            for chunk in b.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes());
            }
            cases.push(b);
        }
        let mut weak = 0;
        for base in cases {
            for sign in [0u8, 0x80] {
                let mut raw = base;
                raw[31] = (raw[31] & 0x7f) | sign;
                let expected = by_decompression(&raw);
                weak += usize::from(expected);
                assert_eq!(is_small_order_encoding(&raw), expected, "{raw:?}");
            }
        }
        // 5 distinct torsion ys, 2 signs each, plus non-canonical y + p for y = 0 and 1.
        assert!(weak >= 14, "{weak}");
    }
}
