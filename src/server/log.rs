//! `/log/…`: the transparency log as c2sp.org/tlog-tiles, byte-identical to
//! `honors log export` (both call [`Registry::tile`]).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;

use super::api::quick;
use super::http::{bytes, ApiError};
use super::AppState;
use crate::registry::Registry;

/// `GET /log/checkpoint`: the latest signed checkpoint; it changes with every batch.
pub async fn checkpoint(State(st): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let note = quick(&st, |reg: &Registry, _| reg.checkpoint())?;
    Ok(bytes(
        note,
        "text/plain; charset=utf-8",
        "public, max-age=2",
    ))
}

/// `GET /log/tile/…`: a hash tile or an entry bundle. Full tiles never change.
pub async fn tile(
    State(st): State<Arc<AppState>>,
    Path(rest): Path<String>,
) -> Result<Response, ApiError> {
    let t = quick(&st, move |reg: &Registry, _| {
        reg.tile(&format!("tile/{rest}"))
    })?;
    let cache = if t.full {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=2"
    };
    Ok(bytes(t.bytes, "application/octet-stream", cache))
}
