//! Payments in the cockpit: the clerk asks for one, Balie writes it down, the provider makes
//! it, the citizen gets a card on the call page, and the status is followed until it is
//! final.
//!
//! - **Providers**: the relay's sandbox (always there: a Mollie-shaped test provider, with
//!   the relay's clerk token as its key), Mollie, Bancontact Pay and Stripe when their key
//!   is in the OS keyring, and a bank transfer by EPC QR code when the municipality's IBAN
//!   is set.
//! - **Order of things** ([`Payments::request`]): check the amount and description against
//!   the provider's limits (a refused amount writes nothing) → write the payment, `created`
//!   → create it at the provider with our idempotency key (retried on transient failures:
//!   the key makes a retry harmless) → store its id and checkout address → only now is a
//!   QR code or link shown.
//! - **Following**: one [`balie_pay::driver`] per provider asks about every unfinished
//!   payment (every 2 s while its conversation is live, backing off after); each answer
//!   goes through [`balie_store::cockpit::payment::apply_status`], so a status only moves
//!   forward, and only the provider's answer makes a payment paid. A hint from the relay
//!   (`/ws/hints`, fed by the providers' webhooks) makes the driver ask at once.
//! - **Restart**: at start every unfinished payment is followed again; one that was
//!   written but never reached its provider (the cockpit died in between) is created again
//!   with the same idempotency key, which gives back the payment if it was made.
//! - Every change is broadcast as a [`PaymentView`] (the payment panel) and, for the
//!   conversation it belongs to, sent to the citizen page as a card.

use crate::core::{now_ms, rfc3339};
use crate::error::IpcError;
use crate::relay_link::RelayLink;
use balie_domain::{
    Applied, Iban, Locale, Money, PaymentStatus, StatusSource, StructuredReference,
};
use balie_pay::bancontact::BancontactPay;
use balie_pay::driver::{self, Command as DriverCommand, Report};
use balie_pay::mollie::Mollie;
use balie_pay::stripe::Stripe;
use balie_pay::tracker::Outcome;
use balie_pay::{Limits, NewPayment, PayError, Provider, ProviderPayment};
use balie_protocol::channel::{CardStatus, PayMethod, PaymentCard};
use balie_secrets::{SecretName, SecretStore};
use balie_store::cockpit::payment as store;
use rusqlite::Connection;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use ts_rs::TS;

/// Settings: the municipality as payee of a bank transfer.
pub const PAYEE_NAME_SETTING: &str = "payee_name";
/// See [`PAYEE_NAME_SETTING`].
pub const PAYEE_IBAN_SETTING: &str = "payee_iban";
/// See [`PAYEE_NAME_SETTING`].
pub const PAYEE_BIC_SETTING: &str = "payee_bic";

/// The payee's name when none is set.
const DEFAULT_PAYEE: &str = "Gemeente";

/// How many times a create is tried when the provider fails on the way (timeouts, 5xx).
const CREATE_ATTEMPTS: u32 = 3;

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

    fn from_name(name: &str) -> Option<Self> {
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
    fn idempotent(self) -> bool {
        !matches!(self, Self::Bancontact | Self::Transfer)
    }
}

/// One of the provider clients.
enum Client {
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

struct Connected {
    client: Arc<Client>,
    driver: mpsc::Sender<DriverCommand>,
    test: bool,
}

/// A provider as the payment panel offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProviderChoice {
    /// Which.
    pub name: ProviderName,
    /// Test mode (sandbox, a test key, a pre-production host): no real money.
    pub test: bool,
}

/// A product from the catalog, named in the clerk's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProductView {
    /// Stable id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its price in cents.
    #[ts(type = "number")]
    pub price_cents: u64,
    /// Its price as the clerk reads it (`€ 45,00`).
    pub price_text: String,
    /// Whether it can be handled through the digital counter.
    pub digital: bool,
}

/// What the payment panel needs: providers, products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PaymentSetup {
    /// The providers the clerk can choose, the preferred first.
    pub providers: Vec<ProviderChoice>,
    /// The catalog.
    pub products: Vec<ProductView>,
}

/// The clerk's request, as the payment panel sends it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct PaymentRequest {
    /// The amount as the clerk typed it (`12,50`, `€ 1.234,56`).
    pub amount: String,
    /// What it is for, as the citizen will read it.
    pub description: String,
    /// Which provider.
    pub provider: ProviderName,
}

/// One step of a payment's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StepView {
    /// The status reached.
    #[ts(type = "\"created\" | \"open\" | \"paid\" | \"failed\" | \"canceled\" | \"expired\"")]
    pub status: String,
    /// When, milliseconds since the epoch.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// Who said so.
    #[ts(type = "\"balie\" | \"provider\" | \"clerk\"")]
    pub source: String,
}

/// A payment as the payment panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PaymentView {
    /// Our id.
    pub id: String,
    /// Its provider.
    pub provider: ProviderName,
    /// Test mode: no real money.
    pub test: bool,
    /// The amount as the clerk reads it.
    pub amount_text: String,
    /// What it is for.
    pub description: String,
    /// The structured reference (`+++…+++`), for a transfer.
    pub reference: Option<String>,
    /// The conversation it was asked in.
    pub room_id: Option<String>,
    /// Where it stands.
    #[ts(type = "\"created\" | \"open\" | \"paid\" | \"failed\" | \"canceled\" | \"expired\"")]
    pub status: String,
    /// Every step, oldest first.
    pub steps: Vec<StepView>,
    /// The provider's checkout page, while open.
    pub checkout_url: Option<String>,
    /// The QR code to pay with (the checkout page, or the transfer), while open.
    pub qr_svg_data_uri: Option<String>,
}

/// Who receives transfers.
#[derive(Debug, Clone)]
struct Payee {
    name: String,
    iban: Option<Iban>,
    bic: Option<String>,
}

/// Everything the background tasks share.
struct Shared {
    store: Arc<Mutex<Connection>>,
    locale: Locale,
    payee: Payee,
    events: broadcast::Sender<PaymentView>,
}

/// The cockpit's payments.
pub struct Payments {
    shared: Arc<Shared>,
    providers: std::sync::RwLock<HashMap<ProviderName, Arc<Connected>>>,
    reports: mpsc::Sender<(ProviderName, Report)>,
    relay: Arc<RelayLink>,
    secrets: SecretStore,
    hints: bool,
    live_rooms: Mutex<HashSet<String>>,
}

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

/// Providers whose key the clerk (or IT) enters.
pub const KEYED_PROVIDERS: [ProviderName; 3] = [
    ProviderName::Mollie,
    ProviderName::Bancontact,
    ProviderName::Stripe,
];

fn random_hex<const N: usize>() -> Result<String, IpcError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| IpcError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The clerk's text for a catalog key, with `{max}` / `{min}` filled in.
fn rejected(locale: Locale, key: &str, fill: &[(&str, String)]) -> IpcError {
    let mut text = crate::i18n::text(locale, &format!("error.{key}"));
    for (name, value) in fill {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    IpcError::Rejected(text)
}

fn pay_error(locale: Locale, error: &PayError) -> IpcError {
    let fill = match error {
        PayError::AmountTooSmall { min } => vec![("min", min.format(locale))],
        PayError::AmountTooLarge { max } => vec![("max", max.format(locale))],
        PayError::DescriptionTooLong { max } => vec![("max", max.to_string())],
        _ => Vec::new(),
    };
    rejected(locale, error.catalog_key(), &fill)
}

impl Payments {
    /// Sets up the providers whose keys are in the keyring, the drivers that follow
    /// payments and the hint socket, and resumes every unfinished payment.
    pub async fn start(
        store: Arc<Mutex<Connection>>,
        locale: Locale,
        relay: Arc<RelayLink>,
        secrets: SecretStore,
    ) -> Result<Arc<Self>, IpcError> {
        let payee = {
            let conn = store
                .lock()
                .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
            let get = |key| balie_store::cockpit::setting::get(&conn, key);
            Payee {
                name: get(PAYEE_NAME_SETTING)?.unwrap_or_else(|| DEFAULT_PAYEE.into()),
                iban: get(PAYEE_IBAN_SETTING)?.and_then(|i| Iban::parse(&i).ok()),
                bic: get(PAYEE_BIC_SETTING)?,
            }
        };
        let keyring = secrets.clone();
        let keys = tokio::task::spawn_blocking(move || {
            [
                SecretName::MollieApiKey,
                SecretName::BancontactApiKey,
                SecretName::StripeApiKey,
            ]
            .map(|name| secrets.get(name).ok().flatten())
        })
        .await
        .map_err(|e| IpcError::Internal(format!("keyring thread: {e}")))?;
        let mut clients: Vec<(ProviderName, Client, bool)> = Vec::new();
        let timeout = CLIENT_TIMEOUT;
        // The sandbox stands in for Bancontact through Mollie, with its limits.
        let sandbox = Mollie::with_timeout(
            &format!("{}/sandbox", relay.base_url()),
            relay.token().clone(),
            Some("bancontact"),
            timeout,
        )
        .map_err(|e| IpcError::Internal(e.to_string()))?;
        clients.push((ProviderName::Sandbox, Client::Mollie(sandbox), true));
        for (name, key) in KEYED_PROVIDERS.into_iter().zip(keys) {
            if let Some(key) = key {
                match client_for(name, key, &relay) {
                    Ok((client, test)) => clients.push((name, client, test)),
                    Err(e) => {
                        tracing::warn!(provider = name.as_str(), error = %e, "provider not set up")
                    }
                }
            }
        }
        let (events, _) = broadcast::channel(256);
        let shared = Arc::new(Shared {
            store,
            locale,
            payee,
            events,
        });
        let (reports_tx, reports_rx) = mpsc::channel::<(ProviderName, Report)>(256);
        let hints = std::env::var("BALIE_PAYMENT_HINTS").as_deref() != Ok("off");
        let payments = Arc::new(Self {
            shared,
            providers: std::sync::RwLock::new(HashMap::new()),
            reports: reports_tx,
            relay,
            secrets: keyring,
            hints,
            live_rooms: Mutex::new(HashSet::new()),
        });
        tokio::spawn(apply_reports(Arc::downgrade(&payments), reports_rx));
        for (name, client, test) in clients {
            payments.connect(name, client, test);
        }
        if hints {
            tokio::spawn(follow_hints(Arc::downgrade(&payments)));
        }
        payments.resume(None).await;
        Ok(payments)
    }

    /// Puts `client` in service for `name` with its own driver (replacing an earlier
    /// client, whose driver then stops).
    fn connect(&self, name: ProviderName, client: Client, test: bool) {
        let client = Arc::new(client);
        let (driver_tx, driver_rx) = mpsc::channel(256);
        let (report_tx, mut report_rx) = mpsc::channel(256);
        let mut seed = [0u8; 8];
        let _ = getrandom::fill(&mut seed);
        tokio::spawn(driver::run(
            client.clone(),
            driver_rx,
            report_tx,
            u64::from_le_bytes(seed),
        ));
        let forward = self.reports.clone();
        tokio::spawn(async move {
            while let Some(report) = report_rx.recv().await {
                if forward.send((name, report)).await.is_err() {
                    return;
                }
            }
        });
        if let Ok(mut providers) = self.providers.write() {
            providers.insert(
                name,
                Arc::new(Connected {
                    client,
                    driver: driver_tx,
                    test,
                }),
            );
        }
    }

    fn provider(&self, name: ProviderName) -> Option<Arc<Connected>> {
        self.providers.read().ok()?.get(&name).cloned()
    }

    fn test_mode(&self, name: ProviderName) -> bool {
        self.provider(name).is_some_and(|c| c.test)
    }

    /// Changes to any payment, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<PaymentView> {
        self.shared.events.subscribe()
    }

    fn store(&self) -> Result<std::sync::MutexGuard<'_, Connection>, IpcError> {
        self.shared
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))
    }

    /// The providers and products the payment panel offers.
    pub fn setup(&self) -> Result<PaymentSetup, IpcError> {
        let locale = self.shared.locale;
        let products = balie_store::cockpit::product::list(&*self.store()?, locale)?
            .into_iter()
            .map(|p| ProductView {
                id: p.id,
                name: p.name,
                price_cents: p.price.cents(),
                price_text: p.price.format(locale),
                digital: p.digital,
            })
            .collect();
        // Real providers first (a live one before a test one), the sandbox last.
        let mut providers: Vec<ProviderChoice> = self
            .providers
            .read()
            .map_err(|_| IpcError::Internal("providers lock poisoned".into()))?
            .iter()
            .map(|(name, c)| ProviderChoice {
                name: *name,
                test: c.test,
            })
            .collect();
        if self.shared.payee.iban.is_some() {
            providers.push(ProviderChoice {
                name: ProviderName::Transfer,
                test: false,
            });
        }
        providers.sort_by_key(|p| (p.name == ProviderName::Sandbox, p.test, p.name.as_str()));
        Ok(PaymentSetup {
            providers,
            products,
        })
    }

    /// Changes a product's price (the clerk's input, in their language).
    pub fn set_product_price(&self, id: &str, price: &str) -> Result<ProductView, IpcError> {
        let locale = self.shared.locale;
        let price = Money::parse(price).map_err(|e| rejected(locale, e.catalog_key(), &[]))?;
        if price.is_zero() {
            return Err(rejected(locale, "money.zero", &[]));
        }
        let conn = self.store()?;
        balie_store::cockpit::product::set_price(&conn, id, price)?;
        balie_store::cockpit::product::list(&conn, locale)?
            .into_iter()
            .find(|p| p.id == id)
            .map(|p| ProductView {
                id: p.id,
                name: p.name,
                price_cents: p.price.cents(),
                price_text: p.price.format(locale),
                digital: p.digital,
            })
            .ok_or_else(|| IpcError::InvalidInput("no such product".into()))
    }

    /// Asks for a payment in conversation `room_id`: checked, written down, made at the
    /// provider, then shown (and sent to the citizen page).
    /// `payer` is the citizen's language: the provider's pages speak it.
    pub async fn request(
        &self,
        room_id: Option<&str>,
        payer: Locale,
        request: &PaymentRequest,
    ) -> Result<PaymentView, IpcError> {
        let locale = self.shared.locale;
        let amount =
            Money::parse(&request.amount).map_err(|e| rejected(locale, e.catalog_key(), &[]))?;
        if amount.is_zero() {
            return Err(rejected(locale, "money.zero", &[]));
        }
        let description = request.description.trim().to_owned();
        let id = random_hex::<12>()?;
        let key = random_hex::<16>()?;
        let new = NewPayment {
            amount,
            description: description.clone(),
            redirect_url: self.return_url(payer),
            webhook_url: self.webhook_url(request.provider),
            locale: payer,
            idempotency_key: key.clone(),
        };
        let reference = match request.provider {
            ProviderName::Transfer => {
                let transfer = self.transfer(amount, None)?;
                transfer
                    .payload()
                    .map_err(|_| rejected(locale, "pay.transfer_invalid", &[]))?;
                Some(transfer.reference)
            }
            provider => {
                self.connected(provider)?
                    .client
                    .limits()
                    .check(&new)
                    .map_err(|e| pay_error(locale, &e))?;
                None
            }
        };
        if request.provider == ProviderName::Transfer {
            // EPC QR: 140 characters of free text are not used (the reference is), so
            // the description only has to be sensible for the clerk's records.
            if description.is_empty() || description.chars().count() > 255 {
                return Err(pay_error(locale, &PayError::DescriptionMissing));
            }
        }
        let at = now_ms();
        {
            let mut conn = self.store()?;
            store::insert(
                &mut conn,
                &store::NewPayment {
                    id: id.clone(),
                    idempotency_key: key,
                    provider: request.provider.as_str().into(),
                    amount,
                    description,
                    reference: reference.map(|r| r.digits()),
                    room_id: room_id.map(str::to_owned),
                    payer_locale: Some(payer.code().to_owned()),
                },
                at,
            )?;
        }
        tracing::info!(
            payment = id,
            provider = request.provider.as_str(),
            cents = amount.cents(),
            "payment requested"
        );
        if request.provider == ProviderName::Transfer {
            self.with_store_mut(|c| {
                store::apply_status(c, &id, PaymentStatus::Open, now_ms(), StatusSource::Balie)
            })?;
        } else {
            self.create_at_provider(&id, request.provider, &new).await?;
        }
        let view = self.view(&id)?;
        let _ = self.shared.events.send(view.clone());
        Ok(view)
    }

    /// Where the checkout sends the payer: the relay's "go back to your call" page.
    fn return_url(&self, payer: Locale) -> String {
        format!("{}/return?lang={}", self.relay.base_url(), payer.code())
    }

    fn webhook_url(&self, provider: ProviderName) -> Option<String> {
        if !self.hints {
            return None;
        }
        let base = self.relay.base_url();
        match provider {
            // The sandbox hints its creator when a webhook is asked for.
            ProviderName::Sandbox => Some(format!("{base}/hooks/sandbox")),
            // Real providers cannot reach a relay on this machine.
            _ if self.relay.mode() == crate::relay_link::RelayMode::Embedded => None,
            ProviderName::Mollie => Some(format!("{base}/hooks/mollie")),
            ProviderName::Bancontact => Some(format!("{base}/hooks/bancontact")),
            // Stripe's webhook endpoint is set in its dashboard, not per payment.
            ProviderName::Stripe | ProviderName::Transfer => None,
        }
    }

    fn connected(&self, provider: ProviderName) -> Result<Arc<Connected>, IpcError> {
        self.provider(provider)
            .ok_or_else(|| rejected(self.shared.locale, "pay.provider_unavailable", &[]))
    }

    fn with_store_mut<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, balie_store::StoreError>,
    ) -> Result<T, IpcError> {
        let mut conn = self.store()?;
        Ok(f(&mut conn)?)
    }

    /// Makes the written-down payment `id` at its provider (again, after a restart: the
    /// same idempotency key gives the same payment), and starts following it.
    async fn create_at_provider(
        &self,
        id: &str,
        provider: ProviderName,
        new: &NewPayment,
    ) -> Result<(), IpcError> {
        let locale = self.shared.locale;
        let connected = self.connected(provider)?;
        let attempts = if provider.idempotent() {
            CREATE_ATTEMPTS
        } else {
            1
        };
        let mut delay = Duration::from_millis(500);
        let mut outcome = connected.client.create(new).await;
        for _ in 1..attempts {
            match &outcome {
                Err(e) if e.is_transient() => {
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                    outcome = connected.client.create(new).await;
                }
                _ => break,
            }
        }
        let made = match outcome {
            Ok(made) => made,
            Err(e) => {
                tracing::warn!(payment = id, provider = provider.as_str(), error = %e, "payment not made at the provider");
                // Nothing to pay: the clerk sees it failed and may try again.
                self.with_store_mut(|c| {
                    store::apply_status(c, id, PaymentStatus::Failed, now_ms(), StatusSource::Balie)
                })?;
                if let Ok(view) = self.view(id) {
                    let _ = self.shared.events.send(view);
                }
                return Err(pay_error(locale, &e));
            }
        };
        self.with_store_mut(|c| {
            store::set_provider_payment(
                c,
                id,
                &made.id,
                made.checkout_url.as_deref(),
                made.expires_at.as_deref(),
                now_ms(),
            )?;
            store::apply_status(c, id, made.status, now_ms(), StatusSource::Provider)
        })?;
        if provider != ProviderName::Sandbox
            && self.hints
            && let Err(e) = self.relay.watch_payment(provider.as_str(), &made.id).await
        {
            tracing::warn!(payment = id, error = %e, "the relay will not pass on webhooks for this payment");
        }
        if !made.status.is_final() {
            let live = self.is_live(id);
            let _ = connected
                .driver
                .send(DriverCommand::Track {
                    id: id.to_owned(),
                    provider_id: made.id,
                    live,
                })
                .await;
        }
        Ok(())
    }

    fn is_live(&self, id: &str) -> bool {
        let room = self
            .store()
            .ok()
            .and_then(|c| store::get(&c, id).ok().flatten()?.room_id);
        room.is_some_and(|r| self.live_rooms.lock().is_ok_and(|l| l.contains(&r)))
    }

    /// Follows every unfinished payment again: at start all of them (making again those
    /// that never reached their provider); for a provider just put in service, only its
    /// payments that its provider made (others may still be on their way).
    async fn resume(&self, only: Option<ProviderName>) {
        let unfinished = match self.store().map(|c| store::unfinished(&c)) {
            Ok(Ok(list)) => list,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "unfinished payments could not be read");
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "unfinished payments could not be read");
                return;
            }
        };
        for payment in unfinished {
            let Some(provider) = ProviderName::from_name(&payment.provider) else {
                continue;
            };
            if provider == ProviderName::Transfer
                || only.is_some_and(|o| o != provider || payment.provider_id.is_none())
            {
                continue;
            }
            match (&payment.provider_id, self.provider(provider)) {
                (Some(provider_id), Some(connected)) => {
                    let _ = connected
                        .driver
                        .send(DriverCommand::Track {
                            id: payment.id.clone(),
                            provider_id: provider_id.clone(),
                            live: false,
                        })
                        .await;
                }
                (None, Some(_)) if provider.idempotent() => {
                    // Written down but never answered: make it again with the same key.
                    let payer = payment
                        .payer_locale
                        .as_deref()
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(self.shared.locale);
                    let new = NewPayment {
                        amount: payment.amount,
                        description: payment.description.clone(),
                        redirect_url: self.return_url(payer),
                        webhook_url: self.webhook_url(provider),
                        locale: payer,
                        idempotency_key: payment.idempotency_key.clone(),
                    };
                    if let Err(e) = self.create_at_provider(&payment.id, provider, &new).await {
                        tracing::warn!(payment = payment.id, error = %e, "unanswered payment not made again");
                    }
                }
                (None, _) => {
                    // Not repeatable (or the provider's key is gone): it cannot be paid.
                    let _ = self.with_store_mut(|c| {
                        store::apply_status(
                            c,
                            &payment.id,
                            PaymentStatus::Failed,
                            now_ms(),
                            StatusSource::Balie,
                        )
                    });
                }
                (Some(_), None) => {
                    tracing::warn!(
                        payment = payment.id,
                        provider = payment.provider,
                        "no key for this payment's provider: not followed"
                    );
                }
            }
        }
    }

    /// The conversation `room_id` started (`live`) or ended: its payments are asked about
    /// every 2 s while it runs, less often after.
    pub async fn set_room_live(&self, room_id: &str, live: bool) {
        if let Ok(mut rooms) = self.live_rooms.lock() {
            if live {
                rooms.insert(room_id.to_owned());
            } else {
                rooms.remove(room_id);
            }
        }
        let payments = self
            .store()
            .ok()
            .and_then(|c| store::of_room(&c, room_id).ok())
            .unwrap_or_default();
        for p in payments.iter().filter(|p| !p.status.is_final()) {
            let Some(provider) = ProviderName::from_name(&p.provider) else {
                continue;
            };
            if let Some(connected) = self.provider(provider) {
                let _ = connected
                    .driver
                    .send(DriverCommand::SetLive {
                        id: p.id.clone(),
                        live,
                    })
                    .await;
            }
        }
    }

    /// The clerk cancels payment `id`: at the provider (whose answer is stored), or, for a
    /// transfer or a payment that never reached its provider, in our books.
    pub async fn cancel(&self, id: &str) -> Result<PaymentView, IpcError> {
        let payment = store::get(&*self.store()?, id)?
            .ok_or_else(|| IpcError::InvalidInput("no such payment".into()))?;
        let provider = ProviderName::from_name(&payment.provider)
            .ok_or_else(|| IpcError::Internal("unknown provider".into()))?;
        match (&payment.provider_id, provider) {
            (Some(provider_id), p) if p != ProviderName::Transfer => {
                let connected = self.connected(p)?;
                let answer = connected
                    .client
                    .cancel(provider_id)
                    .await
                    .map_err(|e| pay_error(self.shared.locale, &e))?;
                self.with_store_mut(|c| {
                    store::apply_status(c, id, answer.status, now_ms(), StatusSource::Provider)
                })?;
            }
            _ => {
                self.with_store_mut(|c| {
                    store::apply_status(
                        c,
                        id,
                        PaymentStatus::Canceled,
                        now_ms(),
                        StatusSource::Clerk,
                    )
                })?;
            }
        }
        let view = self.view(id)?;
        let _ = self.shared.events.send(view.clone());
        Ok(view)
    }

    /// The clerk saw transfer `id` on the bank statement.
    pub fn mark_received(&self, id: &str) -> Result<PaymentView, IpcError> {
        let applied = self.with_store_mut(|c| {
            store::apply_status(c, id, PaymentStatus::Paid, now_ms(), StatusSource::Clerk)
        });
        match applied {
            Ok(_) => {}
            Err(IpcError::Storage(_)) => {
                return Err(rejected(self.shared.locale, "pay.not_a_transfer", &[]));
            }
            Err(e) => return Err(e),
        }
        let view = self.view(id)?;
        let _ = self.shared.events.send(view.clone());
        Ok(view)
    }

    /// The payments of conversation `room_id`, oldest first.
    pub fn of_room(&self, room_id: &str) -> Result<Vec<PaymentView>, IpcError> {
        let ids: Vec<String> = store::of_room(&*self.store()?, room_id)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        ids.iter().map(|id| self.view(id)).collect()
    }

    /// Payment `id` as the panel shows it.
    pub fn view(&self, id: &str) -> Result<PaymentView, IpcError> {
        view(&self.shared, id, |p| self.test_mode(p))
    }

    /// The cards of conversation `room_id` for the citizen page.
    pub fn cards(&self, room_id: &str) -> Vec<PaymentCard> {
        let payments = self
            .store()
            .ok()
            .and_then(|c| store::of_room(&c, room_id).ok())
            .unwrap_or_default();
        payments
            .iter()
            .filter_map(|p| card(&self.shared, p, |n| self.test_mode(n)).ok())
            .collect()
    }

    /// The card for payment `id`.
    pub fn card(&self, id: &str) -> Option<PaymentCard> {
        let payment = store::get(&*self.store().ok()?, id).ok()??;
        card(&self.shared, &payment, |n| self.test_mode(n)).ok()
    }

    /// The transfer to put in an EPC QR code.
    fn transfer(
        &self,
        amount: Money,
        reference: Option<StructuredReference>,
    ) -> Result<balie_pay::epc::Transfer, IpcError> {
        transfer(&self.shared, amount, reference)
            .ok_or_else(|| rejected(self.shared.locale, "pay.transfer_unconfigured", &[]))
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

fn transfer(
    shared: &Shared,
    amount: Money,
    reference: Option<StructuredReference>,
) -> Option<balie_pay::epc::Transfer> {
    let iban = shared.payee.iban.clone()?;
    let reference = match reference {
        Some(r) => r,
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).ok()?;
            StructuredReference::from_random_bytes(bytes)
        }
    };
    Some(balie_pay::epc::Transfer {
        beneficiary: shared.payee.name.clone(),
        iban,
        bic: shared.payee.bic.clone(),
        amount,
        reference,
        note: None,
    })
}

/// What the QR code holds for a payment: its checkout page, or its transfer.
fn qr_text(shared: &Shared, p: &store::Payment) -> Option<String> {
    if p.status.is_final() {
        return None;
    }
    if p.provider == ProviderName::Transfer.as_str() {
        let reference = StructuredReference::parse(p.reference.as_deref()?).ok()?;
        transfer(shared, p.amount, Some(reference))?.payload().ok()
    } else {
        p.checkout_url.clone()
    }
}

fn view(
    shared: &Shared,
    id: &str,
    test_mode: impl Fn(ProviderName) -> bool,
) -> Result<PaymentView, IpcError> {
    let (payment, steps) = {
        let conn = shared
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        let payment = store::get(&conn, id)?
            .ok_or_else(|| IpcError::InvalidInput("no such payment".into()))?;
        (payment, store::history(&conn, id)?)
    };
    let provider = ProviderName::from_name(&payment.provider)
        .ok_or_else(|| IpcError::Internal("unknown provider".into()))?;
    let qr_svg_data_uri = qr_text(shared, &payment).and_then(|t| crate::qr::svg_data_uri(&t).ok());
    Ok(PaymentView {
        id: payment.id.clone(),
        provider,
        test: test_mode(provider),
        amount_text: payment.amount.format(shared.locale),
        description: payment.description.clone(),
        reference: payment
            .reference
            .as_deref()
            .and_then(|r| StructuredReference::parse(r).ok())
            .map(|r| r.to_string()),
        room_id: payment.room_id.clone(),
        status: payment.status.as_str().into(),
        steps: steps
            .into_iter()
            .map(|s| StepView {
                status: s.to.as_str().into(),
                at_ms: s.at_ms,
                source: match s.source {
                    StatusSource::Balie => "balie",
                    StatusSource::Provider => "provider",
                    StatusSource::Clerk => "clerk",
                }
                .into(),
            })
            .collect(),
        checkout_url: (!payment.status.is_final())
            .then(|| payment.checkout_url.clone())
            .flatten(),
        qr_svg_data_uri,
    })
}

fn card(
    shared: &Shared,
    p: &store::Payment,
    test_mode: impl Fn(ProviderName) -> bool,
) -> Result<PaymentCard, IpcError> {
    let provider = ProviderName::from_name(&p.provider)
        .ok_or_else(|| IpcError::Internal("unknown provider".into()))?;
    let transfer = provider == ProviderName::Transfer;
    let changed_at = {
        let conn = shared
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        store::history(&conn, &p.id)?
            .last()
            .map_or(p.created_at_ms, |s| s.at_ms)
    };
    let qr = qr_text(shared, p)
        .and_then(|t| crate::qr::modules(&t).ok())
        .unwrap_or_default();
    Ok(PaymentCard {
        id: p.id.clone(),
        payee: shared.payee.name.clone(),
        amount_cents: p.amount.cents(),
        description: p.description.clone(),
        reference: p
            .reference
            .as_deref()
            .and_then(|r| StructuredReference::parse(r).ok())
            .map(|r| r.to_string()),
        method: if transfer {
            PayMethod::Transfer
        } else {
            PayMethod::Checkout
        },
        checkout_url: (!transfer && !p.status.is_final())
            .then(|| p.checkout_url.clone())
            .flatten(),
        iban: transfer
            .then(|| shared.payee.iban.as_ref().map(ToString::to_string))
            .flatten(),
        qr,
        test: test_mode(provider),
        status: match p.status {
            PaymentStatus::Created | PaymentStatus::Open => CardStatus::Open,
            PaymentStatus::Paid => CardStatus::Paid,
            PaymentStatus::Failed => CardStatus::Failed,
            PaymentStatus::Canceled => CardStatus::Canceled,
            PaymentStatus::Expired => CardStatus::Expired,
        },
        changed_at: rfc3339(changed_at),
    })
}

/// Stores every answer the drivers report and broadcasts the payments that moved.
async fn apply_reports(
    payments: std::sync::Weak<Payments>,
    mut reports: mpsc::Receiver<(ProviderName, Report)>,
) {
    while let Some((provider, report)) = reports.recv().await {
        let Some(payments) = payments.upgrade() else {
            return;
        };
        let shared = &payments.shared;
        match report.answer {
            Ok(answer) => {
                let applied = shared.store.lock().map_err(|_| ()).and_then(|mut c| {
                    store::apply_status(
                        &mut c,
                        &report.id,
                        answer.status,
                        now_ms(),
                        StatusSource::Provider,
                    )
                    .map_err(
                        |e| tracing::error!(payment = report.id, error = %e, "status not stored"),
                    )
                });
                if let Ok(Applied::Moved(change)) = applied {
                    tracing::info!(
                        payment = report.id,
                        status = change.to.as_str(),
                        "payment moved"
                    );
                    if let Ok(v) = payments.view(&report.id) {
                        let _ = shared.events.send(v);
                    }
                }
            }
            Err(e) => {
                let dropped = matches!(report.outcome, Outcome::Dropped);
                tracing::warn!(payment = report.id, provider = provider.as_str(), error = %e, dropped, "payment status not read");
            }
        }
    }
}

/// Keeps the hint socket to the relay open (reconnecting with backoff) and turns every
/// hint into an immediate question to the provider.
async fn follow_hints(payments: std::sync::Weak<Payments>) {
    use futures_util::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut backoff = Duration::from_millis(500);
    loop {
        let Some(this) = payments.upgrade() else {
            return;
        };
        let url = format!(
            "{}/ws/hints",
            this.relay
                .base_url()
                .replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        );
        let request = url.into_client_request().ok().and_then(|mut r| {
            let value = format!("Bearer {}", this.relay.token().expose_secret());
            r.headers_mut().insert("authorization", value.parse().ok()?);
            Some(r)
        });
        drop(this);
        let Some(request) = request else { return };
        match tokio_tungstenite::connect_async(request).await {
            Ok((mut socket, _)) => {
                backoff = Duration::from_millis(500);
                tracing::info!("payment hints connected");
                while let Some(Ok(message)) = socket.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let Ok(hint) =
                        serde_json::from_str::<balie_protocol::payment::PaymentHint>(&text)
                    else {
                        continue;
                    };
                    let Some(this) = payments.upgrade() else {
                        return;
                    };
                    this.hint(&hint.provider, &hint.provider_id).await;
                }
            }
            Err(e) => tracing::debug!(error = %e, "payment hints not connected"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

impl Payments {
    async fn hint(&self, provider: &str, provider_id: &str) {
        let Some(name) = ProviderName::from_name(provider) else {
            return;
        };
        let id = self.store().ok().and_then(|c| {
            store::find_by_provider_id(&c, provider, provider_id)
                .ok()
                .flatten()
        });
        if let (Some(id), Some(connected)) = (id, self.provider(name)) {
            let _ = connected.driver.send(DriverCommand::Hint { id }).await;
        }
    }
}

/// How long one request to a provider may take.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client for keyed provider `name` with `key`, and whether it is in test mode. The
/// production hosts are used unless `BALIE_<PROVIDER>_API_URL` points elsewhere (a test
/// set-up, or Bancontact's pre-production host).
fn client_for(
    name: ProviderName,
    key: SecretString,
    relay: &RelayLink,
) -> Result<(Client, bool), PayError> {
    match name {
        ProviderName::Mollie => {
            let test = key.expose_secret().starts_with("test_");
            let base = env_or("BALIE_MOLLIE_API_URL", balie_pay::mollie::API);
            let client = Mollie::with_timeout(&base, key, Some("bancontact"), CLIENT_TIMEOUT)?;
            Ok((Client::Mollie(client), test))
        }
        ProviderName::Bancontact => {
            let base = env_or("BALIE_BANCONTACT_API_URL", balie_pay::bancontact::API);
            let test = base != balie_pay::bancontact::API;
            let callback = (relay.mode() == crate::relay_link::RelayMode::Remote)
                .then(|| format!("{}/hooks/bancontact", relay.base_url()));
            let client = BancontactPay::new(&base, key, callback.as_deref(), CLIENT_TIMEOUT)?;
            Ok((Client::Bancontact(client), test))
        }
        ProviderName::Stripe => {
            let base = env_or("BALIE_STRIPE_API_URL", balie_pay::stripe::API);
            let client = Stripe::new(&base, key, CLIENT_TIMEOUT)?;
            let test = client.is_test_mode();
            Ok((Client::Stripe(client), test))
        }
        ProviderName::Sandbox | ProviderName::Transfer => {
            Err(PayError::Malformed("this provider takes no key".into()))
        }
    }
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
async fn probe(locale: Locale, client: &Client) -> Result<(), IpcError> {
    match client.get(probe_id(provider_of(client))).await {
        Err(PayError::NotFound) => Ok(()),
        Ok(_) => Ok(()),
        Err(e) => Err(pay_error(locale, &e)),
    }
}

fn provider_of(client: &Client) -> ProviderName {
    match client {
        Client::Mollie(_) => ProviderName::Mollie,
        Client::Bancontact(_) => ProviderName::Bancontact,
        Client::Stripe(_) => ProviderName::Stripe,
    }
}

impl Payments {
    /// Which provider keys are stored.
    pub fn keys(&self) -> Vec<ProviderKeyView> {
        KEYED_PROVIDERS
            .iter()
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
    ) -> Result<ProviderKeyView, IpcError> {
        let locale = self.shared.locale;
        let secret = provider_secret(provider)
            .ok_or_else(|| IpcError::InvalidInput("this provider takes no key".into()))?;
        if !key_looks_right(provider, key.expose_secret().trim()) {
            return Err(rejected(locale, "pay.key_format", &[]));
        }
        let key = SecretString::from(key.expose_secret().trim().to_owned());
        let (client, test) =
            client_for(provider, key.clone(), &self.relay).map_err(|e| pay_error(locale, &e))?;
        probe(locale, &client).await?;
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.set(secret, &key))
            .await
            .map_err(|e| IpcError::Internal(format!("keyring thread: {e}")))??;
        self.connect(provider, client, test);
        tracing::info!(provider = provider.as_str(), test, "provider key stored");
        self.resume(Some(provider)).await;
        Ok(ProviderKeyView {
            name: provider,
            stored: true,
            test,
        })
    }

    /// *Verbinding testen* with the stored key.
    pub async fn test_key(&self, provider: ProviderName) -> Result<(), IpcError> {
        let connected = self.connected(provider)?;
        probe(self.shared.locale, &connected.client).await
    }

    /// Removes a provider's key from the keyring and takes the provider out of service.
    pub async fn remove_key(&self, provider: ProviderName) -> Result<(), IpcError> {
        let secret = provider_secret(provider)
            .ok_or_else(|| IpcError::InvalidInput("this provider takes no key".into()))?;
        let secrets = self.secrets.clone();
        tokio::task::spawn_blocking(move || secrets.delete(secret))
            .await
            .map_err(|e| IpcError::Internal(format!("keyring thread: {e}")))??;
        if let Ok(mut providers) = self.providers.write() {
            providers.remove(&provider);
        }
        tracing::info!(provider = provider.as_str(), "provider key removed");
        Ok(())
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
