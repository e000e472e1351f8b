//! Balie's secrets in the OS keyring — and nowhere else.
//!
//! [`SecretStore`] keeps named secrets (the relay clerk token, payment-provider API keys)
//! in Windows Credential Manager, the macOS Keychain or, on Linux, the Secret Service
//! (GNOME Keyring, KWallet) over D-Bus. Values go in and out as
//! [`secrecy::SecretString`], so they never print by accident.
//!
//! ```no_run
//! use balie_secrets::{SecretStore, SecretName};
//! use secrecy::{ExposeSecret, SecretString};
//! let store = SecretStore::new("be.balie.cockpit");
//! store.set(SecretName::RelayClerkToken, &SecretString::from("t0k3n"))?;
//! let token = store.get(SecretName::RelayClerkToken)?.expect("just set");
//! assert_eq!(token.expose_secret(), "t0k3n");
//! # Ok::<(), balie_secrets::SecretError>(())
//! ```
//!
//! Calls may block on D-Bus: from async code, run them on a blocking thread.
//!
//! Non-goals: a fallback file store. Where no keyring exists the caller gets
//! [`SecretError::NoKeyring`] and must tell the user, not write secrets to disk.

use secrecy::{ExposeSecret, SecretString};

/// The secrets Balie keeps. A closed set, so no code invents an account name at random.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretName {
    /// The cockpit's token for the relay (`Authorization: Bearer …`).
    RelayClerkToken,
    /// The municipality's Mollie API key (`live_…` or `test_…`).
    MollieApiKey,
    /// The Bancontact Pay payment profile's API key.
    BancontactApiKey,
    /// Stripe's secret key (`sk_live_…` or `sk_test_…`).
    StripeApiKey,
}

impl SecretName {
    /// The account name under which the keyring stores it.
    pub fn account(self) -> &'static str {
        match self {
            SecretName::RelayClerkToken => "relay-clerk-token",
            SecretName::MollieApiKey => "mollie-api-key",
            SecretName::BancontactApiKey => "bancontact-api-key",
            SecretName::StripeApiKey => "stripe-api-key",
        }
    }
}

/// What can go wrong with the keyring.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// There is no keyring to talk to (on Linux: no Secret Service on the session D-Bus).
    #[error(
        "no OS keyring is available; on Linux start a Secret Service (GNOME Keyring or KWallet) in your desktop session"
    )]
    NoKeyring,
    /// The keyring exists but refused access (locked, or the user said no).
    #[error("the OS keyring refused access (is it locked?): {0}")]
    Access(String),
    /// The keyring failed otherwise.
    #[error("the OS keyring failed: {0}")]
    Platform(String),
    /// The stored value is not text.
    #[error("the stored secret {0} is not valid text")]
    NotText(&'static str),
}

impl From<keyring::Error> for SecretError {
    fn from(err: keyring::Error) -> Self {
        match err {
            keyring::Error::NoDefaultStore => SecretError::NoKeyring,
            keyring::Error::NoStorageAccess(e) => SecretError::Access(e.to_string()),
            // Never include values the error may carry (BadEncoding holds the secret bytes).
            keyring::Error::BadEncoding(_) | keyring::Error::BadDataFormat(..) => {
                SecretError::NotText("(unreadable)")
            }
            other => SecretError::Platform(other.to_string()),
        }
    }
}

/// Named secrets under one keyring service name.
#[derive(Debug, Clone)]
pub struct SecretStore {
    service: String,
}

impl SecretStore {
    /// A store whose entries live under `service` (e.g. `be.balie.cockpit`).
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// Checks that a keyring is there, without reading anything.
    pub fn available(&self) -> Result<(), SecretError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(()),
            Err(_) => Err(SecretError::NoKeyring),
        }
    }

    fn entry(&self, name: SecretName) -> Result<keyring::Entry, SecretError> {
        Ok(keyring::Entry::new(&self.service, name.account())?)
    }

    /// The secret, or `None` when it was never set (or was deleted).
    pub fn get(&self, name: SecretName) -> Result<Option<SecretString>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(SecretString::from(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::BadEncoding(_)) => Err(SecretError::NotText(name.account())),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores the secret, replacing any earlier value.
    pub fn set(&self, name: SecretName, value: &SecretString) -> Result<(), SecretError> {
        Ok(self.entry(name)?.set_password(value.expose_secret())?)
    }

    /// Deletes the secret; `false` when there was none.
    pub fn delete(&self, name: SecretName) -> Result<bool, SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
