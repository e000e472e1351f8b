//! What the windows and the citizen page are shown of payments: the panel's providers and
//! products, a payment with its timeline, and the card on the citizen page.

use super::Shared;
use super::providers::ProviderName;
use super::transfer::transfer;
use crate::catalog::ProductView;
use crate::clock::rfc3339;
use crate::error::CockpitError;
use balie_domain::{PaymentMode, PaymentStatus, StatusSource, StructuredReference};
use balie_protocol::channel::{CardStatus, PayMethod, PaymentCard};
use balie_store::cockpit::payment as store;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A provider as the payment panel offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ProviderChoice {
    /// Which.
    pub name: ProviderName,
    /// Test mode (sandbox, a test key, a pre-production host): no real money.
    pub test: bool,
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
    pub status: PaymentStatus,
    /// When, milliseconds since the epoch.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// Who said so.
    pub source: StatusSource,
}

/// A payment as the payment panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PaymentView {
    /// Our id.
    pub id: String,
    /// Its provider.
    pub provider: ProviderName,
    /// Test or real money, as recorded when the provider made the payment (not from
    /// today's key); `null` while (or when) no provider answer said.
    pub mode: Option<PaymentMode>,
    /// The amount as the clerk reads it.
    pub amount_text: String,
    /// What it is for.
    pub description: String,
    /// The structured reference (`+++…+++`), for a transfer.
    pub reference: Option<String>,
    /// The conversation it was asked in.
    pub room_id: Option<String>,
    /// Where it stands.
    pub status: PaymentStatus,
    /// Every step, oldest first.
    pub steps: Vec<StepView>,
    /// The provider's checkout page, while open.
    pub checkout_url: Option<String>,
    /// The QR code to pay with (the checkout page, or the transfer), while open.
    pub qr_svg_data_uri: Option<String>,
}

/// What the QR code holds for a payment: its checkout page, or its transfer.
fn qr_text(shared: &Shared, p: &store::Payment) -> Option<String> {
    if p.status.is_final() {
        return None;
    }
    if p.provider == ProviderName::Transfer.as_str() {
        let reference = StructuredReference::parse(p.reference.as_deref()?).ok()?;
        transfer(&shared.payee, p.amount, Some(reference))?
            .payload()
            .ok()
    } else {
        p.checkout_url.clone()
    }
}

/// Whether the citizen's card shows payment `p` as test money: unless it is recorded as
/// real money. The clerk's views and the exports show the mode as recorded, unknown
/// included; the citizen is never shown as real what is not known to be.
fn card_is_test(p: &store::Payment) -> bool {
    p.mode != Some(PaymentMode::Live)
}

/// Payment `id` as the panel shows it.
pub(super) fn view(shared: &Shared, id: &str) -> Result<PaymentView, CockpitError> {
    let (payment, steps) = shared
        .store
        .with(|c| Ok(store::get(c, id)?.map(|p| (p, store::history(c, id)))))?
        .ok_or_else(|| CockpitError::InvalidInput("no such payment".into()))?;
    let steps = steps?;
    let provider = ProviderName::from_name(&payment.provider)
        .ok_or_else(|| CockpitError::Internal("unknown provider".into()))?;
    let qr_svg_data_uri = qr_text(shared, &payment).and_then(|t| crate::qr::svg_data_uri(&t).ok());
    Ok(PaymentView {
        id: payment.id.clone(),
        provider,
        mode: payment.mode,
        amount_text: payment.amount.format(shared.locale),
        description: payment.description.clone(),
        reference: payment
            .reference
            .as_deref()
            .and_then(|r| StructuredReference::parse(r).ok())
            .map(|r| r.to_string()),
        room_id: payment.room_id.clone(),
        status: payment.status,
        steps: steps
            .into_iter()
            .map(|s| StepView {
                status: s.to,
                at_ms: s.at_ms,
                source: s.source,
            })
            .collect(),
        checkout_url: (!payment.status.is_final())
            .then(|| payment.checkout_url.clone())
            .flatten(),
        qr_svg_data_uri,
    })
}

/// Payment `p` as a card on the citizen page.
pub(super) fn card(shared: &Shared, p: &store::Payment) -> Result<PaymentCard, CockpitError> {
    let provider = ProviderName::from_name(&p.provider)
        .ok_or_else(|| CockpitError::Internal("unknown provider".into()))?;
    let transfer = provider == ProviderName::Transfer;
    let changed_at = shared
        .store
        .with(|c| store::history(c, &p.id))?
        .last()
        .map_or(p.created_at_ms, |s| s.at_ms);
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
        test: card_is_test(p),
        status: match p.status {
            PaymentStatus::Created | PaymentStatus::Open => CardStatus::Open,
            PaymentStatus::Paid => CardStatus::Paid,
            PaymentStatus::Failed => CardStatus::Failed,
            PaymentStatus::Canceled => CardStatus::Canceled,
            PaymentStatus::Expired => CardStatus::Expired,
            PaymentStatus::Mismatch => CardStatus::Review,
        },
        changed_at: rfc3339(changed_at),
    })
}
