//! The call engine: str0m's sans-IO WebRTC core, driven by one tokio task that owns the
//! UDP sockets and the timers, with three plain threads around it for the media (capture
//! and encode video, capture and encode audio, decode video).
//!
//! The cockpit is always the offerer. The citizen page says `ready` when it has a fresh
//! peer connection; the engine then starts a new WebRTC session and offers. A second
//! `ready` (the page was reloaded) replaces the session; a network problem is healed by an
//! ICE restart the engine starts by itself.

use crate::media::blur::BackgroundBlur;
use crate::media::camera::Camera;
use crate::media::codec::{AudioDecoder, AudioEncoder, VideoDecoder, VideoEncoder};
use crate::media::devices::{Microphone, Speaker};
use crate::media::frame::{I420Frame, TimedFrame};
use crate::media::ladder::Ladder;
use crate::media::synthetic::{FRAME_SAMPLES, TestPattern, TestTone};
use crate::stats::{CallStats, Counters};
use balie_protocol::channel::{DATA_CHANNEL_LABEL, DataMessage};
use balie_protocol::signaling::{IceServer, Signal};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::format::Codec;
use str0m::media::{Direction, KeyframeRequestKind, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

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
    /// STUN/TURN servers the relay handed out (for server-reflexive candidates).
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

        let driver = Driver {
            sockets,
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
        tokio::spawn(driver.run(command_rx, packet_rx));
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

/// Addresses to offer host candidates on: every IPv4/IPv6 address that is up, without
/// link-local ones; loopback only when there is nothing else.
fn host_addresses() -> Vec<IpAddr> {
    let all: Vec<IpAddr> = if_addrs::get_if_addrs()
        .map(|ifs| ifs.into_iter().map(|i| i.ip()).collect())
        .unwrap_or_default();
    let link_local = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    let usable: Vec<IpAddr> = all
        .iter()
        .copied()
        .filter(|ip| !ip.is_loopback() && !link_local(ip) && !ip.is_unspecified())
        .collect();
    if usable.is_empty() {
        vec![IpAddr::from([127, 0, 0, 1])]
    } else {
        usable
    }
}

/// Addresses that came and went between two looks at the interfaces.
#[derive(Debug, PartialEq, Eq)]
struct NetworkChange {
    added: Vec<IpAddr>,
    removed: Vec<IpAddr>,
}

impl NetworkChange {
    /// `None` when nothing changed. The loopback stand-in that `host_addresses` gives when
    /// nothing else is up counts like any address.
    fn between(before: &[IpAddr], now: &[IpAddr]) -> Option<Self> {
        let added: Vec<IpAddr> = now
            .iter()
            .filter(|a| !before.contains(a))
            .copied()
            .collect();
        let removed: Vec<IpAddr> = before
            .iter()
            .filter(|a| !now.contains(a))
            .copied()
            .collect();
        (!added.is_empty() || !removed.is_empty()).then_some(Self { added, removed })
    }
}

struct Packet {
    local: SocketAddr,
    source: SocketAddr,
    data: Vec<u8>,
    at: Instant,
}

async fn receive_loop(local: SocketAddr, socket: Arc<UdpSocket>, packets: mpsc::Sender<Packet>) {
    let mut buf = vec![0u8; 2048];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, source)) => {
                let packet = Packet {
                    local,
                    source,
                    data: buf[..n].to_vec(),
                    at: Instant::now(),
                };
                if packets.send(packet).await.is_err() {
                    return;
                }
            }
            // ICMP errors (port unreachable after the peer left) surface here; keep going.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => {
                tracing::debug!(error = %e, "call socket closed");
                return;
            }
        }
    }
}

/// One WebRTC session with the citizen page's current peer connection.
struct Session {
    rtc: Rtc,
    pending: Option<SdpPendingOffer>,
    video: Mid,
    audio: Mid,
    channel: Option<ChannelId>,
    video_pt: Option<str0m::format::PayloadParams>,
    audio_pt: Option<str0m::format::PayloadParams>,
    ice_connected: bool,
    dtls_connected: bool,
    down_since: Option<Instant>,
    next_restart: Option<Instant>,
    restart_queued: bool,
    /// When the last packet of the other side arrived.
    last_heard: Instant,
}

/// Silence from the other side after which the path counts as broken. Browsers send
/// media, RTCP and consent checks continuously, so a second without anything is telling.
const STALL_AFTER: Duration = Duration::from_secs(1);

impl Session {
    /// Whether the other side has been silent since [`STALL_AFTER`] with DTLS up.
    fn stalled(&self) -> bool {
        self.dtls_connected && self.last_heard.elapsed() > STALL_AFTER
    }
}

struct Driver {
    /// The call's UDP sockets with their local addresses (looked up once, not per packet).
    sockets: Vec<(SocketAddr, Arc<UdpSocket>)>,
    session: Option<Session>,
    events: mpsc::Sender<CallEvent>,
    control: Arc<Control>,
    counters: Arc<Counters>,
    decode: std::sync::mpsc::SyncSender<Arc<[u8]>>,
    audio_decoder: AudioDecoder,
    speaker: Option<Speaker>,
    started: Instant,
    /// STUN servers to learn our public address from.
    stun_servers: Vec<String>,
    /// Binding requests in flight.
    stun_pending: Vec<StunRequest>,
    /// Server-reflexive candidates learnt so far (offered in every new session).
    reflexive: Vec<Candidate>,
    /// Whether to follow the machine's interfaces (not when told which addresses to use).
    follow_interfaces: bool,
    next_interface_check: Instant,
    /// For the receive loops of sockets opened later.
    packet_tx: mpsc::Sender<Packet>,
}

/// How often the engine looks whether the machine's addresses changed.
const INTERFACE_CHECK: Duration = Duration::from_secs(2);

/// One STUN Binding request in flight.
struct StunRequest {
    id: crate::stun::TransactionId,
    local: SocketAddr,
    server: SocketAddr,
    sent: u32,
    next: Instant,
}

/// Tries per Binding request, and the wait after each.
const STUN_TRIES: u32 = 3;
const STUN_RETRY: Duration = Duration::from_millis(500);

impl Driver {
    async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut packets: mpsc::Receiver<Packet>,
    ) {
        let _ = self
            .events
            .send(CallEvent::State(CallState::Connecting))
            .await;
        self.gather_reflexive().await;
        while self.control.running.load(Ordering::Relaxed) {
            let deadline = self.poll().await;
            self.check_restart(Instant::now()).await;
            let sleep = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline));
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::HangUp) | None => break,
                    Some(command) => self.on_command(command).await,
                },
                Some(packet) = packets.recv() => {
                    if !self.on_stun_response(&packet).await {
                        self.on_packet(packet);
                    }
                }
                () = sleep => {
                    let now = Instant::now();
                    if let Some(session) = &mut self.session {
                        let _ = session.rtc.handle_input(Input::Timeout(now));
                    }
                    self.retry_stun(now);
                    if self.follow_interfaces && now >= self.next_interface_check {
                        self.next_interface_check = now + INTERFACE_CHECK;
                        self.follow_network().await;
                    }
                }
            }
        }
        if let Some(session) = &mut self.session {
            session.rtc.disconnect();
        }
        self.control.running.store(false, Ordering::Relaxed);
        // Not awaited: whoever owns the call may be waiting for this task to end.
        let _ = self.events.try_send(CallEvent::State(CallState::Ended));
    }

    /// The socket bound to `local`.
    fn socket(&self, local: SocketAddr) -> Option<&Arc<UdpSocket>> {
        self.sockets
            .iter()
            .find(|(a, _)| *a == local)
            .map(|(_, s)| s)
    }

    /// Runs str0m until it wants time to pass; returns when to wake it.
    async fn poll(&mut self) -> Instant {
        let fallback = Instant::now() + Duration::from_millis(500);
        let mut out_events = Vec::new();
        let deadline = loop {
            let Some(session) = &mut self.session else {
                break fallback;
            };
            match session.rtc.poll_output() {
                Ok(Output::Timeout(t)) => break t.min(fallback),
                Ok(Output::Transmit(t)) => {
                    if let Some(socket) = self.socket(t.source) {
                        let _ = socket.try_send_to(&t.contents, t.destination);
                    }
                }
                Ok(Output::Event(event)) => out_events.push(event),
                Err(e) => {
                    tracing::warn!(error = %e, "call session failed; waiting for a new one");
                    self.session = None;
                    self.control.connected.store(false, Ordering::Relaxed);
                    let _ = self
                        .events
                        .send(CallEvent::State(CallState::Reconnecting))
                        .await;
                    break fallback;
                }
            }
            if !out_events.is_empty() {
                // Handle events as they come: some (channel open) write back into str0m.
                for event in out_events.drain(..) {
                    self.on_event(event).await;
                }
            }
        };
        let deadline = self
            .stun_pending
            .iter()
            .map(|r| r.next)
            .fold(deadline, Instant::min);
        let deadline = if self.follow_interfaces {
            deadline.min(self.next_interface_check)
        } else {
            deadline
        };
        if let Some(restart) = self.session.as_ref().and_then(|s| s.next_restart) {
            return deadline.min(restart);
        }
        deadline
    }

    /// The machine's addresses changed (Wi-Fi to cable, a VPN, a new DHCP lease): open
    /// sockets on the new ones, drop those whose address is gone, learn the public address
    /// again and restart ICE so the citizen's browser hears of the new candidates.
    async fn follow_network(&mut self) {
        let now_addrs = host_addresses();
        let current: Vec<IpAddr> = self.sockets.iter().map(|(a, _)| a.ip()).collect();
        let Some(change) = NetworkChange::between(&current, &now_addrs) else {
            return;
        };
        tracing::info!(
            added = change.added.len(),
            removed = change.removed.len(),
            "network changed; restarting ICE"
        );
        self.sockets
            .retain(|(a, _)| !change.removed.contains(&a.ip()));
        let mut new_candidates = Vec::new();
        for ip in change.added {
            match UdpSocket::bind(SocketAddr::new(ip, 0)).await {
                Ok(socket) => {
                    let Ok(addr) = socket.local_addr() else {
                        continue;
                    };
                    let socket = Arc::new(socket);
                    tokio::spawn(receive_loop(addr, socket.clone(), self.packet_tx.clone()));
                    if let Ok(candidate) = Candidate::host(addr, "udp") {
                        new_candidates.push(candidate);
                    }
                    self.sockets.push((addr, socket));
                }
                Err(e) => tracing::debug!(error = %e, "cannot bind a call socket"),
            }
        }
        self.reflexive.clear();
        if let Some(session) = &mut self.session {
            for candidate in new_candidates {
                session.rtc.add_local_candidate(candidate);
            }
        }
        self.restart_ice().await;
    }

    /// Sends a Binding request from every socket to every STUN server of its address
    /// family.
    async fn gather_reflexive(&mut self) {
        let now = Instant::now();
        for server in std::mem::take(&mut self.stun_servers) {
            let Ok(addresses) = tokio::net::lookup_host(&server).await else {
                tracing::debug!(server, "STUN server not found");
                continue;
            };
            for address in addresses {
                for &(local, _) in &self.sockets {
                    if local.is_ipv4() != address.is_ipv4()
                        || local.ip().is_loopback() != address.ip().is_loopback()
                    {
                        continue;
                    }
                    self.stun_pending.push(StunRequest {
                        id: crate::stun::new_transaction_id(),
                        local,
                        server: address,
                        sent: 0,
                        next: now,
                    });
                }
            }
        }
        self.retry_stun(now);
    }

    /// (Re)sends the Binding requests that are due; gives up after [`STUN_TRIES`].
    fn retry_stun(&mut self, now: Instant) {
        self.stun_pending
            .retain(|r| r.sent < STUN_TRIES || r.next > now);
        for request in &mut self.stun_pending {
            if request.next > now || request.sent >= STUN_TRIES {
                continue;
            }
            if let Some((_, socket)) = self.sockets.iter().find(|(a, _)| *a == request.local) {
                let _ =
                    socket.try_send_to(&crate::stun::binding_request(&request.id), request.server);
            }
            request.sent += 1;
            request.next = now + STUN_RETRY * request.sent;
        }
    }

    /// A Binding response for one of our requests: learn the public address and offer it.
    async fn on_stun_response(&mut self, packet: &Packet) -> bool {
        let Some(id) = crate::stun::success_transaction(&packet.data) else {
            return false;
        };
        let Some(index) = self.stun_pending.iter().position(|r| r.id == id) else {
            return false;
        };
        let request = self.stun_pending.swap_remove(index);
        let Some(mapped) = crate::stun::mapped_address(&packet.data, &id) else {
            return true;
        };
        if mapped == request.local || self.reflexive.iter().any(|c| c.addr() == mapped) {
            return true;
        }
        let Ok(candidate) = Candidate::server_reflexive(mapped, request.local, "udp") else {
            return true;
        };
        tracing::info!("public address learnt through STUN");
        self.reflexive.push(candidate.clone());
        if let Some(session) = &mut self.session {
            let line = candidate.to_sdp_string();
            session.rtc.add_local_candidate(candidate);
            let mid = session.video.to_string();
            let _ = self
                .events
                .send(CallEvent::Signal(Signal::Candidate {
                    candidate: line,
                    sdp_mid: Some(mid),
                    sdp_m_line_index: Some(0),
                }))
                .await;
        }
        true
    }

    fn on_packet(&mut self, packet: Packet) {
        let Some(session) = &mut self.session else {
            return;
        };
        let Ok(contents) = packet.data.as_slice().try_into() else {
            return;
        };
        let input = Input::Receive(
            packet.at,
            Receive {
                proto: Protocol::Udp,
                source: packet.source,
                destination: packet.local,
                contents,
            },
        );
        if session.rtc.accepts(&input) {
            session.last_heard = packet.at;
            if let Err(e) = session.rtc.handle_input(input) {
                tracing::debug!(error = %e, "packet refused");
            }
        }
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Remote(signal) => self.on_signal(signal).await,
            Command::Video(data, captured) => {
                let Some(session) = &mut self.session else {
                    return;
                };
                let (Some(params), true) = (session.video_pt, session.dtls_connected) else {
                    return;
                };
                if session.stalled() {
                    // Nothing gets through: queueing pictures would only delay the ones
                    // after the path heals. Start again from a key frame then.
                    self.control.key_frame.store(true, Ordering::Relaxed);
                    return;
                }
                let rtp_time = media_time_90k(captured.saturating_duration_since(self.started));
                if let Some(writer) = session.rtc.writer(session.video)
                    && writer.write(params.pt(), captured, rtp_time, data).is_ok()
                {
                    Counters::bump(&self.counters.video_frames_sent);
                }
            }
            Command::Audio(data, sample_index) => {
                let Some(session) = &mut self.session else {
                    return;
                };
                let (Some(params), true) = (session.audio_pt, session.dtls_connected) else {
                    return;
                };
                if session.stalled() {
                    return;
                }
                let rtp_time =
                    MediaTime::new(sample_index, str0m::media::Frequency::FORTY_EIGHT_KHZ);
                if let Some(writer) = session.rtc.writer(session.audio)
                    && writer
                        .write(params.pt(), Instant::now(), rtp_time, data)
                        .is_ok()
                {
                    Counters::bump(&self.counters.audio_packets_sent);
                }
            }
            Command::RequestKeyFrame => {
                let Some(session) = &mut self.session else {
                    return;
                };
                if let Some(mut writer) = session.rtc.writer(session.video)
                    && writer
                        .request_keyframe(None, KeyframeRequestKind::Pli)
                        .is_ok()
                {
                    Counters::bump(&self.counters.key_frames_requested);
                }
            }
            Command::Chat(id, text) => {
                let Some(session) = &mut self.session else {
                    return;
                };
                let Some(channel_id) = session.channel else {
                    return;
                };
                let message = DataMessage::Chat { id, text }.to_json();
                if let Some(mut channel) = session.rtc.channel(channel_id)
                    && channel.write(false, message.as_bytes()).is_ok()
                {
                    Counters::bump(&self.counters.chat_sent);
                }
            }
            Command::Data(message) => {
                let Some(session) = &mut self.session else {
                    return;
                };
                if let Some(channel_id) = session.channel
                    && let Some(mut channel) = session.rtc.channel(channel_id)
                {
                    let _ = channel.write(false, message.as_bytes());
                }
            }
            Command::RestartIce => self.restart_ice().await,
            Command::HangUp => {}
        }
    }

    async fn on_signal(&mut self, signal: Signal) {
        match signal {
            Signal::Ready => self.new_session().await,
            Signal::Answer { sdp } => {
                let Some(session) = &mut self.session else {
                    return;
                };
                let Some(pending) = session.pending.take() else {
                    tracing::debug!("answer without an offer");
                    return;
                };
                let answer = match SdpAnswer::from_sdp_string(&sdp) {
                    Ok(answer) => answer,
                    Err(e) => {
                        tracing::warn!(error = %e, "unreadable answer");
                        return;
                    }
                };
                if let Err(e) = session.rtc.sdp_api().accept_answer(pending, answer) {
                    tracing::warn!(error = %e, "answer refused");
                    return;
                }
                // The answer fixes the payload types both sides use.
                session.video_pt = negotiated(&mut session.rtc, session.video, Codec::H264);
                session.audio_pt = negotiated(&mut session.rtc, session.audio, Codec::Opus);
                if session.restart_queued {
                    session.restart_queued = false;
                    self.restart_ice().await;
                }
            }
            Signal::Candidate { candidate, .. } => {
                let Some(session) = &mut self.session else {
                    return;
                };
                let line = candidate.trim();
                if line.is_empty() {
                    return;
                }
                let line = line.strip_prefix("a=").unwrap_or(line);
                match Candidate::from_sdp_string(line) {
                    Ok(c) => session.rtc.add_remote_candidate(c),
                    // e.g. mDNS `.local` names, which str0m cannot resolve; the browser's
                    // server-reflexive candidate covers those.
                    Err(e) => tracing::debug!(error = %e, "remote candidate skipped"),
                }
            }
            Signal::EndOfCandidates => {}
            Signal::Offer { .. } => {
                tracing::debug!("offer from the citizen ignored: the cockpit offers")
            }
        }
    }

    async fn new_session(&mut self) {
        let now = Instant::now();
        let mut config = Rtc::builder()
            .clear_codecs()
            .enable_opus(true, false)
            .enable_bwe(Some(INITIAL_ESTIMATE))
            .set_stats_interval(Some(Duration::from_secs(1)));
        config
            .codec_config()
            .add_h264(108.into(), Some(109.into()), true, H264_PROFILE_LEVEL);
        let mut rtc = config.build(now);
        rtc.bwe().set_bitrate(
            str0m::bwe::Bitrate::kbps(150),
            str0m::bwe::Bitrate::kbps(1000),
        );
        for (addr, _) in &self.sockets {
            if let Ok(candidate) = Candidate::host(*addr, "udp") {
                rtc.add_local_candidate(candidate);
            }
        }
        for candidate in &self.reflexive {
            rtc.add_local_candidate(candidate.clone());
        }
        let mut api = rtc.sdp_api();
        let video = api.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
        let audio = api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        api.add_channel(DATA_CHANNEL_LABEL.to_owned());
        let Some((offer, pending)) = api.apply() else {
            tracing::warn!("no offer could be made");
            return;
        };
        self.session = Some(Session {
            rtc,
            pending: Some(pending),
            video,
            audio,
            channel: None,
            video_pt: None,
            audio_pt: None,
            ice_connected: false,
            dtls_connected: false,
            down_since: None,
            next_restart: None,
            restart_queued: false,
            last_heard: now,
        });
        self.control.connected.store(false, Ordering::Relaxed);
        self.counters.mark(|m| {
            m.offer_sent = Some(now);
            m.connected = None;
            m.first_remote_frame = None;
            m.first_remote_audio = None;
        });
        let _ = self
            .events
            .send(CallEvent::State(CallState::Connecting))
            .await;
        let _ = self
            .events
            .send(CallEvent::Signal(Signal::Offer {
                sdp: offer.to_sdp_string(),
            }))
            .await;
    }

    async fn restart_ice(&mut self) {
        let Some(session) = &mut self.session else {
            return;
        };
        if session.pending.is_some() {
            session.restart_queued = true;
            return;
        }
        let mut api = session.rtc.sdp_api();
        api.ice_restart(true);
        let Some((offer, pending)) = api.apply() else {
            return;
        };
        session.pending = Some(pending);
        Counters::bump(&self.counters.ice_restarts);
        let _ = self
            .events
            .send(CallEvent::Signal(Signal::Offer {
                sdp: offer.to_sdp_string(),
            }))
            .await;
    }

    async fn check_restart(&mut self, now: Instant) {
        // A stalled path is restarted without waiting for ICE to notice (which takes
        // several seconds more).
        let mut newly_stalled = false;
        if let Some(session) = &mut self.session
            && session.stalled()
            && session.down_since.is_none()
        {
            session.down_since = Some(now);
            session.next_restart = Some(session.last_heard + RESTART_AFTER);
            newly_stalled = true;
        }
        if newly_stalled {
            tracing::info!("nothing heard from the citizen; restoring the connection");
            let _ = self
                .events
                .send(CallEvent::State(CallState::Reconnecting))
                .await;
        }
        // Heard again (with or without a restart): back to normal.
        let mut healed = false;
        if let Some(session) = &mut self.session
            && session.down_since.is_some()
            && session.ice_connected
            && !session.stalled()
        {
            session.down_since = None;
            session.next_restart = None;
            // Losses during the outage said nothing about the path as it is now: start the
            // estimate again instead of creeping up from its low.
            session.rtc.bwe().reset(INITIAL_ESTIMATE);
            healed = true;
        }
        if healed {
            self.control.key_frame.store(true, Ordering::Relaxed);
            let _ = self
                .events
                .send(CallEvent::State(CallState::Connected))
                .await;
        }
        let due = self
            .session
            .as_ref()
            .and_then(|s| s.next_restart)
            .is_some_and(|t| t <= now);
        if due {
            if let Some(session) = &mut self.session {
                session.next_restart = Some(now + RESTART_EVERY);
            }
            tracing::info!("ICE down; restarting it");
            self.restart_ice().await;
        }
    }

    async fn on_event(&mut self, event: Event) {
        let Some(session) = &mut self.session else {
            return;
        };
        match event {
            Event::IceConnectionStateChange(state) => match state {
                IceConnectionState::Connected | IceConnectionState::Completed => {
                    session.ice_connected = true;
                    session.down_since = None;
                    session.next_restart = None;
                    if session.dtls_connected {
                        let _ = self
                            .events
                            .send(CallEvent::State(CallState::Connected))
                            .await;
                    }
                }
                IceConnectionState::Disconnected => {
                    session.ice_connected = false;
                    let now = Instant::now();
                    session.down_since = Some(now);
                    session.next_restart = Some(now + RESTART_AFTER);
                    let _ = self
                        .events
                        .send(CallEvent::State(CallState::Reconnecting))
                        .await;
                }
                _ => {}
            },
            Event::Connected => {
                session.dtls_connected = true;
                self.control.connected.store(true, Ordering::Relaxed);
                self.control.key_frame.store(true, Ordering::Relaxed);
                let now = Instant::now();
                self.counters.mark(|m| m.connected = Some(now));
                let _ = self
                    .events
                    .send(CallEvent::State(CallState::Connected))
                    .await;
            }
            Event::MediaData(data) => {
                if data.mid == session.video {
                    Counters::bump(&self.counters.video_frames_received);
                    if !data.contiguous {
                        // Something was lost for good: ask for a fresh picture.
                        if let Some(mut writer) = session.rtc.writer(session.video)
                            && writer
                                .request_keyframe(None, KeyframeRequestKind::Pli)
                                .is_ok()
                        {
                            Counters::bump(&self.counters.key_frames_requested);
                        }
                    }
                    // A full decoder queue means the decoder lags: drop rather than delay.
                    let _ = self.decode.try_send(data.data.clone());
                } else if data.mid == session.audio {
                    Counters::bump(&self.counters.audio_packets_received);
                    if let Ok(pcm) = self.audio_decoder.decode(&data.data) {
                        if let Some(speaker) = &self.speaker {
                            speaker.play(pcm);
                        }
                        Counters::bump(&self.counters.audio_packets_decoded);
                        self.counters.mark(|m| {
                            m.first_remote_audio.get_or_insert_with(Instant::now);
                        });
                    }
                }
            }
            Event::KeyframeRequest(_) => self.control.key_frame.store(true, Ordering::Relaxed),
            Event::ChannelOpen(id, label) if label == DATA_CHANNEL_LABEL => {
                session.channel = Some(id);
                let _ = self.events.send(CallEvent::ChatReady).await;
            }
            Event::ChannelData(data) => {
                if Some(data.id) != session.channel {
                    return;
                }
                match DataMessage::parse(&data.data) {
                    Ok(DataMessage::Chat { id, text }) => {
                        Counters::bump(&self.counters.chat_received);
                        let ack = DataMessage::ChatReceived { id: id.clone() }.to_json();
                        if let Some(mut channel) = session.rtc.channel(data.id) {
                            let _ = channel.write(false, ack.as_bytes());
                        }
                        let _ = self.events.send(CallEvent::Chat { id, text }).await;
                    }
                    Ok(DataMessage::ChatReceived { id }) => {
                        let _ = self.events.send(CallEvent::ChatDelivered { id }).await;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!(error = %e, "data-channel message refused"),
                }
            }
            Event::ChannelClose(id) if Some(id) == session.channel => {
                session.channel = None;
            }
            Event::EgressBitrateEstimate(
                str0m::bwe::BweKind::Twcc { estimate, .. }
                | str0m::bwe::BweKind::Remb { estimate, .. },
            ) => {
                let bps = estimate.as_u64();
                self.control.estimate_bps.store(bps, Ordering::Relaxed);
                self.counters.mark(|m| m.estimate_bps = Some(bps));
            }
            Event::PeerStats(stats) => {
                let pair = stats
                    .selected_candidate_pair
                    .as_ref()
                    .map(|p| format!("{} → {}", p.local.addr, p.remote.addr));
                self.counters.mark(|m| {
                    m.rtt = stats.rtt.or(m.rtt);
                    m.loss_in = stats.ingress_loss_fraction.or(m.loss_in);
                    m.loss_out = stats.egress_loss_fraction.or(m.loss_out);
                    m.bytes_in = stats.peer_bytes_rx;
                    m.bytes_out = stats.peer_bytes_tx;
                    if pair.is_some() {
                        m.candidate_pair = pair;
                    }
                });
            }
            Event::MediaEgressStats(stats) => {
                self.counters.mark(|m| {
                    m.rtt = stats.rtt.or(m.rtt);
                    m.loss_out = stats.loss.or(m.loss_out);
                });
            }
            _ => {}
        }
    }
}

/// The payload type the answer settled on for `codec` in media `mid`.
fn negotiated(rtc: &mut Rtc, mid: Mid, codec: Codec) -> Option<str0m::format::PayloadParams> {
    let writer = rtc.writer(mid)?;

    writer
        .payload_params()
        .find(|p| {
            let spec = p.spec();
            spec.codec == codec
                && (codec != Codec::H264 || spec.format.packetization_mode == Some(1))
        })
        .cloned()
}

fn media_time_90k(since_start: Duration) -> MediaTime {
    MediaTime::from_90khz((since_start.as_micros() as u64) * 9 / 100)
}

/// Sleeps until `deadline` unless the call stops first; false when it stopped.
fn sleep_until(deadline: Instant, control: &Control) -> bool {
    loop {
        if !control.running.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(100)));
    }
}

fn video_out(
    mut encoder: VideoEncoder,
    camera: Option<Camera>,
    commands: mpsc::Sender<Command>,
    control: Arc<Control>,
    counters: Arc<Counters>,
    self_view: Option<FrameSink>,
) {
    let mut pattern = TestPattern::new();
    let mut ladder = Ladder::new();
    // Loaded the first time the blur is turned on; `Err` once loading failed.
    let mut blur: Option<Result<BackgroundBlur, ()>> = None;
    let mut next = Instant::now();
    while control.running.load(Ordering::Relaxed) {
        let rung = encoder.rung();
        // The camera paces itself; pictures beyond the rung's frame rate are skipped. The
        // test pattern is paced here.
        let captured = match &camera {
            Some(camera) => {
                let Some(frame) = camera.next_frame(Duration::from_millis(200)) else {
                    continue;
                };
                if Instant::now() + Duration::from_millis(5) < next {
                    continue;
                }
                Some(frame)
            }
            None => {
                if !sleep_until(next, &control) {
                    return;
                }
                None
            }
        };
        let now = Instant::now();
        next = (next + Duration::from_secs(1) / rung.fps).max(now - Duration::from_millis(50));
        let estimate = control.estimate_bps.load(Ordering::Relaxed);
        if estimate > 0
            && let Some(rung) = ladder.on_estimate(estimate, now)
        {
            tracing::info!(
                width = rung.width,
                fps = rung.fps,
                kbps = rung.bitrate / 1000,
                "video quality changed"
            );
            match VideoEncoder::new(rung) {
                Ok(fresh) => encoder = fresh,
                Err(e) => tracing::warn!(error = %e, "encoder not changed"),
            }
        }
        let rung = encoder.rung();
        counters.mark(|m| {
            (m.send_width, m.send_height, m.send_fps) = (rung.width, rung.height, rung.fps)
        });
        let frame = if control.camera_off.load(Ordering::Relaxed) {
            I420Frame::black(rung.width, rung.height)
        } else {
            let mut frame = match captured {
                Some(frame) if frame.width() == rung.width && frame.height() == rung.height => {
                    frame
                }
                Some(frame) => frame.scaled(rung.width, rung.height),
                None => pattern.next_frame(rung.width, rung.height),
            };
            if control.background_blur.load(Ordering::Relaxed) {
                let loaded = blur.get_or_insert_with(|| {
                    BackgroundBlur::new().map_err(|e| {
                        tracing::error!(error = %e, "background blur unavailable; the camera is off instead");
                    })
                });
                match loaded {
                    Ok(blur) => {
                        blur.apply(&mut frame, now);
                        let figures = blur.figures();
                        counters.mark(|m| m.blur = Some(figures));
                    }
                    // The clerk asked not to show the room: without a mask, show nothing.
                    Err(()) => frame = I420Frame::black(rung.width, rung.height),
                }
            }
            frame
        };
        if let Some(sink) = &self_view {
            sink(&TimedFrame {
                frame: frame.clone(),
                at: now,
            });
        }
        if control.connected.load(Ordering::Relaxed) {
            if control.key_frame.swap(false, Ordering::Relaxed) {
                encoder.request_key_frame();
            }
            match encoder.encode(&frame) {
                Ok(au) if !au.is_empty() => {
                    if commands.blocking_send(Command::Video(au, now)).is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "frame not encoded"),
            }
        }
    }
}

fn audio_out(
    mut encoder: AudioEncoder,
    microphone: Option<Microphone>,
    commands: mpsc::Sender<Command>,
    control: Arc<Control>,
) {
    let mut tone = TestTone::new();
    let mut samples: u64 = 0;
    let mut next = Instant::now();
    while control.running.load(Ordering::Relaxed) {
        let mut pcm = match &microphone {
            // The microphone paces the sound…
            Some(mic) => match mic.next_frame(Duration::from_millis(200)) {
                Some(frame) => {
                    // …but a device that runs fast must not flood the network: sound more
                    // than 100 ms ahead of the clock is dropped.
                    let due = next + Duration::from_millis(20);
                    if due > Instant::now() + Duration::from_millis(100) {
                        continue;
                    }
                    next = due.max(Instant::now() - Duration::from_millis(200));
                    frame
                }
                None => continue,
            },
            None => tone.next_frame(),
        };
        if control.mic_muted.load(Ordering::Relaxed) {
            pcm = [0; FRAME_SAMPLES];
        }
        if control.connected.load(Ordering::Relaxed) {
            match encoder.encode(&pcm) {
                Ok(packet) => {
                    if commands
                        .blocking_send(Command::Audio(packet, samples))
                        .is_err()
                    {
                        return;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "audio frame not encoded"),
            }
        }
        samples += FRAME_SAMPLES as u64;
        if microphone.is_some() {
            continue;
        }
        next += Duration::from_millis(20);
        if next < Instant::now() {
            next = Instant::now();
        }
        if !sleep_until(next, &control) {
            return;
        }
    }
}

fn video_in(
    mut decoder: VideoDecoder,
    access_units: std::sync::mpsc::Receiver<Arc<[u8]>>,
    commands: mpsc::Sender<Command>,
    counters: Arc<Counters>,
    sink: Option<FrameSink>,
) {
    let mut last_request = None::<Instant>;
    while let Ok(au) = access_units.recv() {
        match decoder.decode(&au) {
            Ok(Some(frame)) => {
                Counters::bump(&counters.video_frames_decoded);
                let now = Instant::now();
                counters.mark(|m| {
                    m.first_remote_frame.get_or_insert(now);
                    (m.receive_width, m.receive_height) = (frame.width(), frame.height());
                });
                if let Some(sink) = &sink {
                    sink(&TimedFrame { frame, at: now });
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::debug!(error = %e, "picture damaged; asking for a key frame");
                // At most one request per 300 ms: the answer takes a round trip.
                let now = Instant::now();
                if last_request.is_none_or(|t| now.duration_since(t) > Duration::from_millis(300)) {
                    last_request = Some(now);
                    if commands.blocking_send(Command::RequestKeyFrame).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_change_names_what_came_and_went() {
        let wifi: IpAddr = "192.168.1.20".parse().unwrap();
        let cable: IpAddr = "10.0.0.5".parse().unwrap();
        let v6: IpAddr = "2001:db8::5".parse().unwrap();
        assert_eq!(NetworkChange::between(&[wifi, v6], &[v6, wifi]), None);
        assert_eq!(
            NetworkChange::between(&[wifi, v6], &[cable, v6]),
            Some(NetworkChange {
                added: vec![cable],
                removed: vec![wifi],
            })
        );
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            NetworkChange::between(&[lo], &[wifi]),
            Some(NetworkChange {
                added: vec![wifi],
                removed: vec![lo],
            })
        );
    }
}
