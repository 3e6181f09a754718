//! Auditing a log published as C2SP tlog-tiles, without any store: an exported directory
//! (`honors log export DIR`) or a served one (`honors serve`'s `/log/`, or any static mirror).
//!
//! [`audit_tiles`] reads `checkpoint`, replays every entry of the entry bundles through
//! [`crate::audit::replay`] (signatures, policy, times, and the recomputed root against the
//! checkpoint, which must be signed by a trusted log key), then compares every hash tile the
//! checkpoint implies with the tile recomputed from the entries. Each difference is a finding
//! naming the entry it concerns: an altered entry bundle or hash tile is always detected, and
//! when the entries still hash to the signed root the blame goes to the tile, otherwise to the
//! entry whose leaf hash differs from the published one.
//!
//! Fetching is behind [`Fetch`]: [`DirFetch`] reads files, [`HttpFetch`] does plain HTTP GETs
//! (blocking, `ureq`, no TLS: put an `http://` mirror or a local copy in front of an HTTPS one).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rayon::prelude::*;

use crate::audit::{check_against, replay, AuditReport, EntrySource, Finding};
use crate::error::Error;
use crate::tlog::{self, Checkpoint, Tile, TILE_HEIGHT, TILE_WIDTH};
use crate::trust::TrustRoots;

/// Where the tiles come from. `fetch(path)` takes a path relative to the log prefix
/// (`checkpoint`, `tile/0/000`, `tile/entries/000.p/5`); `Ok(None)` means "not there".
pub trait Fetch: Sync {
    fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, String>;
    /// Where, for messages.
    fn location(&self) -> String;
}

/// A tile tree in a directory.
pub struct DirFetch {
    pub dir: PathBuf,
}

impl Fetch for DirFetch {
    fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let p = self.dir.join(path);
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", p.display())),
        }
    }
    fn location(&self) -> String {
        self.dir.display().to_string()
    }
}

/// A tile tree under an `http://` URL prefix.
pub struct HttpFetch {
    base: String,
    agent: ureq::Agent,
}

/// The largest tile or bundle accepted (256 entries of at most 64 KiB each, plus lengths).
const MAX_FETCH: u64 = 256 * (65_535 + 2);

impl HttpFetch {
    pub fn new(base: &str) -> HttpFetch {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .user_agent(concat!("honors/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpFetch { base, agent }
    }
}

impl Fetch for HttpFetch {
    fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let url = format!("{}{path}", self.base);
        let mut resp = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        match resp.status().as_u16() {
            200 => resp
                .body_mut()
                .with_config()
                .limit(MAX_FETCH)
                .read_to_vec()
                .map(Some)
                .map_err(|e| format!("GET {url}: {e}")),
            404 | 410 => Ok(None),
            s => Err(format!("GET {url}: HTTP {s}")),
        }
    }
    fn location(&self) -> String {
        self.base.clone()
    }
}

/// The fetcher for `--from`: an `http://` URL or a directory.
pub fn open_source(from: &str) -> Result<Box<dyn Fetch>, Error> {
    if from.starts_with("http://") {
        return Ok(Box::new(HttpFetch::new(from)));
    }
    if from.starts_with("https://") {
        return Err(Error::usage(
            format!("{from}: this build fetches plain http:// only"),
            "download the tiles first (e.g. wget --mirror) and audit the directory, or reach the log through an http:// mirror",
        ));
    }
    let dir = Path::new(from);
    if !dir.is_dir() {
        return Err(Error::input(
            format!("{from} is neither an http:// URL nor a directory"),
            "give the directory `honors log export DIR` wrote, or a served log such as http://HOST:PORT/log/",
        ));
    }
    Ok(Box::new(DirFetch {
        dir: dir.to_path_buf(),
    }))
}

/// The entries of a tile tree, one entry bundle at a time. Bundle-level problems (missing,
/// undecodable, wrong number of entries) are findings of their own.
struct TileSource<'a> {
    fetch: &'a dyn Fetch,
    size: u64,
    findings: Mutex<Vec<Finding>>,
}

/// A fetched and decoded entry bundle, or what was wrong with it.
type Bundle = Result<Vec<Vec<u8>>, Finding>;

/// A file to write: its path in the tile tree, its bytes, and whether it is already there.
type FileOut = (String, Vec<u8>, bool);

/// The entry bundle (level-0 tile) `n` of a tree of `size` leaves.
fn bundle(n: u64, size: u64) -> Tile {
    let width = (size - n * TILE_WIDTH).min(TILE_WIDTH);
    Tile {
        level: 0,
        index: n,
        width: width as u16,
    }
}

impl EntrySource for TileSource<'_> {
    fn count(&self) -> Result<u64, String> {
        Ok(self.size)
    }

    fn read(&self, start: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, String> {
        if start >= end {
            return Ok(Vec::new());
        }
        let bundles: Vec<u64> = (start / TILE_WIDTH..=(end - 1) / TILE_WIDTH).collect();
        let fetched: Vec<(u64, Bundle)> = bundles
            .par_iter()
            .map(|&n| {
                let t = bundle(n, self.size);
                let first = n * TILE_WIDTH;
                let path = t.entries_path();
                let bad = |found: String| {
                    Finding::new(
                        Some(first),
                        "bundle",
                        format!("entry bundle {path} with {} entries", t.width),
                        found,
                    )
                };
                let r = match self.fetch.fetch(&path) {
                    Err(e) => Err(bad(format!("unreadable: {e}"))),
                    Ok(None) => Err(bad("missing".into())),
                    Ok(Some(bytes)) => match tlog::decode_entry_bundle(&bytes) {
                        Err(e) => Err(bad(e.to_string())),
                        Ok(entries) => Ok(entries),
                    },
                };
                (n, r)
            })
            .collect();
        let mut out = Vec::with_capacity((end - start) as usize);
        for (n, r) in fetched {
            let first = n * TILE_WIDTH;
            match r {
                Ok(entries) => {
                    let t = bundle(n, self.size);
                    if entries.len() != usize::from(t.width) {
                        self.findings
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(Finding::new(
                                Some(first + (entries.len() as u64).min(u64::from(t.width))),
                                "bundle",
                                format!("{} entries in {}", t.width, t.entries_path()),
                                format!("{}", entries.len()),
                            ));
                    }
                    for (i, e) in entries.into_iter().take(usize::from(t.width)).enumerate() {
                        let idx = first + i as u64;
                        if (start..end).contains(&idx) {
                            out.push((idx, e));
                        }
                    }
                }
                Err(f) => self
                    .findings
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(f),
            }
        }
        Ok(out)
    }
}

/// Audits the tile tree behind `fetch` against `trust` (and an earlier checkpoint the auditor
/// kept, `against`). An unreadable or unparsable `checkpoint` is an error; everything else that
/// is wrong is a finding.
pub fn audit_tiles(
    fetch: &dyn Fetch,
    trust: &TrustRoots,
    against: Option<&[u8]>,
    progress: &dyn Fn(u64, u64),
) -> Result<AuditReport, Error> {
    let note = fetch
        .fetch("checkpoint")
        .map_err(|e| Error::input(format!("reading the checkpoint: {e}"), "check the directory or URL"))?
        .ok_or_else(|| {
            Error::input(
                format!("{} has no checkpoint", fetch.location()),
                "give the directory `honors log export DIR` wrote, or a served log prefix such as http://HOST:PORT/log/",
            )
        })?;
    // The size to replay comes from the checkpoint body; its signature is checked by the replay.
    let body = std::str::from_utf8(&note)
        .ok()
        .and_then(|t| t.split_once("\n\n"))
        .map(|(b, _)| format!("{b}\n"));
    let cp = body
        .as_deref()
        .map(Checkpoint::parse)
        .and_then(Result::ok)
        .ok_or_else(|| {
            Error::input(
                format!(
                    "{}/checkpoint is not a C2SP checkpoint (signed note)",
                    fetch.location()
                ),
                "check the directory or URL",
            )
        })?;
    let source = TileSource {
        fetch,
        size: cp.size,
        findings: Mutex::new(Vec::new()),
    };
    let r = replay(&source, trust, &[(cp.size, note.clone())], progress);
    let mut findings = r.report.findings.clone();
    findings.extend(
        source
            .findings
            .into_inner()
            .unwrap_or_else(|p| p.into_inner()),
    );
    if let Some(kept) = against {
        findings.extend(check_against(kept, trust, &r));
    }
    // The entries hash to the signed root iff the replay found no root mismatch.
    let entries_match_root = r.leaf_count == cp.size
        && tlog::tree_hash(cp.size, &r.tree).is_ok_and(|root| root == cp.root);
    // Every hash tile must be the one recomputed from the entries.
    let tiles: Vec<Tile> = tlog::tiles_for_size(cp.size);
    let tile_findings: Vec<Finding> = tiles
        .par_iter()
        .flat_map_iter(|t| check_tile(fetch, t, &r.tree, entries_match_root))
        .collect();
    findings.extend(tile_findings);
    findings.sort_by_key(|f| (f.index.unwrap_or(u64::MAX), f.check.clone()));
    findings.dedup();
    Ok(AuditReport {
        findings,
        ..r.report
    })
}

fn check_tile(
    fetch: &dyn Fetch,
    t: &Tile,
    tree: &tlog::MemoryHashStore,
    entries_match_root: bool,
) -> Vec<Finding> {
    let path = t.path();
    let first_leaf =
        |i: u64| (t.index * TILE_WIDTH + i).checked_shl(TILE_HEIGHT * u32::from(t.level));
    let Ok(want) = tlog::read_tile(t, tree) else {
        return Vec::new(); // the entries are missing: the replay reported it
    };
    let got = match fetch.fetch(&path) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return vec![Finding::new(
                first_leaf(0),
                "tile",
                format!("hash tile {path}"),
                "missing",
            )]
        }
        Err(e) => {
            return vec![Finding::new(
                first_leaf(0),
                "tile",
                format!("hash tile {path}"),
                format!("unreadable: {e}"),
            )]
        }
    };
    if got.len() != want.len() {
        return vec![Finding::new(
            first_leaf(0),
            "tile",
            format!("{} bytes in hash tile {path}", want.len()),
            format!("{} bytes", got.len()),
        )];
    }
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let mut out = Vec::new();
    for (i, (w, g)) in want.chunks(32).zip(got.chunks(32)).enumerate() {
        if w == g {
            continue;
        }
        let idx = first_leaf(i as u64);
        out.push(if t.level == 0 && !entries_match_root {
            Finding::new(
                idx,
                "entry",
                format!(
                    "an entry whose leaf hash is the published {} (hash {i} of {path})",
                    b64(g)
                ),
                format!(
                    "an entry hashing to {}: the entry was altered after it was logged",
                    b64(w)
                ),
            )
        } else if entries_match_root {
            Finding::new(
                idx,
                "tile",
                format!(
                    "hash {i} of {path} = {} as the entries and the signed checkpoint imply",
                    b64(w)
                ),
                format!("{}: the tile was altered", b64(g)),
            )
        } else {
            Finding::new(
                idx,
                "tile",
                format!(
                    "hash {i} of {path} = {} as recomputed from the entries",
                    b64(w)
                ),
                b64(g),
            )
        });
        if out.len() >= 8 {
            out.push(Finding::new(
                first_leaf(0),
                "tile",
                format!("hash tile {path}"),
                "more differing hashes (not listed)",
            ));
            break;
        }
    }
    out
}

/// What `honors log export DIR --from URL` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MirrorReport {
    pub dir: PathBuf,
    pub origin: String,
    pub tree_size: u64,
    /// The size of the checkpoint the directory held before, if any (the new one extends it).
    pub previous_size: Option<u64>,
    /// Files written (new or changed); the rest were already there, byte-identical.
    pub written: u64,
    pub unchanged: u64,
}

/// Copies a published log (a served `/log/` or another tile directory) into `dir`, as
/// `honors log export` would write it, after checking it: the checkpoint must be signed by a
/// trusted log key, the entry bundles must hash to its root, and a checkpoint already in `dir`
/// must be a prefix of the new tree (no rollback, no rewritten history). Hash tiles are
/// recomputed from the entries (so they are right by construction); entries and hash tiles are
/// written first, `checkpoint` last. Full entry bundles already in `dir` are not fetched again.
/// Signatures and policy are not replayed here: that is `honors audit --from DIR`.
pub fn mirror(fetch: &dyn Fetch, trust: &TrustRoots, dir: &Path) -> Result<MirrorReport, Error> {
    let verifiers = trust
        .log_verifiers()
        .map_err(|e| Error::input(e.to_string(), "fix the trust roots file"))?;
    let note = fetch
        .fetch("checkpoint")
        .map_err(|e| {
            Error::input(
                format!("reading the checkpoint: {e}"),
                "check the URL or directory",
            )
        })?
        .ok_or_else(|| {
            Error::input(
                format!("{} has no checkpoint", fetch.location()),
                "give a served log prefix such as http://HOST:PORT/log/",
            )
        })?;
    let (cp, _) = tlog::open_checkpoint(&note, &verifiers).map_err(|e| {
        Error::refused(
            format!(
                "the checkpoint of {} is not signed by a trusted log key: {e}",
                fetch.location()
            ),
            "check --trust; nothing was written",
        )
    })?;
    let previous = match std::fs::read(dir.join("checkpoint")) {
        Ok(old) => Some(
            tlog::open_checkpoint(&old, &verifiers)
                .map_err(|e| {
                    Error::refused(
                        format!(
                            "{}/checkpoint is not signed by a trusted log key: {e}",
                            dir.display()
                        ),
                        "mirror into an empty directory",
                    )
                })?
                .0,
        ),
        Err(_) => None,
    };
    if let Some(old) = &previous {
        if old.size > cp.size {
            return Err(Error::refused(
                format!("the log at {} has {} entries, fewer than the {} of the copy in {}: it was rolled back", fetch.location(), cp.size, old.size, dir.display()),
                "nothing was written; keep the old copy as evidence",
            ));
        }
    }
    let mut tree = tlog::MemoryHashStore::new();
    let mut bundles: Vec<FileOut> = Vec::new();
    let level0: Vec<Tile> = tlog::tiles_for_size(cp.size)
        .into_iter()
        .filter(|t| t.level == 0)
        .collect();
    for chunk in level0.chunks(64) {
        let got: Vec<Result<FileOut, Error>> = chunk
            .par_iter()
            .map(|t| {
                let path = t.entries_path();
                let local = dir.join(&path);
                if t.is_full() {
                    if let Ok(b) = std::fs::read(&local) {
                        return Ok((path, b, true));
                    }
                }
                let b = fetch
                    .fetch(&path)
                    .map_err(|e| Error::input(e, "try again later"))?
                    .ok_or_else(|| {
                        Error::refused(
                            format!(
                                "{} does not serve {path}, which its checkpoint implies",
                                fetch.location()
                            ),
                            "nothing was written",
                        )
                    })?;
                let same = std::fs::read(&local).is_ok_and(|old| old == b);
                Ok((path, b, same))
            })
            .collect();
        for (t, r) in chunk.iter().zip(got) {
            let (path, bytes, same) = r?;
            let entries = tlog::decode_entry_bundle(&bytes)
                .map_err(|e| Error::refused(format!("{path}: {e}"), "nothing was written"))?;
            if entries.len() != usize::from(t.width) {
                return Err(Error::refused(
                    format!("{path} holds {} entries, not {}", entries.len(), t.width),
                    "nothing was written",
                ));
            }
            let leaves: Vec<tlog::Hash> = entries.iter().map(|e| tlog::leaf_hash(e)).collect();
            tree.append(&leaves)
                .map_err(|e| Error::internal(e.to_string()))?;
            bundles.push((path, bytes, same));
        }
    }
    let root = tlog::tree_hash(cp.size, &tree).map_err(|e| Error::internal(e.to_string()))?;
    if root != cp.root {
        return Err(Error::refused(
            format!(
                "the entry bundles of {} do not hash to its signed checkpoint's root",
                fetch.location()
            ),
            "nothing was written; audit it with honors audit --from",
        ));
    }
    if let Some(old) = &previous {
        let old_root =
            tlog::tree_hash(old.size, &tree).map_err(|e| Error::internal(e.to_string()))?;
        if old_root != old.root {
            return Err(Error::refused(
                format!("the log at {} no longer contains the tree of {} entries the copy in {} holds: its history was rewritten", fetch.location(), old.size, dir.display()),
                "nothing was written; keep the old copy as evidence",
            ));
        }
    }
    let mut report = MirrorReport {
        dir: dir.to_path_buf(),
        origin: cp.origin.clone(),
        tree_size: cp.size,
        previous_size: previous.map(|p| p.size),
        written: 0,
        unchanged: 0,
    };
    let mut files: Vec<FileOut> = bundles;
    for t in tlog::tiles_for_size(cp.size) {
        let bytes = tlog::read_tile(&t, &tree).map_err(|e| Error::internal(e.to_string()))?;
        let same = std::fs::read(dir.join(t.path())).is_ok_and(|old| old == bytes);
        files.push((t.path(), bytes, same));
    }
    for (path, bytes, same) in files {
        if same {
            report.unchanged += 1;
            continue;
        }
        let p = dir.join(&path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::file(parent, e))?;
        }
        crate::registry::write_file(&p, &bytes)?;
        report.written += 1;
    }
    crate::registry::write_file(&dir.join("checkpoint"), &note)?;
    Ok(report)
}
