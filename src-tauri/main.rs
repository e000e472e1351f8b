//! `balie-cockpit`: the clerk's desktop app. IT's commands (`relay`, `payee`,
//! `retention`, `purge`, `impact`) run without windows; anything else starts the app.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    // TLS for the relay and the providers (the app and `relay enrol`).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = balie_cockpit::cli::run(&args) {
        return code;
    }
    balie_desktop::run();
    std::process::ExitCode::SUCCESS
}
