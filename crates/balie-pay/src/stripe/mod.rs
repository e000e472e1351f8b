//! Stripe: Checkout Sessions ([`Stripe`]) and the webhook's `Stripe-Signature` check
//! ([`verify_webhook`]).
//!
//! The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`; each `v1` is
//! HMAC-SHA256 of `"{t}.{raw body}"` with the endpoint's secret (several appear while a
//! secret is being rolled). A signature is believed when one `v1` matches, compared in
//! constant time, and `t` lies within the tolerance of now (against replays).

mod client;

pub use client::{API, Stripe};

use hmac::{Hmac, Mac as _};
use secrecy::{ExposeSecret as _, SecretString};
use sha2::Sha256;

/// How far a webhook's timestamp may be from now, Stripe's default: five minutes.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a webhook is not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The header lacks `t` or any `v1`, or is not `key=value` pairs.
    #[error("the Stripe-Signature header is not as Stripe writes it")]
    Format,
    /// No `v1` matches.
    #[error("the signature does not match")]
    Signature,
    /// The timestamp is too far from now.
    #[error("the webhook's time is outside the tolerance")]
    Time,
}

/// Checks a webhook's `Stripe-Signature` header against its raw body and the endpoint's
/// signing secret (`whsec_…`), at `now` (Unix seconds).
pub fn verify_webhook(
    header: &str,
    body: &[u8],
    secret: &SecretString,
    now: i64,
) -> Result<(), WebhookError> {
    let mut timestamp: Option<&str> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for pair in header.split(',') {
        let (key, value) = pair.trim().split_once('=').ok_or(WebhookError::Format)?;
        match key {
            "t" => timestamp = Some(value),
            "v1" => signatures.push(hex::decode(value).map_err(|_| WebhookError::Format)?),
            _ => {} // v0 (test-mode legacy) and future schemes are not trusted
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::Format)?;
    let seconds: i64 = timestamp.parse().map_err(|_| WebhookError::Format)?;
    if signatures.is_empty() {
        return Err(WebhookError::Format);
    }
    let matches = signatures.iter().any(|signature| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
            return false;
        };
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        // `verify_slice` compares in constant time.
        mac.verify_slice(signature).is_ok()
    });
    if !matches {
        return Err(WebhookError::Signature);
    }
    if (now - seconds).abs() > TOLERANCE_SECS {
        return Err(WebhookError::Time);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret_0123456789";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_test_a1","payment_status":"paid"}}}"#;

    fn sign(t: i64, body: &[u8], secret: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    fn secret() -> SecretString {
        SecretString::from(SECRET)
    }

    #[test]
    fn a_webhook_signed_with_the_endpoint_secret_is_believed() {
        let t = 1_795_000_000;
        let header = format!(
            "t={t},v1={},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39",
            sign(t, BODY, SECRET)
        );
        assert_eq!(verify_webhook(&header, BODY, &secret(), t + 10), Ok(()));
        // While a secret is rolled, the old and the new signature both come.
        let rolled = format!(
            "t={t},v1={},v1={}",
            sign(t, BODY, "whsec_old"),
            sign(t, BODY, SECRET)
        );
        assert_eq!(verify_webhook(&rolled, BODY, &secret(), t), Ok(()));
    }

    #[test]
    fn forged_replayed_and_malformed_webhooks_are_refused() {
        let t = 1_795_000_000;
        let good = format!("t={t},v1={}", sign(t, BODY, SECRET));
        let check =
            |header: &str, body: &[u8], now: i64| verify_webhook(header, body, &secret(), now);
        assert_eq!(
            check(&good, b"{\"payment_status\":\"paid\"}", t),
            Err(WebhookError::Signature)
        );
        let other_secret = format!("t={t},v1={}", sign(t, BODY, "whsec_someone_else"));
        assert_eq!(check(&other_secret, BODY, t), Err(WebhookError::Signature));
        // The timestamp is signed: changing it breaks the signature.
        let moved = good.replace(&format!("t={t}"), &format!("t={}", t + 1));
        assert_eq!(check(&moved, BODY, t), Err(WebhookError::Signature));
        // Replayed after the tolerance, or from the future.
        assert_eq!(
            check(&good, BODY, t + TOLERANCE_SECS + 1),
            Err(WebhookError::Time)
        );
        assert_eq!(
            check(&good, BODY, t - TOLERANCE_SECS - 1),
            Err(WebhookError::Time)
        );
        // Only v0 (not trusted), no t, garbage.
        let v0 = format!("t={t},v0={}", sign(t, BODY, SECRET));
        assert_eq!(check(&v0, BODY, t), Err(WebhookError::Format));
        for bad in ["", "v1=abcd", "t=abc,v1=00", "t=1,v1=zz", "nonsense"] {
            assert!(check(bad, BODY, t).is_err(), "{bad:?}");
        }
    }
}
