//! Person segmentation for the clerk's background blur.
//!
//! MediaPipe's landscape selfie-segmentation model (from the npm package
//! `@mediapipe/selfie_segmentation`, Apache-2.0, kept in `model/` with its licence) run by a small
//! TensorFlow Lite interpreter written for it in safe Rust: no native library, no GPU,
//! nothing downloaded at run time. The model takes a 256x144 RGB picture and gives, for
//! each of its pixels, the probability that it shows a person.

mod flatbuffer;
mod interpreter;

use interpreter::Interpreter;

/// The built-in model file.
static LANDSCAPE_MODEL: &[u8] = include_bytes!("../model/selfie_segmentation_landscape.tflite");

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// The file is not a well-formed TFLite model.
    #[error("the segmentation model is damaged: {0}")]
    Malformed(&'static str),
    /// The model uses something this interpreter does not implement.
    #[error("the segmentation model uses {0}, which this interpreter does not support")]
    Unsupported(&'static str),
}

/// Runs the segmentation model; one per video stream (it keeps its working buffers).
pub struct Segmenter {
    interpreter: Interpreter,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (w, h) = self.input_size();
        write!(f, "Segmenter({w}x{h})")
    }
}

impl Segmenter {
    /// The built-in landscape model (256x144).
    pub fn new() -> Result<Self, ModelError> {
        Self::from_tflite(LANDSCAPE_MODEL)
    }

    /// A segmentation model from `.tflite` bytes: one RGB input and one single-channel
    /// output of the same width and height.
    pub fn from_tflite(file: &[u8]) -> Result<Self, ModelError> {
        let interpreter = Interpreter::load(file)?;
        let (input, output) = (interpreter.input_shape(), interpreter.output_shape());
        if input.c != 3 || output.c != 1 || (input.h, input.w) != (output.h, output.w) {
            return Err(ModelError::Unsupported(
                "inputs or outputs other than an RGB picture and its mask",
            ));
        }
        Ok(Self { interpreter })
    }

    /// The picture size the model takes: width, height.
    pub fn input_size(&self) -> (usize, usize) {
        let shape = self.interpreter.input_shape();
        (shape.w, shape.h)
    }

    /// Segments one picture. `fill` writes the input: interleaved RGB, row by row, each
    /// value from 0.0 to 1.0, `width * height * 3` values. Returns the person probability
    /// (0.0 to 1.0) for each pixel, row by row.
    pub fn segment(&mut self, fill: impl FnOnce(&mut [f32])) -> &[f32] {
        fill(self.interpreter.input_mut());
        self.interpreter.run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_model_loads() {
        let segmenter = Segmenter::new().expect("model loads");
        assert_eq!(segmenter.input_size(), (256, 144));
    }

    #[test]
    fn a_damaged_model_is_an_error() {
        for len in [0, 3, 100, LANDSCAPE_MODEL.len() / 2] {
            assert!(
                Segmenter::from_tflite(&LANDSCAPE_MODEL[..len]).is_err(),
                "cut at {len}"
            );
        }
        let mut flipped = LANDSCAPE_MODEL.to_vec();
        for byte in flipped.iter_mut().skip(1000).step_by(997) {
            *byte ^= 0x5a;
        }
        // Damage in weights may still load; damage in structure must not panic.
        let _ = Segmenter::from_tflite(&flipped);
    }

    #[test]
    fn a_dequantized_constant_must_fit_its_dimensions() {
        // Found by the fuzzer: the real model with one DEQUANTIZE output's shape changed,
        // so the float16 weights no longer fill the convolution that reads them.
        let model = include_bytes!("../tests/fixtures/dequantize-wrong-size.tflite");
        assert!(matches!(
            Segmenter::from_tflite(model),
            Err(ModelError::Malformed(_))
        ));
    }
}
