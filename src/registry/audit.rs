//! Auditing the live registry: replay its log, then compare what is stored with what the log
//! implies (records, indexes, tree hashes). See [`crate::audit`] for the replay itself.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::Registry;
use crate::audit::{check_against, replay, AuditReport, EntrySource, Finding};
use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::state::{AwardKeys, AwardTable};
use crate::store::trees::{index_key, T};
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
        // else. The title's search key (OpenCC + NFKC) is computed once per distinct title, a
        // year's text once per year.
        let mut title_keys: HashMap<(&str, Option<&str>), String> = HashMap::new();
        let mut years: HashMap<u32, String> = HashMap::new();
        for a in r.state.awards.keys() {
            title_keys
                .entry((a.title, a.sub_unit))
                .or_insert_with(|| crate::registry::submit::title_key_of(a.title, a.sub_unit));
            if let Some(y) = a.batch_year {
                years.entry(y).or_insert_with(|| y.to_string());
            }
        }
        let (title_keys, years) = (&title_keys, &years);
        fn prefix_of<'k>(
            tree: T,
            a: AwardKeys<'k>,
            title_keys: &'k HashMap<(&'k str, Option<&'k str>), String>,
            years: &'k HashMap<u32, String>,
        ) -> Option<&'k str> {
            match tree {
                T::ByHolder => Some(a.uscc),
                T::ByScheme => Some(a.scheme),
                T::ByIssuer => Some(a.issuer),
                T::ByTitle => Some(title_keys[&(a.title, a.sub_unit)].as_str()),
                _ => a.batch_year.map(|y| years[&y].as_str()),
            }
        }
        // The stored tree hashes, the award records, the other records and the five indexes
        // are compared as separate jobs on both cores, each in one pass over its tree.
        let stored_jobs: [&(dyn Fn() -> Result<Vec<Finding>, crate::Error> + Sync); 3] = [
            &|| {
                // Stored tree hashes (one group per leaf) must be the recomputed ones.
                let mut findings = Vec::new();
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
                Ok(findings)
            },
            &|| {
                // Derived records must be exactly what the log implies.
                let mut findings = Vec::new();
                compare(
                    &mut findings,
                    "award",
                    || store.records::<Award>(T::Awards, "award"),
                    &r.state.awards,
                    |a| a.id.clone(),
                    |a| Some(a.index),
                );
                Ok(findings)
            },
            &|| {
                let mut findings = Vec::new();
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
                Ok(findings)
            },
        ];
        let (stored, per_tree) = rayon::join(
            || -> Vec<Result<Vec<Finding>, crate::Error>> {
                stored_jobs
                    .into_par_iter()
                    .enumerate()
                    .map(|(i, job)| timed(&format!("stored job {i}"), job))
                    .collect()
            },
            || -> Vec<Result<Vec<Finding>, crate::Error>> {
                [T::ByHolder, T::ByScheme, T::ByIssuer, T::ByTitle, T::ByYear]
                    .into_par_iter()
                    .map(|tree| {
                        timed(&format!("index {tree:?}"), || {
                            let mut findings = Vec::new();
                            // One pass over the stored index (nothing of it is held): each key must
                            // name an award of the replay under the prefix the log implies for it.
                            // Keys are unique and each award has one prefix per index, so as many
                            // matching keys as awards with a prefix means none is missing.
                            let awards = &r.state.awards;
                            let mut matched = 0usize;
                            for item in store.raw(tree) {
                                let (k, _) = item?;
                                let mut buf = [0u8; 45];
                                let id = crate::store::trees::index_award_key(&k)
                                    .map(|key| crate::store::trees::write_award_id(&key, &mut buf));
                                let listed =
                                    id.and_then(|id| awards.keys_of(id)).is_some_and(|a| {
                                        prefix_of(tree, a, title_keys, years).is_some_and(|p| {
                                            k.len() == p.len() + 17 && k.starts_with(p.as_bytes())
                                        })
                                    });
                                if listed {
                                    matched += 1;
                                } else {
                                    findings.push(Finding::new(
                                        None,
                                        "index",
                                        format!(
                                            "no listing of award {} under {}",
                                            id.unwrap_or_default(),
                                            index_prefix(&k)
                                        ),
                                        "a listing the log does not support",
                                    ));
                                }
                            }
                            let want = awards
                                .keys()
                                .filter(|a| prefix_of(tree, *a, title_keys, years).is_some())
                                .count();
                            if matched < want {
                                // Some award is not listed: find which (rare, so a lookup each).
                                for a in awards.keys() {
                                    let Some(prefix) = prefix_of(tree, a, title_keys, years) else {
                                        continue;
                                    };
                                    let key = index_key(prefix, a.id).unwrap_or_default();
                                    if store.get(tree, &key)?.is_none() {
                                        findings.push(Finding::new(
                                            Some(a.index),
                                            "index",
                                            format!("award {} listed under {prefix}", a.id),
                                            "not listed",
                                        ));
                                    }
                                }
                            }
                            Ok(findings)
                        })
                    })
                    .collect()
            },
        );
        rss("after records and indexes");
        for f in stored.into_iter().chain(per_tree) {
            findings.extend(f?);
        }
        findings.sort_by_key(|f| (f.index.unwrap_or(u64::MAX), f.check.clone()));
        Ok(AuditReport {
            findings,
            ..r.report
        })
    }
}

/// Derived records by key: a replay's maps, or its compact award table.
trait Derived<R> {
    fn find(&self, key: &str) -> Option<R>;
    /// Whether the derived record under `key` equals `rec`; `None` if there is none.
    fn same(&self, key: &str, rec: &R) -> Option<bool>;
    fn count(&self) -> usize;
    fn all_keys(&self) -> Vec<String>;
}

impl<R: Clone + PartialEq> Derived<R> for HashMap<String, R> {
    fn find(&self, key: &str) -> Option<R> {
        self.get(key).cloned()
    }
    fn same(&self, key: &str, rec: &R) -> Option<bool> {
        self.get(key).map(|d| d == rec)
    }
    fn count(&self) -> usize {
        self.len()
    }
    fn all_keys(&self) -> Vec<String> {
        self.keys().cloned().collect()
    }
}

impl Derived<Award> for AwardTable {
    fn find(&self, key: &str) -> Option<Award> {
        self.get(key)
    }
    fn same(&self, _key: &str, rec: &Award) -> Option<bool> {
        self.same_as(rec)
    }
    fn count(&self) -> usize {
        self.len()
    }
    fn all_keys(&self) -> Vec<String> {
        self.keys().map(|a| a.id.to_string()).collect()
    }
}

/// Compares the stored records (read one at a time) with the derived ones.
fn compare<R: PartialEq, I: Iterator<Item = Result<R, crate::store::StoreError>>>(
    findings: &mut Vec<Finding>,
    what: &str,
    stored: impl Fn() -> I,
    derived: &dyn Derived<R>,
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
        match derived.same(&k, &rec) {
            Some(same) => {
                matched += 1;
                if !same {
                    findings.push(Finding::new(
                        derived.find(&k).and_then(|d| index(&d)),
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
    if matched == derived.count() {
        return;
    }
    // Some derived record is not stored: find which (rare, so a second pass is fine).
    let stored_keys: BTreeSet<String> = stored().filter_map(|r| r.ok()).map(|r| key(&r)).collect();
    let mut missing: Vec<String> = derived
        .all_keys()
        .into_iter()
        .filter(|k| !stored_keys.contains(k))
        .collect();
    missing.sort();
    for k in missing {
        findings.push(Finding::new(
            derived.find(&k).and_then(|d| index(&d)),
            "state",
            format!("{what} {k} stored"),
            "missing from the store",
        ));
    }
}

/// The prefix (holder, scheme, …) of an index key, for messages.
fn index_prefix(key: &[u8]) -> String {
    String::from_utf8_lossy(&key[..key.len().saturating_sub(17)]).into_owned()
}

/// Runs `f`; with `HONORS_TIMING` set, says how long it took.
fn timed<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let t = std::time::Instant::now();
    let r = f();
    if std::env::var_os("HONORS_TIMING").is_some() {
        eprintln!("audit {what}: {:?}", t.elapsed());
    }
    r
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
