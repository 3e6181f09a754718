//! The self-generated Chinese OB 3.0 award vectors (`honors-zh-award/`):
//! signed files verify, the tampered one does not, and signing reproduces the
//! canonical bytes and the proofValue.

mod vc_support;

use honors::credential::{jcs, prepare, sign, verify, ProofError};
use vc_support::{hex, json, key_from_seed_hex, text};

const DIR: &str = "honors-zh-award";

fn v(name: &str) -> String {
    format!("{DIR}/{name}")
}

#[test]
fn signed_award_and_status_list_verify() {
    let key = json(&v("key.json"));
    for f in [
        "award-signed.json",
        "award-revoked-signed.json",
        "status-list-signed.json",
    ] {
        let claims = verify(&json(&v(f))).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(claims.did, key["did"], "{f}");
        assert_eq!(claims.created, "2024-05-01T08:00:00Z", "{f}");
    }
}

#[test]
fn tampered_name_is_rejected() {
    let err = verify(&json(&v("neg-award-tampered-name.json"))).unwrap_err();
    assert!(matches!(err, ProofError::BadSignature { .. }), "{err:?}");
}

#[test]
fn canonical_bytes_and_signature_reproduced() {
    let unsigned = json(&v("award-unsigned.json"));
    assert_eq!(
        jcs::to_vec(&unsigned).unwrap(),
        text(&v("award-canonical-document.txt")).into_bytes()
    );
    let options = json(&v("award-proof-options.json"));
    assert_eq!(
        jcs::to_vec(&options).unwrap(),
        text(&v("award-canonical-proof-config.txt")).into_bytes()
    );

    let key = key_from_seed_hex(json(&v("key.json"))["secretSeedHex"].as_str().unwrap());
    let signed = sign(&unsigned, &key, "2024-05-01T08:00:00Z").unwrap();
    let inter = json(&v("award-intermediates.json"));
    let prepared = prepare(&signed).unwrap();
    assert_eq!(hex(&prepared.message), inter["hashDataHex"]);
    assert_eq!(hex(&prepared.signature.to_bytes()), inter["signatureHex"]);
    assert_eq!(signed["proof"]["proofValue"], inter["proofValue"]);
    assert_eq!(signed, json(&v("award-signed.json")));
}

#[test]
fn all_intermediates_reproduced() {
    let key = key_from_seed_hex(json(&v("key.json"))["secretSeedHex"].as_str().unwrap());
    for (signed_file, inter_file) in [
        ("award-signed.json", "award-intermediates.json"),
        (
            "award-revoked-signed.json",
            "award-revoked-intermediates.json",
        ),
        ("status-list-signed.json", "status-list-intermediates.json"),
    ] {
        let signed = json(&v(signed_file));
        let inter = json(&v(inter_file));
        let mut unsigned = signed.clone();
        unsigned.as_object_mut().unwrap().remove("proof");
        assert_eq!(
            jcs::to_string(&unsigned).unwrap(),
            inter["canonicalDocument"],
            "{signed_file}"
        );
        let resigned = sign(&unsigned, &key, "2024-05-01T08:00:00Z").unwrap();
        assert_eq!(resigned, signed, "{signed_file}");
        assert_eq!(
            hex(&prepare(&signed).unwrap().message),
            inter["hashDataHex"],
            "{signed_file}"
        );
    }
}
