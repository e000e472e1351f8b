//! What happens in the conversation, as the call window follows it: the lobby, the
//! relay link, the call's state, chat, devices and the connection's quality once a second.

use balie_call::{CallEvent, CallState, ClerkCallEvent};
use balie_domain::Locale;
use serde::Serialize;
use ts_rs::TS;

/// What happens in the lobby, the room and the call, as the call window follows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConversationEvent {
    /// Connected to the relay (again).
    Connected {
        /// A citizen is already in (after a reconnection).
        citizen_present: bool,
    },
    /// A citizen knocks.
    Knock {
        /// Pass to `admit` / `decline`.
        knock_id: String,
        /// The language of the citizen's page.
        #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
        locale: Locale,
    },
    /// The knocking citizen left before being let in.
    KnockWithdrawn,
    /// The admitted citizen's connection to the relay dropped (the call may go on).
    CitizenAway,
    /// The admitted citizen is back.
    CitizenBack,
    /// The citizen hung up.
    CitizenLeft,
    /// The relay refused a message (a bug, or a race such as admitting a withdrawn knock).
    Refused {
        /// The relay's error code.
        code: String,
    },
    /// The connection to the relay dropped; it is retried.
    Reconnecting {
        /// Milliseconds until the next attempt.
        retry_in_ms: u64,
    },
    /// The relay refused the connection for good (e.g. the link expired).
    Closed {
        /// HTTP status of the refusal.
        status: u16,
    },
    /// The call's connection state.
    Call {
        /// Where the call stands.
        state: CallStateName,
    },
    /// The chat can be used.
    ChatReady,
    /// A chat line from the citizen.
    Chat {
        /// The page's id for it.
        id: String,
        /// The text.
        text: String,
    },
    /// The citizen's page received our chat line with this id.
    ChatDelivered {
        /// From `send_chat`.
        id: String,
    },
    /// Connection quality, once a second during the call.
    Quality(Quality),
    /// The devices the call uses; `None` when missing (the test pattern or tone is sent
    /// instead, or the citizen cannot be heard).
    Devices {
        /// The camera's name.
        camera: Option<String>,
        /// The microphone's name.
        microphone: Option<String>,
        /// The speaker's name.
        speaker: Option<String>,
    },
}

/// [`CallState`] for the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CallStateName {
    /// Negotiating.
    Connecting,
    /// Media flows.
    Connected,
    /// The path broke; ICE is being restarted.
    Reconnecting,
    /// Over.
    Ended,
}

impl From<CallState> for CallStateName {
    fn from(state: CallState) -> Self {
        match state {
            CallState::Connecting => Self::Connecting,
            CallState::Connected => Self::Connected,
            CallState::Reconnecting => Self::Reconnecting,
            CallState::Ended => Self::Ended,
        }
    }
}

/// Connection quality from the call's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Quality {
    /// Round trip, milliseconds.
    pub rtt_ms: Option<f64>,
    /// Packets lost on the way in, percent.
    pub loss_in_percent: Option<f64>,
    /// Packets lost on the way out, percent.
    pub loss_out_percent: Option<f64>,
    /// Received, kilobits per second over the last second.
    pub kbps_in: f64,
    /// Sent, kilobits per second over the last second.
    pub kbps_out: f64,
    /// Pictures decoded per second over the last second.
    pub fps_in: f64,
    /// What we send, `WxH@fps`.
    pub sending: String,
    /// What we receive, `WxH`.
    pub receiving: String,
}

pub(crate) fn quality(
    last: Option<&balie_call::CallStats>,
    now: &balie_call::CallStats,
) -> Quality {
    let seconds = last
        .map(|l| now.elapsed_ms.saturating_sub(l.elapsed_ms) as f64 / 1000.0)
        .filter(|s| *s > 0.0);
    let rate = |now: u64, before: Option<u64>| match (seconds, before) {
        (Some(s), Some(b)) => now.saturating_sub(b) as f64 / s,
        _ => 0.0,
    };
    Quality {
        rtt_ms: now.rtt_ms,
        loss_in_percent: now.loss_in.map(|l| f64::from(l) * 100.0),
        loss_out_percent: now.loss_out.map(|l| f64::from(l) * 100.0),
        kbps_in: rate(now.bytes_in, last.map(|l| l.bytes_in)) * 8.0 / 1000.0,
        kbps_out: rate(now.bytes_out, last.map(|l| l.bytes_out)) * 8.0 / 1000.0,
        fps_in: rate(
            now.video_frames_decoded,
            last.map(|l| l.video_frames_decoded),
        ),
        sending: now.send_resolution.clone(),
        receiving: now.receive_resolution.clone(),
    }
}

impl ConversationEvent {
    pub(crate) fn from_call(event: ClerkCallEvent) -> Option<Self> {
        use ClerkCallEvent as E;
        Some(match event {
            E::RelayConnected { citizen_present } => Self::Connected { citizen_present },
            E::RelayDisconnected { retry_in } => Self::Reconnecting {
                retry_in_ms: u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX),
            },
            E::RelayRefused { status } => Self::Closed { status },
            E::RelayError(code) => Self::Refused {
                code: serde_json::to_value(code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            },
            E::Knock { knock_id, locale } => Self::Knock { knock_id, locale },
            E::KnockWithdrawn => Self::KnockWithdrawn,
            E::CitizenAway => Self::CitizenAway,
            E::CitizenBack => Self::CitizenBack,
            E::CitizenLeft => Self::CitizenLeft,
            E::Call(CallEvent::State(state)) => Self::Call {
                state: state.into(),
            },
            E::Call(CallEvent::ChatReady) => Self::ChatReady,
            E::Call(CallEvent::Chat { id, text }) => Self::Chat { id, text },
            E::Call(CallEvent::ChatDelivered { id }) => Self::ChatDelivered { id },
            E::Call(CallEvent::Devices {
                camera,
                microphone,
                speaker,
            }) => Self::Devices {
                camera,
                microphone,
                speaker,
            },
            // Negotiation is forwarded inside the ClerkCall.
            E::Call(CallEvent::Signal(_)) => return None,
        })
    }
}
