//! RFC 8785 (JCS) conformance: every cyberphone input/output pair, the
//! Chinese-text `jcs-zh` vector, a differential check of ES6 number
//! formatting against `serde_json_canonicalizer`, and the I-JSON edges.

mod vc_support;

use honors::credential::jcs::{self, JcsError};
use proptest::prelude::*;
use serde_json::{json, Value};
use vc_support::{bytes, hex, json as vector_json, text};

const CASES: [&str; 6] = [
    "arrays",
    "french",
    "structures",
    "unicode",
    "values",
    "weird",
];

#[test]
fn cyberphone_pairs_byte_for_byte() {
    for case in CASES {
        let input = vector_json(&format!("jcs-rfc8785-cyberphone/input/{case}.json"));
        let expected = bytes(&format!("jcs-rfc8785-cyberphone/output/{case}.json"));
        let got = jcs::to_vec(&input).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{case}"
        );
        assert_eq!(got, expected, "{case}");
        let outhex = text(&format!("jcs-rfc8785-cyberphone/outhex/{case}.txt"));
        let outhex: String = outhex.split_whitespace().collect::<String>().to_lowercase();
        assert_eq!(hex(&got), outhex, "{case} outhex");
    }
}

#[test]
fn jcs_zh_byte_for_byte() {
    let input = vector_json("jcs-zh/input.json");
    let expected = bytes("jcs-zh/output.json");
    let got = jcs::to_vec(&input).unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        hex(&got),
        text("jcs-zh/outhex.txt")
            .split_whitespace()
            .collect::<String>()
    );
    let wrong = bytes("jcs-zh/WRONG-serde_json-to_string.json");
    assert_ne!(got, wrong, "JCS must differ from plain serde_json output");
    let sha = text("jcs-zh/output.sha256");
    use sha2::Digest;
    assert!(
        sha.contains(&hex(&sha2::Sha256::digest(&got))),
        "output.sha256"
    );
}

#[test]
fn utf16_order_differs_from_code_point_order() {
    // U+1F602 (D83D DE02) < U+FB33 in UTF-16, > in code points.
    assert_eq!(
        jcs::cmp_utf16("\u{1F602}", "\u{FB33}"),
        std::cmp::Ordering::Less
    );
    assert!("\u{1F602}" > "\u{FB33}");
    assert_eq!(
        jcs::cmp_utf16("\u{20BB7}", "\u{FF08}"),
        std::cmp::Ordering::Less
    );
    assert_eq!(
        jcs::cmp_utf16("\u{20000}", "\u{F900}"),
        std::cmp::Ordering::Less
    );
    assert_eq!(
        jcs::cmp_utf16("\u{8C48}", "\u{F900}"),
        std::cmp::Ordering::Less
    );
    assert_eq!(jcs::cmp_utf16("ab", "abc"), std::cmp::Ordering::Less);
    assert_eq!(jcs::cmp_utf16("a😂", "a😃"), std::cmp::Ordering::Less);
    assert_eq!(jcs::cmp_utf16("", ""), std::cmp::Ordering::Equal);
}

#[test]
fn es6_number_layout() {
    let cases: [(f64, &str); 16] = [
        (f64::from_bits(4828453333772932930), "637266607391464.2"), // exactly …464.25: a tie, ES6 takes the even digit (checked with node)
        (333_333_333.333_333_3, "333333333.3333333"),
        (0.0, "0"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (1.5e-6, "0.0000015"),
        (0.1, "0.1"),
        (-1.5, "-1.5"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (1.2345e25, "1.2345e+25"),
    ];
    for (f, want) in cases {
        let got = jcs::to_string(&json!(f)).unwrap();
        assert_eq!(got, want, "{f:e}");
    }
}

#[test]
fn big_integers_are_rejected_not_rounded() {
    assert_eq!(
        jcs::to_string(&json!(9007199254740992u64)).unwrap(),
        "9007199254740992"
    );
    assert_eq!(
        jcs::to_string(&json!(-9007199254740992i64)).unwrap(),
        "-9007199254740992"
    );
    for v in [json!(9007199254740993u64), json!(u64::MAX), json!(i64::MIN)] {
        assert!(
            matches!(jcs::to_vec(&v), Err(JcsError::IntegerOutOfRange { .. })),
            "{v}"
        );
    }
}

#[test]
fn duplicates_and_lone_surrogates() {
    // serde_json silently keeps the last duplicate: documented, not detectable by to_vec.
    let merged: Value = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(jcs::to_string(&merged).unwrap(), r#"{"a":2}"#);
    let merged: Value = serde_json::from_str(r#"{"a":1,"b":0,"a":2}"#).unwrap();
    let keys: Vec<&String> = merged.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["a", "b"]); // preserve_order: first position, last value
    assert_eq!(merged["a"], 2);
    // from_str_strict rejects duplicates at any depth.
    assert!(matches!(
        jcs::from_str_strict(r#"{"a":1,"a":2}"#),
        Err(JcsError::InvalidJson { .. })
    ));
    assert!(jcs::from_str_strict(r#"[{"x":{"b":1,"b":1}}]"#).is_err());
    assert!(jcs::from_str_strict(r#"{"a":1} x"#).is_err());
    let ok = jcs::from_str_strict(r#"{"b":[1,2.5,"s",null,true],"a":{"c":-3}}"#).unwrap();
    assert_eq!(
        jcs::to_string(&ok).unwrap(),
        r#"{"a":{"c":-3},"b":[1,2.5,"s",null,true]}"#
    );
    // Lone surrogates cannot enter a Value at all.
    assert!(serde_json::from_str::<Value>(r#""\ud800""#).is_err());
    assert!(serde_json::from_str::<Value>(r#""\udc00x""#).is_err());
    assert!(jcs::from_str_strict(r#"{"k":"\ud83d"}"#).is_err());
}

#[test]
fn strict_parse_agrees_with_serde_json_on_all_vectors() {
    for case in CASES {
        let raw = text(&format!("jcs-rfc8785-cyberphone/input/{case}.json"));
        let strict = jcs::from_str_strict(&raw).unwrap();
        let plain: Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            jcs::to_vec(&strict).unwrap(),
            jcs::to_vec(&plain).unwrap(),
            "{case}"
        );
    }
}

fn reference(v: &Value) -> String {
    serde_json_canonicalizer::to_string(v).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]
    /// Any finite double formats exactly like the ryu-js based reference crate.
    #[test]
    fn doubles_match_reference(bits in any::<u64>()) {
        let f = f64::from_bits(bits);
        prop_assume!(f.is_finite());
        let v = json!(f);
        prop_assert_eq!(jcs::to_string(&v).unwrap(), reference(&v));
    }

    /// Arbitrary keys and strings sort and escape like the reference crate.
    #[test]
    fn strings_and_keys_match_reference(entries in proptest::collection::vec((any::<String>(), any::<String>()), 0..8)) {
        let mut map = serde_json::Map::new();
        for (k, s) in entries {
            map.insert(k, Value::String(s));
        }
        let v = Value::Object(map);
        prop_assert_eq!(jcs::to_string(&v).unwrap(), reference(&v));
    }
}
