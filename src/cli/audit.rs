//! `honors audit`: replay the whole log and report every finding.

use std::path::PathBuf;

use super::common::{read_input, Ctx};
use crate::error::Error;
use crate::registry::load_trust_roots;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Trust roots to audit against (default: the registry's own trust-roots.toml).
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// A checkpoint you kept earlier: the log must still contain it (no rollback, no rewrite).
    #[arg(long, value_name = "CHECKPOINT_FILE")]
    pub against: Option<PathBuf>,
    /// Audit a published log instead of a registry: a directory written by `honors log export`
    /// or a served tile tree (`http://HOST:PORT/log/`); needs --trust, no --db.
    #[arg(long, value_name = "DIR_OR_URL", requires = "trust")]
    pub from: Option<String>,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let trust = a.trust.as_deref().map(load_trust_roots).transpose()?;
    let against = a
        .against
        .as_ref()
        .map(|p| read_input(&p.display().to_string()))
        .transpose()?;
    let out = ctx.out;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let progress = |done: u64, total: u64| {
        if tty && !out.quiet {
            eprint!("\raudit: {done}/{total} entries replayed");
            if done == total {
                eprintln!();
            }
        }
    };
    let report = match (&a.from, &trust) {
        (Some(from), Some(trust)) => {
            let source = crate::tilelog::open_source(from)?;
            crate::tilelog::audit_tiles(source.as_ref(), trust, against.as_deref(), &progress)?
        }
        (Some(_), None) => {
            return Err(Error::usage(
                "--from needs --trust FILE",
                "pass the trust roots the log must be signed under",
            ))
        }
        // Unchecked: the start-up integrity check would refuse a damaged registry, and the
        // auditor is the one who must still be able to replay it and locate the damage.
        (None, _) => crate::registry::Registry::open_unchecked(ctx.db_dir()?)?.audit(
            trust.as_ref(),
            against.as_deref(),
            &progress,
        )?,
    };
    ctx.out.result(&report, || {
        let mut s = format!(
            "{} entries replayed, {} checkpoints verified, tree size {}: {}",
            report.entries,
            report.checkpoints,
            report.tree_size,
            if report.findings.is_empty() {
                "clean".to_string()
            } else {
                format!("{} finding(s)", report.findings.len())
            }
        );
        for f in &report.findings {
            let at = f.index.map(|i| format!("entry {i}: ")).unwrap_or_default();
            s.push_str(&format!(
                "\n  {at}[{}] expected {}; found {}",
                f.check, f.expected, f.found
            ));
        }
        s
    })?;
    Ok(if report.findings.is_empty() { 0 } else { 1 })
}
