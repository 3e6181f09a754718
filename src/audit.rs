//! Audit: replay the whole log through the same pure checks the registry uses.
//!
//! [`replay`] is a fold over the entries, in order: each entry must parse, sit at its own
//! index, carry an integration time no earlier than the one before, hold a statement whose
//! signature verifies (checked in parallel, in batches) and which [`crate::policy::decide`]
//! accepts against the state replayed so far. The leaves are hashed into a fresh Merkle tree
//! and every signed checkpoint given must verify with a trusted log key and match the
//! recomputed root at its size. Each problem is a [`Finding`] naming the entry index, what was
//! expected and what was found; a replay never stops at the first one.
//!
//! The caller supplies the entries ([`EntrySource`]: the live store, or tiles) and compares
//! what the replay derived with what is stored (see `Registry::audit`).

use rayon::prelude::*;
use serde::Serialize;

use crate::entry::Entry;
use crate::policy::{decide, Position};
use crate::state::MemoryState;
use crate::statement::{parse_signed_with, SignedStatement};
use crate::tlog::{self, Hash, MemoryHashStore};
use crate::trust::TrustRoots;

/// One thing the audit found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The log entry concerned, if the finding is about one.
    pub index: Option<u64>,
    /// Which check failed: `entry`, `order`, `time`, `signature`, `policy`, `checkpoint`, `tree`, `state`, `index`…
    pub check: String,
    pub expected: String,
    pub found: String,
}

impl Finding {
    pub fn new(
        index: Option<u64>,
        check: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Finding {
            index,
            check: check.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// The audit's result (`honors audit --json`).
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// Entries replayed.
    pub entries: u64,
    /// Size of the latest verified checkpoint.
    pub tree_size: u64,
    /// Checkpoints verified against the recomputed tree.
    pub checkpoints: u64,
    pub findings: Vec<Finding>,
}

/// Where the entries come from.
pub trait EntrySource: Sync {
    /// How many entries there are.
    fn count(&self) -> Result<u64, String>;
    /// The entry bytes in `[start, end)`, in order (fewer if some are missing: each is reported).
    fn read(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, String>;
}

/// What a replay built: findings, the derived state and the recomputed tree.
pub struct Replay {
    pub report: AuditReport,
    pub state: MemoryState,
    pub tree: MemoryHashStore,
    pub leaf_count: u64,
}

const CHUNK: u64 = 4096;

/// Replays every entry of `source` and checks `checkpoints` (tree size, signed note) against it.
pub fn replay(
    source: &dyn EntrySource,
    trust: &TrustRoots,
    checkpoints: &[(u64, Vec<u8>)],
    progress: &dyn Fn(u64, u64),
) -> Replay {
    let mut findings = Vec::new();
    let mut state = MemoryState::default();
    let mut tree = MemoryHashStore::default();
    let total = match source.count() {
        Ok(n) => n,
        Err(e) => {
            findings.push(Finding::new(None, "source", "a readable log", e));
            0
        }
    };
    let mut leaves = 0u64;
    let mut last_time: Option<jiff::Timestamp> = None;
    // A two-stage pipeline over chunks of CHUNK entries: while one chunk is replayed in order
    // (tree append, policy decision: one thread), the next is read, parsed, hashed and
    // signature-checked in parallel.
    let fetch = |start: u64| -> Option<(u64, u64, Result<Vec<Checked>, Finding>)> {
        (start < total).then(|| {
            let end = (start + CHUNK).min(total);
            let checked = source
                .read(start, end)
                .map(|chunk| {
                    chunk
                        .into_par_iter()
                        .chunks(64)
                        .flat_map_iter(check_entries)
                        .collect()
                })
                .map_err(|e| {
                    Finding::new(Some(start), "source", format!("entries {start}..{end}"), e)
                });
            (start, end, checked)
        })
    };
    let mut next = fetch(0);
    while let Some((start, end, checked)) = next.take() {
        let checked = match checked {
            Ok(c) => c,
            Err(f) => {
                findings.push(f);
                break;
            }
        };
        let ((), following) = rayon::join(
            || {
                let mut expect = start;
                for (pos, leaf, result) in checked {
                    if pos != expect {
                        findings.push(Finding::new(
                            Some(expect),
                            "entry",
                            format!("entry {expect}"),
                            format!("missing (next present is {pos})"),
                        ));
                        expect = pos;
                    }
                    expect += 1;
                    // The leaf goes into the tree whatever it holds: the tree must match the checkpoints.
                    if let Err(e) = tree.append(&[leaf]) {
                        findings.push(Finding::new(
                            Some(pos),
                            "tree",
                            "a hashable leaf",
                            e.to_string(),
                        ));
                    }
                    leaves += 1;
                    let (entry, signed) = match result {
                        Ok(x) => x,
                        Err(f) => {
                            findings.push(f);
                            continue;
                        }
                    };
                    if let Some(prev) = last_time {
                        if entry.time < prev {
                            findings.push(Finding::new(
                                Some(pos),
                                "time",
                                format!(
                                    "integration time at or after {}",
                                    crate::time::format_utc_micros(prev)
                                ),
                                crate::time::format_utc_micros(entry.time),
                            ));
                        }
                    }
                    last_time = Some(last_time.map_or(entry.time, |p| p.max(entry.time)));
                    match decide(
                        &state,
                        trust,
                        Position {
                            index: pos,
                            time: entry.time,
                        },
                        &signed,
                    ) {
                        Ok(effects) => state.apply(&effects),
                        Err(e) => findings.push(Finding::new(
                            Some(pos),
                            "policy",
                            format!(
                                "a statement its signer was entitled to make ({})",
                                signed.statement.kind.label()
                            ),
                            e.to_string(),
                        )),
                    }
                }
                if expect < end {
                    findings.push(Finding::new(
                        Some(expect),
                        "entry",
                        format!("entries up to {}", end - 1),
                        format!("the log ends at {}", expect),
                    ));
                }
            },
            || fetch(end),
        );
        progress(end, total);
        next = following;
    }
    // Checkpoints: signature by a trusted log key, root equal to the recomputed one.
    let mut verified = 0;
    let mut tree_size = 0;
    let verifiers = trust.log_verifiers().unwrap_or_default();
    if verifiers.is_empty() {
        findings.push(Finding::new(
            None,
            "checkpoint",
            "a log key in the trust roots",
            "none listed",
        ));
    }
    for (size, note) in checkpoints {
        match tlog::open_checkpoint(note, &verifiers) {
            Err(e) => findings.push(Finding::new(
                None,
                "checkpoint",
                format!("checkpoint of size {size} signed by a trusted log key"),
                e.to_string(),
            )),
            Ok((cp, _)) => {
                if cp.size != *size {
                    findings.push(Finding::new(
                        None,
                        "checkpoint",
                        format!("checkpoint stored under size {size}"),
                        format!("a checkpoint of size {}", cp.size),
                    ));
                }
                if cp.size > leaves {
                    findings.push(Finding::new(
                        Some(leaves),
                        "checkpoint",
                        format!("{} entries, as the checkpoint says", cp.size),
                        format!("{leaves} entries"),
                    ));
                    continue;
                }
                match tlog::tree_hash(cp.size, &tree) {
                    Ok(root) if root == cp.root => {
                        verified += 1;
                        tree_size = tree_size.max(cp.size);
                    }
                    Ok(root) => findings.push(Finding::new(
                        cp.size.checked_sub(1),
                        "checkpoint",
                        format!("root {} at size {}", b64(&cp.root), cp.size),
                        format!("recomputed root {}", b64(&root)),
                    )),
                    Err(e) => findings.push(Finding::new(
                        None,
                        "tree",
                        format!("root at size {}", cp.size),
                        e.to_string(),
                    )),
                }
            }
        }
    }
    if let Some((size, _)) = checkpoints.last() {
        if *size != leaves {
            findings.push(Finding::new(
                Some(*size),
                "checkpoint",
                format!("the latest checkpoint to cover all {leaves} entries"),
                format!("it covers {size}"),
            ));
        }
    }
    findings.sort_by_key(|f| (f.index.unwrap_or(u64::MAX), f.check.clone()));
    Replay {
        report: AuditReport {
            entries: leaves,
            tree_size,
            checkpoints: verified,
            findings,
        },
        state,
        tree,
        leaf_count: leaves,
    }
}

/// Checks an earlier checkpoint the auditor kept (`--against`) against the replayed tree:
/// signed by a trusted key, no larger than the log, and its root the root of the log's prefix.
pub fn check_against(note: &[u8], trust: &TrustRoots, replay: &Replay) -> Vec<Finding> {
    let verifiers = trust.log_verifiers().unwrap_or_default();
    let (cp, _) = match tlog::open_checkpoint(note, &verifiers) {
        Ok(x) => x,
        Err(e) => {
            return vec![Finding::new(
                None,
                "against",
                "a checkpoint signed by a trusted log key",
                e.to_string(),
            )]
        }
    };
    if cp.size > replay.leaf_count {
        return vec![Finding::new(
            Some(replay.leaf_count),
            "against",
            format!(
                "a log of at least {} entries, as the kept checkpoint shows",
                cp.size
            ),
            format!(
                "{} entries: the log was rolled back or truncated",
                replay.leaf_count
            ),
        )];
    }
    match tlog::tree_hash(cp.size, &replay.tree) {
        Ok(root) if root == cp.root => Vec::new(),
        Ok(root) => vec![Finding::new(
            cp.size.checked_sub(1),
            "against",
            format!(
                "the first {} entries to hash to the kept root {}",
                cp.size,
                b64(&cp.root)
            ),
            format!("{}: the log's history was rewritten", b64(&root)),
        )],
        Err(e) => vec![Finding::new(
            None,
            "against",
            "a root at the kept size",
            e.to_string(),
        )],
    }
}

/// An entry's position, its Merkle leaf hash, and the parsed, signature-checked statement.
type Checked = (u64, Hash, Result<(Entry, SignedStatement), Finding>);

/// Parses a run of entries, hashes each as a leaf and verifies their signatures as one batch.
fn check_entries(run: Vec<(u64, Vec<u8>)>) -> Vec<Checked> {
    let mut out: Vec<Checked> = Vec::with_capacity(run.len());
    let mut prepared = Vec::with_capacity(run.len());
    let mut slots = Vec::with_capacity(run.len());
    // Signers repeat from entry to entry: each did:key is decoded once per worker thread (a
    // decoding is a pure function of the text, so a remembered key is the key it gives).
    thread_local! {
        static KEYS: std::cell::RefCell<crate::credential::KeyMemo> = Default::default();
    }
    for (pos, bytes) in run {
        match KEYS.with_borrow_mut(|keys| parse_entry(pos, &bytes, keys)) {
            Ok((entry, signed, prep)) => {
                slots.push(out.len());
                prepared.push(prep);
                out.push((pos, tlog::leaf_hash(&bytes), Ok((entry, signed))));
            }
            Err(f) => out.push((pos, tlog::leaf_hash(&bytes), Err(f))),
        }
    }
    for (slot, result) in slots
        .into_iter()
        .zip(crate::credential::verify_batch(&prepared))
    {
        if let Err(e) = result {
            let pos = out[slot].0;
            out[slot].2 = Err(Finding::new(
                Some(pos),
                "signature",
                "a valid eddsa-jcs-2022 signature",
                e.to_string(),
            ));
        }
    }
    out
}

fn parse_entry(
    pos: u64,
    bytes: &[u8],
    keys: &mut crate::credential::KeyMemo,
) -> Result<(Entry, SignedStatement, crate::credential::Prepared), Finding> {
    let entry = Entry::parse(bytes)
        .map_err(|e| Finding::new(Some(pos), "entry", "a well-formed log entry", e.to_string()))?;
    if entry.index != pos {
        return Err(Finding::new(
            Some(pos),
            "order",
            format!("index {pos}"),
            format!("an entry that says index {}", entry.index),
        ));
    }
    let (signed, prepared) = parse_signed_with(&entry.statement, keys).map_err(|e| {
        Finding::new(
            Some(pos),
            "statement",
            "a well-formed signed statement",
            e.to_string(),
        )
    })?;
    Ok((entry, signed, prepared))
}

fn b64(h: &Hash) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(h)
}
