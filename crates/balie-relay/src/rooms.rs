use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use balie_domain::JoinToken;
use balie_protocol::{CreateRoomRequest, CreateRoomResponse};
use serde::de::DeserializeOwned;

/// Longest validity a clerk may ask for a join link (one day).
const MAX_VALID_MINUTES: u32 = 24 * 60;

/// `POST /api/rooms`: a new room and its join link.
pub(crate) async fn create(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    ApiJson(request): ApiJson<CreateRoomRequest>,
) -> Result<(StatusCode, Json<CreateRoomResponse>), AppError> {
    let minutes = request
        .valid_for_minutes
        .unwrap_or(state.config().room_ttl_minutes);
    if !(1..=MAX_VALID_MINUTES).contains(&minutes) {
        return Err(AppError::BadRequest(format!(
            "valid_for_minutes must be between 1 and {MAX_VALID_MINUTES}, got {minutes}"
        )));
    }
    let token = JoinToken::from_random_bytes(crate::random_bytes()?);
    let room_id = hex::encode(crate::random_bytes::<8>()?);
    let now = state.clock().now_unix();
    let expires_at = now + i64::from(minutes) * 60;
    let room = balie_store::relay::room::Room {
        id: room_id.clone(),
        clerk_id: clerk.clerk_id,
        locale: request.locale.map(|l| l.code().to_string()),
        created_at: now,
        expires_at,
        opens_at: None,
        starts_at: None,
        product_id: None,
    };
    let digest = crate::sha256(token.digest_input());
    state.with_db(|db| {
        // Expired rooms are useless; dropping them here keeps the table small without a
        // separate timer.
        balie_store::relay::room::purge_expired(db, now - 24 * 3600)?;
        balie_store::relay::room::insert(db, &room, &digest)
    })?;
    tracing::info!(room_id, minutes, "room created");
    Ok((
        StatusCode::CREATED,
        Json(CreateRoomResponse {
            room_id,
            join_url: format!("{}/j/{}", state.public_url(), token.to_text()),
            expires_at: rfc3339(expires_at),
        }),
    ))
}

/// Unix seconds as RFC 3339 in UTC; empty if out of range.
pub(crate) fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// JSON body extractor whose rejections use the relay's error shape.
///
/// The error message names the position and kind of the problem but never quotes the
/// body: a body may hold citizen data, and messages reach logs.
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim() == "application/json")
            });
        if !is_json {
            return Err(AppError::BadRequest(
                "the body must be JSON (Content-Type: application/json)".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("the body could not be read".into())
            }
        })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    "the body is not valid JSON"
                }
                _ => "the body does not match the expected fields and types",
            };
            AppError::BadRequest(format!("{what} (line {}, column {})", e.line(), e.column()))
        })
    }
}
