//! Shared test helpers: vector loading, hex/base64, and (in `independent.rs`) checks by
//! implementations nobody on the team wrote.
#![allow(dead_code)]

pub mod independent;

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

/// `tests/vectors/tlog/<rel>`.
pub fn vector_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/tlog")
        .join(rel)
}

pub fn read_vector(rel: &str) -> Vec<u8> {
    let p = vector_path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

pub fn json(rel: &str) -> serde_json::Value {
    serde_json::from_slice(&read_vector(rel)).unwrap_or_else(|e| panic!("parsing {rel}: {e}"))
}

pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub fn hash32(s: &str) -> [u8; 32] {
    unhex(s).try_into().expect("32-byte hex hash")
}

pub fn b64(s: &str) -> Vec<u8> {
    B64.decode(s).expect("base64")
}

pub fn str_of<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

pub fn u64_of(v: &serde_json::Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not a u64 in {v}"))
}

/// Deterministic "random-ish" leaf data for leaf `i`.
pub fn leaf_data(i: u64) -> Vec<u8> {
    format!(
        "honors test leaf {i} {}",
        i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    )
    .into_bytes()
}
