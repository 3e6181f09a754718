//! `honors serve`: the HTTP API (`/api/v1/`), the transparency log as tlog-tiles (`/log/`), and
//! the public pages (`/` search, `/verify` the in-browser verification page, [`web`]).
//!
//! The server owns the registry (sled allows one process) with its log key unlocked. Reads
//! run on tokio's blocking pool straight against the store; writes go through the group-commit
//! writers ([`writer`]): every `POST /api/v1/statements` is answered only once its entry is
//! durable, and statements that arrive together share one transaction and one fsync. The
//! signature and the policy are the only authorisation: nothing unsigned is ever written.
//!
//! Shutdown (SIGTERM or SIGINT): stop accepting connections, refuse new writes with 503,
//! answer the writes already queued once they are durable, let in-flight requests finish (at
//! most [`ServeOptions::grace`]), flush the store, and return.
//!
//! Routes: see [`router`] and docs/API.md.

mod api;
mod http;
mod log;
pub mod proof;
mod web;
pub mod writer;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

use crate::error::Error;
use crate::registry::Registry;
pub use writer::{GroupCommit, Stats};

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// `HOST:PORT` to listen on (port 0: any free port; the bound address is reported).
    pub addr: String,
    pub group_commit: GroupCommit,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub grace: Duration,
}

/// Shared by every request.
pub struct AppState {
    reg: Arc<Registry>,
    /// The writers' queue; `None` once shutdown has begun.
    queue: RwLock<Option<writer::Queue>>,
    /// Bounds the heavy reads (listings, search) running at once on the blocking pool.
    heavy: tokio::sync::Semaphore,
}

impl AppState {
    fn queue(&self) -> Option<writer::Queue> {
        self.queue.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn close(&self) {
        self.queue.write().unwrap_or_else(|p| p.into_inner()).take();
    }
}

/// Every route.
pub fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route(
            "/statements",
            post(api::submit).layer(DefaultBodyLimit::max(api::MAX_BODY)),
        )
        .route("/awards", get(api::list))
        .route("/awards/{id}", get(api::award))
        .route("/awards/{id}/history", get(api::history))
        .route("/awards/{id}/credential", get(api::credential))
        .route("/awards/{id}/proof", get(api::proof))
        .route("/holders/{uscc}", get(api::holder))
        .route("/holders/{uscc}/awards", get(api::holder_awards))
        .route("/show/{id}", get(api::show))
        .route("/search", get(api::search))
        .route("/authorities", get(api::authorities))
        .route("/schemes", get(api::schemes))
        .route("/trust-roots", get(api::trust_roots))
        .route("/checkpoint", get(api::checkpoint))
        .route("/records/{kind}/{id}", get(api::record))
        .route("/log/key", get(api::log_key))
        .route("/log/inclusion", get(api::inclusion))
        .route("/log/consistency", get(api::consistency));
    let log = Router::new()
        .route("/checkpoint", get(log::checkpoint))
        .route("/tile/{*rest}", get(log::tile));
    Router::new()
        .nest("/api/v1", api)
        .nest("/log", log)
        .route("/", get(web::search))
        .route("/search", get(web::search))
        .route("/verify", get(web::verify))
        .route("/assets/{name}", get(web::asset))
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback(http::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(http::timeout))
        .layer(axum::middleware::from_fn(http::cors))
}

/// Serves `reg` until SIGTERM or SIGINT. `on_listening` is called with the bound address
/// once the socket accepts connections. Returns the group-commit statistics.
pub fn serve(
    reg: Registry,
    opts: ServeOptions,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<Stats, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("honors-http")
        .build()
        .map_err(|e| Error::internal(format!("starting the HTTP runtime: {e}")))?;
    // Search answers from memory while the server runs (about 2 s to build at a million
    // awards, before the port opens).
    reg.enable_search_index()?;
    let reg = Arc::new(reg);
    // Award counts per title and hospital, counted in the background; a query that comes
    // first counts what it needs itself.
    {
        let reg = reg.clone();
        std::thread::Builder::new()
            .name("honors-search-count".into())
            .spawn(move || {
                let t = std::time::Instant::now();
                match reg.count_search_index() {
                    Ok(n) if std::env::var_os("HONORS_TIMING").is_some() => {
                        eprintln!("search index: {n} tags counted in {:?}", t.elapsed())
                    }
                    Ok(_) => {}
                    Err(e) => eprintln!("warning: counting the search index: {e}"),
                }
            })
            .map_err(|e| Error::internal(format!("starting the search counter: {e}")))?;
    }
    let stats = Arc::new(Mutex::new(Stats::default()));
    let result = rt.block_on(run(reg.clone(), opts, stats.clone(), on_listening));
    rt.shutdown_timeout(Duration::from_secs(1));
    reg.store().sync()?;
    result?;
    let s = *stats.lock().unwrap_or_else(|p| p.into_inner());
    Ok(s)
}

async fn run(
    reg: Arc<Registry>,
    opts: ServeOptions,
    stats: Arc<Mutex<Stats>>,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(&opts.addr)
        .await
        .map_err(|e| {
            Error::usage(
                format!("cannot listen on {}: {e}", opts.addr),
                "give a free HOST:PORT, e.g. --addr 127.0.0.1:8080 (port 0 picks a free port)",
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::internal(format!("bound address: {e}")))?;
    let (queue, writers) = writer::start(reg.clone(), opts.group_commit, stats);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let state = Arc::new(AppState {
        reg,
        queue: RwLock::new(Some(queue)),
        heavy: tokio::sync::Semaphore::new(cores * 2),
    });
    let app = router(state.clone());
    let stopping = Arc::new(tokio::sync::Notify::new());
    let on_signal = {
        let (state, stopping) = (state.clone(), stopping.clone());
        async move {
            shutdown_signal().await;
            state.close();
            stopping.notify_one();
        }
    };
    on_listening(addr);
    let server = axum::serve(listener, app).with_graceful_shutdown(on_signal);
    let grace = opts.grace;
    let served = tokio::select! {
        r = server.into_future() => r.map_err(|e| Error::internal(format!("HTTP server: {e}"))),
        _ = async { stopping.notified().await; tokio::time::sleep(grace).await } => {
            eprintln!("honors serve: requests still open after {} s; closing them", grace.as_secs());
            Ok(())
        }
    };
    state.close();
    drop(state);
    // The writers drain what is queued, answer it, and end.
    tokio::task::spawn_blocking(move || {
        for w in writers {
            let _ = w.join();
        }
    })
    .await
    .map_err(|e| Error::internal(format!("stopping the writers: {e}")))?;
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
