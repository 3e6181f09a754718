//! Every way a proof can be wrong maps to its own `ProofError`, and batch
//! verification names exactly the bad items.

mod vc_support;

use honors::credential::{
    did_for, prepare, sign, verify, verify_batch, vm_for, Prepared, ProofError,
};
use serde_json::{json, Value};
use vc_support::{key_from_seed_hex, w3c_key, zh_credential};

const CREATED: &str = "2024-05-01T08:00:00Z";

fn signed() -> Value {
    let key = w3c_key();
    sign(
        &zh_credential(&did_for(&key.verifying_key())),
        &key,
        CREATED,
    )
    .unwrap()
}

fn err_of(doc: &Value) -> ProofError {
    verify(doc).expect_err("must not verify")
}

#[test]
fn good_credential_verifies() {
    let doc = signed();
    let v = verify(&doc).unwrap();
    assert_eq!(v.did, did_for(&w3c_key().verifying_key()));
    assert_eq!(doc["issuer"]["id"], v.did.as_str());
    assert_eq!(doc["proof"]["@context"], doc["@context"]);
}

#[test]
fn verification_method_of_another_key() {
    let mut doc = signed();
    let other = key_from_seed_hex(&"11".repeat(32)).verifying_key();
    doc["proof"]["verificationMethod"] = vm_for(&other).into();
    assert!(matches!(err_of(&doc), ProofError::BadSignature { .. }));
}

#[test]
fn edited_field() {
    let mut doc = signed();
    doc["credentialSubject"]["grade"] = "三级乙等".into();
    assert!(matches!(err_of(&doc), ProofError::BadSignature { .. }));
    let mut doc = signed();
    doc["proof"]["created"] = "2024-05-01T08:00:01Z".into();
    assert!(matches!(err_of(&doc), ProofError::BadSignature { .. }));
    let mut doc = signed();
    doc.as_object_mut()
        .unwrap()
        .insert("extra".into(), json!(1));
    assert!(matches!(err_of(&doc), ProofError::BadSignature { .. }));
}

#[test]
fn proof_value_shape() {
    let mut doc = signed();
    let pv = doc["proof"]["proofValue"].as_str().unwrap().to_owned();
    doc["proof"]["proofValue"] = format!("u{}", &pv[1..]).into();
    assert!(matches!(
        err_of(&doc),
        ProofError::MalformedProofValue { .. }
    ));
    doc["proof"]["proofValue"] = pv[1..].to_owned().into();
    assert!(matches!(
        err_of(&doc),
        ProofError::MalformedProofValue { .. }
    ));
    doc["proof"]["proofValue"] = "z0OIl".into();
    assert!(matches!(
        err_of(&doc),
        ProofError::MalformedProofValue { .. }
    ));
    doc["proof"]["proofValue"] = format!("z{}", bs58::encode([1u8; 63]).into_string()).into();
    assert!(matches!(
        err_of(&doc),
        ProofError::MalformedProofValue { .. }
    ));
    doc["proof"]["proofValue"] = json!(42);
    assert!(matches!(
        err_of(&doc),
        ProofError::FieldNotString {
            field: "proofValue",
            ..
        }
    ));
    doc["proof"].as_object_mut().unwrap().remove("proofValue");
    assert!(matches!(
        err_of(&doc),
        ProofError::MissingField {
            field: "proofValue"
        }
    ));
}

#[test]
fn wrong_type_suite_purpose_created() {
    let mut doc = signed();
    doc["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into();
    match err_of(&doc) {
        ProofError::UnsupportedCryptosuite { found } => assert_eq!(found, "eddsa-rdfc-2022"),
        e => panic!("{e:?}"),
    }
    let mut doc = signed();
    doc["proof"]["type"] = "Ed25519Signature2020".into();
    assert!(matches!(
        err_of(&doc),
        ProofError::UnsupportedProofType { .. }
    ));
    let mut doc = signed();
    doc["proof"]["proofPurpose"] = "authentication".into();
    assert!(matches!(err_of(&doc), ProofError::WrongProofPurpose { .. }));
    for bad in [
        "yesterday",
        "2024-05-01",
        "2024-05-01T08:00:00",
        "2024-13-01T08:00:00Z",
        "2024-02-30T08:00:00Z",
        "2024-05-01 08:00:00Z",
        "2024-05-01T08:00:00+0800",
        "2024-05-01T08:00:00.Z",
        "2024-05-01t08:00:00z",
        "",
    ] {
        let mut doc = signed();
        doc["proof"]["created"] = bad.into();
        assert!(
            matches!(err_of(&doc), ProofError::InvalidCreated { .. }),
            "{bad}"
        );
        let key = w3c_key();
        assert!(
            matches!(
                sign(&zh_credential("did:x"), &key, bad),
                Err(ProofError::InvalidCreated { .. })
            ),
            "{bad}"
        );
    }
    for good in [
        "2024-05-01T08:00:00+08:00",
        "2024-05-01T08:00:00.123Z",
        "2024-05-01T08:00:00-05:30",
    ] {
        let key = w3c_key();
        let doc = sign(&zh_credential("did:x"), &key, good).unwrap();
        assert_eq!(verify(&doc).unwrap().created, good);
    }
}

#[test]
fn proof_count_and_shape() {
    let doc = signed();
    let proof = doc["proof"].clone();
    let mut two = doc.clone();
    two["proof"] = json!([proof.clone(), proof.clone()]);
    assert!(matches!(
        err_of(&two),
        ProofError::WrongProofCount { count: 2 }
    ));
    let mut none = doc.clone();
    none["proof"] = json!([]);
    assert!(matches!(
        err_of(&none),
        ProofError::WrongProofCount { count: 0 }
    ));
    let mut one = doc.clone();
    one["proof"] = json!([proof]);
    verify(&one).unwrap();
    let mut missing = doc.clone();
    missing.as_object_mut().unwrap().remove("proof");
    assert!(matches!(err_of(&missing), ProofError::MissingProof));
    for not_obj in [json!("z..."), json!(null), json!([1])] {
        let mut d = doc.clone();
        d["proof"] = not_obj;
        assert!(matches!(err_of(&d), ProofError::ProofNotObject { .. }));
    }
    assert!(matches!(
        err_of(&json!([doc])),
        ProofError::DocumentNotObject { .. }
    ));
}

#[test]
fn verification_method_problems() {
    let mut doc = signed();
    doc["proof"]["verificationMethod"] = "did:web:example.com#key-1".into();
    assert!(matches!(
        err_of(&doc),
        ProofError::BadVerificationMethod { .. }
    ));
    let mut doc = signed();
    doc["proof"]["verificationMethod"] = did_for(&w3c_key().verifying_key()).into();
    assert!(matches!(
        err_of(&doc),
        ProofError::BadVerificationMethod { .. }
    ));
}

#[test]
fn context_rules() {
    let mut doc = signed();
    doc["@context"] = json!([
        "https://example.org/evil/v1",
        "https://www.w3.org/ns/credentials/v2"
    ]);
    assert!(matches!(
        err_of(&doc),
        ProofError::ContextPrefixMismatch { .. }
    ));
    let mut doc = signed();
    doc.as_object_mut().unwrap().remove("@context");
    assert!(matches!(
        err_of(&doc),
        ProofError::ContextPrefixMismatch { .. }
    ));
    // A document without @context signs without proof.@context and still verifies.
    let mut plain = zh_credential("did:x");
    plain.as_object_mut().unwrap().remove("@context");
    let s = sign(&plain, &w3c_key(), CREATED).unwrap();
    assert!(s["proof"].get("@context").is_none());
    verify(&s).unwrap();
}

#[test]
fn sign_rejects_bad_input() {
    let key = w3c_key();
    assert!(matches!(
        sign(&json!([1]), &key, CREATED),
        Err(ProofError::DocumentNotObject { .. })
    ));
    assert!(matches!(
        sign(&signed(), &key, CREATED),
        Err(ProofError::DocumentAlreadyHasProof)
    ));
    let big = json!({"n": 9007199254740993u64});
    assert!(matches!(
        sign(&big, &key, CREATED),
        Err(ProofError::Canonicalization(_))
    ));
}

#[test]
fn errors_say_what_was_wrong() {
    let mut doc = signed();
    doc["proof"]["cryptosuite"] = "ecdsa-jcs-2019".into();
    let msg = err_of(&doc).to_string();
    assert!(
        msg.contains("ecdsa-jcs-2019") && msg.contains("eddsa-jcs-2022"),
        "{msg}"
    );
}

fn batch_items(n: usize) -> Vec<Prepared> {
    (0..n)
        .map(|i| {
            let key = key_from_seed_hex(&format!("{:064x}", i + 100));
            let mut cred = zh_credential(&did_for(&key.verifying_key()));
            cred["credentialSubject"]["serial"] = json!(i);
            prepare(&sign(&cred, &key, CREATED).unwrap()).unwrap()
        })
        .collect()
}

#[test]
fn batch_all_good() {
    let items = batch_items(10);
    assert!(verify_batch(&items).iter().all(Result::is_ok));
    assert!(verify_batch(&[]).is_empty());
}

#[test]
fn batch_names_exactly_the_bad_one() {
    for bad in [0, 3, 9] {
        let mut items = batch_items(10);
        items[bad].message[40] ^= 1;
        let results = verify_batch(&items);
        assert_eq!(results.len(), 10);
        for (i, r) in results.iter().enumerate() {
            if i == bad {
                assert!(
                    matches!(r, Err(ProofError::BadSignature { .. })),
                    "{i}: {r:?}"
                );
            } else {
                assert!(r.is_ok(), "{i}: {r:?}");
            }
        }
    }
}

#[test]
fn batch_rejects_weak_key_and_swapped_signatures() {
    let mut items = batch_items(4);
    let mut identity = [0u8; 32];
    identity[0] = 1;
    items[1].claims.key = ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap();
    let sig = items[2].signature;
    items[2].signature = items[3].signature;
    items[3].signature = sig;
    let r = verify_batch(&items);
    assert!(r[0].is_ok());
    assert!(matches!(r[1], Err(ProofError::WeakKey { .. })));
    assert!(matches!(r[2], Err(ProofError::BadSignature { .. })));
    assert!(matches!(r[3], Err(ProofError::BadSignature { .. })));
}
