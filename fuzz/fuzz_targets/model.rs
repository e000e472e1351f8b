//! The TensorFlow Lite model reader (FlatBuffers, our own): any file is read into a model
//! or refused with a reason; nothing panics, nothing reads out of bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = balie_segment::Segmenter::from_tflite(bytes);
});
