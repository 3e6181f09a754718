//! `GET /api/v1/awards/{id}/proof?format=F`: every proof format behind one function, so that
//! a new format (bundle, compact code, QR) is one match arm here.

use crate::error::Error;
use crate::registry::Registry;

/// A proof ready to send.
pub struct Proof {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// The formats this server can produce.
pub const FORMATS: &[&str] = &["vc", "bundle", "compact"];

/// The proof of award `id` in `format`.
pub fn proof(
    reg: &Registry,
    id: &str,
    format: &str,
    _now: jiff::Timestamp,
) -> Result<Proof, Error> {
    match format {
        // The W3C credential alone, exactly as signed and logged (as `honors prove --format vc`).
        "vc" => Ok(Proof {
            bytes: reg.award_credential(id)?,
            content_type: "application/json",
        }),
        // The proof bundle (as `honors prove --format bundle`), against the latest checkpoint.
        "bundle" => Ok(Proof {
            bytes: reg.bundle(id)?.encode(),
            content_type: "application/json",
        }),
        // The compact code (as `honors prove --format compact`), one line.
        "compact" => Ok(Proof {
            bytes: format!("{}\n", crate::compact::encode(&reg.award_credential(id)?)).into_bytes(),
            content_type: "text/plain; charset=utf-8",
        }),
        // TODO(merge): "openbadge", "compact", "qr-png", "qr-svg" from the registry's
        // prove functions (src/registry/prove.rs), with content types application/json,
        // application/json, text/plain, image/png, image/svg+xml.
        other => Err(Error::input(
            format!("unknown proof format {other:?}"),
            format!("use one of: {}", FORMATS.join(", ")),
        )),
    }
}
