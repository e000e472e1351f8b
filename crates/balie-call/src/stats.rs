//! What a call reports about itself: counters kept by the engine's threads and a
//! serializable snapshot of them.

use crate::media::blur::BlurFigures;
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counters shared by the driver and the media threads.
#[derive(Debug)]
pub(crate) struct Counters {
    started: Instant,
    pub(crate) video_frames_sent: AtomicU64,
    pub(crate) video_frames_received: AtomicU64,
    pub(crate) video_frames_decoded: AtomicU64,
    pub(crate) audio_packets_sent: AtomicU64,
    pub(crate) audio_packets_received: AtomicU64,
    pub(crate) audio_packets_decoded: AtomicU64,
    pub(crate) key_frames_requested: AtomicU64,
    pub(crate) ice_restarts: AtomicU64,
    pub(crate) chat_sent: AtomicU64,
    pub(crate) chat_received: AtomicU64,
    pub(crate) marks: Mutex<Marks>,
}

/// Moments and network figures that are not simple counters.
#[derive(Debug, Default, Clone)]
pub(crate) struct Marks {
    pub(crate) offer_sent: Option<Instant>,
    pub(crate) connected: Option<Instant>,
    pub(crate) first_remote_frame: Option<Instant>,
    pub(crate) first_remote_audio: Option<Instant>,
    pub(crate) rtt: Option<Duration>,
    pub(crate) loss_in: Option<f32>,
    pub(crate) loss_out: Option<f32>,
    pub(crate) estimate_bps: Option<u64>,
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    pub(crate) send_width: usize,
    pub(crate) send_height: usize,
    pub(crate) send_fps: u32,
    pub(crate) receive_width: usize,
    pub(crate) receive_height: usize,
    pub(crate) candidate_pair: Option<String>,
    pub(crate) blur: Option<BlurFigures>,
}

impl Counters {
    pub(crate) fn new() -> Self {
        Self {
            started: Instant::now(),
            video_frames_sent: AtomicU64::new(0),
            video_frames_received: AtomicU64::new(0),
            video_frames_decoded: AtomicU64::new(0),
            audio_packets_sent: AtomicU64::new(0),
            audio_packets_received: AtomicU64::new(0),
            audio_packets_decoded: AtomicU64::new(0),
            key_frames_requested: AtomicU64::new(0),
            ice_restarts: AtomicU64::new(0),
            chat_sent: AtomicU64::new(0),
            chat_received: AtomicU64::new(0),
            marks: Mutex::new(Marks::default()),
        }
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn mark(&self, f: impl FnOnce(&mut Marks)) {
        if let Ok(mut marks) = self.marks.lock() {
            f(&mut marks);
        }
    }

    pub(crate) fn snapshot(&self) -> CallStats {
        let marks = self.marks.lock().map(|m| m.clone()).unwrap_or_default();
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let ms = |from: Option<Instant>, to: Option<Instant>| match (from, to) {
            (Some(a), Some(b)) => Some(b.saturating_duration_since(a).as_millis() as u64),
            _ => None,
        };
        CallStats {
            elapsed_ms: self.started.elapsed().as_millis() as u64,
            video_frames_sent: load(&self.video_frames_sent),
            video_frames_received: load(&self.video_frames_received),
            video_frames_decoded: load(&self.video_frames_decoded),
            audio_packets_sent: load(&self.audio_packets_sent),
            audio_packets_received: load(&self.audio_packets_received),
            audio_packets_decoded: load(&self.audio_packets_decoded),
            key_frames_requested: load(&self.key_frames_requested),
            ice_restarts: load(&self.ice_restarts),
            chat_sent: load(&self.chat_sent),
            chat_received: load(&self.chat_received),
            offer_to_connected_ms: ms(marks.offer_sent, marks.connected),
            offer_to_first_remote_frame_ms: ms(marks.offer_sent, marks.first_remote_frame),
            offer_to_first_remote_audio_ms: ms(marks.offer_sent, marks.first_remote_audio),
            rtt_ms: marks.rtt.map(|d| d.as_secs_f64() * 1000.0),
            loss_in: marks.loss_in,
            loss_out: marks.loss_out,
            estimate_bps: marks.estimate_bps,
            bytes_in: marks.bytes_in,
            bytes_out: marks.bytes_out,
            send_resolution: format!(
                "{}x{}@{}",
                marks.send_width, marks.send_height, marks.send_fps
            ),
            receive_resolution: format!("{}x{}", marks.receive_width, marks.receive_height),
            candidate_pair: marks.candidate_pair,
            blur: marks.blur,
        }
    }
}

/// A snapshot of a call's figures, as `balie-call-cli --stats-json` writes it and the call
/// window shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CallStats {
    /// Since the engine started.
    pub elapsed_ms: u64,
    /// Video frames handed to the network.
    pub video_frames_sent: u64,
    /// Whole video frames (access units) that arrived.
    pub video_frames_received: u64,
    /// Video frames decoded to pictures.
    pub video_frames_decoded: u64,
    /// Opus packets sent.
    pub audio_packets_sent: u64,
    /// Opus packets that arrived.
    pub audio_packets_received: u64,
    /// Opus packets decoded to sound.
    pub audio_packets_decoded: u64,
    /// Key frames this side asked the other for.
    pub key_frames_requested: u64,
    /// ICE restarts this side started.
    pub ice_restarts: u64,
    /// Chat lines sent.
    pub chat_sent: u64,
    /// Chat lines received.
    pub chat_received: u64,
    /// Offer sent → ICE and DTLS up.
    pub offer_to_connected_ms: Option<u64>,
    /// Offer sent → first remote picture decoded.
    pub offer_to_first_remote_frame_ms: Option<u64>,
    /// Offer sent → first remote sound decoded.
    pub offer_to_first_remote_audio_ms: Option<u64>,
    /// Round-trip time to the other side.
    pub rtt_ms: Option<f64>,
    /// Fraction of packets lost on the way in (0–1).
    pub loss_in: Option<f32>,
    /// Fraction of packets lost on the way out, as the other side reports (0–1).
    pub loss_out: Option<f32>,
    /// The congestion controller's estimate of what can be sent, bits per second.
    pub estimate_bps: Option<u64>,
    /// Bytes received.
    pub bytes_in: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// What is sent now, `WxH@fps`.
    pub send_resolution: String,
    /// The last picture received, `WxH`.
    pub receive_resolution: String,
    /// The ICE pair in use, e.g. `host udp 127.0.0.1:5000 → host udp 127.0.0.1:6000`.
    pub candidate_pair: Option<String>,
    /// The background blur's cost, once it has been on in this call.
    pub blur: Option<BlurFigures>,
}
