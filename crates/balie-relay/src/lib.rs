//! Balie relay: the server between the clerk's cockpit and the citizen's browser.
//!
//! It hands out rooms and join links to authenticated clerks (`POST /api/rooms`), serves
//! the citizen page (`GET /j/{token}`), signaling (`/ws/clerk/…`, `/ws/citizen/…`), the
//! payment webhooks and hints (`/hooks/…`, `/api/payments/watch`, `/ws/hints`), the sandbox
//! payment provider (`/sandbox/…`, only where [`RelayConfig::sandbox`] is on) and
//! `GET /healthz` (which says whether the sandbox is on).
//!
//! The server is a function: [`app`] builds the axum `Router` from an [`AppState`], so
//! tests drive it on port 0 and the cockpit embeds it in-process ([`Relay::bind`]).
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let config = balie_relay::RelayConfig::loopback(std::path::PathBuf::from("/tmp/relay"));
//! let relay = balie_relay::Relay::bind(config).await?;
//! println!("listening on {}", relay.public_url());
//! relay.serve(std::future::pending()).await?;
//! # Ok(()) }
//! ```
//!
//! Invariants:
//! - clerk tokens and join tokens are stored only as SHA-256 digests;
//! - an unknown or expired join token gets a page that reveals nothing else;
//! - no request body, header or citizen datum is logged (bodies are never logged; the
//!   trace layer logs method, path template and status only).

mod agenda;
mod booking;
mod calendar;
mod citizen;
mod clerk;
pub mod cli;
mod clock;
mod config;
pub mod enrol;
mod error;
mod front;
mod hooks;
mod i18n;
pub mod identity;
pub mod impact;
pub mod limits;
mod mail;
mod page;
mod queue;
mod rooms;
mod sandbox;
mod server;
mod signaling;
mod state;
mod survey;
pub mod turn;
pub mod updates;

pub use clerk::{ClerkToken, add_clerk};
pub use clock::Clock;
pub use config::{
    BANCONTACT_JWKS, BookingConfig, ConfigError, DEFAULT_REMINDERS_MINUTES, HookConfig, MailConfig,
    RelayConfig, SmtpSecurity,
};
pub use error::AppError;
pub use server::{Relay, ServeError};
pub use state::AppState;
pub use turn::IceConfig;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body the relay reads (the JSON API carries small documents).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// How long one request may take before the relay answers 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The relay's HTTP routes over `state`.
pub fn app(state: AppState) -> Router {
    let sandbox = if state.config().sandbox {
        Router::new()
            .route("/sandbox/v2/payments", post(sandbox::create))
            .route(
                "/sandbox/v2/payments/{id}",
                get(sandbox::get).delete(sandbox::cancel),
            )
            .route(
                "/sandbox/checkout/{token}",
                get(sandbox::checkout_page).post(sandbox::decide),
            )
    } else {
        // Not served at all: the paths answer as any unknown one.
        Router::new()
    };
    Router::new()
        .route("/healthz", get(health))
        .route("/api/rooms", post(rooms::create))
        .route("/api/products", get(agenda::products))
        .route("/api/appointments", get(agenda::appointments))
        .route(
            "/api/availability",
            get(agenda::availability).put(agenda::set_availability),
        )
        .route("/api/status", axum::routing::put(agenda::set_status))
        .route("/api/queue", get(agenda::queue))
        .route("/api/queue/next", post(agenda::next_citizen))
        .route("/api/surveys", get(survey::answers))
        .route("/api/opening-hours", get(survey::opening_hours))
        .route("/api/updates/latest.json", get(updates::latest))
        .route("/api/updates/files/{name}", get(updates::file))
        .route(
            "/api/impact",
            axum::routing::put(impact::upload).route_layer(DefaultBodyLimit::max(
                balie_impact::summary::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/admin", get(impact::admin_page))
        .route("/admin/logout", post(impact::sign_out))
        .route("/admin/{file}", get(impact::report_file))
        .route("/j/{token}", get(citizen::join_page))
        .route("/ws/clerk/{room_id}", get(signaling::clerk_socket))
        .route("/ws/citizen/{token}", get(signaling::citizen_socket))
        .route("/static/citizen.css", get(citizen::stylesheet))
        .route("/static/citizen.js", get(citizen::script))
        .route("/static/queue.js", get(citizen::queue_script))
        .route("/return", get(citizen::return_page))
        .route(
            "/api/rooms/{room_id}/identity",
            post(identity::ask_route).get(identity::status_route),
        )
        .merge(
            Router::new()
                .route("/id/bind/{ask_id}", post(identity::bind_route))
                .route("/id/start/{ask_id}/{provider}", get(identity::start_route))
                .route("/id/callback", get(identity::callback_route))
                .route("/survey", post(survey::answer))
                .route("/api/enrol", post(enrol::enrol))
                .route("/admin/login", post(impact::sign_in))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    limits::sign_ins_gate,
                )),
        )
        .route("/.well-known/jwks.json", get(identity::jwks_route))
        .route("/api/payments/watch", post(hooks::watch))
        .route("/ws/hints", get(hooks::socket))
        .merge(
            Router::new()
                .route("/hooks/mollie", post(hooks::mollie))
                .route("/hooks/stripe", post(hooks::stripe))
                .route("/hooks/bancontact", post(hooks::bancontact))
                .route_layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    limits::hooks_gate,
                )),
        )
        .merge(front::routes())
        .merge(sandbox)
        .fallback(citizen::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    // Only the route template: a path holds a join token.
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("(unmatched)", |p| p.as_str());
                    tracing::info_span!("request", method = %req.method(), route)
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .with_state(state)
}

async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<balie_protocol::Health> {
    axum::Json(balie_protocol::Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: balie_protocol::PROTOCOL_VERSION,
        sandbox: state.config().sandbox,
        identity: !state.config().identity.is_empty(),
        municipality: Some(state.config().municipality.clone()),
    })
}

/// Fills `buf` with random bytes from the OS.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(buf)
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}
