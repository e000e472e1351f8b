//! Balie's call engine, clerk side: a video call with the citizen's browser, without a
//! browser on the clerk's side (WebKitGTK has no WebRTC).
//!
//! - [`ClerkCall`]: a clerk's conversation, the one type most owners need. It keeps the
//!   signaling connection to the relay ([`ClerkSignaling`], reconnecting with backoff),
//!   reports knocks and the citizen's comings and goings as [`ClerkCallEvent`]s, and once
//!   the clerk lets the citizen in, runs the [`Call`] and carries its negotiation by itself.
//! - [`Call`]: the engine. str0m's sans-IO WebRTC core driven by one tokio task that owns
//!   the UDP sockets and timers, with media threads around it: H.264 Constrained Baseline
//!   (OpenH264) and Opus both ways, the data channel `balie` (chat, payment cards), a
//!   quality ladder driven by the bandwidth estimate, STUN for server-reflexive
//!   candidates, and an ICE restart by itself when the path breaks.
//! - [`media`]: frames, codecs, the quality ladder, the test pattern and tone, sound
//!   devices (cpal), the camera (GStreamer) and the background blur.
//!
//! ```no_run
//! # async fn run(token: secrecy::SecretString) {
//! use balie_call::{CallConfig, ClerkCall, ClerkCallEvent};
//! let mut call = ClerkCall::connect("http://127.0.0.1:8080", "0011223344556677", token, CallConfig::default());
//! while let Some(event) = call.next_event().await {
//!     if let ClerkCallEvent::Knock { knock_id, .. } = event {
//!         call.admit(knock_id).await.expect("the engine starts");
//!     }
//! }
//! # }
//! ```
//!
//! Invariants: media is never queued behind a broken path (pictures and sound are dropped
//! while nothing is heard from the other side); only H.264 Constrained Baseline and Opus
//! are offered; chat text is citizen data, so only its length is logged; with the
//! background blur on, the room is never sent sharp.

mod clerk_call;
mod engine;
pub mod media;
mod signaling;
mod stats;
mod stun;

pub use clerk_call::{ClerkCall, ClerkCallEvent};
pub use engine::{Call, CallConfig, CallError, CallEvent, CallState, FrameSink, MediaSource};
pub use signaling::{ClerkSender, ClerkSignaling, SignalingEvent};
pub use stats::CallStats;
