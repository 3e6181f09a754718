//! Shared helpers for the tests that drive the `honors` binary: a command runner that records
//! exit code and output, a small registry built step by step through the CLI, and (in
//! `independent_vc.rs`) the independent eddsa-jcs-2022 verifier. The independent log checks
//! are in `tests/tlog_support/independent.rs`, included here as `independent_tlog`.
#![allow(dead_code)]

#[path = "../tlog_support/independent.rs"]
pub mod independent_tlog;
pub mod independent_vc;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The passphrase every test key and log key uses.
pub const PASS: &str = "correct horse battery staple";

/// A `honors` command with a clean environment (no HONORS_* variables leak in).
pub fn honors() -> Command {
    let mut c = Command::cargo_bin("honors").expect("the honors binary is built");
    for v in ["HONORS_DB", "HONORS_PASSPHRASE", "HONORS_LOG_PASSPHRASE"] {
        c.env_remove(v);
    }
    c.timeout(std::time::Duration::from_secs(60));
    c
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
}

impl Run {
    fn from(args: Vec<String>, o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            args,
        }
    }

    /// stdout as JSON (the command must have been run with `--json`).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{self}\nstdout is not one JSON value: {e}"))
    }

    /// Asserts the exit code and returns self.
    #[track_caller]
    pub fn code(self, want: i32) -> Run {
        assert_eq!(self.code, want, "unexpected exit code\n{self}");
        self
    }

    /// Asserts exit 0 and returns the JSON on stdout.
    #[track_caller]
    pub fn ok_json(self) -> Value {
        self.code(0).json()
    }

    /// Asserts that stderr (or the JSON error on stdout) mentions every one of `words`.
    #[track_caller]
    pub fn says(self, words: &[&str]) -> Run {
        let all = format!("{}\n{}", self.stderr, self.stdout);
        for w in words {
            assert!(
                all.contains(w),
                "expected the output to mention {w:?}\n{self}"
            );
        }
        self
    }

    /// The `{"error": {"kind", "message", "hint"}}` printed under `--json`.
    /// Asserts that stdout is exactly that one JSON value, with a message.
    #[track_caller]
    pub fn error_kind(&self) -> String {
        let v: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{self}\nstdout is not one JSON error value: {e}"));
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{self}"
        );
        v["error"]["kind"].as_str().unwrap_or_default().to_string()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ honors {}\nexit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `honors ARGS` (no `--db` added).
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<std::ffi::OsString> = args
        .into_iter()
        .map(|a| a.as_ref().to_os_string())
        .collect();
    let shown = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let o = honors().args(&args).output().expect("run honors");
    Run::from(shown, o)
}

/// A registry directory driven through the binary.
pub struct Db {
    pub dir: PathBuf,
}

impl Db {
    pub fn new(dir: impl Into<PathBuf>) -> Db {
        Db { dir: dir.into() }
    }

    /// Runs `honors --db DIR ARGS`.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> =
            vec!["--db".into(), self.dir.clone().into_os_string()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        run(all)
    }

    /// Runs `honors --db DIR --json ARGS`.
    pub fn json<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut all: Vec<std::ffi::OsString> = vec!["--json".into()];
        all.extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self.run(all)
    }

    /// Like [`Db::run`], but retries while the store is still locked by a process (or a
    /// sled handle of this test) that is going away.
    pub fn run_when_free(&self, args: &[&str]) -> Run {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let r = self.run(args);
            if r.code == 2 && r.stderr.contains("in use") && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(20));
                continue;
            }
            return r;
        }
    }

    /// The log size from `log checkpoint --json`.
    pub fn log_size(&self) -> u64 {
        let v = self
            .run_when_free(&["--json", "log", "checkpoint"])
            .ok_json();
        v["tree_size"].as_u64().expect("tree_size")
    }

    /// The latest checkpoint note text.
    pub fn checkpoint_note(&self) -> String {
        self.run_when_free(&["log", "checkpoint"]).code(0).stdout
    }

    /// `award list --json` as a list.
    pub fn awards(&self) -> Vec<Value> {
        match self.json(["award", "list"]).ok_json() {
            Value::Array(a) => a,
            other => panic!("award list is not an array: {other}"),
        }
    }

    /// The `status` word of one award in `award list --json`.
    pub fn status_of(&self, id: &str) -> String {
        let list = self.awards();
        let a = list
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("award {id} not listed"));
        a["status"].as_str().unwrap().to_string()
    }

    pub fn trust(&self) -> PathBuf {
        self.dir.join("trust-roots.toml")
    }

    /// `prove ID --format vc` as text.
    pub fn credential(&self, id: &str) -> String {
        self.run(["prove", id, "--format", "vc"]).code(0).stdout
    }
}

/// A key file of an authority together with its passphrase file.
#[derive(Debug, Clone)]
pub struct Key {
    pub file: PathBuf,
    pub pass: PathBuf,
    pub did: String,
    /// The authority id (roots: from `authority create --root`; others: from `accredit`).
    pub id: String,
}

impl Key {
    /// `--key FILE --passphrase-file FILE`.
    pub fn args(&self) -> Vec<String> {
        vec![
            "--key".into(),
            self.file.display().to_string(),
            "--passphrase-file".into(),
            self.pass.display().to_string(),
        ]
    }
}

/// A valid 统一社会信用代码 from its first 17 characters.
pub fn uscc(first17: &str) -> String {
    let c = honors::id::check_char(first17).expect("17 valid characters");
    format!("{first17}{c}")
}

/// A small registry built through the CLI:
/// - root 国家卫生健康委员会 (`root`), with schemes 三级甲等医院 (`grade_a`) and 三级乙等医院
///   (`grade_b`) and 全国三八红旗集体 (`red_flag`);
/// - 山东省卫生健康委员会 (`sd`), accredited for 山东省, may define schemes, granted grade_a and
///   grade_b (not red_flag), with its own scheme 山东省文明单位 (`sd_scheme`);
/// - holders 淄博市中心医院 (`h_sd`, 山东省/淄博市, registered by sd) and
///   焦作市人民医院 (`h_hn`, 河南省/焦作市, registered by root).
pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub db: Db,
    pub pass: PathBuf,
    pub root: Key,
    pub sd: Key,
    pub grade_a: String,
    pub grade_b: String,
    pub red_flag: String,
    pub sd_scheme: String,
    pub h_sd: String,
    pub h_hn: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        let pass = tmp.path().join("pass");
        std::fs::write(&pass, PASS).unwrap();
        let db = Db::new(tmp.path().join("db"));
        db.run(["init", "--log-key-passphrase-file", pass.to_str().unwrap()])
            .code(0);
        let root = create_key(
            &db,
            tmp.path(),
            &pass,
            "国家卫生健康委员会",
            "root.key",
            true,
        );
        let scheme = |title: &str, level: &str, category: &str, k: &Key| -> String {
            let mut a = vec![
                "scheme",
                "define",
                "--title",
                title,
                "--level",
                level,
                "--category",
                category,
            ];
            let ka = k.args();
            a.extend(ka.iter().map(String::as_str));
            db.json(a).ok_json()["scheme"].as_str().unwrap().to_string()
        };
        let grade_a = scheme("三级甲等医院", "national", "grading", &root);
        let grade_b = scheme("三级乙等医院", "national", "grading", &root);
        let red_flag = scheme("全国三八红旗集体", "national", "honorary_title", &root);
        let mut sd = create_key(
            &db,
            tmp.path(),
            &pass,
            "山东省卫生健康委员会",
            "sd.key",
            false,
        );
        sd.id = accredit(&db, &root, &sd, "山东省", &[&grade_a, &grade_b]);
        let sd_scheme = scheme("山东省文明单位", "provincial", "honorary_title", &sd);
        let h_sd = uscc("12370300MB0000001");
        let h_hn = uscc("12410800MB0000002");
        register(&db, &sd, &h_sd, "淄博市中心医院", "山东省", "淄博市");
        register(&db, &root, &h_hn, "焦作市人民医院", "河南省", "焦作市");
        Fixture {
            tmp,
            db,
            pass,
            root,
            sd,
            grade_a,
            grade_b,
            red_flag,
            sd_scheme,
            h_sd,
            h_hn,
        }
    }

    /// A new authority key (not yet accredited), in this fixture's directory.
    pub fn new_key(&self, name: &str, file: &str) -> Key {
        create_key(&self.db, self.tmp.path(), &self.pass, name, file, false)
    }

    /// Accredits `child` under `parent` for `jurisdiction`, granting `schemes`; sets its id.
    pub fn accredit(&self, parent: &Key, child: &mut Key, jurisdiction: &str, schemes: &[&str]) {
        child.id = accredit(&self.db, parent, child, jurisdiction, schemes);
    }

    /// `award issue` (JSON result, must succeed); returns the award id.
    pub fn issue(&self, key: &Key, holder: &str, scheme: &str, extra: &[&str]) -> String {
        let r = self.try_issue(key, holder, scheme, extra);
        r.ok_json()["id"].as_str().unwrap().to_string()
    }

    /// `award issue` with whatever outcome.
    pub fn try_issue(&self, key: &Key, holder: &str, scheme: &str, extra: &[&str]) -> Run {
        let mut a: Vec<String> = ["award", "issue", "--holder", holder, "--scheme", scheme]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a.extend(key.args());
        self.db.json(a)
    }

    /// `award ACTION ID --reason R` (suspend, reinstate, revoke) with whatever outcome.
    pub fn status(&self, key: &Key, action: &str, id: &str, reason: &str) -> Run {
        let mut a: Vec<String> = ["award", action, id, "--reason", reason]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(key.args());
        self.db.json(a)
    }

    /// Runs `honors --db DIR --json ARGS… --key … --passphrase-file …`.
    pub fn signed(&self, key: &Key, args: &[&str]) -> Run {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend(key.args());
        self.db.json(a)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

fn create_key(db: &Db, dir: &Path, pass: &Path, name: &str, file: &str, root: bool) -> Key {
    let key_file = dir.join(file);
    let mut a = vec![
        "authority".to_string(),
        "create".into(),
        "--name".into(),
        name.into(),
        "--key-out".into(),
        key_file.display().to_string(),
        "--passphrase-file".into(),
        pass.display().to_string(),
    ];
    if root {
        a.push("--root".into());
    }
    let v = db.json(a).ok_json();
    Key {
        file: key_file,
        pass: pass.to_path_buf(),
        did: v["did"].as_str().unwrap().to_string(),
        id: v["id"].as_str().unwrap_or_default().to_string(),
    }
}

fn accredit(db: &Db, parent: &Key, child: &Key, jurisdiction: &str, schemes: &[&str]) -> String {
    let mut a: Vec<String> = vec![
        "authority".into(),
        "accredit".into(),
        "--child-key".into(),
        child.file.display().to_string(),
        "--jurisdiction".into(),
        jurisdiction.into(),
        "--may-define-schemes".into(),
    ];
    for s in schemes {
        a.push("--scheme".into());
        a.push(s.to_string());
    }
    a.extend(parent.args());
    db.json(a).ok_json()["authority"]
        .as_str()
        .unwrap()
        .to_string()
}

fn register(db: &Db, key: &Key, uscc: &str, name: &str, province: &str, city: &str) {
    let mut a: Vec<String> = [
        "holder",
        "register",
        "--uscc",
        uscc,
        "--name",
        name,
        "--province",
        province,
        "--city",
        city,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(key.args());
    db.json(a).code(0);
}

/// Builds the demo registry in a new temporary directory: `(tempdir, db dir, demo JSON)`.
pub fn demo() -> (tempfile::TempDir, PathBuf, Value) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("demo");
    let v = run(["--json", "demo", "--dir", dir.to_str().unwrap()]).ok_json();
    (tmp, dir, v)
}

/// Copies a directory tree (a registry no process holds open).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The log entry bytes (Merkle leaf data) of an entry, rebuilt from its index, integration time
/// and exact statement bytes, as `src/entry.rs` documents the format.
pub fn entry_bytes(index: u64, time: &str, statement: &[u8]) -> Vec<u8> {
    let mut out = format!("honors-entry/v1\nindex {index}\ntime {time}\n\n").into_bytes();
    out.extend_from_slice(statement);
    out
}

/// Base64 (standard) decoding of a 32-byte hash.
pub fn hash_b64(s: &str) -> [u8; 32] {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
        .try_into()
        .expect("32 bytes")
}
