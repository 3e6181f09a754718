//! Issue 2 lifecycle scenarios, driving the `honors` binary: suspend/reinstate/revoke with
//! refusals of illegal transitions, renewal, correction and downgrade, key rotation, key
//! compromise, authority succession, holder rename and merge, search across scripts, and an
//! award's history.

mod common;

use common::*;
use serde_json::Value;

fn history(f: &Fixture, id: &str) -> Vec<Value> {
    match f.db.json(["history", id]).ok_json() {
        Value::Array(a) => a,
        other => panic!("history is not an array: {other}"),
    }
}

fn events(h: &[Value]) -> Vec<String> {
    h.iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `verify` of an award's exported credential against the registry: (exit code, verdict).
fn verdict(f: &Fixture, id: &str) -> (i32, String) {
    let p = f.path(&format!("{}.json", id.trim_start_matches("urn:uuid:")));
    std::fs::write(&p, f.db.credential(id)).unwrap();
    let r = f.db.json([
        "verify",
        p.to_str().unwrap(),
        "--trust",
        f.db.trust().to_str().unwrap(),
    ]);
    let v = r.json();
    (r.code, v["verdict"].as_str().unwrap().to_string())
}

/// The registry replays clean: every decision the live registry made, the audit makes too.
#[track_caller]
fn assert_audit_clean(f: &Fixture) {
    let v = f.db.json(["audit"]).ok_json();
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["entries"].as_u64(), Some(f.db.log_size()));
}

#[test]
fn suspend_reinstate_revoke_and_illegal_transitions() {
    let f = Fixture::new();
    let a = f.issue(&f.sd, &f.h_sd, &f.grade_a, &["--valid-until", "2035-12-31"]);
    assert_eq!(f.db.status_of(&a), "valid");
    assert_eq!(verdict(&f, &a), (0, "valid".into()));

    // Reinstating a valid award is refused, and nothing is stored.
    let size = f.db.log_size();
    f.status(&f.sd, "reinstate", &a, "无需恢复")
        .code(1)
        .says(&["cannot be reinstated", "active"]);
    assert_eq!(f.db.log_size(), size);

    f.status(&f.sd, "suspend", &a, "限期整改").code(0);
    assert_eq!(f.db.status_of(&a), "suspended");
    assert_eq!(verdict(&f, &a), (1, "suspended".into()));
    // Suspending twice is refused.
    let size = f.db.log_size();
    f.status(&f.sd, "suspend", &a, "再次整改")
        .code(1)
        .says(&["cannot be suspended", "suspended"]);
    assert_eq!(f.db.log_size(), size);

    f.status(&f.sd, "reinstate", &a, "整改合格").code(0);
    assert_eq!(f.db.status_of(&a), "valid");
    assert_eq!(verdict(&f, &a), (0, "valid".into()));

    // Only its issuer (or a successor, or a higher authority) may change it.
    let mut other = f.new_key("青岛市卫生健康委员会", "qd.key");
    f.accredit(&f.root, &mut other, "山东省/青岛市", &[]);
    let size = f.db.log_size();
    f.status(&other, "revoke", &a, "越权")
        .code(1)
        .says(&["may not revoke"]);
    assert_eq!(f.db.log_size(), size);
    // The parent may.
    f.status(&f.root, "suspend", &a, "上级督查").code(0);
    assert_eq!(f.db.status_of(&a), "suspended");

    f.status(&f.sd, "revoke", &a, "撤销称号").code(0);
    assert_eq!(f.db.status_of(&a), "revoked");
    assert_eq!(verdict(&f, &a), (1, "revoked".into()));
    // Nothing brings a revoked award back.
    let size = f.db.log_size();
    for action in ["reinstate", "suspend", "revoke"] {
        f.status(&f.sd, action, &a, "再议")
            .code(1)
            .says(&["revoked"]);
    }
    assert_eq!(f.db.log_size(), size);
    // An unknown award id is an input error.
    f.status(
        &f.sd,
        "suspend",
        "urn:uuid:00000000-0000-7000-8000-000000000000",
        "x",
    )
    .code(2)
    .says(&["no award has the id"]);

    // The history lists every event with its log index and time, in order.
    let h = history(&f, &a);
    assert_eq!(
        events(&h),
        ["issued", "suspend", "reinstate", "suspend", "revoke"]
    );
    let idx: Vec<u64> = h.iter().map(|e| e["index"].as_u64().unwrap()).collect();
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "{idx:?}");
    let times: Vec<jiff::Timestamp> = h.iter().map(|e| ts(e["time"].as_str().unwrap())).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(h[1]["reason"], "限期整改");
    assert_eq!(h[3]["signer"], "国家卫生健康委员会");
    assert_eq!(h[4]["reason"], "撤销称号");
    // `show` includes the same history; the human form lists the indexes.
    let shown = f.db.json(["show", &a]).ok_json();
    assert_eq!(shown["type"], "award");
    assert_eq!(shown["history"].as_array().unwrap().len(), 5);
    let text = f.db.run(["history", &a]).code(0).stdout;
    for i in &idx {
        assert!(text.contains(&format!("#{i}")), "{text}");
    }
    assert_audit_clean(&f);
}

#[test]
fn renewal_links_a_new_award_and_the_old_one_runs_to_its_end() {
    let f = Fixture::new();
    let old = f.issue(
        &f.sd,
        &f.h_sd,
        &f.sd_scheme,
        &[
            "--valid-from",
            "2024-01-01",
            "--valid-until",
            "2099-12-31",
            "--year",
            "2024",
        ],
    );
    let r = f.signed(
        &f.sd,
        &[
            "award",
            "renew",
            &old,
            "--valid-from",
            "2100-01-01",
            "--valid-until",
            "2102-12-31",
            "--year",
            "2100",
            "--reason",
            "复查合格",
        ],
    );
    let new = r.ok_json()["id"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    // The old award stays valid until its own end; the renewal starts after it.
    assert_eq!(f.db.status_of(&old), "valid");
    assert_eq!(f.db.status_of(&new), "not_yet_valid");
    // Linked both ways: the old award's history names the renewal, the renewal's credential the old award.
    let h = history(&f, &old);
    assert_eq!(
        events(&h),
        ["issued".to_string(), format!("renew-by {new}")]
    );
    let cred = f.db.credential(&new);
    assert!(
        cred.contains(&old),
        "the renewal credential does not name {old}: {cred}"
    );
    let list = f.db.awards();
    let n = list.iter().find(|a| a["id"] == new.as_str()).unwrap();
    assert_eq!(
        (
            n["title"].as_str(),
            n["scheme"].as_str(),
            n["valid_from"].as_str()
        ),
        (
            Some("山东省文明单位"),
            Some("山东省文明单位"),
            Some("2100-01-01")
        )
    );
    // A revoked award cannot be renewed.
    f.status(&f.sd, "revoke", &old, "撤销").code(0);
    let size = f.db.log_size();
    f.signed(&f.sd, &["award", "renew", &old, "--reason", "再次复查"])
        .code(1)
        .says(&["revoked or superseded"]);
    assert_eq!(f.db.log_size(), size);
    assert_audit_clean(&f);
}

#[test]
fn correction_and_downgrade_supersede_the_earlier_award() {
    let f = Fixture::new();
    let a = f.issue(
        &f.sd,
        &f.h_sd,
        &f.grade_a,
        &[
            "--title",
            "三级甲等医院（误）",
            "--valid-from",
            "2024-05-01",
            "--valid-until",
            "2028-04-30",
        ],
    );
    let c = f
        .signed(
            &f.sd,
            &[
                "award",
                "correct",
                &a,
                "--title",
                "三级甲等医院",
                "--reason",
                "更正名称",
            ],
        )
        .ok_json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(f.db.status_of(&a), "superseded");
    assert_eq!(f.db.status_of(&c), "valid");
    assert_eq!(verdict(&f, &a), (1, "superseded".into()));
    let list = f.db.awards();
    let cv = list.iter().find(|x| x["id"] == c.as_str()).unwrap();
    assert_eq!(
        (
            cv["title"].as_str(),
            cv["valid_from"].as_str(),
            cv["valid_until"].as_str()
        ),
        (Some("三级甲等医院"), Some("2024-05-01"), Some("2028-04-30"))
    );
    assert_eq!(
        events(&history(&f, &a)),
        ["issued".to_string(), format!("correct-by {c}")]
    );
    // A superseded award cannot be corrected again.
    let size = f.db.log_size();
    f.signed(&f.sd, &["award", "correct", &a, "--reason", "再次更正"])
        .code(1)
        .says(&["already revoked or superseded"]);
    assert_eq!(f.db.log_size(), size);

    // Downgrade: 三级甲等 → 三级乙等 with --scheme.
    let d = f
        .signed(
            &f.sd,
            &[
                "award",
                "correct",
                &c,
                "--scheme",
                &f.grade_b,
                "--reason",
                "复核降级",
            ],
        )
        .ok_json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(f.db.status_of(&c), "superseded");
    let list = f.db.awards();
    let dv = list.iter().find(|x| x["id"] == d.as_str()).unwrap();
    assert_eq!(
        (
            dv["status"].as_str(),
            dv["scheme"].as_str(),
            dv["title"].as_str()
        ),
        (Some("valid"), Some("三级乙等医院"), Some("三级乙等医院"))
    );
    assert_eq!(
        events(&history(&f, &c)),
        ["issued".to_string(), format!("downgrade-by {d}")]
    );
    // A downgrade to a scheme the issuer may not issue is refused.
    let size = f.db.log_size();
    f.signed(
        &f.sd,
        &[
            "award",
            "correct",
            &d,
            "--scheme",
            &f.red_flag,
            "--reason",
            "x",
        ],
    )
    .code(1)
    .says(&["may not issue"]);
    assert_eq!(f.db.log_size(), size);
    assert_eq!(f.db.status_of(&d), "valid");
    assert_audit_clean(&f);
}

#[test]
fn after_key_rotation_the_old_key_is_refused_and_its_awards_stay_valid() {
    let f = Fixture::new();
    let a = f.issue(&f.sd, &f.h_sd, &f.grade_a, &[]);
    let new_file = f.path("sd-2.key");
    let r = f
        .signed(
            &f.sd,
            &[
                "authority",
                "rotate-key",
                "--new-key-out",
                new_file.to_str().unwrap(),
                "--reason",
                "定期轮换",
            ],
        )
        .ok_json();
    let sd2 = Key {
        file: new_file,
        did: r["new_did"].as_str().unwrap().to_string(),
        ..f.sd.clone()
    };
    assert_ne!(sd2.did, f.sd.did);
    assert_eq!(r["authority"], f.sd.id.as_str());
    // The old key can no longer sign anything.
    let size = f.db.log_size();
    f.try_issue(&f.sd, &f.h_sd, &f.grade_a, &[])
        .code(1)
        .says(&[&f.sd.did, "retired"]);
    f.status(&f.sd, "suspend", &a, "x")
        .code(1)
        .says(&["retired"]);
    assert_eq!(f.db.log_size(), size);
    // What it signed before stays valid; the new key issues and manages.
    assert_eq!(f.db.status_of(&a), "valid");
    assert_eq!(verdict(&f, &a), (0, "valid".into()));
    let b = f.issue(&sd2, &f.h_sd, &f.grade_a, &[]);
    assert_eq!(f.db.status_of(&b), "valid");
    assert_eq!(verdict(&f, &b), (0, "valid".into()));
    f.status(&sd2, "suspend", &a, "新密钥管理旧奖项").code(0);
    assert_eq!(f.db.status_of(&a), "suspended");
    // Both awards name the same issuer.
    let list = f.db.awards();
    assert!(
        list.iter().all(|x| x["issuer"] == "山东省卫生健康委员会"),
        "{list:#?}"
    );
    assert_audit_clean(&f);
}

#[test]
fn a_compromised_key_voids_only_what_was_logged_after_the_compromise() {
    let f = Fixture::new();
    let a = f.issue(&f.sd, &f.h_sd, &f.grade_a, &[]);
    let a_time = ts(history(&f, &a)[0]["time"].as_str().unwrap());
    std::thread::sleep(std::time::Duration::from_millis(5));
    let t = jiff::Timestamp::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let b = f.issue(&f.sd, &f.h_sd, &f.sd_scheme, &[]);
    let b_time = ts(history(&f, &b)[0]["time"].as_str().unwrap());
    assert!(
        a_time < t && t <= b_time,
        "A at {a_time}, T {t}, B at {b_time}"
    );
    assert_eq!(f.db.status_of(&b), "valid");

    // Only the parent (or the authority itself with another key) may report it.
    let mut stranger = f.new_key("河南省卫生健康委员会", "hn.key");
    f.accredit(&f.root, &mut stranger, "河南省", &[]);
    let size = f.db.log_size();
    let t_arg = t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    f.signed(
        &stranger,
        &[
            "authority",
            "revoke-key",
            "--did",
            &f.sd.did,
            "--compromised-at",
            &t_arg,
            "--reason",
            "x",
        ],
    )
    .code(1)
    .says(&["may not revoke a key"]);
    assert_eq!(f.db.log_size(), size);

    f.signed(
        &f.root,
        &[
            "authority",
            "revoke-key",
            "--did",
            &f.sd.did,
            "--compromised-at",
            &t_arg,
            "--reason",
            "私钥泄露",
        ],
    )
    .code(0);
    // A, logged before the compromise, stays valid; B, logged after it, is invalid.
    assert_eq!(f.db.status_of(&a), "valid");
    assert_eq!(f.db.status_of(&b), "invalid");
    assert_eq!(verdict(&f, &a), (0, "valid".into()));
    assert_eq!(verdict(&f, &b), (1, "invalid".into()));
    // The compromised key can sign nothing more.
    let size = f.db.log_size();
    f.try_issue(&f.sd, &f.h_sd, &f.grade_a, &[])
        .code(1)
        .says(&[&f.sd.did, "compromised"]);
    f.status(&f.sd, "revoke", &a, "x")
        .code(1)
        .says(&["compromised"]);
    assert_eq!(f.db.log_size(), size);
    // Reporting it twice is refused.
    f.signed(
        &f.root,
        &[
            "authority",
            "revoke-key",
            "--did",
            &f.sd.did,
            "--compromised-at",
            &t_arg,
            "--reason",
            "again",
        ],
    )
    .code(1);
    assert_eq!(f.db.log_size(), size);
    assert_audit_clean(&f);
}

#[test]
fn a_successor_takes_over_and_the_predecessor_can_no_longer_sign() {
    let f = Fixture::new();
    let mut old = f.new_key("山东省卫生和计划生育委员会", "old.key");
    f.accredit(&f.root, &mut old, "山东省", &[&f.grade_a]);
    let a = f.issue(&old, &f.h_sd, &f.grade_a, &[]);
    let new = f.new_key("山东省卫生健康委员会（新）", "new.key");
    // Only the accrediting authority may declare a successor.
    let size = f.db.log_size();
    f.signed(
        &f.sd,
        &[
            "authority",
            "succeed",
            "--predecessor",
            &old.id,
            "--successor-key",
            new.file.to_str().unwrap(),
            "--reason",
            "x",
        ],
    )
    .code(1)
    .says(&["only its accrediting authority"]);
    assert_eq!(f.db.log_size(), size);
    let r = f
        .signed(
            &f.root,
            &[
                "authority",
                "succeed",
                "--predecessor",
                &old.id,
                "--successor-key",
                new.file.to_str().unwrap(),
                "--reason",
                "2018年机构改革",
            ],
        )
        .ok_json();
    let new = Key {
        id: r["successor"].as_str().unwrap().to_string(),
        ..new
    };
    // The predecessor's award stays valid and keeps its issuer's name.
    assert_eq!(f.db.status_of(&a), "valid");
    assert_eq!(verdict(&f, &a), (0, "valid".into()));
    let list = f.db.awards();
    assert_eq!(list[0]["issuer"], "山东省卫生和计划生育委员会");
    // The predecessor can no longer sign.
    let size = f.db.log_size();
    f.try_issue(&old, &f.h_sd, &f.grade_a, &[])
        .code(1)
        .says(&["succeeded"]);
    f.status(&old, "suspend", &a, "x")
        .code(1)
        .says(&["succeeded"]);
    assert_eq!(f.db.log_size(), size);
    // The successor manages the predecessor's awards and issues under its grants.
    f.status(&new, "suspend", &a, "继任机构督查").code(0);
    assert_eq!(f.db.status_of(&a), "suspended");
    let b = f.issue(&new, &f.h_sd, &f.grade_a, &[]);
    let list = f.db.awards();
    let bv = list.iter().find(|x| x["id"] == b.as_str()).unwrap();
    assert_eq!(
        (bv["issuer"].as_str(), bv["status"].as_str()),
        (Some("山东省卫生健康委员会（新）"), Some("valid"))
    );
    assert_audit_clean(&f);
}

#[test]
fn holder_rename_carries_awards_over_and_merge_ends_them() {
    let f = Fixture::new();
    let a = f.issue(&f.sd, &f.h_sd, &f.grade_a, &[]);
    f.signed(
        &f.sd,
        &[
            "holder",
            "rename",
            "--uscc",
            &f.h_sd,
            "--name",
            "淄博市第一人民医院",
            "--reason",
            "更名",
        ],
    )
    .code(0);
    let list = f.db.awards();
    assert_eq!(
        (list[0]["holder_name"].as_str(), list[0]["status"].as_str()),
        (Some("淄博市第一人民医院"), Some("valid"))
    );
    // Search finds the award under both the new and the former name.
    for name in ["淄博市第一人民医院", "淄博市中心医院", "第一人民"] {
        let found = f.db.json(["search", name]).ok_json();
        assert_eq!(
            found.as_array().map(Vec::len),
            Some(1),
            "search {name}: {found:#}"
        );
        assert_eq!(found[0]["id"], a.as_str());
    }
    // New awards go out under the new name.
    let b = f.issue(&f.sd, &f.h_sd, &f.sd_scheme, &[]);
    assert!(f.db.credential(&b).contains("淄博市第一人民医院"));

    // Merge into another hospital: the awards end.
    let into = uscc("12370300MB0000009");
    f.signed(
        &f.sd,
        &[
            "holder",
            "register",
            "--uscc",
            &into,
            "--name",
            "淄博市中心医院集团",
            "--province",
            "山东省",
            "--city",
            "淄博市",
        ],
    )
    .code(0);
    f.signed(
        &f.sd,
        &[
            "holder",
            "merge",
            "--uscc",
            &f.h_sd,
            "--into",
            &into,
            "--reason",
            "合并重组",
        ],
    )
    .code(0);
    assert_eq!(f.db.status_of(&a), "expired");
    assert_eq!(f.db.status_of(&b), "expired");
    assert_eq!(events(&history(&f, &a)), ["issued", "holder-merged"]);
    // The ended holder receives nothing more.
    let size = f.db.log_size();
    f.try_issue(&f.sd, &f.h_sd, &f.grade_a, &[])
        .code(1)
        .says(&["merged"]);
    f.signed(
        &f.sd,
        &[
            "holder", "rename", "--uscc", &f.h_sd, "--name", "x", "--reason", "x",
        ],
    )
    .code(1);
    assert_eq!(f.db.log_size(), size);
    // Its holder record says so.
    let shown = f.db.json(["show", &f.h_sd]).ok_json();
    assert_eq!(shown["type"], "holder");
    assert_eq!(shown["holder"]["ended"]["kind"], "merged");
    assert_audit_clean(&f);
}

#[test]
fn search_in_traditional_characters_finds_the_simplified_title() {
    let f = Fixture::new();
    let a = f.issue(
        &f.root,
        &f.h_hn,
        &f.red_flag,
        &["--sub-unit", "妇产科", "--year", "2023"],
    );
    f.issue(&f.sd, &f.h_sd, &f.grade_a, &[]);
    for q in [
        "全國三八紅旗集體",
        "全国三八红旗集体",
        "三八紅旗",
        "婦產科",
        "焦作市人民醫院",
    ] {
        let found = f.db.json(["search", q]).ok_json();
        let ids: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![a.as_str()], "search {q}");
        assert_eq!(found[0]["title"], "全国三八红旗集体");
    }
    let none = f.db.json(["search", "五一劳动奖状"]).ok_json();
    assert_eq!(none, serde_json::json!([]));
    // Human output too, and an empty query is a usage error.
    f.db.run(["search", "全國三八紅旗集體"])
        .code(0)
        .says(&["全国三八红旗集体", "焦作市人民医院"]);
    f.db.run(["search", "  "]).code(2);
    // `award list` filters by traditional-script scheme title and by status.
    let by_scheme =
        f.db.json(["award", "list", "--scheme", "全國三八紅旗集體"])
            .ok_json();
    assert_eq!(by_scheme.as_array().unwrap().len(), 1);
    let by_status =
        f.db.json(["award", "list", "--status", "revoked"])
            .ok_json();
    assert_eq!(by_status, serde_json::json!([]));
    f.db.run(["award", "list", "--status", "bogus"]).code(2);
    assert_audit_clean(&f);
}

/// A joint award: a second authority joins as co-issuer; the award shows both; a co-issuer
/// outside the holder's jurisdiction, a repeat, and a revoked award are refused.
#[test]
fn joint_award_with_a_co_issuer() {
    let f = Fixture::new();
    let id = f.issue(&f.sd, &f.h_sd, &f.grade_a, &["--valid-from", "2024-01-01"]);
    let before = f.db.log_size();
    // 山东省卫生健康委员会 issued it; the root joins.
    f.signed(&f.root, &["award", "cosign", &id, "--reason", "联合授予"])
        .code(0);
    let award =
        f.db.awards()
            .into_iter()
            .find(|a| a["id"] == id.as_str())
            .unwrap();
    assert_eq!(
        award["co_issuers"],
        serde_json::json!(["国家卫生健康委员会"]),
        "{award}"
    );
    assert_eq!(f.db.log_size(), before + 1);
    // Joining twice, or the issuer joining its own award, is refused and stores nothing.
    f.signed(&f.root, &["award", "cosign", &id, "--reason", "again"])
        .code(1);
    f.signed(&f.sd, &["award", "cosign", &id, "--reason", "self"])
        .code(1);
    // A provincial authority cannot co-issue to a holder in another province.
    let hn = f.issue(&f.root, &f.h_hn, &f.red_flag, &[]);
    f.signed(&f.sd, &["award", "cosign", &hn, "--reason", "外省"])
        .code(1);
    // A revoked award can no longer be co-issued.
    f.status(&f.root, "revoke", &hn, "撤销").code(0);
    let size = f.db.log_size();
    let mut other = f.new_key("河南省卫生健康委员会", "hn.key");
    f.accredit(&f.root, &mut other, "河南省", &[]);
    f.signed(&other, &["award", "cosign", &hn, "--reason", "late"])
        .code(1);
    assert_eq!(
        f.db.log_size(),
        size + 1,
        "only the accreditation was stored"
    );
    f.db.run(["audit"]).code(0);
}
