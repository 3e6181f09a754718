//! Shared helpers for the credential tests: loading the byte-exact vectors in
//! `tests/vectors/vc/` (see its README for sources and licenses).
#![allow(dead_code)]

use ed25519_dalek::SigningKey;
use serde_json::Value;

/// Absolute path of a file under `tests/vectors/vc/`.
pub fn path(rel: &str) -> String {
    format!("{}/tests/vectors/vc/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// The exact bytes of a vector file.
pub fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(path(rel)).unwrap_or_else(|e| panic!("read vector {rel}: {e}"))
}

/// A vector file as UTF-8 text, byte for byte.
pub fn text(rel: &str) -> String {
    String::from_utf8(bytes(rel)).expect("vector is UTF-8")
}

/// A vector file parsed as JSON.
pub fn json(rel: &str) -> Value {
    serde_json::from_slice(&bytes(rel)).unwrap_or_else(|e| panic!("parse vector {rel}: {e}"))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A signing key from a 32-byte seed in hex.
pub fn key_from_seed_hex(seed_hex: &str) -> SigningKey {
    let seed: [u8; 32] = unhex(seed_hex).try_into().expect("32-byte seed");
    SigningKey::from_bytes(&seed)
}

/// The W3C vc-di-eddsa test key (public test material).
pub fn w3c_key() -> SigningKey {
    let raw = json("w3c-eddsa-jcs-2022/keyPair-raw.json");
    key_from_seed_hex(raw["secretSeedHex"].as_str().expect("secretSeedHex"))
}

/// A Chinese-text VC 2.0 credential issued by the did:key of `issuer_did`.
pub fn zh_credential(issuer_did: &str) -> Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b9c7d1e-7a51-4d55-9a1f-3c0e2f4b6a77",
        "type": ["VerifiableCredential"],
        "issuer": { "id": issuer_did, "name": "示例省卫生健康委员会" },
        "validFrom": "2024-05-01T00:00:00Z",
        "name": "三级甲等医院",
        "description": "示例市第一人民医院（集团）经评审，被确认为三级甲等医院。\u{20BB7}\u{F900}",
        "credentialSubject": {
            "id": "urn:uuid:4d7e9f00-1c2b-4a3d-8e5f-6a7b8c9d0e1f",
            "name": "示例市第一人民医院（集团）",
            "grade": "三级甲等"
        }
    })
}
