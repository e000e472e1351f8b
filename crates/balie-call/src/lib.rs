//! Balie's call engine, clerk side.
//!
//! For now this holds the cockpit's signaling client, [`ClerkSignaling`]: it keeps a
//! WebSocket to the relay's `/ws/clerk/{room_id}` open, reconnecting with backoff when it
//! drops, and turns the relay's messages into [`SignalingEvent`]s. The WebRTC engine over
//! str0m (sans-IO core, tokio driver) comes next and will consume these events.
//!
//! ```no_run
//! # async fn run(token: secrecy::SecretString) {
//! let mut signaling = balie_call::ClerkSignaling::connect("http://127.0.0.1:8080", "0011223344556677", token);
//! while let Some(event) = signaling.next_event().await {
//!     if let balie_call::SignalingEvent::Message(balie_protocol::signaling::RelayToClerk::Knock { knock_id, .. }) = event {
//!         signaling.send(balie_protocol::signaling::ClerkMessage::Admit { knock_id }).await;
//!     }
//! }
//! # }
//! ```

mod engine;
pub mod media;
mod session;
mod signaling;
mod stats;
mod stun;

pub use engine::{Call, CallConfig, CallError, CallEvent, CallState, FrameSink, MediaSource};
pub use session::{ClerkCall, ClerkCallEvent};
pub use signaling::{ClerkSender, ClerkSignaling, SignalingEvent};
pub use stats::CallStats;
