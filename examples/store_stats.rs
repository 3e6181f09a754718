//! Live bytes per sled tree of a registry (keys + values), for docs/PERFORMANCE.md.
//! `cargo run --release --example store_stats -- DIR/store`
fn main() {
    let dir = std::env::args()
        .nth(1)
        .expect("usage: store_stats DIR/store");
    let store = honors::store::Store::open(std::path::Path::new(&dir)).expect("open");
    let mut total = 0usize;
    for t in honors::store::trees::T::ALL {
        let name = honors::store::trees::NAMES[t as usize];
        let (mut n, mut k, mut v) = (0usize, 0usize, 0usize);
        for item in store.raw(t) {
            let (key, val) = item.expect("read");
            n += 1;
            k += key.len();
            v += val.len();
        }
        total += k + v;
        println!("{name:16} {n:>9} keys {k:>11} key bytes {v:>12} value bytes");
    }
    println!(
        "live total {total} bytes; on disk {}",
        store.size_on_disk().unwrap()
    );
}
