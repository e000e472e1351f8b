use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// How the relay runs. Built from the command line, optionally over a TOML file
/// (`--config`); the command line wins.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Directory for the relay's SQLite database (and logs, unless `log_dir` is set).
    pub data_dir: PathBuf,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Base URL of join links as citizens reach the relay (e.g. behind a proxy);
    /// derived from `listen` when absent.
    pub public_url: Option<String>,
    /// PEM certificate chain for HTTPS.
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    pub tls_key: Option<PathBuf>,
    /// Where IT publishes cockpit updates (`balie-relay updates publish`); `None`: the
    /// relay offers none.
    pub updates_dir: Option<PathBuf>,
    /// Default validity of a join link, minutes.
    pub room_ttl_minutes: u32,
    /// The municipality's name as the citizen page shows it.
    pub municipality: String,
    /// Directory for the rolling log file; `None` means `<data_dir>/logs`.
    pub log_dir: Option<PathBuf>,
    /// STUN and TURN servers handed to both sides of a call.
    pub ice: crate::turn::IceConfig,
    /// What the payment webhooks check.
    pub hooks: HookConfig,
    /// How long a new signaling connection may take to say who it is (the cockpit's
    /// `hello`, the citizen's knock) before it is closed: an opened socket that says
    /// nothing holds a place for no one.
    pub first_message_within: std::time::Duration,
    /// How often an open socket of a clerk (signaling, hints) checks that the clerk is still
    /// allowed in: a revoked clerk's sockets close within this time.
    pub clerk_recheck_every: std::time::Duration,
    /// Whether `/sandbox/…` (a test provider where whoever holds the checkout link picks
    /// the outcome) is served. On for a relay on this machine only, unless set:
    /// see [`RelayConfig::sandbox_by_default`].
    pub sandbox: bool,
    /// How many WebSockets may be open at once, per address, per room and in all.
    pub sockets: crate::limits::SocketLimits,
    /// How long a client may take to send its request's headers
    /// ([`DEFAULT_HEADERS_WITHIN`]).
    pub headers_within: std::time::Duration,
    /// How long a WebSocket's peer may say nothing (no message, no answer to the relay's
    /// pings, sent every half of it) before the socket is closed.
    pub silent_for: std::time::Duration,
    /// Reverse proxies in front of the relay, whose `X-Forwarded-For` names the client
    /// the limits count ([`crate::limits`]); nobody's by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Appointments booked on the front door.
    pub booking: BookingConfig,
    /// The municipality's mail server, for confirmations and reminders to citizens;
    /// without it the relay sends no mail (the confirmation page says so).
    pub mail: Option<MailConfig>,
    /// The OpenID providers citizens prove their identity with (`[[identity]]` in the
    /// config file); none: the clerk cannot ask for it.
    pub identity: Vec<crate::identity::config::ProviderConfig>,
    /// The assumptions behind the municipality's trips, CO2 and cost avoided on the admin
    /// page (`[impact]` in the config file; the defaults otherwise).
    pub impact: balie_impact::Assumptions,
}

/// The `[impact]` table: the assumptions IT sets (see `balie_impact::trips::SETTABLE`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImpactFile {
    pub(crate) average_km: Option<f64>,
    pub(crate) road_factor: Option<f64>,
    pub(crate) minimum_km: Option<f64>,
    pub(crate) co2_g_per_km: Option<f64>,
    pub(crate) cost_per_km: Option<f64>,
}

impl ImpactFile {
    /// The defaults with what the table sets; the first wrong value's reason.
    pub(crate) fn assumptions(&self) -> Result<balie_impact::Assumptions, ConfigError> {
        let mut a = balie_impact::Assumptions::default();
        for (name, value) in [
            ("average-km", self.average_km),
            ("road-factor", self.road_factor),
            ("minimum-km", self.minimum_km),
            ("co2-g-per-km", self.co2_g_per_km),
            ("cost-per-km", self.cost_per_km),
        ] {
            if let Some(v) = value {
                a.set(name, &format!("{v:.4}"))
                    .map_err(ConfigError::Impact)?;
            }
        }
        Ok(a)
    }
}

/// How the relay sends mail: over SMTP to the municipality's mail server, always
/// encrypted (STARTTLS on the submission port, or TLS from the first byte), with
/// authentication when a user is set.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// The mail server's host name (checked against its certificate).
    pub host: String,
    /// Its port: 587 for STARTTLS, 465 for TLS.
    pub port: u16,
    /// How the connection is encrypted.
    pub security: SmtpSecurity,
    /// The user to log in as, if the server asks for one.
    pub user: Option<String>,
    /// That user's password (from the environment or the config file, never the
    /// command line).
    pub password: Option<secrecy::SecretString>,
    /// The sender, e.g. `Gemeente Balen <balie@balen.be>`.
    pub from: String,
    /// A PEM file of extra certificate authorities to trust for the mail server (an
    /// internal CA), beside the system's.
    pub extra_roots: Option<PathBuf>,
    /// How long before an appointment reminders go out, in minutes, e.g. `[1440, 60]`.
    pub reminders_minutes: Vec<u32>,
    /// How often the outbox looks for mail that is due when nothing wakes it.
    pub poll_every: std::time::Duration,
}

/// How the connection to the mail server is encrypted. There is no plain option: the
/// mail carries the links to a citizen's appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain first, then STARTTLS, which is required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl MailConfig {
    /// Checks what can be checked before the first mail: the sender's address, the
    /// login, the reminders, the extra CA file.
    fn validate(&self, booking: &BookingConfig) -> Result<(), ConfigError> {
        let bad = |what: String| Err(ConfigError::Mail(what));
        if self.host.trim().is_empty() {
            return bad("smtp_host is empty".into());
        }
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return bad(format!(
                "mail_from {:?} is not an address such as \"Gemeente Balen <balie@balen.be>\"",
                self.from
            ));
        }
        if self.user.is_some() != self.password.is_some() {
            return bad(
                "smtp_user and its password (BALIE_SMTP_PASSWORD or smtp_password) go together"
                    .into(),
            );
        }
        let most = booking.weeks_ahead * 7 * 24 * 60;
        if let Some(m) = self
            .reminders_minutes
            .iter()
            .find(|m| !(5..=most).contains(*m))
        {
            return bad(format!(
                "a reminder {m} minutes before is not between 5 minutes and the {} weeks that can be booked",
                booking.weeks_ahead
            ));
        }
        if let Some(path) = &self.extra_roots
            && std::fs::read(path).is_err()
        {
            return bad(format!("cannot read smtp_ca {}", path.display()));
        }
        Ok(())
    }
}

/// Reminders 24 hours and 1 hour before the appointment.
pub const DEFAULT_REMINDERS_MINUTES: [u32; 2] = [24 * 60, 60];

/// How appointments are booked and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingConfig {
    /// How many weeks ahead a citizen can book.
    pub weeks_ahead: u32,
    /// How long before its start a moment can still be booked, in minutes.
    pub notice_minutes: u32,
    /// How many days after an appointment its citizen data is deleted.
    pub retention_days: u32,
    /// How many appointments still to come one e-mail address or mobile number may hold.
    pub max_upcoming_per_contact: u32,
    /// How long after its end an appointment's join link still works, in minutes.
    pub grace_minutes: u32,
    /// How long before its start an appointment's join link works, in minutes.
    pub opens_before_minutes: u32,
}

impl Default for BookingConfig {
    fn default() -> Self {
        Self {
            weeks_ahead: 4,
            notice_minutes: 60,
            retention_days: 30,
            max_upcoming_per_contact: 3,
            grace_minutes: 30,
            opens_before_minutes: 15,
        }
    }
}

/// How long a client may take to send its request's headers: a phone on a bad line sends
/// them in well under a second.
pub const DEFAULT_HEADERS_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// [`RelayConfig::clerk_recheck_every`] unless set otherwise.
pub const DEFAULT_CLERK_RECHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// [`RelayConfig::first_message_within`] unless set otherwise: a phone that just opened
/// the page knocks in well under a second; a slow network gets ample time.
pub const DEFAULT_FIRST_MESSAGE_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// What the relay needs to check payment webhooks. No provider API key: the relay never
/// asks a provider anything.
#[derive(Debug, Clone)]
pub struct HookConfig {
    /// Stripe's signing secret of the webhook endpoint (`whsec_…`); without it
    /// `/hooks/stripe` answers 404.
    pub stripe_webhook_secret: Option<secrecy::SecretString>,
    /// The Bancontact Pay payment profile whose callbacks are taken; without it
    /// `/hooks/bancontact` answers 404.
    pub bancontact_profile_id: Option<String>,
    /// Where Bancontact publishes its signing keys.
    pub bancontact_jwks_url: String,
}

/// Bancontact's production key set.
pub const BANCONTACT_JWKS: &str = "https://jwks.bancontact.net/";

impl Default for HookConfig {
    fn default() -> Self {
        Self {
            stripe_webhook_secret: None,
            bancontact_profile_id: None,
            bancontact_jwks_url: BANCONTACT_JWKS.into(),
        }
    }
}

/// The relay's configuration is not usable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An `[impact]` assumption out of range.
    #[error("[impact]: {0}")]
    Impact(String),
    /// The config file could not be read.
    #[error("cannot read the config file {path}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// What failed.
        detail: String,
    },
    /// The config file is not valid TOML for the relay.
    #[error("the config file {path} is not valid: {detail}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// A required setting is missing.
    #[error("{0} is required (on the command line or in the config file)")]
    Missing(&'static str),
    /// Plain HTTP on an address other people can reach.
    #[error(
        "plain HTTP is only allowed on a loopback address; give --tls-cert and --tls-key to listen on {0}"
    )]
    PlainHttpOutsideLoopback(SocketAddr),
    /// Only one of certificate and key.
    #[error("--tls-cert and --tls-key go together")]
    HalfTls,
    /// The public URL is not an http(s) URL.
    #[error(
        "the public URL must start with https:// (or http:// for a loopback test setup), got {0:?}"
    )]
    PublicUrl(String),
    /// A STUN or TURN URL of the wrong scheme.
    #[error("{0:?} is not a stun:/stuns: or turn:/turns: URL")]
    IceUrl(String),
    /// Link validity out of range.
    #[error("room_ttl_minutes must be between 1 and 1440, got {0}")]
    RoomTtl(u32),
    /// A mail setting that cannot work.
    #[error("mail: {0}")]
    Mail(String),
    /// An identity provider that cannot work.
    #[error(transparent)]
    Identity(#[from] crate::identity::config::ProviderConfigError),
    /// Two identity providers with one id.
    #[error("two identity providers are called {0:?}")]
    IdentityTwice(String),
    /// A booking setting out of range.
    #[error("{name} must be between {min} and {max}, got {got}")]
    Booking {
        /// The setting.
        name: &'static str,
        /// Its least value.
        min: u32,
        /// Its greatest value.
        max: u32,
        /// What was given.
        got: u32,
    },
}

/// The TOML file's shape: every field optional, unknown fields refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) listen: Option<SocketAddr>,
    pub(crate) public_url: Option<String>,
    pub(crate) tls_cert: Option<PathBuf>,
    pub(crate) tls_key: Option<PathBuf>,
    pub(crate) updates_dir: Option<PathBuf>,
    pub(crate) room_ttl_minutes: Option<u32>,
    pub(crate) municipality: Option<String>,
    pub(crate) log_dir: Option<PathBuf>,
    pub(crate) stun_urls: Option<Vec<String>>,
    pub(crate) turn_urls: Option<Vec<String>>,
    pub(crate) turn_secret: Option<String>,
    pub(crate) turn_ttl_minutes: Option<u32>,
    pub(crate) stripe_webhook_secret: Option<String>,
    pub(crate) bancontact_profile_id: Option<String>,
    pub(crate) bancontact_jwks_url: Option<String>,
    pub(crate) sandbox: Option<bool>,
    pub(crate) trusted_proxies: Option<Vec<std::net::IpAddr>>,
    pub(crate) booking_weeks: Option<u32>,
    pub(crate) booking_notice_minutes: Option<u32>,
    pub(crate) booking_retention_days: Option<u32>,
    pub(crate) smtp_host: Option<String>,
    pub(crate) smtp_port: Option<u16>,
    pub(crate) smtp_security: Option<SmtpSecurity>,
    pub(crate) smtp_user: Option<String>,
    pub(crate) smtp_password: Option<String>,
    pub(crate) smtp_ca: Option<PathBuf>,
    pub(crate) mail_from: Option<String>,
    pub(crate) mail_reminders_minutes: Option<Vec<u32>>,
    pub(crate) identity: Option<Vec<crate::identity::config::ProviderFile>>,
    pub(crate) impact: Option<ImpactFile>,
}

impl FileConfig {
    pub(crate) fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            detail: e.message().to_string(),
        })
    }
}

/// Default validity of a join link: two hours.
pub const DEFAULT_ROOM_TTL_MINUTES: u32 = 120;

impl RelayConfig {
    /// A relay on 127.0.0.1 at a free port, plain HTTP: the cockpit's embedded default
    /// and the tests' set-up.
    pub fn loopback(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            tls_cert: None,
            tls_key: None,
            room_ttl_minutes: DEFAULT_ROOM_TTL_MINUTES,
            municipality: "Balie".into(),
            log_dir: None,
            ice: crate::turn::IceConfig {
                turn_ttl_seconds: crate::turn::DEFAULT_TURN_TTL_SECONDS,
                ..Default::default()
            },
            hooks: HookConfig::default(),
            first_message_within: DEFAULT_FIRST_MESSAGE_WITHIN,
            clerk_recheck_every: DEFAULT_CLERK_RECHECK_EVERY,
            sandbox: true,
            sockets: crate::limits::SocketLimits::default(),
            headers_within: DEFAULT_HEADERS_WITHIN,
            trusted_proxies: Vec::new(),
            silent_for: std::time::Duration::from_secs(60),
            booking: BookingConfig::default(),
            mail: None,
            identity: Vec::new(),
            impact: balie_impact::Assumptions::default(),
            updates_dir: None,
        }
    }

    /// Whether the sandbox is on when nobody said: only for a relay that serves no one
    /// but this machine (no public URL, no TLS). A municipality's relay never offers test
    /// payments unless IT turns them on (`--sandbox true`), for a test environment.
    pub fn sandbox_by_default(&self) -> bool {
        self.public_url.is_none() && !self.tls()
    }

    /// Checks the settings that can be checked before binding.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let tls = match (&self.tls_cert, &self.tls_key) {
            (Some(_), Some(_)) => true,
            (None, None) => false,
            _ => return Err(ConfigError::HalfTls),
        };
        if !tls && !self.listen.ip().is_loopback() {
            return Err(ConfigError::PlainHttpOutsideLoopback(self.listen));
        }
        if let Some(url) = &self.public_url
            && balie_domain::ServiceUrl::parse(url).is_err()
        {
            return Err(ConfigError::PublicUrl(url.clone()));
        }
        for url in &self.ice.stun_urls {
            if !url.starts_with("stun:") && !url.starts_with("stuns:") {
                return Err(ConfigError::IceUrl(url.clone()));
            }
        }
        for url in &self.ice.turn_urls {
            if !url.starts_with("turn:") && !url.starts_with("turns:") {
                return Err(ConfigError::IceUrl(url.clone()));
            }
        }
        if !self.ice.turn_urls.is_empty() && self.ice.turn_secret.is_none() {
            return Err(ConfigError::Missing(
                "turn_secret (config file) or BALIE_TURN_SECRET, for the TURN URLs",
            ));
        }
        if balie_domain::ServiceUrl::parse(&self.hooks.bancontact_jwks_url).is_err() {
            return Err(ConfigError::PublicUrl(
                self.hooks.bancontact_jwks_url.clone(),
            ));
        }
        if !(1..=1440).contains(&self.room_ttl_minutes) {
            return Err(ConfigError::RoomTtl(self.room_ttl_minutes));
        }
        let b = &self.booking;
        for (name, got, min, max) in [
            ("booking_weeks", b.weeks_ahead, 1, 52),
            ("booking_notice_minutes", b.notice_minutes, 0, 7 * 24 * 60),
            ("booking_retention_days", b.retention_days, 1, 3650),
            (
                "booking max upcoming per contact",
                b.max_upcoming_per_contact,
                1,
                100,
            ),
            ("booking grace minutes", b.grace_minutes, 0, 240),
            (
                "booking opens before minutes",
                b.opens_before_minutes,
                0,
                120,
            ),
        ] {
            if !(min..=max).contains(&got) {
                return Err(ConfigError::Booking {
                    name,
                    min,
                    max,
                    got,
                });
            }
        }
        if let Some(mail) = &self.mail {
            mail.validate(b)?;
        }
        Ok(())
    }

    /// Whether the relay serves HTTPS itself.
    pub fn tls(&self) -> bool {
        self.tls_cert.is_some()
    }

    /// The log directory in effect.
    pub fn log_dir(&self) -> PathBuf {
        self.log_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("logs"))
    }

    /// The relay database file.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("relay.sqlite3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: the sandbox was served by every relay, the municipality's too.
    #[test]
    fn the_sandbox_is_on_by_default_only_for_a_relay_of_this_machine() {
        let mut config = RelayConfig::loopback(PathBuf::from("/tmp/balie-config-test"));
        assert!(config.sandbox_by_default());
        config.public_url = Some("https://balie.zonnedorp.be".into());
        assert!(!config.sandbox_by_default());
        config.public_url = None;
        config.tls_cert = Some("/etc/balie/cert.pem".into());
        config.tls_key = Some("/etc/balie/key.pem".into());
        assert!(!config.sandbox_by_default());
    }

    /// Issue 12: plain HTTP only on this machine, judged by the host, not by a prefix.
    #[test]
    fn public_and_key_set_addresses_are_https_or_this_machine() {
        let dir = PathBuf::from("/tmp/balie-config-test");
        let mut config = RelayConfig::loopback(dir.clone());
        config.public_url = Some("http://balie.zonnedorp.be".into());
        assert!(matches!(config.validate(), Err(ConfigError::PublicUrl(_))));
        config.public_url = Some("https://balie.zonnedorp.be".into());
        assert!(config.validate().is_ok());

        let mut config = RelayConfig::loopback(dir);
        config.hooks.bancontact_jwks_url = "http://127.0.0.1:80@evil.example/".into();
        assert!(matches!(config.validate(), Err(ConfigError::PublicUrl(_))));
        config.hooks.bancontact_jwks_url = "http://127.0.0.1:8099/jwks".into();
        assert!(config.validate().is_ok());
    }
}

#[cfg(test)]
mod impact_tests {
    use super::*;

    #[test]
    fn the_impact_table_sets_the_assumptions_and_refuses_what_is_out_of_range() {
        let file: FileConfig =
            toml::from_str("[impact]\naverage_km = 6.5\ncost_per_km = 0.428\nco2_g_per_km = 120\n")
                .unwrap();
        let a = file.impact.unwrap().assumptions().unwrap();
        assert_eq!(
            (
                a.average_one_way_m,
                a.cost_per_km_centi_cents,
                a.co2_g_per_km
            ),
            (6_500, 4_280, 120)
        );
        let wrong: FileConfig = toml::from_str("[impact]\ncost_per_km = 9.0\n").unwrap();
        assert!(matches!(
            wrong.impact.unwrap().assumptions(),
            Err(ConfigError::Impact(_))
        ));
        assert!(toml::from_str::<FileConfig>("[impact]\nspeed = 3\n").is_err());
    }
}
