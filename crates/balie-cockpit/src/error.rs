//! The one error shape the cockpit sends to its windows: `{ kind, message }`. The UI
//! chooses the clerk's text by `kind` from its catalogs; `message` is the technical
//! detail for IT and never holds a secret or citizen data.

use serde::Serialize;

/// An error of the cockpit's core, as a cockpit window receives it.
#[derive(Debug, Clone, Serialize, thiserror::Error, ts_rs::TS)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CockpitError {
    /// The relay could not be reached (network, TLS, timeout).
    #[error("relay unreachable: {0}")]
    RelayUnreachable(String),
    /// The relay answered with an error (e.g. a revoked clerk token).
    #[error("relay refused: {0}")]
    RelayRefused(String),
    /// The OS keyring failed.
    #[error("keyring: {0}")]
    Keyring(String),
    /// Local storage failed.
    #[error("storage: {0}")]
    Storage(String),
    /// The window sent something not acceptable.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The clerk's input or a provider was refused for a reason the clerk can act on
    /// (an amount above the provider's maximum, three decimals, a provider without a key).
    /// The message is already in the clerk's language and holds no citizen data.
    #[error("{0}")]
    Rejected(String),
    /// A bug or an unexpected state in the cockpit.
    #[error("internal: {0}")]
    Internal(String),
}

impl CockpitError {
    /// A refusal in the clerk's language: the catalog text of `key`.
    pub fn rejected(locale: balie_domain::Locale, key: &str) -> Self {
        Self::Rejected(crate::i18n::text(locale, key))
    }
}

impl From<balie_store::StoreError> for CockpitError {
    fn from(err: balie_store::StoreError) -> Self {
        CockpitError::Storage(err.to_string())
    }
}

impl From<balie_secrets::SecretError> for CockpitError {
    fn from(err: balie_secrets::SecretError) -> Self {
        CockpitError::Keyring(err.to_string())
    }
}

impl From<rusqlite::Error> for CockpitError {
    fn from(err: rusqlite::Error) -> Self {
        CockpitError::from(balie_store::StoreError::from(err))
    }
}
