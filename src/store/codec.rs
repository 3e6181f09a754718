//! The storage codec: the only module that names `bincode`.
//!
//! Every value kept in sled goes through [`encode`] and [`decode`]: one format-version byte,
//! then bincode 2 (`config::standard()`) of the serde value. The version byte lets the format
//! evolve: a reader refuses a version it does not know instead of misreading it.
//!
//! Invariant: these bytes are never signed or hashed. bincode decoding is not canonical
//! (over-long varints and trailing bytes are accepted), so the log hashes the exact signed
//! statement bytes instead, and everything here is derived state that can be rebuilt from the log.

use serde::{de::DeserializeOwned, Serialize};

/// The format version written in front of every stored value.
pub const FORMAT_VERSION: u8 = 1;

/// A stored value could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("stored value is empty: the record is damaged")]
    Empty,
    #[error("stored value has format version {found}, this build reads version {FORMAT_VERSION}: upgrade honors or restore a matching backup")]
    Version { found: u8 },
    #[error("stored value could not be decoded ({what}): {reason}")]
    Decode { what: &'static str, reason: String },
    #[error("value could not be encoded ({what}): {reason}")]
    Encode { what: &'static str, reason: String },
}

/// Encodes a value for storage: version byte, then bincode.
pub fn encode<T: Serialize>(what: &'static str, value: &T) -> Result<Vec<u8>, CodecError> {
    let body = bincode::serde::encode_to_vec(value, bincode::config::standard()).map_err(|e| {
        CodecError::Encode {
            what,
            reason: e.to_string(),
        }
    })?;
    let mut out = Vec::with_capacity(body.len() + 1);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes a stored value, refusing unknown versions and trailing bytes.
pub fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, CodecError> {
    let (&version, body) = bytes.split_first().ok_or(CodecError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(CodecError::Version { found: version });
    }
    let (value, used) = bincode::serde::decode_from_slice(body, bincode::config::standard())
        .map_err(|e| CodecError::Decode {
            what,
            reason: e.to_string(),
        })?;
    if used != body.len() {
        return Err(CodecError::Decode {
            what,
            reason: format!("{} trailing bytes after the value", body.len() - used),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_version_refusal() {
        let v = (42u64, "三级甲等".to_string());
        let bytes = encode("test", &v).unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        let back: (u64, String) = decode("test", &bytes).unwrap();
        assert_eq!(back, v);
        let mut wrong = bytes.clone();
        wrong[0] = 9;
        assert!(matches!(
            decode::<(u64, String)>("test", &wrong),
            Err(CodecError::Version { found: 9 })
        ));
        let mut trailing = bytes;
        trailing.push(0);
        assert!(decode::<(u64, String)>("test", &trailing).is_err());
        assert!(matches!(decode::<u64>("test", &[]), Err(CodecError::Empty)));
    }
}
