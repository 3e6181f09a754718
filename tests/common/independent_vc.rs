//! An independent eddsa-jcs-2022 verifier: Affinidi's `affinidi-data-integrity` 0.8.0 (its own
//! did:key resolver, its own JCS via `serde_json_canonicalizer`, its own hashing). Nobody on the
//! team wrote it, and nothing of our library is involved.
//!
//! Note: it checks the proof's `created` against the real clock, so it is meant for freshly
//! signed documents and published vectors.
#![allow(dead_code)]

use affinidi_data_integrity::did_vm::resolve_did_key;
use affinidi_data_integrity::{DataIntegrityProof, VerifyOptions};
use serde_json::Value;

/// Verifies `doc` (a secured document with one proof, as an object or an array
/// of one) with Affinidi's implementation alone; our code is not involved.
/// Returns false for any failure; the reason is printed to stderr.
pub fn independent_verify(doc: &Value) -> bool {
    match independent_verify_reason(doc) {
        Ok(()) => true,
        Err(reason) => {
            eprintln!("independent verifier rejected the document: {reason}");
            false
        }
    }
}

/// Like [`independent_verify`], with the verifier's reason on failure.
pub fn independent_verify_reason(doc: &Value) -> Result<(), String> {
    let mut unsecured = doc.clone();
    let proof = unsecured
        .as_object_mut()
        .ok_or("document is not an object")?
        .remove("proof")
        .ok_or("document has no proof")?;
    let proof = match proof {
        Value::Array(mut proofs) if proofs.len() == 1 => proofs.remove(0),
        Value::Array(proofs) => return Err(format!("{} proofs", proofs.len())),
        other => other,
    };
    let proof: DataIntegrityProof =
        serde_json::from_value(proof).map_err(|e| format!("proof: {e}"))?;
    let resolved = resolve_did_key(&proof.verification_method).map_err(|e| e.to_string())?;
    if !proof
        .cryptosuite
        .compatible_key_types()
        .contains(&resolved.key_type)
    {
        return Err(format!(
            "key type {:?} does not fit the cryptosuite",
            resolved.key_type
        ));
    }
    proof
        .verify_with_public_key(
            &unsecured,
            &resolved.public_key_bytes,
            VerifyOptions::default(),
        )
        .map_err(|e| e.to_string())
}
