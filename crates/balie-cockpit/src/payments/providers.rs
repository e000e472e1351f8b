//! The payment providers the cockpit talks to: their names, one client type over the
//! three keyed providers, and how a client is made from a key.

use crate::config::ProviderHosts;
use crate::relay_link::{RelayLink, RelayMode};
use balie_pay::bancontact::BancontactPay;
use balie_pay::driver::Command as DriverCommand;
use balie_pay::mollie::Mollie;
use balie_pay::stripe::Stripe;
use balie_pay::{Limits, NewPayment, PayError, Provider, ProviderPayment};
use balie_secrets::SecretName;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use ts_rs::TS;

/// How long one request to a provider may take.
pub(crate) const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A provider the clerk can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderName {
    /// The relay's test provider.
    Sandbox,
    /// Mollie (Bancontact through Mollie).
    Mollie,
    /// Bancontact Pay.
    Bancontact,
    /// Stripe Checkout.
    Stripe,
    /// A bank transfer with a structured reference (EPC QR code).
    Transfer,
}

impl ProviderName {
    /// The name stored with the payment and used by the relay's hints.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Mollie => "mollie",
            Self::Bancontact => "bancontact",
            Self::Stripe => "stripe",
            Self::Transfer => "transfer",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [
            Self::Sandbox,
            Self::Mollie,
            Self::Bancontact,
            Self::Stripe,
            Self::Transfer,
        ]
        .into_iter()
        .find(|p| p.as_str() == name)
    }

    /// Whether a create may be repeated safely (the provider honours an idempotency key).
    pub(crate) fn idempotent(self) -> bool {
        !matches!(self, Self::Bancontact | Self::Transfer)
    }
}

/// One of the provider clients.
pub(crate) enum Client {
    Mollie(Mollie),
    Bancontact(BancontactPay),
    Stripe(Stripe),
}

impl Provider for Client {
    fn limits(&self) -> Limits {
        match self {
            Client::Mollie(c) => c.limits(),
            Client::Bancontact(c) => c.limits(),
            Client::Stripe(c) => c.limits(),
        }
    }

    async fn create(&self, payment: &NewPayment) -> Result<ProviderPayment, PayError> {
        match self {
            Client::Mollie(c) => c.create(payment).await,
            Client::Bancontact(c) => c.create(payment).await,
            Client::Stripe(c) => c.create(payment).await,
        }
    }

    async fn get(&self, id: &str) -> Result<ProviderPayment, PayError> {
        match self {
            Client::Mollie(c) => c.get(id).await,
            Client::Bancontact(c) => c.get(id).await,
            Client::Stripe(c) => c.get(id).await,
        }
    }

    async fn cancel(&self, id: &str) -> Result<ProviderPayment, PayError> {
        match self {
            Client::Mollie(c) => c.cancel(id).await,
            Client::Bancontact(c) => c.cancel(id).await,
            Client::Stripe(c) => c.cancel(id).await,
        }
    }
}

pub(crate) struct Connected {
    pub(crate) client: Arc<Client>,
    pub(crate) driver: mpsc::Sender<DriverCommand>,
    pub(crate) test: bool,
}

/// Providers whose key the clerk (or IT) enters.
pub const KEYED_PROVIDERS: [ProviderName; 3] = [
    ProviderName::Mollie,
    ProviderName::Bancontact,
    ProviderName::Stripe,
];

/// A client for keyed provider `name` with `key`, and whether it is in test mode, at the
/// API hosts in `hosts` (production unless configured otherwise).
pub(crate) fn client_for(
    name: ProviderName,
    key: SecretString,
    relay: &RelayLink,
    hosts: &ProviderHosts,
) -> Result<(Client, bool), PayError> {
    match name {
        ProviderName::Mollie => {
            let test = key.expose_secret().starts_with("test_");
            let client =
                Mollie::with_timeout(&hosts.mollie, key, Some("bancontact"), CLIENT_TIMEOUT)?;
            Ok((Client::Mollie(client), test))
        }
        ProviderName::Bancontact => {
            let callback = (relay.mode() == RelayMode::Remote)
                .then(|| format!("{}/hooks/bancontact", relay.base_url()));
            let client =
                BancontactPay::new(&hosts.bancontact, key, callback.as_deref(), CLIENT_TIMEOUT)?;
            let test = client.mode() == balie_domain::PaymentMode::Test;
            Ok((Client::Bancontact(client), test))
        }
        ProviderName::Stripe => {
            let client = Stripe::new(&hosts.stripe, key, CLIENT_TIMEOUT)?;
            let test = client.is_test_mode();
            Ok((Client::Stripe(client), test))
        }
        ProviderName::Sandbox | ProviderName::Transfer => {
            Err(PayError::Malformed("this provider takes no key".into()))
        }
    }
}

/// The keyring entry that holds `provider`'s API key.
pub fn provider_secret(provider: ProviderName) -> Option<SecretName> {
    match provider {
        ProviderName::Mollie => Some(SecretName::MollieApiKey),
        ProviderName::Bancontact => Some(SecretName::BancontactApiKey),
        ProviderName::Stripe => Some(SecretName::StripeApiKey),
        ProviderName::Sandbox | ProviderName::Transfer => None,
    }
}

impl Client {
    /// Which provider this client talks to.
    pub(crate) fn provider(&self) -> ProviderName {
        match self {
            Client::Mollie(_) => ProviderName::Mollie,
            Client::Bancontact(_) => ProviderName::Bancontact,
            Client::Stripe(_) => ProviderName::Stripe,
        }
    }
}
