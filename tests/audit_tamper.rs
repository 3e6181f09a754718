//! Issue 3: `honors audit` finds every alteration of a registry made behind its back.
//!
//! Each test builds the demo registry with the binary, stops, tampers with the sled store
//! in-process through the library's store API (as an attacker with disk access would), and
//! then runs `honors --db D audit --json`: exit 1 and a finding at the RIGHT log index.
//! A clean registry audits with exit 0 and no findings; a registry rolled back to an older
//! copy is caught with `--against` a checkpoint kept from later.

mod common;

use common::*;
use honors::award::{Award, AwardState};
use honors::entry::Entry;
use honors::store::codec;
use honors::store::trees::{award_key, index_key, T};
use honors::store::{Store, Write};
use serde_json::Value;

/// A demo registry of its own for one test.
struct Demo {
    tmp: tempfile::TempDir,
    db: Db,
    report: Value,
}

fn demo_db() -> Demo {
    let (tmp, dir, report) = demo();
    Demo {
        tmp: tmp,
        db: Db::new(dir),
        report,
    }
}

impl Demo {
    /// Opens the store in this process, applies `f`, and closes it again.
    fn tamper(&self, f: impl FnOnce(&Store)) {
        let store = Store::open(&self.db.dir).expect("open the store in-process");
        f(&store);
    }

    /// `audit --json`: (exit code, report).
    fn audit(&self, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["--json", "audit"];
        args.extend_from_slice(extra);
        let r = self.db.run_when_free(&args);
        assert!(
            r.code == 0 || r.code == 1,
            "audit did not run to a report\n{r}"
        );
        let v = r.json();
        assert!(v["findings"].is_array(), "no findings list\n{r}");
        (r.code, v)
    }

    /// Audits and asserts exit 1 with a finding of `check` at `index`; returns the findings.
    #[track_caller]
    fn audit_finds(&self, index: u64, check: &str) -> Vec<Value> {
        let (code, v) = self.audit(&[]);
        let findings = v["findings"].as_array().unwrap().clone();
        assert_eq!(code, 1, "audit of a tampered registry must exit 1: {v:#}");
        assert!(
            findings
                .iter()
                .any(|f| f["index"] == index && f["check"] == check),
            "expected a `{check}` finding at index {index}, got {:#}",
            v["findings"]
        );
        findings
    }

    /// The log index of an award that `award list` shows as valid (the demo's sample award).
    fn sample_award(&self) -> (String, u64) {
        let id = self.report["sample_award"].as_str().unwrap().to_string();
        let list = self.db.awards();
        let a = list
            .iter()
            .find(|a| a["id"] == id.as_str())
            .expect("sample award listed");
        (id, a["index"].as_u64().unwrap())
    }

    fn entries(&self) -> u64 {
        self.report["entries"].as_u64().unwrap()
    }

    /// The demo's key of `authority`.
    fn key(&self, authority: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let k = self.report["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["authority"] == authority)
            .unwrap_or_else(|| panic!("no demo key for {authority}"));
        (
            k["key_file"].as_str().unwrap().into(),
            k["passphrase_file"].as_str().unwrap().into(),
        )
    }
}

fn read_entry(store: &Store, index: u64) -> Entry {
    Entry::parse(&store.entry(index).unwrap().expect("entry present")).unwrap()
}

fn put_entry(store: &Store, index: u64, bytes: Vec<u8>) {
    store
        .commit(&[Write::put(T::Entries, index.to_be_bytes(), bytes)])
        .unwrap();
}

fn findings_at(findings: &[Value], index: u64) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["index"] == index)
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_clean_registry_audits_clean() {
    let d = demo_db();
    let (code, v) = d.audit(&[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["entries"].as_u64(), Some(d.entries()));
    assert_eq!(v["tree_size"].as_u64(), Some(d.entries()));
    // Human output says so too.
    d.db.run(["audit"]).code(0).says(&["clean"]);
}

#[test]
fn a_changed_byte_in_a_stored_statement_is_found_at_its_index() {
    let d = demo_db();
    let (_, k) = d.sample_award();
    d.tamper(|s| {
        let mut bytes = s.entry(k).unwrap().unwrap();
        // One byte inside the signed statement: the last byte of the holder name's first
        // character (a UTF-8 continuation byte, so the text stays valid UTF-8).
        let at =
            find(&bytes, "\"holderName\":\"".as_bytes()).expect("holderName in the award") + 16;
        assert_eq!(bytes[at] & 0xC0, 0x80, "a continuation byte");
        bytes[at] ^= 0x01;
        put_entry(s, k, bytes);
    });
    let findings = d.audit_finds(k, "signature");
    // Only this entry is blamed among the entries (tree/checkpoint findings follow from it).
    for f in &findings {
        if let Some(i) = f["index"].as_u64() {
            // Stored subtree hashes are grouped under the leaf that completed them, so a later
            // leaf's group may be named too.
            assert!(
                i == k || f["check"] == "checkpoint" || (f["check"] == "tree" && i > k),
                "unexpected finding {f}"
            );
        }
    }
}

#[test]
fn a_removed_entry_is_found_at_its_index() {
    let d = demo_db();
    let (_, k) = d.sample_award();
    d.tamper(|s| {
        s.commit(&[Write {
            tree: T::Entries,
            key: k.to_be_bytes().to_vec(),
            value: None,
        }])
        .unwrap();
    });
    let findings = d.audit_finds(k, "entry");
    let f = findings
        .iter()
        .find(|f| f["index"] == k && f["check"] == "entry")
        .unwrap();
    assert!(f["found"].as_str().unwrap().contains("missing"), "{f}");
}

#[test]
fn two_swapped_entries_are_both_found() {
    let d = demo_db();
    let (_, k) = d.sample_award();
    let j = k + 3;
    d.tamper(|s| {
        let a = s.entry(k).unwrap().unwrap();
        let b = s.entry(j).unwrap().unwrap();
        s.commit(&[
            Write::put(T::Entries, k.to_be_bytes(), b),
            Write::put(T::Entries, j.to_be_bytes(), a),
        ])
        .unwrap();
    });
    let findings = d.audit_finds(k, "order");
    assert!(
        findings_at(&findings, j).contains(&"order".to_string()),
        "{findings:#?}"
    );
}

#[test]
fn an_entry_appended_behind_the_registrys_back_is_found() {
    let d = demo_db();
    let n = d.entries();
    // A statement that would pass every check: signed by a real root key, entitled to it.
    let (key_file, pass_file) = d.key("国家卫生健康委员会");
    let pass = honors::keyfile::Passphrase::from_file(&pass_file).unwrap();
    let (key, _) = honors::keyfile::read_key_file(&key_file, &pass).unwrap();
    let now = jiff::Timestamp::now();
    let st = honors::statement::Statement {
        id: format!("urn:uuid:{}", uuid::Uuid::now_v7()),
        issuer_did: honors::credential::did_for(&key.verifying_key()),
        issuer_name: "国家卫生健康委员会".into(),
        valid_from: now,
        valid_until: None,
        kind: honors::statement::Kind::Scheme {
            scheme: format!("urn:uuid:{}", uuid::Uuid::now_v7()),
            title: "未经登记的称号".into(),
            level: "national".into(),
            category: "honorary_title".into(),
            validity_years: None,
        },
    };
    let bytes = honors::statement::sign(&st, &key, now).unwrap();
    d.tamper(|s| {
        let entry = Entry {
            index: n,
            time: now,
            statement: bytes,
        }
        .encode()
        .unwrap();
        s.commit(&[
            Write::put(T::Entries, n.to_be_bytes(), entry),
            Write::put(T::Meta, b"size".to_vec(), (n + 1).to_be_bytes().to_vec()),
        ])
        .unwrap();
    });
    // The registry itself now refuses to open (its start-up check) ...
    d.db.run_when_free(&["award", "list"])
        .code(3)
        .says(&["integrity check failed"]);
    // ... but the auditor can still replay it, and is told where: no signed checkpoint covers entry n.
    let findings = d.audit_finds(n, "checkpoint");
    let at_n = findings_at(&findings, n);
    assert!(
        !at_n.contains(&"signature".to_string()) && !at_n.contains(&"policy".to_string()),
        "the entry itself is well-formed: {findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f["check"] == "integrity"),
        "the start-up check is reported too: {findings:#?}"
    );
}

#[test]
fn a_back_dated_entry_is_found_at_its_index() {
    let d = demo_db();
    let (_, k) = d.sample_award();
    d.tamper(|s| {
        let prev = read_entry(s, k - 1);
        let mut e = read_entry(s, k);
        e.time = prev.time - jiff::SignedDuration::from_hours(24 * 30);
        put_entry(s, k, e.encode().unwrap());
    });
    let findings = d.audit_finds(k, "time");
    // Changing the entry also changes its leaf, so the tree no longer matches the checkpoints.
    assert!(
        findings.iter().any(|f| f["check"] == "checkpoint"),
        "{findings:#?}"
    );
}

#[test]
fn a_status_changed_without_a_statement_is_found_at_the_award() {
    let d = demo_db();
    let (id, k) = d.sample_award();
    assert_eq!(d.db.status_of(&id), "valid");
    d.tamper(|s| {
        let mut a: Award = codec::decode(
            "award",
            &s.get(T::Awards, &award_key(&id).unwrap()).unwrap().unwrap(),
        )
        .unwrap();
        a.state = AwardState::Revoked {
            on_us: a.integrated_us,
            index: k,
            reason: "quietly withdrawn".into(),
        };
        s.commit(&[Write::put(
            T::Awards,
            award_key(&id).unwrap().to_vec(),
            codec::encode("award", &a).unwrap(),
        )])
        .unwrap();
    });
    // The listing now tells the lie ...
    assert_eq!(d.db.status_of(&id), "revoked");
    // ... and the audit finds that no statement supports it.
    let findings = d.audit_finds(k, "state");
    let f = findings
        .iter()
        .find(|f| f["index"] == k && f["check"] == "state")
        .unwrap();
    assert!(f["expected"].as_str().unwrap().contains(&id), "{f}");
}

#[test]
fn an_index_listing_removed_or_added_behind_the_registrys_back_is_found() {
    let d = demo_db();
    let (id, k) = d.sample_award();
    let uscc =
        d.db.awards()
            .into_iter()
            .find(|a| a["id"] == id.as_str())
            .unwrap()["holder_uscc"]
            .as_str()
            .unwrap()
            .to_string();
    d.tamper(|s| {
        s.commit(&[
            // The award disappears from its holder's list ...
            Write {
                tree: T::ByHolder,
                key: index_key(&uscc, &id).unwrap(),
                value: None,
            },
            // ... and shows up under a title it never had.
            Write::put(
                T::ByTitle,
                index_key("伪造的称号", &id).unwrap(),
                Vec::new(),
            ),
        ])
        .unwrap();
    });
    assert!(
        !d.db
            .json(["award", "list", "--holder", &uscc])
            .ok_json()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id.as_str()),
        "the holder's listing no longer shows the award"
    );
    let findings = d.audit_finds(k, "index");
    let unlisted = findings
        .iter()
        .find(|f| f["index"] == k && f["check"] == "index")
        .unwrap();
    let expected = unlisted["expected"].as_str().unwrap();
    assert!(
        expected.contains(&id) && expected.contains(&uscc),
        "{unlisted}"
    );
    assert_eq!(unlisted["found"], "not listed");
    let extra = findings
        .iter()
        .find(|f| f["check"] == "index" && f["expected"].as_str().unwrap().contains("伪造的称号"))
        .unwrap_or_else(|| panic!("no finding for the added listing: {findings:#?}"));
    assert!(extra["expected"].as_str().unwrap().contains(&id), "{extra}");
    assert_eq!(extra["found"], "a listing the log does not support");
}

#[test]
fn a_registry_rolled_back_to_an_older_copy_is_found_against_a_kept_checkpoint() {
    let d = demo_db();
    let n = d.entries();
    let old = d.tmp.path().join("old-copy");
    copy_dir(&d.db.dir, &old);
    let old_cp = d.tmp.path().join("checkpoint-old.txt");
    std::fs::write(&old_cp, d.db.checkpoint_note()).unwrap();
    // The live registry moves on.
    let (key_file, pass_file) = d.key("国家卫生健康委员会");
    d.db.json([
        "scheme",
        "define",
        "--title",
        "全国改善医疗服务示范医院",
        "--level",
        "national",
        "--key",
        key_file.to_str().unwrap(),
        "--passphrase-file",
        pass_file.to_str().unwrap(),
    ])
    .code(0);
    assert_eq!(d.db.log_size(), n + 1);
    let kept = d.tmp.path().join("checkpoint-kept.txt");
    std::fs::write(&kept, d.db.checkpoint_note()).unwrap();
    // The live registry contains both kept checkpoints.
    let kept_s = kept.to_str().unwrap();
    assert_eq!(d.audit(&["--against", kept_s]).0, 0);
    assert_eq!(d.audit(&["--against", old_cp.to_str().unwrap()]).0, 0);
    // The old copy audits clean on its own: only the kept checkpoint reveals the rollback.
    let old_db = Demo {
        tmp: tempfile::tempdir().unwrap(),
        db: Db::new(&old),
        report: d.report.clone(),
    };
    assert_eq!(old_db.audit(&[]).0, 0);
    let (code, v) = old_db.audit(&["--against", kept_s]);
    assert_eq!(code, 1, "{v:#}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "against")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["index"].as_u64(), Some(n), "{f}");
    assert!(f["found"].as_str().unwrap().contains("rolled back"), "{f}");
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
