//! The `balie-relay` command line.

mod front_door;

pub use front_door::{HoursCommand, ProductCommand, ProductFields};

use crate::config::{FileConfig, RelayConfig};
use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use secrecy::ExposeSecret as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Balie relay: join links, the citizen page and signaling for Balie's digital counter.
///
/// Settings come from the command line, optionally over a TOML file given with --config
/// whose keys are the long option names with underscores (data_dir, listen, public_url,
/// tls_cert, tls_key, updates_dir, room_ttl_minutes, municipality, log_dir, stun_urls, turn_urls,
/// turn_secret, turn_ttl_minutes, stripe_webhook_secret, bancontact_profile_id,
/// bancontact_jwks_url, sandbox, trusted_proxies, booking_weeks, booking_notice_minutes,
/// booking_retention_days, smtp_host, smtp_port, smtp_security, smtp_user, smtp_ca,
/// mail_from; mail_reminders_minutes as a list). The command line wins. Secrets (the TURN
/// secret shared with coturn, Stripe's webhook signing secret, the mail server's password)
/// come from the config file or the environment (BALIE_TURN_SECRET,
/// BALIE_STRIPE_WEBHOOK_SECRET, BALIE_SMTP_PASSWORD), never from the command line (where
/// other users could read them).
/// Logging is filtered with the BALIE_LOG environment variable (e.g. BALIE_LOG=debug).
#[derive(Debug, Parser)]
#[command(name = "balie-relay", version)]
pub struct Cli {
    /// Directory for the relay's database and, by default, its logs.
    #[arg(long, global = true, env = "BALIE_RELAY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// TOML configuration file.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The relay's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage the clerks who may create rooms.
    #[command(subcommand)]
    Clerk(ClerkCommand),
    /// Manage the products the front door offers and who serves them.
    #[command(subcommand)]
    Product(Box<ProductCommand>),
    /// Manage the municipality's opening hours and holidays (Brussels time).
    #[command(subcommand)]
    Hours(HoursCommand),
    /// The relay's key for signing in at OpenID providers (citizens' identity).
    #[command(subcommand)]
    Oidc(OidcCommand),
    /// Manage who may read the municipality's impact figures on the admin page (/admin).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Publish cockpit updates for the relay to serve (`serve --updates-dir`).
    #[command(subcommand)]
    Updates(UpdatesCommand),
    /// Run the relay server.
    Serve(Box<ServeArgs>),
}

/// `balie-relay updates …`
#[derive(Debug, Subcommand)]
pub enum UpdatesCommand {
    /// Offer VERSION: copies the packages (each with its signature beside it, made with
    /// the municipality's update key: `npx tauri signer sign` or `minisign -S`) into DIR
    /// and writes its manifest; cockpits find it at their next check.
    Publish {
        /// The updates folder (as `serve --updates-dir`).
        #[arg(long)]
        dir: PathBuf,
        /// The version, e.g. 1.4.0.
        #[arg(long)]
        version: String,
        /// What changed, as the clerk reads it.
        #[arg(long, default_value = "")]
        notes: String,
        /// The packages: .deb, .rpm, .AppImage, .msi, .app.tar.gz.
        #[arg(required = true)]
        packages: Vec<PathBuf>,
    },
}

/// `balie-relay oidc …`
#[derive(Debug, Subcommand)]
pub enum OidcCommand {
    /// Make a new private key for `private_key_jwt` in FILE (never overwritten, readable
    /// by its owner only) and print its public JWK, to give the provider; the relay also
    /// serves it at /.well-known/jwks.json.
    Keygen {
        /// Where to write the PEM private key, e.g. /etc/balie/oidc-key.pem.
        file: PathBuf,
        /// The kind of key.
        #[arg(long, value_enum, default_value = "rs256")]
        alg: crate::identity::keys::KeyKind,
    },
}

/// `balie-relay admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add an admin and print their sign-in token once (it is stored only hashed).
    Add {
        /// A unique name, e.g. their e-mail address.
        name: String,
    },
    /// Revoke an admin's token at once (their open session ends at its next page).
    Revoke {
        /// The admin's name.
        name: String,
    },
}

/// `balie-relay clerk …`
#[derive(Debug, Subcommand)]
pub enum ClerkCommand {
    /// Add a clerk and print their new token once (it is stored only hashed).
    Add {
        /// A unique name, e.g. the clerk's e-mail address.
        name: String,
    },
    /// Print a one-time code (single use, valid 24 hours) with which the clerk enrols a
    /// cockpit (*Aanmelden bij uw gemeente*); the clerk is added when new.
    Invite {
        /// The clerk's name, e.g. their e-mail address.
        name: String,
    },
    /// List a clerk's enrolled devices, revoked ones marked.
    Devices {
        /// The clerk's name.
        name: String,
    },
    /// List clerks, revoked ones marked.
    List,
    /// Revoke a clerk at once (all their devices with them), or one device.
    Revoke {
        /// The clerk's name.
        name: String,
        /// Only this device (its number in `clerk devices`).
        #[arg(long)]
        device: Option<i64>,
    },
    /// Set the teams a clerk belongs to (a product served by a team is served by its
    /// clerks); none given: no team.
    Teams {
        /// The clerk's name.
        name: String,
        /// The teams, e.g. burgerzaken welzijn.
        teams: Vec<String>,
    },
}

/// `balie-relay serve …`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]. Plain HTTP only on loopback.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Base URL of join links as citizens reach the relay, e.g. https://balie.gemeente.be
    /// (needed behind a reverse proxy).
    #[arg(long)]
    pub public_url: Option<String>,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Where cockpit updates are published (`balie-relay updates publish`); the relay
    /// serves them to clerks' cockpits.
    #[arg(long)]
    pub updates_dir: Option<PathBuf>,
    /// How long a join link stays valid, in minutes [default: 120].
    #[arg(long)]
    pub room_ttl_minutes: Option<u32>,
    /// The municipality's name as the citizen page shows it.
    #[arg(long)]
    pub municipality: Option<String>,
    /// Directory for the rolling log file [default: DATA_DIR/logs].
    #[arg(long)]
    pub log_dir: Option<PathBuf>,
    /// A STUN server for the call, e.g. stun:turn.gemeente.be:3478 (repeatable).
    #[arg(long = "stun-url")]
    pub stun_urls: Vec<String>,
    /// A TURN server (coturn with use-auth-secret), e.g.
    /// turn:turn.gemeente.be:3478?transport=udp (repeatable). Needs the shared secret.
    #[arg(long = "turn-url")]
    pub turn_urls: Vec<String>,
    /// How long TURN credentials stay valid, in minutes [default: 60]; an admitted citizen
    /// gets fresh ones every half of it.
    #[arg(long)]
    pub turn_ttl_minutes: Option<u32>,
    /// The Bancontact Pay payment profile whose callbacks /hooks/bancontact takes.
    #[arg(long)]
    pub bancontact_profile_id: Option<String>,
    /// Where Bancontact publishes its signing keys [default: https://jwks.bancontact.net/].
    #[arg(long)]
    pub bancontact_jwks_url: Option<String>,
    /// Serve the sandbox test provider (/sandbox/…) [default: only without a public URL
    /// or TLS, i.e. on a relay for this machine]. Turn it on for a test environment only:
    /// whoever holds a sandbox checkout link chooses "paid".
    #[arg(long)]
    pub sandbox: Option<bool>,
    /// A reverse proxy in front of the relay (its address as the relay sees it, e.g.
    /// 127.0.0.1), whose X-Forwarded-For names the client the relay's limits count
    /// (repeatable). Without it, behind a proxy everyone counts as the proxy.
    #[arg(long = "trusted-proxy")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How many weeks ahead citizens can book an appointment [default: 4].
    #[arg(long)]
    pub booking_weeks: Option<u32>,
    /// How long before its start a moment can still be booked, in minutes [default: 60].
    #[arg(long)]
    pub booking_notice_minutes: Option<u32>,
    /// How many days after an appointment its citizen data (name, e-mail, number,
    /// question) is deleted from the relay [default: 30].
    #[arg(long)]
    pub booking_retention_days: Option<u32>,
    /// The municipality's mail server for confirmations and reminders to citizens
    /// (without it no mail is sent). Its password comes from BALIE_SMTP_PASSWORD or the
    /// config file's smtp_password.
    #[arg(long)]
    pub smtp_host: Option<String>,
    /// The mail server's port [default: 587 with starttls, 465 with tls].
    #[arg(long)]
    pub smtp_port: Option<u16>,
    /// How the connection to the mail server is encrypted [default: starttls].
    #[arg(long, value_enum)]
    pub smtp_security: Option<crate::config::SmtpSecurity>,
    /// The user to log in to the mail server as.
    #[arg(long)]
    pub smtp_user: Option<String>,
    /// A PEM file of extra certificate authorities for the mail server (an internal CA).
    #[arg(long)]
    pub smtp_ca: Option<PathBuf>,
    /// The sender of the mail, e.g. "Gemeente Balen <balie@balen.be>".
    #[arg(long)]
    pub mail_from: Option<String>,
    /// How long before an appointment reminders go out, in minutes, comma-separated
    /// [default: 1440,60]; "none" for no reminders.
    #[arg(long)]
    pub mail_reminders: Option<String>,
}

/// Runs the command line; `main` is only this.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Oidc(OidcCommand::Keygen { file, alg }) = &cli.command {
        let public = crate::identity::keys::keygen(file, *alg)?;
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&public)?
        )?;
        let _ = writeln!(
            std::io::stderr(),
            "Key written to {}. Give the public key above to the provider (or its address \
             /.well-known/jwks.json on this relay) and set key_file in [[identity]].",
            file.display()
        );
        return Ok(());
    }
    let file = match &cli.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    let data_dir = cli
        .data_dir
        .clone()
        .or(file.data_dir.clone())
        .ok_or(crate::config::ConfigError::Missing("--data-dir"))?;
    match cli.command {
        Command::Clerk(command) => clerk(&data_dir, command),
        Command::Product(command) => front_door::product(&open_db(&data_dir)?, *command),
        Command::Hours(command) => front_door::hours(&open_db(&data_dir)?, command),
        Command::Serve(args) => serve(data_dir, file, *args),
        Command::Oidc(_) => Ok(()),
        Command::Admin(command) => admin(&data_dir, command),
        Command::Updates(UpdatesCommand::Publish {
            dir,
            version,
            notes,
            packages,
        }) => {
            let manifest = crate::updates::publish(
                &dir,
                &version,
                &notes,
                &packages,
                time::OffsetDateTime::now_utc(),
            )?;
            let mut out = std::io::stdout().lock();
            for (platform, package) in &manifest.platforms {
                writeln!(out, "{}\t{platform}\t{}", manifest.version, package.url)?;
            }
            Ok(())
        }
    }
}

fn admin(data_dir: &std::path::Path, command: AdminCommand) -> anyhow::Result<()> {
    let db = open_db(data_dir)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    match command {
        AdminCommand::Add { name } => {
            let token = crate::impact::add_admin(&db, &name, now)?;
            writeln!(std::io::stdout().lock(), "{}", token.expose_secret())?;
            let _ = writeln!(
                std::io::stderr(),
                "Admin added. The token above is shown only this once: they sign in with it at /admin."
            );
        }
        AdminCommand::Revoke { name } => {
            if !balie_store::relay::admin::revoke(&db, &name, now)? {
                anyhow::bail!("no active admin called {name:?}");
            }
            let _ = writeln!(std::io::stderr(), "Admin {name:?} revoked.");
        }
    }
    Ok(())
}

fn open_db(data_dir: &std::path::Path) -> anyhow::Result<rusqlite::Connection> {
    let config = RelayConfig::loopback(data_dir.to_path_buf());
    Ok(balie_store::open(
        &config.database_path(),
        &balie_store::relay::SCHEMA,
    )?)
}

fn clerk(data_dir: &std::path::Path, command: ClerkCommand) -> anyhow::Result<()> {
    let db = open_db(data_dir)?;
    let mut out = std::io::stdout().lock();
    match command {
        ClerkCommand::Add { name } => {
            let token = crate::add_clerk(&db, &name)?;
            writeln!(out, "{}", token.secret().expose_secret())?;
            let _ = writeln!(
                std::io::stderr(),
                "Clerk added. The token above is shown only this once: give it to the clerk now."
            );
        }
        ClerkCommand::List => {
            for clerk in balie_store::relay::clerk::list(&db)? {
                let state = if clerk.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                writeln!(
                    out,
                    "{}\t{}\tadded {}",
                    clerk.name,
                    state,
                    date(clerk.created_at)
                )?;
            }
        }
        ClerkCommand::Invite { name } => {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let (code, added) = crate::enrol::invite_clerk(&db, &name, now)?;
            writeln!(out, "{code}")?;
            let _ = writeln!(
                std::io::stderr(),
                "{}One-time code for {:?}: the clerk enters it in the cockpit at *Aanmelden bij uw gemeente*. It works once, until {}.",
                if added { "Clerk added. " } else { "" },
                name.trim(),
                date(now + crate::enrol::INVITE_VALID_FOR)
            );
        }
        ClerkCommand::Devices { name } => {
            let Some(clerk) = balie_store::relay::clerk::find_by_name(&db, &name)? else {
                anyhow::bail!("no clerk called {name:?}");
            };
            for device in balie_store::relay::device::list(&db, clerk.id)? {
                let state = match device.revoked_at {
                    Some(at) => format!("revoked {}", date(at)),
                    None => "active".into(),
                };
                writeln!(
                    out,
                    "{}\t{}\tenrolled {}\t{}",
                    device.id,
                    device.name,
                    date(device.enrolled_at),
                    state
                )?;
            }
        }
        ClerkCommand::Revoke { name, device: None } => {
            if !balie_store::relay::clerk::revoke(&db, &name)? {
                anyhow::bail!("no active clerk called {name:?}");
            }
            writeln!(out, "revoked {name}")?;
        }
        ClerkCommand::Revoke {
            name,
            device: Some(device),
        } => {
            let Some(clerk) = balie_store::relay::clerk::find_by_name(&db, &name)? else {
                anyhow::bail!("no clerk called {name:?}");
            };
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            if !balie_store::relay::device::revoke(&db, clerk.id, device, now)? {
                anyhow::bail!("{name:?} has no active device {device}");
            }
            writeln!(out, "revoked device {device} of {name}")?;
        }
        ClerkCommand::Teams { name, teams } => {
            if let Some(bad) = teams
                .iter()
                .find(|t| t.is_empty() || t.len() > 64 || t.chars().any(char::is_whitespace))
            {
                anyhow::bail!("a team is 1 to 64 characters without spaces, got {bad:?}");
            }
            if !balie_store::relay::product::set_teams(&db, &name, &teams)? {
                anyhow::bail!("no clerk called {name:?}");
            }
            writeln!(out, "{name}\t{}", teams.join(" "))?;
        }
    }
    Ok(())
}

fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

fn serve(data_dir: PathBuf, file: FileConfig, args: ServeArgs) -> anyhow::Result<()> {
    let defaults = RelayConfig::loopback(data_dir.clone());
    let sandbox = args.sandbox.or(file.sandbox);
    let mail = mail_config(&args, &file)?;
    let mut identity: Vec<crate::identity::config::ProviderConfig> = Vec::new();
    for provider in file.identity.clone().unwrap_or_default() {
        let provider = provider
            .resolve(|name| std::env::var(name).ok())
            .map_err(crate::config::ConfigError::from)?;
        if identity.iter().any(|p| p.id == provider.id) {
            return Err(crate::config::ConfigError::IdentityTwice(provider.id).into());
        }
        identity.push(provider);
    }
    let impact = file.impact.clone().unwrap_or_default().assumptions()?;
    let mut config = RelayConfig {
        sandbox: false,
        mail,
        identity,
        impact,
        sockets: defaults.sockets,
        headers_within: defaults.headers_within,
        silent_for: defaults.silent_for,
        trusted_proxies: if args.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            args.trusted_proxies
        },
        first_message_within: defaults.first_message_within,
        clerk_recheck_every: defaults.clerk_recheck_every,
        booking: crate::config::BookingConfig {
            weeks_ahead: args
                .booking_weeks
                .or(file.booking_weeks)
                .unwrap_or(defaults.booking.weeks_ahead),
            notice_minutes: args
                .booking_notice_minutes
                .or(file.booking_notice_minutes)
                .unwrap_or(defaults.booking.notice_minutes),
            retention_days: args
                .booking_retention_days
                .or(file.booking_retention_days)
                .unwrap_or(defaults.booking.retention_days),
            ..defaults.booking
        },
        data_dir,
        listen: args
            .listen
            .or(file.listen)
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
        public_url: args.public_url.or(file.public_url),
        tls_cert: args.tls_cert.or(file.tls_cert),
        tls_key: args.tls_key.or(file.tls_key),
        updates_dir: args.updates_dir.or(file.updates_dir),
        room_ttl_minutes: args
            .room_ttl_minutes
            .or(file.room_ttl_minutes)
            .unwrap_or(defaults.room_ttl_minutes),
        municipality: args
            .municipality
            .or(file.municipality)
            .unwrap_or(defaults.municipality),
        log_dir: args.log_dir.or(file.log_dir),
        ice: crate::turn::IceConfig {
            stun_urls: non_empty(args.stun_urls)
                .or(file.stun_urls)
                .unwrap_or_default(),
            turn_urls: non_empty(args.turn_urls)
                .or(file.turn_urls)
                .unwrap_or_default(),
            turn_secret: std::env::var("BALIE_TURN_SECRET")
                .ok()
                .or(file.turn_secret)
                .filter(|s| !s.is_empty())
                .map(secrecy::SecretString::from),
            turn_ttl_seconds: args
                .turn_ttl_minutes
                .or(file.turn_ttl_minutes)
                .map_or(crate::turn::DEFAULT_TURN_TTL_SECONDS, |m| i64::from(m) * 60),
        },
        hooks: crate::config::HookConfig {
            stripe_webhook_secret: std::env::var("BALIE_STRIPE_WEBHOOK_SECRET")
                .ok()
                .or(file.stripe_webhook_secret)
                .filter(|s| !s.is_empty())
                .map(secrecy::SecretString::from),
            bancontact_profile_id: args.bancontact_profile_id.or(file.bancontact_profile_id),
            bancontact_jwks_url: args
                .bancontact_jwks_url
                .or(file.bancontact_jwks_url)
                .unwrap_or(defaults.hooks.bancontact_jwks_url),
        },
    };
    config.sandbox = sandbox.unwrap_or_else(|| config.sandbox_by_default());
    config.validate()?;
    let _log = balie_log::init(&balie_log::LogConfig::new("relay", Some(config.log_dir())))?;
    if config.sandbox && !config.sandbox_by_default() {
        tracing::warn!(
            "the sandbox test provider is on for a public relay (--sandbox true): for a test environment only"
        );
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let relay = crate::Relay::bind(config).await?;
        // Operators and tests read the address from the log; print it plainly too.
        let _ = writeln!(
            std::io::stderr(),
            "balie-relay listening on {}",
            relay.public_url()
        );
        relay.serve(shutdown_signal()).await?;
        Ok(())
    })
}

/// The mail settings, when a mail server is given.
fn mail_config(
    args: &ServeArgs,
    file: &FileConfig,
) -> anyhow::Result<Option<crate::config::MailConfig>> {
    use crate::config::{DEFAULT_REMINDERS_MINUTES, MailConfig, SmtpSecurity};
    let Some(host) = args.smtp_host.clone().or(file.smtp_host.clone()) else {
        return Ok(None);
    };
    let security = args
        .smtp_security
        .or(file.smtp_security)
        .unwrap_or(SmtpSecurity::Starttls);
    let reminders_minutes = match &args.mail_reminders {
        Some(text) if text.trim() == "none" => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|m| m.trim().parse::<u32>())
            .collect::<Result<_, _>>()
            .with_context(|| {
                format!("--mail-reminders {text:?}: minutes before, e.g. 1440,60, or none")
            })?,
        None => file
            .mail_reminders_minutes
            .clone()
            .unwrap_or_else(|| DEFAULT_REMINDERS_MINUTES.to_vec()),
    };
    Ok(Some(MailConfig {
        host,
        port: args.smtp_port.or(file.smtp_port).unwrap_or(match security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        }),
        security,
        user: args.smtp_user.clone().or(file.smtp_user.clone()),
        password: std::env::var("BALIE_SMTP_PASSWORD")
            .ok()
            .or(file.smtp_password.clone())
            .filter(|s| !s.is_empty())
            .map(secrecy::SecretString::from),
        from: args
            .mail_from
            .clone()
            .or(file.mail_from.clone())
            .context("--mail-from is needed with --smtp-host: the sender of the mail")?,
        extra_roots: args.smtp_ca.clone().or(file.smtp_ca.clone()),
        reminders_minutes,
        poll_every: std::time::Duration::from_secs(30),
    }))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

fn non_empty(list: Vec<String>) -> Option<Vec<String>> {
    (!list.is_empty()).then_some(list)
}
