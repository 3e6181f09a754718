//! `honors show`, `honors search`, `honors history`.

use super::award::table;
use super::common::Ctx;
use crate::error::Error;
use crate::registry::Found;

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// An award, authority or scheme id (urn:uuid:… or the bare uuid), or a holder's USCC.
    pub id: String,
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Part of a title or a holder name, in simplified or traditional characters (全國三八紅旗集體 finds 全国三八红旗集体).
    pub text: String,
    /// Show at most N awards (a common word can match most of a large registry); the count of
    /// all matches goes to stderr when there are more.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The award id.
    pub id: String,
}

pub fn show(a: ShowArgs, ctx: &Ctx) -> Result<i32, Error> {
    let reg = ctx.open()?;
    let found = reg.show(&a.id, ctx.now)?;
    ctx.out.result(&found, || match &found {
        Found::Award { award, history } => {
            let mut s = table(std::slice::from_ref(award))
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join("\n");
            s.push_str(&format!(
                "\n  status: {} ({})\n  scheme: {}\n  log entry: {}\nhistory:",
                award.status, award.status_reason, award.scheme, award.index
            ));
            for h in history {
                s.push_str(&format!(
                    "\n  #{:<6} {}  {}  by {}{}",
                    h.index,
                    h.time,
                    h.event,
                    h.signer,
                    h.reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                ));
            }
            s
        }
        Found::Authority { authority } => {
            serde_json::to_string_pretty(authority).unwrap_or_default()
        }
        Found::Holder { holder, awards } => format!(
            "{} {}  ({}/{})\n{}",
            holder.uscc,
            holder.name,
            holder.province,
            holder.city,
            table(awards)
        ),
        Found::Scheme { scheme } => format!(
            "scheme 「{}」\n  id: {}\n  level: {}\n  category: {}\n  owner: {}",
            scheme.title, scheme.id, scheme.level, scheme.category, scheme.owner
        ),
    })?;
    Ok(0)
}

pub fn search(a: SearchArgs, ctx: &Ctx) -> Result<i32, Error> {
    let reg = ctx.open()?;
    let (list, total, complete) =
        reg.search_limited(&a.text, ctx.now, a.limit.unwrap_or(usize::MAX))?;
    if total > list.len() {
        ctx.out.status(format!(
            "showing {} of {}{total} matching awards: narrow the search or raise --limit",
            list.len(),
            if complete { "" } else { "at least " }
        ));
    }
    ctx.out.result(&list, || table(&list))?;
    Ok(0)
}

pub fn history(a: HistoryArgs, ctx: &Ctx) -> Result<i32, Error> {
    let reg = ctx.open()?;
    let events = reg.history(&a.id)?;
    ctx.out.result(&events, || {
        events
            .iter()
            .map(|h| {
                format!(
                    "#{:<6} {}  {:<12} by {}{}",
                    h.index,
                    h.time,
                    h.event,
                    h.signer,
                    h.reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(0)
}
