//! Ed25519 signing keys encrypted at rest with a passphrase (format `honors-key/v1`).
//!
//! A key file is a small UTF-8 JSON document (pretty-printed, ending in a newline):
//!
//! ```json
//! {
//!   "format": "honors-key/v1",
//!   "label": "山东省卫生健康委员会",
//!   "public_key": "<base64, 32 bytes: the Ed25519 public key>",
//!   "kdf": { "alg": "argon2id", "m_kib": 19456, "t": 2, "p": 1, "salt": "<base64, 16 bytes>" },
//!   "aead": { "alg": "xchacha20poly1305", "nonce": "<base64, 24 bytes>" },
//!   "ciphertext": "<base64, 48 bytes: the 32-byte Ed25519 seed + 16-byte Poly1305 tag>"
//! }
//! ```
//!
//! base64 is RFC 4648 standard alphabet with padding. Callers derive a `did:key` from
//! `public_key` themselves. Unknown fields are rejected.
//!
//! Encryption: `key = Argon2id(v0x13, m = m_kib KiB, t, p, out = 32 bytes)(passphrase, salt)`
//! (RFC 9106), then XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) of the seed under `key`
//! and `nonce`, with associated data
//! `"honors-key/v1" || u32_be(len(label_utf8)) || label_utf8 || public_key(32 bytes)`,
//! so that editing the label or the public key makes decryption fail. Salt and nonce
//! are fresh OS randomness for every write. Readers accept `m_kib` 8..=1048576,
//! `t` 1..=64, `p` 1..=16.
//!
//! Invariants: a file written here is created with mode 0600 and fsynced (with its
//! directory); [`read_key_file`] returns a key only if the AEAD tag verifies and the
//! decrypted seed reproduces `public_key`. No error message or `Debug` output of this
//! module contains seed bytes or the passphrase (`ed25519_dalek::SigningKey`'s own
//! `Debug` prints only the public key). [`read_key_info`] is NOT authenticated: the
//! label and public key it returns are as found in the file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The `format` value of files this module reads and writes.
pub const FORMAT: &str = "honors-key/v1";
/// Argon2id memory cost used when writing, in KiB (19 MiB, the OWASP minimum).
pub const M_KIB: u32 = 19 * 1024;
/// Argon2id passes used when writing.
pub const T_COST: u32 = 2;
/// Argon2id lanes used when writing.
pub const P_COST: u32 = 1;
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// A passphrase, wiped from memory on drop. Never empty. Its `Debug` prints
/// `Passphrase(<redacted>)`; it has no `Display`.
pub struct Passphrase(Zeroizing<Vec<u8>>);

impl Passphrase {
    /// Wraps passphrase bytes (used as given, no trimming). Errors if empty.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Passphrase, KeyFileError> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() {
            return Err(KeyFileError::EmptyPassphrase);
        }
        Ok(Passphrase(bytes))
    }

    /// Reads a passphrase from a file, stripping ONE trailing `"\n"` or `"\r\n"`
    /// (as left by `echo` or an editor). Errors if the result is empty.
    pub fn from_file(path: &Path) -> Result<Passphrase, KeyFileError> {
        let mut bytes = Zeroizing::new(fs::read(path).map_err(|e| io_err(path, e))?);
        let strip = [&b"\r\n"[..], b"\n"]
            .into_iter()
            .find(|e| bytes.ends_with(e));
        let n = bytes.len() - strip.map_or(0, <[u8]>::len);
        bytes.truncate(n);
        if bytes.is_empty() {
            return Err(KeyFileError::EmptyPassphrase);
        }
        Ok(Passphrase(bytes))
    }

    fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// The public part of a key file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Free-text label, e.g. the issuing commission's name.
    pub label: String,
    /// The Ed25519 public key.
    pub public_key: VerifyingKey,
}

/// Errors reading or writing key files. Messages never contain secret material.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The target exists and `force` was not given.
    #[error("{} already exists; refusing to overwrite a key file. Pass --force to replace it, after making sure no one needs the old key", path.display())]
    Exists {
        /// The key file.
        path: PathBuf,
    },
    /// AEAD decryption failed.
    #[error("wrong passphrase for key file {} (or the file was altered)", path.display())]
    WrongPassphrase {
        /// The key file.
        path: PathBuf,
    },
    /// The file is not a well-formed `honors-key/v1` document.
    #[error("key file {} is malformed: {reason}", path.display())]
    Malformed {
        /// The key file.
        path: PathBuf,
        /// What is wrong (never contains secret bytes).
        reason: String,
    },
    /// The `format` field names a format this version does not read.
    #[error("{} has format {found:?}, but this version reads only {FORMAT:?} key files", path.display())]
    UnsupportedFormat {
        /// The key file.
        path: PathBuf,
        /// The `format` value found.
        found: String,
    },
    /// Reading, writing or syncing failed.
    #[error("cannot access key file {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An empty passphrase was given.
    #[error("the passphrase is empty; key files need a non-empty passphrase")]
    EmptyPassphrase,
    /// The key file is readable or writable by group or others.
    #[error("key file {} has permissions {mode:04o} and is accessible by other users; run `chmod 600 {}` and consider the key exposed if others could read it", path.display(), path.display())]
    TooPermissive {
        /// The key file.
        path: PathBuf,
        /// Permission bits found (e.g. 0o644).
        mode: u32,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

fn io_err(path: &Path, source: io::Error) -> KeyFileError {
    let path = path.into();
    KeyFileError::Io { path, source }
}

fn malformed(path: &Path, reason: impl Into<String>) -> KeyFileError {
    let (path, reason) = (path.into(), reason.into());
    KeyFileError::Malformed { path, reason }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], KeyFileError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| KeyFileError::Random(e.to_string()))?;
    Ok(b)
}

/// Generates a new signing key from OS randomness (getrandom), rejecting a key whose
/// public key is weak (small order; astronomically unlikely).
pub fn generate_signing_key() -> Result<SigningKey, KeyFileError> {
    for _ in 0..8 {
        let seed = Zeroizing::new(random_bytes::<32>()?);
        let key = SigningKey::from_bytes(&seed);
        if !key.verifying_key().is_weak() {
            return Ok(key);
        }
    }
    Err(KeyFileError::Random("it produced only weak keys".into()))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    format: String,
    label: String,
    public_key: String,
    kdf: KdfV1,
    aead: AeadV1,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfV1 {
    alg: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AeadV1 {
    alg: String,
    nonce: String,
}

/// Argon2id (memory KiB, passes, lanes).
type Cost = (u32, u32, u32);

/// A syntactically valid key file, decoded.
struct Parsed {
    info: KeyInfo,
    cost: Cost,
    salt: [u8; 16],
    nonce: [u8; 24],
    ciphertext: [u8; 48],
}

fn aad(label: &str, public_key: &VerifyingKey) -> Vec<u8> {
    let mut a = Vec::with_capacity(FORMAT.len() + 4 + label.len() + 32);
    a.extend_from_slice(FORMAT.as_bytes());
    a.extend_from_slice(&(label.len() as u32).to_be_bytes());
    a.extend_from_slice(label.as_bytes());
    a.extend_from_slice(public_key.as_bytes());
    a
}

/// Argon2id(passphrase, salt) → the XChaCha20-Poly1305 cipher for a key file.
fn cipher(pass: &Passphrase, salt: &[u8], cost: Cost) -> Result<XChaCha20Poly1305, String> {
    let (m, t, p) = cost;
    let params = Params::new(m, t, p, Some(32)).map_err(|e| format!("bad kdf parameters: {e}"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pass.as_bytes(), salt, &mut key[..])
        .map_err(|e| format!("key derivation failed: {e}"))?;
    Ok(XChaCha20Poly1305::new_from_slice(&key[..]).expect("a 32-byte key"))
}

fn decode_fixed<const N: usize>(field: &str, s: &str) -> Result<[u8; N], String> {
    let v = B64.decode(s).map_err(|_| format!("{field}: bad base64"))?;
    let n = v.len();
    v.try_into()
        .map_err(|_| format!("{field} has {n} bytes, expected {N}"))
}

/// Parses a key file. Reasons never quote secret material (serde_json's messages give
/// positions and field names, not values).
fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed, KeyFileError> {
    const HINT: &str = "is it an honors key file?";
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| malformed(path, format!("not a JSON document ({e}); {HINT}")))?;
    let found = match value.get("format") {
        None => return Err(malformed(path, format!("no \"format\" field; {HINT}"))),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if found != FORMAT {
        return Err(KeyFileError::UnsupportedFormat {
            path: path.into(),
            found,
        });
    }
    parse_v1(value).map_err(|reason| malformed(path, reason))
}

fn parse_v1(value: serde_json::Value) -> Result<Parsed, String> {
    let f: FileV1 = serde_json::from_value(value).map_err(|e| e.to_string())?;
    let (kdf, aead) = (&f.kdf, &f.aead);
    if kdf.alg != "argon2id" || aead.alg != "xchacha20poly1305" {
        return Err("only argon2id and xchacha20poly1305 are supported".into());
    }
    let m_ok = (8..=1_048_576).contains(&kdf.m_kib);
    if !(m_ok && (1..=64).contains(&kdf.t) && (1..=16).contains(&kdf.p)) {
        return Err("kdf parameters out of range (m_kib 8..=1048576, t 1..=64, p 1..=16)".into());
    }
    let pk: [u8; 32] = decode_fixed("public_key", &f.public_key)?;
    let public_key = VerifyingKey::from_bytes(&pk)
        .map_err(|_| "public_key is not a valid Ed25519 public key".to_string())?;
    Ok(Parsed {
        cost: (kdf.m_kib, kdf.t, kdf.p),
        salt: decode_fixed("kdf.salt", &kdf.salt)?,
        nonce: decode_fixed("aead.nonce", &aead.nonce)?,
        ciphertext: decode_fixed("ciphertext", &f.ciphertext)?,
        info: KeyInfo {
            label: f.label,
            public_key,
        },
    })
}

fn read_bounded(path: &Path) -> Result<(File, Vec<u8>), KeyFileError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let meta = file.metadata().map_err(|e| io_err(path, e))?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        let n = meta.len();
        return Err(malformed(
            path,
            format!("not a file of at most 64 KiB ({n} bytes)"),
        ));
    }
    let mut bytes = Vec::new();
    let read = (&file).take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes);
    read.map_err(|e| io_err(path, e))?;
    Ok((file, bytes))
}

/// Reads the public part of a key file (label and public key) without a passphrase.
/// Does not check permissions and does not authenticate the values (see module doc).
pub fn read_key_info(path: &Path) -> Result<KeyInfo, KeyFileError> {
    let (_, bytes) = read_bounded(path)?;
    Ok(parse(path, &bytes)?.info)
}

/// Reads and decrypts a key file. Errors with [`KeyFileError::TooPermissive`] if group
/// or others have any permission on it (like ssh), [`KeyFileError::WrongPassphrase`]
/// if authentication fails, and checks that the seed reproduces the stored public key.
pub fn read_key_file(
    path: &Path,
    pass: &Passphrase,
) -> Result<(SigningKey, KeyInfo), KeyFileError> {
    let (file, bytes) = read_bounded(path)?;
    let meta = file.metadata().map_err(|e| io_err(path, e))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(KeyFileError::TooPermissive {
            path: path.into(),
            mode,
        });
    }
    let f = parse(path, &bytes)?;
    let cipher = cipher(pass, &f.salt, f.cost).map_err(|r| malformed(path, r))?;
    let (msg, aad) = (
        &f.ciphertext[..],
        &aad(&f.info.label, &f.info.public_key)[..],
    );
    let plain = Zeroizing::new(
        cipher
            .decrypt(&XNonce::from(f.nonce), Payload { msg, aad })
            .map_err(|_| KeyFileError::WrongPassphrase { path: path.into() })?,
    );
    let mut seed = Zeroizing::new([0u8; 32]);
    seed.copy_from_slice(&plain); // 48-byte ciphertext − 16-byte tag
    let signing = SigningKey::from_bytes(&seed);
    if signing.verifying_key() != f.info.public_key {
        return Err(malformed(path, "decrypted key does not match public_key"));
    }
    Ok((signing, f.info))
}

/// Encrypts `key` under `passphrase` and writes it to `path` (format in the module doc).
///
/// Creates the file with `create_new` and mode 0600, refusing to overwrite
/// ([`KeyFileError::Exists`]) unless `force`; with `force`, writes a 0600 temporary file
/// in the same directory and renames it over `path`. The file and its directory are
/// fsynced before returning.
pub fn write_key_file(
    path: &Path,
    key: &SigningKey,
    label: &str,
    passphrase: &Passphrase,
    force: bool,
) -> Result<KeyInfo, KeyFileError> {
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(KeyFileError::Exists { path: path.into() }); // before the slow KDF
    }
    let public_key = key.verifying_key();
    let (salt, nonce) = (random_bytes::<16>()?, random_bytes::<24>()?);
    let cipher =
        cipher(passphrase, &salt, (M_KIB, T_COST, P_COST)).map_err(|r| malformed(path, r))?;
    let seed = Zeroizing::new(key.to_bytes());
    let (msg, aad) = (&seed[..], &aad(label, &public_key)[..]);
    let ciphertext = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg, aad })
        .map_err(|_| malformed(path, "encryption failed"))?;
    let (alg, salt) = ("argon2id".into(), B64.encode(salt));
    let doc = FileV1 {
        format: FORMAT.to_string(),
        label: label.to_string(),
        public_key: B64.encode(public_key.as_bytes()),
        kdf: KdfV1 {
            alg,
            m_kib: M_KIB,
            t: T_COST,
            p: P_COST,
            salt,
        },
        aead: AeadV1 {
            alg: "xchacha20poly1305".into(),
            nonce: B64.encode(nonce),
        },
        ciphertext: B64.encode(&ciphertext),
    };
    let text = serde_json::to_string_pretty(&doc).expect("serialising a key file") + "\n";

    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if force {
        let name = path
            .file_name()
            .ok_or_else(|| malformed(path, "no file name"))?;
        let suffix = u64::from_le_bytes(random_bytes()?);
        let tmp = dir.join(format!(".{}.tmp-{suffix:016x}", name.to_string_lossy()));
        write_new(&tmp, text.as_bytes())?;
        if let Err(e) = fs::rename(&tmp, path) {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(path, e));
        }
    } else {
        write_new(path, text.as_bytes())?;
    }
    let sync_dir = File::open(&dir).and_then(|d| d.sync_all());
    sync_dir.map_err(|e| io_err(&dir, e))?;
    Ok(KeyInfo {
        label: label.to_string(),
        public_key,
    })
}

/// Creates `path` (must not exist) with mode 0600, writes `bytes` and fsyncs it; on
/// failure removes what it created.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), KeyFileError> {
    let mut opts = OpenOptions::new();
    let mut file = match opts.write(true).create_new(true).mode(0o600).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(KeyFileError::Exists { path: path.into() })
        }
        Err(e) => return Err(io_err(path, e)),
    };
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = result {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(io_err(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aad_is_length_prefixed() {
        let pk = generate_signing_key().unwrap().verifying_key();
        assert_ne!(aad("ab", &pk), aad("a", &pk));
        assert!(aad("标签", &pk).starts_with(b"honors-key/v1\0\0\0\x06"));
    }

    #[test]
    fn passphrase_debug_is_redacted_and_empty_rejected() {
        let p = Passphrase::new("hunter2").unwrap();
        assert_eq!(format!("{p:?}"), "Passphrase(<redacted>)");
        assert!(matches!(
            Passphrase::new(""),
            Err(KeyFileError::EmptyPassphrase)
        ));
    }

    #[test]
    fn signing_key_debug_hides_secret() {
        let key = SigningKey::from_bytes(&[0x42; 32]);
        let dbg = format!("{key:?}");
        assert!(!dbg.contains("66, 66, 66"), "{dbg}");
        assert!(!dbg.to_lowercase().contains("4242"), "{dbg}");
    }
}
