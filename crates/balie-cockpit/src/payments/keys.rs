//! *Betaalsleutels*: a provider's API key is checked for its form, tested against the
//! provider (a question about a payment that does not exist: 404 means the key works, 401
//! that it is refused), and only then kept in the OS keyring and put in service.

use super::providers::{Client, KEYED_PROVIDERS, ProviderName, client_for, provider_secret};
use super::{Payments, pay_error, rejected};
use crate::error::CockpitError;
use balie_domain::Locale;
use balie_pay::{PayError, Provider as _};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;
use ts_rs::TS;

/// A provider's key as the settings screen shows it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProviderKeyView {
    /// Which provider.
    pub name: ProviderName,
    /// Whether a key is in the keyring and in use.
    pub stored: bool,
    /// Whether that key is a test key (no real money).
    pub test: bool,
}

/// Whether `key` looks like `provider`'s API key (caught before anything is sent).
fn key_looks_right(provider: ProviderName, key: &str) -> bool {
    let tail_ok = |tail: &str| {
        tail.len() >= 20 && tail.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    match provider {
        ProviderName::Mollie => ["live_", "test_"]
            .iter()
            .any(|p| key.strip_prefix(p).is_some_and(tail_ok)),
        ProviderName::Stripe => ["sk_live_", "sk_test_", "rk_live_", "rk_test_"]
            .iter()
            .any(|p| key.strip_prefix(p).is_some_and(tail_ok)),
        ProviderName::Bancontact => {
            (10..=200).contains(&key.len()) && key.chars().all(|c| c.is_ascii_graphic())
        }
        ProviderName::Sandbox | ProviderName::Transfer => false,
    }
}

/// A payment id no provider has, in each provider's format: asking for it tells a
/// refused key (401) from a working one (404) without touching any payment.
fn probe_id(provider: ProviderName) -> &'static str {
    match provider {
        ProviderName::Bancontact => "000000000000000000000000",
        ProviderName::Stripe => "cs_test_balieverbindingstest",
        _ => "tr_balieverbindingstest",
    }
}

/// *Verbinding testen*: asks the provider for a payment that does not exist.
async fn probe(locale: Locale, client: &Client) -> Result<(), CockpitError> {
    match client.get(probe_id(client.provider())).await {
        Err(PayError::NotFound) => Ok(()),
        Ok(_) => Ok(()),
        Err(e) => Err(pay_error(locale, &e)),
    }
}

impl Payments {
    /// Which provider keys are stored.
    pub fn keys(&self) -> Vec<ProviderKeyView> {
        KEYED_PROVIDERS
            .iter()
            .filter(|name| self.machine.allows(name.as_str()))
            .map(|name| {
                let connected = self.provider(*name);
                ProviderKeyView {
                    name: *name,
                    stored: connected.is_some(),
                    test: connected.is_some_and(|c| c.test),
                }
            })
            .collect()
    }

    /// Takes a provider key: checks its form, tests it against the provider, keeps it in
    /// the OS keyring only, and puts the provider in service (following its unfinished
    /// payments again). A key the provider refuses is not kept.
    pub async fn set_key(
        &self,
        provider: ProviderName,
        key: SecretString,
    ) -> Result<ProviderKeyView, CockpitError> {
        let locale = self.shared.locale;
        if !self.machine.allows(provider.as_str()) {
            return Err(rejected(locale, "pay.method_not_allowed", &[]));
        }
        let secret = provider_secret(provider)
            .ok_or_else(|| CockpitError::InvalidInput("this provider takes no key".into()))?;
        if !key_looks_right(provider, key.expose_secret().trim()) {
            return Err(rejected(locale, "pay.key_format", &[]));
        }
        let key = SecretString::from(key.expose_secret().trim().to_owned());
        let (client, test) = client_for(provider, key.clone(), &self.relay, &self.hosts)
            .map_err(|e| pay_error(locale, &e))?;
        probe(locale, &client).await?;
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.set(secret, &key))
            .await
            .map_err(|e| CockpitError::Internal(format!("keyring thread: {e}")))??;
        self.connect(provider, client, test);
        tracing::info!(provider = provider.as_str(), test, "provider key stored");
        self.resume(Some(provider), false).await;
        Ok(ProviderKeyView {
            name: provider,
            stored: true,
            test,
        })
    }

    /// *Verbinding testen* with the stored key.
    pub async fn test_key(&self, provider: ProviderName) -> Result<(), CockpitError> {
        let connected = self.connected(provider)?;
        probe(self.shared.locale, &connected.client).await
    }

    /// Removes a provider's key from the keyring and takes the provider out of service.
    pub async fn remove_key(&self, provider: ProviderName) -> Result<(), CockpitError> {
        let secret = provider_secret(provider)
            .ok_or_else(|| CockpitError::InvalidInput("this provider takes no key".into()))?;
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.delete(secret))
            .await
            .map_err(|e| CockpitError::Internal(format!("keyring thread: {e}")))??;
        if let Ok(mut providers) = self.providers.write() {
            providers.remove(&provider);
        }
        tracing::info!(provider = provider.as_str(), "provider key removed");
        Ok(())
    }
}
