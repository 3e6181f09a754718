//! Key names, key IDs and verifier-key strings shared by note signatures (type 0x01) and
//! cosignatures (type 0x04).
//!
//! What it is: c2sp.org/signed-note v1.0.0 §"Verifier keys": a key name is non-empty with no
//! Unicode white space and no `+`; a key ID is `SHA-256(name || "\n" || type || key)[:4]`; a
//! verifier key is `<name>+<8 lowercase hex key ID>+<base64(type || key)>`.
//!
//! Invariant: [`parse_vkey`] returns a key only if the type byte is the expected one, the key
//! is a valid 32-byte Ed25519 point, and the key ID re-derived from name, type and key matches.
//!
//! What it does NOT do: handle private keys or key types other than Ed25519-based ones.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

use super::note::NoteError;

/// Key names: non-empty, no Unicode white space, no `+`.
pub(super) fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(char::is_whitespace)
}

/// `SHA-256(name || "\n" || alg || key)[:4]` as a big-endian u32.
pub(super) fn key_id(name: &str, alg: u8, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', alg]);
    h.update(key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

pub(super) fn format_vkey(name: &str, id: u32, alg: u8, key: &[u8]) -> String {
    let mut raw = vec![alg];
    raw.extend_from_slice(key);
    format!("{name}+{id:08x}+{}", B64.encode(raw))
}

/// Parses `name+hex8+base64(alg || key)`, checks the key ID, and returns (name, id, alg, key).
pub(super) fn parse_vkey(
    vkey: &str,
    expected_alg: u8,
) -> Result<(String, u32, VerifyingKey), NoteError> {
    let bad = |reason: &str| NoteError::InvalidVerifierKey {
        vkey: vkey.to_string(),
        reason: reason.to_string(),
    };
    let mut parts = vkey.splitn(3, '+');
    let (name, id_hex, key_b64) = match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c)) => (a, b, c),
        _ => return Err(bad("expected <name>+<hex key ID>+<base64 key>")),
    };
    if !is_valid_name(name) {
        return Err(bad("the key name is empty or contains spaces or '+'"));
    }
    if id_hex.len() != 8
        || !id_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(bad("the key ID must be 8 lowercase hex digits"));
    }
    let found = u32::from_str_radix(id_hex, 16).map_err(|_| bad("the key ID is not hex"))?;
    let raw = B64
        .decode(key_b64)
        .map_err(|e| bad(&format!("the key is not padded standard base64 ({e})")))?;
    let Some((&alg, key)) = raw.split_first() else {
        return Err(bad("the key is empty"));
    };
    if alg != expected_alg {
        return Err(NoteError::UnsupportedKeyType {
            vkey: vkey.to_string(),
            alg,
            expected: expected_alg,
        });
    }
    let computed = key_id(name, alg, key);
    if computed != found {
        return Err(NoteError::VerifierKeyIdMismatch {
            vkey: vkey.to_string(),
            found,
            computed,
        });
    }
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| bad(&format!("the Ed25519 key is {} bytes, not 32", key.len())))?;
    let pk =
        VerifyingKey::from_bytes(&key).map_err(|_| bad("the key is not a valid Ed25519 point"))?;
    Ok((name.to_string(), found, pk))
}

/// The C2SP verifier key (`name+hash+base64`) of an Ed25519 note key.
pub fn ed25519_vkey(name: &str, key: &ed25519_dalek::VerifyingKey) -> String {
    let bytes = key.to_bytes();
    format_vkey(name, key_id(name, 0x01, &bytes), 0x01, &bytes)
}
