//! Cross-implementation check: credentials produced by our `sign` are verified
//! by an eddsa-jcs-2022 implementation nobody on this team wrote, Affinidi's
//! `affinidi-data-integrity` 0.8.0 (its own did:key resolver, its own JCS via
//! `serde_json_canonicalizer`, its own hashing), and rejected by it after one
//! field is changed.
//!
//! [`independent_verify`] (in `tests/common/independent_vc.rs`, shared with the CLI tests)
//! is the reusable entry point: give it any secured document.

mod vc_support;

#[path = "common/independent_vc.rs"]
mod independent_vc;

use honors::credential::{did_for, sign, verify};
pub use independent_vc::{independent_verify, independent_verify_reason};
use serde_json::Value;
use vc_support::{json, key_from_seed_hex, w3c_key, zh_credential};

fn our_zh_credential() -> Value {
    let key = key_from_seed_hex(&"5a".repeat(32));
    let did = did_for(&key.verifying_key());
    let signed = sign(&zh_credential(&did), &key, "2025-01-15T09:30:00+08:00").unwrap();
    assert_eq!(signed["issuer"]["id"], did.as_str());
    verify(&signed).expect("our own verifier accepts it");
    signed
}

#[test]
fn affinidi_verifies_the_w3c_vector_and_rejects_its_negatives() {
    // Sanity: the independent verifier itself agrees with the published vector.
    assert!(independent_verify(&json(
        "w3c-eddsa-jcs-2022/signedJCS.json"
    )));
    assert!(!independent_verify(&json(
        "w3c-eddsa-jcs-2022/neg-tampered-subject.json"
    )));
    assert!(independent_verify(&json(
        "honors-zh-award/award-signed.json"
    )));
    assert!(!independent_verify(&json(
        "honors-zh-award/neg-award-tampered-name.json"
    )));
}

#[test]
fn affinidi_verifies_our_chinese_credential() {
    let signed = our_zh_credential();
    independent_verify_reason(&signed).expect("Affinidi verifies a credential signed by us");
    // The proof as a one-element array (OB 3.0 export shape) too.
    let mut arrayed = signed.clone();
    arrayed["proof"] = Value::Array(vec![signed["proof"].clone()]);
    assert!(independent_verify(&arrayed));
}

#[test]
fn affinidi_rejects_our_credential_after_one_change() {
    let signed = our_zh_credential();
    type Edit = (&'static str, fn(&mut Value));
    let edits: [Edit; 5] = [
        ("subject grade", |d| {
            d["credentialSubject"]["grade"] = "三级乙等".into()
        }),
        ("issuer name", |d| {
            d["issuer"]["name"] = "示例省卫生健康委员会 ".into()
        }),
        ("validFrom", |d| {
            d["validFrom"] = "2024-05-02T00:00:00Z".into()
        }),
        ("proof created", |d| {
            d["proof"]["created"] = "2025-01-15T09:30:01+08:00".into()
        }),
        ("compatibility ideograph normalised", |d| {
            let s = d["description"]
                .as_str()
                .unwrap()
                .replace('\u{F900}', "\u{8C48}");
            d["description"] = s.into();
        }),
    ];
    for (what, edit) in edits {
        let mut doc = signed.clone();
        edit(&mut doc);
        assert_ne!(doc, signed, "{what}: the edit changed nothing");
        let reason = independent_verify_reason(&doc).expect_err(what);
        assert!(
            reason.contains("signature invalid"),
            "{what}: rejected for another reason: {reason}"
        );
        assert!(verify(&doc).is_err(), "{what}: we still accept it");
    }
}

#[test]
fn affinidi_rejects_a_proof_under_another_key() {
    let mut doc = our_zh_credential();
    let other = w3c_key().verifying_key();
    doc["proof"]["verificationMethod"] = honors::credential::vm_for(&other).into();
    assert!(!independent_verify(&doc));
}
