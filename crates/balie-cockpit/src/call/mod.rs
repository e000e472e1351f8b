//! The conversation in progress: one task owns the clerk's [`ClerkCall`] (relay link and
//! call engine) and takes [`Command`]s from the window; what happens streams back as
//! [`ConversationEvent`]s. The task has one `on_*` method per kind of input: an event of
//! the call, a command of the window, a payment that moved, the once-a-second tick.
//!
//! - [`events`]: what the call window is told.
//! - [`frames`]: the newest picture of each stream; [`frame_server`] sends them to the
//!   window over a keyed loopback WebSocket (the WebGL fallback); [`paint`] scales and
//!   converts them for a native surface over the window (the default where there is one).
//! - [`devices`]: the machine's cameras, microphones and speakers.

pub mod devices;
pub mod events;
pub mod frame_server;
pub mod frames;
pub mod paint;

use crate::error::CockpitError;
use crate::payments::{PaymentView, Payments};
use balie_call::{CallEvent, CallStats, ClerkCall, ClerkCallEvent};
use balie_domain::Locale;
use events::ConversationEvent;
use frames::Frames;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{mpsc, oneshot};

/// What the window asks of the conversation task.
pub(crate) enum Command {
    Admit(String, oneshot::Sender<Result<(), CockpitError>>),
    Decline(String),
    Chat(String, oneshot::Sender<Option<String>>),
    Mic(bool),
    Camera(bool),
    Blur(bool),
    End(oneshot::Sender<()>),
}

/// Handle on the running conversation task.
pub(crate) struct Conversation {
    pub(crate) commands: mpsc::Sender<Command>,
    pub(crate) task: tokio::task::JoinHandle<()>,
    /// The relay's room.
    pub(crate) room_id: String,
}

/// The conversation in progress as the other features see it: its room and the language
/// of the citizen's page (from the knock). Cases and payments read it; only the
/// conversation's lifecycle in [`crate::Cockpit`] changes it.
#[derive(Clone, Default)]
pub struct CurrentRoom {
    inner: Arc<Mutex<Option<RoomState>>>,
}

#[derive(Clone)]
struct RoomState {
    room_id: String,
    citizen_locale: Option<Locale>,
}

impl CurrentRoom {
    /// The room of the conversation in progress.
    pub fn room_id(&self) -> Option<String> {
        self.inner.lock().ok()?.as_ref().map(|r| r.room_id.clone())
    }

    /// The language of the citizen's page in the conversation in progress.
    pub fn citizen_locale(&self) -> Option<Locale> {
        self.inner.lock().ok()?.as_ref()?.citizen_locale
    }

    pub(crate) fn begin(&self, room_id: &str) {
        if let Ok(mut slot) = self.inner.lock() {
            *slot = Some(RoomState {
                room_id: room_id.to_owned(),
                citizen_locale: None,
            });
        }
    }

    pub(crate) fn citizen_knocked(&self, locale: Locale) {
        if let Ok(mut slot) = self.inner.lock()
            && let Some(room) = slot.as_mut()
        {
            room.citizen_locale = Some(locale);
        }
    }

    pub(crate) fn end(&self) {
        if let Ok(mut slot) = self.inner.lock() {
            *slot = None;
        }
    }
}

/// The task's state: the call, and what it needs to serve the window and the citizen.
struct ConversationTask<F> {
    call: ClerkCall,
    frames: Arc<Frames>,
    payments: Arc<Payments>,
    room: String,
    /// The clerk's latest choice, for a call engine started after it changed.
    blur: bool,
    /// The statistics of the last tick, for rates.
    last_stats: Option<CallStats>,
    on_event: F,
}

impl Conversation {
    /// Starts the task for a room.
    pub(crate) fn start(
        call: ClerkCall,
        frames: Arc<Frames>,
        background_blur: bool,
        payments: Arc<Payments>,
        room_id: String,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Self {
        let (commands, command_rx) = mpsc::channel(32);
        let task = ConversationTask {
            call,
            frames,
            payments,
            room: room_id.clone(),
            blur: background_blur,
            last_stats: None,
            on_event,
        };
        Self {
            commands,
            task: tokio::spawn(task.run(command_rx)),
            room_id,
        }
    }
}

/// How the task goes on after an input.
enum Next {
    /// Wait for the next input.
    Continue,
    /// The call is over by itself: stop.
    Stop,
    /// Hang up, then stop; tell the sender when the call has ended, if one waits.
    HangUp(Option<oneshot::Sender<()>>),
}

impl<F: Fn(ConversationEvent) + Send + 'static> ConversationTask<F> {
    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut payment_changes = self.payments.subscribe();
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        loop {
            let next = tokio::select! {
                event = self.call.next_event() => match event {
                    Some(event) => {
                        self.on_call_event(event).await;
                        Next::Continue
                    }
                    None => Next::Stop,
                },
                command = commands.recv() => self.on_command(command).await,
                change = payment_changes.recv() => {
                    if let Err(RecvError::Closed) = change {
                        payment_changes = self.payments.subscribe();
                    }
                    self.on_payment_change(change).await;
                    Next::Continue
                }
                _ = ticker.tick() => {
                    self.on_tick();
                    Next::Continue
                }
            };
            match next {
                Next::Continue => {}
                Next::Stop => return,
                Next::HangUp(done) => {
                    self.call.end().await;
                    if let Some(done) = done {
                        self.frames.remote.clear();
                        self.frames.self_view.clear();
                        let _ = done.send(());
                    }
                    return;
                }
            }
        }
    }

    async fn on_call_event(&mut self, event: ClerkCallEvent) {
        let knock = matches!(event, ClerkCallEvent::Knock { .. });
        match event {
            // Nothing of this citizen's (or the clerk's) picture stays for the next one.
            ClerkCallEvent::CitizenLeft | ClerkCallEvent::KnockWithdrawn => {
                self.frames.remote.clear();
                self.frames.self_view.clear();
            }
            _ => {}
        }
        if let ClerkCallEvent::Call(CallEvent::ChatReady) = event {
            // A new data channel (a new page, or the page came back): every card of this
            // conversation, as it stands now.
            self.send_every_card().await;
        }
        if let Some(event) = ConversationEvent::from_call(event) {
            (self.on_event)(event);
        }
        // Once the clerk was told of the knock, the engine starts: camera, microphone and
        // codecs are then ready when the clerk lets the citizen in (nothing is sent
        // before). Should it fail, admitting tries again and says why.
        if knock && let Err(e) = self.call.prepare().await {
            tracing::info!(error = %e, "call engine not prepared at the knock");
        }
    }

    async fn on_command(&mut self, command: Option<Command>) -> Next {
        let call = &mut self.call;
        match command {
            Some(Command::Admit(knock_id, reply)) => {
                let result = call.admit(knock_id).await.map_err(|e| {
                    tracing::warn!(error = %e, "call engine did not start");
                    CockpitError::Internal(format!("the call could not start: {e}"))
                });
                if let Some(engine) = call.call() {
                    engine.set_background_blur(self.blur);
                }
                let _ = reply.send(result);
            }
            Some(Command::Decline(knock_id)) => {
                call.decline(knock_id).await;
                self.frames.remote.clear();
                self.frames.self_view.clear();
            }
            Some(Command::Chat(text, reply)) => {
                let id = match call.call_mut() {
                    Some(engine) => Some(engine.send_chat(&text).await),
                    None => None,
                };
                let _ = reply.send(id);
            }
            Some(Command::Mic(muted)) => {
                if let Some(engine) = call.call() {
                    engine.set_mic_muted(muted);
                }
            }
            Some(Command::Camera(off)) => {
                if let Some(engine) = call.call() {
                    engine.set_camera_off(off);
                }
            }
            Some(Command::Blur(on)) => {
                self.blur = on;
                if let Some(engine) = call.call() {
                    engine.set_background_blur(on);
                }
            }
            Some(Command::End(done)) => return Next::HangUp(Some(done)),
            // The cockpit dropped the conversation without ending it.
            None => return Next::HangUp(None),
        }
        Next::Continue
    }

    async fn on_payment_change(&mut self, change: Result<PaymentView, RecvError>) {
        match change {
            Ok(view) if view.room_id.as_deref() == Some(self.room.as_str()) => {
                if let (Some(engine), Some(card)) = (self.call.call(), self.payments.card(&view.id))
                {
                    engine.send_payment(card).await;
                }
            }
            Ok(_) | Err(RecvError::Closed) => {}
            // Changes were missed: send every card as it stands.
            Err(RecvError::Lagged(_)) => self.send_every_card().await,
        }
    }

    fn on_tick(&mut self) {
        if let Some(stats) = self.call.call().map(balie_call::Call::stats) {
            (self.on_event)(ConversationEvent::Quality(events::quality(
                self.last_stats.as_ref(),
                &stats,
            )));
            self.last_stats = Some(stats);
        } else {
            self.last_stats = None;
        }
    }

    async fn send_every_card(&mut self) {
        if let Some(engine) = self.call.call() {
            for card in self.payments.cards(&self.room) {
                engine.send_payment(card).await;
            }
        }
    }
}
