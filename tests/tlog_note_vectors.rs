//! Signed-note vectors: the Go x/mod note tests (`signed-note/go-sumdb-note.json`,
//! `negative.json`) and the C2SP example.
mod tlog_support;

use ed25519_dalek::SigningKey;
use honors::tlog::*;
use tlog_support::*;

fn key(seed_hex: &str) -> SigningKey {
    SigningKey::from_bytes(&hash32(seed_hex))
}

fn go_keys() -> (serde_json::Value, serde_json::Value) {
    let v = json("signed-note/go-sumdb-note.json");
    (v["keys"][0].clone(), v["keys"][1].clone())
}

#[test]
fn go_note_vectors_verify_and_resign_exactly() {
    let v = json("signed-note/go-sumdb-note.json");
    let (peter, enoch) = go_keys();
    let text = str_of(&v, "text");
    let pv = NoteVerifier::from_vkey(str_of(&peter, "vkey")).unwrap();
    let ev = NoteVerifier::from_vkey(str_of(&enoch, "vkey")).unwrap();
    assert_eq!(pv.key_id(), 0xc74f20a3);
    assert_eq!(
        pv.public_key().as_bytes().to_vec(),
        unhex(str_of(&peter, "public_key_hex"))
    );
    assert_eq!(pv.vkey(), str_of(&peter, "vkey"));

    let one = read_vector("signed-note/peterneumann.note");
    let two = read_vector("signed-note/peterneumann-enochroot.note");
    let (note, names) = open_note(&one, std::slice::from_ref(&pv)).unwrap();
    assert_eq!(
        (note.text.as_str(), names),
        (text, vec!["PeterNeumann".to_string()])
    );
    // Unknown EnochRoot is ignored; with both keys both verify, in signature order.
    assert_eq!(
        open_note(&two, std::slice::from_ref(&pv)).unwrap().1,
        vec!["PeterNeumann"]
    );
    assert_eq!(
        open_note(&two, &[ev.clone(), pv.clone()]).unwrap().1,
        vec!["PeterNeumann", "EnochRoot"]
    );
    let err = open_note(&two, &[]).unwrap_err();
    assert!(
        matches!(err, NoteError::NoVerifiableSignatures { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("PeterNeumann+c74f20a3"), "{err}");
    assert_eq!(
        open_note(&two, &[ev.clone(), pv.clone(), ev.clone()]).unwrap_err(),
        NoteError::AmbiguousKey {
            name: "EnochRoot".into(),
            key_id: 0xaf0cfe78
        }
    );

    // Re-signing with the seeds reproduces the vector bytes exactly (Ed25519 is deterministic).
    let ps = NoteSigner::new(str_of(&peter, "name"), key(str_of(&peter, "seed_hex"))).unwrap();
    assert_eq!(ps.vkey(), str_of(&peter, "vkey"));
    assert_eq!(ps.sign(text).unwrap().as_bytes(), one.as_slice());
    let es = NoteSigner::new("EnochRoot", key(str_of(&enoch, "seed_hex"))).unwrap();
    assert_eq!(es.vkey(), str_of(&enoch, "vkey"));
    assert_eq!(
        es.signature(text).unwrap().to_line(),
        v["signature_lines"]["EnochRoot"].as_str().unwrap()
    );

    // 101 signature lines: malformed; 100: fine (Go's limit).
    let line = v["signature_lines"]["PeterNeumann"].as_str().unwrap();
    let many = |n: usize| format!("{text}\n{}", line.repeat(n));
    assert!(matches!(
        parse_note(many(101).as_bytes()),
        Err(NoteError::TooManySignatures { count: 101, .. })
    ));
    assert_eq!(
        open_note(many(100).as_bytes(), &[pv]).unwrap().1,
        vec!["PeterNeumann"]
    );
}

#[test]
fn c2sp_signed_note_example() {
    let v = json("signed-note/c2sp-example.json");
    let vk = NoteVerifier::from_vkey(str_of(&v, "vkey")).unwrap();
    assert_eq!(vk.key_id(), 0x530d903a);
    let (note, names) = open_note(&read_vector("signed-note/c2sp-example.note"), &[vk]).unwrap();
    assert_eq!(
        (note.text.as_str(), names),
        (str_of(&v, "text"), vec!["example.com/foo".to_string()])
    );
}

#[test]
fn negative_vkeys_and_notes() {
    let v = json("signed-note/negative.json");
    for bad in v["verifier_key_must_fail"].as_array().unwrap() {
        let err = NoteVerifier::from_vkey(str_of(bad, "vkey")).unwrap_err();
        println!("{}: {err}", str_of(bad, "why"));
    }
    // Go's rule: every proper substring and every single-byte increment of a valid vkey fails.
    let good = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    for i in 0..good.len() {
        for j in i..=good.len() {
            if (i, j) != (0, good.len()) {
                assert!(
                    NoteVerifier::from_vkey(&good[i..j]).is_err(),
                    "{}",
                    &good[i..j]
                );
            }
        }
        let mut b = good.as_bytes().to_vec();
        b[i] += 1;
        assert!(NoteVerifier::from_vkey(&String::from_utf8(b).unwrap()).is_err());
    }
    let pv = NoteVerifier::from_vkey(good).unwrap();
    for bad in v["notes_must_fail_as_malformed"].as_array().unwrap() {
        let bytes = match bad.get("note_hex") {
            Some(h) => unhex(h.as_str().unwrap()),
            None => str_of(bad, "note").as_bytes().to_vec(),
        };
        let err = parse_note(&bytes).unwrap_err();
        assert_eq!(
            open_note(&bytes, std::slice::from_ref(&pv)).unwrap_err(),
            err
        );
        println!("{}: {err}", str_of(bad, "why"));
    }
    for bad in v["notes_must_fail_signature"].as_array().unwrap() {
        let vk = NoteVerifier::from_vkey(str_of(bad, "trusted_vkey")).unwrap();
        let err = open_note(str_of(bad, "note").as_bytes(), &[vk]).unwrap_err();
        assert_eq!(err.to_string(), str_of(bad, "expected_error"));
    }
    // Each malformed vector names what was wrong.
    let e = |s: &str| parse_note(s.as_bytes()).unwrap_err();
    assert_eq!(e("text\n"), NoteError::MissingSignatureBlock);
    assert_eq!(e("text\n\n"), NoteError::NoSignatures);
    assert!(matches!(
        e("\u{1}text\n\n— a AAAAAAA=\n"),
        NoteError::ControlCharacter { offset: 0, code: 1 }
    ));
    assert!(matches!(
        e("text\n\n— a AAAA\n"),
        NoteError::MalformedSignatureLine { line: 3, .. }
    ));
    assert!(matches!(
        e("text\n\n— a AAAAAAA=\nx\n"),
        NoteError::MalformedSignatureLine { line: 4, .. }
    ));
}

#[test]
fn tampered_signature_rejected() {
    let one = String::from_utf8(read_vector("signed-note/peterneumann.note")).unwrap();
    let pv = NoteVerifier::from_vkey(
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    )
    .unwrap();
    let tampered = one.replace("x08go/ZJ", "x08go/ZK");
    assert_eq!(
        open_note(tampered.as_bytes(), std::slice::from_ref(&pv)).unwrap_err(),
        NoteError::InvalidSignature {
            name: "PeterNeumann".into(),
            key_id: 0xc74f20a3
        }
    );
    let changed_text = one.replacen("cryptography", "cryptographY", 1);
    assert!(matches!(
        open_note(changed_text.as_bytes(), &[pv]),
        Err(NoteError::InvalidSignature { .. })
    ));
}
