//! `honors init` and `honors log …`: the registry's transparency log.

use std::path::PathBuf;

use base64::Engine;
use clap::Subcommand;

use super::common::{passphrase, Ctx};
use crate::error::Error;
use crate::registry::Registry;

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The log's name (origin line of its checkpoints): a schema-less URL without spaces or '+'.
    /// It is also where the registry's HTTP API is reached: awards point their credentialStatus
    /// at https://ORIGIN/api/v1/status/<authority>/<purpose>.
    #[arg(long, default_value = "honors.example/registry")]
    pub origin: String,
    /// File holding the passphrase for the new log key; its path is remembered in registry.toml
    /// for unattended writes (or set HONORS_LOG_PASSPHRASE and omit this).
    #[arg(long = "log-key-passphrase-file", value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Print the latest checkpoint (a C2SP signed note).
    Checkpoint {
        /// Precede it with a consistency proof from tree size N, in the C2SP tlog-witness
        /// add-checkpoint form (`old N`, proof lines, blank line, note): what
        /// `honors verify BUNDLE --status FILE` accepts as a newer checkpoint.
        #[arg(long, value_name = "N")]
        since: Option<u64>,
    },
    /// Print the log's verifier key (name+hash+base64).
    Key,
    /// Inclusion proof of entry INDEX in the tree of --size entries (default: the latest).
    Inclusion {
        index: u64,
        #[arg(long)]
        size: Option<u64>,
    },
    /// Consistency proof between tree sizes OLD and NEW.
    Consistency { old: u64, new: u64 },
    /// An authority's W3C Bitstring Status List credential, built from the log now and signed
    /// with the registry's status key (status.key, unlocked with the log key's passphrase).
    ///
    /// This is the document an award's credentialStatus.statusListCredential names
    /// (https://ORIGIN/api/v1/status/<authority-uuid>/<purpose>), for standard VC verifiers:
    /// 131,072 entries, GZIP and base64url, bit set = revoked (revocation list; also superseded,
    /// ended, or logged after a key compromise) or suspended now (suspension list).
    StatusList {
        /// The issuing authority's id (urn:uuid:… or the bare uuid of the list URL).
        authority: String,
        /// Which list.
        #[arg(long, value_enum)]
        purpose: PurposeArg,
        /// Write to FILE instead of stdout (with --json, print a summary instead).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Write the log as a C2SP tlog-tiles tree (checkpoint, tile/<L>/<N>, tile/entries/<N>)
    /// into DIR, servable by any static web server; run again to add what is new.
    Export {
        /// The directory to write (created if missing).
        dir: PathBuf,
        /// Copy a served log instead of the registry's (e.g. http://HOST:PORT/log/ while
        /// `honors serve` holds the store): checked against --trust, then written; a copy
        /// already in DIR must be a prefix of the new one.
        #[arg(long, value_name = "URL_OR_DIR", requires = "trust")]
        from: Option<String>,
        /// Trust roots whose log key must sign the copied checkpoint (with --from).
        #[arg(long, value_name = "FILE")]
        trust: Option<PathBuf>,
    },
}

/// A status list purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PurposeArg {
    /// Bit set: the award no longer stands (revoked, superseded, ended); never cleared.
    Revocation,
    /// Bit set: the award is suspended now; cleared when it is reinstated.
    Suspension,
}

impl From<PurposeArg> for crate::status::Purpose {
    fn from(p: PurposeArg) -> Self {
        match p {
            PurposeArg::Revocation => crate::status::Purpose::Revocation,
            PurposeArg::Suspension => crate::status::Purpose::Suspension,
        }
    }
}

pub fn init(a: InitArgs, ctx: &Ctx) -> Result<i32, Error> {
    let dir = ctx.db_dir()?;
    let file = a.passphrase_file.or(ctx.log_passphrase_file.clone());
    let pass = match (&file, std::env::var_os("HONORS_LOG_PASSPHRASE")) {
        (Some(f), _) => passphrase(Some(f))?,
        (None, Some(v)) => crate::keyfile::Passphrase::new(v.into_encoded_bytes())?,
        (None, None) => {
            return Err(Error::usage(
                "no passphrase for the new log key",
                "pass --log-key-passphrase-file FILE or set HONORS_LOG_PASSPHRASE",
            ))
        }
    };
    let (_, report) = Registry::init(dir, &a.origin, &pass, file.as_deref())?;
    ctx.out.result(&report, || {
        format!(
            "registry created in {}\n  log:         {}\n  log key:     {}\n  status key:  {} (signs status lists)\n  trust roots: {}\nnext: create a root authority (honors authority create --root …)",
            report.db.display(),
            report.origin,
            report.log_vkey,
            report.status_did,
            report.trust_roots.display()
        )
    })?;
    Ok(0)
}

pub fn run(cmd: Cmd, ctx: &Ctx) -> Result<i32, Error> {
    if let Cmd::Export {
        dir,
        from: Some(from),
        trust: Some(trust),
    } = &cmd
    {
        let trust = crate::registry::load_trust_roots(trust)?;
        let source = crate::tilelog::open_source(from)?;
        let r = crate::tilelog::mirror(source.as_ref(), &trust, dir)?;
        ctx.out.result(&r, || {
            format!(
                "copied the log of {} entries from {from} to {}{} ({} files written, {} unchanged)",
                r.tree_size,
                r.dir.display(),
                r.previous_size
                    .map(|p| format!(", extending the copy of {p} entries"))
                    .unwrap_or_default(),
                r.written,
                r.unchanged
            )
        })?;
        return Ok(0);
    }
    let reg = ctx.open()?;
    let b64 = |h: &[u8; 32]| base64::engine::general_purpose::STANDARD.encode(h);
    match cmd {
        Cmd::Checkpoint { since } => {
            let note = reg.checkpoint()?;
            let text =
                String::from_utf8(note).map_err(|_| Error::corrupt("checkpoint is not UTF-8"))?;
            if let Some(old) = since {
                let cp = crate::tlog::Checkpoint::parse(
                    text.split("\n\n")
                        .next()
                        .map(|t| format!("{t}\n"))
                        .as_deref()
                        .unwrap_or(""),
                )
                .map_err(|e| Error::corrupt(e.to_string()))?;
                let proof = reg.consistency_proof(old, cp.size)?;
                let mut body = format!("old {old}\n");
                for h in &proof {
                    body.push_str(&b64(h));
                    body.push('\n');
                }
                body.push('\n');
                body.push_str(&text);
                let v = serde_json::json!({"old": old, "tree_size": cp.size, "hashes": proof.iter().map(b64).collect::<Vec<_>>(), "body": body});
                ctx.out.result(&v, || body.clone())?;
            } else if ctx.out.json {
                let cp = crate::tlog::Checkpoint::parse(
                    text.split("\n\n")
                        .next()
                        .map(|t| format!("{t}\n"))
                        .as_deref()
                        .unwrap_or(""),
                )
                .map_err(|e| Error::corrupt(e.to_string()))?;
                let v = serde_json::json!({"origin": cp.origin, "tree_size": cp.size, "root": b64(&cp.root), "note": text});
                ctx.out.result(&v, String::new)?;
            } else {
                super::common::write_output(None, text.as_bytes(), false)?;
            }
        }
        Cmd::Key => {
            let vkey = reg.log_vkey();
            let status_did = reg.status_did()?;
            ctx.out.result(&serde_json::json!({"vkey": vkey, "origin": reg.origin(), "status_did": status_did}), || vkey.clone())?;
        }
        Cmd::Inclusion { index, size } => {
            let size = match size {
                Some(s) => s,
                None => reg.size()?,
            };
            let proof = reg.inclusion_proof(index, size)?;
            let hashes: Vec<String> = proof.iter().map(b64).collect();
            let v = serde_json::json!({"index": index, "tree_size": size, "hashes": hashes});
            ctx.out.result(&v, || hashes.join("\n"))?;
        }
        Cmd::Consistency { old, new } => {
            let proof = reg.consistency_proof(old, new)?;
            let hashes: Vec<String> = proof.iter().map(b64).collect();
            let v = serde_json::json!({"old": old, "new": new, "hashes": hashes});
            ctx.out.result(&v, || hashes.join("\n"))?;
        }
        Cmd::StatusList {
            authority,
            purpose,
            output,
            force,
        } => {
            let reg = ctx.open()?;
            ctx.unlock_with_status(reg)?;
            let purpose = crate::status::Purpose::from(purpose);
            let mut bytes = reg.status_list(&authority, purpose, ctx.now)?;
            bytes.push(b'\n');
            let Some(path) = output else {
                return super::common::write_output(None, &bytes, false).map(|_| 0);
            };
            super::common::write_output(Some(&path), &bytes, force)?;
            let doc: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| Error::internal(e.to_string()))?;
            let set = reg.status_bits(&authority, purpose, ctx.now)?.ones().len();
            let v = serde_json::json!({"file": path, "id": doc["id"], "issuer": doc["issuer"], "purpose": purpose, "set": set});
            if ctx.out.json {
                ctx.out.result(&v, String::new)?;
            } else {
                ctx.out.status(format!(
                    "wrote the {purpose} list {} to {} ({set} bit(s) set)",
                    doc["id"].as_str().unwrap_or(""),
                    path.display()
                ));
            }
        }
        Cmd::Export { dir, .. } => {
            let r = reg.export_log(&dir)?;
            ctx.out.result(&r, || {
                format!(
                    "exported the log of {} entries to {}: {} hash tiles, {} entry bundles ({} written, {} unchanged) and the checkpoint\naudit it: honors audit --from {} --trust TRUST_ROOTS",
                    r.tree_size,
                    r.dir.display(),
                    r.hash_tiles,
                    r.entry_bundles,
                    r.written,
                    r.unchanged,
                    r.dir.display()
                )
            })?;
        }
    }
    Ok(0)
}
