//! `honors scheme …`: define and list award schemes.

use clap::Subcommand;

use super::authority::signer_authority;
use super::common::{new_id, Ctx, KeyArgs};
use super::sign_and_submit;
use crate::error::Error;
use crate::statement::Kind;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Define a scheme owned by the signing authority.
    Define {
        /// The scheme's title, e.g. 三级甲等医院.
        #[arg(long)]
        title: String,
        /// national, provincial, municipal, association, academic, internal or unknown.
        #[arg(long)]
        level: String,
        /// A category such as grading, honorary_title, key_specialty.
        #[arg(long, default_value = "honorary_title")]
        category: String,
        /// How many years an award of this scheme usually lasts (informational).
        #[arg(long)]
        validity_years: Option<u32>,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// List every scheme.
    List,
}

pub fn run(cmd: Cmd, ctx: &Ctx) -> Result<i32, Error> {
    match cmd {
        Cmd::Define {
            title,
            level,
            category,
            validity_years,
            key,
        } => {
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let scheme = new_id();
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::Scheme {
                    scheme: scheme.clone(),
                    title: title.clone(),
                    level,
                    category,
                    validity_years,
                },
            );
            let acc = sign_and_submit(ctx, &sk, &st, &format!("defined scheme 「{title}」"))?;
            let v = serde_json::json!({"scheme": scheme, "title": title, "owner": signer.id, "index": acc.index});
            ctx.out.result(&v, || {
                format!(
                    "scheme 「{title}」 defined by {}\n  scheme id: {scheme}",
                    signer.name
                )
            })?;
            Ok(0)
        }
        Cmd::List => {
            let reg = ctx.open()?;
            let list = reg.schemes()?;
            ctx.out.result(&list, || {
                list.iter()
                    .map(|s| format!("{}  「{}」 ({}, {})", s.id, s.title, s.level, s.category))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            Ok(0)
        }
    }
}
