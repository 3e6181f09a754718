//! The search index a long-running server keeps in memory (`honors serve`).
//!
//! Search finds awards whose title (with sub-unit) or holder name contains the query. The store
//! answers that from `by_text/v1`: the query's character bigrams name candidate *tags* (a
//! title search key, `t:…`, or a holder, `h:USCC`), each candidate is checked, and the awards
//! under the matching tags are read from `by_title/v2` and `by_holder/v2`. For a common word at
//! a million awards that is thousands of tag keys, holder records and award keys per query
//! (10–50 ms), most of it only to count the matches.
//!
//! This index holds the same tags in memory with what they match, so a query reads nothing from
//! the store to find its tags. How many awards are under a tag is counted from the store once
//! (by a background thread after start, or by the first query that needs it) and then kept and
//! incremented by later awards, so a common word costs only its page. At a million awards it is about 37,000 holder tags and a
//! few hundred title tags: a few megabytes. It is built at start from the holder records and one
//! seek per distinct title (about 0.2 s at a million awards, under the registry's write lock),
//! and kept up to date by every write of this process, which is the only writer while it holds
//! the store.
//!
//! The answer is the store's answer: the same tags in the same order, the same page (a test
//! compares the two through the binary). The total is exact where the store's is, and beyond
//! the store's count cap too when only titles or only holder names matched; when both matched,
//! an award can be under one of each and the index does not know which, so past the cap it
//! gives the larger of the two sums as a lower bound, as the store does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::Registry;
use crate::error::Error;
use crate::policy::Effect;
use crate::store::trees::T;
use crate::text::search_key;

/// A tag's award count before anything has counted it.
const UNCOUNTED: u64 = u64::MAX;

/// A tag: what a query's bigrams point to (`t:` + a title's search key, or `h:` + a USCC).
#[derive(Debug)]
struct Tag {
    /// `t:<title search key>` or `h:<USCC>`, as in `by_text/v1`.
    key: String,
    /// The search keys a query must be a substring of: the title key, or the holder's
    /// current and former names.
    texts: Vec<String>,
    /// Awards under the tag (`by_title/v2` or `by_holder/v2`), or [`UNCOUNTED`].
    awards: AtomicU64,
}

/// The tags of every title and holder, with bigram postings and (once counted) award counts.
#[derive(Debug, Default)]
pub(crate) struct SearchIndex {
    tags: Vec<Tag>,
    by_key: HashMap<String, u32>,
    /// Search term (bigram) → positions of the tags whose texts contain it, ascending.
    postings: HashMap<String, Vec<u32>>,
    /// Search key → positions of the tags it matched, for repeated queries. Emptied whenever a
    /// tag or a tag's texts change (a new title or holder, a rename), not by new awards.
    memo: std::sync::Mutex<Memo>,
    /// Bumped by every change of a tag's count, so that remembered sums are known stale.
    counts: AtomicU64,
    /// Every tag has been counted ([`Registry::count_search_index`] finished); new tags are
    /// counted as they come, so it stays so.
    ready: std::sync::atomic::AtomicBool,
}

/// Matched tag positions per search key, at most [`MEMO_POSITIONS`] positions in all, with
/// their award sums as of a [`SearchIndex::counts`] version.
#[derive(Debug, Default)]
struct Memo {
    found: HashMap<String, (Arc<Vec<u32>>, Option<Sums>)>,
    positions: usize,
}

/// The awards under a query's title tags and holder tags, as of counts version `version`.
#[derive(Debug, Clone, Copy)]
struct Sums {
    version: u64,
    titles: u64,
    holders: u64,
}

/// How many matched tag positions the memo holds at most (4 bytes each).
const MEMO_POSITIONS: usize = 1 << 20;

/// What a query matched: tags in index order (the walk order: [`Matches::len`],
/// [`Matches::get`]), and how many awards are under the matching title tags and under the
/// matching holder tags (an award can be under one of each).
#[derive(Debug)]
pub(crate) struct Matches<'a> {
    ix: &'a SearchIndex,
    positions: Arc<Vec<u32>>,
    pub under_titles: u64,
    pub under_holders: u64,
    /// Matching tags whose awards were never counted.
    pub uncounted: Vec<&'a str>,
}

impl SearchIndex {
    /// An index of `holders` (USCC, search keys of current and former names) and `titles`
    /// (title search keys), each in key order: tags are numbered in key order (all `h:` before
    /// all `t:`), the order in which the store path walks them.
    pub fn new(holders: Vec<(String, Vec<String>)>, titles: Vec<String>) -> Self {
        let mut ix = SearchIndex::default();
        for (uscc, names) in holders {
            ix.push(format!("h:{uscc}"), names);
        }
        for title in titles {
            ix.push(format!("t:{title}"), vec![title]);
        }
        ix
    }

    /// Adds a tag at the end (a new tag after the start sorts after the others).
    fn push(&mut self, key: String, texts: Vec<String>) -> u32 {
        let at = u32::try_from(self.tags.len()).expect("fewer than 2^32 tags");
        self.by_key.insert(key.clone(), at);
        self.tags.push(Tag {
            key,
            texts: Vec::new(),
            awards: AtomicU64::new(UNCOUNTED),
        });
        self.set_texts(at, texts);
        at
    }

    /// Sets a tag's texts and posts it under each of their terms (terms are never withdrawn,
    /// as in the store: a former name stays findable).
    fn set_texts(&mut self, at: u32, texts: Vec<String>) {
        for text in &texts {
            for term in crate::text::search_terms(text) {
                let list = self.postings.entry(term).or_default();
                if let Err(pos) = list.binary_search(&at) {
                    list.insert(pos, at);
                }
            }
        }
        self.tags[at as usize].texts = texts;
        *self.memo.get_mut().unwrap_or_else(|p| p.into_inner()) = Memo::default();
    }

    /// A holder was registered or renamed: `names` are the search keys of its current and
    /// former names.
    pub fn holder(&mut self, uscc: &str, names: Vec<String>) {
        let key = format!("h:{uscc}");
        match self.by_key.get(&key) {
            Some(&at) => self.set_texts(at, names),
            None => {
                self.push(key, names);
            }
        }
    }

    /// A new award was logged under `title` (its search key with sub-unit) for `uscc`.
    pub fn award(&mut self, title: &str, uscc: &str) {
        let t = match self.by_key.get(&format!("t:{title}")) {
            Some(&t) => t,
            None => {
                let t = self.push(format!("t:{title}"), vec![title.to_string()]);
                self.tags[t as usize].awards.store(0, Ordering::Relaxed);
                t
            }
        };
        let mut tags = vec![t];
        // Awards of a holder without a record are not found by holder (as in the store).
        tags.extend(self.by_key.get(&format!("h:{uscc}")).copied());
        for at in tags {
            let awards = &self.tags[at as usize].awards;
            let n = awards.load(Ordering::Relaxed);
            if n != UNCOUNTED {
                awards.store(n + 1, Ordering::Relaxed);
            }
        }
        self.counts.fetch_add(1, Ordering::Release);
    }

    /// The tags whose texts contain `key` (a search key; `terms` are its bigrams), in index
    /// order, with the awards under them. Tags never counted yet are listed in
    /// `uncounted` (and add nothing to the sums): count them with [`Self::set_count`] and ask
    /// again.
    pub fn matches(&self, key: &str, terms: &[String]) -> Matches<'_> {
        let (positions, sums) = self.positions(key, terms);
        let version = self.counts.load(Ordering::Acquire);
        let mut out = Matches {
            ix: self,
            positions,
            under_titles: 0,
            under_holders: 0,
            uncounted: Vec::new(),
        };
        if let Some(s) = sums.filter(|s| s.version == version) {
            (out.under_titles, out.under_holders) = (s.titles, s.holders);
            return out;
        }
        for &at in out.positions.iter() {
            let tag = &self.tags[at as usize];
            match tag.awards.load(Ordering::Relaxed) {
                UNCOUNTED => out.uncounted.push(&tag.key),
                n if tag.key.starts_with("h:") => out.under_holders += n,
                n => out.under_titles += n,
            }
        }
        if out.uncounted.is_empty() {
            let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, sums)) = memo.found.get_mut(key) {
                *sums = Some(Sums {
                    version,
                    titles: out.under_titles,
                    holders: out.under_holders,
                });
            }
        }
        out
    }

    /// The positions of the tags whose texts contain `key`, ascending: remembered, or found by
    /// intersecting the terms' postings and checking each candidate's texts.
    fn positions(&self, key: &str, terms: &[String]) -> (Arc<Vec<u32>>, Option<Sums>) {
        if let Some((found, sums)) = self
            .memo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .found
            .get(key)
        {
            return (found.clone(), *sums);
        }
        let mut lists: Vec<&Vec<u32>> = Vec::with_capacity(terms.len());
        for term in terms {
            match self.postings.get(term) {
                Some(list) => lists.push(list),
                None => {
                    lists.clear();
                    break;
                }
            }
        }
        lists.sort_by_key(|l| l.len());
        let found: Vec<u32> = match lists.split_first() {
            Some((first, rest)) => first
                .iter()
                .copied()
                .filter(|at| rest.iter().all(|l| l.binary_search(at).is_ok()))
                .filter(|&at| self.tags[at as usize].texts.iter().any(|t| t.contains(key)))
                .collect(),
            None => Vec::new(),
        };
        let found = Arc::new(found);
        let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        if memo.positions + found.len() > MEMO_POSITIONS {
            *memo = Memo::default();
        }
        if found.len() <= MEMO_POSITIONS {
            memo.positions += found.len();
            memo.found.insert(key.to_string(), (found.clone(), None));
        }
        (found, None)
    }

    /// Records how many awards the store holds under a tag that was [`Matches::uncounted`].
    /// The caller must hold the registry's write lock while it counts and sets, so that no
    /// write is in the store and not yet in the index.
    pub fn set_count(&self, tag: &str, awards: u64) {
        if let Some(&at) = self.by_key.get(tag) {
            let _ = self.tags[at as usize].awards.compare_exchange(
                UNCOUNTED,
                awards,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
            self.counts.fetch_add(1, Ordering::Release);
        }
    }

    /// Whether `tag` is in the index and has never been counted.
    pub fn is_uncounted(&self, tag: &str) -> bool {
        self.by_key
            .get(tag)
            .is_some_and(|&at| self.tags[at as usize].awards.load(Ordering::Relaxed) == UNCOUNTED)
    }

    /// Up to `n` tags whose awards were never counted, in index order.
    pub fn uncounted(&self, n: usize) -> Vec<String> {
        self.tags
            .iter()
            .filter(|t| t.awards.load(Ordering::Relaxed) == UNCOUNTED)
            .take(n)
            .map(|t| t.key.clone())
            .collect()
    }

    /// How many tags the index holds.
    pub fn len(&self) -> usize {
        self.tags.len()
    }
}

impl<'a> Matches<'a> {
    /// How many tags matched.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// The `i`-th matching tag's key, in walk order.
    pub fn get(&self, i: usize) -> &'a str {
        &self.ix.tags[self.positions[i] as usize].key
    }

    /// Where `tag` is among the matches.
    pub fn position(&self, tag: &str) -> Option<usize> {
        let at = *self.ix.by_key.get(tag)?;
        self.positions.binary_search(&at).ok()
    }

    /// Every matching tag's key, in walk order.
    #[cfg(test)]
    pub fn tags(&self) -> Vec<&'a str> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }
}

/// What a logged effect changes in the index.
#[derive(Debug)]
pub(crate) enum Update {
    Holder { uscc: String, names: Vec<String> },
    Award { title: String, uscc: String },
}

impl Update {
    pub fn of(e: &Effect) -> Option<Update> {
        match e {
            Effect::Holder(h) => Some(Update::Holder {
                uscc: h.uscc.clone(),
                names: holder_names(h),
            }),
            Effect::Award { award, new: true } => Some(Update::Award {
                title: super::submit::title_key(award),
                uscc: award.uscc.clone(),
            }),
            _ => None,
        }
    }
}

/// The search keys of a holder's current and former names.
fn holder_names(h: &crate::authority::Holder) -> Vec<String> {
    std::iter::once(&h.name)
        .chain(h.former_names.iter().map(|(n, _)| n))
        .map(|n| search_key(n))
        .collect()
}

impl Registry {
    /// Builds the in-memory search index from the store (a server calls this once at start),
    /// holding the write lock so that no write slips between the build and the first update.
    /// Returns how many tags it holds.
    pub fn enable_search_index(&self) -> Result<usize, Error> {
        let _writer = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let store = self.store();
        let mut holders = Vec::new();
        for h in store.records::<crate::authority::Holder>(T::Holders, "holder") {
            let h = h?;
            let names = holder_names(&h);
            holders.push((h.uscc, names));
        }
        let titles = store.index_values(T::ByTitle)?;
        let ix = SearchIndex::new(holders, titles);
        let tags = ix.len();
        *self.search.write().unwrap_or_else(|p| p.into_inner()) = Some(ix);
        Ok(tags)
    }

    /// Whether [`Registry::enable_search_index`] has run.
    pub(crate) fn search_index_enabled(&self) -> bool {
        self.search
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Applies a durable batch's updates (the caller holds the write lock).
    pub(crate) fn update_search_index(&self, updates: Vec<Update>) {
        if updates.is_empty() {
            return;
        }
        let mut guard = self.search.write().unwrap_or_else(|p| p.into_inner());
        if let Some(ix) = guard.as_mut() {
            for u in updates {
                match u {
                    Update::Holder { uscc, names } => {
                        ix.holder(&uscc, names);
                        // A new holder is counted at once (the batch is in the store and the
                        // caller holds the write lock), so a counted index stays counted.
                        let tag = format!("h:{uscc}");
                        if ix.is_uncounted(&tag) {
                            let prefix = crate::store::trees::pair_prefix(&uscc);
                            let n = self
                                .store()
                                .count_prefix(T::ByHolder, &prefix, usize::MAX - 1);
                            ix.set_count(&tag, n as u64);
                        }
                    }
                    Update::Award { title, uscc } => ix.award(&title, &uscc),
                }
            }
        }
    }

    /// Whether every tag of the in-memory index has been counted, so that no search needs
    /// to count in the store (a small page is then answered without leaving the async worker).
    pub fn search_index_ready(&self) -> bool {
        self.with_search_index(|ix| ix.ready.load(Ordering::Acquire))
            .unwrap_or(false)
    }

    /// Counts the awards under tags the index has not counted yet, holding the write lock so
    /// that every write in the store is also in the index (see [`SearchIndex::set_count`]).
    pub(crate) fn count_search_tags(&self, tags: &[String]) -> Result<(), Error> {
        // A few hundred tags per hold of the lock, so that a write waits a few milliseconds
        // at most, even behind the first query of a word in ten thousand hospital names.
        for chunk in tags.chunks(256) {
            let _writer = self
                .write_lock
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let store = self.store();
            let mut counted = Vec::with_capacity(chunk.len());
            for tag in chunk {
                let (tree, value) = match (tag.strip_prefix("h:"), tag.strip_prefix("t:")) {
                    (Some(uscc), _) => (T::ByHolder, uscc),
                    (_, Some(title)) => (T::ByTitle, title),
                    _ => continue,
                };
                let prefix = crate::store::trees::pair_prefix(value);
                counted.push((
                    tag,
                    store.count_prefix(tree, &prefix, usize::MAX - 1) as u64,
                ));
            }
            self.with_search_index(|ix| {
                for (tag, n) in counted {
                    ix.set_count(tag, n);
                }
            });
        }
        Ok(())
    }

    /// Counts every tag's awards ahead of the queries that would need them, a few hundred tags
    /// per hold of the write lock so that writes wait at most a few milliseconds. A server runs
    /// this on a thread of its own after start (about 5 s at a million awards); until then a
    /// query counts what it needs itself. Returns how many tags it counted.
    pub fn count_search_index(&self) -> Result<usize, Error> {
        let mut counted = 0;
        loop {
            let tags = self
                .with_search_index(|ix| ix.uncounted(256))
                .unwrap_or_default();
            if tags.is_empty() {
                self.with_search_index(|ix| ix.ready.store(true, Ordering::Release));
                return Ok(counted);
            }
            self.count_search_tags(&tags)?;
            counted += tags.len();
        }
    }

    /// Runs `f` with the in-memory search index; `None` when there is none. Writers wait
    /// while `f` runs, so it should only read.
    pub(crate) fn with_search_index<R>(&self, f: impl FnOnce(&SearchIndex) -> R) -> Option<R> {
        let guard = self.search.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::search_terms;

    /// Awards per tag in the sample: A 2, B 2, C 1, 三级甲等医院 3, 郑州市文明单位 2.
    fn stored(tag: &str) -> u64 {
        match tag {
            "h:A" | "h:B" | "t:郑州市文明单位" => 2,
            "h:C" => 1,
            "t:三级甲等医院" => 3,
            _ => 0,
        }
    }

    /// A query as the registry asks it: count what was never counted, then ask again.
    fn query<'a>(ix: &'a SearchIndex, q: &str) -> Matches<'a> {
        let (key, terms) = (search_key(q), search_terms(q));
        for tag in ix.matches(&key, &terms).uncounted {
            ix.set_count(tag, stored(tag));
        }
        let m = ix.matches(&key, &terms);
        assert!(m.uncounted.is_empty());
        m
    }

    fn sample() -> SearchIndex {
        // Two hospitals in 郑州, one in 成都; a title that also names 郑州.
        SearchIndex::new(
            vec![
                ("A".into(), vec![search_key("郑州市人民医院")]),
                ("B".into(), vec![search_key("郑州市中医院")]),
                ("C".into(), vec![search_key("成都市人民医院")]),
            ],
            vec!["三级甲等医院".into(), "郑州市文明单位".into()],
        )
    }

    #[test]
    fn finds_tags_in_key_order_with_the_awards_under_each_kind() {
        let ix = sample();
        let m = query(&ix, "郑州");
        assert_eq!(m.tags(), vec!["h:A", "h:B", "t:郑州市文明单位"]);
        assert_eq!((m.under_holders, m.under_titles), (4, 2));
        let m = query(&ix, "人民医院");
        assert_eq!(m.tags(), vec!["h:A", "h:C"]);
        assert_eq!((m.under_holders, m.under_titles), (3, 0));
        let m = query(&ix, "医院");
        assert_eq!((m.under_holders, m.under_titles), (5, 3));
    }

    #[test]
    fn bigrams_must_be_contiguous_and_traditional_finds_simplified() {
        let ix = sample();
        // 郑州 and 医院 are both in 郑州市人民医院, but not as 郑州医院.
        assert!(query(&ix, "郑州医院").tags().is_empty());
        assert_eq!(query(&ix, "鄭州市人民醫院").tags(), vec!["h:A"]);
        assert!(query(&ix, "五一劳动奖状").tags().is_empty());
    }

    #[test]
    fn counts_once_then_follows_later_awards_and_renames() {
        let ix = sample();
        let (key, terms) = (search_key("郑州"), search_terms("郑州"));
        let first = ix.matches(&key, &terms);
        assert_eq!(first.uncounted, vec!["h:A", "h:B", "t:郑州市文明单位"]);
        assert_eq!((first.under_holders, first.under_titles), (0, 0));
        assert_eq!(query(&ix, "郑州").under_holders, 4);
        // Counted once: a second count is ignored, nothing is left uncounted.
        ix.set_count("h:A", 99);
        let m = ix.matches(&key, &terms);
        assert!(m.uncounted.is_empty());
        assert_eq!((m.under_holders, m.under_titles), (4, 2));

        let mut ix = ix;
        ix.award("郑州市文明单位", "A");
        ix.award("国家临床重点专科 心血管内科", "D");
        let m = query(&ix, "郑州");
        assert_eq!((m.under_holders, m.under_titles), (5, 3));
        // A new title is counted from its first award on.
        let m = ix.matches(&search_key("心血管"), &search_terms("心血管"));
        assert!(m.uncounted.is_empty());
        assert_eq!(m.tags(), vec!["t:国家临床重点专科 心血管内科"]);
        assert_eq!(m.under_titles, 1);
        // D had no holder record: its name is unknown until it is registered.
        assert!(query(&ix, "洛阳").tags().is_empty());
        ix.holder("D", vec![search_key("洛阳市中心医院")]);
        assert_eq!(query(&ix, "洛阳").tags(), vec!["h:D"]);
        // A rename keeps the former name findable.
        ix.holder(
            "C",
            vec![
                search_key("成都市第一人民医院"),
                search_key("成都市人民医院"),
            ],
        );
        assert_eq!(query(&ix, "成都市第一").tags(), vec!["h:C"]);
        assert_eq!(query(&ix, "成都市人民").tags(), vec!["h:C"]);
        assert_eq!(ix.len(), 7);
    }
}
