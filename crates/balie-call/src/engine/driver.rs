//! The engine's driver: one tokio task that owns str0m's `Rtc`, the sockets and the
//! timers. One method per kind of input: a packet, a command of the call's owner, a
//! signal from the citizen page, a str0m event (in [`super::events`]), and the deadlines
//! (`poll`, `check_restart`).

use crate::media::codec::AudioDecoder;
use crate::media::devices::Speaker;
use crate::stats::Counters;
use balie_protocol::channel::{DATA_CHANNEL_LABEL, DataMessage};
use balie_protocol::signaling::Signal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::format::Codec;
use str0m::media::{Direction, KeyframeRequestKind, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Input, Output, Rtc};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::media::{media_time_90k, negotiated};
use super::network::{INTERFACE_CHECK, Packet, StunRequest};
use super::turn::{TurnLink, TurnReport, TurnServer};
use super::{
    CallEvent, CallState, Command, Control, H264_PROFILE_LEVEL, INITIAL_ESTIMATE, RESTART_AFTER,
    RESTART_EVERY,
};

/// One WebRTC session with the citizen page's current peer connection.
pub(super) struct Session {
    pub(super) rtc: Rtc,
    pub(super) pending: Option<SdpPendingOffer>,
    pub(super) video: Mid,
    pub(super) audio: Mid,
    pub(super) channel: Option<ChannelId>,
    pub(super) video_pt: Option<str0m::format::PayloadParams>,
    pub(super) audio_pt: Option<str0m::format::PayloadParams>,
    pub(super) ice_connected: bool,
    pub(super) dtls_connected: bool,
    pub(super) down_since: Option<Instant>,
    pub(super) next_restart: Option<Instant>,
    pub(super) restart_queued: bool,
    /// When the last packet of the other side arrived.
    pub(super) last_heard: Instant,
}

/// Silence from the other side after which the path counts as broken. Browsers send
/// media, RTCP and consent checks continuously, so a second without anything is telling.
pub(super) const STALL_AFTER: Duration = Duration::from_secs(1);

impl Session {
    /// Whether the other side has been silent since [`STALL_AFTER`] with DTLS up.
    fn stalled(&self) -> bool {
        self.dtls_connected && self.last_heard.elapsed() > STALL_AFTER
    }
}

pub(super) struct Driver {
    /// The call's UDP sockets with their local addresses (looked up once, not per packet).
    pub(super) sockets: Vec<(SocketAddr, Arc<UdpSocket>)>,
    pub(super) session: Option<Session>,
    pub(super) events: mpsc::Sender<CallEvent>,
    pub(super) control: Arc<Control>,
    pub(super) counters: Arc<Counters>,
    pub(super) decode: std::sync::mpsc::SyncSender<Arc<[u8]>>,
    pub(super) audio_decoder: AudioDecoder,
    pub(super) speaker: Option<Speaker>,
    pub(super) started: Instant,
    /// STUN servers to learn our public address from.
    pub(super) stun_servers: Vec<String>,
    /// Binding requests in flight.
    pub(super) stun_pending: Vec<StunRequest>,
    /// Server-reflexive candidates learnt so far (offered in every new session).
    pub(super) reflexive: Vec<Candidate>,
    /// Whether to follow the machine's interfaces (not when told which addresses to use).
    pub(super) follow_interfaces: bool,
    pub(super) next_interface_check: Instant,
    /// For the receive loops of sockets opened later.
    pub(super) packet_tx: mpsc::Sender<Packet>,
    /// The relay's TURN servers, and one link to each (indexed alike).
    pub(super) turn_servers: Vec<TurnServer>,
    pub(super) turn: Vec<TurnLink>,
    /// For the TURN links' reports (links opened again after a network change).
    pub(super) turn_reports: mpsc::Sender<TurnReport>,
    /// Relayed candidates allocated so far (offered in every new session).
    pub(super) relayed: Vec<Candidate>,
}

impl Driver {
    pub(super) async fn run(
        mut self,
        mut commands: mpsc::Receiver<Command>,
        mut packets: mpsc::Receiver<Packet>,
        mut turn_reports: mpsc::Receiver<TurnReport>,
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
                Some(report) = turn_reports.recv() => self.on_turn(report).await,
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

    /// Runs str0m until it wants time to pass; returns when to wake it.
    pub(super) async fn poll(&mut self) -> Instant {
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
                    } else if let Some(link) =
                        self.turn.iter().find(|l| l.relayed == Some(t.source))
                    {
                        link.send(t.destination, t.contents.to_vec());
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

    pub(super) fn on_packet(&mut self, packet: Packet) {
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

    pub(super) async fn on_command(&mut self, command: Command) {
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

    pub(super) async fn on_signal(&mut self, signal: Signal) {
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

    pub(super) async fn new_session(&mut self) {
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
        for candidate in self.reflexive.iter().chain(&self.relayed) {
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

    pub(super) async fn restart_ice(&mut self) {
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

    pub(super) async fn check_restart(&mut self, now: Instant) {
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
}
