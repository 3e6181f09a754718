//! What a compact code proves on its own: the signature of a `did:key` over this award.
//!
//! A compact code (see [`crate::compact`]) carries only the credential. It cannot show that
//! the key was accredited for the scheme, that the award was logged, or its status: so on its
//! own it never yields `valid`. [`verify_compact`] checks what can be checked and then answers
//! `invalid` with [`SIGNATURE_ONLY`]; with a registry, the caller continues from
//! [`compact_checks`] to the registry's verdict.

use super::{Checks, Verdict};
use crate::statement::{self, Kind};

/// The reason a compact code alone is not `valid`.
pub const SIGNATURE_ONLY: &str =
    "compact code proves the signature only; verify the bundle or pass --db (a registry) to check accreditation, logging and status";

/// Decodes a compact code and checks the credential's signature. `Ok`: the checks so far and
/// the credential bytes; `Err`: the `invalid` verdict.
pub fn compact_checks(code: &str) -> Result<(Checks, Vec<u8>), Verdict> {
    let mut c = Checks::default();
    let bytes = match crate::compact::decode(code) {
        Ok(b) => b,
        Err(e) => return Err(c.fail("compact", e.to_string())),
    };
    c.pass(
        "compact",
        format!(
            "a {} code of {} characters holding a credential of {} bytes",
            crate::compact::PREFIX.trim_end_matches(':'),
            code.trim().len(),
            bytes.len()
        ),
    );
    let signed = match statement::verify_signed(&bytes) {
        Ok(s) => s,
        Err(e) => return Err(c.fail("signature", e.to_string())),
    };
    c.pass(
        "signature",
        format!("eddsa-jcs-2022 signature by {}", signed.proof.did),
    );
    let Kind::Award {
        title, holder_name, ..
    } = &signed.statement.kind
    else {
        return Err(c.fail(
            "award",
            format!(
                "this is a {} statement, not an award",
                signed.statement.kind.type_name()
            ),
        ));
    };
    c.pass(
        "award",
        format!(
            "award {} 「{title}」 to {holder_name}, issuer.name {}",
            signed.statement.id, signed.statement.issuer_name
        ),
    );
    Ok((c, bytes))
}

/// The verdict on a compact code without a registry: `invalid`, after showing what holds.
pub fn verify_compact(code: &str) -> Verdict {
    match compact_checks(code) {
        Err(v) => v,
        Ok((c, bytes)) => {
            let id = statement::parse_signed(&bytes)
                .ok()
                .map(|(s, _)| s.statement.id);
            let mut v = c.fail("registry", SIGNATURE_ONLY);
            v.reason = SIGNATURE_ONLY.to_string();
            v.award_id = id;
            v
        }
    }
}
