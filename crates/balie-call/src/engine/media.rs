//! The media threads around the driver: capture and encode video, capture and encode
//! sound, decode the citizen's video; and the small helpers they share.

use crate::media::blur::BackgroundBlur;
use crate::media::camera::Camera;
use crate::media::codec::{AudioEncoder, VideoDecoder, VideoEncoder};
use crate::media::devices::Microphone;
use crate::media::frame::{I420Frame, TimedFrame};
use crate::media::ladder::Ladder;
use crate::media::synthetic::{FRAME_SAMPLES, TestPattern, TestTone};
use crate::stats::Counters;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use str0m::Rtc;
use str0m::format::Codec;
use str0m::media::{MediaTime, Mid};
use tokio::sync::mpsc;

use super::{Command, Control, FrameSink};

/// The payload type the answer settled on for `codec` in media `mid`.
pub(super) fn negotiated(
    rtc: &mut Rtc,
    mid: Mid,
    codec: Codec,
) -> Option<str0m::format::PayloadParams> {
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

pub(super) fn media_time_90k(since_start: Duration) -> MediaTime {
    MediaTime::from_90khz((since_start.as_micros() as u64) * 9 / 100)
}

/// Sleeps until `deadline` unless the call stops first; false when it stopped.
pub(super) fn sleep_until(deadline: Instant, control: &Control) -> bool {
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

pub(super) fn video_out(
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

pub(super) fn audio_out(
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

pub(super) fn video_in(
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
