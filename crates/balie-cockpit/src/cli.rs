//! `balie-cockpit relay …` and `balie-cockpit payee …`: for IT, to point a cockpit at the
//! municipality's relay and to set the account bank transfers go to, without opening it.
//! The clerk token (or the one-time code, for `relay enrol`) is read from standard input
//! and kept in the OS keyring. What IT locked in the machine settings
//! ([`crate::machine`]) cannot be changed here.

use crate::config::CockpitConfig;
use crate::machine::Lockable;
use crate::settings::{MAX_RETENTION_DAYS, Payee, Settings};
use balie_secrets::{SecretName, SecretStore};
use secrecy::SecretString;
use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;

const USAGE: &str =
    "usage: balie-cockpit relay enrol [URL]   (reads the one-time code from `balie-relay clerk invite` from standard input)
       balie-cockpit relay set URL   (reads the clerk token from standard input)
       balie-cockpit relay show
       balie-cockpit relay clear          (back to the built-in relay)
       balie-cockpit payee set NAME IBAN [BIC]   (the account bank transfers go to)
       balie-cockpit payee show
       balie-cockpit payee clear
       balie-cockpit retention set DAYS   (how long call metadata is kept; default 730)
       balie-cockpit retention show
       balie-cockpit purge                (forget call metadata past its retention now)
       balie-cockpit impact centre POSTCODE   (the town hall's postcode: trips are measured to it)
       balie-cockpit impact set NAME VALUE   (average-km, road-factor, minimum-km, co2-g-per-km, cost-per-km)
       balie-cockpit impact show          (the impact figures' assumptions and their sources)";

/// Handles `relay …` and `payee …` arguments; `None` when the arguments are not ours
/// (start the app).
pub fn run(args: &[String]) -> Option<ExitCode> {
    let word = |i: usize| args.get(i).map(String::as_str);
    let result = match (word(0)?, word(1), word(2)) {
        ("relay", Some("enrol"), url) if args.len() <= 3 => enrol(url),
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
        ("impact", Some("centre"), Some(postcode)) if args.len() == 3 => impact_centre(postcode),
        ("impact", Some("show"), None) => impact_show(),
        ("impact", Some("set"), Some(name)) if args.len() == 4 => impact_set(name, &args[3]),
        ("relay" | "payee" | "retention" | "purge" | "impact", _, _) => Err(USAGE.to_string()),
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

fn config() -> Result<CockpitConfig, String> {
    CockpitConfig::from_env().map_err(|e| e.to_string())
}

fn store() -> Result<rusqlite::Connection, String> {
    balie_store::open(&config()?.database_path(), &balie_store::cockpit::SCHEMA)
        .map_err(|e| e.to_string())
}

fn secrets() -> Result<SecretStore, String> {
    Ok(SecretStore::new(config()?.keyring_service))
}

/// Refuses when IT locked `setting` in the machine settings.
fn unlocked(config: &CockpitConfig, setting: Lockable) -> Result<(), String> {
    if config.machine.is_locked(setting) {
        let path = config
            .machine
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        return Err(format!(
            "IT has fixed this for the computer in {path}: it cannot be changed here."
        ));
    }
    Ok(())
}

fn enrol(url: Option<&str>) -> Result<String, String> {
    let config = config()?;
    let url = url
        .map(str::to_owned)
        .or_else(|| config.machine.relay_url.clone())
        .ok_or("give the relay's URL: balie-cockpit relay enrol URL")?;
    let mut code = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut code)
        .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let enrolled = runtime
        .block_on(crate::enrolment::enrol(&config, &url, &code))
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "Enrolled with {} as {}; the device token is in the OS keyring.",
        enrolled.relay_url, enrolled.clerk
    ))
}

fn set(url: &str) -> Result<String, String> {
    unlocked(&config()?, Lockable::RelayUrl)?;
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
    secrets()?
        .set(SecretName::RelayClerkToken, &SecretString::from(token))
        .map_err(|e| e.to_string())?;
    Settings::of(&store()?)
        .set_relay_url(Some(url))
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "The cockpit now uses the relay at {url}; its clerk token is in the OS keyring."
    ))
}

fn show() -> Result<String, String> {
    let config = config()?;
    let clerk = Settings::of(&store()?)
        .relay_url()
        .map_err(|e| e.to_string())?;
    let locked = if config.machine.is_locked(Lockable::RelayUrl) {
        " (locked by IT)"
    } else {
        ""
    };
    Ok(
        match config
            .machine
            .relay_url(config.relay_url.as_deref(), clerk.as_deref())
        {
            Some(url) => format!("relay: {url}{locked}"),
            None => "relay: built in (embedded)".into(),
        },
    )
}

fn clear() -> Result<String, String> {
    unlocked(&config()?, Lockable::RelayUrl)?;
    Settings::of(&store()?)
        .set_relay_url(None)
        .map_err(|e| e.to_string())?;
    secrets()?
        .delete(SecretName::RelayClerkToken)
        .map_err(|e| e.to_string())?;
    Ok("The cockpit uses its built-in relay again; the relay token was removed from the OS keyring.".into())
}

fn payee_set(name: &str, iban: &str, bic: Option<&str>) -> Result<String, String> {
    unlocked(&config()?, Lockable::Payee)?;
    let payee = Payee::parse(name, iban, bic).map_err(|e| e.to_string())?;
    Settings::of(&store()?)
        .set_payee(Some(&payee))
        .map_err(|e| e.to_string())?;
    let iban = payee.iban.map(|i| i.to_string()).unwrap_or_default();
    Ok(format!(
        "Bank transfers go to {}, {iban}; the cockpit offers them from its next start.",
        payee.name
    ))
}

fn payee_show() -> Result<String, String> {
    let config = config()?;
    let payee = config
        .machine
        .payee(Settings::of(&store()?).payee().map_err(|e| e.to_string())?);
    Ok(match &payee.iban {
        Some(iban) => format!(
            "payee: {} {} {}",
            payee.name,
            iban.as_str(),
            payee.bic.as_deref().unwrap_or_default()
        )
        .trim_end()
        .to_owned(),
        None => "payee: none (bank transfers are not offered)".into(),
    })
}

fn payee_clear() -> Result<String, String> {
    unlocked(&config()?, Lockable::Payee)?;
    Settings::of(&store()?)
        .set_payee(None)
        .map_err(|e| e.to_string())?;
    Ok("Bank transfers are no longer offered.".into())
}

fn retention_set(days: &str) -> Result<String, String> {
    let days: u32 = days
        .parse()
        .ok()
        .filter(|d| (1..=MAX_RETENTION_DAYS).contains(d))
        .ok_or("the retention is a number of days from 1 to 36500")?;
    Settings::of(&store()?)
        .set_retention_days(days)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "Call metadata is kept {days} days; older calls are forgotten at each start and with `balie-cockpit purge`."
    ))
}

fn retention_show() -> Result<String, String> {
    let days = Settings::of(&store()?)
        .retention_days()
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "call metadata: kept {days} days; chat: never stored; recordings: none exist"
    ))
}

fn purge() -> Result<String, String> {
    let now = config()?.clock.now_ms();
    let purged = crate::retention::purge(&store()?, now).map_err(|e| e.to_string())?;
    Ok(format!("{purged} calls past their retention forgotten."))
}

fn impact_centre(postcode: &str) -> Result<String, String> {
    let code = postcode
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|c| balie_impact::places::coordinates(*c).is_some())
        .ok_or_else(|| format!("{postcode:?} is not a Belgian postcode"))?;
    let conn = store()?;
    Settings::of(&conn)
        .set_impact_centre_postcode(code)
        .map_err(|e| e.to_string())?;
    Ok(format!("trips are measured to postcode {code}"))
}

fn impact_set(name: &str, value: &str) -> Result<String, String> {
    let conn = store()?;
    Settings::of(&conn)
        .set_impact_assumption(name, value)
        .map_err(|e| e.to_string())??;
    Ok(format!("{name} = {}", value.trim()))
}

fn impact_show() -> Result<String, String> {
    use balie_impact::trips;
    let conn = store()?;
    let centre = Settings::of(&conn)
        .impact_centre_postcode()
        .map_err(|e| e.to_string())?;
    let a = Settings::of(&conn)
        .impact_assumptions()
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "centre: {}
average trip when the postcode is unknown: {} m one way
road factor: {}.{:03}
shortest trip: {} m one way
CO2: {} g per km ({})
cost: €0.{:04} per km ({})
postcodes: GeoNames (CC BY 4.0), {} known",
        centre.map_or_else(
            || "not set (every trip counts the average)".to_string(),
            |c| c.to_string()
        ),
        a.average_one_way_m,
        a.road_factor_milli / 1000,
        a.road_factor_milli % 1000,
        a.minimum_one_way_m,
        a.co2_g_per_km,
        trips::CO2_SOURCE,
        a.cost_per_km_centi_cents,
        trips::COST_SOURCE,
        balie_impact::places::known_postcodes(),
    ))
}
