//! Raw video frames: planar I420 (YUV 4:2:0), the format the encoder takes, the decoder
//! gives and the call window's WebGL shader draws, so no RGB conversion happens on the
//! CPU anywhere in the pipeline.

use std::time::Instant;

/// One video frame in I420: a full-resolution luma plane, then the two chroma planes at
/// half resolution (rounded up). Planes are tightly packed (stride = plane width).
#[derive(Clone, PartialEq, Eq)]
pub struct I420Frame {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl std::fmt::Debug for I420Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "I420Frame({}x{})", self.width, self.height)
    }
}

/// Half of `n`, rounded up: the chroma plane size for a luma size.
const fn half(n: usize) -> usize {
    n.div_ceil(2)
}

impl I420Frame {
    /// A black frame. Width and height are even and at least 2.
    pub fn black(width: usize, height: usize) -> Self {
        let (width, height) = (width.max(2) & !1, height.max(2) & !1);
        let luma = width * height;
        let chroma = half(width) * half(height);
        let mut data = vec![16u8; luma + 2 * chroma];
        data[luma..].fill(128);
        Self {
            width,
            height,
            data,
        }
    }

    /// Copies a frame out of three planes with the given strides; `None` when the planes are
    /// too short for the size.
    pub fn from_planes(
        width: usize,
        height: usize,
        planes: (&[u8], &[u8], &[u8]),
        strides: (usize, usize, usize),
    ) -> Option<Self> {
        if width < 2 || height < 2 {
            return None;
        }
        let (cw, ch) = (half(width), half(height));
        let fits = |plane: &[u8], stride: usize, w: usize, h: usize| {
            stride >= w && plane.len() >= stride * (h - 1) + w
        };
        if !fits(planes.0, strides.0, width, height)
            || !fits(planes.1, strides.1, cw, ch)
            || !fits(planes.2, strides.2, cw, ch)
        {
            return None;
        }
        let mut data = Vec::with_capacity(width * height + 2 * cw * ch);
        for row in 0..height {
            data.extend_from_slice(&planes.0[row * strides.0..][..width]);
        }
        for (plane, stride) in [(planes.1, strides.1), (planes.2, strides.2)] {
            for row in 0..ch {
                data.extend_from_slice(&plane[row * stride..][..cw]);
            }
        }
        // Odd sizes are cropped to even ones: H.264 at 4:2:0 wants even dimensions.
        let frame = Self {
            width,
            height,
            data,
        };
        Some(if width % 2 == 1 || height % 2 == 1 {
            frame.scaled(width & !1, height & !1)
        } else {
            frame
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The three planes back to back (Y, then U, then V), as the WebGL renderer uploads them.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The luma plane.
    pub fn y(&self) -> &[u8] {
        &self.data[..self.width * self.height]
    }

    /// The blue-difference chroma plane.
    pub fn u(&self) -> &[u8] {
        let start = self.width * self.height;
        &self.data[start..start + half(self.width) * half(self.height)]
    }

    /// The red-difference chroma plane.
    pub fn v(&self) -> &[u8] {
        let start = self.width * self.height + half(self.width) * half(self.height);
        &self.data[start..]
    }

    /// Mutable planes (Y, U, V), for sources that draw in place.
    pub fn planes_mut(&mut self) -> (&mut [u8], &mut [u8], &mut [u8]) {
        let luma = self.width * self.height;
        let chroma = half(self.width) * half(self.height);
        let (y, rest) = self.data.split_at_mut(luma);
        let (u, v) = rest.split_at_mut(chroma);
        (y, u, v)
    }

    /// The frame resized to `width` x `height` (even, at least 2) by area averaging when
    /// shrinking and nearest sampling when growing. Cheap enough for every frame at the
    /// sizes of a call (640x480 → 320x240 in well under a millisecond).
    pub fn scaled(&self, width: usize, height: usize) -> Self {
        let (width, height) = (width.max(2) & !1, height.max(2) & !1);
        if width == self.width && height == self.height {
            return self.clone();
        }
        let mut out = Self::black(width, height);
        let (src_cw, src_ch) = (half(self.width), half(self.height));
        let (dst_cw, dst_ch) = (half(width), half(height));
        {
            let (y, u, v) = out.planes_mut();
            resample(self.y(), self.width, self.height, y, width, height);
            resample(self.u(), src_cw, src_ch, u, dst_cw, dst_ch);
            resample(self.v(), src_cw, src_ch, v, dst_cw, dst_ch);
        }
        out
    }
}

/// Resamples one plane: each destination pixel averages the source box it covers.
fn resample(src: &[u8], sw: usize, sh: usize, dst: &mut [u8], dw: usize, dh: usize) {
    if sw == 2 * dw && sh == 2 * dh {
        // Halving (the self-view, every frame): each pixel is the mean of a 2x2 block.
        for (out, rows) in dst.chunks_exact_mut(dw).zip(src.chunks_exact(2 * sw)) {
            let (top, bottom) = rows.split_at(sw);
            for ((d, t), b) in out
                .iter_mut()
                .zip(top.chunks_exact(2))
                .zip(bottom.chunks_exact(2))
            {
                let sum = u16::from(t[0]) + u16::from(t[1]) + u16::from(b[0]) + u16::from(b[1]);
                *d = (sum / 4) as u8;
            }
        }
        return;
    }
    for dy in 0..dh {
        let y0 = dy * sh / dh;
        let y1 = ((dy + 1) * sh / dh).max(y0 + 1).min(sh);
        for dx in 0..dw {
            let x0 = dx * sw / dw;
            let x1 = ((dx + 1) * sw / dw).max(x0 + 1).min(sw);
            let mut sum = 0u32;
            for row in src[y0 * sw..y1 * sw].chunks_exact(sw) {
                sum += row[x0..x1].iter().map(|&p| u32::from(p)).sum::<u32>();
            }
            let count = ((y1 - y0) * (x1 - x0)) as u32;
            dst[dy * dw + dx] = (sum / count) as u8;
        }
    }
}

/// A frame with the moment it was captured (or decoded), for frame-rate and latency
/// figures.
#[derive(Debug, Clone)]
pub struct TimedFrame {
    /// The picture.
    pub frame: I420Frame,
    /// When it was captured or decoded.
    pub at: Instant,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_have_the_right_sizes_and_scaling_averages() {
        let mut frame = I420Frame::black(4, 4);
        assert_eq!(frame.y().len(), 16);
        assert_eq!(frame.u().len(), 4);
        assert_eq!(frame.v().len(), 4);
        frame.planes_mut().0.copy_from_slice(&[
            0, 100, 10, 10, //
            200, 100, 10, 10, //
            50, 50, 0, 0, //
            50, 50, 0, 0,
        ]);
        let small = frame.scaled(2, 2);
        assert_eq!(small.y(), &[100, 10, 50, 0]);
        assert_eq!(small.u(), &[128]);
        let big = small.scaled(4, 4);
        assert_eq!(big.y()[0..4], [100, 100, 10, 10]);
    }

    #[test]
    fn shrinking_by_other_ratios_averages_the_covered_box() {
        let mut frame = I420Frame::black(6, 2);
        frame
            .planes_mut()
            .0
            .copy_from_slice(&[0, 3, 6, 30, 60, 90, 3, 6, 9, 30, 60, 90]);
        // Three columns of one row per pixel.
        assert_eq!(frame.scaled(2, 2).y(), &[3, 60, 6, 60]);
    }

    #[test]
    fn from_planes_honours_strides_and_refuses_short_planes() {
        let y: Vec<u8> = (0..8 * 2).map(|i| i as u8).collect(); // stride 8, width 4
        let u = [1u8, 1, 9, 9];
        let v = [2u8, 2, 9, 9];
        let frame = I420Frame::from_planes(4, 2, (&y, &u, &v), (8, 4, 4)).unwrap();
        assert_eq!(frame.y(), &[0, 1, 2, 3, 8, 9, 10, 11]);
        assert_eq!(frame.u(), &[1, 1]);
        assert_eq!(frame.v(), &[2, 2]);
        assert!(I420Frame::from_planes(4, 4, (&y, &u, &v), (8, 4, 4)).is_none());
    }
}
