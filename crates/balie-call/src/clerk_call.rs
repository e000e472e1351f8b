//! A clerk's conversation: the signaling connection to the relay and the call engine
//! together. Negotiation messages travel between the two by themselves; the owner (the
//! cockpit, `balie-call-cli`, a test) sees knocks, the citizen's comings and goings and
//! the call's events, and decides whom to let in.

use crate::engine::{Call, CallConfig, CallError, CallEvent};
use crate::signaling::{ClerkSignaling, SignalingEvent};
use crate::stats::CallStats;
use balie_domain::Locale;
use balie_protocol::signaling::{ClerkMessage, RelayToClerk, SignalError};
use secrecy::SecretString;
use std::time::Duration;

/// What a [`ClerkCall`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClerkCallEvent {
    /// Connected (again) to the relay.
    RelayConnected {
        /// Whether a citizen is already in (after the cockpit reconnected).
        citizen_present: bool,
    },
    /// The relay connection dropped; it is retried.
    RelayDisconnected {
        /// When the next attempt starts.
        retry_in: Duration,
    },
    /// The relay refused the room for good (HTTP status); nothing more will come.
    RelayRefused {
        /// 401 token refused, 404 not this clerk's room, 410 expired or ended.
        status: u16,
    },
    /// The relay refused a message.
    RelayError(SignalError),
    /// A citizen knocks.
    Knock {
        /// Pass to [`ClerkCall::admit`] or [`ClerkCall::decline`].
        knock_id: String,
        /// The language of the citizen's page.
        locale: Locale,
    },
    /// The knocking citizen left before being let in.
    KnockWithdrawn,
    /// The citizen's signaling connection dropped (the call's media may go on).
    CitizenAway,
    /// The citizen's signaling connection is back.
    CitizenBack,
    /// The citizen hung up; the call is over.
    CitizenLeft,
    /// From the call engine.
    Call(CallEvent),
}

/// Engine events held while the citizen is not let in yet, at most.
const HELD_EVENTS: usize = 32;

/// One conversation, clerk side.
pub struct ClerkCall {
    signaling: ClerkSignaling,
    config: CallConfig,
    call: Option<Call>,
    /// Whether the citizen was let in. Before that a [prepared](ClerkCall::prepare) engine
    /// may run; its events wait in `held` until the admit (or go with the engine).
    admitted: bool,
    /// Whether the relay passed on a signal since the admit (so it took the admit).
    confirmed: bool,
    held: std::collections::VecDeque<CallEvent>,
    /// The figures of the last call, kept after it ended.
    last_stats: Option<CallStats>,
}

impl ClerkCall {
    /// Connects to the relay for `room_id`; the call engine starts when a citizen is let in.
    /// Must be called inside a tokio runtime.
    pub fn connect(
        relay_url: &str,
        room_id: &str,
        token: SecretString,
        config: CallConfig,
    ) -> Self {
        Self {
            signaling: ClerkSignaling::connect(relay_url, room_id, token),
            config,
            call: None,
            admitted: false,
            confirmed: false,
            held: std::collections::VecDeque::new(),
            last_stats: None,
        }
    }

    /// The call engine, once a citizen was let in.
    pub fn call(&self) -> Option<&Call> {
        self.call.as_ref()
    }

    /// The figures of the running call, or of the last one after it ended.
    pub fn stats(&self) -> Option<CallStats> {
        self.call
            .as_ref()
            .map(Call::stats)
            .or_else(|| self.last_stats.clone())
    }

    /// The call engine, to send chat.
    pub fn call_mut(&mut self) -> Option<&mut Call> {
        self.call.as_mut()
    }

    /// Starts the call engine before the citizen is let in, while they knock: sockets,
    /// codecs, camera, microphone and speaker are then ready when the clerk admits, which
    /// takes their opening off the way to the first picture. Nothing is sent before the
    /// admit (the engine offers only when the admitted page says `ready`), and the engine's
    /// events wait until then. A declined or withdrawn knock stops it again.
    pub async fn prepare(&mut self) -> Result<(), CallError> {
        if self.call.is_none() {
            self.call = Some(Call::start(self.config.clone()).await?);
        }
        Ok(())
    }

    /// Whether an engine runs for a citizen not (yet) let in.
    pub fn prepared(&self) -> bool {
        self.call.is_some() && !self.admitted
    }

    /// Lets the knocking citizen in: starts the call engine (unless it was
    /// [prepared](ClerkCall::prepare)), then admits. The citizen page says `ready` and the
    /// engine offers.
    pub async fn admit(&mut self, knock_id: String) -> Result<(), CallError> {
        self.prepare().await?;
        self.admitted = true;
        self.confirmed = false;
        self.signaling.send(ClerkMessage::Admit { knock_id }).await;
        Ok(())
    }

    /// Turns the knocking citizen away (a prepared engine stops).
    pub async fn decline(&mut self, knock_id: String) {
        self.signaling
            .send(ClerkMessage::Decline { knock_id })
            .await;
        self.stop_prepared();
    }

    /// Stops an engine that runs for a citizen not let in, with its held events. The
    /// engine winds down in the background: this runs inside `next_event`, which must not
    /// wait (a caller's `select!` may drop it, and the event with it).
    fn stop_prepared(&mut self) {
        if !self.admitted {
            self.held.clear();
            if let Some(call) = self.call.take() {
                tokio::spawn(call.hang_up());
            }
        }
    }

    /// Ends the conversation for both sides (the join link stops working) and stops.
    pub async fn end(mut self) {
        self.signaling.send(ClerkMessage::End).await;
        if let Some(call) = self.call.take() {
            call.hang_up().await;
        }
        self.signaling.close().await;
    }

    /// The next event; `None` when the relay connection stopped for good and no call runs.
    /// Signals are forwarded between relay and engine on the way.
    pub async fn next_event(&mut self) -> Option<ClerkCallEvent> {
        loop {
            if self.admitted
                && let Some(event) = self.held.pop_front()
            {
                return Some(ClerkCallEvent::Call(event));
            }
            let from_call = async {
                match self.call.as_mut() {
                    Some(call) => call.next_event().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                event = self.signaling.next_event() => {
                    let event = event?;
                    if let Some(out) = self.on_signaling(event).await {
                        return Some(out);
                    }
                }
                event = from_call => match event {
                    Some(CallEvent::Signal(signal)) => {
                        self.signaling.send(ClerkMessage::Signal { signal }).await;
                    }
                    Some(event) if self.admitted => return Some(ClerkCallEvent::Call(event)),
                    Some(event) => {
                        if self.held.len() < HELD_EVENTS {
                            self.held.push_back(event);
                        }
                    }
                    None => {
                        self.call = None;
                        self.held.clear();
                    }
                },
            }
        }
    }

    async fn on_signaling(&mut self, event: SignalingEvent) -> Option<ClerkCallEvent> {
        Some(match event {
            SignalingEvent::Connected {
                ice_servers,
                citizen_present,
            } => {
                self.config.ice_servers = ice_servers;
                ClerkCallEvent::RelayConnected { citizen_present }
            }
            SignalingEvent::Disconnected { retry_in } => {
                // A withdrawal while the link is down is never told: the relay repeats a
                // knock that still waits when the link is back, which prepares again.
                self.stop_prepared();
                ClerkCallEvent::RelayDisconnected { retry_in }
            }
            SignalingEvent::Refused { status } => ClerkCallEvent::RelayRefused { status },
            SignalingEvent::Message(message) => match message {
                RelayToClerk::Signal { signal } => {
                    self.confirmed |= self.admitted;
                    if let Some(call) = &self.call {
                        call.handle_signal(signal).await;
                    }
                    return None;
                }
                RelayToClerk::Knock { knock_id, locale } => {
                    ClerkCallEvent::Knock { knock_id, locale }
                }
                RelayToClerk::KnockWithdrawn { .. } => {
                    self.stop_prepared();
                    ClerkCallEvent::KnockWithdrawn
                }
                RelayToClerk::CitizenAway => ClerkCallEvent::CitizenAway,
                RelayToClerk::CitizenBack => ClerkCallEvent::CitizenBack,
                RelayToClerk::CitizenLeft => {
                    if let Some(call) = self.call.take() {
                        if self.admitted {
                            self.last_stats = Some(call.stats());
                        }
                        // In the background, for the same reason as in `stop_prepared`.
                        tokio::spawn(call.hang_up());
                    }
                    self.admitted = false;
                    self.confirmed = false;
                    self.held.clear();
                    ClerkCallEvent::CitizenLeft
                }
                RelayToClerk::Error { code } => {
                    // The admit came too late (the citizen left meanwhile): nobody is let
                    // in, so the engine must not go on as if somebody were.
                    if code == SignalError::OutOfOrder && self.admitted && !self.confirmed {
                        self.admitted = false;
                        self.stop_prepared();
                    }
                    ClerkCallEvent::RelayError(code)
                }
                RelayToClerk::Welcome { .. } => return None,
            },
        })
    }
}
