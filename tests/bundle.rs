//! Proof bundles and compact codes end to end (GitHub issue 4): every verdict, offline.
//!
//! Each verification runs `honors verify` in a directory holding nothing but the bundle and the
//! trust roots (no registry, no network). Registries come from `honors demo`.

mod common_bundle;
#[path = "tlog_support/independent.rs"]
#[allow(dead_code)]
mod independent;

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use common_bundle::*;
use serde_json::Value;

/// One demo registry shared by the tests that only read it; registry commands on it take the
/// lock (sled admits one process at a time).
struct Shared {
    demo: Demo,
    lock: Mutex<()>,
}

fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| Shared {
        demo: Demo::new(),
        lock: Mutex::new(()),
    })
}

impl Shared {
    fn with<T>(&self, f: impl FnOnce(&Demo) -> T) -> T {
        let _g = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        f(&self.demo)
    }

    /// A valid award with an end date, and its bundle.
    fn valid_bundle(&self) -> (Value, Vec<u8>) {
        static B: OnceLock<(Value, Vec<u8>)> = OnceLock::new();
        B.get_or_init(|| {
            self.with(|d| {
                let a = d.award_where("valid", |a| !a["valid_until"].is_null());
                let b = d.bundle(a["id"].as_str().unwrap());
                (a, b)
            })
        })
        .clone()
    }
}

fn assert_verdict(got: &(i32, Value), verdict: &str) {
    let (code, v) = got;
    assert_eq!(v["verdict"], verdict, "verdict: {v:#}");
    assert_eq!(
        *code,
        if verdict == "valid" { 0 } else { 1 },
        "exit code for {verdict}: {v:#}"
    );
    assert!(
        v["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "a reason: {v:#}"
    );
    assert!(
        v["checks"].as_array().is_some_and(|c| !c.is_empty()),
        "a list of checks: {v:#}"
    );
}

#[test]
fn valid_bundle_verifies_with_nothing_but_the_trust_roots() {
    let s = shared();
    let (award, bundle) = s.valid_bundle();
    let got = verify_bundle_alone(&bundle, &s.demo.trust, &[]);
    assert_verdict(&got, "valid");
    let v = &got.1;
    let checks: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        [
            "bundle",
            "checkpoint",
            "inclusion",
            "signatures",
            "award",
            "replay",
            "chain",
            "status"
        ]
    );
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["ok"] == true));
    assert_eq!(v["award_id"], award["id"]);
    let size = v["as_of_tree_size"].as_u64().expect("as of checkpoint N");
    assert!(size > award["index"].as_u64().unwrap());
    assert!(
        v["checks"][6]["detail"]
            .as_str()
            .unwrap()
            .contains("(root in the trust roots)"),
        "chain ends at a root: {v:#}"
    );
    // The human form says "as of checkpoint N".
    let dir = bare_dir(&[
        ("b.json", &bundle),
        ("t.toml", &std::fs::read(&s.demo.trust).unwrap()),
    ]);
    let out = honors()
        .current_dir(dir.path())
        .args(["verify", "b.json", "--trust", "t.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("as of checkpoint {size}")));
    // The bundle carries the issuer's accreditation chain up to a root.
    let b = json(&bundle);
    assert_eq!(b["format"], "honors-bundle/v1");
    let types: Vec<String> = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(type_of)
        .collect();
    for t in [
        "HonorsSchemeDefinition",
        "HonorsHolderRegistration",
        "OpenBadgeCredential",
    ] {
        assert!(
            types.iter().any(|x| x == t),
            "bundle lacks a {t}: {types:?}"
        );
    }
}

#[test]
fn validity_dates_give_expired_and_not_yet_valid() {
    let s = shared();
    let (award, bundle) = s.valid_bundle();
    let until = award["valid_until"].as_str().unwrap();
    let after: jiff::civil::Date = until.parse().unwrap();
    let after = after
        .checked_add(jiff::Span::new().days(1))
        .unwrap()
        .to_string();
    let got = verify_bundle_alone(&bundle, &s.demo.trust, &["--at", &after]);
    assert_verdict(&got, "expired");
    assert!(got.1["reason"].as_str().unwrap().contains(until));
    let got = verify_bundle_alone(&bundle, &s.demo.trust, &["--at", "1999-01-01"]);
    assert_verdict(&got, "not_yet_valid");
    let got = verify_bundle_alone(
        &bundle,
        &s.demo.trust,
        &["--at", award["valid_from"].as_str().unwrap()],
    );
    assert_verdict(&got, "valid");
}

#[test]
fn suspended_and_revoked_awards_carry_their_status_statements() {
    let s = shared();
    for status in ["suspended", "revoked"] {
        let bundle = s.with(|d| d.bundle(d.award_where(status, |_| true)["id"].as_str().unwrap()));
        let types: Vec<String> = json(&bundle)["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(type_of)
            .collect();
        assert!(
            types.iter().any(|t| t == "HonorsStatusChange"),
            "{status} bundle lacks the status change: {types:?}"
        );
        let got = verify_bundle_alone(&bundle, &s.demo.trust, &[]);
        assert_verdict(&got, status);
    }
}

#[test]
fn a_corrected_award_is_superseded() {
    let d = Demo::new();
    let a = d.award_where("valid", |a| a["issuer"] != "河南省卫生健康委员会");
    let id = a["id"].as_str().unwrap();
    let (key, pass) = d.key_of(a["issuer_id"].as_str().unwrap());
    let out: Value = serde_json::from_str(&d.ok(&[
        "award",
        "correct",
        id,
        "--reason",
        "更正证书信息",
        "--key",
        &key,
        "--passphrase-file",
        &pass,
        "--json",
    ]))
    .unwrap();
    let new_id = out["id"].as_str().unwrap().to_string();
    let bundle = d.bundle(id);
    let got = verify_bundle_alone(&bundle, &d.trust, &[]);
    assert_verdict(&got, "superseded");
    assert!(
        got.1["reason"].as_str().unwrap().contains(&new_id),
        "names the new award: {:#}",
        got.1
    );
    assert_verdict(
        &verify_bundle_alone(&d.bundle(&new_id), &d.trust, &[]),
        "valid",
    );
}

#[test]
fn a_key_revoked_before_the_award_was_logged_voids_it_and_one_revoked_after_does_not() {
    let d = Demo::new();
    let authorities = d.authorities();
    let authority = |id: &str| authorities.iter().find(|x| x["id"] == id).cloned().unwrap();
    // Awards of accredited (non-root) authorities with one key, two different issuers.
    let candidates: Vec<Value> = d
        .awards()
        .into_iter()
        .filter(|a| a["status"] == "valid")
        .filter(|a| {
            let au = authority(a["issuer_id"].as_str().unwrap());
            !au["parent"].is_null()
                && au["successor"].is_null()
                && au["keys"].as_array().unwrap().len() == 1
        })
        .collect();
    let first = candidates[0].clone();
    let second = candidates
        .iter()
        .find(|a| a["issuer_id"] != first["issuer_id"])
        .expect("two issuers")
        .clone();
    let revoke = |award: &Value, compromised_at: &str| {
        let au = authority(award["issuer_id"].as_str().unwrap());
        let did = d.credential(award["id"].as_str().unwrap())["issuer"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (key, pass) = d.key_of(au["parent"].as_str().unwrap());
        d.ok(&[
            "authority",
            "revoke-key",
            "--did",
            &did,
            "--compromised-at",
            compromised_at,
            "--reason",
            "测试：密钥泄露",
            "--key",
            &key,
            "--passphrase-file",
            &pass,
        ]);
    };
    // Compromised since 2020: the award was logged (today) after that.
    revoke(&first, "2020-01-01");
    let bundle = d.bundle(first["id"].as_str().unwrap());
    let types: Vec<String> = json(&bundle)["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(type_of)
        .collect();
    assert!(
        types.iter().any(|t| t == "HonorsKeyRevocation"),
        "the revocation is carried: {types:?}"
    );
    let got = verify_bundle_alone(&bundle, &d.trust, &[]);
    assert_verdict(&got, "invalid");
    assert!(
        got.1["reason"].as_str().unwrap().contains("compromised"),
        "{:#}",
        got.1
    );
    // Compromised from a date after the award was logged: the award stands.
    let later = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(2))
        .unwrap()
        .to_string();
    revoke(&second, &later);
    let got = verify_bundle_alone(&d.bundle(second["id"].as_str().unwrap()), &d.trust, &[]);
    assert_verdict(&got, "valid");
    assert!(
        got.1["checks"][6]["detail"]
            .as_str()
            .unwrap()
            .contains("after the award was logged"),
        "{:#}",
        got.1
    );
}

/// Entries of a bundle other than the award, by statement type.
fn index_of_type(b: &Value, t: &str) -> Vec<usize> {
    b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, e)| type_of(e) == t)
        .map(|(i, _)| i)
        .collect()
}

/// The entry that accredited the award's issuer (its key is the award's issuer.id).
fn issuer_accreditation(b: &Value) -> usize {
    let entries = b["entries"].as_array().unwrap();
    let award = entries
        .iter()
        .map(statement_of)
        .find(|s| s["id"] == b["award"])
        .unwrap();
    let did = award["issuer"]["id"].as_str().unwrap();
    entries
        .iter()
        .position(|e| {
            type_of(e) == "HonorsAccreditation"
                && statement_of(e)["credentialSubject"]
                    .to_string()
                    .contains(did)
        })
        .expect("the issuer's accreditation is in the bundle")
}

#[test]
fn an_issuer_whose_accreditation_is_removed_or_replaced_is_not_entitled() {
    let s = shared();
    let (a, bundle) = s.with(|d| {
        let a = d.award_where("valid", |a| a["issuer"] == "淄博市卫生健康委员会");
        let b = d.bundle(a["id"].as_str().unwrap());
        (a, b)
    });
    let b = json(&bundle);
    let accr = issuer_accreditation(&b);
    // Removed.
    let mut removed = b.clone();
    removed["entries"].as_array_mut().unwrap().remove(accr);
    let got = verify_bundle_alone(&bytes(&removed), &s.demo.trust, &[]);
    assert_verdict(&got, "invalid");
    assert_eq!(failed_check(&got.1), "replay", "{:#}", got.1);
    // The issuer's first statement in the bundle (its own scheme, or the award) fails: its key
    // belongs to no authority.
    assert!(
        got.1["reason"]
            .as_str()
            .unwrap()
            .contains("belongs to no authority"),
        "{:#}",
        got.1
    );
    // Replaced by another authority's accreditation from the same log (with a valid proof).
    let have: Vec<Value> = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].clone())
        .collect();
    let other_accr = s.with(|d| {
        let accredited: Vec<Value> = d
            .authorities()
            .into_iter()
            .filter(|x| !x["parent"].is_null())
            .map(|x| x["id"].clone())
            .collect();
        d.awards()
            .iter()
            .filter(|x| {
                x["status"] == "valid"
                    && x["issuer_id"] != a["issuer_id"]
                    && accredited.contains(&x["issuer_id"])
            })
            .map(|x| json(&d.bundle(x["id"].as_str().unwrap())))
            .map(|o| o["entries"][issuer_accreditation(&o)].clone())
            .find(|e| !have.contains(&e["index"]))
            .expect("another authority's accreditation")
    });
    let mut replaced = b.clone();
    let entries = replaced["entries"].as_array_mut().unwrap();
    entries.remove(accr);
    entries.push(other_accr);
    entries.sort_by_key(|e| e["index"].as_u64());
    let got = verify_bundle_alone(&bytes(&replaced), &s.demo.trust, &[]);
    assert_verdict(&got, "invalid");
    assert_eq!(failed_check(&got.1), "replay", "{:#}", got.1);
}

#[test]
fn a_removed_chain_statement_makes_the_bundle_invalid() {
    let s = shared();
    let (_, bundle) = s.valid_bundle();
    for t in ["HonorsSchemeDefinition", "HonorsHolderRegistration"] {
        let mut b = json(&bundle);
        let i = index_of_type(&b, t)[0];
        b["entries"].as_array_mut().unwrap().remove(i);
        let got = verify_bundle_alone(&bytes(&b), &s.demo.trust, &[]);
        assert_verdict(&got, "invalid");
        assert_eq!(
            failed_check(&got.1),
            "replay",
            "without the {t}: {:#}",
            got.1
        );
    }
}

#[test]
fn a_checkpoint_signed_by_an_unknown_key_is_invalid() {
    let s = shared();
    let (_, bundle) = s.valid_bundle();
    // Another registry's log key in place of the demo's.
    let other = tempfile::TempDir::new().unwrap();
    let db = other.path().join("reg");
    honors()
        .env("HONORS_LOG_PASSPHRASE", "another-log")
        .args([
            "--db",
            db.to_str().unwrap(),
            "init",
            "--origin",
            "demo.honors.example/registry",
        ])
        .assert()
        .success();
    let theirs = std::fs::read_to_string(db.join("trust-roots.toml")).unwrap();
    let their_log = &theirs[theirs.find("[[log]]").unwrap()..];
    let ours = std::fs::read_to_string(&s.demo.trust).unwrap();
    let mixed = format!("{}{their_log}", &ours[..ours.find("[[log]]").unwrap()]);
    let dir = bare_dir(&[("b.json", &bundle), ("t.toml", mixed.as_bytes())]);
    let got = verify_in(dir.path(), "b.json", "t.toml", &[]);
    assert_verdict(&got, "invalid");
    assert_eq!(failed_check(&got.1), "checkpoint", "{:#}", got.1);
}

#[test]
fn an_edited_inclusion_proof_is_invalid() {
    let s = shared();
    let (_, bundle) = s.valid_bundle();
    let mut b = json(&bundle);
    let last = b["entries"].as_array().unwrap().len() - 1;
    b["entries"][last]["proof"][0] =
        Value::String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
    let got = verify_bundle_alone(&bytes(&b), &s.demo.trust, &[]);
    assert_verdict(&got, "invalid");
    assert_eq!(failed_check(&got.1), "inclusion");
    // A proof hash dropped.
    let mut b = json(&bundle);
    b["entries"][0]["proof"].as_array_mut().unwrap().pop();
    assert_eq!(
        failed_check(&verify_bundle_alone(&bytes(&b), &s.demo.trust, &[]).1),
        "inclusion"
    );
}

#[test]
fn an_edited_award_is_invalid() {
    let s = shared();
    let (award, bundle) = s.valid_bundle();
    let mut b = json(&bundle);
    let i = b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| statement_of(e)["id"] == award["id"])
        .unwrap();
    let text = b["entries"][i]["entry"].as_str().unwrap().to_string();
    let title = award["title"].as_str().unwrap();
    let edited = text.replace(title, &format!("{title}（特等）"));
    assert_ne!(edited, text);
    b["entries"][i]["entry"] = Value::String(edited);
    let got = verify_bundle_alone(&bytes(&b), &s.demo.trust, &[]);
    assert_verdict(&got, "invalid");
    assert_eq!(
        failed_check(&got.1),
        "inclusion",
        "the edited entry is no longer the logged leaf: {:#}",
        got.1
    );
    // The award id changed in the bundle's own field only: the bundle holds no such award.
    let mut b = json(&bundle);
    b["award"] = Value::String("urn:uuid:01a207db-0000-7000-8000-000000000000".into());
    assert_eq!(
        failed_check(&verify_bundle_alone(&bytes(&b), &s.demo.trust, &[]).1),
        "award"
    );
}

#[test]
fn a_newer_status_must_extend_the_same_log() {
    let d = Demo::new();
    let a = d.award_where("valid", |a| a["issuer"] != "河南省卫生健康委员会");
    let id = a["id"].as_str().unwrap();
    let old = d.bundle(id);
    let old_size = verify_bundle_alone(&old, &d.trust, &[]).1["as_of_tree_size"]
        .as_u64()
        .unwrap()
        .to_string();
    let (key, pass) = d.key_of(a["issuer_id"].as_str().unwrap());
    d.ok(&[
        "award",
        "suspend",
        id,
        "--reason",
        "限期整改",
        "--on",
        "2025-01-01",
        "--key",
        &key,
        "--passphrase-file",
        &pass,
    ]);
    let newer = d.ok(&["prove", id, "--format", "bundle", "--since", &old_size]);
    let bare_newer = d.ok(&["prove", id, "--format", "bundle"]);
    let checkpoint_since = d.ok(&["log", "checkpoint", "--since", &old_size]);
    let bare_checkpoint = d.ok(&["log", "checkpoint"]);
    let trust = std::fs::read(&d.trust).unwrap();
    let dir = bare_dir(&[
        ("old.json", &old),
        ("newer.json", newer.as_bytes()),
        ("bare-newer.json", bare_newer.as_bytes()),
        ("checkpoint.txt", checkpoint_since.as_bytes()),
        ("bare-checkpoint.txt", bare_checkpoint.as_bytes()),
        ("t.toml", &trust),
    ]);
    let p = dir.path();
    assert_verdict(&verify_in(p, "old.json", "t.toml", &[]), "valid");
    // A newer bundle with its consistency proof: its status counts, as of its checkpoint.
    let got = verify_in(p, "old.json", "t.toml", &["--status", "newer.json"]);
    assert_verdict(&got, "suspended");
    assert!(got.1["as_of_tree_size"].as_u64().unwrap() > old_size.parse::<u64>().unwrap());
    // Without a consistency proof, or with a bare checkpoint: invalid.
    for f in ["bare-newer.json", "bare-checkpoint.txt"] {
        let got = verify_in(p, "old.json", "t.toml", &["--status", f]);
        assert_verdict(&got, "invalid");
        assert_eq!(failed_check(&got.1), "newer", "{f}: {:#}", got.1);
        assert!(got.1["reason"]
            .as_str()
            .unwrap()
            .contains("consistency proof"));
    }
    // A newer checkpoint with its proof: consistent, but the status stays as of the bundle.
    let got = verify_in(p, "old.json", "t.toml", &["--status", "checkpoint.txt"]);
    assert_verdict(&got, "valid");
    assert_eq!(
        got.1["as_of_tree_size"].as_u64().unwrap().to_string(),
        old_size
    );
    // A bundle from another log (a fork) cannot pass as newer.
    let s = shared();
    let (_, foreign) = s.valid_bundle();
    std::fs::write(p.join("foreign.json"), foreign).unwrap();
    let got = verify_in(p, "old.json", "t.toml", &["--status", "foreign.json"]);
    assert_verdict(&got, "invalid");
}

#[test]
fn input_is_told_apart_and_unreadable_input_exits_2() {
    let s = shared();
    let (award, bundle) = s.valid_bundle();
    let credential = s.with(|d| d.ok(&["prove", award["id"].as_str().unwrap(), "--format", "vc"]));
    let trust = std::fs::read(&s.demo.trust).unwrap();
    let mut damaged = bundle.clone();
    damaged.truncate(bundle.len() / 2);
    let dir = bare_dir(&[
        ("vc.json", credential.as_bytes()),
        ("junk.bin", b"\x00\x01not json"),
        ("damaged.json", &damaged),
        ("t.toml", &trust),
    ]);
    let out = honors()
        .current_dir(dir.path())
        .args(["verify", "vc.json", "--trust", "t.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a bare credential needs --db");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--db"));
    let out = honors()
        .current_dir(dir.path())
        .args(["verify", "junk.bin", "--trust", "t.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let got = verify_in(dir.path(), "damaged.json", "t.toml", &[]);
    assert_verdict(&got, "invalid");
    assert_eq!(failed_check(&got.1), "bundle");
    // The same credential with the registry: valid.
    let db = s.demo.db().to_string();
    let out = s.with(|_| {
        honors()
            .current_dir(dir.path())
            .args([
                "--db", &db, "verify", "vc.json", "--trust", "t.toml", "--json",
            ])
            .output()
            .unwrap()
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn compact_codes_of_demo_awards_fit_a_qr_code() {
    let s = shared();
    let ids: Vec<String> = s.with(|d| {
        d.awards()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    });
    let mut longest = 0;
    for id in ids.iter().step_by(7) {
        let code = s.with(|d| d.ok(&["prove", id, "--format", "compact"]));
        let code = code.trim_end();
        assert!(code.starts_with("HONORS1:"));
        assert!(
            code.bytes()
                .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b)),
            "QR alphanumeric only"
        );
        let vc = s.with(|d| d.ok(&["prove", id, "--format", "vc"]));
        assert_eq!(
            honors::compact::decode(code).unwrap(),
            vc.trim_end().as_bytes(),
            "the code holds the exact credential"
        );
        let version = honors::qr::symbol(code).unwrap().version;
        assert!(
            version <= 22,
            "{} characters need QR version {version}",
            code.len()
        );
        longest = longest.max(code.len());
    }
    assert!(longest < 1000, "longest code {longest}");
}

/// Finds zbarimg, or fails with what to install (unless HONORS_SKIP_ZBAR=1).
fn zbarimg() -> Option<&'static str> {
    let found = std::process::Command::new("zbarimg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("zbarimg");
    }
    if std::env::var("HONORS_SKIP_ZBAR").as_deref() == Ok("1") {
        eprintln!("zbarimg not found; skipped because HONORS_SKIP_ZBAR=1");
        return None;
    }
    panic!("zbarimg not found: install zbar-tools (apt-get install -y zbar-tools), or set HONORS_SKIP_ZBAR=1 to skip this test");
}

fn zbar_decode(path: &Path) -> String {
    let out = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(path)
        .output()
        .expect("zbarimg runs");
    assert!(
        out.status.success(),
        "zbarimg could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("zbarimg prints text")
        .trim_end_matches('\n')
        .to_string()
}

#[test]
fn a_qr_code_from_honors_decodes_with_zbarimg_and_verifies() {
    let Some(_) = zbarimg() else { return };
    let s = shared();
    let (award, _) = s.valid_bundle();
    let id = award["id"].as_str().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let png = dir.path().join("award.png");
    let code = s.with(|d| {
        d.ok(&[
            "prove",
            id,
            "--format",
            "qr-png",
            "-o",
            png.to_str().unwrap(),
        ]);
        d.ok(&["prove", id, "--format", "compact"])
    });
    let decoded = zbar_decode(&png);
    assert_eq!(
        decoded,
        code.trim_end(),
        "zbarimg reads back the compact code"
    );
    // Alone, the code proves the signature only.
    let out = honors()
        .current_dir(dir.path())
        .args(["verify", &decoded, "--trust", s.demo.trust(), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "invalid");
    assert_eq!(v["reason"], honors::verify::SIGNATURE_ONLY);
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["check"] == "signature" && c["ok"] == true));
    // With the registry, the registry's verdict; a file holding the code works too.
    std::fs::write(dir.path().join("code.txt"), format!("{decoded}\n")).unwrap();
    let db = s.demo.db().to_string();
    let out = s.with(|_| {
        honors()
            .current_dir(dir.path())
            .args([
                "--db",
                &db,
                "verify",
                "code.txt",
                "--trust",
                s.demo.trust(),
                "--json",
            ])
            .output()
            .unwrap()
    });
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "valid");
    assert!(v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["check"] == "compact"));
    // The SVG forms render to the same code where a renderer is installed.
    let svg = dir.path().join("qr.svg");
    let cert = dir.path().join("cert.svg");
    s.with(|d| {
        d.ok(&[
            "prove",
            id,
            "--format",
            "qr-svg",
            "-o",
            svg.to_str().unwrap(),
        ]);
        d.ok(&[
            "prove",
            id,
            "--format",
            "certificate-svg",
            "-o",
            cert.to_str().unwrap(),
        ]);
    });
    let cert_text = std::fs::read_to_string(&cert).unwrap();
    assert!(
        cert_text.contains("荣 誉 证 书")
            && cert_text.contains(award["holder_name"].as_str().unwrap())
            && cert_text.contains(award["title"].as_str().unwrap())
    );
    if std::process::Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        for (src, width) in [(&svg, "600"), (&cert, "1240")] {
            let out_png = src.with_extension("png");
            let st = std::process::Command::new("rsvg-convert")
                .args(["-w", width, "-o"])
                .arg(&out_png)
                .arg(src)
                .status()
                .unwrap();
            assert!(st.success());
            assert_eq!(
                zbar_decode(&out_png),
                code.trim_end(),
                "{} renders a readable QR code",
                src.display()
            );
        }
    }
}

/// The example in docs/FORMATS.md: the JSON block after `<!-- bundle-example -->` and the TOML
/// block after `<!-- bundle-example-trust -->`.
fn doc_block(doc: &str, marker: &str, lang: &str) -> String {
    let start = doc
        .find(marker)
        .unwrap_or_else(|| panic!("docs/FORMATS.md lacks {marker}"));
    let rest = &doc[start..];
    let open = format!("```{lang}\n");
    let body = &rest[rest.find(&open).expect("a code block") + open.len()..];
    body[..body.find("```").expect("closed")].to_string()
}

#[test]
fn the_bundle_example_in_the_docs_parses_and_verifies() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/FORMATS.md"))
            .unwrap();
    let example = doc_block(&doc, "<!-- bundle-example -->", "json");
    let trust = doc_block(&doc, "<!-- bundle-example-trust -->", "toml");
    let checked = honors::bundle::parse(example.as_bytes()).expect("the documented bundle parses");
    assert_eq!(checked.entries.len(), 4);
    let trust = honors::trust::TrustRoots::parse(&trust).expect("the documented trust roots parse");
    let at = honors::time::parse_date_or_datetime("2026-12-01").unwrap();
    let v = honors::verify::verify_bundle(example.as_bytes(), &trust, at, None);
    assert_eq!(v.verdict, honors::award::Status::Valid, "{v:#?}");
}

#[test]
fn the_docs_bundle_checks_out_with_independent_log_implementations() {
    // The checkpoint with `signed_note`, every inclusion proof with `tlog_tiles` and `ct-merkle`:
    // code nobody on the team wrote, given nothing but the bundle's strings and the vkey.
    use base64::Engine as _;
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/FORMATS.md"))
            .unwrap();
    let b: Value =
        serde_json::from_str(&doc_block(&doc, "<!-- bundle-example -->", "json")).unwrap();
    let trust = doc_block(&doc, "<!-- bundle-example-trust -->", "toml");
    let vkey = trust
        .lines()
        .find_map(|l| l.strip_prefix("vkey = "))
        .unwrap()
        .trim_matches('"');
    let note = b["checkpoint"].as_str().unwrap();
    let names = independent::signed_note_open(note.as_bytes(), &[vkey])
        .expect("signed_note verifies the checkpoint");
    assert_eq!(names.len(), 1);
    let body = &note[..note.find("\n\n").unwrap() + 1];
    let (_, size, root) = independent::tlog_tiles_parse_checkpoint(body.as_bytes()).unwrap();
    for e in b["entries"].as_array().unwrap() {
        let proof: Vec<[u8; 32]> = e["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                base64::engine::general_purpose::STANDARD
                    .decode(h.as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect();
        independent::independent_check_inclusion(
            e["index"].as_u64().unwrap(),
            size,
            e["entry"].as_str().unwrap().as_bytes(),
            &proof,
            &root,
        )
        .unwrap_or_else(|err| panic!("entry {}: {err}", e["index"]));
    }
}

mod flips {
    //! Flipping any single byte of a bundle's signed content, proofs or checkpoint never yields `valid`.
    use super::*;
    use proptest::prelude::*;

    /// Byte ranges (in the bundle file) of every entry text, proof hash and the checkpoint.
    fn regions(bundle: &[u8]) -> Vec<(usize, usize)> {
        let b = json(bundle);
        let mut strings = vec![b["checkpoint"].clone()];
        for e in b["entries"].as_array().unwrap() {
            strings.push(e["entry"].clone());
            strings.extend(e["proof"].as_array().unwrap().iter().cloned());
        }
        let mut out = Vec::new();
        for s in strings {
            let needle = serde_json::to_vec(&s).unwrap();
            let at = bundle
                .windows(needle.len())
                .position(|w| w == needle.as_slice())
                .expect("string in the bundle");
            out.push((at + 1, needle.len() - 2)); // inside the quotes
        }
        out
    }

    type Fixture = (Vec<u8>, honors::trust::TrustRoots, Vec<(usize, usize)>);

    fn fixture() -> &'static Fixture {
        static F: OnceLock<Fixture> = OnceLock::new();
        F.get_or_init(|| {
            let s = shared();
            let (_, bundle) = s.valid_bundle();
            let trust =
                honors::trust::TrustRoots::parse(&std::fs::read_to_string(&s.demo.trust).unwrap())
                    .unwrap();
            let r = regions(&bundle);
            (bundle, trust, r)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn no_single_byte_flip_is_valid(region in any::<prop::sample::Index>(), offset in any::<prop::sample::Index>(), mask in 1u8..=255) {
            let (bundle, trust, regions) = fixture();
            let at = jiff::Timestamp::now();
            let unflipped = honors::verify::verify_bundle(bundle, trust, at, None);
            prop_assert_eq!(unflipped.verdict, honors::award::Status::Valid);
            let (start, len) = regions[region.index(regions.len())];
            let pos = start + offset.index(len);
            let mut flipped = bundle.clone();
            flipped[pos] ^= mask;
            let v = honors::verify::verify_bundle(&flipped, trust, at, None);
            prop_assert_ne!(v.verdict, honors::award::Status::Valid, "flip at byte {} (mask {:#04x}) still valid", pos, mask);
        }
    }
}

/// The opt-in cache of `BundleVerifier` (verified checkpoints, entries and decoded signer keys)
/// never changes a verdict: one verifier checks every demo award's bundle in turn, then the same
/// bundles edited (an award's title, a chain statement's signature value or inclusion proof,
/// the checkpoint's signature), and each verdict, reason and list of checks equals `verify_bundle`'s on its own.
#[test]
fn a_caching_bundle_verifier_gives_the_verdicts_of_verify_bundle() {
    use honors::verify::{verify_bundle, BundleVerifier};
    let s = shared();
    let trust =
        honors::trust::TrustRoots::parse(&std::fs::read_to_string(&s.demo.trust).unwrap()).unwrap();
    let (awards, bundles): (Vec<Value>, Vec<Vec<u8>>) = s.with(|d| {
        d.awards()
            .into_iter()
            .map(|a| {
                let b = d.bundle(a["id"].as_str().unwrap());
                (a, b)
            })
            .unzip()
    });
    // Edits of bundles whose signers the verifier has decoded and whose other entries it has
    // cached by then: the edited entry is a new leaf, so it is parsed and checked again.
    let mut edited = Vec::new();
    for (listed, bundle) in awards.iter().zip(&bundles).take(12) {
        let b = json(bundle);
        let award = b["award"].as_str().unwrap().to_string();
        let entries = b["entries"].as_array().unwrap();
        let at = entries
            .iter()
            .position(|e| statement_of(e)["id"] == award.as_str())
            .unwrap();
        let text = b["entries"][at]["entry"].as_str().unwrap().to_string();
        let title = listed["title"].as_str().unwrap();
        let mut e = b.clone();
        e["entries"][at]["entry"] =
            Value::String(text.replacen(title, &format!("{title}（特等）"), 1));
        edited.push(bytes(&e));
        // Another signature value for a chain statement of a signer seen before (one
        // base58btc digit changed), and for the checkpoint.
        let chain = (0..entries.len()).find(|&i| i != at).unwrap();
        let ctext = b["entries"][chain]["entry"].as_str().unwrap().to_string();
        let pv = statement_of(&b["entries"][chain])["proof"]["proofValue"]
            .as_str()
            .unwrap()
            .to_string();
        let last = pv.chars().last().unwrap();
        let forged = format!(
            "{}{}",
            &pv[..pv.len() - 1],
            if last == '2' { '3' } else { '2' }
        );
        let mut e = b.clone();
        e["entries"][chain]["entry"] = Value::String(ctext.replace(&pv, &forged));
        edited.push(bytes(&e));
        let cp = b["checkpoint"].as_str().unwrap().to_string();
        let mut e = b.clone();
        let line = cp.lines().last().unwrap().to_string();
        let sig = line.rsplit(' ').next().unwrap().to_string();
        let other = if sig.starts_with('A') { "B" } else { "A" };
        e["checkpoint"] = Value::String(cp.replace(&sig, &format!("{other}{}", &sig[1..])));
        edited.push(bytes(&e));
        // The same leaf at the same index with another proof (one hash zeroed), and with a
        // hash dropped, after the verifier has proven that leaf in that tree.
        let mut e = b.clone();
        e["entries"][chain]["proof"][0] =
            Value::String("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into());
        edited.push(bytes(&e));
        let mut e = b.clone();
        e["entries"][chain]["proof"].as_array_mut().unwrap().pop();
        edited.push(bytes(&e));
    }
    let at = jiff::Timestamp::now();
    let mut cached = BundleVerifier::new(trust.clone());
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for (i, bundle) in bundles.iter().chain(&edited).enumerate() {
        let alone = verify_bundle(bundle, &trust, at, None);
        let with_cache = cached.verify(bundle, at, None);
        assert_eq!(
            serde_json::to_value(&with_cache).unwrap(),
            serde_json::to_value(&alone).unwrap(),
            "bundle {i}: the cache changed the verdict"
        );
        let failed = alone
            .checks
            .iter()
            .find(|c| !c.ok)
            .map_or("none", |c| c.check);
        *kinds
            .entry(format!("{}/{failed}", alone.verdict))
            .or_default() += 1;
        if i >= bundles.len() {
            assert_eq!(alone.verdict, honors::award::Status::Invalid, "edit {i}");
        }
    }
    // The cache was used, and the edits failed where each edit should.
    assert!(cached.cached_entries() > bundles.len(), "{kinds:?}");
    // Per bundle edited: the title, the signature value and the proof twice fail inclusion;
    // the checkpoint's signature fails the checkpoint.
    assert_eq!(kinds.get("invalid/inclusion"), Some(&(4 * 12)), "{kinds:?}");
    assert_eq!(kinds.get("invalid/checkpoint"), Some(&12), "{kinds:?}");
    assert!(kinds.contains_key("valid/none"), "{kinds:?}");
}
