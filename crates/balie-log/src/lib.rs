//! Balie's logging: `tracing` to stderr and to a daily rolling file.
//!
//! [`init`] installs the global subscriber for a program (cockpit or relay) and returns a
//! [`LogGuard`] that flushes the file when dropped. The filter comes from the `BALIE_LOG`
//! environment variable in `tracing-subscriber`'s `EnvFilter` syntax
//! (`BALIE_LOG=debug`, `BALIE_LOG=balie_relay=trace,info`), defaulting to `info`.
//!
//! ```no_run
//! let _guard = balie_log::init(&balie_log::LogConfig::new("relay", Some("/var/log/balie".into())))?;
//! tracing::info!("started");
//! # Ok::<(), balie_log::LogError>(())
//! ```
//!
//! Invariant kept by the callers, checked by tests: citizen data is logged only inside
//! `balie_domain::Pii` and secrets only as `secrecy::SecretString`, which both print
//! redacted; so no log line holds a citizen's name, IBAN or a token.

use std::path::PathBuf;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::{EnvFilter, Layer as _, fmt};

/// The environment variable holding the log filter.
pub const FILTER_ENV: &str = "BALIE_LOG";

/// How many daily log files are kept.
const KEEP_FILES: usize = 14;

/// Where and how a program logs.
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// Program name; the log files are called `<name>.<date>.log`.
    pub name: String,
    /// Directory for the rolling file; `None` logs to stderr only.
    pub dir: Option<PathBuf>,
    /// Filter used when `BALIE_LOG` is not set.
    pub default_filter: String,
    /// Also log to stderr.
    pub stderr: bool,
}

impl LogConfig {
    /// Logs `info` and up to stderr and, when `dir` is given, to a file there.
    pub fn new(name: impl Into<String>, dir: Option<PathBuf>) -> Self {
        Self {
            name: name.into(),
            dir,
            default_filter: "info".into(),
            stderr: true,
        }
    }
}

/// Logging could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The log directory could not be created or the file opened.
    #[error("cannot write logs in {dir}: {detail}")]
    File {
        /// The directory.
        dir: String,
        /// What failed.
        detail: String,
    },
    /// The filter in `BALIE_LOG` is not valid.
    #[error("the log filter in BALIE_LOG is not valid: {0}")]
    Filter(String),
    /// A global subscriber was already installed.
    #[error("logging was already set up")]
    AlreadySet,
}

/// Keeps the file writer alive; dropping it flushes what is buffered.
#[must_use = "dropping the guard stops file logging"]
pub struct LogGuard {
    _file: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Libraries whose own logs name the citizen's network address (the TURN client logs every
/// permission and channel with the peer's address): off unless the filter names them.
const SILENCED: [&str; 3] = ["turn_client_proto", "turn_types", "stun_proto"];

/// Builds the subscriber for `config` without installing it (tests install it with
/// `tracing::dispatcher::with_default`).
pub fn build(config: &LogConfig) -> Result<(tracing::Dispatch, LogGuard), LogError> {
    let spec = std::env::var(FILTER_ENV).unwrap_or_else(|_| config.default_filter.clone());
    let mut filter = EnvFilter::try_new(&spec).map_err(|e| LogError::Filter(e.to_string()))?;
    for target in SILENCED {
        if !spec.contains(target) {
            filter = filter.add_directive(format!("{target}=off").parse().map_err(
                |e: tracing_subscriber::filter::ParseError| LogError::Filter(e.to_string()),
            )?);
        }
    }

    let (file_layer, file_guard) = match &config.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| LogError::File {
                dir: dir.display().to_string(),
                detail: e.to_string(),
            })?;
            let appender = tracing_appender::rolling::Builder::new()
                .rotation(tracing_appender::rolling::Rotation::DAILY)
                .filename_prefix(&config.name)
                .filename_suffix("log")
                .max_log_files(KEEP_FILES)
                .build(dir)
                .map_err(|e| LogError::File {
                    dir: dir.display().to_string(),
                    detail: e.to_string(),
                })?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = fmt::layer().with_ansi(false).with_writer(writer);
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let stderr_layer = config
        .stderr
        .then(|| fmt::layer().with_writer(std::io::stderr).boxed());

    let subscriber = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer);
    Ok((
        tracing::Dispatch::new(subscriber),
        LogGuard { _file: file_guard },
    ))
}

/// Builds the subscriber for `config` and installs it for the whole program.
pub fn init(config: &LogConfig) -> Result<LogGuard, LogError> {
    let (dispatch, guard) = build(config)?;
    tracing::dispatcher::set_global_default(dispatch).map_err(|_| LogError::AlreadySet)?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_data_and_secrets_are_redacted_in_the_log_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = LogConfig::new("redaction", Some(dir.path().to_path_buf()));
        config.stderr = false;
        config.default_filter = "trace".into();
        let (dispatch, guard) = build(&config).unwrap();
        let citizen = balie_domain::Pii::new("Dirk Peeters".to_string());
        let address = "203.0.113.7";
        let iban = balie_domain::Pii::new("BE68539007547034".to_string());
        let token = secrecy::SecretString::from("balie_s3cr3t-t0k3n");
        tracing::dispatcher::with_default(&dispatch, || {
            tracing::info!(%citizen, ?iban, ?token, "handled a request");
            tracing::debug!("citizen {citizen:?} with token {token:?}");
            // What the TURN client logs at info (and at error for a refused permission).
            tracing::info!(target: "turn_client_proto", "sending CREATE_PERMISSION peer_addr={address}");
            tracing::error!(target: "turn_client_proto::protocol", peer_addr = address, "AlreadyExists");
        });
        drop(guard);
        let mut text = String::new();
        for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap());
        }
        assert!(text.contains("handled a request"), "{text}");
        for secret in ["Dirk", "Peeters", "BE68539007547034", "s3cr3t", address] {
            assert!(!text.contains(secret), "{secret} reached the log:\n{text}");
        }
    }

    #[test]
    fn writes_a_rolling_file_in_the_given_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = LogConfig::new("unit", Some(dir.path().to_path_buf()));
        config.stderr = false;
        let (dispatch, guard) = build(&config).unwrap();
        tracing::dispatcher::with_default(&dispatch, || tracing::info!(answer = 42, "hello"));
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        let name = files[0].file_name().into_string().unwrap();
        assert!(
            name.starts_with("unit.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(files[0].path()).unwrap();
        assert!(
            text.contains("hello") && text.contains("answer=42"),
            "{text}"
        );
    }
}
