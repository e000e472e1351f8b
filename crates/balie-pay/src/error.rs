use balie_domain::Money;
use std::time::Duration;

/// Why a provider call did not give a payment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayError {
    /// The amount is below the provider's minimum; nothing was sent.
    #[error("the amount is below the minimum of {min}")]
    AmountTooSmall {
        /// The minimum.
        min: Money,
    },
    /// The amount is above the provider's maximum; nothing was sent.
    #[error("the amount is above the maximum of {max}")]
    AmountTooLarge {
        /// The maximum.
        max: Money,
    },
    /// No description; nothing was sent.
    #[error("a payment needs a description")]
    DescriptionMissing,
    /// The description is too long for the provider; nothing was sent.
    #[error("the description is longer than {max} characters")]
    DescriptionTooLong {
        /// The longest allowed.
        max: usize,
    },
    /// The provider refused the request (a 4xx answer with its explanation).
    #[error("the provider refused the request ({status}): {detail}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The provider's explanation (its `detail`, or `title`).
        detail: String,
        /// The field it names, if any.
        field: Option<String>,
    },
    /// The API key was not accepted (401/403).
    #[error("the provider did not accept the API key ({status})")]
    Unauthorized {
        /// The HTTP status.
        status: u16,
    },
    /// No such payment at the provider (404/410).
    #[error("the provider does not know this payment")]
    NotFound,
    /// Too many requests: wait before the next one.
    #[error("the provider asks to slow down")]
    RateLimited {
        /// How long the provider asked to wait (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The provider had a failure of its own (5xx).
    #[error("the provider is not available ({status})")]
    Unavailable {
        /// The HTTP status.
        status: u16,
    },
    /// No answer in time.
    #[error("the provider did not answer in time")]
    Timeout,
    /// The connection failed.
    #[error("the provider cannot be reached: {0}")]
    Network(String),
    /// The answer is not what the provider's documentation describes.
    #[error("the provider's answer is not understood: {0}")]
    Malformed(String),
    /// A status this client does not know; the payment is left as it was.
    #[error("the provider reported an unknown status {0:?}")]
    UnknownStatus(String),
}

impl PayError {
    /// Whether asking again later may succeed (rate limits, provider failures, timeouts,
    /// network errors).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::Timeout | Self::Network(_)
        )
    }

    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::AmountTooSmall { .. } => "pay.amount_too_small",
            Self::AmountTooLarge { .. } => "pay.amount_too_large",
            Self::DescriptionMissing => "pay.description_missing",
            Self::DescriptionTooLong { .. } => "pay.description_too_long",
            Self::Refused { .. } => "pay.refused",
            Self::Unauthorized { .. } => "pay.unauthorized",
            Self::NotFound => "pay.not_found",
            Self::RateLimited { .. } | Self::Unavailable { .. } => "pay.unavailable",
            Self::Timeout | Self::Network(_) => "pay.unreachable",
            Self::Malformed(_) | Self::UnknownStatus(_) => "pay.malformed",
        }
    }
}
