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
        if self.json {
            let text = serde_json::to_string_pretty(value).map_err(|e| Error::internal(e.to_string()))?;
            println!("{text}");
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
        Ok(())
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
