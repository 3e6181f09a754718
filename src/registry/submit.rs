//! Appending statements: verify, decide, append, extend the tree, sign, commit.
//!
//! A batch is decided statement by statement against the stored state plus the batch's
//! earlier effects ([`Overlay`]); refused statements get their own error and leave no trace;
//! the accepted ones are committed together with the new tree hashes and one checkpoint in a
//! single durable transaction (group commit: one fsync for the whole batch).

use jiff::Timestamp;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::Registry;
use crate::entry::Entry;
use crate::error::Error;
use crate::policy::{decide, Effect, PolicyError, Position};
use crate::state::Overlay;
use crate::statement::{parse_signed_with, SignedStatement};
use crate::store::trees::{award_key, hash_group_key, index_key, pair_key, T};
use crate::store::{codec, Store, Write};
use crate::text::search_terms;
use crate::time::{from_micros, micros};
use crate::tlog::{self, Checkpoint, Hash, HashReader, TlogError};

/// A statement the registry has logged.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Accepted {
    /// The statement's id (for an award, the award id).
    pub id: String,
    /// Its log index.
    pub index: u64,
    /// Its integration time.
    pub time: String,
    /// What kind of statement it was ("award", "suspend", ...).
    pub kind: &'static str,
    /// The tree size of the checkpoint that covers it.
    pub tree_size: u64,
    /// True if these exact bytes had been logged before (nothing new was appended).
    pub duplicate: bool,
}

impl Registry {
    /// Submits one signed statement; an error if it is refused.
    pub fn submit_one(&self, bytes: Vec<u8>, now: Timestamp) -> Result<Accepted, Error> {
        self.submit(vec![bytes], now)?
            .pop()
            .unwrap_or_else(|| Err(Error::internal("empty submit result")))
    }

    /// Submits a batch of signed statements. Each gets its own result; all accepted ones
    /// become durable together before this returns.
    pub fn submit(
        &self,
        batch: Vec<Vec<u8>>,
        now: Timestamp,
    ) -> Result<Vec<Result<Accepted, Error>>, Error> {
        self.submit_prepared(Prepared::new(batch), now)
    }

    /// Submits a batch that [`Prepared::new`] has parsed and signature-checked, so that a bulk
    /// writer can check the next batch while this one is decided and committed.
    pub fn submit_prepared(
        &self,
        prepared: Prepared,
        now: Timestamp,
    ) -> Result<Vec<Result<Accepted, Error>>, Error> {
        let signer = self
            .signer
            .get()
            .ok_or_else(|| Error::internal("the log key is locked: unlock it before writing"))?;
        let t0 = std::time::Instant::now();
        let Prepared { parsed, verify } = prepared;
        let t1 = verify;
        // 2. Decide each against the state so far (one writer at a time).
        let _writer = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let store = &self.store;
        let start = store.size()?;
        let last_us = store.last_time_us()?.unwrap_or(i64::MIN);
        let time = from_micros(micros(now).max(last_us));
        let mut overlay = Overlay::new(store);
        let mut results = Vec::with_capacity(parsed.len());
        let mut entries: Vec<Vec<u8>> = Vec::new();
        let mut writes: Vec<Write> = Vec::new();
        let mut seen: std::collections::HashMap<[u8; 32], u64> = std::collections::HashMap::new();
        let mut titles: std::collections::HashSet<String> = std::collections::HashSet::new();
        // What the in-memory search index must learn once the batch is durable.
        let indexed = self.search_index_enabled();
        let mut search_updates: Vec<super::search::Update> = Vec::new();
        for item in parsed {
            let signed = match item {
                Ok(s) => s,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let digest: [u8; 32] = Sha256::digest(&signed.bytes).into();
            let is_award = matches!(signed.statement.kind, crate::statement::Kind::Award { .. });
            let duplicate = |index: u64| {
                Ok(Accepted {
                    id: signed.statement.id.clone(),
                    index,
                    time: crate::time::format_utc_micros(time),
                    kind: signed.statement.kind.label(),
                    tree_size: 0,
                    duplicate: true,
                })
            };
            let earlier = match seen.get(&digest) {
                Some(i) => Some(*i),
                // Awards are found by id when the policy finds the id taken (below): one write
                // and one read less per award. Other statements are found by digest.
                None if is_award => None,
                None => store.statement_index(&digest)?,
            };
            if let Some(index) = earlier {
                results.push(duplicate(index));
                continue;
            }
            let index = start + entries.len() as u64;
            let pos = Position { index, time };
            let effects = match decide(&overlay, &self.roots, pos, &signed) {
                Ok(e) => e,
                Err(PolicyError::Exists {
                    what: "award",
                    index: logged,
                    ..
                }) if is_award && logged < start && self.logged_digest(logged)? == digest => {
                    results.push(duplicate(logged));
                    continue;
                }
                Err(e) => {
                    results.push(Err(e.into()));
                    continue;
                }
            };
            let entry = Entry {
                index,
                time,
                statement: signed.bytes.clone(),
            };
            let bytes = match entry.encode() {
                Ok(b) => b,
                Err(e) => {
                    results.push(Err(Error::input(e.to_string(), "shorten the statement")));
                    continue;
                }
            };
            overlay.pending.apply(&effects);
            for e in &effects {
                effect_writes(e, store, &mut titles, &mut writes)?;
            }
            if indexed {
                search_updates.extend(effects.iter().filter_map(super::search::Update::of));
            }
            if !is_award {
                writes.push(Write::put(
                    T::Statements,
                    digest.to_vec(),
                    index.to_be_bytes().to_vec(),
                ));
            }
            seen.insert(digest, index);
            entries.push(bytes);
            results.push(Ok(Accepted {
                id: signed.statement.id.clone(),
                index,
                time: crate::time::format_utc_micros(time),
                kind: signed.statement.kind.label(),
                tree_size: 0,
                duplicate: false,
            }));
        }
        if entries.is_empty() {
            let size = start;
            return Ok(results
                .into_iter()
                .map(|r| {
                    r.map(|a| Accepted {
                        tree_size: size.max(a.index + 1),
                        ..a
                    })
                })
                .collect());
        }

        let t2 = t0.elapsed();
        // 3. Extend the tree, sign the checkpoint, commit.
        let leaves: Vec<Hash> = entries.par_iter().map(|e| tlog::leaf_hash(e)).collect();
        let new_hashes = tlog::append_leaves(start, &leaves, store)
            .map_err(|e| Error::corrupt(e.to_string()))?;
        let new_size = start + entries.len() as u64;
        let first_stored = tlog::stored_hash_count(start);
        let reader = Pending {
            base: store,
            first: first_stored,
            new: &new_hashes,
        };
        let root = tlog::tree_hash(new_size, &reader).map_err(|e| Error::corrupt(e.to_string()))?;
        let checkpoint = Checkpoint {
            origin: self.config.origin.clone(),
            size: new_size,
            root,
            extensions: vec![],
        };
        let note = signer
            .sign(&checkpoint.to_text())
            .map_err(|e| Error::internal(e.to_string()))?;
        let packed: Vec<Write> = entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| Write::entry(start + i as u64, e))
            .collect();
        writes.extend(packed);
        hash_writes(start, new_size, &new_hashes, &mut writes);
        writes.push(Write::put(
            T::Meta,
            b"size".to_vec(),
            new_size.to_be_bytes().to_vec(),
        ));
        writes.push(Write::put(
            T::Meta,
            b"last_time_us".to_vec(),
            micros(time).to_be_bytes().to_vec(),
        ));
        writes.push(Write::put(
            T::Checkpoints,
            new_size.to_be_bytes().to_vec(),
            note.into_bytes(),
        ));
        let t3 = t0.elapsed();
        store.commit(&writes)?;
        self.update_search_index(search_updates);
        if std::env::var_os("HONORS_TIMING").is_some() {
            eprintln!(
                "submit {}: verify {:?} decide {:?} tree {:?} commit {:?} ({} writes)",
                results.len(),
                t1,
                t2,
                t3 - t2,
                t0.elapsed() - t3,
                writes.len()
            );
        }
        Ok(results
            .into_iter()
            .map(|r| {
                r.map(|a| Accepted {
                    tree_size: new_size,
                    ..a
                })
            })
            .collect())
    }
}

/// A batch of statements parsed and signature-checked, not yet decided: the part of a
/// submission that needs no lock (see [`Registry::submit_prepared`]).
pub struct Prepared {
    parsed: Vec<Result<SignedStatement, Error>>,
    verify: std::time::Duration,
}

impl Prepared {
    /// Parses every statement and verifies every signature, in parallel and in batches of up
    /// to 64 signatures (at least one batch per core for small submissions).
    pub fn new(batch: Vec<Vec<u8>>) -> Prepared {
        let t0 = std::time::Instant::now();
        let per_core = batch.len().div_ceil(rayon::current_num_threads().max(1));
        let parsed: Vec<Result<SignedStatement, Error>> = batch
            .into_par_iter()
            .chunks(per_core.clamp(1, 64))
            .flat_map_iter(|chunk| {
                let mut out: Vec<Result<SignedStatement, Error>> = Vec::with_capacity(chunk.len());
                let mut prepared = Vec::new();
                let mut slots = Vec::new();
                let mut keys = crate::credential::KeyMemo::default();
                for bytes in chunk {
                    match parse_signed_with(&bytes, &mut keys) {
                        Ok((signed, prep)) => {
                            slots.push(out.len());
                            prepared.push(prep);
                            out.push(Ok(signed));
                        }
                        Err(e) => out.push(Err(e.into())),
                    }
                }
                for (slot, result) in slots
                    .into_iter()
                    .zip(crate::credential::verify_batch(&prepared))
                {
                    if let Err(e) = result {
                        out[slot] = Err(crate::statement::StatementError::from(e).into());
                    }
                }
                out
            })
            .collect();

        Prepared {
            parsed,
            verify: t0.elapsed(),
        }
    }

    /// How many statements the batch holds.
    pub fn len(&self) -> usize {
        self.parsed.len()
    }

    /// True if the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty()
    }
}

/// The writes of the stored hashes created by appending leaves `start..end`: one value per
/// leaf, holding the hashes that appending it created (in stored-index order).
pub(crate) fn hash_writes(start: u64, end: u64, new_hashes: &[Hash], writes: &mut Vec<Write>) {
    let mut offset = 0usize;
    for leaf in start..end {
        let count = (tlog::stored_hash_count(leaf + 1) - tlog::stored_hash_count(leaf)) as usize;
        let group: Vec<u8> = new_hashes[offset..offset + count].concat();
        offset += count;
        writes.push(Write::put(T::Hashes, hash_group_key(leaf).to_vec(), group));
    }
}

/// Stored hashes: the committed ones, then the batch's new ones from index `first`.
pub(crate) struct Pending<'a> {
    pub base: &'a Store,
    pub first: u64,
    pub new: &'a [Hash],
}

impl HashReader for Pending<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&i| {
                if i >= self.first {
                    self.new
                        .get((i - self.first) as usize)
                        .copied()
                        .ok_or_else(|| TlogError::Storage {
                            message: format!("stored hash {i} is beyond the batch"),
                        })
                } else {
                    Ok(self.base.read_hashes(&[i])?[0])
                }
            })
            .collect()
    }
}

/// The store writes for one effect: the record and, for new awards and holders, the indexes.
/// Search bigrams are written once per distinct title (`titles` remembers this batch's).
pub(crate) fn effect_writes(
    e: &Effect,
    store: &Store,
    titles: &mut std::collections::HashSet<String>,
    w: &mut Vec<Write>,
) -> Result<(), Error> {
    let enc =
        |what, v: &dyn erased::Encode| v.encode(what).map_err(|e| Error::internal(e.to_string()));
    match e {
        Effect::Authority(a) => w.push(Write::put(
            T::Authorities,
            a.id.as_bytes().to_vec(),
            enc("authority", a)?,
        )),
        Effect::KeyOwner { did, authority } => w.push(Write::put(
            T::KeyOwner,
            did.as_bytes().to_vec(),
            authority.as_bytes().to_vec(),
        )),
        Effect::Scheme(s) => w.push(Write::put(
            T::Schemes,
            s.id.as_bytes().to_vec(),
            enc("scheme", s)?,
        )),
        Effect::Holder(h) => {
            w.push(Write::put(
                T::Holders,
                h.uscc.as_bytes().to_vec(),
                enc("holder", h)?,
            ));
            let tag = format!("h:{}", h.uscc);
            for term in search_terms(&h.name) {
                w.push(Write::put(T::ByText, pair_key(&term, &tag), Vec::new()));
            }
        }
        Effect::Award { award, new } => {
            // The statement parser refuses any other id form, so this cannot fail for a
            // decided award; it is checked all the same rather than stored under a wrong key.
            let id = &award.id;
            let not_an_id =
                || Error::internal(format!("award id {id} is not urn:uuid:<lowercase uuid>"));
            let key = award_key(id).ok_or_else(not_an_id)?;
            let index = |prefix: &str| index_key(prefix, id).ok_or_else(not_an_id);
            w.push(Write::put(T::Awards, key.to_vec(), enc("award", award)?));
            if *new {
                w.push(Write::put(T::ByHolder, index(&award.uscc)?, Vec::new()));
                w.push(Write::put(T::ByScheme, index(&award.scheme)?, Vec::new()));
                w.push(Write::put(T::ByIssuer, index(&award.issuer)?, Vec::new()));
                if let Some(year) = award.batch_year {
                    w.push(Write::put(T::ByYear, index(&year.to_string())?, Vec::new()));
                }
                if let Some(status_index) = award.status_index {
                    w.push(Write::put(
                        T::ByStatus,
                        crate::store::trees::status_key(&award.issuer, status_index),
                        key.to_vec(),
                    ));
                }
                let title_key = title_key(award);
                w.push(Write::put(T::ByTitle, index(&title_key)?, Vec::new()));
                if titles.insert(title_key.clone())
                    && store
                        .ids_with_prefix_first(T::ByTitle, &title_key)?
                        .is_none()
                {
                    let tag = format!("t:{title_key}");
                    for term in search_terms(&title_key) {
                        w.push(Write::put(T::ByText, pair_key(&term, &tag), Vec::new()));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The search key an award is found under: its title and sub-unit.
pub(crate) fn title_key(award: &crate::award::Award) -> String {
    title_key_of(&award.title, award.sub_unit.as_deref())
}

/// [`title_key`] from the title and sub-unit alone.
pub(crate) fn title_key_of(title: &str, sub_unit: Option<&str>) -> String {
    let mut text = title.to_string();
    if let Some(unit) = sub_unit {
        text.push(' ');
        text.push_str(unit);
    }
    crate::text::search_key(&text)
}

impl Registry {
    /// The SHA-256 of the statement logged at `index`.
    fn logged_digest(&self, index: u64) -> Result<[u8; 32], Error> {
        let entry = self.entry(index)?;
        Ok(Sha256::digest(&entry.statement).into())
    }
}

/// Object-safe encoding, so that one closure encodes every record type.
mod erased {
    pub trait Encode {
        fn encode(&self, what: &'static str) -> Result<Vec<u8>, super::codec::CodecError>;
    }
    impl<T: serde::Serialize> Encode for T {
        fn encode(&self, what: &'static str) -> Result<Vec<u8>, super::codec::CodecError> {
            super::codec::encode(what, self)
        }
    }
}
