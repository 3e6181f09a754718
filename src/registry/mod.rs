//! The registry: one function per use case. The only API that `cli/` and `server/` call.
//!
//! A registry directory holds:
//! - `store/`: the sled database (see [`crate::store`]);
//! - `registry.toml`: the log's origin and where its key is;
//! - `log.key`: the log's Ed25519 key, encrypted (see [`crate::keyfile`]);
//! - `status.key`: the key that signs the Bitstring Status List credentials (a did:key;
//!   encrypted with the log key's passphrase; never used for anything else, see [`status`]);
//! - `trust-roots.toml`: the root authorities and the log's verifier key.
//!
//! Writing goes through [`Registry::submit`]: verify signatures (batched), decide policy
//! against the stored state plus the batch so far, append entries, extend the Merkle tree,
//! sign a checkpoint, and commit everything in one durable transaction. Reading is direct.

mod audit;
mod backup;
mod export;
mod prove;
mod query;
mod records;
pub(crate) mod search;
mod status;
pub(crate) mod submit;
mod tiles;
mod verify;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::keyfile::{self, Passphrase};
use crate::store::trees::T;
use crate::store::{Store, Write};
use crate::tlog::{self, Checkpoint, NoteSigner, NoteVerifier};
use crate::trust::TrustRoots;

pub use backup::BackupReport;
pub use query::{
    normalize_id, AwardFilter, AwardView, Found, HistoryEvent, SearchCursor, SearchPage,
};
pub use submit::{Accepted, Prepared};
pub use tiles::{tile_in_tree, ExportReport, TileBytes};

/// `registry.toml`: where the log key is and what the log is called.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// The log's origin line (and key name): a schema-less URL, e.g. `honors.example/registry`.
    pub origin: String,
    /// The encrypted log key, relative to the registry directory.
    pub log_key: String,
    /// A file holding the log key's passphrase, for unattended operation (protect it like the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_passphrase_file: Option<String>,
    /// The encrypted key that signs status list credentials (same passphrase as the log key),
    /// relative to the registry directory. Registries made before status lists have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_key: Option<String>,
}

/// An open registry.
pub struct Registry {
    store: Store,
    dir: PathBuf,
    config: Config,
    roots: TrustRoots,
    log_verifier: NoteVerifier,
    signer: std::sync::OnceLock<NoteSigner>,
    /// The status-list key, unlocked together with the log key.
    status_signer: std::sync::OnceLock<ed25519_dalek::SigningKey>,
    /// Serialises writers: one batch is decided and committed at a time.
    write_lock: std::sync::Mutex<()>,
    /// The in-memory search index, once [`Registry::enable_search_index`] built it (a server
    /// does; a one-shot command searches the store). Kept up to date by every write.
    search: std::sync::RwLock<Option<search::SearchIndex>>,
}

/// What `init` made.
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub db: PathBuf,
    pub origin: String,
    pub log_vkey: String,
    pub trust_roots: PathBuf,
    pub log_key: PathBuf,
    /// The key that signs status list credentials, and its did:key (their `issuer`).
    pub status_key: PathBuf,
    pub status_did: String,
}

impl Registry {
    /// Creates a registry in `dir`: store, log key, config, trust roots, and the checkpoint of
    /// the empty tree.
    /// The registry is returned open, with its log key unlocked.
    pub fn init(
        dir: &Path,
        origin: &str,
        passphrase: &Passphrase,
        passphrase_file: Option<&Path>,
    ) -> Result<(Registry, InitReport), Error> {
        if origin.is_empty() || origin.contains(char::is_whitespace) || origin.contains('+') {
            return Err(Error::usage(
                format!("origin '{origin}' is not a valid log name"),
                "use a schema-less URL without spaces or '+', e.g. honors.example/registry",
            ));
        }
        let store = Store::create(dir)?;
        let key = keyfile::generate_signing_key()?;
        let key_path = dir.join("log.key");
        keyfile::write_key_file(&key_path, &key, origin, passphrase, false)?;
        let signer =
            NoteSigner::new(origin, key).map_err(|e| Error::internal(format!("log key: {e}")))?;
        // One key, one purpose: status lists get their own key, never the log key.
        let status_key = keyfile::generate_signing_key()?;
        let status_path = dir.join(STATUS_KEY_FILE);
        keyfile::write_key_file(
            &status_path,
            &status_key,
            &format!("{origin} status lists"),
            passphrase,
            false,
        )?;
        let status_did = crate::credential::did_for(&status_key.verifying_key());
        let config = Config {
            origin: origin.into(),
            log_key: "log.key".into(),
            log_passphrase_file: passphrase_file.map(|p| {
                std::path::absolute(p)
                    .unwrap_or(p.to_path_buf())
                    .display()
                    .to_string()
            }),
            status_key: Some(STATUS_KEY_FILE.into()),
        };
        let config_text =
            toml::to_string_pretty(&config).map_err(|e| Error::internal(e.to_string()))?;
        write_file(&dir.join("registry.toml"), config_text.as_bytes())?;
        let roots = TrustRoots {
            roots: Vec::new(),
            logs: vec![crate::trust::LogEntryKey {
                vkey: signer.vkey(),
                valid_from: None,
                valid_until: None,
            }],
        };
        let trust_path = dir.join("trust-roots.toml");
        write_file(&trust_path, roots.to_toml().as_bytes())?;
        store.put_meta("origin", origin.as_bytes())?;
        store.put_meta("log_vkey", signer.vkey().as_bytes())?;
        store.put_meta("status_did", status_did.as_bytes())?;
        let empty = Checkpoint {
            origin: origin.into(),
            size: 0,
            root: tlog::EMPTY_ROOT,
            extensions: vec![],
        };
        let note = signer
            .sign(&empty.to_text())
            .map_err(|e| Error::internal(e.to_string()))?;
        store.commit(&[Write::put(
            T::Checkpoints,
            0u64.to_be_bytes(),
            note.into_bytes(),
        )])?;
        let report = InitReport {
            db: dir.into(),
            origin: origin.into(),
            log_vkey: signer.vkey(),
            trust_roots: trust_path,
            log_key: key_path,
            status_key: status_path,
            status_did,
        };
        let log_verifier =
            NoteVerifier::from_vkey(&signer.vkey()).map_err(|e| Error::internal(e.to_string()))?;
        // sled releases its lock only after its background thread ends, so the store opened
        // here is handed over rather than closed and reopened.
        let reg = Registry {
            store,
            dir: dir.into(),
            config,
            roots,
            log_verifier,
            signer: std::sync::OnceLock::from(signer),
            status_signer: std::sync::OnceLock::from(status_key),
            write_lock: Default::default(),
            search: Default::default(),
        };
        Ok((reg, report))
    }

    /// Opens the registry in `dir` and re-checks the stored tree against the last checkpoint.
    pub fn open(dir: &Path) -> Result<Registry, Error> {
        let reg = Self::with_store(dir, Store::open(dir)?)?;
        reg.check_tree()?;
        Ok(reg)
    }

    /// [`Registry::open`] for a long-running server: a smaller page cache
    /// ([`Store::open_for_serving`]), since a server reads records at random and keeps its
    /// own search index.
    pub fn open_for_serving(dir: &Path) -> Result<Registry, Error> {
        let reg = Self::with_store(dir, Store::open_for_serving(dir)?)?;
        reg.check_tree()?;
        Ok(reg)
    }

    /// Opens the registry in `dir` without re-checking the stored tree, for `audit` only: an
    /// auditor must be able to replay a damaged registry and locate the damage, where
    /// [`Registry::open`] would refuse to open it at all. Never write through it. The store
    /// is opened for one pass over everything ([`Store::open_for_scan`]: a small page cache).
    pub fn open_unchecked(dir: &Path) -> Result<Registry, Error> {
        Self::with_store(dir, Store::open_for_scan(dir)?)
    }

    fn with_store(dir: &Path, store: Store) -> Result<Registry, Error> {
        let config_path = dir.join("registry.toml");
        let text = read_text(&config_path)?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            Error::input(
                format!(
                    "{} is not a valid registry config: {e}",
                    config_path.display()
                ),
                "restore it from a backup",
            )
        })?;
        let roots = load_trust_roots(&dir.join("trust-roots.toml"))?;
        let vkey = store
            .meta_text("log_vkey")?
            .ok_or_else(|| Error::internal("the store has no log key recorded (meta log_vkey)"))?;
        let log_verifier = NoteVerifier::from_vkey(&vkey)
            .map_err(|e| Error::internal(format!("stored log key: {e}")))?;
        Ok(Registry {
            store,
            dir: dir.into(),
            config,
            roots,
            log_verifier,
            signer: std::sync::OnceLock::new(),
            status_signer: std::sync::OnceLock::new(),
            write_lock: Default::default(),
            search: Default::default(),
        })
    }

    /// The registry directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The registry's trust roots (`trust-roots.toml`).
    pub fn trust_roots(&self) -> &TrustRoots {
        &self.roots
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.config.origin
    }

    /// The log's verifier key (`name+hash+base64`).
    pub fn log_vkey(&self) -> String {
        self.log_verifier.vkey()
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the log key is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.signer.get().is_some()
    }

    /// Unlocks the log key so that the registry can sign checkpoints: all a write needs.
    pub fn unlock_log(&self, passphrase: &Passphrase) -> Result<(), Error> {
        self.unlock_log_key(passphrase)
    }

    /// Unlocks the log key and the status-list key (same passphrase), for `log status-list`,
    /// which signs a status list. The two are derived at the same time (Argon2id each).
    pub fn unlock_log_and_status(&self, passphrase: &Passphrase) -> Result<(), Error> {
        let (log, status) = std::thread::scope(|s| {
            let status = s.spawn(|| self.unlock_status(passphrase));
            (self.unlock_log_key(passphrase), status.join())
        });
        log?;
        status.map_err(|p| Error::internal(crate::store::panic_text(&p)))?
    }

    fn unlock_log_key(&self, passphrase: &Passphrase) -> Result<(), Error> {
        if self.signer.get().is_some() {
            return Ok(());
        }
        let path = self.dir.join(&self.config.log_key);
        let (key, _) = keyfile::read_key_file(&path, passphrase)?;
        let signer = NoteSigner::new(&self.config.origin, key)
            .map_err(|e| Error::internal(e.to_string()))?;
        if signer.vkey() != self.log_vkey() {
            return Err(Error::input(
                format!(
                    "the log key in {} is not the key this registry's checkpoints were signed with",
                    path.display()
                ),
                "restore the registry's own log.key",
            ));
        }
        let _ = self.signer.set(signer);
        Ok(())
    }

    /// The passphrase file named in `registry.toml`, if any.
    pub fn configured_log_passphrase_file(&self) -> Option<PathBuf> {
        self.config
            .log_passphrase_file
            .as_ref()
            .map(|p| self.dir.join(p))
    }

    /// Adds a root authority to the registry's trust roots (an operator's decision).
    pub fn add_root(&mut self, root: crate::trust::RootEntry) -> Result<(), Error> {
        if self
            .roots
            .roots
            .iter()
            .any(|r| r.did == root.did || r.id == root.id)
        {
            return Err(Error::input(
                format!("{} is already a trust root", root.name),
                "nothing to do",
            ));
        }
        self.roots.roots.push(root);
        write_file(
            &self.dir.join("trust-roots.toml"),
            self.roots.to_toml().as_bytes(),
        )
    }

    /// Re-checks that the stored tree hashes to the root in the latest checkpoint, and that the
    /// checkpoint is signed by the log key. A mismatch is reported, never repaired.
    pub fn check_tree(&self) -> Result<(), Error> {
        let size = self.store.size()?;
        let Some(note) = self.store.latest_checkpoint()? else {
            return Err(Error::corrupt("the store holds no checkpoint at all"));
        };
        let (cp, _) = tlog::open_checkpoint(&note, std::slice::from_ref(&self.log_verifier))
            .map_err(|e| {
                Error::corrupt(format!(
                    "the latest stored checkpoint does not verify with the log key: {e}"
                ))
            })?;
        if cp.size != size {
            return Err(Error::corrupt(format!(
                "the log holds {size} entries but the latest checkpoint covers {}",
                cp.size
            )));
        }
        let root = tlog::tree_hash(size, &self.store)
            .map_err(|e| Error::corrupt(format!("recomputing the tree root: {e}")))?;
        if root != cp.root {
            return Err(Error::corrupt(format!(
                "the stored tree of size {size} hashes to a root different from the signed checkpoint's"
            )));
        }
        Ok(())
    }
}

/// The status-list key's file name in a registry directory.
pub const STATUS_KEY_FILE: &str = "status.key";

/// Reads a trust-roots file.
pub fn load_trust_roots(path: &Path) -> Result<TrustRoots, Error> {
    let text = read_text(path)?;
    TrustRoots::parse(&text).map_err(|e| {
        Error::input(
            format!("{}: {e}", path.display()),
            "fix the file, or ask the registry operator for the published trust roots",
        )
    })
}

pub(crate) fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::file(path, e))
}

/// Writes a file durably (temp file, fsync, rename).
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::file(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::file(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::file(path, e))?;
    if let Some(parent) = path.parent() {
        if let Ok(d) = std::fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}
