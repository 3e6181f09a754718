//! The JSON shape of each statement type, both ways: [`to_json`] builds the unsigned document,
//! [`from_json`] parses a (signed) one. The two are inverse: a test round-trips every kind.

use serde_json::{json, Map, Value};

use super::fields::{Dids, Obj};
use super::{
    HolderEndKind, Kind, Relation, Statement, StatementError, StatusAction, OB_CONTEXT, VC_CONTEXT,
};
use crate::time::format_cst;

pub(super) const KNOWN: &str = "OpenBadgeCredential, HonorsAccreditation, HonorsSchemeDefinition, HonorsHolderRegistration, \
HonorsCoIssue, HonorsStatusChange, HonorsKeyRotation, HonorsKeyRevocation, HonorsAuthoritySuccession, HonorsHolderRename, HonorsHolderEnd";

/// Builds the unsigned JSON document of a statement.
pub fn to_json(s: &Statement) -> Value {
    let is_award = matches!(s.kind, Kind::Award { .. });
    let context: Vec<&str> = if is_award {
        vec![VC_CONTEXT, OB_CONTEXT]
    } else {
        vec![VC_CONTEXT]
    };
    let mut doc = Map::new();
    doc.insert("@context".into(), json!(context));
    doc.insert("id".into(), json!(s.id));
    doc.insert(
        "type".into(),
        json!(["VerifiableCredential", s.kind.type_name()]),
    );
    let mut issuer = json!({"id": s.issuer_did, "name": s.issuer_name});
    if is_award {
        issuer["type"] = json!(["Profile"]);
    }
    doc.insert("issuer".into(), issuer);
    doc.insert("validFrom".into(), json!(format_cst(s.valid_from)));
    if let Some(until) = s.valid_until {
        doc.insert("validUntil".into(), json!(format_cst(until)));
    }
    match &s.kind {
        Kind::Award {
            uscc,
            holder_name,
            sub_unit,
            title,
            scheme,
            scheme_title,
            batch_year,
            previous,
            reason,
            status,
        } => {
            let holder = match sub_unit {
                Some(unit) => format!("{holder_name}{unit}"),
                None => holder_name.clone(),
            };
            doc.insert("name".into(), json!(title));
            doc.insert(
                "description".into(),
                json!(format!("{holder}获得「{title}」。")),
            );
            let narrative = reason
                .clone()
                .unwrap_or_else(|| format!("由{}授予。", s.issuer_name));
            doc.insert(
                "credentialSubject".into(),
                json!({
                    "type": ["AchievementSubject"],
                    "identifier": [{
                        "type": "IdentityObject",
                        "identityType": "ext:USCC",
                        "hashed": false,
                        "identityHash": uscc.as_str(),
                    }],
                    "achievement": {
                        "id": scheme,
                        "type": ["Achievement"],
                        "achievementType": "Award",
                        "name": scheme_title,
                        "description": scheme_title,
                        "criteria": {"narrative": narrative},
                        "inLanguage": "zh-CN",
                    },
                }),
            );
            if let Some(status) = status {
                doc.insert("credentialStatus".into(), status.to_json());
            }
            let mut honors = Map::new();
            honors.insert("holderName".into(), json!(holder_name));
            if let Some(unit) = sub_unit {
                honors.insert("subUnit".into(), json!(unit));
            }
            if let Some(year) = batch_year {
                honors.insert("batchYear".into(), json!(year));
            }
            if let Some((relation, id)) = previous {
                honors.insert(relation.as_str().into(), json!(id));
            }
            if let Some(reason) = reason {
                honors.insert("reason".into(), json!(reason));
            }
            doc.insert("honors".into(), Value::Object(honors));
        }
        other => {
            doc.insert("credentialSubject".into(), subject_json(other));
        }
    }
    Value::Object(doc)
}

fn subject_json(kind: &Kind) -> Value {
    match kind {
        Kind::Accreditation {
            child_did,
            authority,
            name,
            jurisdiction,
            schemes,
            may_accredit,
            may_define_schemes,
        } => json!({
            "id": child_did, "authority": authority, "name": name, "jurisdiction": jurisdiction,
            "schemes": schemes, "mayAccredit": may_accredit, "mayDefineSchemes": may_define_schemes,
        }),
        Kind::Scheme {
            scheme,
            title,
            level,
            category,
            validity_years,
        } => {
            let mut v = json!({"id": scheme, "title": title, "level": level, "category": category});
            if let Some(years) = validity_years {
                v["validityYears"] = json!(years);
            }
            v
        }
        Kind::Holder {
            uscc,
            name,
            province,
            city,
        } => {
            json!({"uscc": uscc.as_str(), "name": name, "province": province, "city": city})
        }
        Kind::Status {
            award,
            action,
            reason,
        } => json!({"id": award, "action": action.as_str(), "reason": reason}),
        Kind::CoIssue { award, reason } => json!({"id": award, "reason": reason}),
        Kind::KeyRotation {
            authority,
            new_did,
            old_did,
            reason,
        } => {
            json!({"id": new_did, "authority": authority, "replaces": old_did, "reason": reason})
        }
        Kind::KeyRevocation {
            authority,
            did,
            compromised_at,
            reason,
        } => json!({
            "id": did, "authority": authority, "compromisedAt": crate::time::format_cst_micros(*compromised_at), "reason": reason,
        }),
        Kind::Succession {
            predecessor,
            successor,
            successor_did,
            successor_name,
            reason,
        } => json!({
            "authority": predecessor, "reason": reason,
            "successor": {"authority": successor, "id": successor_did, "name": successor_name},
        }),
        Kind::HolderRename { uscc, name, reason } => {
            json!({"uscc": uscc.as_str(), "name": name, "reason": reason})
        }
        Kind::HolderEnd {
            uscc,
            kind,
            successors,
            reason,
        } => json!({
            "uscc": uscc.as_str(), "end": kind.as_str(),
            "successors": successors.iter().map(|u| u.as_str()).collect::<Vec<_>>(), "reason": reason,
        }),
        Kind::Award { .. } => Value::Null,
    }
}

/// Parses a statement document (its `proof`, if any, is ignored here).
pub fn from_json(value: &Value) -> Result<Statement, StatementError> {
    from_json_with(value, Dids::Decode)
}

/// [`from_json`], with `dids` saying how did:key fields are checked.
pub(crate) fn from_json_with(value: &Value, dids: Dids<'_>) -> Result<Statement, StatementError> {
    let doc = Obj::root(value, dids)?;
    let types = doc.str_list("type")?;
    let type_name = match types.as_slice() {
        [vc, t] if vc == "VerifiableCredential" => t.as_str(),
        _ => {
            return Err(StatementError::UnknownType {
                found: types.clone(),
                known: KNOWN,
            })
        }
    };
    let is_award = type_name == "OpenBadgeCredential";
    check_context(&doc, is_award)?;
    let issuer = doc.obj("issuer")?;
    let valid_from = doc.time("validFrom")?;
    let valid_until = doc.opt_time("validUntil")?;
    if let Some(until) = valid_until {
        if until < valid_from {
            return Err(StatementError::ValidityOrder {
                from: format_cst(valid_from),
                until: format_cst(until),
            });
        }
    }
    let kind = if is_award {
        award(&doc)?
    } else {
        subject(type_name, &doc.obj("credentialSubject")?, &types)?
    };
    Ok(Statement {
        id: doc.urn_uuid("id")?,
        issuer_did: issuer.did("id")?,
        issuer_name: issuer.str("name")?.to_string(),
        valid_from,
        valid_until,
        kind,
    })
}

fn check_context(doc: &Obj, is_award: bool) -> Result<(), StatementError> {
    let ctx = doc.str_list("@context")?;
    let ok = if is_award {
        ctx == [VC_CONTEXT, OB_CONTEXT]
    } else {
        ctx == [VC_CONTEXT]
    };
    if ok {
        Ok(())
    } else {
        Err(StatementError::Context {
            found: format!("{ctx:?}"),
            extra: if is_award {
                " then the Open Badges 3.0 context, and nothing else"
            } else {
                " and nothing else"
            },
        })
    }
}

fn award(doc: &Obj) -> Result<Kind, StatementError> {
    let subject = doc.obj("credentialSubject")?;
    let ident = subject.first_obj("identifier")?;
    let identity_type = ident.str("identityType")?;
    if identity_type != "ext:USCC" {
        return Err(StatementError::BadValue {
            field: format!("{}.identityType", ident.path),
            found: identity_type.into(),
            expected: "ext:USCC",
        });
    }
    let achievement = subject.obj("achievement")?;
    let status = match doc.opt("credentialStatus") {
        Some(v) => Some(crate::status::StatusRef::from_json(v).map_err(StatementError::Status)?),
        None => None,
    };
    let honors = doc.obj("honors")?;
    let mut previous = None;
    for relation in [Relation::Renews, Relation::Corrects, Relation::Downgrades] {
        if let Some(id) = honors.opt_urn_uuid(relation.as_str())? {
            previous = Some((relation, id));
        }
    }
    Ok(Kind::Award {
        uscc: ident.uscc("identityHash")?,
        holder_name: honors.str("holderName")?.to_string(),
        sub_unit: honors.opt_str("subUnit")?.map(str::to_string),
        title: doc.str("name")?.to_string(),
        scheme: achievement.urn_uuid("id")?,
        scheme_title: achievement.str("name")?.to_string(),
        batch_year: honors.opt_u32("batchYear")?,
        previous,
        reason: honors.opt_str("reason")?.map(str::to_string),
        status,
    })
}

fn subject(type_name: &str, s: &Obj, types: &[String]) -> Result<Kind, StatementError> {
    let text = |k: &str| s.str(k).map(str::to_string);
    Ok(match type_name {
        "HonorsAccreditation" => Kind::Accreditation {
            child_did: s.did("id")?,
            authority: s.urn_uuid("authority")?,
            name: text("name")?,
            jurisdiction: text("jurisdiction")?,
            schemes: s.str_list("schemes")?,
            may_accredit: s.bool_or("mayAccredit", false)?,
            may_define_schemes: s.bool_or("mayDefineSchemes", false)?,
        },
        "HonorsSchemeDefinition" => Kind::Scheme {
            scheme: s.urn_uuid("id")?,
            title: text("title")?,
            level: text("level")?,
            category: text("category")?,
            validity_years: s.opt_u32("validityYears")?,
        },
        "HonorsHolderRegistration" => Kind::Holder {
            uscc: s.uscc("uscc")?,
            name: text("name")?,
            province: text("province")?,
            city: text("city")?,
        },
        "HonorsCoIssue" => Kind::CoIssue {
            award: s.urn_uuid("id")?,
            reason: text("reason")?,
        },
        "HonorsStatusChange" => Kind::Status {
            award: s.urn_uuid("id")?,
            action: match s.str("action")? {
                "suspend" => StatusAction::Suspend,
                "reinstate" => StatusAction::Reinstate,
                "revoke" => StatusAction::Revoke,
                other => {
                    return Err(StatementError::BadValue {
                        field: format!("{}.action", s.path),
                        found: other.into(),
                        expected: "suspend, reinstate, revoke",
                    })
                }
            },
            reason: text("reason")?,
        },
        "HonorsKeyRotation" => Kind::KeyRotation {
            authority: s.urn_uuid("authority")?,
            new_did: s.did("id")?,
            old_did: s.did("replaces")?,
            reason: text("reason")?,
        },
        "HonorsKeyRevocation" => Kind::KeyRevocation {
            authority: s.urn_uuid("authority")?,
            did: s.did("id")?,
            compromised_at: s.time("compromisedAt")?,
            reason: text("reason")?,
        },
        "HonorsAuthoritySuccession" => {
            let successor = s.obj("successor")?;
            Kind::Succession {
                predecessor: s.urn_uuid("authority")?,
                successor: successor.urn_uuid("authority")?,
                successor_did: successor.did("id")?,
                successor_name: successor.str("name")?.to_string(),
                reason: text("reason")?,
            }
        }
        "HonorsHolderRename" => Kind::HolderRename {
            uscc: s.uscc("uscc")?,
            name: text("name")?,
            reason: text("reason")?,
        },
        "HonorsHolderEnd" => Kind::HolderEnd {
            uscc: s.uscc("uscc")?,
            kind: match s.str("end")? {
                "merged" => HolderEndKind::Merged,
                "split" => HolderEndKind::Split,
                "dissolved" => HolderEndKind::Dissolved,
                other => {
                    return Err(StatementError::BadValue {
                        field: format!("{}.end", s.path),
                        found: other.into(),
                        expected: "merged, split, dissolved",
                    })
                }
            },
            successors: s
                .str_list("successors")?
                .iter()
                .map(|u| {
                    u.parse()
                        .map_err(|e: crate::id::UsccError| StatementError::BadUscc {
                            field: format!("{}.successors", s.path),
                            reason: e.to_string(),
                        })
                })
                .collect::<Result<_, _>>()?,
            reason: text("reason")?,
        },
        _ => {
            return Err(StatementError::UnknownType {
                found: types.to_vec(),
                known: KNOWN,
            })
        }
    })
}
