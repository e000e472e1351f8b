//! *Aanmelden bij uw gemeente*: the cockpit enrols with the one-time code IT gave the
//! clerk (`balie-relay clerk invite NAME`) and keeps the device token it gets in the OS
//! keyring, the relay's address in its settings. Also whether enrolment is needed at
//! start, and the *Verbinding* screen's view and test.
//!
//! The code's check symbol is verified here first, so a typing error is named at once
//! and costs no try at the relay.

use crate::config::CockpitConfig;
use crate::error::CockpitError;
use crate::machine::Lockable;
use crate::settings::Settings;
use balie_domain::{InviteCode, Locale};
use balie_protocol::{ApiError, EnrolRequest, EnrolResponse, ErrorCode};
use balie_secrets::{SecretName, SecretStore};
use secrecy::SecretString;
use serde::Serialize;
use std::time::Duration;
use ts_rs::TS;

/// What the cockpit must do about its relay at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// Run: with the embedded relay (`None`) or the municipality's.
    Ready(Option<String>),
    /// Ask the clerk to enrol first (IT named a relay; no device token is kept yet).
    Enrol(EnrolView),
}

/// What the *Aanmelden bij uw gemeente* screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct EnrolView {
    /// The clerk's language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: Locale,
    /// The relay IT set, or the clerk's last one; `None`: the clerk types it.
    #[ts(optional)]
    pub relay_url: Option<String>,
    /// Whether IT locked the relay (then the field is not editable).
    pub relay_locked: bool,
    /// The municipality's name, when IT set it.
    #[ts(optional)]
    pub municipality: Option<String>,
}

/// What a successful enrolment gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Enrolled {
    /// The relay enrolled with.
    pub relay_url: String,
    /// The clerk's name at the relay.
    pub clerk: String,
    /// The municipality's name.
    pub municipality: String,
}

/// The relay the cockpit should use, and whether it must enrol first: IT's or the clerk's
/// relay (see [`crate::machine::MachineSettings::relay_url`]) without a token in the OS
/// keyring needs enrolment; a keyring that cannot be read says so at start as before.
pub fn at_start(config: &CockpitConfig) -> Result<Start, CockpitError> {
    let conn = balie_store::open(&config.database_path(), &balie_store::cockpit::SCHEMA)?;
    let clerk = Settings::of(&conn).relay_url()?;
    let Some(url) = config
        .machine
        .relay_url(config.relay_url.as_deref(), clerk.as_deref())
    else {
        return Ok(Start::Ready(None));
    };
    let secrets = SecretStore::new(&config.keyring_service);
    match secrets.get(SecretName::RelayClerkToken) {
        Ok(Some(_))
            if clerk.as_deref() == Some(url.as_str())
                || config.relay_url.as_deref() == Some(url.as_str()) =>
        {
            Ok(Start::Ready(Some(url)))
        }
        // A token for another relay (the embedded one's, or a relay IT changed) is not
        // this relay's: enrol.
        Ok(_) => Ok(Start::Enrol(EnrolView {
            locale: config.locale,
            relay_url: Some(url),
            relay_locked: config.machine.is_locked(Lockable::RelayUrl),
            municipality: config.machine.municipality.clone(),
        })),
        Err(e) => Err(e.into()),
    }
}

/// The enrolment screen for a clerk who asks it themselves (*Opnieuw aanmelden*).
pub fn view(config: &CockpitConfig) -> Result<EnrolView, CockpitError> {
    let conn = balie_store::open(&config.database_path(), &balie_store::cockpit::SCHEMA)?;
    let clerk = Settings::of(&conn).relay_url()?;
    Ok(EnrolView {
        locale: config.locale,
        relay_url: config.machine.relay_url(None, clerk.as_deref()),
        relay_locked: config.machine.is_locked(Lockable::RelayUrl),
        municipality: config.machine.municipality.clone(),
    })
}

/// This computer's name, as the relay lists the device.
pub fn device_name() -> String {
    let name = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .map(|h| {
            h.trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect::<String>()
        })
        .unwrap_or_default();
    if name.is_empty() {
        "Balie".into()
    } else {
        name
    }
}

/// Enrols with `code` at `relay_url` (IT's, when locked): keeps the device token in the
/// OS keyring and the relay in the settings. Every refusal is in the clerk's language.
pub async fn enrol(
    config: &CockpitConfig,
    relay_url: &str,
    code: &str,
) -> Result<Enrolled, CockpitError> {
    let locale = config.locale;
    let url = match (
        &config.machine.relay_url,
        config.machine.is_locked(Lockable::RelayUrl),
    ) {
        (Some(it), true) => it.clone(),
        _ => relay_url.trim().trim_end_matches('/').to_owned(),
    };
    if balie_domain::ServiceUrl::parse(&url).is_err() {
        return Err(CockpitError::rejected(locale, "error.enrol.bad_url"));
    }
    let code = InviteCode::parse(code)
        .map_err(|e| CockpitError::rejected(locale, &format!("error.{}", e.catalog_key())))?;
    let answer = post(&url, &code, locale).await?;
    let token = SecretString::from(answer.token);
    let secrets = SecretStore::new(&config.keyring_service);
    tokio::task::spawn_blocking(move || secrets.set(SecretName::RelayClerkToken, &token))
        .await
        .map_err(|e| CockpitError::Internal(format!("keyring thread: {e}")))??;
    let conn = balie_store::open(&config.database_path(), &balie_store::cockpit::SCHEMA)?;
    Settings::of(&conn).set_relay_url(Some(&url))?;
    tracing::info!(
        device_id = answer.device_id,
        "enrolled with the municipality's relay"
    );
    Ok(Enrolled {
        relay_url: url,
        clerk: answer.clerk,
        municipality: answer.municipality,
    })
}

async fn post(url: &str, code: &InviteCode, locale: Locale) -> Result<EnrolResponse, CockpitError> {
    let http = reqwest::Client::builder()
        .proxy(balie_net::Proxies::from_env().reqwest())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| CockpitError::Internal(format!("http client: {e}")))?;
    let response = http
        .post(format!("{url}/api/enrol"))
        .json(&EnrolRequest {
            code: code.canonical().to_owned(),
            device: device_name(),
        })
        .send()
        .await
        .map_err(|e| {
            tracing::warn!(error = %e.without_url(), "enrolment: the relay could not be reached");
            CockpitError::rejected(locale, "error.enrol.unreachable")
        })?;
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .await
            .map_err(|_| CockpitError::rejected(locale, "error.enrol.not_a_relay"));
    }
    let code = response.json::<ApiError>().await.map(|e| e.error.code).ok();
    let key = match code {
        Some(ErrorCode::NotFound) => "error.enrol.unknown",
        Some(ErrorCode::AlreadyDone) => "error.enrol.used",
        Some(ErrorCode::Gone) => "error.enrol.expired",
        Some(ErrorCode::BadRequest) => "error.invite.check",
        Some(ErrorCode::TooMany) => "error.enrol.too_many",
        Some(_) => "error.enrol.refused",
        None => "error.enrol.not_a_relay",
    };
    tracing::info!(%status, "enrolment refused");
    Err(CockpitError::rejected(locale, key))
}

/// How *Verbinding testen* went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionOutcome {
    /// The relay answers and takes this cockpit.
    Connected,
    /// The relay cannot be reached (network, proxy, TLS, timeout).
    Unreachable,
    /// Something answers that is not a Balie relay.
    NotARelay,
    /// The relay answers but does not take this device (never enrolled, or revoked).
    NotEnrolled,
}

/// What *Verbinding testen* found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionTest {
    /// The outcome.
    pub outcome: ConnectionOutcome,
    /// The relay's version, when it answered.
    #[ts(optional)]
    pub version: Option<String>,
    /// The municipality it serves, when it said.
    #[ts(optional)]
    pub municipality: Option<String>,
    /// How long the test took, in milliseconds.
    pub took_ms: u32,
}

/// *Verbinding testen*: the relay's health, then whether it takes this device's token.
pub async fn test(relay: &crate::relay_link::RelayLink) -> ConnectionTest {
    let started = std::time::Instant::now();
    let took = |started: std::time::Instant| {
        u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX)
    };
    let health = match relay.health().await {
        Ok(health) => health,
        Err(e) => {
            tracing::info!(error = %e, "connection test: no health");
            let outcome = match e {
                CockpitError::RelayUnreachable(_) => ConnectionOutcome::Unreachable,
                _ => ConnectionOutcome::NotARelay,
            };
            return ConnectionTest {
                outcome,
                version: None,
                municipality: None,
                took_ms: took(started),
            };
        }
    };
    let outcome = match relay.token_accepted().await {
        Ok(true) => ConnectionOutcome::Connected,
        Ok(false) => ConnectionOutcome::NotEnrolled,
        Err(CockpitError::RelayUnreachable(_)) => ConnectionOutcome::Unreachable,
        Err(_) => ConnectionOutcome::NotARelay,
    };
    ConnectionTest {
        outcome,
        version: Some(health.version),
        municipality: health.municipality,
        took_ms: took(started),
    }
}
