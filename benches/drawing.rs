//! The candidate routes for drawing the call's pictures natively over a web view, measured
//! before one was chosen (`benches/drawing.sh`). One GTK window 1600x900 on its own Xvfb
//! holds a WebKitGTK view (a static page, like the call window's) with a 1060x795 picture
//! area and a 240x180 self-view over it; a timer makes a new 640x480 and 320x240 I420
//! picture 30 times a second (the same work on every route, and in the route that draws
//! nothing). Each route runs in its own process; the figure is utime+stime of that process
//! tree and of its X server over the measured span, per minute, beside the pictures drawn.
//!
//! Routes:
//! - `none`: the pictures are made but not drawn (the floor);
//! - `scaled`: our `Painter` scales and converts to the area's size, cairo paints it 1:1
//!   on a `GtkDrawingArea` in a `GtkOverlay` (client-side child window: the cockpit's way);
//! - `scaled-native`: the same on drawing areas with their own X windows
//!   (`gdk_window_ensure_native`);
//! - `server-scaled`: converted at the picture's size, cairo scales while painting (on X,
//!   the server scales).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

#[cfg(target_os = "linux")]
mod linux {
    use balie_call::media::frame::I420Frame;
    use balie_cockpit::call::paint::Painter;
    use gtk::cairo;
    use gtk::prelude::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use webkit2gtk::WebViewExt as _;

    pub const ROUTES: [&str; 4] = ["none", "scaled", "scaled-native", "server-scaled"];

    /// A moving picture, different every time.
    fn picture(n: usize, width: usize, height: usize) -> I420Frame {
        let mut frame = I420Frame::black(width, height);
        let (y, u, v) = frame.planes_mut();
        for (i, p) in y.iter_mut().enumerate() {
            *p = (16 + (i % width + i / width + n * 4) % 220) as u8;
        }
        for (i, p) in u.iter_mut().enumerate() {
            *p = (28 + (i + n) % 200) as u8;
        }
        for (i, p) in v.iter_mut().enumerate() {
            *p = (28 + (i / 7 + n) % 200) as u8;
        }
        frame
    }

    /// What one drawing area needs to paint.
    struct Area {
        painter: Painter,
        image: Option<cairo::ImageSurface>,
        drawn: u64,
    }

    fn paint(
        area: &mut Area,
        cr: &cairo::Context,
        frame: &I420Frame,
        size: (i32, i32),
        server_scaled: bool,
    ) {
        let (fw, fh) = (frame.width() as i32, frame.height() as i32);
        let (w, h) = if server_scaled { (fw, fh) } else { size };
        if area
            .image
            .as_ref()
            .is_none_or(|i| (i.width(), i.height()) != (w, h))
        {
            area.image = Some(cairo::ImageSurface::create(cairo::Format::Rgb24, w, h).unwrap());
        }
        let image = area.image.as_mut().unwrap();
        let stride = image.stride() as u32;
        {
            let mut data = image.data().unwrap();
            area.painter
                .paint(frame, w as u32, h as u32, &mut data, stride)
                .unwrap();
        }
        cr.save().unwrap();
        if server_scaled {
            cr.scale(
                f64::from(size.0) / f64::from(w),
                f64::from(size.1) / f64::from(h),
            );
        }
        cr.set_source_surface(&*image, 0.0, 0.0).unwrap();
        if server_scaled {
            cr.source().set_filter(cairo::Filter::Bilinear);
        }
        cr.paint().unwrap();
        cr.restore().unwrap();
        cr.set_source_rgb(0.0, 0.0, 0.0);
        area.drawn += 1;
    }

    /// Runs `route` for `seconds`, then prints the pictures drawn.
    pub fn run(route: &str, seconds: u32) {
        gtk::init().unwrap();
        let window = gtk::Window::new(gtk::WindowType::Toplevel);
        window.set_default_size(1600, 900);
        let overlay = gtk::Overlay::new();
        let webview = webkit2gtk::WebView::new();
        webview.load_html(
            "<html><body style='background:#eee;font:16px sans-serif'><h1>Gesprek</h1>\
             <div style='width:1060px;height:795px;background:#000;margin:8px'></div>\
             <button>Ophangen</button></body></html>",
            None,
        );
        overlay.add(&webview);
        let fixed = gtk::Fixed::new();
        let remote = gtk::DrawingArea::new();
        remote.set_size_request(1060, 795);
        let own = gtk::DrawingArea::new();
        own.set_size_request(240, 180);
        fixed.put(&remote, 8, 60);
        fixed.put(&own, 8 + 1060 - 250, 60 + 795 - 190);
        if route != "none" {
            overlay.add_overlay(&fixed);
            overlay.set_overlay_pass_through(&fixed, true);
        }
        window.add(&overlay);
        let frames = Rc::new(RefCell::new((picture(0, 640, 480), picture(0, 320, 240))));
        let server_scaled = route == "server-scaled";
        let mut counters = Vec::new();
        for (which, widget) in [&remote, &own].into_iter().enumerate() {
            let area = Rc::new(RefCell::new(Area {
                painter: Painter::default(),
                image: None,
                drawn: 0,
            }));
            counters.push(area.clone());
            let frames = frames.clone();
            widget.connect_draw(move |widget, cr| {
                let frames = frames.borrow();
                let frame = if which == 0 { &frames.0 } else { &frames.1 };
                let size = (widget.allocated_width(), widget.allocated_height());
                paint(&mut area.borrow_mut(), cr, frame, size, server_scaled);
                gtk::glib::Propagation::Stop
            });
        }
        window.show_all();
        if route == "scaled-native" {
            for widget in [&remote, &own] {
                if let Some(w) = widget.window() {
                    w.ensure_native();
                }
            }
        }
        let mut n = 0;
        let (r, o) = (remote.clone(), own.clone());
        gtk::glib::timeout_add_local(std::time::Duration::from_micros(33_333), move || {
            n += 1;
            *frames.borrow_mut() = (picture(n, 640, 480), picture(n, 320, 240));
            r.queue_draw();
            o.queue_draw();
            gtk::glib::ControlFlow::Continue
        });
        gtk::glib::timeout_add_seconds_local(seconds, move || {
            println!(
                "{} {}",
                counters[0].borrow().drawn,
                counters[1].borrow().drawn
            );
            gtk::main_quit();
            gtk::glib::ControlFlow::Break
        });
        gtk::main();
    }
}

#[cfg(target_os = "linux")]
fn main() {
    use balie_testkit::display::one_monitor;
    use balie_testkit::procfs::{cpu_seconds, tree};
    use std::time::Duration;

    if let Ok(route) = std::env::var("BALIE_DRAWING_ROUTE") {
        let seconds = std::env::var("BALIE_DRAWING_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(30);
        linux::run(&route, seconds);
        return;
    }
    let measured: u64 = std::env::var("BALIE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let settle = 5;
    println!(
        "Drawing routes: window 1600x900 on Xvfb, pictures 640x480 → 1060x795 and 320x240 → 240x180 at 30/s, {measured} s measured after {settle} s"
    );
    println!(
        "{:<15} {:>14} {:>12} {:>10} {:>18} {:>9}",
        "route", "process s/min", "X s/min", "sum", "drawn/s (both)", "on screen"
    );
    for route in linux::ROUTES {
        let display = one_monitor(1600, 900);
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .env("BALIE_DRAWING_ROUTE", route)
            .env("BALIE_DRAWING_SECONDS", (settle + measured + 1).to_string())
            .env("DISPLAY", &display.name)
            .env("GDK_BACKEND", "x11")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs(settle));
        // Whether the pictures reach the screen: the picture area (no window manager: the
        // window at 0,0) changes between two looks a fifth of a second apart.
        let look = || {
            balie_testkit::screen::Screen::grab(&display.name, 8, 60, 1060, 795).red_grid(64, 48)
        };
        let first = look();
        std::thread::sleep(Duration::from_millis(200));
        let seen = look() != first;
        let (before, before_x) = (
            cpu_seconds(&tree(child.id())),
            cpu_seconds(&[display.pid()]),
        );
        std::thread::sleep(Duration::from_secs(measured));
        let (after, after_x) = (
            cpu_seconds(&tree(child.id())),
            cpu_seconds(&[display.pid()]),
        );
        let mut out = String::new();
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
        let _ = child.wait();
        let drawn: Vec<f64> = out
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        let total = (settle + measured + 1) as f64;
        let per_minute = |s: f64| s * 60.0 / measured as f64;
        println!(
            "{:<15} {:>14.1} {:>12.1} {:>10.1} {:>18} {:>9}",
            route,
            per_minute(after - before),
            per_minute(after_x - before_x),
            per_minute(after - before + after_x - before_x),
            format!(
                "{:.1} / {:.1}",
                drawn.first().copied().unwrap_or(0.0) / total,
                drawn.get(1).copied().unwrap_or(0.0) / total
            ),
            if seen { "yes" } else { "no" }
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("the drawing routes are measured on Linux only");
}
