//! The fuzz harnesses: one function per target, each taking arbitrary bytes.
//!
//! A harness calls a parser of `honors` on hostile input and, when the parser accepts it,
//! checks the invariant the parser documents (canonical round trips, one key one DID, ...).
//! Any panic is a finding: a parser must return an error, never panic, whatever it is fed.
//! The files in `fuzz_targets/` only hand libFuzzer's input to these functions, so the same
//! harnesses can be replayed over a corpus by anything that calls them.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use honors::credential::{self, didkey, jcs};
use honors::entry::Entry;
use honors::id::Uscc;
use honors::statement;
use honors::tlog::{
    self, decode_entry_bundle, encode_entry_bundle, open_checkpoint, open_checkpoint_with_origin,
    open_note, parse_note, Checkpoint, CosignatureVerifier, HashReader, NoteVerifier, Tile,
    TileHashReader, TilePath,
};
use honors::trust::TrustRoots;

/// The passphrase the key-file harness decrypts with (the seed key files use it too).
pub const PASSPHRASE: &str = "fuzz-passphrase";

/// The key name and seed of the log key that signs the generated note and checkpoint seeds.
pub const FUZZ_LOG_NAME: &str = "fuzz.honors.example/log";
pub const FUZZ_LOG_SEED: [u8; 32] = [0x42; 32];
/// The cosigner that cosigns the generated checkpoint seed.
pub const FUZZ_WITNESS_NAME: &str = "fuzz.honors.example/witness";
pub const FUZZ_WITNESS_SEED: [u8; 32] = [0x43; 32];

/// Public verifier keys of the notes in `tests/vectors/tlog` and of the demo's log, so that
/// seeds from there reach signature verification and the checkpoint's origin checks.
const VECTOR_VKEYS: &[&str] = &[
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
    "honors.example/test-log+bfea8b8e+Aa7pqSNcAP5hDd5dALVb/BeEu/MaTX9HHaCdyaBB7wZP",
    "sigsum.org/v1/tree/1f8d4547082a5985ad0e59ffe219f7a065e09c6b77a0012daf276e5dd1805b4b+a1f09b80+Ad6kw3w2BWjlKLdrtnv4IaN+zg8/RpKGA98AbbTwjpdQ",
    "sigsum.org/v1/tree/e796172b92befd62d9dc67e41c2f5bc9d3100a3023b20b1ca40288dd1c679e69+809da1a3+AWbguFjkYqYJ5m/nE3DIFtiEb/ED1UmaIqf+w3/bxCSn",
    "demo.honors.example/registry+fb60e697+AVywRzdFMwaSCWluN8xf3BAlq7p2wD/9og66JE6Q9f8q",
];
const VECTOR_COSIGNER_VKEYS: &[&str] = &[
    "witness.honors.example/w1+f0f887c1+BLxtNUjmssTAx9/LHrTrWNYDKu4iwM3Bef+QaNKh1OXu",
    "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2",
];

fn fuzz_log_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&FUZZ_LOG_SEED)
}

fn fuzz_witness_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&FUZZ_WITNESS_SEED)
}

fn verifiers() -> &'static [NoteVerifier] {
    static V: OnceLock<Vec<NoteVerifier>> = OnceLock::new();
    V.get_or_init(|| {
        let own = tlog::ed25519_vkey(FUZZ_LOG_NAME, &fuzz_log_key().verifying_key());
        std::iter::once(own.as_str())
            .chain(VECTOR_VKEYS.iter().copied())
            .map(|v| NoteVerifier::from_vkey(v).expect("a known-good verifier key"))
            .collect()
    })
}

fn cosigners() -> &'static [CosignatureVerifier] {
    static V: OnceLock<Vec<CosignatureVerifier>> = OnceLock::new();
    V.get_or_init(|| {
        let own = tlog::CosignatureSigner::new(FUZZ_WITNESS_NAME, fuzz_witness_key())
            .expect("a valid cosigner name")
            .vkey();
        std::iter::once(own.as_str())
            .chain(VECTOR_COSIGNER_VKEYS.iter().copied())
            .map(|v| CosignatureVerifier::from_vkey(v).expect("a known-good cosigner key"))
            .collect()
    })
}

/// Signed statement bytes: `statement::parse_signed`, the Ed25519 check, and the typed
/// statement's JSON round trip (`from_json(to_json(s)) == s`).
pub fn statement(data: &[u8]) {
    let Ok((signed, prepared)) = statement::parse_signed(data) else { return };
    assert_eq!(signed.bytes, data, "parse_signed must keep the exact bytes");
    let _ = prepared.verify();
    let back = statement::from_json(&signed.statement.to_json())
        .unwrap_or_else(|e| panic!("to_json of a parsed statement does not parse: {e}"));
    assert_eq!(back, signed.statement, "statement JSON round trip");
}

/// Log entries: `Entry::parse`; an accepted entry has exactly one encoding, the input.
pub fn entry(data: &[u8]) {
    let Ok(e) = Entry::parse(data) else { return };
    let again = e.encode().expect("a parsed entry encodes");
    assert_eq!(again, data, "an entry has exactly one encoding");
    let _ = statement::parse_signed(&e.statement);
}

/// Signed notes: `parse_note` (canonical re-encoding), `open_note`, cosignatures.
pub fn note(data: &[u8]) {
    if let Ok(n) = parse_note(data) {
        assert_eq!(n.to_text().as_bytes(), data, "a parsed note re-encodes to its input");
        for c in cosigners() {
            let _ = c.verify_note(&n);
        }
        for s in &n.signatures {
            let _ = CosignatureVerifier::timestamp_of(s);
        }
    }
    let _ = open_note(data, verifiers());
}

/// Checkpoints: `Checkpoint::parse` (round trip), `open_checkpoint`, with and without origin.
pub fn checkpoint(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = Checkpoint::parse(text) {
            assert_eq!(c.to_text(), text, "a parsed checkpoint re-encodes to its input");
            assert_eq!(Checkpoint::parse(&c.to_text()).as_ref(), Ok(&c));
        }
    }
    let _ = open_checkpoint(data, verifiers());
    let _ = open_checkpoint_with_origin(data, verifiers(), "go.sum database tree");
    if let Ok((_, n)) = open_checkpoint(data, verifiers()) {
        for c in cosigners() {
            let _ = c.verify_note(&n);
        }
    }
}

/// Tile paths: `Tile::parse_path` accepts exactly the canonical paths.
pub fn tile_path(data: &[u8]) {
    let Ok(p) = std::str::from_utf8(data) else { return };
    match Tile::parse_path(p) {
        Ok(TilePath::Hashes(t)) => {
            assert_eq!(t.path(), p);
            assert_eq!(Tile::new(t.level, t.index, t.width), Ok(t));
        }
        Ok(TilePath::Entries(t)) => {
            assert_eq!(t.entries_path(), p);
            assert_eq!(Tile::new(t.level, t.index, t.width), Ok(t));
        }
        Err(_) => {}
    }
}

/// Entry bundles: `decode_entry_bundle`; an accepted bundle re-encodes to its input.
pub fn entry_bundle(data: &[u8]) {
    let Ok(entries) = decode_entry_bundle(data) else { return };
    let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    let again = encode_entry_bundle(&refs).expect("decoded entries re-encode");
    assert_eq!(again, data, "an entry bundle has exactly one encoding");
}

/// Merkle proofs and tiles from an untrusted server: `verify_inclusion`, `verify_consistency`
/// and `TileHashReader` with arbitrary sizes, indexes, hashes and tile bytes.
pub fn merkle_proof(data: &[u8]) {
    let mut r = Reader(data);
    let (a, b) = (r.u64(), r.u64());
    let (h1, h2, h3) = (r.hash(), r.hash(), r.hash());
    let n = usize::from(r.byte() % 70);
    let proof: Vec<[u8; 32]> = (0..n).map(|_| r.hash()).collect();
    let _ = tlog::verify_inclusion(a, b, &h1, &proof, &h2);
    let _ = tlog::verify_consistency(a, b, &proof, &h1, &h3);
    // Tile reader: a small tree (so the harness stays fast) whose tiles are the rest.
    let size = a % 70_000;
    let idx: Vec<u64> = (0..usize::from(r.byte() % 4)).map(|_| r.u64() % (2 * size + 2)).collect();
    let tiles = r.0.to_vec();
    let reader = TileHashReader::new(size, h1, move |path: &str| {
        // Every path gets a slice of the input, chosen by the path, so tiles differ.
        let k = path.len() % 7;
        Ok(tiles.get(k * 32..).unwrap_or(&[]).to_vec())
    });
    let _ = reader.read_hashes(&idx);
    let _ = tlog::tree_hash(size, &reader);
}

/// A batch-import CSV file: `import::parse`, then the award id of every row.
pub fn import_csv(data: &[u8]) {
    let Ok((rows, _errors)) = honors::import::parse(data) else { return };
    for row in &rows {
        let id = honors::import::award_id("urn:uuid:0192f1e2-7b7a-7cc3-9a4e-2f1d7c5b9a01", row, "x");
        assert!(statement::check_urn_uuid(&id).is_ok(), "award ids are urn:uuid");
    }
}

/// Trust roots: `TrustRoots::parse`; an accepted file prints and re-parses to itself.
pub fn trust_roots(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(roots) = TrustRoots::parse(text) else { return };
    let _ = roots.log_verifiers();
    let again = TrustRoots::parse(&roots.to_toml())
        .unwrap_or_else(|e| panic!("printed trust roots do not parse: {e}"));
    assert_eq!(again, roots, "trust roots round trip through to_toml");
}

/// Key files: the bytes are written to a file and read with `read_key_info` and
/// `read_key_file`. Decryption is attempted only for Argon2 costs of at most 64 KiB × 2
/// passes: readers accept up to 1 GiB × 64 by design (a key file is the operator's own file),
/// which would make every execution take seconds.
pub fn keyfile(data: &[u8]) {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"));
    let path: PathBuf = dir.path().join("fuzz.key");
    // Mode 0600, as key files must have (read_key_file refuses anything more open).
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .expect("creating the input file");
    f.write_all(data).expect("writing the input");
    drop(f);
    let _ = honors::keyfile::read_key_info(&path);
    let cheap = serde_json::from_slice::<serde_json::Value>(data).is_ok_and(|v| {
        let n = |k: &str| v["kdf"][k].as_u64().unwrap_or(u64::MAX);
        n("m_kib") <= 64 && n("t") <= 2 && n("p") <= 2
    });
    if cheap {
        let pass = honors::keyfile::Passphrase::new(PASSPHRASE).expect("non-empty");
        let _ = honors::keyfile::read_key_file(&path, &pass);
    }
    let _ = honors::keyfile::Passphrase::from_file(&path);
}

/// JCS (RFC 8785): `from_str_strict`, then `to_vec`, which must be idempotent and whose
/// output must itself parse strictly.
pub fn jcs(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(value) = jcs::from_str_strict(text) else { return };
    let Ok(bytes) = jcs::to_vec(&value) else { return };
    let canon = std::str::from_utf8(&bytes).expect("JCS output is UTF-8");
    let reparsed = jcs::from_str_strict(canon)
        .unwrap_or_else(|e| panic!("JCS output does not parse: {e}: {canon}"));
    let again = jcs::to_vec(&reparsed).expect("canonical JSON canonicalizes");
    assert_eq!(again, bytes, "JCS is idempotent");
}

/// did:key: `key_for_did`, `key_for_vm`, `key_for_multibase`; one key has exactly one DID.
pub fn didkey(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(key) = didkey::key_for_did(s) {
        assert_eq!(didkey::did_for(&key), s, "one key, one DID");
    }
    if let Ok((did, key)) = didkey::key_for_vm(s) {
        assert_eq!(didkey::vm_for(&key), s);
        assert_eq!(didkey::did_for(&key), did);
    }
    if let Ok(key) = didkey::key_for_multibase(s) {
        assert_eq!(didkey::multibase_for(&key), s);
    }
}

/// 统一社会信用代码: `Uscc::parse`, `check_char`, and the accessors of an accepted code.
pub fn uscc(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = honors::id::check_char(s);
    let Ok(code) = s.parse::<Uscc>() else { return };
    assert_eq!(code.as_str(), s);
    let first17 = &s[..17];
    assert_eq!(Uscc::from_first17(first17).as_ref(), Ok(&code));
    let _ = (code.region_code(), code.organization_code(), code.organization_code_is_consistent());
}

/// eddsa-jcs-2022 proofs on arbitrary JSON: `credential::prepare` and `credential::verify`.
pub fn credential(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(p) = credential::prepare(&value) {
        let _ = p.verify();
    }
    let _ = credential::verify(&value);
    let _ = statement::from_json(&value);
}

/// Times as credentials, entries and import files give them; whatever is accepted prints in
/// forms that parse again.
pub fn time(data: &[u8]) {
    use honors::time::*;
    let Ok(s) = std::str::from_utf8(data) else { return };
    for t in [parse_datetime(s), parse_date_or_datetime(s), parse_end_of_day(s)].into_iter().flatten() {
        for printed in [format_cst(t), format_utc_seconds(t), format_utc_micros(t)] {
            assert!(parse_datetime(&printed).is_ok(), "{t:?} printed as {printed:?} does not parse");
        }
        let _ = (date_cst(t), from_micros(micros(t)));
    }
    let _ = credential::proof::check_created(s);
}

/// Verifier keys: note (type 0x01) and cosignature (type 0x04) keys.
pub fn vkey(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(v) = NoteVerifier::from_vkey(s) {
        assert_eq!(v.vkey(), s, "a verifier key has one form");
    }
    let _ = CosignatureVerifier::from_vkey(s);
}

/// Reads fixed-size fields from the front of the input, zero-padded past its end.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn byte(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.take())
    }
    fn hash(&mut self) -> [u8; 32] {
        self.take()
    }
}

/// Proof bundles: `bundle::parse` and the whole offline verification, which must always end in
/// a verdict (never a panic), and never `valid` under trust roots that name no log key.
pub fn bundle(data: &[u8]) {
    let _ = honors::bundle::parse(data);
    let trust = TrustRoots::default();
    let at = honors::time::parse_datetime("2027-01-15T00:00:00Z").expect("a valid instant");
    let v = honors::verify::verify_bundle(data, &trust, at, None);
    assert_ne!(v.verdict, honors::award::Status::Valid, "a bundle verified without any trusted log key");
    let _ = honors::verify::verify_bundle(data, &trust, at, Some(data));
}

/// Compact codes: `compact::decode` of arbitrary text; whatever decodes re-encodes to a code
/// that decodes to the same bytes.
pub fn compact(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = honors::compact::is_compact(data);
    if let Ok(bytes) = honors::compact::decode(text) {
        let again = honors::compact::encode(&bytes);
        assert_eq!(honors::compact::decode(&again).expect("a fresh code decodes"), bytes);
        let _ = statement::parse_signed(&bytes);
    }
}
