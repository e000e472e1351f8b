//! Keeping scripted bulk booking out without shutting anyone out: no picture to read, no
//! puzzle. A booking form carries a token the relay signed when it showed the form, bound
//! to what the form is for (this product at this moment). It is refused when it comes
//! back sooner than a person fills the form in ([`MIN_FILL`]), after an hour, or a second
//! time. Together with a rate per address ([`crate::limits`]) and a cap on appointments per
//! e-mail address or number, a script gains little; a person who is refused keeps what
//! they typed and confirms again.

use crate::error::AppError;
use hmac::Mac as _;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Sooner than this after the form was shown, a submission is not a person's.
pub(crate) const MIN_FILL_SECONDS: i64 = 3;
/// Later than this, the form has expired.
pub(crate) const VALID_SECONDS: i64 = 3600;
/// How many used tokens are remembered (each until it would have expired anyway).
const MAX_REMEMBERED: usize = 100_000;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Why a form's token was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormProblem {
    /// Not one of ours, or for another form.
    Invalid,
    /// Sent back sooner than a person fills it in.
    TooFast,
    /// Older than [`VALID_SECONDS`], or already used.
    Expired,
}

/// Signs and checks form tokens; remembers the used ones.
#[derive(Default)]
pub(crate) struct FormGuard {
    key: OnceLock<[u8; 32]>,
    used: Mutex<HashMap<[u8; 16], i64>>,
}

impl FormGuard {
    fn key(&self) -> Result<&[u8; 32], AppError> {
        if let Some(key) = self.key.get() {
            return Ok(key);
        }
        let fresh = crate::random_bytes::<32>()?;
        Ok(self.key.get_or_init(|| fresh))
    }

    fn mac(&self, issued: i64, nonce: &[u8; 16], purpose: &str) -> Result<[u8; 16], AppError> {
        let mut mac = HmacSha256::new_from_slice(self.key()?)
            .map_err(|e| AppError::Internal(format!("form key: {e}")))?;
        mac.update(&issued.to_be_bytes());
        mac.update(nonce);
        mac.update(purpose.as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        Ok(out)
    }

    /// A token for a form for `purpose`, shown at `now`.
    pub(crate) fn issue(&self, purpose: &str, now: i64) -> Result<String, AppError> {
        let nonce = crate::random_bytes::<16>()?;
        let mac = self.mac(now, &nonce, purpose)?;
        let mut bytes = Vec::with_capacity(40);
        bytes.extend_from_slice(&now.to_be_bytes());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&mac);
        use base64::Engine as _;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Takes `token` for `purpose` at `now` (once: a second time it is expired).
    pub(crate) fn take(&self, token: &str, purpose: &str, now: i64) -> Result<(), FormProblem> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| FormProblem::Invalid)?;
        if bytes.len() != 40 {
            return Err(FormProblem::Invalid);
        }
        let mut issued = [0u8; 8];
        issued.copy_from_slice(&bytes[..8]);
        let issued = i64::from_be_bytes(issued);
        let mut nonce = [0u8; 16];
        nonce.copy_from_slice(&bytes[8..24]);
        let expected = self
            .mac(issued, &nonce, purpose)
            .map_err(|_| FormProblem::Invalid)?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&expected[..], &bytes[24..])) {
            return Err(FormProblem::Invalid);
        }
        let age = now - issued;
        if !(-60..=VALID_SECONDS).contains(&age) {
            return Err(FormProblem::Expired);
        }
        if age < MIN_FILL_SECONDS {
            return Err(FormProblem::TooFast);
        }
        let mut used = self.used.lock().map_err(|_| FormProblem::Expired)?;
        if used.len() >= MAX_REMEMBERED {
            used.retain(|_, at| now - *at <= VALID_SECONDS);
            if used.len() >= MAX_REMEMBERED {
                // Full of live tokens: refusing is safer than forgetting one.
                return Err(FormProblem::Expired);
            }
        }
        if used.insert(nonce, issued).is_some() {
            return Err(FormProblem::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_taken_once_for_its_own_form_after_a_person_could_fill_it_in() {
        let guard = FormGuard::default();
        let token = guard.issue("book:meals:1000", 1_000).unwrap();
        assert_eq!(
            guard.take(&token, "book:meals:1000", 1_001),
            Err(FormProblem::TooFast)
        );
        assert_eq!(
            guard.take(&token, "book:meals:2000", 1_010),
            Err(FormProblem::Invalid)
        );
        assert_eq!(
            guard.take("garbage", "book:meals:1000", 1_010),
            Err(FormProblem::Invalid)
        );
        assert_eq!(
            guard.take(&token, "book:meals:1000", 1_000 + VALID_SECONDS + 1),
            Err(FormProblem::Expired)
        );
        assert_eq!(guard.take(&token, "book:meals:1000", 1_010), Ok(()));
        assert_eq!(
            guard.take(&token, "book:meals:1000", 1_011),
            Err(FormProblem::Expired)
        );
        // Another relay (another key) did not sign it.
        let other = FormGuard::default();
        let theirs = other.issue("book:meals:1000", 1_000).unwrap();
        assert_eq!(
            guard.take(&theirs, "book:meals:1000", 1_010),
            Err(FormProblem::Invalid)
        );
    }
}
