//! Exports for the wider ecosystem, through the binary: the Open Badges 3.0 export of an
//! award, the W3C Bitstring Status List credentials, and the status entries that new awards
//! carry. Standard tools must accept them: every signed export is also checked by an
//! eddsa-jcs-2022 implementation nobody on the team wrote (Affinidi's, `common::independent_vc`),
//! and every one must fail there and here after a change.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use common::independent_vc::{independent_verify, independent_verify_reason};
use common::{demo, Db, Fixture, PASS};
use honors::status::{read_list_credential, Bitstring, Purpose, LIST_BITS};
use serde_json::Value;
use sha2::{Digest, Sha256};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/vc/honors-zh-award"
);

fn vector(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(VECTORS).join(name)).unwrap()).unwrap()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The (revocation, suspension) status-list URLs and the index of an award credential.
fn status_entries(credential: &Value) -> (String, String, u32) {
    let s = credential["credentialStatus"]
        .as_array()
        .expect("credentialStatus is a list");
    assert_eq!(s.len(), 2, "two entries: {credential}");
    assert_eq!(s[0]["statusPurpose"], "revocation");
    assert_eq!(s[1]["statusPurpose"], "suspension");
    let index: u32 = s[0]["statusListIndex"].as_str().unwrap().parse().unwrap();
    assert_eq!(s[1]["statusListIndex"], s[0]["statusListIndex"]);
    (
        s[0]["statusListCredential"].as_str().unwrap().into(),
        s[1]["statusListCredential"].as_str().unwrap().into(),
        index,
    )
}

/// The authority uuid at the end of a list URL's path (`…/status/<uuid>/<purpose>`).
fn authority_of_list(url: &str) -> String {
    let parts: Vec<&str> = url.rsplit('/').collect();
    format!("urn:uuid:{}", parts[1])
}

/// `log status-list` of `authority` for `purpose` (signed credential, parsed).
fn status_list(db: &Db, authority: &str, purpose: &str) -> Value {
    parse(
        &db.run_when_free(&["log", "status-list", authority, "--purpose", purpose])
            .code(0)
            .stdout,
    )
}

/// The bits of a status list credential, decoded with base64 + flate2 alone (not honors'
/// decoder): index i is bit 7 - i % 8 of byte i / 8.
fn bits_independently(list: &Value) -> Vec<u8> {
    use base64::Engine;
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let b64 = encoded.strip_prefix('u').expect("multibase base64url");
    let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .expect("base64url without padding");
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut bytes)
        .expect("GZIP");
    assert!(bytes.len() * 8 >= 131_072, "at least 131,072 entries");
    bytes
}

fn bit(bytes: &[u8], index: u32) -> bool {
    bytes[index as usize / 8] & (0x80 >> (index % 8)) != 0
}

/// Our verifier and the independent one both accept `doc`.
#[track_caller]
fn both_accept(doc: &Value) {
    honors::credential::verify(doc)
        .unwrap_or_else(|e| panic!("our verifier rejects it: {e}\n{doc}"));
    independent_verify_reason(doc)
        .unwrap_or_else(|e| panic!("the independent verifier rejects it: {e}\n{doc}"));
}

/// Our verifier and the independent one both reject `doc`.
#[track_caller]
fn both_reject(doc: &Value, what: &str) {
    assert!(
        honors::credential::verify(doc).is_err(),
        "{what}: our verifier still accepts it"
    );
    assert!(
        !independent_verify(doc),
        "{what}: the independent verifier still accepts it"
    );
}

fn demo_key<'a>(demo: &'a Value, authority_id: &str) -> &'a Value {
    demo["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == authority_id)
        .expect("a demo key for the authority")
}

#[test]
fn openbadge_export_is_an_ob3_credential_that_both_verifiers_accept() {
    let (tmp, dir, report) = demo();
    let db = Db::new(&dir);
    let id = report["sample_award"].as_str().unwrap();
    let out = tmp.path().join("award.ob3.json");
    db.run([
        "prove",
        id,
        "--format",
        "openbadge",
        "-o",
        out.to_str().unwrap(),
    ])
    .code(0)
    .says(&["Open Badges 3.0"]);
    let ob: Value = parse(&std::fs::read_to_string(&out).unwrap());

    // The OB 3.0 shape: contexts, types, Profile issuer, AchievementSubject with the USCC.
    assert_eq!(
        ob["@context"],
        serde_json::json!([honors::statement::VC_CONTEXT, honors::statement::OB_CONTEXT])
    );
    assert_eq!(
        ob["type"],
        serde_json::json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert!(ob["id"].as_str().unwrap().starts_with("urn:uuid:"));
    assert!(ob["validFrom"].is_string() && ob["name"].is_string());
    assert_eq!(ob["issuer"]["type"], serde_json::json!(["Profile"]));
    assert!(ob["issuer"]["id"]
        .as_str()
        .unwrap()
        .starts_with("did:key:z6Mk"));
    let subject = &ob["credentialSubject"];
    assert_eq!(subject["type"], serde_json::json!(["AchievementSubject"]));
    let ident = &subject["identifier"][0];
    assert_eq!(
        (
            ident["type"].as_str(),
            ident["identityType"].as_str(),
            ident["hashed"].as_bool()
        ),
        (Some("IdentityObject"), Some("ext:USCC"), Some(false))
    );
    honors::id::Uscc::parse(ident["identityHash"].as_str().unwrap())
        .expect("a valid 统一社会信用代码");
    let achievement = &subject["achievement"];
    assert_eq!(achievement["type"], serde_json::json!(["Achievement"]));
    for k in ["id", "name", "description"] {
        assert!(
            achievement[k].as_str().is_some_and(|s| !s.is_empty()),
            "achievement.{k}"
        );
    }
    assert!(achievement["criteria"]["narrative"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    let proofs = ob["proof"]
        .as_array()
        .expect("proof is an array, as the OB 3.0 schema wants");
    assert_eq!(proofs.len(), 1);
    assert_eq!(proofs[0]["cryptosuite"], "eddsa-jcs-2022");
    let (revocation, suspension, index) = status_entries(&ob);
    assert!(
        revocation.starts_with("https://demo.honors.example/registry/api/v1/status/")
            && revocation.ends_with("/revocation")
    );
    assert_eq!(suspension, revocation.replace("/revocation", "/suspension"));
    assert!(index < LIST_BITS);
    // The schema requirements (hand-written from the published JSON schema).
    assert_eq!(
        honors::statement::openbadge::schema_problems(&ob),
        Vec::<String>::new()
    );

    // The signature is the logged one's: same document, proof only wrapped.
    let vc = parse(&db.credential(id));
    let mut unwrapped = ob.clone();
    unwrapped["proof"] = proofs[0].clone();
    assert_eq!(
        honors::credential::jcs::to_vec(&unwrapped).unwrap(),
        honors::credential::jcs::to_vec(&vc).unwrap()
    );
    both_accept(&ob);
    // `honors verify` takes the export as it takes the credential.
    let v = db
        .json([
            "verify",
            out.to_str().unwrap(),
            "--trust",
            db.trust().to_str().unwrap(),
        ])
        .ok_json();
    assert_eq!(v["verdict"], "valid", "{v}");

    // One change, and everyone says no.
    let mut tampered = ob.clone();
    tampered["credentialSubject"]["achievement"]["criteria"]["narrative"] = "另有依据".into();
    both_reject(&tampered, "criteria changed");
    let bad = tmp.path().join("tampered.json");
    std::fs::write(&bad, serde_json::to_vec(&tampered).unwrap()).unwrap();
    let v = db
        .json([
            "verify",
            bad.to_str().unwrap(),
            "--trust",
            db.trust().to_str().unwrap(),
        ])
        .code(1)
        .json();
    assert_eq!(v["verdict"], "invalid");
    let mut moved = ob.clone();
    moved["credentialStatus"][0]["statusListIndex"] = "0".into();
    both_reject(&moved, "status index changed");
}

#[test]
fn status_list_credentials_verify_independently_and_fail_after_a_change() {
    let (tmp, dir, report) = demo();
    let db = Db::new(&dir);
    let award = parse(&db.credential(report["sample_award"].as_str().unwrap()));
    let (revocation_url, suspension_url, _) = status_entries(&award);
    let authority = authority_of_list(&revocation_url);
    let status_did = db.json(["log", "key"]).ok_json()["status_did"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(status_did.starts_with("did:key:z6Mk"));
    assert_ne!(
        status_did,
        award["issuer"]["id"].as_str().unwrap(),
        "the registry signs lists with its own key"
    );
    for (purpose, url) in [
        ("revocation", &revocation_url),
        ("suspension", &suspension_url),
    ] {
        let list = status_list(&db, &authority, purpose);
        // What a Bitstring Status List verifier checks before reading a bit.
        assert_eq!(
            list["id"],
            url.as_str(),
            "the list is where the award's entry points"
        );
        assert_eq!(
            list["type"],
            serde_json::json!(["VerifiableCredential", "BitstringStatusListCredential"])
        );
        assert_eq!(
            list["@context"],
            serde_json::json!([honors::statement::VC_CONTEXT])
        );
        assert_eq!(list["issuer"], status_did.as_str());
        assert_eq!(list["credentialSubject"]["type"], "BitstringStatusList");
        assert_eq!(list["credentialSubject"]["statusPurpose"], purpose);
        assert!(list["credentialSubject"]["encodedList"]
            .as_str()
            .unwrap()
            .starts_with('u'));
        let (read_purpose, bits) = read_list_credential(&list).unwrap();
        assert_eq!(read_purpose.as_str(), purpose);
        assert_eq!(bits.len(), LIST_BITS as usize);
        assert_eq!(bits.as_bytes(), bits_independently(&list).as_slice());
        both_accept(&list);

        // A bit flipped in the list (re-encoded), or the purpose changed: the proof breaks.
        let mut flipped = list.clone();
        let mut b = bits.clone();
        b.set(12_345);
        flipped["credentialSubject"]["encodedList"] = b.encode().into();
        both_reject(&flipped, "a bit set");
        let mut other = list.clone();
        other["credentialSubject"]["statusPurpose"] = if purpose == "revocation" {
            "suspension"
        } else {
            "revocation"
        }
        .into();
        both_reject(&other, "purpose changed");
    }
    // -o FILE with --json: a summary; the file is the credential.
    let file = tmp.path().join("revocation.json");
    let v = db
        .json([
            "log",
            "status-list",
            &authority,
            "--purpose",
            "revocation",
            "-o",
            file.to_str().unwrap(),
        ])
        .ok_json();
    assert_eq!(v["id"], revocation_url.as_str());
    assert_eq!(v["issuer"], status_did.as_str());
    both_accept(&parse(&std::fs::read_to_string(&file).unwrap()));
    // A bare uuid names the authority too; an unknown one or a bad purpose is a usage error.
    let bare = authority.trim_start_matches("urn:uuid:");
    assert_eq!(
        status_list(&db, bare, "revocation")["id"],
        revocation_url.as_str()
    );
    db.run([
        "log",
        "status-list",
        "urn:uuid:00000000-0000-7000-8000-000000000000",
        "--purpose",
        "revocation",
    ])
    .code(2)
    .says(&["no authority"]);
    db.run(["log", "status-list", &authority, "--purpose", "refresh"])
        .code(2);
}

#[test]
fn revoked_and_suspended_awards_show_in_the_lists_and_reinstating_clears_the_bit() {
    let (_tmp, dir, report) = demo();
    let db = Db::new(&dir);
    let awards = db.awards();
    let find = |status: &str| {
        awards
            .iter()
            .find(|a| a["status"] == status)
            .unwrap_or_else(|| panic!("the demo has a {status} award"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (revoked, suspended) = (find("revoked"), find("suspended"));
    let entries = |id: &str| status_entries(&parse(&db.credential(id)));
    let (rev_url, _, rev_index) = entries(&revoked);
    let (sus_url, _, sus_index) = entries(&suspended);
    let bits_of =
        |authority: &str, purpose: &str| bits_independently(&status_list(&db, authority, purpose));

    // Every award with a status entry: its bits say what `award list` says, and nothing else is set.
    let mut expected: HashMap<(String, &str), BTreeSet<u32>> = HashMap::new();
    let mut authorities = BTreeSet::new();
    for a in &awards {
        let id = a["id"].as_str().unwrap();
        let (url, _, index) = entries(id);
        let authority = authority_of_list(&url);
        authorities.insert(authority.clone());
        match a["status"].as_str().unwrap() {
            "revoked" | "superseded" => expected
                .entry((authority, "revocation"))
                .or_default()
                .insert(index),
            "suspended" => expected
                .entry((authority, "suspension"))
                .or_default()
                .insert(index),
            _ => false,
        };
    }
    assert!(
        authorities.len() > 3,
        "the demo's awards come from several authorities"
    );
    for authority in &authorities {
        for purpose in ["revocation", "suspension"] {
            let bytes = bits_of(authority, purpose);
            let set: BTreeSet<u32> = (0..LIST_BITS).filter(|&i| bit(&bytes, i)).collect();
            assert_eq!(
                set,
                expected
                    .get(&(authority.clone(), purpose))
                    .cloned()
                    .unwrap_or_default(),
                "{purpose} list of {authority}"
            );
        }
    }
    let rev_auth = authority_of_list(&rev_url);
    let sus_auth = authority_of_list(&sus_url);
    assert!(
        bit(&bits_of(&rev_auth, "revocation"), rev_index)
            && !bit(&bits_of(&rev_auth, "suspension"), rev_index)
    );
    assert!(
        bit(&bits_of(&sus_auth, "suspension"), sus_index)
            && !bit(&bits_of(&sus_auth, "revocation"), sus_index)
    );

    // Reinstate the suspended award: its suspension bit clears; suspend again, then revoke.
    let key = demo_key(&report, &sus_auth);
    let key_args = [
        "--key",
        key["key_file"].as_str().unwrap(),
        "--passphrase-file",
        key["passphrase_file"].as_str().unwrap(),
    ];
    let change = |action: &str| {
        let mut a = vec!["award", action, suspended.as_str(), "--reason", "测试"];
        a.extend(key_args);
        db.json(a).code(0);
    };
    change("reinstate");
    assert!(
        !bit(&bits_of(&sus_auth, "suspension"), sus_index),
        "cleared after reinstate"
    );
    assert!(!bit(&bits_of(&sus_auth, "revocation"), sus_index));
    change("suspend");
    assert!(
        bit(&bits_of(&sus_auth, "suspension"), sus_index),
        "set again after suspend"
    );
    change("revoke");
    assert!(bit(&bits_of(&sus_auth, "revocation"), sus_index), "revoked");
    assert!(
        !bit(&bits_of(&sus_auth, "suspension"), sus_index),
        "a revoked award is no longer merely suspended"
    );
    db.json(["audit"]).code(0);
}

#[test]
fn the_published_status_list_vector_decodes_to_its_bits() {
    let facts = vector("status-list-bits.json");
    let list = vector("status-list-signed.json");
    let (purpose, bits) = read_list_credential(&list).unwrap();
    assert_eq!(purpose, Purpose::Revocation);
    assert_eq!(bits.len() as u64, facts["lengthBits"].as_u64().unwrap());
    let want: Vec<u32> = facts["setIndices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    assert_eq!(bits.ones(), want);
    let bytes = bits.as_bytes();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    assert_eq!(hex(&bytes[..2]), facts["firstBytesHex"].as_str().unwrap());
    assert_eq!(hex(&bytes[5..6]), facts["byte5Hex"].as_str().unwrap());
    assert_eq!(
        hex(&bytes[bytes.len() - 1..]),
        facts["lastByteHex"].as_str().unwrap()
    );
    assert_eq!(
        hex(&Sha256::digest(bytes)),
        facts["encodedListSha256OfDecompressedBits"]
            .as_str()
            .unwrap()
    );
    // The awards of the vector: index 94567 is clear, index 42 is set (revoked).
    for (file, revoked) in [
        ("award-signed.json", false),
        ("award-revoked-signed.json", true),
    ] {
        let award = vector(file);
        let index = honors::status::parse_index(
            award["credentialStatus"]["statusListIndex"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            award["credentialStatus"]["statusListCredential"],
            list["id"]
        );
        assert_eq!(bits.get(index), Some(revoked), "{file}");
    }
    both_accept(&list);
    // Our encoder's output of the same bits decodes to the same bytes (GZIP bytes may differ).
    let mut ours = Bitstring::new();
    for i in want {
        ours.set(i);
    }
    let mut reencoded = list.clone();
    reencoded["credentialSubject"]["encodedList"] = ours.encode().into();
    assert_eq!(bits_independently(&reencoded), bytes);
}

#[test]
fn the_policy_keeps_status_indexes_unique_per_authority() {
    let fx = Fixture::new();
    // `init` made a status key beside the log key, encrypted, and reports its did:key.
    let key_file = fx.db.dir.join("status.key");
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let info = honors::keyfile::read_key_info(&key_file).unwrap();
    let status_did = fx.db.json(["log", "key"]).ok_json()["status_did"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(honors::credential::did_for(&info.public_key), status_did);

    // Issued through the CLI: every award gets its own index.
    let first = fx.issue(&fx.sd, &fx.h_sd, &fx.sd_scheme, &[]);
    let second = fx.issue(&fx.sd, &fx.h_sd, &fx.sd_scheme, &["--sub-unit", "儿科"]);
    let cred = parse(&fx.db.credential(&first));
    let (url, _, taken) = status_entries(&cred);
    let (_, _, other) = status_entries(&parse(&fx.db.credential(&second)));
    assert_ne!(taken, other);
    assert_eq!(authority_of_list(&url), fx.sd.id);
    // A batch import too (and a re-import adds nothing).
    let csv = fx.path("list.csv");
    let rows: String = (1..=5)
        .map(|i| {
            format!(
                "{},淄博市中心医院,山东省文明单位,山东省文明单位,2024-0{i}-01,,2024\n",
                fx.h_sd
            )
        })
        .collect();
    std::fs::write(
        &csv,
        format!("uscc,holder,title,scheme,valid_from,valid_until,year\n{rows}"),
    )
    .unwrap();
    let import = |expect_imported: u64| {
        let v = fx
            .signed(&fx.sd, &["award", "import", csv.to_str().unwrap()])
            .ok_json();
        assert_eq!(v["imported"], expect_imported, "{v}");
    };
    import(5);
    import(0);
    let indexes: BTreeSet<u32> = fx
        .db
        .awards()
        .iter()
        .map(|a| status_entries(&parse(&fx.db.credential(a["id"].as_str().unwrap()))).2)
        .collect();
    assert_eq!(indexes.len(), 7, "seven awards, seven indexes");

    // Statements built and signed by hand, submitted to the registry directly.
    let pass = honors::keyfile::Passphrase::new(PASS.as_bytes().to_vec()).unwrap();
    let (sk, _) = honors::keyfile::read_key_file(&fx.sd.file, &pass).unwrap();
    let now = jiff::Timestamp::now();
    let award = |status: Option<honors::status::StatusRef>| {
        let st = honors::statement::Statement {
            id: format!("urn:uuid:{}", uuid::Uuid::now_v7()),
            issuer_did: fx.sd.did.clone(),
            issuer_name: "山东省卫生健康委员会".into(),
            valid_from: now,
            valid_until: None,
            kind: honors::statement::Kind::Award {
                uscc: fx.h_sd.parse().unwrap(),
                holder_name: "淄博市中心医院".into(),
                sub_unit: None,
                title: "山东省文明单位".into(),
                scheme: fx.sd_scheme.clone(),
                scheme_title: "山东省文明单位".into(),
                batch_year: None,
                previous: None,
                reason: None,
                status,
            },
        };
        (
            st.id.clone(),
            honors::statement::sign(&st, &sk, now).unwrap(),
        )
    };
    let origin = "honors.example/registry";
    let (no_status, no_status_bytes) = award(None);
    {
        let reg = honors::registry::Registry::open(&fx.db.dir).unwrap();
        reg.unlock_log(&pass).unwrap();
        let refused = |bytes: Vec<u8>, needle: &str| {
            let e = reg.submit_one(bytes, now).expect_err(needle);
            assert!(
                e.message().contains(needle),
                "refused for another reason: {}",
                e.message()
            );
        };
        // The same index again, by the same authority: refused.
        refused(
            award(Some(honors::status::StatusRef::new(
                origin, &fx.sd.id, taken,
            )))
            .1,
            "already used by award",
        );
        // Lists of another authority: refused.
        refused(
            award(Some(honors::status::StatusRef::new(
                origin,
                &fx.root.id,
                taken + 1,
            )))
            .1,
            "not those of the issuer",
        );
        // A free index: accepted. The same index is free for another authority.
        let free = (0..LIST_BITS).find(|i| !indexes.contains(i)).unwrap();
        reg.submit_one(
            award(Some(honors::status::StatusRef::new(
                origin, &fx.sd.id, free,
            )))
            .1,
            now,
        )
        .expect("a free index");
        refused(
            award(Some(honors::status::StatusRef::new(
                origin, &fx.sd.id, free,
            )))
            .1,
            "already used by award",
        );
        // An award without credentialStatus (as before status lists) is still accepted.
        reg.submit_one(no_status_bytes, now)
            .expect("credentialStatus is optional");
    }
    // It verifies, exports as an Open Badge (without credentialStatus) and the audit is clean.
    let cred = fx
        .db
        .run_when_free(&["prove", &no_status, "--format", "openbadge"])
        .code(0)
        .stdout;
    assert!(parse(&cred).get("credentialStatus").is_none());
    let file = fx.path("old.json");
    std::fs::write(&file, &cred).unwrap();
    assert_eq!(
        fx.db
            .json([
                "verify",
                file.to_str().unwrap(),
                "--trust",
                fx.db.trust().to_str().unwrap()
            ])
            .ok_json()["verdict"],
        "valid"
    );
    fx.db.json(["audit"]).code(0);
    // The sd lists hold the index of every one of its awards, none of them set.
    let list = status_list(&fx.db, &fx.sd.id, "revocation");
    assert!(bits_independently(&list).iter().all(|&b| b == 0));
    both_accept(&list);
}

#[test]
fn backup_and_restore_keep_the_status_key() {
    let fx = Fixture::new();
    let id = fx.issue(&fx.sd, &fx.h_sd, &fx.sd_scheme, &[]);
    fx.status(&fx.sd, "revoke", &id, "撤销").code(0);
    let (_, _, index) = status_entries(&parse(&fx.db.credential(&id)));
    let backup = fx.path("backup");
    fx.db.run(["backup", backup.to_str().unwrap()]).code(0);
    assert!(backup.join("status.key").exists());
    let restored = Db::new(fx.path("restored"));
    restored.run(["restore", backup.to_str().unwrap()]).code(0);
    let before = status_list(&fx.db, &fx.sd.id, "revocation");
    let after = status_list(&restored, &fx.sd.id, "revocation");
    assert_eq!(
        after["issuer"], before["issuer"],
        "the same status key signs after a restore"
    );
    assert!(bit(&bits_independently(&after), index));
    both_accept(&after);
}

/// An authority whose status list is full issues awards without `credentialStatus`, and the
/// registry remembers that the list is full instead of reading all 131,072 index keys again on
/// every issuance (an index is never given back, so a full list stays full).
#[test]
fn a_full_status_list_is_remembered_and_later_awards_go_without_status() {
    use honors::store::trees::{award_key, status_key, T};
    use honors::store::{Store, Write};
    let fx = Fixture::new();
    let first = fx.issue(&fx.sd, &fx.h_sd, &fx.sd_scheme, &[]);
    let (_, _, taken) = status_entries(&parse(&fx.db.credential(&first)));
    let full_key = format!("status_full/{}", fx.sd.id);
    {
        // Every other index of the list, given to (made-up) awards straight in the store.
        let store = Store::open(&fx.db.dir).unwrap();
        assert_eq!(store.meta_text(&full_key).unwrap(), None);
        let owner = award_key("urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01").unwrap();
        let writes: Vec<Write> = (0..LIST_BITS)
            .filter(|i| *i != taken)
            .map(|i| Write::put(T::ByStatus, status_key(&fx.sd.id, i), owner.to_vec()))
            .collect();
        store.commit(&writes).unwrap();
    }
    for sub_unit in ["儿科", "心内科"] {
        let id = fx.issue(&fx.sd, &fx.h_sd, &fx.sd_scheme, &["--sub-unit", sub_unit]);
        let cred = parse(&fx.db.credential(&id));
        assert!(
            cred.get("credentialStatus").is_none(),
            "no index is left for {sub_unit}: {cred}"
        );
        let store = Store::open(&fx.db.dir).unwrap();
        assert_eq!(store.meta_text(&full_key).unwrap().as_deref(), Some("full"));
    }
    // Another authority's list is its own: still an index for its awards.
    let other = fx.issue(&fx.root, &fx.h_hn, &fx.red_flag, &[]);
    status_entries(&parse(&fx.db.credential(&other)));
}

/// A nearly full list: the registry scans the used indexes once per run (an import, the
/// demo), then picks among the few left without scanning again; it gives each free index once
/// and then none, and does not mark the list full while the store itself still has room.
#[test]
fn a_nearly_full_status_list_gives_its_last_indexes_once_each() {
    use honors::store::trees::{award_key, status_key, T};
    use honors::store::{Store, Write};
    let fx = Fixture::new();
    let free = [10u32, 70_000, LIST_BITS - 1];
    {
        let store = Store::open(&fx.db.dir).unwrap();
        let owner = award_key("urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01").unwrap();
        let writes: Vec<Write> = (0..LIST_BITS)
            .filter(|i| !free.contains(i))
            .map(|i| Write::put(T::ByStatus, status_key(&fx.sd.id, i), owner.to_vec()))
            .collect();
        store.commit(&writes).unwrap();
    }
    let reg = honors::registry::Registry::open(&fx.db.dir).unwrap();
    let mut reserved = std::collections::HashSet::new();
    let mut picked: Vec<u32> = (0..3)
        .map(|_| {
            reg.new_status_ref(&fx.sd.id, &mut reserved)
                .unwrap()
                .expect("an index is left")
                .index
        })
        .collect();
    picked.sort();
    assert_eq!(picked, free);
    assert!(reg
        .new_status_ref(&fx.sd.id, &mut reserved)
        .unwrap()
        .is_none());
    assert!(reg
        .new_status_ref(&fx.sd.id, &mut reserved)
        .unwrap()
        .is_none());
    // A new run (nothing reserved) still finds the three free indexes.
    let again = reg
        .new_status_ref(&fx.sd.id, &mut Default::default())
        .unwrap()
        .expect("the store still has room");
    assert!(free.contains(&again.index));
    drop(reg);
    let full_key = format!("status_full/{}", fx.sd.id);
    let store = Store::open(&fx.db.dir).unwrap();
    assert_eq!(store.meta_text(&full_key).unwrap(), None);
}
