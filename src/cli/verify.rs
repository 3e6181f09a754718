//! `honors verify INPUT --trust FILE`: a verdict on an award.

use std::path::PathBuf;

use super::common::{read_input, Ctx};
use crate::error::Error;
use crate::registry::load_trust_roots;
use crate::verify::Verdict;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A credential file, or - for standard input.
    pub input: String,
    /// The trust roots to verify against (root authorities and log keys).
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Judge validity at this date (YYYY-MM-DD or date-time; default now).
    #[arg(long)]
    pub at: Option<String>,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let trust = load_trust_roots(&a.trust)?;
    let at = match &a.at {
        Some(d) => crate::time::parse_date_or_datetime(d)?,
        None => ctx.now,
    };
    let bytes = read_input(&a.input)?;
    let reg = ctx.open().map_err(|e| {
        if ctx.db.is_none() {
            Error::usage("a bare credential needs the registry to find its issuer's accreditation and status", "pass --db DIR (or set HONORS_DB)")
        } else {
            e
        }
    })?;
    let verdict = reg.verify_credential(&bytes, &trust, at)?;
    report(ctx, &verdict)?;
    Ok(verdict.exit_code())
}

pub(crate) fn report(ctx: &Ctx, v: &Verdict) -> Result<(), Error> {
    ctx.out.result(v, || {
        let mut s = format!("{}: {}", v.verdict, v.reason);
        if let Some(n) = v.as_of_tree_size {
            s.push_str(&format!("\n  as of checkpoint {n}"));
        }
        for c in &v.checks {
            s.push_str(&format!("\n  {} {:<10} {}", if c.ok { "✓" } else { "✗" }, c.check, c.detail));
        }
        s
    })
}
