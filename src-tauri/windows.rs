//! The two cockpit windows on the clerk's screens: created, placed by `layout::plan`,
//! swapped, remembered per monitor layout; and the enrolment window before them.

use balie_cockpit::Cockpit;
use balie_cockpit::i18n::text;
use balie_cockpit::layout::{self, Layout, Monitor, Placement, Rect};
use balie_domain::Locale;
use tauri::{
    AppHandle, Manager, PhysicalPosition, PhysicalSize, WebviewUrl, WebviewWindow,
    WebviewWindowBuilder,
};

/// Label of the call window (also its capability's window).
pub const GESPREK: &str = "gesprek";
/// Label of the case-file window.
pub const DOSSIER: &str = "dossier";
/// Label of the enrolment window (*Aanmelden bij uw gemeente*).
pub const AANMELDEN: &str = "aanmelden";

/// Opens the enrolment window, centred (`again`: over a running cockpit, which restarts
/// after it). An open one is brought forward.
pub fn open_enrolment(app: &AppHandle, locale: Locale, again: bool) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(AANMELDEN) {
        return window.set_focus();
    }
    let page = if again {
        "aanmelden.html?again=1"
    } else {
        "aanmelden.html"
    };
    let window = WebviewWindowBuilder::new(app, AANMELDEN, WebviewUrl::App(page.into()))
        .title(text(locale, "window.aanmelden.title"))
        .inner_size(640.0, 560.0)
        .min_inner_size(360.0, 360.0)
        .center()
        .build()?;
    window.set_focus()
}

/// Creates both windows, hidden, places them and shows them.
pub fn open(app: &AppHandle, locale: Locale, cockpit: Option<&Cockpit>) -> tauri::Result<()> {
    for (label, page, title) in [
        (GESPREK, "gesprek.html", "window.gesprek.title"),
        (DOSSIER, "dossier.html", "window.dossier.title"),
    ] {
        WebviewWindowBuilder::new(app, label, WebviewUrl::App(page.into()))
            .title(text(locale, title))
            .min_inner_size(480.0, 360.0)
            .visible(false)
            .build()?;
    }
    let (monitors, primary) = monitors(app);
    let key = layout::layout_key(&monitors);
    tracing::info!(monitors = %key, ?primary, "placing windows");
    let remembered = cockpit.and_then(|c| match c.window_layouts().remembered(&key) {
        Ok(layout) => layout,
        Err(e) => {
            tracing::warn!(error = %e, "remembered window layout unreadable; using the default");
            None
        }
    });
    if let Some(plan) = layout::plan(&monitors, primary, remembered.as_ref()) {
        apply(app, &plan)?;
    }
    for label in [DOSSIER, GESPREK] {
        if let Some(window) = app.get_webview_window(label) {
            window.show()?;
        }
    }
    if let Some(window) = app.get_webview_window(GESPREK) {
        if let Some(cockpit) = cockpit {
            let video = app.state::<crate::native_video::NativeVideo>();
            crate::native_video::attach(
                &window,
                cockpit.frames(),
                cockpit.config().web_video,
                &video,
            );
        }
        let _ = window.set_focus();
    }
    Ok(())
}

/// The monitors as the windowing system reports them, and the primary one's index.
fn monitors(app: &AppHandle) -> (Vec<Monitor>, Option<usize>) {
    let list: Vec<Monitor> = app
        .available_monitors()
        .unwrap_or_default()
        .iter()
        .map(|m| Monitor {
            name: m.name().cloned().unwrap_or_default(),
            rect: Rect {
                x: m.position().x,
                y: m.position().y,
                width: m.size().width,
                height: m.size().height,
            },
        })
        .collect();
    let primary = app.primary_monitor().ok().flatten().and_then(|p| {
        list.iter()
            .position(|m| m.rect.x == p.position().x && m.rect.y == p.position().y)
    });
    (list, primary)
}

fn apply(app: &AppHandle, plan: &Layout) -> tauri::Result<()> {
    for (label, placement) in [(GESPREK, plan.gesprek), (DOSSIER, plan.dossier)] {
        if let Some(window) = app.get_webview_window(label) {
            place(&window, &placement)?;
        }
    }
    Ok(())
}

fn place(window: &WebviewWindow, placement: &Placement) -> tauri::Result<()> {
    if window.is_maximized()? {
        window.unmaximize()?;
    }
    window.set_position(PhysicalPosition::new(placement.rect.x, placement.rect.y))?;
    window.set_size(PhysicalSize::new(
        placement.rect.width,
        placement.rect.height,
    ))?;
    if placement.maximized {
        window.maximize()?;
    }
    Ok(())
}

fn placement_of(window: &WebviewWindow) -> tauri::Result<Placement> {
    let position = window.outer_position()?;
    let size = window.inner_size()?;
    Ok(Placement {
        rect: Rect {
            x: position.x,
            y: position.y,
            width: size.width,
            height: size.height,
        },
        maximized: window.is_maximized()?,
    })
}

fn current(app: &AppHandle) -> tauri::Result<Option<Layout>> {
    let (Some(gesprek), Some(dossier)) = (
        app.get_webview_window(GESPREK),
        app.get_webview_window(DOSSIER),
    ) else {
        return Ok(None);
    };
    Ok(Some(Layout {
        gesprek: placement_of(&gesprek)?,
        dossier: placement_of(&dossier)?,
    }))
}

/// Exchanges the two windows' places and remembers the result.
pub fn swap(app: &AppHandle, cockpit: Option<&Cockpit>) -> tauri::Result<()> {
    if let Some(layout) = current(app)? {
        let swapped = layout.swapped();
        apply(app, &swapped)?;
        if let Some(cockpit) = cockpit {
            let (monitors, _) = monitors(app);
            if let Err(e) = cockpit
                .window_layouts()
                .remember(&layout::layout_key(&monitors), &swapped)
            {
                tracing::warn!(error = %e, "window layout not remembered");
            }
        }
    }
    Ok(())
}

/// Remembers where the windows are now, for this monitor layout.
pub fn remember(app: &AppHandle, cockpit: &Cockpit) {
    let (monitors, _) = monitors(app);
    match current(app) {
        Ok(Some(layout)) => {
            if let Err(e) = cockpit
                .window_layouts()
                .remember(&layout::layout_key(&monitors), &layout)
            {
                tracing::warn!(error = %e, "window layout not remembered");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "window positions unreadable"),
    }
}

/// Brings the call window to the front (a second launch lands here).
pub fn focus(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(GESPREK) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
