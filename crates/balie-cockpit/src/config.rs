//! How the cockpit runs: every `BALIE_*` variable and the data directory, read once at
//! start into a [`CockpitConfig`] (as the relay's `RelayConfig`). Nothing else in the
//! cockpit reads the environment; tests build the configuration they need with
//! [`CockpitConfig::new`].
//!
//! | variable | field |
//! | --- | --- |
//! | `BALIE_DATA_DIR` | [`CockpitConfig::data_dir`] (logs in `logs/` under it) |
//! | `BALIE_KEYRING_SERVICE` | [`CockpitConfig::keyring_service`] |
//! | `BALIE_LANG` (then `LC_ALL`, `LC_MESSAGES`, `LANG`, then the OS's language) | [`CockpitConfig::locale`] |
//! | `BALIE_MACHINE_SETTINGS` (else the platform's place, see [`crate::machine`]) | [`CockpitConfig::machine`] |
//! | `BALIE_UPDATE_APPIMAGE` (an AppImage's path) | [`CockpitConfig::installed`] |
//! | `BALIE_RELAY_URL` | [`CockpitConfig::relay_url`] |
//! | `BALIE_MEDIA=synthetic` | [`CockpitConfig::synthetic_media`] |
//! | `BALIE_VIDEO=webgl` | [`CockpitConfig::web_video`] |
//! | `BALIE_EXPORT_DIR` | [`CockpitConfig::export_dir`] |
//! | `BALIE_PAYMENT_HINTS=off` | [`CockpitConfig::payment_hints`] |
//! | `BALIE_MOLLIE_API_URL`, `BALIE_BANCONTACT_API_URL`, `BALIE_STRIPE_API_URL` | [`CockpitConfig::provider_hosts`] |
//! | `USER` / `USERNAME` | [`CockpitConfig::os_user`] |
//!
//! `BALIE_LOG` (the log filter) is read by `balie-log`.

use crate::clock::Clock;
use crate::machine::{MachineError, MachineSettings};
use balie_domain::Locale;
use std::path::PathBuf;

/// The application's identifier: its data directory and keyring service are named by it.
pub const APP_ID: &str = "be.balie.cockpit";

/// The keyring service name the cockpit keeps its secrets under by default.
pub const DEFAULT_KEYRING_SERVICE: &str = APP_ID;

/// How the cockpit runs.
#[derive(Debug, Clone)]
pub struct CockpitConfig {
    /// Where the database, the embedded relay's database and the documents live.
    pub data_dir: PathBuf,
    /// Where the log files go; `None`: the platform's log directory for the app.
    pub log_dir: Option<PathBuf>,
    /// The OS keyring service the secrets are kept under.
    pub keyring_service: String,
    /// The clerk's language.
    pub locale: Locale,
    /// The municipality's relay, overriding the stored setting; `None`: the setting, or
    /// the embedded relay.
    pub relay_url: Option<String>,
    /// The test pattern and tone instead of the camera, microphone and speaker.
    pub synthetic_media: bool,
    /// The call window's page draws the pictures itself (WebGL) instead of the desktop
    /// host's native surfaces.
    pub web_video: bool,
    /// Where case exports are written.
    pub export_dir: PathBuf,
    /// Whether the relay's webhook hints are used (off: payments are learnt by asking).
    pub payment_hints: bool,
    /// The payment providers' API hosts.
    pub provider_hosts: ProviderHosts,
    /// The OS user's name: the clerk's name when none is set.
    pub os_user: Option<String>,
    /// No variable named a language: [`Self::from_env`] asks the OS.
    pub locale_from_os: bool,
    /// IT's machine-wide settings.
    pub machine: MachineSettings,
    /// How this cockpit was installed, for its updates: what the host reads from Tauri's
    /// bundler mark, unless `BALIE_UPDATE_APPIMAGE` names an AppImage to update (one made
    /// outside the bundler, or a test's).
    pub installed: crate::updates::Installed,
    /// The clock.
    pub clock: Clock,
}

/// The payment providers' API hosts: production unless pointed elsewhere (a test set-up,
/// or Bancontact's pre-production host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderHosts {
    /// Mollie's API.
    pub mollie: String,
    /// Bancontact Pay's merchant API.
    pub bancontact: String,
    /// Stripe's API.
    pub stripe: String,
}

impl Default for ProviderHosts {
    fn default() -> Self {
        Self {
            mollie: balie_pay::mollie::API.into(),
            bancontact: balie_pay::bancontact::API.into(),
            stripe: balie_pay::stripe::API.into(),
        }
    }
}

impl CockpitConfig {
    /// A configuration with everything at its default and nothing read from the
    /// environment: data under `data_dir`, secrets under `keyring_service`, texts in
    /// `locale`.
    pub fn new(data_dir: impl Into<PathBuf>, keyring_service: &str, locale: Locale) -> Self {
        let data_dir = data_dir.into();
        Self {
            log_dir: Some(data_dir.join("logs")),
            export_dir: data_dir.join("exports"),
            data_dir,
            keyring_service: keyring_service.into(),
            locale,
            relay_url: None,
            synthetic_media: false,
            web_video: false,
            payment_hints: true,
            provider_hosts: ProviderHosts::default(),
            os_user: None,
            locale_from_os: false,
            machine: MachineSettings::none(),
            installed: crate::updates::Installed::Unknown,
            clock: Clock::system(),
        }
    }

    /// The configuration from the environment (see the module's table), with the OS's
    /// language when no variable names one (Windows and macOS set none).
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut config =
            Self::from_vars(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))?;
        if config.locale_from_os
            && let Some(locale) = sys_locale::get_locale().and_then(|l| l.parse().ok())
        {
            config.locale = locale;
        }
        Ok(config)
    }

    /// The configuration from `var` (the environment, or a test's map).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let (data_dir, log_dir) = match var("BALIE_DATA_DIR") {
            Some(dir) => {
                let dir = PathBuf::from(dir);
                (dir.clone(), Some(dir.join("logs")))
            }
            None => (
                directories::BaseDirs::new()
                    .map(|d| d.data_dir().join(APP_ID))
                    .ok_or(ConfigError::NoDataDir)?,
                None,
            ),
        };
        let named = ["BALIE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|v| v != "C" && v != "POSIX");
        let locale_from_os = named.is_none();
        let locale = named.and_then(|v| v.parse().ok()).unwrap_or_default();
        let machine_path = var("BALIE_MACHINE_SETTINGS")
            .map(PathBuf::from)
            .unwrap_or_else(|| MachineSettings::default_path(&var));
        let machine = MachineSettings::read(&machine_path).map_err(ConfigError::Machine)?;
        let export_dir = var("BALIE_EXPORT_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                directories::UserDirs::new().and_then(|d| d.document_dir().map(|p| p.join("Balie")))
            })
            .unwrap_or_else(|| data_dir.join("exports"));
        let defaults = ProviderHosts::default();
        Ok(Self {
            log_dir,
            export_dir,
            keyring_service: var("BALIE_KEYRING_SERVICE")
                .unwrap_or_else(|| DEFAULT_KEYRING_SERVICE.into()),
            locale,
            relay_url: var("BALIE_RELAY_URL"),
            synthetic_media: var("BALIE_MEDIA").as_deref() == Some("synthetic"),
            web_video: var("BALIE_VIDEO").is_some_and(|v| v.eq_ignore_ascii_case("webgl")),
            payment_hints: var("BALIE_PAYMENT_HINTS").as_deref() != Some("off"),
            provider_hosts: ProviderHosts {
                mollie: var("BALIE_MOLLIE_API_URL").unwrap_or(defaults.mollie),
                bancontact: var("BALIE_BANCONTACT_API_URL").unwrap_or(defaults.bancontact),
                stripe: var("BALIE_STRIPE_API_URL").unwrap_or(defaults.stripe),
            },
            os_user: var("USER").or_else(|| var("USERNAME")),
            machine,
            locale_from_os,
            installed: var("BALIE_UPDATE_APPIMAGE")
                .map_or(crate::updates::Installed::Unknown, |path| {
                    crate::updates::Installed::AppImage(PathBuf::from(path))
                }),
            clock: Clock::system(),
            data_dir,
        })
    }

    /// The cockpit database.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("cockpit.sqlite3")
    }

    /// Where attached files are stored.
    pub fn documents_dir(&self) -> PathBuf {
        self.data_dir.join("documents")
    }

    /// Where the embedded relay keeps its database.
    pub fn embedded_relay_dir(&self) -> PathBuf {
        self.data_dir.join("relay")
    }
}

/// The configuration cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The OS names no data directory for the user, and `BALIE_DATA_DIR` is not set.
    #[error("cannot find the data directory (set BALIE_DATA_DIR)")]
    NoDataDir,
    /// IT's machine settings cannot be used.
    #[error(transparent)]
    Machine(MachineError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> CockpitConfig {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        CockpitConfig::from_vars(|name| vars.get(name).cloned()).unwrap()
    }

    #[test]
    fn every_variable_lands_in_its_field() {
        let c = config(&[
            ("BALIE_DATA_DIR", "/srv/balie"),
            ("BALIE_KEYRING_SERVICE", "test.service"),
            ("LANG", "fr_BE.UTF-8"),
            ("BALIE_RELAY_URL", "https://balie.zonnedorp.be"),
            ("BALIE_MEDIA", "synthetic"),
            ("BALIE_VIDEO", "webgl"),
            ("BALIE_EXPORT_DIR", "/tmp/exports"),
            ("BALIE_PAYMENT_HINTS", "off"),
            (
                "BALIE_BANCONTACT_API_URL",
                "https://merchant.api.preprod.bancontact.net",
            ),
            ("USERNAME", "an.peeters"),
        ]);
        assert_eq!(c.data_dir, PathBuf::from("/srv/balie"));
        assert_eq!(c.log_dir, Some(PathBuf::from("/srv/balie/logs")));
        assert_eq!(
            c.database_path(),
            PathBuf::from("/srv/balie/cockpit.sqlite3")
        );
        assert_eq!(c.keyring_service, "test.service");
        assert_eq!(c.locale, Locale::Fr);
        assert_eq!(c.relay_url.as_deref(), Some("https://balie.zonnedorp.be"));
        assert!(c.synthetic_media);
        assert!(c.web_video);
        assert_eq!(c.export_dir, PathBuf::from("/tmp/exports"));
        assert!(!c.payment_hints);
        assert_eq!(
            c.provider_hosts.bancontact,
            "https://merchant.api.preprod.bancontact.net"
        );
        assert_eq!(c.provider_hosts.mollie, balie_pay::mollie::API);
        assert_eq!(c.os_user.as_deref(), Some("an.peeters"));
    }

    #[test]
    fn balie_lang_wins_over_the_posix_locale_and_c_means_dutch() {
        assert_eq!(
            config(&[
                ("BALIE_DATA_DIR", "/d"),
                ("BALIE_LANG", "en"),
                ("LANG", "fr_BE")
            ])
            .locale,
            Locale::En
        );
        assert_eq!(
            config(&[("BALIE_DATA_DIR", "/d"), ("LC_ALL", "C")]).locale,
            Locale::Nl
        );
        let plain = config(&[("BALIE_DATA_DIR", "/d")]);
        assert!(plain.payment_hints && !plain.synthetic_media && plain.relay_url.is_none());
        assert!(!plain.web_video);
        assert_eq!(plain.keyring_service, DEFAULT_KEYRING_SERVICE);
    }
}
