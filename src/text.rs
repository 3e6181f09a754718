//! Search keys for Chinese honor titles, hospital and person names.
//!
//! A search key is a folded form of a string so that the same title written in
//! traditional or simplified characters, with full-width or half-width letters and
//! parentheses, or with different spacing and punctuation, compares equal:
//!
//! 1. Unicode NFKC (UAX #15): folds full-width ASCII (`（`, `Ａ`, `１`) to half-width,
//!    CJK compatibility ideographs (U+F900…) to unified ones, and similar variants;
//! 2. traditional → simplified Chinese with OpenCC's `t2s` configuration
//!    (`ferrous-opencc`, built-in dictionaries; phrase-aware, e.g. 乾隆 stays 乾隆);
//! 3. Unicode lowercase;
//! 4. removal of whitespace and punctuation (ASCII punctuation and symbols, CJK
//!    punctuation such as “”「」《》（）、，。·・—…, and the general-punctuation block).
//!    Letters and digits of every script, and symbols like `＋`/`+` after folding, are
//!    kept except ASCII symbols, which count as punctuation.
//!
//! Invariant: `search_key` is idempotent in practice and deterministic for a given
//! `ferrous-opencc` version; keys are only compared with keys made by the same version,
//! so an index must be rebuilt when that dependency changes.
//!
//! These keys are for lookup only. They are NEVER used on signed text: credentials are
//! signed and verified over their exact original bytes, never over a search key.

use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;
use unicode_normalization::UnicodeNormalization;

/// The t2s converter, built once: loading its dictionaries is the expensive part.
///
/// The dictionaries are compiled into the binary, so failing to load them is a build
/// defect, not a runtime condition: it panics rather than silently producing keys
/// that would not match an index built with the converter.
fn t2s() -> &'static OpenCC {
    static T2S: OnceLock<OpenCC> = OnceLock::new();
    T2S.get_or_init(|| {
        OpenCC::from_config(BuiltinConfig::T2s)
            .expect("ferrous-opencc's built-in t2s dictionaries failed to load")
    })
}

/// Loads the traditional → simplified dictionaries now instead of on the first
/// [`search_key`] call (optional; useful before timing-sensitive work).
pub fn warm_up() {
    t2s();
}

/// Whether `c` is dropped from a search key: whitespace, ASCII punctuation/symbols, and
/// the punctuation blocks used in Chinese text.
pub fn is_ignorable(c: char) -> bool {
    if c.is_whitespace() || c.is_control() || c.is_ascii_punctuation() {
        return true;
    }
    matches!(c as u32,
        // Latin-1 punctuation and symbols: ¡ ¢ … « » · ¿ (but not letters)
        0x00A1..=0x00BF | 0x00D7 | 0x00F7
        // General Punctuation: — ‘ ’ “ ” … ‧ ‰ and zero-width characters
        | 0x2000..=0x206F
        // CJK Symbols and Punctuation, except 々 (3005), 〆 (3006), 〇 (3007)
        // and the Hangzhou numerals/marks 3021..=303F
        | 0x3000..=0x3004 | 0x3008..=0x3020
        // Katakana middle dot ・ (used between parts of transliterated names)
        | 0x30FB
        // Vertical forms, CJK compatibility forms, small form variants
        | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F
        // Full-width / half-width punctuation left after NFKC (e.g. ｟ ｠ ￥ ￤)
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 | 0xFFE0..=0xFFEE
        // Box drawing, geometric shapes and stars sometimes used as bullets: ■ ● ★ ☆
        | 0x2500..=0x25FF | 0x2605..=0x2606
        // Byte order mark / zero-width no-break space
        | 0xFEFF
    )
}

/// Folds `s` into its search key: NFKC, traditional → simplified (OpenCC t2s),
/// lowercase, then whitespace and punctuation removed. See the module doc.
///
/// `search_key("全國三八紅旗集體") == search_key("全国三八红旗集体") == "全国三八红旗集体"`.
pub fn search_key(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    let simplified = t2s().convert(&nfkc);
    simplified
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|&c| !is_ignorable(c))
        .collect()
}

/// The search key of `s` split into overlapping character bigrams, for substring search
/// in an inverted index: "三甲医院" → ["三甲", "甲医", "医院"]. A 1-character key gives
/// that character alone; an empty key gives no terms. Duplicates are removed, keeping
/// the first occurrence's order.
pub fn search_terms(s: &str) -> Vec<String> {
    let chars: Vec<char> = search_key(s).chars().collect();
    if chars.len() == 1 {
        return vec![chars[0].to_string()];
    }
    let mut out: Vec<String> = Vec::with_capacity(chars.len().saturating_sub(1));
    for w in chars.windows(2) {
        let t: String = w.iter().collect();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converter_loads() {
        assert_eq!(t2s().convert("醫院"), "医院");
    }

    #[test]
    fn traditional_equals_simplified() {
        let pairs = [
            ("全國三八紅旗集體", "全国三八红旗集体"),
            ("國家級母嬰安全優質服務單位", "国家级母婴安全优质服务单位"),
            ("三級甲等醫院", "三级甲等医院"),
            ("河南省生殖醫學重點實驗室", "河南省生殖医学重点实验室"),
            ("全國衛生系統先進集體", "全国卫生系统先进集体"),
        ];
        for (t, s) in pairs {
            assert_eq!(search_key(t), search_key(s), "{t} vs {s}");
            assert_eq!(
                search_key(s),
                s,
                "simplified text without punctuation is its own key"
            );
        }
    }

    #[test]
    fn full_width_and_punctuation_fold() {
        assert_eq!(search_key("（全国妇联）"), search_key("(全国妇联)"));
        assert_eq!(search_key("（全国妇联）"), "全国妇联");
        assert_eq!(
            search_key("“全国文明单位”、《光荣榜》，「表彰」。"),
            "全国文明单位光荣榜表彰"
        );
        assert_eq!(
            search_key("阿依古丽·买买提"),
            search_key("阿依古丽・买买提")
        );
        assert_eq!(search_key("全国　三八 红旗\t集体"), "全国三八红旗集体");
    }

    #[test]
    fn ascii_and_pinyin_stay_sensible() {
        assert_eq!(
            search_key("Changde No.2 People's Hospital"),
            "changdeno2peopleshospital"
        );
        assert_eq!(search_key("ＡＢＣ１２３"), "abc123");
        assert_eq!(search_key("Lǚ Xiǎomíng"), "lǚxiǎomíng");
        assert_eq!(search_key("5G+医疗健康"), "5g医疗健康");
        assert_eq!(search_key(""), "");
        assert_eq!(search_key(" ，。 "), "");
    }

    #[test]
    fn keeps_ideographic_marks() {
        assert_eq!(search_key("〇"), "〇");
        assert_eq!(search_key("佐々木"), "佐々木");
    }

    #[test]
    fn compatibility_ideograph_folds() {
        // U+F9D1 is a CJK compatibility ideograph for 六 (U+516D).
        assert_eq!(search_key("\u{F9D1}"), "六");
    }

    #[test]
    fn idempotent_on_samples() {
        for s in [
            "全國三八紅旗集體",
            "（全国妇联）",
            "ＡＢＣ abc",
            "乾隆",
            "後勤保障部",
        ] {
            let k = search_key(s);
            assert_eq!(search_key(&k), k, "{s}");
        }
    }

    #[test]
    fn bigrams() {
        assert_eq!(search_terms("三甲醫院"), vec!["三甲", "甲医", "医院"]);
        assert_eq!(search_terms("（院）"), vec!["院"]);
        assert!(search_terms("").is_empty());
        assert!(search_terms("，").is_empty());
        assert_eq!(search_terms("哈哈哈"), vec!["哈哈"]);
    }
}
