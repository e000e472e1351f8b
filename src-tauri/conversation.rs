//! The conversation in progress: one task owns the clerk's [`ClerkCall`] (relay link and
//! call engine) and takes commands from the window; what happens streams back as
//! [`ConversationEvent`]s. Video frames do not travel as events: the engine drops each
//! new picture into a [`FrameSlot`], and the picture server (`frame_server`) sends the
//! newest one each time the window has drawn the last (so a busy window skips pictures
//! instead of queueing them).

use crate::error::IpcError;
use balie_call::media::frame::{I420Frame, TimedFrame};
use balie_call::{CallConfig, CallEvent, CallState, ClerkCall, ClerkCallEvent, MediaSource};
use balie_domain::Locale;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, oneshot};
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

/// Which picture a window asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VideoStream {
    /// The citizen.
    Remote,
    /// The clerk's own picture.
    #[serde(rename = "self")]
    SelfView,
}

/// The latest picture of one stream, numbered.
#[derive(Default)]
pub struct FrameSlot {
    latest: Mutex<(u64, Option<Arc<I420Frame>>)>,
    changed: Notify,
}

/// How long `next_after` waits for a newer picture before answering "none yet".
const FRAME_WAIT: Duration = Duration::from_millis(500);

impl FrameSlot {
    pub(crate) fn put(&self, frame: I420Frame) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.0 += 1;
            latest.1 = Some(Arc::new(frame));
        }
        self.changed.notify_waiters();
    }

    fn clear(&self) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.0 += 1;
            latest.1 = None;
        }
        self.changed.notify_waiters();
    }

    /// The first picture numbered above `after`, waiting up to half a second for it; as
    /// bytes: sequence number (u64 LE), width and height (u16 LE each), then the Y, U and V
    /// planes. Empty when no newer picture came.
    pub async fn next_after(&self, after: u64) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + FRAME_WAIT;
        loop {
            let notified = self.changed.notified();
            if let Some((seq, frame)) = self.newer_than(after) {
                let mut out = Vec::with_capacity(12 + frame.data().len());
                out.extend_from_slice(&seq.to_le_bytes());
                out.extend_from_slice(&(frame.width() as u16).to_le_bytes());
                out.extend_from_slice(&(frame.height() as u16).to_le_bytes());
                out.extend_from_slice(frame.data());
                return out;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Vec::new();
            }
        }
    }

    fn newer_than(&self, after: u64) -> Option<(u64, Arc<I420Frame>)> {
        let latest = self.latest.lock().ok()?;
        match &latest.1 {
            Some(frame) if latest.0 > after => Some((latest.0, frame.clone())),
            _ => None,
        }
    }
}

/// The two pictures of the call window.
#[derive(Default)]
pub struct Frames {
    /// The citizen.
    pub remote: FrameSlot,
    /// The clerk (at most 320x240: it is drawn small).
    pub self_view: FrameSlot,
}

impl Frames {
    /// The slot of `stream`.
    pub fn slot(&self, stream: VideoStream) -> &FrameSlot {
        match stream {
            VideoStream::Remote => &self.remote,
            VideoStream::SelfView => &self.self_view,
        }
    }

    /// The engine's configuration with both sinks pointing at these slots, taking sound
    /// from `source`.
    pub fn call_config(self: &Arc<Self>, source: MediaSource, background_blur: bool) -> CallConfig {
        let remote = Arc::clone(self);
        let own = Arc::clone(self);
        CallConfig {
            remote_video: Some(Arc::new(move |f: &TimedFrame| {
                remote.remote.put(f.frame.clone())
            })),
            local_video: Some(Arc::new(move |f: &TimedFrame| {
                let small = if f.frame.width() > 320 {
                    f.frame
                        .scaled(320, f.frame.height() * 320 / f.frame.width())
                } else {
                    f.frame.clone()
                };
                own.self_view.put(small);
            })),
            source,
            background_blur,
            ..CallConfig::default()
        }
    }
}

/// The clerk's chosen devices (`None`: the system default), unless `BALIE_MEDIA=synthetic`
/// asks for the test pattern and tone (tests, demonstrations on machines without devices).
pub fn media_source(choice: &DeviceChoice) -> MediaSource {
    match std::env::var("BALIE_MEDIA").as_deref() {
        Ok("synthetic") => MediaSource::Synthetic,
        _ => MediaSource::Devices {
            camera: choice.camera.clone(),
            microphone: choice.microphone.clone(),
            speaker: choice.speaker.clone(),
        },
    }
}

/// The devices the clerk chose; `None` means the system's default (the first camera).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, TS)]
pub struct DeviceChoice {
    /// Camera name.
    #[ts(optional)]
    pub camera: Option<String>,
    /// Microphone name.
    #[ts(optional)]
    pub microphone: Option<String>,
    /// Speaker name.
    #[ts(optional)]
    pub speaker: Option<String>,
}

/// The devices of this machine and the clerk's choice, for the devices form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeviceList {
    /// Cameras.
    pub cameras: Vec<String>,
    /// Microphones.
    pub microphones: Vec<String>,
    /// Speakers.
    pub speakers: Vec<String>,
    /// What is chosen now.
    pub chosen: DeviceChoice,
}

/// Lists the machine's devices (slow: the sound system and the camera monitor are asked).
pub fn list_devices(chosen: DeviceChoice) -> DeviceList {
    let sound = balie_call::media::devices::list();
    DeviceList {
        cameras: balie_call::media::camera::list(),
        microphones: sound.inputs,
        speakers: sound.outputs,
        chosen,
    }
}

/// What the window asks of the conversation task.
pub(crate) enum Command {
    Admit(String, oneshot::Sender<Result<(), IpcError>>),
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

impl Conversation {
    /// Starts the task for a room.
    pub(crate) fn start(
        mut call: ClerkCall,
        frames: Arc<Frames>,
        background_blur: bool,
        payments: Arc<crate::payments::Payments>,
        room_id: String,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Self {
        let (commands, mut command_rx) = mpsc::channel(32);
        let room = room_id.clone();
        let mut payment_changes = payments.subscribe();
        let task = tokio::spawn(async move {
            // The clerk's latest choice, for a call engine started after it changed.
            let mut blur = background_blur;
            let mut ticker = tokio::time::interval(Duration::from_secs(1));
            let mut last: Option<balie_call::CallStats> = None;
            loop {
                tokio::select! {
                    event = call.next_event() => match event {
                        Some(event) => {
                            if let ClerkCallEvent::CitizenLeft = event {
                                frames.remote.clear();
                                frames.self_view.clear();
                            }
                            if let ClerkCallEvent::Call(CallEvent::ChatReady) = event
                                && let Some(engine) = call.call()
                            {
                                // A new data channel (a new page, or the page came back):
                                // every card of this conversation, as it stands now.
                                for card in payments.cards(&room) {
                                    engine.send_payment(card).await;
                                }
                            }
                            if let Some(event) = ConversationEvent::from_call(event) {
                                on_event(event);
                            }
                        }
                        None => return,
                    },
                    command = command_rx.recv() => match command {
                        Some(Command::Admit(knock_id, reply)) => {
                            let result = call.admit(knock_id).await.map_err(|e| {
                                tracing::warn!(error = %e, "call engine did not start");
                                IpcError::Internal(format!("the call could not start: {e}"))
                            });
                            if let Some(engine) = call.call() { engine.set_background_blur(blur) }
                            let _ = reply.send(result);
                        }
                        Some(Command::Decline(knock_id)) => call.decline(knock_id).await,
                        Some(Command::Chat(text, reply)) => {
                            let id = match call.call_mut() {
                                Some(engine) => Some(engine.send_chat(&text).await),
                                None => None,
                            };
                            let _ = reply.send(id);
                        }
                        Some(Command::Mic(muted)) => {
                            if let Some(engine) = call.call() { engine.set_mic_muted(muted) }
                        }
                        Some(Command::Camera(off)) => {
                            if let Some(engine) = call.call() { engine.set_camera_off(off) }
                        }
                        Some(Command::Blur(on)) => {
                            blur = on;
                            if let Some(engine) = call.call() { engine.set_background_blur(on) }
                        }
                        Some(Command::End(done)) => {
                            call.end().await;
                            frames.remote.clear();
                            frames.self_view.clear();
                            let _ = done.send(());
                            return;
                        }
                        None => {
                            call.end().await;
                            return;
                        }
                    },
                    change = payment_changes.recv() => match change {
                        Ok(view) if view.room_id.as_deref() == Some(room.as_str()) => {
                            if let (Some(engine), Some(card)) = (call.call(), payments.card(&view.id)) {
                                engine.send_payment(card).await;
                            }
                        }
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            if let Some(engine) = call.call() {
                                for card in payments.cards(&room) {
                                    engine.send_payment(card).await;
                                }
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                            payment_changes = payments.subscribe();
                        }
                    },
                    _ = ticker.tick() => {
                        if let Some(stats) = call.call().map(balie_call::Call::stats) {
                            on_event(ConversationEvent::Quality(quality(last.as_ref(), &stats)));
                            last = Some(stats);
                        } else {
                            last = None;
                        }
                    }
                }
            }
        });
        Self {
            commands,
            task,
            room_id,
        }
    }
}

fn quality(last: Option<&balie_call::CallStats>, now: &balie_call::CallStats) -> Quality {
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
    fn from_call(event: ClerkCallEvent) -> Option<Self> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_window_gets_the_newest_picture_or_nothing_after_waiting() {
        let slot = FrameSlot::default();
        assert!(slot.next_after(0).await.is_empty());
        slot.put(I420Frame::black(4, 2));
        slot.put(I420Frame::black(8, 4));
        let bytes = slot.next_after(0).await;
        assert_eq!(u64::from_le_bytes(bytes[..8].try_into().unwrap()), 2);
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 8);
        assert_eq!(u16::from_le_bytes([bytes[10], bytes[11]]), 4);
        assert_eq!(bytes.len(), 12 + 8 * 4 + 2 * 4 * 2);
        // Nothing newer than 2 yet: the window waits, then a new picture wakes it.
        let waiter = slot.next_after(2);
        let (bytes, ()) = tokio::join!(waiter, async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            slot.put(I420Frame::black(4, 2));
        });
        assert_eq!(u64::from_le_bytes(bytes[..8].try_into().unwrap()), 3);
    }
}
