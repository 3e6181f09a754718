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
    if key.to_edwards().compress().to_bytes() != raw {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
