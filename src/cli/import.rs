//! `honors award import FILE.csv`: batch issuance from a commission's published list.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use super::authority::signer_authority;
use super::common::{Ctx, KeyArgs};
use crate::authority::{Holder, Scheme};
use crate::credential::didkey;
use crate::error::Error;
use crate::import::{self, RowError};
use crate::policy::View;
use crate::statement::{Kind, Statement};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file: a header row naming at least uscc, holder, title, scheme (id or title),
    /// valid_from, valid_until (may be empty); optional year, sub_unit, reason.
    pub file: PathBuf,
    /// Rows per durable batch (one fsync each); an interrupted import resumes after the last batch.
    #[arg(long, default_value_t = 1000)]
    pub batch_size: usize,
    #[command(flatten)]
    pub key: KeyArgs,
}

/// The `--json` summary.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub imported: u64,
    pub skipped: u64,
    pub errors: Vec<RowError>,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let file = std::fs::File::open(&a.file).map_err(|e| Error::file(&a.file, e))?;
    let (rows, mut errors) = import::parse(std::io::BufReader::new(file))
        .map_err(|e| Error::input(format!("{}: {e}", a.file.display()), "fix the header row"))?;
    let (sk, _) = ctx.unlock_signer(&a.key)?;
    let signer = signer_authority(ctx, &sk)?;
    let reg = ctx.open_for_write()?;
    let schemes: Vec<Scheme> = reg.schemes()?;
    let issuable: Vec<&Scheme> = schemes
        .iter()
        .filter(|s| crate::policy::may_issue(reg.store(), &signer, s).unwrap_or(false))
        .collect();
    let mut holders: HashMap<String, Option<Holder>> = HashMap::new();
    let did = didkey::did_for(&sk.verifying_key());
    let mut skipped = 0u64;
    let mut todo: Vec<(u64, Statement)> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut status_indexes = std::collections::HashSet::new();
    for row in rows {
        let scheme_id = crate::registry::normalize_id(&row.scheme);
        let matching: Vec<&&Scheme> = issuable
            .iter()
            .filter(|s| s.id == scheme_id || s.title == row.scheme)
            .collect();
        let scheme = match matching.as_slice() {
            [one] => *one,
            [] => {
                errors.push(RowError {
                    line: row.line,
                    message: format!(
                        "no scheme '{}' that {} may issue (see honors scheme list)",
                        row.scheme, signer.name
                    ),
                });
                continue;
            }
            _ => {
                errors.push(RowError {
                    line: row.line,
                    message: format!(
                        "scheme title '{}' is ambiguous: give the scheme id",
                        row.scheme
                    ),
                });
                continue;
            }
        };
        let holder = holders
            .entry(row.uscc.to_string())
            .or_insert_with(|| reg.store().holder(row.uscc.as_str()).ok().flatten())
            .clone();
        let Some(holder) = holder else {
            errors.push(RowError {
                line: row.line,
                message: format!(
                    "holder {} is not registered (honors holder register)",
                    row.uscc
                ),
            });
            continue;
        };
        if holder.name != row.holder {
            errors.push(RowError {
                line: row.line,
                message: format!(
                    "holder {} is registered as 「{}」, not 「{}」",
                    row.uscc, holder.name, row.holder
                ),
            });
            continue;
        }
        let id = import::award_id(&signer.id, &row, &scheme.id);
        if !ids.insert(id.clone())
            || reg
                .store()
                .award(&id)
                .map_err(|e| Error::internal(e.to_string()))?
                .is_some()
        {
            skipped += 1;
            continue;
        }
        // A random status-list index, unused in the registry and in this file (see crate::status).
        let status = reg.new_status_ref(&signer.id, &mut status_indexes)?;
        let st = Statement {
            id,
            issuer_did: did.clone(),
            issuer_name: signer.name.clone(),
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            kind: Kind::Award {
                uscc: row.uscc.clone(),
                holder_name: holder.name.clone(),
                sub_unit: row.sub_unit.clone(),
                title: row.title.clone(),
                scheme: scheme.id.clone(),
                scheme_title: scheme.title.clone(),
                batch_year: row.year,
                previous: None,
                reason: row.reason.clone(),
                status,
            },
        };
        todo.push((row.line, st));
    }
    let bar = progress(ctx, todo.len() as u64);
    let mut sign_errors: Vec<RowError> = Vec::new();
    let mut imported = 0u64;
    let now = ctx.now;
    // A pipeline of two stages: while one batch is decided and committed (one writer, mostly
    // sled), the next is signed and signature-checked on the other core. Batches still commit
    // in file order, each durable before the next starts.
    let reg_ref = &reg;
    std::thread::scope(|scope| -> Result<(), Error> {
        let mut in_flight: Option<(Vec<u64>, std::thread::ScopedJoinHandle<'_, _>)> = None;
        let mut finish = |lines: Vec<u64>,
                          handle: std::thread::ScopedJoinHandle<
            '_,
            Result<Vec<Result<crate::registry::Accepted, Error>>, Error>,
        >|
         -> Result<(), Error> {
            let results = handle
                .join()
                .map_err(|p| Error::internal(crate::store::panic_text(&p)))??;
            for (line, r) in lines.iter().zip(results) {
                match r {
                    Ok(acc) if acc.duplicate => skipped += 1,
                    Ok(_) => imported += 1,
                    Err(e) => errors.push(RowError {
                        line: *line,
                        message: e.message().to_string(),
                    }),
                }
            }
            bar.inc(lines.len() as u64);
            if let Some(last) = lines.last() {
                bar.suspend(|| {
                    ctx.out.status(format!(
                        "committed rows up to line {last} (log size {})",
                        reg_ref.size().unwrap_or(0)
                    ))
                });
            }
            Ok(())
        };
        for batch in todo.chunks(a.batch_size.max(1)) {
            let signed: Vec<Result<Vec<u8>, Error>> = batch
                .par_iter()
                .map(|(_, st)| crate::statement::sign(st, &sk, now).map_err(Error::from))
                .collect();
            let mut lines = Vec::new();
            let mut bytes = Vec::new();
            for ((line, _), s) in batch.iter().zip(signed) {
                match s {
                    Ok(b) => {
                        lines.push(*line);
                        bytes.push(b);
                    }
                    Err(e) => sign_errors.push(RowError {
                        line: *line,
                        message: e.to_string(),
                    }),
                }
            }
            let prepared = crate::registry::Prepared::new(bytes);
            if let Some((done, handle)) = in_flight.take() {
                finish(done, handle)?;
            }
            let handle = scope.spawn(move || reg_ref.submit_prepared(prepared, now));
            in_flight = Some((lines, handle));
        }
        if let Some((done, handle)) = in_flight.take() {
            finish(done, handle)?;
        }
        Ok(())
    })?;
    errors.extend(sign_errors);
    bar.finish_and_clear();
    errors.sort_by_key(|e| e.line);
    let summary = Summary {
        imported,
        skipped,
        errors,
    };
    ctx.out.result(&summary, || {
        let mut s = format!(
            "{} imported, {} already present, {} error(s)",
            summary.imported,
            summary.skipped,
            summary.errors.len()
        );
        for e in &summary.errors {
            s.push_str(&format!("\n  line {}: {}", e.line, e.message));
        }
        s
    })?;
    Ok(if summary.errors.is_empty() { 0 } else { 1 })
}

fn progress(ctx: &Ctx, len: u64) -> indicatif::ProgressBar {
    if ctx.out.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} awards signed and logged ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}
