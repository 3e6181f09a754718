//! 统一社会信用代码 (Unified Social Credit Code, USCC): the identifier of a hospital.
//!
//! Spec: GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》.
//! A code is 18 characters from the 31-character alphabet
//! `0123456789ABCDEFGHJKLMNPQRTUWXY` (the letters I, O, S, V and Z are never
//! used). Each character's value is its position in that alphabet. The layout is:
//!
//! | positions | meaning |
//! | --- | --- |
//! | 1 | 登记管理部门码 (registration authority, e.g. `1` = 机构编制, `5` = 民政, `9` = 工商) |
//! | 2 | 机构类别码 (organisation category, e.g. `2` = 事业单位) |
//! | 3–8 | 登记管理机关行政区划码 (GB/T 2260 region code) |
//! | 9–17 | 主体标识码 (the GB 11714 organisation code, itself ending in a check digit) |
//! | 18 | 校验码 (check character) |
//!
//! The check character of positions 1..17 is computed with weights
//! `W_i = 3^(i-1) mod 31` (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28):
//! its value is `(31 - Σ value_i·W_i mod 31) mod 31`. Because 31 is prime and every
//! weight is non-zero, any single substituted character among the first 17 and any
//! transposition of two different adjacent characters among the first 17 are detected.
//!
//! Input is strict: only the ASCII digits and *uppercase* ASCII letters of the alphabet
//! are accepted. Lowercase letters, full-width characters (`９１３５…`), spaces and the
//! excluded letters are rejected with an error naming the 1-based position and a hint
//! (e.g. "write 'M'"), rather than silently normalised, so that a code read from a
//! signed credential round-trips byte for byte.
//!
//! Invariant: a [`Uscc`] value always holds a valid 18-character code (alphabet and
//! check character verified). The GB 11714 check digit inside positions 9–17 is *not*
//! enforced (see [`Uscc::organization_code_is_consistent`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 31 characters of a 统一社会信用代码, in value order.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights for positions 1..=17: `3^(i-1) mod 31`.
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Length of a full code.
pub const LEN: usize = 18;

/// Why a string is not a valid 统一社会信用代码 (or its first 17 characters).
///
/// `code` is the input as given, so that messages from a batch import name the row's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Wrong number of characters (counted as Unicode characters, not bytes).
    #[error("统一社会信用代码 {code:?} has {found} characters; it must have exactly {expected}")]
    Length {
        /// The input as given.
        code: String,
        /// Required number of characters (18, or 17 for [`check_char`]).
        expected: usize,
        /// Number of characters found.
        found: usize,
    },
    /// A character outside the alphabet.
    #[error("统一社会信用代码 {code:?}: character {position} is {found:?}, which cannot appear in a code; {}", char_hint(*.found))]
    InvalidChar {
        /// The input as given.
        code: String,
        /// 1-based character position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The 18th character does not match the first 17.
    #[error("统一社会信用代码 {code} has check character '{found}' but the first 17 characters give '{expected}': check for a typo")]
    CheckChar {
        /// The input as given.
        code: String,
        /// Check character computed from the first 17 characters.
        expected: char,
        /// Check character found in position 18.
        found: char,
    },
}

/// A hint on how to fix a character that is not in [`ALPHABET`].
fn char_hint(c: char) -> String {
    let fullwidth = ('\u{FF01}'..='\u{FF5E}').contains(&c);
    let half = if fullwidth {
        char::from_u32(c as u32 - 0xFEE0).map(|h| h.to_ascii_uppercase())
    } else {
        None
    };
    match (c, half) {
        (_, Some(h)) => format!("it is a full-width character: type the half-width '{h}' instead"),
        ('\u{3000}', _) => "it is a full-width space: remove spaces from the code".to_string(),
        (c, _) if c.is_whitespace() => "remove spaces and line breaks from the code".to_string(),
        ('I' | 'O' | 'S' | 'V' | 'Z', _) => format!(
            "the letters I, O, S, V and Z are never used (did you mean '{}'?)",
            match c {
                'I' => '1',
                'O' => '0',
                'S' => '5',
                'V' => 'U',
                _ => '2',
            }
        ),
        (c, _) if c.is_ascii_lowercase() => {
            format!(
                "letters must be uppercase: write '{}'",
                c.to_ascii_uppercase()
            )
        }
        _ => format!("only the characters {ALPHABET} are allowed"),
    }
}

/// Value of `c` in [`ALPHABET`], if it belongs to it.
fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// Checks that `s` has `expected_len` characters of [`ALPHABET`] and returns their
/// values; otherwise the first invalid character, or else the wrong length.
fn values(s: &str, expected_len: usize) -> Result<Vec<u32>, UsccError> {
    let mut out = Vec::with_capacity(expected_len);
    // Report a bad character (with its position) before a bad length: a pasted code
    // with a space in it is then explained as "character 5 is ' '", not "19 characters".
    for (i, c) in s.chars().enumerate() {
        match value_of(c) {
            Some(v) => out.push(v),
            None => {
                return Err(UsccError::InvalidChar {
                    code: s.to_string(),
                    position: i + 1,
                    found: c,
                })
            }
        }
    }
    if out.len() != expected_len {
        return Err(UsccError::Length {
            code: s.to_string(),
            expected: expected_len,
            found: out.len(),
        });
    }
    Ok(out)
}

fn check_value(first17: &[u32]) -> u32 {
    let sum: u32 = first17.iter().zip(WEIGHTS.iter()).map(|(v, w)| v * w).sum();
    (31 - sum % 31) % 31
}

fn char_of(v: u32) -> char {
    ALPHABET.as_bytes()[v as usize] as char
}

/// Computes the check character (position 18) for the first 17 characters of a code.
///
/// Errors if `first17` is not exactly 17 characters of [`ALPHABET`].
pub fn check_char(first17: &str) -> Result<char, UsccError> {
    let vals = values(first17, LEN - 1)?;
    Ok(char_of(check_value(&vals)))
}

/// A valid 统一社会信用代码 (GB 32100-2015). Always 18 valid characters with a correct
/// check character. Serialises as a plain JSON string; deserialising validates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    /// Parses and validates a code (same as [`str::parse`]). Input must already be
    /// exactly 18 uppercase characters with no surrounding spaces.
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        let n = s.chars().count();
        if n != LEN {
            // Report a bad character anywhere before the bad length (see `values`).
            values(s, LEN)?;
        }
        let first17: String = s.chars().take(LEN - 1).collect();
        let vals = values(&first17, LEN - 1).map_err(|e| match e {
            UsccError::InvalidChar {
                position, found, ..
            } => UsccError::InvalidChar {
                code: s.to_string(),
                position,
                found,
            },
            other => other,
        })?;
        let expected = char_of(check_value(&vals));
        let found = s.chars().nth(LEN - 1).unwrap_or_default();
        if found == expected {
            return Ok(Uscc(s.to_string()));
        }
        // A wrong 18th character that is at least an ASCII letter or digit (including
        // the never-used I, O, S, V, Z and lowercase) is reported as a check-character
        // mismatch, which tells the user the right one; anything else (a space, a
        // full-width character) as an invalid character.
        if value_of(found).is_some() || found.is_ascii_alphanumeric() {
            Err(UsccError::CheckChar {
                code: s.to_string(),
                expected,
                found,
            })
        } else {
            Err(UsccError::InvalidChar {
                code: s.to_string(),
                position: LEN,
                found,
            })
        }
    }

    /// Builds a valid code from its first 17 characters by appending the computed check
    /// character. Meant for generating test and demo codes.
    pub fn from_first17(first17: &str) -> Result<Uscc, UsccError> {
        let c = check_char(first17)?;
        let mut s = String::with_capacity(LEN);
        s.push_str(first17);
        s.push(c);
        Ok(Uscc(s))
    }

    /// The code as an 18-character ASCII string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the code, returning its string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// 登记管理机关行政区划码: positions 3–8 (a GB/T 2260 region code, e.g. `430700` 常德市).
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// 主体标识码: positions 9–17, the GB 11714 organisation code (8 characters + its check digit).
    pub fn organization_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether the GB 11714 check digit (position 17) matches positions 9–16
    /// (weights 3,7,9,10,5,8,4,2; check = 11 − sum mod 11, with 10 → `X`, 11 → `0`).
    ///
    /// Advisory only: [`Uscc`] does not require it, because GB 32100 validity is only
    /// the 18th character. Real issued codes satisfy it; made-up ones often do not.
    pub fn organization_code_is_consistent(&self) -> bool {
        const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        let b = self.0.as_bytes();
        let sum: u32 = b[8..16]
            .iter()
            .zip(W)
            .map(|(&c, w)| (c as char).to_digit(36).unwrap_or(0) * w)
            .sum();
        let expected = match 11 - sum % 11 {
            10 => b'X',
            11 => b'0',
            d => b'0' + d as u8,
        };
        b[16] == expected
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Uscc {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Uscc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_powers_of_three() {
        let mut w = 1u32;
        for (i, &x) in WEIGHTS.iter().enumerate() {
            assert_eq!(x, w, "weight {}", i + 1);
            w = w * 3 % 31;
        }
        assert_eq!(ALPHABET.len(), 31);
    }

    #[test]
    fn known_valid_code() {
        let u: Uscc = "12430700446432465B".parse().unwrap();
        assert_eq!(u.as_str(), "12430700446432465B");
        assert_eq!(u.region_code(), "430700");
        assert_eq!(u.organization_code(), "446432465");
        assert!(u.organization_code_is_consistent());
        assert_eq!(check_char("12430700446432465").unwrap(), 'B');
    }

    /// (position, found, message) of an `InvalidChar` error, or (0, expected, message)
    /// of a `CheckChar` error.
    fn err(s: &str) -> (usize, char, String) {
        match Uscc::parse(s).unwrap_err() {
            e @ UsccError::InvalidChar {
                position, found, ..
            } => (position, found, e.to_string()),
            e @ UsccError::CheckChar { expected, .. } => (0, expected, e.to_string()),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn known_bad_check_char() {
        let (_, expected, msg) = err("91350100M000100Y4Z");
        assert_eq!(expected, '3');
        assert_eq!(
            msg,
            "统一社会信用代码 91350100M000100Y4Z has check character 'Z' but the first 17 \
             characters give '3': check for a typo"
        );
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            err("12430700446432465b").1,
            'B',
            "lowercase 18th: expected 'B'"
        );
    }

    #[test]
    fn example_vector_passes_gb32100_but_not_gb11714() {
        // E, X, A, M, P, L are all in the alphabet, and 'H' is the right check character.
        let u = Uscc::parse("123301000EXAMPLE0H").unwrap();
        // The embedded organisation code 0EXAMPLE-0 has a wrong GB 11714 check digit (7).
        assert!(!u.organization_code_is_consistent());
    }

    #[test]
    fn from_first17_and_lengths() {
        let u = Uscc::from_first17("91350100M000100Y4").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        let e = Uscc::from_first17("91350100M000100Y43").unwrap_err();
        assert!(matches!(
            e,
            UsccError::Length {
                expected: 17,
                found: 18,
                ..
            }
        ));
        let e = Uscc::parse("").unwrap_err();
        assert!(matches!(
            e,
            UsccError::Length {
                expected: 18,
                found: 0,
                ..
            }
        ));
        let e = Uscc::parse("12430700446432465").unwrap_err();
        assert!(
            e.to_string()
                .contains("has 17 characters; it must have exactly 18"),
            "{e}"
        );
    }

    #[test]
    fn invalid_chars_name_position_and_hint() {
        let cases = [
            ("9135 0100M000100Y43", 5, ' ', "remove spaces"),
            ("９１350100M000100Y43", 1, '９', "half-width '9'"),
            ("91350100m000100Y43", 9, 'm', "write 'M'"),
            ("91350100O000100Y43", 9, 'O', "did you mean '0'"),
            ("12430700446432465Ｂ", 18, 'Ｂ', "half-width 'B'"),
            ("12430700446432465B\n", 19, '\n', "line breaks"),
            ("常德市第二人民医院", 1, '常', "only the characters 0123"),
        ];
        for (input, pos, ch, hint) in cases {
            let (p, c, msg) = err(input);
            assert_eq!((p, c), (pos, ch), "{input}");
            assert!(
                msg.contains(hint) && msg.contains(&format!("character {pos} ")),
                "{msg}"
            );
        }
    }

    #[test]
    fn serde_validates() {
        let u = Uscc::parse("12430700446432465B").unwrap();
        let j = serde_json::to_string(&u).unwrap();
        assert_eq!(j, "\"12430700446432465B\"");
        assert_eq!(serde_json::from_str::<Uscc>(&j).unwrap(), u);
        let err = serde_json::from_str::<Uscc>("\"91350100M000100Y4Z\"").unwrap_err();
        assert!(err.to_string().contains("check character 'Z'"), "{err}");
        assert!(serde_json::from_str::<Uscc>("12").is_err());
    }
}
