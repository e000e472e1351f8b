//! `balie-cockpit relay …`: for IT, to point a cockpit at the municipality's relay without
//! opening it. The clerk token is read from standard input and kept in the OS keyring.

use crate::core::RELAY_URL_SETTING;
use balie_secrets::{SecretName, SecretStore};
use secrecy::SecretString;
use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: balie-cockpit relay set URL   (reads the clerk token from standard input)
       balie-cockpit relay show
       balie-cockpit relay clear          (back to the built-in relay)";

/// Handles `relay …` arguments; `None` when the arguments are not ours (start the app).
pub fn run(args: &[String]) -> Option<ExitCode> {
    if args.first().map(String::as_str) != Some("relay") {
        return None;
    }
    let result = match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("set"), Some(url)) => set(url),
        (Some("show"), None) => show(),
        (Some("clear"), None) => clear(),
        _ => Err(USAGE.to_string()),
    };
    Some(match result {
        Ok(message) => {
            let _ = writeln!(std::io::stdout(), "{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::FAILURE
        }
    })
}

/// The cockpit's data directory: `BALIE_DATA_DIR`, or the OS one Tauri uses.
fn data_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("BALIE_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    directories::BaseDirs::new()
        .map(|d| d.data_dir().join("be.balie.cockpit"))
        .ok_or_else(|| "cannot find the data directory (set BALIE_DATA_DIR)".to_string())
}

fn store() -> Result<rusqlite::Connection, String> {
    balie_store::open(
        &data_dir()?.join("cockpit.sqlite3"),
        &balie_store::cockpit::SCHEMA,
    )
    .map_err(|e| e.to_string())
}

fn secrets() -> SecretStore {
    SecretStore::new(
        std::env::var("BALIE_KEYRING_SERVICE").unwrap_or_else(|_| crate::KEYRING_SERVICE.into()),
    )
}

fn set(url: &str) -> Result<String, String> {
    crate::relay_link::check_relay_url(url).map_err(|e| e.to_string())?;
    let mut token = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut token)
        .map_err(|e| e.to_string())?;
    let token = token.trim();
    if !token.starts_with("balie_") {
        return Err("the clerk token (from `balie-relay clerk add`) starts with balie_".into());
    }
    secrets()
        .set(SecretName::RelayClerkToken, &SecretString::from(token))
        .map_err(|e| e.to_string())?;
    balie_store::cockpit::setting::set(&store()?, RELAY_URL_SETTING, url.trim_end_matches('/'))
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "The cockpit now uses the relay at {url}; its clerk token is in the OS keyring."
    ))
}

fn show() -> Result<String, String> {
    Ok(
        match balie_store::cockpit::setting::get(&store()?, RELAY_URL_SETTING)
            .map_err(|e| e.to_string())?
        {
            Some(url) => format!("relay: {url}"),
            None => "relay: built in (embedded)".into(),
        },
    )
}

fn clear() -> Result<String, String> {
    balie_store::cockpit::setting::remove(&store()?, RELAY_URL_SETTING)
        .map_err(|e| e.to_string())?;
    secrets()
        .delete(SecretName::RelayClerkToken)
        .map_err(|e| e.to_string())?;
    Ok("The cockpit uses its built-in relay again; the relay token was removed from the OS keyring.".into())
}
