//! did:key vectors (w3c-ccg/did-method-key seeds, vc-di-eddsa Multikey pairs)
//! and rejection of malformed, foreign and weak keys.

mod vc_support;

use honors::credential::didkey::{self, DidKeyError};
use honors::credential::{did_for, key_for_did, key_for_vm, vm_for};
use vc_support::{hex, json, key_from_seed_hex, unhex};

fn mb(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

#[test]
fn seeds_give_the_vector_dids() {
    let cases = json("did-key/ed25519-compact.json");
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let key = key_from_seed_hex(case["seedHex"].as_str().unwrap()).verifying_key();
        assert_eq!(hex(key.as_bytes()), case["publicKeyHex"]);
        assert_eq!(did_for(&key), case["did"]);
        assert_eq!(vm_for(&key), case["verificationMethod"]);
        assert_eq!(didkey::multibase_for(&key), case["publicKeyMultibase"]);
        assert_eq!(key_for_did(case["did"].as_str().unwrap()).unwrap(), key);
        let (did, k) = key_for_vm(case["verificationMethod"].as_str().unwrap()).unwrap();
        assert_eq!((did.as_str(), k), (case["did"].as_str().unwrap(), key));
    }
}

#[test]
fn multikey_pairs_round_trip() {
    let pairs = json("did-key/w3c-vc-di-eddsa-multiKeyPairs.json");
    let pairs = pairs.as_object().unwrap();
    assert_eq!(pairs.len(), 4);
    for (name, pair) in pairs {
        let public = pair["publicKeyMultibase"].as_str().unwrap();
        let secret = pair["privateKeyMultibase"].as_str().unwrap();
        let secret = bs58::decode(&secret[1..]).into_vec().unwrap();
        assert_eq!(&secret[..2], &[0x80, 0x26], "{name}");
        let key = key_from_seed_hex(&hex(&secret[2..])).verifying_key();
        assert_eq!(didkey::multibase_for(&key), public, "{name}");
        let did = format!("did:key:{public}");
        assert_eq!(did_for(&key), did);
        assert_eq!(key_for_did(&did).unwrap(), key);
        assert_eq!(key_for_vm(&format!("{did}#{public}")).unwrap().1, key);
    }
}

#[test]
fn malformed_dids_are_rejected() {
    let good = key_from_seed_hex(&"00".repeat(32)).verifying_key();
    let raw = good.to_bytes();
    let did = |mb: String| format!("did:key:{mb}");

    let e = key_for_did("did:web:example.com").unwrap_err();
    assert!(matches!(e, DidKeyError::NotDidKey { .. }), "{e}");
    let e = key_for_did(&format!("did:key:m{}", &did_for(&good)[9..])).unwrap_err();
    assert!(matches!(e, DidKeyError::UnsupportedMultibase { .. }), "{e}");
    let e = key_for_did("did:key:z6Mk0OIl").unwrap_err(); // 0 O I l are not base58
    assert!(matches!(e, DidKeyError::BadBase58 { .. }), "{e}");
    let e = key_for_did("did:key:").unwrap_err();
    assert!(matches!(e, DidKeyError::UnsupportedMultibase { .. }), "{e}");

    // X25519 (0xec01) and secp256k1 (0xe701) prefixes.
    for prefix in [[0xec, 0x01], [0xe7, 0x01], [0x80, 0x26]] {
        let e = key_for_did(&did(mb(&[&prefix[..], &raw[..]].concat()))).unwrap_err();
        assert!(matches!(e, DidKeyError::UnsupportedKeyType { .. }), "{e}");
    }
    let e = key_for_did(&did(mb(&[0xed]))).unwrap_err();
    assert!(matches!(e, DidKeyError::UnsupportedKeyType { .. }), "{e}");
    for len in [0, 31, 33, 64] {
        let bytes = [&[0xed, 0x01][..], &vec![7u8; len][..]].concat();
        let e = key_for_did(&did(mb(&bytes))).unwrap_err();
        assert_eq!(e, DidKeyError::WrongKeyLength { found: len });
    }
    let e = key_for_did(&format!("{}#frag", did_for(&good))).unwrap_err();
    assert!(matches!(e, DidKeyError::BadBase58 { .. }), "{e}");
}

#[test]
fn weak_and_invalid_points_are_rejected() {
    let did = |key: &[u8]| format!("did:key:{}", mb(&[&[0xed, 0x01][..], key].concat()));
    // The identity point (0, 1): small order.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let e = key_for_did(&did(&identity)).unwrap_err();
    assert!(matches!(e, DidKeyError::WeakKey { .. }), "{e}");
    // (0, -1), order 2.
    let minus_one = unhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    let e = key_for_did(&did(&minus_one)).unwrap_err();
    assert!(matches!(e, DidKeyError::WeakKey { .. }), "{e}");
    // y = p encodes y = 0 non-canonically.
    let y_is_p = unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    let e = key_for_did(&did(&y_is_p)).unwrap_err();
    assert!(matches!(e, DidKeyError::InvalidKey { .. }), "{e}");
    // y = 2 is not on the curve.
    let mut two = [0u8; 32];
    two[0] = 2;
    let e = key_for_did(&did(&two)).unwrap_err();
    assert!(matches!(e, DidKeyError::InvalidKey { .. }), "{e}");
}

#[test]
fn verification_method_fragment_must_match() {
    let a = key_from_seed_hex(&"00".repeat(32)).verifying_key();
    let b = key_from_seed_hex(&format!("{}01", "00".repeat(31))).verifying_key();
    let e = key_for_vm(&did_for(&a)).unwrap_err();
    assert!(matches!(e, DidKeyError::MissingFragment { .. }), "{e}");
    let e = key_for_vm(&format!("{}#{}", did_for(&a), didkey::multibase_for(&b))).unwrap_err();
    assert!(matches!(e, DidKeyError::FragmentMismatch { .. }), "{e}");
    let e = key_for_vm(&format!("{}#key-1", did_for(&a))).unwrap_err();
    assert!(matches!(e, DidKeyError::FragmentMismatch { .. }), "{e}");
    let e = key_for_vm(&format!("{}#", did_for(&a))).unwrap_err();
    assert!(matches!(e, DidKeyError::FragmentMismatch { .. }), "{e}");
}
