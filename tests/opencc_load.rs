//! Measures how long the first `search_key` call takes (it loads the OpenCC t2s
//! dictionaries). Alone in its own test binary so nothing else has loaded them.

#[test]
fn first_conversion_time() {
    let t0 = std::time::Instant::now();
    let k = honors::text::search_key("全國三八紅旗集體");
    let first = t0.elapsed();
    let t1 = std::time::Instant::now();
    for _ in 0..1000 {
        let _ = honors::text::search_key("國家級母嬰安全優質服務單位");
    }
    let per = t1.elapsed() / 1000;
    assert_eq!(k, "全国三八红旗集体");
    eprintln!(
        "opencc first search_key (incl. dictionary load): {first:?}; later calls: {per:?} each"
    );
}
