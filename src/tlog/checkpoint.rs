//! Checkpoints (c2sp.org/tlog-checkpoint v1.0.0): the signed tree head of a log.
//!
//! What it is: the note text `<origin>\n<tree size>\n<base64 root>\n` followed by optional
//! extension lines, each non-empty. The size is ASCII decimal without leading zeros (`0` for the
//! empty tree); the root is standard padded base64 of exactly 32 bytes. A checkpoint has no
//! timestamp: time comes from cosignatures.
//!
//! Invariant: `Checkpoint::parse(c.to_text()) == c` for every checkpoint `c` that parses, and
//! [`open_checkpoint`] returns a checkpoint only if a trusted key named exactly like its origin
//! signed it (the spec's SHOULD, made a MUST here; [`open_checkpoint_with_origin`] relaxes it
//! for logs like sum.golang.org whose key name differs from the origin).
//!
//! What it does NOT do: require the root of a size-0 checkpoint to be `SHA-256("")` (Go-based
//! logs use the all-zero hash there; `verify_consistency` enforces it where it matters), check
//! consistency with earlier checkpoints, or check cosignatures.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::note::{open_note, Note, NoteError, NoteVerifier};
use super::Hash;

/// Errors from parsing or opening a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("checkpoint text must end with a newline")]
    MissingFinalNewline,
    #[error("checkpoint has {count} lines; it needs at least 3 (origin, tree size, root hash)")]
    TooFewLines { count: usize },
    #[error("checkpoint line {line} is empty")]
    EmptyLine { line: usize },
    #[error("checkpoint line {line} contains control character U+{code:04X}")]
    ControlCharacter { line: usize, code: u32 },
    #[error("checkpoint line 2: tree size {value:?} is not a decimal number without leading zeros that fits in 64 bits")]
    InvalidSize { value: String },
    #[error("checkpoint line 3: root hash {value:?} is not padded base64 of 32 bytes: {reason}")]
    InvalidRoot { value: String, reason: String },
    #[error("checkpoint origin {origin:?} is not signed by a trusted key of that name; verified by [{verified_by}]")]
    OriginNotSigned { origin: String, verified_by: String },
    #[error("checkpoint origin is {found:?}, expected {expected:?}")]
    UnexpectedOrigin { expected: String, found: String },
}

/// A parsed checkpoint body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Unique identity of the log, e.g. `example.com/log`.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 6962 root hash of the tree of `size` leaves.
    pub root: Hash,
    /// Extension lines (without `\n`), each non-empty.
    pub extensions: Vec<String>,
}

fn parse_size(value: &str) -> Option<u64> {
    if value.is_empty()
        || !value.bytes().all(|b| b.is_ascii_digit())
        || (value.len() > 1 && value.starts_with('0'))
    {
        return None;
    }
    value.parse().ok()
}

impl Checkpoint {
    /// Parses a checkpoint note text (ending in `\n`).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        for (i, line) in lines.iter().enumerate() {
            if line.is_empty() {
                // A text shorter than 3 lines reports that instead of an empty line.
                if lines.len() < 3 {
                    return Err(CheckpointError::TooFewLines { count: lines.len() });
                }
                return Err(CheckpointError::EmptyLine { line: i + 1 });
            }
            if let Some(c) = line.chars().find(|c| c.is_control()) {
                return Err(CheckpointError::ControlCharacter {
                    line: i + 1,
                    code: c as u32,
                });
            }
        }
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { count: lines.len() });
        };
        let size = parse_size(size).ok_or_else(|| CheckpointError::InvalidSize {
            value: size.to_string(),
        })?;
        let raw = B64.decode(root).map_err(|e| CheckpointError::InvalidRoot {
            value: root.to_string(),
            reason: e.to_string(),
        })?;
        let root_hash: Hash =
            raw.as_slice()
                .try_into()
                .map_err(|_| CheckpointError::InvalidRoot {
                    value: root.to_string(),
                    reason: format!("decodes to {} bytes", raw.len()),
                })?;
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root: root_hash,
            extensions: extensions.iter().map(|s| s.to_string()).collect(),
        })
    }

    /// The note text: origin, size, base64 root, extension lines, each ending in `\n`.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }
}

/// Opens a signed checkpoint: [`open_note`], then parses the text as a checkpoint, and requires
/// that a verifier whose name equals the origin verified it.
pub fn open_checkpoint(
    bytes: &[u8],
    verifiers: &[NoteVerifier],
) -> Result<(Checkpoint, Note), CheckpointError> {
    let (note, names) = open_note(bytes, verifiers)?;
    let cp = Checkpoint::parse(&note.text)?;
    if !names.iter().any(|n| n == &cp.origin) {
        return Err(CheckpointError::OriginNotSigned {
            origin: cp.origin,
            verified_by: names.join(", "),
        });
    }
    Ok((cp, note))
}

/// Like [`open_checkpoint`], for logs whose key name differs from the origin (e.g. the Go
/// checksum database: key `sum.golang.org`, origin `go.sum database tree`): any trusted
/// verifier may have signed it, and the origin must equal `origin`.
pub fn open_checkpoint_with_origin(
    bytes: &[u8],
    verifiers: &[NoteVerifier],
    origin: &str,
) -> Result<(Checkpoint, Note), CheckpointError> {
    let (note, _) = open_note(bytes, verifiers)?;
    let cp = Checkpoint::parse(&note.text)?;
    if cp.origin != origin {
        return Err(CheckpointError::UnexpectedOrigin {
            expected: origin.to_string(),
            found: cp.origin,
        });
    }
    Ok((cp, note))
}
