//! Media of a call: frames, the synthetic source, the codecs, the quality ladder and the
//! background blur.

pub mod blur;
#[cfg(feature = "camera")]
pub mod camera;
/// Built without the `camera` feature: no GStreamer, no camera.
#[cfg(not(feature = "camera"))]
#[path = "camera_none.rs"]
pub mod camera;
pub mod codec;
pub mod devices;
pub mod frame;
pub mod ladder;
pub mod synthetic;
