//! `did:key` for Ed25519 public keys (W3C CCG did-method-key; W3C Controlled
//! Identifiers §"Multikey"): `did:key:z6Mk…` and its verification method
//! `did:key:z6Mk…#z6Mk…`.
//!
//! Encoding: multibase `z` + base58btc(`0xed 0x01` ‖ 32-byte public key); the
//! verification-method fragment repeats that same multibase string.
//!
//! Invariant: every key this module returns was decoded from exactly 34 bytes
//! with prefix `0xed01`, is the canonical encoding of a curve point (re-encoding
//! it gives the same bytes, so one key has one DID), and is not of small order
//! (a "weak" key, for which one signature can verify for many messages).

use ed25519_dalek::{VerifyingKey, PUBLIC_KEY_LENGTH};

/// The DID method prefix.
pub const DID_KEY_PREFIX: &str = "did:key:";
/// Multicodec varint of `ed25519-pub` (0xed).
pub const ED25519_PUB_MULTICODEC: [u8; 2] = [0xed, 0x01];

/// Why a DID or verification method is not an acceptable Ed25519 did:key.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DidKeyError {
    /// The string does not start with `did:key:`.
    #[error("{found:?} is not a did:key (expected the prefix \"did:key:\")")]
    NotDidKey { found: String },
    /// The method-specific id is not multibase base58btc (`z…`).
    #[error("did:key id {found:?} is not multibase base58btc (must start with 'z')")]
    UnsupportedMultibase { found: String },
    /// The id is not valid base58 (Bitcoin alphabet).
    #[error("did:key id {found:?} is not valid base58btc: {reason}")]
    BadBase58 { found: String, reason: String },
    /// The multicodec prefix is not `0xed01` (Ed25519 public key).
    #[error("did:key multicodec prefix is {found_hex}, expected ed01 (Ed25519 public key)")]
    UnsupportedKeyType { found_hex: String },
    /// The key after the prefix is not 32 bytes.
    #[error("did:key Ed25519 key is {found} bytes long, expected 32")]
    WrongKeyLength { found: usize },
    /// The 32 bytes are not the canonical encoding of a point on the curve.
    #[error("did:key bytes {key_hex} are not a valid Ed25519 public key")]
    InvalidKey { key_hex: String },
    /// The key has small order: signatures under it prove nothing.
    #[error("did:key Ed25519 key {key_hex} is a weak (small-order) key")]
    WeakKey { key_hex: String },
    /// The verification method has no `#fragment`.
    #[error("verification method {found:?} has no '#' fragment")]
    MissingFragment { found: String },
    /// The fragment is not the DID's own multibase key.
    #[error("verification method fragment {fragment:?} does not equal the did:key multibase {expected:?}")]
    FragmentMismatch { fragment: String, expected: String },
}

/// `z` + base58btc(`0xed01` ‖ key): the Multikey `publicKeyMultibase` value.
pub fn multibase_for(key: &VerifyingKey) -> String {
    let mut bytes = [0u8; 2 + PUBLIC_KEY_LENGTH];
    bytes[..2].copy_from_slice(&ED25519_PUB_MULTICODEC);
    bytes[2..].copy_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// `did:key:z6Mk…` for `key`.
pub fn did_for(key: &VerifyingKey) -> String {
    format!("{DID_KEY_PREFIX}{}", multibase_for(key))
}

/// `did:key:z6Mk…#z6Mk…`: the verification method id for `key`.
pub fn vm_for(key: &VerifyingKey) -> String {
    let mb = multibase_for(key);
    format!("{DID_KEY_PREFIX}{mb}#{mb}")
}

/// Decodes a `publicKeyMultibase` (`z6Mk…`) into a checked Ed25519 key.
pub fn key_for_multibase(mb: &str) -> Result<VerifyingKey, DidKeyError> {
    let Some(b58) = mb.strip_prefix('z') else {
        return Err(DidKeyError::UnsupportedMultibase {
            found: mb.to_owned(),
        });
    };
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|e| DidKeyError::BadBase58 {
            found: mb.to_owned(),
            reason: e.to_string(),
        })?;
    if bytes.len() < 2 || bytes[..2] != ED25519_PUB_MULTICODEC {
        let prefix = &bytes[..bytes.len().min(2)];
        return Err(DidKeyError::UnsupportedKeyType {
            found_hex: hex(prefix),
        });
    }
    let raw: [u8; PUBLIC_KEY_LENGTH] =
        bytes[2..]
            .try_into()
            .map_err(|_| DidKeyError::WrongKeyLength {
                found: bytes.len() - 2,
            })?;
    let key = VerifyingKey::from_bytes(&raw)
        .map_err(|_| DidKeyError::InvalidKey { key_hex: hex(&raw) })?;
    // Reject non-canonical point encodings (e.g. y >= p): one key, one DID.
    if !is_canonical_point_encoding(&raw) {
        return Err(DidKeyError::InvalidKey { key_hex: hex(&raw) });
    }
    if key.is_weak() {
        return Err(DidKeyError::WeakKey { key_hex: hex(&raw) });
    }
    Ok(key)
}

/// Decodes `did:key:z6Mk…` (no fragment, path or query) into a checked key.
pub fn key_for_did(did: &str) -> Result<VerifyingKey, DidKeyError> {
    let Some(mb) = did.strip_prefix(DID_KEY_PREFIX) else {
        return Err(DidKeyError::NotDidKey {
            found: did.to_owned(),
        });
    };
    key_for_multibase(mb)
}

/// Splits `did:key:X#X` into the DID and its checked key; the fragment must be
/// exactly the DID's multibase value `X`.
pub fn key_for_vm(vm: &str) -> Result<(String, VerifyingKey), DidKeyError> {
    let Some((did, fragment)) = vm.split_once('#') else {
        return Err(DidKeyError::MissingFragment {
            found: vm.to_owned(),
        });
    };
    let key = key_for_did(did)?;
    let expected = &did[DID_KEY_PREFIX.len()..];
    if fragment != expected {
        return Err(DidKeyError::FragmentMismatch {
            fragment: fragment.to_owned(),
            expected: expected.to_owned(),
        });
    }
    Ok((did.to_owned(), key))
}

/// Whether the encoding of a point that decompressed is the one its re-compression gives,
/// decided from the bytes (re-compressing costs a field inversion): `y` (bit 255 cleared) must
/// be below p = 2^255 - 19, and the sign bit must be clear when x = 0, that is for y = ±1
/// (decompression negates x by the sign bit, and -0 = 0 re-encodes with the bit clear).
pub(crate) fn is_canonical_point_encoding(raw: &[u8; PUBLIC_KEY_LENGTH]) -> bool {
    let mut y = *raw;
    y[31] &= 0x7f;
    // y >= p exactly when the 255-bit value is 2^255 - 19 ..= 2^255 - 1.
    let y_at_least_p = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    if y_at_least_p {
        return false;
    }
    let sign = raw[31] >> 7 == 1;
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    !(sign && (y == one || y == minus_one))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte test agrees with re-compressing the decompressed point, on every edge case of
    /// y (0, ±1, p - 1, p, p + 1, 2^255 - 1, …) with both sign bits, and on random encodings.
    #[test]
    fn canonical_encoding_matches_recompression() {
        let p_minus = |k: u8| {
            // p - k for small k, little-endian: 2^255 - 19 - k.
            let mut b = [0xffu8; 32];
            b[0] = 0xed - k;
            b[31] = 0x7f;
            b
        };
        let plus = |k: u8| {
            let mut b = [0u8; 32];
            b[0] = k;
            b
        };
        let mut cases: Vec<[u8; 32]> = vec![plus(0), plus(1), plus(2), p_minus(1), p_minus(2)];
        for k in 0..19u8 {
            let mut b = p_minus(0);
            b[0] = 0xed + k; // p + k, non-canonical
            cases.push(b);
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut b = [0u8; 32];
            for chunk in b.chunks_mut(8) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                chunk.copy_from_slice(&x.to_le_bytes());
            }
            cases.push(b);
        }
        let mut decoded = 0;
        for base in cases {
            for sign in [0u8, 0x80] {
                let mut raw = base;
                raw[31] = (raw[31] & 0x7f) | sign;
                if let Ok(key) = VerifyingKey::from_bytes(&raw) {
                    decoded += 1;
                    let by_compress = key.to_edwards().compress().to_bytes() == raw;
                    assert_eq!(is_canonical_point_encoding(&raw), by_compress, "{raw:?}");
                }
            }
        }
        assert!(decoded > 1000);
    }
}
