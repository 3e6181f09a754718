//! Reading the registry: listings, search, one record, an award's history, exports and proofs.

use serde::Serialize;

use super::Registry;
use crate::authority::{Authority, Holder, Scheme};
use crate::award::{status_at, Award, Status};
use crate::entry::Entry;
use crate::error::Error;
use crate::policy::View;
use crate::store::trees::{pair_id, pair_prefix, T};
use crate::text::{search_key, search_terms};
use crate::time::{date_cst, format_utc_micros, from_micros, micros};
use crate::tlog::{self, Hash};

/// One award as listings show it (the `award list --json` contract).
#[derive(Debug, Clone, Serialize)]
pub struct AwardView {
    pub id: String,
    pub holder_name: String,
    pub holder_uscc: String,
    pub sub_unit: Option<String>,
    pub title: String,
    /// The issuing authority's name.
    pub issuer: String,
    pub issuer_id: String,
    /// Names of co-issuing authorities (a joint award).
    pub co_issuers: Vec<String>,
    /// The scheme's title.
    pub scheme: String,
    pub scheme_id: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub batch_year: Option<u32>,
    /// Today's verdict word.
    pub status: Status,
    pub status_reason: String,
    /// Log index of the award credential.
    pub index: u64,
}

/// Filters for `award list`; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AwardFilter {
    /// Holder USCC or name (simplified or traditional).
    pub holder: Option<String>,
    /// Scheme id or title.
    pub scheme: Option<String>,
    /// Issuer authority id or name.
    pub issuer: Option<String>,
    pub year: Option<u32>,
    pub status: Option<Status>,
}

/// One event in an award's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEvent {
    pub index: u64,
    pub time: String,
    /// "award", "suspend", "reinstate", "revoke", "renewed-by", ...
    pub event: String,
    pub statement_id: String,
    pub signer: String,
    pub reason: Option<String>,
}

/// What an id named.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Found {
    Award {
        award: AwardView,
        history: Vec<HistoryEvent>,
    },
    Authority {
        authority: Authority,
    },
    Holder {
        holder: Holder,
        awards: Vec<AwardView>,
    },
    Scheme {
        scheme: Scheme,
    },
}

impl Registry {
    /// The view of one award at `now`.
    pub fn award_view(&self, a: &Award, now: jiff::Timestamp) -> Result<AwardView, Error> {
        let store = self.store();
        let issuer = store.authority(&a.issuer).map_err(view)?;
        let issuer_name = issuer
            .as_ref()
            .map(|x| x.name.clone())
            .or_else(|| self.roots.root_by_id(&a.issuer).map(|r| r.name.clone()))
            .unwrap_or_else(|| a.issuer.clone());
        let compromised = issuer
            .as_ref()
            .and_then(|x| x.key(&a.signer_did))
            .and_then(|k| k.compromised_at_us);
        let holder_name = store
            .holder(&a.uscc)
            .map_err(view)?
            .map(|h| h.name)
            .unwrap_or_else(|| a.holder_name.clone());
        let scheme = store
            .scheme(&a.scheme)
            .map_err(view)?
            .map(|s| s.title)
            .unwrap_or_default();
        let (status, reason) = status_at(a, micros(now), compromised);
        let mut co_issuers = Vec::with_capacity(a.co_issuers.len());
        for id in &a.co_issuers {
            let name = store
                .authority(id)
                .map_err(view)?
                .map(|x| x.name)
                .or_else(|| self.roots.root_by_id(id).map(|r| r.name.clone()));
            co_issuers.push(name.unwrap_or_else(|| id.clone()));
        }
        Ok(AwardView {
            id: a.id.clone(),
            holder_name,
            holder_uscc: a.uscc.clone(),
            sub_unit: a.sub_unit.clone(),
            title: a.title.clone(),
            issuer: issuer_name,
            issuer_id: a.issuer.clone(),
            co_issuers,
            scheme,
            scheme_id: a.scheme.clone(),
            valid_from: date_cst(from_micros(a.valid_from_us)),
            valid_until: a.valid_until_us.map(|u| date_cst(from_micros(u))),
            batch_year: a.batch_year,
            status,
            status_reason: reason,
            index: a.index,
        })
    }

    /// Awards matching `filter`, in log order.
    pub fn list_awards(
        &self,
        filter: &AwardFilter,
        now: jiff::Timestamp,
    ) -> Result<Vec<AwardView>, Error> {
        Ok(self.list_awards_limited(filter, now, usize::MAX)?.0)
    }

    /// [`Registry::list_awards`], returning the first `limit` awards in log order and how many
    /// matched. Matches are kept as (log index, award key) only and the awards are loaded again
    /// for the page, so listing a million awards holds about 24 MB, not every award record.
    pub fn list_awards_limited(
        &self,
        filter: &AwardFilter,
        now: jiff::Timestamp,
        limit: usize,
    ) -> Result<(Vec<AwardView>, usize), Error> {
        let store = self.store();
        // What the filter compares with, read once.
        let holders = match &filter.holder {
            Some(h) if h.parse::<crate::id::Uscc>().is_err() => {
                Some(self.holders_matching(&search_key(h))?)
            }
            _ => None,
        };
        let scheme = match &filter.scheme {
            Some(s) => {
                let mut titles = std::collections::HashMap::new();
                for sc in store.all::<Scheme>(T::Schemes, "scheme")? {
                    titles.insert(sc.id.clone(), search_key(&sc.title));
                }
                Some((s, search_key(s), titles))
            }
            None => None,
        };
        let issuer = match &filter.issuer {
            Some(i) => {
                let mut names = std::collections::HashMap::new();
                for au in store.all::<Authority>(T::Authorities, "authority")? {
                    names.insert(au.id.clone(), search_key(&au.name));
                }
                for r in &self.roots.roots {
                    names.insert(r.id.clone(), search_key(&r.name));
                }
                Some((i, search_key(i), names))
            }
            None => None,
        };
        let keep = |a: &Award| {
            holders.as_ref().is_none_or(|ids| ids.contains(&a.uscc))
                && scheme.as_ref().is_none_or(|(s, key, titles)| {
                    a.scheme == **s || titles.get(&a.scheme).is_some_and(|t| t == key)
                })
                && issuer.as_ref().is_none_or(|(i, key, names)| {
                    a.issuer == **i || names.get(&a.issuer).is_some_and(|n| n == key)
                })
                && filter.year.is_none_or(|y| a.batch_year == Some(y))
        };
        // An unlimited listing (the CLI's) keeps the records it reads, to show them all;
        // a page keeps (log index, key) only and loads its awards again.
        let hold = limit == usize::MAX;
        let mut found: Vec<(u64, [u8; 16], Option<Award>)> = Vec::new();
        let mut consider = |a: Award| -> Result<(), Error> {
            if keep(&a) {
                let key = crate::store::trees::award_key(&a.id).ok_or_else(|| {
                    Error::internal(format!("stored award id {} is not urn:uuid", a.id))
                })?;
                found.push((a.index, key, hold.then_some(a)));
            }
            Ok(())
        };
        // Start from the narrowest index the filter allows.
        match (&filter.holder, filter.year) {
            (Some(h), _) if h.parse::<crate::id::Uscc>().is_ok() => {
                for a in store.awards_of_holder(h).map_err(view)? {
                    consider(a)?;
                }
            }
            (_, Some(y)) => {
                for key in store.award_keys_with_prefix(T::ByYear, &y.to_string(), usize::MAX)? {
                    if let Some(a) = store.award_at(&key)? {
                        consider(a)?;
                    }
                }
            }
            _ => {
                for a in store.records::<Award>(T::Awards, "award") {
                    consider(a?)?;
                }
            }
        }
        found.sort_unstable_by_key(|(index, _, _)| *index);
        let candidates = found.len();
        let mut out = Vec::new();
        let mut total = 0;
        for (_, key, held) in found {
            // Without a status filter every candidate counts and only the page is loaded.
            if filter.status.is_none() && out.len() >= limit {
                total = candidates;
                break;
            }
            let Some(a) = held.map_or_else(|| store.award_at(&key), |a| Ok(Some(a)))? else {
                continue;
            };
            let v = self.award_view(&a, now)?;
            if filter.status.is_none_or(|s| s == v.status) {
                total += 1;
                if out.len() < limit {
                    out.push(v);
                }
            }
        }
        Ok((out, total))
    }

    fn holders_matching(&self, key: &str) -> Result<std::collections::HashSet<String>, Error> {
        let mut out = std::collections::HashSet::new();
        for h in self.store().all::<Holder>(T::Holders, "holder")? {
            let names = std::iter::once(&h.name).chain(h.former_names.iter().map(|(n, _)| n));
            if names.map(|n| search_key(n)).any(|n| n.contains(key)) {
                out.insert(h.uscc.clone());
            }
        }
        Ok(out)
    }

    /// Awards whose title, sub-unit or holder name contains `text` (either script).
    pub fn search(&self, text: &str, now: jiff::Timestamp) -> Result<Vec<AwardView>, Error> {
        Ok(self.search_limited(text, now, usize::MAX)?.0)
    }

    /// How many matching ids a limited search collects at most before it stops counting.
    pub const SEARCH_COUNT_CAP: usize = 10_000;

    /// [`Registry::search`], returning at most `limit` awards (in log order) and how many
    /// matched: exactly, or (`false`) at least that many, when a common word matched more than
    /// [`Self::SEARCH_COUNT_CAP`] and `limit` awards and counting stopped there. Only ids are
    /// read to count; then the awards with the smallest ids among those found are loaded, so a
    /// common word in a registry of a million awards costs a bounded number of reads.
    pub fn search_limited(
        &self,
        text: &str,
        now: jiff::Timestamp,
        limit: usize,
    ) -> Result<(Vec<AwardView>, usize, bool), Error> {
        let key = search_key(text);
        if key.is_empty() {
            return Err(Error::usage(
                "the search text has no letters or characters in it",
                "search for part of a title or a hospital name, e.g. 三八红旗",
            ));
        }
        let store = self.store();
        // Candidates: ids under every search term of the query (intersection). The rarest
        // term's list is scanned (each list is probed up to PROBE keys to find it) and the
        // others are checked by point lookups, so a common term (医院, 全国, 先进) costs at most
        // PROBE reads instead of a scan of every award that contains it.
        const PROBE: usize = 256;
        let terms = search_terms(text);
        let probed: Vec<(usize, &String)> = terms
            .iter()
            .map(|t| (store.count_prefix(T::ByText, &pair_prefix(t), PROBE), t))
            .collect();
        let mut candidates: Option<std::collections::BTreeSet<String>> = None;
        if let Some(&(_, rarest)) = probed.iter().min_by_key(|(n, _)| *n) {
            let mut ids: std::collections::BTreeSet<String> = store
                .keys_with_prefix(T::ByText, &pair_prefix(rarest))?
                .iter()
                .filter_map(|k| pair_id(k).map(str::to_string))
                .collect();
            for term in terms.iter().filter(|t| *t != rarest) {
                let mut keep = std::collections::BTreeSet::new();
                for id in ids {
                    if store
                        .get(T::ByText, &crate::store::trees::pair_key(term, &id))?
                        .is_some()
                    {
                        keep.insert(id);
                    }
                }
                ids = keep;
            }
            candidates = Some(ids);
        }
        // Matching awards as their 16-byte keys (ordered as their ids), counted up to `cap`:
        // no index list is read past what the count needs.
        let mut ids: std::collections::BTreeSet<[u8; 16]> = std::collections::BTreeSet::new();
        let cap = Self::SEARCH_COUNT_CAP.max(limit);
        let mut complete = true;
        for tag in candidates.unwrap_or_default() {
            if ids.len() >= cap {
                complete = false;
                break;
            }
            let room = cap.saturating_add(1) - ids.len();
            if let Some(uscc) = tag.strip_prefix("h:") {
                let holder = store.holder(uscc).map_err(view)?;
                let matches = holder.is_some_and(|h| {
                    std::iter::once(&h.name)
                        .chain(h.former_names.iter().map(|(n, _)| n))
                        .any(|n| search_key(n).contains(&key))
                });
                if matches {
                    ids.extend(store.award_keys_with_prefix(T::ByHolder, uscc, room)?);
                }
            } else if let Some(title) = tag.strip_prefix("t:") {
                if title.contains(&key) {
                    ids.extend(store.award_keys_with_prefix(T::ByTitle, title, room)?);
                }
            }
        }
        if ids.len() > cap {
            complete = false;
            while ids.len() > cap {
                ids.pop_last();
            }
        }
        let total = ids.len();
        let mut awards: std::collections::BTreeMap<u64, Award> = std::collections::BTreeMap::new();
        for key in ids.iter().take(limit) {
            if let Some(a) = store.award_at(key)? {
                awards.insert(a.index, a);
            }
        }
        let list = awards
            .values()
            .map(|a| self.award_view(a, now))
            .collect::<Result<_, _>>()?;
        Ok((list, total, complete))
    }

    /// Looks up an award, authority, scheme (by `urn:uuid:` id or bare uuid) or holder (by USCC).
    pub fn show(&self, id: &str, now: jiff::Timestamp) -> Result<Found, Error> {
        let store = self.store();
        if let Ok(uscc) = id.parse::<crate::id::Uscc>() {
            if let Some(holder) = store.holder(uscc.as_str()).map_err(view)? {
                let mut awards = store.awards_of_holder(uscc.as_str()).map_err(view)?;
                awards.sort_by_key(|a| a.index);
                let awards = awards
                    .iter()
                    .map(|a| self.award_view(a, now))
                    .collect::<Result<_, _>>()?;
                return Ok(Found::Holder { holder, awards });
            }
        }
        let id = normalize_id(id);
        if let Some(a) = store.award(&id).map_err(view)? {
            return Ok(Found::Award {
                award: self.award_view(&a, now)?,
                history: self.history_of(&a)?,
            });
        }
        if let Some(a) = store.authority(&id).map_err(view)? {
            return Ok(Found::Authority { authority: a });
        }
        if let Some(r) = self.roots.root_by_id(&id) {
            return Ok(Found::Authority {
                authority: Authority::root(&r.id, &r.name, &r.did),
            });
        }
        if let Some(s) = store.scheme(&id).map_err(view)? {
            return Ok(Found::Scheme { scheme: s });
        }
        Err(Error::not_found(
            format!("nothing in the registry has the id {id}"),
            "ids look like urn:uuid:0192… (awards, authorities, schemes) or an 18-character 统一社会信用代码 (holders); find them with `honors award list` or `honors search`",
        ))
    }

    /// The award record with this id.
    pub fn award(&self, id: &str) -> Result<Award, Error> {
        let id = normalize_id(id);
        self.store().award(&id).map_err(view)?.ok_or_else(|| {
            Error::not_found(
                format!("no award has the id {id}"),
                "find award ids with `honors award list` or `honors search TEXT`",
            )
        })
    }

    /// Every event of an award: its issue and every later statement about it.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEvent>, Error> {
        let a = self.award(id)?;
        self.history_of(&a)
    }

    fn history_of(&self, a: &Award) -> Result<Vec<HistoryEvent>, Error> {
        let mut out = Vec::new();
        for index in std::iter::once(a.index).chain(a.events.iter().copied()) {
            let entry = self.entry(index)?;
            let st = crate::statement::parse_signed(&entry.statement)
                .map_err(|e| Error::corrupt(format!("entry {index}: {e}")))?
                .0;
            let (event, reason) = match &st.statement.kind {
                crate::statement::Kind::Award {
                    previous: Some((rel, prev)),
                    reason,
                    ..
                } if *prev == a.id => (
                    format!(
                        "{}-by {}",
                        rel.as_str().trim_end_matches('s'),
                        st.statement.id
                    ),
                    reason.clone(),
                ),
                crate::statement::Kind::Award { reason, .. } => {
                    ("issued".to_string(), reason.clone())
                }
                crate::statement::Kind::Status { action, reason, .. } => {
                    (action.as_str().to_string(), Some(reason.clone()))
                }
                crate::statement::Kind::HolderEnd { kind, reason, .. } => {
                    (format!("holder-{}", kind.as_str()), Some(reason.clone()))
                }
                other => (other.label().to_string(), None),
            };
            out.push(HistoryEvent {
                index,
                time: format_utc_micros(entry.time),
                event,
                statement_id: st.statement.id.clone(),
                signer: st.statement.issuer_name.clone(),
                reason,
            });
        }
        Ok(out)
    }

    /// The log entry at `index`.
    pub fn entry(&self, index: u64) -> Result<Entry, Error> {
        let bytes = self
            .store()
            .entry(index)?
            .ok_or_else(|| Error::corrupt(format!("log entry {index} is missing")))?;
        Entry::parse(&bytes).map_err(|e| Error::corrupt(format!("log entry {index}: {e}")))
    }

    /// The exact signed credential of an award, as logged.
    pub fn award_credential(&self, id: &str) -> Result<Vec<u8>, Error> {
        let a = self.award(id)?;
        Ok(self.entry(a.index)?.statement)
    }

    /// Every authority (roots from the trust roots first, then accredited ones in log order).
    pub fn authorities(&self) -> Result<Vec<Authority>, Error> {
        let mut out: Vec<Authority> = self
            .roots
            .roots
            .iter()
            .map(|r| {
                self.store()
                    .authority(&r.id)
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| Authority::root(&r.id, &r.name, &r.did))
            })
            .collect();
        let mut rest: Vec<Authority> = self.store().all(T::Authorities, "authority")?;
        rest.retain(|a| !a.is_root);
        rest.sort_by_key(|a| a.since);
        out.extend(rest);
        Ok(out)
    }

    /// Every scheme, in log order.
    pub fn schemes(&self) -> Result<Vec<Scheme>, Error> {
        let mut s: Vec<Scheme> = self.store().all(T::Schemes, "scheme")?;
        s.sort_by_key(|x| x.index);
        Ok(s)
    }

    /// Every holder, in log order.
    pub fn holders(&self) -> Result<Vec<Holder>, Error> {
        let mut h: Vec<Holder> = self.store().all(T::Holders, "holder")?;
        h.sort_by_key(|x| x.index);
        Ok(h)
    }

    /// The number of entries in the log.
    pub fn size(&self) -> Result<u64, Error> {
        Ok(self.store().size()?)
    }

    /// The latest signed checkpoint note.
    pub fn checkpoint(&self) -> Result<Vec<u8>, Error> {
        self.store()
            .latest_checkpoint()?
            .ok_or_else(|| Error::corrupt("no checkpoint stored"))
    }

    /// Inclusion proof of entry `index` in the tree of `size` entries.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, Error> {
        let cur = self.size()?;
        if size > cur || index >= size {
            return Err(Error::usage(
                format!("no inclusion proof for entry {index} in a tree of size {size}: the log holds {cur} entries"),
                "the index must be below the size, and the size at most the log's size",
            ));
        }
        tlog::prove_inclusion(size, index, self.store()).map_err(|e| Error::corrupt(e.to_string()))
    }

    /// Inclusion proofs of several entries in the tree of `size` entries (the hashes they
    /// share are read once); `out[i]` is `inclusion_proof(indexes[i], size)`.
    pub fn inclusion_proofs(&self, indexes: &[u64], size: u64) -> Result<Vec<Vec<Hash>>, Error> {
        let cur = self.size()?;
        if let Some(&index) = indexes.iter().find(|&&i| size > cur || i >= size) {
            return Err(Error::usage(
                format!("no inclusion proof for entry {index} in a tree of size {size}: the log holds {cur} entries"),
                "the index must be below the size, and the size at most the log's size",
            ));
        }
        tlog::prove_inclusions(size, indexes, self.store())
            .map_err(|e| Error::corrupt(e.to_string()))
    }

    /// Consistency proof from tree size `old` to `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, Error> {
        let cur = self.size()?;
        if old > new || new > cur {
            return Err(Error::usage(
                format!(
                    "no consistency proof from size {old} to {new}: the log holds {cur} entries"
                ),
                "give OLD <= NEW <= the log's size",
            ));
        }
        tlog::prove_consistency(old, new, self.store()).map_err(|e| Error::corrupt(e.to_string()))
    }

    /// The root hash of the tree at `size`.
    pub fn root_at(&self, size: u64) -> Result<Hash, Error> {
        tlog::tree_hash(size, self.store()).map_err(|e| Error::corrupt(e.to_string()))
    }
}

/// Accepts a bare UUID where an `urn:uuid:` id is meant.
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    if !id.starts_with("urn:") && uuid::Uuid::parse_str(id).is_ok() {
        format!("urn:uuid:{}", id.to_lowercase())
    } else {
        id.to_string()
    }
}

fn view(e: crate::policy::ViewError) -> Error {
    Error::internal(format!("reading the store: {e}"))
}
