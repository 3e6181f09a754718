//! Offline verification of a proof bundle, in numbered steps (see `docs/SECURITY.md`):
//!
//! 1. `bundle`: the bytes parse as a [`CheckedBundle`];
//! 2. `checkpoint`: the checkpoint note is signed by a log key of the trust roots;
//! 3. `inclusion`: every entry's inclusion proof leads to the checkpoint's root;
//! 4. `signatures`: every statement's `eddsa-jcs-2022` signature holds, and integration times
//!    never decrease;
//! 5. `award`: the bundle holds the award it names;
//! 6. `replay`: the entries, in log order, pass [`crate::policy::decide`] on an empty
//!    [`MemoryState`], exactly as the registry and `honors audit` decided them: so the issuer's
//!    accreditation chain, its right to the scheme and its key's validity at the award's log
//!    position are checked by the very same code;
//! 7. `chain`: the issuer's chain up to a root of the trust roots, for the reader;
//! 8. `status`: [`status_at`] at the time asked, with the key-compromise rule.
//!
//! Then, with a newer bundle or checkpoint, step 9 (`newer`): it must extend the same log
//! (a consistency proof), else the verdict is `invalid`.
//!
//! Pure: bytes and trust roots in, a [`Verdict`] out; no store, file, clock or network.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::{Checks, Verdict};
use crate::award::{status_at, Status};
use crate::bundle::{self, CheckedBundle};
use crate::policy::{decide, Position, View};
use crate::state::MemoryState;
use crate::statement::{parse_signed_with, Kind, SignedStatement};
use crate::tlog::{self, Checkpoint, Hash, Note, NoteVerifier};
use crate::trust::TrustRoots;

/// What a successful verification established, for comparing with a newer proof.
struct Established {
    verdict: Verdict,
    size: u64,
    root: Hash,
    award: String,
    consistency: Option<(u64, Vec<Hash>)>,
}

/// Verifies a proof bundle against `trust` at time `at`. `newer`: a newer bundle of the same
/// award, or a newer checkpoint (see [`parse_newer_checkpoint`]), whose consistency with this
/// bundle's checkpoint must be proven.
pub fn verify_bundle(
    bytes: &[u8],
    trust: &TrustRoots,
    at: Timestamp,
    newer: Option<&[u8]>,
) -> Verdict {
    verify_with(bytes, trust, at, newer, &mut None)
}

fn verify_with(
    bytes: &[u8],
    trust: &TrustRoots,
    at: Timestamp,
    newer: Option<&[u8]>,
    cache: &mut Option<&mut Cache>,
) -> Verdict {
    let old = match verify_one(bytes, trust, at, cache) {
        Ok(e) => e,
        Err(v) => return v,
    };
    match newer {
        None => old.verdict,
        Some(n) => with_newer(old, n, trust, at, cache),
    }
}

/// Verifies many bundles against one set of trust roots, remembering what it has fully
/// verified: an opt-in cache for a verifier that checks many bundles of one registry, whose
/// chain entries (authorities, accreditations, schemes, holders) repeat from bundle to bundle.
///
/// What it skips, and only for bytes it has itself fully verified against its own trust roots:
/// - a checkpoint note with exactly the same bytes: its signature check (`checkpoint` step);
/// - an inclusion proof it has verified before, byte for byte, for the same leaf and index
///   against a checkpoint of the same size and root: hashing it again (`inclusion`);
/// - an entry with exactly the same leaf hash (SHA-256 of the entry's exact bytes, header
///   and signed statement): parsing its statement and checking its signature (`signatures`);
/// - a signer's verification method (did:key) with exactly the same text: decoding it into an
///   Ed25519 point (the signature over a new statement is still checked against that point).
///
/// Everything else runs for every bundle as in [`verify_bundle`]: the structure, every other
/// inclusion proof against the checkpoint's root, integration-time order, the award, the
/// replay of every entry through the policy, the chain and the status. The verdict of a bundle
/// is the same with or without the cache. Memory is bounded: past [`BundleVerifier::MAX_ENTRIES`]
/// entries (or as many checkpoints or inclusion proofs, or `KeyMemo::MAX` decoded keys) that
/// part of the cache starts again empty.
#[derive(Clone)]
pub struct BundleVerifier {
    trust: TrustRoots,
    cache: Cache,
}

/// What a [`BundleVerifier`] remembers.
#[derive(Clone)]
struct Cache {
    /// The trust roots' log verifiers (or why there are none), computed once.
    verifiers: Arc<Result<Vec<NoteVerifier>, String>>,
    /// Checkpoint note bytes that opened against `verifiers`.
    checkpoints: HashMap<Vec<u8>, (Checkpoint, Note)>,
    /// Leaf hash of an entry whose statement parsed and whose signature verified.
    entries: HashMap<Hash, Arc<SignedStatement>>,
    /// Inclusion proofs that verified: (tree size, root, entry index, leaf hash) -> the proof.
    /// The chain entries of bundles proven against the same checkpoint repeat, each with the
    /// same proof.
    inclusions: HashMap<(u64, Hash, u64, Hash), Vec<Hash>>,
    /// Signers' verification methods already decoded (did:key → Ed25519 point): a new award
    /// of a known commission is signed by a key this verifier has decoded before.
    keys: crate::credential::KeyMemo,
}

impl BundleVerifier {
    /// The most entries (and checkpoints) remembered before that cache starts again.
    pub const MAX_ENTRIES: usize = 100_000;

    /// A verifier for bundles checked against `trust`, with an empty cache.
    pub fn new(trust: TrustRoots) -> Self {
        let verifiers = Arc::new(trust.log_verifiers().map_err(|e| e.to_string()));
        BundleVerifier {
            trust,
            cache: Cache {
                verifiers,
                checkpoints: HashMap::new(),
                inclusions: Default::default(),
                entries: HashMap::new(),
                keys: crate::credential::KeyMemo::default(),
            },
        }
    }

    /// The trust roots this verifier checks against.
    pub fn trust(&self) -> &TrustRoots {
        &self.trust
    }

    /// [`verify_bundle`] with this verifier's trust roots and cache; the same verdict.
    pub fn verify(&mut self, bytes: &[u8], at: Timestamp, newer: Option<&[u8]>) -> Verdict {
        verify_with(bytes, &self.trust, at, newer, &mut Some(&mut self.cache))
    }

    /// How many verified entries are remembered.
    pub fn cached_entries(&self) -> usize {
        self.cache.entries.len()
    }

    /// Forgets everything verified so far.
    pub fn clear(&mut self) {
        self.cache.checkpoints.clear();
        self.cache.inclusions.clear();
        self.cache.entries.clear();
        self.cache.keys.clear();
    }
}

fn verify_one(
    bytes: &[u8],
    trust: &TrustRoots,
    at: Timestamp,
    cache: &mut Option<&mut Cache>,
) -> Result<Established, Verdict> {
    let mut c = Checks::default();
    // 1. Structure.
    let b: CheckedBundle = match bundle::parse(bytes) {
        Ok(b) => b,
        Err(e) => return Err(c.fail("bundle", format!("bundle malformed: {e}"))),
    };
    c.pass(
        "bundle",
        format!(
            "{} of award {}: {} log entries",
            bundle::FORMAT,
            b.award,
            b.entries.len()
        ),
    );
    // 2. Checkpoint.
    let fresh;
    let remembered = cache.as_deref().map(|k| Arc::clone(&k.verifiers));
    let verifiers: &[NoteVerifier] = match remembered.as_deref() {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Err(c.fail("checkpoint", e.clone())),
        None => match trust.log_verifiers() {
            Ok(v) => {
                fresh = v;
                &fresh
            }
            Err(e) => return Err(c.fail("checkpoint", e.to_string())),
        },
    };
    let known = cache
        .as_deref()
        .and_then(|k| k.checkpoints.get(&b.checkpoint).cloned());
    let (cp, note) = match known {
        Some(x) => x,
        None => match tlog::open_checkpoint(&b.checkpoint, verifiers) {
            Ok(x) => {
                if let Some(k) = cache.as_deref_mut() {
                    if k.checkpoints.len() >= BundleVerifier::MAX_ENTRIES {
                        k.checkpoints.clear();
                    }
                    k.checkpoints.insert(b.checkpoint.clone(), x.clone());
                }
                x
            }
            Err(e) => {
                return Err(c.fail(
                    "checkpoint",
                    format!("checkpoint not signed by a trusted log key: {e}"),
                ))
            }
        },
    };
    let others = note
        .signatures
        .iter()
        .filter(|s| {
            !verifiers
                .iter()
                .any(|v| v.name() == s.name && v.key_id() == s.key_id)
        })
        .count();
    let witnesses = if others > 0 {
        format!("; {others} other signature line(s), e.g. witness cosignatures, not checked (no witness keys in the trust roots)")
    } else {
        String::new()
    };
    c.pass(
        "checkpoint",
        format!(
            "checkpoint of {} entries of log {} signed by a log key of the trust roots{witnesses}",
            cp.size, cp.origin
        ),
    );
    let as_of = cp.size;
    let fail = |c: Checks, check: &'static str, detail: String| {
        let mut v = c.fail(check, detail);
        v.award_id = Some(b.award.clone());
        v.as_of_tree_size = Some(as_of);
        v
    };
    // 3. Inclusion.
    let leaves: Vec<Hash> = b
        .entries
        .iter()
        .map(|e| tlog::leaf_hash(&e.bytes))
        .collect();
    if let Some(k) = cache.as_deref_mut() {
        if k.inclusions.len() + leaves.len() > BundleVerifier::MAX_ENTRIES {
            k.inclusions.clear();
        }
    }
    for (e, leaf) in b.entries.iter().zip(&leaves) {
        // The same proof of the same leaf at the same index verified before against this
        // very tree (size and root): hashing it again would give the same root.
        let fact = (cp.size, cp.root, e.entry.index, *leaf);
        if cache
            .as_deref()
            .and_then(|k| k.inclusions.get(&fact))
            .is_some_and(|proof| *proof == e.proof)
        {
            continue;
        }
        if let Err(err) = tlog::verify_inclusion(e.entry.index, cp.size, leaf, &e.proof, &cp.root) {
            return Err(fail(
                c,
                "inclusion",
                format!(
                    "entry {} is not included in the checkpoint of {} entries: {err}",
                    e.entry.index, cp.size
                ),
            ));
        }
        if let Some(k) = cache.as_deref_mut() {
            k.inclusions.insert(fact, e.proof.clone());
        }
    }
    c.pass(
        "inclusion",
        format!(
            "all {} entries are included in the checkpoint (RFC 6962 inclusion proofs)",
            b.entries.len()
        ),
    );
    // 4. Signatures and integration times.
    // With a cache, entries whose exact leaf was verified before are taken from it; the others
    // (all of them without a cache) are parsed and their signatures checked in one batch.
    let mut signed: Vec<Arc<SignedStatement>> = Vec::with_capacity(b.entries.len());
    let mut prepared = Vec::with_capacity(b.entries.len());
    let mut fresh_at = Vec::with_capacity(b.entries.len());
    // Decoded signer keys: the cache's, or this bundle's own.
    let mut own_keys = crate::credential::KeyMemo::default();
    for (i, (e, leaf)) in b.entries.iter().zip(&leaves).enumerate() {
        if let Some(s) = cache.as_deref().and_then(|k| k.entries.get(leaf)) {
            signed.push(Arc::clone(s));
            continue;
        }
        let keys = match cache.as_deref_mut() {
            Some(k) => &mut k.keys,
            None => &mut own_keys,
        };
        match parse_signed_with(&e.entry.statement, keys) {
            Ok((s, p)) => {
                signed.push(Arc::new(s));
                prepared.push(p);
                fresh_at.push(i);
            }
            Err(err) => {
                return Err(fail(
                    c,
                    "signatures",
                    format!("entry {}: {err}", e.entry.index),
                ))
            }
        }
    }
    for (&i, r) in fresh_at
        .iter()
        .zip(crate::credential::verify_batch(&prepared))
    {
        if let Err(err) = r {
            return Err(fail(
                c,
                "signatures",
                format!("entry {}: {err}", b.entries[i].entry.index),
            ));
        }
    }
    if let Some(k) = cache.as_deref_mut() {
        if k.entries.len() + fresh_at.len() > BundleVerifier::MAX_ENTRIES {
            k.entries.clear();
        }
        for &i in &fresh_at {
            k.entries.insert(leaves[i], Arc::clone(&signed[i]));
        }
    }
    for w in b.entries.windows(2) {
        if w[1].entry.time < w[0].entry.time {
            return Err(fail(
                c,
                "signatures",
                format!(
                    "entry {} has an integration time earlier than entry {}",
                    w[1].entry.index, w[0].entry.index
                ),
            ));
        }
    }
    c.pass(
        "signatures",
        format!(
            "all {} statements carry valid eddsa-jcs-2022 signatures",
            signed.len()
        ),
    );
    // 5. The award.
    let Some(pos) = signed
        .iter()
        .position(|s| s.statement.id == b.award && matches!(s.statement.kind, Kind::Award { .. }))
    else {
        return Err(fail(
            c,
            "award",
            format!("the bundle holds no award credential with id {}", b.award),
        ));
    };
    let award_index = b.entries[pos].entry.index;
    let title = match &signed[pos].statement.kind {
        Kind::Award {
            title, holder_name, ..
        } => format!("「{title}」 to {holder_name}"),
        _ => String::new(),
    };
    c.pass(
        "award",
        format!(
            "award {} {title}, logged at entry {award_index} on {}",
            b.award,
            crate::time::format_utc_micros(b.entries[pos].entry.time)
        ),
    );
    // 6. Replay through the registry's own policy.
    let mut state = MemoryState::default();
    for (e, s) in b.entries.iter().zip(&signed) {
        match decide(
            &state,
            trust,
            Position {
                index: e.entry.index,
                time: e.entry.time,
            },
            s.as_ref(),
        ) {
            Ok(effects) => state.apply(&effects),
            Err(err) => {
                let what = if e.entry.index == award_index {
                    "the award".to_string()
                } else {
                    format!(
                        "the {} statement at entry {}",
                        s.statement.kind.label(),
                        e.entry.index
                    )
                };
                return Err(fail(
                    c,
                    "replay",
                    format!("{what} would not have been accepted: {err}"),
                ));
            }
        }
    }
    let Some(award) = state.award(&b.award).ok().flatten() else {
        return Err(fail(
            c,
            "replay",
            format!("replaying the bundle left no award {}", b.award),
        ));
    };
    c.pass("replay", format!("{} statements replayed in log order through the registry's policy: the issuer was entitled to this award at entry {award_index}", signed.len()));
    // 7. The chain, for the reader.
    let issuer = state.authority(&award.issuer).ok().flatten();
    let compromised = issuer
        .as_ref()
        .and_then(|a| a.key(&award.signer_did))
        .and_then(|k| k.compromised_at_us);
    let key_note = match compromised {
        Some(us) if us > award.integrated_us => format!(
            "; its key was reported compromised from {}, after the award was logged, so the award stands",
            crate::time::format_cst(crate::time::from_micros(us))
        ),
        _ => String::new(),
    };
    c.pass(
        "chain",
        format!("{}{key_note}", chain_text(&state, trust, &award.issuer)),
    );
    // 8. Status at `at`.
    let (status, reason) = status_at(&award, crate::time::micros(at), compromised);
    if status == Status::Invalid {
        return Err(fail(c, "status", reason));
    }
    c.pass(
        "status",
        format!(
            "{status} at {}: {reason} (as of checkpoint {as_of})",
            crate::time::format_cst(at)
        ),
    );
    let mut verdict = c.finish(status, reason);
    verdict.award_id = Some(b.award.clone());
    verdict.as_of_tree_size = Some(as_of);
    Ok(Established {
        verdict,
        size: cp.size,
        root: cp.root,
        award: b.award,
        consistency: b.consistency,
    })
}

/// `issuer ← parent ← … ← root` as the replayed state has it.
fn chain_text(state: &MemoryState, trust: &TrustRoots, issuer: &str) -> String {
    let mut names = Vec::new();
    let mut cur = Some(issuer.to_string());
    for _ in 0..64 {
        let Some(id) = cur.take() else { break };
        if let Some(root) = trust.root_by_id(&id) {
            names.push(format!("{} (root in the trust roots)", root.name));
            break;
        }
        match state.authorities.get(&id) {
            Some(a) => {
                names.push(a.name.clone());
                cur = a.parent.clone().or(a.predecessor.clone());
            }
            None => names.push(id),
        }
    }
    format!("issued by {}", names.join(" ← "))
}

/// Step 9: a newer bundle or checkpoint must extend the log this bundle was proven against.
fn with_newer(
    old: Established,
    newer: &[u8],
    trust: &TrustRoots,
    at: Timestamp,
    cache: &mut Option<&mut Cache>,
) -> Verdict {
    let Established {
        verdict: old_v,
        size,
        root,
        award,
        ..
    } = old;
    let mut c = Checks {
        list: old_v.checks.clone(),
    };
    let fail = |c: Checks, detail: String| {
        let mut v = c.fail("newer", detail);
        v.award_id = Some(award.clone());
        v.as_of_tree_size = Some(size);
        v
    };
    if bundle::looks_like_bundle(newer) {
        let new = match verify_one(newer, trust, at, cache) {
            Ok(n) => n,
            Err(v) => return fail(c, format!("the newer bundle does not verify: {}", v.reason)),
        };
        if new.award != award {
            return fail(
                c,
                format!("the newer bundle is about award {}, not {award}", new.award),
            );
        }
        if let Err(e) = consistent(size, root, new.size, new.root, new.consistency.as_ref()) {
            return fail(c, e);
        }
        c.pass("newer", format!("a newer bundle of checkpoint {} extends checkpoint {size} (consistency proof checked); its status replaces this one's", new.size));
        c.list.extend(
            new.verdict
                .checks
                .iter()
                .filter(|k| k.check == "replay" || k.check == "status")
                .cloned(),
        );
        let mut v = c.finish(new.verdict.verdict, new.verdict.reason.clone());
        v.award_id = Some(award);
        v.as_of_tree_size = Some(new.size);
        return v;
    }
    let (old_size, proof, note) = match parse_newer_checkpoint(newer) {
        Ok(x) => x,
        Err(e) => {
            return fail(
                c,
                format!("--status is neither a bundle nor a checkpoint: {e}"),
            )
        }
    };
    let verifiers = trust.log_verifiers().unwrap_or_default();
    let cp = match tlog::open_checkpoint(note, &verifiers) {
        Ok((cp, _)) => cp,
        Err(e) => {
            return fail(
                c,
                format!("the newer checkpoint is not signed by a trusted log key: {e}"),
            )
        }
    };
    let given = old_size.map(|o| (o, proof));
    if let Err(e) = consistent(size, root, cp.size, cp.root, given.as_ref()) {
        return fail(c, e);
    }
    c.pass(
        "newer",
        format!("checkpoint {} extends checkpoint {size} (consistency proof checked); a checkpoint carries no statements, so the status is as of checkpoint {size}", cp.size),
    );
    let mut v = c.finish(old_v.verdict, old_v.reason);
    v.award_id = Some(award);
    v.as_of_tree_size = Some(size);
    v
}

/// Checks that the tree (`new_size`, `new_root`) extends (`old_size`, `old_root`).
fn consistent(
    old_size: u64,
    old_root: Hash,
    new_size: u64,
    new_root: Hash,
    proof: Option<&(u64, Vec<Hash>)>,
) -> Result<(), String> {
    if new_size < old_size {
        return Err(format!("the newer checkpoint has {new_size} entries, fewer than this bundle's {old_size}: the log was rolled back"));
    }
    if new_size == old_size {
        return if new_root == old_root {
            Ok(())
        } else {
            Err(format!(
                "two checkpoints of {old_size} entries with different roots: the log forked"
            ))
        };
    }
    let Some((from, hashes)) = proof else {
        return Err(format!(
            "a checkpoint of {new_size} entries needs a consistency proof from {old_size}: get a bundle with `honors prove ID --format bundle --since {old_size}` or a checkpoint with `honors log checkpoint --since {old_size}`"
        ));
    };
    if *from != old_size {
        return Err(format!("the consistency proof starts at {from} entries, but this bundle's checkpoint has {old_size}: ask for one --since {old_size}"));
    }
    tlog::verify_consistency(old_size, new_size, hashes, &old_root, &new_root).map_err(|e| {
        format!("checkpoint {new_size} is not consistent with checkpoint {old_size}: {e}")
    })
}

/// A newer checkpoint as `--status` gives it: the old size its consistency proof starts from
/// (none for a bare note), the proof, and the signed note's bytes.
pub type NewerCheckpoint<'a> = (Option<u64>, Vec<Hash>, &'a [u8]);

/// Reads a newer checkpoint given with `--status`: either a bare signed checkpoint note, or the
/// C2SP tlog-witness `add-checkpoint` body: `old N`, the consistency proof from size N (one
/// base64 hash per line), a blank line, then the signed checkpoint note.
pub fn parse_newer_checkpoint(bytes: &[u8]) -> Result<NewerCheckpoint<'_>, String> {
    let Some(rest) = bytes.strip_prefix(b"old ") else {
        return Ok((None, Vec::new(), bytes));
    };
    let text = std::str::from_utf8(rest).map_err(|_| "not UTF-8 text".to_string())?;
    let (head, note) = text
        .split_once("\n\n")
        .ok_or("no blank line before the checkpoint")?;
    let mut lines = head.split('\n');
    let size_text = lines.next().unwrap_or_default();
    let old: u64 = size_text
        .parse()
        .map_err(|_| format!("'old {size_text}' is not a tree size"))?;
    use base64::Engine as _;
    let mut proof = Vec::new();
    for (i, l) in lines.enumerate() {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(l)
            .map_err(|e| format!("proof line {}: {e}", i + 1))?;
        proof.push(
            raw.as_slice()
                .try_into()
                .map_err(|_| format!("proof line {} is not a 32-byte hash", i + 1))?,
        );
    }
    let offset = bytes.len() - note.len();
    Ok((Some(old), proof, &bytes[offset..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_checkpoint_forms() {
        let note =
            b"log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 log AAAA\n";
        let (old, proof, rest) = parse_newer_checkpoint(note).unwrap();
        assert_eq!((old, proof.len(), rest), (None, 0, &note[..]));
        let mut body = b"old 3\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n\n".to_vec();
        body.extend_from_slice(note);
        let (old, proof, rest) = parse_newer_checkpoint(&body).unwrap();
        assert_eq!((old, proof, rest), (Some(3), vec![[1u8; 32]], &note[..]));
        assert!(parse_newer_checkpoint(b"old x\n\nnote").is_err());
        assert!(parse_newer_checkpoint(b"old 3\nnot base64\n\nnote").is_err());
    }

    #[test]
    fn consistency_rules() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        assert!(consistent(5, a, 5, a, None).is_ok());
        assert!(consistent(5, a, 5, b, None).unwrap_err().contains("forked"));
        assert!(consistent(5, a, 4, a, None)
            .unwrap_err()
            .contains("rolled back"));
        assert!(consistent(5, a, 6, b, None)
            .unwrap_err()
            .contains("--since 5"));
        assert!(consistent(5, a, 6, b, Some(&(4, vec![])))
            .unwrap_err()
            .contains("starts at 4"));
        assert!(consistent(5, a, 6, b, Some(&(5, vec![a]))).is_err());
    }
}
