//! `honors serve` over real HTTP on 127.0.0.1 (an OS-assigned port), `honors log export` and
//! `honors audit --from DIR_OR_URL`, with a demo registry as fixture and statements signed
//! in-process with the demo's keys. Independent implementations (`signed_note`, `tlog_tiles`,
//! `ct-merkle`) check the served checkpoint and the inclusion proofs.
mod server_support;
mod tlog_support;

use std::collections::HashSet;

use server_support::*;
use tlog_support::independent::*;

fn api(s: &Server, path: &str) -> String {
    format!("{}/api/v1{path}", s.url)
}

/// The entry bytes at `index`, read from the served entry bundle of the tree of `size`.
fn served_entry(agent: &ureq::Agent, s: &Server, index: u64, size: u64) -> Vec<u8> {
    let n = index / 256;
    let width = (size - n * 256).min(256) as u16;
    let tile = honors::tlog::Tile::new(0, n, width).unwrap();
    let r = get(agent, &format!("{}/log/{}", s.url, tile.entries_path()));
    assert_eq!(r.status, 200);
    honors::tlog::decode_entry_bundle(&r.body)
        .unwrap()
        .swap_remove((index % 256) as usize)
}

#[test]
fn submit_read_and_verify_independently() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), None);
    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    let issuer = find_issuer(&agent, &s.url, &demo);
    let vkey = log_vkey(&agent, &s.url);

    // A new award: 201, answered once durable, with an inclusion proof and the checkpoint.
    let before = tree_size(&agent, &s.url);
    let (id, bytes) = issuer.award();
    let r = post(&agent, &api(&s, "/statements"), &bytes);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.cors, "*");
    let v = r.json();
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["kind"], "award");
    assert_eq!(v["duplicate"], false);
    let (index, size) = (
        v["index"].as_u64().unwrap(),
        v["tree_size"].as_u64().unwrap(),
    );
    assert_eq!(index, before);
    assert_eq!(size, before + 1);

    // The checkpoint is signed by the log key (signed_note) and parses (tlog_tiles); the
    // inclusion proof checks with tlog_tiles and ct-merkle against the served entry.
    let note = v["checkpoint"].as_str().unwrap();
    let names = signed_note_open(note.as_bytes(), &[&vkey]).unwrap();
    assert_eq!(names.len(), 1);
    let body = note.split_once("\n\n").unwrap().0.to_string() + "\n";
    let (_, cp_size, root) = tlog_tiles_parse_checkpoint(body.as_bytes()).unwrap();
    assert_eq!(cp_size, size);
    let proof: Vec<[u8; 32]> = v["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hash32(h.as_str().unwrap()))
        .collect();
    let entry = served_entry(&agent, &s, index, size);
    assert_eq!(
        tlog_tiles_leaf_hash(&entry),
        hash32(v["leaf_hash"].as_str().unwrap())
    );
    independent_check_inclusion(index, size, &entry, &proof, &root).unwrap();
    assert!(
        entry.ends_with(&bytes),
        "the entry holds the exact signed bytes"
    );
    // The served /log/checkpoint is the same kind of note and verifies too.
    let served = get(&agent, &format!("{}/log/checkpoint", s.url));
    assert_eq!(served.status, 200);
    assert!(served.content_type.starts_with("text/plain"));
    signed_note_open(&served.body, &[&vkey]).unwrap();

    // The same bytes again: 200, same index, nothing appended.
    let again = post(&agent, &api(&s, "/statements"), &bytes);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["duplicate"], true);
    assert_eq!(again.json()["index"], index);
    assert_eq!(again.json()["time"], v["time"]);
    assert_eq!(tree_size(&agent, &s.url), size);

    // Reads: the award with its history, its exact credential, the holder, search in both scripts.
    let a = get(&agent, &api(&s, &format!("/awards/{id}")));
    assert_eq!(a.status, 200);
    let a = a.json();
    assert_eq!(a["award"]["status"], "valid");
    assert_eq!(a["award"]["index"], index);
    assert_eq!(a["history"][0]["event"], "issued");
    let bare = id.trim_start_matches("urn:uuid:");
    assert_eq!(
        get(&agent, &api(&s, &format!("/awards/{bare}"))).json()["award"]["id"],
        id.as_str()
    );
    let cred = get(&agent, &api(&s, &format!("/awards/{id}/credential")));
    assert_eq!(cred.status, 200);
    assert_eq!(
        cred.body, bytes,
        "the credential is served byte for byte as signed"
    );
    let vc = get(&agent, &api(&s, &format!("/awards/{id}/proof?format=vc")));
    assert_eq!(vc.body, bytes);
    assert_eq!(
        get(&agent, &api(&s, &format!("/awards/{id}/proof?format=nope"))).status,
        400
    );
    assert_eq!(
        get(&agent, &api(&s, &format!("/awards/{id}/history"))).json()[0]["index"],
        index
    );
    let held = get(
        &agent,
        &api(&s, &format!("/holders/{}/awards", issuer.uscc)),
    )
    .json();
    assert!(held
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == id.as_str()));
    assert_eq!(
        get(&agent, &api(&s, &format!("/holders/{}", issuer.uscc))).json()["type"],
        "holder"
    );
    let trad = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::S2t)
        .unwrap()
        .convert(&issuer.title);
    for q in [issuer.title.clone(), trad] {
        let found = get(
            &agent,
            &format!("{}?q={}", api(&s, "/search"), urlencode(&q)),
        )
        .json();
        assert!(
            found
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == id.as_str()),
            "search {q}"
        );
    }
    let roots = get(&agent, &api(&s, "/trust-roots")).json();
    assert_eq!(roots["log"][0]["vkey"], vkey.as_str());
    let incl = get(
        &agent,
        &format!("{}?index={index}&size={size}", api(&s, "/log/inclusion")),
    )
    .json();
    assert_eq!(incl["hashes"], v["inclusion_proof"]);
    assert!(
        get(&agent, &api(&s, "/authorities"))
            .json()
            .as_array()
            .unwrap()
            .len()
            > 1
    );
    assert!(!get(&agent, &api(&s, "/schemes"))
        .json()
        .as_array()
        .unwrap()
        .is_empty());

    // Unknown things: 404 with a JSON error; bad input: 400.
    let missing = get(
        &agent,
        &api(&s, "/awards/urn:uuid:0192aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa"),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["kind"], "not_found");
    assert_eq!(
        get(&agent, &api(&s, "/holders/123703004531791970/awards")).status,
        400,
        "wrong USCC check character"
    );
    assert_eq!(get(&agent, &api(&s, "/search")).status, 400);
    assert_eq!(get(&agent, &format!("{}/nowhere", s.url)).status, 404);
    assert_eq!(
        get(&agent, &format!("{}/log/tile/0/999", s.url)).status,
        404
    );
    assert_eq!(
        get(&agent, &format!("{}/log/tile/0/0", s.url)).status,
        404,
        "non-canonical path"
    );
    assert_eq!(s.stop().code(), Some(0));
}

fn urlencode(s: &str) -> String {
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

#[test]
fn refused_statements_append_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), None);
    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    let issuer = find_issuer(&agent, &s.url, &demo);
    let before = get(&agent, &format!("{}/log/checkpoint", s.url)).body;
    let size = tree_size(&agent, &s.url);
    let url = api(&s, "/statements");
    let refused = |body: &[u8], status: u16, kind: &str, what: &str| {
        let r = post(&agent, &url, body);
        assert_eq!(
            r.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let e = r.json();
        assert_eq!(e["error"]["kind"], kind, "{what}");
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    };

    // A bad signature: the signed bytes altered after signing.
    let (_, bytes) = issuer.award();
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace("server test", "server tesT");
    refused(text.as_bytes(), 403, "refused", "altered after signing");
    // A well-signed statement by a key that no authority holds.
    let stranger = honors::keyfile::generate_signing_key().unwrap();
    let (_, bytes) = issuer.award_signed_by(&stranger);
    refused(&bytes, 403, "refused", "unaccredited signer");
    // Malformed: not JSON, JSON without a proof, empty.
    refused(b"{not json", 400, "input", "not JSON");
    refused(
        br#"{"type":["VerifiableCredential"]}"#,
        400,
        "input",
        "no proof",
    );
    refused(b"", 400, "input", "empty body");
    // Too large: over the statement limit, and over the body limit.
    let (_, bytes) = issuer.award();
    let mut big = bytes.clone();
    big.splice(
        1..1,
        format!("\"pad\":\"{}\",", "x".repeat(61_000)).into_bytes(),
    );
    refused(&big, 413, "too_large", "over 60,000 bytes");
    refused(
        &vec![b' '; 70 * 1024],
        413,
        "too_large",
        "over the body limit",
    );

    assert_eq!(tree_size(&agent, &s.url), size, "nothing was appended");
    assert_eq!(
        get(&agent, &format!("{}/log/checkpoint", s.url)).body,
        before,
        "the checkpoint is unchanged"
    );
    // The good statement is still accepted afterwards.
    assert_eq!(post(&agent, &url, &bytes).status, 201);
    assert_eq!(s.stop().code(), Some(0));
}

/// Tiles served by `honors serve` and written by `honors log export` are byte-identical; both
/// audit clean with `audit --from`; an edited byte in an entry bundle or a hash tile is found
/// at the right entry index.
#[test]
fn served_and_exported_tiles_agree_and_audit() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), None);
    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    let issuer = find_issuer(&agent, &s.url, &demo);
    // Grow the log past one full tile (the demo holds about 200 entries), concurrently.
    let target = 300;
    let need = target - tree_size(&agent, &s.url);
    std::thread::scope(|sc| {
        for t in 0..4 {
            let (issuer, url) = (issuer.clone(), api(&s, "/statements"));
            sc.spawn(move || {
                let agent = server_support::agent();
                for _ in (t..need).step_by(4) {
                    let (_, b) = issuer.award();
                    assert_eq!(post(&agent, &url, &b).status, 201);
                }
            });
        }
    });
    let size = tree_size(&agent, &s.url);
    assert_eq!(size, target);
    let tiles = honors::tlog::tiles_for_size(size);
    assert!(tiles.iter().any(|t| t.is_full()) && tiles.iter().any(|t| t.level == 1));
    let mut served = Vec::new();
    for t in &tiles {
        let mut paths = vec![t.path()];
        if t.level == 0 {
            paths.push(t.entries_path());
        }
        for p in paths {
            let r = get(&agent, &format!("{}/log/{p}", s.url));
            assert_eq!(r.status, 200, "{p}");
            assert_eq!(r.content_type, "application/octet-stream");
            let immutable = r.cache_control.contains("immutable");
            assert_eq!(immutable, t.is_full(), "{p}: {}", r.cache_control);
            served.push((p, r.body));
        }
    }
    let served_checkpoint = get(&agent, &format!("{}/log/checkpoint", s.url)).body;

    // audit --from the served URL: clean.
    let trust = demo.trust.to_str().unwrap();
    let out = honors()
        .args([
            "--json",
            "audit",
            "--from",
            &format!("{}/log/", s.url),
            "--trust",
            trust,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["entries"], size);
    assert_eq!(report["tree_size"], size);
    // A checked copy of the served log, made while the server holds the store.
    let mirror = tmp.path().join("mirror");
    let out = honors()
        .args(["--json", "log", "export"])
        .arg(&mirror)
        .args(["--from", &format!("{}/log/", s.url), "--trust", trust])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.stop().code(), Some(0));

    // Export: the same bytes, file for file.
    let exp = tmp.path().join("export");
    let out = honors()
        .arg("--db")
        .arg(&demo.db)
        .args(["--json", "log", "export"])
        .arg(&exp)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (p, body) in &served {
        assert_eq!(
            &std::fs::read(exp.join(p)).unwrap(),
            body,
            "{p} differs between serve and export"
        );
    }
    assert_eq!(
        std::fs::read(exp.join("checkpoint")).unwrap(),
        served_checkpoint
    );
    assert_eq!(
        files(&mirror),
        files(&exp),
        "the copy of the served log equals the export"
    );
    let audit = |dir: &std::path::Path| {
        let out = honors()
            .args(["--json", "audit", "--trust", trust, "--from"])
            .arg(dir)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), v)
    };
    let (code, v) = audit(&exp);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    // The registry itself audits clean with the server's writes in it.
    let out = honors()
        .arg("--db")
        .arg(&demo.db)
        .args(["audit"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let indexes = |v: &serde_json::Value| -> HashSet<u64> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["index"].as_u64())
            .collect()
    };
    // One byte of entry 270 (in the partial bundle), inside its statement.
    let bundle_path = exp.join(
        honors::tlog::Tile::new(0, 1, (size - 256) as u16)
            .unwrap()
            .entries_path(),
    );
    let original = std::fs::read(&bundle_path).unwrap();
    let mut off = 0;
    for _ in 256..270 {
        off += 2 + u16::from_be_bytes([original[off], original[off + 1]]) as usize;
    }
    let len = u16::from_be_bytes([original[off], original[off + 1]]) as usize;
    let mut edited = original.clone();
    let at = off + 2 + len - 40;
    edited[at] = if edited[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&bundle_path, &edited).unwrap();
    let (code, v) = audit(&exp);
    assert_eq!(code, Some(1), "{v}");
    assert!(indexes(&v).contains(&270), "{v}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["index"] == 270 && f["check"] == "entry"),
        "{v}"
    );
    // A copy refuses the altered log and writes nothing.
    let copy = tmp.path().join("copy");
    let out = honors()
        .args(["log", "export"])
        .arg(&copy)
        .arg("--from")
        .arg(&exp)
        .args(["--trust", trust])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!copy.join("checkpoint").exists());
    std::fs::write(&bundle_path, &original).unwrap();
    assert_eq!(audit(&exp).0, Some(0));

    // One byte of the hash of leaf 37 in the full level-0 tile.
    let tile_path = exp.join("tile/0/000");
    let original = std::fs::read(&tile_path).unwrap();
    let mut edited = original.clone();
    edited[37 * 32 + 5] ^= 0x01;
    std::fs::write(&tile_path, &edited).unwrap();
    let (code, v) = audit(&exp);
    assert_eq!(code, Some(1), "{v}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["index"] == 37 && f["check"] == "tile"),
        "{v}"
    );
    std::fs::write(&tile_path, &original).unwrap();

    // A missing bundle is named too.
    std::fs::remove_file(&bundle_path).unwrap();
    let (code, v) = audit(&exp);
    assert_eq!(code, Some(1), "{v}");
    assert!(indexes(&v).contains(&256), "{v}");

    // Exporting again restores the missing file and leaves the others alone.
    let out = honors()
        .arg("--db")
        .arg(&demo.db)
        .args(["--json", "log", "export"])
        .arg(&exp)
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["written"], 1, "{r}");
    assert_eq!(audit(&exp).0, Some(0));
}

/// Every file under `dir`, with its bytes.
fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// SIGTERM while writes are in flight: exit 0; every acknowledged write is in the registry
/// after reopening, which audits clean.
#[test]
fn graceful_shutdown_keeps_acknowledged_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), None);
    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    let issuer = find_issuer(&agent, &s.url, &demo);
    let url = api(&s, "/statements");
    let acked = std::sync::Mutex::new(Vec::new());
    let first = std::sync::Barrier::new(2);
    let status = std::thread::scope(|sc| {
        for t in 0..8 {
            let (issuer, url, acked) = (issuer.clone(), url.clone(), &acked);
            let first = if t == 0 { Some(&first) } else { None };
            sc.spawn(move || {
                let agent = server_support::agent();
                let mut signalled = false;
                for _ in 0..200 {
                    let (id, b) = issuer.award();
                    match try_post(&agent, &url, &b) {
                        Ok(r) if r.status == 201 => acked
                            .lock()
                            .unwrap()
                            .push((id, r.json()["index"].as_u64().unwrap())),
                        Ok(r) => {
                            assert_eq!(r.status, 503, "{}", String::from_utf8_lossy(&r.body));
                            assert_eq!(r.json()["error"]["kind"], "unavailable");
                            break;
                        }
                        Err(_) => break,
                    }
                    if let (Some(b), false) = (first, signalled) {
                        b.wait();
                        signalled = true;
                    }
                }
            });
        }
        first.wait();
        std::thread::sleep(std::time::Duration::from_millis(50));
        s.stop()
    });
    assert_eq!(status.code(), Some(0));
    let acked = acked.into_inner().unwrap();
    assert!(!acked.is_empty());
    eprintln!(
        "{} writes acknowledged before and during shutdown",
        acked.len()
    );
    let total = honors()
        .arg("--db")
        .arg(&demo.db)
        .args(["--json", "log", "checkpoint"])
        .output()
        .unwrap();
    let size = serde_json::from_slice::<serde_json::Value>(&total.stdout).unwrap()["tree_size"]
        .as_u64()
        .unwrap();
    for (id, index) in &acked {
        assert!(*index < size);
        let out = honors()
            .arg("--db")
            .arg(&demo.db)
            .args(["--json", "show", id])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "acknowledged award {id} missing after restart"
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["award"]["index"], *index);
    }
    let out = honors()
        .arg("--db")
        .arg(&demo.db)
        .arg("audit")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `--registry URL`: write commands sign locally and submit to the server (no --db).
#[test]
fn cli_writes_through_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), None);
    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    let issuer = find_issuer(&agent, &s.url, &demo);
    let key = demo
        .keys
        .iter()
        .find(|k| k.authority == issuer.name)
        .unwrap();
    let run = |args: &[&str]| {
        let out = honors()
            .env_remove("HONORS_DB")
            .args(["--json", "--registry", &s.url])
            .args(args)
            .arg("--key")
            .arg(&key.key_file)
            .arg("--passphrase-file")
            .arg(&key.passphrase_file)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let before = tree_size(&agent, &s.url);
    let (code, out, err) = run(&[
        "award",
        "issue",
        "--holder",
        &issuer.uscc,
        "--scheme",
        &issuer.scheme,
        "--year",
        "2026",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(v["index"], before);
    assert_eq!(
        get(&agent, &api(&s, &format!("/awards/{id}"))).json()["award"]["status"],
        "valid"
    );

    let (code, _, err) = run(&["award", "suspend", &id, "--reason", "限期整改"]);
    assert_eq!(code, Some(0), "{err}");
    let a = get(&agent, &api(&s, &format!("/awards/{id}"))).json();
    assert_eq!(a["award"]["status"], "suspended", "{a}");
    assert_eq!(a["history"][1]["event"], "suspend");

    // Refusals come back with the server's reason and exit code; unknown ids are input errors.
    let (code, _, err) = run(&[
        "award",
        "issue",
        "--holder",
        &issuer.uscc,
        "--scheme",
        "urn:uuid:0192aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no scheme"), "{err}");
    let (code, _, err) = run(&[
        "award",
        "revoke",
        "urn:uuid:0192aaaa-aaaa-7aaa-8aaa-aaaaaaaaaaaa",
        "--reason",
        "x",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(tree_size(&agent, &s.url), before + 2);
    assert_eq!(s.stop().code(), Some(0));
}

/// `GET /api/v1/awards` is bounded like search: 200 awards unless `?limit=` (1–5000) says
/// otherwise, the first ones in log order, with the number of matches in `X-Total-Count`
/// (a registry of a million awards must not answer one request with all of them).
#[test]
fn award_listings_are_paged_with_a_total_count() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), Some(300));
    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    let all = get(&agent, &api(&s, "/awards?limit=5000"));
    assert_eq!(all.status, 200);
    let all = all.json();
    let all = all.as_array().unwrap();
    assert!(
        all.len() > 300,
        "the demo has its own awards and 300 generated"
    );
    let indexes: Vec<u64> = all.iter().map(|a| a["index"].as_u64().unwrap()).collect();
    assert!(indexes.windows(2).all(|w| w[0] < w[1]), "log order");

    let page = get(&agent, &api(&s, "/awards"));
    assert_eq!(page.total_count, all.len().to_string());
    assert_eq!(
        page.json().as_array().unwrap()[..],
        all[..200],
        "200 by default"
    );
    let page = get(&agent, &api(&s, "/awards?limit=7"));
    assert_eq!(page.total_count, all.len().to_string());
    assert_eq!(page.json().as_array().unwrap()[..], all[..7]);

    // A status filter counts only the awards with that status.
    let valid: Vec<&serde_json::Value> = all.iter().filter(|a| a["status"] == "valid").collect();
    let page = get(&agent, &api(&s, "/awards?status=valid&limit=3"));
    assert_eq!(page.total_count, valid.len().to_string());
    let got = page.json();
    assert_eq!(
        got.as_array().unwrap().iter().collect::<Vec<_>>(),
        valid[..3]
    );

    for bad in ["0", "5001", "ten", "-1"] {
        let r = get(&agent, &api(&s, &format!("/awards?limit={bad}")));
        assert_eq!(r.status, 400, "limit={bad}");
        assert!(
            String::from_utf8_lossy(&r.body).contains("limit must be a number from 1 to 5000"),
            "{}",
            String::from_utf8_lossy(&r.body)
        );
    }
}

/// Follows a search's `Link: <…>; rel="next"` pages from `first` to the end: the ids in walk
/// order, and the first page's `X-Total-Count`.
fn search_all_pages(agent: &ureq::Agent, s: &Server, first: &str) -> (Vec<String>, String) {
    let mut url = api(s, first);
    let mut ids = Vec::new();
    let mut total = None;
    for _ in 0..1000 {
        let r = get(agent, &url);
        assert_eq!(r.status, 200, "{url}: {}", String::from_utf8_lossy(&r.body));
        total.get_or_insert(r.total_count.clone());
        assert_eq!(
            r.total_count,
            *total.as_ref().unwrap(),
            "every page has the same total"
        );
        ids.extend(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string()),
        );
        if r.link.is_empty() {
            return (ids, total.unwrap());
        }
        let next = r
            .link
            .strip_prefix('<')
            .and_then(|l| l.split_once(">; rel=\"next\""))
            .unwrap_or_else(|| panic!("not a next link: {}", r.link))
            .0;
        url = format!("{}{next}", s.url);
    }
    panic!("more than 1000 pages from {first}");
}

/// The server searches its in-memory index; `honors search` reads the store. Both must find
/// the same awards, the same first page, and (below the count cap) the same exact total; the
/// server's pages, followed by their `Link` headers, list every match once. Queries cover
/// titles only (心血管), holder names only (人民医院), both at once (医院: 三级甲等医院 and every
/// hospital) and traditional characters. An award logged through the server is found at once.
#[test]
fn search_pages_agree_with_the_store_and_list_every_match_once() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = demo(&tmp.path().join("d"), Some(300));
    let queries = [
        "心血管",
        "人民医院",
        "医院",
        "三級甲等",
        "文明单位",
        "没有这种荣誉",
    ];
    let cli = |args: &[&str]| -> Vec<String> {
        let out = honors()
            .args(["--db", demo.db.to_str().unwrap(), "--json", "search"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    let stored: Vec<(Vec<String>, Vec<String>)> = queries
        .iter()
        .map(|q| (cli(&[q]), cli(&[q, "--limit", "7"])))
        .collect();
    assert!(
        stored[2].0.len() > stored[1].0.len() + 7,
        "医院 matches titles and names"
    );

    let s = Server::start(&demo.db, &[]);
    let agent = agent();
    for (q, (all, first)) in queries.iter().zip(&stored) {
        let (paged, total) =
            search_all_pages(&agent, &s, &format!("/search?q={}&limit=7", urlencode(q)));
        let unique: HashSet<&String> = paged.iter().collect();
        assert_eq!(unique.len(), paged.len(), "{q}: an award listed twice");
        assert_eq!(
            unique,
            all.iter().collect::<HashSet<_>>(),
            "{q}: the store's matches"
        );
        assert_eq!(total, all.len().to_string(), "{q}: exact total");
        let page = get(
            &agent,
            &api(&s, &format!("/search?q={}&limit=7", urlencode(q))),
        );
        let page: Vec<String> = page
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            &page, first,
            "{q}: the same first page as `honors search --limit 7`"
        );
    }

    // A cursor this registry never gave is refused with a way out.
    let bad = get(
        &agent,
        &api(&s, "/search?q=%E5%8C%BB%E9%99%A2&after=bm90LWEtY3Vyc29y"),
    );
    assert_eq!(bad.status, 400);
    assert!(String::from_utf8_lossy(&bad.body).contains("previous page's Link header"));

    // A new award is found by its title at once, and counted.
    let issuer = find_issuer(&agent, &s.url, &demo);
    let title = issuer.title.clone();
    let q = format!("/search?q={}&limit=5000", urlencode(&title));
    let before = get(&agent, &api(&s, &q));
    let (id, bytes) = issuer.award();
    assert_eq!(post(&agent, &api(&s, "/statements"), &bytes).status, 201);
    let after = get(&agent, &api(&s, &q));
    assert_eq!(
        after.total_count.parse::<usize>().unwrap(),
        before.total_count.parse::<usize>().unwrap() + 1
    );
    assert!(after
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id.as_str()));
    assert_eq!(s.stop().code(), Some(0));
}
