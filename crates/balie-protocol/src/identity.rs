//! Who is on the other side: the citizen proves their identity at an OpenID provider
//! (itsme or eID through the Flemish government's broker), the relay checks the answer and
//! hands what it learnt to the clerk's cockpit once.
//!
//! The clerk asks with `POST /api/rooms/{room_id}/identity`; the relay tells the citizen
//! page ([`crate::signaling::RelayToCitizen::IdentityAsked`]); when the citizen comes back
//! from the provider the clerk's cockpits hear an [`IdentityHint`] on `/ws/hints` and read
//! `GET /api/rooms/{room_id}/identity` ([`IdentityStatus`]), which hands a confirmed
//! identity over and forgets it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How sure the provider is of who signed in: the eIDAS levels of assurance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AssuranceLevel {
    /// eIDAS *low* (a user name and password).
    Low,
    /// eIDAS *substantial* (two factors, e.g. a code by SMS or an authenticator app).
    Substantial,
    /// eIDAS *high* (the eID card with its reader, itsme).
    High,
}

/// An identity the provider confirmed, as the relay hands it to the clerk's cockpit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConfirmedIdentity {
    /// The configured provider it came from (e.g. `acm`).
    pub provider: String,
    /// The means the citizen used, as IT named it (e.g. `itsme`, `eID`).
    pub means: String,
    /// The level of assurance of that means.
    pub level: AssuranceLevel,
    /// The provider's `acr` value as it stood in the ID token.
    pub acr: String,
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`, from the provider or read from the national number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub birth_date: Option<String>,
    /// The Belgian national register number, 11 digits, when the provider gave one. The
    /// cockpit shows it only masked and compares it with the case's party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub national_number: Option<String>,
    /// When the citizen signed in at the provider, unix seconds.
    pub authenticated_at: i64,
}

/// Why an identity was not confirmed. The clerk sees which, never the provider's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IdentityFailure {
    /// The citizen stopped or refused at the provider.
    Refused,
    /// The provider could not be reached or answered something unusable.
    ProviderUnavailable,
    /// The provider's answer failed a check (signature, issuer, audience, time, nonce).
    Invalid,
    /// The means used is below the level asked.
    LevelTooLow,
    /// The sign-in took too long or its link was used before.
    Expired,
}

/// Where the identity of a room's citizen stands (`GET /api/rooms/{room_id}/identity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum IdentityStatus {
    /// Nobody asked (or what was known is gone).
    NotAsked,
    /// Asked; the citizen has not come back from the provider yet.
    Asked {
        /// Whether the relay asked by itself because the room's product requires it.
        by_product: bool,
    },
    /// Confirmed. Handed over once: the relay keeps nothing after this answer.
    Confirmed {
        /// Who.
        identity: ConfirmedIdentity,
    },
    /// Not confirmed; the clerk may ask again.
    Failed {
        /// Why.
        reason: IdentityFailure,
    },
    /// Confirmed and already handed over to a cockpit.
    HandedOver,
}

/// A message on `/ws/hints`: the identity of the citizen in `identity_in_room` changed
/// (confirmed or failed); read it with `GET /api/rooms/{room_id}/identity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IdentityHint {
    /// The room.
    pub identity_in_room: String,
}

/// A provider the citizen can prove their identity with, as the page offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IdentityProvider {
    /// Its id, sent back when the citizen chooses it.
    pub id: String,
    /// Its name on the button (e.g. `itsme of eID`).
    pub label: String,
    /// Where the button leads (on the relay, which sends the citizen on to the provider
    /// with a fresh sign-in each time); valid while the question stands.
    pub start_url: String,
}

/// How an identity check ended, as the citizen page is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IdentityOutcome {
    /// Confirmed; the clerk sees it.
    Confirmed,
    /// The citizen stopped at the provider.
    Refused,
    /// It did not work; the citizen may try again.
    Failed,
}
