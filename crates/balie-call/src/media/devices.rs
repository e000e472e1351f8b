//! The clerk's microphone and speaker through the operating system's sound system (cpal:
//! ALSA, and through it PulseAudio or PipeWire, on Linux; WASAPI on Windows; CoreAudio on
//! macOS). Each device runs its stream on a thread of its own; the call exchanges 20 ms
//! frames of 48 kHz mono with it and never waits on it.
//!
//! Echo cancellation: none here (see the README); the OS may provide it (PipeWire's
//! `echo-cancel` module), otherwise the clerk uses a headset.

use super::synthetic::{FRAME_SAMPLES, SAMPLE_RATE};
use cpal::traits::{DeviceTrait as _, HostTrait as _, StreamTrait as _};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A device could not be used.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    /// No such device (or no default one).
    #[error("no {0} found")]
    NotFound(&'static str),
    /// The sound system refused.
    #[error("the {0} cannot be opened: {1}")]
    Open(&'static str, String),
}

/// The sound devices of this machine, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AudioDevices {
    /// Microphones.
    pub inputs: Vec<String>,
    /// Speakers and headsets.
    pub outputs: Vec<String>,
}

/// Lists the microphones and speakers.
pub fn list() -> AudioDevices {
    let host = cpal::default_host();
    AudioDevices {
        inputs: host
            .input_devices()
            .map(|devices| devices.filter_map(|d| d.name().ok()).collect())
            .unwrap_or_default(),
        outputs: host
            .output_devices()
            .map(|devices| devices.filter_map(|d| d.name().ok()).collect())
            .unwrap_or_default(),
    }
}

fn find(name: Option<&str>, input: bool) -> Result<cpal::Device, DeviceError> {
    let host = cpal::default_host();
    let what = if input { "microphone" } else { "speaker" };
    match name {
        None => if input {
            host.default_input_device()
        } else {
            host.default_output_device()
        }
        .ok_or(DeviceError::NotFound(what)),
        Some(wanted) => {
            let devices = if input {
                host.input_devices().map(|d| d.collect::<Vec<_>>())
            } else {
                host.output_devices().map(|d| d.collect::<Vec<_>>())
            }
            .map_err(|e| DeviceError::Open(what, e.to_string()))?;
            devices
                .into_iter()
                .find(|d| d.name().is_ok_and(|n| n == wanted))
                .ok_or(DeviceError::NotFound(what))
        }
    }
}

/// Linear resampling between the device's rate and 48 kHz: enough for speech.
#[derive(Debug)]
pub struct Resampler {
    step: f64,
    position: f64,
    previous: f32,
}

impl Resampler {
    /// From `from` Hz to `to` Hz.
    pub fn new(from: u32, to: u32) -> Self {
        Self {
            step: f64::from(from) / f64::from(to.max(1)),
            position: 0.0,
            previous: 0.0,
        }
    }

    /// Resamples `input`, appending to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        for &sample in input {
            while self.position < 1.0 {
                let t = self.position as f32;
                out.push(self.previous + (sample - self.previous) * t);
                self.position += self.step;
            }
            self.position -= 1.0;
            self.previous = sample;
        }
    }
}

/// A running stream, held by its own thread until dropped.
struct StreamThread {
    stop: Arc<AtomicBool>,
    name: String,
}

impl Drop for StreamThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Runs `build` on a new thread and keeps the stream it returns playing until the
/// returned handle is dropped; waits for the stream to start (or fail).
fn run_stream(
    what: &'static str,
    build: impl FnOnce() -> Result<(cpal::Stream, String), DeviceError> + Send + 'static,
) -> Result<StreamThread, DeviceError> {
    let stop = Arc::new(AtomicBool::new(false));
    let (started_tx, started) = std::sync::mpsc::channel();
    let flag = stop.clone();
    std::thread::Builder::new()
        .name(format!("balie-{what}"))
        .spawn(move || {
            let stream = match build() {
                Ok((stream, name)) => match stream.play() {
                    Ok(()) => {
                        let _ = started_tx.send(Ok(name));
                        stream
                    }
                    Err(e) => {
                        let _ = started_tx.send(Err(DeviceError::Open(what, e.to_string())));
                        return;
                    }
                },
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                    return;
                }
            };
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            drop(stream);
        })
        .map_err(|e| DeviceError::Open(what, e.to_string()))?;
    let name = started
        .recv_timeout(Duration::from_secs(5))
        .map_err(|_| DeviceError::Open(what, "no answer from the sound system".into()))??;
    Ok(StreamThread { stop, name })
}

/// The microphone: 20 ms frames of 48 kHz mono.
pub struct Microphone {
    frames: std::sync::mpsc::Receiver<[i16; FRAME_SAMPLES]>,
    thread: StreamThread,
}

impl Microphone {
    /// Opens the microphone called `name`, or the system's default one.
    pub fn open(name: Option<&str>) -> Result<Self, DeviceError> {
        let (tx, frames) = std::sync::mpsc::sync_channel(25);
        let name = name.map(str::to_owned);
        let thread = run_stream("microphone", move || {
            let device = find(name.as_deref(), true)?;
            let config = device
                .default_input_config()
                .map_err(|e| DeviceError::Open("microphone", e.to_string()))?;
            let channels = usize::from(config.channels().max(1));
            let mut resampler = Resampler::new(config.sample_rate().0, SAMPLE_RATE);
            let mut pending: Vec<f32> = Vec::with_capacity(FRAME_SAMPLES * 2);
            let mut mono = Vec::new();
            let mut deliver = move |samples: &mut dyn Iterator<Item = f32>| {
                mono.clear();
                let all: Vec<f32> = samples.collect();
                for chunk in all.chunks(channels) {
                    mono.push(chunk.iter().sum::<f32>() / chunk.len() as f32);
                }
                resampler.process(&mono, &mut pending);
                while pending.len() >= FRAME_SAMPLES {
                    let mut frame = [0i16; FRAME_SAMPLES];
                    for (out, s) in frame.iter_mut().zip(pending.drain(..FRAME_SAMPLES)) {
                        *out = (s.clamp(-1.0, 1.0) * 32767.0) as i16;
                    }
                    // A full queue means the call is not reading: drop, never block audio.
                    let _ = tx.try_send(frame);
                }
            };
            let error =
                |e: cpal::StreamError| tracing::warn!(error = %e, "microphone stream error");
            let stream = match config.sample_format() {
                cpal::SampleFormat::I16 => device.build_input_stream(
                    &config.config(),
                    move |data: &[i16], _| {
                        deliver(&mut data.iter().map(|s| f32::from(*s) / 32768.0))
                    },
                    error,
                    None,
                ),
                _ => device.build_input_stream(
                    &config.config(),
                    move |data: &[f32], _| deliver(&mut data.iter().copied()),
                    error,
                    None,
                ),
            }
            .map_err(|e| DeviceError::Open("microphone", e.to_string()))?;
            Ok((stream, device.name().unwrap_or_default()))
        })?;
        Ok(Self { frames, thread })
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self.thread.name
    }

    /// The next 20 ms frame, waiting up to `timeout`.
    pub fn next_frame(&self, timeout: Duration) -> Option<[i16; FRAME_SAMPLES]> {
        self.frames.recv_timeout(timeout).ok()
    }
}

/// Most sound the speaker queue holds; older sound is dropped to keep the delay short.
const MAX_QUEUED: usize = SAMPLE_RATE as usize / 5;
/// Sound queued before playing starts, against network jitter.
const PREFILL: usize = SAMPLE_RATE as usize / 25;

/// The speaker: takes 48 kHz mono, plays it with a short jitter buffer.
#[derive(Clone)]
pub struct Speaker {
    queue: Arc<Mutex<VecDeque<f32>>>,
    _thread: Arc<StreamThread>,
}

impl Speaker {
    /// Opens the speaker called `name`, or the system's default one.
    pub fn open(name: Option<&str>) -> Result<Self, DeviceError> {
        let queue = Arc::new(Mutex::new(VecDeque::<f32>::with_capacity(MAX_QUEUED)));
        let name = name.map(str::to_owned);
        let source = queue.clone();
        let thread = run_stream("speaker", move || {
            let device = find(name.as_deref(), false)?;
            let config = device
                .default_output_config()
                .map_err(|e| DeviceError::Open("speaker", e.to_string()))?;
            let channels = usize::from(config.channels().max(1));
            let mut resampler = Resampler::new(SAMPLE_RATE, config.sample_rate().0);
            let mut resampled: VecDeque<f32> = VecDeque::new();
            let mut primed = false;
            let mut scratch = Vec::new();
            let mut fill = move |out: &mut dyn FnMut(usize, f32), frames: usize| {
                if let Ok(mut queue) = source.lock() {
                    if !primed && queue.len() >= PREFILL {
                        primed = true;
                    }
                    if primed {
                        scratch.clear();
                        let take = queue.len().min(frames);
                        let chunk: Vec<f32> = queue.drain(..take).collect();
                        resampler.process(&chunk, &mut scratch);
                        resampled.extend(scratch.iter().copied());
                        if queue.is_empty() && resampled.len() < frames {
                            primed = false;
                        }
                    }
                }
                for i in 0..frames {
                    let s = resampled.pop_front().unwrap_or(0.0);
                    for c in 0..channels {
                        out(i * channels + c, s);
                    }
                }
            };
            let error = |e: cpal::StreamError| tracing::warn!(error = %e, "speaker stream error");
            let stream = match config.sample_format() {
                cpal::SampleFormat::I16 => device.build_output_stream(
                    &config.config(),
                    move |data: &mut [i16], _| {
                        let frames = data.len() / channels;
                        fill(
                            &mut |i, s| data[i] = (s.clamp(-1.0, 1.0) * 32767.0) as i16,
                            frames,
                        );
                    },
                    error,
                    None,
                ),
                _ => device.build_output_stream(
                    &config.config(),
                    move |data: &mut [f32], _| {
                        let frames = data.len() / channels;
                        fill(&mut |i, s| data[i] = s, frames);
                    },
                    error,
                    None,
                ),
            }
            .map_err(|e| DeviceError::Open("speaker", e.to_string()))?;
            Ok((stream, device.name().unwrap_or_default()))
        })?;
        Ok(Self {
            queue,
            _thread: Arc::new(thread),
        })
    }

    /// The device's name.
    pub fn name(&self) -> &str {
        &self._thread.name
    }

    /// Queues decoded sound (48 kHz mono) for playing.
    pub fn play(&self, pcm: &[i16]) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.extend(pcm.iter().map(|s| f32::from(*s) / 32768.0));
            let excess = queue.len().saturating_sub(MAX_QUEUED);
            queue.drain(..excess);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_duration_and_shape() {
        let mut up = Resampler::new(44_100, 48_000);
        let input: Vec<f32> = (0..4410).map(|i| (i as f32 / 100.0).sin()).collect();
        let mut out = Vec::new();
        up.process(&input, &mut out);
        assert!((out.len() as i64 - 4800).abs() <= 2, "{}", out.len());
        let mut same = Resampler::new(48_000, 48_000);
        let mut copy = Vec::new();
        same.process(&[0.5, -0.5, 0.25], &mut copy);
        // One sample of delay, then the input itself.
        assert_eq!(copy, vec![0.0, 0.5, -0.5]);
    }
}
