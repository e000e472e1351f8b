//! Loading a `.tflite` file into an [`Interpreter`], in steps: the operator codes, the one
//! subgraph's tensors (shapes, and the contents of constant ones), each operator turned
//! into an [`Op`] with every shape its kernel relies on checked, the model's input and
//! output, the order of the operators, and the activation buffers.

use super::{
    Activation, Constant, Interpreter, Op, Shape, Window, code, dtype, f16_to_f32, filter_dims,
    indices, reorder,
};
use crate::ModelError;
use crate::flatbuffer::Table;

/// The field numbers of TFLite's schema (`schema.fbs`) that the loader reads, per table.
mod field {
    pub(super) mod model {
        pub(in super::super) const OPERATOR_CODES: usize = 1;
        pub(in super::super) const SUBGRAPHS: usize = 2;
        pub(in super::super) const BUFFERS: usize = 4;
    }
    pub(super) mod operator_code {
        pub(in super::super) const DEPRECATED_BUILTIN_CODE: usize = 0;
        pub(in super::super) const CUSTOM_CODE: usize = 1;
        pub(in super::super) const BUILTIN_CODE: usize = 3;
    }
    pub(super) mod subgraph {
        pub(in super::super) const TENSORS: usize = 0;
        pub(in super::super) const INPUTS: usize = 1;
        pub(in super::super) const OUTPUTS: usize = 2;
        pub(in super::super) const OPERATORS: usize = 3;
    }
    pub(super) mod tensor {
        pub(in super::super) const SHAPE: usize = 0;
        pub(in super::super) const TYPE: usize = 1;
        pub(in super::super) const BUFFER: usize = 2;
    }
    pub(super) mod buffer {
        pub(in super::super) const DATA: usize = 0;
    }
    pub(super) mod operator {
        pub(in super::super) const OPCODE_INDEX: usize = 0;
        pub(in super::super) const INPUTS: usize = 1;
        pub(in super::super) const OUTPUTS: usize = 2;
        pub(in super::super) const BUILTIN_OPTIONS: usize = 4;
        pub(in super::super) const CUSTOM_OPTIONS: usize = 5;
    }
    /// `Conv2DOptions`.
    pub(super) mod conv {
        pub(in super::super) const PADDING: usize = 0;
        pub(in super::super) const STRIDE_W: usize = 1;
        pub(in super::super) const STRIDE_H: usize = 2;
        pub(in super::super) const ACTIVATION: usize = 3;
        pub(in super::super) const DILATION_W: usize = 4;
        pub(in super::super) const DILATION_H: usize = 5;
    }
    /// `DepthwiseConv2DOptions`.
    pub(super) mod depthwise {
        pub(in super::super) const DEPTH_MULTIPLIER: usize = 3;
        pub(in super::super) const ACTIVATION: usize = 4;
        pub(in super::super) const DILATION_W: usize = 5;
        pub(in super::super) const DILATION_H: usize = 6;
    }
    /// `AddOptions` and `MulOptions`.
    pub(super) mod elementwise {
        pub(in super::super) const ACTIVATION: usize = 0;
    }
    /// `ReducerOptions` (MEAN).
    pub(super) mod reducer {
        pub(in super::super) const KEEP_DIMS: usize = 0;
    }
    /// `ResizeBilinearOptions`.
    pub(super) mod resize {
        pub(in super::super) const ALIGN_CORNERS: usize = 2;
        pub(in super::super) const HALF_PIXEL_CENTERS: usize = 3;
    }
}

/// TFLite's `Padding` value for SAME (in the transposed convolution's custom options).
const PADDING_SAME: i32 = 1;

impl Interpreter {
    /// Loads a `.tflite` file.
    pub(crate) fn load(file: &[u8]) -> Result<Self, ModelError> {
        let model = Table::root(file)?;
        let codes = operator_codes(&model)?;
        let buffers = model.tables(field::model::BUFFERS)?;
        let subgraphs = model.tables(field::model::SUBGRAPHS)?;
        let [graph] = subgraphs.as_slice() else {
            return Err(ModelError::Unsupported(
                "a model with more than one subgraph",
            ));
        };
        let mut tensors = Tensors::read(graph, &buffers)?;
        let mut ops = Vec::new();
        for op in graph.tables(field::subgraph::OPERATORS)? {
            if let Some(op) = tensors.operator(&op, &codes)? {
                ops.push(op);
            }
        }
        let n = tensors.shapes.len();
        let (input, output) = model_io(graph, n)?;
        check_order(&ops, input, output, n)?;
        let values = activations(&tensors.shapes, &ops, input);
        Ok(Self {
            shapes: tensors.shapes,
            ops,
            values,
            input,
            output,
        })
    }
}

/// Each operator code: its builtin code (the larger of the deprecated byte and the
/// current field, as TFLite reads it) and its custom name.
fn operator_codes(model: &Table<'_>) -> Result<Vec<(i32, String)>, ModelError> {
    use field::operator_code as f;
    model
        .tables(field::model::OPERATOR_CODES)?
        .iter()
        .map(|code| {
            let deprecated = i32::from(code.u8(f::DEPRECATED_BUILTIN_CODE, 0)?);
            let builtin = code.i32(f::BUILTIN_CODE, 0)?;
            let custom = String::from_utf8_lossy(code.bytes(f::CUSTOM_CODE)?).into_owned();
            Ok((deprecated.max(builtin), custom))
        })
        .collect()
}

/// The model's one input and one output tensor.
fn model_io(graph: &Table<'_>, n: usize) -> Result<(usize, usize), ModelError> {
    let inputs = graph.i32s(field::subgraph::INPUTS)?;
    let outputs = graph.i32s(field::subgraph::OUTPUTS)?;
    let (&[input], &[output]) = (inputs.as_slice(), outputs.as_slice()) else {
        return Err(ModelError::Unsupported(
            "a model with several inputs or outputs",
        ));
    };
    let tensor = |i: i32| {
        usize::try_from(i)
            .ok()
            .filter(|&i| i < n)
            .ok_or(ModelError::Malformed(
                "model input or output does not exist",
            ))
    };
    Ok((tensor(input)?, tensor(output)?))
}

/// Every tensor an operator reads must be the input or written by an earlier operator,
/// and something must write the output.
fn check_order(ops: &[Op], input: usize, output: usize, n: usize) -> Result<(), ModelError> {
    let mut ready = vec![false; n];
    ready[input] = true;
    for op in ops {
        if op.inputs().iter().any(|&i| !ready[i]) {
            return Err(ModelError::Malformed(
                "an operator reads a tensor before it is written",
            ));
        }
        ready[op.output()] = true;
    }
    if ready[output] {
        Ok(())
    } else {
        Err(ModelError::Malformed("nothing writes the model's output"))
    }
}

/// The activation buffers: every tensor an operator writes, and the input.
fn activations(shapes: &[Shape], ops: &[Op], input: usize) -> Vec<Vec<f32>> {
    let mut values = vec![Vec::new(); shapes.len()];
    values[input] = vec![0.0; shapes[input].len()];
    for op in ops {
        let out = op.output();
        values[out] = vec![0.0; shapes[out].len()];
    }
    values
}

/// An operator's builtin options: the defaults when it has none.
struct Options<'a>(Option<Table<'a>>);

impl Options<'_> {
    fn u8(&self, field: usize, default: u8) -> Result<u8, ModelError> {
        match &self.0 {
            Some(t) => t.u8(field, default),
            None => Ok(default),
        }
    }

    fn i32(&self, field: usize, default: i32) -> Result<i32, ModelError> {
        match &self.0 {
            Some(t) => t.i32(field, default),
            None => Ok(default),
        }
    }
}

fn positive(v: i32) -> Option<usize> {
    usize::try_from(v).ok().filter(|&v| v > 0)
}

/// The subgraph's tensors as the operators are built.
struct Tensors {
    /// The shape of each activation tensor (zero for a constant of another rank).
    shapes: Vec<Shape>,
    /// Each tensor's dimensions as stored.
    dims: Vec<Vec<i32>>,
    /// The contents of constant tensors (float16 ones once dequantized).
    constants: Vec<Option<Constant>>,
    /// Float16 constants, until their DEQUANTIZE operator is read.
    half: Vec<Option<Vec<f32>>>,
}

impl Tensors {
    /// Shapes and constant contents of the tensors of `graph`, with `buffers` of the model.
    fn read(graph: &Table<'_>, buffers: &[Table<'_>]) -> Result<Self, ModelError> {
        let tables = graph.tables(field::subgraph::TENSORS)?;
        let mut tensors = Self {
            shapes: Vec::with_capacity(tables.len()),
            dims: Vec::with_capacity(tables.len()),
            constants: Vec::with_capacity(tables.len()),
            half: Vec::with_capacity(tables.len()),
        };
        for tensor in &tables {
            let dims = tensor.i32s(field::tensor::SHAPE)?;
            let kind = tensor.u8(field::tensor::TYPE, dtype::FLOAT32)?;
            let data = match buffers.get(tensor.u32(field::tensor::BUFFER, 0)? as usize) {
                Some(buffer) => buffer.bytes(field::buffer::DATA)?,
                None => {
                    return Err(ModelError::Malformed(
                        "tensor names a buffer that does not exist",
                    ));
                }
            };
            let (constant, halves) = constant(kind, data, element_count(&dims)?)?;
            tensors
                .shapes
                .push(Shape::of(&dims).unwrap_or(Shape { h: 0, w: 0, c: 0 }));
            tensors.dims.push(dims);
            tensors.constants.push(constant);
            tensors.half.push(halves);
        }
        Ok(tensors)
    }

    /// The constant float tensor `index` (weights, a bias).
    fn float(&self, index: usize) -> Result<Vec<f32>, ModelError> {
        match self.constants.get(index) {
            Some(Some(Constant::Float(v))) => Ok(v.clone()),
            _ => Err(ModelError::Unsupported(
                "weights that are not constant floats",
            )),
        }
    }

    /// The [`Op`] for operator `op`; `None` for a DEQUANTIZE, which only makes a float
    /// constant of a float16 one.
    fn operator(
        &mut self,
        op: &Table<'_>,
        codes: &[(i32, String)],
    ) -> Result<Option<Op>, ModelError> {
        let (code, custom) = codes
            .get(op.u32(field::operator::OPCODE_INDEX, 0)? as usize)
            .ok_or(ModelError::Malformed("operator code out of range"))?;
        let n = self.shapes.len();
        let inputs = indices(op, field::operator::INPUTS, n)?;
        let outputs = indices(op, field::operator::OUTPUTS, n)?;
        let &[output] = outputs.as_slice() else {
            return Err(ModelError::Unsupported("an operator with several outputs"));
        };
        let options = Options(op.table(field::operator::BUILTIN_OPTIONS)?);
        Ok(Some(match *code {
            code::DEQUANTIZE => {
                self.dequantize(&inputs, output)?;
                return Ok(None);
            }
            code::CONV_2D | code::DEPTHWISE_CONV_2D => {
                self.convolution(*code, &inputs, output, &options)?
            }
            code::CUSTOM if custom == "Convolution2DTransposeBias" => {
                self.transposed_convolution(op, &inputs, output)?
            }
            code::ADD | code::MUL => self.add_or_mul(*code, &inputs, output, &options)?,
            code::RELU | code::HARD_SWISH | code::LOGISTIC => {
                self.activation(*code, &inputs, output)?
            }
            code::MEAN => self.mean(&inputs, output, &options)?,
            code::RESIZE_BILINEAR => self.resize_bilinear(&inputs, output, &options)?,
            _ => {
                return Err(ModelError::Unsupported(
                    "an operator this interpreter does not know",
                ));
            }
        }))
    }

    fn dequantize(&mut self, inputs: &[usize], output: usize) -> Result<(), ModelError> {
        let &[input] = inputs else {
            return Err(ModelError::Malformed("DEQUANTIZE takes one input"));
        };
        let values = self.half[input].take().ok_or(ModelError::Unsupported(
            "DEQUANTIZE of something other than a float16 constant",
        ))?;
        // Every constant holds exactly as many values as its dimensions say; the kernels
        // index weights by those dimensions.
        if values.len() != element_count(&self.dims[output])? {
            return Err(ModelError::Malformed(
                "DEQUANTIZE output of another size than its input",
            ));
        }
        self.constants[output] = Some(Constant::Float(values));
        Ok(())
    }

    fn convolution(
        &self,
        code: i32,
        inputs: &[usize],
        output: usize,
        options: &Options<'_>,
    ) -> Result<Op, ModelError> {
        use field::conv as f;
        let &[input, filter, bias] = inputs else {
            return Err(ModelError::Malformed(
                "a convolution takes input, weights and bias",
            ));
        };
        let (is, os) = (self.shapes[input], self.shapes[output]);
        let (fo, kh, kw, fi) = filter_dims(&self.dims[filter])?;
        // Padding and strides are the same fields in both kinds of options.
        let stride = (
            positive(options.i32(f::STRIDE_H, 1)?).ok_or(ModelError::Malformed("bad stride"))?,
            positive(options.i32(f::STRIDE_W, 1)?).ok_or(ModelError::Malformed("bad stride"))?,
        );
        let window = Window::new(options.u8(f::PADDING, 0)?, (kh, kw), stride, is, os)?;
        let bias = self.float(bias)?;
        let weights = self.float(filter)?;
        if bias.len() != os.c {
            return Err(ModelError::Malformed(
                "bias does not match the output channels",
            ));
        }
        if code == code::CONV_2D {
            let dilation = (
                options.i32(f::DILATION_W, 1)?,
                options.i32(f::DILATION_H, 1)?,
            );
            if dilation != (1, 1) {
                return Err(ModelError::Unsupported("dilated convolution"));
            }
            if fo != os.c || fi != is.c {
                return Err(ModelError::Malformed(
                    "convolution weights do not match the tensors",
                ));
            }
            // [co][ky][kx][ci] -> [ky][kx][ci][co], so the inner loop runs over output
            // channels in memory order.
            return Ok(Op::Conv {
                input,
                output,
                weights: reorder(&weights, (fo, kh * kw, fi), |co, k, ci| {
                    (k * fi + ci) * fo + co
                }),
                bias,
                window,
                activation: Activation::from_code(options.u8(f::ACTIVATION, 0)?)?,
            });
        }
        use field::depthwise as d;
        let multiplier = options.i32(d::DEPTH_MULTIPLIER, 1)?;
        let dilation = (
            options.i32(d::DILATION_W, 1)?,
            options.i32(d::DILATION_H, 1)?,
        );
        if multiplier != 1 || dilation != (1, 1) {
            return Err(ModelError::Unsupported(
                "depthwise convolution with a multiplier or dilation",
            ));
        }
        if fo != 1 || fi != is.c || is.c != os.c {
            return Err(ModelError::Malformed(
                "depthwise weights do not match the tensors",
            ));
        }
        Ok(Op::Depthwise {
            input,
            output,
            weights,
            bias,
            window,
            activation: Activation::from_code(options.u8(d::ACTIVATION, 0)?)?,
        })
    }

    /// MediaPipe's `Convolution2DTransposeBias`. Its custom options are padding, stride
    /// width and stride height as 32-bit integers (`TfLiteTransposeConvParams`).
    fn transposed_convolution(
        &self,
        op: &Table<'_>,
        inputs: &[usize],
        output: usize,
    ) -> Result<Op, ModelError> {
        let &[input, filter, bias] = inputs else {
            return Err(ModelError::Malformed(
                "a transposed convolution takes input, weights and bias",
            ));
        };
        let params = op.bytes(field::operator::CUSTOM_OPTIONS)?;
        let word = |i: usize| {
            params
                .get(4 * i..4 * i + 4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or(ModelError::Malformed(
                    "short transposed-convolution options",
                ))
        };
        let (padding, stride_w, stride_h) = (word(0)?, word(1)?, word(2)?);
        let (is, os) = (self.shapes[input], self.shapes[output]);
        let (fo, kh, kw, fi) = filter_dims(&self.dims[filter])?;
        if padding != PADDING_SAME {
            return Err(ModelError::Unsupported(
                "a transposed convolution without SAME padding",
            ));
        }
        let stride = (
            positive(stride_h).ok_or(ModelError::Malformed("bad stride"))?,
            positive(stride_w).ok_or(ModelError::Malformed("bad stride"))?,
        );
        // The transposed convolution is the forward one from output to input.
        let window = Window::new(0, (kh, kw), stride, os, is)?;
        let weights = self.float(filter)?;
        let bias = self.float(bias)?;
        if fo != os.c || fi != is.c || bias.len() != os.c {
            return Err(ModelError::Malformed(
                "transposed-convolution weights do not match the tensors",
            ));
        }
        // [co][ky][kx][ci] -> [ky][kx][co][ci]: one dot product per output channel and tap.
        Ok(Op::TransposeConv {
            input,
            output,
            weights: reorder(&weights, (fo, kh * kw, fi), |co, k, ci| {
                (k * fo + co) * fi + ci
            }),
            bias,
            window,
        })
    }

    fn add_or_mul(
        &self,
        code: i32,
        inputs: &[usize],
        output: usize,
        options: &Options<'_>,
    ) -> Result<Op, ModelError> {
        let &[a, b] = inputs else {
            return Err(ModelError::Malformed("ADD and MUL take two inputs"));
        };
        let (sa, sb, so) = (self.shapes[a], self.shapes[b], self.shapes[output]);
        let per_channel = Shape {
            h: 1,
            w: 1,
            c: sa.c,
        };
        if so != sa || (sb != sa && sb != per_channel) {
            return Err(ModelError::Unsupported(
                "ADD or MUL with other broadcasting",
            ));
        }
        let activation = Activation::from_code(options.u8(field::elementwise::ACTIVATION, 0)?)?;
        Ok(if code == code::ADD {
            Op::Add {
                a,
                b,
                output,
                activation,
            }
        } else {
            Op::Mul {
                a,
                b,
                output,
                activation,
            }
        })
    }

    fn activation(&self, code: i32, inputs: &[usize], output: usize) -> Result<Op, ModelError> {
        let &[input] = inputs else {
            return Err(ModelError::Malformed("an activation takes one input"));
        };
        if self.shapes[input] != self.shapes[output] {
            return Err(ModelError::Malformed("an activation changes the shape"));
        }
        Ok(match code {
            code::RELU => Op::Relu { input, output },
            code::HARD_SWISH => Op::HardSwish { input, output },
            _ => Op::Logistic { input, output },
        })
    }

    fn mean(
        &self,
        inputs: &[usize],
        output: usize,
        options: &Options<'_>,
    ) -> Result<Op, ModelError> {
        let &[input, axes] = inputs else {
            return Err(ModelError::Malformed("MEAN takes an input and its axes"));
        };
        let spatial =
            matches!(self.constants.get(axes), Some(Some(Constant::Int(a))) if a == &[1, 2]);
        let keep_dims = options.u8(field::reducer::KEEP_DIMS, 0)? != 0;
        let expected = Shape {
            h: 1,
            w: 1,
            c: self.shapes[input].c,
        };
        if !spatial || !keep_dims || self.shapes[output] != expected {
            return Err(ModelError::Unsupported(
                "MEAN other than over height and width",
            ));
        }
        Ok(Op::Mean { input, output })
    }

    fn resize_bilinear(
        &self,
        inputs: &[usize],
        output: usize,
        options: &Options<'_>,
    ) -> Result<Op, ModelError> {
        let &[input, _size] = inputs else {
            return Err(ModelError::Malformed(
                "RESIZE_BILINEAR takes an input and a size",
            ));
        };
        let (is, os) = (self.shapes[input], self.shapes[output]);
        if is.c != os.c || is.h == 0 || is.w == 0 || os.h == 0 || os.w == 0 {
            return Err(ModelError::Malformed("RESIZE_BILINEAR shapes do not match"));
        }
        Ok(Op::ResizeBilinear {
            input,
            output,
            align_corners: options.u8(field::resize::ALIGN_CORNERS, 0)? != 0,
            half_pixel_centers: options.u8(field::resize::HALF_PIXEL_CENTERS, 0)? != 0,
        })
    }
}

/// How many values a tensor of these dimensions holds. Weight tensors may have any rank;
/// only their element count matters.
fn element_count(dims: &[i32]) -> Result<usize, ModelError> {
    dims.iter()
        .try_fold(1usize, |n, &d| {
            usize::try_from(d).ok().and_then(|d| n.checked_mul(d))
        })
        .ok_or(ModelError::Malformed("bad tensor dimensions"))
}

/// A constant tensor's contents by its element type: float32 and int32 as they are,
/// float16 kept apart until its DEQUANTIZE; an empty buffer is no constant.
fn constant(
    kind: u8,
    data: &[u8],
    count: usize,
) -> Result<(Option<Constant>, Option<Vec<f32>>), ModelError> {
    Ok(match (kind, data.is_empty()) {
        (_, true) => (None, None),
        (dtype::FLOAT32, false) if data.len() == 4 * count => (
            Some(Constant::Float(
                data.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
            )),
            None,
        ),
        (dtype::FLOAT16, false) if data.len() == 2 * count => (
            None,
            Some(
                data.chunks_exact(2)
                    .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
                    .collect(),
            ),
        ),
        (dtype::INT32, false) if data.len() == 4 * count => (
            Some(Constant::Int(
                data.chunks_exact(4)
                    .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
            )),
            None,
        ),
        _ => {
            return Err(ModelError::Malformed(
                "constant tensor of the wrong size or type",
            ));
        }
    })
}
