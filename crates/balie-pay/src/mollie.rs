//! Mollie's Payments API v2: `POST /v2/payments`, `GET` and `DELETE /v2/payments/{id}`.
//! The relay's sandbox speaks the same API, so this client serves both.
//!
//! Mollie's webhook carries only the payment id and is unsigned on purpose: it is a hint
//! to call [`Mollie::get`], whose answer alone decides the status.

use crate::{Limits, NewPayment, PayError, Provider, ProviderPayment};
use balie_domain::{Locale, Money, PaymentMode, PaymentStatus};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// Mollie's production API.
pub const API: &str = "https://api.mollie.com";

/// A Mollie client for one API key.
pub struct Mollie {
    http: reqwest::Client,
    base: String,
    key: SecretString,
    method: Option<String>,
}

impl std::fmt::Debug for Mollie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mollie")
            .field("base", &self.base)
            .field("test_mode", &self.is_test_mode())
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// A payment as Mollie writes it (the fields we use).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payment {
    id: String,
    status: String,
    expires_at: Option<String>,
    amount: Option<Amount>,
    mode: Option<String>,
    #[serde(rename = "_links", default)]
    links: Links,
}

/// Mollie's amount: a currency and a decimal string (`"10.00"`).
#[derive(Deserialize)]
struct Amount {
    currency: String,
    value: String,
}

#[derive(Deserialize, Default)]
struct Links {
    checkout: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
}

/// Mollie's problem body for an error.
#[derive(Deserialize)]
struct Problem {
    title: Option<String>,
    detail: Option<String>,
    field: Option<String>,
}

/// Our status for Mollie's. `pending` and `authorized` still wait for the money.
fn status(word: &str) -> Option<PaymentStatus> {
    Some(match word {
        "open" | "pending" | "authorized" => PaymentStatus::Open,
        "paid" => PaymentStatus::Paid,
        "canceled" => PaymentStatus::Canceled,
        "expired" => PaymentStatus::Expired,
        "failed" => PaymentStatus::Failed,
        _ => return None,
    })
}

/// Mollie's locale for a language.
fn locale(locale: Locale) -> &'static str {
    match locale {
        Locale::Nl => "nl_BE",
        Locale::Fr => "fr_BE",
        Locale::En => "en_US",
    }
}

/// Whether `id` can be a Mollie payment id (`tr_` and letters and digits): anything else
/// never reaches a URL.
fn valid_id(id: &str) -> bool {
    id.len() <= 64
        && id
            .strip_prefix("tr_")
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

impl Mollie {
    /// A client for the API at `base` (use [`API`] in production) with `key` (`test_…`
    /// or `live_…`). With `method` (e.g. `bancontact`) the payer gets that method only,
    /// and its limits apply.
    pub fn new(base: &str, key: SecretString, method: Option<&str>) -> Result<Self, PayError> {
        Self::with_timeout(base, key, method, Duration::from_secs(10))
    }

    /// As [`Mollie::new`], with a timeout per request.
    pub fn with_timeout(
        base: &str,
        key: SecretString,
        method: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, PayError> {
        let http = crate::http_client(timeout)?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
            method: method.map(str::to_owned),
        })
    }

    /// Whether the key is a test key (payments are not real money).
    pub fn is_test_mode(&self) -> bool {
        self.key.expose_secret().starts_with("test_")
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<ProviderPayment, PayError> {
        let (_, body) =
            crate::exchange(
                request,
                &self.key,
                &[200, 201],
                |body| match serde_json::from_slice::<Problem>(body) {
                    Ok(p) => (p.detail.or(p.title).unwrap_or_default(), p.field),
                    Err(_) => (String::new(), None),
                },
            )
            .await?;
        let payment: Payment = serde_json::from_slice(&body)
            .map_err(|e| PayError::Malformed(format!("payment: {e}")))?;
        let mapped = status(&payment.status)
            .ok_or_else(|| PayError::UnknownStatus(payment.status.clone()))?;
        if !valid_id(&payment.id) {
            return Err(PayError::Malformed("payment id".into()));
        }
        // An amount not written as Mollie writes euro ("12.50") reads as none: then it
        // cannot match what was asked, and the answer counts for nothing.
        let amount = payment
            .amount
            .as_ref()
            .and_then(|a| Money::from_decimal_str(&a.value).ok());
        Ok(ProviderPayment {
            id: payment.id,
            status: mapped,
            provider_status: payment.status,
            checkout_url: payment.links.checkout.map(|l| l.href),
            expires_at: payment.expires_at,
            amount,
            currency: payment.amount.map(|a| a.currency.to_ascii_uppercase()),
            mode: payment.mode.as_deref().and_then(PaymentMode::from_name),
        })
    }
}

impl Provider for Mollie {
    fn limits(&self) -> Limits {
        match self.method.as_deref() {
            // Mollie's Bancontact page: €0.02 to €1,500 for mobile payments (QR code and
            // app), which is how a citizen pays in a call.
            Some("bancontact") => Limits {
                min: Money::from_cents(2),
                max: Money::from_cents(150_000),
                description_chars: 255,
            },
            _ => Limits {
                min: Money::from_cents(1),
                max: Money::MAX,
                description_chars: 255,
            },
        }
    }

    async fn create(&self, payment: &NewPayment) -> Result<ProviderPayment, PayError> {
        self.limits().check(payment)?;
        let mut body = serde_json::json!({
            "amount": { "currency": "EUR", "value": payment.amount.to_decimal_string() },
            "description": payment.description.trim(),
            "redirectUrl": payment.redirect_url,
            "locale": locale(payment.locale),
        });
        if let Some(webhook) = &payment.webhook_url {
            body["webhookUrl"] = webhook.clone().into();
        }
        if let Some(method) = &self.method {
            body["method"] = method.clone().into();
        }
        let request = self
            .http
            .post(format!("{}/v2/payments", self.base))
            .header("Idempotency-Key", &payment.idempotency_key)
            .json(&body);
        self.send(request).await
    }

    async fn get(&self, id: &str) -> Result<ProviderPayment, PayError> {
        if !valid_id(id) {
            return Err(PayError::NotFound);
        }
        self.send(self.http.get(format!("{}/v2/payments/{id}", self.base)))
            .await
    }

    async fn cancel(&self, id: &str) -> Result<ProviderPayment, PayError> {
        if !valid_id(id) {
            return Err(PayError::NotFound);
        }
        self.send(self.http.delete(format!("{}/v2/payments/{id}", self.base)))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps_and_others_do_not() {
        assert_eq!(status("open"), Some(PaymentStatus::Open));
        assert_eq!(status("pending"), Some(PaymentStatus::Open));
        assert_eq!(status("authorized"), Some(PaymentStatus::Open));
        assert_eq!(status("paid"), Some(PaymentStatus::Paid));
        assert_eq!(status("canceled"), Some(PaymentStatus::Canceled));
        assert_eq!(status("expired"), Some(PaymentStatus::Expired));
        assert_eq!(status("failed"), Some(PaymentStatus::Failed));
        assert_eq!(status("Paid"), None);
        assert_eq!(status("refunded"), None);
    }

    #[test]
    fn only_mollie_ids_reach_a_url() {
        assert!(valid_id("tr_7UhSN1zuXS"));
        for bad in [
            "",
            "tr_",
            "7UhSN1zuXS",
            "tr_../../v2/refunds",
            "tr_a b",
            "tr_é",
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
