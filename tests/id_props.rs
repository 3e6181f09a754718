//! Property tests for `honors::id`: generated codes validate, and single
//! substitutions and adjacent transpositions in the first 17 characters are caught.

use honors::id::{check_char, Uscc, UsccError, ALPHABET};
use proptest::prelude::*;

fn code17() -> impl Strategy<Value = String> {
    proptest::collection::vec(0usize..31, 17).prop_map(|v| {
        v.into_iter()
            .map(|i| ALPHABET.as_bytes()[i] as char)
            .collect()
    })
}

proptest! {
    #[test]
    fn generated_codes_are_valid(s in code17()) {
        let u = Uscc::from_first17(&s).unwrap();
        prop_assert_eq!(Uscc::parse(u.as_str()).unwrap(), u);
    }

    #[test]
    fn single_substitution_detected(s in code17(), pos in 0usize..17, d in 1usize..31) {
        let u = Uscc::from_first17(&s).unwrap();
        let mut b = u.as_str().as_bytes().to_vec();
        let old = ALPHABET.find(b[pos] as char).unwrap();
        b[pos] = ALPHABET.as_bytes()[(old + d) % 31];
        let bad = String::from_utf8(b).unwrap();
        let rejected = matches!(Uscc::parse(&bad), Err(UsccError::CheckChar { .. }));
        prop_assert!(rejected);
    }

    #[test]
    fn adjacent_transposition_detected(s in code17(), pos in 0usize..16) {
        let u = Uscc::from_first17(&s).unwrap();
        let mut b = u.as_str().as_bytes().to_vec();
        prop_assume!(b[pos] != b[pos + 1]);
        b.swap(pos, pos + 1);
        let bad = String::from_utf8(b).unwrap();
        prop_assert!(Uscc::parse(&bad).is_err());
    }

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,24}") {
        let _ = Uscc::parse(&s);
        let _ = check_char(&s);
    }
}
