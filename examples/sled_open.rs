//! Opens a registry's sled database and nothing else, as a process: the baseline that
//! `honors` commands are compared with in docs/PERFORMANCE.md.
//! `hyperfine -N 'target/release/examples/sled_open DIR/store' 'target/release/honors --db DIR …'`
fn main() {
    let path = std::env::args().nth(1).expect("usage: sled_open DIR/store");
    let db = sled::Config::new()
        .path(&path)
        .cache_capacity(64 << 20)
        .flush_every_ms(Some(1000))
        .open()
        .expect("sled open");
    // Touch every tree the registry opens, as Registry::open does.
    for name in honors::store::trees::NAMES {
        std::hint::black_box(db.open_tree(name).expect("open tree"));
    }
}
