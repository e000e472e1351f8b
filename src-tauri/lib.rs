//! Balie cockpit's desktop host (Tauri 2): the only code that knows Tauri.
//!
//! Two windows — `gesprek` (the call) and `dossier` (the case file) — placed on the
//! clerk's screens by [`balie_cockpit::layout`] and applied by [`windows`]. Everything
//! they do is [`balie_cockpit::Cockpit`]'s; [`commands`] are thin adapters over it. The
//! configuration (every `BALIE_*` variable) is read once, by
//! [`balie_cockpit::CockpitConfig::from_env`].

pub mod commands;
pub mod native_video;
pub mod windows;

use balie_cockpit::enrolment::Start;
use balie_cockpit::{Cockpit, CockpitConfig};
use commands::CockpitState;
use commands::enrolment::Startup;
use std::sync::Arc;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{App, Manager, RunEvent, WindowEvent};

const MENU_SWAP: &str = "swap_screens";

/// Runs the cockpit until the clerk closes it.
pub fn run() {
    let config = CockpitConfig::from_env();
    let app = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            windows::focus(app)
        }))
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            setup(app, config)?;
            Ok(())
        })
        .on_menu_event(|app, event| {
            if event.id() == MENU_SWAP {
                let cockpit = app.state::<CockpitState>().ready().ok().cloned();
                if let Err(e) = windows::swap(app, cockpit.as_deref()) {
                    tracing::warn!(error = %e, "swap screens failed");
                }
            }
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { .. } = event {
                let app = window.app_handle();
                let running = app.state::<CockpitState>().ready().is_ok();
                if window.label() == windows::AANMELDEN && running {
                    // Enrolling again was given up: the cockpit goes on.
                    return;
                }
                // Closing either window ends the cockpit; remember where both were.
                if let Ok(cockpit) = app.state::<CockpitState>().ready() {
                    windows::remember(app, cockpit);
                }
                app.exit(0);
            }
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_app, event| {
            if let RunEvent::Exit = event {
                tracing::info!("cockpit stopped");
            }
        }),
        Err(e) => {
            // No window can show this: the windowing system itself failed.
            eprintln!("Balie cockpit cannot start: {e}");
            std::process::exit(1);
        }
    }
}

/// How this program was installed, from the mark Tauri's bundler puts in it.
fn installed() -> balie_cockpit::updates::Installed {
    use balie_cockpit::updates::Installed;
    use tauri::utils::config::BundleType;
    match tauri::utils::platform::bundle_type() {
        Some(BundleType::Deb) => Installed::Deb,
        Some(BundleType::Rpm) => Installed::Rpm,
        Some(BundleType::AppImage) => std::env::var_os("APPIMAGE")
            .map(|p| Installed::AppImage(p.into()))
            .unwrap_or(Installed::Unknown),
        Some(BundleType::Msi) => Installed::Msi,
        Some(BundleType::App) => Installed::App,
        _ => Installed::Unknown,
    }
}

fn setup(
    app: &mut App,
    config: Result<CockpitConfig, balie_cockpit::config::ConfigError>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = config?;
    if config.installed == balie_cockpit::updates::Installed::Unknown {
        config.installed = installed();
    }
    if config.log_dir.is_none() {
        config.log_dir = Some(app.path().app_log_dir()?);
    }
    match balie_log::init(&balie_log::LogConfig::new(
        "cockpit",
        config.log_dir.clone(),
    )) {
        Ok(guard) => {
            app.manage(guard);
        }
        Err(e) => eprintln!("Balie cockpit: logging is off: {e}"),
    }
    let locale = config.locale;
    app.manage(Startup {
        config: config.clone(),
    });
    // IT named a relay this computer has no token for: the clerk enrols first, and the
    // cockpit starts after (commands::enrolment::enrol).
    let start = balie_cockpit::enrolment::at_start(&config);
    let enrol_first = matches!(start, Ok(Start::Enrol(_)));
    let state = match start {
        Ok(Start::Enrol(_)) => CockpitState::waiting(),
        Ok(Start::Ready(_)) => match tauri::async_runtime::block_on(Cockpit::start(config)) {
            Ok(cockpit) => CockpitState::ready_with(Arc::new(cockpit)),
            Err(e) => {
                tracing::error!(error = %e, "cockpit could not start");
                CockpitState::failed(e)
            }
        },
        Err(e) => {
            tracing::error!(error = %e, "cockpit could not start");
            CockpitState::failed(e)
        }
    };

    let text = |key| balie_cockpit::i18n::text(locale, key);
    let swap = MenuItem::with_id(
        app,
        MENU_SWAP,
        text("menu.swap_screens"),
        true,
        Some("CmdOrCtrl+Shift+S"),
    )?;
    let quit = PredefinedMenuItem::quit(app, Some(&text("menu.quit")))?;
    let view = Submenu::with_items(app, text("menu.view"), true, &[&swap, &quit])?;
    app.set_menu(Menu::with_items(app, &[&view])?)?;

    let cockpit = state.ready().ok().cloned();
    app.manage(state);
    app.manage(native_video::NativeVideo::new());
    if enrol_first {
        tracing::info!("not enrolled with the configured relay: asking the clerk");
        windows::open_enrolment(app.handle(), locale, false)?;
    } else {
        windows::open(app.handle(), locale, cockpit.as_deref())?;
    }
    Ok(())
}
