use crate::clock::Clock;
use crate::config::RelayConfig;
use crate::error::AppError;
use crate::i18n::Catalogs;
use rusqlite::Connection;
use std::sync::{Arc, Mutex};

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Mutex<Connection>,
    config: RelayConfig,
    public_url: String,
    clock: Clock,
    catalogs: Catalogs,
    rooms: crate::signaling::Rooms,
    hints: crate::hooks::Hints,
    jwks: crate::hooks::JwksCache,
    limits: crate::limits::Limits,
    forms: crate::front::forms::FormGuard,
    mail_wake: tokio::sync::Notify,
    walk_ins: crate::queue::WalkIns,
    identity: crate::identity::Identity,
    admin_sessions: crate::impact::Sessions,
}

impl AppState {
    /// State over an open relay database. `public_url` is the base of join links
    /// (`https://balie.gemeente.be`), without a trailing slash.
    pub fn new(db: Connection, config: RelayConfig, public_url: String, clock: Clock) -> Self {
        let limits = crate::limits::Limits::new(config.sockets);
        let providers = config
            .identity
            .iter()
            .filter_map(
                |p| match crate::identity::provider::Provider::new(p.clone()) {
                    Ok(provider) => Some(provider),
                    Err(e) => {
                        tracing::error!(provider = p.id, error = %e, "identity provider left out");
                        None
                    }
                },
            )
            .collect();
        Self {
            inner: Arc::new(Inner {
                db: Mutex::new(db),
                config,
                public_url: public_url.trim_end_matches('/').to_string(),
                clock,
                catalogs: Catalogs::load(),
                rooms: Default::default(),
                hints: Default::default(),
                jwks: Default::default(),
                limits,
                forms: Default::default(),
                mail_wake: tokio::sync::Notify::new(),
                walk_ins: Default::default(),
                identity: crate::identity::Identity::new(providers),
                admin_sessions: crate::impact::Sessions::default(),
            }),
        }
    }

    /// Runs `f` with the database, off the async worker: on a multi-threaded runtime (the
    /// relay's own, the cockpit's) the worker hands its other tasks to a fresh thread for
    /// the time it waits here ([`tokio::task::block_in_place`]), so a query that waits on a
    /// locked file (up to the busy timeout) or a slow disk holds up no socket or request.
    /// Elsewhere (a single-threaded test runtime) it runs in place. A poisoned lock (a
    /// panic in another handler) is an internal error, not a panic.
    pub(crate) fn with_db<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, balie_store::StoreError>,
    ) -> Result<T, AppError> {
        let run = || {
            let conn = self
                .inner
                .db
                .lock()
                .map_err(|_| AppError::Internal("database lock poisoned".into()))?;
            f(&conn).map_err(AppError::from)
        };
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
            _ => run(),
        }
    }

    /// Lets the clerk called `name` in with `token` from now on (creating the clerk or
    /// replacing their token). The cockpit's embedded relay uses this for its one clerk.
    pub fn register_clerk_token(
        &self,
        name: &str,
        token: &secrecy::SecretString,
    ) -> Result<(), AppError> {
        use secrecy::ExposeSecret as _;
        let digest = crate::clerk::ClerkToken::digest(token.expose_secret());
        self.with_db(|db| balie_store::relay::clerk::set_token(db, name, &digest))
            .map(|_| ())
    }

    pub(crate) fn config(&self) -> &RelayConfig {
        &self.inner.config
    }

    pub(crate) fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub(crate) fn rooms(&self) -> &crate::signaling::Rooms {
        &self.inner.rooms
    }

    pub(crate) fn hints(&self) -> &crate::hooks::Hints {
        &self.inner.hints
    }

    pub(crate) fn jwks(&self) -> &crate::hooks::JwksCache {
        &self.inner.jwks
    }

    pub(crate) fn limits(&self) -> &crate::limits::Limits {
        &self.inner.limits
    }

    /// The walk-in queue and the clerks' statuses.
    pub(crate) fn walk_ins(&self) -> &crate::queue::WalkIns {
        &self.inner.walk_ins
    }

    /// The identity providers and the sign-ins under way.
    pub(crate) fn identity(&self) -> &crate::identity::Identity {
        &self.inner.identity
    }

    /// The admins signed in on the admin page.
    pub(crate) fn admin_sessions(&self) -> &crate::impact::Sessions {
        &self.inner.admin_sessions
    }

    /// Wakes the mail outbox: something was queued that is due now.
    pub(crate) fn mail_wake(&self) -> &tokio::sync::Notify {
        &self.inner.mail_wake
    }

    pub(crate) fn forms(&self) -> &crate::front::forms::FormGuard {
        &self.inner.forms
    }

    pub(crate) fn catalogs(&self) -> &Catalogs {
        &self.inner.catalogs
    }
}
