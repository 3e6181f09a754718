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

/// jemalloc's options (its `malloc_conf` string; `_RJEM_MALLOC_CONF` in the environment still
/// overrides them): freed pages go back to the system after 1 s instead of 10 s. A server that
/// lists a million awards churns through sled's page buffers, and with the default decay its
/// peak resident memory was 60 MB higher (538 → 477 MB at a million awards), in the same time.
#[export_name = "_rjem_malloc_conf"]
#[used]
static MALLOC_CONF: MallocConf = MallocConf(c"dirty_decay_ms:1000,muzzy_decay_ms:0".as_ptr());

/// A C string pointer that jemalloc reads once at start (`const char *malloc_conf`).
#[repr(transparent)]
struct MallocConf(*const std::ffi::c_char);
// SAFETY: it points at a static, immutable, NUL-terminated byte string.
unsafe impl Sync for MallocConf {}

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
