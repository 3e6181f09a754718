//! A bounded load test of `honors serve` on loopback (ignored by default; figures in
//! docs/PERFORMANCE.md). Run it on an optimised build:
//!
//! ```text
//! cargo test --release --test server_load -- --ignored --nocapture
//! ```
//!
//! Durable writes first: C clients each POST W pre-signed award statements, one after
//! another (so up to C statements are in flight and group commit batches them); then reads
//! (award by id over every award, search, tiles) from C client threads for S seconds each. Everything is bounded in count
//! and time, and only 127.0.0.1 is contacted. Afterwards the server is stopped with SIGTERM,
//! `honors audit` must be clean, and every acknowledged award must be in the registry.
//! Knobs (environment): HONORS_LOAD_CLIENTS (16), HONORS_LOAD_WRITES per client (250),
//! HONORS_LOAD_SECONDS per read phase (5), HONORS_LOAD_SERVE_ARGS (extra `honors serve` flags),
//! HONORS_LOAD_DB (an existing `honors demo` registry to load instead of a new demo, e.g. one
//! of `--scale 1000000`; it keeps the awards written).
mod server_support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use server_support::*;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Figures {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    lat: Vec<Duration>,
}

impl Figures {
    fn report(&mut self, what: &str) -> String {
        self.lat.sort();
        let p = |q: f64| {
            self.lat
                .get(((self.lat.len() as f64 * q) as usize).min(self.lat.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        let line = format!(
            "{what}: {} requests ({} errors) in {:.2} s = {:.0} req/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.requests,
            self.errors,
            self.elapsed.as_secs_f64(),
            self.requests as f64 / self.elapsed.as_secs_f64(),
            p(0.50).as_secs_f64() * 1e3,
            p(0.90).as_secs_f64() * 1e3,
            p(0.99).as_secs_f64() * 1e3,
            self.lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );
        eprintln!("{line}");
        line
    }
}

/// `clients` threads GET the URLs (round robin) for `secs` seconds (and at most 2M requests).
fn read_phase(urls: &[String], clients: usize, secs: u64) -> Figures {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let results: Vec<(usize, Vec<Duration>)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..clients)
            .map(|c| {
                sc.spawn(move || {
                    let agent = agent();
                    let (mut errors, mut lat) = (0, Vec::new());
                    let mut i = c;
                    while Instant::now() < deadline && lat.len() < 2_000_000 / clients {
                        let t = Instant::now();
                        let r = get(&agent, &urls[i % urls.len()]);
                        lat.push(t.elapsed());
                        if r.status != 200 {
                            errors += 1;
                        }
                        i += clients;
                    }
                    (errors, lat)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    let errors = results.iter().map(|r| r.0).sum();
    let lat: Vec<Duration> = results.into_iter().flat_map(|r| r.1).collect();
    Figures {
        requests: lat.len(),
        errors,
        elapsed,
        lat,
    }
}

#[test]
#[ignore = "load test: run with --release --ignored --nocapture"]
fn load_on_loopback() {
    let clients = env("HONORS_LOAD_CLIENTS", 16) as usize;
    let writes = env("HONORS_LOAD_WRITES", 250) as usize;
    let secs = env("HONORS_LOAD_SECONDS", 5);
    let tmp = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let demo = match std::env::var_os("HONORS_LOAD_DB") {
        Some(dir) => existing_demo(std::path::Path::new(&dir)),
        None => demo(&tmp.path().join("d"), None),
    };
    eprintln!("demo: {:.1} s", t.elapsed().as_secs_f64());
    // Extra `honors serve` flags, e.g. HONORS_LOAD_SERVE_ARGS="--batch-linger-ms 0".
    let serve_args = std::env::var("HONORS_LOAD_SERVE_ARGS").unwrap_or_default();
    let serve_args: Vec<&str> = serve_args.split_whitespace().collect();
    let s = Server::start(&demo.db, &serve_args);
    let agent = agent();
    let issuer = find_issuer(&agent, &s.url, &demo);
    let mut lines = Vec::new();

    // Durable writes: pre-sign, then every client POSTs its statements one after another.
    let t = Instant::now();
    let signed: Vec<Vec<(String, Vec<u8>)>> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..clients)
            .map(|_| sc.spawn(|| (0..writes).map(|_| issuer.award()).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    eprintln!(
        "signed {} statements in {:.1} s",
        clients * writes,
        t.elapsed().as_secs_f64()
    );
    let before = tree_size(&agent, &s.url);
    let url = format!("{}/api/v1/statements", s.url);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(120);
    let results: Vec<(Vec<String>, usize, Vec<Duration>)> = std::thread::scope(|sc| {
        let hs: Vec<_> = signed
            .iter()
            .map(|mine| {
                let url = url.clone();
                sc.spawn(move || {
                    let agent = server_support::agent();
                    let (mut acked, mut errors, mut lat) = (Vec::new(), 0, Vec::new());
                    for (id, bytes) in mine {
                        if Instant::now() > deadline {
                            break;
                        }
                        let t = Instant::now();
                        let r = post(&agent, &url, bytes);
                        lat.push(t.elapsed());
                        if r.status == 201 {
                            acked.push(id.clone());
                        } else {
                            errors += 1;
                        }
                    }
                    (acked, errors, lat)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = start.elapsed();
    let errors = results.iter().map(|r| r.1).sum();
    let acked: Vec<String> = results.iter().flat_map(|r| r.0.clone()).collect();
    let lat: Vec<Duration> = results.into_iter().flat_map(|r| r.2).collect();
    lines.push(
        Figures {
            requests: lat.len(),
            errors,
            elapsed,
            lat,
        }
        .report("POST /api/v1/statements (durable, group commit)"),
    );
    let after = tree_size(&agent, &s.url);
    assert_eq!(
        after - before,
        acked.len() as u64,
        "every acknowledged statement appended exactly once"
    );

    let awards = get(&agent, &format!("{}/api/v1/awards", s.url)).json();
    let ids: Vec<String> = awards
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    let titles: Vec<String> = awards
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().chars().take(4).collect())
        .filter(|q: &String| !issuer.title.starts_with(q.as_str()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    eprintln!(
        "registry: {} awards, {} entries; {clients} clients",
        ids.len(),
        tree_size(&agent, &s.url)
    );

    // Reads.
    let by_id: Vec<String> = ids
        .iter()
        .map(|id| format!("{}/api/v1/awards/{id}", s.url))
        .collect();
    lines.push(read_phase(&by_id, clients, secs).report("GET /api/v1/awards/{id}"));
    let search: Vec<String> = titles
        .iter()
        .map(|q| format!("{}/api/v1/search?q={}", s.url, enc(q)))
        .collect();
    lines.push(read_phase(&search, clients, secs).report("GET /api/v1/search?q=…"));
    let tiles: Vec<String> = vec![
        format!("{}/log/tile/0/000", s.url),
        format!("{}/log/checkpoint", s.url),
    ];
    lines.push(read_phase(&tiles, clients, secs).report("GET /log/tile/0/000 + /log/checkpoint"));

    let server_log = s.stderr.clone();
    let stopped = s.stop();
    assert_eq!(stopped.code(), Some(0));
    std::thread::sleep(Duration::from_millis(100));
    eprintln!("server: {}", server_log.lock().unwrap().trim());

    // After the run: the registry audits clean and holds every acknowledged award.
    let t = Instant::now();
    let out = honors()
        .arg("--db")
        .arg(&demo.db)
        .args(["--json", "audit"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    eprintln!(
        "audit of {after} entries: clean in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let out = honors()
        .arg("--db")
        .arg(&demo.db)
        .args(["--json", "award", "list", "--holder", &issuer.uscc])
        .output()
        .unwrap();
    let listed: HashSet<String> = serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    for id in &acked {
        assert!(listed.contains(id), "acknowledged award {id} is missing");
    }
    eprintln!("all {} acknowledged awards present", acked.len());
    eprintln!("\n{}", lines.join("\n"));
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
