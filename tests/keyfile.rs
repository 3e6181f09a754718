//! Integration tests for `honors::keyfile` (encrypted Ed25519 key files).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey, Verifier};
use honors::keyfile::{
    generate_signing_key, read_key_file, read_key_info, write_key_file, KeyFileError, Passphrase,
};
use serde_json::Value;

const PASS: &str = "pass-7f3a-秘密口令";
const LABEL: &str = "山东省卫生健康委员会";

fn pass() -> Passphrase {
    Passphrase::new(PASS).unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf, SigningKey) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("issuer.key.json");
    let key = generate_signing_key().unwrap();
    write_key_file(&path, &key, LABEL, &pass(), false).unwrap();
    (dir, path, key)
}

fn edit(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    f(&mut v);
    fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

fn flip_b64(v: &mut Value, ptr: &str) {
    let s = v.pointer(ptr).unwrap().as_str().unwrap();
    let mut b = STANDARD.decode(s).unwrap();
    b[0] ^= 1;
    *v.pointer_mut(ptr).unwrap() = Value::String(STANDARD.encode(b));
}

fn assert_wrong_pass(path: &Path) {
    match read_key_file(path, &pass()) {
        Err(e @ KeyFileError::WrongPassphrase { .. }) => {
            assert!(e.to_string().contains("or the file was altered"), "{e}")
        }
        other => panic!("expected WrongPassphrase, got {other:?}"),
    }
}

#[test]
fn round_trip_signs_and_verifies() {
    let (_d, path, key) = setup();
    let (back, info) = read_key_file(&path, &pass()).unwrap();
    assert_eq!(info.label, LABEL);
    assert_eq!(info.public_key, key.verifying_key());
    let sig = back.sign(b"honor");
    key.verifying_key().verify(b"honor", &sig).unwrap();
    let v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["format"], "honors-key/v1");
    assert_eq!(v["kdf"]["alg"], "argon2id");
    assert_eq!(v["kdf"]["m_kib"], 19456);
    assert_eq!(v["aead"]["alg"], "xchacha20poly1305");
    assert_eq!(
        v["public_key"],
        STANDARD.encode(key.verifying_key().as_bytes())
    );
    assert_eq!(
        STANDARD
            .decode(v["ciphertext"].as_str().unwrap())
            .unwrap()
            .len(),
        48
    );
}

#[test]
fn wrong_passphrase() {
    let (_d, path, _) = setup();
    let e = read_key_file(&path, &Passphrase::new("nope").unwrap()).unwrap_err();
    assert!(matches!(e, KeyFileError::WrongPassphrase { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with("wrong passphrase for key file"),
        "{e}"
    );
}

#[test]
fn file_mode_is_0600() {
    let (_d, path, _) = setup();
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn refuses_overwrite_without_force_and_replaces_with_force() {
    let (dir, path, old) = setup();
    let new = generate_signing_key().unwrap();
    let e = write_key_file(&path, &new, LABEL, &pass(), false).unwrap_err();
    assert!(matches!(e, KeyFileError::Exists { .. }));
    assert!(
        e.to_string().contains("refusing to overwrite") && e.to_string().contains("--force"),
        "{e}"
    );
    assert_eq!(
        read_key_info(&path).unwrap().public_key,
        old.verifying_key()
    );

    write_key_file(&path, &new, "新标签", &pass(), true).unwrap();
    let (k, info) = read_key_file(&path, &pass()).unwrap();
    assert_eq!(k.verifying_key(), new.verifying_key());
    assert_eq!(info.label, "新标签");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary files left behind: {names:?}");
}

#[test]
fn force_creates_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.json");
    write_key_file(&path, &generate_signing_key().unwrap(), "x", &pass(), true).unwrap();
    assert!(read_key_file(&path, &pass()).is_ok());
}

#[test]
fn edited_label_detected() {
    let (_d, path, _) = setup();
    edit(&path, |v| {
        v["label"] = Value::String("河南省卫生健康委员会".into())
    });
    assert_eq!(read_key_info(&path).unwrap().label, "河南省卫生健康委员会"); // unauthenticated
    assert_wrong_pass(&path);
}

#[test]
fn edited_public_key_detected() {
    let (_d, path, _) = setup();
    let other = generate_signing_key().unwrap().verifying_key();
    edit(&path, |v| {
        v["public_key"] = Value::String(STANDARD.encode(other.as_bytes()))
    });
    assert_wrong_pass(&path);
}

#[test]
fn edited_ciphertext_nonce_salt_or_cost_detected() {
    for ptr in ["/ciphertext", "/aead/nonce", "/kdf/salt"] {
        let (_d, path, _) = setup();
        edit(&path, |v| flip_b64(v, ptr));
        assert_wrong_pass(&path);
    }
    let (_d, path, _) = setup();
    edit(&path, |v| v["kdf"]["t"] = Value::from(3));
    assert_wrong_pass(&path);
}

#[test]
fn truncated_file_is_malformed() {
    let (_d, path, _) = setup();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let e = read_key_file(&path, &pass()).unwrap_err();
    assert!(matches!(e, KeyFileError::Malformed { .. }), "{e:?}");
    assert!(matches!(
        read_key_info(&path),
        Err(KeyFileError::Malformed { .. })
    ));
}

#[test]
fn short_ciphertext_is_malformed() {
    let (_d, path, _) = setup();
    edit(&path, |v| {
        v["ciphertext"] = Value::String(STANDARD.encode([0u8; 40]))
    });
    let e = read_key_file(&path, &pass()).unwrap_err();
    assert!(
        e.to_string()
            .contains("ciphertext has 40 bytes, expected 48"),
        "{e}"
    );
}

#[test]
fn not_json_and_other_formats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k");
    fs::write(&path, "-----BEGIN PRIVATE KEY-----\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let e = read_key_file(&path, &pass()).unwrap_err();
    assert!(
        matches!(e, KeyFileError::Malformed { .. }) && e.to_string().contains("not a JSON"),
        "{e}"
    );

    fs::write(&path, r#"{"format":"honors-key/v9"}"#).unwrap();
    let e = read_key_info(&path).unwrap_err();
    assert!(
        matches!(&e, KeyFileError::UnsupportedFormat { found, .. } if found == "honors-key/v9"),
        "{e:?}"
    );

    fs::write(&path, r#"{"hello":1}"#).unwrap();
    assert!(matches!(
        read_key_info(&path),
        Err(KeyFileError::Malformed { .. })
    ));

    let e = read_key_info(&dir.path().join("missing")).unwrap_err();
    assert!(
        matches!(e, KeyFileError::Io { .. }) && e.to_string().contains("missing"),
        "{e}"
    );
}

#[test]
fn permissive_file_is_refused_with_chmod_hint() {
    let (_d, path, _) = setup();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let e = read_key_file(&path, &pass()).unwrap_err();
    assert!(
        matches!(e, KeyFileError::TooPermissive { mode: 0o644, .. }),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("0644") && msg.contains(&format!("chmod 600 {}", path.display())),
        "{msg}"
    );
    assert!(read_key_info(&path).is_ok(), "public part stays readable");
}

#[test]
fn passphrase_from_file_strips_one_newline() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("pass");
    let cases: [(&[u8], &[u8]); 5] = [
        (b"secret\n", b"secret"),
        (b"secret\r\n", b"secret"),
        (b"secret\n\n", b"secret\n"),
        (b"secret", b"secret"),
        (b" secret ", b" secret "),
    ];
    let (_d, key_path, _) = setup();
    for (content, expect) in cases {
        fs::write(&p, content).unwrap();
        let from_file = Passphrase::from_file(&p).unwrap();
        // Observable only through use: write with one, read with the other.
        let kp = dir.path().join("k.json");
        write_key_file(&kp, &generate_signing_key().unwrap(), "t", &from_file, true).unwrap();
        assert!(
            read_key_file(&kp, &Passphrase::new(expect).unwrap()).is_ok(),
            "{content:?}"
        );
    }
    for empty in [&b""[..], b"\n", b"\r\n"] {
        fs::write(&p, empty).unwrap();
        assert!(matches!(
            Passphrase::from_file(&p),
            Err(KeyFileError::EmptyPassphrase)
        ));
    }
    assert!(matches!(
        Passphrase::from_file(&dir.path().join("none")),
        Err(KeyFileError::Io { .. })
    ));
    drop(key_path);
}

#[test]
fn no_secret_in_file_or_errors() {
    let (_d, path, key) = setup();
    let seed = key.to_bytes();
    let needles: Vec<String> = vec![
        seed.iter().map(|b| format!("{b:02x}")).collect(),
        seed.iter().map(|b| format!("{b:02X}")).collect(),
        STANDARD.encode(seed),
        STANDARD_NO_PAD.encode(seed),
        URL_SAFE_NO_PAD.encode(seed),
        format!("{seed:?}"),
        PASS.to_string(),
        format!("{:?}", PASS.as_bytes()),
    ];
    let file = fs::read(&path).unwrap();
    assert!(!file.windows(32).any(|w| w == seed), "raw seed in file");
    assert!(
        !file.windows(PASS.len()).any(|w| w == PASS.as_bytes()),
        "passphrase in file"
    );
    let text = String::from_utf8(file).unwrap();

    let mut outputs = vec![text, format!("{key:?}"), format!("{:?}", pass())];
    let (_, info) = read_key_file(&path, &pass()).unwrap();
    outputs.push(format!("{info:?}"));
    let mut collect = |e: KeyFileError| outputs.extend([e.to_string(), format!("{e:?}")]);
    collect(write_key_file(&path, &key, LABEL, &pass(), false).unwrap_err());
    collect(read_key_file(&path, &Passphrase::new("wrong").unwrap()).unwrap_err());
    edit(&path, |v| v["label"] = Value::String("x".into()));
    collect(read_key_file(&path, &pass()).unwrap_err());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    collect(read_key_file(&path, &pass()).unwrap_err());
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    edit(&path, |v| v["ciphertext"] = Value::String("!!".into()));
    collect(read_key_file(&path, &pass()).unwrap_err());
    fs::write(&path, "not json").unwrap();
    collect(read_key_file(&path, &pass()).unwrap_err());

    for out in &outputs {
        for n in &needles {
            assert!(!out.contains(n.as_str()), "secret {n:?} leaked in {out:?}");
        }
    }
}

#[test]
fn generated_keys_differ() {
    let a = generate_signing_key().unwrap();
    let b = generate_signing_key().unwrap();
    assert_ne!(a.to_bytes(), b.to_bytes());
    assert!(!a.verifying_key().is_weak());
}

/// `cargo test --release --test keyfile -- --ignored --nocapture`
#[test]
#[ignore = "timing only"]
fn time_one_unlock() {
    let (_d, path, _) = setup();
    let t = std::time::Instant::now();
    read_key_file(&path, &pass()).unwrap();
    eprintln!(
        "one unlock (argon2id m=19456 KiB, t=2, p=1): {:?}",
        t.elapsed()
    );
}
