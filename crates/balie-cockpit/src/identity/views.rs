//! What the call window sees of the citizen's identity.

use serde::Serialize;
use ts_rs::TS;

/// Where the identity of the conversation's citizen stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IdentityState {
    /// Nobody asked in this conversation.
    #[default]
    NotAsked,
    /// Asked; the citizen has not come back from the provider.
    Asked,
    /// Confirmed by the provider.
    Confirmed,
    /// Not confirmed (see `failure`); the clerk may ask again.
    Failed,
}

/// How a confirmed identity compares with the party of the conversation's case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PartyMatch {
    /// No case is linked to the conversation.
    #[default]
    NoCase,
    /// The party's national number is the confirmed one.
    Match,
    /// The party's national number is another.
    NoMatch,
    /// The party has no national number (it can be completed).
    PartyHasNone,
    /// The provider gave no national number.
    NotGiven,
}

impl PartyMatch {
    /// Its name as recorded in the case.
    pub fn name(self) -> &'static str {
        match self {
            Self::NoCase => "no_case",
            Self::Match => "match",
            Self::NoMatch => "no_match",
            Self::PartyHasNone => "party_has_none",
            Self::NotGiven => "not_given",
        }
    }
}

/// The identity of the citizen in the conversation, for the call window. The national
/// number is only ever masked here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct IdentityView {
    /// Whether the relay offers identity (an identity provider is configured): without
    /// it the window offers no *Identiteit vragen*.
    pub available: bool,
    /// The conversation's room.
    pub room_id: Option<String>,
    /// Where it stands.
    pub state: IdentityState,
    /// Asked by the relay itself because the product requires it.
    pub by_product: bool,
    /// Why it failed: `refused`, `provider_unavailable`, `invalid`, `level_too_low`,
    /// `expired`.
    pub failure: Option<String>,
    /// Given and family name.
    pub name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// `85.07.30-***.**`.
    pub national_number_masked: Option<String>,
    /// The means (e.g. `itsme`).
    pub means: Option<String>,
    /// `low`, `substantial` or `high`.
    pub level: Option<String>,
    /// When the cockpit received it, ms.
    #[ts(type = "number | null")]
    pub confirmed_at_ms: Option<i64>,
    /// Compared with the case's party.
    pub party: PartyMatch,
    /// Whether the party can be completed from it.
    pub can_complete: bool,
}
