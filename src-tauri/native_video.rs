//! The call's two pictures drawn natively, over the call window's picture area: the web
//! page keeps the controls and tells where its pictures are ([`set_areas`]); the host
//! places a surface there and paints each new picture on it, scaled and converted on the
//! CPU by [`balie_cockpit::call::paint`] and handed to the windowing system as one image.
//! Pictures never pass through the web view (see ARCHITECTURE, "Pictures in the window").
//!
//! Linux: a `GtkOverlay` around WebKitGTK's view with a `GtkDrawingArea` per picture,
//! painted with cairo. Other systems (WebView2, WKWebView) have no native surface yet:
//! [`set_areas`] answers `false` there and the page draws with WebGL, as it does when
//! `BALIE_VIDEO=webgl`.

use balie_cockpit::call::frames::Frames;
use balie_cockpit::call::paint::{PaintCounts, VideoArea, VideoPainted};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The native pictures of the call window, managed as Tauri state.
pub struct NativeVideo {
    /// Whether the surfaces exist (attached to the window, and not switched off).
    available: Arc<AtomicBool>,
    counts: Arc<PaintCounts>,
}

impl NativeVideo {
    /// Not attached yet.
    pub fn new() -> Self {
        Self {
            available: Arc::default(),
            counts: Arc::default(),
        }
    }

    /// Whether pictures are drawn natively.
    pub fn available(&self) -> bool {
        self.available.load(Ordering::Relaxed)
    }

    /// What has been painted since the areas were last shown.
    pub fn painted(&self) -> VideoPainted {
        self.counts.snapshot()
    }
}

impl Default for NativeVideo {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_os = "linux")]
mod gtk_surface;

/// Puts the native surfaces over `window`'s web view, fed from `frames`. Where it cannot
/// (another system, `BALIE_VIDEO=webgl`: `web_video`), nothing changes and the page draws
/// itself.
pub fn attach(
    window: &tauri::WebviewWindow,
    frames: Arc<Frames>,
    web_video: bool,
    state: &NativeVideo,
) {
    if web_video {
        tracing::info!("pictures drawn by the web view (BALIE_VIDEO=webgl)");
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let (counts, available) = (state.counts.clone(), state.available.clone());
        if let Err(e) = window.with_webview(move |webview| {
            let attached = gtk_surface::attach(webview.inner(), frames, counts);
            available.store(attached, Ordering::Relaxed);
        }) {
            tracing::warn!(error = %e, "native pictures unavailable; the web view draws");
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (window, frames, state);
    }
}

/// Shows the pictures at `remote` and `own` (CSS pixels of the window's viewport), or
/// hides either with `None`; `fresh` (a call starts) starts the paint counts anew.
pub fn set_areas(
    window: &tauri::WebviewWindow,
    state: &NativeVideo,
    remote: Option<VideoArea>,
    own: Option<VideoArea>,
    fresh: bool,
) -> bool {
    if !state.available() {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        let counts = state.counts.clone();
        let placed = window.run_on_main_thread(move || {
            gtk_surface::place(remote, own, &counts, fresh);
        });
        placed.is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (window, remote, own, fresh);
        false
    }
}
