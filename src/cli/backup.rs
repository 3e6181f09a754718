//! `honors backup DIR` and `honors restore DIR`.

use std::path::PathBuf;

use super::common::Ctx;
use crate::error::Error;
use crate::registry::Registry;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// A new or empty directory for the backup (the log, its checkpoints, config, trust roots and the encrypted log and status keys).
    pub dir: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A backup written by `honors backup`. The registry is rebuilt in --db (a new directory)
    /// by replaying every entry, and accepted only if it reproduces every backed-up checkpoint.
    pub dir: PathBuf,
}

pub fn backup(a: BackupArgs, ctx: &Ctx) -> Result<i32, Error> {
    let reg = ctx.open()?;
    let r = reg.backup(&a.dir)?;
    ctx.out.result(&r, || {
        format!(
            "backed up {} entries and {} checkpoints to {} (tree size {}, root {})",
            r.entries,
            r.checkpoints,
            r.dir.display(),
            r.tree_size,
            r.root
        )
    })?;
    Ok(0)
}

pub fn restore(a: RestoreArgs, ctx: &Ctx) -> Result<i32, Error> {
    let target = ctx.db_dir()?;
    let out = ctx.out;
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let r = Registry::restore(&a.dir, target, &|done, total| {
        if tty && !out.quiet {
            eprint!("\rrestore: {done}/{total} entries replayed");
            if done == total {
                eprintln!();
            }
        }
    })?;
    ctx.out.result(&r, || {
        format!(
            "restored {} entries into {}; the rebuilt tree reproduces checkpoint {} (root {})",
            r.entries,
            r.dir.display(),
            r.tree_size,
            r.root
        )
    })?;
    Ok(0)
}
