//! Writes the generated seed inputs into `corpus/<target>/`, deterministically (fixed keys and
//! times), and copies the test vectors that fit each target. Run from `fuzz/`:
//!
//! ```text
//! cargo run --example make_seeds
//! ```
//!
//! The files are committed; re-running rewrites the same bytes. Seeds taken from a demo run
//! (`demo-*`) are copied by hand and not touched here (see corpus/README.md).

use std::fs;
use std::path::Path;

use ed25519_dalek::SigningKey;
use honors::entry::Entry;
use honors::id::Uscc;
use honors::statement::{self, HolderEndKind, Kind, Relation, Statement, StatusAction};
use honors::time::parse_datetime;
use honors::tlog::{
    encode_entry_bundle, leaf_hash, prove_consistency, prove_inclusion, Checkpoint,
    CosignatureSigner, MemoryHashStore, NoteSigner,
};
use honors_fuzz::{FUZZ_LOG_NAME, FUZZ_LOG_SEED, FUZZ_WITNESS_NAME, FUZZ_WITNESS_SEED};

const ID: &str = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01";
const ID2: &str = "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a02";

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn did(seed: u8) -> String {
    honors::credential::did_for(&key(seed).verifying_key())
}

fn put(target: &str, name: &str, bytes: impl AsRef<[u8]>) {
    let dir = Path::new("corpus").join(target);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(name), bytes).unwrap();
}

fn copy(target: &str, name: &str, from: &str) {
    let bytes = fs::read(Path::new("..").join(from)).unwrap_or_else(|e| panic!("{from}: {e}"));
    put(target, name, bytes);
}

fn statements() -> Vec<(&'static str, Statement)> {
    let uscc: Uscc = "12430700446432465B".parse().unwrap();
    let st = |kind: Kind| Statement {
        id: ID.into(),
        issuer_did: did(1),
        issuer_name: "国家卫生健康委员会".into(),
        valid_from: parse_datetime("2024-05-01T00:00:00+08:00").unwrap(),
        valid_until: Some(parse_datetime("2028-04-30T23:59:59+08:00").unwrap()),
        kind,
    };
    vec![
        ("award", st(Kind::Award {
            uscc: uscc.clone(),
            holder_name: "常德市第二人民医院".into(),
            sub_unit: Some("产科".into()),
            title: "全国三八红旗集体".into(),
            scheme: ID2.into(),
            scheme_title: "全国三八红旗集体".into(),
            batch_year: Some(2019),
            previous: Some((Relation::Renews, ID2.into())),
            reason: Some("表彰".into()),
        })),
        ("accreditation", st(Kind::Accreditation {
            child_did: did(2),
            authority: ID2.into(),
            name: "山东省卫生健康委员会".into(),
            jurisdiction: "山东省".into(),
            schemes: vec![ID.into()],
            may_accredit: true,
            may_define_schemes: false,
        })),
        ("scheme", st(Kind::Scheme { scheme: ID2.into(), title: "三级甲等医院".into(), level: "national".into(), category: "grading".into(), validity_years: Some(4) })),
        ("holder", st(Kind::Holder { uscc: uscc.clone(), name: "常德市第二人民医院".into(), province: "湖南省".into(), city: "常德市".into() })),
        ("status", st(Kind::Status { award: ID2.into(), action: StatusAction::Suspend, reason: "限期整改".into() })),
        ("key-rotation", st(Kind::KeyRotation { authority: ID2.into(), new_did: did(3), old_did: did(1), reason: "rotation".into() })),
        ("key-revocation", st(Kind::KeyRevocation { authority: ID2.into(), did: did(3), compromised_at: parse_datetime("2026-01-01T00:00:00Z").unwrap(), reason: "leak".into() })),
        ("succession", st(Kind::Succession { predecessor: ID2.into(), successor: "urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a03".into(), successor_did: did(4), successor_name: "国家卫生健康委员会".into(), reason: "机构改革".into() })),
        ("holder-rename", st(Kind::HolderRename { uscc: uscc.clone(), name: "新名称医院".into(), reason: "更名".into() })),
        ("holder-end", st(Kind::HolderEnd { uscc: uscc.clone(), kind: HolderEndKind::Merged, successors: vec![uscc], reason: "合并".into() })),
    ]
}

fn main() {
    let created = parse_datetime("2026-11-23T09:00:00Z").unwrap();
    let time = parse_datetime("2026-11-23T09:15:23.123456Z").unwrap();

    // Signed statements: every kind (statement, credential), and entries wrapping them.
    let mut signed = Vec::new();
    for (name, st) in statements() {
        let bytes = statement::sign(&st, &key(1), created).unwrap();
        put("statement", &format!("{name}.json"), &bytes);
        signed.push((name, bytes));
    }
    for (name, bytes) in &signed[..3] {
        put("credential", &format!("{name}.json"), bytes);
    }
    copy("credential", "w3c-signed.json", "tests/vectors/vc/w3c-eddsa-jcs-2022/signedJCS.json");
    copy("credential", "w3c-neg-context.json", "tests/vectors/vc/w3c-eddsa-jcs-2022/neg-context-prefix-mismatch.json");
    copy("credential", "zh-award-signed.json", "tests/vectors/vc/honors-zh-award/award-signed.json");
    copy("statement", "zh-award-signed.json", "tests/vectors/vc/honors-zh-award/award-signed.json");
    let entries: Vec<Vec<u8>> = signed
        .iter()
        .enumerate()
        .map(|(i, (_, s))| Entry { index: i as u64, time, statement: s.clone() }.encode().unwrap())
        .collect();
    put("entry", "award.entry", &entries[0]);
    put("entry", "status.entry", &entries[4]);
    put("entry", "small.entry", Entry { index: 18_446_744_073_709_551_615, time, statement: b"{}".to_vec() }.encode().unwrap());

    // Entry bundles.
    let refs: Vec<&[u8]> = entries.iter().take(3).map(Vec::as_slice).collect();
    put("entry_bundle", "three-entries", encode_entry_bundle(&refs).unwrap());
    put("entry_bundle", "small", encode_entry_bundle(&[b"a", b"", b"bc"]).unwrap());

    // Notes and checkpoints signed by the fuzz log key, cosigned by the fuzz witness.
    let log = NoteSigner::new(FUZZ_LOG_NAME, SigningKey::from_bytes(&FUZZ_LOG_SEED)).unwrap();
    let witness = CosignatureSigner::new(FUZZ_WITNESS_NAME, SigningKey::from_bytes(&FUZZ_WITNESS_SEED)).unwrap();
    let leaves: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let mut tree = MemoryHashStore::new();
    tree.append_data(&leaves).unwrap();
    let cp = Checkpoint { origin: FUZZ_LOG_NAME.into(), size: tree.size(), root: tree.root().unwrap(), extensions: vec![] };
    let text = cp.to_text();
    let mut note = log.sign(&text).unwrap();
    note.push_str(&witness.sign(&text, 1_795_000_000).unwrap().to_line());
    put("checkpoint", "fuzz-cosigned.note", &note);
    put("note", "fuzz-cosigned.note", &note);
    let ext = Checkpoint { extensions: vec!["ext one".into(), "第二".into()], ..cp.clone() };
    put("checkpoint", "fuzz-extensions.note", log.sign(&ext.to_text()).unwrap());
    put("note", "fuzz-text.note", log.sign("你好, world\nsecond line\n").unwrap());
    for (name, from) in [
        ("sum-golang-org.note", "tests/vectors/tlog/checkpoint/sum-golang-org-6476701-4sigs.note"),
        ("sigsum-size4.note", "tests/vectors/tlog/checkpoint/sigsum-size4.note"),
        ("honors-size6.note", "tests/vectors/tlog/cosignature/honors-generated-size6.note"),
    ] {
        copy("checkpoint", name, from);
    }
    for (name, from) in [
        ("c2sp-example.note", "tests/vectors/tlog/signed-note/c2sp-example.note"),
        ("peterneumann-enochroot.note", "tests/vectors/tlog/signed-note/peterneumann-enochroot.note"),
    ] {
        copy("note", name, from);
    }

    // Merkle proofs (layout: see honors_fuzz::merkle_proof).
    let hashes: Vec<[u8; 32]> = leaves.iter().map(|l| leaf_hash(l)).collect();
    let root = tree.root().unwrap();
    let size = tree.size();
    let incl = prove_inclusion(size, 3, &tree).unwrap();
    let mut m = Vec::new();
    m.extend_from_slice(&3u64.to_be_bytes());
    m.extend_from_slice(&size.to_be_bytes());
    m.extend_from_slice(&hashes[3]);
    m.extend_from_slice(&root);
    m.extend_from_slice(&root);
    m.push(incl.len() as u8);
    incl.iter().for_each(|h| m.extend_from_slice(h));
    m.push(2);
    m.extend_from_slice(&1u64.to_be_bytes());
    m.extend_from_slice(&4u64.to_be_bytes());
    hashes.iter().for_each(|h| m.extend_from_slice(h));
    put("merkle_proof", "inclusion-3-of-10", &m);
    let mut small = MemoryHashStore::new();
    small.append_data(&leaves[..4]).unwrap();
    let cons = prove_consistency(4, size, &tree).unwrap();
    let mut c = Vec::new();
    c.extend_from_slice(&4u64.to_be_bytes());
    c.extend_from_slice(&size.to_be_bytes());
    c.extend_from_slice(&small.root().unwrap());
    c.extend_from_slice(&[0; 32]);
    c.extend_from_slice(&root);
    c.push(cons.len() as u8);
    cons.iter().for_each(|h| c.extend_from_slice(h));
    put("merkle_proof", "consistency-4-10", &c);

    // Tile paths.
    for (i, p) in ["tile/0/000", "tile/0/x001/x234/067.p/8", "tile/entries/000.p/5", "tile/3/x999/255", "tile/entries/x018/x446/x744/x073/x709/x551/615"].iter().enumerate() {
        put("tile_path", &format!("path-{i}"), p);
    }

    // Import CSV.
    put("import_csv", "rows.csv", "uscc,holder,title,scheme,valid_from,valid_until,year,sub_unit,reason\n\
        12430700446432465B,常德市第二人民医院,三级甲等医院,三级甲等医院,2024-05-01,2028-04-30,2024,产科,复审\n\
        91350100M000100Y4Z,某医院,三级甲等医院,三级甲等医院,2024-05-01,,,,\n\
        12430700446432465B,\"常德市第二人民医院, 南院\",文明单位,urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a02,2024-05-01T00:00:00+08:00,2024-12-31T23:59:59Z,,,\n");
    put("import_csv", "bom-header.csv", "\u{feff}USCC,Holder,Title,Scheme,Valid_From,Valid_Until\n12430700446432465B,医院,称号,方案,2024-05-01,2024-05-02\n");

    // Trust roots.
    copy("trust_roots", "example.toml", "keys/trust-roots.example.toml");

    // Key files: the format with a cheap KDF (decryption is attempted, and fails: these hold
    // no key, only the shape), and the cost real files use (not decrypted by the harness).
    let pk = honors::keyfile::FORMAT;
    let b64 = |bytes: &[u8]| {
        use base64_shim::encode;
        encode(bytes)
    };
    let public = b64(key(9).verifying_key().as_bytes());
    for (name, m_kib, t) in [("cheap.key", 8, 1), ("real-cost.key", 19456, 2)] {
        let doc = serde_json::json!({
            "format": pk,
            "label": "河南省卫生健康委员会",
            "public_key": public,
            "kdf": {"alg": "argon2id", "m_kib": m_kib, "t": t, "p": 1, "salt": b64(&[7; 16])},
            "aead": {"alg": "xchacha20poly1305", "nonce": b64(&[8; 24])},
            "ciphertext": b64(&[9; 48]),
        });
        put("keyfile", name, serde_json::to_string_pretty(&doc).unwrap() + "\n");
    }

    // JCS.
    for f in ["arrays", "french", "structures", "unicode", "values", "weird"] {
        copy("jcs", &format!("{f}.json"), &format!("tests/vectors/vc/jcs-rfc8785-cyberphone/input/{f}.json"));
    }
    copy("jcs", "zh.json", "tests/vectors/vc/jcs-zh/input.json");

    // did:key.
    let k = key(5).verifying_key();
    put("didkey", "did", honors::credential::did_for(&k));
    put("didkey", "vm", honors::credential::vm_for(&k));
    put("didkey", "multibase", honors::credential::didkey::multibase_for(&k));
    put("didkey", "zero-seed", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp");

    // USCC.
    for (i, s) in ["12430700446432465B", "91350100M000100Y4Z", "9135010", "12430700446432465b", "１２４３０７００４４６４３２４６５Ｂ"].iter().enumerate() {
        put("uscc", &format!("code-{i}"), s);
    }

    // Times.
    for (i, s) in ["2024-05-01", "2024-05-01T00:00:00+08:00", "2026-11-23T09:15:23.123456Z", "9999-12-30", "-009999-01-02T01:59:59Z"].iter().enumerate() {
        put("time", &format!("time-{i}"), s);
    }

    // Verifier keys.
    put("vkey", "log", log.vkey());
    put("vkey", "witness", witness.vkey());
    put("vkey", "sum-golang-org", "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
    println!("seeds written under corpus/");
}

/// Standard padded base64, without another dependency.
mod base64_shim {
    pub fn encode(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in bytes.chunks(3) {
            let n = (u32::from(c[0]) << 16) | (u32::from(*c.get(1).unwrap_or(&0)) << 8) | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..4 {
                if i <= c.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
