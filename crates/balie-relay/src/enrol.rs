//! Enrolment: IT makes a one-time code for a clerk (`balie-relay clerk invite NAME`), the
//! clerk types it into the cockpit's *Aanmelden bij uw gemeente*, and the cockpit gets a
//! device token of its own (`POST /api/enrol`), listed and revoked per device
//! (`clerk devices`, `clerk revoke NAME --device ID`).
//!
//! A code is 50 random bits with a check symbol ([`InviteCode`]), single use, valid
//! [`INVITE_VALID_FOR`]; the relay keeps only its SHA-256. Tries are limited per address
//! like the other posts a stranger can make, so guessing one of 2^50 codes within a day
//! is out of reach.

use crate::clerk::{AddClerkError, ClerkToken};
use crate::error::AppError;
use crate::rooms::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use balie_domain::InviteCode;
use balie_protocol::{EnrolRequest, EnrolResponse};
use balie_store::relay::device::{self, Redeemed};
use rusqlite::Connection;
use secrecy::ExposeSecret as _;

/// How long a code may be used: a day.
pub const INVITE_VALID_FOR: i64 = 24 * 3600;
/// The longest device name, in characters.
pub const MAX_DEVICE_NAME_CHARS: usize = 64;

/// What can go wrong inviting a clerk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InviteError {
    /// The clerk was revoked: a revoked clerk gets no new devices.
    #[error("the clerk {0:?} was revoked")]
    Revoked(String),
    /// The name was refused, or storage failed.
    #[error(transparent)]
    Clerk(#[from] AddClerkError),
}

/// A new code for clerk `name`, valid for a day from `now`; the clerk is added when new
/// (with a token nobody is shown: they work from their enrolled devices). Whether the
/// clerk was added comes with it.
pub fn invite_clerk(
    conn: &Connection,
    name: &str,
    now: i64,
) -> Result<(InviteCode, bool), InviteError> {
    let name = name.trim();
    let (clerk_id, added) = match balie_store::relay::clerk::find_by_name(conn, name)
        .map_err(|e| AddClerkError::Other(e.into()))?
    {
        Some(clerk) if clerk.revoked_at.is_some() => {
            return Err(InviteError::Revoked(name.to_owned()));
        }
        Some(clerk) => (clerk.id, false),
        None => {
            crate::add_clerk(conn, name)?;
            let clerk = balie_store::relay::clerk::find_by_name(conn, name)
                .map_err(|e| AddClerkError::Other(e.into()))?
                .ok_or_else(|| AddClerkError::Other(AppError::Internal("clerk lost".into())))?;
            (clerk.id, true)
        }
    };
    let random = u64::from_le_bytes(crate::random_bytes().map_err(AddClerkError::Other)?);
    let code = InviteCode::from_random(random);
    let digest = crate::sha256(code.canonical().as_bytes());
    device::invite(conn, clerk_id, &digest, now, now + INVITE_VALID_FOR)
        .map_err(|e| AddClerkError::Other(e.into()))?;
    Ok((code, added))
}

/// `POST /api/enrol`: a device's own token for a one-time code.
pub(crate) async fn enrol(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<(StatusCode, Json<EnrolResponse>), AppError> {
    let name = request.device.trim();
    if name.is_empty()
        || name.chars().count() > MAX_DEVICE_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::BadRequest(format!(
            "a device name has 1 to {MAX_DEVICE_NAME_CHARS} printable characters"
        )));
    }
    let code = InviteCode::parse(&request.code).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let token = ClerkToken::generate()?;
    let token_digest = ClerkToken::digest(token.secret().expose_secret());
    let code_digest = crate::sha256(code.canonical().as_bytes());
    let now = state.clock().now_unix();
    let redeemed =
        state.with_db(|db| device::redeem(db, &code_digest, name, &token_digest, now))?;
    match redeemed {
        Redeemed::Enrolled {
            clerk_id,
            clerk_name,
            device_id,
        } => {
            tracing::info!(clerk_id, device_id, "device enrolled");
            Ok((
                StatusCode::CREATED,
                Json(EnrolResponse {
                    token: token.secret().expose_secret().to_owned(),
                    clerk: clerk_name,
                    device_id,
                    municipality: state.config().municipality.clone(),
                }),
            ))
        }
        Redeemed::Unknown => {
            tracing::info!("enrolment refused: unknown code");
            Err(AppError::NotFound)
        }
        Redeemed::Used => {
            tracing::info!("enrolment refused: code used before");
            Err(AppError::AlreadyDone)
        }
        Redeemed::Expired => {
            tracing::info!("enrolment refused: code expired");
            Err(AppError::Gone)
        }
    }
}
