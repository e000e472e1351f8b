//! Payment hints between the relay and the cockpit. A provider's webhook reaches the relay
//! (the cockpit is not reachable from the internet); the relay passes on only *which*
//! payment changed, and the cockpit asks the provider's API itself. A hint never says
//! what the status is, so a forged one can at most cause an extra question.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The providers whose webhooks the relay takes.
pub const HINT_PROVIDERS: [&str; 4] = ["sandbox", "mollie", "bancontact", "stripe"];

/// Longest provider payment id the relay keeps.
pub const MAX_PROVIDER_ID_CHARS: usize = 128;

/// Body of `POST /api/payments/watch`: tell me when this provider payment changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct WatchPayment {
    /// One of [`HINT_PROVIDERS`].
    pub provider: String,
    /// The provider's id of the payment (`tr_…`, a Bancontact payment id, `cs_…`).
    pub provider_id: String,
}

/// One message on `/ws/hints`: the provider reported a change to this payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentHint {
    /// One of [`HINT_PROVIDERS`].
    pub provider: String,
    /// The provider's id of the payment.
    pub provider_id: String,
}

impl WatchPayment {
    /// Whether the provider is known and the id is short printable ASCII.
    pub fn is_valid(&self) -> bool {
        HINT_PROVIDERS.contains(&self.provider.as_str()) && valid_provider_id(&self.provider_id)
    }
}

/// A provider payment id the relay accepts: 1 to [`MAX_PROVIDER_ID_CHARS`] of letters,
/// digits, `_` and `-`.
pub fn valid_provider_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_PROVIDER_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
