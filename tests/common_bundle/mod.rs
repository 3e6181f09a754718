//! Helpers for the proof-bundle tests: demo registries, running `honors`, editing bundles.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// `honors` with a clean environment (no registry, no passphrases from the caller).
pub fn honors() -> Command {
    let mut c = Command::cargo_bin("honors").expect("the honors binary is built");
    c.env_remove("HONORS_DB")
        .env_remove("HONORS_PASSPHRASE")
        .env_remove("HONORS_LOG_PASSPHRASE");
    c
}

/// Runs `honors ARGS` and returns its output (whatever the exit code).
pub fn run(args: &[&str]) -> Output {
    honors().args(args).output().expect("honors runs")
}

/// Runs `honors ARGS`, which must succeed; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "honors {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A demo registry of its own, in a temporary directory.
pub struct Demo {
    pub dir: TempDir,
    pub db: PathBuf,
    pub trust: PathBuf,
    /// `keys` of `honors demo --json`.
    pub keys: Vec<Value>,
}

impl Demo {
    /// Built under cargo's target tmp dir: a demo held in a `static` is never dropped, and is
    /// better left there than in /tmp.
    pub fn new() -> Demo {
        let dir = TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
        let db = dir.path().join("reg");
        let report: Value = serde_json::from_str(&ok(&[
            "demo",
            "--dir",
            db.to_str().unwrap(),
            "--json",
            "--quiet",
        ]))
        .expect("demo --json");
        let trust = PathBuf::from(report["trust_roots"].as_str().expect("trust_roots"));
        let keys = report["keys"].as_array().expect("keys").clone();
        Demo {
            dir,
            db,
            trust,
            keys,
        }
    }

    pub fn db(&self) -> &str {
        self.db.to_str().unwrap()
    }

    pub fn trust(&self) -> &str {
        self.trust.to_str().unwrap()
    }

    /// `honors --db DB ARGS`, which must succeed.
    pub fn ok(&self, args: &[&str]) -> String {
        let mut all = vec!["--db", self.db()];
        all.extend_from_slice(args);
        ok(&all)
    }

    /// `award list --json`.
    pub fn awards(&self) -> Vec<Value> {
        serde_json::from_str(&self.ok(&["award", "list", "--json"])).expect("award list --json")
    }

    /// The first award with status `status` whose issuer `pick` accepts.
    pub fn award_where(&self, status: &str, pick: impl Fn(&Value) -> bool) -> Value {
        self.awards()
            .into_iter()
            .find(|a| a["status"] == status && pick(a))
            .unwrap_or_else(|| panic!("the demo has no {status} award of that kind"))
    }

    /// `authority list --json`.
    pub fn authorities(&self) -> Vec<Value> {
        serde_json::from_str(&self.ok(&["authority", "list", "--json"]))
            .expect("authority list --json")
    }

    /// (key file, passphrase file) of the authority with this id.
    pub fn key_of(&self, authority_id: &str) -> (String, String) {
        let k = self
            .keys
            .iter()
            .find(|k| k["id"] == authority_id)
            .unwrap_or_else(|| panic!("no demo key for {authority_id}"));
        (
            k["key_file"].as_str().unwrap().to_string(),
            k["passphrase_file"].as_str().unwrap().to_string(),
        )
    }

    /// The award's bundle, as bytes.
    pub fn bundle(&self, id: &str) -> Vec<u8> {
        self.ok(&["prove", id, "--format", "bundle"]).into_bytes()
    }

    /// The award's credential (as logged).
    pub fn credential(&self, id: &str) -> Value {
        serde_json::from_str(&self.ok(&["prove", id, "--format", "vc"])).expect("vc")
    }
}

/// A directory with nothing but the given files (a verifier's machine: no registry).
pub fn bare_dir(files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    dir
}

/// `honors verify FILE --trust TRUST --json [EXTRA…]` run inside `dir` (no --db): (exit code, verdict JSON).
pub fn verify_in(dir: &Path, file: &str, trust: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", file, "--trust", trust, "--json"];
    args.extend_from_slice(extra);
    let out = honors()
        .current_dir(dir)
        .args(&args)
        .output()
        .expect("honors verify runs");
    let code = out.status.code().expect("exit code");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "verify printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, v)
}

/// Verifies `bundle` in a directory holding only it and `trust` (copied there).
pub fn verify_bundle_alone(bundle: &[u8], trust: &Path, extra: &[&str]) -> (i32, Value) {
    let trust_bytes = std::fs::read(trust).expect("trust roots");
    let dir = bare_dir(&[
        ("award.bundle.json", bundle),
        ("trust-roots.toml", &trust_bytes),
    ]);
    verify_in(dir.path(), "award.bundle.json", "trust-roots.toml", extra)
}

/// The failing check of a verdict (the last one, not ok).
pub fn failed_check(v: &Value) -> String {
    v["checks"]
        .as_array()
        .and_then(|c| c.iter().rev().find(|c| c["ok"] == false))
        .map(|c| c["check"].as_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// A bundle as JSON, to edit.
pub fn json(bundle: &[u8]) -> Value {
    serde_json::from_slice(bundle).expect("bundle JSON")
}

/// Back to bytes.
pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).expect("JSON")
}

/// The statement (parsed JSON) of a bundle entry.
pub fn statement_of(entry: &Value) -> Value {
    let text = entry["entry"].as_str().expect("entry text");
    let (_, body) = text.split_once("\n\n").expect("header and statement");
    serde_json::from_str(body).expect("statement JSON")
}

/// The `type` word of a bundle entry's statement (`HonorsAccreditation`, …).
pub fn type_of(entry: &Value) -> String {
    statement_of(entry)["type"][1]
        .as_str()
        .unwrap_or("")
        .to_string()
}
