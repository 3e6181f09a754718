//! Output: stdout holds only the result, stderr holds status and errors.
//!
//! With `--json`, exactly one JSON value is printed on stdout (an error, too, becomes
//! `{"error": {"kind", "message", "hint"}}`). Status lines go to stderr unless `--quiet`.

use serde::Serialize;

use crate::error::Error;

/// Where results and status go.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub json: bool,
    pub quiet: bool,
}

impl Out {
    /// A status line on stderr (not under `--quiet`).
    pub fn status(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// Prints the result: JSON under `--json`, otherwise the human text.
    pub fn result<T: Serialize + ?Sized>(&self, value: &T, human: impl FnOnce() -> String) -> Result<(), Error> {
        let text = if self.json {
            serde_json::to_string_pretty(value).map_err(|e| Error::internal(e.to_string()))?
        } else {
            human().trim_end().to_string()
        };
        if text.is_empty() {
            return Ok(());
        }
        // `println!` panics on a closed pipe (`honors … | head`); a write error is returned
        // instead, and `cli::main` treats a broken pipe as success.
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}").and_then(|_| out.flush()).map_err(|e| Error::internal(format!("writing to stdout: {e}")))
    }

    /// Reports an error: message and hint on stderr; under `--json` also the JSON error on stdout.
    pub fn error(&self, e: &Error) {
        eprintln!("error: {}", e.message());
        if let Some(h) = e.hint() {
            eprintln!("  hint: {h}");
        }
        if self.json {
            let v = serde_json::json!({"error": {"kind": e.kind().as_str(), "message": e.message(), "hint": e.hint()}});
            println!("{v}");
        }
    }
}
