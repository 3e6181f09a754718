//! `--registry URL`: write commands sign locally (the key never leaves this machine) and submit
//! the signed statement to a registry server (`POST /api/v1/statements`); the records they need
//! to build it (the signer's authority, the scheme, the holder, the award) come from
//! `GET /api/v1/records/…` instead of a local `--db`.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::common::Ctx;
use crate::authority::{Authority, Holder, Scheme};
use crate::award::Award;
use crate::error::{Error, ErrorKind};
use crate::registry::{Accepted, Registry};

/// A registry server.
pub struct Remote {
    base: String,
    agent: ureq::Agent,
}

impl Remote {
    pub fn new(url: &str) -> Result<Remote, Error> {
        if !url.starts_with("http://") {
            return Err(Error::usage(
                format!("--registry {url}: this build speaks plain http:// only"),
                "give the server's http:// address (e.g. http://127.0.0.1:8080), or a local TLS-terminating proxy",
            ));
        }
        let base = url
            .trim_end_matches('/')
            .trim_end_matches("/api/v1")
            .to_string();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .user_agent(concat!("honors/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Remote { base, agent })
    }

    fn answer(
        &self,
        what: &str,
        r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, serde_json::Value), Error> {
        let mut r = r.map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("{what} at {}: {e}", self.base),
                Some("check --registry and that `honors serve` runs there".into()),
            )
        })?;
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .map_err(|e| Error::internal(format!("{what}: reading the answer: {e}")))?;
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
            Error::internal(format!(
                "{what}: the registry at {} answered HTTP {status} without JSON",
                self.base
            ))
        })?;
        if status >= 400 {
            let e = &v["error"];
            let kind = match e["kind"].as_str() {
                Some("refused") => ErrorKind::Refused,
                Some("input") => ErrorKind::Input,
                Some("not_found") => ErrorKind::NotFound,
                Some("too_large") => ErrorKind::TooLarge,
                Some("unavailable") | Some("locked") => ErrorKind::Locked,
                _ => ErrorKind::Internal,
            };
            let message = e["message"].as_str().unwrap_or("no message").to_string();
            return Err(Error::new(
                kind,
                format!("registry {}: {message}", self.base),
                e["hint"].as_str().map(str::to_string),
            ));
        }
        Ok((status, v))
    }

    fn record<T: DeserializeOwned>(&self, kind: &str, id: &str) -> Result<Option<T>, Error> {
        let url = format!("{}/api/v1/records/{kind}/{}", self.base, encode(id));
        match self.answer(
            &format!("looking up {kind} {id}"),
            self.agent.get(&url).call(),
        ) {
            Ok((_, v)) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| Error::internal(format!("{kind} {id}: unexpected record: {e}"))),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Submits signed statement bytes; returns once the registry has made them durable.
    pub fn submit(&self, bytes: &[u8], kind: &'static str) -> Result<Accepted, Error> {
        let url = format!("{}/api/v1/statements", self.base);
        let (_, v) = self.answer(
            "submitting the statement",
            self.agent
                .post(&url)
                .header("content-type", "application/json")
                .send(bytes),
        )?;
        let field = |k: &str| v[k].clone();
        Ok(Accepted {
            id: field("id").as_str().unwrap_or_default().to_string(),
            index: field("index").as_u64().unwrap_or_default(),
            time: field("time").as_str().unwrap_or_default().to_string(),
            kind,
            tree_size: field("tree_size").as_u64().unwrap_or_default(),
            duplicate: field("duplicate").as_bool().unwrap_or(false),
        })
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.:".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Where write commands read the records they need: the local registry or a server.
pub enum Source<'a> {
    Local(&'a Registry),
    Remote(Remote),
}

impl Ctx {
    /// `--registry URL` if given, else the local registry (`--db`).
    pub fn source(&self) -> Result<Source<'_>, Error> {
        match &self.registry {
            Some(url) => Ok(Source::Remote(Remote::new(url)?)),
            None => Ok(Source::Local(self.open()?)),
        }
    }
}

impl Source<'_> {
    /// A free status-list index for a new award of `authority` (local registries only: a
    /// remote submission goes without a credentialStatus entry).
    pub fn new_status_ref(
        &self,
        authority: &str,
    ) -> Result<Option<crate::status::StatusRef>, Error> {
        match self {
            Source::Local(reg) => reg.new_status_ref(authority, &mut Default::default()),
            Source::Remote(_) => Ok(None),
        }
    }

    /// The authority holding the key `did`.
    pub fn signer_authority(&self, did: &str) -> Result<Authority, Error> {
        match self {
            Source::Local(reg) => reg.authority_of_signer(did),
            Source::Remote(r) => r.record("authority-of-key", did)?.ok_or_else(|| {
                Error::refused(
                    format!("the key {did} belongs to no authority in this registry"),
                    "have a parent authority accredit it first (honors authority accredit)",
                )
            }),
        }
    }
    pub fn scheme(&self, id: &str) -> Result<Option<Scheme>, Error> {
        match self {
            Source::Local(reg) => reg.scheme_record(id),
            Source::Remote(r) => r.record("scheme", &crate::registry::normalize_id(id)),
        }
    }
    pub fn holder(&self, uscc: &str) -> Result<Option<Holder>, Error> {
        match self {
            Source::Local(reg) => reg.holder_record(uscc),
            Source::Remote(r) => r.record("holder", uscc),
        }
    }
    pub fn award(&self, id: &str) -> Result<Award, Error> {
        match self {
            Source::Local(reg) => reg.award_record(id),
            Source::Remote(r) => {
                let id = crate::registry::normalize_id(id);
                r.record("award", &id)?.ok_or_else(|| {
                    Error::not_found(
                        format!("no award has the id {id}"),
                        "find award ids with GET /api/v1/search?q=…",
                    )
                })
            }
        }
    }
}
