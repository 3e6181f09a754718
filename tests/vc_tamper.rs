//! Flipping any single byte of the signed content (the canonical document or
//! the canonical proof configuration, re-parsed) must turn the verdict into an
//! error: the proof covers every byte.

mod vc_support;

use honors::credential::{did_for, jcs, sign, verify};
use serde_json::Value;
use vc_support::{w3c_key, zh_credential};

/// Rebuilds a secured document from (possibly tampered) canonical bytes of the
/// unsecured document and of the proof configuration, plus the original proofValue.
fn rebuild(doc: &[u8], config: &[u8], proof_value: &Value) -> Option<Value> {
    let mut doc: Value = serde_json::from_slice(doc).ok()?;
    let mut proof: Value = serde_json::from_slice(config).ok()?;
    proof
        .as_object_mut()?
        .insert("proofValue".into(), proof_value.clone());
    doc.as_object_mut()?.insert("proof".into(), proof);
    Some(doc)
}

#[test]
fn every_byte_flip_is_detected() {
    let key = w3c_key();
    let signed = sign(
        &zh_credential(&did_for(&key.verifying_key())),
        &key,
        "2024-05-01T08:00:00Z",
    )
    .unwrap();
    let mut unsecured = signed.clone();
    let mut proof = unsecured.as_object_mut().unwrap().remove("proof").unwrap();
    let proof_value = proof.as_object_mut().unwrap().remove("proofValue").unwrap();
    let doc_bytes = jcs::to_vec(&unsecured).unwrap();
    let config_bytes = jcs::to_vec(&proof).unwrap();
    assert!(verify(&rebuild(&doc_bytes, &config_bytes, &proof_value).unwrap()).is_ok());

    let mut checked = 0;
    for target in 0..2 {
        let len = if target == 0 {
            doc_bytes.len()
        } else {
            config_bytes.len()
        };
        for i in 0..len {
            for mask in [0x01u8, 0x20, 0x80] {
                let (mut d, mut c) = (doc_bytes.clone(), config_bytes.clone());
                if target == 0 {
                    d[i] ^= mask
                } else {
                    c[i] ^= mask
                }
                // A flip that breaks JSON or UTF-8 cannot even be presented.
                let Some(doc) = rebuild(&d, &c, &proof_value) else {
                    continue;
                };
                // A flip that re-parses to the same canonical bytes (impossible
                // for canonical input, but check) would not be a change at all.
                let same = jcs::to_vec(&doc).ok() == jcs::to_vec(&signed).ok();
                assert!(
                    same || verify(&doc).is_err(),
                    "flip {mask:#04x} at {target}:{i} still verifies"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 1000,
        "only {checked} flips produced parseable documents"
    );
}

#[test]
fn every_signature_bit_matters() {
    let key = w3c_key();
    let signed = sign(
        &zh_credential(&did_for(&key.verifying_key())),
        &key,
        "2024-05-01T08:00:00Z",
    )
    .unwrap();
    let sig = honors::credential::prepare(&signed)
        .unwrap()
        .signature
        .to_bytes();
    for i in 0..64 {
        for bit in 0..8 {
            let mut s = sig;
            s[i] ^= 1 << bit;
            let mut doc = signed.clone();
            doc["proof"]["proofValue"] = format!("z{}", bs58::encode(s).into_string()).into();
            assert!(verify(&doc).is_err(), "sig bit {i}.{bit}");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
    /// Arbitrary proof field values never panic and never verify.
    #[test]
    fn arbitrary_proof_fields_never_panic(
        field in proptest::sample::select(vec!["type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue", "@context"]),
        value in "\\PC{0,80}",
        prefix in proptest::sample::select(vec!["", "z", "did:key:z6Mk", "did:key:z"]),
    ) {
        let key = w3c_key();
        let mut doc = sign(&zh_credential("did:x"), &key, "2024-05-01T08:00:00Z").unwrap();
        doc["proof"][field] = format!("{prefix}{value}").into();
        let _ = honors::credential::prepare(&doc);
        proptest::prop_assert!(verify(&doc).is_err());
    }

    /// Arbitrary did:key strings never panic.
    #[test]
    fn arbitrary_dids_never_panic(s in "(did:key:)?z?[1-9A-HJ-NP-Za-km-z]{0,60}(#.{0,20})?") {
        let _ = honors::credential::key_for_did(&s);
        let _ = honors::credential::key_for_vm(&s);
    }
}
