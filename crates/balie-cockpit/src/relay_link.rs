//! The cockpit's side of the relay: the embedded relay it starts when none is configured,
//! and the HTTP client that creates rooms with the clerk token.

use crate::error::CockpitError;
use balie_protocol::{ApiError, CreateRoomRequest, CreateRoomResponse};
use balie_secrets::{SecretName, SecretStore};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// How the cockpit reaches its relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RelayMode {
    /// In-process on 127.0.0.1, with sandbox payments: the default when nothing is set up.
    Embedded,
    /// The municipality's relay.
    Remote,
}

/// The largest download from the relay (an update package): 1 GiB.
pub const MAX_DOWNLOAD_BYTES: usize = 1 << 30;

/// The name the embedded relay knows the cockpit's clerk by.
const EMBEDDED_CLERK: &str = "cockpit";

/// A relay the cockpit can create rooms on.
pub struct RelayLink {
    mode: RelayMode,
    base_url: String,
    token: SecretString,
    http: reqwest::Client,
}

/// What starting the embedded relay gives: the link, whether the keyring held the
/// token, and the sender that stops the relay when dropped.
pub struct EmbeddedRelay {
    /// The link to it.
    pub link: RelayLink,
    /// False when no OS keyring was available (the token then lives only in memory).
    pub keyring_available: bool,
    /// Dropping this stops the relay.
    pub stop: tokio::sync::oneshot::Sender<()>,
}

impl RelayLink {
    fn new(mode: RelayMode, base_url: &str, token: SecretString) -> Result<Self, CockpitError> {
        let http = reqwest::Client::builder()
            .proxy(balie_net::Proxies::from_env().reqwest())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| CockpitError::Internal(format!("http client: {e}")))?;
        Ok(Self {
            mode,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            http,
        })
    }

    /// Embedded or remote.
    pub fn mode(&self) -> RelayMode {
        self.mode
    }

    /// The relay's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Creates a room and its join link.
    pub async fn create_room(
        &self,
        request: &CreateRoomRequest,
    ) -> Result<CreateRoomResponse, CockpitError> {
        let response = self
            .http
            .post(format!("{}/api/rooms", self.base_url))
            .bearer_auth(self.token.expose_secret())
            .json(request)
            .send()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|e| {
                CockpitError::RelayRefused(format!("unexpected answer: {}", without_url(&e)))
            });
        }
        let detail = match response.json::<ApiError>().await {
            Ok(api) => format!("{status}: {}", api.error.message),
            Err(_) => status.to_string(),
        };
        Err(CockpitError::RelayRefused(detail))
    }

    /// Calls the relay's clerk API: `method path` with `body` as JSON, the answer's JSON
    /// as `T`; `None` for 204 No Content. A refusal carries the relay's message.
    pub(crate) async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&(impl Serialize + Sync)>,
    ) -> Result<Option<T>, CockpitError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(self.token.expose_secret());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?;
        let status = response.status();
        if status == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if status.is_success() {
            return response.json().await.map(Some).map_err(|e| {
                CockpitError::RelayRefused(format!("unexpected answer: {}", without_url(&e)))
            });
        }
        let detail = match response.json::<ApiError>().await {
            Ok(api) => format!("{status}: {}", api.error.message),
            Err(_) => status.to_string(),
        };
        Err(CockpitError::RelayRefused(detail))
    }

    /// The clerk's token (also the sandbox provider's API key).
    pub(crate) fn token(&self) -> &SecretString {
        &self.token
    }

    /// The relay's `/healthz`: its version and whether it serves the sandbox.
    pub async fn health(&self) -> Result<balie_protocol::Health, CockpitError> {
        let response = self
            .http
            .get(format!("{}/healthz", self.base_url))
            .send()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?;
        if !response.status().is_success() {
            return Err(CockpitError::RelayRefused(response.status().to_string()));
        }
        response
            .json()
            .await
            .map_err(|e| CockpitError::RelayRefused(format!("health: {}", without_url(&e))))
    }

    /// Downloads `url`, which must be on this relay (the token goes nowhere else), at most
    /// [`MAX_DOWNLOAD_BYTES`].
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, CockpitError> {
        if !url.starts_with(&format!("{}/", self.base_url)) {
            return Err(CockpitError::RelayRefused(
                "a download from elsewhere than the relay".into(),
            ));
        }
        let mut response = self
            .http
            .get(url)
            .bearer_auth(self.token.expose_secret())
            .timeout(Duration::from_secs(600))
            .send()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?;
        if !response.status().is_success() {
            return Err(CockpitError::RelayRefused(response.status().to_string()));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?
        {
            if bytes.len() + chunk.len() > MAX_DOWNLOAD_BYTES {
                return Err(CockpitError::RelayRefused(
                    "the download is too large".into(),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// Whether the relay takes this cockpit's token (`false`: unknown or revoked, 401), by
    /// reading its product list.
    pub async fn token_accepted(&self) -> Result<bool, CockpitError> {
        let response = self
            .http
            .get(format!("{}/api/products", self.base_url))
            .bearer_auth(self.token.expose_secret())
            .send()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?;
        match response.status() {
            reqwest::StatusCode::UNAUTHORIZED => Ok(false),
            s if s.is_success() => Ok(true),
            s => Err(CockpitError::RelayRefused(s.to_string())),
        }
    }

    /// Asks the relay to pass on webhooks for `provider`'s payment `provider_id` as hints.
    pub async fn watch_payment(
        &self,
        provider: &str,
        provider_id: &str,
    ) -> Result<(), CockpitError> {
        let response = self
            .http
            .post(format!("{}/api/payments/watch", self.base_url))
            .bearer_auth(self.token.expose_secret())
            .json(&balie_protocol::payment::WatchPayment {
                provider: provider.to_owned(),
                provider_id: provider_id.to_owned(),
            })
            .send()
            .await
            .map_err(|e| CockpitError::RelayUnreachable(without_url(&e)))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(CockpitError::RelayRefused(response.status().to_string()))
        }
    }

    /// Opens the signaling connection for `room_id` (it reconnects by itself).
    pub fn clerk_call(
        &self,
        room_id: &str,
        config: balie_call::CallConfig,
    ) -> balie_call::ClerkCall {
        balie_call::ClerkCall::connect(&self.base_url, room_id, self.token.clone(), config)
    }

    /// Whether `url` is a join link of this relay (the only kind of address the cockpit
    /// opens in a browser).
    pub fn is_join_url(&self, url: &str) -> bool {
        url.strip_prefix(&self.base_url)
            .and_then(|rest| rest.strip_prefix("/j/"))
            .is_some_and(|token| balie_domain::JoinToken::parse(token).is_ok())
    }
}

/// reqwest errors can name the URL; ours hold no secret, but keep messages short.
fn without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(url.as_str(), "(relay)");
    }
    text
}

/// Starts the relay in this process on 127.0.0.1 at a free port, with its database under
/// `data_dir`, and lets the cockpit in with the clerk token kept in the OS keyring
/// (made and stored on first start).
pub async fn start_embedded(
    data_dir: &Path,
    secrets: SecretStore,
) -> Result<EmbeddedRelay, CockpitError> {
    let config = balie_relay::RelayConfig::loopback(data_dir.to_path_buf());
    let relay = balie_relay::Relay::bind(config)
        .await
        .map_err(|e| CockpitError::Internal(format!("embedded relay: {e}")))?;

    let (token, keyring_available) = tokio::task::spawn_blocking(move || clerk_token(&secrets))
        .await
        .map_err(|e| CockpitError::Internal(format!("keyring thread: {e}")))??;
    relay
        .state()
        .register_clerk_token(EMBEDDED_CLERK, &token)
        .map_err(|e| CockpitError::Internal(format!("embedded relay: {e}")))?;

    let link = RelayLink::new(RelayMode::Embedded, relay.public_url(), token)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(e) = relay.serve(shutdown).await {
            tracing::error!(error = %e, "embedded relay stopped with an error");
        }
    });
    Ok(EmbeddedRelay {
        link,
        keyring_available,
        stop,
    })
}

/// Links to the municipality's relay at `url` with the clerk token kept in the OS keyring
/// (put there with `balie-cockpit relay set`). Nothing is contacted yet: a clerk who is
/// offline at start still gets the cockpit, and the first room request tells.
pub async fn connect_remote(url: &str, secrets: SecretStore) -> Result<RelayLink, CockpitError> {
    check_relay_url(url)?;
    let token = tokio::task::spawn_blocking(move || secrets.get(SecretName::RelayClerkToken))
        .await
        .map_err(|e| CockpitError::Internal(format!("keyring thread: {e}")))??
        .ok_or_else(|| {
            CockpitError::Keyring(
                "no clerk token for the relay in the OS keyring; run `balie-cockpit relay set URL`"
                    .into(),
            )
        })?;
    RelayLink::new(RelayMode::Remote, url, token)
}

/// A relay URL must be https, or http on this machine (tests, a local proxy).
pub fn check_relay_url(url: &str) -> Result<(), CockpitError> {
    balie_domain::ServiceUrl::parse(url)
        .map(|_| ())
        .map_err(|e| CockpitError::InvalidInput(format!("the relay URL: {e}, got {url:?}")))
}

/// The embedded clerk's token: from the keyring, or new (and then stored there).
/// Without a usable keyring a fresh token lives in memory only.
fn clerk_token(secrets: &SecretStore) -> Result<(SecretString, bool), CockpitError> {
    let fresh = || {
        balie_relay::ClerkToken::generate()
            .map(|t| t.secret().clone())
            .map_err(|e| CockpitError::Internal(e.to_string()))
    };
    match secrets.get(SecretName::RelayClerkToken) {
        Ok(Some(token)) => Ok((token, true)),
        Ok(None) => {
            let token = fresh()?;
            secrets.set(SecretName::RelayClerkToken, &token)?;
            Ok((token, true))
        }
        // The embedded relay needs no persistent token: without a usable keyring the
        // cockpit still works, with a fresh token in memory and a visible warning.
        Err(e) => {
            tracing::warn!(error = %e, "no usable OS keyring: the embedded relay's clerk token lives in memory only");
            Ok((fresh()?, false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: a prefix check took `http://127.0.0.1@evil.example` (user `127.0.0.1` at
    /// `evil.example`) for this machine, and would have sent the clerk token there.
    #[test]
    fn a_relay_url_is_https_or_this_machine_by_its_host_not_its_prefix() {
        for bad in [
            "http://127.0.0.1@evil.example",
            "http://localhost.evil.example",
            "http://balie.zonnedorp.be",
            "https://user:pw@balie.zonnedorp.be",
        ] {
            assert!(
                matches!(check_relay_url(bad), Err(CockpitError::InvalidInput(_))),
                "{bad}"
            );
        }
        for good in [
            "https://balie.zonnedorp.be",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
        ] {
            assert!(check_relay_url(good).is_ok(), "{good}");
        }
    }
}
