//! `honors award …`: issue, list, and the lifecycle (renew, suspend, reinstate, revoke, correct).

use clap::Subcommand;

use super::authority::signer_authority;
use super::common::{new_id, Ctx, KeyArgs};
use super::sign_and_submit;
use crate::award::Status;
use crate::credential::didkey;
use crate::error::Error;
use crate::id::Uscc;
use crate::registry::{AwardFilter, AwardView};
use crate::statement::{Kind, Relation, Statement, StatusAction};
use crate::time::{parse_date_or_datetime, parse_end_of_day};

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Issue an award to a registered holder under a scheme the signer may issue.
    Issue {
        /// The holder's 统一社会信用代码.
        #[arg(long)]
        holder: String,
        /// The scheme id (see `honors scheme list`).
        #[arg(long)]
        scheme: String,
        /// The award's title as published (default: the scheme's title).
        #[arg(long)]
        title: Option<String>,
        /// The part of the holder that received it (科室, 党支部, …).
        #[arg(long)]
        sub_unit: Option<String>,
        /// First day of validity, YYYY-MM-DD (China time; default today).
        #[arg(long)]
        valid_from: Option<String>,
        /// Last day of validity, YYYY-MM-DD (default: none).
        #[arg(long)]
        valid_until: Option<String>,
        /// The batch year (年度) the award belongs to.
        #[arg(long)]
        year: Option<u32>,
        /// Criteria or reason, shown as the achievement's narrative.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Import awards from a CSV list (idempotent; resumes after an interruption).
    Import(super::import::Args),
    /// List awards, optionally filtered.
    List {
        /// Holder USCC or name.
        #[arg(long)]
        holder: Option<String>,
        /// Scheme id or title.
        #[arg(long)]
        scheme: Option<String>,
        /// Issuer authority id or name.
        #[arg(long)]
        issuer: Option<String>,
        /// Batch year.
        #[arg(long)]
        year: Option<u32>,
        /// valid, expired, not_yet_valid, suspended, revoked, superseded or invalid.
        #[arg(long)]
        status: Option<String>,
    },
    /// Renew an award after re-review: a new award of the same scheme linked to it.
    Renew {
        /// The award being renewed.
        id: String,
        #[arg(long)]
        valid_from: Option<String>,
        #[arg(long)]
        valid_until: Option<String>,
        #[arg(long)]
        year: Option<u32>,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Join an award as co-issuer (a joint award of two authorities); signed by the co-issuer.
    Cosign {
        /// The award id.
        id: String,
        /// Why (e.g. 联合表彰).
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Suspend an award (黄牌警告, 限期整改) until reinstated.
    Suspend(StatusArgs),
    /// End a suspension.
    Reinstate(StatusArgs),
    /// Revoke an award for good (certificate withdrawn).
    Revoke(StatusArgs),
    /// Supersede an award with a corrected record (or a lower grade with --scheme).
    Correct {
        /// The award being corrected.
        id: String,
        #[arg(long)]
        title: Option<String>,
        /// A different scheme: a downgrade, e.g. from 三级甲等 to 三级乙等.
        #[arg(long)]
        scheme: Option<String>,
        #[arg(long)]
        sub_unit: Option<String>,
        #[arg(long)]
        valid_from: Option<String>,
        #[arg(long)]
        valid_until: Option<String>,
        #[arg(long)]
        year: Option<u32>,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The award id.
    pub id: String,
    /// Why (recorded in the log and shown to verifiers).
    #[arg(long)]
    pub reason: String,
    /// When it takes effect (YYYY-MM-DD; default now).
    #[arg(long)]
    pub on: Option<String>,
    #[command(flatten)]
    pub key: KeyArgs,
}

pub fn run(cmd: Cmd, ctx: &Ctx) -> Result<i32, Error> {
    match cmd {
        Cmd::Issue {
            holder,
            scheme,
            title,
            sub_unit,
            valid_from,
            valid_until,
            year,
            reason,
            key,
        } => {
            let uscc: Uscc = holder.parse()?;
            let spec = AwardSpec {
                scheme,
                title,
                sub_unit,
                valid_from,
                valid_until,
                year,
                reason,
                previous: None,
            };
            issue(ctx, &key, uscc, spec)
        }
        Cmd::Import(a) => super::import::run(a, ctx),
        Cmd::List {
            holder,
            scheme,
            issuer,
            year,
            status,
        } => {
            let status = match status {
                Some(s) => Some(Status::parse(&s).ok_or_else(|| {
                    Error::usage(format!("--status {s} is not a status word"), "use valid, expired, not_yet_valid, suspended, revoked, superseded or invalid")
                })?),
                None => None,
            };
            let reg = ctx.open()?;
            let list = reg.list_awards(
                &AwardFilter {
                    holder,
                    scheme,
                    issuer,
                    year,
                    status,
                },
                ctx.now,
            )?;
            ctx.out.result(&list, || table(&list))?;
            Ok(0)
        }
        Cmd::Renew {
            id,
            valid_from,
            valid_until,
            year,
            reason,
            key,
        } => {
            let prev = ctx.source()?.award(&id)?;
            let spec = AwardSpec {
                scheme: prev.scheme.clone(),
                title: Some(prev.title.clone()),
                sub_unit: prev.sub_unit.clone(),
                valid_from,
                valid_until,
                year,
                reason: Some(reason),
                previous: Some((Relation::Renews, prev.id.clone())),
            };
            issue(ctx, &key, prev.uscc.parse()?, spec)
        }
        Cmd::Correct {
            id,
            title,
            scheme,
            sub_unit,
            valid_from,
            valid_until,
            year,
            reason,
            key,
        } => {
            let prev = ctx.source()?.award(&id)?;
            let fmt = |us: i64| crate::time::format_cst(crate::time::from_micros(us));
            let relation = if scheme.as_ref().is_some_and(|s| *s != prev.scheme) {
                Relation::Downgrades
            } else {
                Relation::Corrects
            };
            let spec = AwardSpec {
                scheme: scheme.unwrap_or(prev.scheme.clone()),
                title: title.or(if relation == Relation::Corrects {
                    Some(prev.title.clone())
                } else {
                    None
                }),
                sub_unit: sub_unit.or(prev.sub_unit.clone()),
                valid_from: valid_from.or(Some(fmt(prev.valid_from_us))),
                valid_until: valid_until.or(prev.valid_until_us.map(fmt)),
                year: year.or(prev.batch_year),
                reason: Some(reason),
                previous: Some((relation, prev.id.clone())),
            };
            issue(ctx, &key, prev.uscc.parse()?, spec)
        }
        Cmd::Cosign { id, reason, key } => {
            let award = ctx.open()?.award(&id)?;
            let (sk, _) = ctx.unlock_signer(&key)?;
            let signer = signer_authority(ctx, &sk)?;
            let st = super::statement_by(
                ctx,
                &sk,
                &signer,
                Kind::CoIssue {
                    award: award.id.clone(),
                    reason: reason.clone(),
                },
            );
            let acc = sign_and_submit(
                ctx,
                &sk,
                &st,
                &format!("{} co-issues award {}", signer.name, award.id),
            )?;
            let v = serde_json::json!({"id": award.id, "co_issuer": signer.name, "index": acc.index, "tree_size": acc.tree_size});
            ctx.out.result(&v, || {
                format!(
                    "award {} 「{}」 is now a joint award of its issuer and {}",
                    award.id, award.title, signer.name
                )
            })?;
            Ok(0)
        }
        Cmd::Suspend(a) => status(ctx, a, StatusAction::Suspend),
        Cmd::Reinstate(a) => status(ctx, a, StatusAction::Reinstate),
        Cmd::Revoke(a) => status(ctx, a, StatusAction::Revoke),
    }
}

struct AwardSpec {
    scheme: String,
    title: Option<String>,
    sub_unit: Option<String>,
    valid_from: Option<String>,
    valid_until: Option<String>,
    year: Option<u32>,
    reason: Option<String>,
    previous: Option<(Relation, String)>,
}

fn issue(ctx: &Ctx, key: &KeyArgs, uscc: Uscc, spec: AwardSpec) -> Result<i32, Error> {
    let (sk, _) = ctx.unlock_signer(key)?;
    let signer = signer_authority(ctx, &sk)?;
    let src = ctx.source()?;
    let scheme_id = crate::registry::normalize_id(&spec.scheme);
    let scheme = src.scheme(&scheme_id)?.ok_or_else(|| {
        Error::input(
            format!("no scheme has the id {scheme_id}"),
            "list schemes with `honors scheme list`, or define one with `honors scheme define`",
        )
    })?;
    let holder = src.holder(uscc.as_str())?.ok_or_else(|| {
        Error::input(
            format!("no holder is registered as {uscc}"),
            "register it first: honors holder register --uscc … --name … --province …",
        )
    })?;
    let valid_from = match &spec.valid_from {
        Some(d) => parse_date_or_datetime(d)?,
        None => ctx.now,
    };
    let valid_until = spec
        .valid_until
        .as_deref()
        .map(parse_end_of_day)
        .transpose()?;
    let id = new_id();
    let title = spec.title.unwrap_or_else(|| scheme.title.clone());
    let status = src.new_status_ref(&signer.id)?;
    if status.is_none() {
        ctx.out.status(format!(
            "the status lists of {} are full: this award gets no credentialStatus entry",
            signer.name
        ));
    }
    let st = Statement {
        id: id.clone(),
        issuer_did: didkey::did_for(&sk.verifying_key()),
        issuer_name: signer.name.clone(),
        valid_from,
        valid_until,
        kind: Kind::Award {
            uscc: uscc.clone(),
            holder_name: holder.name.clone(),
            sub_unit: spec.sub_unit,
            title: title.clone(),
            scheme: scheme.id.clone(),
            scheme_title: scheme.title.clone(),
            batch_year: spec.year,
            previous: spec.previous,
            reason: spec.reason,
            status,
        },
    };
    let acc = sign_and_submit(ctx, &sk, &st, &format!("「{title}」 to {}", holder.name))?;
    let v = serde_json::json!({"id": id, "index": acc.index, "tree_size": acc.tree_size, "title": title, "holder_uscc": uscc.as_str(), "holder_name": holder.name});
    ctx.out.result(&v, || format!("award {id}\n  「{title}」 to {} ({uscc}) by {}\n  prove it: honors prove {id} --format vc", holder.name, signer.name))?;
    Ok(0)
}

fn status(ctx: &Ctx, a: StatusArgs, action: StatusAction) -> Result<i32, Error> {
    let award = ctx.source()?.award(&a.id)?;
    let (sk, _) = ctx.unlock_signer(&a.key)?;
    let signer = signer_authority(ctx, &sk)?;
    let at = match &a.on {
        Some(d) => parse_date_or_datetime(d)?,
        None => ctx.now,
    };
    let st = Statement {
        id: new_id(),
        issuer_did: didkey::did_for(&sk.verifying_key()),
        issuer_name: signer.name.clone(),
        valid_from: at,
        valid_until: None,
        kind: Kind::Status {
            award: award.id.clone(),
            action,
            reason: a.reason.clone(),
        },
    };
    let acc = sign_and_submit(
        ctx,
        &sk,
        &st,
        &format!("{} award {}", action.as_str(), award.id),
    )?;
    let v = serde_json::json!({"id": award.id, "action": action.as_str(), "reason": a.reason, "index": acc.index, "tree_size": acc.tree_size});
    ctx.out.result(&v, || {
        format!(
            "award {} 「{}」: {} ({})",
            award.id,
            award.title,
            action.as_str(),
            a.reason
        )
    })?;
    Ok(0)
}

/// A plain-text table of awards.
pub(crate) fn table(list: &[AwardView]) -> String {
    if list.is_empty() {
        return "no awards match".into();
    }
    let mut s = String::new();
    for a in list {
        let unit = a
            .sub_unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let until = a.valid_until.as_deref().unwrap_or("—");
        s.push_str(&format!(
            "{:<13} {}  「{}」\n    {}{unit} ({})  by {}  {} → {until}\n",
            a.status.as_str(),
            a.id,
            a.title,
            a.holder_name,
            a.holder_uscc,
            a.issuer,
            a.valid_from
        ));
    }
    s.push_str(&format!("{} award(s)", list.len()));
    s
}
