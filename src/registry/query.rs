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

/// The tags a search matched, in walk order: the in-memory index's matches, or the store's.
trait Tags {
    fn len(&self) -> usize;
    fn get(&self, i: usize) -> &str;
    fn position(&self, tag: &str) -> Option<usize>;
}

impl Tags for Vec<&str> {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn get(&self, i: usize) -> &str {
        self[i]
    }
    fn position(&self, tag: &str) -> Option<usize> {
        self.iter().position(|t| *t == tag)
    }
}

impl Tags for super::search::Matches<'_> {
    fn len(&self) -> usize {
        super::search::Matches::len(self)
    }
    fn get(&self, i: usize) -> &str {
        super::search::Matches::get(self, i)
    }
    fn position(&self, tag: &str) -> Option<usize> {
        super::search::Matches::position(self, tag)
    }
}

/// One page of a search ([`Registry::search_page`]).
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// The page's awards, in log order.
    pub awards: Vec<AwardView>,
    /// How many awards matched: exactly, or at least this many when `complete` is false.
    pub total: usize,
    pub complete: bool,
    /// Where the next page starts, if there is one.
    pub next: Option<SearchCursor>,
}

/// Where a search page ended: the tag it was walking and the last award key it took. Shown to
/// clients as [`SearchCursor::encode`] (URL-safe base64 of tag ‖ 0x00 ‖ the 16 key bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCursor {
    tag: String,
    key: [u8; 16],
}

impl SearchCursor {
    pub fn encode(&self) -> String {
        use base64::Engine;
        let mut bytes = self.tag.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(&self.key);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn decode(text: &str) -> Result<Self, Error> {
        use base64::Engine;
        let bad = || {
            Error::usage(
                format!("the search cursor {text:?} is not one this registry gave"),
                "pass the `after` value of the previous page's Link header unchanged, or leave it out for the first page",
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad())?;
        let key = crate::store::trees::index_award_key(&bytes).ok_or_else(bad)?;
        let tag = std::str::from_utf8(&bytes[..bytes.len() - 17]).map_err(|_| bad())?;
        if !(tag.starts_with("h:") || tag.starts_with("t:")) {
            return Err(bad());
        }
        Ok(SearchCursor {
            tag: tag.to_string(),
            key,
        })
    }
}

/// Issuers, scheme titles and holder names read for views, so that a page of awards reads
/// each once.
#[derive(Default)]
struct Names {
    authorities: std::collections::HashMap<String, Option<Authority>>,
    schemes: std::collections::HashMap<String, String>,
    holders: std::collections::HashMap<String, Option<String>>,
}

impl Names {
    fn authority(&mut self, reg: &Registry, id: &str) -> Result<Option<&Authority>, Error> {
        if !self.authorities.contains_key(id) {
            let a = reg.store().authority(id).map_err(view)?;
            self.authorities.insert(id.to_string(), a);
        }
        Ok(self.authorities[id].as_ref())
    }
}

impl Registry {
    /// The view of one award at `now`.
    pub fn award_view(&self, a: &Award, now: jiff::Timestamp) -> Result<AwardView, Error> {
        self.award_view_with(a, now, &mut Names::default())
    }

    /// The views of several awards, reading each issuer, scheme and holder once.
    pub fn award_views<'a>(
        &self,
        awards: impl IntoIterator<Item = &'a Award>,
        now: jiff::Timestamp,
    ) -> Result<Vec<AwardView>, Error> {
        let mut names = Names::default();
        awards
            .into_iter()
            .map(|a| self.award_view_with(a, now, &mut names))
            .collect()
    }

    /// An award's status at `now` and why (its issuer read through `names`).
    fn status_with(
        &self,
        a: &Award,
        now: jiff::Timestamp,
        names: &mut Names,
    ) -> Result<(Status, String), Error> {
        let compromised = names
            .authority(self, &a.issuer)?
            .and_then(|x| x.key(&a.signer_did))
            .and_then(|k| k.compromised_at_us);
        Ok(status_at(a, micros(now), compromised))
    }

    fn award_view_with(
        &self,
        a: &Award,
        now: jiff::Timestamp,
        names: &mut Names,
    ) -> Result<AwardView, Error> {
        let store = self.store();
        let (status, reason) = self.status_with(a, now, names)?;
        let issuer = names.authority(self, &a.issuer)?;
        let issuer_name = issuer
            .map(|x| x.name.clone())
            .or_else(|| self.roots.root_by_id(&a.issuer).map(|r| r.name.clone()))
            .unwrap_or_else(|| a.issuer.clone());
        let holder_name = match names.holders.get(&a.uscc) {
            Some(n) => n.clone(),
            None => {
                let n = store.holder(&a.uscc).map_err(view)?.map(|h| h.name);
                names.holders.insert(a.uscc.clone(), n.clone());
                n
            }
        }
        .unwrap_or_else(|| a.holder_name.clone());
        let scheme = match names.schemes.get(&a.scheme) {
            Some(t) => t.clone(),
            None => {
                let t = store
                    .scheme(&a.scheme)
                    .map_err(view)?
                    .map(|s| s.title)
                    .unwrap_or_default();
                names.schemes.insert(a.scheme.clone(), t.clone());
                t
            }
        };
        let mut co_issuers = Vec::with_capacity(a.co_issuers.len());
        for id in &a.co_issuers {
            let name = names
                .authority(self, id)?
                .map(|x| x.name.clone())
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
        // Boxed: a held award is a pointer, an award not held costs nothing (an inline
        // `Option<Award>` made every slot award-sized: 1 M slots were over 300 MB).
        let mut found: Vec<(u64, [u8; 16], Option<Box<Award>>)> = Vec::new();
        // A page keeps only its `limit` earliest matches (a max-heap on the log index, so the
        // latest is dropped first) and counts the rest: a page of 200 of a million matches
        // holds 200 slots, not a million (32 MB, and twice that while the vector grew).
        let mut page: std::collections::BinaryHeap<(u64, [u8; 16])> =
            std::collections::BinaryHeap::new();
        let mut total = 0usize;
        // A status filter is decided on this first read, so that only matches are held and
        // loaded again (a status listing of a million awards read each award twice).
        let mut names = Names::default();
        let mut consider = |a: Award| -> Result<(), Error> {
            if !keep(&a) {
                return Ok(());
            }
            if let Some(s) = filter.status {
                if self.status_with(&a, now, &mut names)?.0 != s {
                    return Ok(());
                }
            }
            let key = crate::store::trees::award_key(&a.id).ok_or_else(|| {
                Error::internal(format!("stored award id {} is not urn:uuid", a.id))
            })?;
            total += 1;
            if hold {
                found.push((a.index, key, Some(Box::new(a))));
            } else if page.len() < limit {
                page.push((a.index, key));
            } else if page.peek().is_some_and(|&(latest, _)| a.index < latest) {
                page.pop();
                page.push((a.index, key));
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
        if hold {
            found.sort_unstable_by_key(|(index, _, _)| *index);
        } else {
            // Ascending: the page in log order.
            found.extend(
                page.into_sorted_vec()
                    .into_iter()
                    .map(|(i, k)| (i, k, None)),
            );
        }
        let mut out = Vec::new();
        let mut names = Names::default();
        for (_, key, held) in found.into_iter().take(limit) {
            let Some(a) = held.map_or_else(|| store.award_at(&key), |a| Ok(Some(*a)))? else {
                continue;
            };
            out.push(self.award_view_with(&a, now, &mut names)?);
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

    /// How many matching ids a limited search of the store collects at most before it stops
    /// counting (a server's in-memory index counts further).
    pub const SEARCH_COUNT_CAP: usize = 10_000;

    /// [`Registry::search`], returning at most `limit` awards (in log order) and how many
    /// matched: exactly, or (`false`) at least that many (see [`Registry::search_page`]).
    pub fn search_limited(
        &self,
        text: &str,
        now: jiff::Timestamp,
        limit: usize,
    ) -> Result<(Vec<AwardView>, usize, bool), Error> {
        let p = self.search_page(text, now, limit, None)?;
        Ok((p.awards, p.total, p.complete))
    }

    /// One page of a search: the awards whose title (with sub-unit) or holder name contains
    /// `text`, either script.
    ///
    /// Matches are found by *tag*: a title or a holder whose name contains the text. A search
    /// walks the matching tags in key order (holders by USCC, then titles), each tag's awards
    /// in id order, and an award under a matching holder is listed there and not again under
    /// its title; a page is the next `limit` awards of that walk after `after` (the previous
    /// page's [`SearchPage::next`]), shown in log order. So a common word costs a bounded
    /// number of reads per page.
    ///
    /// The total is exact, or (`complete == false`) a lower bound: the store is counted up to
    /// [`Self::SEARCH_COUNT_CAP`] awards; a server's in-memory index
    /// ([`Registry::enable_search_index`]) counts exactly when only titles or only holders
    /// matched, and otherwise up to the same cap. Both give the same tags, pages and cursors.
    pub fn search_page(
        &self,
        text: &str,
        now: jiff::Timestamp,
        limit: usize,
        after: Option<&SearchCursor>,
    ) -> Result<SearchPage, Error> {
        let key = search_key(text);
        if key.is_empty() {
            return Err(Error::usage(
                "the search text has no letters or characters in it",
                "search for part of a title or a hospital name, e.g. 三八红旗",
            ));
        }
        let terms = search_terms(text);
        let cap = Self::SEARCH_COUNT_CAP.max(limit);
        let indexed = loop {
            let found = self.with_search_index(|ix| {
                let m = ix.matches(&key, &terms);
                if !m.uncounted.is_empty() {
                    let tags: Vec<String> = m.uncounted.iter().map(|t| t.to_string()).collect();
                    return Ok::<_, Error>(Err(tags));
                }
                let tags = &m;
                let sum = m.under_titles.saturating_add(m.under_holders);
                let sum = usize::try_from(sum).unwrap_or(usize::MAX);
                let (total, complete) = if m.under_titles == 0 || m.under_holders == 0 {
                    // Titles alone or holders alone: no award is under two matching tags.
                    (sum, true)
                } else if sum <= cap {
                    // An award can be under a matching title and a matching holder: count
                    // the distinct ones, as the store does.
                    let all = self.distinct_keys((0..m.len()).map(|i| Ok(m.get(i))), usize::MAX)?;
                    (all, true)
                } else {
                    let bound = m.under_titles.max(m.under_holders);
                    (usize::try_from(bound).unwrap_or(usize::MAX), false)
                };
                let (awards, next) = self.walk_page(tags, limit, after)?;
                Ok(Ok((awards, next, total, complete)))
            });
            match found {
                None => break None,
                Some(Err(e)) => return Err(e),
                Some(Ok(Ok(found))) => break Some(found),
                Some(Ok(Err(uncounted))) => self.count_search_tags(&uncounted)?,
            }
        };
        let (mut awards, next, total, complete) = match indexed {
            Some(found) => found,
            None => {
                let tags = self
                    .stored_search_tags(&key, &terms)?
                    .collect::<Result<Vec<String>, Error>>()?;
                let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
                let found =
                    self.distinct_keys(tags.iter().map(|t| Ok(*t)), cap.saturating_add(1))?;
                let (awards, next) = self.walk_page(&tags, limit, after)?;
                (awards, next, found.min(cap), found <= cap)
            }
        };
        awards.sort_by_key(|a| a.index);
        Ok(SearchPage {
            awards: self.award_views(&awards, now)?,
            total,
            complete,
            next,
        })
    }

    /// The next `limit` awards after `after` walking `tags` (see [`Registry::search_page`]),
    /// and where the walk stopped if more follow.
    fn walk_page(
        &self,
        tags: &dyn Tags,
        limit: usize,
        after: Option<&SearchCursor>,
    ) -> Result<(Vec<Award>, Option<SearchCursor>), Error> {
        let store = self.store();
        // The matching holders, once the walk reaches a title (holders come first).
        let mut holders: Option<std::collections::HashSet<&str>> = None;
        let mut out: Vec<(Award, usize, [u8; 16])> = Vec::new();
        let mut start = match after {
            // A cursor of a tag that no longer matches starts nowhere: the page is empty.
            Some(c) => match tags.position(&c.tag) {
                Some(at) => at,
                None => tags.len(),
            },
            None => 0,
        };
        'tags: while start < tags.len() {
            let tag = tags.get(start);
            let (tree, value, by_title) = match (tag.strip_prefix("h:"), tag.strip_prefix("t:")) {
                (Some(uscc), _) => (T::ByHolder, uscc, false),
                (_, Some(title)) => (T::ByTitle, title, true),
                _ => {
                    start += 1;
                    continue;
                }
            };
            let from = after.filter(|c| c.tag == tag).map(|c| c.key);
            for key in store.award_keys_after(tree, value, from.as_ref()) {
                let key = key?;
                let Some(a) = store.award_at(&key)? else {
                    continue;
                };
                if by_title
                    && holders
                        .get_or_insert_with(|| {
                            (0..tags.len())
                                .filter_map(|i| tags.get(i).strip_prefix("h:"))
                                .collect()
                        })
                        .contains(a.uscc.as_str())
                {
                    continue;
                }
                out.push((a, start, key));
                // One past the page tells whether another page follows.
                if out.len() > limit {
                    break 'tags;
                }
            }
            start += 1;
        }
        let next = if out.len() > limit {
            out.truncate(limit);
            out.last().map(|(_, at, key)| SearchCursor {
                tag: tags.get(*at).to_string(),
                key: *key,
            })
        } else {
            None
        };
        Ok((out.into_iter().map(|(a, _, _)| a).collect(), next))
    }

    /// The search tags (`t:` title key, `h:` USCC) whose text contains `key`, from the store,
    /// in key order, each checked when the walk reaches it. Candidates are the tags under every
    /// search term: the rarest term's list is read (each list is probed up to PROBE keys to
    /// find it) and the others are checked by point lookups, so a common term (医院, 全国, 先进)
    /// costs at most PROBE reads instead of a scan of every tag that contains it.
    fn stored_search_tags<'a>(
        &'a self,
        key: &'a str,
        terms: &[String],
    ) -> Result<impl Iterator<Item = Result<String, Error>> + 'a, Error> {
        const PROBE: usize = 256;
        let store = self.store();
        let probed: Vec<(usize, &String)> = terms
            .iter()
            .map(|t| (store.count_prefix(T::ByText, &pair_prefix(t), PROBE), t))
            .collect();
        let mut candidates: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        if let Some(&(_, rarest)) = probed.iter().min_by_key(|(n, _)| *n) {
            candidates = store
                .keys_with_prefix(T::ByText, &pair_prefix(rarest))?
                .iter()
                .filter_map(|k| pair_id(k).map(str::to_string))
                .collect();
            for term in terms.iter().filter(|t| *t != rarest) {
                let mut keep = std::collections::BTreeSet::new();
                for tag in candidates {
                    if store
                        .get(T::ByText, &crate::store::trees::pair_key(term, &tag))?
                        .is_some()
                    {
                        keep.insert(tag);
                    }
                }
                candidates = keep;
            }
        }
        let matches = move |tag: &str| -> Result<bool, Error> {
            if let Some(uscc) = tag.strip_prefix("h:") {
                let holder = store.holder(uscc).map_err(view)?;
                Ok(holder.is_some_and(|h| {
                    std::iter::once(&h.name)
                        .chain(h.former_names.iter().map(|(n, _)| n))
                        .any(|n| search_key(n).contains(key))
                }))
            } else {
                Ok(tag
                    .strip_prefix("t:")
                    .is_some_and(|title| title.contains(key)))
            }
        };
        Ok(candidates
            .into_iter()
            .filter_map(move |tag| match matches(&tag) {
                Ok(true) => Some(Ok(tag)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }))
    }

    /// How many distinct awards are under `tags`, counting at most `want`.
    fn distinct_keys<'t>(
        &self,
        tags: impl Iterator<Item = Result<&'t str, Error>>,
        want: usize,
    ) -> Result<usize, Error> {
        let store = self.store();
        let mut seen = std::collections::HashSet::new();
        for tag in tags {
            if seen.len() >= want {
                break;
            }
            let tag = tag?;
            let (tree, value) = match (tag.strip_prefix("h:"), tag.strip_prefix("t:")) {
                (Some(uscc), _) => (T::ByHolder, uscc),
                (_, Some(title)) => (T::ByTitle, title),
                _ => continue,
            };
            for key in store.award_keys_after(tree, value, None) {
                if seen.len() >= want {
                    break;
                }
                seen.insert(key?);
            }
        }
        Ok(seen.len())
    }

    /// Looks up an award, authority, scheme (by `urn:uuid:` id or bare uuid) or holder (by USCC).
    pub fn show(&self, id: &str, now: jiff::Timestamp) -> Result<Found, Error> {
        let store = self.store();
        if let Ok(uscc) = id.parse::<crate::id::Uscc>() {
            if let Some(holder) = store.holder(uscc.as_str()).map_err(view)? {
                let mut awards = store.awards_of_holder(uscc.as_str()).map_err(view)?;
                awards.sort_by_key(|a| a.index);
                let awards = self.award_views(&awards, now)?;
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
