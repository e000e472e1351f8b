//! `balie-cockpit`: the clerk's desktop app. Everything is in the library.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    balie_cockpit::run();
}
