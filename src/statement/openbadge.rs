//! The Open Badges 3.0 export of an award (`honors prove ID --format openbadge`).
//!
//! An award credential already is an OB 3.0 `OpenBadgeCredential`; the export changes one
//! thing: the `proof` becomes a one-element array, as the OB 3.0 JSON schema types it (VC 2.0
//! allows either). `proof` is removed before hashing, so the signature is untouched and any
//! eddsa-jcs-2022 verifier still accepts it.
//!
//! [`schema_problems`] checks the requirements of the published OB 3.0 JSON schema
//! (`ob_v3p0_achievementcredential_schema.json`) that an award could miss, written out by hand
//! so that no schema file or network is needed. One deliberate difference is allowed:
//! `credentialStatus` holds two entries (revocation, suspension) as VC 2.0 permits, where the OB
//! schema expects a single object; each entry still has the `id` and `type` the schema requires.

use serde_json::Value;

use super::{StatementError, OB_CONTEXT, VC_CONTEXT};

/// OB 3.0 `IdentifierTypeEnum` (extensions are `ext:…`).
const IDENTITY_TYPES: &[&str] = &[
    "name",
    "sourcedId",
    "systemId",
    "productId",
    "userName",
    "accountId",
    "emailAddress",
    "nationalIdentityNumber",
    "isbn",
    "issn",
    "lisSourcedId",
    "oneRosterSourcedId",
    "sisSourcedId",
    "ltiContextId",
    "ltiDeploymentId",
    "ltiToolId",
    "ltiPlatformId",
    "ltiUserId",
    "identifier",
];

/// OB 3.0 `AchievementType` (extensions are `ext:…`).
const ACHIEVEMENT_TYPES: &[&str] = &[
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
];

/// The OB 3.0 export of signed award bytes: the credential with `proof` as an array.
pub fn export(signed: &[u8]) -> Result<Value, StatementError> {
    let mut value: Value = serde_json::from_slice(signed).map_err(|e| StatementError::Json {
        reason: e.to_string(),
    })?;
    let doc = value
        .as_object_mut()
        .ok_or_else(|| StatementError::NotAnObject {
            field: "(document)".into(),
        })?;
    match doc.remove("proof") {
        Some(Value::Array(proofs)) => doc.insert("proof".into(), Value::Array(proofs)),
        Some(proof) => doc.insert("proof".into(), Value::Array(vec![proof])),
        None => {
            return Err(StatementError::Missing {
                field: "proof".into(),
            })
        }
    };
    let problems = schema_problems(&value);
    if !problems.is_empty() {
        return Err(StatementError::OpenBadge(problems.join("; ")));
    }
    Ok(value)
}

/// Every way `v` misses the OB 3.0 AchievementCredential schema (see the module docs); empty
/// if it meets it.
pub fn schema_problems(v: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let ctx: Vec<&str> = strings(v.get("@context"));
    if ctx.first() != Some(&VC_CONTEXT) {
        p.push(format!("@context must start with {VC_CONTEXT}"));
    }
    match ctx.get(1) {
        Some(c) if is_ob_context(c) => {}
        _ => p.push(format!(
            "@context[1] must be the Open Badges 3.0 context (e.g. {OB_CONTEXT})"
        )),
    }
    need_str(v, "id", "", &mut p);
    let types = strings(v.get("type"));
    if !v.get("type").is_some_and(Value::is_array) || !types.contains(&"VerifiableCredential") {
        p.push("type must be an array containing VerifiableCredential".into());
    }
    if !types
        .iter()
        .any(|t| *t == "OpenBadgeCredential" || *t == "AchievementCredential")
    {
        p.push("type must contain OpenBadgeCredential or AchievementCredential".into());
    }
    need_str(v, "name", "", &mut p);
    date_time(v, "validFrom", true, &mut p);
    date_time(v, "validUntil", false, &mut p);
    match v.get("issuer") {
        Some(Value::String(_)) => {}
        Some(issuer @ Value::Object(_)) => {
            need_str(issuer, "id", "issuer.", &mut p);
            if !has_type(issuer, "Profile") {
                p.push("issuer.type must contain Profile".into());
            }
        }
        _ => p.push("issuer must be a URI or a Profile".into()),
    }
    match v.get("credentialSubject") {
        Some(subject @ Value::Object(_)) => achievement_subject(subject, &mut p),
        _ => p.push("credentialSubject must be an AchievementSubject object".into()),
    }
    match v.get("proof") {
        Some(Value::Array(proofs)) if !proofs.is_empty() => {
            if proofs
                .iter()
                .any(|x| x.get("type").and_then(Value::as_str).is_none())
            {
                p.push("every proof needs a type".into());
            }
        }
        _ => p.push("proof must be a non-empty array".into()),
    }
    if let Some(status) = v.get("credentialStatus") {
        let entries: Vec<&Value> = match status {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for (i, e) in entries.iter().enumerate() {
            if e.get("id").and_then(Value::as_str).is_none()
                || e.get("type").and_then(Value::as_str).is_none()
            {
                p.push(format!("credentialStatus entry {i} needs an id and a type"));
            }
        }
    }
    p
}

fn achievement_subject(s: &Value, p: &mut Vec<String>) {
    if !has_type_array(s, "AchievementSubject") {
        p.push("credentialSubject.type must be an array containing AchievementSubject".into());
    }
    let identifiers = s.get("identifier").and_then(Value::as_array);
    if s.get("id").is_none() && identifiers.is_none_or(|i| i.is_empty()) {
        p.push("credentialSubject needs an id or at least one identifier".into());
    }
    for (i, ident) in identifiers.into_iter().flatten().enumerate() {
        let at = format!("credentialSubject.identifier[{i}]");
        let Some(obj) = ident.as_object() else {
            p.push(format!("{at} must be an IdentityObject"));
            continue;
        };
        if let Some(k) = obj.keys().find(|k| {
            !["type", "hashed", "identityHash", "identityType", "salt"].contains(&k.as_str())
        }) {
            p.push(format!(
                "{at} has the property {k}, which IdentityObject does not allow"
            ));
        }
        if ident.get("type").and_then(Value::as_str) != Some("IdentityObject") {
            p.push(format!("{at}.type must be IdentityObject"));
        }
        if !ident.get("hashed").is_some_and(Value::is_boolean) {
            p.push(format!("{at}.hashed must be true or false"));
        }
        need_str(ident, "identityHash", &format!("{at}."), p);
        match ident.get("identityType").and_then(Value::as_str) {
            Some(t) if IDENTITY_TYPES.contains(&t) || is_ext(t) => {}
            _ => p.push(format!(
                "{at}.identityType must be an OB identity type or ext:…"
            )),
        }
    }
    let Some(a) = s.get("achievement").filter(|a| a.is_object()) else {
        p.push("credentialSubject.achievement must be an Achievement object".into());
        return;
    };
    for k in ["id", "name", "description"] {
        need_str(a, k, "achievement.", p);
    }
    if !has_type_array(a, "Achievement") {
        p.push("achievement.type must be an array containing Achievement".into());
    }
    match a.get("criteria") {
        Some(c)
            if c.get("id").and_then(Value::as_str).is_some()
                || c.get("narrative").and_then(Value::as_str).is_some() => {}
        _ => p.push("achievement.criteria needs an id or a narrative".into()),
    }
    if let Some(t) = a.get("achievementType") {
        if !t
            .as_str()
            .is_some_and(|t| ACHIEVEMENT_TYPES.contains(&t) || is_ext(t))
        {
            p.push("achievement.achievementType must be an OB achievement type or ext:…".into());
        }
    }
    if let Some(lang) = a.get("inLanguage") {
        if !lang.as_str().is_some_and(is_language_code) {
            p.push("achievement.inLanguage must be a language code such as zh-CN".into());
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    strings(v.get("type")).contains(&t)
}

fn has_type_array(v: &Value, t: &str) -> bool {
    v.get("type").is_some_and(Value::is_array) && has_type(v, t)
}

fn need_str(v: &Value, key: &str, prefix: &str, p: &mut Vec<String>) {
    if v.get(key).and_then(Value::as_str).is_none_or(str::is_empty) {
        p.push(format!("{prefix}{key} must be a non-empty string"));
    }
}

fn date_time(v: &Value, key: &str, required: bool, p: &mut Vec<String>) {
    match v.get(key) {
        None if !required => {}
        Some(Value::String(s)) if crate::time::parse_datetime(s).is_ok() => {}
        _ => p.push(format!("{key} must be a date-time with a time zone")),
    }
}

/// `https://purl.imsglobal.org/spec/ob/v3p0/context(-3.d.d)*.json`, as the schema's pattern.
fn is_ob_context(c: &str) -> bool {
    let Some(mut rest) = c
        .strip_prefix("https://purl.imsglobal.org/spec/ob/v3p0/context")
        .and_then(|r| r.strip_suffix(".json"))
    else {
        return false;
    };
    while !rest.is_empty() {
        let b = rest.as_bytes();
        let ok = b.len() >= 6
            && b[0] == b'-'
            && b[1] == b'3'
            && b[2] == b'.'
            && b[3].is_ascii_digit()
            && b[4] == b'.'
            && b[5].is_ascii_digit();
        if !ok {
            return false;
        }
        rest = &rest[6..];
    }
    true
}

/// `(ext:)[a-z|A-Z|0-9|.|-|_]+`, anchored.
fn is_ext(t: &str) -> bool {
    t.strip_prefix("ext:").is_some_and(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"|.-_".contains(&b))
    })
}

/// `^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$`
fn is_language_code(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang = parts.next().unwrap_or("");
    if !(2..=4).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    let script = |p: &str| {
        p.len() == 4
            && p.as_bytes()[0].is_ascii_uppercase()
            && p[1..].bytes().all(|b| b.is_ascii_lowercase())
    };
    let region = |p: &str| {
        (p.len() == 2 && p.bytes().all(|b| b.is_ascii_uppercase()))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
    };
    match rest.as_slice() {
        [] => true,
        [a] => script(a) || region(a),
        [a, b] => script(a) && region(b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_the_schema() {
        assert!(is_ob_context(OB_CONTEXT));
        assert!(is_ob_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
        ));
        assert!(!is_ob_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.json"
        ));
        assert!(is_ext("ext:USCC") && !is_ext("ext:") && !is_ext("USCC") && !is_ext("ext:统一"));
        for ok in ["zh", "zh-CN", "zh-Hans", "zh-Hans-CN", "es-419"] {
            assert!(is_language_code(ok), "{ok}");
        }
        for bad in ["ZH", "zh-cn", "zh-Hans-cn", "z", "zh-CN-x"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }

    #[test]
    fn the_published_vector_meets_the_schema_once_its_proof_is_an_array() {
        let text = include_str!("../../tests/vectors/vc/honors-zh-award/award-signed.json");
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            schema_problems(&v),
            vec!["proof must be a non-empty array".to_string()]
        );
        let exported = export(text.as_bytes()).unwrap();
        assert!(schema_problems(&exported).is_empty());
        assert!(exported["proof"].is_array());
        crate::credential::verify(&exported).expect("the signature survives the array");
    }

    #[test]
    fn missing_requirements_are_named() {
        let text = include_str!("../../tests/vectors/vc/honors-zh-award/award-signed.json");
        let good = export(text.as_bytes()).unwrap();
        type Edit = (fn(&mut Value), &'static str);
        let cases: Vec<Edit> = vec![
            (
                |v| {
                    v.as_object_mut().unwrap().remove("validFrom");
                },
                "validFrom",
            ),
            (
                |v| v["issuer"]["type"] = serde_json::json!(["Organization"]),
                "issuer.type",
            ),
            (
                |v| {
                    v["credentialSubject"]["achievement"]
                        .as_object_mut()
                        .unwrap()
                        .remove("criteria");
                },
                "criteria",
            ),
            (
                |v| {
                    v["credentialSubject"]["achievement"]
                        .as_object_mut()
                        .unwrap()
                        .remove("description");
                },
                "achievement.description",
            ),
            (
                |v| v["credentialSubject"]["identifier"][0]["note"] = "x".into(),
                "does not allow",
            ),
            (
                |v| v["credentialSubject"]["identifier"][0]["identityType"] = "USCC".into(),
                "identityType",
            ),
            (
                |v| v["credentialSubject"]["type"] = "AchievementSubject".into(),
                "credentialSubject.type",
            ),
            (
                |v| v["@context"] = serde_json::json!([VC_CONTEXT]),
                "@context[1]",
            ),
            (
                |v| v["type"] = serde_json::json!(["VerifiableCredential"]),
                "OpenBadgeCredential",
            ),
            (
                |v| {
                    v["credentialStatus"].as_object_mut().unwrap().remove("id");
                },
                "credentialStatus",
            ),
        ];
        for (edit, needle) in cases {
            let mut v = good.clone();
            edit(&mut v);
            let problems = schema_problems(&v).join("; ");
            assert!(
                problems.contains(needle),
                "'{needle}' not named in: {problems}"
            );
        }
    }
}
