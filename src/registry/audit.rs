//! Auditing the live registry: replay its log, then compare what is stored with what the log
//! implies (records, indexes, tree hashes). See [`crate::audit`] for the replay itself.

use std::collections::BTreeSet;

use super::Registry;
use crate::audit::{check_against, replay, AuditReport, EntrySource, Finding};
use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::store::trees::{pair_id, T};
use crate::store::{codec, Store};
use crate::trust::TrustRoots;

struct StoreSource<'a>(&'a Store);

impl EntrySource for StoreSource<'_> {
    fn count(&self) -> Result<u64, String> {
        self.0.size().map_err(|e| e.to_string())
    }
    fn read(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, String> {
        self.0
            .entries(start, end)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())
    }
}

impl Registry {
    /// Replays the whole log against `trust` (default: the registry's own trust roots) and
    /// compares the stored state with it. `against`: a checkpoint the auditor kept earlier.
    pub fn audit(
        &self,
        trust: Option<&TrustRoots>,
        against: Option<&[u8]>,
        progress: &dyn Fn(u64, u64),
    ) -> Result<AuditReport, crate::Error> {
        let trust = trust.unwrap_or(&self.roots);
        let store = self.store();
        let checkpoints: Vec<(u64, Vec<u8>)> = store.checkpoints().collect::<Result<_, _>>()?;
        let r = replay(&StoreSource(store), trust, &checkpoints, progress);
        let mut findings = r.report.findings.clone();
        if let Some(note) = against {
            findings.extend(check_against(note, trust, &r));
        }
        // What `Registry::open` checks on start-up: the stored tree against the latest checkpoint.
        if let Err(e) = self.check_tree() {
            findings.push(Finding::new(
                None,
                "integrity",
                "the stored tree to hash to the latest signed checkpoint's root",
                e.message().to_string(),
            ));
        }
        // Stored tree hashes (one group per leaf) must be the recomputed ones.
        let all = r.tree.stored_hashes();
        let mut groups = 0u64;
        for item in store.raw(T::Hashes) {
            let (k, v) = item?;
            groups += 1;
            let leaf = k
                .as_slice()
                .try_into()
                .map(u64::from_be_bytes)
                .unwrap_or(u64::MAX);
            let want = if leaf < r.leaf_count {
                let (a, b) = (
                    crate::tlog::stored_hash_count(leaf) as usize,
                    crate::tlog::stored_hash_count(leaf + 1) as usize,
                );
                all.get(a..b).map(|hs| hs.concat())
            } else {
                None
            };
            if want.as_deref() != Some(v.as_slice()) {
                findings.push(Finding::new(
                    Some(leaf),
                    "tree",
                    format!("the tree hashes of leaf {leaf} as recomputed from the entries"),
                    "different or extra stored hashes",
                ));
            }
        }
        if groups != r.leaf_count {
            findings.push(Finding::new(
                None,
                "tree",
                format!("tree hashes for {} leaves", r.leaf_count),
                format!("{groups}"),
            ));
        }
        // Derived records must be exactly what the log implies.
        compare(
            &mut findings,
            "award",
            store.all::<Award>(T::Awards, "award"),
            &r.state.awards,
            |a| a.id.clone(),
            |a| Some(a.index),
        );
        compare(
            &mut findings,
            "authority",
            store.all::<Authority>(T::Authorities, "authority"),
            &r.state.authorities,
            |a| a.id.clone(),
            |a| Some(a.since),
        );
        compare(
            &mut findings,
            "holder",
            store.all::<Holder>(T::Holders, "holder"),
            &r.state.holders,
            |h| h.uscc.clone(),
            |h| Some(h.index),
        );
        compare(
            &mut findings,
            "scheme",
            store.all::<Scheme>(T::Schemes, "scheme"),
            &r.state.schemes,
            |s| s.id.clone(),
            |s| Some(s.index),
        );
        // Indexes: every award under its holder, scheme and issuer, and nothing else.
        for (tree, key_of) in [
            (
                T::ByHolder,
                (|a: &Award| a.uscc.clone()) as fn(&Award) -> String,
            ),
            (T::ByScheme, |a: &Award| a.scheme.clone()),
            (T::ByIssuer, |a: &Award| a.issuer.clone()),
            (T::ByTitle, |a: &Award| {
                crate::registry::submit::title_key(a)
            }),
            (T::ByYear, |a: &Award| {
                a.batch_year.map(|y| y.to_string()).unwrap_or_default()
            }),
        ] {
            let want: BTreeSet<(String, String)> = r
                .state
                .awards
                .values()
                .filter(|a| tree != T::ByYear || a.batch_year.is_some())
                .map(|a| (key_of(a), a.id.clone()))
                .collect();
            let mut have = BTreeSet::new();
            for item in store.raw(tree) {
                let (k, _) = item?;
                let id = pair_id(&k).unwrap_or_default().to_string();
                let prefix =
                    String::from_utf8_lossy(&k[..k.len().saturating_sub(id.len() + 1)]).to_string();
                have.insert((prefix, id));
            }
            for missing in want.difference(&have) {
                findings.push(Finding::new(
                    r.state.awards.get(&missing.1).map(|a| a.index),
                    "index",
                    format!("award {} listed under {}", missing.1, missing.0),
                    "not listed",
                ));
            }
            for extra in have.difference(&want) {
                findings.push(Finding::new(
                    None,
                    "index",
                    format!("no listing of award {} under {}", extra.1, extra.0),
                    "a listing the log does not support",
                ));
            }
        }
        findings.sort_by_key(|f| (f.index.unwrap_or(u64::MAX), f.check.clone()));
        Ok(AuditReport {
            findings,
            ..r.report
        })
    }
}

fn compare<R: PartialEq + serde::de::DeserializeOwned>(
    findings: &mut Vec<Finding>,
    what: &str,
    stored: Result<Vec<R>, crate::store::StoreError>,
    derived: &std::collections::HashMap<String, R>,
    key: impl Fn(&R) -> String,
    index: impl Fn(&R) -> Option<u64>,
) {
    let stored = match stored {
        Ok(s) => s,
        Err(e) => {
            findings.push(Finding::new(
                None,
                "state",
                format!("readable {what} records"),
                e.to_string(),
            ));
            return;
        }
    };
    let mut seen = BTreeSet::new();
    for rec in &stored {
        let k = key(rec);
        match derived.get(&k) {
            Some(d) if d == rec => {}
            Some(d) => findings.push(Finding::new(
                index(d),
                "state",
                format!("{what} {k} as the log implies"),
                "a stored record that differs (changed without a statement)",
            )),
            None => findings.push(Finding::new(
                None,
                "state",
                format!("no {what} {k}"),
                "a stored record no log entry created",
            )),
        }
        seen.insert(k);
    }
    for (k, d) in derived {
        if !seen.contains(k) {
            findings.push(Finding::new(
                index(d),
                "state",
                format!("{what} {k} stored"),
                "missing from the store",
            ));
        }
    }
    let _ = codec::FORMAT_VERSION;
}
