use crate::clock::Clock;
use crate::config::{ConfigError, RelayConfig};
use crate::state::AppState;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

/// How long open requests may finish after shutdown was asked for.
const GRACE: Duration = Duration::from_secs(10);

/// The relay could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The configuration is not usable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be opened.
    #[error(transparent)]
    Store(#[from] balie_store::StoreError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be loaded.
    #[error("cannot load the TLS certificate or key: {0}")]
    Tls(std::io::Error),
    /// The server failed while running.
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A relay bound to its address, ready to [`serve`](Relay::serve).
pub struct Relay {
    listener: std::net::TcpListener,
    local_addr: SocketAddr,
    public_url: String,
    state: AppState,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

impl Relay {
    /// Opens the database and binds the listening socket with the system clock.
    pub async fn bind(config: RelayConfig) -> Result<Self, ServeError> {
        Self::bind_with_clock(config, Clock::system()).await
    }

    /// As [`Relay::bind`], with a given clock (tests move it by hand).
    pub async fn bind_with_clock(config: RelayConfig, clock: Clock) -> Result<Self, ServeError> {
        config.validate()?;
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA)?;
        let tls = match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => {
                // Idempotent: fails only when a provider is already installed, which is fine.
                let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
                Some(
                    axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
                        .await
                        .map_err(ServeError::Tls)?,
                )
            }
            _ => None,
        };
        let listener =
            std::net::TcpListener::bind(config.listen).map_err(|source| ServeError::Bind {
                addr: config.listen,
                source,
            })?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let public_url = config.public_url.clone().unwrap_or_else(|| {
            let scheme = if tls.is_some() { "https" } else { "http" };
            format!("{scheme}://{local_addr}")
        });
        let state = AppState::new(db, config, public_url.clone(), clock);
        Ok(Self {
            listener,
            local_addr,
            public_url,
            state,
            tls,
        })
    }

    /// The address actually bound (the port is known even when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL of join links.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The shared state (for set-up steps such as registering the embedded clerk).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets open requests finish for a grace
    /// period.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let handle = axum_server::Handle::new();
        let watcher = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            watcher.graceful_shutdown(Some(GRACE));
        });
        let headers_within = self.state.config().headers_within;
        // The mail outbox sends while the relay serves, and stops with it.
        let outbox = tokio::spawn(crate::mail::run(self.state.clone()));
        let _outbox = AbortOnDrop(outbox);
        // With each connection's peer address: the limits count by it.
        let app =
            crate::app(self.state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        tracing::info!(addr = %self.local_addr, tls = self.tls.is_some(), "relay listening");
        let first_bytes = FirstBytesWithin(headers_within);
        match self.tls {
            Some(tls) => {
                let tls = axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(first_bytes);
                let mut server = axum_server::from_tcp(self.listener)?.acceptor(tls);
                slow_clients_out(server.http_builder(), headers_within);
                server.handle(handle).serve(app).await?
            }
            None => {
                let mut server = axum_server::from_tcp(self.listener)?.acceptor(first_bytes);
                slow_clients_out(server.http_builder(), headers_within);
                server.handle(handle).serve(app).await?
            }
        }
        tracing::info!("relay stopped");
        Ok(())
    }
}

/// Aborts a background task when the relay stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A client must send its request's headers within `within`, or the connection is
/// closed: without hyper's timer the header read waited for ever, so a client sending one
/// byte now and then (slowloris) held a connection as long as it liked. The body is
/// bounded by the request timeout and the body limit.
fn slow_clients_out(
    builder: &mut hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    within: std::time::Duration,
) {
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(within);
    builder.http2().timer(hyper_util::rt::TokioTimer::new());
}

/// HTTP/2's connection preface: the server reads up to this much before it knows which
/// HTTP a connection speaks, and that read has no timer of its own.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Lets a connection in only once its first bytes tell which HTTP it speaks, within the
/// given time: hyper's header timer starts only after that, so a client that connected
/// and said nothing (or only the start of HTTP/2's preface) was held for ever. With TLS
/// it checks the bytes of the handshake, which rustls then bounds itself.
#[derive(Debug, Clone, Copy)]
struct FirstBytesWithin(std::time::Duration);

impl<S: Send + 'static> axum_server::accept::Accept<tokio::net::TcpStream, S> for FirstBytesWithin {
    type Stream = tokio::net::TcpStream;
    type Service = S;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = std::io::Result<(tokio::net::TcpStream, S)>> + Send>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        let within = self.0;
        Box::pin(async move {
            let told = async {
                let mut seen = [0u8; 24];
                loop {
                    let n = stream.peek(&mut seen).await?;
                    let decided = n == 0 || n >= H2_PREFACE.len() || seen[..n] != H2_PREFACE[..n];
                    if decided {
                        return Ok::<_, std::io::Error>(());
                    }
                    // The same bytes, more to come: look again shortly.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            };
            match tokio::time::timeout(within, told).await {
                Ok(Ok(())) => Ok((stream, service)),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no request in time",
                )),
            }
        })
    }
}
