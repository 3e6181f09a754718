//! Crash safety: kill -9 a batch import at many moments, reopen, and check that every
//! acknowledged batch is present, no partial batch is visible, the tree matches the signed
//! checkpoint and the audit is clean. Then a torn or corrupted store must give a clear error,
//! never a panic. `HONORS_CRASH_TRIALS` sets the number of kills (default 50; the documented
//! long run uses 500).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const ROWS: usize = 1500;
const BATCH: usize = 50;

fn honors() -> Command {
    Command::new(env!("CARGO_BIN_EXE_honors"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

struct Fixture {
    _tmp: tempfile::TempDir,
    pristine: PathBuf,
    csv: PathBuf,
    key: String,
    pass: String,
    scheme: String,
    work: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let pristine = tmp.path().join("pristine");
    let out = honors()
        .args(["demo", "--json", "--quiet", "--dir"])
        .arg(&pristine)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = demo["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["authority"] == "河南省卫生健康委员会")
        .unwrap();
    let schemes = honors()
        .arg("--db")
        .arg(&pristine)
        .args(["scheme", "list", "--json"])
        .output()
        .unwrap();
    let schemes: serde_json::Value = serde_json::from_slice(&schemes.stdout).unwrap();
    let scheme = schemes
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "省健康促进示范医院")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let holders = honors()
        .arg("--db")
        .arg(&pristine)
        .args(["holder", "list", "--json"])
        .output()
        .unwrap();
    let holders: serde_json::Value = serde_json::from_slice(&holders.stdout).unwrap();
    let jiaozuo = holders
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "焦作市妇幼保健院")
        .unwrap()["uscc"]
        .as_str()
        .unwrap()
        .to_string();
    let csv = tmp.path().join("rows.csv");
    let mut text = String::from("uscc,holder,title,scheme,valid_from,valid_until,year\n");
    for i in 0..ROWS {
        text.push_str(&format!(
            "{jiaozuo},焦作市妇幼保健院,崩溃测试奖项{i},{scheme},2025-01-01,2027-12-31,2025\n"
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let work = tmp.path().join("work");
    Fixture {
        key: key["key_file"].as_str().unwrap().into(),
        pass: key["passphrase_file"].as_str().unwrap().into(),
        _tmp: tmp,
        pristine,
        csv,
        scheme,
        work,
    }
}

impl Fixture {
    fn import(&self, db: &Path) -> Command {
        let mut c = honors();
        c.arg("--db")
            .arg(db)
            .args([
                "award",
                "import",
                "--batch-size",
                &BATCH.to_string(),
                "--key",
                &self.key,
                "--passphrase-file",
                &self.pass,
            ])
            .arg(&self.csv);
        c
    }

    fn imported(&self, db: &Path) -> usize {
        let out = honors()
            .arg("--db")
            .arg(db)
            .args(["award", "list", "--json", "--scheme", &self.scheme])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "award list: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["title"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("崩溃测试奖项")
            })
            .count()
    }

    fn audit_clean(&self, db: &Path, trial: usize) {
        let out = honors()
            .arg("--db")
            .arg(db)
            .args(["audit", "--json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "trial {trial}: audit not clean: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["findings"], serde_json::json!([]));
        assert_eq!(
            report["entries"], report["tree_size"],
            "trial {trial}: checkpoint does not cover the log"
        );
    }
}

#[test]
fn kill_9_during_import_loses_nothing_acknowledged() {
    let fx = fixture();
    let trials: usize = std::env::var("HONORS_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let mut outcomes = (0usize, 0usize); // (killed mid-import, finished before the kill)
    for trial in 0..trials {
        let db = fx.work.join(format!("t{trial}"));
        copy_dir(&fx.pristine, &db);
        let mut child = fx
            .import(&db)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acked = 0usize;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("committed rows up to line ") {
                    let last: usize = rest.split_whitespace().next().unwrap().parse().unwrap();
                    acked = last - 1; // line 1 is the header
                }
            }
            acked
        });
        // Spread the kills deterministically over the import (startup, key unlock, batches).
        let delay = (trial * 7_919) % 700;
        std::thread::sleep(Duration::from_millis(delay as u64));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let acked = reader.join().unwrap();
        if finished {
            outcomes.1 += 1;
        } else {
            outcomes.0 += 1;
        }
        let present = fx.imported(&db);
        assert!(
            present >= acked,
            "trial {trial}: {acked} rows acknowledged but only {present} present"
        );
        assert!(
            present % BATCH == 0 || present == ROWS,
            "trial {trial}: a partial batch is visible ({present} rows)"
        );
        fx.audit_clean(&db, trial);
        // Every third trial: resume the import and check it completes without duplicates.
        if trial % 3 == 0 {
            let out = fx.import(&db).arg("--json").output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "trial {trial}: resume failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                summary["imported"].as_u64().unwrap() as usize + present,
                ROWS,
                "trial {trial}: {summary}"
            );
            assert_eq!(fx.imported(&db), ROWS);
            fx.audit_clean(&db, trial);
        }
        std::fs::remove_dir_all(&db).unwrap();
    }
    eprintln!(
        "crash trials: {trials} ({} killed mid-import, {} finished first)",
        outcomes.0, outcomes.1
    );
    assert!(
        outcomes.0 >= trials / 2,
        "most kills should land mid-import: {outcomes:?}"
    );
}

#[test]
fn damaged_store_gives_a_clear_error_not_a_panic() {
    let fx = fixture();
    let cases: Vec<(&str, Box<dyn Fn(&Path)>)> = vec![
        (
            "truncated data file",
            Box::new(|db: &Path| {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(db.join("store/db"))
                    .unwrap();
                let len = f.metadata().unwrap().len();
                f.set_len(len / 3).unwrap();
            }),
        ),
        (
            "garbage in the data file",
            Box::new(|db: &Path| {
                let path = db.join("store/db");
                let mut bytes = std::fs::read(&path).unwrap();
                let n = bytes.len();
                for b in bytes[n / 4..n / 2].iter_mut() {
                    *b ^= 0x5a;
                }
                std::fs::write(&path, bytes).unwrap();
            }),
        ),
        (
            "missing config",
            Box::new(|db: &Path| std::fs::remove_file(db.join("store/conf")).unwrap()),
        ),
        (
            "missing registry.toml",
            Box::new(|db: &Path| std::fs::remove_file(db.join("registry.toml")).unwrap()),
        ),
    ];
    for (i, (what, damage)) in cases.iter().enumerate() {
        let db = fx.work.join(format!("damaged{i}"));
        copy_dir(&fx.pristine, &db);
        damage(&db);
        for args in [vec!["award", "list", "--json"], vec!["audit", "--json"]] {
            let out = honors().arg("--db").arg(&db).args(&args).output().unwrap();
            let code = out.status.code();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_ne!(
                code,
                Some(101),
                "{what}: `{}` panicked: {stderr}",
                args.join(" ")
            );
            if code == Some(0) {
                // sled may not notice damage in pages it does not read; a truncated file it must.
                assert_ne!(
                    *what,
                    "truncated data file",
                    "`{}` accepted a truncated store",
                    args.join(" ")
                );
                continue;
            }
            assert!(
                matches!(code, Some(1..=3)),
                "{what}: exit {code:?}: {stderr}"
            );
            if code == Some(1) && args[0] == "audit" {
                // The audit read the damage and reported it as findings: detected, not trusted.
                let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert!(
                    !report["findings"].as_array().unwrap().is_empty(),
                    "{what}: exit 1 without findings"
                );
                continue;
            }
            assert!(
                stderr.contains("error:")
                    && (stderr.contains("restore") || stderr.contains("registry")),
                "{what}: unclear error: {stderr}"
            );
        }
    }
}

#[test]
fn backup_restores_to_the_same_checkpoint_and_damage_is_refused() {
    let fx = fixture();
    let backup = fx.work.join("backup");
    let out = honors()
        .arg("--db")
        .arg(&fx.pristine)
        .args(["backup", "--json"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = std::fs::metadata(backup.join("log.key")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&key.permissions()) & 0o777,
        0o600
    );
    // Restore into a new directory: same checkpoint, clean audit, same awards.
    let restored = fx.work.join("restored");
    let out = honors()
        .arg("--db")
        .arg(&restored)
        .args(["restore", "--json"])
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(back["root"], report["root"]);
    let cp = |db: &Path| {
        honors()
            .arg("--db")
            .arg(db)
            .args(["log", "checkpoint"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(cp(&restored), cp(&fx.pristine));
    fx.audit_clean(&restored, 0);
    let list = |db: &Path| {
        honors()
            .arg("--db")
            .arg(db)
            .args(["award", "list", "--json"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(list(&restored), list(&fx.pristine));
    // Restoring over an existing registry is refused.
    let again = honors()
        .arg("--db")
        .arg(&restored)
        .args(["restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    // A damaged backup is refused with the entry named, and a truncated one too.
    let entries = std::fs::read(backup.join("entries")).unwrap();
    let mut edited = entries.clone();
    let at = edited.len() / 2;
    edited[at] ^= 0x01;
    std::fs::write(backup.join("entries"), &edited).unwrap();
    let out = honors()
        .arg("--db")
        .arg(fx.work.join("r2"))
        .args(["restore"])
        .arg(&backup)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("entry") && stderr.contains("damaged"),
        "{stderr}"
    );
    std::fs::write(backup.join("entries"), &entries[..entries.len() - 7]).unwrap();
    let out = honors()
        .arg("--db")
        .arg(fx.work.join("r3"))
        .args(["restore"])
        .arg(&backup)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Private key bytes appear nowhere: not in the store, not in the repository, not in any output.
#[test]
fn no_private_key_bytes_in_store_repository_or_output() {
    use base64::Engine;
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("demo");
    let demo = honors()
        .args(["demo", "--json", "--dir"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(demo.status.success());
    let report: serde_json::Value = serde_json::from_slice(&demo.stdout).unwrap();
    let mut needles: Vec<Vec<u8>> = Vec::new();
    let mut keys: Vec<(PathBuf, PathBuf)> = report["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                PathBuf::from(k["key_file"].as_str().unwrap()),
                PathBuf::from(k["passphrase_file"].as_str().unwrap()),
            )
        })
        .collect();
    keys.push((db.join("log.key"), db.join("keys/log.pass")));
    for (key, pass) in &keys {
        let p = honors::keyfile::Passphrase::from_file(pass).unwrap();
        let (sk, _) = honors::keyfile::read_key_file(key, &p).unwrap();
        let seed = sk.to_bytes();
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        needles.push(seed.to_vec());
        needles.push(hex.clone().into_bytes());
        needles.push(hex.to_uppercase().into_bytes());
        needles.push(
            base64::engine::general_purpose::STANDARD
                .encode(seed)
                .into_bytes(),
        );
        needles.push(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .encode(seed)
                .into_bytes(),
        );
        needles.push(bs58::encode(seed).into_string().into_bytes());
    }
    let contains = |hay: &[u8]| {
        needles
            .iter()
            .any(|n| hay.windows(n.len()).any(|w| w == n.as_slice()))
    };
    // Outputs of commands, including failures.
    let (k, p) = &keys[0];
    let wrong = tmp.path().join("wrong.pass");
    std::fs::write(&wrong, "not the passphrase").unwrap();
    let runs = [
        honors()
            .arg("--db")
            .arg(&db)
            .args(["award", "list", "--json"])
            .output()
            .unwrap(),
        honors()
            .arg("--db")
            .arg(&db)
            .args(["audit", "--json"])
            .output()
            .unwrap(),
        honors()
            .arg("--db")
            .arg(&db)
            .args(["authority", "list", "--json"])
            .output()
            .unwrap(),
        honors()
            .arg("--db")
            .arg(&db)
            .args([
                "scheme", "define", "--title", "x", "--level", "national", "--key",
            ])
            .arg(k)
            .arg("--passphrase-file")
            .arg(&wrong)
            .output()
            .unwrap(),
        honors()
            .arg("--db")
            .arg(&db)
            .args([
                "scheme", "define", "--title", "测试", "--level", "bogus", "--key",
            ])
            .arg(k)
            .arg("--passphrase-file")
            .arg(p)
            .output()
            .unwrap(),
    ];
    for out in std::iter::once(&demo).chain(runs.iter()) {
        assert!(
            !contains(&out.stdout) && !contains(&out.stderr),
            "private key bytes in command output"
        );
    }
    assert_eq!(
        runs[3].status.code(),
        Some(2),
        "wrong passphrase must exit 2"
    );
    // Every file of the store (raw sled files) and of the registry directory besides key files.
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), out);
            } else {
                out.push(e.path());
            }
        }
    }
    let mut files = Vec::new();
    walk(&db.join("store"), &mut files);
    files.push(db.join("registry.toml"));
    files.push(db.join("trust-roots.toml"));
    assert!(files.len() > 3);
    for f in &files {
        assert!(
            !contains(&std::fs::read(f).unwrap()),
            "private key bytes in {}",
            f.display()
        );
    }
    // The repository itself.
    let mut repo = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["src", "tests", "keys", "docs"] {
        if root.join(sub).exists() {
            walk(&root.join(sub), &mut repo);
        }
    }
    for f in &repo {
        assert!(
            !contains(&std::fs::read(f).unwrap()),
            "private key bytes in {}",
            f.display()
        );
    }
}
