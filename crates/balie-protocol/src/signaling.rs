//! Signaling: the messages the cockpit and the citizen page exchange through the relay's
//! WebSockets (`/ws/clerk/{room_id}` and `/ws/citizen/{join token}`) to meet in a room
//! and set up the WebRTC call.
//!
//! Each WebSocket text frame holds one JSON message, at most [`MAX_SIGNAL_BYTES`] long,
//! tagged by `type`. Unknown fields are ignored, so a newer peer's additions do not break
//! an older one; a missing or mistyped field makes the message malformed. The relay forwards [`Signal`]s only between the clerk and the one
//! admitted citizen of a room; everything else is between a side and the relay.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Version of the signaling messages; a side sends it in its first message and the relay
/// refuses versions it does not speak.
pub const SIGNALING_VERSION: u32 = 1;

/// Largest signaling message the relay accepts (an SDP offer with many codecs fits).
pub const MAX_SIGNAL_BYTES: usize = 64 * 1024;

/// One ICE server as `RTCIceServer` takes it: STUN, or TURN with time-limited credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IceServer {
    /// `stun:`, `turn:` or `turns:` URLs.
    pub urls: Vec<String>,
    /// TURN username (`<expiry>:<id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub username: Option<String>,
    /// TURN password, valid until the expiry in the username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential: Option<String>,
}

/// WebRTC negotiation, forwarded untouched between clerk and citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// The citizen page has a fresh peer connection and waits for an offer: on the first
    /// admission, and again after the page was reloaded (e.g. the phone dropped the tab
    /// while a banking app was open). The cockpit answers with a new offer.
    Ready,
    /// An SDP offer (the cockpit is the offerer).
    Offer {
        /// The SDP.
        sdp: String,
    },
    /// An SDP answer.
    Answer {
        /// The SDP.
        sdp: String,
    },
    /// A trickled ICE candidate.
    Candidate {
        /// The `candidate:` line.
        candidate: String,
        /// The media section it belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        sdp_mid: Option<String>,
        /// The media section's index.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        sdp_m_line_index: Option<u16>,
    },
    /// No more candidates in this generation.
    EndOfCandidates,
}

/// From the cockpit to the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClerkMessage {
    /// First message on every (re)connection.
    Hello {
        /// [`SIGNALING_VERSION`] of the cockpit.
        version: u32,
    },
    /// Let the knocking citizen in.
    Admit {
        /// From [`RelayToClerk::Knock`].
        knock_id: String,
    },
    /// Turn the knocking citizen away.
    Decline {
        /// From [`RelayToClerk::Knock`].
        knock_id: String,
    },
    /// Negotiation for the admitted citizen.
    Signal {
        /// What to forward.
        signal: Signal,
    },
    /// End the conversation for both sides; the join link stops working.
    End,
}

/// From the relay to the cockpit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RelayToClerk {
    /// Answer to `hello`: the room and who is in it now.
    Welcome {
        /// The room.
        room_id: String,
        /// Whether a citizen is admitted (after a reconnection of the cockpit).
        citizen_present: bool,
        /// STUN/TURN servers for the cockpit's side of the call.
        #[serde(default)]
        ice_servers: Vec<IceServer>,
    },
    /// A citizen knocks and waits in the lobby.
    Knock {
        /// Refer to this knock in `admit` / `decline`.
        knock_id: String,
        /// The language the citizen page shows.
        #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
        locale: balie_domain::Locale,
    },
    /// The knocking citizen left the lobby before being admitted.
    KnockWithdrawn {
        /// The knock that ended.
        knock_id: String,
    },
    /// The admitted citizen's connection dropped; they may come back.
    CitizenAway,
    /// The admitted citizen is connected (again).
    CitizenBack,
    /// The citizen hung up.
    CitizenLeft,
    /// Negotiation from the citizen.
    Signal {
        /// What the citizen sent.
        signal: Signal,
    },
    /// The last message was refused; the connection stays open.
    Error {
        /// Why.
        code: SignalError,
    },
}

/// From the citizen page to the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CitizenMessage {
    /// Knock: ask to be let in. After a dropped connection, `resume` (from
    /// [`RelayToCitizen::Admitted`]) rejoins without knocking again.
    Knock {
        /// [`SIGNALING_VERSION`] of the page.
        version: u32,
        /// The language the page shows, for the clerk's banner.
        #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
        locale: balie_domain::Locale,
        /// Resume secret of an earlier admission in this room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        resume: Option<String>,
    },
    /// Negotiation for the clerk.
    Signal {
        /// What to forward.
        signal: Signal,
    },
    /// Hang up.
    Leave,
}

/// From the relay to the citizen page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RelayToCitizen {
    /// The knock reached the clerk; wait.
    Waiting,
    /// The clerk let the citizen in. Keep `resume` to rejoin after a dropped connection.
    Admitted {
        /// Secret to resume this admission.
        resume: String,
        /// STUN/TURN servers for the citizen's side of the call.
        #[serde(default)]
        ice_servers: Vec<IceServer>,
    },
    /// Fresh TURN credentials, sent to an admitted citizen every half of their lifetime:
    /// the page uses them from its next ICE restart on, so a call outlives the
    /// credentials it began with, and a leaked credential is good for an hour at most.
    IceServers {
        /// The STUN and TURN servers, with new credentials.
        ice_servers: Vec<IceServer>,
    },
    /// The clerk turned the knock away.
    Declined,
    /// Someone else is already in this conversation.
    RoomBusy,
    /// The clerk ended the conversation.
    Ended,
    /// The clerk's connection dropped; they may come back.
    ClerkAway,
    /// The clerk is connected (again).
    ClerkBack,
    /// Negotiation from the clerk.
    Signal {
        /// What the clerk sent.
        signal: Signal,
    },
    /// The clerk (or the product) asks the citizen to prove who they are: the page shows
    /// *Bevestig wie u bent* with a button per provider.
    IdentityAsked {
        /// The providers to choose from.
        providers: Vec<crate::identity::IdentityProvider>,
    },
    /// The identity check the citizen started has ended.
    IdentityDone {
        /// How.
        outcome: crate::identity::IdentityOutcome,
    },
    /// The last message was refused; the connection stays open.
    Error {
        /// Why.
        code: SignalError,
    },
}

/// Why the relay refused a signaling message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignalError {
    /// Not JSON, or not one of the messages above.
    Malformed,
    /// Larger than [`MAX_SIGNAL_BYTES`].
    TooLarge,
    /// A version the relay does not speak.
    UnsupportedVersion,
    /// Valid, but not now (e.g. a signal before admission, `admit` of an unknown knock).
    OutOfOrder,
    /// Too many messages too fast.
    RateLimited,
}
