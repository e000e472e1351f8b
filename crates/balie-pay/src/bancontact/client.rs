//! Bancontact Pay's merchant API v3: `POST /v3/payments`, `GET` and `DELETE
//! /v3/payments/{id}`, with one API key per payment profile.
//!
//! The API documents no idempotency key, so a create whose answer was lost is not
//! repeated by this client: the payment is looked for again by the caller (its
//! `reference` is our payment id) rather than made twice.

use crate::{Limits, NewPayment, PayError, Provider, ProviderPayment};
use balie_domain::{Money, PaymentMode, PaymentStatus};
use secrecy::SecretString;
use serde::Deserialize;
use std::time::Duration;

/// Bancontact Pay's production API.
pub const API: &str = "https://merchant.api.bancontact.net";
/// Bancontact Pay's pre-production API (test payments).
pub const API_PREPROD: &str = "https://merchant.api.preprod.bancontact.net";

/// A Bancontact Pay client for one payment profile.
pub struct BancontactPay {
    http: reqwest::Client,
    base: String,
    key: SecretString,
    callback_url: Option<String>,
}

impl std::fmt::Debug for BancontactPay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BancontactPay")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payment {
    payment_id: String,
    status: String,
    expires_at: Option<String>,
    amount: Option<u64>,
    currency: Option<String>,
    #[serde(rename = "_links", default)]
    links: Links,
}

#[derive(Deserialize, Default)]
struct Links {
    checkout: Option<Link>,
    deeplink: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
}

/// Bancontact's error body (`code`/`message`, in either case).
#[derive(Deserialize)]
struct Problem {
    #[serde(alias = "Code")]
    code: Option<String>,
    #[serde(alias = "Message")]
    message: Option<String>,
}

/// Our status for Bancontact's.
fn status(word: &str) -> Option<PaymentStatus> {
    Some(match word {
        "PENDING" | "IDENTIFIED" | "AUTHORIZED" | "PENDING_MERCHANT_ACKNOWLEDGEMENT" => {
            PaymentStatus::Open
        }
        "SUCCEEDED" => PaymentStatus::Paid,
        "AUTHORIZATION_FAILED" | "FAILED" => PaymentStatus::Failed,
        "CANCELLED" | "VOIDED" => PaymentStatus::Canceled,
        "EXPIRED" => PaymentStatus::Expired,
        _ => return None,
    })
}

/// Whether `id` can be a Bancontact payment id (24 letters and digits).
fn valid_id(id: &str) -> bool {
    id.len() == 24 && id.chars().all(|c| c.is_ascii_alphanumeric())
}

impl BancontactPay {
    /// A client for the API at `base` ([`API`] or [`API_PREPROD`]) with the profile's
    /// `key`; callbacks go to `callback_url` (https) when given.
    pub fn new(
        base: &str,
        key: SecretString,
        callback_url: Option<&str>,
        timeout: Duration,
    ) -> Result<Self, PayError> {
        let http = crate::http_client(timeout)?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
            callback_url: callback_url.map(str::to_owned),
        })
    }

    /// Real money only on Bancontact's production host ([`API`]); the pre-production
    /// host and anything else (a local stand-in) is test money. Judged by the parsed
    /// host, not by comparing strings.
    pub fn mode(&self) -> PaymentMode {
        let https_host = |url: &str| {
            reqwest::Url::parse(url)
                .ok()
                .filter(|u| u.scheme() == "https")
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        };
        match (https_host(&self.base), https_host(API)) {
            (Some(ours), Some(production)) if ours == production => PaymentMode::Live,
            _ => PaymentMode::Test,
        }
    }

    /// Sends a request; answers the payment it returned, or `None` for a 204.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Option<ProviderPayment>, PayError> {
        let (code, body) = crate::exchange(request, &self.key, &[200, 201, 204], |body| {
            match serde_json::from_slice::<Problem>(body) {
                Ok(p) => (p.message.or(p.code).unwrap_or_default(), None),
                Err(_) => (String::new(), None),
            }
        })
        .await?;
        if code == 204 {
            return Ok(None);
        }
        let payment: Payment = serde_json::from_slice(&body)
            .map_err(|e| PayError::Malformed(format!("payment: {e}")))?;
        let mapped = status(&payment.status)
            .ok_or_else(|| PayError::UnknownStatus(payment.status.clone()))?;
        if !valid_id(&payment.payment_id) {
            return Err(PayError::Malformed("payment id".into()));
        }
        Ok(Some(ProviderPayment {
            id: payment.payment_id,
            status: mapped,
            provider_status: payment.status,
            checkout_url: payment
                .links
                .checkout
                .or(payment.links.deeplink)
                .map(|l| l.href),
            expires_at: payment.expires_at,
            amount: payment.amount.map(Money::from_cents),
            currency: payment.currency.map(|c| c.to_ascii_uppercase()),
            // The API does not say; its environment does.
            mode: Some(self.mode()),
        }))
    }

    /// Sends a request that must answer a payment.
    async fn payment(&self, request: reqwest::RequestBuilder) -> Result<ProviderPayment, PayError> {
        self.send(request)
            .await?
            .ok_or_else(|| PayError::Malformed("no payment in the answer".into()))
    }
}

impl Provider for BancontactPay {
    fn limits(&self) -> Limits {
        // The API takes 1 to 999 999 999 999 cents and a description of 140 characters;
        // the Bancontact app itself stops at €1,500 for a payment by QR code.
        Limits {
            min: Money::from_cents(1),
            max: Money::from_cents(150_000),
            description_chars: 140,
        }
    }

    async fn create(&self, payment: &NewPayment) -> Result<ProviderPayment, PayError> {
        self.limits().check(payment)?;
        let mut body = serde_json::json!({
            "amount": payment.amount.cents(),
            "currency": "EUR",
            "description": payment.description.trim(),
            // At most 35 characters reach the bank statement; our key is shorter.
            "reference": payment.idempotency_key.chars().take(35).collect::<String>(),
            "returnUrl": payment.redirect_url,
        });
        if let Some(callback) = &self.callback_url {
            body["callbackUrl"] = callback.clone().into();
        }
        self.payment(
            self.http
                .post(format!("{}/v3/payments", self.base))
                .json(&body),
        )
        .await
    }

    async fn get(&self, id: &str) -> Result<ProviderPayment, PayError> {
        if !valid_id(id) {
            return Err(PayError::NotFound);
        }
        self.payment(self.http.get(format!("{}/v3/payments/{id}", self.base)))
            .await
    }

    async fn cancel(&self, id: &str) -> Result<ProviderPayment, PayError> {
        if !valid_id(id) {
            return Err(PayError::NotFound);
        }
        // A cancel answers 204 without a body: the payment is read back.
        match self
            .send(self.http.delete(format!("{}/v3/payments/{id}", self.base)))
            .await?
        {
            Some(payment) => Ok(payment),
            None => self.get(id).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps_and_others_do_not() {
        for open in [
            "PENDING",
            "IDENTIFIED",
            "AUTHORIZED",
            "PENDING_MERCHANT_ACKNOWLEDGEMENT",
        ] {
            assert_eq!(status(open), Some(PaymentStatus::Open), "{open}");
        }
        assert_eq!(status("SUCCEEDED"), Some(PaymentStatus::Paid));
        assert_eq!(status("AUTHORIZATION_FAILED"), Some(PaymentStatus::Failed));
        assert_eq!(status("FAILED"), Some(PaymentStatus::Failed));
        assert_eq!(status("CANCELLED"), Some(PaymentStatus::Canceled));
        assert_eq!(status("VOIDED"), Some(PaymentStatus::Canceled));
        assert_eq!(status("EXPIRED"), Some(PaymentStatus::Expired));
        assert_eq!(status("succeeded"), None);
    }

    /// Issue 12: the mode came from comparing base strings, so a trailing slash or a
    /// capital made production payments test money.
    #[test]
    fn only_the_production_host_is_real_money() {
        let client = |base: &str| {
            BancontactPay::new(base, SecretString::from("k"), None, Duration::from_secs(1)).unwrap()
        };
        assert_eq!(client(API).mode(), PaymentMode::Live);
        assert_eq!(
            client("https://Merchant.API.Bancontact.net/").mode(),
            PaymentMode::Live
        );
        assert_eq!(client(API_PREPROD).mode(), PaymentMode::Test);
        assert_eq!(client("http://127.0.0.1:9").mode(), PaymentMode::Test);
        assert_eq!(
            client("https://merchant.api.bancontact.net.evil.example").mode(),
            PaymentMode::Test
        );
    }

    #[test]
    fn only_bancontact_ids_reach_a_url() {
        assert!(valid_id("5bdb1685b93d1c000bde96f2"));
        for bad in [
            "",
            "5bdb1685b93d1c000bde96f",
            "5bdb1685b93d1c000bde96f/",
            "../../v3/payments/xyzxyz",
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
