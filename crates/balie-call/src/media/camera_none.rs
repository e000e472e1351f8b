//! The camera in a build without GStreamer (the `camera` feature off): there is none. The
//! call sends its test pattern, and the cockpit tells the clerk why (*Apparaten*).

use super::devices::DeviceError;
use super::frame::I420Frame;
use std::time::Duration;

/// Whether this build can use a camera: no.
pub const SUPPORTED: bool = false;

/// No cameras.
pub fn list() -> Vec<String> {
    Vec::new()
}

/// A camera this build cannot have.
pub struct Camera {
    never: std::convert::Infallible,
}

impl Camera {
    /// Always refused: this build has no camera support.
    pub fn open(
        _name: Option<&str>,
        _width: u32,
        _height: u32,
        _fps: u32,
    ) -> Result<Self, DeviceError> {
        Err(DeviceError::Open(
            "camera",
            "this build of Balie has no camera support (built without GStreamer)".into(),
        ))
    }

    /// The camera's name.
    pub fn name(&self) -> &str {
        match self.never {}
    }

    /// The next picture.
    pub fn next_frame(&self, _timeout: Duration) -> Option<I420Frame> {
        match self.never {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_gstreamer_no_camera_is_listed_or_opened() {
        assert!(list().is_empty());
        assert!(matches!(
            Camera::open(None, 320, 240, 30),
            Err(DeviceError::Open("camera", _))
        ));
    }
}
