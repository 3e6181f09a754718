//! `honors prove ID --format F`: export a proof of an award.

use std::path::PathBuf;

use super::common::{write_output, Ctx};
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The W3C Verifiable Credential alone, exactly as signed and logged.
    Vc,
    /// A proof bundle (honors-bundle/v1, JSON): the award, every statement its verdict rests on,
    /// inclusion proofs and the signed checkpoint. Verifies offline with the trust roots alone.
    Bundle,
    /// One line of text (HONORS1:…): the signed credential, compressed, in base45. Proves the
    /// signature on its own; accreditation and status need the bundle or the registry.
    Compact,
    /// The compact code as a QR code (PNG).
    QrPng,
    /// The compact code as a QR code (SVG).
    QrSvg,
    /// A printable A4 certificate in Chinese with the QR code (SVG).
    CertificateSvg,
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
    /// Bundle only: add a consistency proof from tree size N (the "as of checkpoint N" of a
    /// bundle the verifier already holds), so that this bundle can serve as its newer status.
    #[arg(long, value_name = "N")]
    pub since: Option<u64>,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    let reg = ctx.open()?;
    if a.since.is_some() && a.format != Format::Bundle {
        return Err(Error::usage(
            "--since applies to --format bundle only",
            "drop --since, or use --format bundle",
        ));
    }
    let (bytes, what) = match a.format {
        Format::Vc => {
            let mut bytes = reg.award_credential(&a.id)?;
            bytes.push(b'\n');
            (bytes, "the credential".to_string())
        }
        Format::Bundle => {
            let b = reg.bundle_since(&a.id, a.since)?;
            let what = format!("a proof bundle of {} log entries", b.entries.len());
            (b.encode(), what)
        }
        Format::Compact => {
            let code = compact_code(&reg, &a.id, ctx)?;
            (
                format!("{code}\n").into_bytes(),
                "the compact code".to_string(),
            )
        }
        Format::QrPng => {
            let code = compact_code(&reg, &a.id, ctx)?;
            if a.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Error::usage(
                    "a PNG image is not for the terminal",
                    "write it to a file with -o award.png",
                ));
            }
            let png = crate::qr::symbol(&code)
                .and_then(|s| s.png(8))
                .map_err(qr_error)?;
            (png, "the QR code (PNG)".to_string())
        }
        Format::QrSvg => {
            let code = compact_code(&reg, &a.id, ctx)?;
            (
                crate::qr::svg(&code).map_err(qr_error)?.into_bytes(),
                "the QR code (SVG)".to_string(),
            )
        }
        Format::Openbadge => (
            reg.open_badge(&a.id)?,
            "the Open Badges 3.0 credential".to_string(),
        ),
        Format::CertificateSvg => {
            let award = reg.award(&a.id)?;
            let code = compact_code(&reg, &a.id, ctx)?;
            let cred = reg.award_credential(&a.id)?;
            let (signed, _) = crate::statement::parse_signed(&cred)
                .map_err(|e| Error::corrupt(format!("award {}: {e}", a.id)))?;
            let logged = format!("登记于 {} 第 {} 条", reg.origin(), award.index);
            let svg = crate::certificate::svg(&signed.statement, &code, &logged).map_err(|e| {
                Error::input(e.to_string(), "print the QR code instead (--format qr-svg)")
            })?;
            (svg.into_bytes(), "the certificate (A4 SVG)".to_string())
        }
    };
    write_output(a.output.as_deref(), &bytes, a.force)?;
    if let Some(p) = &a.output {
        ctx.out.status(format!("wrote {what} to {}", p.display()));
    }
    Ok(0)
}

/// The award's compact code; reports its length and QR version on stderr.
fn compact_code(reg: &crate::registry::Registry, id: &str, ctx: &Ctx) -> Result<String, Error> {
    let code = crate::compact::encode(&reg.award_credential(id)?);
    if let Ok(sym) = crate::qr::symbol(&code) {
        ctx.out.status(format!(
            "compact code: {} characters; QR version {} ({}×{} modules, error correction M)",
            code.len(),
            sym.version,
            sym.width,
            sym.width
        ));
    }
    Ok(code)
}

fn qr_error(e: crate::qr::QrError) -> Error {
    Error::input(
        e.to_string(),
        "use --format bundle, which has no size limit",
    )
}
