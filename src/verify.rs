//! Verdicts: the answer to "is this award valid?", with the reason and the checks behind it.
//!
//! A bad proof is a [`Verdict`] (`invalid`, naming the failing check), not an error: errors
//! are for input that could not be read at all. Every verdict lists the checks that passed,
//! in order, so a person can see what was established before a failure.
//!
//! Offline verification, pure (no store, files or clock; time is an argument):
//! [`verify_bundle`] for proof bundles, [`verify_compact`] for compact codes (which alone prove
//! a signature, never `valid`). A bare credential needs the registry (`registry::verify`).

mod bundle;
mod compact;

pub use bundle::{parse_newer_checkpoint, verify_bundle, BundleVerifier, NewerCheckpoint};
pub use compact::{compact_checks, verify_compact, SIGNATURE_ONLY};

use serde::Serialize;

use crate::award::Status;

/// One verification step and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Short name of the step: `json`, `signature`, `issuer`, `chain`, `checkpoint`, `inclusion`, `status`…
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

/// The verdict on one award.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub verdict: Status,
    pub reason: String,
    pub checks: Vec<Check>,
    /// The award's id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub award_id: Option<String>,
    /// "as of checkpoint N": the log size whose signed checkpoint the answer rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of_tree_size: Option<u64>,
}

/// Collects checks until the verdict is known.
#[derive(Debug, Default)]
pub struct Checks {
    pub list: Vec<Check>,
}

impl Checks {
    /// Records a passed check.
    pub fn pass(&mut self, check: &'static str, detail: impl Into<String>) {
        self.list.push(Check {
            check,
            ok: true,
            detail: detail.into(),
        });
    }

    /// Records a failed check and returns the `invalid` verdict that follows from it.
    pub fn fail(mut self, check: &'static str, detail: impl Into<String>) -> Verdict {
        let detail = detail.into();
        self.list.push(Check {
            check,
            ok: false,
            detail: detail.clone(),
        });
        Verdict {
            verdict: Status::Invalid,
            reason: format!("{check}: {detail}"),
            checks: self.list,
            award_id: None,
            as_of_tree_size: None,
        }
    }

    /// The final verdict once every check passed.
    pub fn finish(self, verdict: Status, reason: impl Into<String>) -> Verdict {
        Verdict {
            verdict,
            reason: reason.into(),
            checks: self.list,
            award_id: None,
            as_of_tree_size: None,
        }
    }
}

impl Verdict {
    /// Exit code for this verdict: 0 only for `valid`.
    pub fn exit_code(&self) -> i32 {
        if self.verdict == Status::Valid {
            0
        } else {
            1
        }
    }
}
