//! The two pictures of the call window. Video frames do not travel as events: the engine
//! drops each new picture into a [`FrameSlot`], and the picture server
//! ([`super::frame_server`]) sends the newest one each time the window has drawn the last
//! (so a busy window skips pictures instead of queueing them).

use balie_call::media::frame::{I420Frame, TimedFrame};
use balie_call::{CallConfig, MediaSource};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use ts_rs::TS;

/// Which picture a window asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VideoStream {
    /// The citizen.
    Remote,
    /// The clerk's own picture.
    #[serde(rename = "self")]
    SelfView,
}

/// The latest picture of one stream, numbered.
#[derive(Default)]
pub struct FrameSlot {
    latest: Mutex<(u64, Option<Arc<I420Frame>>)>,
    changed: Notify,
}

/// How long `next_after` waits for a newer picture before answering "none yet".
const FRAME_WAIT: Duration = Duration::from_millis(500);

impl FrameSlot {
    pub(crate) fn put(&self, frame: I420Frame) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.0 += 1;
            latest.1 = Some(Arc::new(frame));
        }
        self.changed.notify_waiters();
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.0 += 1;
            latest.1 = None;
        }
        self.changed.notify_waiters();
    }

    /// The first picture numbered above `after`, waiting up to half a second for it; as
    /// bytes: sequence number (u64 LE), width and height (u16 LE each), then the Y, U and V
    /// planes. Empty when no newer picture came.
    pub async fn next_after(&self, after: u64) -> Vec<u8> {
        let deadline = tokio::time::Instant::now() + FRAME_WAIT;
        loop {
            let notified = self.changed.notified();
            if let Some((seq, frame)) = self.newer_than(after) {
                let mut out = Vec::with_capacity(12 + frame.data().len());
                out.extend_from_slice(&seq.to_le_bytes());
                out.extend_from_slice(&(frame.width() as u16).to_le_bytes());
                out.extend_from_slice(&(frame.height() as u16).to_le_bytes());
                out.extend_from_slice(frame.data());
                return out;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Vec::new();
            }
        }
    }

    /// The newest picture and its number; `None` when there is none (no call, or the
    /// stream stopped).
    pub fn latest(&self) -> Option<(u64, Arc<I420Frame>)> {
        let latest = self.latest.lock().ok()?;
        latest.1.clone().map(|frame| (latest.0, frame))
    }

    /// Waits until the slot changes after number `after` (a new picture, or cleared) and
    /// returns the new number. Needs no Tokio runtime (the native window awaits it on its
    /// own main loop).
    pub async fn wait_newer(&self, after: u64) -> u64 {
        loop {
            let notified = self.changed.notified();
            if let Ok(latest) = self.latest.lock()
                && latest.0 > after
            {
                return latest.0;
            }
            notified.await;
        }
    }

    fn newer_than(&self, after: u64) -> Option<(u64, Arc<I420Frame>)> {
        let latest = self.latest.lock().ok()?;
        match &latest.1 {
            Some(frame) if latest.0 > after => Some((latest.0, frame.clone())),
            _ => None,
        }
    }
}

/// The two pictures of the call window.
#[derive(Default)]
pub struct Frames {
    /// The citizen.
    pub remote: FrameSlot,
    /// The clerk (at most 320x240: it is drawn small).
    pub self_view: FrameSlot,
}

impl Frames {
    /// The slot of `stream`.
    pub fn slot(&self, stream: VideoStream) -> &FrameSlot {
        match stream {
            VideoStream::Remote => &self.remote,
            VideoStream::SelfView => &self.self_view,
        }
    }

    /// The engine's configuration with both sinks pointing at these slots, taking sound
    /// from `source`.
    pub fn call_config(self: &Arc<Self>, source: MediaSource, background_blur: bool) -> CallConfig {
        let remote = Arc::clone(self);
        let own = Arc::clone(self);
        CallConfig {
            remote_video: Some(Arc::new(move |f: &TimedFrame| {
                remote.remote.put(f.frame.clone())
            })),
            local_video: Some(Arc::new(move |f: &TimedFrame| {
                let small = if f.frame.width() > 320 {
                    f.frame
                        .scaled(320, f.frame.height() * 320 / f.frame.width())
                } else {
                    f.frame.clone()
                };
                own.self_view.put(small);
            })),
            source,
            background_blur,
            ..CallConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_window_gets_the_newest_picture_or_nothing_after_waiting() {
        let slot = FrameSlot::default();
        assert!(slot.next_after(0).await.is_empty());
        slot.put(I420Frame::black(4, 2));
        slot.put(I420Frame::black(8, 4));
        let bytes = slot.next_after(0).await;
        assert_eq!(u64::from_le_bytes(bytes[..8].try_into().unwrap()), 2);
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 8);
        assert_eq!(u16::from_le_bytes([bytes[10], bytes[11]]), 4);
        assert_eq!(bytes.len(), 12 + 8 * 4 + 2 * 4 * 2);
        // Nothing newer than 2 yet: the window waits, then a new picture wakes it.
        let waiter = slot.next_after(2);
        let (bytes, ()) = tokio::join!(waiter, async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            slot.put(I420Frame::black(4, 2));
        });
        assert_eq!(u64::from_le_bytes(bytes[..8].try_into().unwrap()), 3);
    }

    #[tokio::test]
    async fn the_native_window_wakes_on_a_new_picture_and_on_the_end_of_a_stream() {
        let slot = FrameSlot::default();
        assert!(slot.latest().is_none());
        slot.put(I420Frame::black(4, 2));
        assert_eq!(slot.wait_newer(0).await, 1);
        assert_eq!(slot.latest().map(|(seq, f)| (seq, f.width())), Some((1, 4)));
        let (seq, ()) = tokio::join!(slot.wait_newer(1), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            slot.put(I420Frame::black(8, 4));
        });
        assert_eq!((seq, slot.latest().map(|(_, f)| f.width())), (2, Some(8)));
        let (seq, ()) = tokio::join!(slot.wait_newer(2), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            slot.clear();
        });
        assert_eq!(seq, 3);
        assert!(slot.latest().is_none());
    }
}
