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
    pub fn result<T: Serialize + ?Sized>(
        &self,
        value: &T,
        human: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        let text = if self.json {
            serde_json::to_string_pretty(value).map_err(|e| Error::internal(e.to_string()))?
        } else {
            human().trim_end().to_string()
        };
        if !text.is_empty() {
            print_stdout(&text)?;
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
            let _ = print_stdout(&v.to_string());
        }
    }
}

/// Writes one result to stdout. A closed pipe (`honors … | head`) is not an error: the reader
/// has what it wanted, so the command ends quietly with success.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Error::new(
            crate::error::ErrorKind::Input,
            BROKEN_PIPE,
            None,
        )),
        Err(e) => Err(Error::internal(format!("writing to stdout: {e}"))),
    }
}

/// The message of the error that stands for a closed stdout.
pub const BROKEN_PIPE: &str = "stdout closed (Broken pipe)";
