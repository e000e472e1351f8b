//! Media of a call: frames, the synthetic source, the codecs, the quality ladder and the
//! background blur.

pub mod blur;
pub mod camera;
pub mod codec;
pub mod devices;
pub mod frame;
pub mod ladder;
pub mod synthetic;
