//! Proof bundles: one award, everything its verdict rests on, and the proofs that it was logged.
//!
//! A bundle (`honors-bundle/v1`, see `docs/FORMATS.md`) is one JSON document a hospital can
//! hand to anyone. It holds the award's log entry, every later entry about the award, and every
//! entry the issuer's rights rest on (the scheme, the holder's registration and renames, the
//! accreditation chain up to a trust root with each authority's key events), each as its exact
//! entry text (the Merkle leaf data, see [`crate::entry`]) with its own RFC 6962 inclusion proof,
//! plus the signed checkpoint note all the proofs lead to.
//!
//! Parse, don't validate: [`Bundle`] is the raw serde form; [`CheckedBundle`] (`TryFrom<Bundle>`)
//! has its structure checked (format word, entries in strictly increasing log order, each entry
//! in its one canonical encoding at the index it claims, every hash exactly 32 bytes). Whether
//! the proofs, signatures and rights hold is [`crate::verify::verify_bundle`]'s question.
//!
//! Invariant: entry texts are carried as JSON strings and are never re-encoded; the bytes the
//! verifier hashes are exactly the bytes the registry logged.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::entry::Entry;
use crate::tlog::Hash;

/// The format word of this version.
pub const FORMAT: &str = "honors-bundle/v1";
/// The largest bundle accepted, in bytes.
pub const MAX_BUNDLE_BYTES: usize = 16 << 20;
/// The most entries one bundle may carry.
pub const MAX_ENTRIES: usize = 10_000;
/// The most hashes one proof may have (a tree of 2^63 leaves needs 63).
const MAX_PROOF_HASHES: usize = 64;

/// A bundle as it is written: the raw JSON form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`FORMAT`].
    pub format: String,
    /// The id of the award this bundle proves (`urn:uuid:…`).
    pub award: String,
    /// The signed checkpoint note (C2SP signed note, cosignature lines included) every proof leads to.
    pub checkpoint: String,
    /// The log entries, in increasing log order.
    pub entries: Vec<BundleEntry>,
    /// Optional: a consistency proof from an earlier tree size to this bundle's checkpoint, so that
    /// a verifier holding an older bundle can check that this one extends the same log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<Consistency>,
}

/// One log entry with its inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleEntry {
    /// The entry's log index (it must equal the `index` line of the entry text).
    pub index: u64,
    /// The exact entry text (`honors-entry/v1` header, blank line, signed statement).
    pub entry: String,
    /// RFC 6962 `PATH(index, D[0:size])` for the checkpoint's size, standard base64 each.
    pub proof: Vec<String>,
}

/// A consistency proof from tree size `from_size` to the bundle's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consistency {
    pub from_size: u64,
    /// RFC 6962 `PROOF(from_size, D[0:size])`, standard base64 each.
    pub proof: Vec<String>,
}

/// A bundle whose structure is known to be sound (not yet that its proofs hold).
#[derive(Debug, Clone)]
pub struct CheckedBundle {
    pub award: String,
    /// The checkpoint note's exact bytes.
    pub checkpoint: Vec<u8>,
    /// Entries in strictly increasing log order.
    pub entries: Vec<CheckedEntry>,
    pub consistency: Option<(u64, Vec<Hash>)>,
}

/// An entry of a [`CheckedBundle`].
#[derive(Debug, Clone)]
pub struct CheckedEntry {
    /// The exact entry bytes (Merkle leaf data).
    pub bytes: Vec<u8>,
    pub entry: Entry,
    pub proof: Vec<Hash>,
}

/// A bundle could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("bundle is {size} bytes; the largest accepted is {MAX_BUNDLE_BYTES}")]
    TooLarge { size: usize },
    #[error("bundle is not a {FORMAT} JSON document: {reason}")]
    Json { reason: String },
    #[error("bundle format is '{found}'; this version of honors reads {FORMAT}")]
    Format { found: String },
    #[error("bundle field `award` is '{found}', expected urn:uuid:<uuid>")]
    AwardId { found: String },
    #[error("bundle holds no entries")]
    NoEntries,
    #[error("bundle holds {count} entries; at most {MAX_ENTRIES} are accepted")]
    TooManyEntries { count: usize },
    #[error("bundle entries must be in strictly increasing log order: entry {index} follows entry {previous}")]
    Order { index: u64, previous: u64 },
    #[error("bundle entry {index}: {reason}")]
    Entry { index: u64, reason: String },
    #[error("bundle entry {index} says index {header} in its text")]
    IndexMismatch { index: u64, header: u64 },
    #[error("{what}: hash {position} is not standard base64 of 32 bytes: {reason}")]
    Hash {
        what: String,
        position: usize,
        reason: String,
    },
    #[error("{what}: {count} hashes, more than any proof needs")]
    ProofTooLong { what: String, count: usize },
}

impl TryFrom<Bundle> for CheckedBundle {
    type Error = BundleError;

    fn try_from(b: Bundle) -> Result<Self, BundleError> {
        if b.format != FORMAT {
            return Err(BundleError::Format { found: b.format });
        }
        if crate::statement::check_urn_uuid(&b.award).is_err() {
            return Err(BundleError::AwardId { found: b.award });
        }
        if b.entries.is_empty() {
            return Err(BundleError::NoEntries);
        }
        if b.entries.len() > MAX_ENTRIES {
            return Err(BundleError::TooManyEntries {
                count: b.entries.len(),
            });
        }
        let mut entries = Vec::with_capacity(b.entries.len());
        let mut previous: Option<u64> = None;
        for e in b.entries {
            if let Some(p) = previous {
                if e.index <= p {
                    return Err(BundleError::Order {
                        index: e.index,
                        previous: p,
                    });
                }
            }
            previous = Some(e.index);
            let bytes = e.entry.into_bytes();
            let entry = Entry::parse(&bytes).map_err(|err| BundleError::Entry {
                index: e.index,
                reason: err.to_string(),
            })?;
            if entry.index != e.index {
                return Err(BundleError::IndexMismatch {
                    index: e.index,
                    header: entry.index,
                });
            }
            let proof = decode_hashes(&format!("inclusion proof of entry {}", e.index), &e.proof)?;
            entries.push(CheckedEntry {
                bytes,
                entry,
                proof,
            });
        }
        let consistency = match b.consistency {
            Some(c) => Some((
                c.from_size,
                decode_hashes(
                    &format!("consistency proof from size {}", c.from_size),
                    &c.proof,
                )?,
            )),
            None => None,
        };
        Ok(CheckedBundle {
            award: b.award,
            checkpoint: b.checkpoint.into_bytes(),
            entries,
            consistency,
        })
    }
}

/// Reads a bundle: JSON, then the structure checks of [`CheckedBundle`].
pub fn parse(bytes: &[u8]) -> Result<CheckedBundle, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge { size: bytes.len() });
    }
    let raw: Bundle = serde_json::from_slice(bytes).map_err(|e| BundleError::Json {
        reason: e.to_string(),
    })?;
    CheckedBundle::try_from(raw)
}

/// Whether `bytes` look like a bundle (a JSON object whose `format` starts with `honors-bundle/`),
/// whatever its version: used to tell bundles from bare credentials.
pub fn looks_like_bundle(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
    }
    serde_json::from_slice::<Probe>(bytes)
        .ok()
        .and_then(|p| p.format)
        .and_then(|f| f.as_str().map(|s| s.starts_with("honors-bundle/")))
        .unwrap_or(false)
}

impl Bundle {
    /// The bundle's JSON text (pretty-printed, ending in a newline).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Builds one entry from its exact bytes and proof.
    pub fn entry(index: u64, bytes: &[u8], proof: &[Hash]) -> Result<BundleEntry, BundleError> {
        let entry = String::from_utf8(bytes.to_vec()).map_err(|e| BundleError::Entry {
            index,
            reason: format!("not UTF-8 text: {e}"),
        })?;
        Ok(BundleEntry {
            index,
            entry,
            proof: encode_hashes(proof),
        })
    }
}

/// Standard base64 of each hash.
pub fn encode_hashes(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| B64.encode(h)).collect()
}

fn decode_hashes(what: &str, list: &[String]) -> Result<Vec<Hash>, BundleError> {
    if list.len() > MAX_PROOF_HASHES {
        return Err(BundleError::ProofTooLong {
            what: what.into(),
            count: list.len(),
        });
    }
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            let raw = B64.decode(s).map_err(|e| BundleError::Hash {
                what: what.into(),
                position: i,
                reason: e.to_string(),
            })?;
            raw.as_slice().try_into().map_err(|_| BundleError::Hash {
                what: what.into(),
                position: i,
                reason: format!("decodes to {} bytes", raw.len()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry_text(index: u64) -> String {
        format!("honors-entry/v1\nindex {index}\ntime 2026-11-23T09:15:23.123456Z\n\n{{}}")
    }

    fn sample() -> Bundle {
        Bundle {
            format: FORMAT.into(),
            award: "urn:uuid:01a207db-682c-7499-a222-391a7bf13a35".into(),
            checkpoint: "example.com/log\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAA\n".into(),
            entries: vec![
                BundleEntry { index: 0, entry: entry_text(0), proof: encode_hashes(&[[1; 32]]) },
                BundleEntry { index: 1, entry: entry_text(1), proof: encode_hashes(&[[2; 32]]) },
            ],
            consistency: None,
        }
    }

    #[test]
    fn round_trip_and_structure() {
        let b = sample();
        let checked = parse(&b.encode()).expect("sample parses");
        assert_eq!(checked.entries.len(), 2);
        assert_eq!(checked.entries[1].entry.index, 1);
        assert_eq!(checked.entries[1].bytes, entry_text(1).as_bytes());
        assert!(looks_like_bundle(&b.encode()));
        assert!(!looks_like_bundle(b"{\"@context\":[]}"));
    }

    #[test]
    fn structure_errors_are_named() {
        let mut b = sample();
        b.format = "honors-bundle/v2".into();
        assert!(matches!(
            CheckedBundle::try_from(b),
            Err(BundleError::Format { .. })
        ));
        let mut b = sample();
        b.entries.swap(0, 1);
        assert!(matches!(
            CheckedBundle::try_from(b),
            Err(BundleError::Order { .. })
        ));
        let mut b = sample();
        b.entries[1].index = 5;
        assert!(matches!(
            CheckedBundle::try_from(b),
            Err(BundleError::IndexMismatch { .. })
        ));
        let mut b = sample();
        b.entries[0].proof = vec!["AAAA".into()];
        assert!(matches!(
            CheckedBundle::try_from(b),
            Err(BundleError::Hash { .. })
        ));
        let mut b = sample();
        b.entries.clear();
        assert!(matches!(
            CheckedBundle::try_from(b),
            Err(BundleError::NoEntries)
        ));
        let mut text = String::from_utf8(sample().encode()).unwrap();
        text = text.replacen("\"format\"", "\"extra\": 1, \"format\"", 1);
        assert!(matches!(
            parse(text.as_bytes()),
            Err(BundleError::Json { .. })
        ));
    }
}
