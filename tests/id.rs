//! Integration tests for `honors::id` (统一社会信用代码, GB 32100-2015).

use std::collections::{BTreeSet, HashSet};

use honors::id::{check_char, Uscc, UsccError};

#[test]
fn known_answers() {
    assert!("12430700446432465B".parse::<Uscc>().is_ok());
    match Uscc::parse("91350100M000100Y4Z") {
        Err(UsccError::CheckChar {
            expected,
            found,
            code,
        }) => {
            assert_eq!((expected, found), ('3', 'Z'));
            assert_eq!(code, "91350100M000100Y4Z");
        }
        other => panic!("{other:?}"),
    }
    // Passes GB 32100; its embedded GB 11714 organisation code does not check out.
    let ex = Uscc::parse("123301000EXAMPLE0H").unwrap();
    assert!(!ex.organization_code_is_consistent());
    assert_eq!(check_char("123301000EXAMPLE0").unwrap(), 'H');
}

#[test]
fn pasted_full_width_code_names_position() {
    let e = Uscc::parse("９１３５０１００Ｍ０００１００Ｙ４３").unwrap_err();
    assert!(matches!(
        e,
        UsccError::InvalidChar {
            position: 1,
            found: '９',
            ..
        }
    ));
    let msg = e.to_string();
    assert!(
        msg.contains("character 1") && msg.contains("half-width '9'"),
        "{msg}"
    );
}

#[test]
fn code_with_spaces_names_position() {
    let e = Uscc::parse("91350100 M000100Y43").unwrap_err();
    assert!(
        matches!(
            e,
            UsccError::InvalidChar {
                position: 9,
                found: ' ',
                ..
            }
        ),
        "{e:?}"
    );
    let e = Uscc::parse(" 91350100M000100Y43").unwrap_err();
    assert!(matches!(e, UsccError::InvalidChar { position: 1, .. }));
}

#[test]
fn usable_as_map_keys_and_sorted() {
    let a = Uscc::from_first17("12430700446432465").unwrap();
    let b = Uscc::from_first17("91350100M000100Y4").unwrap();
    let set: HashSet<Uscc> = [a.clone(), b.clone(), a.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains("12430700446432465B"));
    let sorted: Vec<_> = [b.clone(), a.clone()]
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(sorted, vec![a.clone(), b]);
    assert_eq!(a.to_string(), "12430700446432465B");
    assert_eq!(a.into_string(), "12430700446432465B");
}

#[test]
fn serde_in_a_struct() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Hospital {
        name: String,
        uscc: Uscc,
    }
    let h = Hospital {
        name: "常德市第二人民医院".into(),
        uscc: "12430700446432465B".parse().unwrap(),
    };
    let j = serde_json::to_string(&h).unwrap();
    assert_eq!(
        j,
        r#"{"name":"常德市第二人民医院","uscc":"12430700446432465B"}"#
    );
    assert_eq!(serde_json::from_str::<Hospital>(&j).unwrap(), h);
    let bad = j.replace("465B", "465C");
    let err = serde_json::from_str::<Hospital>(&bad)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("check character 'C'") && err.contains("give 'B'"),
        "{err}"
    );
    assert!(serde_json::from_str::<Hospital>(&j.replace("465B", "465b")).is_err());
}
