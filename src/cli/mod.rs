//! The command line (clap derive): one file per command group; this file parses the global
//! flags, dispatches, and turns the outcome into an exit code.

mod audit;
mod authority;
mod award;
mod backup;
mod common;
mod demo;
mod holder;
mod import;
mod log;
mod output;
mod prove;
mod query;
mod remote;
mod scheme;
mod serve;
mod verify;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::Error;
pub use common::Ctx;
pub use output::Out;

const AFTER_HELP: &str = "\
Exit codes: 0 ok / valid / audit clean; 1 a definite \"no\" (invalid verdict, refused statement, audit findings);
2 usage or input error, missing file, registry in use; 3 internal or I/O failure.

Start with `honors demo --dir /tmp/honors-demo`, which builds a registry from real seed honors and shows
what each role does next. Docs: README.md, docs/CLI.md.";

/// honors: a registry of signed honors and credentials with a tamper-evident audit trail.
///
/// Commissions sign awards (W3C Verifiable Credentials, eddsa-jcs-2022); hospitals export
/// proofs of them; anyone verifies a proof offline or audits the whole log.
#[derive(Debug, Parser)]
#[command(name = "honors", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// The registry directory.
    #[arg(long, global = true, env = "HONORS_DB", value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// Print exactly one JSON value on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// No status lines on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// File holding the registry's log-key passphrase (or set HONORS_LOG_PASSPHRASE).
    #[arg(long, global = true, value_name = "FILE")]
    pub log_passphrase_file: Option<PathBuf>,
    /// Write commands: sign here, submit to this registry server (http://HOST:PORT) instead of --db.
    #[arg(long, global = true, env = "HONORS_REGISTRY", value_name = "URL")]
    pub registry: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a demo registry from the seed honors and walk through every role.
    Demo(demo::Args),
    /// Create a new registry: store, log key, trust roots.
    Init(log::InitArgs),
    /// Authorities (commissions): keys, accreditation, key rotation, succession.
    #[command(subcommand)]
    Authority(authority::Cmd),
    /// Award schemes (programmes such as 三级甲等 or 全国三八红旗集体).
    #[command(subcommand)]
    Scheme(scheme::Cmd),
    /// Holders (hospitals), identified by 统一社会信用代码.
    #[command(subcommand)]
    Holder(holder::Cmd),
    /// Awards: issue, list, renew, suspend, reinstate, revoke, correct.
    #[command(subcommand)]
    Award(award::Cmd),
    /// Show one award, authority, scheme (by id) or holder (by USCC).
    Show(query::ShowArgs),
    /// Find awards by title or holder name, in simplified or traditional characters.
    Search(query::SearchArgs),
    /// Every event of an award, with its log index and time.
    History(query::HistoryArgs),
    /// Export a proof of an award.
    Prove(prove::Args),
    /// Verify an award credential (offline against trust roots).
    Verify(verify::Args),
    /// Replay the whole log and check every signature, policy decision, time and checkpoint.
    Audit(audit::Args),
    /// Back up the log, its checkpoints and the registry's config into a directory.
    Backup(backup::BackupArgs),
    /// Rebuild a registry (in --db) from a backup, checking it reproduces every checkpoint.
    Restore(backup::RestoreArgs),
    /// The transparency log: checkpoint, key, proofs, status lists, export as tiles.
    #[command(subcommand)]
    Log(log::Cmd),
    /// Serve the HTTP API (/api/v1/), the log's tiles (/log/) and the verification page (/verify).
    Serve(serve::Args),
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
            let _ = e.print();
            return code;
        }
    };
    let out = Out {
        json: cli.json,
        quiet: cli.quiet,
    };
    let ctx = Ctx {
        opened: Default::default(),
        db: cli.db.clone(),
        log_passphrase_file: cli.log_passphrase_file.clone(),
        registry: cli.registry.clone(),
        out,
        now: jiff::Timestamp::now(),
    };
    match run(cli.command, &ctx) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return 0;
            }
            out.error(&e);
            e.kind().exit_code()
        }
    }
}

fn is_broken_pipe(e: &Error) -> bool {
    e.message() == output::BROKEN_PIPE || e.message().ends_with("Broken pipe")
}

/// Dispatches a parsed command. Returns the exit code for a completed command (0, or 1 for a
/// definite "no" such as an invalid verdict).
pub fn run(command: Command, ctx: &Ctx) -> Result<i32, Error> {
    match command {
        Command::Demo(a) => demo::run(a, ctx),
        Command::Init(a) => log::init(a, ctx),
        Command::Authority(c) => authority::run(c, ctx),
        Command::Scheme(c) => scheme::run(c, ctx),
        Command::Holder(c) => holder::run(c, ctx),
        Command::Award(c) => award::run(c, ctx),
        Command::Show(a) => query::show(a, ctx),
        Command::Search(a) => query::search(a, ctx),
        Command::History(a) => query::history(a, ctx),
        Command::Prove(a) => prove::run(a, ctx),
        Command::Verify(a) => verify::run(a, ctx),
        Command::Audit(a) => audit::run(a, ctx),
        Command::Backup(a) => backup::backup(a, ctx),
        Command::Restore(a) => backup::restore(a, ctx),
        Command::Log(c) => log::run(c, ctx),
        Command::Serve(a) => serve::run(a, ctx),
    }
}

/// Signs `statement` with the unlocked key, submits it, and reports the result.
pub(crate) fn sign_and_submit(
    ctx: &Ctx,
    key: &ed25519_dalek::SigningKey,
    statement: &crate::statement::Statement,
    what: &str,
) -> Result<crate::registry::Accepted, Error> {
    let bytes = crate::statement::sign(statement, key, ctx.now)?;
    let accepted = match &ctx.registry {
        Some(url) => remote::Remote::new(url)?.submit(&bytes, statement.kind.label())?,
        None => ctx.open_for_write()?.submit_one(bytes, ctx.now)?,
    };
    ctx.out.status(format!(
        "{what}: logged at entry {} (checkpoint of {} entries){}",
        accepted.index,
        accepted.tree_size,
        if accepted.duplicate {
            "; it was already logged"
        } else {
            ""
        }
    ));
    Ok(accepted)
}

/// A new statement by `signer` (signing with `sk`), effective now, with a fresh id.
pub(crate) fn statement_by(
    ctx: &Ctx,
    sk: &ed25519_dalek::SigningKey,
    signer: &crate::authority::Authority,
    kind: crate::statement::Kind,
) -> crate::statement::Statement {
    crate::statement::Statement {
        id: common::new_id(),
        issuer_did: crate::credential::didkey::did_for(&sk.verifying_key()),
        issuer_name: signer.name.clone(),
        valid_from: ctx.now,
        valid_until: None,
        kind,
    }
}
