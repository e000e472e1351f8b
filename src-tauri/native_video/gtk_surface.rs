//! Linux: the pictures on `GtkDrawingArea`s in a `GtkOverlay` over WebKitGTK's view.
//!
//! Tauri packs the web view into the window's `GtkBox`; [`attach`] puts an overlay in its
//! place with the view as its main child and a `GtkFixed` above it (clicks pass through to
//! the page) holding one drawing area per picture. A worker thread per picture scales and
//! converts each new picture to the area's size ([`Painter`]); the main thread only copies
//! the result onto the window, so the window's other work (the page's commands, which
//! WebKitGTK answers on the main thread) never waits behind pixels. The GTK objects live in
//! a thread-local of the main thread.

use super::{PaintCounts, VideoArea};
use balie_cockpit::call::frames::{FrameSlot, Frames, VideoStream};
use balie_cockpit::call::paint::{Painter, Placed, fit};
use gtk::cairo;
use gtk::glib;
use gtk::prelude::*;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use webkit2gtk::WebViewExt as _;

/// One picture converted for the screen by the worker.
struct Converted {
    seq: u64,
    /// Where it goes in the whole picture area, in device pixels.
    placed: Placed,
    stride: u32,
    bgrx: Vec<u8>,
}

/// What the main thread and a picture's worker share.
#[derive(Default)]
struct Shared {
    /// The whole picture area in device pixels; `None` while hidden (nothing is converted).
    target: Mutex<Option<(u32, u32)>>,
    /// The newest converted picture (`None`: black).
    converted: Mutex<Option<Converted>>,
    /// A converted picture is ready to be shown.
    ready: Notify,
    /// The target changed: convert the current picture again at the new size.
    resized: Notify,
}

/// One picture's drawing area and what it needs to paint.
struct Surface {
    area: gtk::DrawingArea,
    shared: Arc<Shared>,
    state: std::rc::Rc<RefCell<SurfaceState>>,
}

/// Main-thread state of one drawing area.
#[derive(Default)]
struct SurfaceState {
    /// The whole picture area relative to the drawing area (which is only its visible
    /// part), in logical pixels: x, y, width, height.
    whole: (f64, f64, f64, f64),
    mirrored: bool,
    /// The white frame's width around the picture area, logical pixels.
    border: f64,
    image: Option<cairo::ImageSurface>,
    placed: Option<Placed>,
    /// The number of the picture in `image`.
    shown_seq: u64,
}

struct Surfaces {
    webview: webkit2gtk::WebView,
    fixed: gtk::Fixed,
    remote: Surface,
    own: Surface,
    shown: bool,
    /// The areas last placed, to place again when the window's scale factor changes.
    last: (Option<VideoArea>, Option<VideoArea>),
}

thread_local! {
    static SURFACES: RefCell<Option<Surfaces>> = const { RefCell::new(None) };
}

/// Wraps `webview` in an overlay with the two drawing areas, fed from `frames`; whether
/// it could.
pub(super) fn attach(
    webview: webkit2gtk::WebView,
    frames: Arc<Frames>,
    counts: Arc<PaintCounts>,
) -> bool {
    let Some(parent) = webview.parent() else {
        tracing::warn!("the web view has no parent; the web view draws the pictures");
        return false;
    };
    let Ok(container) = parent.clone().downcast::<gtk::Container>() else {
        tracing::warn!("the web view's parent is no container; the web view draws the pictures");
        return false;
    };
    let overlay = gtk::Overlay::new();
    let position = parent
        .downcast_ref::<gtk::Box>()
        .map(|b| b.child_property::<i32>(&webview, "position"));
    container.remove(&webview);
    overlay.add(&webview);
    match parent.downcast_ref::<gtk::Box>() {
        Some(b) => {
            b.pack_start(&overlay, true, true, 0);
            if let Some(position) = position {
                b.reorder_child(&overlay, position);
            }
        }
        None => container.add(&overlay),
    }
    let fixed = gtk::Fixed::new();
    overlay.add_overlay(&fixed);
    overlay.set_overlay_pass_through(&fixed, true);
    let remote = surface(VideoStream::Remote, &frames, &counts);
    let own = surface(VideoStream::SelfView, &frames, &counts);
    // The clerk's small picture after (above) the citizen's.
    fixed.put(&remote.area, 0, 0);
    fixed.put(&own.area, 0, 0);
    overlay.show();
    fixed.show();
    webview.show();
    // The first picture's time is taken when the frame that painted it is done.
    let frame_counts = counts.clone();
    overlay.connect_realize(move |overlay| {
        if let Some(clock) = overlay.frame_clock() {
            let counts = frame_counts.clone();
            clock.connect_after_paint(move |_| counts.frame_done());
        }
    });
    if overlay.is_realized()
        && let Some(clock) = overlay.frame_clock()
    {
        let counts = counts.clone();
        clock.connect_after_paint(move |_| counts.frame_done());
    }
    // A page that reloads or whose process died no longer says where its pictures go.
    {
        let counts = counts.clone();
        webview.connect_load_changed(move |_, event| {
            if event == webkit2gtk::LoadEvent::Started {
                place(None, None, &counts, false);
            }
        });
    }
    {
        let counts = counts.clone();
        webview.connect_web_process_terminated(move |_, _| place(None, None, &counts, false));
    }
    // Moved to a monitor with another scale factor: the same places, other device pixels
    // (the page's CSS pixels do not change, so it says nothing).
    {
        let counts = counts.clone();
        webview.connect_scale_factor_notify(move |_| {
            let last = SURFACES.with(|s| s.borrow().as_ref().map(|s| s.last));
            if let Some((remote, own)) = last {
                place(remote, own, &counts, false);
            }
        });
    }
    SURFACES.with(|s| {
        *s.borrow_mut() = Some(Surfaces {
            webview,
            fixed,
            remote,
            own,
            shown: false,
            last: (None, None),
        });
    });
    true
}

/// A drawing area for `stream`, with its worker thread and the wake-up of its redraws.
fn surface(stream: VideoStream, frames: &Arc<Frames>, counts: &Arc<PaintCounts>) -> Surface {
    let area = gtk::DrawingArea::new();
    area.set_no_show_all(true);
    // Clicks go to the page, also in the moment a picture is still where the page just put
    // something else (the overlay's pass-through does not reach a child's own window).
    area.connect_realize(|area| {
        if let Some(window) = area.window() {
            window.set_pass_through(true);
        }
    });
    let shared: Arc<Shared> = Arc::default();
    let state: std::rc::Rc<RefCell<SurfaceState>> = std::rc::Rc::default();
    {
        let (frames, shared) = (frames.clone(), shared.clone());
        let name = match stream {
            VideoStream::Remote => "picture-remote",
            VideoStream::SelfView => "picture-self",
        };
        if let Err(e) = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || convert_forever(frames.slot(stream), &shared))
        {
            tracing::warn!(error = %e, "no thread for the native pictures");
        }
    }
    {
        let (state, shared, counts) = (state.clone(), shared.clone(), counts.clone());
        area.connect_draw(move |area, cr| {
            if let Err(e) = draw(area, cr, &mut state.borrow_mut(), &shared, stream, &counts) {
                tracing::warn!(error = %e, ?stream, "a picture could not be painted");
            }
            glib::Propagation::Stop
        });
    }
    {
        let (area, shared) = (area.clone(), shared.clone());
        glib::MainContext::default().spawn_local(async move {
            loop {
                shared.ready.notified().await;
                if area.is_visible() {
                    area.queue_draw();
                }
            }
        });
    }
    Surface {
        area,
        shared,
        state,
    }
}

/// The worker: each new picture in `slot` (or a new size) is converted for the screen.
fn convert_forever(slot: &FrameSlot, shared: &Shared) {
    let mut painter = Painter::default();
    let mut seen = 0;
    let mut spare: Vec<u8> = Vec::new();
    loop {
        // A new picture, or the area's size changed.
        let resized = shared.resized.notified();
        tauri::async_runtime::block_on(async {
            tokio::select! {
                seq = slot.wait_newer(seen) => seen = seq,
                () = resized => {}
            }
        });
        let Some(target) = shared.target.lock().ok().and_then(|t| *t) else {
            continue;
        };
        let converted = slot.latest().and_then(|(seq, frame)| {
            let placed = fit((frame.width() as u32, frame.height() as u32), target)?;
            let stride = placed.width * 4;
            let mut bgrx = std::mem::take(&mut spare);
            bgrx.resize(stride as usize * placed.height as usize, 0);
            match painter.paint(&frame, placed.width, placed.height, &mut bgrx, stride) {
                Ok(()) => Some(Converted {
                    seq,
                    placed,
                    stride,
                    bgrx,
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "a picture could not be converted");
                    None
                }
            }
        });
        // Hidden in the meantime: keep nothing.
        let shown = shared.target.lock().is_ok_and(|t| t.is_some());
        let converted = converted.filter(|_| shown);
        if let Ok(mut slot) = shared.converted.lock()
            && let Some(old) = std::mem::replace(&mut *slot, converted)
        {
            spare = old.bgrx;
        }
        shared.ready.notify_one();
    }
}

/// Paints the newest converted picture (or black) into `area`.
fn draw(
    area: &gtk::DrawingArea,
    cr: &cairo::Context,
    state: &mut SurfaceState,
    shared: &Shared,
    stream: VideoStream,
    counts: &PaintCounts,
) -> Result<(), Box<dyn std::error::Error>> {
    let (x, y, w, h) = state.whole;
    let scale = f64::from(area.scale_factor().max(1));
    let mut new_picture = false;
    if let Ok(converted) = shared.converted.lock() {
        match converted.as_ref() {
            None => {
                state.image = None;
                state.placed = None;
            }
            Some(c)
                if c.seq != state.shown_seq
                    || state.placed != Some(c.placed)
                    || state.image.is_none() =>
            {
                let fits = state.image.as_ref().is_some_and(|i| {
                    (i.width() as u32, i.height() as u32) == (c.placed.width, c.placed.height)
                });
                if !fits {
                    let image = cairo::ImageSurface::create(
                        cairo::Format::Rgb24,
                        c.placed.width as i32,
                        c.placed.height as i32,
                    )?;
                    image.set_device_scale(scale, scale);
                    state.image = Some(image);
                }
                if let Some(image) = state.image.as_mut() {
                    let stride = image.stride() as usize;
                    image.flush();
                    let mut data = image.data()?;
                    let row = c.stride as usize;
                    for (to, from) in data.chunks_mut(stride).zip(c.bgrx.chunks(row)) {
                        to[..row].copy_from_slice(from);
                    }
                    drop(data);
                    image.mark_dirty();
                }
                new_picture = c.seq != state.shown_seq;
                state.placed = Some(c.placed);
                state.shown_seq = c.seq;
            }
            Some(_) => {}
        }
    }
    // Each pixel is painted once, without blending (the picture is most of the area, and
    // this runs 30 times a second): the frame white, the bars around the picture black,
    // the picture itself copied.
    let shown = state.image.as_ref().zip(state.placed);
    let picture = shown.map(|(_, placed)| {
        (
            x + f64::from(placed.x) / scale,
            y + f64::from(placed.y) / scale,
            f64::from(placed.width) / scale,
            f64::from(placed.height) / scale,
        )
    });
    cr.set_operator(cairo::Operator::Source);
    cr.set_fill_rule(cairo::FillRule::EvenOdd);
    if state.border > 0.0 {
        cr.set_source_rgb(1.0, 1.0, 1.0);
        cr.rectangle(
            0.0,
            0.0,
            f64::from(area.allocated_width()),
            f64::from(area.allocated_height()),
        );
        cr.rectangle(x, y, w, h);
        cr.fill()?;
    }
    cr.set_source_rgb(0.0, 0.0, 0.0);
    cr.rectangle(x, y, w, h);
    if let Some((px, py, pw, ph)) = picture {
        cr.rectangle(px, py, pw, ph);
    }
    cr.fill()?;
    let (Some((image, _)), Some((px, py, pw, ph))) = (shown, picture) else {
        return Ok(());
    };
    cr.save()?;
    if state.mirrored {
        cr.translate(px + pw, py);
        cr.scale(-1.0, 1.0);
    } else {
        cr.translate(px, py);
    }
    cr.set_source_surface(image, 0.0, 0.0)?;
    cr.rectangle(0.0, 0.0, pw, ph);
    cr.fill()?;
    cr.restore()?;
    // Let go of the image, so the next picture can be written into it.
    cr.set_source_rgb(0.0, 0.0, 0.0);
    if new_picture {
        counts.painted(stream);
    }
    Ok(())
}

/// Places (or hides) both pictures; see [`super::set_areas`].
pub(super) fn place(
    remote: Option<VideoArea>,
    own: Option<VideoArea>,
    counts: &PaintCounts,
    fresh: bool,
) {
    SURFACES.with(|s| {
        let mut surfaces = s.borrow_mut();
        let Some(surfaces) = surfaces.as_mut() else {
            return;
        };
        if fresh {
            counts.reset();
        }
        surfaces.shown = remote.is_some() || own.is_some();
        surfaces.last = (remote, own);
        let zoom = surfaces.webview.zoom_level().max(0.1);
        let width = f64::from(surfaces.webview.allocated_width());
        let height = f64::from(surfaces.webview.allocated_height());
        for (surface, area) in [(&surfaces.remote, remote), (&surfaces.own, own)] {
            position(&surfaces.fixed, surface, area, zoom, (width, height));
        }
    });
}

/// The largest picture area, in device pixels a side: what the page asks beyond it is
/// refused (hidden), so a wrong size cannot make the worker allocate gigabytes.
const MAX_SIDE: f64 = 8192.0;

/// Puts `surface` at the visible part of `area` (scaled by the page's zoom), or hides it.
fn position(
    fixed: &gtk::Fixed,
    surface: &Surface,
    area: Option<VideoArea>,
    zoom: f64,
    view: (f64, f64),
) {
    let scale = f64::from(surface.area.scale_factor().max(1));
    let visible = area.and_then(|a| {
        let (x, y, w, h) = (a.x * zoom, a.y * zoom, a.width * zoom, a.height * zoom);
        let b = (a.border * zoom).clamp(0.0, 16.0);
        let clip = a.clip.map(|edge| edge * zoom);
        if ![x, y, w, h, b].into_iter().chain(clip).all(f64::is_finite)
            || w * scale > MAX_SIDE
            || h * scale > MAX_SIDE
        {
            return None;
        }
        // The drawing area holds the frame too, within the page's clip and the view.
        // Inwards: not a row of picture over what the page draws beside the clip.
        let (left, top) = (
            (x - b).max(clip[0]).max(0.0).ceil(),
            (y - b).max(clip[1]).max(0.0).ceil(),
        );
        let (right, bottom) = (
            (x + w + b).min(clip[2]).min(view.0).floor(),
            (y + h + b).min(clip[3]).min(view.1).floor(),
        );
        (right - left >= 1.0 && bottom - top >= 1.0).then_some((
            a,
            (x, y, w, h),
            (left, top, right - left, bottom - top),
        ))
    });
    let Some((a, (x, y, w, h), (left, top, vw, vh))) = visible else {
        surface.area.hide();
        if let Ok(mut target) = surface.shared.target.lock() {
            *target = None;
        }
        // Nothing of this picture is shown again when the area comes back (a next call).
        if let Ok(mut converted) = surface.shared.converted.lock() {
            *converted = None;
        }
        let mut state = surface.state.borrow_mut();
        state.image = None;
        state.placed = None;
        return;
    };
    {
        let mut state = surface.state.borrow_mut();
        state.whole = (x - left, y - top, w, h);
        state.mirrored = a.mirrored;
        state.border = (a.border * zoom).clamp(0.0, 16.0);
    }
    let device = ((w * scale).round() as u32, (h * scale).round() as u32);
    if let Ok(mut target) = surface.shared.target.lock()
        && *target != Some(device)
    {
        *target = Some(device);
        surface.shared.resized.notify_one();
    }
    fixed.move_(&surface.area, left as i32, top as i32);
    surface.area.set_size_request(vw as i32, vh as i32);
    surface.area.show();
    surface.area.queue_draw();
}
