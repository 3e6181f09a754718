//! Statements: every change to the registry, as a signed JSON document.
//!
//! One proof format for every statement: each is a W3C Verifiable Credential 2.0 secured with
//! a `DataIntegrityProof` (`eddsa-jcs-2022`), signed by the key of the authority that makes it.
//! Awards are Open Badges 3.0 `OpenBadgeCredential`s; accreditations, schemes, holders, status
//! changes and key events are credentials of their own `type` (see `docs/FORMATS.md`).
//!
//! This module turns typed [`Statement`]s into unsigned JSON ([`Statement::to_json`]) and
//! parses signed bytes back into a [`SignedStatement`] ([`parse_signed`]). Parsing checks the
//! shape and the proof's structure; the Ed25519 equation is checked by [`verify_signed`] or in a
//! batch. Whether the signer was *entitled* to say it is [`crate::policy`]'s question.
//!
//! Invariant: the bytes a statement was signed and submitted as are kept as they are; every
//! other form (records, indexes) is derived from them. Text is never normalised.

mod fields;
mod json;
pub mod openbadge;
mod refs;

use jiff::Timestamp;

use crate::credential::{self, Prepared, Verified};
use crate::id::Uscc;
pub use fields::check_urn_uuid;
pub use json::from_json;
pub(crate) use refs::{logged_refs, Names};

/// The VC 2.0 context, first in every statement.
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context, second in award credentials.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The largest statement accepted: a log entry (with its header) must fit a tlog-tiles entry bundle.
pub const MAX_STATEMENT_BYTES: usize = 60_000;

/// A statement could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum StatementError {
    #[error("statement is not valid JSON: {reason}")]
    Json { reason: String },
    #[error("statement is {size} bytes; the largest accepted is {MAX_STATEMENT_BYTES} bytes")]
    TooLarge { size: usize },
    #[error("statement field `{field}` is missing")]
    Missing { field: String },
    #[error("statement field `{field}` is empty")]
    Empty { field: String },
    #[error("statement field `{field}` must be an object")]
    NotAnObject { field: String },
    #[error("statement field `{field}` must be {expected}")]
    WrongType {
        field: String,
        expected: &'static str,
    },
    #[error("statement field `{field}`: {source}")]
    Time {
        field: String,
        source: crate::time::TimeError,
    },
    #[error("statement field `{field}` is '{found}', expected an id of the form urn:uuid:<lowercase uuid>")]
    BadId { field: String, found: String },
    #[error("statement field `{field}` is not an Ed25519 did:key: {reason}")]
    BadDid { field: String, reason: String },
    #[error("statement field `{field}`: {reason}")]
    BadUscc { field: String, reason: String },
    #[error("statement field `{field}` is '{found}', expected one of: {expected}")]
    BadValue {
        field: String,
        found: String,
        expected: &'static str,
    },
    #[error("@context must start with {VC_CONTEXT}{extra}; found {found}")]
    Context { found: String, extra: &'static str },
    #[error("statement type {found:?} is not one honors knows (expected VerifiableCredential plus one of {known})")]
    UnknownType {
        found: Vec<String>,
        known: &'static str,
    },
    #[error("issuer.id is {issuer} but the proof was made with the key of {signer}: a statement must be signed by its issuer")]
    IssuerMismatch { issuer: String, signer: String },
    #[error("validUntil ({until}) is before validFrom ({from})")]
    ValidityOrder { from: String, until: String },
    #[error("proof: {0}")]
    Proof(#[from] credential::ProofError),
    #[error("{0}")]
    Status(crate::status::StatusError),
    #[error("not an Open Badges 3.0 credential: {0}")]
    OpenBadge(String),
}

/// What a holder's registration ended by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HolderEndKind {
    Merged,
    Split,
    Dissolved,
}

impl HolderEndKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merged => "merged",
            Self::Split => "split",
            Self::Dissolved => "dissolved",
        }
    }
}

/// A change of an award's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StatusAction {
    /// 黄牌警告 / 限期整改: the award is not valid until reinstated.
    Suspend,
    /// The suspension ends.
    Reinstate,
    /// Withdrawn for good (certificate withdrawn).
    Revoke,
}

impl StatusAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suspend => "suspend",
            Self::Reinstate => "reinstate",
            Self::Revoke => "revoke",
        }
    }
}

/// How a new award relates to an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Relation {
    /// Renewed after re-review (复审): the earlier award runs to its own end.
    Renews,
    /// A fixed record replacing a wrong one: the earlier award is superseded.
    Corrects,
    /// A lower grade replacing the earlier award (e.g. 三级甲等 to 三级乙等): superseded.
    Downgrades,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Renews => "renews",
            Self::Corrects => "corrects",
            Self::Downgrades => "downgrades",
        }
    }
}

/// The typed content of a statement, one variant per statement `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `HonorsAccreditation`: a parent authority admits (or re-grants) a child authority.
    Accreditation {
        child_did: String,
        authority: String,
        name: String,
        jurisdiction: String,
        schemes: Vec<String>,
        may_accredit: bool,
        may_define_schemes: bool,
    },
    /// `HonorsSchemeDefinition`: an award programme, owned by the authority that defines it.
    Scheme {
        scheme: String,
        title: String,
        level: String,
        category: String,
        validity_years: Option<u32>,
    },
    /// `HonorsHolderRegistration`: a hospital, identified by its 统一社会信用代码.
    Holder {
        uscc: Uscc,
        name: String,
        province: String,
        city: String,
    },
    /// `OpenBadgeCredential`: an award to a holder under a scheme.
    Award {
        uscc: Uscc,
        holder_name: String,
        sub_unit: Option<String>,
        title: String,
        scheme: String,
        scheme_title: String,
        batch_year: Option<u32>,
        previous: Option<(Relation, String)>,
        reason: Option<String>,
        /// Its entries in the issuer's Bitstring Status Lists (`credentialStatus`); awards
        /// issued before status lists existed have none.
        status: Option<crate::status::StatusRef>,
    },
    /// `HonorsCoIssue`: a second authority joins an award as co-issuer (a joint award).
    CoIssue { award: String, reason: String },
    /// `HonorsStatusChange`: suspend, reinstate or revoke an award.
    Status {
        award: String,
        action: StatusAction,
        reason: String,
    },
    /// `HonorsKeyRotation`: an authority replaces its key; signed by the key it replaces.
    KeyRotation {
        authority: String,
        new_did: String,
        old_did: String,
        reason: String,
    },
    /// `HonorsKeyRevocation`: a key is compromised from a time on; signed by the parent authority.
    KeyRevocation {
        authority: String,
        did: String,
        compromised_at: Timestamp,
        reason: String,
    },
    /// `HonorsAuthoritySuccession`: an authority is renamed or succeeded (卫生计生委 → 卫生健康委).
    Succession {
        predecessor: String,
        successor: String,
        successor_did: String,
        successor_name: String,
        reason: String,
    },
    /// `HonorsHolderRename`: a holder's new name; its awards carry over.
    HolderRename {
        uscc: Uscc,
        name: String,
        reason: String,
    },
    /// `HonorsHolderEnd`: a holder merged, split or dissolved; its awards end.
    HolderEnd {
        uscc: Uscc,
        kind: HolderEndKind,
        successors: Vec<Uscc>,
        reason: String,
    },
}

impl Kind {
    /// The statement `type` word (after `VerifiableCredential`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Accreditation { .. } => "HonorsAccreditation",
            Kind::Scheme { .. } => "HonorsSchemeDefinition",
            Kind::Holder { .. } => "HonorsHolderRegistration",
            Kind::Award { .. } => "OpenBadgeCredential",
            Kind::CoIssue { .. } => "HonorsCoIssue",
            Kind::Status { .. } => "HonorsStatusChange",
            Kind::KeyRotation { .. } => "HonorsKeyRotation",
            Kind::KeyRevocation { .. } => "HonorsKeyRevocation",
            Kind::Succession { .. } => "HonorsAuthoritySuccession",
            Kind::HolderRename { .. } => "HonorsHolderRename",
            Kind::HolderEnd { .. } => "HonorsHolderEnd",
        }
    }

    /// A short human word for listings: "award", "accreditation", ...
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Accreditation { .. } => "accreditation",
            Kind::Scheme { .. } => "scheme",
            Kind::Holder { .. } => "holder",
            Kind::Award { .. } => "award",
            Kind::CoIssue { .. } => "co-issue",
            Kind::Status { action, .. } => action.as_str(),
            Kind::KeyRotation { .. } => "key-rotation",
            Kind::KeyRevocation { .. } => "key-revocation",
            Kind::Succession { .. } => "succession",
            Kind::HolderRename { .. } => "holder-rename",
            Kind::HolderEnd { .. } => "holder-end",
        }
    }
}

/// A statement: who says what, and from when.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `urn:uuid:` id of this statement (for an award, the award's id).
    pub id: String,
    /// did:key of the signing authority key (`issuer.id`).
    pub issuer_did: String,
    /// The authority's name as the statement gives it (`issuer.name`).
    pub issuer_name: String,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
    pub kind: Kind,
}

impl Statement {
    /// The unsigned JSON document (without `proof`), ready for [`crate::credential::sign`].
    pub fn to_json(&self) -> serde_json::Value {
        json::to_json(self)
    }
}

/// A parsed statement together with its exact bytes and its proof's claims.
#[derive(Debug, Clone)]
pub struct SignedStatement {
    /// The exact bytes as signed and submitted; the log stores these.
    pub bytes: Vec<u8>,
    pub statement: Statement,
    /// Who signed and when they said they did (`proof.created`).
    pub proof: Verified,
}

/// Parses signed statement bytes and checks the proof's structure, without the Ed25519 check.
/// Returns the prepared proof so that many can be verified in one batch.
pub fn parse_signed(bytes: &[u8]) -> Result<(SignedStatement, Prepared), StatementError> {
    parse_signed_with(bytes, &mut credential::KeyMemo::default())
}

/// [`parse_signed`], taking already decoded verification methods from `keys` (and adding to
/// it), for parsing several statements whose signers repeat.
pub fn parse_signed_with(
    bytes: &[u8],
    keys: &mut credential::KeyMemo,
) -> Result<(SignedStatement, Prepared), StatementError> {
    if bytes.len() > MAX_STATEMENT_BYTES {
        return Err(StatementError::TooLarge { size: bytes.len() });
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| StatementError::Json {
            reason: e.to_string(),
        })?;
    let prepared = credential::prepare_with(&value, keys)?;
    // The proof's did was decoded and checked by `prepare`: `issuer.id` is compared to it below.
    let statement = json::from_json_with(&value, fields::Dids::Known(&prepared.claims.did))?;
    if statement.issuer_did != prepared.claims.did {
        return Err(StatementError::IssuerMismatch {
            issuer: statement.issuer_did.clone(),
            signer: prepared.claims.did.clone(),
        });
    }
    let signed = SignedStatement {
        bytes: bytes.to_vec(),
        statement,
        proof: prepared.claims.clone(),
    };
    Ok((signed, prepared))
}

/// Parses signed statement bytes and verifies the signature (`verify_strict`).
pub fn verify_signed(bytes: &[u8]) -> Result<SignedStatement, StatementError> {
    let (signed, prepared) = parse_signed(bytes)?;
    credential::verify_batch(std::slice::from_ref(&prepared))
        .pop()
        .unwrap_or(Ok(()))?;
    Ok(signed)
}

/// Signs a statement with `key`: JCS bytes of the secured document. `created` is the signer's clock.
pub fn sign(
    statement: &Statement,
    key: &ed25519_dalek::SigningKey,
    created: Timestamp,
) -> Result<Vec<u8>, StatementError> {
    let secured = credential::sign(
        &statement.to_json(),
        key,
        &crate::time::format_utc_seconds(created),
    )?;
    crate::credential::jcs::to_vec(&secured).map_err(|e| StatementError::Json {
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests;
