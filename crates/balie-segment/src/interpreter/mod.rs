//! A TensorFlow Lite interpreter for float models built from the operators MediaPipe's
//! selfie-segmentation models use: convolutions (plain, depthwise, and MediaPipe's
//! transposed `Convolution2DTransposeBias`), element-wise add and multiply, ReLU,
//! hard-swish, logistic, spatial mean and bilinear resize, with float16 weights
//! dequantized once at load.
//!
//! Loading checks every shape the kernels rely on, so running never indexes out of
//! bounds. Tensors are NHWC with a batch of one; activations live in buffers allocated at
//! load and reused for every run.

use crate::ModelError;
use crate::flatbuffer::Table;

mod load;

/// The most values one activation tensor may hold (64 MiB of floats).
const MAX_ELEMENTS: usize = 16 << 20;

/// Height, width and channels of a batch-of-one NHWC tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub(crate) h: usize,
    pub(crate) w: usize,
    pub(crate) c: usize,
}

impl Shape {
    fn len(self) -> usize {
        self.h * self.w * self.c
    }

    fn of(dims: &[i32]) -> Result<Self, ModelError> {
        let dim = |d: i32| {
            usize::try_from(d)
                .ok()
                .filter(|&d| d > 0)
                .ok_or(ModelError::Malformed("a dimension that is not positive"))
        };
        let shape = match *dims {
            [1, h, w, c] => Ok(Self {
                h: dim(h)?,
                w: dim(w)?,
                c: dim(c)?,
            }),
            [c] => Ok(Self {
                h: 1,
                w: 1,
                c: dim(c)?,
            }),
            _ => Err(ModelError::Unsupported(
                "a tensor that is not NHWC with batch 1",
            )),
        }?;
        match shape
            .h
            .checked_mul(shape.w)
            .and_then(|n| n.checked_mul(shape.c))
        {
            Some(len) if len <= MAX_ELEMENTS => Ok(shape),
            _ => Err(ModelError::Unsupported(
                "a tensor larger than 16 million values",
            )),
        }
    }
}

/// An activation fused into an operator.
#[derive(Clone, Copy, Debug)]
enum Activation {
    None,
    Relu,
    Relu6,
}

impl Activation {
    fn from_code(code: u8) -> Result<Self, ModelError> {
        match code {
            0 => Ok(Self::None),
            1 => Ok(Self::Relu),
            3 => Ok(Self::Relu6),
            _ => Err(ModelError::Unsupported(
                "a fused activation other than ReLU or ReLU6",
            )),
        }
    }

    fn apply(self, values: &mut [f32]) {
        match self {
            Self::None => {}
            Self::Relu => values.iter_mut().for_each(|v| *v = v.max(0.0)),
            Self::Relu6 => values.iter_mut().for_each(|v| *v = v.clamp(0.0, 6.0)),
        }
    }
}

/// A convolution's geometry: kernel size, stride and the padding before the first row and
/// column.
#[derive(Clone, Copy, Debug)]
struct Window {
    kh: usize,
    kw: usize,
    stride_h: usize,
    stride_w: usize,
    pad_top: usize,
    pad_left: usize,
}

impl Window {
    /// Checks the output size against TFLite's rule for `padding` and works out the
    /// padding. `input` and `output` are the convolution's (for a transposed one, pass them
    /// the other way round).
    fn new(
        padding: u8,
        (kh, kw): (usize, usize),
        (stride_h, stride_w): (usize, usize),
        input: Shape,
        output: Shape,
    ) -> Result<Self, ModelError> {
        if stride_h == 0 || stride_w == 0 || kh == 0 || kw == 0 {
            return Err(ModelError::Malformed("zero stride or kernel"));
        }
        // Padding 0 is SAME, 1 is VALID (the schema's enum).
        let (expect_h, expect_w) = match padding {
            0 => (input.h.div_ceil(stride_h), input.w.div_ceil(stride_w)),
            1 => (
                (input.h + 1).saturating_sub(kh).div_ceil(stride_h),
                (input.w + 1).saturating_sub(kw).div_ceil(stride_w),
            ),
            _ => {
                return Err(ModelError::Unsupported(
                    "a padding other than SAME or VALID",
                ));
            }
        };
        if (expect_h, expect_w) != (output.h, output.w) {
            return Err(ModelError::Malformed(
                "convolution output size does not match",
            ));
        }
        let pad = |out: usize, stride: usize, k: usize, inp: usize| {
            if padding == 1 {
                0
            } else {
                ((out.saturating_sub(1)) * stride + k).saturating_sub(inp) / 2
            }
        };
        Ok(Self {
            kh,
            kw,
            stride_h,
            stride_w,
            pad_top: pad(output.h, stride_h, kh, input.h),
            pad_left: pad(output.w, stride_w, kw, input.w),
        })
    }

    /// For kernel column `kx`: the output columns `first..end` whose input column lies
    /// inside a row of `in_w`, and the input column of `first`. `None` when there are none.
    fn columns(&self, kx: usize, in_w: usize, out_w: usize) -> Option<(usize, usize, usize)> {
        let first = self.pad_left.saturating_sub(kx).div_ceil(self.stride_w);
        let end = (in_w + self.pad_left)
            .saturating_sub(kx)
            .div_ceil(self.stride_w)
            .min(out_w);
        (first < end).then(|| (first, end, first * self.stride_w + kx - self.pad_left))
    }

    /// The input row or column for an output position and kernel tap, if inside.
    fn source(out: usize, stride: usize, tap: usize, pad: usize, size: usize) -> Option<usize> {
        (out * stride + tap).checked_sub(pad).filter(|&i| i < size)
    }
}

/// One operator, with its constant operands already in the layout its kernel reads.
#[derive(Debug)]
enum Op {
    /// Weights `[ky][kx][ci][co]`.
    Conv {
        input: usize,
        output: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
        window: Window,
        activation: Activation,
    },
    /// Weights `[ky][kx][c]` (depth multiplier 1).
    Depthwise {
        input: usize,
        output: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
        window: Window,
        activation: Activation,
    },
    /// Weights `[ky][kx][co][ci]`; every input pixel spreads over a kernel-sized patch.
    TransposeConv {
        input: usize,
        output: usize,
        weights: Vec<f32>,
        bias: Vec<f32>,
        window: Window,
    },
    /// `b` has the shape of `a`, or is one value per channel.
    Add {
        a: usize,
        b: usize,
        output: usize,
        activation: Activation,
    },
    /// `b` has the shape of `a`, or is one value per channel.
    Mul {
        a: usize,
        b: usize,
        output: usize,
        activation: Activation,
    },
    Relu {
        input: usize,
        output: usize,
    },
    HardSwish {
        input: usize,
        output: usize,
    },
    Logistic {
        input: usize,
        output: usize,
    },
    /// Mean over height and width.
    Mean {
        input: usize,
        output: usize,
    },
    ResizeBilinear {
        input: usize,
        output: usize,
        half_pixel_centers: bool,
        align_corners: bool,
    },
}

/// A constant tensor's contents.
enum Constant {
    Float(Vec<f32>),
    Int(Vec<i32>),
}

/// A loaded model with its activation buffers.
pub(crate) struct Interpreter {
    shapes: Vec<Shape>,
    ops: Vec<Op>,
    /// One buffer per activation tensor (empty for constants).
    values: Vec<Vec<f32>>,
    input: usize,
    output: usize,
}

/// TFLite's builtin operator codes used here.
mod code {
    pub(super) const ADD: i32 = 0;
    pub(super) const CONV_2D: i32 = 3;
    pub(super) const DEPTHWISE_CONV_2D: i32 = 4;
    pub(super) const DEQUANTIZE: i32 = 6;
    pub(super) const LOGISTIC: i32 = 14;
    pub(super) const MUL: i32 = 18;
    pub(super) const RELU: i32 = 19;
    pub(super) const RESIZE_BILINEAR: i32 = 23;
    pub(super) const CUSTOM: i32 = 32;
    pub(super) const MEAN: i32 = 40;
    pub(super) const HARD_SWISH: i32 = 117;
}

/// TFLite's tensor element types used here.
mod dtype {
    pub(super) const FLOAT32: u8 = 0;
    pub(super) const FLOAT16: u8 = 1;
    pub(super) const INT32: u8 = 2;
}

/// Converts IEEE 754 half precision bits to `f32`.
pub(crate) fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x3ff);
    let magnitude = match (exponent, mantissa) {
        (0, 0) => 0,
        // Subnormal: value = mantissa * 2^-24, exact in f32.
        (0, m) => return sign_of(sign) * (m as f32) * f32::powi(2.0, -24),
        (0x1f, m) => 0x7f80_0000 | (m << 13),
        (e, m) => ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(sign | magnitude)
}

fn sign_of(sign_bit: u32) -> f32 {
    if sign_bit == 0 { 1.0 } else { -1.0 }
}

/// A 4-D weights tensor's dimensions (outputs, kernel height, kernel width, inputs), all
/// positive.
fn filter_dims(dims: &[i32]) -> Result<(usize, usize, usize, usize), ModelError> {
    let positive = |v: i32| {
        usize::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .ok_or(ModelError::Malformed("bad weights shape"))
    };
    match *dims {
        [fo, kh, kw, fi] => Ok((positive(fo)?, positive(kh)?, positive(kw)?, positive(fi)?)),
        _ => Err(ModelError::Malformed("convolution weights are not 4-D")),
    }
}

/// Weights stored `[co][tap][ci]` (TFLite's order) moved to where `to(co, tap, ci)` says,
/// for the kernel that reads them.
fn reorder(
    weights: &[f32],
    (outputs, taps, inputs): (usize, usize, usize),
    to: impl Fn(usize, usize, usize) -> usize,
) -> Vec<f32> {
    let mut reordered = vec![0.0; weights.len()];
    for co in 0..outputs {
        for k in 0..taps {
            for ci in 0..inputs {
                reordered[to(co, k, ci)] = weights[(co * taps + k) * inputs + ci];
            }
        }
    }
    reordered
}

/// Reads an operator's tensor index list, refusing optional (-1) or unknown tensors.
fn indices(op: &Table<'_>, field: usize, tensors: usize) -> Result<Vec<usize>, ModelError> {
    op.i32s(field)?
        .into_iter()
        .map(|i| {
            usize::try_from(i)
                .ok()
                .filter(|&i| i < tensors)
                .ok_or(ModelError::Malformed(
                    "operator names a tensor that does not exist",
                ))
        })
        .collect()
}

impl Interpreter {
    /// The input tensor's shape.
    pub(crate) fn input_shape(&self) -> Shape {
        self.shapes[self.input]
    }

    /// The output tensor's shape.
    pub(crate) fn output_shape(&self) -> Shape {
        self.shapes[self.output]
    }

    /// The input buffer, to fill before [`Self::run`].
    pub(crate) fn input_mut(&mut self) -> &mut [f32] {
        &mut self.values[self.input]
    }

    /// Runs every operator; returns the output.
    pub(crate) fn run(&mut self) -> &[f32] {
        for op in &self.ops {
            let out_index = op.output();
            let mut out = std::mem::take(&mut self.values[out_index]);
            op.run(&self.values, &self.shapes, &mut out);
            self.values[out_index] = out;
        }
        &self.values[self.output]
    }
}

impl Op {
    fn output(&self) -> usize {
        match *self {
            Op::Conv { output, .. }
            | Op::Depthwise { output, .. }
            | Op::TransposeConv { output, .. }
            | Op::Add { output, .. }
            | Op::Mul { output, .. }
            | Op::Relu { output, .. }
            | Op::HardSwish { output, .. }
            | Op::Logistic { output, .. }
            | Op::Mean { output, .. }
            | Op::ResizeBilinear { output, .. } => output,
        }
    }

    fn inputs(&self) -> Vec<usize> {
        match *self {
            Op::Add { a, b, .. } | Op::Mul { a, b, .. } => vec![a, b],
            Op::Conv { input, .. }
            | Op::Depthwise { input, .. }
            | Op::TransposeConv { input, .. }
            | Op::Relu { input, .. }
            | Op::HardSwish { input, .. }
            | Op::Logistic { input, .. }
            | Op::Mean { input, .. }
            | Op::ResizeBilinear { input, .. } => vec![input],
        }
    }

    /// Computes this operator into `out`. The shapes were checked at load.
    fn run(&self, values: &[Vec<f32>], shapes: &[Shape], out: &mut [f32]) {
        match self {
            Op::Conv {
                input,
                output,
                weights,
                bias,
                window,
                activation,
            } => conv(
                &values[*input],
                shapes[*input],
                out,
                shapes[*output],
                weights,
                bias,
                window,
                *activation,
            ),
            Op::Depthwise {
                input,
                output,
                weights,
                bias,
                window,
                activation,
            } => depthwise(
                &values[*input],
                shapes[*input],
                out,
                shapes[*output],
                weights,
                bias,
                window,
                *activation,
            ),
            Op::TransposeConv {
                input,
                output,
                weights,
                bias,
                window,
            } => transpose_conv(
                &values[*input],
                shapes[*input],
                out,
                shapes[*output],
                weights,
                bias,
                window,
            ),
            Op::Add {
                a, b, activation, ..
            } => binary(&values[*a], &values[*b], out, *activation, |x, y| x + y),
            Op::Mul {
                a, b, activation, ..
            } => binary(&values[*a], &values[*b], out, *activation, |x, y| x * y),
            Op::Relu { input, .. } => map(&values[*input], out, |x| x.max(0.0)),
            Op::HardSwish { input, .. } => map(&values[*input], out, |x| {
                x * (x + 3.0).clamp(0.0, 6.0) / 6.0
            }),
            Op::Logistic { input, .. } => map(&values[*input], out, |x| 1.0 / (1.0 + (-x).exp())),
            Op::Mean { input, .. } => mean(&values[*input], shapes[*input], out),
            Op::ResizeBilinear {
                input,
                output,
                half_pixel_centers,
                align_corners,
            } => resize_bilinear(
                &values[*input],
                shapes[*input],
                out,
                shapes[*output],
                *align_corners,
                *half_pixel_centers,
            ),
        }
    }
}

fn map(input: &[f32], out: &mut [f32], f: impl Fn(f32) -> f32) {
    for (o, &x) in out.iter_mut().zip(input) {
        *o = f(x);
    }
}

/// Element-wise `a op b`, where `b` is either the same size as `a` or one value per
/// channel.
fn binary(
    a: &[f32],
    b: &[f32],
    out: &mut [f32],
    activation: Activation,
    f: impl Fn(f32, f32) -> f32,
) {
    if a.len() == b.len() {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = f(x, y);
        }
    } else if !b.is_empty() {
        for (o_px, a_px) in out.chunks_exact_mut(b.len()).zip(a.chunks_exact(b.len())) {
            for ((o, &x), &y) in o_px.iter_mut().zip(a_px).zip(b) {
                *o = f(x, y);
            }
        }
    }
    activation.apply(out);
}

#[allow(clippy::too_many_arguments)] // the convolution's natural operands
fn conv(
    input: &[f32],
    is: Shape,
    out: &mut [f32],
    os: Shape,
    weights: &[f32],
    bias: &[f32],
    window: &Window,
    activation: Activation,
) {
    let (ci, co) = (is.c, os.c);
    if window.kh == 1
        && window.kw == 1
        && window.stride_h == 1
        && window.stride_w == 1
        && co % LANES == 0
    {
        pointwise(input, ci, out, co, weights, bias);
        activation.apply(out);
        return;
    }
    // Row by row, one kernel tap at a time over the whole row, so the inner loops run
    // over contiguous pixels without per-pixel bounds arithmetic.
    for oy in 0..os.h {
        let out_row = &mut out[oy * os.w * co..][..os.w * co];
        for pixel in out_row.chunks_exact_mut(co) {
            pixel.copy_from_slice(bias);
        }
        for ky in 0..window.kh {
            let Some(iy) = Window::source(oy, window.stride_h, ky, window.pad_top, is.h) else {
                continue;
            };
            let in_row = &input[iy * is.w * ci..][..is.w * ci];
            for kx in 0..window.kw {
                let Some((first, end, ix)) = window.columns(kx, is.w, os.w) else {
                    continue;
                };
                let taps = &weights[(ky * window.kw + kx) * ci * co..][..ci * co];
                let outs = out_row[first * co..end * co].chunks_exact_mut(co);
                let ins = in_row[ix * ci..].chunks_exact(ci).step_by(window.stride_w);
                for (acc, pixel) in outs.zip(ins) {
                    for (&x, row) in pixel.iter().zip(taps.chunks_exact(co)) {
                        for (a, &w) in acc.iter_mut().zip(row) {
                            *a += x * w;
                        }
                    }
                }
            }
        }
        activation.apply(out_row);
    }
}

/// Output channels computed together by [`pointwise`].
const LANES: usize = 8;
/// Pixels computed together by [`pointwise`].
const PIXELS: usize = 4;

/// A 1x1 convolution, which is a matrix product of the pixels (`ci` values each) and the
/// weights (`[ci][co]`). It works on blocks of four pixels by eight output channels that
/// stay in registers while the input channels stream past. `co` is a multiple of
/// [`LANES`].
fn pointwise(input: &[f32], ci: usize, out: &mut [f32], co: usize, weights: &[f32], bias: &[f32]) {
    let pixels = out.len() / co;
    let blocked = pixels - pixels % PIXELS;
    for p in (0..blocked).step_by(PIXELS) {
        let rows: [&[f32]; PIXELS] = std::array::from_fn(|j| &input[(p + j) * ci..][..ci]);
        for block in (0..co).step_by(LANES) {
            let mut acc = [[0.0f32; LANES]; PIXELS];
            for row in &mut acc {
                row.copy_from_slice(&bias[block..block + LANES]);
            }
            for c in 0..ci {
                let w: &[f32; LANES] = weights[c * co + block..][..LANES]
                    .try_into()
                    .unwrap_or(&[0.0; LANES]);
                for (row, pixel) in acc.iter_mut().zip(&rows) {
                    let x = pixel[c];
                    for (a, &w) in row.iter_mut().zip(w) {
                        *a += x * w;
                    }
                }
            }
            for (j, row) in acc.iter().enumerate() {
                out[(p + j) * co + block..][..LANES].copy_from_slice(row);
            }
        }
    }
    for p in blocked..pixels {
        let pixel = &input[p * ci..][..ci];
        let acc = &mut out[p * co..][..co];
        acc.copy_from_slice(bias);
        for (&x, row) in pixel.iter().zip(weights.chunks_exact(co)) {
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += x * w;
            }
        }
    }
}

#[allow(clippy::too_many_arguments)] // the convolution's natural operands
fn depthwise(
    input: &[f32],
    is: Shape,
    out: &mut [f32],
    os: Shape,
    weights: &[f32],
    bias: &[f32],
    window: &Window,
    activation: Activation,
) {
    let c = is.c;
    // Row by row and tap by tap, as in [`conv`].
    for oy in 0..os.h {
        let out_row = &mut out[oy * os.w * c..][..os.w * c];
        for pixel in out_row.chunks_exact_mut(c) {
            pixel.copy_from_slice(bias);
        }
        for ky in 0..window.kh {
            let Some(iy) = Window::source(oy, window.stride_h, ky, window.pad_top, is.h) else {
                continue;
            };
            let in_row = &input[iy * is.w * c..][..is.w * c];
            for kx in 0..window.kw {
                let Some((first, end, ix)) = window.columns(kx, is.w, os.w) else {
                    continue;
                };
                let taps = &weights[(ky * window.kw + kx) * c..][..c];
                let outs = out_row[first * c..end * c].chunks_exact_mut(c);
                let ins = in_row[ix * c..].chunks_exact(c).step_by(window.stride_w);
                for (acc, pixel) in outs.zip(ins) {
                    for ((a, &x), &w) in acc.iter_mut().zip(pixel).zip(taps) {
                        *a += x * w;
                    }
                }
            }
        }
        activation.apply(out_row);
    }
}

/// The transposed convolution: `window` describes the forward convolution from `os` to
/// `is`, and every input pixel adds its weighted kernel to the outputs it came from.
fn transpose_conv(
    input: &[f32],
    is: Shape,
    out: &mut [f32],
    os: Shape,
    weights: &[f32],
    bias: &[f32],
    window: &Window,
) {
    let (ci, co) = (is.c, os.c);
    for pixel in out.chunks_exact_mut(co) {
        pixel.copy_from_slice(bias);
    }
    for iy in 0..is.h {
        for ix in 0..is.w {
            let pixel = &input[(iy * is.w + ix) * ci..][..ci];
            for ky in 0..window.kh {
                let Some(oy) = Window::source(iy, window.stride_h, ky, window.pad_top, os.h) else {
                    continue;
                };
                for kx in 0..window.kw {
                    let Some(ox) = Window::source(ix, window.stride_w, kx, window.pad_left, os.w)
                    else {
                        continue;
                    };
                    let acc = &mut out[(oy * os.w + ox) * co..][..co];
                    let taps = &weights[(ky * window.kw + kx) * co * ci..][..co * ci];
                    for (a, row) in acc.iter_mut().zip(taps.chunks_exact(ci)) {
                        *a += dot(pixel, row);
                    }
                }
            }
        }
    }
}

/// The dot product of two equally long slices, summed in eight lanes so it vectorises.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let (a_blocks, b_blocks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_blocks
        .remainder()
        .iter()
        .zip(b_blocks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_blocks.zip(b_blocks) {
        for ((l, &x), &y) in lanes.iter_mut().zip(x).zip(y) {
            *l += x * y;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

fn mean(input: &[f32], is: Shape, out: &mut [f32]) {
    out.fill(0.0);
    for pixel in input.chunks_exact(is.c) {
        for (o, &x) in out.iter_mut().zip(pixel) {
            *o += x;
        }
    }
    let count = (is.h * is.w).max(1) as f32;
    out.iter_mut().for_each(|o| *o /= count);
}

/// TFLite's bilinear resize, with its rules for `align_corners` and `half_pixel_centers`.
fn resize_bilinear(
    input: &[f32],
    is: Shape,
    out: &mut [f32],
    os: Shape,
    align_corners: bool,
    half_pixel_centers: bool,
) {
    let scale = |inp: usize, outp: usize| {
        if align_corners && outp > 1 {
            (inp - 1) as f32 / (outp - 1) as f32
        } else {
            inp as f32 / outp as f32
        }
    };
    let (sy, sx) = (scale(is.h, os.h), scale(is.w, os.w));
    // For an output coordinate: the lower and upper source index and the weight of the
    // upper one.
    let source = |o: usize, s: f32, size: usize| {
        let v = if half_pixel_centers {
            (o as f32 + 0.5) * s - 0.5
        } else {
            o as f32 * s
        };
        let floor = v.floor();
        let lower = (floor.max(0.0) as usize).min(size - 1);
        let upper = (v.ceil().max(0.0) as usize).min(size - 1);
        (lower, upper, v - floor)
    };
    let c = is.c;
    for oy in 0..os.h {
        let (y0, y1, fy) = source(oy, sy, is.h);
        for ox in 0..os.w {
            let (x0, x1, fx) = source(ox, sx, is.w);
            let at = |y: usize, x: usize| &input[(y * is.w + x) * c..][..c];
            let (a, b, cc, d) = (at(y0, x0), at(y0, x1), at(y1, x0), at(y1, x1));
            let o = &mut out[(oy * os.w + ox) * c..][..c];
            for i in 0..c {
                let top = a[i] + (b[i] - a[i]) * fx;
                let bottom = cc[i] + (d[i] - cc[i]) * fx;
                o[i] = top + (bottom - top) * fy;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_convert_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x8001), -(2f32.powi(-24)));
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert!(f16_to_f32(0x7e00).is_nan());
    }

    fn window(k: usize, stride: usize, input: Shape, output: Shape) -> Window {
        Window::new(0, (k, k), (stride, stride), input, output).expect("window")
    }

    #[test]
    fn same_padding_follows_tflite() {
        let s = |h, w| Shape { h, w, c: 1 };
        // 3x3 stride 2 from 144x256 to 72x128: total padding 1, all of it after.
        let w = window(3, 2, s(144, 256), s(72, 128));
        assert_eq!((w.pad_top, w.pad_left), (0, 0));
        // 5x5 stride 1: two on each side.
        let w = window(5, 1, s(9, 16), s(9, 16));
        assert_eq!((w.pad_top, w.pad_left), (2, 2));
        assert!(Window::new(0, (3, 3), (2, 2), s(144, 256), s(72, 127)).is_err());
    }

    #[test]
    fn convolution_matches_a_hand_computation() {
        // 3x3 input, one channel in, two out, 3x3 kernel, stride 1, SAME.
        let is = Shape { h: 3, w: 3, c: 1 };
        let os = Shape { h: 3, w: 3, c: 2 };
        let input: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        // Output channel 0 sums the neighbourhood; channel 1 takes the centre tap twice.
        let mut weights = vec![0.0; 9 * 2];
        for k in 0..9 {
            weights[k * 2] = 1.0;
        }
        weights[4 * 2 + 1] = 2.0;
        let mut out = vec![0.0; 18];
        conv(
            &input,
            is,
            &mut out,
            os,
            &weights,
            &[0.5, 0.0],
            &window(3, 1, is, os),
            Activation::None,
        );
        // Centre: 45 + 0.5; corner (0,0): 1+2+4+5 + 0.5.
        assert_eq!(out[4 * 2], 45.5);
        assert_eq!(out[0], 12.5);
        assert_eq!(out[4 * 2 + 1], 10.0);
    }

    #[test]
    fn transposed_convolution_spreads_each_pixel_over_its_kernel() {
        let is = Shape { h: 1, w: 2, c: 1 };
        let os = Shape { h: 2, w: 4, c: 1 };
        let w = Window::new(0, (2, 2), (2, 2), os, is).expect("window");
        let mut out = vec![0.0; 8];
        transpose_conv(
            &[1.0, 10.0],
            is,
            &mut out,
            os,
            &[1.0, 2.0, 3.0, 4.0],
            &[0.5],
            &w,
        );
        assert_eq!(out, [1.5, 2.5, 10.5, 20.5, 3.5, 4.5, 30.5, 40.5]);
    }

    #[test]
    fn bilinear_resize_with_half_pixel_centres_doubles_like_tflite() {
        let is = Shape { h: 1, w: 2, c: 1 };
        let os = Shape { h: 1, w: 4, c: 1 };
        let mut out = vec![0.0; 4];
        resize_bilinear(&[0.0, 4.0], is, &mut out, os, false, true);
        assert_eq!(out, [0.0, 1.0, 3.0, 4.0]);
    }
}
