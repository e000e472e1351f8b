use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine as _;
use rusqlite::Connection;
use secrecy::{ExposeSecret, SecretString};

/// A clerk's relay token: `balie_` and 43 URL-safe characters (256 random bits).
///
/// Shown once, at `clerk add`; the relay keeps only its SHA-256.
pub struct ClerkToken(SecretString);

impl ClerkToken {
    const PREFIX: &'static str = "balie_";

    /// A new random token.
    pub fn generate() -> Result<Self, AppError> {
        let bytes: [u8; 32] = crate::random_bytes()?;
        let text = format!(
            "{}{}",
            Self::PREFIX,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        );
        Ok(Self(SecretString::from(text)))
    }

    /// The token, to print once or to keep in the OS keyring.
    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    /// The digest stored and looked up.
    pub(crate) fn digest(text: &str) -> [u8; 32] {
        crate::sha256(text.as_bytes())
    }
}

/// What can go wrong adding a clerk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AddClerkError {
    /// The name is empty, too long or has control characters.
    #[error("a clerk name has 1 to 64 printable characters")]
    BadName,
    /// A clerk with that name exists (revoked ones too: names are never reused).
    #[error("a clerk called {0:?} already exists")]
    Taken(String),
    /// Storage or randomness failed.
    #[error(transparent)]
    Other(#[from] AppError),
}

/// Adds a clerk called `name` and returns their new token.
pub fn add_clerk(conn: &Connection, name: &str) -> Result<ClerkToken, AddClerkError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(AddClerkError::BadName);
    }
    let token = ClerkToken::generate()?;
    let digest = ClerkToken::digest(token.secret().expose_secret());
    match balie_store::relay::clerk::add(conn, name, &digest).map_err(AppError::from)? {
        Some(_) => Ok(token),
        None => Err(AddClerkError::Taken(name.to_string())),
    }
}

/// An authenticated clerk: the extractor answers 401 unless the request carries the
/// clerk's own token or an enrolled device's, neither revoked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClerkAuth {
    pub(crate) clerk_id: i64,
    /// The enrolled device the token belongs to; `None`: the clerk's own token.
    pub(crate) device_id: Option<i64>,
}

/// Whether `clerk` is still allowed in (neither the clerk nor the device revoked since
/// their socket opened). A database that cannot be read keeps the socket: the next check
/// will tell.
pub(crate) fn still_allowed(state: &AppState, clerk: ClerkAuth) -> bool {
    state
        .with_db(|db| match clerk.device_id {
            Some(device_id) => balie_store::relay::device::is_active(db, device_id),
            None => balie_store::relay::clerk::is_active(db, clerk.clerk_id),
        })
        .unwrap_or(true)
}

impl FromRequestParts<AppState> for ClerkAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with(ClerkToken::PREFIX))
            .ok_or(AppError::Unauthorized)?;
        let digest = ClerkToken::digest(token);
        let (clerk_id, device_id) = state
            .with_db(|db| {
                Ok(match balie_store::relay::clerk::find_active(db, &digest)? {
                    Some(clerk_id) => Some((clerk_id, None)),
                    None => balie_store::relay::device::find_active(db, &digest)?
                        .map(|(clerk_id, device_id)| (clerk_id, Some(device_id))),
                })
            })?
            .ok_or(AppError::Unauthorized)?;
        Ok(ClerkAuth {
            clerk_id,
            device_id,
        })
    }
}
