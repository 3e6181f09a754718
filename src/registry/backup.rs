//! Backup and restore.
//!
//! A backup is the log itself, not a copy of sled's files: `entries` (every entry, each a
//! uint16 big-endian length then the entry bytes: the tlog-tiles entry-bundle encoding, in
//! one file), `checkpoints` (every signed checkpoint note, each a uint32 big-endian length then
//! the note), and the registry's `registry.toml`, `trust-roots.toml`, encrypted `log.key` and
//! (if it has one) encrypted `status.key`. Everything else in the store is derived. Restoring
//! replays every entry through the same parse → verify → policy → apply path as the registry
//! and audit, rebuilds the tree, and accepts the result only if it reproduces every backed-up
//! checkpoint's root, the last one included. A backup can be checked without restoring it:
//! `honors audit` can read it back.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use super::submit::{effect_writes, hash_writes};
use super::{write_file, Registry};
use crate::audit::Finding;
use crate::entry::Entry;
use crate::error::Error;
use crate::policy::{decide, Position};
use crate::state::Overlay;
use crate::store::trees::T;
use crate::store::{Store, Write};
use crate::time::micros;
use crate::tlog::{self, NoteVerifier};

/// What a backup or restore did.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub dir: std::path::PathBuf,
    pub entries: u64,
    pub checkpoints: u64,
    pub tree_size: u64,
    /// Base64 root of the last checkpoint, which a restore reproduces.
    pub root: String,
}

const FILES: &[&str] = &["registry.toml", "trust-roots.toml", "log.key"];

impl Registry {
    /// Writes a backup of the whole log to `dir` (a new or empty directory).
    pub fn backup(&self, dir: &Path) -> Result<BackupReport, Error> {
        ensure_empty(dir)?;
        let size = self.size()?;
        let mut entries = Vec::new();
        for item in self.store().entries(0, size) {
            let (_, bytes) = item?;
            let len = u16::try_from(bytes.len())
                .map_err(|_| Error::corrupt("an entry is longer than 65,535 bytes"))?;
            entries.extend_from_slice(&len.to_be_bytes());
            entries.extend_from_slice(&bytes);
        }
        let mut notes = Vec::new();
        let mut count = 0;
        for item in self.store().checkpoints() {
            let (_, note) = item?;
            notes.extend_from_slice(&(note.len() as u32).to_be_bytes());
            notes.extend_from_slice(&note);
            count += 1;
        }
        write_file(&dir.join("entries"), &entries)?;
        write_file(&dir.join("checkpoints"), &notes)?;
        for f in FILES {
            let from = self.dir().join(f);
            let bytes = std::fs::read(&from).map_err(|e| Error::file(&from, e))?;
            write_file(&dir.join(f), &bytes)?;
        }
        restrict(&dir.join("log.key"))?;
        let status_key = self.dir().join(super::STATUS_KEY_FILE);
        if status_key.exists() {
            let bytes = std::fs::read(&status_key).map_err(|e| Error::file(&status_key, e))?;
            write_file(&dir.join(super::STATUS_KEY_FILE), &bytes)?;
            restrict(&dir.join(super::STATUS_KEY_FILE))?;
        }
        let (cp, _) = tlog::open_checkpoint(
            &self.checkpoint()?,
            std::slice::from_ref(&self.log_verifier),
        )
        .map_err(|e| Error::corrupt(e.to_string()))?;
        Ok(BackupReport {
            dir: dir.into(),
            entries: size,
            checkpoints: count,
            tree_size: cp.size,
            root: b64(&cp.root),
        })
    }

    /// Restores the backup in `backup` into the new registry directory `target`.
    pub fn restore(
        backup: &Path,
        target: &Path,
        progress: &dyn Fn(u64, u64),
    ) -> Result<BackupReport, Error> {
        if target.join("store").exists() {
            return Err(Error::usage(
                format!("{} already holds a registry", target.display()),
                "restore into a new directory",
            ));
        }
        let read = |name: &str| {
            let p = backup.join(name);
            std::fs::read(&p).map_err(|e| Error::file(&p, e).context("reading the backup"))
        };
        let entries = split_entries(&read("entries")?)?;
        let notes = split_notes(&read("checkpoints")?)?;
        let config_text = String::from_utf8(read("registry.toml")?).map_err(|_| {
            Error::input(
                "registry.toml in the backup is not UTF-8",
                "use an intact backup",
            )
        })?;
        let config: super::Config = toml::from_str(&config_text).map_err(|e| {
            Error::input(
                format!("registry.toml in the backup: {e}"),
                "use an intact backup",
            )
        })?;
        let roots =
            crate::trust::TrustRoots::parse(&String::from_utf8_lossy(&read("trust-roots.toml")?))
                .map_err(|e| {
                Error::input(
                    format!("trust-roots.toml in the backup: {e}"),
                    "use an intact backup",
                )
            })?;
        // The log key that signed the checkpoints: the one in the backup's key file.
        let key_info = crate::keyfile::read_key_info(&backup.join("log.key"))?;
        let signer_vkey =
            NoteVerifier::from_vkey(&tlog::ed25519_vkey(&config.origin, &key_info.public_key))
                .map_err(|e| {
                    Error::input(format!("the backup's log key: {e}"), "use an intact backup")
                })?;
        let mut checkpoints = Vec::new();
        for note in &notes {
            let (cp, _) =
                tlog::open_checkpoint(note, std::slice::from_ref(&signer_vkey)).map_err(|e| {
                    Error::input(
                        format!("a checkpoint in the backup does not verify with its log key: {e}"),
                        "use an intact backup",
                    )
                })?;
            checkpoints.push((cp, note.clone()));
        }
        let last = checkpoints
            .last()
            .map(|(cp, _)| cp.clone())
            .ok_or_else(|| {
                Error::input("the backup holds no checkpoint", "use an intact backup")
            })?;
        if last.size != entries.len() as u64 {
            return Err(Error::input(
                format!(
                    "the backup holds {} entries but its last checkpoint covers {}",
                    entries.len(),
                    last.size
                ),
                "the backup is incomplete: use another one",
            ));
        }
        let store = Store::create(target)?;
        for f in FILES {
            write_file(&target.join(f), &read(f)?)?;
        }
        restrict(&target.join("log.key"))?;
        let status_key = backup.join(super::STATUS_KEY_FILE);
        if status_key.exists() {
            let info = crate::keyfile::read_key_info(&status_key)?;
            write_file(
                &target.join(super::STATUS_KEY_FILE),
                &read(super::STATUS_KEY_FILE)?,
            )?;
            restrict(&target.join(super::STATUS_KEY_FILE))?;
            store.put_meta(
                "status_did",
                crate::credential::did_for(&info.public_key).as_bytes(),
            )?;
        }
        store.put_meta("origin", config.origin.as_bytes())?;
        store.put_meta("log_vkey", signer_vkey.vkey().as_bytes())?;
        let total = entries.len() as u64;
        let mut index = 0u64;
        let mut last_us = i64::MIN;
        for chunk in entries.chunks(4096) {
            let mut overlay = Overlay::new(&store);
            let mut writes = Vec::new();
            let mut titles = HashSet::new();
            let mut leaves = Vec::with_capacity(chunk.len());
            let start = index;
            for bytes in chunk {
                let fail = |f: Finding| {
                    Error::input(
                        format!(
                            "entry {}: {} (expected {}; found {})",
                            index, f.check, f.expected, f.found
                        ),
                        "the backup is damaged: use another one",
                    )
                };
                let entry = Entry::parse(bytes).map_err(|e| {
                    fail(Finding::new(
                        Some(index),
                        "entry",
                        "a well-formed entry",
                        e.to_string(),
                    ))
                })?;
                if entry.index != index {
                    return Err(fail(Finding::new(
                        Some(index),
                        "order",
                        format!("index {index}"),
                        entry.index.to_string(),
                    )));
                }
                if micros(entry.time) < last_us {
                    return Err(fail(Finding::new(
                        Some(index),
                        "time",
                        "non-decreasing integration times",
                        crate::time::format_utc_micros(entry.time),
                    )));
                }
                last_us = micros(entry.time);
                let signed = crate::statement::verify_signed(&entry.statement).map_err(|e| {
                    fail(Finding::new(
                        Some(index),
                        "statement",
                        "a validly signed statement",
                        e.to_string(),
                    ))
                })?;
                let effects = decide(
                    &overlay,
                    &roots,
                    Position {
                        index,
                        time: entry.time,
                    },
                    &signed,
                )
                .map_err(|e| {
                    fail(Finding::new(
                        Some(index),
                        "policy",
                        "an entitled statement",
                        e.to_string(),
                    ))
                })?;
                overlay.pending.apply(&effects);
                for e in &effects {
                    effect_writes(e, &store, &mut titles, &mut writes)?;
                }
                if !matches!(signed.statement.kind, crate::statement::Kind::Award { .. }) {
                    use sha2::Digest;
                    let digest: [u8; 32] = sha2::Sha256::digest(&entry.statement).into();
                    writes.push(Write::put(
                        T::Statements,
                        digest.to_vec(),
                        index.to_be_bytes().to_vec(),
                    ));
                }
                leaves.push(tlog::leaf_hash(bytes));
                writes.push(Write::entry(index, bytes));
                index += 1;
            }
            let new_hashes = tlog::append_leaves(start, &leaves, &store)
                .map_err(|e| Error::internal(e.to_string()))?;
            hash_writes(start, index, &new_hashes, &mut writes);
            writes.push(Write::put(
                T::Meta,
                b"size".to_vec(),
                index.to_be_bytes().to_vec(),
            ));
            writes.push(Write::put(
                T::Meta,
                b"last_time_us".to_vec(),
                last_us.to_be_bytes().to_vec(),
            ));
            store.commit(&writes)?;
            progress(index, total);
        }
        // Every checkpoint must be reproduced by the rebuilt tree.
        let mut writes = Vec::new();
        for (cp, note) in &checkpoints {
            let root =
                tlog::tree_hash(cp.size, &store).map_err(|e| Error::internal(e.to_string()))?;
            if root != cp.root {
                return Err(Error::input(
                    format!("the rebuilt tree of size {} does not reproduce the backed-up checkpoint's root", cp.size),
                    "the backup is damaged: use another one (the partial restore in the target can be deleted)",
                ));
            }
            writes.push(Write::put(
                T::Checkpoints,
                cp.size.to_be_bytes().to_vec(),
                note.clone(),
            ));
        }
        store.commit(&writes)?;
        drop(store);
        Ok(BackupReport {
            dir: target.into(),
            entries: total,
            checkpoints: checkpoints.len() as u64,
            tree_size: last.size,
            root: b64(&last.root),
        })
    }
}

fn split_entries(bytes: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    tlog::decode_entry_bundle(bytes).map_err(|e| {
        Error::input(
            format!("the backup's entries file: {e}"),
            "the backup is damaged or truncated: use another one",
        )
    })
}

fn split_notes(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(|| {
            Error::input(
                "the backup's checkpoints file is truncated",
                "use another backup",
            )
        })?;
        let len = u32::from_be_bytes(*len) as usize;
        let note = rest.get(..len).ok_or_else(|| {
            Error::input(
                "the backup's checkpoints file is truncated",
                "use another backup",
            )
        })?;
        out.push(note.to_vec());
        bytes = &rest[len..];
    }
    Ok(out)
}

fn ensure_empty(dir: &Path) -> Result<(), Error> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| Error::file(dir, e))?
            .next()
            .is_some()
    {
        return Err(Error::usage(
            format!("{} is not empty", dir.display()),
            "back up into a new or empty directory",
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, e))
}

fn restrict(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::file(path, e))
}

fn b64(h: &[u8; 32]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(h)
}
