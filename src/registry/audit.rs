//! Auditing the live registry: replay its log, then compare what is stored with what the log
//! implies (records, indexes, tree hashes). See [`crate::audit`] for the replay itself.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::Registry;
use crate::audit::{check_against, replay, AuditReport, EntrySource, Finding};
use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::store::trees::{pair_id, pair_key, T};
use crate::store::Store;
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
        rss("start");
        let checkpoints: Vec<(u64, Vec<u8>)> = store.checkpoints().collect::<Result<_, _>>()?;
        let r = replay(&StoreSource(store), trust, &checkpoints, progress);
        rss("after replay");
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
        // Indexes: every award under its holder, scheme, issuer, title and year, and nothing
        // else. The title's search key (OpenCC + NFKC) is computed once per distinct title.
        let mut title_keys: std::collections::HashMap<(&str, Option<&str>), String> =
            std::collections::HashMap::new();
        for a in r.state.awards.values() {
            title_keys
                .entry((a.title.as_str(), a.sub_unit.as_deref()))
                .or_insert_with(|| crate::registry::submit::title_key(a));
        }
        let index_key = |tree: T, a: &Award| -> Option<String> {
            match tree {
                T::ByHolder => Some(a.uscc.clone()),
                T::ByScheme => Some(a.scheme.clone()),
                T::ByIssuer => Some(a.issuer.clone()),
                T::ByTitle => Some(title_keys[&(a.title.as_str(), a.sub_unit.as_deref())].clone()),
                _ => a.batch_year.map(|y| y.to_string()),
            }
        };
        // The five indexes are compared at the same time, each in one merge pass.
        // The stored tree hashes and records (one pass each) and the indexes are compared at
        // the same time.
        let (stored, per_tree) = rayon::join(
            || -> Result<(), crate::Error> {
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
                            format!(
                                "the tree hashes of leaf {leaf} as recomputed from the entries"
                            ),
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
                    || store.records::<Award>(T::Awards, "award"),
                    &r.state.awards,
                    |a| a.id.clone(),
                    |a| Some(a.index),
                );
                compare(
                    &mut findings,
                    "authority",
                    || store.records::<Authority>(T::Authorities, "authority"),
                    &r.state.authorities,
                    |a| a.id.clone(),
                    |a| Some(a.since),
                );
                compare(
                    &mut findings,
                    "holder",
                    || store.records::<Holder>(T::Holders, "holder"),
                    &r.state.holders,
                    |h| h.uscc.clone(),
                    |h| Some(h.index),
                );
                compare(
                    &mut findings,
                    "scheme",
                    || store.records::<Scheme>(T::Schemes, "scheme"),
                    &r.state.schemes,
                    |s| s.id.clone(),
                    |s| Some(s.index),
                );
                Ok(())
            },
            || -> Vec<Result<Vec<Finding>, crate::Error>> {
                [T::ByHolder, T::ByScheme, T::ByIssuer, T::ByTitle, T::ByYear]
                    .into_par_iter()
                    .map(|tree| {
                        let mut findings = Vec::new();
                        // What the log implies, sorted as sled orders keys; then one merge pass over the
                        // stored index (nothing of it is held in memory).
                        let mut want: Vec<(Vec<u8>, &str)> = r
                            .state
                            .awards
                            .values()
                            .filter_map(|a| {
                                Some((pair_key(&index_key(tree, a)?, &a.id), a.id.as_str()))
                            })
                            .collect();
                        want.sort_unstable();
                        let mut want = want.into_iter().peekable();
                        let missing = |findings: &mut Vec<Finding>, key: &[u8], id: &str| {
                            findings.push(Finding::new(
                                r.state.awards.get(id).map(|a| a.index),
                                "index",
                                format!("award {id} listed under {}", index_prefix(key, id)),
                                "not listed",
                            ))
                        };
                        for item in store.raw(tree) {
                            let (k, _) = item?;
                            while let Some((w, id)) =
                                want.next_if(|(w, _)| w.as_slice() < k.as_slice())
                            {
                                missing(&mut findings, &w, id);
                            }
                            if want.next_if(|(w, _)| *w == k).is_none() {
                                let id = pair_id(&k).unwrap_or_default();
                                findings.push(Finding::new(
                                    None,
                                    "index",
                                    format!(
                                        "no listing of award {id} under {}",
                                        index_prefix(&k, id)
                                    ),
                                    "a listing the log does not support",
                                ));
                            }
                        }
                        for (w, id) in want {
                            missing(&mut findings, &w, id);
                        }
                        Ok(findings)
                    })
                    .collect()
            },
        );
        stored?;
        rss("after records and indexes");
        for f in per_tree {
            findings.extend(f?);
        }
        findings.sort_by_key(|f| (f.index.unwrap_or(u64::MAX), f.check.clone()));
        Ok(AuditReport {
            findings,
            ..r.report
        })
    }
}

/// Compares the stored records (read one at a time) with the derived ones.
fn compare<R: PartialEq, I: Iterator<Item = Result<R, crate::store::StoreError>>>(
    findings: &mut Vec<Finding>,
    what: &str,
    stored: impl Fn() -> I,
    derived: &std::collections::HashMap<String, R>,
    key: impl Fn(&R) -> String,
    index: impl Fn(&R) -> Option<u64>,
) {
    let mut matched = 0usize;
    for rec in stored() {
        let rec = match rec {
            Ok(r) => r,
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
        let k = key(&rec);
        match derived.get(&k) {
            Some(d) => {
                matched += 1;
                if *d != rec {
                    findings.push(Finding::new(
                        index(d),
                        "state",
                        format!("{what} {k} as the log implies"),
                        "a stored record that differs (changed without a statement)",
                    ))
                }
            }
            None => findings.push(Finding::new(
                None,
                "state",
                format!("no {what} {k}"),
                "a stored record no log entry created",
            )),
        }
    }
    if matched == derived.len() {
        return;
    }
    // Some derived record is not stored: find which (rare, so a second pass is fine).
    let stored_keys: BTreeSet<String> = stored().filter_map(|r| r.ok()).map(|r| key(&r)).collect();
    let mut missing: Vec<(&String, &R)> = derived
        .iter()
        .filter(|(k, _)| !stored_keys.contains(*k))
        .collect();
    missing.sort_by(|a, b| a.0.cmp(b.0));
    for (k, d) in missing {
        findings.push(Finding::new(
            index(d),
            "state",
            format!("{what} {k} stored"),
            "missing from the store",
        ));
    }
}

/// The prefix (holder, scheme, …) of an index key, for messages.
fn index_prefix(key: &[u8], id: &str) -> String {
    String::from_utf8_lossy(&key[..key.len().saturating_sub(id.len() + 1)]).into_owned()
}

fn rss(what: &str) {
    if std::env::var_os("HONORS_TIMING").is_some() {
        static T0: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let t0 = *T0.get_or_init(std::time::Instant::now);
        eprintln!("audit {what}: {:?} since the first mark", t0.elapsed());
        let statm = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let line = statm.lines().find(|l| l.starts_with("VmRSS")).unwrap_or("");
        eprintln!("audit {what}: {line}");
    }
}
