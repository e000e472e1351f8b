//! Pictures for a native surface: a decoded I420 picture scaled to the size it is shown at
//! and turned into 32-bit BGRx (cairo's `RGB24` on little-endian machines, Windows' and
//! macOS's usual 32-bit layout), kept whole in its area (as CSS `object-fit: contain`).
//!
//! The desktop host draws the result on a surface over the call window's picture area (see
//! ARCHITECTURE, "Pictures in the window"). Scaling happens on the planes before the colour
//! conversion, so the conversion touches each shown pixel once; both steps are SIMD
//! (`fast_image_resize`, `yuvutils-rs`).

use super::frames::VideoStream;
use balie_call::media::frame::I420Frame;
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use ts_rs::TS;
use yuvutils_rs::{YuvPlanarImage, YuvRange, YuvStandardMatrix};

/// A rectangle in pixels of a surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// Where a `source`-sized picture goes in an `area`-sized surface: as large as fits with
/// its proportions kept, centred. `None` when either has no pixels.
pub fn fit(source: (u32, u32), area: (u32, u32)) -> Option<Placed> {
    let ((sw, sh), (aw, ah)) = (source, area);
    if sw == 0 || sh == 0 || aw == 0 || ah == 0 {
        return None;
    }
    // Whichever side binds: compare sw/sh with aw/ah without division.
    let (width, height) = if u64::from(sw) * u64::from(ah) >= u64::from(aw) * u64::from(sh) {
        (aw, (u64::from(aw) * u64::from(sh) / u64::from(sw)) as u32)
    } else {
        ((u64::from(ah) * u64::from(sw) / u64::from(sh)) as u32, ah)
    };
    let (width, height) = (width.max(1), height.max(1));
    Some(Placed {
        x: (aw - width) / 2,
        y: (ah - height) / 2,
        width,
        height,
    })
}

/// Why a picture could not be painted (never expected with frames from the engine: its
/// planes always match its size).
#[derive(Debug, thiserror::Error)]
pub enum PaintError {
    /// The output buffer is too small for the size asked.
    #[error("the output holds {got} bytes, {need} are needed")]
    OutputTooSmall {
        /// Bytes needed.
        need: usize,
        /// Bytes given.
        got: usize,
    },
    /// Scaling failed.
    #[error("scaling the picture: {0}")]
    Scale(String),
    /// Colour conversion failed.
    #[error("converting the picture's colours: {0}")]
    Convert(String),
}

/// Scales and converts pictures, keeping its scratch planes between calls (one per
/// surface: a call draws some thirty pictures a second).
#[derive(Default)]
pub struct Painter {
    resizer: Resizer,
    planes: [Vec<u8>; 3],
}

impl std::fmt::Debug for Painter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Painter")
    }
}

impl Painter {
    /// Writes `frame`, scaled to `width` x `height`, into `out` as BGRx rows `stride` bytes
    /// apart (the fourth byte of each pixel is 255); `out` holds `stride * height` bytes. BT.601 limited range, as OpenH264 and
    /// browsers produce for camera video (the WebGL fallback's shader uses the same).
    pub fn paint(
        &mut self,
        frame: &I420Frame,
        width: u32,
        height: u32,
        out: &mut [u8],
        stride: u32,
    ) -> Result<(), PaintError> {
        if width == 0 || height == 0 {
            return Ok(());
        }
        // Whole rows, the last one too: yuvutils-rs works on pairs of full-stride rows and
        // leaves a last pair alone when its buffer ends short of the stride (seen in tests).
        let need = stride as usize * height as usize;
        if out.len() < need || (stride as usize) < width as usize * 4 {
            return Err(PaintError::OutputTooSmall {
                need,
                got: out.len(),
            });
        }
        let (fw, fh) = (frame.width() as u32, frame.height() as u32);
        let (fcw, fch) = (fw.div_ceil(2), fh.div_ceil(2));
        let (cw, ch) = (width.div_ceil(2), height.div_ceil(2));
        let same = (fw, fh) == (width, height);
        if !same {
            let options =
                ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
            for (i, (plane, sw, sh, dw, dh)) in [
                (frame.y(), fw, fh, width, height),
                (frame.u(), fcw, fch, cw, ch),
                (frame.v(), fcw, fch, cw, ch),
            ]
            .into_iter()
            .enumerate()
            {
                let scratch = &mut self.planes[i];
                scratch.resize(dw as usize * dh as usize, 0);
                let source = ImageRef::new(sw, sh, plane, PixelType::U8)
                    .map_err(|e| PaintError::Scale(e.to_string()))?;
                let mut target = Image::from_slice_u8(dw, dh, scratch, PixelType::U8)
                    .map_err(|e| PaintError::Scale(e.to_string()))?;
                self.resizer
                    .resize(&source, &mut target, &options)
                    .map_err(|e| PaintError::Scale(e.to_string()))?;
            }
        }
        let (y, u, v) = if same {
            (frame.y(), frame.u(), frame.v())
        } else {
            let [y, u, v] = &self.planes;
            (y.as_slice(), u.as_slice(), v.as_slice())
        };
        let image = YuvPlanarImage {
            y_plane: y,
            y_stride: width,
            u_plane: u,
            u_stride: cw,
            v_plane: v,
            v_stride: cw,
            width,
            height,
        };
        yuvutils_rs::yuv420_to_bgra(
            &image,
            &mut out[..need],
            stride,
            YuvRange::Limited,
            YuvStandardMatrix::Bt601,
        )
        .map_err(|e| PaintError::Convert(e.to_string()))
    }
}

/// Where the page shows one picture: a rectangle in CSS pixels of the window's viewport.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, TS)]
pub struct VideoArea {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// Shown mirrored (the clerk's own picture, as in a mirror).
    pub mirrored: bool,
    /// A white frame this wide (CSS pixels) drawn around the area, as the page's border
    /// (0: none).
    pub border: f64,
    /// The part of the viewport the page shows the area in (its scrolling containers'
    /// boxes): left, top, right, bottom edges. Nothing of the picture is drawn outside it,
    /// so a picture scrolled under the window's top bar stays under it.
    pub clip: [f64; 4],
}

/// What the native surfaces have painted since they were last shown: the page reads it
/// for its `data-frames` counters (tests and benchmarks read those).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, TS)]
pub struct VideoPainted {
    /// Pictures of the citizen painted.
    #[ts(type = "number")]
    pub remote: u64,
    /// Pictures of the clerk painted.
    #[ts(type = "number")]
    pub self_view: u64,
    /// When the first picture of the citizen reached the screen (ms since the Unix epoch;
    /// the end of the GTK frame that painted it, when the window's pixels go to the
    /// display server), `None` before it.
    #[ts(type = "number | null")]
    pub first_remote_at: Option<u64>,
}

/// Counts shared between the drawing code on the main thread and the commands.
#[derive(Default)]
pub struct PaintCounts {
    remote: AtomicU64,
    self_view: AtomicU64,
    /// 0 = no first picture yet.
    first_remote_at: AtomicU64,
    /// A first picture of the citizen was painted in the frame being drawn.
    first_pending: AtomicBool,
}

impl PaintCounts {
    /// Starts counting anew (the pictures are shown again).
    pub fn reset(&self) {
        self.remote.store(0, Ordering::Relaxed);
        self.self_view.store(0, Ordering::Relaxed);
        self.first_remote_at.store(0, Ordering::Relaxed);
        self.first_pending.store(false, Ordering::Relaxed);
    }

    /// One picture of `stream` painted.
    pub fn painted(&self, stream: VideoStream) {
        let counter = match stream {
            VideoStream::Remote => &self.remote,
            VideoStream::SelfView => &self.self_view,
        };
        if counter.fetch_add(1, Ordering::Relaxed) == 0 && stream == VideoStream::Remote {
            self.first_pending.store(true, Ordering::Relaxed);
        }
    }

    /// Called at the end of each frame of the window: stamps the first picture's time.
    pub fn frame_done(&self) {
        if self.first_pending.swap(false, Ordering::Relaxed) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            self.first_remote_at.store(now.max(1), Ordering::Relaxed);
        }
    }

    /// The counts as the page reads them.
    pub fn snapshot(&self) -> VideoPainted {
        let first = self.first_remote_at.load(Ordering::Relaxed);
        VideoPainted {
            remote: self.remote.load(Ordering::Relaxed),
            self_view: self.self_view.load(Ordering::Relaxed),
            first_remote_at: (first > 0).then_some(first),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_keeps_its_proportions_centred_in_its_area() {
        // 4:3 in a wide area: bars left and right.
        assert_eq!(
            fit((640, 480), (1000, 600)),
            Some(Placed {
                x: 100,
                y: 0,
                width: 800,
                height: 600
            })
        );
        // A phone held upright in a 4:3 area: bars left and right, whole picture shown.
        assert_eq!(
            fit((480, 640), (800, 600)),
            Some(Placed {
                x: 175,
                y: 0,
                width: 450,
                height: 600
            })
        );
        // Wide in a tall area: bars above and below.
        assert_eq!(
            fit((1280, 720), (320, 480)),
            Some(Placed {
                x: 0,
                y: 150,
                width: 320,
                height: 180
            })
        );
        assert_eq!(fit((640, 480), (0, 600)), None);
        assert_eq!(fit((0, 480), (100, 600)), None);
    }

    /// An I420 frame of one colour.
    fn flat(width: usize, height: usize, y: u8, u: u8, v: u8) -> I420Frame {
        let mut frame = I420Frame::black(width, height);
        let (py, pu, pv) = frame.planes_mut();
        py.fill(y);
        pu.fill(u);
        pv.fill(v);
        frame
    }

    /// The (B, G, R) of pixel `i` of a tightly packed BGRx buffer.
    fn bgr(out: &[u8], i: usize) -> (u8, u8, u8) {
        (out[i * 4], out[i * 4 + 1], out[i * 4 + 2])
    }

    #[test]
    fn colours_come_out_as_bt601_limited_range_at_any_size() {
        let mut painter = Painter::default();
        // Studio white and black, and the BT.601 red (Y 81, U 90, V 240).
        for (yuv, expected) in [
            ((235, 128, 128), (255, 255, 255)),
            ((16, 128, 128), (0, 0, 0)),
            ((81, 90, 240), (0, 0, 255)),
        ] {
            let frame = flat(64, 48, yuv.0, yuv.1, yuv.2);
            for (w, h) in [(64, 48), (200, 150), (30, 21)] {
                let mut out = vec![0u8; w * h * 4];
                painter
                    .paint(&frame, w as u32, h as u32, &mut out, w as u32 * 4)
                    .unwrap();
                for i in [0, w * h / 2, w * h - 1] {
                    let (b, g, r) = bgr(&out, i);
                    let near = |a: u8, e: u8| a.abs_diff(e) <= 3;
                    assert!(
                        near(b, expected.0) && near(g, expected.1) && near(r, expected.2),
                        "{yuv:?} at {w}x{h}, pixel {i}: {:?}, expected {expected:?}",
                        (b, g, r)
                    );
                }
            }
        }
    }

    #[test]
    fn the_left_of_the_picture_stays_left_when_scaled_and_rows_keep_their_stride() {
        // Left half black, right half white, painted into a buffer with spare bytes per
        // row (a surface's stride), which stay untouched.
        let mut frame = I420Frame::black(64, 48);
        let (y, _, _) = frame.planes_mut();
        for row in y.chunks_mut(64) {
            row[32..].fill(235);
        }
        let (w, h, stride) = (160usize, 120usize, 160 * 4 + 32);
        let mut out = vec![7u8; stride * h];
        Painter::default()
            .paint(&frame, w as u32, h as u32, &mut out, stride as u32)
            .unwrap();
        for row in 0..h {
            let line = &out[row * stride..];
            assert!(line[..4 * 10].chunks(4).all(|p| p[2] < 10), "row {row}");
            assert!(
                line[4 * 150..4 * 160].chunks(4).all(|p| p[2] > 245),
                "row {row}: {:?}",
                &line[4 * 150..4 * 160]
            );
            assert!(
                line[4 * 160..stride].iter().all(|&b| b == 7),
                "padding kept"
            );
        }
    }

    #[test]
    fn a_buffer_too_small_is_refused_not_overrun() {
        let frame = flat(64, 48, 100, 128, 128);
        let mut out = vec![0u8; 100];
        assert!(matches!(
            Painter::default().paint(&frame, 64, 48, &mut out, 256),
            Err(PaintError::OutputTooSmall { .. })
        ));
    }
}
