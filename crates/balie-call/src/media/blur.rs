//! Background blur: the clerk stays sharp, the room behind them does not.
//!
//! A worker thread runs the person segmentation ([`balie_segment`]) on a small copy of
//! the picture, at most [`SEGMENT_EVERY`]; the video thread blends every frame between
//! itself and a heavily blurred copy, by the latest mask (smoothed over time so edges do
//! not flicker). Until the first mask arrives the whole picture is blurred: the toggle
//! promises privacy, so it errs on that side. Everything works on I420 directly.

use super::frame::I420Frame;
use balie_segment::Segmenter;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::time::{Duration, Instant};

/// How often the segmentation runs at most. People move slowly next to 30 frames per
/// second; the mask is reused in between.
pub const SEGMENT_EVERY: Duration = Duration::from_millis(100);

/// How much smaller than the frame the blurred copy is, per side.
const SHRINK: usize = 8;

/// Box-blur passes over the small copy (three approximate a Gaussian).
const PASSES: usize = 3;

/// The weight of a new mask against the previous one.
const NEW_MASK_WEIGHT: f32 = 0.6;

/// A mask from the worker, with the time its inference took.
struct Segmented {
    mask: Vec<f32>,
    took: Duration,
    /// The request's buffer, back for reuse.
    input: Vec<f32>,
}

/// What the blur cost so far (also in the call's figures, `CallStats::blur`).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct BlurFigures {
    /// Segmentations run (at most ten a second).
    pub segmentations: u64,
    /// Mean time of one segmentation, in milliseconds (on the worker thread).
    pub segment_ms: f64,
    /// Frames blurred.
    pub frames: u64,
    /// Mean time to blur one frame with a ready mask, in milliseconds (on the video thread).
    pub frame_ms: f64,
}

/// Blurs the background of a video stream's frames.
pub struct BackgroundBlur {
    requests: SyncSender<Vec<f32>>,
    results: Receiver<Segmented>,
    /// The returned input buffer, reused for the next request.
    spare: Option<Vec<f32>>,
    waiting: bool,
    last_request: Option<Instant>,
    /// Smoothed person probability at the model's size, once known.
    mask: Option<Vec<f32>>,
    model: (usize, usize),
    /// The alpha planes (255 = person) at the frame's luma and chroma sizes, rebuilt when
    /// the mask or the frame size changes.
    alpha: Option<Alpha>,
    figures: BlurFigures,
    segment_total: Duration,
    frame_total: Duration,
}

impl std::fmt::Debug for BackgroundBlur {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackgroundBlur")
            .field("figures", &self.figures)
            .finish_non_exhaustive()
    }
}

/// Per-pixel weights of the sharp picture, for one frame size.
struct Alpha {
    width: usize,
    height: usize,
    luma: Vec<u8>,
    chroma: Vec<u8>,
}

impl BackgroundBlur {
    /// Loads the model and starts the worker thread.
    pub fn new() -> Result<Self, balie_segment::ModelError> {
        let mut segmenter = Segmenter::new()?;
        let model = segmenter.input_size();
        let (requests, request_rx) = sync_channel::<Vec<f32>>(1);
        let (result_tx, results) = sync_channel::<Segmented>(1);
        let spawned = std::thread::Builder::new()
            .name("balie-segment".into())
            .spawn(move || {
                for input in request_rx {
                    let start = Instant::now();
                    let mask = segmenter
                        .segment(|values| values.copy_from_slice(&input))
                        .to_vec();
                    let took = start.elapsed();
                    if result_tx.send(Segmented { mask, took, input }).is_err() {
                        return;
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no segmentation thread; the whole picture is blurred");
        }
        Ok(Self {
            requests,
            results,
            spare: None,
            waiting: false,
            last_request: None,
            mask: None,
            model,
            alpha: None,
            figures: BlurFigures::default(),
            segment_total: Duration::ZERO,
            frame_total: Duration::ZERO,
        })
    }

    /// Figures so far.
    pub fn figures(&self) -> BlurFigures {
        self.figures
    }

    /// Blurs the background of `frame` in place.
    pub fn apply(&mut self, frame: &mut I420Frame, now: Instant) {
        let start = Instant::now();
        self.collect();
        let due = self
            .last_request
            .is_none_or(|last| now.saturating_duration_since(last) >= SEGMENT_EVERY);
        if !self.waiting && due {
            self.request(frame, now);
        }
        let alpha = self.alpha_for(frame.width(), frame.height());
        blend_with_blur(frame, alpha);
        if self.mask.is_some() {
            self.frame_total += start.elapsed();
            self.figures.frames += 1;
            self.figures.frame_ms =
                self.frame_total.as_secs_f64() * 1000.0 / self.figures.frames as f64;
        }
    }

    /// Takes a finished mask from the worker, if there is one.
    fn collect(&mut self) {
        match self.results.try_recv() {
            Ok(Segmented { mask, took, input }) => {
                self.waiting = false;
                self.spare = Some(input);
                self.figures.segmentations += 1;
                self.segment_total += took;
                self.figures.segment_ms =
                    self.segment_total.as_secs_f64() * 1000.0 / self.figures.segmentations as f64;
                match &mut self.mask {
                    Some(smoothed) => {
                        for (s, &m) in smoothed.iter_mut().zip(&mask) {
                            *s += (m - *s) * NEW_MASK_WEIGHT;
                        }
                    }
                    None => self.mask = Some(mask),
                }
                self.alpha = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.waiting = false,
        }
    }

    /// Sends the worker a model-sized RGB copy of `frame`.
    fn request(&mut self, frame: &I420Frame, now: Instant) {
        let (mw, mh) = self.model;
        let mut input = self.spare.take().unwrap_or_default();
        input.resize(mw * mh * 3, 0.0);
        model_input(frame, mw, mh, &mut input);
        match self.requests.try_send(input) {
            Ok(()) => {
                self.waiting = true;
                self.last_request = Some(now);
            }
            Err(TrySendError::Full(input) | TrySendError::Disconnected(input)) => {
                self.spare = Some(input);
            }
        }
    }

    /// The alpha planes for a frame size: from the mask, or all zero (blur everything)
    /// before the first mask.
    fn alpha_for(&mut self, width: usize, height: usize) -> &Alpha {
        if self
            .alpha
            .as_ref()
            .is_some_and(|a| (a.width, a.height) != (width, height))
        {
            self.alpha = None;
        }
        let (mask, model) = (&self.mask, self.model);
        self.alpha.get_or_insert_with(|| {
            let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
            let (luma, chroma) = match mask {
                Some(mask) => (
                    upscale_mask(mask, model, width, height),
                    upscale_mask(mask, model, cw, ch),
                ),
                None => (vec![0; width * height], vec![0; cw * ch]),
            };
            Alpha {
                width,
                height,
                luma,
                chroma,
            }
        })
    }
}

/// Fills `input` (`mw * mh * 3` values, RGB from 0 to 1) from an I420 frame: each model
/// pixel takes the frame pixel at its centre, converted with BT.601 limited range (what
/// cameras and H.264 deliver).
fn model_input(frame: &I420Frame, mw: usize, mh: usize, input: &mut [f32]) {
    let (w, h) = (frame.width(), frame.height());
    let cw = w.div_ceil(2);
    let (y_plane, u_plane, v_plane) = (frame.y(), frame.u(), frame.v());
    for my in 0..mh {
        let fy = ((2 * my + 1) * h / (2 * mh)).min(h - 1);
        for mx in 0..mw {
            let fx = ((2 * mx + 1) * w / (2 * mw)).min(w - 1);
            let y = (f32::from(y_plane[fy * w + fx]) - 16.0) * (1.0 / 219.0);
            let u = (f32::from(u_plane[(fy / 2) * cw + fx / 2]) - 128.0) * (1.0 / 224.0);
            let v = (f32::from(v_plane[(fy / 2) * cw + fx / 2]) - 128.0) * (1.0 / 224.0);
            let rgb = &mut input[(my * mw + mx) * 3..][..3];
            rgb[0] = (y + 1.402 * v).clamp(0.0, 1.0);
            rgb[1] = (y - 0.344_136 * u - 0.714_136 * v).clamp(0.0, 1.0);
            rgb[2] = (y + 1.772 * u).clamp(0.0, 1.0);
        }
    }
}

/// The mask resized to `width` x `height` (bilinear), as weights of the sharp picture:
/// probabilities below 0.2 count as background, above 0.8 as person, with a soft ramp
/// between so the edge does not halo.
fn upscale_mask(mask: &[f32], (mw, mh): (usize, usize), width: usize, height: usize) -> Vec<u8> {
    let mut out = vec![0u8; width * height];
    let source = |o: usize, size: usize, model: usize| {
        let v = ((o as f32 + 0.5) * model as f32 / size as f32 - 0.5).max(0.0);
        let lower = (v as usize).min(model - 1);
        (lower, (lower + 1).min(model - 1), v - lower as f32)
    };
    let columns: Vec<_> = (0..width).map(|x| source(x, width, mw)).collect();
    for y in 0..height {
        let (y0, y1, fy) = source(y, height, mh);
        let (top, bottom) = (&mask[y0 * mw..][..mw], &mask[y1 * mw..][..mw]);
        for (o, &(x0, x1, fx)) in out[y * width..][..width].iter_mut().zip(&columns) {
            let upper = top[x0] + (top[x1] - top[x0]) * fx;
            let lower = bottom[x0] + (bottom[x1] - bottom[x0]) * fx;
            let p = upper + (lower - upper) * fy;
            *o = (((p - 0.2) / 0.6).clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    }
    out
}

/// Blends each plane of `frame` between itself and a blurred copy, by `alpha`.
fn blend_with_blur(frame: &mut I420Frame, alpha: &Alpha) {
    let (w, h) = (frame.width(), frame.height());
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let (y, u, v) = frame.planes_mut();
    blend_plane(y, w, h, &alpha.luma);
    blend_plane(u, cw, ch, &alpha.chroma);
    blend_plane(v, cw, ch, &alpha.chroma);
}

/// One plane: shrink by [`SHRINK`] (area average), box-blur the small copy, then for every
/// pixel mix the bilinearly enlarged blur with the original by `alpha`.
fn blend_plane(plane: &mut [u8], w: usize, h: usize, alpha: &[u8]) {
    let (sw, sh) = ((w / SHRINK).max(2), (h / SHRINK).max(2));
    let mut small = vec![0u16; sw * sh];
    for sy in 0..sh {
        let (y0, y1) = (sy * h / sh, ((sy + 1) * h / sh).max(sy * h / sh + 1));
        for sx in 0..sw {
            let (x0, x1) = (sx * w / sw, ((sx + 1) * w / sw).max(sx * w / sw + 1));
            let mut sum = 0u32;
            for row in plane[y0 * w..y1 * w].chunks_exact(w) {
                sum += row[x0..x1].iter().map(|&p| u32::from(p)).sum::<u32>();
            }
            // Kept with 4 fractional bits so repeated blurring does not drift.
            small[sy * sw + sx] = ((sum << 4) / ((y1 - y0) * (x1 - x0)) as u32) as u16;
        }
    }
    let mut scratch = vec![0u16; sw * sh];
    for _ in 0..PASSES {
        box_blur(&small, &mut scratch, sw, sh, 1, sw);
        box_blur(&scratch, &mut small, sh, sw, sw, 1);
    }
    // Enlarge with bilinear weights in 8-bit fixed point, and blend; rows that are all
    // person are left alone.
    let source = |o: usize, size: usize, small: usize| {
        let v = ((o as f32 + 0.5) * small as f32 / size as f32 - 0.5).max(0.0);
        let lower = (v as usize).min(small - 1);
        (
            lower,
            (lower + 1).min(small - 1),
            ((v - lower as f32) * 256.0) as u32,
        )
    };
    let columns: Vec<_> = (0..w).map(|x| source(x, w, sw)).collect();
    // One row of the small copy, interpolated vertically (12 fractional bits).
    let mut line = vec![0u32; sw];
    for y in 0..h {
        let (y0, y1, fy) = source(y, h, sh);
        let weights = &alpha[y * w..][..w];
        if weights.iter().all(|&a| a == 255) {
            continue;
        }
        for ((l, &t), &b) in line
            .iter_mut()
            .zip(&small[y0 * sw..][..sw])
            .zip(&small[y1 * sw..][..sw])
        {
            *l = u32::from(t) * (256 - fy) + u32::from(b) * fy;
        }
        let row = &mut plane[y * w..][..w];
        for ((p, &a), &(x0, x1, fx)) in row.iter_mut().zip(weights).zip(&columns) {
            // 12 fractional bits from the line, 8 from the horizontal weight: 20 in all.
            let blurred = (line[x0] * (256 - fx) + line[x1] * fx) >> 20;
            let a = u32::from(a);
            // Rounded division by 255, exact for these 16-bit sums.
            let mixed = u32::from(*p) * a + blurred * (255 - a) + 128;
            *p = ((mixed + (mixed >> 8)) >> 8) as u8;
        }
    }
}

/// A box blur of radius 1 along one direction of a `lines` x `len` grid: `step` is the
/// distance between neighbours, `stride` between lines. Edges repeat their last value.
fn box_blur(src: &[u16], dst: &mut [u16], len: usize, lines: usize, step: usize, stride: usize) {
    for line in 0..lines {
        let at = |i: usize| u32::from(src[line * stride + i * step]);
        for i in 0..len {
            let (before, after) = (at(i.saturating_sub(1)), at((i + 1).min(len - 1)));
            dst[line * stride + i * step] = ((before + at(i) + after + 1) / 3) as u16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame: left half a fine checkerboard (detail a blur must remove), right half
    /// flat grey.
    fn checkered(width: usize, height: usize) -> I420Frame {
        let mut frame = I420Frame::black(width, height);
        let (y, _, _) = frame.planes_mut();
        for row in 0..height {
            for col in 0..width {
                y[row * width + col] = if col < width / 2 {
                    if (row / 2 + col / 2) % 2 == 0 {
                        40
                    } else {
                        220
                    }
                } else {
                    128
                };
            }
        }
        frame
    }

    /// Mean absolute difference between neighbouring luma pixels: detail left.
    fn detail(frame: &I420Frame, cols: std::ops::Range<usize>) -> f64 {
        let w = frame.width();
        let y = frame.y();
        let mut sum = 0u64;
        let mut n = 0u64;
        for row in 0..frame.height() {
            for col in cols.clone().skip(1) {
                sum += u64::from(y[row * w + col].abs_diff(y[row * w + col - 1]));
                n += 1;
            }
        }
        sum as f64 / n as f64
    }

    #[test]
    fn without_a_mask_everything_is_blurred_and_flat_stays_flat() {
        let mut frame = checkered(64, 48);
        let before = detail(&frame, 0..24);
        let (w, h) = (frame.width(), frame.height());
        let alpha = Alpha {
            width: w,
            height: h,
            luma: vec![0; w * h],
            chroma: vec![0; w.div_ceil(2) * h.div_ceil(2)],
        };
        blend_with_blur(&mut frame, &alpha);
        let after = detail(&frame, 0..24);
        assert!(after < before / 10.0, "detail {before} -> {after}");
        // The flat grey right edge keeps its value; chroma stays neutral.
        assert!(frame.y()[10 * w + w - 1].abs_diff(128) <= 2);
        assert!(frame.u().iter().all(|&c| c == 128));
    }

    #[test]
    fn a_person_mask_keeps_its_part_sharp() {
        let mut frame = checkered(64, 48);
        let original = frame.clone();
        let (w, h) = (frame.width(), frame.height());
        // The person is the left quarter.
        let mut luma = vec![0; w * h];
        for row in luma.chunks_exact_mut(w) {
            row[..w / 4].fill(255);
        }
        let alpha = Alpha {
            width: w,
            height: h,
            luma,
            chroma: vec![0; w.div_ceil(2) * h.div_ceil(2)],
        };
        blend_with_blur(&mut frame, &alpha);
        for row in 0..h {
            assert_eq!(
                frame.y()[row * w..][..w / 4],
                original.y()[row * w..][..w / 4]
            );
        }
        assert!(detail(&frame, w / 4 + 4..w / 2) < detail(&original, w / 4 + 4..w / 2) / 5.0);
    }

    #[test]
    fn mask_edges_ramp_and_extremes_saturate() {
        let mask = [0.0, 0.1, 0.5, 0.9, 1.0, 1.0];
        let alpha = upscale_mask(&mask, (6, 1), 6, 1);
        assert_eq!(alpha[0], 0);
        assert_eq!(alpha[1], 0);
        assert_eq!(alpha[2], 128);
        assert_eq!(alpha[3], 255);
        assert_eq!(alpha[5], 255);
    }

    #[test]
    fn the_model_sees_the_frames_colours() {
        // Pure red in BT.601 limited range: Y 81, U 90, V 240.
        let mut frame = I420Frame::black(32, 18);
        let (y, u, v) = frame.planes_mut();
        y.fill(81);
        u.fill(90);
        v.fill(240);
        let mut input = vec![0.0; 16 * 9 * 3];
        model_input(&frame, 16, 9, &mut input);
        let (r, g, b) = (input[0], input[1], input[2]);
        assert!(r > 0.95 && g < 0.05 && b < 0.05, "{r} {g} {b}");
    }

    #[test]
    fn the_worker_delivers_a_mask_and_blur_keeps_going() {
        let mut blur = BackgroundBlur::new().expect("model");
        let mut frame = checkered(320, 240);
        let start = Instant::now();
        let deadline = start + Duration::from_secs(20);
        let mut now = start;
        while blur.figures().segmentations == 0 {
            assert!(Instant::now() < deadline, "no mask came back");
            blur.apply(&mut frame, now);
            now += Duration::from_millis(33);
            std::thread::sleep(Duration::from_millis(5));
        }
        blur.apply(&mut frame, now);
        let figures = blur.figures();
        assert!(
            figures.segment_ms > 0.0 && figures.frames >= 1,
            "{figures:?}"
        );
    }
}
