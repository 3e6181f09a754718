//! HTTP plumbing shared by the routes: JSON errors, CORS, cache headers, request timeouts.

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::Error;

/// An error as the API answers it: `{"error": {"kind", "message", "hint"}}` with the status
/// that the kind maps to ([`crate::ErrorKind::http_status`]).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
    pub fn bad_request(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "input", message, hint)
    }
    pub fn unavailable(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            message,
            hint,
        )
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let status = StatusCode::from_u16(e.kind().http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            kind: e.kind().as_str(),
            message: e.message().to_string(),
            hint: e.hint().map(str::to_string),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"kind": self.kind, "message": self.message, "hint": self.hint}});
        let mut r = (self.status, axum::Json(body)).into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// A JSON answer that may change at any time (status words change with the clock and the log).
pub fn json<T: serde::Serialize>(value: &T) -> Response {
    with_cache(axum::Json(value).into_response(), "no-cache")
}

/// Sets `Cache-Control`.
pub fn with_cache(mut r: Response, cache: &'static str) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// Bytes with a content type and a cache policy.
pub fn bytes(body: Vec<u8>, content_type: &'static str, cache: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    with_cache(r, cache)
}

/// Open CORS: every origin may read the API and the log, and submit signed statements (the
/// signature is the authorisation; there are no cookies or credentials to protect).
pub async fn cors(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return r;
    }
    let mut r = next.run(req).await;
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// How long one request may take before it is answered 503 (a write may still complete: it
/// is idempotent, so the client submits the same bytes again).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub async fn timeout(req: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::unavailable(
            format!(
                "the request took longer than {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
            "try again; submitting the same signed statement again is safe (it is logged once)",
        )
        .into_response(),
    }
}

/// Unknown routes.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no such resource: {}", uri.path()),
        "the API is under /api/v1/ (see docs/API.md), the transparency log under /log/, the pages at / and /verify",
    )
}
