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
//!
//! The rooms of this folder: [`providers`] (the provider names and clients), [`keys`]
//! (*Betaalsleutels*), [`hints`] (webhooks become hints), [`transfer`] (bank transfers),
//! [`views`] (what the windows and the citizen page see).

pub mod follow;
pub mod hints;
pub mod keys;
pub mod providers;
pub mod transfer;
pub mod views;

pub use keys::ProviderKeyView;
pub use providers::{KEYED_PROVIDERS, ProviderName, provider_secret};
pub use views::{PaymentRequest, PaymentSetup, PaymentView, ProviderChoice, StepView};

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::config::{CockpitConfig, ProviderHosts};
use crate::error::CockpitError;
use crate::relay_link::RelayLink;
use crate::settings::{Payee, Settings};
use crate::store::SharedStore;
use balie_domain::{
    Applied, Locale, Money, PaymentMode, PaymentStatus, StatusSource, StructuredReference,
};
use balie_pay::driver::{Command as DriverCommand, Report};
use balie_pay::mollie::Mollie;
use balie_pay::{Mismatch, NewPayment, PayError, Provider as _, ProviderPayment};
use balie_protocol::channel::PaymentCard;
use balie_secrets::SecretStore;
use balie_store::cockpit::payment as store;
use providers::{CLIENT_TIMEOUT, Client, Connected, client_for};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use transfer::transfer;
use views::{card, view};

/// How many times a create is tried when the provider fails on the way (timeouts, 5xx).
const CREATE_ATTEMPTS: u32 = 3;

/// Everything the background tasks share.
struct Shared {
    store: SharedStore,
    locale: Locale,
    clock: Clock,
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
    hosts: ProviderHosts,
    catalog: Catalog,
    live_rooms: Mutex<HashSet<String>>,
    /// IT's machine settings: which methods may be offered.
    machine: crate::machine::MachineSettings,
    /// Where the hint socket's front-door messages go.
    front_door_events: broadcast::Sender<crate::front_door::FrontDoorEvent>,
}

fn random_hex<const N: usize>() -> Result<String, CockpitError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| CockpitError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// The clerk's text for a catalog key, with `{max}` / `{min}` filled in.
fn rejected(locale: Locale, key: &str, fill: &[(&str, String)]) -> CockpitError {
    let mut text = crate::i18n::text(locale, &format!("error.{key}"));
    for (name, value) in fill {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    CockpitError::Rejected(text)
}

fn pay_error(locale: Locale, error: &PayError) -> CockpitError {
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
    /// payments and the hint socket, and resumes every unfinished payment; the panel's
    /// products come from `catalog`.
    pub async fn start(
        store: SharedStore,
        catalog: Catalog,
        config: &CockpitConfig,
        relay: Arc<RelayLink>,
        secrets: SecretStore,
        front_door_events: broadcast::Sender<crate::front_door::FrontDoorEvent>,
    ) -> Result<Arc<Self>, CockpitError> {
        let payee = config
            .machine
            .payee(store.with(|c| Settings::of(c).payee())?);
        let keys = {
            let secrets = secrets.clone();
            tokio::task::spawn_blocking(move || {
                KEYED_PROVIDERS.map(|name| {
                    provider_secret(name).and_then(|secret| secrets.get(secret).ok().flatten())
                })
            })
            .await
            .map_err(|e| CockpitError::Internal(format!("keyring thread: {e}")))?
        };
        let mut clients: Vec<(ProviderName, Client, bool)> = Vec::new();
        // The embedded relay serves the sandbox (it is for this machine only); a remote
        // relay is asked below, when it can be reached.
        if relay.mode() == crate::relay_link::RelayMode::Embedded {
            clients.push((ProviderName::Sandbox, sandbox_client(&relay)?, true));
        }
        for (name, key) in KEYED_PROVIDERS.into_iter().zip(keys) {
            if let Some(key) = key {
                match client_for(name, key, &relay, &config.provider_hosts) {
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
            locale: config.locale,
            clock: config.clock.clone(),
            payee,
            events,
        });
        let (reports_tx, reports_rx) = mpsc::channel::<(ProviderName, Report)>(256);
        let hints = config.payment_hints;
        let payments = Arc::new(Self {
            shared,
            providers: std::sync::RwLock::new(HashMap::new()),
            reports: reports_tx,
            relay,
            secrets,
            hints,
            hosts: config.provider_hosts.clone(),
            catalog,
            live_rooms: Mutex::new(HashSet::new()),
            machine: config.machine.clone(),
            front_door_events,
        });
        tokio::spawn(follow::apply_reports(Arc::downgrade(&payments), reports_rx));
        for (name, client, test) in clients {
            payments.connect(name, client, test);
        }
        if hints {
            tokio::spawn(hints::follow_hints(Arc::downgrade(&payments)));
        }
        payments.resume(None, true).await;
        if payments.relay.mode() == crate::relay_link::RelayMode::Remote {
            // Asked now, briefly (so the panel is right from the start); a relay that does
            // not answer in time is asked again in the background.
            let answered = tokio::time::timeout(HEALTH_FIRST_WAIT, payments.relay.health()).await;
            match answered {
                Ok(Ok(health)) => payments.relay_answered(&health).await,
                _ => {
                    tokio::spawn(ask_for_sandbox(Arc::downgrade(&payments)));
                }
            }
        }
        Ok(payments)
    }

    fn provider(&self, name: ProviderName) -> Option<Arc<Connected>> {
        self.providers.read().ok()?.get(&name).cloned()
    }

    /// Changes to any payment, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<PaymentView> {
        self.shared.events.subscribe()
    }

    /// The providers and products the payment panel offers.
    pub fn setup(&self) -> Result<PaymentSetup, CockpitError> {
        let products = self.catalog.list()?;
        // Real providers first (a live one before a test one), the sandbox last.
        let mut providers: Vec<ProviderChoice> = self
            .providers
            .read()
            .map_err(|_| CockpitError::Internal("providers lock poisoned".into()))?
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
        providers.retain(|p| self.machine.allows(p.name.as_str()));
        providers.sort_by_key(|p| (p.name == ProviderName::Sandbox, p.test, p.name.as_str()));
        Ok(PaymentSetup {
            providers,
            products,
        })
    }

    /// Asks for a payment in conversation `room_id`: checked, written down, made at the
    /// provider, then shown (and sent to the citizen page).
    /// `payer` is the citizen's language: the provider's pages speak it.
    pub async fn request(
        &self,
        room_id: Option<&str>,
        payer: Locale,
        request: &PaymentRequest,
    ) -> Result<PaymentView, CockpitError> {
        let locale = self.shared.locale;
        if !self.machine.allows(request.provider.as_str()) {
            return Err(rejected(locale, "pay.method_not_allowed", &[]));
        }
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
        let at = self.shared.clock.now_ms();
        {
            let mut conn = self.shared.store.lock()?;
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
                    // A bank transfer is real money; a provider's payment is what its
                    // answer says.
                    mode: (request.provider == ProviderName::Transfer).then_some(PaymentMode::Live),
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
            self.shared.store.with(|c| {
                store::apply_status(
                    c,
                    &id,
                    PaymentStatus::Open,
                    self.shared.clock.now_ms(),
                    StatusSource::Balie,
                )
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

    fn connected(&self, provider: ProviderName) -> Result<Arc<Connected>, CockpitError> {
        self.provider(provider)
            .ok_or_else(|| rejected(self.shared.locale, "pay.provider_unavailable", &[]))
    }

    /// Makes the written-down payment `id` at its provider (again, after a restart: the
    /// same idempotency key gives the same payment), and starts following it.
    async fn create_at_provider(
        &self,
        id: &str,
        provider: ProviderName,
        new: &NewPayment,
    ) -> Result<(), CockpitError> {
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
                self.shared.store.with(|c| {
                    store::apply_status(
                        c,
                        id,
                        PaymentStatus::Failed,
                        self.shared.clock.now_ms(),
                        StatusSource::Balie,
                    )
                })?;
                if let Ok(view) = self.view(id) {
                    let _ = self.shared.events.send(view);
                }
                return Err(pay_error(locale, &e));
            }
        };
        let mode = made.check(None, new.amount).and_then(|()| {
            made.mode.ok_or_else(|| Mismatch {
                field: "mode",
                asked: "test|live".into(),
                answered: "-".into(),
            })
        });
        let mode = match mode {
            Ok(mode) => mode,
            Err(mismatch) => {
                // Not what was asked: nobody is shown a QR code for it, and the provider
                // is asked to cancel it so that nobody pays it by another way.
                record_mismatch(&self.shared, id, &made, &mismatch);
                if !made.status.is_final()
                    && let Err(e) = connected.client.cancel(&made.id).await
                {
                    tracing::warn!(payment = id, error = %e, "a mismatched payment could not be cancelled");
                }
                if let Ok(view) = self.view(id) {
                    let _ = self.shared.events.send(view);
                }
                return Err(rejected(locale, "pay.mismatch", &[]));
            }
        };
        let applied = self.shared.store.with(|c| {
            store::set_provider_payment(
                c,
                id,
                &store::Made {
                    provider_id: &made.id,
                    checkout_url: made.checkout_url.as_deref(),
                    expires_at: made.expires_at.as_deref(),
                    mode,
                },
                self.shared.clock.now_ms(),
            )?;
            store::apply_status(
                c,
                id,
                made.status,
                self.shared.clock.now_ms(),
                StatusSource::Provider,
            )
        })?;
        if let Applied::Ignored { kept } = applied
            && !made.status.is_final()
        {
            // The clerk cancelled it while the provider was making it: cancel it there
            // too, so that it cannot be paid unseen.
            tracing::info!(
                payment = id,
                kept = kept.as_str(),
                "made after it ended here: cancelled at the provider"
            );
            if let Err(e) = connected.client.cancel(&made.id).await {
                tracing::warn!(payment = id, error = %e, "could not be cancelled at the provider");
            }
            return Ok(());
        }
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

    /// The clerk cancels payment `id`: at the provider (whose answer is stored), or, for a
    /// transfer or a payment that never reached its provider, in our books.
    pub async fn cancel(&self, id: &str) -> Result<PaymentView, CockpitError> {
        let payment = store::get(&*self.shared.store.lock()?, id)?
            .ok_or_else(|| CockpitError::InvalidInput("no such payment".into()))?;
        let provider = ProviderName::from_name(&payment.provider)
            .ok_or_else(|| CockpitError::Internal("unknown provider".into()))?;
        match (&payment.provider_id, provider) {
            (Some(provider_id), p) if p != ProviderName::Transfer => {
                let connected = self.connected(p)?;
                let answer = connected
                    .client
                    .cancel(provider_id)
                    .await
                    .map_err(|e| pay_error(self.shared.locale, &e))?;
                store_answer(&self.shared, id, &answer)?;
            }
            _ => {
                self.shared.store.with(|c| {
                    store::apply_status(
                        c,
                        id,
                        PaymentStatus::Canceled,
                        self.shared.clock.now_ms(),
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
    pub fn mark_received(&self, id: &str) -> Result<PaymentView, CockpitError> {
        let applied = self.shared.store.with(|c| {
            store::apply_status(
                c,
                id,
                PaymentStatus::Paid,
                self.shared.clock.now_ms(),
                StatusSource::Clerk,
            )
        });
        match applied {
            Ok(_) => {}
            Err(CockpitError::Storage(_)) => {
                return Err(rejected(self.shared.locale, "pay.not_a_transfer", &[]));
            }
            Err(e) => return Err(e),
        }
        let view = self.view(id)?;
        let _ = self.shared.events.send(view.clone());
        Ok(view)
    }

    /// The payments of conversation `room_id`, oldest first.
    pub fn of_room(&self, room_id: &str) -> Result<Vec<PaymentView>, CockpitError> {
        let ids: Vec<String> = store::of_room(&*self.shared.store.lock()?, room_id)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        ids.iter().map(|id| self.view(id)).collect()
    }

    /// The stored payments of conversation `room_id`; none when the store cannot be read
    /// (the callers are background tasks with no one to tell).
    fn stored_of_room(&self, room_id: &str) -> Vec<store::Payment> {
        self.shared
            .store
            .with(|c| store::of_room(c, room_id))
            .unwrap_or_default()
    }

    /// Payment `id` as the panel shows it.
    pub fn view(&self, id: &str) -> Result<PaymentView, CockpitError> {
        view(&self.shared, id)
    }

    /// The cards of conversation `room_id` for the citizen page.
    pub fn cards(&self, room_id: &str) -> Vec<PaymentCard> {
        self.stored_of_room(room_id)
            .iter()
            .filter_map(|p| card(&self.shared, p).ok())
            .collect()
    }

    /// The card for payment `id`.
    pub fn card(&self, id: &str) -> Option<PaymentCard> {
        let payment = store::get(&*self.shared.store.lock().ok()?, id).ok()??;
        card(&self.shared, &payment).ok()
    }

    /// The transfer to put in an EPC QR code.
    fn transfer(
        &self,
        amount: Money,
        reference: Option<StructuredReference>,
    ) -> Result<balie_pay::epc::Transfer, CockpitError> {
        transfer(&self.shared.payee, amount, reference)
            .ok_or_else(|| rejected(self.shared.locale, "pay.transfer_unconfigured", &[]))
    }
}

/// Stores a provider's answer about payment `id`: its status when the answer is for the
/// payment, amount and currency asked; a mismatch (never paid, with an audit line of both
/// sides) when it is not. Answers what happened to the stored status.
fn store_answer(
    shared: &Shared,
    id: &str,
    answer: &ProviderPayment,
) -> Result<Applied, CockpitError> {
    let payment = shared
        .store
        .with(|c| store::get(c, id))?
        .ok_or_else(|| CockpitError::InvalidInput("no such payment".into()))?;
    if let Err(mismatch) = answer.check(payment.provider_id.as_deref(), payment.amount) {
        return Ok(record_mismatch(shared, id, answer, &mismatch));
    }
    shared.store.with(|c| {
        if payment.mode.is_none()
            && payment.provider_id.is_some()
            && let Some(mode) = answer.mode
        {
            // Made before modes were recorded: the first answer that says fills it in.
            store::record_mode(c, id, mode, shared.clock.now_ms())?;
        }
        store::apply_status(
            c,
            id,
            answer.status,
            shared.clock.now_ms(),
            StatusSource::Provider,
        )
    })
}

/// Payment `id` becomes a mismatch: the audit line says what was asked and what came
/// back (ids, amounts and statuses only). What happened to the stored status, or
/// `Unchanged` when even that could not be written (the error is logged).
fn record_mismatch(
    shared: &Shared,
    id: &str,
    answer: &ProviderPayment,
    mismatch: &Mismatch,
) -> Applied {
    tracing::warn!(
        payment = id,
        field = mismatch.field,
        provider_status = answer.provider_status,
        "the provider answered for something else than was asked: not paid"
    );
    let detail = serde_json::json!({
        "field": mismatch.field,
        "asked": mismatch.asked,
        "answered": mismatch.answered,
        "provider_id": answer.id,
        "provider_status": answer.provider_status,
    });
    shared
        .store
        .with(|c| store::record_mismatch(c, id, &detail, shared.clock.now_ms()))
        .unwrap_or_else(|e| {
            tracing::error!(payment = id, error = %e, "mismatch not stored");
            Applied::Unchanged
        })
}

/// A client for the relay's sandbox: Mollie's API under `/sandbox`, with the clerk token
/// as its key; it stands in for Bancontact through Mollie, with its limits.
fn sandbox_client(relay: &RelayLink) -> Result<Client, CockpitError> {
    Mollie::with_timeout(
        &format!("{}/sandbox", relay.base_url()),
        relay.token().clone(),
        Some("bancontact"),
        CLIENT_TIMEOUT,
    )
    .map(Client::Mollie)
    .map_err(|e| CockpitError::Internal(e.to_string()))
}

/// How long the cockpit's start waits for a remote relay's first answer.
const HEALTH_FIRST_WAIT: Duration = Duration::from_secs(3);

/// How often a remote relay that could not be reached is asked again whether it serves
/// the sandbox.
const HEALTH_RETRY: Duration = Duration::from_secs(30);

impl Payments {
    /// The remote relay answered: the sandbox is offered only if it serves one (a
    /// municipality's relay has it off unless IT turned it on).
    async fn relay_answered(&self, health: &balie_protocol::Health) {
        tracing::info!(sandbox = health.sandbox, "the relay answered");
        if !health.sandbox {
            return;
        }
        match sandbox_client(&self.relay) {
            Ok(client) => {
                self.connect(ProviderName::Sandbox, client, true);
                self.resume(Some(ProviderName::Sandbox), true).await;
            }
            Err(e) => tracing::warn!(error = %e, "sandbox not set up"),
        }
    }
}

/// Asks the remote relay until it answers whether it serves the sandbox.
async fn ask_for_sandbox(payments: std::sync::Weak<Payments>) {
    loop {
        tokio::time::sleep(HEALTH_RETRY).await;
        let Some(strong) = payments.upgrade() else {
            return;
        };
        match strong.relay.health().await {
            Ok(health) => return strong.relay_answered(&health).await,
            Err(e) => tracing::info!(error = %e, "relay not reached yet; asking again"),
        }
    }
}
