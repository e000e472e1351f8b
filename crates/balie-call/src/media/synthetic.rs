//! The synthetic source: a moving test pattern and a tone. Used by the tests, the
//! benchmarks, `balie-call-cli`, and by the cockpit when a machine has no camera or
//! microphone (it then says so in the call window).

use super::frame::I420Frame;

/// Samples per second of all call audio (Opus runs at 48 kHz).
pub const SAMPLE_RATE: u32 = 48_000;

/// Samples in one 20 ms audio frame, the packet size of the call.
pub const FRAME_SAMPLES: usize = (SAMPLE_RATE as usize) / 50;

/// Draws the test pattern: colour bars that drift sideways and a white square that
/// bounces, so every frame differs from the last one in a way an encoder must carry.
#[derive(Debug, Default)]
pub struct TestPattern {
    frame_index: u64,
}

impl TestPattern {
    /// A pattern that starts at frame 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Draws the next frame at the given size.
    pub fn next_frame(&mut self, width: usize, height: usize) -> I420Frame {
        let mut frame = I420Frame::black(width, height);
        let (w, h) = (frame.width(), frame.height());
        let t = self.frame_index as usize;
        self.frame_index += 1;
        let (y, u, v) = frame.planes_mut();
        // Eight bars of (Y, U, V), shifted by two pixels per frame.
        const BARS: [(u8, u8, u8); 8] = [
            (235, 128, 128),
            (210, 16, 146),
            (170, 166, 16),
            (145, 54, 34),
            (106, 202, 222),
            (81, 90, 240),
            (41, 240, 110),
            (16, 128, 128),
        ];
        let bar = |x: usize| BARS[((x + 2 * t) * 8 / w) % 8];
        // Every row is the same bars: work them out once per frame, then copy (this runs
        // 30 times a second in benchmarks, where its cost would count as the engine's).
        let bars: Vec<u8> = (0..w).map(|x| bar(x).0).collect();
        for (row, line) in y.chunks_exact_mut(w).enumerate() {
            // A faint vertical gradient keeps the encoder honest.
            let shade = (row * 24 / h) as u8;
            for (p, &b) in line.iter_mut().zip(&bars) {
                *p = b.saturating_sub(shade);
            }
        }
        let cw = w.div_ceil(2);
        let (chroma_u, chroma_v): (Vec<u8>, Vec<u8>) = (0..cw)
            .map(|i| {
                let (_, bu, bv) = bar(i * 2);
                (bu, bv)
            })
            .unzip();
        for (line_u, line_v) in u.chunks_exact_mut(cw).zip(v.chunks_exact_mut(cw)) {
            line_u.copy_from_slice(&chroma_u);
            line_v.copy_from_slice(&chroma_v);
        }
        // The bouncing square, a sixth of the height.
        let side = (h / 6).max(2);
        let span_x = w - side;
        let span_y = h - side;
        let bounce = |pos: usize, span: usize| {
            let p = pos % (2 * span.max(1));
            if p < span { p } else { 2 * span - p }
        };
        let (sx, sy) = (bounce(t * 7, span_x), bounce(t * 5, span_y));
        for row in sy..sy + side {
            y[row * w + sx..row * w + sx + side].fill(235);
        }
        frame
    }
}

/// A tone of 440 Hz, on for 600 ms and off for 400 ms, so a listener (or a test's
/// analyser) hears that audio flows and that it is not one stuck buffer.
#[derive(Debug, Default)]
pub struct TestTone {
    sample_index: u64,
}

impl TestTone {
    /// A tone that starts at its beginning.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fills the next 20 ms frame of mono samples.
    pub fn next_frame(&mut self) -> [i16; FRAME_SAMPLES] {
        let mut out = [0i16; FRAME_SAMPLES];
        for sample in &mut out {
            let n = self.sample_index;
            self.sample_index += 1;
            let in_second = n % u64::from(SAMPLE_RATE);
            if in_second < u64::from(SAMPLE_RATE) * 6 / 10 {
                let phase = (n as f64) * 440.0 * std::f64::consts::TAU / f64::from(SAMPLE_RATE);
                *sample = (phase.sin() * 8000.0) as i16;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_moves_and_tone_pulses() {
        let mut pattern = TestPattern::new();
        let a = pattern.next_frame(640, 480);
        let b = pattern.next_frame(640, 480);
        assert_eq!((a.width(), a.height()), (640, 480));
        assert_ne!(a.y(), b.y());
        let small = pattern.next_frame(320, 240);
        assert_eq!(small.y().len(), 320 * 240);

        let mut tone = TestTone::new();
        let loud = tone.next_frame();
        assert!(loud.iter().map(|s| i32::from(*s).abs()).max().unwrap() > 7000);
        // 30 frames (600 ms) in, the tone pauses.
        for _ in 0..30 {
            tone.next_frame();
        }
        assert!(tone.next_frame().iter().all(|s| *s == 0));
    }

    #[test]
    fn pattern_pixels_are_the_bars_the_shade_and_the_square() {
        let mut pattern = TestPattern::new();
        let (w, h) = (64, 48);
        let frame = pattern.next_frame(w, h);
        let y = frame.y();
        // Frame 0: bar k covers x in [8k, 8k+8); the shade darkens by row * 24 / h; the
        // square (8 pixels) sits at the top left.
        assert_eq!(y[5], 235, "inside the square");
        assert_eq!(y[20], 170, "third bar, top row");
        assert_eq!(y[40 * w + 20], 170 - 20, "third bar, shaded");
        assert_eq!(y[47 * w + 63], 0, "last bar, shaded to black");
        assert_eq!(frame.u()[10], 166, "third bar's U");
        assert_eq!(frame.v()[23 * 32 + 10], 16, "third bar's V, last row");
        // Frame 1: the bars moved two pixels left.
        let next = pattern.next_frame(w, h);
        assert_eq!(next.y()[47 * w + 6], 210 - 23);
    }
}
