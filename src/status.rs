//! W3C Bitstring Status List v1.0: how an award's status reaches standard VC verifiers.
//!
//! Every award credential issued since status lists exist carries a `credentialStatus` with two
//! `BitstringStatusListEntry` objects ([`StatusRef`]): one in its issuing authority's
//! *revocation* list and one in its *suspension* list, at the same index. The index is drawn at
//! random when the award is built ([`pick_index`]) and is unique per authority (the policy
//! refuses a second award of the same authority at the same index).
//!
//! A list is a `BitstringStatusListCredential` ([`list_credential`]) whose `encodedList` is the
//! multibase (`u`, base64url without padding) of the GZIP of a [`Bitstring`] of
//! [`LIST_BITS`] bits, index 0 being the most significant bit of the first byte. The registry
//! builds and signs lists from its state (`Registry::status_list`); this module is pure.
//!
//! Pure: no clock, randomness, files or network (randomness and time are arguments).

use std::io::{Read, Write};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::statement::VC_CONTEXT;

/// Entries in every list: 131,072 bits (16 KiB), the minimum the specification allows, and the
/// range status indexes are drawn from.
pub const LIST_BITS: u32 = 131_072;
/// The largest decompressed list [`Bitstring::decode`] accepts (a guard against GZIP bombs).
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;
/// The entry type in an award's `credentialStatus`.
pub const ENTRY_TYPE: &str = "BitstringStatusListEntry";
/// The path under the registry's origin where lists are served: `…/api/v1/status/<uuid>/<purpose>`.
pub const API_PATH: &str = "/api/v1/status/";

const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A status list could not be read, or an award's status entries are malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("encodedList must be multibase base64url ('u' prefix)")]
    Multibase,
    #[error("encodedList is not base64url: {0}")]
    Base64(String),
    #[error("encodedList is not GZIP data: {0}")]
    Gzip(String),
    #[error("the list holds {bits} entries; at least {LIST_BITS} are required (STATUS_LIST_LENGTH_ERROR)")]
    TooShort { bits: usize },
    #[error("the list decompresses to more than {MAX_LIST_BYTES} bytes")]
    TooLong,
    #[error("status list credential: {0}")]
    Credential(String),
    #[error("credentialStatus: {0}")]
    Entry(String),
}

/// A status purpose honors publishes a list for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    /// Bit set: the award no longer stands, for good (revoked, superseded, ended).
    Revocation,
    /// Bit set: the award is suspended now (cleared when it is reinstated).
    Suspension,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Revocation, Purpose::Suspension];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Revocation => "revocation",
            Purpose::Suspension => "suspension",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The authority part of a list URL: the uuid of an `urn:uuid:` authority id.
pub fn authority_segment(authority_id: &str) -> &str {
    authority_id
        .strip_prefix("urn:uuid:")
        .unwrap_or(authority_id)
}

/// Where an authority's lists live: `https://<origin>/api/v1/status/<authority-uuid>`.
pub fn list_base(origin: &str, authority_id: &str) -> String {
    format!(
        "https://{}{API_PATH}{}",
        origin.trim_end_matches('/'),
        authority_segment(authority_id)
    )
}

/// The URL of one list (also the list credential's `id`).
pub fn list_url(origin: &str, authority_id: &str, purpose: Purpose) -> String {
    format!("{}/{}", list_base(origin, authority_id), purpose.as_str())
}

/// An award's place in its issuer's status lists: the two entries of its `credentialStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// The index in both lists, in `[0, LIST_BITS)`.
    pub index: u32,
    /// The lists' common prefix, `https://<origin>/api/v1/status/<authority-uuid>`.
    pub base: String,
}

impl StatusRef {
    /// The entries of an award of `authority_id` at `index` in the registry at `origin`.
    pub fn new(origin: &str, authority_id: &str, index: u32) -> StatusRef {
        StatusRef {
            index,
            base: list_base(origin, authority_id),
        }
    }

    /// `statusListCredential` of the list for `purpose`.
    pub fn list_url(&self, purpose: Purpose) -> String {
        format!("{}/{}", self.base, purpose.as_str())
    }

    /// Whether the lists belong to `authority_id` (their path ends in its uuid).
    pub fn belongs_to(&self, authority_id: &str) -> bool {
        self.base.starts_with("https://")
            && self
                .base
                .ends_with(&format!("{API_PATH}{}", authority_segment(authority_id)))
    }

    /// The `credentialStatus` value: revocation entry, then suspension entry.
    pub fn to_json(&self) -> Value {
        Value::Array(
            Purpose::ALL
                .iter()
                .map(|&p| {
                    let list = self.list_url(p);
                    json!({
                        "id": format!("{list}#{}", self.index),
                        "type": ENTRY_TYPE,
                        "statusPurpose": p.as_str(),
                        "statusListIndex": self.index.to_string(),
                        "statusListCredential": list,
                    })
                })
                .collect(),
        )
    }

    /// Parses a `credentialStatus` value written by [`StatusRef::to_json`], and nothing else:
    /// exactly the two entries in that order, with the same index and lists side by side.
    pub fn from_json(value: &Value) -> Result<StatusRef, StatusError> {
        let bad = |m: String| StatusError::Entry(m);
        let items = value.as_array().ok_or_else(|| {
            bad(
                "must be a list of two BitstringStatusListEntry objects (revocation, suspension)"
                    .into(),
            )
        })?;
        if items.len() != 2 {
            return Err(bad(format!(
                "holds {} entries; expected two (revocation, suspension)",
                items.len()
            )));
        }
        let mut found: Option<StatusRef> = None;
        for (i, (item, purpose)) in items.iter().zip(Purpose::ALL).enumerate() {
            let obj = item
                .as_object()
                .ok_or_else(|| bad(format!("entry {i} is not an object")))?;
            let text = |k: &str| {
                obj.get(k)
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(format!("entry {i}: `{k}` is missing or not a string")))
            };
            if obj.len() != 5 {
                return Err(bad(format!("entry {i} must have exactly id, type, statusPurpose, statusListIndex, statusListCredential")));
            }
            if text("type")? != ENTRY_TYPE {
                return Err(bad(format!("entry {i}: type must be {ENTRY_TYPE}")));
            }
            if text("statusPurpose")? != purpose.as_str() {
                return Err(bad(format!("entry {i}: statusPurpose must be {purpose}")));
            }
            let index = parse_index(text("statusListIndex")?)
                .map_err(|m| bad(format!("entry {i}: statusListIndex {m}")))?;
            let list = text("statusListCredential")?;
            let base = list
                .strip_suffix(&format!("/{}", purpose.as_str()))
                .filter(|b| b.starts_with("https://") && b.len() > "https://".len())
                .ok_or_else(|| {
                    bad(format!(
                        "entry {i}: statusListCredential must be an https URL ending in /{purpose}"
                    ))
                })?;
            if text("id")? != format!("{list}#{index}") {
                return Err(bad(format!(
                    "entry {i}: id must be the list URL followed by #{index}"
                )));
            }
            let this = StatusRef {
                index,
                base: base.to_string(),
            };
            match &found {
                None => found = Some(this),
                Some(first) if *first == this => {}
                Some(_) => {
                    return Err(bad(
                        "the two entries must use the same index and lists side by side".into(),
                    ))
                }
            }
        }
        found.ok_or_else(|| bad("no entries".into()))
    }
}

/// A status index as the specification writes it: a base-10 string (canonical, below [`LIST_BITS`]).
pub fn parse_index(s: &str) -> Result<u32, String> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    let n: u32 = if canonical {
        s.parse().map_err(|_| format!("'{s}' is too large"))?
    } else {
        return Err(format!("'{s}' is not a base-10 number"));
    };
    if n >= LIST_BITS {
        return Err(format!("{n} is outside the list (0..{LIST_BITS})"));
    }
    Ok(n)
}

/// Picks an index in `[0, LIST_BITS)` that `taken` says is free: up to 64 random draws from
/// `random`, then a scan from a random start. `None` if every index is taken.
pub fn pick_index<E>(
    random: &mut dyn FnMut() -> u32,
    taken: &mut dyn FnMut(u32) -> Result<bool, E>,
) -> Result<Option<u32>, E> {
    // The taken set for the fallback is asked for index by index, through the same `taken`.
    let taken = std::cell::RefCell::new(taken);
    pick_index_scanning(random, &mut |i| (taken.borrow_mut())(i), &mut || {
        let mut used = std::collections::HashSet::new();
        for i in 0..LIST_BITS {
            if (taken.borrow_mut())(i)? {
                used.insert(i);
            }
        }
        Ok(used)
    })
}

/// [`pick_index`] for a list that may be nearly full: after the random draws, `used` gives
/// every taken index at once (one scan, instead of a lookup per index) and the first free
/// index from a random start is returned, or `None` if all [`LIST_BITS`] are taken.
pub fn pick_index_scanning<E>(
    random: &mut dyn FnMut() -> u32,
    taken: &mut dyn FnMut(u32) -> Result<bool, E>,
    used: &mut dyn FnMut() -> Result<std::collections::HashSet<u32>, E>,
) -> Result<Option<u32>, E> {
    for _ in 0..64 {
        let i = random() % LIST_BITS;
        if !taken(i)? {
            return Ok(Some(i));
        }
    }
    let used = used()?;
    if used.len() >= LIST_BITS as usize {
        return Ok(None);
    }
    let start = random() % LIST_BITS;
    Ok((0..LIST_BITS)
        .map(|k| (start + k) % LIST_BITS)
        .find(|i| !used.contains(i)))
}

/// A status bitstring: index 0 is the most significant bit of byte 0.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Bitstring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitstring({} bits, set: {:?})", self.len(), self.ones())
    }
}

impl Default for Bitstring {
    fn default() -> Self {
        Bitstring::new()
    }
}

impl Bitstring {
    /// A list of [`LIST_BITS`] zero bits.
    pub fn new() -> Bitstring {
        Bitstring {
            bytes: vec![0; LIST_BITS as usize / 8],
        }
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Sets bit `index` (ignored if outside the list).
    pub fn set(&mut self, index: u32) {
        if let Some(b) = self.bytes.get_mut(index as usize / 8) {
            *b |= 0x80 >> (index % 8);
        }
    }

    /// Bit `index`; `None` outside the list (RANGE_ERROR).
    pub fn get(&self, index: u32) -> Option<bool> {
        self.bytes
            .get(index as usize / 8)
            .map(|b| b & (0x80 >> (index % 8)) != 0)
    }

    /// The indexes of every set bit, in order.
    pub fn ones(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for (i, &b) in self.bytes.iter().enumerate() {
            if b != 0 {
                for bit in 0..8 {
                    if b & (0x80 >> bit) != 0 {
                        out.push(i as u32 * 8 + bit);
                    }
                }
            }
        }
        out
    }

    /// `encodedList`: `u` + base64url-no-pad(GZIP(bits)). GZIP bytes are not canonical across
    /// implementations (header, level); compare decoded bits, never encoded strings.
    pub fn encode(&self) -> String {
        let mut gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&self.bytes);
        let compressed = gz.finish().unwrap_or_default();
        format!("u{}", B64URL.encode(compressed))
    }

    /// Reads an `encodedList`, checking the minimum length.
    pub fn decode(encoded: &str) -> Result<Bitstring, StatusError> {
        let b64 = encoded.strip_prefix('u').ok_or(StatusError::Multibase)?;
        let compressed = B64URL
            .decode(b64)
            .map_err(|e| StatusError::Base64(e.to_string()))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(compressed.as_slice())
            .take(MAX_LIST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusError::Gzip(e.to_string()))?;
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusError::TooLong);
        }
        if bytes.len() * 8 < LIST_BITS as usize {
            return Err(StatusError::TooShort {
                bits: bytes.len() * 8,
            });
        }
        Ok(Bitstring { bytes })
    }
}

/// The unsigned `BitstringStatusListCredential` of one list. `id` is the list's URL (the
/// `statusListCredential` of the entries pointing at it); `issuer` is the registry's status key.
pub fn list_credential(
    url: &str,
    purpose: Purpose,
    issuer_did: &str,
    bits: &Bitstring,
    valid_from: &str,
) -> Value {
    let mut doc = Map::new();
    doc.insert("@context".into(), json!([VC_CONTEXT]));
    doc.insert("id".into(), json!(url));
    doc.insert(
        "type".into(),
        json!(["VerifiableCredential", "BitstringStatusListCredential"]),
    );
    doc.insert("issuer".into(), json!(issuer_did));
    doc.insert("validFrom".into(), json!(valid_from));
    doc.insert(
        "credentialSubject".into(),
        json!({
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose.as_str(),
            "encodedList": bits.encode(),
        }),
    );
    Value::Object(doc)
}

/// Reads a status list credential's purpose and bits (its proof is checked elsewhere).
pub fn read_list_credential(value: &Value) -> Result<(Purpose, Bitstring), StatusError> {
    let bad = |m: &str| StatusError::Credential(m.to_string());
    let types: Vec<&str> = value
        .get("type")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !types.contains(&"VerifiableCredential") || !types.contains(&"BitstringStatusListCredential")
    {
        return Err(bad(
            "type must include VerifiableCredential and BitstringStatusListCredential",
        ));
    }
    let subject = value
        .get("credentialSubject")
        .ok_or_else(|| bad("credentialSubject is missing"))?;
    if subject.get("type").and_then(Value::as_str) != Some("BitstringStatusList") {
        return Err(bad("credentialSubject.type must be BitstringStatusList"));
    }
    let purpose = subject
        .get("statusPurpose")
        .and_then(Value::as_str)
        .and_then(Purpose::parse)
        .ok_or_else(|| bad("credentialSubject.statusPurpose must be revocation or suspension"))?;
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("credentialSubject.encodedList is missing"))?;
    Ok((purpose, Bitstring::decode(encoded)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_msb_first_and_survive_encoding() {
        let mut b = Bitstring::new();
        for i in [0, 7, 8, 42, LIST_BITS - 1] {
            b.set(i);
        }
        assert_eq!(&b.as_bytes()[..2], &[0x81, 0x80]);
        assert_eq!(b.as_bytes()[5], 0x20);
        assert_eq!(*b.as_bytes().last().unwrap(), 0x01);
        assert_eq!(b.get(42), Some(true));
        assert_eq!(b.get(43), Some(false));
        assert_eq!(b.get(LIST_BITS), None);
        let enc = b.encode();
        assert!(enc.starts_with("uH4sI"), "{enc}");
        assert!(!enc.contains('=') && !enc.contains('+') && !enc.contains('/'));
        assert_eq!(Bitstring::decode(&enc).unwrap(), b);
        assert_eq!(b.ones(), vec![0, 7, 8, 42, LIST_BITS - 1]);
    }

    #[test]
    fn short_or_malformed_lists_are_refused() {
        let mut gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[0u8; 1024]).unwrap();
        let short = format!("u{}", B64URL.encode(gz.finish().unwrap()));
        assert!(matches!(
            Bitstring::decode(&short),
            Err(StatusError::TooShort { bits: 8192 })
        ));
        assert_eq!(Bitstring::decode("zabc"), Err(StatusError::Multibase));
        assert!(matches!(
            Bitstring::decode("u!!"),
            Err(StatusError::Base64(_))
        ));
        assert!(matches!(
            Bitstring::decode("uAAAA"),
            Err(StatusError::Gzip(_))
        ));
    }

    #[test]
    fn status_entries_round_trip_and_malformed_ones_are_refused() {
        let r = StatusRef::new(
            "honors.example/registry",
            "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01",
            94567,
        );
        let v = r.to_json();
        assert_eq!(v[0]["statusListCredential"], "https://honors.example/registry/api/v1/status/0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01/revocation");
        assert_eq!(v[1]["id"], "https://honors.example/registry/api/v1/status/0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01/suspension#94567");
        assert_eq!(v[0]["statusListIndex"], "94567");
        assert_eq!(StatusRef::from_json(&v).unwrap(), r);
        assert!(r.belongs_to("urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01"));
        assert!(!r.belongs_to("urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a02"));
        let edits: Vec<fn(&mut Value)> = vec![
            |v| v[0]["statusListIndex"] = "094567".into(),
            |v| v[0]["statusListIndex"] = "131072".into(),
            |v| v[1]["statusListIndex"] = "1".into(),
            |v| v[0]["statusPurpose"] = "suspension".into(),
            |v| v[0]["type"] = "StatusList2021Entry".into(),
            |v| v[0]["id"] = "https://x.example/a".into(),
            |v| {
                v[0]["statusListCredential"] =
                    "http://honors.example/api/v1/status/x/revocation".into()
            },
            |v| v[0]["extra"] = 1.into(),
            |v| *v = v[0].clone(),
            |v| {
                v.as_array_mut().unwrap().pop();
            },
        ];
        for edit in edits {
            let mut bad = v.clone();
            edit(&mut bad);
            assert!(StatusRef::from_json(&bad).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn indexes_are_canonical_decimal() {
        assert_eq!(parse_index("0"), Ok(0));
        assert_eq!(parse_index("131071"), Ok(131_071));
        for bad in ["", "-1", "+1", "01", "1.0", " 1", "131072", "99999999999"] {
            assert!(parse_index(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn picking_finds_a_free_index_and_reports_a_full_list() {
        let mut n = 0u32;
        let mut seq = || {
            n += 1;
            n * 7
        };
        let picked = pick_index::<()>(&mut seq, &mut |i| Ok(i < 100))
            .unwrap()
            .unwrap();
        assert!(picked >= 100);
        let mut zero = || 5u32;
        assert_eq!(
            pick_index::<()>(&mut zero, &mut |i| Ok(i != 3)).unwrap(),
            Some(3)
        );
        assert_eq!(
            pick_index::<()>(&mut zero, &mut |_| Ok(true)).unwrap(),
            None
        );
    }

    #[test]
    fn list_credentials_read_back() {
        let mut b = Bitstring::new();
        b.set(9);
        let v = list_credential(
            "https://h.example/api/v1/status/u/suspension",
            Purpose::Suspension,
            "did:key:z6Mk",
            &b,
            "2026-01-01T00:00:00Z",
        );
        let (p, bits) = read_list_credential(&v).unwrap();
        assert_eq!(p, Purpose::Suspension);
        assert_eq!(bits.ones(), vec![9]);
    }
}
