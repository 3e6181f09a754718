//! `/api/v1/…`: the JSON read API and `POST /api/v1/statements`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Serialize;

use super::http::{bytes, json, ApiError};
use super::writer::{QueueError, Submission};
use super::AppState;
use crate::award::Status;
use crate::error::Error;
use crate::registry::{AwardFilter, AwardView, Found, HistoryEvent, Registry};

type Api = Result<Response, ApiError>;

fn b64(h: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(h)
}

/// Runs a cheap registry read (a few sled lookups, mostly from sled's cache) right on the
/// async worker: cheaper than a hop to the blocking pool.
pub(super) fn quick<T>(
    st: &Arc<AppState>,
    f: impl FnOnce(&Registry, jiff::Timestamp) -> Result<T, Error>,
) -> Result<T, ApiError> {
    f(&st.reg, jiff::Timestamp::now()).map_err(ApiError::from)
}

/// Runs a heavier registry read (listings, search: many records) on the blocking pool, so
/// that it does not hold up the async workers.
pub(super) async fn read<T, F>(st: &Arc<AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Registry, jiff::Timestamp) -> Result<T, Error> + Send + 'static,
{
    // A few at a time, first come first served: more threads than cores only adds switching
    // and makes the slowest answers slower.
    let _permit = st
        .heavy
        .acquire()
        .await
        .map_err(|_| ApiError::unavailable("the server is stopping", "try again later"))?;
    let reg = st.reg.clone();
    tokio::task::spawn_blocking(move || f(&reg, jiff::Timestamp::now()))
        .await
        .map_err(|e| ApiError::from(Error::internal(format!("read task failed: {e}"))))?
        .map_err(ApiError::from)
}

#[derive(Serialize)]
struct AwardAnswer {
    award: AwardView,
    history: Vec<HistoryEvent>,
}

/// `GET /api/v1/awards/{id}`: the award as listings show it, with its history.
pub async fn award(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Api {
    let a = quick(&st, move |reg, now| {
        let a = reg.award(&id)?;
        Ok(AwardAnswer {
            award: reg.award_view(&a, now)?,
            history: reg.history(&a.id)?,
        })
    })?;
    Ok(json(&a))
}

/// `GET /api/v1/awards/{id}/history`.
pub async fn history(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Api {
    Ok(json(&quick(&st, move |reg, _| reg.history(&id))?))
}

/// `GET /api/v1/awards/{id}/credential`: the signed credential, byte for byte as logged.
pub async fn credential(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Api {
    let body = quick(&st, move |reg, _| reg.award_credential(&id))?;
    Ok(bytes(body, "application/json", "no-cache"))
}

/// `GET /api/v1/awards/{id}/proof?format=F`: see [`super::proof`].
pub async fn proof(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Api {
    let format = q.get("format").cloned().unwrap_or_else(|| "vc".into());
    let p = quick(&st, move |reg, now| {
        super::proof::proof(reg, &id, &format, now)
    })?;
    Ok(bytes(p.bytes, p.content_type, "no-cache"))
}

/// `GET /api/v1/awards?holder=&scheme=&issuer=&year=&status=`.
pub async fn list(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Api {
    let year = match q.get("year") {
        Some(y) => Some(y.parse::<u32>().map_err(|_| {
            ApiError::bad_request(format!("year={y} is not a year"), "e.g. year=2024")
        })?),
        None => None,
    };
    let status = match q.get("status") {
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                format!("status={s} is not a status word"),
                "use valid, expired, not_yet_valid, suspended, revoked, superseded or invalid",
            )
        })?),
        None => None,
    };
    let filter = AwardFilter {
        holder: q.get("holder").cloned(),
        scheme: q.get("scheme").cloned(),
        issuer: q.get("issuer").cloned(),
        year,
        status,
    };
    let limit = limit_param(&q, "pass e.g. ?year=2024&limit=1000, or narrow the list")?;
    let (list, total) = read(&st, move |reg, now| {
        reg.list_awards_limited(&filter, now, limit)
    })
    .await?;
    let mut response = json(&list);
    if let Ok(v) = axum::http::HeaderValue::from_str(&total.to_string()) {
        response.headers_mut().insert("x-total-count", v);
    }
    Ok(response)
}

/// `?limit=N` (1 to [`SEARCH_LIMIT_MAX`]), or [`SEARCH_LIMIT`] without it.
fn limit_param(q: &HashMap<String, String>, hint: &str) -> Result<usize, ApiError> {
    match q.get("limit") {
        None => Ok(SEARCH_LIMIT),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=SEARCH_LIMIT_MAX).contains(n))
            .ok_or_else(|| ApiError::bad_request("limit must be a number from 1 to 5000", hint)),
    }
}

/// `GET /api/v1/holders/{uscc}`: the holder and its awards.
pub async fn holder(State(st): State<Arc<AppState>>, Path(uscc): Path<String>) -> Api {
    let found = read(&st, move |reg, now| holder_found(reg, &uscc, now)).await?;
    Ok(json(&found))
}

/// `GET /api/v1/holders/{uscc}/awards`: the holder's awards.
pub async fn holder_awards(State(st): State<Arc<AppState>>, Path(uscc): Path<String>) -> Api {
    let found = read(&st, move |reg, now| holder_found(reg, &uscc, now)).await?;
    match found {
        Found::Holder { awards, .. } => Ok(json(&awards)),
        _ => unreachable!("holder_found returns holders only"),
    }
}

fn holder_found(reg: &Registry, uscc: &str, now: jiff::Timestamp) -> Result<Found, Error> {
    let code: crate::id::Uscc = uscc.parse()?;
    match reg.show(code.as_str(), now) {
        Ok(f @ Found::Holder { .. }) => Ok(f),
        Ok(_) | Err(_) => Err(Error::not_found(
            format!("no holder is registered as {code}"),
            "holders are registered by their authorities with a HonorsHolderRegistration statement",
        )),
    }
}

/// `GET /api/v1/show/{id}`: whatever the id names (award, authority, scheme, holder), as `honors show`.
pub async fn show(State(st): State<Arc<AppState>>, Path(id): Path<String>) -> Api {
    Ok(json(&read(&st, move |reg, now| reg.show(&id, now)).await?))
}

/// `GET /api/v1/search?q=TEXT`: simplified or traditional characters.
pub async fn search(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Api {
    let text = q.get("q").cloned().ok_or_else(|| {
        ApiError::bad_request(
            "no search text",
            "pass ?q=TEXT, e.g. ?q=三八红旗 or ?q=三八紅旗",
        )
    })?;
    let limit = limit_param(
        &q,
        "pass e.g. ?q=三八红旗&limit=500, or narrow the search text",
    )?;
    let after = match q.get("after") {
        Some(c) => Some(crate::registry::SearchCursor::decode(c).map_err(ApiError::from)?),
        None => None,
    };
    let next_query = (text.clone(), q.contains_key("limit").then_some(limit));
    // A small page from a counted index reads a few dozen records: cheaper on the async
    // worker than a hop to the blocking pool (which took a quarter of the CPU at 1 M awards).
    let page = if limit <= QUICK_SEARCH_LIMIT && st.reg.search_index_ready() {
        quick(&st, |reg, now| {
            reg.search_page(&text, now, limit, after.as_ref())
        })?
    } else {
        read(&st, move |reg, now| {
            reg.search_page(&text, now, limit, after.as_ref())
        })
        .await?
    };
    let mut response = json(&page.awards);
    let (name, value) = if page.complete {
        ("x-total-count", page.total.to_string())
    } else {
        ("x-total-count-at-least", page.total.to_string())
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
        response.headers_mut().insert(name, v);
    }
    if let Some(next) = &page.next {
        // RFC 8288: the next page, as GitHub's API gives it.
        let (text, limit) = next_query;
        let mut url = format!(
            "/api/v1/search?q={}",
            form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        );
        if let Some(limit) = limit {
            url.push_str(&format!("&limit={limit}"));
        }
        url.push_str(&format!("&after={}", next.encode()));
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")) {
            response.headers_mut().insert(axum::http::header::LINK, v);
        }
    }
    Ok(response)
}

/// Search results and listed awards per response unless `?limit=` says otherwise (at most
/// [`SEARCH_LIMIT_MAX`]);
/// `X-Total-Count` says how many awards matched, or `X-Total-Count-At-Least` when counting
/// stopped (see `Registry::search_limited`).
pub const SEARCH_LIMIT: usize = 200;
/// The largest search page answered on the async worker (see [`search`]).
const QUICK_SEARCH_LIMIT: usize = 25;

/// The largest `?limit=` a search or a listing accepts.
pub const SEARCH_LIMIT_MAX: usize = 5000;

/// `GET /api/v1/authorities`.
pub async fn authorities(State(st): State<Arc<AppState>>) -> Api {
    Ok(json(&read(&st, |reg, _| reg.authorities()).await?))
}

/// `GET /api/v1/schemes`.
pub async fn schemes(State(st): State<Arc<AppState>>) -> Api {
    Ok(json(&read(&st, |reg, _| reg.schemes()).await?))
}

/// `GET /api/v1/trust-roots[?format=toml]`.
pub async fn trust_roots(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Api {
    let roots = st.reg.trust_roots();
    if q.get("format").map(String::as_str) == Some("toml") {
        return Ok(bytes(
            roots.to_toml().into_bytes(),
            "application/toml; charset=utf-8",
            "public, max-age=300",
        ));
    }
    Ok(super::http::with_cache(
        axum::Json(roots).into_response(),
        "public, max-age=300",
    ))
}

#[derive(Serialize)]
struct CheckpointAnswer {
    origin: String,
    tree_size: u64,
    root: String,
    note: String,
}

/// `GET /api/v1/checkpoint`: the latest checkpoint, parsed and as the signed note.
pub async fn checkpoint(State(st): State<Arc<AppState>>) -> Api {
    let (note, cp) = quick(&st, |reg, _| reg.latest_checkpoint())?;
    let a = CheckpointAnswer {
        origin: cp.origin,
        tree_size: cp.size,
        root: b64(&cp.root),
        note: String::from_utf8_lossy(&note).into_owned(),
    };
    Ok(super::http::with_cache(
        axum::Json(a).into_response(),
        "public, max-age=2",
    ))
}

/// `GET /api/v1/log/key`: the log's verifier key.
pub async fn log_key(State(st): State<Arc<AppState>>) -> Api {
    Ok(json(
        &serde_json::json!({"vkey": st.reg.log_vkey(), "origin": st.reg.origin()}),
    ))
}

fn num(q: &HashMap<String, String>, name: &str) -> Result<Option<u64>, ApiError> {
    q.get(name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::bad_request(
                    format!("{name}={v} is not a number"),
                    format!("pass {name} as a decimal number"),
                )
            })
        })
        .transpose()
}

/// `GET /api/v1/log/inclusion?index=N[&size=S]`.
pub async fn inclusion(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Api {
    let index = num(&q, "index")?
        .ok_or_else(|| ApiError::bad_request("no index", "pass ?index=N[&size=S]"))?;
    let size = num(&q, "size")?;
    let (size, proof) = quick(&st, move |reg, _| {
        let size = match size {
            Some(s) => s,
            None => reg.size()?,
        };
        Ok((size, reg.inclusion_proof(index, size)?))
    })?;
    let hashes: Vec<String> = proof.iter().map(|h| b64(h)).collect();
    Ok(json(
        &serde_json::json!({"index": index, "tree_size": size, "hashes": hashes}),
    ))
}

/// `GET /api/v1/log/consistency?old=M&new=N`.
pub async fn consistency(
    State(st): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Api {
    let old =
        num(&q, "old")?.ok_or_else(|| ApiError::bad_request("no old size", "pass ?old=M&new=N"))?;
    let new =
        num(&q, "new")?.ok_or_else(|| ApiError::bad_request("no new size", "pass ?old=M&new=N"))?;
    let proof = quick(&st, move |reg, _| reg.consistency_proof(old, new))?;
    let hashes: Vec<String> = proof.iter().map(|h| b64(h)).collect();
    Ok(json(
        &serde_json::json!({"old": old, "new": new, "hashes": hashes}),
    ))
}

/// The answer to an accepted statement.
#[derive(Serialize)]
struct Logged {
    id: String,
    kind: &'static str,
    index: u64,
    time: String,
    duplicate: bool,
    /// The size of the checkpoint that covers it (durable when this answer is sent).
    tree_size: u64,
    /// The RFC 6962 leaf hash of the entry.
    leaf_hash: String,
    /// Inclusion proof of `index` in the tree of `tree_size` entries (base64 hashes).
    inclusion_proof: Vec<String>,
    /// The signed checkpoint of `tree_size` (C2SP signed note).
    checkpoint: String,
}

/// The largest request body accepted by `POST /api/v1/statements` (the statement limit is
/// 60,000 bytes, [`crate::statement::MAX_STATEMENT_BYTES`]).
pub const MAX_BODY: usize = 64 * 1024;

/// `POST /api/v1/statements`: a signed statement (JSON). The signature and the policy are the
/// authorisation. Answered once the statement's entry is durable: 201 (new) or 200 (these
/// exact bytes were logged before), with its index, an inclusion proof and the checkpoint.
pub async fn submit(State(st): State<Arc<AppState>>, body: Result<Bytes, BytesRejection>) -> Api {
    let body = body.map_err(|e| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                status,
                "too_large",
                format!("the request body is larger than {MAX_BODY} bytes"),
                "a statement is at most 60,000 bytes; nothing was stored",
            )
        } else {
            ApiError::new(
                status,
                "input",
                format!("the request body could not be read: {e}"),
                "send the signed statement as the request body",
            )
        }
    })?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "empty request body",
            "send one signed statement (JSON, as `honors` signs it) as the body",
        ));
    }
    if body.len() > crate::statement::MAX_STATEMENT_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the statement is {} bytes; the largest accepted is {}",
                body.len(),
                crate::statement::MAX_STATEMENT_BYTES
            ),
            "nothing was stored; shorten the text fields",
        ));
    }
    let queue = st.queue().ok_or_else(shutting_down)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    queue
        .try_send(Submission {
            bytes: body.to_vec(),
            arrived: Instant::now(),
            reply: tx,
        })
        .map_err(|e| match e {
            QueueError::Full => ApiError::unavailable(
                "too many statements are waiting to be logged",
                "retry in a moment (the same bytes are logged once)",
            ),
            QueueError::Closed => shutting_down(),
        })?;
    drop(queue);
    let accepted = rx.await.map_err(|_| shutting_down())??;
    let a = accepted.clone();
    let (entry, proof, note) = quick(&st, move |reg, _| {
        let entry = reg
            .store()
            .entry(a.index)?
            .ok_or_else(|| Error::corrupt(format!("entry {} is missing", a.index)))?;
        let proof = reg.inclusion_proof(a.index, a.tree_size)?;
        let note = reg
            .checkpoint_at(a.tree_size)?
            .ok_or_else(|| Error::corrupt(format!("no checkpoint at size {}", a.tree_size)))?;
        Ok((entry, proof, note))
    })?;
    let logged = Logged {
        id: accepted.id,
        kind: accepted.kind,
        index: accepted.index,
        time: crate::entry::Entry::parse(&entry)
            .map(|e| crate::time::format_utc_micros(e.time))
            .unwrap_or(accepted.time),
        duplicate: accepted.duplicate,
        tree_size: accepted.tree_size,
        leaf_hash: b64(&crate::tlog::leaf_hash(&entry)),
        inclusion_proof: proof.iter().map(|h| b64(h)).collect(),
        checkpoint: String::from_utf8_lossy(&note).into_owned(),
    };
    let status = if logged.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut r = json(&logged);
    *r.status_mut() = status;
    Ok(r)
}

fn shutting_down() -> ApiError {
    ApiError::unavailable(
        "the registry is shutting down; nothing was stored",
        "submit again when it is back (the same bytes are logged once)",
    )
}

/// `GET /api/v1/records/{kind}/{id}`: a stored record as JSON, for clients that build
/// statements (`honors … --registry URL`): `authority-of-key/{did}`, `scheme/{id}`,
/// `holder/{uscc}`, `award/{id}`.
pub async fn record(
    State(st): State<Arc<AppState>>,
    Path((kind, id)): Path<(String, String)>,
) -> Api {
    let missing =
        |what: &str| Error::not_found(format!("no {what} has the id {id}"), "check the id");
    let v = quick(&st, |reg, _| {
        let v = match kind.as_str() {
            "authority-of-key" => serde_json::to_value(reg.authority_of_signer(&id)?),
            "scheme" => {
                serde_json::to_value(reg.scheme_record(&id)?.ok_or_else(|| missing("scheme"))?)
            }
            "holder" => {
                serde_json::to_value(reg.holder_record(&id)?.ok_or_else(|| missing("holder"))?)
            }
            "award" => serde_json::to_value(reg.award_record(&id)?),
            other => {
                return Err(Error::not_found(
                    format!("no record kind {other:?}"),
                    "use authority-of-key, scheme, holder or award",
                ));
            }
        };
        v.map_err(|e| Error::internal(e.to_string()))
    })?;
    Ok(json(&v))
}
