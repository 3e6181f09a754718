//! Group commit: statements that arrive together share one sled transaction and one fsync.
//!
//! Handlers enqueue each submitted statement in a bounded queue (full → 503, so a burst is
//! refused rather than buffered without limit) and wait for its reply. Writer threads (two by
//! default) take turns at the queue: one takes the first waiting statement, collects more
//! until the linger window after that statement's arrival has passed or the batch is full,
//! and calls [`Registry::submit`] once for the batch, which verifies the signatures in
//! parallel, decides each statement in order, appends the accepted ones, signs one checkpoint
//! and commits with one fsync. Each request is answered only after that returns, that is once
//! its entry is durable. While one writer commits, the other collects and verifies the next
//! batch (the registry's write lock keeps the decisions in order), so the fsync of one batch
//! overlaps the signature checks of the next. Under load the queue fills during a commit and
//! batches grow by themselves. The linger applies only while there is company to wait for
//! (the previous batch held more than one statement), so a lone client's write pays just its
//! own commit, and a burst after a quiet spell is batched from its second batch on.
//!
//! Shutdown: once the last sender is dropped, the writers drain what is queued, answer it,
//! and end.

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::registry::{Accepted, Registry};

/// How the writers batch.
#[derive(Debug, Clone, Copy)]
pub struct GroupCommit {
    /// How long to wait for company after the first statement of a batch arrived.
    pub linger: Duration,
    /// The most statements in one batch.
    pub max_batch: usize,
    /// The most statements waiting; beyond it a submission is refused with 503.
    pub queue: usize,
    /// Writer threads (1 or 2 make sense: one commits while the other verifies).
    pub writers: usize,
}

impl Default for GroupCommit {
    fn default() -> Self {
        GroupCommit {
            linger: Duration::from_millis(2),
            max_batch: 1024,
            queue: 8192,
            writers: 2,
        }
    }
}

/// One waiting statement.
pub struct Submission {
    pub bytes: Vec<u8>,
    pub arrived: Instant,
    pub reply: tokio::sync::oneshot::Sender<Result<Accepted, Error>>,
}

/// Why a submission could not be queued.
pub enum QueueError {
    Full,
    Closed,
}

/// The queue's sending end.
#[derive(Clone)]
pub struct Queue(SyncSender<Submission>);

impl Queue {
    pub fn try_send(&self, s: Submission) -> Result<(), QueueError> {
        self.0.try_send(s).map_err(|e| match e {
            TrySendError::Full(_) => QueueError::Full,
            TrySendError::Disconnected(_) => QueueError::Closed,
        })
    }
}

/// Batch statistics, for the shutdown summary and the performance notes.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Stats {
    pub batches: u64,
    pub statements: u64,
    pub largest_batch: u64,
    /// The size of the latest batch (more than 1: there is concurrency, so batches linger).
    #[serde(skip)]
    pub last_batch: u64,
}

/// Starts the writer threads. They end when every [`Queue`] clone is dropped and the queue is
/// drained; join the handles to wait for that.
pub fn start(
    reg: Arc<Registry>,
    cfg: GroupCommit,
    stats: Arc<Mutex<Stats>>,
) -> (Queue, Vec<std::thread::JoinHandle<()>>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Submission>(cfg.queue.max(1));
    let rx = Arc::new(Mutex::new(rx));
    let handles = (0..cfg.writers.max(1))
        .map(|i| {
            let (reg, rx, stats) = (reg.clone(), rx.clone(), stats.clone());
            std::thread::Builder::new()
                .name(format!("honors-writer-{i}"))
                .spawn(move || writer(&reg, &rx, cfg, &stats))
                .expect("spawning a writer thread")
        })
        .collect();
    (Queue(tx), handles)
}

fn writer(
    reg: &Registry,
    rx: &Mutex<Receiver<Submission>>,
    cfg: GroupCommit,
    stats: &Mutex<Stats>,
) {
    loop {
        let busy = stats.lock().unwrap_or_else(|p| p.into_inner()).last_batch > 1;
        let Some(batch) = collect(
            rx,
            if busy { cfg.linger } else { Duration::ZERO },
            cfg.max_batch,
        ) else {
            return;
        };
        let n = batch.len() as u64;
        let (bytes, replies): (Vec<Vec<u8>>, Vec<_>) =
            batch.into_iter().map(|s| (s.bytes, s.reply)).unzip();
        match reg.submit(bytes, jiff::Timestamp::now()) {
            Ok(results) => {
                for (r, reply) in results.into_iter().zip(replies) {
                    let _ = reply.send(r);
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
        let mut s = stats.lock().unwrap_or_else(|p| p.into_inner());
        s.batches += 1;
        s.statements += n;
        s.largest_batch = s.largest_batch.max(n);
        s.last_batch = n;
    }
}

/// The next batch: the first waiting statement, whatever else is waiting, and whatever arrives
/// within `linger` after the first arrived (at most `max_batch`). `None` once the queue is closed and empty.
fn collect(
    rx: &Mutex<Receiver<Submission>>,
    linger: Duration,
    max_batch: usize,
) -> Option<Vec<Submission>> {
    let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
    let first = rx.recv().ok()?;
    let deadline = first.arrived + linger;
    let mut batch = vec![first];
    while batch.len() < max_batch {
        let now = Instant::now();
        let next = if now >= deadline {
            rx.try_recv().ok()
        } else {
            match rx.recv_timeout(deadline - now) {
                Ok(s) => Some(s),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => None,
            }
        };
        match next {
            Some(s) => batch.push(s),
            None => break,
        }
    }
    Some(batch)
}
