//! The top-level error: what went wrong, what to do, and which exit code it maps to.
//!
//! Module errors say precisely what failed; [`Error`] adds the [`ErrorKind`] (exit code and
//! HTTP status) and a hint. A bad proof is not an error but a verdict (see `verify`); a
//! refused statement is an error of kind [`ErrorKind::Refused`] (exit 1: a definite "no").

use std::path::Path;

use crate::keyfile::KeyFileError;
use crate::policy::PolicyError;
use crate::statement::StatementError;
use crate::store::StoreError;

/// How an error should end the process (and, for the server, which HTTP status it gets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A definite "no": a statement refused by policy or by its signature. Exit 1, HTTP 403/409.
    Refused,
    /// Bad usage or input: a malformed file, a wrong code, a missing file. Exit 2, HTTP 400.
    Input,
    /// The id names nothing in the registry. Exit 2, HTTP 404.
    NotFound,
    /// Too large to accept (a statement over the size limit). Exit 2, HTTP 413.
    TooLarge,
    /// The registry is in use by another process. Exit 2, HTTP 503.
    Locked,
    /// Something is wrong inside: I/O failure, damaged store. Exit 3, HTTP 500.
    Internal,
}

impl ErrorKind {
    /// The process exit code for this kind.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Refused => 1,
            ErrorKind::Input | ErrorKind::NotFound | ErrorKind::TooLarge | ErrorKind::Locked => 2,
            ErrorKind::Internal => 3,
        }
    }

    /// The HTTP status for this kind (the server's answer to a refused or failed request).
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::Refused => 403,
            ErrorKind::Input => 400,
            ErrorKind::NotFound => 404,
            ErrorKind::TooLarge => 413,
            ErrorKind::Locked => 503,
            ErrorKind::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::Input => "input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Locked => "locked",
            ErrorKind::Internal => "internal",
        }
    }
}

/// An error with its kind and a hint about what to do.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    hint: Option<String>,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: Option<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint,
        }
    }
    /// Bad input, with what to do about it.
    pub fn input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ErrorKind::Input, message, Some(hint.into()))
    }
    /// Bad usage of the command line.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::input(message, hint)
    }
    /// Nothing has this id.
    pub fn not_found(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message, Some(hint.into()))
    }
    /// A refusal.
    pub fn refused(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message, Some(hint.into()))
    }
    /// An internal failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message, None)
    }
    /// Stored data does not match what was signed.
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Internal,
            format!("registry integrity check failed: {}", message.into()),
            Some("do not write to this registry; run `honors audit` to locate the damage and restore the last good backup (honors restore)".into()),
        )
    }
    /// A file could not be read or written.
    pub fn file(path: &Path, e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => Self::input(
                format!("{}: no such file or directory", path.display()),
                "check the path",
            ),
            std::io::ErrorKind::PermissionDenied => Self::input(
                format!("{}: permission denied", path.display()),
                "check the file's owner and mode",
            ),
            _ => Self::new(
                ErrorKind::Internal,
                format!("{}: {e}", path.display()),
                None,
            ),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    /// What to do about it, if there is anything to say.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
    /// Prefixes the message with context (e.g. the CSV line).
    pub fn context(mut self, what: impl std::fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let kind = match &e {
            StoreError::Locked { .. } => ErrorKind::Locked,
            StoreError::NotARegistry { .. }
            | StoreError::Exists { .. }
            | StoreError::Layout { .. } => ErrorKind::Input,
            _ => ErrorKind::Internal,
        };
        let hint = matches!(e, StoreError::Corrupt(_) | StoreError::Codec(_)).then(|| {
            "run `honors audit` to locate the damage, then restore the last backup (honors restore)"
                .to_string()
        });
        Error::new(kind, e.to_string(), hint)
    }
}

impl From<KeyFileError> for Error {
    fn from(e: KeyFileError) -> Self {
        let kind = match &e {
            // A missing or unreadable file is the caller's input (exit 2); other I/O is internal.
            KeyFileError::Io { source, .. }
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                ) =>
            {
                ErrorKind::Input
            }
            KeyFileError::Io { .. } => ErrorKind::Internal,
            _ => ErrorKind::Input,
        };
        let hint = match &e {
            KeyFileError::WrongPassphrase { .. } => Some(
                "check --passphrase-file (one line, the trailing newline is ignored) or HONORS_PASSPHRASE;                  for the log key: HONORS_LOG_PASSPHRASE or log_passphrase_file in registry.toml"
                    .to_string(),
            ),
            KeyFileError::Exists { .. } => Some("choose another file, or pass --force once no one needs the old key".into()),
            _ => None,
        };
        Error::new(kind, e.to_string(), hint)
    }
}

impl From<PolicyError> for Error {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::View(v) => Error::internal(format!("reading registry state: {v}")),
            other => Error::refused(
                format!("statement refused: {other}"),
                "nothing was stored; see `honors authority list` for what each authority may do",
            ),
        }
    }
}

impl From<StatementError> for Error {
    fn from(e: StatementError) -> Self {
        match &e {
            StatementError::TooLarge { .. } => Error::new(
                ErrorKind::TooLarge,
                format!("statement rejected: {e}"),
                Some("nothing was stored; a statement (and so a log entry) must stay small: shorten the text fields".into()),
            ),
            StatementError::Proof(crate::credential::ProofError::BadSignature { .. }) => {
                Error::refused(format!("statement refused: {e}"), "nothing was stored; the statement was altered after signing or signed with another key")
            }
            _ => Error::input(format!("statement rejected: {e}"), "nothing was stored; fix the statement and submit it again"),
        }
    }
}

impl From<crate::id::UsccError> for Error {
    fn from(e: crate::id::UsccError) -> Self {
        Error::input(
            e.to_string(),
            "check the 18-character 统一社会信用代码 against the holder's business licence",
        )
    }
}

impl From<crate::time::TimeError> for Error {
    fn from(e: crate::time::TimeError) -> Self {
        Error::input(e.to_string(), "write dates as YYYY-MM-DD")
    }
}

/// Result with the top-level error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
