//! Payment webhooks and hints. Providers report changes to the relay, which the internet
//! can reach; the relay tells the cockpit that registered the payment (`POST
//! /api/payments/watch`) over its hint socket (`GET /ws/hints`), and the cockpit asks the
//! provider's API itself. The relay holds no provider API keys and never says what a
//! status is, so a forged webhook can at most cause an extra question. What a provider
//! signs is checked all the same, so an unsigned or wrongly signed call is refused
//! loudly and costs nobody a request:
//!
//! - `POST /hooks/mollie`: form `id=tr_…`, unsigned by Mollie's design;
//! - `POST /hooks/bancontact`: the `Signature` header, a detached JWS checked against
//!   Bancontact's key set (fetched from the configured JWKS address, cached 12 hours,
//!   fetched again at most once a minute for an unknown key);
//! - `POST /hooks/stripe`: the `Stripe-Signature` header, HMAC-SHA256 with the endpoint's
//!   signing secret.

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::rooms::ApiJson;
use crate::state::AppState;
use axum::Form;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use balie_protocol::agenda::{KnockHint, QueueHint};
use balie_protocol::payment::{PaymentHint, WatchPayment, valid_provider_id};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Hints queued for one socket before further ones are dropped (the cockpit polls anyway).
const QUEUE: usize = 64;

/// At most one hint per payment in this time: webhooks (Mollie's are unsigned) that come
/// faster are folded into one hint at the end of it, so a flood cannot make the cockpit
/// ask the provider without pause, and a real change is never lost.
pub(crate) const HINT_EVERY: Duration = Duration::from_secs(1);

/// Payments whose last hint is remembered, before the old ones are forgotten.
const DEBOUNCE_ENTRIES: usize = 10_000;

/// How long watches are kept: longer than any provider reports on a payment.
const WATCH_DAYS: i64 = 90;

/// One hint socket: its connection number and queue.
type Socket = (u64, mpsc::Sender<String>);

/// The connected hint sockets, by clerk, and when each payment was last hinted.
#[derive(Default)]
pub(crate) struct Hints {
    sockets: Mutex<HashMap<i64, Vec<Socket>>>,
    next: std::sync::atomic::AtomicU64,
    /// By (provider, payment id): when the last hint went out, and whether one waits for
    /// the end of [`HINT_EVERY`].
    recent: Mutex<HashMap<(String, String), (Instant, bool)>>,
}

/// What to do with a hint for a payment.
#[derive(Debug, PartialEq, Eq)]
enum Pace {
    /// Send it now.
    Now,
    /// Send one when this much time has passed (none waits yet).
    Later(Duration),
    /// One already waits: this one is folded into it.
    Folded,
}

impl Hints {
    fn subscribe(&self, clerk_id: i64) -> (u64, mpsc::Receiver<String>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let conn = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut sockets) = self.sockets.lock() {
            sockets.entry(clerk_id).or_default().push((conn, tx));
        }
        (conn, rx)
    }

    fn unsubscribe(&self, clerk_id: i64, conn: u64) {
        if let Ok(mut sockets) = self.sockets.lock()
            && let Some(list) = sockets.get_mut(&clerk_id)
        {
            list.retain(|(c, _)| *c != conn);
            if list.is_empty() {
                sockets.remove(&clerk_id);
            }
        }
    }

    /// Whether a hint for `key` may go now, later, or is folded into one that waits.
    fn pace(&self, key: &(String, String), now: Instant) -> Pace {
        let Ok(mut recent) = self.recent.lock() else {
            return Pace::Now;
        };
        if recent.len() >= DEBOUNCE_ENTRIES {
            recent.retain(|_, (at, waiting)| *waiting || now.duration_since(*at) < HINT_EVERY);
        }
        match recent.get_mut(key) {
            Some((_, true)) => Pace::Folded,
            Some((at, waiting)) if now.duration_since(*at) < HINT_EVERY => {
                *waiting = true;
                Pace::Later(HINT_EVERY - now.duration_since(*at))
            }
            _ => {
                recent.insert(key.clone(), (now, false));
                Pace::Now
            }
        }
    }

    /// The hint that waited for `key` went out at `now`.
    fn sent_later(&self, key: &(String, String), now: Instant) {
        if let Ok(mut recent) = self.recent.lock() {
            recent.insert(key.clone(), (now, false));
        }
    }

    /// Whether clerk `clerk_id` has a cockpit connected (a hint socket open).
    pub(crate) fn connected(&self, clerk_id: i64) -> bool {
        self.sockets
            .lock()
            .is_ok_and(|s| s.get(&clerk_id).is_some_and(|list| !list.is_empty()))
    }

    /// Queues `hint` (a [`PaymentHint`] or a [`KnockHint`]) on every socket of
    /// `clerk_id`; how many took it.
    fn send(&self, clerk_id: i64, hint: &impl serde::Serialize) -> usize {
        let Ok(text) = serde_json::to_string(hint) else {
            return 0;
        };
        let Ok(sockets) = self.sockets.lock() else {
            return 0;
        };
        sockets.get(&clerk_id).map_or(0, |list| {
            list.iter()
                .filter(|(_, tx)| tx.try_send(text.clone()).is_ok())
                .count()
        })
    }
}

/// Tells every clerk watching `provider`'s payment `provider_id` that it changed, at most
/// once per [`HINT_EVERY`] (see there). Unknown payments are ignored (they may belong to
/// another system on the same account).
pub(crate) fn notify(state: &AppState, provider: &str, provider_id: &str) {
    let clerks = state.with_db(|db| balie_store::relay::watch::clerks(db, provider, provider_id));
    let clerks = match clerks {
        Ok(clerks) if clerks.is_empty() => {
            tracing::debug!(provider, "hint for an unwatched payment");
            return;
        }
        Ok(clerks) => clerks,
        Err(e) => {
            tracing::warn!(provider, error = %e, "cannot look up a payment watch");
            return;
        }
    };
    let hint = PaymentHint {
        provider: provider.to_owned(),
        provider_id: provider_id.to_owned(),
    };
    let key = (hint.provider.clone(), hint.provider_id.clone());
    match state.hints().pace(&key, Instant::now()) {
        Pace::Now => {
            let delivered: usize = clerks.iter().map(|c| state.hints().send(*c, &hint)).sum();
            tracing::debug!(provider, delivered, "payment hint");
        }
        Pace::Later(wait) => {
            let state = state.clone();
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                state.hints().sent_later(&key, Instant::now());
                let delivered: usize = clerks.iter().map(|c| state.hints().send(*c, &hint)).sum();
                tracing::debug!(provider = hint.provider, delivered, "payment hint, folded");
            });
        }
        Pace::Folded => {}
    }
}

/// Tells clerk `clerk_id`'s cockpits that a citizen knocks in room `room_id` (of
/// appointment `appointment_id`), which none of them has open. How many took it.
pub(crate) fn knock(
    state: &AppState,
    clerk_id: i64,
    room_id: &str,
    appointment_id: Option<String>,
) -> usize {
    state.hints().send(
        clerk_id,
        &KnockHint {
            knock_in_room: room_id.to_owned(),
            appointment_id,
        },
    )
}

/// Tells clerk `clerk_id`'s cockpits that the identity in a room of theirs changed. How
/// many took it.
pub(crate) fn identity(
    state: &AppState,
    clerk_id: i64,
    hint: &balie_protocol::identity::IdentityHint,
) -> usize {
    state.hints().send(clerk_id, hint)
}

/// Tells the cockpits of the clerks who serve `product_id` that its walk-in queue
/// changed.
pub(crate) fn queue_changed(state: &AppState, product_id: &str) {
    let clerks = state.with_db(|db| balie_store::relay::product::server_ids(db, product_id));
    let hint = QueueHint {
        queue_changed: product_id.to_owned(),
    };
    if let Ok(clerks) = clerks {
        for clerk in clerks {
            state.hints().send(clerk, &hint);
        }
    }
}

/// How many payments one clerk may watch at once (watches are forgotten after
/// [`WATCH_DAYS`]): far above a municipality's payments in that time, and a bound on what
/// one clerk token can write.
pub const MAX_WATCHES_PER_CLERK: u64 = 100_000;

/// `POST /api/payments/watch`: hints for this provider payment go to the calling clerk
/// (and to any other clerk who asked for it: a watch is never taken from anyone).
pub(crate) async fn watch(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    ApiJson(request): ApiJson<WatchPayment>,
) -> Result<StatusCode, AppError> {
    if !request.is_valid() {
        return Err(AppError::BadRequest(
            "provider must be sandbox, mollie, bancontact or stripe, and provider_id 1 to 128 letters, digits, _ or -".into(),
        ));
    }
    let now = state.clock().now_unix();
    state
        .with_db(|db| {
            balie_store::relay::watch::purge(db, now - WATCH_DAYS * 86_400)?;
            // A watch asked again adds nothing, so the ceiling is for new ones only.
            let known =
                balie_store::relay::watch::clerks(db, &request.provider, &request.provider_id)?
                    .contains(&clerk.clerk_id);
            if !known
                && balie_store::relay::watch::count_of(db, clerk.clerk_id)? >= MAX_WATCHES_PER_CLERK
            {
                return Ok(false);
            }
            balie_store::relay::watch::add(
                db,
                &request.provider,
                &request.provider_id,
                clerk.clerk_id,
                now,
            )?;
            Ok(true)
        })?
        .then_some(StatusCode::NO_CONTENT)
        .ok_or(AppError::TooMany)
}

/// `GET /ws/hints`: the cockpit's hint socket. The relay only sends; the cockpit's frames
/// are read and dropped (pings keep it open through proxies).
pub(crate) async fn socket(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    peer: crate::limits::Peer,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    // Counted as the clerk's own "room": a cockpit needs one, a restart briefly two.
    let permit = state
        .limits()
        .open_socket(peer.0, &format!("hints:{}", clerk.clerk_id))?;
    Ok(
        crate::limits::sized(upgrade, 1024).on_upgrade(move |socket| async move {
            serve_socket(state, clerk, socket).await;
            drop(permit);
        }),
    )
}

async fn serve_socket(state: AppState, clerk: ClerkAuth, mut socket: WebSocket) {
    let clerk_id = clerk.clerk_id;
    let (conn, mut hints) = state.hints().subscribe(clerk_id);
    let mut recheck = tokio::time::interval(state.config().clerk_recheck_every);
    recheck.tick().await;
    let mut alive = crate::limits::Keepalive::new(state.config().silent_for);
    loop {
        tokio::select! {
            _ = alive.tick() => if !alive.ping(&mut socket).await {
                break;
            },
            _ = recheck.tick() => if !crate::clerk::still_allowed(&state, clerk) {
                let _ = socket.send(Message::Close(None)).await;
                break;
            },
            hint = hints.recv() => {
                let Some(text) = hint else { break };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => alive.heard(),
            },
        }
    }
    state.hints().unsubscribe(clerk_id, conn);
}

#[derive(serde::Deserialize)]
pub(crate) struct MollieHook {
    id: String,
}

/// `POST /hooks/mollie`: Mollie's `id=tr_…`. Always 200 for a well-formed id, as Mollie
/// expects, so the answer reveals nothing about which payments exist.
pub(crate) async fn mollie(
    State(state): State<AppState>,
    Form(hook): Form<MollieHook>,
) -> StatusCode {
    if !hook.id.starts_with("tr_") || !valid_provider_id(&hook.id) {
        return StatusCode::BAD_REQUEST;
    }
    notify(&state, "mollie", &hook.id);
    StatusCode::OK
}

#[derive(serde::Deserialize)]
struct StripeEvent {
    #[serde(rename = "type")]
    kind: String,
    data: StripeData,
}

#[derive(serde::Deserialize)]
struct StripeData {
    object: StripeObject,
}

#[derive(serde::Deserialize)]
struct StripeObject {
    id: String,
    object: String,
}

/// `POST /hooks/stripe`: a signed event; Checkout Session events become hints.
pub(crate) async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = &state.config().hooks.stripe_webhook_secret else {
        return (
            StatusCode::NOT_FOUND,
            "no Stripe webhook secret is configured",
        )
            .into_response();
    };
    let Some(header) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return (StatusCode::BAD_REQUEST, "Stripe-Signature is missing").into_response();
    };
    let now = state.clock().now_unix();
    if let Err(e) = balie_pay::stripe::verify_webhook(header, &body, secret, now) {
        tracing::warn!(error = %e, "Stripe webhook refused");
        return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
    }
    let Ok(event) = serde_json::from_slice::<StripeEvent>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a Stripe event").into_response();
    };
    if event.data.object.object == "checkout.session"
        && event.kind.starts_with("checkout.session.")
        && valid_provider_id(&event.data.object.id)
    {
        notify(&state, "stripe", &event.data.object.id);
    }
    StatusCode::OK.into_response()
}

/// Bancontact's key set as last fetched, and the callbacks believed lately.
#[derive(Default)]
pub(crate) struct JwksCache {
    keys: Mutex<Option<(Instant, balie_pay::bancontact::Jwks)>>,
    last_fetch: Mutex<Option<Instant>>,
    /// The `jti` of each callback believed within [`balie_pay::bancontact::MAX_CALLBACK_AGE`]
    /// (older ones are refused by their time anyway), with when it came.
    seen: Mutex<HashMap<String, Instant>>,
}

/// How long a callback's `jti` is remembered: its age limit and the clock skew allowed.
const JTI_MEMORY: Duration = Duration::from_secs(300 + 60);

const JWKS_FRESH: Duration = Duration::from_secs(12 * 3600);
const JWKS_REFETCH: Duration = Duration::from_secs(60);

impl JwksCache {
    /// Whether the callback `jti` comes for the first time; a copy within [`JTI_MEMORY`]
    /// does not.
    fn first_time(&self, jti: &str) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        seen.retain(|_, at| at.elapsed() < JTI_MEMORY);
        if seen.contains_key(jti) {
            return false;
        }
        seen.insert(jti.to_owned(), Instant::now());
        true
    }

    fn cached(&self) -> Option<balie_pay::bancontact::Jwks> {
        let keys = self.keys.lock().ok()?;
        keys.as_ref()
            .filter(|(at, _)| at.elapsed() < JWKS_FRESH)
            .map(|(_, jwks)| jwks.clone())
    }

    /// Fetches the key set unless that was tried less than a minute ago.
    async fn fetch(&self, url: &str) -> Option<balie_pay::bancontact::Jwks> {
        {
            let mut last = self.last_fetch.lock().ok()?;
            if last.is_some_and(|at| at.elapsed() < JWKS_REFETCH) {
                return None;
            }
            *last = Some(Instant::now());
        }
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .ok()?;
        let response = client.get(url).send().await.ok()?;
        if !response.status().is_success() {
            tracing::warn!(
                status = response.status().as_u16(),
                "Bancontact key set not fetched"
            );
            return None;
        }
        let jwks = balie_pay::bancontact::Jwks::parse(&response.bytes().await.ok()?).ok()?;
        if let Ok(mut keys) = self.keys.lock() {
            *keys = Some((Instant::now(), jwks.clone()));
        }
        Some(jwks)
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BancontactCallback {
    payment_id: String,
}

/// `POST /hooks/bancontact`: a callback signed with Bancontact's key.
pub(crate) async fn bancontact(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    use balie_pay::bancontact::{CallbackError, Expected, verify_callback};
    let Some(profile_id) = state.config().hooks.bancontact_profile_id.clone() else {
        return (
            StatusCode::NOT_FOUND,
            "no Bancontact payment profile is configured",
        )
            .into_response();
    };
    let Some(signature) = headers.get("signature").and_then(|v| v.to_str().ok()) else {
        return (StatusCode::UNAUTHORIZED, "Signature is missing").into_response();
    };
    let callback_url = format!("{}/hooks/bancontact", state.public_url());
    let expected = Expected {
        profile_id: &profile_id,
        callback_url: &callback_url,
    };
    let now = time::OffsetDateTime::from_unix_timestamp(state.clock().now_unix())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let url = state.config().hooks.bancontact_jwks_url.clone();
    let mut jwks = match state.jwks().cached() {
        Some(jwks) => Some(jwks),
        None => state.jwks().fetch(&url).await,
    };
    let mut verdict = match &jwks {
        Some(keys) => verify_callback(signature, &body, keys, &expected, now),
        None => Err(CallbackError::UnknownKey(String::new())),
    };
    if matches!(verdict, Err(CallbackError::UnknownKey(_))) {
        // Bancontact may have rolled its keys: fetch again (at most once a minute).
        jwks = state.jwks().fetch(&url).await;
        if let Some(keys) = &jwks {
            verdict = verify_callback(signature, &body, keys, &expected, now);
        }
    }
    let verified = match verdict {
        Ok(verified) => verified,
        Err(e) => {
            tracing::warn!(error = %e, "Bancontact callback refused");
            return (StatusCode::UNAUTHORIZED, e.to_string()).into_response();
        }
    };
    let Ok(callback) = serde_json::from_slice::<BancontactCallback>(&body) else {
        return (StatusCode::BAD_REQUEST, "not a Bancontact payment callback").into_response();
    };
    // A copy of a callback already believed (a replay, or a retry after our answer was
    // lost) was told already: answered as received, and nothing more.
    if !state.jwks().first_time(&verified.jti) {
        tracing::debug!("Bancontact callback repeated");
        return StatusCode::OK.into_response();
    }
    if valid_provider_id(&callback.payment_id) {
        notify(&state, "bancontact", &callback.payment_id);
    }
    StatusCode::OK.into_response()
}
