//! Authorities (commissions), their keys over time, jurisdictions, and scheme and holder records.
//!
//! An authority is identified by a stable `urn:uuid:` id; its keys change (rotation, revocation,
//! succession), so every key is kept as a [`KeyEpoch`] that says from which log index it could
//! sign, from which index it could not, and whether it was reported compromised.
//!
//! Jurisdictions are paths: `全国` (the whole country), a province `山东省`, or a city inside it
//! `山东省/淄博市`. A jurisdiction covers itself and everything below it.

use serde::{Deserialize, Serialize};

/// The jurisdiction that covers the whole country.
pub const NATIONWIDE: &str = "全国";

/// One key of an authority, with the window in which it may sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyEpoch {
    pub did: String,
    /// Log index of the statement that introduced the key.
    pub added_at: u64,
    /// Log index from which the key may no longer sign (rotation, succession, revocation).
    pub retired_at: Option<u64>,
    /// Reported compromise time (Unix µs): anything it signed that was logged at or after this is void.
    pub compromised_at_us: Option<i64>,
}

/// An authority as the log has made it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authority {
    pub id: String,
    pub name: String,
    pub is_root: bool,
    pub parent: Option<String>,
    pub jurisdiction: String,
    /// Scheme ids it may issue besides the ones it owns.
    pub schemes: Vec<String>,
    pub may_accredit: bool,
    pub may_define_schemes: bool,
    pub keys: Vec<KeyEpoch>,
    pub predecessor: Option<String>,
    /// The authority that took over, and the log index of the succession.
    pub successor: Option<(String, u64)>,
    /// Log index of its accreditation (0 for roots, which come from the trust roots).
    pub since: u64,
    /// Log indexes of every statement that changed this record, in log order (accreditations
    /// and re-accreditations, key rotations and revocations, succession): what a proof bundle
    /// must carry to replay the authority's rights (see `registry::prove`).
    pub events: Vec<u64>,
}

impl Authority {
    /// A root authority from the trust roots: nationwide, may accredit and define schemes.
    pub fn root(id: &str, name: &str, did: &str) -> Self {
        Authority {
            id: id.into(),
            name: name.into(),
            is_root: true,
            parent: None,
            jurisdiction: NATIONWIDE.into(),
            schemes: Vec::new(),
            may_accredit: true,
            may_define_schemes: true,
            keys: vec![KeyEpoch {
                did: did.into(),
                added_at: 0,
                retired_at: None,
                compromised_at_us: None,
            }],
            predecessor: None,
            successor: None,
            since: 0,
            events: Vec::new(),
        }
    }

    /// The epoch of key `did`, if it is one of this authority's keys.
    pub fn key(&self, did: &str) -> Option<&KeyEpoch> {
        self.keys.iter().find(|k| k.did == did)
    }

    /// Mutable access to the epoch of key `did`.
    pub fn key_mut(&mut self, did: &str) -> Option<&mut KeyEpoch> {
        self.keys.iter_mut().find(|k| k.did == did)
    }

    /// Keys that may still sign.
    pub fn current_keys(&self) -> impl Iterator<Item = &KeyEpoch> {
        self.keys.iter().filter(|k| k.retired_at.is_none())
    }

    /// Whether this authority covers a holder located in `province` / `city`.
    pub fn covers_holder(&self, province: &str, city: &str) -> bool {
        let j = self.jurisdiction.as_str();
        j == NATIONWIDE || j == province || j == format!("{province}/{city}")
    }
}

/// Whether jurisdiction `inner` lies within `outer`.
pub fn jurisdiction_within(inner: &str, outer: &str) -> bool {
    outer == NATIONWIDE
        || inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Checks that a jurisdiction is `全国`, `省`, or `省/市`, with no empty part.
pub fn valid_jurisdiction(j: &str) -> bool {
    j == NATIONWIDE
        || (!j.is_empty()
            && j.split('/').count() <= 2
            && j.split('/').all(|p| !p.trim().is_empty()))
}

/// An award programme, owned by the authority that defined it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub id: String,
    pub title: String,
    pub level: String,
    pub category: String,
    pub validity_years: Option<u32>,
    pub owner: String,
    pub index: u64,
}

/// The levels a scheme may have.
pub const LEVELS: &[&str] = &[
    "national",
    "provincial",
    "municipal",
    "association",
    "academic",
    "internal",
    "unknown",
];

/// A holder (hospital), identified by its 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub uscc: String,
    pub name: String,
    pub province: String,
    pub city: String,
    /// Earlier names with the log index at which each was replaced.
    pub former_names: Vec<(String, u64)>,
    pub index: u64,
    pub ended: Option<HolderEnded>,
}

/// How and when a holder's registration ended (merger, split, dissolution).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderEnded {
    pub kind: String,
    pub successors: Vec<String>,
    pub index: u64,
    pub on_us: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdictions_nest() {
        assert!(jurisdiction_within("山东省", NATIONWIDE));
        assert!(jurisdiction_within("山东省/淄博市", "山东省"));
        assert!(!jurisdiction_within("山东省", "山东省/淄博市"));
        assert!(!jurisdiction_within("河南省/商丘市", "山东省"));
        assert!(!jurisdiction_within("山东省x", "山东省"));
        assert!(valid_jurisdiction("河南省/商丘市"));
        assert!(!valid_jurisdiction("河南省//"));
        assert!(!valid_jurisdiction(""));
        let mut a = Authority::root("urn:uuid:x", "n", "did:key:z");
        assert!(a.covers_holder("河南省", "商丘市"));
        a.jurisdiction = "河南省/商丘市".into();
        assert!(a.covers_holder("河南省", "商丘市"));
        assert!(!a.covers_holder("河南省", "焦作市"));
    }
}
