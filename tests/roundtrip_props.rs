//! Property tests: what honors writes, it reads back unchanged, for random field values
//! (Chinese text, emoji, quotes, backslashes, control characters, surrounding spaces):
//! statements through `to_json`/`from_json` and through signing, log entries, checkpoints
//! (bare and as signed notes), and 统一社会信用代码 from their first 17 characters.

use ed25519_dalek::SigningKey;
use honors::credential::did_for;
use honors::entry::Entry;
use honors::id::{check_char, Uscc, ALPHABET};
use honors::statement::{self, HolderEndKind, Kind, Relation, Statement, StatusAction};
use honors::time::{from_micros, parse_datetime};
use honors::tlog::{open_checkpoint, Checkpoint, NoteSigner, NoteVerifier};
use jiff::Timestamp;
use proptest::prelude::*;

/// Text a statement field may hold: anything with at least one non-blank character.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        "[\u{4e00}-\u{9fff}]{1,16}",
        "[\u{4e00}-\u{9fff}（）·、《》 A-Za-z0-9]{1,24}",
        any::<String>(),
        Just("\"quoted\" \\ back/slash".to_string()),
        Just(" 前后有空格 ".to_string()),
        Just("line\nbreak\ttab\u{0}nul\u{2028}".to_string()),
        Just("𠀀𪚥😀 e\u{301} ﬁ Ｆｕｌｌ".to_string()),
    ]
    .prop_filter("non-blank", |s| !s.trim().is_empty())
    .boxed()
}

fn urn() -> impl Strategy<Value = String> {
    any::<u128>().prop_map(|n| format!("urn:uuid:{}", uuid::Uuid::from_u128(n).hyphenated()))
}

fn did() -> impl Strategy<Value = String> {
    any::<[u8; 32]>().prop_map(|seed| did_for(&SigningKey::from_bytes(&seed).verifying_key()))
}

fn uscc() -> impl Strategy<Value = Uscc> {
    proptest::collection::vec(0usize..31, 17).prop_map(|v| {
        let first17: String = v
            .into_iter()
            .map(|i| ALPHABET.as_bytes()[i] as char)
            .collect();
        Uscc::from_first17(&first17).unwrap()
    })
}

fn bounds() -> (i64, i64) {
    let lo = parse_datetime("0000-01-01T00:00:00Z").unwrap();
    let hi = parse_datetime("9999-12-30T15:59:59Z").unwrap();
    (lo.as_second(), hi.as_second())
}

/// An instant in whole seconds (statements carry `…T00:00:00+08:00` forms), years 0000-9999.
fn instant() -> impl Strategy<Value = Timestamp> {
    let (lo, hi) = bounds();
    (lo..=hi).prop_map(|s| Timestamp::from_second(s).unwrap())
}

fn kind() -> BoxedStrategy<Kind> {
    // Each arm boxed: the unboxed strategy tree overflows a test thread's 2 MiB stack.
    let status = prop_oneof![
        Just(StatusAction::Suspend),
        Just(StatusAction::Reinstate),
        Just(StatusAction::Revoke)
    ];
    let relation = prop_oneof![
        Just(Relation::Renews),
        Just(Relation::Corrects),
        Just(Relation::Downgrades)
    ];
    let end = prop_oneof![
        Just(HolderEndKind::Merged),
        Just(HolderEndKind::Split),
        Just(HolderEndKind::Dissolved)
    ];
    prop_oneof![
        (
            did(),
            urn(),
            text(),
            text(),
            proptest::collection::vec(urn(), 0..3),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(
                |(
                    child_did,
                    authority,
                    name,
                    jurisdiction,
                    schemes,
                    may_accredit,
                    may_define_schemes,
                )| Kind::Accreditation {
                    child_did,
                    authority,
                    name,
                    jurisdiction,
                    schemes,
                    may_accredit,
                    may_define_schemes,
                }
            )
            .boxed(),
        (
            urn(),
            text(),
            text(),
            text(),
            proptest::option::of(any::<u32>())
        )
            .prop_map(|(scheme, title, level, category, validity_years)| {
                Kind::Scheme {
                    scheme,
                    title,
                    level,
                    category,
                    validity_years,
                }
            })
            .boxed(),
        (uscc(), text(), text(), text())
            .prop_map(|(uscc, name, province, city)| Kind::Holder {
                uscc,
                name,
                province,
                city
            })
            .boxed(),
        (
            uscc(),
            text(),
            proptest::option::of(text()),
            (text(), urn(), text()),
            proptest::option::of(any::<u32>()),
            proptest::option::of((relation, urn())),
            proptest::option::of(text()),
        )
            .prop_map(
                |(
                    uscc,
                    holder_name,
                    sub_unit,
                    (title, scheme, scheme_title),
                    batch_year,
                    previous,
                    reason,
                )| Kind::Award {
                    uscc,
                    holder_name,
                    sub_unit,
                    title,
                    scheme,
                    scheme_title,
                    batch_year,
                    previous,
                    reason,
                    status: None,
                }
            )
            .boxed(),
        (urn(), status, text())
            .prop_map(|(award, action, reason)| Kind::Status {
                award,
                action,
                reason
            })
            .boxed(),
        (urn(), did(), did(), text())
            .prop_map(|(authority, new_did, old_did, reason)| Kind::KeyRotation {
                authority,
                new_did,
                old_did,
                reason
            })
            .boxed(),
        (urn(), did(), instant(), text())
            .prop_map(
                |(authority, did, compromised_at, reason)| Kind::KeyRevocation {
                    authority,
                    did,
                    compromised_at,
                    reason
                }
            )
            .boxed(),
        (urn(), urn(), did(), text(), text())
            .prop_map(
                |(predecessor, successor, successor_did, successor_name, reason)| {
                    Kind::Succession {
                        predecessor,
                        successor,
                        successor_did,
                        successor_name,
                        reason,
                    }
                }
            )
            .boxed(),
        (uscc(), text(), text())
            .prop_map(|(uscc, name, reason)| Kind::HolderRename { uscc, name, reason })
            .boxed(),
        (uscc(), end, proptest::collection::vec(uscc(), 0..3), text())
            .prop_map(|(uscc, kind, successors, reason)| Kind::HolderEnd {
                uscc,
                kind,
                successors,
                reason,
            })
            .boxed(),
    ]
    .boxed()
}

/// A statement signed by `seed`'s key (so `issuer_did` is that key's DID).
fn statement() -> impl Strategy<Value = (Statement, [u8; 32])> {
    (
        urn(),
        any::<[u8; 32]>(),
        text(),
        instant(),
        proptest::option::of(0i64..400_000_000),
        kind(),
    )
        .prop_map(|(id, seed, issuer_name, valid_from, until, kind)| {
            let valid_until = until.and_then(|d| {
                valid_from
                    .checked_add(jiff::SignedDuration::from_secs(d))
                    .ok()
            });
            let issuer_did = did_for(&SigningKey::from_bytes(&seed).verifying_key());
            (
                Statement {
                    id,
                    issuer_did,
                    issuer_name,
                    valid_from,
                    valid_until,
                    kind,
                },
                seed,
            )
        })
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[^\\p{Cc}]{1,40}",
        "[\u{4e00}-\u{9fff} ]{1,10}",
        Just(" ".to_string()),
        Just("—+ = x".to_string())
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn statement_json_round_trips((st, _) in statement()) {
        match statement::from_json(&st.to_json()) {
            Ok(back) => prop_assert_eq!(back, st),
            Err(e) => prop_assert!(false, "{} does not parse back: {e}", st.kind.type_name()),
        }
    }

    #[test]
    fn signed_statement_round_trips((st, seed) in statement(), created in instant()) {
        let bytes = statement::sign(&st, &SigningKey::from_bytes(&seed), created).unwrap();
        let signed = statement::verify_signed(&bytes).unwrap();
        prop_assert_eq!(signed.statement, st);
        prop_assert_eq!(signed.bytes, bytes);
    }

    #[test]
    fn entry_round_trips(index in any::<u64>(), micros in any::<i64>(), body in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let (lo, hi) = bounds();
        let time = from_micros(lo * 1_000_000 + micros.rem_euclid((hi - lo) * 1_000_000));
        let e = Entry { index, time, statement: body };
        let bytes = e.encode().unwrap();
        prop_assert_eq!(Entry::parse(&bytes).unwrap(), e);
    }

    #[test]
    fn checkpoint_round_trips(origin in line(), size in any::<u64>(), root in any::<[u8; 32]>(), extensions in proptest::collection::vec(line(), 0..4)) {
        let cp = Checkpoint { origin, size, root, extensions };
        let text = cp.to_text();
        prop_assert_eq!(Checkpoint::parse(&text).unwrap(), cp.clone());
        // And as a signed note, when the origin is a valid key name (no Unicode spaces, no "+").
        if !cp.origin.chars().any(|c| c.is_whitespace() || c == '+') {
            let signer = NoteSigner::new(&cp.origin, SigningKey::from_bytes(&root)).unwrap();
            let verifier = NoteVerifier::from_vkey(&signer.vkey()).unwrap();
            let note = signer.sign(&text).unwrap();
            let (opened, _) = open_checkpoint(note.as_bytes(), &[verifier]).unwrap();
            prop_assert_eq!(opened, cp);
        }
    }

    #[test]
    fn uscc_check_character_decides(v in proptest::collection::vec(0usize..31, 17), last in any::<char>()) {
        let first17: String = v.into_iter().map(|i| ALPHABET.as_bytes()[i] as char).collect();
        let code = Uscc::from_first17(&first17).unwrap();
        prop_assert_eq!(Uscc::parse(code.as_str()).unwrap(), code.clone());
        let other = format!("{first17}{last}");
        prop_assert_eq!(Uscc::parse(&other).is_ok(), last == check_char(&first17).unwrap());
    }
}
