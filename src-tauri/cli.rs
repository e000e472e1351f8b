//! `balie-cockpit relay …` and `balie-cockpit payee …`: for IT, to point a cockpit at the
//! municipality's relay and to set the account bank transfers go to, without opening it.
//! The clerk token is read from standard input and kept in the OS keyring.

use crate::core::RELAY_URL_SETTING;
use balie_secrets::{SecretName, SecretStore};
use secrecy::SecretString;
use std::io::{BufRead as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: balie-cockpit relay set URL   (reads the clerk token from standard input)
       balie-cockpit relay show
       balie-cockpit relay clear          (back to the built-in relay)
       balie-cockpit payee set NAME IBAN [BIC]   (the account bank transfers go to)
       balie-cockpit payee show
       balie-cockpit payee clear
       balie-cockpit retention set DAYS   (how long call metadata is kept; default 730)
       balie-cockpit retention show
       balie-cockpit purge                (forget call metadata past its retention now)";

/// Handles `relay …` and `payee …` arguments; `None` when the arguments are not ours
/// (start the app).
pub fn run(args: &[String]) -> Option<ExitCode> {
    let word = |i: usize| args.get(i).map(String::as_str);
    let result = match (word(0)?, word(1), word(2)) {
        ("relay", Some("set"), Some(url)) if args.len() == 3 => set(url),
        ("relay", Some("show"), None) => show(),
        ("relay", Some("clear"), None) => clear(),
        ("payee", Some("set"), Some(name)) if (4..=5).contains(&args.len()) => {
            payee_set(name, &args[3], args.get(4).map(String::as_str))
        }
        ("payee", Some("show"), None) => payee_show(),
        ("payee", Some("clear"), None) => payee_clear(),
        ("retention", Some("set"), Some(days)) if args.len() == 3 => retention_set(days),
        ("retention", Some("show"), None) => retention_show(),
        ("purge", None, None) => purge(),
        ("relay" | "payee" | "retention" | "purge", _, _) => Err(USAGE.to_string()),
        _ => return None,
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

fn payee_set(name: &str, iban: &str, bic: Option<&str>) -> Result<String, String> {
    use crate::payments::{PAYEE_BIC_SETTING, PAYEE_IBAN_SETTING, PAYEE_NAME_SETTING};
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 70 || name.contains(['\n', '\r']) {
        return Err("the payee's name has 1 to 70 characters on one line".into());
    }
    let iban = balie_domain::Iban::parse(iban).map_err(|e| format!("IBAN: {e}"))?;
    let bic = bic.map(str::trim).filter(|b| !b.is_empty());
    if let Some(bic) = bic
        && !((bic.len() == 8 || bic.len() == 11) && bic.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err("a BIC has 8 or 11 letters and digits".into());
    }
    let store = store()?;
    let set = |key, value: &str| {
        balie_store::cockpit::setting::set(&store, key, value).map_err(|e| e.to_string())
    };
    set(PAYEE_NAME_SETTING, name)?;
    set(PAYEE_IBAN_SETTING, iban.as_str())?;
    match bic {
        Some(bic) => set(PAYEE_BIC_SETTING, &bic.to_ascii_uppercase())?,
        None => {
            balie_store::cockpit::setting::remove(&store, PAYEE_BIC_SETTING)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(format!(
        "Bank transfers go to {name}, {iban}; the cockpit offers them from its next start."
    ))
}

fn payee_show() -> Result<String, String> {
    use crate::payments::{PAYEE_BIC_SETTING, PAYEE_IBAN_SETTING, PAYEE_NAME_SETTING};
    let store = store()?;
    let get = |key| balie_store::cockpit::setting::get(&store, key).map_err(|e| e.to_string());
    Ok(match get(PAYEE_IBAN_SETTING)? {
        Some(iban) => format!(
            "payee: {} {} {}",
            get(PAYEE_NAME_SETTING)?.unwrap_or_default(),
            iban,
            get(PAYEE_BIC_SETTING)?.unwrap_or_default()
        )
        .trim_end()
        .to_owned(),
        None => "payee: none (bank transfers are not offered)".into(),
    })
}

fn payee_clear() -> Result<String, String> {
    use crate::payments::{PAYEE_BIC_SETTING, PAYEE_IBAN_SETTING, PAYEE_NAME_SETTING};
    let store = store()?;
    for key in [PAYEE_NAME_SETTING, PAYEE_IBAN_SETTING, PAYEE_BIC_SETTING] {
        balie_store::cockpit::setting::remove(&store, key).map_err(|e| e.to_string())?;
    }
    Ok("Bank transfers are no longer offered.".into())
}

fn retention_set(days: &str) -> Result<String, String> {
    let days: u32 = days
        .parse()
        .ok()
        .filter(|d| (1..=36_500).contains(d))
        .ok_or("the retention is a number of days from 1 to 36500")?;
    balie_store::cockpit::setting::set(
        &store()?,
        crate::core::RETENTION_SETTING,
        &days.to_string(),
    )
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "Call metadata is kept {days} days; older calls are forgotten at each start and with `balie-cockpit purge`."
    ))
}

fn retention_show() -> Result<String, String> {
    let days = balie_store::cockpit::setting::get(&store()?, crate::core::RETENTION_SETTING)
        .map_err(|e| e.to_string())?
        .unwrap_or_else(|| crate::core::DEFAULT_RETENTION_DAYS.to_string());
    Ok(format!(
        "call metadata: kept {days} days; chat: never stored; recordings: none exist"
    ))
}

fn purge() -> Result<String, String> {
    let purged = crate::core::purge(&store()?).map_err(|e| e.to_string())?;
    Ok(format!("{purged} calls past their retention forgotten."))
}
