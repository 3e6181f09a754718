//! What the registry's bundle builder reads from a statement of its own log: who signed it and
//! which records it names, read with a typed, borrowing parse of just those fields (no
//! `serde_json::Value`, no checks: the statement was fully parsed and checked when it was
//! submitted, and is again by `honors audit` and by every verifier of a bundle).
//!
//! Invariant: for a statement that [`super::from_json`] accepts, the names here are exactly the
//! corresponding fields of its [`super::Kind`] (the award's `previous` is the last of `renews`,
//! `corrects`, `downgrades` present, as `from_json` takes it).

use std::borrow::Cow;

use serde::Deserialize;

use super::{StatementError, MAX_STATEMENT_BYTES};

/// The signer and the records a logged statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refs {
    /// `issuer.id`.
    pub issuer_did: String,
    pub names: Names,
}

/// The records a statement names, by statement type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Names {
    /// `HonorsAccreditation`: the child authority and the schemes granted.
    Accreditation {
        authority: String,
        schemes: Vec<String>,
    },
    /// `OpenBadgeCredential`: its scheme, its holder and the award it renews or replaces.
    Award {
        scheme: String,
        uscc: String,
        previous: Option<String>,
    },
    /// `HonorsStatusChange`: the award.
    Status { award: String },
    /// `HonorsCoIssue`: the award.
    CoIssue { award: String },
    /// `HonorsKeyRevocation`: the authority.
    KeyRevocation { authority: String },
    /// `HonorsAuthoritySuccession`: the predecessor.
    Succession { predecessor: String },
    /// `HonorsHolderRename` or `HonorsHolderEnd`: the holder.
    Holder { uscc: String },
    /// Scheme definitions, holder registrations, key rotations: nothing beyond the signer.
    Nothing,
}

#[derive(Deserialize)]
struct Doc<'a> {
    #[serde(rename = "type", borrow, default)]
    types: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    issuer: Issuer<'a>,
    #[serde(rename = "credentialSubject", borrow, default)]
    subject: Option<Subject<'a>>,
    #[serde(borrow, default)]
    honors: Option<Ext<'a>>,
}

#[derive(Deserialize)]
struct Issuer<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct Subject<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    authority: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    schemes: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    uscc: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    identifier: Option<OneOrMany<'a>>,
    #[serde(borrow, default)]
    achievement: Option<Id<'a>>,
}

/// `identifier`: a list of objects (the first one counts) or one object, as `from_json` takes it.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<'a> {
    #[serde(borrow)]
    Many(Vec<Identity<'a>>),
    #[serde(borrow)]
    One(Identity<'a>),
}

#[derive(Deserialize)]
struct Identity<'a> {
    #[serde(rename = "identityHash", borrow, default)]
    hash: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Id<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Ext<'a> {
    #[serde(borrow, default)]
    renews: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    corrects: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    downgrades: Option<Cow<'a, str>>,
}

/// The signer and the records named by the statement of an entry of the registry's own log.
pub(crate) fn logged_refs(bytes: &[u8]) -> Result<Refs, StatementError> {
    if bytes.len() > MAX_STATEMENT_BYTES {
        return Err(StatementError::TooLarge { size: bytes.len() });
    }
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| StatementError::Json {
        reason: e.to_string(),
    })?;
    let missing = |field: &str| StatementError::Missing {
        field: field.to_string(),
    };
    let types = doc.types.unwrap_or_default();
    let type_name = match types.as_slice() {
        [vc, t] if vc == "VerifiableCredential" => t.as_ref(),
        _ => "",
    };
    let subject = doc.subject;
    let sub = subject.as_ref();
    let field = |value: Option<&Cow<'_, str>>, name: &str| {
        value.map(|s| s.to_string()).ok_or_else(|| missing(name))
    };
    let names = match type_name {
        "HonorsAccreditation" => Names::Accreditation {
            authority: field(
                sub.and_then(|s| s.authority.as_ref()),
                "credentialSubject.authority",
            )?,
            schemes: subject
                .as_ref()
                .and_then(|s| s.schemes.as_ref())
                .map(|l| l.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default(),
        },
        "OpenBadgeCredential" => {
            let s = subject
                .as_ref()
                .ok_or_else(|| missing("credentialSubject"))?;
            let ident = match &s.identifier {
                Some(OneOrMany::Many(list)) => list.first(),
                Some(OneOrMany::One(one)) => Some(one),
                None => None,
            };
            let ext = doc.honors.as_ref();
            Names::Award {
                scheme: s
                    .achievement
                    .as_ref()
                    .and_then(|a| a.id.as_ref())
                    .map(|x| x.to_string())
                    .ok_or_else(|| missing("credentialSubject.achievement.id"))?,
                uscc: ident
                    .and_then(|i| i.hash.as_ref())
                    .map(|x| x.to_string())
                    .ok_or_else(|| missing("credentialSubject.identifier[0].identityHash"))?,
                previous: ext
                    .and_then(|h| {
                        h.downgrades
                            .as_ref()
                            .or(h.corrects.as_ref())
                            .or(h.renews.as_ref())
                    })
                    .map(|x| x.to_string()),
            }
        }
        "HonorsStatusChange" => Names::Status {
            award: field(sub.and_then(|s| s.id.as_ref()), "credentialSubject.id")?,
        },
        "HonorsCoIssue" => Names::CoIssue {
            award: field(sub.and_then(|s| s.id.as_ref()), "credentialSubject.id")?,
        },
        "HonorsKeyRevocation" => Names::KeyRevocation {
            authority: field(
                sub.and_then(|s| s.authority.as_ref()),
                "credentialSubject.authority",
            )?,
        },
        "HonorsAuthoritySuccession" => Names::Succession {
            predecessor: field(
                sub.and_then(|s| s.authority.as_ref()),
                "credentialSubject.authority",
            )?,
        },
        "HonorsHolderRename" | "HonorsHolderEnd" => Names::Holder {
            uscc: field(sub.and_then(|s| s.uscc.as_ref()), "credentialSubject.uscc")?,
        },
        "HonorsSchemeDefinition" | "HonorsHolderRegistration" | "HonorsKeyRotation" => {
            Names::Nothing
        }
        _ => {
            return Err(StatementError::UnknownType {
                found: types.iter().map(|t| t.to_string()).collect(),
                known: super::json::KNOWN,
            })
        }
    };
    Ok(Refs {
        issuer_did: doc.issuer.id.into_owned(),
        names,
    })
}
