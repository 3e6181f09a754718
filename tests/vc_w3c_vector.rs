//! The W3C vc-di-eddsa `eddsa-jcs-2022` test vector reproduced byte for byte,
//! and its negative variants rejected for the right reason.

mod vc_support;

use honors::credential::{jcs, prepare, proof, sign, verify, vm_for, ProofError};
use serde_json::Value;
use sha2::{Digest, Sha256};
use vc_support::{hex, json, text, w3c_key};

const DIR: &str = "w3c-eddsa-jcs-2022";

fn v(name: &str) -> String {
    format!("{DIR}/{name}")
}

#[test]
fn key_matches_vector() {
    let key = w3c_key();
    let raw = json(&v("keyPair-raw.json"));
    assert_eq!(hex(key.verifying_key().as_bytes()), raw["publicKeyHex"]);
    assert_eq!(vm_for(&key.verifying_key()), raw["verificationMethod"]);
    assert_eq!(
        honors::credential::did_for(&key.verifying_key()),
        raw["did"]
    );
}

#[test]
fn intermediates_match_byte_for_byte() {
    let unsigned = json(&v("unsigned.json"));
    let config = json(&v("proofConfigJCS.json"));
    let canon_doc = jcs::to_vec(&unsigned).unwrap();
    let canon_proof = jcs::to_vec(&config).unwrap();
    assert_eq!(canon_doc, text(&v("canonDocJCS.txt")).into_bytes());
    assert_eq!(canon_proof, text(&v("proofCanonJCS.txt")).into_bytes());
    assert_eq!(hex(&Sha256::digest(&canon_doc)), text(&v("docHashJCS.txt")));
    assert_eq!(
        hex(&Sha256::digest(&canon_proof)),
        text(&v("proofHashJCS.txt"))
    );
    let combined = proof::hash_data(&config, &unsigned).unwrap();
    assert_eq!(hex(&combined), text(&v("combinedHashJCS.txt")));
}

#[test]
fn sign_reproduces_signed_vector() {
    let unsigned = json(&v("unsigned.json"));
    let signed = sign(&unsigned, &w3c_key(), "2023-02-24T23:36:38Z").unwrap();
    let expected = json(&v("signedJCS.json"));
    assert_eq!(signed, expected);
    assert_eq!(
        signed["proof"]["proofValue"],
        text(&v("sigBTC58JCS.txt")).as_str()
    );

    let prepared = prepare(&signed).unwrap();
    assert_eq!(hex(&prepared.message), text(&v("combinedHashJCS.txt")));
    assert_eq!(
        hex(&prepared.signature.to_bytes()),
        text(&v("sigHexJCS.txt"))
    );
}

#[test]
fn signed_vector_verifies() {
    let claims = verify(&json(&v("signedJCS.json"))).unwrap();
    let raw = json(&v("keyPair-raw.json"));
    assert_eq!(claims.did, raw["did"]);
    assert_eq!(claims.verification_method, raw["verificationMethod"]);
    assert_eq!(claims.created, "2023-02-24T23:36:38Z");
    assert_eq!(claims.proof_purpose, "assertionMethod");
    assert_eq!(claims.key, w3c_key().verifying_key());
}

#[test]
fn tampered_subject_is_a_bad_signature() {
    let err = verify(&json(&v("neg-tampered-subject.json"))).unwrap_err();
    assert!(matches!(err, ProofError::BadSignature { .. }), "{err:?}");
}

#[test]
fn context_prefix_mismatch_fails_before_the_signature() {
    let doc = json(&v("neg-context-prefix-mismatch.json"));
    // prepare() does not check the signature, so the error comes from the context rule.
    let err = prepare(&doc).unwrap_err();
    assert!(
        matches!(err, ProofError::ContextPrefixMismatch { .. }),
        "{err:?}"
    );
    let err = verify(&doc).unwrap_err();
    assert!(
        matches!(err, ProofError::ContextPrefixMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn appended_context_still_verifies() {
    // The prefix rule lets a later party append contexts: the document is
    // hashed with the proof's @context.
    let mut doc = json(&v("signedJCS.json"));
    let ctx = doc["@context"].as_array_mut().unwrap();
    ctx.push(Value::from("https://example.org/extra/v1"));
    verify(&doc).unwrap();
}
