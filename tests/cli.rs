//! Issue 2 "must show" items, driving the `honors` binary:
//! - every wrong input is a clear error or an `invalid` verdict with the right exit code, and
//!   nothing is stored after a refusal (the log size from `log checkpoint --json` is unchanged);
//! - an exported award verifies with an independent eddsa-jcs-2022 implementation, and fails
//!   there after any change to its content;
//! - checkpoints, inclusion and consistency proofs printed by `honors log …` verify with
//!   independent implementations (signed_note, tlog_tiles, ct-merkle);
//! - the command-line contract's wording: exit codes in `--help`, `award list --json` fields.

mod common;

use common::independent_tlog::*;
use common::independent_vc::independent_verify;
use common::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Contract wording

#[test]
fn help_documents_the_exit_codes() {
    let r = run(["--help"]).code(0);
    for w in [
        "Exit codes",
        "0 ok",
        "1 a definite",
        "2 usage",
        "3 internal",
        "registry in use",
    ] {
        assert!(r.stdout.contains(w), "--help does not mention {w:?}\n{r}");
    }
    // Usage errors are exit 2, never a panic.
    run(["award", "frobnicate"]).code(2);
    run(["--no-such-flag"]).code(2);
}

#[test]
fn award_list_json_has_the_contract_fields() {
    let f = Fixture::new();
    let id = f.issue(
        &f.sd,
        &f.h_sd,
        &f.grade_a,
        &[
            "--valid-from",
            "2024-05-01",
            "--valid-until",
            "2035-04-30",
            "--year",
            "2024",
        ],
    );
    let list = f.db.awards();
    assert_eq!(list.len(), 1);
    let a = &list[0];
    let expect = [
        ("id", Value::from(id.as_str())),
        ("holder_name", "淄博市中心医院".into()),
        ("holder_uscc", f.h_sd.as_str().into()),
        ("title", "三级甲等医院".into()),
        ("issuer", "山东省卫生健康委员会".into()),
        ("scheme", "三级甲等医院".into()),
        ("valid_from", "2024-05-01".into()),
        ("valid_until", "2035-04-30".into()),
        ("status", "valid".into()),
    ];
    for (k, v) in expect {
        assert_eq!(a[k], v, "field {k} of {a:#}");
    }
    // `search --json` has the same shape.
    let found = f.db.json(["search", "三级甲等"]).ok_json();
    assert_eq!(found[0]["id"], id.as_str());
    assert_eq!(found[0]["holder_uscc"], f.h_sd.as_str());
}

// ---------------------------------------------------------------------------------------------
// Issue 2 negatives: refused, nothing stored

#[test]
fn missing_db_is_a_usage_error_with_a_hint() {
    let r = run(["award", "list"])
        .code(2)
        .says(&["no registry given", "--db", "HONORS_DB"]);
    assert!(r.stdout.is_empty(), "nothing on stdout without --json: {r}");
    let r = run(["--json", "award", "list"]).code(2);
    assert_eq!(r.error_kind(), "input");
    // A directory that is not a registry.
    let tmp = tempfile::tempdir().unwrap();
    Db::new(tmp.path())
        .run(["award", "list"])
        .code(2)
        .says(&["not an honors registry", "honors init"]);
}

#[test]
fn an_invalid_uscc_is_refused_naming_the_expected_check_character() {
    let f = Fixture::new();
    let before = f.db.log_size();
    let r = f
        .signed(
            &f.sd,
            &[
                "holder",
                "register",
                "--uscc",
                "91350100M000100Y4Z",
                "--name",
                "某医院",
                "--province",
                "山东省",
                "--city",
                "济南市",
            ],
        )
        .code(2);
    assert_eq!(r.error_kind(), "input");
    r.says(&["91350100M000100Y4Z", "'Z'", "'3'"]);
    assert_eq!(f.db.log_size(), before, "nothing stored");
    // The corrected code is accepted.
    f.signed(
        &f.sd,
        &[
            "holder",
            "register",
            "--uscc",
            "91350100M000100Y43",
            "--name",
            "某医院",
            "--province",
            "山东省",
            "--city",
            "济南市",
        ],
    )
    .code(0);
    assert_eq!(f.db.log_size(), before + 1);
}

#[test]
fn an_unaccredited_key_is_refused_and_told_to_get_accredited() {
    let f = Fixture::new();
    let stranger = f.new_key("某某卫生健康委员会", "stranger.key");
    let before = f.db.log_size();
    let r = f.try_issue(&stranger, &f.h_sd, &f.grade_a, &[]).code(1);
    assert_eq!(r.error_kind(), "refused");
    r.says(&[&stranger.did, "accredit"]);
    assert_eq!(f.db.log_size(), before, "nothing stored");
    assert!(f.db.awards().is_empty());
}

#[test]
fn a_scheme_not_granted_to_the_issuer_is_refused() {
    let f = Fixture::new();
    let before = f.db.log_size();
    // 全国三八红旗集体 belongs to the root; 山东省卫健委 was granted only the hospital grades.
    let r = f.try_issue(&f.sd, &f.h_sd, &f.red_flag, &[]).code(1);
    assert_eq!(r.error_kind(), "refused");
    let r = r.says(&[
        "山东省卫生健康委员会",
        "may not issue",
        "全国三八红旗集体",
        "nothing was stored",
    ]);
    // The hint names a command that exists.
    r.says(&["honors authority list"]);
    f.db.run(["authority", "list"])
        .code(0)
        .says(&["山东省卫生健康委员会", "山东省"]);
    assert_eq!(f.db.log_size(), before);
    // Its own scheme and a granted one are fine.
    f.issue(&f.sd, &f.h_sd, &f.sd_scheme, &[]);
    f.issue(&f.sd, &f.h_sd, &f.grade_a, &[]);
    assert_eq!(f.db.log_size(), before + 2);
}

#[test]
fn a_holder_outside_the_issuers_jurisdiction_is_refused() {
    let f = Fixture::new();
    let before = f.db.log_size();
    // 焦作市人民医院 is in 河南省; 山东省卫健委's jurisdiction is 山东省.
    f.try_issue(&f.sd, &f.h_hn, &f.grade_a, &[]).code(1).says(&[
        "焦作市人民医院",
        "outside its jurisdiction",
        "山东省",
    ]);
    // Nor may it register a holder there.
    f.signed(
        &f.sd,
        &[
            "holder",
            "register",
            "--uscc",
            &uscc("12410800MB0000003"),
            "--name",
            "焦作市第二人民医院",
            "--province",
            "河南省",
            "--city",
            "焦作市",
        ],
    )
    .code(1)
    .says(&["outside its jurisdiction"]);
    assert_eq!(f.db.log_size(), before);
    // The national root may.
    f.issue(&f.root, &f.h_hn, &f.grade_a, &[]);
}

#[test]
fn a_wrong_passphrase_is_an_input_error() {
    let f = Fixture::new();
    let before = f.db.log_size();
    let wrong = f.path("wrong-pass");
    std::fs::write(&wrong, "not the passphrase").unwrap();
    let key = Key {
        pass: wrong.clone(),
        ..f.sd.clone()
    };
    let r = f.try_issue(&key, &f.h_sd, &f.grade_a, &[]).code(2);
    assert_eq!(r.error_kind(), "input");
    r.says(&["wrong passphrase", "sd.key"]);
    // A missing passphrase file and no passphrase at all are input errors too.
    let key = Key {
        pass: f.path("no-such-file"),
        ..f.sd.clone()
    };
    f.try_issue(&key, &f.h_sd, &f.grade_a, &[])
        .code(2)
        .says(&["passphrase file", "no-such-file"]);
    // So is a missing key file.
    let key = Key {
        file: f.path("no-such.key"),
        ..f.sd.clone()
    };
    f.try_issue(&key, &f.h_sd, &f.grade_a, &[])
        .code(2)
        .says(&["no-such.key"]);
    f.db.json([
        "award",
        "issue",
        "--holder",
        &f.h_sd,
        "--scheme",
        &f.grade_a,
        "--key",
        f.sd.file.to_str().unwrap(),
    ])
    .code(2)
    .says(&["passphrase"]);
    assert_eq!(f.db.log_size(), before);
}

#[test]
fn a_registry_in_use_is_refused_with_exit_2_and_nothing_stored() {
    let f = Fixture::new();
    let before = f.db.log_size();
    {
        // Another process (here: this test) holds the registry open.
        let _held = honors::registry::Registry::open(&f.db.dir).expect("open in-process");
        let r = f.try_issue(&f.sd, &f.h_sd, &f.grade_a, &[]).code(2);
        assert_eq!(r.error_kind(), "locked");
        r.says(&["in use"]);
        f.db.run(["award", "list"]).code(2).says(&["in use"]);
    }
    assert_eq!(f.db.log_size(), before, "nothing stored");
    assert!(f.db.awards().is_empty());
}

/// The verdict of `verify FILE --trust T --db D --json`: (exit code, JSON).
fn verify_text(f: &Fixture, name: &str, text: &[u8]) -> (i32, Value) {
    let p = f.path(name);
    std::fs::write(&p, text).unwrap();
    let r = f.db.json([
        "verify",
        p.to_str().unwrap(),
        "--trust",
        f.db.trust().to_str().unwrap(),
    ]);
    assert!(
        r.code == 0 || r.code == 1,
        "verify must give a verdict\n{r}"
    );
    let v = r.json();
    let ok = v["verdict"] == "valid";
    assert_eq!(
        r.code,
        if ok { 0 } else { 1 },
        "exit code must follow the verdict\n{r}"
    );
    (r.code, v)
}

/// Asserts an `invalid` verdict whose failing check is `check`.
#[track_caller]
fn assert_invalid(v: &(i32, Value), check: &str) {
    assert_eq!(v.0, 1, "{:#}", v.1);
    assert_eq!(v.1["verdict"], "invalid", "{:#}", v.1);
    let failed: Vec<&str> = v.1["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, vec![check], "{:#}", v.1);
}

#[test]
fn altered_or_broken_credentials_get_an_invalid_verdict() {
    let f = Fixture::new();
    let id = f.issue(&f.sd, &f.h_sd, &f.grade_a, &["--valid-until", "2035-12-31"]);
    let text = f.db.credential(&id);
    let before = f.db.log_size();
    let good = verify_text(&f, "good.json", text.as_bytes());
    assert_eq!(good.0, 0, "{:#}", good.1);
    assert_eq!(good.1["verdict"], "valid");
    assert_eq!(good.1["award_id"], id.as_str());

    // Forged: the text edited after signing (another hospital's name).
    let forged = text.replace("淄博市中心医院", "淄博市第一医院");
    assert_ne!(forged, text);
    assert_invalid(
        &verify_text(&f, "forged.json", forged.as_bytes()),
        "signature",
    );

    // An edited field: validUntil extended by ten years.
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["validUntil"] = "2045-12-31T23:59:59+08:00".into();
    assert_invalid(
        &verify_text(&f, "edited.json", doc.to_string().as_bytes()),
        "signature",
    );

    // The signature itself altered (one character of proofValue).
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let pv = doc["proof"]["proofValue"].as_str().unwrap().to_string();
    let last = pv.chars().last().unwrap();
    let pv2 = format!(
        "{}{}",
        &pv[..pv.len() - 1],
        if last == '2' { '3' } else { '2' }
    );
    doc["proof"]["proofValue"] = pv2.into();
    assert_invalid(
        &verify_text(&f, "badsig.json", doc.to_string().as_bytes()),
        "signature",
    );

    // Re-signed by a key of nobody in the registry: the signature holds, but it is not the
    // logged award and its signer is not the issuer.
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_object_mut().unwrap().remove("proof");
    let other = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let did = honors::credential::did_for(&other.verifying_key());
    doc["issuer"]["id"] = did.as_str().into();
    let resigned = honors::credential::sign(
        &doc,
        &other,
        &jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    )
    .unwrap();
    assert_invalid(
        &verify_text(&f, "resigned.json", resigned.to_string().as_bytes()),
        "logged",
    );

    // Malformed JSON and a truncated file: `invalid` at the `json` check, exit 1.
    assert_invalid(
        &verify_text(&f, "malformed.json", b"{\"@context\": [,]}"),
        "json",
    );
    assert_invalid(
        &verify_text(&f, "truncated.json", &text.as_bytes()[..text.len() / 2]),
        "json",
    );
    // An empty file is not a credential at all: an input error, exit 2, saying what it expected.
    let p = f.path("empty.json");
    std::fs::write(&p, b"").unwrap();
    f.db.json([
        "verify",
        p.to_str().unwrap(),
        "--trust",
        f.db.trust().to_str().unwrap(),
    ])
    .code(2)
    .says(&["neither a proof bundle"]);
    // A JSON value that is not a credential.
    let (code, v) = verify_text(&f, "array.json", b"[1,2,3]");
    assert_eq!((code, v["verdict"].as_str()), (1, Some("invalid")), "{v:#}");

    // A file that does not exist is an input error, not a verdict.
    f.db.run([
        "verify",
        f.path("no-such.json").to_str().unwrap(),
        "--trust",
        f.db.trust().to_str().unwrap(),
    ])
    .code(2);
    // A bare credential without --db: exit 2 with a hint.
    run([
        "verify",
        f.path("good.json").to_str().unwrap(),
        "--trust",
        f.db.trust().to_str().unwrap(),
    ])
    .code(2)
    .says(&["--db"]);
    // Verifying stores nothing.
    assert_eq!(f.db.log_size(), before);
}

// ---------------------------------------------------------------------------------------------
// The exported award in an independent eddsa-jcs-2022 implementation

/// Every leaf of a JSON value, as a path of keys/indexes.
fn leaves(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(PathStep::Key(k.clone()));
                leaves(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(PathStep::Index(i));
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at_mut<'a>(v: &'a mut Value, path: &[PathStep]) -> &'a mut Value {
    path.iter().fold(v, |v, s| match s {
        PathStep::Key(k) => &mut v[k.as_str()],
        PathStep::Index(i) => &mut v[*i],
    })
}

/// A different value of the same kind: the last character of a string changed, a number
/// incremented, a boolean negated.
fn changed(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let mut chars: Vec<char> = s.chars().collect();
            match chars.last_mut() {
                Some(c) => {
                    *c = if *c == 'A' {
                        'B'
                    } else if c.is_ascii_digit() {
                        if *c == '1' {
                            '2'
                        } else {
                            '1'
                        }
                    } else {
                        'A'
                    }
                }
                None => chars.push('A'),
            }
            Value::String(chars.into_iter().collect())
        }
        Value::Number(n) => Value::from(n.as_i64().unwrap_or(0) + 1),
        Value::Bool(b) => Value::Bool(!b),
        Value::Null => Value::from("x"),
        other => other.clone(),
    }
}

#[test]
fn the_exported_award_verifies_independently_and_fails_there_after_any_change() {
    let f = Fixture::new();
    let id = f.issue(
        &f.sd,
        &f.h_sd,
        &f.grade_a,
        &[
            "--sub-unit",
            "神经内科",
            "--year",
            "2025",
            "--reason",
            "复审合格",
        ],
    );
    let text = f.db.credential(&id);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(
        independent_verify(&doc),
        "Affinidi's verifier rejects our exported award:\n{text}"
    );
    // The file as exported is exactly the signed, logged bytes (JCS, one trailing newline).
    assert_eq!(
        text.trim_end_matches('\n'),
        honors::credential::jcs::to_string(&doc).unwrap()
    );

    let mut paths = Vec::new();
    leaves(&doc, &mut Vec::new(), &mut paths);
    assert!(
        paths.len() > 25,
        "a credential has many fields: {}",
        paths.len()
    );
    let mut accepted = Vec::new();
    for p in &paths {
        let mut d = doc.clone();
        let slot = at_mut(&mut d, p);
        *slot = changed(slot);
        assert_ne!(d, doc);
        if independent_verify(&d) {
            accepted.push(format!("{p:?}"));
        }
    }
    assert!(
        accepted.is_empty(),
        "the independent verifier accepted changed credentials: {accepted:#?}"
    );
    // Adding a field, removing one, and removing the proof fail there too.
    let mut d = doc.clone();
    d["credentialSubject"]["extra"] = "x".into();
    assert!(!independent_verify(&d));
    let mut d = doc.clone();
    d.as_object_mut().unwrap().remove("validFrom");
    assert!(!independent_verify(&d));
    let mut d = doc.clone();
    d.as_object_mut().unwrap().remove("proof");
    assert!(!independent_verify(&d));
}

// ---------------------------------------------------------------------------------------------
// The log's checkpoint and proofs in independent implementations

/// (index, integration time, statement bytes) of an award, from `history` and `prove`.
fn award_leaf(db: &Db, id: &str) -> (u64, Vec<u8>) {
    let h = db.json(["history", id]).ok_json();
    let first = &h[0];
    assert_eq!(first["event"], "issued");
    let index = first["index"].as_u64().unwrap();
    let time = first["time"].as_str().unwrap();
    let statement = db.credential(id);
    (
        index,
        entry_bytes(index, time, statement.trim_end_matches('\n').as_bytes()),
    )
}

fn checkpoint_json(db: &Db) -> (u64, [u8; 32], String) {
    let v = db.json(["log", "checkpoint"]).ok_json();
    (
        v["tree_size"].as_u64().unwrap(),
        hash_b64(v["root"].as_str().unwrap()),
        v["note"].as_str().unwrap().to_string(),
    )
}

fn hashes(v: &Value) -> Vec<[u8; 32]> {
    v["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| hash_b64(h.as_str().unwrap()))
        .collect()
}

#[test]
fn checkpoints_and_proofs_from_the_cli_verify_independently() {
    let f = Fixture::new();
    let a = f.issue(&f.sd, &f.h_sd, &f.grade_a, &[]);
    let (old_size, old_root, old_note) = checkpoint_json(&f.db);
    let b = f.issue(&f.sd, &f.h_sd, &f.sd_scheme, &[]);
    f.status(&f.sd, "suspend", &a, "限期整改").code(0);
    let c = f.issue(&f.root, &f.h_hn, &f.red_flag, &[]);
    let (size, root, note) = checkpoint_json(&f.db);
    assert_eq!(size, old_size + 3);

    // The checkpoint: a C2SP signed note under the log key that `log key` prints.
    let vkey = f.db.run(["log", "key"]).code(0).stdout.trim().to_string();
    signed_note_vkey_ok(&vkey).unwrap();
    let origin = vkey.split('+').next().unwrap();
    let names =
        signed_note_open(note.as_bytes(), &[&vkey]).expect("signed_note verifies the checkpoint");
    assert_eq!(names, vec![origin.to_string()]);
    assert_eq!(
        f.db.checkpoint_note(),
        note,
        "`log checkpoint` prints the same note"
    );
    let body = note.split("\n\n").next().unwrap().to_string() + "\n";
    let (o, s, r) = tlog_tiles_parse_checkpoint(body.as_bytes()).unwrap();
    assert_eq!((o.as_str(), s, r), (origin, size, root));
    signed_note_open(old_note.as_bytes(), &[&vkey]).unwrap();
    // An altered note or another key is rejected.
    let forged = note.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1);
    assert!(signed_note_open(forged.as_bytes(), &[&vkey]).is_err());
    let other = Fixture::new();
    let other_vkey = other
        .db
        .run(["log", "key"])
        .code(0)
        .stdout
        .trim()
        .to_string();
    assert!(signed_note_open(note.as_bytes(), &[&other_vkey]).is_err());

    // Inclusion of each award's entry (rebuilt from history and prove) under the latest checkpoint.
    for id in [&a, &b, &c] {
        let (index, leaf) = award_leaf(&f.db, id);
        let v =
            f.db.json(["log", "inclusion", &index.to_string()])
                .ok_json();
        assert_eq!(v["index"].as_u64(), Some(index));
        assert_eq!(v["tree_size"].as_u64(), Some(size));
        let proof = hashes(&v);
        independent_check_inclusion(index, size, &leaf, &proof, &root)
            .unwrap_or_else(|e| panic!("entry {index}: {e}"));
        // Not for another leaf, not under another root.
        let mut wrong = leaf.clone();
        *wrong.last_mut().unwrap() ^= 1;
        assert!(independent_check_inclusion(index, size, &wrong, &proof, &root).is_err());
        assert!(independent_check_inclusion(index, size, &leaf, &proof, &old_root).is_err());
    }
    // The first award under the older checkpoint, with --size.
    let (index, leaf) = award_leaf(&f.db, &a);
    let v =
        f.db.json([
            "log",
            "inclusion",
            &index.to_string(),
            "--size",
            &old_size.to_string(),
        ])
        .ok_json();
    independent_check_inclusion(index, old_size, &leaf, &hashes(&v), &old_root).unwrap();

    // Consistency: the older checkpoint is a prefix of the newer one.
    let v =
        f.db.json([
            "log",
            "consistency",
            &old_size.to_string(),
            &size.to_string(),
        ])
        .ok_json();
    assert_eq!(
        (v["old"].as_u64(), v["new"].as_u64()),
        (Some(old_size), Some(size))
    );
    let proof = hashes(&v);
    independent_check_consistency(old_size, size, &proof, &old_root, &root).unwrap();
    let mut bad_root = old_root;
    bad_root[0] ^= 1;
    assert!(independent_check_consistency(old_size, size, &proof, &bad_root, &root).is_err());
    // Out-of-range requests are usage errors.
    f.db.run(["log", "inclusion", &size.to_string()]).code(2);
    f.db.run([
        "log",
        "consistency",
        &size.to_string(),
        &(size + 1).to_string(),
    ])
    .code(2);
}
