use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balie_protocol::{ApiError, ApiErrorBody, ErrorCode};

/// The relay API's one error type. Its response body is always [`ApiError`]; a 5xx body
/// is generic and the detail goes to the log only.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The request is not valid; the message says what to fix.
    #[error("{0}")]
    BadRequest(String),
    /// No valid clerk token.
    #[error("a valid clerk token is required (Authorization: Bearer …)")]
    Unauthorized,
    /// Nothing here (or not this clerk's).
    #[error("not found")]
    NotFound,
    /// Expired or ended.
    #[error("this room has expired or ended")]
    Gone,
    /// An appointment's room that does not open yet.
    #[error("this room opens shortly before the appointment")]
    TooEarly,
    /// The body is larger than [`crate::MAX_BODY_BYTES`].
    #[error("the request body is larger than {} bytes", crate::MAX_BODY_BYTES)]
    PayloadTooLarge,
    /// Too many from this address or for this room (see [`crate::limits`]).
    #[error("too many requests or connections; try again in a moment")]
    TooMany,
    /// The relay holds as many connections as it takes.
    #[error("the relay is busy; try again in a moment")]
    Busy,
    /// The relay is not set up for this; the message says what IT must configure.
    #[error("{0}")]
    NotConfigured(String),
    /// Done once already (a survey answered); nothing changed.
    #[error("this was already done")]
    AlreadyDone,
    /// Something failed inside the relay.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::limits::Full> for AppError {
    fn from(full: crate::limits::Full) -> Self {
        match full {
            crate::limits::Full::Address | crate::limits::Full::Room => AppError::TooMany,
            crate::limits::Full::Relay => AppError::Busy,
        }
    }
}

impl From<balie_store::StoreError> for AppError {
    fn from(err: balie_store::StoreError) -> Self {
        AppError::Internal(err.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            AppError::NotFound => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            AppError::Gone => (StatusCode::GONE, ErrorCode::Gone),
            AppError::TooEarly => (StatusCode::TOO_EARLY, ErrorCode::TooEarly),
            AppError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            AppError::TooMany => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooMany),
            AppError::Busy => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy),
            AppError::NotConfigured(_) => (StatusCode::CONFLICT, ErrorCode::NotConfigured),
            AppError::AlreadyDone => (StatusCode::CONFLICT, ErrorCode::AlreadyDone),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
            }
        };
        let message = match &self {
            AppError::Internal(_) => "the relay failed; see its log".to_string(),
            other => other.to_string(),
        };
        let mut response = (
            status,
            Json(ApiError {
                error: ApiErrorBody { code, message },
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if matches!(self, AppError::TooMany | AppError::Busy) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
