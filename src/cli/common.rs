//! What several commands share: the registry directory, keys and passphrases, the clock.

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use super::output::Out;
use crate::error::Error;
use crate::keyfile::{self, KeyInfo, Passphrase};
use crate::registry::Registry;

/// The environment of one command.
pub struct Ctx {
    pub db: Option<PathBuf>,
    pub log_passphrase_file: Option<PathBuf>,
    /// `--registry URL`: write commands submit to this server instead of opening `--db`.
    pub registry: Option<String>,
    pub out: Out,
    pub now: jiff::Timestamp,
}

/// `--key FILE` and its passphrase, as every signing command takes them.
#[derive(Debug, Clone, clap::Args)]
pub struct KeyArgs {
    /// The signing authority's encrypted key file.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// File holding the key's passphrase (or set HONORS_PASSPHRASE).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

impl Ctx {
    /// The registry directory from `--db` or `HONORS_DB`.
    pub fn db_dir(&self) -> Result<&Path, Error> {
        self.db.as_deref().ok_or_else(|| {
            Error::usage("no registry given", "pass --db DIR or set HONORS_DB (create one with `honors init --db DIR`)")
        })
    }

    /// Opens the registry read-only (no key needed).
    pub fn open(&self) -> Result<Registry, Error> {
        Registry::open(self.db_dir()?)
    }

    /// Opens the registry and unlocks its log key for writing.
    pub fn open_for_write(&self) -> Result<Registry, Error> {
        let mut reg = self.open()?;
        let pass = match std::env::var_os("HONORS_LOG_PASSPHRASE") {
            Some(v) => Passphrase::new(v.into_encoded_bytes())?,
            None => {
                let file = self.log_passphrase_file.clone().or_else(|| reg.configured_log_passphrase_file()).ok_or_else(|| {
                    Error::usage(
                        "the registry's log key is locked",
                        "set HONORS_LOG_PASSPHRASE, pass --log-passphrase-file FILE, or name log_passphrase_file in registry.toml",
                    )
                })?;
                Passphrase::from_file(&file)?
            }
        };
        reg.unlock_log(&pass)?;
        Ok(reg)
    }
}

/// The passphrase for an authority key: `--passphrase-file` or `HONORS_PASSPHRASE`.
pub fn passphrase(file: Option<&Path>) -> Result<Passphrase, Error> {
    if let Some(f) = file {
        return Ok(Passphrase::from_file(f)?);
    }
    if let Some(v) = std::env::var_os("HONORS_PASSPHRASE") {
        return Ok(Passphrase::new(v.into_encoded_bytes())?);
    }
    Err(Error::usage(
        "no passphrase for the key",
        "pass --passphrase-file FILE or set HONORS_PASSPHRASE",
    ))
}

/// Unlocks the signing key named by `--key`.
pub fn unlock(args: &KeyArgs) -> Result<(SigningKey, KeyInfo), Error> {
    let pass = passphrase(args.passphrase_file.as_deref())?;
    Ok(keyfile::read_key_file(&args.key, &pass)?)
}

/// A fresh statement id (`urn:uuid:` v7).
pub fn new_id() -> String {
    format!("urn:uuid:{}", uuid::Uuid::now_v7())
}

/// Reads a file, or stdin for `-`.
pub fn read_input(path: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| Error::input(format!("reading standard input: {e}"), "pipe the file in, or give its path"))?;
        return Ok(buf);
    }
    std::fs::read(path).map_err(|e| Error::file(Path::new(path), e))
}

/// Writes the result to `-o FILE` (created new unless `force`), or stdout.
pub fn write_output(path: Option<&Path>, bytes: &[u8], force: bool) -> Result<(), Error> {
    use std::io::Write;
    match path {
        Some(p) => {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true);
            if force {
                opts.create(true).truncate(true);
            } else {
                opts.create_new(true);
            }
            let mut f = opts.open(p).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    Error::usage(format!("{} already exists", p.display()), "choose another name or pass --force")
                } else {
                    Error::file(p, e)
                }
            })?;
            f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Error::file(p, e))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| Error::internal(format!("writing to stdout: {e}")))
        }
    }
}
