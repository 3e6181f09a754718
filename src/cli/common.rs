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
    /// The registry, opened at most once per command (sled allows one opener per process).
    pub opened: std::cell::OnceCell<Registry>,
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
            Error::usage(
                "no registry given",
                "pass --db DIR or set HONORS_DB (create one with `honors init --db DIR`)",
            )
        })
    }

    /// The registry (opened on first use; no key needed to read).
    pub fn open(&self) -> Result<&Registry, Error> {
        if let Some(r) = self.opened.get() {
            return Ok(r);
        }
        let reg = Registry::open(self.db_dir()?)?;
        Ok(self.opened.get_or_init(|| reg))
    }

    /// The registry with its log key unlocked for writing.
    pub fn open_for_write(&self) -> Result<&Registry, Error> {
        let reg = self.open()?;
        self.unlock(reg)?;
        Ok(reg)
    }

    /// Unlocks an authority's key for a command that writes to the local registry. When no
    /// passphrase has to be asked for, the authority key and the registry's log key are
    /// unlocked at the same time (each Argon2id derivation takes tens of milliseconds on one
    /// core); otherwise one after the other, so prompts never interleave.
    pub fn unlock_signer(&self, args: &KeyArgs) -> Result<(SigningKey, KeyInfo), Error> {
        let quiet_key =
            args.passphrase_file.is_some() || std::env::var_os("HONORS_PASSPHRASE").is_some();
        if !quiet_key || self.registry.is_some() || self.db.is_none() {
            return unlock(args);
        }
        let Ok(reg) = self.open() else {
            return unlock(args);
        };
        let quiet_log = std::env::var_os("HONORS_LOG_PASSPHRASE").is_some()
            || self.log_passphrase_file.is_some()
            || reg.configured_log_passphrase_file().is_some();
        if !quiet_log {
            return unlock(args);
        }
        std::thread::scope(|s| {
            let key = s.spawn(|| unlock(args));
            let log = self.unlock(reg);
            let key = key
                .join()
                .map_err(|p| Error::internal(crate::store::panic_text(&p)))?;
            let key = key?;
            log?;
            Ok(key)
        })
    }

    /// Unlocks the log key of `reg` (passphrase from the environment, a file, or a prompt).
    pub fn unlock(&self, reg: &Registry) -> Result<(), Error> {
        if reg.is_unlocked() {
            return Ok(());
        }
        reg.unlock_log(&self.log_passphrase(reg)?)
    }

    /// Unlocks the log key and the status-list key of `reg` (for `log status-list`, which
    /// signs a status list).
    pub fn unlock_with_status(&self, reg: &Registry) -> Result<(), Error> {
        reg.unlock_log_and_status(&self.log_passphrase(reg)?)
    }

    /// The log key's passphrase: `HONORS_LOG_PASSPHRASE`, a file, or a prompt.
    fn log_passphrase(&self, reg: &Registry) -> Result<Passphrase, Error> {
        let pass = match std::env::var_os("HONORS_LOG_PASSPHRASE") {
            Some(v) => Passphrase::new(v.into_encoded_bytes())?,
            None => match self.log_passphrase_file.clone().or_else(|| reg.configured_log_passphrase_file()) {
                Some(file) => passphrase_file(&file)?,
                None => prompt("Passphrase for the registry's log key: ").ok_or_else(|| {
                    Error::usage(
                        "the registry's log key is locked",
                        "set HONORS_LOG_PASSPHRASE, pass --log-passphrase-file FILE, or name log_passphrase_file in registry.toml",
                    )
                })??,
            },
        };
        Ok(pass)
    }
}

/// The passphrase for an authority key: `--passphrase-file` or `HONORS_PASSPHRASE`.
pub fn passphrase(file: Option<&Path>) -> Result<Passphrase, Error> {
    if let Some(f) = file {
        return passphrase_file(f);
    }
    if let Some(v) = std::env::var_os("HONORS_PASSPHRASE") {
        return Ok(Passphrase::new(v.into_encoded_bytes())?);
    }
    prompt("Passphrase for the key: ").ok_or_else(|| {
        Error::usage("no passphrase for the key", "pass --passphrase-file FILE, set HONORS_PASSPHRASE, or run it in a terminal to be asked")
    })?
}

/// Asks for a passphrase on the terminal (no echo), if there is one.
pub fn prompt(question: &str) -> Option<Result<Passphrase, Error>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return None;
    }
    Some(
        rpassword::prompt_password(question)
            .map_err(|e| {
                Error::input(
                    format!("reading the passphrase: {e}"),
                    "use --passphrase-file instead",
                )
            })
            .and_then(|text| Ok(Passphrase::new(text.into_bytes())?)),
    )
}

/// Reads a passphrase file; a file that cannot be read is named as the passphrase file it is.
fn passphrase_file(path: &Path) -> Result<Passphrase, Error> {
    Passphrase::from_file(path).map_err(|e| match e {
        keyfile::KeyFileError::Io { source, .. } => {
            Error::file(path, source).context("passphrase file")
        }
        other => other.into(),
    })
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
        std::io::stdin().read_to_end(&mut buf).map_err(|e| {
            Error::input(
                format!("reading standard input: {e}"),
                "pipe the file in, or give its path",
            )
        })?;
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
                    Error::usage(
                        format!("{} already exists", p.display()),
                        "choose another name or pass --force",
                    )
                } else {
                    Error::file(p, e)
                }
            })?;
            f.write_all(bytes)
                .and_then(|_| f.sync_all())
                .map_err(|e| Error::file(p, e))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Error::new(
                        crate::error::ErrorKind::Input,
                        super::output::BROKEN_PIPE,
                        None,
                    )
                } else {
                    Error::internal(format!("writing to stdout: {e}"))
                }
            })
        }
    }
}
