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

use balie_domain::{Locale, Money, PaymentMode, PaymentStatus};
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
    /// The amount the provider holds (every documented answer carries it; `None` when
    /// this one did not, which [`ProviderPayment::check`] refuses).
    pub amount: Option<Money>,
    /// Its currency, in capitals (`EUR`).
    pub currency: Option<String>,
    /// Test or real money, as the provider said (Mollie's `mode`, Stripe's `livemode`;
    /// for Bancontact Pay, the environment the client talks to).
    pub mode: Option<PaymentMode>,
}

/// How a provider's answer differs from what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the provider's {field} is {answered:?}, {asked:?} was asked")]
pub struct Mismatch {
    /// Which field: `id`, `amount` or `currency`.
    pub field: &'static str,
    /// What we asked (cents for an amount).
    pub asked: String,
    /// What the provider answered (`-` when it said nothing).
    pub answered: String,
}

impl ProviderPayment {
    /// Checks this answer against what was asked: the provider's id we hold (`None` for
    /// the answer to a create), the amount in euro. An answer that differs in any of them
    /// does not count, whatever its status says.
    pub fn check(&self, provider_id: Option<&str>, amount: Money) -> Result<(), Mismatch> {
        let differs = |field, asked: String, answered: Option<String>| Mismatch {
            field,
            asked,
            answered: answered.unwrap_or_else(|| "-".into()),
        };
        if let Some(asked) = provider_id
            && asked != self.id
        {
            return Err(differs("id", asked.to_owned(), Some(self.id.clone())));
        }
        if self.currency.as_deref() != Some("EUR") {
            return Err(differs("currency", "EUR".into(), self.currency.clone()));
        }
        if self.amount != Some(amount) {
            return Err(differs(
                "amount",
                amount.cents().to_string(),
                self.amount.map(|a| a.cents().to_string()),
            ));
        }
        Ok(())
    }
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
        // The web proxy the environment names, never for loopback (balie_net).
        .proxy(balie_net::Proxies::from_env().reqwest())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(id: &str, cents: Option<u64>, currency: Option<&str>) -> ProviderPayment {
        ProviderPayment {
            id: id.into(),
            status: PaymentStatus::Paid,
            provider_status: "paid".into(),
            checkout_url: None,
            expires_at: None,
            amount: cents.map(Money::from_cents),
            currency: currency.map(str::to_owned),
            mode: Some(PaymentMode::Test),
        }
    }

    /// Issue 12: "paid" counted whatever amount, currency or payment it named.
    #[test]
    fn an_answer_counts_only_for_the_amount_currency_and_payment_asked() {
        let asked = Money::from_cents(4_250);
        assert_eq!(
            answer("tr_a", Some(4_250), Some("EUR")).check(Some("tr_a"), asked),
            Ok(())
        );
        // The answer to a create has no id to compare yet.
        assert_eq!(
            answer("tr_a", Some(4_250), Some("EUR")).check(None, asked),
            Ok(())
        );
        let field = |a: ProviderPayment| a.check(Some("tr_a"), asked).unwrap_err().field;
        assert_eq!(field(answer("tr_a", Some(1), Some("EUR"))), "amount");
        assert_eq!(field(answer("tr_a", None, Some("EUR"))), "amount");
        assert_eq!(field(answer("tr_a", Some(4_250), Some("USD"))), "currency");
        assert_eq!(field(answer("tr_a", Some(4_250), None)), "currency");
        assert_eq!(field(answer("tr_b", Some(4_250), Some("EUR"))), "id");
        let wrong = answer("tr_a", Some(1), Some("EUR"))
            .check(Some("tr_a"), asked)
            .unwrap_err();
        assert_eq!(
            (wrong.asked.as_str(), wrong.answered.as_str()),
            ("4250", "1")
        );
    }
}
