//! Awards as the log has made them, and their status words.
//!
//! An [`Award`] record is derived from the award credential and every later statement about
//! it. [`status_at`] turns it into today's (or any day's) verdict word; it is the one place
//! where lifecycle, validity dates and key compromise meet, used by listing, proving and audit.

use serde::{Deserialize, Serialize};

use crate::statement::Relation;

/// The state the lifecycle statements have put an award in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AwardState {
    Active,
    Suspended {
        since_us: i64,
        index: u64,
        reason: String,
    },
    Revoked {
        on_us: i64,
        index: u64,
        reason: String,
    },
    Superseded {
        by: String,
        index: u64,
    },
    /// Ended because the holder merged, split or dissolved.
    Ended {
        on_us: i64,
        index: u64,
        reason: String,
    },
}

/// An award record: what the credential said plus what happened to it since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub id: String,
    pub uscc: String,
    pub holder_name: String,
    pub sub_unit: Option<String>,
    pub title: String,
    pub scheme: String,
    /// Authority id of the issuer.
    pub issuer: String,
    pub signer_did: String,
    pub valid_from_us: i64,
    pub valid_until_us: Option<i64>,
    pub batch_year: Option<u32>,
    /// Log index of the award credential.
    pub index: u64,
    pub integrated_us: i64,
    pub state: AwardState,
    pub previous: Option<(Relation, String)>,
    /// Awards that renew this one.
    pub renewed_by: Vec<String>,
    /// Authorities that joined as co-issuers (a joint award), in order.
    pub co_issuers: Vec<String>,
    /// Log indexes of every statement about this award after its issue.
    pub events: Vec<u64>,
    /// Its index in the issuer's Bitstring Status Lists (`credentialStatus`), if it has one.
    pub status_index: Option<u32>,
}

/// Today's verdict word for an award (`award list`'s `status`, `verify`'s `verdict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Valid,
    Expired,
    NotYetValid,
    Suspended,
    Revoked,
    Superseded,
    Invalid,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expired => "expired",
            Status::NotYetValid => "not_yet_valid",
            Status::Suspended => "suspended",
            Status::Revoked => "revoked",
            Status::Superseded => "superseded",
            Status::Invalid => "invalid",
        }
    }

    /// Parses a status word as `award list --status` takes it.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Valid,
            Status::Expired,
            Status::NotYetValid,
            Status::Suspended,
            Status::Revoked,
            Status::Superseded,
            Status::Invalid,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status of `award` at instant `now_us`, with a reason a person can read.
///
/// `key_compromised_us` is the compromise time of the key that signed the award, if one has
/// been reported: an award logged at or after it is void whatever else happened.
pub fn status_at(award: &Award, now_us: i64, key_compromised_us: Option<i64>) -> (Status, String) {
    use crate::time::{date_cst, from_micros};
    let day = |us: i64| date_cst(from_micros(us));
    if let Some(c) = key_compromised_us {
        if award.integrated_us >= c {
            return (
                Status::Invalid,
                format!(
                    "signed with a key reported compromised since {}, and logged after that",
                    day(c)
                ),
            );
        }
    }
    match &award.state {
        AwardState::Revoked { on_us, reason, .. } if *on_us <= now_us => {
            return (
                Status::Revoked,
                format!("revoked on {} ({reason})", day(*on_us)),
            )
        }
        AwardState::Superseded { by, .. } => {
            return (Status::Superseded, format!("superseded by {by}"))
        }
        AwardState::Ended { on_us, reason, .. } if *on_us <= now_us => {
            return (
                Status::Expired,
                format!("ended on {} ({reason})", day(*on_us)),
            )
        }
        AwardState::Suspended {
            since_us, reason, ..
        } if *since_us <= now_us => {
            return (
                Status::Suspended,
                format!("suspended since {} ({reason})", day(*since_us)),
            )
        }
        _ => {}
    }
    if now_us < award.valid_from_us {
        return (
            Status::NotYetValid,
            format!("not valid before {}", day(award.valid_from_us)),
        );
    }
    match award.valid_until_us {
        Some(until) if until < now_us => (Status::Expired, format!("expired on {}", day(until))),
        Some(until) => (Status::Valid, format!("valid until {}", day(until))),
        None => (Status::Valid, "valid, with no end date".into()),
    }
}
