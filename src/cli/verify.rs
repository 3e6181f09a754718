//! `honors verify INPUT --trust FILE`: a verdict on an award.
//!
//! INPUT is told apart by its content: a proof bundle (JSON with `"format": "honors-bundle/…"`)
//! is verified offline and needs nothing else; a compact code (`HONORS1:…`, given directly or in
//! a file) proves its signature, and reaches a verdict with `--db`; any other JSON is a bare
//! credential and needs `--db`.

use std::path::{Path, PathBuf};

use super::common::{read_input, Ctx};
use crate::error::Error;
use crate::registry::load_trust_roots;
use crate::verify::Verdict;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A proof bundle or credential file, a compact code (HONORS1:…) or a file holding one, or -
    /// for standard input.
    pub input: String,
    /// The trust roots to verify against (root authorities and log keys).
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Judge validity at this date (YYYY-MM-DD or date-time; default now).
    #[arg(long)]
    pub at: Option<String>,
    /// Bundles only: a newer status to check the bundle against: a newer bundle of the same
    /// award (`honors prove ID --format bundle --since N`) or a newer checkpoint
    /// (`honors log checkpoint --since N`). It must extend the bundle's log, else `invalid`.
    #[arg(long, value_name = "FILE")]
    pub status: Option<PathBuf>,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let trust = load_trust_roots(&a.trust)?;
    let at = match &a.at {
        Some(d) => crate::time::parse_date_or_datetime(d)?,
        None => ctx.now,
    };
    let bytes = if a.input != "-"
        && !Path::new(&a.input).exists()
        && crate::compact::is_compact(a.input.as_bytes())
    {
        a.input.clone().into_bytes()
    } else {
        read_input(&a.input)?
    };
    let newer = a
        .status
        .as_deref()
        .map(|p| std::fs::read(p).map_err(|e| Error::file(p, e)))
        .transpose()?;
    let verdict = if crate::compact::is_compact(&bytes) {
        no_status(&a)?;
        let code = std::str::from_utf8(&bytes).map_err(|_| {
            Error::input(
                "the compact code is not text",
                "copy the code exactly as scanned",
            )
        })?;
        verify_compact(code, &trust, at, ctx)?
    } else if looks_like_bundle(&bytes) {
        crate::verify::verify_bundle(&bytes, &trust, at, newer.as_deref())
    } else if serde_json::from_slice::<serde_json::Value>(&bytes).is_ok() {
        no_status(&a)?;
        needs_registry(ctx)?.verify_credential(&bytes, &trust, at)?
    } else if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        // A JSON document that does not parse (a damaged or truncated credential): a verdict.
        let e = serde_json::from_slice::<serde_json::Value>(&bytes)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        crate::verify::Checks::default().fail(
            "json",
            format!("a credential that is not valid JSON ({e}): it was damaged or truncated"),
        )
    } else {
        return Err(Error::input(
            format!(
                "{} is neither a proof bundle, a credential nor a compact code",
                if a.input == "-" {
                    "standard input"
                } else {
                    &a.input
                }
            ),
            "give a file from `honors prove ID --format bundle|vc`, or a code starting HONORS1:",
        ));
    };
    report(ctx, &verdict)?;
    Ok(verdict.exit_code())
}

/// A bundle, or what is left of one: damaged JSON that still names the bundle format gets an
/// `invalid` verdict ("bundle malformed") rather than being refused as unreadable.
fn looks_like_bundle(bytes: &[u8]) -> bool {
    crate::bundle::looks_like_bundle(bytes)
        || (serde_json::from_slice::<serde_json::Value>(bytes).is_err()
            && bytes.windows(15).any(|w| w == b"\"honors-bundle/"))
}

fn no_status(a: &Args) -> Result<(), Error> {
    if a.status.is_some() {
        return Err(Error::usage(
            "--status applies to proof bundles",
            "verify a bundle (honors prove ID --format bundle), or drop --status",
        ));
    }
    Ok(())
}

fn needs_registry(ctx: &Ctx) -> Result<&crate::registry::Registry, Error> {
    ctx.open().map_err(|e| {
        if ctx.db.is_none() {
            Error::usage(
                "a bare credential needs the registry to find its issuer's accreditation and status",
                "pass --db DIR (or set HONORS_DB), or verify a proof bundle (honors prove ID --format bundle) instead",
            )
        } else {
            e
        }
    })
}

/// A compact code: its signature alone without a registry (never `valid`), the registry's
/// verdict with `--db`.
fn verify_compact(
    code: &str,
    trust: &crate::trust::TrustRoots,
    at: jiff::Timestamp,
    ctx: &Ctx,
) -> Result<Verdict, Error> {
    if ctx.db.is_none() {
        return Ok(crate::verify::verify_compact(code));
    }
    let (checks, credential) = match crate::verify::compact_checks(code) {
        Ok(x) => x,
        Err(v) => return Ok(v),
    };
    let mut v = needs_registry(ctx)?.verify_credential(&credential, trust, at)?;
    let mut list = checks.list;
    list.extend(
        v.checks
            .into_iter()
            .filter(|c| !matches!(c.check, "json" | "signature" | "award")),
    );
    v.checks = list;
    Ok(v)
}

pub(crate) fn report(ctx: &Ctx, v: &Verdict) -> Result<(), Error> {
    ctx.out.result(v, || {
        let mut s = format!("{}: {}", v.verdict, v.reason);
        if let Some(n) = v.as_of_tree_size {
            s.push_str(&format!("\n  as of checkpoint {n}"));
        }
        for c in &v.checks {
            s.push_str(&format!(
                "\n  {} {:<10} {}",
                if c.ok { "✓" } else { "✗" },
                c.check,
                c.detail
            ));
        }
        s
    })
}
