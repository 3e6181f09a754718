//! Award records held compactly, for states that hold every award in memory (an audit's replay
//! of a million awards).
//!
//! An [`Award`] as a Rust struct is about 1 KB with its eleven heap strings, and most of those
//! strings repeat: a hospital has dozens of awards, a commission issues thousands with the same
//! title, scheme and signing key. [`AwardTable`] holds each award as a fixed-size row in a dense
//! arena keyed by id, with the repeated strings interned once and whatever happened to the
//! award after its issue (rare) boxed aside. An award is rebuilt on read, equal field for field
//! to the one inserted. About 200 bytes per award instead of about 2 KB (see
//! docs/PERFORMANCE.md, "Audit memory").

use std::collections::HashMap;

use indexmap::{IndexMap, IndexSet};

use crate::award::{Award, AwardState};
use crate::statement::Relation;

/// The table's hasher: foldhash, seeded per process. A million-entry replay makes several
/// lookups per award; SipHash (std's default) was about 4 % of an audit's samples. Keys come
/// from the log (award ids, USCCs), so the seed is random rather than fixed, as std's is; the
/// hash maps are only looked up, never iterated (the `Index*` ones iterate in insertion
/// order), so the seed never shows in a result.
type Hasher = foldhash::fast::RandomState;

/// An interned string: its position in [`Strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Sym(u32);

/// Each distinct string once.
#[derive(Debug, Default, Clone)]
struct Strings(IndexSet<Box<str>, Hasher>);

impl Strings {
    fn intern(&mut self, s: &str) -> Sym {
        let i = match self.0.get_index_of(s) {
            Some(i) => i,
            None => self.0.insert_full(s.into()).0,
        };
        Sym(u32::try_from(i).expect("fewer than 2^32 distinct strings"))
    }
    fn find(&self, s: &str) -> Option<Sym> {
        self.0.get_index_of(s).map(|i| Sym(i as u32))
    }
    fn get(&self, s: Sym) -> &str {
        &self.0[s.0 as usize]
    }
}

/// One award, its repeated strings interned.
#[derive(Debug, Clone)]
struct Row {
    uscc: Sym,
    holder_name: Sym,
    sub_unit: Option<Sym>,
    title: Sym,
    scheme: Sym,
    issuer: Sym,
    signer_did: Sym,
    valid_from_us: i64,
    valid_until_us: Option<i64>,
    batch_year: Option<u32>,
    index: u64,
    integrated_us: i64,
    status_index: Option<u32>,
    /// Everything that is usually empty: `None` for an active award nobody has touched since.
    later: Option<Box<Later>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Later {
    state: AwardState,
    previous: Option<(Relation, String)>,
    renewed_by: Vec<String>,
    co_issuers: Vec<String>,
    events: Vec<u64>,
}

/// The fields of a stored award that its index keys are made of, borrowed from the table.
#[derive(Debug, Clone, Copy)]
pub struct AwardKeys<'a> {
    pub id: &'a str,
    pub uscc: &'a str,
    pub title: &'a str,
    pub sub_unit: Option<&'a str>,
    pub scheme: &'a str,
    pub issuer: &'a str,
    pub batch_year: Option<u32>,
    /// Log index of the award credential.
    pub index: u64,
}

/// Every award of a state, with the two lookups the policy needs (by holder, by status-list
/// index).
#[derive(Debug, Default, Clone)]
pub struct AwardTable {
    rows: IndexMap<Box<str>, Row, Hasher>,
    strings: Strings,
    /// Holder (interned USCC) -> positions of its awards in `rows`.
    by_holder: HashMap<Sym, Vec<u32>, Hasher>,
    /// (issuer, status-list index) -> position of the award in `rows`.
    by_status: HashMap<(Sym, u32), u32, Hasher>,
}

impl AwardTable {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Inserts an award, or replaces the one with its id.
    pub fn insert(&mut self, a: &Award) {
        let s = &mut self.strings;
        let later = (a.state != AwardState::Active
            || a.previous.is_some()
            || !a.renewed_by.is_empty()
            || !a.co_issuers.is_empty()
            || !a.events.is_empty())
        .then(|| {
            Box::new(Later {
                state: a.state.clone(),
                previous: a.previous.clone(),
                renewed_by: a.renewed_by.clone(),
                co_issuers: a.co_issuers.clone(),
                events: a.events.clone(),
            })
        });
        let row = Row {
            uscc: s.intern(&a.uscc),
            holder_name: s.intern(&a.holder_name),
            sub_unit: a.sub_unit.as_deref().map(|u| s.intern(u)),
            title: s.intern(&a.title),
            scheme: s.intern(&a.scheme),
            issuer: s.intern(&a.issuer),
            signer_did: s.intern(&a.signer_did),
            valid_from_us: a.valid_from_us,
            valid_until_us: a.valid_until_us,
            batch_year: a.batch_year,
            index: a.index,
            integrated_us: a.integrated_us,
            status_index: a.status_index,
            later,
        };
        let (uscc, issuer, status_index) = (row.uscc, row.issuer, row.status_index);
        let (pos, old) = match self.rows.get_full_mut(a.id.as_str()) {
            Some((pos, _, slot)) => (pos, Some(std::mem::replace(slot, row))),
            None => (self.rows.insert_full(a.id.as_str().into(), row).0, None),
        };
        let pos = u32::try_from(pos).expect("fewer than 2^32 awards");
        // Listed under its holder once (a replaced award keeps its place).
        if old.as_ref().map(|o| o.uscc) != Some(uscc) {
            let list = self.by_holder.entry(uscc).or_default();
            if old.is_none() || !list.contains(&pos) {
                list.push(pos);
            }
        }
        if let Some(index) = status_index {
            self.by_status.insert((issuer, index), pos);
        }
    }

    /// The award with this id.
    pub fn get(&self, id: &str) -> Option<Award> {
        self.rows.get_key_value(id).map(|(id, r)| self.award(id, r))
    }

    /// Whether `a` is exactly the award held under its id, compared field by field without
    /// rebuilding it; `None` if no award has its id.
    pub fn same_as(&self, a: &Award) -> Option<bool> {
        let r = self.rows.get(a.id.as_str())?;
        let s = |sym| self.strings.get(sym);
        let later = r.later.as_deref();
        Some(
            s(r.uscc) == a.uscc
                && s(r.holder_name) == a.holder_name
                && r.sub_unit.map(s) == a.sub_unit.as_deref()
                && s(r.title) == a.title
                && s(r.scheme) == a.scheme
                && s(r.issuer) == a.issuer
                && s(r.signer_did) == a.signer_did
                && r.valid_from_us == a.valid_from_us
                && r.valid_until_us == a.valid_until_us
                && r.batch_year == a.batch_year
                && r.index == a.index
                && r.integrated_us == a.integrated_us
                && r.status_index == a.status_index
                && match later {
                    Some(l) => {
                        l.state == a.state
                            && l.previous == a.previous
                            && l.renewed_by == a.renewed_by
                            && l.co_issuers == a.co_issuers
                            && l.events == a.events
                    }
                    None => {
                        a.state == AwardState::Active
                            && a.previous.is_none()
                            && a.renewed_by.is_empty()
                            && a.co_issuers.is_empty()
                            && a.events.is_empty()
                    }
                },
        )
    }

    /// The log index of the award with this id (without rebuilding it).
    pub fn log_index(&self, id: &str) -> Option<u64> {
        self.rows.get(id).map(|r| r.index)
    }

    /// The awards of a holder, ordered by id.
    pub fn of_holder(&self, uscc: &str) -> Vec<Award> {
        let Some(list) = self.strings.find(uscc).and_then(|u| self.by_holder.get(&u)) else {
            return Vec::new();
        };
        let mut out: Vec<Award> = list
            .iter()
            .filter_map(|&pos| self.rows.get_index(pos as usize))
            .map(|(id, r)| self.award(id, r))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// The id of the award `authority` gave this status-list index, if any.
    pub fn status_owner(&self, authority: &str, index: u32) -> Option<&str> {
        let issuer = self.strings.find(authority)?;
        let pos = *self.by_status.get(&(issuer, index))?;
        self.rows.get_index(pos as usize).map(|(id, _)| &**id)
    }

    /// Every award, rebuilt, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = Award> + '_ {
        self.rows.iter().map(|(id, r)| self.award(id, r))
    }

    /// The index-key fields of every award, borrowed (nothing rebuilt), in insertion order.
    pub fn keys(&self) -> impl Iterator<Item = AwardKeys<'_>> + '_ {
        self.rows.iter().map(|(id, r)| self.keys_of_row(id, r))
    }

    /// The index-key fields of the award with this id.
    pub fn keys_of(&self, id: &str) -> Option<AwardKeys<'_>> {
        self.rows
            .get_key_value(id)
            .map(|(id, r)| self.keys_of_row(id, r))
    }

    fn keys_of_row<'a>(&'a self, id: &'a str, r: &Row) -> AwardKeys<'a> {
        AwardKeys {
            id,
            uscc: self.strings.get(r.uscc),
            title: self.strings.get(r.title),
            sub_unit: r.sub_unit.map(|u| self.strings.get(u)),
            scheme: self.strings.get(r.scheme),
            issuer: self.strings.get(r.issuer),
            batch_year: r.batch_year,
            index: r.index,
        }
    }

    fn award(&self, id: &str, r: &Row) -> Award {
        let s = |sym| self.strings.get(sym).to_string();
        let later = r.later.as_deref();
        Award {
            id: id.to_string(),
            uscc: s(r.uscc),
            holder_name: s(r.holder_name),
            sub_unit: r.sub_unit.map(s),
            title: s(r.title),
            scheme: s(r.scheme),
            issuer: s(r.issuer),
            signer_did: s(r.signer_did),
            valid_from_us: r.valid_from_us,
            valid_until_us: r.valid_until_us,
            batch_year: r.batch_year,
            index: r.index,
            integrated_us: r.integrated_us,
            state: later.map_or(AwardState::Active, |l| l.state.clone()),
            previous: later.and_then(|l| l.previous.clone()),
            renewed_by: later.map_or_else(Vec::new, |l| l.renewed_by.clone()),
            co_issuers: later.map_or_else(Vec::new, |l| l.co_issuers.clone()),
            events: later.map_or_else(Vec::new, |l| l.events.clone()),
            status_index: r.status_index,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn award(id: &str, uscc: &str, status_index: Option<u32>) -> Award {
        Award {
            id: id.into(),
            uscc: uscc.into(),
            holder_name: "福建省立医院".into(),
            sub_unit: None,
            title: "三级甲等医院".into(),
            scheme: "fj-grade".into(),
            issuer: "fj-hc".into(),
            signer_did: "did:key:z6Mk".into(),
            valid_from_us: 1,
            valid_until_us: Some(2),
            batch_year: Some(2024),
            index: 7,
            integrated_us: 3,
            state: AwardState::Active,
            previous: None,
            renewed_by: vec![],
            co_issuers: vec![],
            events: vec![],
            status_index,
        }
    }

    #[test]
    fn awards_round_trip_field_for_field() {
        let mut t = AwardTable::default();
        let plain = award("a", "H1", Some(5));
        let mut touched = award("b", "H1", None);
        touched.sub_unit = Some("心内科".into());
        touched.valid_until_us = None;
        touched.batch_year = None;
        touched.state = AwardState::Revoked {
            on_us: 9,
            index: 12,
            reason: "造假".into(),
        };
        touched.previous = Some((Relation::Renews, "a".into()));
        touched.renewed_by = vec!["c".into()];
        touched.co_issuers = vec!["acwf".into()];
        touched.events = vec![12];
        t.insert(&plain);
        t.insert(&touched);
        assert_eq!(t.get("a"), Some(plain.clone()));
        assert_eq!(t.get("b"), Some(touched.clone()));
        assert_eq!(t.get("c"), None);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            vec![plain.clone(), touched.clone()]
        );
        assert_eq!(t.log_index("b"), Some(7));
        assert_eq!(t.same_as(&plain), Some(true));
        assert_eq!(t.same_as(&touched), Some(true));
        let mut changed = touched.clone();
        changed.events.push(13);
        assert_eq!(t.same_as(&changed), Some(false));
        let mut changed = plain.clone();
        changed.state = AwardState::Suspended {
            since_us: 1,
            index: 9,
            reason: "整改".into(),
        };
        assert_eq!(
            t.same_as(&changed),
            Some(false),
            "a state the table does not hold"
        );
        let mut changed = plain.clone();
        changed.title.push('!');
        assert_eq!(t.same_as(&changed), Some(false));
        changed.id = "c".into();
        assert_eq!(t.same_as(&changed), None);
    }

    #[test]
    fn replacing_an_award_keeps_one_listing_under_its_holder() {
        let mut t = AwardTable::default();
        t.insert(&award("b", "H1", Some(5)));
        t.insert(&award("a", "H1", None));
        t.insert(&award("z", "H2", None));
        let mut revoked = award("b", "H1", Some(5));
        revoked.events = vec![9];
        t.insert(&revoked);
        let ids: Vec<String> = t.of_holder("H1").into_iter().map(|a| a.id).collect();
        assert_eq!(ids, ["a", "b"], "ordered by id, each once");
        assert_eq!(t.of_holder("H1")[1], revoked);
        assert!(t.of_holder("nobody").is_empty());
        assert_eq!(t.status_owner("fj-hc", 5), Some("b"));
        assert_eq!(t.status_owner("fj-hc", 6), None);
        assert_eq!(t.status_owner("other", 5), None);
        assert_eq!(t.len(), 3);
    }
}
