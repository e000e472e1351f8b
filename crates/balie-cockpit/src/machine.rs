//! The machine-wide settings IT provisions, one file per computer: Linux
//! `/etc/balie/cockpit.toml`, Windows `%ProgramData%\Balie\cockpit.toml`, macOS
//! `/Library/Application Support/Balie/cockpit.toml` (`BALIE_MACHINE_SETTINGS` names
//! another). Read once at start, with the rest of [`crate::CockpitConfig`].
//!
//! ```toml
//! relay_url = "https://balie.zonnedorp.be"
//! municipality = "Gemeente Zonnedorp"
//! payment_methods = ["bancontact", "transfer"]   # absent: every method
//! locked = ["relay_url", "payee"]                 # the clerk cannot change these
//!
//! [payee]
//! name = "Gemeente Zonnedorp"
//! iban = "BE71 0961 2345 6769"
//! bic = "GKCCBEBB"
//!
//! [updates]
//! check = true        # false: IT deploys updates with its own tools
//! pubkey = "RWQ…"     # the municipality's update key (public half)
//! ```
//!
//! A value in this file is the default; the clerk's own setting (the cockpit database)
//! wins, unless the name is `locked`: then nothing the clerk does — in the windows, on the
//! command line or with `BALIE_RELAY_URL` — changes it. An unreadable or wrong file stops
//! the cockpit with a message that names the file and the field: IT's intent is never
//! guessed.

use crate::settings::{Payee, PayeeError};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The payment methods the file can name (`crate::payments::ProviderName` as stored).
pub const PAYMENT_METHODS: [&str; 5] = ["sandbox", "mollie", "bancontact", "stripe", "transfer"];

/// A setting IT can lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lockable {
    /// The relay the cockpit uses.
    RelayUrl,
    /// Who receives bank transfers.
    Payee,
}

/// The machine-wide settings, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineSettings {
    /// The file they came from; `None` when there is none.
    pub path: Option<PathBuf>,
    /// The municipality's relay.
    pub relay_url: Option<String>,
    /// The municipality's name, for the enrolment screen.
    pub municipality: Option<String>,
    /// Who receives bank transfers.
    pub payee: Option<Payee>,
    /// The payment methods the cockpit may offer; `None`: all.
    pub payment_methods: Option<BTreeSet<String>>,
    /// Whether the cockpit looks for updates itself.
    pub check_updates: bool,
    /// The public half of the municipality's update key (minisign, as `tauri signer
    /// generate` prints it); without it no update is installed.
    pub update_key: Option<String>,
    locked: BTreeSet<Lockable>,
}

/// The machine settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the machine settings in {path}: {problem}")]
pub struct MachineError {
    /// The file.
    pub path: String,
    /// What is wrong, naming the field.
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    relay_url: Option<String>,
    municipality: Option<String>,
    payment_methods: Option<Vec<String>>,
    #[serde(default)]
    locked: Vec<Lockable>,
    payee: Option<PayeeFile>,
    updates: Option<UpdatesFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayeeFile {
    name: String,
    iban: String,
    bic: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdatesFile {
    check: Option<bool>,
    pubkey: Option<String>,
}

impl MachineSettings {
    /// No machine settings: everything is the clerk's.
    pub fn none() -> Self {
        Self {
            check_updates: true,
            ..Self::default()
        }
    }

    /// Where this platform keeps them.
    pub fn default_path(var: impl Fn(&str) -> Option<String>) -> PathBuf {
        if cfg!(windows) {
            let base = var("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into());
            PathBuf::from(base).join("Balie").join("cockpit.toml")
        } else if cfg!(target_os = "macos") {
            PathBuf::from("/Library/Application Support/Balie/cockpit.toml")
        } else {
            PathBuf::from("/etc/balie/cockpit.toml")
        }
    }

    /// Reads the file at `path`; a file that is not there means no machine settings.
    pub fn read(path: &Path) -> Result<Self, MachineError> {
        let fail = |problem: String| MachineError {
            path: path.display().to_string(),
            problem,
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::none()),
            Err(e) => return Err(fail(e.to_string())),
        };
        let mut settings = Self::parse(&text).map_err(fail)?;
        settings.path = Some(path.to_owned());
        Ok(settings)
    }

    /// The settings in `text` (TOML), checked; the problem names the field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        if let Some(url) = &file.relay_url {
            balie_domain::ServiceUrl::parse(url).map_err(|e| format!("relay_url: {e}"))?;
        }
        let municipality = file.municipality.map(|m| m.trim().to_owned());
        if municipality.as_ref().is_some_and(|m| {
            m.is_empty() || m.chars().count() > 100 || m.contains(char::is_control)
        }) {
            return Err("municipality: 1 to 100 characters on one line".into());
        }
        let payee = file
            .payee
            .map(|p| Payee::parse(&p.name, &p.iban, p.bic.as_deref()))
            .transpose()
            .map_err(|e: PayeeError| format!("payee: {e}"))?;
        if let Some(bad) = file
            .payment_methods
            .iter()
            .flatten()
            .find(|m| !PAYMENT_METHODS.contains(&m.as_str()))
        {
            return Err(format!(
                "payment_methods: {bad:?} is not one of {}",
                PAYMENT_METHODS.join(", ")
            ));
        }
        let locked: BTreeSet<Lockable> = file.locked.into_iter().collect();
        if locked.contains(&Lockable::RelayUrl) && file.relay_url.is_none() {
            return Err("locked: relay_url is locked but not set".into());
        }
        if locked.contains(&Lockable::Payee) && payee.is_none() {
            return Err("locked: payee is locked but [payee] is not set".into());
        }
        Ok(Self {
            path: None,
            relay_url: file.relay_url.map(|u| u.trim_end_matches('/').to_owned()),
            municipality,
            payee,
            payment_methods: file.payment_methods.map(|m| m.into_iter().collect()),
            check_updates: file.updates.as_ref().and_then(|u| u.check).unwrap_or(true),
            update_key: file
                .updates
                .and_then(|u| u.pubkey)
                .map(|k| k.trim().to_owned())
                .filter(|k| !k.is_empty()),
            locked,
        })
    }

    /// Whether IT locked `setting`.
    pub fn is_locked(&self, setting: Lockable) -> bool {
        self.locked.contains(&setting)
    }

    /// Whether the cockpit may offer payment method `method` (as in [`PAYMENT_METHODS`]).
    pub fn allows(&self, method: &str) -> bool {
        self.payment_methods
            .as_ref()
            .is_none_or(|m| m.contains(method))
    }

    /// The relay the cockpit uses, from the three places it can be set: IT's locked
    /// value; else the environment's (`BALIE_RELAY_URL`), the clerk's, IT's default, in
    /// that order; `None`: the embedded relay.
    pub fn relay_url(&self, env: Option<&str>, clerk: Option<&str>) -> Option<String> {
        if self.is_locked(Lockable::RelayUrl) {
            return self.relay_url.clone();
        }
        env.or(clerk)
            .map(str::to_owned)
            .or_else(|| self.relay_url.clone())
    }

    /// Who receives transfers: IT's locked payee; else the clerk's (when they set an
    /// account), else IT's, else `clerk`'s name without an account.
    pub fn payee(&self, clerk: Payee) -> Payee {
        match &self.payee {
            Some(it) if self.is_locked(Lockable::Payee) || clerk.iban.is_none() => it.clone(),
            _ => clerk,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
relay_url = "https://balie.zonnedorp.be/"
municipality = "Gemeente Zonnedorp"
payment_methods = ["bancontact", "transfer"]
locked = ["relay_url", "payee"]

[payee]
name = "Gemeente Zonnedorp"
iban = "BE71 0961 2345 6769"
bic = "GKCCBEBB"

[updates]
check = false
"#;

    fn clerk_payee() -> Payee {
        Payee::parse("Mijn eigen vzw", "BE68539007547034", None).unwrap()
    }

    #[test]
    fn every_field_is_read_and_a_locked_value_beats_the_clerk_and_the_environment() {
        let m = MachineSettings::parse(FULL).unwrap();
        assert_eq!(m.relay_url.as_deref(), Some("https://balie.zonnedorp.be"));
        assert_eq!(m.municipality.as_deref(), Some("Gemeente Zonnedorp"));
        assert!(m.allows("bancontact") && m.allows("transfer"));
        assert!(!m.allows("sandbox") && !m.allows("stripe"));
        assert!(!m.check_updates);
        assert_eq!(
            m.relay_url(Some("http://127.0.0.1:9"), Some("https://elders.example")),
            Some("https://balie.zonnedorp.be".into())
        );
        assert_eq!(m.payee(clerk_payee()).name, "Gemeente Zonnedorp");
    }

    #[test]
    fn an_unlocked_value_is_a_default_the_clerk_can_change() {
        let m = MachineSettings::parse(&FULL.replace(r#"locked = ["relay_url", "payee"]"#, ""))
            .unwrap();
        assert_eq!(
            m.relay_url(None, Some("https://elders.example")),
            Some("https://elders.example".into())
        );
        assert_eq!(
            m.relay_url(None, None),
            Some("https://balie.zonnedorp.be".into())
        );
        assert_eq!(m.payee(clerk_payee()).name, "Mijn eigen vzw");
        let without_account = Payee {
            name: "Gemeente".into(),
            iban: None,
            bic: None,
        };
        assert_eq!(m.payee(without_account).name, "Gemeente Zonnedorp");
        let none = MachineSettings::none();
        assert_eq!(none.relay_url(None, None), None);
        assert!(none.allows("sandbox") && none.check_updates);
    }

    #[test]
    fn a_wrong_file_names_the_field() {
        for (text, needle) in [
            ("relay_url = \"http://balie.zonnedorp.be\"", "relay_url"),
            ("relay_ur = \"https://x.be\"", "relay_ur"),
            ("payment_methods = [\"paypal\"]", "paypal"),
            ("locked = [\"clerk_name\"]", "clerk_name"),
            (
                "locked = [\"relay_url\"]",
                "relay_url is locked but not set",
            ),
            ("locked = [\"payee\"]", "payee is locked"),
            ("[payee]\nname = \"G\"\niban = \"BE00 0000\"", "payee: IBAN"),
            ("municipality = \"\"", "municipality"),
            ("[updates]\ncheck = \"ja\"", "bool"),
        ] {
            let problem = MachineSettings::parse(text).unwrap_err();
            assert!(problem.contains(needle), "{text}: {problem}");
        }
    }

    #[test]
    fn no_file_is_no_settings_and_an_unreadable_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = MachineSettings::read(&dir.path().join("cockpit.toml")).unwrap();
        assert_eq!(missing, MachineSettings::none());
        let error = MachineSettings::read(dir.path()).unwrap_err();
        assert_eq!(error.path, dir.path().display().to_string());
        let file = dir.path().join("cockpit.toml");
        std::fs::write(&file, FULL).unwrap();
        assert_eq!(MachineSettings::read(&file).unwrap().path, Some(file));
    }
}
