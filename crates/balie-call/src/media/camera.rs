//! The clerk's camera through GStreamer (already on every desktop that runs WebKitGTK):
//! the system's video sources (V4L2 / PipeWire on Linux, Media Foundation on Windows,
//! AVFoundation on macOS) are listed by a device monitor; the chosen one feeds
//! `videoconvert ! videoscale ! videorate` to an app sink that hands out I420 at the call's
//! size and rate, keeping only the newest picture.
//!
//! A source named `gst:<description>` is a GStreamer source description instead of a
//! device (e.g. `gst:rtspsrc location=… ! decodebin` for a network camera, or
//! `gst:videotestsrc is-live=true` in tests).

use super::devices::DeviceError;
use super::frame::I420Frame;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_video as gst_video;
use std::time::Duration;

/// Whether this build can use a camera (it has GStreamer).
pub const SUPPORTED: bool = true;

fn init() -> Result<(), DeviceError> {
    gst::init().map_err(|e| DeviceError::Open("camera", e.to_string()))
}

/// The cameras of this machine, by name.
pub fn list() -> Vec<String> {
    if init().is_err() {
        return Vec::new();
    }
    let monitor = gst::DeviceMonitor::new();
    monitor.add_filter(Some("Video/Source"), None);
    if monitor.start().is_err() {
        return Vec::new();
    }
    let names = monitor
        .devices()
        .iter()
        .map(|d| d.display_name().to_string())
        .collect();
    monitor.stop();
    names
}

/// A running camera.
pub struct Camera {
    pipeline: gst::Pipeline,
    sink: gst_app::AppSink,
    name: String,
}

impl Drop for Camera {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl Camera {
    /// Opens the camera called `name` (or the first one, or a `gst:` description), giving
    /// `width` x `height` at `fps`.
    pub fn open(
        name: Option<&str>,
        width: u32,
        height: u32,
        fps: u32,
    ) -> Result<Self, DeviceError> {
        init()?;
        let open_error = |e: &dyn std::fmt::Display| DeviceError::Open("camera", e.to_string());
        let (source, shown_name) = match name.and_then(|n| n.strip_prefix("gst:")) {
            Some(description) => (
                gst::parse::bin_from_description(description, true)
                    .map_err(|e| open_error(&e))?
                    .upcast::<gst::Element>(),
                description.to_owned(),
            ),
            None => {
                let monitor = gst::DeviceMonitor::new();
                monitor.add_filter(Some("Video/Source"), None);
                monitor.start().map_err(|e| open_error(&e))?;
                let devices = monitor.devices();
                monitor.stop();
                let device = devices
                    .iter()
                    .find(|d| name.is_none_or(|n| d.display_name() == n))
                    .ok_or(DeviceError::NotFound("camera"))?;
                (
                    device.create_element(None).map_err(|e| open_error(&e))?,
                    device.display_name().to_string(),
                )
            }
        };
        let make = |kind: &str| {
            gst::ElementFactory::make(kind)
                .build()
                .map_err(|e| open_error(&e))
        };
        let convert = make("videoconvert")?;
        let scale = make("videoscale")?;
        let rate = make("videorate")?;
        let caps = gst_video::VideoCapsBuilder::new()
            .format(gst_video::VideoFormat::I420)
            .width(width as i32)
            .height(height as i32)
            .framerate(gst::Fraction::new(fps as i32, 1))
            .build();
        let sink = gst_app::AppSink::builder()
            .caps(&caps)
            .max_buffers(1)
            .drop(true)
            .sync(false)
            .build();
        let pipeline = gst::Pipeline::new();
        pipeline
            .add_many([&source, &convert, &scale, &rate, sink.upcast_ref()])
            .map_err(|e| open_error(&e))?;
        gst::Element::link_many([&source, &convert, &scale, &rate, sink.upcast_ref()])
            .map_err(|e| open_error(&e))?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| open_error(&e))?;
        let camera = Self {
            pipeline,
            sink,
            name: shown_name,
        };
        // A camera that is busy or gone fails here rather than in the middle of the call.
        camera
            .next_frame(Duration::from_secs(5))
            .ok_or_else(|| DeviceError::Open("camera", "no picture within five seconds".into()))?;
        Ok(camera)
    }

    /// The camera's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next picture, waiting up to `timeout`.
    pub fn next_frame(&self, timeout: Duration) -> Option<I420Frame> {
        let sample = self
            .sink
            .try_pull_sample(gst::ClockTime::from_nseconds(timeout.as_nanos() as u64))?;
        let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
        let buffer = sample.buffer_owned()?;
        let frame = gst_video::VideoFrame::from_buffer_readable(buffer, &info).ok()?;
        let stride = |plane: usize| info.stride()[plane].max(0) as usize;
        I420Frame::from_planes(
            info.width() as usize,
            info.height() as usize,
            (
                frame.plane_data(0).ok()?,
                frame.plane_data(1).ok()?,
                frame.plane_data(2).ok()?,
            ),
            (stride(0), stride(1), stride(2)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gstreamer_source_gives_i420_at_the_asked_size() {
        let camera = Camera::open(
            Some("gst:videotestsrc is-live=true pattern=ball"),
            320,
            240,
            30,
        )
        .unwrap();
        let a = camera.next_frame(Duration::from_secs(2)).unwrap();
        let b = camera.next_frame(Duration::from_secs(2)).unwrap();
        assert_eq!((a.width(), a.height()), (320, 240));
        assert_ne!(a.y(), b.y(), "the ball moves");
        assert!(matches!(
            Camera::open(Some("gst:this-element-does-not-exist"), 320, 240, 30),
            Err(DeviceError::Open("camera", _))
        ));
    }
}
