//! JSON Canonicalization Scheme (RFC 8785, "JCS"): the exact bytes that
//! `eddsa-jcs-2022` hashes and signs.
//!
//! Invariant: [`to_vec`] is a pure function of the JSON value. Equal values
//! give equal bytes, whatever the key order or number spelling of the input
//! text, and the output matches RFC 8785 byte for byte:
//! - object members are sorted by their names as arrays of **UTF-16 code
//!   units** (not by UTF-8 bytes or code points, which is what Rust's `str`
//!   order, `BTreeMap` and `serde_json::Map` give); the difference shows for
//!   supplementary characters (CJK Extension B, emoji) against U+E000..U+FFFF
//!   (fullwidth brackets, compatibility ideographs);
//! - strings escape only `"`, `\` and U+0000..U+001F (`\b \f \n \r \t`, else
//!   lowercase `\u00xx`); everything else, `/`, DEL, U+2028 and all CJK
//!   included, is written as raw UTF-8. Text is **never** Unicode-normalised;
//! - numbers are IEEE-754 doubles printed like ECMAScript
//!   `Number.prototype.toString` (floats via `ryu-js`) (`1e+30`, `4.5`, `0.002`, `1e-27`, `-0` → `0`).
//!
//! Input must be I-JSON (RFC 7493). What a `serde_json::Value` can and cannot
//! carry decides how that is enforced:
//! - lone surrogates cannot be represented: a Rust `String` is valid UTF-8 and
//!   `serde_json` refuses `"\ud800"` when parsing;
//! - NaN and infinities cannot be represented in a `serde_json::Number`;
//! - integers with magnitude above 2^53 are mostly rounded by a double, so
//!   [`to_vec`] rejects them with [`JcsError::IntegerOutOfRange`] rather than
//!   sign a different number from the one in the document, unless the double
//!   prints as the very same digits (`10000000000000000`, which is also what
//!   `1E16` canonicalizes to, so that JCS output is always JCS input);
//! - duplicate member names are NOT detected by `serde_json::from_str` (the last
//!   value wins; with `preserve_order` it keeps the first one's position), so a
//!   `Value` never has duplicates and `to_vec` cannot see them. Parse untrusted
//!   text with [`from_str_strict`], which rejects duplicates.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Largest integer magnitude that an IEEE-754 double holds exactly (2^53).
pub const MAX_SAFE_INTEGER: u64 = 1 << 53;

/// Why a value could not be canonicalized or parsed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum JcsError {
    /// An integer outside ±2^53 that a double (and so JCS) cannot carry as written.
    #[error(
        "integer {value} is outside the exactly representable range ±2^53 required by I-JSON/JCS"
    )]
    IntegerOutOfRange { value: String },
    /// A number that is neither an integer nor a finite double.
    #[error("number {value} is not a finite IEEE-754 double")]
    NonFiniteNumber { value: String },
    /// The JSON text could not be parsed (includes duplicate member names and lone surrogates).
    #[error("invalid JSON: {reason}")]
    InvalidJson { reason: String },
}

/// The RFC 8785 canonical UTF-8 bytes of `value`.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, JcsError> {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value)?;
    Ok(out.into_bytes())
}

/// Same as [`to_vec`], as a `String` (JCS output is always valid UTF-8).
pub fn to_string(value: &Value) -> Result<String, JcsError> {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value)?;
    Ok(out)
}

/// [`to_vec`] of the object `map` without its member `skip`, and with the value of member
/// `replace.0` (which it must have) replaced by `replace.1`: the canonical bytes of a modified
/// copy of `map`, without making the copy.
pub(crate) fn object_to_vec_with(
    map: &Map<String, Value>,
    skip: &str,
    replace: Option<(&str, &Value)>,
) -> Result<Vec<u8>, JcsError> {
    let mut out = String::with_capacity(1024);
    let mut members: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, _)| k.as_str() != skip)
        .map(|(k, v)| match replace {
            Some((name, value)) if k == name => (k, value),
            _ => (k, v),
        })
        .collect();
    members.sort_unstable_by(|x, y| cmp_utf16(x.0, y.0));
    out.push('{');
    for (i, (k, v)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, k);
        out.push(':');
        write_value(&mut out, v)?;
    }
    out.push('}');
    Ok(out.into_bytes())
}

/// Compares two member names as RFC 8785 requires: by UTF-16 code units.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    // UTF-8 byte order equals code point order, so equal prefixes can be
    // skipped bytewise; only the first differing characters need UTF-16 units.
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let common = ab.iter().zip(bb).take_while(|(x, y)| x == y).count();
    // Back up to the start of the character containing the first difference.
    let mut start = common;
    while start > 0 && !a.is_char_boundary(start) {
        start -= 1;
    }
    match (a.get(start..), b.get(start..)) {
        (Some(x), Some(y)) => x.encode_utf16().cmp(y.encode_utf16()),
        _ => a.encode_utf16().cmp(b.encode_utf16()), // unreachable: same prefix bytes
    }
}

fn write_value(out: &mut String, value: &Value) -> Result<(), JcsError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|x, y| cmp_utf16(x.0, y.0));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while let Some(pos) = rest
        .bytes()
        .position(|b| b < 0x20 || b == b'"' || b == b'\\')
    {
        out.push_str(&rest[..pos]);
        let b = rest.as_bytes()[pos];
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{:04x}", b);
            }
        }
        // The escaped byte is ASCII, so pos + 1 is a char boundary.
        rest = &rest[pos + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) -> Result<(), JcsError> {
    if let Some(u) = n.as_u64() {
        if u > MAX_SAFE_INTEGER {
            return write_big_integer(out, u.to_string(), u as f64);
        }
        let _ = write!(out, "{u}");
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_SAFE_INTEGER {
            return write_big_integer(out, i.to_string(), i as f64);
        }
        let _ = write!(out, "{i}");
    } else {
        match n.as_f64() {
            Some(f) if f.is_finite() => write_es6_double(out, f),
            _ => {
                return Err(JcsError::NonFiniteNumber {
                    value: n.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// An integer beyond ±2^53 is written only if the double it parses to prints as the same
/// digits (`10000000000000000`, which is also what `1E16` canonicalizes to); any other
/// (`9007199254740993`, `i64::MIN`) would be signed as a different number, so it is refused.
fn write_big_integer(out: &mut String, digits: String, f: f64) -> Result<(), JcsError> {
    let mut es6 = String::new();
    write_es6_double(&mut es6, f);
    if es6 != digits {
        return Err(JcsError::IntegerOutOfRange { value: digits });
    }
    out.push_str(&es6);
    Ok(())
}

/// ECMAScript `Number::toString(x)` (ECMA-262 §6.1.6.1.20) for a finite
/// double, via `ryu-js`. (Rust's own shortest `{:e}` differs on exact ties,
/// e.g. 637266607391464.25, where ES6 picks the even digit: `…464.2`.)
fn write_es6_double(out: &mut String, f: f64) {
    if f == 0.0 {
        out.push('0'); // covers -0
        return;
    }
    out.push_str(ryu_js::Buffer::new().format_finite(f));
}

/// Parses JSON text into a `Value`, rejecting duplicate member names (which
/// `serde_json::from_str` silently merges) as well as everything
/// `serde_json` itself rejects (lone surrogates, trailing data, ...).
pub fn from_str_strict(text: &str) -> Result<Value, JcsError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictValue
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| JcsError::InvalidJson {
            reason: e.to_string(),
        })?;
    Ok(value)
}

/// A `Value` seed that errors on duplicate object keys at any depth.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate member name {key:?}")));
            }
            let value = map.next_value_seed(StrictValue)?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (fuzz target `jcs`): serde_json's default float parser may be one ULP
    /// off (here for `1e-42`), so the same number written two ways canonicalized differently
    /// and JCS was not idempotent. RFC 8785 needs correctly rounded doubles (Cargo feature
    /// `float_roundtrip`). Under `cargo test` a dev-dependency turns that feature on anyway,
    /// so this test passes either way; the fuzz crate, which has no dev-dependencies, is the
    /// guard for the shipped build (`fuzz/run.sh 0 jcs` replays the input).
    #[test]
    fn numbers_parse_correctly_rounded_and_jcs_is_idempotent() {
        for text in [
            "1e-42",
            "0.000000000000000000000000000000000000000001",
            "[333333333.33391602,1E30,4.50,2e-3]",
        ] {
            let once = to_vec(&from_str_strict(text).unwrap()).unwrap();
            let twice =
                to_vec(&from_str_strict(std::str::from_utf8(&once).unwrap()).unwrap()).unwrap();
            assert_eq!(once, twice, "{text}");
        }
        assert_eq!(
            to_string(&from_str_strict("0.000000000000000000000000000000000000000001").unwrap())
                .unwrap(),
            "1e-42"
        );
        assert_eq!(
            to_string(&from_str_strict("1e-42").unwrap()).unwrap(),
            "1e-42"
        );
    }

    /// Found by fuzzing (fuzz target `jcs`): `1E16` canonicalizes to `10000000000000000`,
    /// which as an integer above 2^53 was then refused, so JCS output was not JCS input. An
    /// integer above 2^53 is kept when its double prints as the same digits.
    #[test]
    fn big_integers_that_a_double_holds_exactly_are_kept() {
        for text in [
            "1E16",
            "10000000000000000",
            "-1e16",
            "9.223372036854775808e18",
            "9223372036854776000",
        ] {
            let once = to_string(&from_str_strict(text).unwrap()).unwrap();
            let twice = to_string(&from_str_strict(&once).unwrap()).unwrap();
            assert_eq!(once, twice, "{text}");
        }
        assert_eq!(
            to_string(&Value::from(10_000_000_000_000_000u64)).unwrap(),
            "10000000000000000"
        );
        assert_eq!(
            to_string(&Value::from(-10_000_000_000_000_000i64)).unwrap(),
            "-10000000000000000"
        );
        for bad in [
            Value::from(9_007_199_254_740_993u64),
            Value::from(u64::MAX),
            Value::from(i64::MIN),
        ] {
            assert!(
                matches!(to_vec(&bad), Err(JcsError::IntegerOutOfRange { .. })),
                "{bad}"
            );
        }
    }
}
