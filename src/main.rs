//! The `honors` binary: parse the command line, run it, map the outcome to an exit code.
//!
//! Exit codes: 0 ok / valid / audit clean; 1 a definite "no" (invalid, refused, findings);
//! 2 usage, bad input, missing file, registry locked; 3 internal or I/O failure.

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = honors::cli::main();
    ExitCode::from(code as u8)
}
