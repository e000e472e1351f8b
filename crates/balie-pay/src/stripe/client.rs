//! Stripe Checkout Sessions: `POST /v1/checkout/sessions` (form-encoded), `GET
//! /v1/checkout/sessions/{id}`, `POST /v1/checkout/sessions/{id}/expire`.

use crate::{Limits, NewPayment, PayError, Provider, ProviderPayment};
use balie_domain::{Locale, Money, PaymentMode, PaymentStatus};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// Stripe's API.
pub const API: &str = "https://api.stripe.com";

/// A Stripe client for one secret key (`sk_test_…` or `sk_live_…`).
pub struct Stripe {
    http: reqwest::Client,
    base: String,
    key: SecretString,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stripe")
            .field("base", &self.base)
            .field("test_mode", &self.is_test_mode())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Session {
    id: String,
    status: Option<String>,
    payment_status: String,
    url: Option<String>,
    expires_at: Option<i64>,
    amount_total: Option<i64>,
    currency: Option<String>,
    livemode: Option<bool>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    message: Option<String>,
    code: Option<String>,
    param: Option<String>,
}

/// Our status for a session's `status` and `payment_status`. A completed session whose
/// money has not arrived yet (a delayed method) is still open. `no_payment_required`
/// means no money will move (a session Stripe thinks costs nothing): not paid, and
/// nothing to wait for, so the payment failed and the clerk may ask again.
fn status(session: Option<&str>, payment: &str) -> Option<PaymentStatus> {
    Some(match (session, payment) {
        (_, "paid") => PaymentStatus::Paid,
        (_, "no_payment_required") => PaymentStatus::Failed,
        (Some("open" | "complete"), "unpaid") => PaymentStatus::Open,
        (Some("expired"), "unpaid") => PaymentStatus::Expired,
        _ => return None,
    })
}

/// Whether `id` can be a Checkout Session id (`cs_` and letters, digits, `_`).
fn valid_id(id: &str) -> bool {
    id.len() <= 255
        && id.strip_prefix("cs_").is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

fn locale(locale: Locale) -> &'static str {
    match locale {
        Locale::Nl => "nl",
        Locale::Fr => "fr",
        Locale::En => "en",
    }
}

impl Stripe {
    /// A client for the API at `base` (use [`API`]).
    pub fn new(base: &str, key: SecretString, timeout: Duration) -> Result<Self, PayError> {
        Ok(Self {
            http: crate::http_client(timeout)?,
            base: base.trim_end_matches('/').to_owned(),
            key,
        })
    }

    /// Whether the key is a test key.
    pub fn is_test_mode(&self) -> bool {
        let key = self.key.expose_secret();
        key.starts_with("sk_test_") || key.starts_with("rk_test_")
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<ProviderPayment, PayError> {
        let (_, body) =
            crate::exchange(
                request,
                &self.key,
                &[200],
                |body| match serde_json::from_slice::<ErrorBody>(body) {
                    Ok(e) => (
                        e.error.message.or(e.error.code).unwrap_or_default(),
                        e.error.param,
                    ),
                    Err(_) => (String::new(), None),
                },
            )
            .await?;
        let session: Session = serde_json::from_slice(&body)
            .map_err(|e| PayError::Malformed(format!("checkout session: {e}")))?;
        let mapped =
            status(session.status.as_deref(), &session.payment_status).ok_or_else(|| {
                PayError::UnknownStatus(format!(
                    "{}/{}",
                    session.status.as_deref().unwrap_or("-"),
                    session.payment_status
                ))
            })?;
        if !valid_id(&session.id) {
            return Err(PayError::Malformed("session id".into()));
        }
        let expires_at = session
            .expires_at
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
        Ok(ProviderPayment {
            id: session.id,
            status: mapped,
            provider_status: format!(
                "{}/{}",
                session.status.as_deref().unwrap_or("-"),
                session.payment_status
            ),
            checkout_url: session.url,
            expires_at,
            amount: match session.amount_total {
                Some(cents) => {
                    Some(Money::from_cents(u64::try_from(cents).map_err(|_| {
                        PayError::Malformed("checkout session amount".into())
                    })?))
                }
                None => None,
            },
            currency: session.currency.map(|c| c.to_ascii_uppercase()),
            mode: session.livemode.map(|live| {
                if live {
                    PaymentMode::Live
                } else {
                    PaymentMode::Test
                }
            }),
        })
    }
}

impl Provider for Stripe {
    fn limits(&self) -> Limits {
        // Stripe's minimum charge in euro is €0.50; its largest is €999,999.99.
        Limits {
            min: Money::from_cents(50),
            max: Money::from_cents(99_999_999),
            description_chars: 255,
        }
    }

    async fn create(&self, payment: &NewPayment) -> Result<ProviderPayment, PayError> {
        self.limits().check(payment)?;
        let cents = payment.amount.cents().to_string();
        let form = [
            ("mode", "payment"),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", "eur"),
            ("line_items[0][price_data][unit_amount]", cents.as_str()),
            (
                "line_items[0][price_data][product_data][name]",
                payment.description.trim(),
            ),
            ("success_url", payment.redirect_url.as_str()),
            ("cancel_url", payment.redirect_url.as_str()),
            ("locale", locale(payment.locale)),
            ("client_reference_id", payment.idempotency_key.as_str()),
        ];
        let request = self
            .http
            .post(format!("{}/v1/checkout/sessions", self.base))
            .header("Idempotency-Key", &payment.idempotency_key)
            .form(&form);
        self.send(request).await
    }

    async fn get(&self, id: &str) -> Result<ProviderPayment, PayError> {
        if !valid_id(id) {
            return Err(PayError::NotFound);
        }
        self.send(
            self.http
                .get(format!("{}/v1/checkout/sessions/{id}", self.base)),
        )
        .await
    }

    async fn cancel(&self, id: &str) -> Result<ProviderPayment, PayError> {
        if !valid_id(id) {
            return Err(PayError::NotFound);
        }
        let mut session = self
            .send(
                self.http
                    .post(format!("{}/v1/checkout/sessions/{id}/expire", self.base)),
            )
            .await?;
        // Stripe cancels a session by expiring it; here that was the clerk's doing.
        if session.status == PaymentStatus::Expired {
            session.status = PaymentStatus::Canceled;
        }
        Ok(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: a restricted test key (`rk_test_`) counted as live.
    #[test]
    fn restricted_test_keys_are_test_mode_and_live_keys_are_not() {
        let client = |key: &str| {
            Stripe::new(
                "http://127.0.0.1:9",
                SecretString::from(key),
                Duration::from_secs(1),
            )
            .unwrap()
        };
        assert!(client("rk_test_51abcdefghijklmnopqrstuv").is_test_mode());
        assert!(client("sk_test_51abcdefghijklmnopqrstuv").is_test_mode());
        assert!(!client("rk_live_51abcdefghijklmnopqrstuv").is_test_mode());
        assert!(!client("sk_live_51abcdefghijklmnopqrstuv").is_test_mode());
    }

    #[test]
    fn sessions_map_onto_our_statuses() {
        assert_eq!(status(Some("open"), "unpaid"), Some(PaymentStatus::Open));
        assert_eq!(status(Some("complete"), "paid"), Some(PaymentStatus::Paid));
        assert_eq!(
            status(Some("complete"), "unpaid"),
            Some(PaymentStatus::Open)
        );
        assert_eq!(
            status(Some("expired"), "unpaid"),
            Some(PaymentStatus::Expired)
        );
        assert_eq!(status(Some("open"), "refunded"), None);
        // Issue 12: no money moved, so it is not paid.
        assert_eq!(
            status(Some("complete"), "no_payment_required"),
            Some(PaymentStatus::Failed)
        );
        assert!(valid_id("cs_test_a1B2c3"));
        assert!(!valid_id("cs_../x") && !valid_id("pi_123") && !valid_id("cs_"));
    }
}
