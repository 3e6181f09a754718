//! The `honors` binary: parse the command line, run it, map the outcome to an exit code.
//!
//! Exit codes: 0 ok / valid / audit clean; 1 a definite "no" (invalid, refused, findings);
//! 2 usage, bad input, missing file, registry locked; 3 internal or I/O failure.

use std::process::ExitCode;

/// jemalloc instead of glibc's malloc: an audit of a million entries holds gigabytes of small
/// records built on several threads, and glibc's malloc took over a third of its samples
/// (bin searches and consolidation in a fragmented heap), growing with the heap
/// (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    // A panic is a bug: report it in one line and exit 3, never 101 with a backtrace.
    let location = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = location.clone();
    std::panic::set_hook(Box::new(move |info| {
        if let (Ok(mut l), Some(at)) = (seen.lock(), info.location()) {
            *l = at.to_string();
        }
    }));
    match std::panic::catch_unwind(honors::cli::main) {
        Ok(code) => ExitCode::from(code as u8),
        Err(panic) => {
            let at = location.lock().map(|l| l.clone()).unwrap_or_default();
            eprintln!(
                "error: internal error (a bug in honors): {} at {at}",
                honors::store::panic_text(&panic)
            );
            eprintln!("  hint: nothing was acknowledged by this command; please report it with the command you ran");
            ExitCode::from(3)
        }
    }
}
