//! `honors prove ID --format F`: export a proof of an award.

use std::path::PathBuf;

use super::common::{write_output, Ctx};
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The W3C Verifiable Credential alone, exactly as signed and logged.
    Vc,
    /// The same credential as an Open Badges 3.0 OpenBadgeCredential (JSON): the proof wrapped
    /// in an array as the OB 3.0 schema wants it; the signature is unchanged.
    Openbadge,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The award id.
    pub id: String,
    /// What to export.
    #[arg(long, value_enum, default_value = "vc")]
    pub format: Format,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let reg = ctx.open()?;
    match a.format {
        Format::Vc => {
            let mut bytes = reg.award_credential(&a.id)?;
            bytes.push(b'\n');
            write_output(a.output.as_deref(), &bytes, a.force)?;
            if let Some(p) = &a.output {
                ctx.out.status(format!("wrote the credential to {}", p.display()));
            }
        }
        Format::Openbadge => {
            write_output(a.output.as_deref(), &reg.open_badge(&a.id)?, a.force)?;
            if let Some(p) = &a.output {
                ctx.out.status(format!("wrote the Open Badges 3.0 credential to {}", p.display()));
            }
        }
    }
    Ok(0)
}
