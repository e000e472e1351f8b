//! The call engine: str0m's sans-IO WebRTC core, driven by one tokio task that owns the
//! UDP sockets and the timers, with three plain threads around it for the media (capture
//! and encode video, capture and encode audio, decode video).
//!
//! The cockpit is always the offerer. The citizen page says `ready` when it has a fresh
//! peer connection; the engine then starts a new WebRTC session and offers. A second
//! `ready` (the page was reloaded) replaces the session; a network problem is healed by an
//! ICE restart the engine starts by itself.

use crate::media::camera::Camera;
use crate::media::codec::{AudioDecoder, AudioEncoder, VideoDecoder, VideoEncoder};
use crate::media::devices::{Microphone, Speaker};
use crate::media::frame::TimedFrame;
use crate::media::ladder::Ladder;
use crate::stats::{CallStats, Counters};
use balie_protocol::channel::DataMessage;
use balie_protocol::signaling::{IceServer, Signal};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

mod driver;
mod events;
mod media;
mod network;
mod turn;

use self::driver::Driver;
use self::media::{audio_out, video_in, video_out};
use self::network::{INTERFACE_CHECK, host_addresses, receive_loop};

/// H.264 Constrained Baseline, level 3.1: what every browser decodes in hardware or
/// software, and what OpenH264 encodes.
const H264_PROFILE_LEVEL: u32 = 0x42e01f;

/// How long ICE may stay disconnected before the engine restarts it, and then between
/// restarts while it stays down.
const RESTART_AFTER: Duration = Duration::from_millis(1500);
const RESTART_EVERY: Duration = Duration::from_secs(4);

/// Where the bandwidth estimate starts (and starts again after an outage).
const INITIAL_ESTIMATE: str0m::bwe::Bitrate = str0m::bwe::Bitrate::kbps(600);

/// A frame consumer: the call window's renderer, or a test.
pub type FrameSink = Arc<dyn Fn(&TimedFrame) + Send + Sync>;

/// Where the pictures and sound of the clerk come from, and where the citizen's sound goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MediaSource {
    /// The moving test pattern and a pulsing tone; the citizen's sound is decoded but not
    /// played. For tests, benchmarks and `balie-call-cli`.
    #[default]
    Synthetic,
    /// The machine's camera, microphone and speaker, by name (`None`: the system default,
    /// or the first camera; a camera name `gst:…` is a GStreamer source description). A
    /// device that cannot be opened is replaced by the synthetic source, and
    /// [`CallEvent::Devices`] says so.
    Devices {
        /// Camera name.
        camera: Option<String>,
        /// Microphone name.
        microphone: Option<String>,
        /// Speaker name.
        speaker: Option<String>,
    },
}

/// How to start a call.
#[derive(Clone, Default)]
pub struct CallConfig {
    /// STUN/TURN servers the relay handed out: STUN for server-reflexive candidates, TURN
    /// (UDP, TCP, TLS) for relayed ones.
    pub ice_servers: Vec<IceServer>,
    /// The clerk's camera and microphone.
    pub source: MediaSource,
    /// Local addresses to gather host candidates on; empty means every interface that is
    /// up (loopback only when nothing else is).
    pub bind: Vec<IpAddr>,
    /// Receives each decoded picture of the citizen.
    pub remote_video: Option<FrameSink>,
    /// Receives each picture sent (the self-view).
    pub local_video: Option<FrameSink>,
    /// Starts with the background blurred ([`Call::set_background_blur`] changes it).
    pub background_blur: bool,
}

/// What the engine tells its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// Send this to the citizen through the relay.
    Signal(Signal),
    /// The connection state changed.
    State(CallState),
    /// The chat can be used.
    ChatReady,
    /// A chat line from the citizen.
    Chat {
        /// The citizen page's id for it.
        id: String,
        /// The text (already checked for length).
        text: String,
    },
    /// The citizen page received the chat line with this id.
    ChatDelivered {
        /// From [`Call::send_chat`].
        id: String,
    },
    /// The devices in use (`None`: not available, the synthetic source stands in or the
    /// citizen's sound is not played).
    Devices {
        /// The camera's name.
        camera: Option<String>,
        /// The microphone's name.
        microphone: Option<String>,
        /// The speaker's name.
        speaker: Option<String>,
    },
}

/// Where the call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Waiting for the citizen's page to be ready, or negotiating.
    Connecting,
    /// Media flows.
    Connected,
    /// The path broke; the engine is restarting ICE.
    Reconnecting,
    /// The call is over.
    Ended,
}

/// The engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No UDP socket could be opened.
    #[error("no network interface to call on: {0}")]
    Network(#[from] std::io::Error),
    /// A codec could not be set up.
    #[error(transparent)]
    Codec(#[from] crate::media::codec::CodecError),
}

enum Command {
    Remote(Signal),
    Video(Vec<u8>, Instant),
    Audio(Vec<u8>, u64),
    RequestKeyFrame,
    Chat(String, String),
    Data(String),
    RestartIce,
    HangUp,
}

/// Switches shared with the media threads.
struct Control {
    running: AtomicBool,
    mic_muted: AtomicBool,
    camera_off: AtomicBool,
    background_blur: AtomicBool,
    key_frame: AtomicBool,
    estimate_bps: AtomicU64,
    /// Media written before DTLS is up is dropped, so the threads idle until then.
    connected: AtomicBool,
}

/// One call, clerk side. Dropping it hangs up.
pub struct Call {
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<CallEvent>,
    control: Arc<Control>,
    counters: Arc<Counters>,
    chat_seq: u64,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Call {
    fn drop(&mut self) {
        self.control.running.store(false, Ordering::Relaxed);
        let _ = self.commands.try_send(Command::HangUp);
    }
}

impl Call {
    /// Opens the sockets and starts the engine; it waits for the citizen page's `ready`.
    /// Must be called inside a tokio runtime.
    pub async fn start(config: CallConfig) -> Result<Self, CallError> {
        install_crypto();
        let follow_interfaces = config.bind.is_empty();
        let addrs = if follow_interfaces {
            host_addresses()
        } else {
            config.bind.clone()
        };
        let mut sockets = Vec::new();
        for ip in addrs {
            match UdpSocket::bind(SocketAddr::new(ip, 0)).await {
                Ok(socket) => {
                    if let Ok(addr) = socket.local_addr() {
                        sockets.push((addr, Arc::new(socket)));
                    }
                }
                Err(e) => tracing::debug!(error = %e, "cannot bind a call socket"),
            }
        }
        if sockets.is_empty() {
            return Err(CallError::Network(std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                "no address to bind",
            )));
        }
        // Fail early (and in the caller's hands) when a codec cannot start.
        let video_encoder = VideoEncoder::new(Ladder::new().rung())?;
        let audio_encoder = AudioEncoder::new()?;
        let video_decoder = VideoDecoder::new()?;
        let audio_decoder = AudioDecoder::new()?;
        let (camera, microphone, speaker) = open_devices(&config.source).await;
        let devices = CallEvent::Devices {
            camera: camera.as_ref().map(|c| c.name().to_owned()),
            microphone: microphone.as_ref().map(|m| m.name().to_owned()),
            speaker: speaker.as_ref().map(|s| s.name().to_owned()),
        };

        let (commands, command_rx) = mpsc::channel(256);
        let (event_tx, events) = mpsc::channel(256);
        let (packet_tx, packet_rx) = mpsc::channel(1024);
        let control = Arc::new(Control {
            running: AtomicBool::new(true),
            mic_muted: AtomicBool::new(false),
            camera_off: AtomicBool::new(false),
            background_blur: AtomicBool::new(config.background_blur),
            key_frame: AtomicBool::new(true),
            estimate_bps: AtomicU64::new(0),
            connected: AtomicBool::new(false),
        });
        let counters = Arc::new(Counters::new());

        for (addr, socket) in &sockets {
            tokio::spawn(receive_loop(*addr, socket.clone(), packet_tx.clone()));
        }
        let (decode_tx, decode_rx) = std::sync::mpsc::sync_channel::<Arc<[u8]>>(64);
        let mut threads = Vec::new();
        threads.push(spawn_thread("balie-video-out", {
            let (commands, control, counters) =
                (commands.clone(), control.clone(), counters.clone());
            let sink = config.local_video.clone();
            move || video_out(video_encoder, camera, commands, control, counters, sink)
        })?);
        threads.push(spawn_thread("balie-audio-out", {
            let (commands, control) = (commands.clone(), control.clone());
            move || audio_out(audio_encoder, microphone, commands, control)
        })?);
        threads.push(spawn_thread("balie-video-in", {
            let (commands, counters) = (commands.clone(), counters.clone());
            let sink = config.remote_video.clone();
            move || video_in(video_decoder, decode_rx, commands, counters, sink)
        })?);

        let (turn_reports, turn_rx) = mpsc::channel(16);
        let turn_servers = turn::servers(&config.ice_servers);
        let turn = turn_servers
            .iter()
            .map(|server| {
                turn::TurnLink::start(server.clone(), packet_tx.clone(), turn_reports.clone())
            })
            .collect();
        let driver = Driver {
            sockets,
            turn_servers,
            turn,
            turn_reports,
            relayed: Vec::new(),
            session: None,
            events: event_tx,
            control: control.clone(),
            counters: counters.clone(),
            decode: decode_tx,
            audio_decoder,
            speaker,
            started: Instant::now(),
            stun_servers: config
                .ice_servers
                .iter()
                .flat_map(|server| server.urls.iter())
                .filter_map(|url| crate::stun::server_of(url))
                .collect(),
            stun_pending: Vec::new(),
            reflexive: Vec::new(),
            follow_interfaces,
            next_interface_check: Instant::now() + INTERFACE_CHECK,
            packet_tx,
        };
        let _ = driver.events.send(devices).await;
        tokio::spawn(driver.run(command_rx, packet_rx, turn_rx));
        Ok(Self {
            commands,
            events,
            control,
            counters,
            chat_seq: 0,
            threads,
        })
    }

    /// The next event; `None` after the call ended.
    pub async fn next_event(&mut self) -> Option<CallEvent> {
        self.events.recv().await
    }

    /// Hands over a negotiation message that came from the citizen through the relay.
    pub async fn handle_signal(&self, signal: Signal) {
        let _ = self.commands.send(Command::Remote(signal)).await;
    }

    /// Sends a chat line; returns its id, which a later [`CallEvent::ChatDelivered`]
    /// confirms.
    pub async fn send_chat(&mut self, text: &str) -> String {
        self.chat_seq += 1;
        let id = format!("k{}", self.chat_seq);
        let _ = self
            .commands
            .send(Command::Chat(id.clone(), text.to_owned()))
            .await;
        id
    }

    /// Sends a payment card to the citizen page (dropped when the data channel is not
    /// open; the card is sent again whole when it opens, see [`CallEvent::ChatReady`]).
    pub async fn send_payment(&self, card: balie_protocol::channel::PaymentCard) {
        let message = DataMessage::Payment { card }.to_json();
        let _ = self.commands.send(Command::Data(message)).await;
    }

    /// Mutes or unmutes the microphone (silence is sent while muted).
    pub fn set_mic_muted(&self, muted: bool) {
        self.control.mic_muted.store(muted, Ordering::Relaxed);
    }

    /// Turns the camera off (a black picture is sent) or on.
    pub fn set_camera_off(&self, off: bool) {
        self.control.camera_off.store(off, Ordering::Relaxed);
    }

    /// Turns the background blur on or off: the person stays sharp, the room behind is
    /// blurred (see [`crate::media::blur`]).
    pub fn set_background_blur(&self, on: bool) {
        self.control.background_blur.store(on, Ordering::Relaxed);
    }

    /// Restarts ICE now (the cockpit calls this when the network changed).
    pub async fn restart_ice(&self) {
        let _ = self.commands.send(Command::RestartIce).await;
    }

    /// The call's figures so far.
    pub fn stats(&self) -> CallStats {
        self.counters.snapshot()
    }

    /// Ends the call and waits for the media threads to stop.
    pub async fn hang_up(mut self) {
        // The flag stops the driver and the media threads even when the command queue is
        // full, so nothing here waits on a queue.
        self.control.running.store(false, Ordering::Relaxed);
        let _ = self.commands.try_send(Command::HangUp);
        let threads = std::mem::take(&mut self.threads);
        let joined = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        });
        // Whatever a device or codec does, the conversation goes on after five seconds.
        if tokio::time::timeout(Duration::from_secs(5), joined)
            .await
            .is_err()
        {
            tracing::warn!("the call's media threads took more than 5 s to stop");
        }
    }
}

/// Opens the devices `source` names (off the async threads: opening can take a while); a
/// device that fails is logged and left out.
async fn open_devices(
    source: &MediaSource,
) -> (Option<Camera>, Option<Microphone>, Option<Speaker>) {
    let MediaSource::Devices {
        camera,
        microphone,
        speaker,
    } = source.clone()
    else {
        return (None, None, None);
    };
    tokio::task::spawn_blocking(move || {
        let top = crate::media::ladder::RUNGS[0];
        let camera = Camera::open(
            camera.as_deref(),
            top.width as u32,
            top.height as u32,
            top.fps,
        )
        .map_err(|e| tracing::warn!(error = %e, "no camera; sending a test pattern"))
        .ok();
        let microphone = Microphone::open(microphone.as_deref())
            .map_err(|e| tracing::warn!(error = %e, "no microphone; sending a test tone"))
            .ok();
        let speaker = Speaker::open(speaker.as_deref())
            .map_err(|e| tracing::warn!(error = %e, "no speaker; the citizen is not heard"))
            .ok();
        (camera, microphone, speaker)
    })
    .await
    .unwrap_or((None, None, None))
}

fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

fn spawn_thread(
    name: &str,
    f: impl FnOnce() + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name(name.into()).spawn(f)
}
