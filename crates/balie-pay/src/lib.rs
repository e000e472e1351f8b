//! Balie's payment providers behind one [`Provider`] trait: each client creates a payment,
//! reads its status and cancels it, and maps the provider's statuses onto
//! [`balie_domain::PaymentStatus`].
//!
//! - [`mollie::Mollie`]: Mollie's Payments API v2 (also the shape of the relay's sandbox);
//! - [`bancontact`]: Bancontact Pay's API client and its callback signature check
//!   (detached JWS, ES256);
//! - [`stripe`]: Stripe Checkout Sessions and the webhook signature check
//!   (`Stripe-Signature`, HMAC-SHA256);
//! - [`epc`]: the EPC QR code for a bank transfer with a structured reference (no live
//!   status: a transfer is confirmed by the bank statement);
//! - [`tracker::Tracker`]: when to ask about each open payment (sans-IO), and
//!   [`driver::run`], the tokio task that carries it out.
//!
//! Clients take their base URL, so tests point them at local servers that answer as the
//! providers' documentation says; production uses the real hosts. Invariants: an amount is
//! checked against the provider's limits before anything is sent, so a refused amount
//! creates nothing; every create carries an idempotency key, so a retried create never
//! makes a second payment; only a provider's answer to our own request may say "paid".

pub mod bancontact;
pub mod driver;
pub mod epc;
mod error;
pub mod mollie;
pub mod stripe;
pub mod tracker;

pub use error::PayError;

use balie_domain::{Locale, Money, PaymentStatus};
use std::future::Future;

/// What a payment is for and where the payer returns: the provider-independent request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// The amount.
    pub amount: Money,
    /// What it is for, as the payer sees it (e.g. "Zaalhuur Parochiezaal 14/12").
    pub description: String,
    /// Where the payer's browser goes after paying.
    pub redirect_url: String,
    /// Where the provider reports changes (our relay's hook), if it can reach one.
    pub webhook_url: Option<String>,
    /// The payer's language, for the provider's pages.
    pub locale: Locale,
    /// Unique per payment we mean to make; a retry with the same key makes no second one.
    pub idempotency_key: String,
}

/// A payment as a provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id (e.g. `tr_7UhSN1zuXS`).
    pub id: String,
    /// The status, mapped onto ours.
    pub status: PaymentStatus,
    /// The provider's own status word, for the audit log.
    pub provider_status: String,
    /// Where to send the payer, while the payment is open.
    pub checkout_url: Option<String>,
    /// When it expires (RFC 3339, as the provider wrote it).
    pub expires_at: Option<String>,
}

/// The smallest and largest amount a provider takes, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The smallest amount.
    pub min: Money,
    /// The largest amount.
    pub max: Money,
    /// The longest description, in characters.
    pub description_chars: usize,
}

impl Limits {
    /// Checks a request against these limits before anything is sent.
    pub fn check(&self, payment: &NewPayment) -> Result<(), PayError> {
        if payment.amount < self.min {
            return Err(PayError::AmountTooSmall { min: self.min });
        }
        if payment.amount > self.max {
            return Err(PayError::AmountTooLarge { max: self.max });
        }
        let chars = payment.description.trim().chars().count();
        if chars == 0 {
            return Err(PayError::DescriptionMissing);
        }
        if chars > self.description_chars {
            return Err(PayError::DescriptionTooLong {
                max: self.description_chars,
            });
        }
        Ok(())
    }
}

/// A payment provider: create, read, cancel.
pub trait Provider {
    /// The amounts and descriptions this provider takes.
    fn limits(&self) -> Limits;

    /// Creates a payment (checked against [`Provider::limits`] first).
    fn create(
        &self,
        payment: &NewPayment,
    ) -> impl Future<Output = Result<ProviderPayment, PayError>> + Send;

    /// Reads a payment's status now.
    fn get(&self, id: &str) -> impl Future<Output = Result<ProviderPayment, PayError>> + Send;

    /// Cancels a payment that is still open.
    fn cancel(&self, id: &str) -> impl Future<Output = Result<ProviderPayment, PayError>> + Send;
}

/// A reqwest failure as ours.
pub(crate) fn transport(error: reqwest::Error) -> PayError {
    if error.is_timeout() {
        PayError::Timeout
    } else {
        // Without the URL: it is ours, and the message stays short.
        PayError::Network(error.without_url().to_string())
    }
}

/// A client for one provider: timeouts, and the process-wide TLS crypto provider that
/// reqwest needs (the first caller installs it).
pub(crate) fn http_client(timeout: std::time::Duration) -> Result<reqwest::Client, PayError> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| PayError::Network(e.to_string()))
}

/// Sends a request with the API key and reads the whole answer: its status and body, or
/// the error every provider shares (401/403, 404/410, 429 with `Retry-After`, 5xx and
/// other codes). A 4xx body is read with `problem` into the provider's explanation and the
/// field it names. `ok` lists the success codes.
pub(crate) async fn exchange(
    request: reqwest::RequestBuilder,
    key: &secrecy::SecretString,
    ok: &[u16],
    problem: impl Fn(&[u8]) -> (String, Option<String>),
) -> Result<(u16, Vec<u8>), PayError> {
    use secrecy::ExposeSecret as _;
    let response = request
        .bearer_auth(key.expose_secret())
        .send()
        .await
        .map_err(transport)?;
    let code = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(std::time::Duration::from_secs);
    let body = response.bytes().await.map_err(transport)?.to_vec();
    match code {
        _ if ok.contains(&code) => Ok((code, body)),
        401 | 403 => Err(PayError::Unauthorized { status: code }),
        404 | 410 => Err(PayError::NotFound),
        429 => Err(PayError::RateLimited { retry_after }),
        400..=499 => {
            let (detail, field) = problem(&body);
            Err(PayError::Refused {
                status: code,
                detail,
                field,
            })
        }
        _ => Err(PayError::Unavailable { status: code }),
    }
}
