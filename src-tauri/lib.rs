//! Balie cockpit: the clerk's desktop app (Tauri 2).
//!
//! Two windows — `gesprek` (the call) and `dossier` (the case file) — placed on the
//! clerk's screens by [`layout`]. With no relay configured the cockpit starts the relay
//! in-process on 127.0.0.1 ([`relay_link`]), so one command shows the whole flow.
//!
//! The Tauri-free core is [`core::Cockpit`]; [`commands`] are thin adapters over it and
//! [`windows`] applies layouts. Environment: `BALIE_DATA_DIR` (data and logs instead of
//! the OS directories), `BALIE_KEYRING_SERVICE` (keyring service name, default
//! `be.balie.cockpit`), `BALIE_LANG` (nl, fr or en), `BALIE_LOG` (log filter).

pub mod case_io;
pub mod cases;
pub mod cli;
pub mod commands;
pub mod conversation;
pub mod core;
pub mod documents;
pub mod error;
pub mod frame_server;
pub mod i18n;
pub mod layout;
pub mod payments;
pub mod pdf;
pub mod qr;
pub mod relay_link;
pub mod windows;

use commands::CockpitState;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{App, Manager, RunEvent, WindowEvent};

/// The keyring service name the cockpit keeps its secrets under.
pub const KEYRING_SERVICE: &str = "be.balie.cockpit";

const MENU_SWAP: &str = "swap_screens";

/// Runs the cockpit until the clerk closes it.
pub fn run() {
    let locale = i18n::system_locale();
    let app = tauri::Builder::default()
        // First, so a second launch hands over before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            windows::focus(app)
        }))
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            setup(app, locale)?;
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
                // Closing either window ends the cockpit; remember where both were.
                let app = window.app_handle();
                if let Ok(cockpit) = app.state::<CockpitState>().ready() {
                    windows::remember(app, cockpit);
                }
                app.exit(0);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::cockpit_status,
            commands::new_conversation,
            commands::admit,
            commands::decline,
            commands::send_chat,
            commands::set_mic_muted,
            commands::set_camera_off,
            commands::set_background_blur,
            commands::end_conversation,
            commands::frame_url,
            commands::list_devices,
            commands::choose_devices,
            commands::open_join_link,
            commands::swap_screens,
            commands::payment_setup,
            commands::request_payment,
            commands::cancel_payment,
            commands::mark_payment_received,
            commands::conversation_payments,
            commands::follow_payments,
            commands::set_product_price,
            commands::provider_keys,
            commands::set_provider_key,
            commands::test_provider_key,
            commands::remove_provider_key,
            commands::search_cases,
            commands::open_case,
            commands::refresh_case,
            commands::add_case_note,
            commands::set_case_status,
            commands::mark_case_handled,
            commands::link_case_to_call,
            commands::request_case_payment,
            commands::follow_dossier,
            commands::import_cases,
            commands::export_case,
            commands::create_case,
            commands::attach_document,
            commands::open_document,
        ])
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

fn setup(app: &mut App, locale: balie_domain::Locale) -> Result<(), Box<dyn std::error::Error>> {
    let data_dir = match std::env::var_os("BALIE_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_data_dir()?,
    };
    let log_dir = match std::env::var_os("BALIE_DATA_DIR") {
        Some(_) => data_dir.join("logs"),
        None => app.path().app_log_dir()?,
    };
    match balie_log::init(&balie_log::LogConfig::new("cockpit", Some(log_dir))) {
        Ok(guard) => {
            app.manage(guard);
        }
        Err(e) => eprintln!("Balie cockpit: logging is off: {e}"),
    }
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();

    let service =
        std::env::var("BALIE_KEYRING_SERVICE").unwrap_or_else(|_| KEYRING_SERVICE.to_string());
    let state =
        match tauri::async_runtime::block_on(core::Cockpit::start(&data_dir, &service, locale)) {
            Ok(cockpit) => CockpitState::Ready(Arc::new(cockpit)),
            Err(e) => {
                tracing::error!(error = %e, "cockpit could not start");
                CockpitState::Failed(e)
            }
        };

    let swap = MenuItem::with_id(
        app,
        MENU_SWAP,
        i18n::text(locale, "menu.swap_screens"),
        true,
        Some("CmdOrCtrl+Shift+S"),
    )?;
    let quit = PredefinedMenuItem::quit(app, Some(&i18n::text(locale, "menu.quit")))?;
    let view = Submenu::with_items(app, i18n::text(locale, "menu.view"), true, &[&swap, &quit])?;
    app.set_menu(Menu::with_items(app, &[&view])?)?;

    let cockpit = state.ready().ok().cloned();
    app.manage(state);
    windows::open(app.handle(), locale, cockpit.as_deref())?;
    Ok(())
}
