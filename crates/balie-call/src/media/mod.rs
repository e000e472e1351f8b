//! Media of a call: frames, the synthetic source, the codecs and the quality ladder.

pub mod camera;
pub mod codec;
pub mod devices;
pub mod frame;
pub mod ladder;
pub mod synthetic;
