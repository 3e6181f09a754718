//! `honors authority …`: keys, accreditation, rotation, revocation, succession.

use std::path::PathBuf;

use clap::Subcommand;

use super::common::{new_id, passphrase, Ctx, KeyArgs};
use super::sign_and_submit;
use crate::authority::Authority;
use crate::credential::didkey;
use crate::error::Error;
use crate::keyfile;
use crate::policy::View;
use crate::statement::Kind;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Generate an authority's key, encrypted at rest (mode 0600). With --root, also name it a
    /// root authority in the registry's trust roots.
    Create {
        /// The authority's official name, e.g. 山东省卫生健康委员会.
        #[arg(long)]
        name: String,
        /// Where to write the new encrypted key file.
        #[arg(long, value_name = "FILE")]
        key_out: PathBuf,
        /// File holding the passphrase for the new key (or set HONORS_PASSPHRASE).
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
        /// Make it a root authority of the registry given by --db (an operator's decision).
        #[arg(long)]
        root: bool,
        /// Replace an existing key file.
        #[arg(long)]
        force: bool,
    },
    /// Accredit a child authority: its key, jurisdiction, and the schemes it may issue.
    Accredit {
        /// The child's key file (only its public part is read) …
        #[arg(long, value_name = "FILE", conflicts_with = "did")]
        child_key: Option<PathBuf>,
        /// … or the child's did:key.
        #[arg(long)]
        did: Option<String>,
        /// The child's name (default: the label in its key file).
        #[arg(long)]
        name: Option<String>,
        /// The child's authority id, to re-accredit an existing child (default: a new id).
        #[arg(long)]
        id: Option<String>,
        /// 全国, a province (山东省) or province/city (山东省/淄博市).
        #[arg(long)]
        jurisdiction: String,
        /// A scheme id the child may issue (repeat for several).
        #[arg(long = "scheme", value_name = "SCHEME_ID")]
        schemes: Vec<String>,
        /// The child may accredit authorities below it.
        #[arg(long)]
        may_accredit: bool,
        /// The child may define schemes of its own.
        #[arg(long)]
        may_define_schemes: bool,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// List every authority with its parent, jurisdiction and keys.
    List,
    /// Replace an authority's key; signed with the key being replaced.
    RotateKey {
        /// Where to write the new encrypted key (same passphrase as the old one).
        #[arg(long, value_name = "FILE")]
        new_key_out: PathBuf,
        #[arg(long, default_value = "scheduled key rotation")]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Report a key compromised from a time on; signed by the accrediting (parent) authority.
    RevokeKey {
        /// The compromised key's did:key.
        #[arg(long)]
        did: String,
        /// When the compromise began (YYYY-MM-DD or a date-time); later signatures are void.
        #[arg(long)]
        compromised_at: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Declare a successor (e.g. 卫生计生委 → 卫生健康委); signed by the parent authority.
    Succeed {
        /// The predecessor's authority id.
        #[arg(long)]
        predecessor: String,
        /// The successor's key file (public part read).
        #[arg(long, value_name = "FILE")]
        successor_key: PathBuf,
        /// The successor's name (default: the label in its key file).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
}

pub fn run(cmd: Cmd, ctx: &Ctx) -> Result<i32, Error> {
    match cmd {
        Cmd::Create {
            name,
            key_out,
            passphrase_file,
            root,
            force,
        } => {
            let pass = passphrase(passphrase_file.as_deref())?;
            // The only command that changes the trust roots: it owns its registry handle.
            let mut reg = if root {
                Some(crate::registry::Registry::open(ctx.db_dir()?)?)
            } else {
                None
            };
            let key = keyfile::generate_signing_key()?;
            let info = keyfile::write_key_file(&key_out, &key, &name, &pass, force)?;
            let did = didkey::did_for(&info.public_key);
            let mut id = None;
            if let Some(reg) = reg.as_mut() {
                let rid = new_id();
                reg.add_root(crate::trust::RootEntry {
                    name: name.clone(),
                    id: rid.clone(),
                    did: did.clone(),
                })?;
                id = Some(rid);
            }
            let v = serde_json::json!({"name": name, "did": did, "key_file": key_out, "root": root, "id": id});
            ctx.out.result(&v, || {
                let mut s = format!("created key for {name}\n  did:  {did}\n  file: {}", key_out.display());
                if let Some(id) = &id {
                    s.push_str(&format!("\n  root authority id: {id} (added to trust-roots.toml)"));
                } else {
                    s.push_str("\nnext: have a parent authority accredit it (honors authority accredit --child-key FILE …)");
                }
                s
            })?;
            Ok(0)
        }
        Cmd::Accredit {
            child_key,
            did,
            name,
            id,
            jurisdiction,
            schemes,
            may_accredit,
            may_define_schemes,
            key,
        } => {
            let (child_did, label) = match (&child_key, &did) {
                (Some(f), _) => {
                    let info = keyfile::read_key_info(f)?;
                    (didkey::did_for(&info.public_key), Some(info.label))
                }
                (None, Some(d)) => (d.clone(), None),
                (None, None) => {
                    return Err(Error::usage(
                        "no child key given",
                        "pass --child-key FILE or --did did:key:…",
                    ))
                }
            };
            let name = name
                .or(label)
                .ok_or_else(|| Error::usage("no name for the child authority", "pass --name"))?;
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::Accreditation {
                    child_did: child_did.clone(),
                    authority: id
                        .map(|i| crate::registry::normalize_id(&i))
                        .unwrap_or_else(new_id),
                    name: name.clone(),
                    jurisdiction,
                    schemes,
                    may_accredit,
                    may_define_schemes,
                },
            );
            let acc = sign_and_submit(ctx, &sk, &st, &format!("accredited {name}"))?;
            let Kind::Accreditation { authority, .. } = &st.kind else {
                unreachable!()
            };
            let v = serde_json::json!({"authority": authority, "name": name, "did": child_did, "index": acc.index, "tree_size": acc.tree_size});
            ctx.out.result(&v, || {
                format!(
                    "{name} accredited by {}\n  authority id: {authority}\n  log entry:    {}",
                    signer.name, acc.index
                )
            })?;
            Ok(0)
        }
        Cmd::List => {
            let reg = ctx.open()?;
            let list = reg.authorities()?;
            ctx.out.result(&list, || {
                list.iter().map(describe).collect::<Vec<_>>().join("\n")
            })?;
            Ok(0)
        }
        Cmd::RotateKey {
            new_key_out,
            reason,
            key,
        } => {
            let (sk, info) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let new = keyfile::generate_signing_key()?;
            let pass = passphrase(key.passphrase_file.as_deref())?;
            let new_info = keyfile::write_key_file(&new_key_out, &new, &info.label, &pass, false)?;
            let new_did = didkey::did_for(&new_info.public_key);
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::KeyRotation {
                    authority: signer.id.clone(),
                    new_did: new_did.clone(),
                    old_did: didkey::did_for(&sk.verifying_key()),
                    reason,
                },
            );
            let acc = match sign_and_submit(
                ctx,
                &sk,
                &st,
                &format!("rotated the key of {}", signer.name),
            ) {
                Ok(a) => a,
                Err(e) => {
                    let _ = std::fs::remove_file(&new_key_out);
                    return Err(e);
                }
            };
            let v = serde_json::json!({"authority": signer.id, "new_did": new_did, "key_file": new_key_out, "index": acc.index});
            ctx.out.result(&v, || {
                format!(
                    "new key for {}: {new_did}\n  file: {}\n  the old key can no longer sign",
                    signer.name,
                    new_key_out.display()
                )
            })?;
            Ok(0)
        }
        Cmd::RevokeKey {
            did,
            compromised_at,
            reason,
            key,
        } => {
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let reg = ctx.open()?;
            let owner = reg
                .store()
                .authority_of_key(&did)
                .map_err(|e| Error::internal(e.to_string()))?
                .ok_or_else(|| {
                    Error::input(
                        format!("no authority in the registry has the key {did}"),
                        "check the did with `honors authority list`",
                    )
                })?;
            let at = crate::time::parse_date_or_datetime(&compromised_at)?;
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::KeyRevocation {
                    authority: owner.clone(),
                    did: did.clone(),
                    compromised_at: at,
                    reason,
                },
            );
            let acc = sign_and_submit(ctx, &sk, &st, "key revoked")?;
            let v = serde_json::json!({"authority": owner, "did": did, "compromised_at": crate::time::format_cst_micros(at), "index": acc.index});
            ctx.out.result(&v, || {
                format!(
                    "key {did} revoked from {}: what it signed that was logged after that is void",
                    crate::time::format_cst_micros(at)
                )
            })?;
            Ok(0)
        }
        Cmd::Succeed {
            predecessor,
            successor_key,
            name,
            reason,
            key,
        } => {
            let info = keyfile::read_key_info(&successor_key)?;
            let name = name.unwrap_or(info.label);
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let successor = new_id();
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::Succession {
                    predecessor: crate::registry::normalize_id(&predecessor),
                    successor: successor.clone(),
                    successor_did: didkey::did_for(&info.public_key),
                    successor_name: name.clone(),
                    reason,
                },
            );
            let acc = sign_and_submit(ctx, &sk, &st, &format!("{name} succeeds {predecessor}"))?;
            let v = serde_json::json!({"predecessor": predecessor, "successor": successor, "name": name, "index": acc.index});
            ctx.out.result(&v, || format!("{name} ({successor}) now succeeds {predecessor}; awards signed before stay valid"))?;
            Ok(0)
        }
    }
}

/// The authority that owns the signing key, as the registry knows it now.
pub(crate) fn signer_authority(
    ctx: &Ctx,
    sk: &ed25519_dalek::SigningKey,
) -> Result<Authority, Error> {
    ctx.source()?
        .signer_authority(&didkey::did_for(&sk.verifying_key()))
}

fn describe(a: &Authority) -> String {
    let mut s = format!(
        "{}  {}\n  id: {}\n  jurisdiction: {}",
        if a.is_root { "[root]" } else { "      " },
        a.name,
        a.id,
        a.jurisdiction
    );
    if let Some(p) = &a.parent {
        s.push_str(&format!("\n  accredited by: {p}"));
    }
    for k in &a.keys {
        let state = match (k.retired_at, k.compromised_at_us) {
            (_, Some(c)) => format!(
                "compromised since {}",
                crate::time::format_cst(crate::time::from_micros(c))
            ),
            (Some(r), None) => format!("retired at entry {r}"),
            (None, None) => "current".into(),
        };
        s.push_str(&format!("\n  key: {} ({state})", k.did));
    }
    if let Some((succ, _)) = &a.successor {
        s.push_str(&format!("\n  succeeded by: {succ}"));
    }
    s
}
