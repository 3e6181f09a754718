//! Checkpoint and cosignature vectors: sum.golang.org (1 and 4 signatures), sigsum,
//! go-tlog-format, the C2SP examples, our generated cosignature, and public cosignature vectors.
mod tlog_support;

use ed25519_dalek::SigningKey;
use honors::tlog::*;
use tlog_support::*;

fn key(seed_hex: &str) -> SigningKey {
    SigningKey::from_bytes(&hash32(seed_hex))
}

#[test]
fn sum_golang_org_checkpoints() {
    let v = json("checkpoint/sum-golang-org-6476701.json");
    let sum = NoteVerifier::from_vkey(str_of(&v, "vkey")).unwrap();
    let one = read_vector("checkpoint/sum-golang-org-6476701.note");
    let four = read_vector("checkpoint/sum-golang-org-6476701-4sigs.note");
    // The key name differs from the origin, so the strict opener refuses it...
    let err = open_checkpoint(&one, std::slice::from_ref(&sum)).unwrap_err();
    assert!(
        matches!(err, CheckpointError::OriginNotSigned { .. }),
        "{err}"
    );
    // ...and the explicit-origin opener accepts it.
    let (cp, _) =
        open_checkpoint_with_origin(&one, std::slice::from_ref(&sum), "go.sum database tree")
            .unwrap();
    assert_eq!(
        (cp.origin.as_str(), cp.size),
        ("go.sum database tree", 6476701)
    );
    assert_eq!(cp.root, hash32(str_of(&v, "root_hash_hex")));
    assert_eq!(cp.to_text(), str_of(&v, "body"));
    assert!(matches!(
        open_checkpoint_with_origin(&one, std::slice::from_ref(&sum), "other"),
        Err(CheckpointError::UnexpectedOrigin { .. })
    ));
    let (_, note) =
        open_checkpoint_with_origin(&four, std::slice::from_ref(&sum), "go.sum database tree")
            .unwrap();
    assert_eq!(note.signatures.len(), 4);
    let mut all = vec![sum];
    for vk in v["extra_signer_vkeys"].as_array().unwrap() {
        all.push(NoteVerifier::from_vkey(vk.as_str().unwrap()).unwrap());
    }
    assert_eq!(
        open_note(&four, &all).unwrap().1,
        vec!["sum.golang.org", "monkeys", "bananas", "witness"]
    );
}

#[test]
fn sigsum_checkpoints() {
    let v = json("checkpoint/sigsum-seed17.json");
    let note = read_vector("checkpoint/sigsum-seed17.note");
    let vk = NoteVerifier::from_vkey(str_of(&v, "vkey_derived")).unwrap();
    let (cp, _) = open_checkpoint(&note, std::slice::from_ref(&vk)).unwrap();
    assert_eq!(
        (cp.origin.as_str(), cp.size, cp.root),
        (
            str_of(&v, "origin"),
            10,
            hash32(str_of(&v, "root_hash_hex"))
        )
    );
    // Re-signing with the public seed reproduces the note exactly.
    let signer = NoteSigner::new(str_of(&v, "origin"), key(str_of(&v, "seed_hex"))).unwrap();
    assert_eq!(signer.vkey(), str_of(&v, "vkey_derived"));
    assert_eq!(
        signer.sign(str_of(&v, "body")).unwrap().as_bytes(),
        note.as_slice()
    );
    // The sigsum test's mutations all fail.
    let text = String::from_utf8(note.clone()).unwrap();
    let origin = str_of(&v, "origin");
    let mutants = [
        text.replacen(origin, &format!("{origin}x"), 1),
        text.replacen("\n10\n", "\n11\n", 1),
        text.replacen("HA5HAAAA", "HA5HAQAA", 1),
        text.replacen("gJ2ho0n8", "gJ2ho0n9", 1),
    ];
    for m in &mutants {
        assert!(
            open_checkpoint(m.as_bytes(), std::slice::from_ref(&vk)).is_err(),
            "{m}"
        );
    }
    let s4 = json("checkpoint/sigsum-size4.json");
    let vk4 = NoteVerifier::from_vkey(str_of(&s4, "vkey_derived")).unwrap();
    let n4 = read_vector("checkpoint/sigsum-size4.note");
    let (cp4, note4) = open_checkpoint(&n4, std::slice::from_ref(&vk4)).unwrap();
    assert_eq!(
        (cp4.size, cp4.root),
        (4, hash32(str_of(&s4, "root_hash_hex")))
    );
    assert_eq!(
        note4.signatures[0].signature,
        unhex(str_of(&s4, "signature_hex"))
    );
    let five = String::from_utf8(n4).unwrap().replacen("\n4\n", "\n5\n", 1);
    assert!(matches!(
        open_checkpoint(five.as_bytes(), &[vk4]),
        Err(CheckpointError::Note(NoteError::InvalidSignature { .. }))
    ));
}

#[test]
fn go_tlog_format_and_checkpoint_parsing() {
    let v = json("checkpoint/go-tlog-format.json");
    let f = &v["format_tree"];
    let cp = Checkpoint {
        origin: str_of(f, "origin").into(),
        size: u64_of(f, "tree_size"),
        root: leaf_hash(b"hello world"),
        extensions: vec![],
    };
    assert_eq!(cp.to_text(), str_of(f, "expected_body"));
    assert_eq!(Checkpoint::parse(&cp.to_text()).unwrap(), cp);
    let bad = v["parse_tree_must_fail"].as_array().unwrap();
    // The first differs only in origin, which the origin check in open_checkpoint* catches.
    assert_eq!(
        Checkpoint::parse(bad[0].as_str().unwrap()).unwrap().origin,
        "not-go.sum database tree"
    );
    assert!(matches!(
        Checkpoint::parse(bad[1].as_str().unwrap()),
        Err(CheckpointError::InvalidSize { .. })
    ));
    assert!(matches!(
        Checkpoint::parse(bad[2].as_str().unwrap()),
        Err(CheckpointError::InvalidRoot { .. })
    ));
    let root = "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=";
    for (text, why) in [
        ("o\n1\n", "too few lines"),
        (&format!("o\n1\n{root}") as &str, "no final newline"),
        (&format!("\n1\n{root}\n"), "empty origin"),
        (&format!("o\n01\n{root}\n"), "leading zero"),
        (&format!("o\n+1\n{root}\n"), "sign"),
        (&format!("o\n18446744073709551616\n{root}\n"), "overflow"),
        ("o\n1\nAAAA\n", "short root"),
        (&format!("o\n1\n{root}\n\n"), "empty extension line"),
        (
            &format!("o\n1\n{}\n", root.trim_end_matches('=')),
            "unpadded root",
        ),
    ] {
        let err = Checkpoint::parse(text).unwrap_err();
        println!("{why}: {err}");
    }
    let with_ext = format!("o\n0\n{root}\next one\next two\n");
    let cp = Checkpoint::parse(&with_ext).unwrap();
    assert_eq!((cp.size, cp.extensions.len()), (0, 2));
    assert_eq!(cp.to_text(), with_ext);
}

#[test]
fn c2sp_examples_layout() {
    let v = json("checkpoint/c2sp-examples.json");
    let note = parse_note(str_of(&v, "cosigned_checkpoint").as_bytes()).unwrap();
    let cp = Checkpoint::parse(&note.text).unwrap();
    assert_eq!(
        (cp.origin.as_str(), cp.size),
        ("example.com/behind-the-sofa", 20852163)
    );
    assert_eq!(
        (
            note.signatures[0].key_id,
            note.signatures[0].signature.len()
        ),
        (0x033de0ae, 64)
    );
    let w = &note.signatures[1];
    assert_eq!((w.key_id, w.signature.len()), (0x8d66cf3f, 72));
    assert_eq!(CosignatureVerifier::timestamp_of(w).unwrap(), 1679315147);
    assert_eq!(
        cosigned_message(&note.text, 1679315147),
        str_of(&v, "cosignature_signed_message_example")
    );
    assert!(parse_note(str_of(&v, "checkpoint").as_bytes()).is_ok());
}

#[test]
fn generated_cosignature_vectors() {
    let v = json("cosignature/honors-generated.json");
    let (log, wit) = (&v["log"], &v["witness"]);
    let log_signer = NoteSigner::new(str_of(log, "name"), key(str_of(log, "seed_hex"))).unwrap();
    let cosigner =
        CosignatureSigner::new(str_of(wit, "name"), key(str_of(wit, "seed_hex"))).unwrap();
    assert_eq!(log_signer.vkey(), str_of(log, "vkey"));
    assert_eq!(cosigner.vkey(), str_of(wit, "vkey"));
    let wv = CosignatureVerifier::from_vkey(str_of(wit, "vkey")).unwrap();
    let lv = NoteVerifier::from_vkey(str_of(log, "vkey")).unwrap();
    assert!(NoteVerifier::from_vkey(str_of(wit, "vkey")).is_err()); // 0x04 is not a note key
    assert!(CosignatureVerifier::from_vkey(str_of(log, "vkey")).is_err());

    let c = &v["cosignature_size8"];
    let body = str_of(&v["checkpoint_size8"], "body");
    assert_eq!(
        cosigned_message(body, 1767225600),
        str_of(c, "signed_message")
    );
    let sig = cosigner.sign(body, 1767225600).unwrap();
    assert_eq!(sig.to_line(), str_of(c, "signature_line"));
    assert_eq!(wv.verify(body, &sig).unwrap(), 1767225600);

    let file = read_vector("cosignature/honors-generated-size8.note");
    let (cp, note) = open_checkpoint(&file, std::slice::from_ref(&lv)).unwrap();
    assert_eq!(cp.size, 8);
    assert_eq!(wv.verify_note(&note).unwrap(), Some(1767225600));
    // A flipped timestamp bit breaks it; the 0x01 key ID for the witness is an unknown key.
    let mut bad = sig.clone();
    bad.signature[7] ^= 1;
    assert_eq!(
        wv.verify(body, &bad).unwrap_err(),
        NoteError::InvalidSignature {
            name: wit["name"].as_str().unwrap().into(),
            key_id: 0xf0f887c1
        }
    );
    let as_note_key = NoteVerifier::from_vkey(
        &NoteSigner::new(str_of(wit, "name"), key(str_of(wit, "seed_hex")))
            .unwrap()
            .vkey(),
    )
    .unwrap();
    assert_eq!(as_note_key.key_id(), 0xe18ea107);
    assert!(matches!(
        open_note(&file, &[as_note_key]),
        Err(NoteError::NoVerifiableSignatures { .. })
    ));
    // Trusting only the witness is not enough to open the checkpoint.
    assert!(open_checkpoint(&file, &[]).is_err());
    // Re-signing the log's checkpoints reproduces the files.
    let size6 = read_vector("cosignature/honors-generated-size6.note");
    assert_eq!(
        log_signer
            .sign(str_of(&v["checkpoint_size6"], "body"))
            .unwrap()
            .as_bytes(),
        size6.as_slice()
    );
    let full = format!("{}{}", log_signer.sign(body).unwrap(), sig.to_line());
    assert_eq!(full.as_bytes(), file.as_slice());
}

#[test]
fn public_cosignature_vectors() {
    let v = json("cosignature/public-vectors.json");
    let m = &v["cosigned_message_sigsum"];
    let cp = Checkpoint {
        origin: str_of(m, "origin").into(),
        size: 257,
        root: hash32(str_of(m, "root_hash_hex")),
        extensions: vec![],
    };
    assert_eq!(
        cosigned_message(&cp.to_text(), u64_of(m, "timestamp")),
        str_of(m, "expected_message")
    );
    let ex = v["cosignature_timestamp_extraction"].as_array().unwrap();
    let line = |b: &str| NoteSignature::parse_line(&format!("— w {b}\n"), 1).unwrap();
    let s0 = line(str_of(&ex[0], "signature_base64"));
    assert_eq!(
        (s0.key_id, CosignatureVerifier::timestamp_of(&s0).unwrap()),
        (0x646846b9, 1727964367)
    );
    assert!(matches!(
        CosignatureVerifier::timestamp_of(&line(str_of(&ex[1], "signature_base64"))),
        Err(NoteError::MalformedCosignature { len: 64, .. })
    ));
    let remora = CosignatureVerifier::from_vkey(str_of(&v["cosigner_vkeys"][0], "vkey")).unwrap();
    assert_eq!(
        (remora.name(), remora.key_id()),
        ("remora.n621.de", 0xda77ade7)
    );
    assert_eq!(
        remora.public_key().as_bytes().to_vec(),
        unhex(str_of(&v["cosigner_vkeys"][0], "public_key_hex"))
    );
    assert!(matches!(
        CosignatureVerifier::from_vkey(str_of(&v["cosigner_vkeys"][1], "vkey")),
        Err(NoteError::UnsupportedKeyType { alg: 1, .. })
    ));
    assert!(NoteVerifier::from_vkey(str_of(&v["cosigner_vkeys"][1], "vkey")).is_ok());
    let err = CosignatureVerifier::from_vkey(str_of(&v["invalid_vkeys"][0], "vkey")).unwrap_err();
    println!("{err}");
}
