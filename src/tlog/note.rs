//! C2SP signed notes (c2sp.org/signed-note v1.0.0) with Ed25519 (signature type 0x01).
//!
//! What it is: parsing, signing and verifying notes: a UTF-8 text ending in `\n`, a blank line,
//! then signature lines `— <key name> <base64(4-byte key ID || signature)>\n`. Verifier keys
//! are `<name>+<8 lowercase hex key ID>+<base64(0x01 || 32-byte public key)>`, and the key ID is
//! `SHA-256(name || "\n" || 0x01 || public key)[:4]`. Follows Go's
//! `golang.org/x/mod/sumdb/note` (BSD-3-Clause) closely, including its limit of
//! [`MAX_NOTE_SIGNATURES`] signature lines.
//!
//! Signatures are checked with ed25519-dalek's `verify_strict` (it also rejects small-order
//! keys and non-canonical encodings, which honest signers never produce).
//!
//! Invariant: [`open_note`] returns `Ok` only if the note is well formed, at least one known
//! key verified it, and no known key's signature failed. Unknown `(name, key ID)` pairs are
//! ignored, as the spec requires (that is what makes key rotation and cosigning possible).
//!
//! What it does NOT do: handle other signature types (0x02 ECDSA, 0x05, 0x06 ML-DSA; the 0x04
//! cosignature is in `cosignature.rs`), read or store private keys, or decide which keys to
//! trust.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use super::keys::{format_vkey, is_valid_name, key_id, parse_vkey};

/// Go's limit on signature lines in one note (C2SP requires accepting at least 16).
pub const MAX_NOTE_SIGNATURES: usize = 100;

const SIG_PREFIX: &str = "\u{2014} ";
const ALG_ED25519: u8 = 0x01;

/// Errors from parsing, signing and verifying notes and verifier keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error(
        "invalid key name {name:?}: a key name must be non-empty and contain no spaces or '+'"
    )]
    InvalidKeyName { name: String },
    #[error("invalid verifier key {vkey:?}: {reason}")]
    InvalidVerifierKey { vkey: String, reason: String },
    #[error(
        "verifier key {vkey:?} has key ID {found:08x}, but its name and key give {computed:08x}"
    )]
    VerifierKeyIdMismatch {
        vkey: String,
        found: u32,
        computed: u32,
    },
    #[error("verifier key {vkey:?} has signature type 0x{alg:02x}; only 0x{expected:02x} is supported here")]
    UnsupportedKeyType { vkey: String, alg: u8, expected: u8 },
    #[error("malformed note: it is not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 { offset: usize },
    #[error("malformed note: control character U+{code:04X} at byte offset {offset} (only \\n is allowed)")]
    ControlCharacter { offset: usize, code: u32 },
    #[error("malformed note: no blank line separating the text from the signatures")]
    MissingSignatureBlock,
    #[error("malformed note: the blank line after the text is not followed by any signature line")]
    NoSignatures,
    #[error("malformed note: the signature block does not end with a newline")]
    MissingFinalNewline,
    #[error("malformed note: signature line {line} is not '— <key name> <base64>': {reason}")]
    MalformedSignatureLine { line: usize, reason: String },
    #[error("malformed note: {count} signature lines, more than the limit of {max}")]
    TooManySignatures { count: usize, max: usize },
    #[error("note text must be non-empty and end with a newline")]
    InvalidText,
    #[error(
        "ambiguous key {name}+{key_id:08x}: more than one known verifier has this name and key ID"
    )]
    AmbiguousKey { name: String, key_id: u32 },
    #[error("invalid signature for key {name}+{key_id:08x}")]
    InvalidSignature { name: String, key_id: u32 },
    #[error("note has no verifiable signatures: known keys are [{known}]; found signatures from [{found}]")]
    NoVerifiableSignatures { known: String, found: String },
    #[error("cosignature from {name}+{key_id:08x} is {len} bytes after the key ID, expected 72 (8-byte timestamp + 64-byte signature)")]
    MalformedCosignature {
        name: String,
        key_id: u32,
        len: usize,
    },
    #[error("cosignature timestamp {timestamp} is above 2^63-1")]
    TimestampOutOfRange { timestamp: u64 },
    #[error(
        "signature is from {found_name}+{found_id:08x}, not from this key {name}+{key_id:08x}"
    )]
    WrongKey {
        name: String,
        key_id: u32,
        found_name: String,
        found_id: u32,
    },
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The 4-byte key ID, big-endian.
    pub key_id: u32,
    /// The signature bytes after the key ID (64 for Ed25519, 72 for a cosignature).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line `— name base64(key_id || signature)\n`.
    pub fn to_line(&self) -> String {
        let mut raw = self.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.signature);
        format!("{SIG_PREFIX}{} {}\n", self.name, B64.encode(raw))
    }

    /// Parses one signature line, with or without its final `\n`. `line_no` is for errors.
    pub fn parse_line(line: &str, line_no: usize) -> Result<Self, NoteError> {
        let bad = |reason: &str| NoteError::MalformedSignatureLine {
            line: line_no,
            reason: reason.to_string(),
        };
        let line = line.strip_suffix('\n').unwrap_or(line);
        let rest = line
            .strip_prefix(SIG_PREFIX)
            .ok_or_else(|| bad("it does not start with an em dash and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| bad("no space between key name and signature"))?;
        if !is_valid_name(name) {
            return Err(bad(&format!("invalid key name {name:?}")));
        }
        let raw = B64
            .decode(b64)
            .map_err(|e| bad(&format!("signature is not padded standard base64 ({e})")))?;
        if raw.len() < 5 {
            return Err(bad(&format!(
                "signature is {} bytes, fewer than a 4-byte key ID and a signature",
                raw.len()
            )));
        }
        Ok(NoteSignature {
            name: name.to_string(),
            key_id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            signature: raw[4..].to_vec(),
        })
    }
}

/// A parsed (not necessarily verified) note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The text, including its final `\n` (the signed message).
    pub text: String,
    /// Every signature line, in order.
    pub signatures: Vec<NoteSignature>,
}

impl Note {
    /// The encoded note: text, blank line, signature lines.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n", self.text);
        for sig in &self.signatures {
            s.push_str(&sig.to_line());
        }
        s
    }
}

fn check_chars(s: &str) -> Result<(), NoteError> {
    for (offset, c) in s.char_indices() {
        if (c as u32) < 0x20 && c != '\n' {
            return Err(NoteError::ControlCharacter {
                offset,
                code: c as u32,
            });
        }
    }
    Ok(())
}

/// Parses a note, applying every C2SP structure rule, without verifying signatures.
pub fn parse_note(bytes: &[u8]) -> Result<Note, NoteError> {
    let msg = std::str::from_utf8(bytes).map_err(|e| NoteError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    check_chars(msg)?;
    let split = msg.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if sigs.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    if !sigs.ends_with('\n') {
        return Err(NoteError::MissingFinalNewline);
    }
    let lines: Vec<&str> = sigs[..sigs.len() - 1].split('\n').collect();
    if lines.len() > MAX_NOTE_SIGNATURES {
        return Err(NoteError::TooManySignatures {
            count: lines.len(),
            max: MAX_NOTE_SIGNATURES,
        });
    }
    let text_lines = text.matches('\n').count();
    let signatures = lines
        .iter()
        .enumerate()
        .map(|(i, l)| NoteSignature::parse_line(l, text_lines + 2 + i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Note {
        text: text.to_string(),
        signatures,
    })
}

/// Signs notes with an Ed25519 key under a key name.
pub struct NoteSigner {
    name: String,
    key_id: u32,
    key: SigningKey,
}

impl NoteSigner {
    /// A signer for `name` (non-empty, no spaces, no `+`).
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        if !is_valid_name(name) {
            return Err(NoteError::InvalidKeyName {
                name: name.to_string(),
            });
        }
        let key_id = key_id(name, ALG_ED25519, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_string(),
            key_id,
            key,
        })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    /// The verifier key `name+hex8+base64(0x01 || public key)`.
    pub fn vkey(&self) -> String {
        format_vkey(
            &self.name,
            self.key_id,
            ALG_ED25519,
            self.key.verifying_key().as_bytes(),
        )
    }
    /// The signature over `text` (which must be non-empty, end in `\n`, have no control chars).
    pub fn signature(&self, text: &str) -> Result<NoteSignature, NoteError> {
        if text.is_empty() || !text.ends_with('\n') {
            return Err(NoteError::InvalidText);
        }
        check_chars(text)?;
        let sig: Signature = self.key.sign(text.as_bytes());
        Ok(NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            signature: sig.to_bytes().to_vec(),
        })
    }
    /// The whole signed note: text, blank line, one signature line.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        Ok(format!("{text}\n{}", self.signature(text)?.to_line()))
    }
}

/// Verifies type-0x01 Ed25519 note signatures for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Parses a verifier key, re-deriving and checking its key ID; rejects non-Ed25519 types.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let (name, key_id, key) = parse_vkey(vkey, ALG_ED25519)?;
        Ok(NoteVerifier { name, key_id, key })
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn key_id(&self) -> u32 {
        self.key_id
    }
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }
    /// The verifier key string.
    pub fn vkey(&self) -> String {
        format_vkey(&self.name, self.key_id, ALG_ED25519, self.key.as_bytes())
    }
    /// Whether `signature` is a valid Ed25519 signature of `text` by this key.
    pub fn verify(&self, text: &str, signature: &[u8]) -> bool {
        match Signature::from_slice(signature) {
            Ok(sig) => self.key.verify_strict(text.as_bytes(), &sig).is_ok(),
            Err(_) => false,
        }
    }
}

/// Parses and verifies a note against known verifiers. Unknown `(name, key ID)` pairs are
/// ignored; a known key's bad signature rejects the note; a note with no signature from a
/// known key is rejected. Returns the note and the names of the verifiers that verified it
/// (each once, in signature order).
pub fn open_note(
    bytes: &[u8],
    verifiers: &[NoteVerifier],
) -> Result<(Note, Vec<String>), NoteError> {
    let note = parse_note(bytes)?;
    let mut verified: Vec<(String, u32)> = Vec::new();
    for sig in &note.signatures {
        let mut matching = verifiers
            .iter()
            .filter(|v| v.name == sig.name && v.key_id == sig.key_id);
        let Some(v) = matching.next() else { continue };
        if matching.next().is_some() {
            return Err(NoteError::AmbiguousKey {
                name: sig.name.clone(),
                key_id: sig.key_id,
            });
        }
        if verified
            .iter()
            .any(|(n, id)| n == &sig.name && *id == sig.key_id)
        {
            continue; // a repeated signature by one key counts once
        }
        if !v.verify(&note.text, &sig.signature) {
            return Err(NoteError::InvalidSignature {
                name: sig.name.clone(),
                key_id: sig.key_id,
            });
        }
        verified.push((sig.name.clone(), sig.key_id));
    }
    if verified.is_empty() {
        let known: Vec<String> = verifiers
            .iter()
            .map(|v| format!("{}+{:08x}", v.name, v.key_id))
            .collect();
        let found: Vec<String> = note
            .signatures
            .iter()
            .map(|s| format!("{}+{:08x}", s.name, s.key_id))
            .collect();
        return Err(NoteError::NoVerifiableSignatures {
            known: known.join(", "),
            found: found.join(", "),
        });
    }
    let names = verified.into_iter().map(|(n, _)| n).collect();
    Ok((note, names))
}
