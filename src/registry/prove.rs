//! Building proof bundles: which log entries an award's verdict rests on, with their proofs.
//!
//! A verifier replays a bundle's entries through [`crate::policy::decide`] on an empty state, so
//! the bundle must hold every entry whose effects any of those decisions read. That set is
//! computed here as a closure over *records*, from the records' own lists of the entries that
//! changed them (`Award::index`/`events`, `Scheme::index`, `Holder::index`/`former_names`/`ended`,
//! `Authority::events`), and over what each kind of statement reads:
//!
//! | statement | reads |
//! | --- | --- |
//! | any | its signer (root or accredited authority, with all key events) and the signer's predecessors |
//! | accreditation | the child authority, every scheme it grants |
//! | award | its scheme, its holder, the award it renews or replaces and that award's issuer's successors and parents |
//! | status change | the award and its issuer's successors and parents |
//! | key revocation, succession | the authority concerned |
//! | holder rename or end | the holder |
//!
//! Each entry pulled in pulls in what it reads, until nothing changes. Entries later than the
//! award are included when they change a record the closure needs: harmless, as replaying them
//! is what the registry did too.

use std::collections::{BTreeSet, HashSet};

use super::Registry;
use crate::bundle::{encode_hashes, Bundle, Consistency, FORMAT};
use crate::error::Error;
use crate::policy::View;
use crate::statement::{logged_refs, Names};
use crate::tlog::{self, Checkpoint};

/// A record whose history a bundle must carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Rec {
    Authority(String),
    Scheme(String),
    Holder(String),
    Award(String),
}

impl Registry {
    /// The proof bundle of award `id` against the latest checkpoint.
    pub fn bundle(&self, id: &str) -> Result<Bundle, Error> {
        self.bundle_since(id, None)
    }

    /// The proof bundle of award `id`; with `since`, it also carries a consistency proof from
    /// that earlier tree size to the latest checkpoint (for `honors verify --status`).
    pub fn bundle_since(&self, id: &str, since: Option<u64>) -> Result<Bundle, Error> {
        let award = self.award(id)?;
        let note = self.checkpoint()?;
        let parsed = tlog::parse_note(&note)
            .map_err(|e| Error::corrupt(format!("latest checkpoint: {e}")))?;
        let cp = Checkpoint::parse(&parsed.text)
            .map_err(|e| Error::corrupt(format!("latest checkpoint: {e}")))?;
        let checkpoint = String::from_utf8(note)
            .map_err(|_| Error::corrupt("the latest checkpoint is not UTF-8"))?;
        let indexes: Vec<u64> = self.bundle_entries(&award.id)?.into_iter().collect();
        // All proofs at once (shared hashes read once); if that fails, entry by entry, so that
        // the error is the one of the first entry that fails, as it always was.
        let proofs = match indexes.iter().all(|&i| i < cp.size) {
            true => self.inclusion_proofs(&indexes, cp.size).ok(),
            false => None,
        };
        let mut entries = Vec::with_capacity(indexes.len());
        for (k, &index) in indexes.iter().enumerate() {
            if index >= cp.size {
                return Err(Error::corrupt(format!(
                    "entry {index} is beyond the latest checkpoint ({} entries)",
                    cp.size
                )));
            }
            let bytes = self
                .store()
                .entry(index)?
                .ok_or_else(|| Error::corrupt(format!("log entry {index} is missing")))?;
            let proof = match &proofs {
                Some(p) => p[k].clone(),
                None => self.inclusion_proof(index, cp.size)?,
            };
            entries.push(
                Bundle::entry(index, &bytes, &proof).map_err(|e| Error::corrupt(e.to_string()))?,
            );
        }
        let consistency = match since {
            None => None,
            Some(old) if old > cp.size => {
                return Err(Error::usage(
                    format!("--since {old} is beyond the latest checkpoint ({} entries)", cp.size),
                    "give the tree size of the checkpoint of the bundle you hold (its \"as of checkpoint N\")",
                ))
            }
            Some(old) => Some(Consistency { from_size: old, proof: encode_hashes(&self.consistency_proof(old, cp.size)?) }),
        };
        Ok(Bundle {
            format: FORMAT.into(),
            award: award.id,
            checkpoint,
            entries,
            consistency,
        })
    }

    /// The log indexes of every entry award `id`'s bundle must carry, in log order.
    pub fn bundle_entries(&self, id: &str) -> Result<BTreeSet<u64>, Error> {
        let mut entries = BTreeSet::new();
        let mut seen: HashSet<Rec> = HashSet::new();
        let mut recs = vec![Rec::Award(id.to_string())];
        let mut pending: Vec<u64> = Vec::new();
        loop {
            while let Some(rec) = recs.pop() {
                if seen.contains(&rec) {
                    continue;
                }
                for index in self.touches(&rec)? {
                    if entries.insert(index) {
                        pending.push(index);
                    }
                }
                seen.insert(rec);
            }
            let Some(index) = pending.pop() else { break };
            recs.extend(self.reads(index)?);
        }
        Ok(entries)
    }

    /// The entries that changed a record.
    fn touches(&self, rec: &Rec) -> Result<Vec<u64>, Error> {
        let store = self.store();
        Ok(match rec {
            Rec::Authority(id) => store
                .authority(id)
                .map_err(view)?
                .map(|a| a.events)
                .unwrap_or_default(),
            Rec::Scheme(id) => store
                .scheme(id)
                .map_err(view)?
                .map(|s| vec![s.index])
                .unwrap_or_default(),
            Rec::Holder(uscc) => match store.holder(uscc).map_err(view)? {
                Some(h) => std::iter::once(h.index)
                    .chain(h.former_names.iter().map(|(_, i)| *i))
                    .chain(h.ended.iter().map(|e| e.index))
                    .collect(),
                None => Vec::new(),
            },
            Rec::Award(id) => match store.award(id).map_err(view)? {
                Some(a) => std::iter::once(a.index)
                    .chain(a.events.iter().copied())
                    .collect(),
                None => Vec::new(),
            },
        })
    }

    /// The records that deciding the statement of entry `index` reads.
    fn reads(&self, index: u64) -> Result<Vec<Rec>, Error> {
        let entry = self.entry(index)?;
        let refs = logged_refs(&entry.statement)
            .map_err(|e| Error::corrupt(format!("entry {index}: {e}")))?;
        let store = self.store();
        let mut out = Vec::new();
        let signer = match self.roots.root_by_did(&refs.issuer_did) {
            Some(root) => Some(root.id.clone()),
            None => store.authority_of_key(&refs.issuer_did).map_err(view)?,
        };
        if let Some(s) = &signer {
            out.push(Rec::Authority(s.clone()));
            self.walk(s, |a| a.predecessor.clone(), &mut out)?;
        }
        match refs.names {
            Names::Accreditation { authority, schemes } => {
                out.push(Rec::Authority(authority));
                out.extend(schemes.into_iter().map(Rec::Scheme));
            }
            Names::Award {
                scheme,
                uscc,
                previous,
            } => {
                out.push(Rec::Scheme(scheme));
                out.push(Rec::Holder(uscc));
                if let Some(prev) = previous {
                    let p = store.award(&prev).map_err(view)?;
                    out.push(Rec::Award(prev));
                    if let Some(p) = p {
                        self.manage_chain(&p.issuer, &mut out)?;
                    }
                }
            }
            Names::Status { award } => {
                let a = store.award(&award).map_err(view)?;
                out.push(Rec::Award(award));
                if let Some(a) = a {
                    self.manage_chain(&a.issuer, &mut out)?;
                }
            }
            Names::CoIssue { award } => {
                let a = store.award(&award).map_err(view)?;
                out.push(Rec::Award(award));
                if let Some(a) = a {
                    out.push(Rec::Holder(a.uscc.clone()));
                }
            }
            Names::KeyRevocation { authority } => out.push(Rec::Authority(authority)),
            Names::Succession { predecessor } => out.push(Rec::Authority(predecessor)),
            Names::Holder { uscc } => out.push(Rec::Holder(uscc)),
            Names::Nothing => {}
        }
        Ok(out)
    }

    /// What `policy::may_manage` reads for awards of `issuer`: its successors and its parents.
    fn manage_chain(&self, issuer: &str, out: &mut Vec<Rec>) -> Result<(), Error> {
        out.push(Rec::Authority(issuer.to_string()));
        self.walk(
            issuer,
            |a| a.successor.as_ref().map(|(s, _)| s.clone()),
            out,
        )?;
        self.walk(issuer, |a| a.parent.clone(), out)
    }

    /// Follows `next` from authority `start` (at most 64 steps, as the policy does).
    fn walk(
        &self,
        start: &str,
        next: impl Fn(&crate::authority::Authority) -> Option<String>,
        out: &mut Vec<Rec>,
    ) -> Result<(), Error> {
        let mut cur = self
            .store()
            .authority(start)
            .map_err(view)?
            .and_then(|a| next(&a));
        for _ in 0..64 {
            let Some(id) = cur else { break };
            out.push(Rec::Authority(id.clone()));
            cur = self
                .store()
                .authority(&id)
                .map_err(view)?
                .and_then(|a| next(&a));
        }
        Ok(())
    }
}

fn view(e: crate::policy::ViewError) -> Error {
    Error::internal(format!("reading the store: {e}"))
}
