//! The codecs of a call: H.264 Constrained Baseline (OpenH264, built from source with
//! nasm) and Opus (libopus).

use super::frame::I420Frame;
use super::ladder::Rung;
use super::synthetic::{FRAME_SAMPLES, SAMPLE_RATE};
use openh264::OpenH264API;
use openh264::decoder::Decoder;
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, IntraFramePeriod, Level, Profile,
    RateControlMode, UsageType,
};
use openh264::formats::{YUVSlices, YUVSource as _};

/// A codec failed; the call goes on with the next frame.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// OpenH264 refused.
    #[error("H.264: {0}")]
    H264(String),
    /// libopus refused.
    #[error("Opus: {0}")]
    Opus(#[from] opus::Error),
}

/// The video encoder, set for one rung of the ladder.
pub struct VideoEncoder {
    encoder: Encoder,
    rung: Rung,
    force_intra: bool,
}

impl VideoEncoder {
    /// An encoder for `rung`.
    pub fn new(rung: Rung) -> Result<Self, CodecError> {
        let config = EncoderConfig::new()
            .usage_type(UsageType::CameraVideoRealTime)
            .profile(Profile::Baseline)
            .level(Level::Level_3_1)
            .complexity(Complexity::Low)
            .rate_control_mode(RateControlMode::Bitrate)
            .bitrate(BitRate::from_bps(rung.bitrate))
            .max_frame_rate(FrameRate::from_hz(rung.fps as f32))
            // Without frame skipping the rate control overshoots badly.
            .skip_frames(true)
            // Key frames only when the receiver asks (or at the start): a periodic one
            // every ten seconds as a safety net.
            .intra_frame_period(IntraFramePeriod::from_num_frames(rung.fps * 10))
            .num_threads(1);
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config)
            .map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(Self {
            encoder,
            rung,
            force_intra: false,
        })
    }

    /// The rung this encoder was made for.
    pub fn rung(&self) -> Rung {
        self.rung
    }

    /// The next frame will be a key frame (the receiver lost the picture, or asked).
    pub fn request_key_frame(&mut self) {
        self.force_intra = true;
    }

    /// Encodes one frame to an H.264 Annex B access unit; empty when rate control skipped
    /// the frame.
    pub fn encode(&mut self, frame: &I420Frame) -> Result<Vec<u8>, CodecError> {
        if std::mem::take(&mut self.force_intra) {
            self.encoder.force_intra_frame();
        }
        let (w, h) = (frame.width(), frame.height());
        let (cw, _) = (w.div_ceil(2), h.div_ceil(2));
        let yuv = YUVSlices::new((frame.y(), frame.u(), frame.v()), (w, h), (w, cw, cw));
        let stream = self
            .encoder
            .encode(&yuv)
            .map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(stream.to_vec())
    }
}

/// The video decoder.
pub struct VideoDecoder {
    decoder: Decoder,
}

impl VideoDecoder {
    /// A fresh decoder.
    pub fn new() -> Result<Self, CodecError> {
        let decoder = Decoder::new().map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(Self { decoder })
    }

    /// Decodes one access unit; `Ok(None)` when it held no picture (e.g. only SPS/PPS).
    /// An error means the picture is damaged until the next key frame.
    pub fn decode(&mut self, access_unit: &[u8]) -> Result<Option<I420Frame>, CodecError> {
        let decoded = self
            .decoder
            .decode(access_unit)
            .map_err(|e| CodecError::H264(e.to_string()))?;
        Ok(decoded.and_then(|yuv| {
            let (w, h) = yuv.dimensions();
            I420Frame::from_planes(w, h, (yuv.y(), yuv.u(), yuv.v()), yuv.strides())
        }))
    }
}

/// Opus encoder for 20 ms mono frames at 48 kHz.
pub struct AudioEncoder {
    encoder: opus::Encoder,
    out: Vec<u8>,
}

impl AudioEncoder {
    /// A voice encoder with in-band FEC on (a lost packet is partly recovered from the
    /// next one).
    pub fn new() -> Result<Self, CodecError> {
        let mut encoder =
            opus::Encoder::new(SAMPLE_RATE, opus::Channels::Mono, opus::Application::Voip)?;
        encoder.set_bitrate(opus::Bitrate::Bits(32_000))?;
        encoder.set_inband_fec(true)?;
        encoder.set_packet_loss_perc(5)?;
        Ok(Self {
            encoder,
            out: vec![0; 1500],
        })
    }

    /// Encodes one 20 ms frame.
    pub fn encode(&mut self, pcm: &[i16; FRAME_SAMPLES]) -> Result<Vec<u8>, CodecError> {
        let n = self.encoder.encode(pcm, &mut self.out)?;
        Ok(self.out[..n].to_vec())
    }
}

/// Opus decoder to 48 kHz mono.
pub struct AudioDecoder {
    decoder: opus::Decoder,
    pcm: Vec<i16>,
}

impl AudioDecoder {
    /// A fresh decoder.
    pub fn new() -> Result<Self, CodecError> {
        Ok(Self {
            decoder: opus::Decoder::new(SAMPLE_RATE, opus::Channels::Mono)?,
            // The longest Opus packet is 120 ms.
            pcm: vec![0; SAMPLE_RATE as usize * 120 / 1000],
        })
    }

    /// Decodes one packet (a browser sends stereo Opus; it is mixed down to mono).
    pub fn decode(&mut self, packet: &[u8]) -> Result<&[i16], CodecError> {
        let n = self.decoder.decode(packet, &mut self.pcm, false)?;
        Ok(&self.pcm[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::ladder::RUNGS;
    use crate::media::synthetic::{TestPattern, TestTone};

    #[test]
    fn video_round_trips_through_h264_and_key_frames_on_request() {
        let mut encoder = VideoEncoder::new(RUNGS[1]).unwrap();
        let mut decoder = VideoDecoder::new().unwrap();
        let mut pattern = TestPattern::new();
        let mut decoded = 0;
        for i in 0..10 {
            if i == 5 {
                encoder.request_key_frame();
            }
            let au = encoder.encode(&pattern.next_frame(640, 480)).unwrap();
            // NAL type 5 = IDR slice; the first frame and the requested one are key frames.
            let idr = au
                .windows(4)
                .any(|w| w[..3] == [0, 0, 1] && w[3] & 0x1f == 5);
            if i == 0 || i == 5 {
                assert!(idr, "frame {i} should be a key frame");
            }
            if let Some(frame) = decoder.decode(&au).unwrap() {
                assert_eq!((frame.width(), frame.height()), (640, 480));
                decoded += 1;
            }
        }
        assert!(decoded >= 9, "decoded {decoded} of 10");
    }

    #[test]
    fn audio_round_trips_through_opus() {
        let mut encoder = AudioEncoder::new().unwrap();
        let mut decoder = AudioDecoder::new().unwrap();
        let mut tone = TestTone::new();
        let mut peak = 0;
        for _ in 0..10 {
            let packet = encoder.encode(&tone.next_frame()).unwrap();
            assert!(!packet.is_empty() && packet.len() < 400);
            let pcm = decoder.decode(&packet).unwrap();
            assert_eq!(pcm.len(), FRAME_SAMPLES);
            peak = peak.max(pcm.iter().map(|s| i32::from(*s).abs()).max().unwrap());
        }
        assert!(peak > 4000, "the tone survives the codec (peak {peak})");
        assert!(decoder.decode(&[0xff; 3]).is_err());
    }
}
