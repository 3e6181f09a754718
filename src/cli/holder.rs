//! `honors holder …`: register, rename, merge and list holders (hospitals).

use clap::Subcommand;

use super::authority::signer_authority;
use super::common::{new_id, Ctx, KeyArgs};
use super::sign_and_submit;
use crate::credential::didkey;
use crate::error::Error;
use crate::id::Uscc;
use crate::statement::{HolderEndKind, Kind, Statement};

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Register a holder under its 统一社会信用代码; signed by an authority whose jurisdiction covers it.
    Register {
        /// The 18-character 统一社会信用代码 (GB 32100-2015); the check character is verified.
        #[arg(long)]
        uscc: String,
        /// The holder's registered name.
        #[arg(long)]
        name: String,
        /// Province, e.g. 山东省.
        #[arg(long)]
        province: String,
        /// City, e.g. 淄博市.
        #[arg(long)]
        city: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Record a holder's new name; its awards carry over.
    Rename {
        #[arg(long)]
        uscc: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Record that a holder merged into another (or split, or dissolved); its awards end.
    Merge {
        #[arg(long)]
        uscc: String,
        /// The USCC of the holder it merged into (repeat for a split).
        #[arg(long = "into", value_name = "USCC")]
        into: Vec<String>,
        /// merged, split or dissolved.
        #[arg(long, default_value = "merged")]
        kind: String,
        /// When it took effect (YYYY-MM-DD; default now).
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// List every holder.
    List,
}

pub fn run(cmd: Cmd, ctx: &Ctx) -> Result<i32, Error> {
    match cmd {
        Cmd::Register {
            uscc,
            name,
            province,
            city,
            key,
        } => {
            let uscc: Uscc = uscc.parse()?;
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::Holder {
                    uscc: uscc.clone(),
                    name: name.clone(),
                    province,
                    city,
                },
            );
            let acc = sign_and_submit(ctx, &sk, &st, &format!("registered {name}"))?;
            let v = serde_json::json!({"uscc": uscc.as_str(), "name": name, "index": acc.index});
            ctx.out
                .result(&v, || format!("{name} registered as {uscc}"))?;
            Ok(0)
        }
        Cmd::Rename {
            uscc,
            name,
            reason,
            key,
        } => {
            let uscc: Uscc = uscc.parse()?;
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::HolderRename {
                    uscc: uscc.clone(),
                    name: name.clone(),
                    reason,
                },
            );
            let acc = sign_and_submit(ctx, &sk, &st, &format!("renamed {uscc}"))?;
            let v = serde_json::json!({"uscc": uscc.as_str(), "name": name, "index": acc.index});
            ctx.out.result(&v, || {
                format!("{uscc} is now named {name}; its awards carry over")
            })?;
            Ok(0)
        }
        Cmd::Merge {
            uscc,
            into,
            kind,
            on,
            reason,
            key,
        } => {
            let uscc: Uscc = uscc.parse()?;
            let successors = into
                .iter()
                .map(|u| u.parse::<Uscc>())
                .collect::<Result<Vec<_>, _>>()?;
            let kind = match kind.as_str() {
                "merged" => HolderEndKind::Merged,
                "split" => HolderEndKind::Split,
                "dissolved" => HolderEndKind::Dissolved,
                other => {
                    return Err(Error::usage(
                        format!("--kind {other} is not known"),
                        "use merged, split or dissolved",
                    ))
                }
            };
            let at = match on {
                Some(d) => crate::time::parse_date_or_datetime(&d)?,
                None => ctx.now,
            };
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let st = Statement {
                id: new_id(),
                issuer_did: didkey::did_for(&sk.verifying_key()),
                issuer_name: signer.name.clone(),
                valid_from: at,
                valid_until: None,
                kind: Kind::HolderEnd {
                    uscc: uscc.clone(),
                    kind,
                    successors,
                    reason,
                },
            };
            let acc = sign_and_submit(ctx, &sk, &st, &format!("{uscc} {}", kind.as_str()))?;
            let v = serde_json::json!({"uscc": uscc.as_str(), "end": kind.as_str(), "index": acc.index});
            ctx.out.result(&v, || {
                format!("{uscc} {}: its awards have ended", kind.as_str())
            })?;
            Ok(0)
        }
        Cmd::List => {
            let reg = ctx.open()?;
            let list = reg.holders()?;
            ctx.out.result(&list, || {
                list.iter()
                    .map(|h| {
                        format!(
                            "{}  {}  ({}{}){}",
                            h.uscc,
                            h.name,
                            h.province,
                            if h.city.is_empty() {
                                String::new()
                            } else {
                                format!("/{}", h.city)
                            },
                            if h.ended.is_some() { "  [ended]" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            Ok(0)
        }
    }
}
