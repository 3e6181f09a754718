//! `honors serve --addr HOST:PORT`: the HTTP API, the transparency log's tiles and the pages (`/`, `/verify`).

use std::time::Duration;

use super::common::Ctx;
use crate::error::Error;
use crate::server::{serve, GroupCommit, ServeOptions};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to listen (port 0 picks a free port; the address is printed once listening).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    /// Group commit: how long (ms) a batch waits for more statements after its first arrived.
    #[arg(long, default_value_t = 2, value_name = "MS")]
    pub batch_linger_ms: u64,
    /// Group commit: the most statements in one batch (one transaction, one fsync).
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub max_batch: usize,
    /// The most statements waiting to be logged; beyond it submissions get 503.
    #[arg(long, default_value_t = 8192, value_name = "N")]
    pub queue: usize,
    /// Seconds in-flight requests may take to finish after SIGTERM/SIGINT.
    #[arg(long, default_value_t = 10, value_name = "S")]
    pub grace: u64,
}

pub fn run(a: Args, ctx: &Ctx) -> Result<i32, Error> {
    // The server owns its registry handle (it moves into the server's state).
    let reg = crate::registry::Registry::open_for_serving(ctx.db_dir()?)?;
    ctx.unlock(&reg)?;
    let db = reg.dir().display().to_string();
    let opts = ServeOptions {
        addr: a.addr,
        group_commit: GroupCommit {
            linger: Duration::from_millis(a.batch_linger_ms),
            max_batch: a.max_batch.max(1),
            queue: a.queue.max(1),
            ..GroupCommit::default()
        },
        grace: Duration::from_secs(a.grace),
    };
    let out = ctx.out;
    let stats = serve(reg, opts, |addr| {
        // The one result line, printed as soon as the socket accepts connections (scripts and
        // tests read the bound address from it).
        let url = format!("http://{addr}/");
        let v = serde_json::json!({"listening": addr.to_string(), "url": url, "db": db});
        let _ = out.result(&v, || format!("listening on {url} (API {url}api/v1/, log {url}log/, search page {url}, verification page {url}verify)"));
        use std::io::Write;
        let _ = std::io::stdout().flush();
        out.status(format!(
            "serving the registry in {db}; stop with SIGTERM or Ctrl-C"
        ));
    })?;
    ctx.out.status(format!(
        "stopped: {} statements submitted in {} batches (largest {})",
        stats.statements, stats.batches, stats.largest_batch
    ));
    Ok(0)
}
