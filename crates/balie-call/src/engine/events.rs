//! What str0m tells the driver: one `on_*` method per kind of event, as the driver has
//! for packets, commands and signals.

use super::driver::Driver;
use super::{CallEvent, CallState, RESTART_AFTER};
use crate::stats::Counters;
use balie_protocol::channel::{DATA_CHANNEL_LABEL, DataMessage};
use std::sync::atomic::Ordering;
use std::time::Instant;
use str0m::bwe::BweKind;
use str0m::channel::{ChannelData, ChannelId};
use str0m::media::{KeyframeRequestKind, MediaData};
use str0m::stats::{MediaEgressStats, PeerStats};
use str0m::{Event, IceConnectionState};

impl Driver {
    /// Hands `event` to its method; events of no session (none yet, or replaced) are
    /// dropped.
    pub(super) async fn on_event(&mut self, event: Event) {
        if self.session.is_none() {
            return;
        }
        match event {
            Event::IceConnectionStateChange(state) => self.on_ice_state(state).await,
            Event::Connected => self.on_connected().await,
            Event::MediaData(data) => self.on_media_data(&data),
            Event::KeyframeRequest(_) => self.control.key_frame.store(true, Ordering::Relaxed),
            Event::ChannelOpen(id, label) if label == DATA_CHANNEL_LABEL => {
                self.on_channel_open(id).await;
            }
            Event::ChannelData(data) => self.on_channel_data(&data).await,
            Event::ChannelClose(id) => self.on_channel_close(id),
            Event::EgressBitrateEstimate(
                BweKind::Twcc { estimate, .. } | BweKind::Remb { estimate, .. },
            ) => {
                let bps = estimate.as_u64();
                self.control.estimate_bps.store(bps, Ordering::Relaxed);
                self.counters.mark(|m| m.estimate_bps = Some(bps));
            }
            Event::PeerStats(stats) => self.on_peer_stats(&stats),
            Event::MediaEgressStats(stats) => self.on_egress_stats(&stats),
            _ => {}
        }
    }

    /// ICE connected (the call goes on, or resumes once DTLS is up too) or lost (an ICE
    /// restart is planned).
    async fn on_ice_state(&mut self, state: IceConnectionState) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        match state {
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
        }
    }

    /// DTLS is up: media may flow, starting with a key frame.
    async fn on_connected(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
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

    /// A picture (to the decoder thread) or 20 ms of sound (decoded here, to the speaker).
    fn on_media_data(&mut self, data: &MediaData) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
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

    /// The data channel `balie` opened: chat (and payment cards) can go.
    async fn on_channel_open(&mut self, id: ChannelId) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        session.channel = Some(id);
        let _ = self.events.send(CallEvent::ChatReady).await;
    }

    /// A message on the data channel: a chat line (acknowledged) or its receipt.
    async fn on_channel_data(&mut self, data: &ChannelData) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
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

    fn on_channel_close(&mut self, id: ChannelId) {
        if let Some(session) = self.session.as_mut()
            && session.channel == Some(id)
        {
            session.channel = None;
        }
    }

    /// Round trip, loss, bytes and the candidate pair in use, for the call's figures.
    fn on_peer_stats(&mut self, stats: &PeerStats) {
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

    fn on_egress_stats(&mut self, stats: &MediaEgressStats) {
        self.counters.mark(|m| {
            m.rtt = stats.rtt.or(m.rtt);
            m.loss_out = stats.loss.or(m.loss_out);
        });
    }
}
