//! Integration tests for `honors::text` (search keys).

use honors::text::{search_key, search_terms};

#[test]
fn honor_titles_match_across_scripts() {
    let cases = [
        ("全國三八紅旗集體", "全国三八红旗集体"),
        ("國家級母嬰安全優質服務單位", "国家级母婴安全优质服务单位"),
        ("三級甲等醫院", "三级甲等医院"),
        ("河南省生殖醫學重點實驗室", "河南省生殖医学重点实验室"),
        ("全國三八紅旗集體（全國婦聯）", "全国三八红旗集体(全国妇联)"),
    ];
    for (t, s) in cases {
        assert_eq!(search_key(t), search_key(s), "{t} / {s}");
    }
}

#[test]
fn query_terms_are_a_subset_of_title_terms() {
    let title: std::collections::HashSet<String> = search_terms("國家級母嬰安全優質服務單位")
        .into_iter()
        .collect();
    for q in ["母婴安全", "優質服務", "服务单位"] {
        for t in search_terms(q) {
            assert!(title.contains(&t), "{q}: {t}");
        }
    }
}

#[test]
fn mixed_ascii() {
    assert_eq!(search_key("ICU 重症醫學科（Ａ區）"), "icu重症医学科a区");
    assert_eq!(search_terms("ab"), vec!["ab"]);
    assert_eq!(search_terms("A"), vec!["a"]);
}
