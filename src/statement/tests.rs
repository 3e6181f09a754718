//! Round trips for every statement kind, and the refusals of malformed ones.

use super::*;
use crate::time::parse_datetime;

fn key(seed: u8) -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
}

fn did(seed: u8) -> String {
    crate::credential::didkey::did_for(&key(seed).verifying_key())
}

const ID: &str = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01";
const ID2: &str = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a02";

fn uscc() -> Uscc {
    "12430700446432465B".parse().unwrap()
}

fn all_kinds() -> Vec<Kind> {
    vec![
        Kind::Accreditation {
            child_did: did(2),
            authority: ID2.into(),
            name: "山东省卫生健康委员会".into(),
            jurisdiction: "山东省".into(),
            schemes: vec![ID.into()],
            may_accredit: true,
            may_define_schemes: false,
        },
        Kind::Scheme {
            scheme: ID2.into(),
            title: "三级甲等医院".into(),
            level: "national".into(),
            category: "grading".into(),
            validity_years: Some(4),
        },
        Kind::Holder {
            uscc: uscc(),
            name: "常德市第二人民医院".into(),
            province: "湖南省".into(),
            city: "常德市".into(),
        },
        Kind::Award {
            uscc: uscc(),
            holder_name: "常德市第二人民医院".into(),
            sub_unit: Some("产科".into()),
            title: "全国三八红旗集体".into(),
            scheme: ID2.into(),
            scheme_title: "全国三八红旗集体".into(),
            batch_year: Some(2019),
            previous: Some((Relation::Renews, ID2.into())),
            reason: Some("表彰".into()),
            status: Some(crate::status::StatusRef::new(
                "honors.example/registry",
                ID2,
                94567,
            )),
        },
        Kind::Status {
            award: ID2.into(),
            action: StatusAction::Suspend,
            reason: "限期整改".into(),
        },
        Kind::CoIssue {
            award: ID2.into(),
            reason: "联合授予".into(),
        },
        Kind::KeyRotation {
            authority: ID2.into(),
            new_did: did(3),
            old_did: did(1),
            reason: "rotation".into(),
        },
        Kind::KeyRevocation {
            authority: ID2.into(),
            did: did(3),
            compromised_at: parse_datetime("2026-01-01T00:00:00Z").unwrap(),
            reason: "leak".into(),
        },
        Kind::Succession {
            predecessor: ID2.into(),
            successor: "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a03".into(),
            successor_did: did(4),
            successor_name: "国家卫生健康委员会".into(),
            reason: "机构改革".into(),
        },
        Kind::HolderRename {
            uscc: uscc(),
            name: "新名称医院".into(),
            reason: "更名".into(),
        },
        Kind::HolderEnd {
            uscc: uscc(),
            kind: HolderEndKind::Merged,
            successors: vec![uscc()],
            reason: "合并".into(),
        },
    ]
}

fn statement(kind: Kind) -> Statement {
    Statement {
        id: ID.into(),
        issuer_did: did(1),
        issuer_name: "国家卫生健康委员会".into(),
        valid_from: parse_datetime("2024-05-01T00:00:00+08:00").unwrap(),
        valid_until: Some(parse_datetime("2028-04-30T23:59:59+08:00").unwrap()),
        kind,
    }
}

#[test]
fn every_kind_round_trips_through_signing() {
    for kind in all_kinds() {
        let st = statement(kind);
        let bytes = sign(
            &st,
            &key(1),
            parse_datetime("2026-11-23T09:00:00Z").unwrap(),
        )
        .unwrap();
        let signed =
            verify_signed(&bytes).unwrap_or_else(|e| panic!("{}: {e}", st.kind.type_name()));
        assert_eq!(signed.statement, st);
        assert_eq!(signed.bytes, bytes);
        assert_eq!(signed.proof.did, did(1));
    }
}

#[test]
fn award_is_an_open_badge_with_the_uscc_identifier() {
    let st = statement(all_kinds().remove(3));
    let v = st.to_json();
    assert_eq!(v["@context"][1], OB_CONTEXT);
    assert_eq!(v["type"][1], "OpenBadgeCredential");
    assert_eq!(
        v["credentialSubject"]["identifier"][0]["identityType"],
        "ext:USCC"
    );
    assert_eq!(
        v["credentialSubject"]["identifier"][0]["identityHash"],
        "12430700446432465B"
    );
    assert_eq!(
        v["credentialSubject"]["achievement"]["criteria"]["narrative"],
        "表彰"
    );
    assert_eq!(v["issuer"]["id"], did(1));
}

#[test]
fn signature_of_another_key_is_refused() {
    let st = statement(all_kinds().remove(2));
    // Signed by key 2 while issuer.id names key 1.
    let bytes = sign(
        &st,
        &key(2),
        parse_datetime("2026-11-23T09:00:00Z").unwrap(),
    )
    .unwrap();
    assert!(matches!(
        verify_signed(&bytes),
        Err(StatementError::IssuerMismatch { .. })
    ));
}

#[test]
fn edited_statement_is_refused() {
    let st = statement(all_kinds().remove(3));
    let bytes = sign(
        &st,
        &key(1),
        parse_datetime("2026-11-23T09:00:00Z").unwrap(),
    )
    .unwrap();
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace("全国三八红旗集体", "全国五一劳动奖状");
    assert!(matches!(
        verify_signed(text.as_bytes()),
        Err(StatementError::Proof(_))
    ));
}

#[test]
fn malformed_statements_name_the_field() {
    let base = statement(all_kinds().remove(2)).to_json();
    let cases: Vec<(fn(&mut serde_json::Value), &str)> = vec![
        (
            |v| v["credentialSubject"]["uscc"] = "91350100M000100Y4Z".into(),
            "credentialSubject.uscc",
        ),
        (|v| v["validFrom"] = "2024-05-01".into(), "validFrom"),
        (|v| v["id"] = "H000-01".into(), "id"),
        (|v| v["type"][1] = "Something".into(), "Something"),
        (
            |v| {
                v["credentialSubject"]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            },
            "credentialSubject.name",
        ),
        (
            |v| v["@context"] = serde_json::json!(["https://example.com"]),
            "@context",
        ),
        (
            |v| v["validUntil"] = "2020-01-01T00:00:00Z".into(),
            "validUntil",
        ),
    ];
    for (edit, needle) in cases {
        let mut v = base.clone();
        edit(&mut v);
        let err = json::from_json(&v).expect_err(needle).to_string();
        assert!(
            err.contains(needle),
            "error '{err}' does not name '{needle}'"
        );
    }
}

#[test]
fn oversized_and_non_json_input_is_refused() {
    assert!(matches!(
        parse_signed(b"{not json"),
        Err(StatementError::Json { .. })
    ));
    assert!(matches!(
        parse_signed(&vec![b' '; MAX_STATEMENT_BYTES + 1]),
        Err(StatementError::TooLarge { .. })
    ));
}

/// The bundle builder's typed read of a logged statement names exactly what the full parse
/// gives, for every kind, with each of the award's relations and with `identifier` as one
/// object instead of a list.
#[test]
fn logged_refs_name_what_the_full_parse_gives() {
    use super::refs::{logged_refs, Names};
    let expected = |st: &Statement| match &st.kind {
        Kind::Accreditation {
            authority, schemes, ..
        } => Names::Accreditation {
            authority: authority.clone(),
            schemes: schemes.clone(),
        },
        Kind::Award {
            scheme,
            uscc,
            previous,
            ..
        } => Names::Award {
            scheme: scheme.clone(),
            uscc: uscc.to_string(),
            previous: previous.as_ref().map(|(_, id)| id.clone()),
        },
        Kind::Status { award, .. } => Names::Status {
            award: award.clone(),
        },
        Kind::CoIssue { award, .. } => Names::CoIssue {
            award: award.clone(),
        },
        Kind::KeyRevocation { authority, .. } => Names::KeyRevocation {
            authority: authority.clone(),
        },
        Kind::Succession { predecessor, .. } => Names::Succession {
            predecessor: predecessor.clone(),
        },
        Kind::HolderRename { uscc, .. } | Kind::HolderEnd { uscc, .. } => Names::Holder {
            uscc: uscc.to_string(),
        },
        Kind::Scheme { .. } | Kind::Holder { .. } | Kind::KeyRotation { .. } => Names::Nothing,
    };
    let mut kinds = all_kinds();
    for relation in [Relation::Corrects, Relation::Downgrades] {
        if let Kind::Award { previous, .. } = &mut kinds[3] {
            *previous = Some((relation, ID.into()));
        }
        kinds.push(kinds[3].clone());
    }
    if let Kind::Award { previous, .. } = &mut kinds[3] {
        *previous = None;
    }
    let created = parse_datetime("2026-11-23T09:00:00Z").unwrap();
    for kind in kinds {
        let st = statement(kind);
        let bytes = sign(&st, &key(1), created).unwrap();
        let parsed = verify_signed(&bytes).unwrap().statement;
        let refs = logged_refs(&bytes).unwrap();
        assert_eq!(refs.issuer_did, parsed.issuer_did);
        assert_eq!(refs.names, expected(&parsed), "{}", st.kind.type_name());
        if matches!(st.kind, Kind::Award { .. }) {
            // `identifier` as one object, which the full parse also accepts.
            let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let first = v["credentialSubject"]["identifier"][0].clone();
            v["credentialSubject"]["identifier"] = first;
            let text = serde_json::to_vec(&v).unwrap();
            assert_eq!(
                logged_refs(&text).unwrap().names,
                expected(&from_json(&v).unwrap())
            );
        }
    }
    assert!(logged_refs(b"{").is_err());
}
