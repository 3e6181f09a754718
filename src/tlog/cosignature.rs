//! Timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature v1.0.1, type 0x04).
//!
//! What it is: a cosignature is an ordinary note signature line on a checkpoint, whose key ID is
//! `SHA-256(name || "\n" || 0x04 || public key)[:4]` and whose payload after the key ID is
//! `timestamp (u64 big-endian, POSIX seconds, at most 2^63-1) || Ed25519 signature (64)`. The
//! signed message is `"cosignature/v1\ntime <decimal timestamp>\n"` followed by the whole
//! checkpoint text (extension lines and final `\n` included). It means: at that time, this was
//! the largest consistent tree the cosigner had seen for that origin.
//!
//! Invariant: a cosignature verifies only for the exact (name, type-0x04 key ID, checkpoint text,
//! timestamp) it was made for. Because key IDs include the type byte, a type-0x01 verifier for
//! the same name and key treats a cosignature as an unknown key, and vice versa.
//!
//! What it does NOT do: ML-DSA-44 subtree cosignatures (type 0x06), witness state or quorum
//! policy, or choose timestamps (the caller passes the time in; this module reads no clock).

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use super::keys::{format_vkey, is_valid_name, key_id, parse_vkey};
use super::note::{Note, NoteError, NoteSignature};

const ALG_COSIGNATURE_V1: u8 = 0x04;
const MAX_TIMESTAMP: u64 = (1 << 63) - 1;

/// The message a cosigner signs: `cosignature/v1\ntime <timestamp>\n<checkpoint text>`.
pub fn cosigned_message(checkpoint_text: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{checkpoint_text}")
}

/// Makes cosignatures with one Ed25519 key. One key MUST NOT serve two cosigner names.
pub struct CosignatureSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl CosignatureSigner {
    /// A cosigner named `name` (non-empty, no spaces, no `+`).
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidKeyName {
                name: name.to_string(),
            });
        }
        let key_id = key_id(name, ALG_COSIGNATURE_V1, key.verifying_key().as_bytes());
        Ok(CosignatureSigner {
            name: name.to_string(),
            key_id,
            key,
        })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    /// The verifier key `name+hex8+base64(0x04 || public key)`.
    pub fn vkey(&self) -> String {
        format_vkey(
            &self.name,
            self.key_id,
            ALG_COSIGNATURE_V1,
            self.key.verifying_key().as_bytes(),
        )
    }
    /// Cosigns `checkpoint_text` (the note text, ending in `\n`) as of `timestamp`.
    /// Use [`NoteSignature::to_line`] for the signature line.
    pub fn sign(&self, checkpoint_text: &str, timestamp: u64) -> Result<NoteSignature, NoteError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(NoteError::TimestampOutOfRange { timestamp });
        }
        if checkpoint_text.is_empty() || !checkpoint_text.ends_with('\n') {
            return Err(NoteError::InvalidText);
        }
        let sig: Signature = self
            .key
            .sign(cosigned_message(checkpoint_text, timestamp).as_bytes());
        let mut payload = timestamp.to_be_bytes().to_vec();
        payload.extend_from_slice(&sig.to_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            signature: payload,
        })
    }
}

/// Verifies type-0x04 cosignatures for one cosigner key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl CosignatureVerifier {
    /// Parses a type-0x04 verifier key, re-deriving and checking its key ID.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let (name, key_id, key) = parse_vkey(vkey, ALG_COSIGNATURE_V1)?;
        Ok(CosignatureVerifier { name, key_id, key })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Splits a cosignature payload into (timestamp, Ed25519 signature) without verifying it.
    pub fn timestamp_of(sig: &NoteSignature) -> Result<u64, NoteError> {
        Self::split(sig).map(|(ts, _)| ts)
    }

    fn split(sig: &NoteSignature) -> Result<(u64, Signature), NoteError> {
        let malformed = || NoteError::MalformedCosignature {
            name: sig.name.clone(),
            key_id: sig.key_id,
            len: sig.signature.len(),
        };
        if sig.signature.len() != 72 {
            return Err(malformed());
        }
        let (ts, s) = sig.signature.split_at(8);
        let ts = u64::from_be_bytes(ts.try_into().map_err(|_| malformed())?);
        if ts > MAX_TIMESTAMP {
            return Err(NoteError::TimestampOutOfRange { timestamp: ts });
        }
        Ok((ts, Signature::from_slice(s).map_err(|_| malformed())?))
    }

    /// Verifies `sig` as this cosigner's cosignature of `checkpoint_text`; returns its timestamp.
    pub fn verify(&self, checkpoint_text: &str, sig: &NoteSignature) -> Result<u64, NoteError> {
        if sig.name != self.name || sig.key_id != self.key_id {
            return Err(NoteError::WrongKey {
                name: self.name.clone(),
                key_id: self.key_id,
                found_name: sig.name.clone(),
                found_id: sig.key_id,
            });
        }
        let (ts, s) = Self::split(sig)?;
        let msg = cosigned_message(checkpoint_text, ts);
        self.key
            .verify_strict(msg.as_bytes(), &s)
            .map_err(|_| NoteError::InvalidSignature {
                name: self.name.clone(),
                key_id: self.key_id,
            })?;
        Ok(ts)
    }

    /// Finds this cosigner's signature in `note` and verifies it: `Ok(None)` if there is none,
    /// `Ok(Some(timestamp))` if it verifies, an error if it is present but bad.
    pub fn verify_note(&self, note: &Note) -> Result<Option<u64>, NoteError> {
        match note
            .signatures
            .iter()
            .find(|s| s.name == self.name && s.key_id == self.key_id)
        {
            None => Ok(None),
            Some(sig) => self.verify(&note.text, sig).map(Some),
        }
    }
}
