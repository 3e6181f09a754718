//! The store: the only module that names sled.
//!
//! One registry directory holds one sled database. Every accepted batch of statements is one
//! sled transaction over all trees ([`Store::commit`]): entries, tree hashes, the checkpoint
//! that covers them, the derived records and the indexes become visible together or not at
//! all. After the transaction the store flushes and then fsyncs sled's data file (sled's
//! `flush` alone does not reach the disk on Linux, sled issue 1452) before the caller
//! acknowledges anything.
//!
//! What it does not do: decide anything. Policy and the Merkle maths happen before; the store
//! keeps bytes and answers lookups.

pub mod codec;
pub mod compress;
pub mod trees;

use std::path::{Path, PathBuf};

use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::policy::{View, ViewError};
use crate::tlog::{Hash, HashReader, TlogError};
use codec::CodecError;
use trees::{pair_prefix, NAMES, T};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the registry at {path} is in use by another honors process (sled holds its lock); stop that process (e.g. `honors serve`) or use its HTTP API instead")]
    Locked { path: PathBuf },
    #[error("{path} is not an honors registry (no store inside): create one with `honors init --db {path}` or point --db at an existing registry", path = path.display())]
    NotARegistry { path: PathBuf },
    #[error("a registry already exists at {path}: choose another directory", path = path.display())]
    Exists { path: PathBuf },
    #[error("I/O error at {path}: {source}", path = path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the store at {path} could not be opened or read: {reason}. If the disk was damaged, restore the last backup (honors restore) and run honors audit", path = path.display())]
    Sled { path: PathBuf, reason: String },
    #[error("the store at {path} has layout '{found}', this build reads '{LAYOUT}': open it with the honors version that wrote it, `honors backup` it there, and `honors restore` the backup here", path = path.display())]
    Layout { path: PathBuf, found: String },
    #[error("stored record is damaged: {0}")]
    Codec(#[from] CodecError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// One write in a commit: put or delete `key` in a tree.
#[derive(Debug, Clone)]
pub struct Write {
    pub tree: T,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// sled's page cache: `default_mb` MiB, or `HONORS_CACHE_MB` (a bulk import into a large
/// registry runs faster with more; `serve` stays within its memory budget with the default).
fn cache_bytes(default_mb: u64) -> u64 {
    std::env::var("HONORS_CACHE_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|mb| *mb >= 8)
        .unwrap_or(default_mb)
        * 1024
        * 1024
}

/// The page cache for random access (lookups, proofs, writes).
const CACHE_MB: u64 = 64;
/// The page cache for one sequential pass over everything (`audit`): nothing read is read
/// again, so a larger cache only holds memory. At 200,000 awards an audit peaked at 328 MB
/// with 64 MiB and 216 MB with 8 MiB, in the same time.
const SCAN_CACHE_MB: u64 = 16;
/// The page cache of `serve`. sled's resident memory runs well past its nominal cache, and at a
/// million awards the open store alone is about 380 MB: with 64 MiB a server peaked at 520 MB
/// after the search benchmark and 700 MB after three full listings, with 32 MiB at 480 MB,
/// for the same award-by-id and search rates (docs/PERFORMANCE.md).
const SERVE_CACHE_MB: u64 = 32;

/// The entry bytes of a stored entry value (see [`compress`]).
fn unpack_entry(index: u64, value: &[u8]) -> Result<Vec<u8>, StoreError> {
    compress::unpack(value, crate::entry::MAX_ENTRY_BYTES)
        .map_err(|e| StoreError::Corrupt(format!("entry {index}: {e}")))
}

impl Write {
    /// The write of log entry `index`, compressed at rest (see [`compress`]).
    pub fn entry(index: u64, bytes: &[u8]) -> Self {
        Write::put(T::Entries, index.to_be_bytes(), compress::pack(bytes))
    }

    pub fn put(tree: T, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        Write {
            tree,
            key: key.into(),
            value: Some(value.into()),
        }
    }
}

/// The sled database of one registry.
pub struct Store {
    db: sled::Db,
    dir: PathBuf,
    trees: Vec<sled::Tree>,
    /// Stored tree hashes of level [`HOT_LEVEL`] and up, as read: every inclusion or
    /// consistency proof reads hashes near the top of the tree, and a stored hash never changes
    /// once written (the log is append-only), so a remembered one is always the stored one.
    /// At most [`HOT_HASHES`] are kept (about n / 2^HOT_LEVEL for a log of n entries).
    hot_hashes: std::sync::Mutex<std::collections::HashMap<u64, Hash>>,
}

/// The lowest level of the tree whose stored hashes [`Store`] keeps in memory once read.
const HOT_LEVEL: u32 = 4;
/// The most stored hashes kept in memory (2 MiB or so).
const HOT_HASHES: usize = 1 << 16;

const STORE_SUBDIR: &str = "store";
/// The layout version of the trees (see `trees.rs`); a store of another layout is refused.
pub const LAYOUT: &str = "honors-store/5";

impl Store {
    /// Creates a new, empty store in `dir/store`. Refuses a directory that already has one.
    pub fn create(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(STORE_SUBDIR);
        if path.exists() {
            return Err(StoreError::Exists {
                path: dir.to_path_buf(),
            });
        }
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let store = Self::open_path(dir, true, cache_bytes(CACHE_MB))?;
        store.put_meta("layout", LAYOUT.as_bytes())?;
        Ok(store)
    }

    /// Opens the existing store in `dir/store`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_existing(dir, cache_bytes(CACHE_MB))
    }

    /// Opens the existing store for a server, with [`SERVE_CACHE_MB`] of page cache.
    pub fn open_for_serving(dir: &Path) -> Result<Store, StoreError> {
        Self::open_existing(dir, cache_bytes(SERVE_CACHE_MB))
    }

    /// Opens the existing store for one pass over everything it holds (an audit), with a
    /// small page cache.
    pub fn open_for_scan(dir: &Path) -> Result<Store, StoreError> {
        Self::open_existing(dir, cache_bytes(SCAN_CACHE_MB))
    }

    fn open_existing(dir: &Path, cache: u64) -> Result<Store, StoreError> {
        if !dir.join(STORE_SUBDIR).join("conf").exists() {
            return Err(StoreError::NotARegistry {
                path: dir.to_path_buf(),
            });
        }
        let store = Self::open_path(dir, false, cache)?;
        let layout = store
            .meta_text("layout")?
            .unwrap_or_else(|| "honors-store/1".into());
        if layout != LAYOUT {
            return Err(StoreError::Layout {
                path: dir.to_path_buf(),
                found: layout,
            });
        }
        Ok(store)
    }

    fn open_path(dir: &Path, create: bool, cache: u64) -> Result<Store, StoreError> {
        let path = dir.join(STORE_SUBDIR);
        let config = sled::Config::new()
            .path(&path)
            .cache_capacity(cache)
            .flush_every_ms(Some(1000))
            .create_new(create);
        // sled 0.34 panics on some torn or corrupted files instead of returning an error: that
        // must become a clear error with a recovery path, never a crash.
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()))
            .map_err(|panic| StoreError::Sled {
                path: path.clone(),
                reason: format!("sled could not read its files ({})", panic_text(&panic)),
            })?;
        let db = opened.map_err(|e| sled_error(&path, e))?;
        let trees = NAMES
            .iter()
            .map(|n| db.open_tree(n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| sled_error(&path, e))?;
        Ok(Store {
            db,
            dir: dir.to_path_buf(),
            trees,
            hot_hashes: Default::default(),
        })
    }

    /// The registry directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn tree(&self, t: T) -> &sled::Tree {
        &self.trees[t as usize]
    }

    fn err(&self, e: sled::Error) -> StoreError {
        sled_error(&self.dir.join(STORE_SUBDIR), e)
    }

    /// A raw value.
    pub fn get(&self, t: T, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tree(t)
            .get(key)
            .map_err(|e| self.err(e))?
            .map(|v| v.to_vec()))
    }

    /// A value stored through the codec.
    pub fn get_record<R: serde::de::DeserializeOwned>(
        &self,
        t: T,
        what: &'static str,
        key: &[u8],
    ) -> Result<Option<R>, StoreError> {
        match self.get(t, key)? {
            Some(bytes) => Ok(Some(codec::decode(what, &bytes)?)),
            None => Ok(None),
        }
    }

    /// Writes meta values outside the log (only at creation).
    pub fn put_meta(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.tree(T::Meta)
            .insert(key.as_bytes(), value)
            .map_err(|e| self.err(e))?;
        self.sync()
    }

    /// A meta value as text.
    pub fn meta_text(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.get(T::Meta, key.as_bytes())? {
            Some(v) => String::from_utf8(v)
                .map(Some)
                .map_err(|_| StoreError::Corrupt(format!("meta {key} is not UTF-8"))),
            None => Ok(None),
        }
    }

    /// The number of entries in the log.
    pub fn size(&self) -> Result<u64, StoreError> {
        match self.get(T::Meta, b"size")? {
            Some(v) => Ok(u64::from_be_bytes(v.as_slice().try_into().map_err(
                |_| StoreError::Corrupt("meta size is not 8 bytes".into()),
            )?)),
            None => Ok(0),
        }
    }

    /// The integration time of the last entry (Unix µs), if any.
    pub fn last_time_us(&self) -> Result<Option<i64>, StoreError> {
        match self.get(T::Meta, b"last_time_us")? {
            Some(v) => Ok(Some(i64::from_be_bytes(v.as_slice().try_into().map_err(
                |_| StoreError::Corrupt("meta last_time_us is not 8 bytes".into()),
            )?))),
            None => Ok(None),
        }
    }

    /// The entry bytes at `index`.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        match self.get(T::Entries, &index.to_be_bytes())? {
            Some(v) => Ok(Some(unpack_entry(index, &v)?)),
            None => Ok(None),
        }
    }

    /// Entries in `[start, end)`, in order.
    pub fn entries(
        &self,
        start: u64,
        end: u64,
    ) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        self.tree(T::Entries)
            .range(start.to_be_bytes()..end.to_be_bytes())
            .map(move |r| {
                let (k, v) = r.map_err(|e| self.err(e))?;
                let idx = u64::from_be_bytes(
                    k.as_ref()
                        .try_into()
                        .map_err(|_| StoreError::Corrupt("entry key is not 8 bytes".into()))?,
                );
                Ok((idx, unpack_entry(idx, &v)?))
            })
    }

    /// The newest signed checkpoint note.
    pub fn latest_checkpoint(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tree(T::Checkpoints)
            .last()
            .map_err(|e| self.err(e))?
            .map(|(_, v)| v.to_vec()))
    }

    /// The checkpoint signed at exactly `size`, if one was.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.get(T::Checkpoints, &size.to_be_bytes())
    }

    /// Every stored checkpoint, oldest first.
    pub fn checkpoints(&self) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        self.tree(T::Checkpoints).iter().map(move |r| {
            let (k, v) = r.map_err(|e| self.err(e))?;
            let size = u64::from_be_bytes(
                k.as_ref()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("checkpoint key is not 8 bytes".into()))?,
            );
            Ok((size, v.to_vec()))
        })
    }

    /// The log index of a statement already logged with these exact bytes (by SHA-256).
    pub fn statement_index(&self, digest: &[u8; 32]) -> Result<Option<u64>, StoreError> {
        Ok(self
            .get(T::Statements, digest)?
            .and_then(|v| v.as_slice().try_into().ok().map(u64::from_be_bytes)))
    }

    /// Award ids stored under `prefix` in an award index ([`trees::index_key`]).
    pub fn ids_with_prefix(&self, t: T, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.tree(t)
            .scan_prefix(pair_prefix(prefix))
            .map(|r| {
                let (k, _) = r.map_err(|e| self.err(e))?;
                trees::index_id(&k)
                    .ok_or_else(|| StoreError::Corrupt("index key without an award id".into()))
            })
            .collect()
    }

    /// Award ids as their 16-byte keys ([`trees::award_key`]) under `prefix` in an award
    /// index, in order, at most `max` of them (nothing is formatted or allocated per id).
    pub fn award_keys_with_prefix(
        &self,
        t: T,
        prefix: &str,
        max: usize,
    ) -> Result<Vec<[u8; 16]>, StoreError> {
        self.tree(t)
            .scan_prefix(pair_prefix(prefix))
            .take(max)
            .map(|r| {
                let (k, _) = r.map_err(|e| self.err(e))?;
                trees::index_award_key(&k)
                    .ok_or_else(|| StoreError::Corrupt("index key without an award id".into()))
            })
            .collect()
    }

    /// The award keys under `prefix` in an award index, in id order, after `after` (or all),
    /// read as they are taken.
    pub fn award_keys_after<'a>(
        &'a self,
        t: T,
        prefix: &str,
        after: Option<&[u8; 16]>,
    ) -> impl Iterator<Item = Result<[u8; 16], StoreError>> + 'a {
        let mut start = pair_prefix(prefix);
        let mut end = start.clone();
        *end.last_mut().expect("prefix ends with 0x00") = 1;
        if let Some(key) = after {
            // The smallest key greater than prefix ‖ 0x00 ‖ key.
            start.extend_from_slice(key);
            start.push(0);
        }
        self.tree(t).range(start..end).map(move |r| {
            let (k, _) = r.map_err(|e| self.err(e))?;
            trees::index_award_key(&k)
                .ok_or_else(|| StoreError::Corrupt("index key without an award id".into()))
        })
    }

    /// The award stored under a 16-byte award key.
    pub fn award_at(&self, key: &[u8; 16]) -> Result<Option<Award>, StoreError> {
        self.get_record(T::Awards, "award", key)
    }

    /// The first award id stored under `prefix` in an award index, if any.
    pub fn ids_with_prefix_first(&self, t: T, prefix: &str) -> Result<Option<String>, StoreError> {
        match self.tree(t).scan_prefix(pair_prefix(prefix)).next() {
            Some(r) => {
                let (k, _) = r.map_err(|e| self.err(e))?;
                Ok(trees::index_id(&k))
            }
            None => Ok(None),
        }
    }

    /// Every record of a tree, decoded.
    pub fn all<R: serde::de::DeserializeOwned>(
        &self,
        t: T,
        what: &'static str,
    ) -> Result<Vec<R>, StoreError> {
        self.records(t, what).collect()
    }

    /// Every record of a tree, decoded one at a time, in key order.
    pub fn records<'a, R: serde::de::DeserializeOwned + 'a>(
        &'a self,
        t: T,
        what: &'static str,
    ) -> impl Iterator<Item = Result<R, StoreError>> + 'a {
        self.tree(t).iter().map(move |r| {
            let (_, v) = r.map_err(|e| self.err(e))?;
            Ok(codec::decode(what, &v)?)
        })
    }

    /// Every raw (key, value) of a tree, in key order.
    pub fn raw(&self, t: T) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        self.tree(t).iter().map(move |r| {
            r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(|e| self.err(e))
        })
    }

    /// How many keys a tree holds under `prefix`, counting at most `limit + 1`.
    pub fn count_prefix(&self, t: T, prefix: &[u8], limit: usize) -> usize {
        self.tree(t).scan_prefix(prefix).take(limit + 1).count()
    }

    /// The distinct values an award index (`by_title/v2`, …) holds, in key order: one seek
    /// per value, not a read of every key.
    pub fn index_values(&self, t: T) -> Result<Vec<String>, StoreError> {
        let tree = self.tree(t);
        let mut out = Vec::new();
        let mut from: Vec<u8> = Vec::new();
        while let Some(r) = tree.range(from.as_slice()..).next() {
            let (k, _) = r.map_err(|e| self.err(e))?;
            let bad = || {
                StoreError::Corrupt(format!(
                    "{} key is not value ‖ 0 ‖ award id",
                    NAMES[t as usize]
                ))
            };
            trees::index_award_key(&k).ok_or_else(bad)?;
            let value = &k[..k.len() - 17];
            out.push(std::str::from_utf8(value).map_err(|_| bad())?.to_string());
            // The next value: past every key under this one (value ‖ 0x00 ‖ …).
            from = value.to_vec();
            from.push(1);
        }
        Ok(out)
    }

    /// Keys of a raw tree with a byte prefix.
    pub fn keys_with_prefix(&self, t: T, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StoreError> {
        self.tree(t)
            .scan_prefix(prefix)
            .map(|r| r.map(|(k, _)| k.to_vec()).map_err(|e| self.err(e)))
            .collect()
    }

    /// Applies all writes in one transaction, then makes them durable.
    pub fn commit(&self, writes: &[Write]) -> Result<(), StoreError> {
        use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
        let result: Result<(), TransactionError<()>> = self.trees.as_slice().transaction(|tx| {
            for w in writes {
                let tree = &tx[w.tree as usize];
                match &w.value {
                    Some(v) => tree.insert(w.key.as_slice(), v.as_slice())?,
                    None => tree.remove(w.key.as_slice())?,
                };
            }
            Ok::<(), ConflictableTransactionError<()>>(())
        });
        result.map_err(|e| match e {
            TransactionError::Abort(()) => StoreError::Corrupt("transaction aborted".into()),
            TransactionError::Storage(e) => self.err(e),
        })?;
        self.sync()
    }

    /// Flushes sled and fsyncs its data file, so that everything written so far survives a crash.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|e| self.err(e))?;
        let data = self.dir.join(STORE_SUBDIR).join("db");
        let file = std::fs::File::open(&data).map_err(|source| StoreError::Io {
            path: data.clone(),
            source,
        })?;
        file.sync_all()
            .map_err(|source| StoreError::Io { path: data, source })
    }

    /// Bytes on disk used by the store.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(|e| self.err(e))
    }
}

/// The message of a caught panic.
pub fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn sled_error(path: &Path, e: sled::Error) -> StoreError {
    let text = e.to_string();
    if text.contains("could not acquire lock")
        || text.contains("WouldBlock")
        || text.contains("Resource temporarily unavailable")
    {
        return StoreError::Locked {
            path: path.parent().unwrap_or(path).to_path_buf(),
        };
    }
    StoreError::Sled {
        path: path.to_path_buf(),
        reason: text,
    }
}

fn view_err(e: StoreError) -> ViewError {
    ViewError(e.to_string())
}

impl View for Store {
    fn authority(&self, id: &str) -> Result<Option<Authority>, ViewError> {
        self.get_record(T::Authorities, "authority", id.as_bytes())
            .map_err(view_err)
    }
    fn authority_of_key(&self, did: &str) -> Result<Option<String>, ViewError> {
        self.get(T::KeyOwner, did.as_bytes())
            .map_err(view_err)?
            .map(|v| String::from_utf8(v).map_err(|_| ViewError("key owner is not UTF-8".into())))
            .transpose()
    }
    fn scheme(&self, id: &str) -> Result<Option<Scheme>, ViewError> {
        self.get_record(T::Schemes, "scheme", id.as_bytes())
            .map_err(view_err)
    }
    fn holder(&self, uscc: &str) -> Result<Option<Holder>, ViewError> {
        self.get_record(T::Holders, "holder", uscc.as_bytes())
            .map_err(view_err)
    }
    fn award(&self, id: &str) -> Result<Option<Award>, ViewError> {
        // Text that is no award id names no award.
        let Some(key) = trees::award_key(id) else {
            return Ok(None);
        };
        self.get_record(T::Awards, "award", &key).map_err(view_err)
    }
    fn awards_of_holder(&self, uscc: &str) -> Result<Vec<Award>, ViewError> {
        let ids = self.ids_with_prefix(T::ByHolder, uscc).map_err(view_err)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(a) = self.award(&id)? {
                out.push(a);
            }
        }
        Ok(out)
    }
    fn status_index_owner(&self, authority: &str, index: u32) -> Result<Option<String>, ViewError> {
        self.get(T::ByStatus, &trees::status_key(authority, index))
            .map_err(view_err)?
            .map(|v| {
                trees::award_id(&v)
                    .ok_or_else(|| {
                        ViewError(
                            "a status-index entry does not name an award (not a 16-byte award id): the store is damaged; run `honors audit` to locate it and restore the last backup".into(),
                        )
                    })
            })
            .transpose()
    }
}

impl HashReader for Store {
    /// Stored hash `i` (level `l`, position `m` in Go tlog's numbering) was created by appending
    /// leaf `((m + 1) << l) - 1`, as the `l`-th hash of that leaf's group.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        let mut hot = self
            .hot_hashes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        indexes
            .iter()
            .map(|&i| {
                if let Some(h) = hot.get(&i) {
                    return Ok(*h);
                }
                let (level, m) = crate::tlog::split_stored_hash_index(i);
                let leaf = ((m + 1) << level) - 1;
                let group = self
                    .get(T::Hashes, &trees::hash_group_key(leaf))
                    .map_err(|e| TlogError::Storage {
                        message: e.to_string(),
                    })?
                    .ok_or_else(|| TlogError::Storage {
                        message: format!("stored hash {i} (of leaf {leaf}) is missing"),
                    })?;
                let at = level as usize * 32;
                let hash: Hash = group
                    .get(at..at + 32)
                    .and_then(|h| h.try_into().ok())
                    .ok_or_else(|| TlogError::Storage {
                        message: format!(
                            "stored hash {i} (of leaf {leaf}) is not in its group of {} bytes",
                            group.len()
                        ),
                    })?;
                if level >= HOT_LEVEL && hot.len() < HOT_HASHES {
                    hot.insert(i, hash);
                }
                Ok(hash)
            })
            .collect()
    }
}
