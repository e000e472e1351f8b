//! Who is on the other side: the relay as an OpenID Connect relying party.
//!
//! The clerk asks (`POST /api/rooms/{room_id}/identity`); the admitted citizen's page is
//! told on its signaling socket, with a start address per provider that only that socket
//! learns. Each visit to a start address begins a fresh sign-in (authorization code flow
//! with PKCE, `state` and `nonce`) and sends the citizen to the provider in a tab of its
//! own, so the call goes on. The provider sends the citizen back to `/id/callback`; the
//! relay redeems the code once, checks the ID token ([`verify`]) and keeps the identity in
//! memory until the clerk's cockpit reads it (`GET /api/rooms/{room_id}/identity`, told
//! by an [`IdentityHint`]), and at most [`UNREAD_KEPT`]. Nothing of it is written to disk
//! or to a log.

pub mod config;
pub mod keys;
pub mod provider;
pub mod verify;

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::page::{Page, choose_locale, escape, render};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balie_domain::Locale;
use balie_protocol::identity::{
    ConfirmedIdentity, IdentityFailure, IdentityHint, IdentityOutcome, IdentityProvider,
    IdentityStatus,
};
use balie_protocol::signaling::RelayToCitizen;
use provider::{Provider, ProviderError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use verify::Rejected;

/// How long a sign-in may take from the start address to the callback.
pub const SIGN_IN_WITHIN: Duration = Duration::from_secs(10 * 60);

/// How long a confirmed identity nobody read, or a failure, is kept.
pub const UNREAD_KEPT: Duration = Duration::from_secs(15 * 60);

/// How long a question stands (and its start addresses work) unanswered.
pub const ASK_STANDS: Duration = Duration::from_secs(4 * 3600);

/// How many sign-ins one room may have under way at once; a new one beyond this drops
/// the oldest.
pub const SIGN_INS_PER_ROOM: usize = 3;

/// How many sign-ins the relay holds under way in all, and how many rooms with an
/// identity question: bounds on what strangers can make it keep.
pub const MAX_SIGN_INS: usize = 10_000;

/// The relay's identity providers and what is under way.
#[derive(Default)]
pub(crate) struct Identity {
    providers: Vec<Arc<Provider>>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Sign-ins under way, by SHA-256 of their `state`.
    sign_ins: HashMap<[u8; 32], SignIn>,
    /// Each room's question and answer, by room id.
    rooms: HashMap<String, RoomIdentity>,
}

struct SignIn {
    /// When it started, by the relay's clock: the citizen must sign in after this.
    started_unix: i64,
    /// SHA-256 of the secret in the browser's cookie: the answer must come back to the
    /// browser that started the sign-in (RFC 6749 10.12).
    browser_sha256: [u8; 32],
    room_id: String,
    ask_id: String,
    provider: usize,
    nonce: String,
    verifier: String,
    locale: Locale,
    started: Instant,
}

struct RoomIdentity {
    /// The secret part of this question's start addresses.
    ask_id: String,
    /// SHA-256 of the cookies of the browsers the admitted citizen's call page runs in
    /// (`/id/bind`): only they may start a sign-in, so a start address sent to someone
    /// else starts nothing.
    browsers: Vec<[u8; 32]>,
    by_product: bool,
    state: RoomState,
    since: Instant,
}

enum RoomState {
    Asked,
    Confirmed(Box<ConfirmedIdentity>),
    Failed(IdentityFailure),
    HandedOver,
}

impl RoomIdentity {
    fn expired(&self, now: Instant) -> bool {
        // A failure leaves the question standing (the page offers the providers again).
        let kept = match self.state {
            RoomState::Asked | RoomState::HandedOver | RoomState::Failed(_) => ASK_STANDS,
            RoomState::Confirmed(_) => UNREAD_KEPT,
        };
        now.duration_since(self.since) > kept
    }

    fn status(&self) -> IdentityStatus {
        match &self.state {
            RoomState::Asked => IdentityStatus::Asked {
                by_product: self.by_product,
            },
            RoomState::Confirmed(identity) => IdentityStatus::Confirmed {
                identity: (**identity).clone(),
            },
            RoomState::Failed(reason) => IdentityStatus::Failed { reason: *reason },
            RoomState::HandedOver => IdentityStatus::HandedOver,
        }
    }
}

impl Inner {
    /// The room whose question is `ask_id` (compared in constant time), and its identity.
    fn room_of_ask(&self, ask_id: &str) -> Option<(&String, &RoomIdentity)> {
        self.rooms.iter().find(|(_, r)| {
            subtle::ConstantTimeEq::ct_eq(r.ask_id.as_bytes(), ask_id.as_bytes()).into()
        })
    }

    fn sweep(&mut self, now: Instant) {
        self.sign_ins
            .retain(|_, s| now.duration_since(s.started) <= SIGN_IN_WITHIN);
        self.rooms.retain(|_, r| !r.expired(now));
    }
}

impl Identity {
    /// Over the configured providers (none: identity is not offered).
    pub(crate) fn new(providers: Vec<Provider>) -> Self {
        Self {
            providers: providers.into_iter().map(Arc::new).collect(),
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, AppError> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| AppError::Internal("identity lock poisoned".into()))?;
        inner.sweep(Instant::now());
        Ok(inner)
    }

    /// Forgets everything about `room_id` (the conversation ended, or its citizen left:
    /// an identity belongs to one citizen); whether anything was known.
    pub(crate) fn forget_room(&self, room_id: &str) -> bool {
        let Ok(mut inner) = self.inner.lock() else {
            return false;
        };
        inner.sign_ins.retain(|_, s| s.room_id != room_id);
        inner.rooms.remove(room_id).is_some()
    }

    /// The keys the relay signs client assertions with, for `/.well-known/jwks.json`.
    fn public_keys(&self) -> serde_json::Value {
        let mut keys: Vec<&jsonwebtoken::jwk::Jwk> = Vec::new();
        for p in &self.providers {
            if let config::ClientAuth::PrivateKeyJwt(key) = &p.config.client_auth
                && !keys
                    .iter()
                    .any(|k| k.common.key_id == key.public_jwk().common.key_id)
            {
                keys.push(key.public_jwk());
            }
        }
        serde_json::json!({ "keys": keys })
    }
}

/// What the citizen page is told when a question stands: the providers and this
/// question's start addresses.
fn asked_message(state: &AppState, ask_id: &str) -> RelayToCitizen {
    RelayToCitizen::IdentityAsked {
        providers: state
            .identity()
            .providers
            .iter()
            .map(|p| IdentityProvider {
                id: p.config.id.clone(),
                label: p.config.label.clone(),
                start_url: format!("/id/start/{ask_id}/{}", p.config.id),
            })
            .collect(),
    }
}

/// The citizen of `room_id` left (or another was let in): what was asked or confirmed
/// was theirs; it is forgotten and the clerk's cockpit told.
pub(crate) fn citizen_changed(state: &AppState, room_id: &str) {
    if state.identity().forget_room(room_id) {
        hint_clerk(state, room_id);
    }
}

/// The admitted citizen of `room_id` is (back) on the page: if a question stands, it is
/// told again; if nothing was asked yet and the room's product requires identity, the
/// relay asks by itself.
pub(crate) fn citizen_arrived(state: &AppState, room_id: &str) {
    let Ok(inner) = state.identity().lock() else {
        return;
    };
    let known = inner.rooms.get(room_id).map(|r| match r.state {
        RoomState::Asked | RoomState::Failed(_) => Some(r.ask_id.clone()),
        _ => None,
    });
    drop(inner);
    match known {
        Some(Some(ask_id)) => {
            state
                .rooms()
                .tell_citizen(room_id, asked_message(state, &ask_id));
        }
        Some(None) => {}
        None if !state.identity().providers.is_empty() && product_requires(state, room_id) => {
            if let Err(e) = ask(state, room_id, true) {
                tracing::warn!(room_id, error = %e, "identity not asked for the product");
            }
        }
        None => {}
    }
}

/// Whether `room_id` was made for a product that requires identity.
fn product_requires(state: &AppState, room_id: &str) -> bool {
    let required = state.with_db(|db| {
        let Some(product_id) =
            balie_store::relay::room::find_by_id(db, room_id)?.and_then(|r| r.product_id)
        else {
            return Ok(false);
        };
        Ok(balie_store::relay::product::get(db, &product_id)?.is_some_and(|p| p.identity_required))
    });
    required.unwrap_or_else(|e| {
        tracing::warn!(room_id, error = %e, "cannot read the room's product");
        false
    })
}

/// The room `room_id` if it is clerk `clerk_id`'s.
fn own_room(state: &AppState, clerk_id: i64, room_id: &str) -> Result<(), AppError> {
    match state.with_db(|db| balie_store::relay::room::find_by_id(db, room_id))? {
        Some(room) if room.clerk_id == clerk_id => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// Asks the citizen of `room_id` to prove who they are (`by_product`: because the
/// room's product requires it). A question that stands is told again; a new question
/// replaces an answer.
pub(crate) fn ask(
    state: &AppState,
    room_id: &str,
    by_product: bool,
) -> Result<IdentityStatus, AppError> {
    let identity = state.identity();
    if identity.providers.is_empty() {
        return Err(AppError::NotConfigured(
            "no identity provider is configured on the relay".into(),
        ));
    }
    let (ask_id, status) = {
        let mut inner = identity.lock()?;
        if !inner.rooms.contains_key(room_id) && inner.rooms.len() >= MAX_SIGN_INS {
            return Err(AppError::Busy);
        }
        let standing = inner
            .rooms
            .get(room_id)
            .filter(|r| matches!(r.state, RoomState::Asked))
            .map(|r| r.ask_id.clone());
        let ask_id = match standing {
            Some(id) => id,
            None => {
                let id = hex::encode(crate::random_bytes::<16>()?);
                inner.sign_ins.retain(|_, s| s.room_id != room_id);
                inner.rooms.insert(
                    room_id.to_owned(),
                    RoomIdentity {
                        ask_id: id.clone(),
                        browsers: Vec::new(),
                        by_product,
                        state: RoomState::Asked,
                        since: Instant::now(),
                    },
                );
                id
            }
        };
        let status = inner
            .rooms
            .get(room_id)
            .map_or(IdentityStatus::NotAsked, RoomIdentity::status);
        (ask_id, status)
    };
    state
        .rooms()
        .tell_citizen(room_id, asked_message(state, &ask_id));
    if by_product {
        // The clerk did not ask: their cockpit learns it from the relay.
        hint_clerk(state, room_id);
    }
    tracing::info!(room_id, by_product, "identity asked");
    Ok(status)
}

/// `POST /api/rooms/{room_id}/identity`: the clerk asks for the citizen's identity.
pub(crate) async fn ask_route(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    Path(room_id): Path<String>,
) -> Result<(StatusCode, Json<IdentityStatus>), AppError> {
    own_room(&state, clerk.clerk_id, &room_id)?;
    Ok((StatusCode::ACCEPTED, Json(ask(&state, &room_id, false)?)))
}

/// `GET /api/rooms/{room_id}/identity`: where the identity stands. A confirmed identity
/// is handed over in this answer and forgotten by the relay.
pub(crate) async fn status_route(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    Path(room_id): Path<String>,
) -> Result<Json<IdentityStatus>, AppError> {
    own_room(&state, clerk.clerk_id, &room_id)?;
    let mut inner = state.identity().lock()?;
    let Some(room) = inner.rooms.get_mut(&room_id) else {
        return Ok(Json(IdentityStatus::NotAsked));
    };
    let status = room.status();
    if matches!(room.state, RoomState::Confirmed(_)) {
        room.state = RoomState::HandedOver;
        room.since = Instant::now();
        tracing::info!(room_id, "identity handed over to the cockpit");
    }
    Ok(Json(status))
}

/// `GET /.well-known/jwks.json`: the public keys of the relay's client assertions.
pub(crate) async fn jwks_route(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        state.identity().public_keys().to_string(),
    )
        .into_response()
}

/// How many browsers one question may be bound to (a page reloaded, a phone and its
/// tablet): a bound on what a stranger with the resume secret could add.
const BROWSERS_PER_ASK: usize = 4;

/// The call page's proof that it is the admitted citizen's.
#[derive(serde::Deserialize)]
pub(crate) struct BindRequest {
    resume: String,
}

/// `; Secure` for the relay's cookies when citizens reach it over HTTPS.
pub(crate) fn secure_cookie(state: &AppState) -> &'static str {
    if state.public_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// The cookie that binds a browser to a question.
fn bind_cookie_name(ask_id: &str) -> String {
    format!(
        "balie_call_{}",
        &hex::encode(crate::sha256(ask_id.as_bytes()))[..12]
    )
}

/// `POST /id/bind/{ask_id}`: the admitted citizen's call page (it knows the resume
/// secret) binds its browser to the question; the answer sets the cookie the start
/// address asks for.
pub(crate) async fn bind_route(
    State(state): State<AppState>,
    Path(ask_id): Path<String>,
    crate::rooms::ApiJson(request): crate::rooms::ApiJson<BindRequest>,
) -> Result<Response, AppError> {
    let room_id = {
        let inner = state.identity().lock()?;
        inner
            .room_of_ask(&ask_id)
            .map(|(room, _)| room.clone())
            .ok_or(AppError::NotFound)?
    };
    if !state.rooms().is_admitted_citizen(&room_id, &request.resume) {
        return Err(AppError::NotFound);
    }
    let secret = hex::encode(crate::random_bytes::<16>()?);
    {
        let mut inner = state.identity().lock()?;
        let room = inner.rooms.get_mut(&room_id).ok_or(AppError::NotFound)?;
        if room.browsers.len() >= BROWSERS_PER_ASK {
            room.browsers.remove(0);
        }
        room.browsers.push(crate::sha256(secret.as_bytes()));
    }
    let secure = secure_cookie(&state);
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            format!(
                "{}={secret}; Path=/id/start; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
                bind_cookie_name(&ask_id),
                ASK_STANDS.as_secs()
            ),
        )],
    )
        .into_response())
}

/// The `lang` a citizen page passes on.
#[derive(serde::Deserialize)]
pub(crate) struct LangQuery {
    lang: Option<String>,
}

/// `GET /id/start/{ask_id}/{provider}`: a fresh sign-in at the provider for the room
/// whose question `ask_id` is, and off to it.
pub(crate) async fn start_route(
    State(state): State<AppState>,
    Path((ask_id, provider_id)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    let browser = cookie(&headers, &bind_cookie_name(&ask_id)).map(|v| crate::sha256(v.as_bytes()));
    match start(&state, &ask_id, &provider_id, locale, browser).await {
        Ok(Started {
            location,
            cookie_name,
            browser_secret,
        }) => {
            let secure = secure_cookie(&state);
            let max_age = SIGN_IN_WITHIN.as_secs();
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, location),
                    (header::CACHE_CONTROL, "no-store".into()),
                    (
                        header::SET_COOKIE,
                        format!(
                            "{cookie_name}={browser_secret}; Path=/id/callback; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
                        ),
                    ),
                ],
            )
                .into_response()
        }
        Err(Outcome::Failed(IdentityFailure::Expired)) => {
            result_page(&state, locale, StatusCode::GONE, "identity.page.expired")
        }
        Err(outcome) => {
            let key = outcome.page_key();
            result_page(&state, locale, StatusCode::BAD_GATEWAY, key)
        }
    }
}

/// How a sign-in ended, for the page and the room.
enum Outcome {
    Confirmed,
    Failed(IdentityFailure),
}

impl Outcome {
    fn page_key(&self) -> &'static str {
        match self {
            Outcome::Confirmed => "identity.page.confirmed",
            Outcome::Failed(IdentityFailure::Refused) => "identity.page.refused",
            Outcome::Failed(IdentityFailure::Expired) => "identity.page.expired",
            Outcome::Failed(IdentityFailure::LevelTooLow) => "identity.page.level",
            Outcome::Failed(_) => "identity.page.failed",
        }
    }
}

/// A sign-in under way: where to send the browser, and the cookie that binds the answer
/// to it.
struct Started {
    location: String,
    cookie_name: String,
    browser_secret: String,
}

/// The cookie of the sign-in whose `state` is `state_param`: one per sign-in, so two tabs
/// of one browser do not undo each other.
fn cookie_name(state_param: &str) -> String {
    format!(
        "balie_sign_in_{}",
        &hex::encode(crate::sha256(state_param.as_bytes()))[..12]
    )
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

async fn start(
    state: &AppState,
    ask_id: &str,
    provider_id: &str,
    locale: Locale,
    browser: Option<[u8; 32]>,
) -> Result<Started, Outcome> {
    let identity = state.identity();
    let expired = Outcome::Failed(IdentityFailure::Expired);
    let (index, provider) = identity
        .providers
        .iter()
        .enumerate()
        .find(|(_, p)| p.config.id == provider_id)
        .ok_or(Outcome::Failed(IdentityFailure::Expired))?;
    let room_id = {
        let inner = identity
            .lock()
            .map_err(|_| Outcome::Failed(IdentityFailure::ProviderUnavailable))?;
        inner
            .room_of_ask(ask_id)
            .filter(|(_, r)| {
                matches!(r.state, RoomState::Asked | RoomState::Failed(_))
                    // Only from the browser of the call page (see `bind_route`).
                    && browser.is_some_and(|b| r.browsers.contains(&b))
            })
            .map(|(room, _)| room.clone())
            .ok_or(expired)?
    };
    let doc = match provider.discovery().await {
        Ok(doc) => doc,
        Err(e) => {
            tracing::warn!(provider = provider_id, error = %e, "identity provider not reached");
            settle(
                state,
                &room_id,
                ask_id,
                Outcome::Failed(IdentityFailure::ProviderUnavailable),
            );
            return Err(Outcome::Failed(IdentityFailure::ProviderUnavailable));
        }
    };
    let unavailable = || Outcome::Failed(IdentityFailure::ProviderUnavailable);
    let state_param = hex::encode(crate::random_bytes::<32>().map_err(|_| unavailable())?);
    let nonce = hex::encode(crate::random_bytes::<32>().map_err(|_| unavailable())?);
    let (verifier, challenge) = provider::pkce().map_err(|_| unavailable())?;
    let browser_secret = hex::encode(crate::random_bytes::<16>().map_err(|_| unavailable())?);
    {
        let mut inner = identity.lock().map_err(|_| unavailable())?;
        if inner.sign_ins.len() >= MAX_SIGN_INS {
            return Err(unavailable());
        }
        let mut mine: Vec<([u8; 32], Instant)> = inner
            .sign_ins
            .iter()
            .filter(|(_, s)| s.room_id == room_id)
            .map(|(k, s)| (*k, s.started))
            .collect();
        mine.sort_by_key(|(_, at)| *at);
        while mine.len() >= SIGN_INS_PER_ROOM {
            let (oldest, _) = mine.remove(0);
            inner.sign_ins.remove(&oldest);
        }
        inner.sign_ins.insert(
            crate::sha256(state_param.as_bytes()),
            SignIn {
                started_unix: state.clock().now_unix(),
                browser_sha256: crate::sha256(browser_secret.as_bytes()),
                room_id: room_id.clone(),
                ask_id: ask_id.to_owned(),
                provider: index,
                nonce: nonce.clone(),
                verifier,
                locale,
                started: Instant::now(),
            },
        );
    }
    let config = &provider.config;
    let mut url = url::Url::parse(&doc.authorization_endpoint).map_err(|_| unavailable())?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &config.client_id)
            .append_pair("redirect_uri", &redirect_uri(state))
            .append_pair("scope", &config.scopes.join(" "))
            .append_pair("state", &state_param)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            // A fresh sign-in by whoever is at the device now, never a session of the
            // person who used it before (a shared or family device).
            .append_pair("prompt", "login")
            .append_pair("max_age", "0")
            .append_pair("ui_locales", locale.code());
        if config.send_acr_values {
            let acr: Vec<&str> = config.accepted_means().map(|m| m.acr.as_str()).collect();
            q.append_pair("acr_values", &acr.join(" "));
        }
    }
    tracing::info!(room_id, provider = provider_id, "identity sign-in started");
    Ok(Started {
        location: url.into(),
        cookie_name: cookie_name(&state_param),
        browser_secret,
    })
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}/id/callback", state.public_url())
}

/// What the provider sends back (OpenID Connect Core 3.1.2.5 and 3.1.2.6).
#[derive(serde::Deserialize)]
pub(crate) struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    /// The issuer of the answer (RFC 9207), when the provider names it.
    iss: Option<String>,
}

/// `GET /id/callback`: the citizen is back from the provider.
pub(crate) async fn callback_route(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let sign_in = query.state.as_deref().and_then(|s| {
        let key = crate::sha256(s.as_bytes());
        let browser = cookie(&headers, &cookie_name(s)).map(|v| crate::sha256(v.as_bytes()));
        let mut inner = state.identity().lock().ok()?;
        // Only in the browser that started it (an answer sent to another browser, a
        // forged link, is refused and the sign-in stays for its own browser); then taken
        // out: a `state` works once.
        let same_browser = inner.sign_ins.get(&key).is_some_and(|s| {
            browser.is_some_and(|b| {
                subtle::ConstantTimeEq::ct_eq(&b[..], &s.browser_sha256[..]).into()
            })
        });
        if !same_browser {
            return None;
        }
        inner.sign_ins.remove(&key)
    });
    let Some(sign_in) = sign_in else {
        let locale = choose_locale(None, &headers, None);
        tracing::info!("identity callback with an unknown or used state, or from another browser");
        return result_page(&state, locale, StatusCode::GONE, "identity.page.expired");
    };
    let locale = sign_in.locale;
    let outcome = finish(&state, &sign_in, &query).await;
    let key = outcome.page_key();
    let status = match outcome {
        Outcome::Confirmed => StatusCode::OK,
        Outcome::Failed(IdentityFailure::Refused) => StatusCode::OK,
        Outcome::Failed(_) => StatusCode::BAD_GATEWAY,
    };
    settle(&state, &sign_in.room_id, &sign_in.ask_id, outcome);
    let mut page = result_page(&state, locale, status, key);
    if let Some(s) = query.state.as_deref()
        && let Ok(clear) = axum::http::HeaderValue::from_str(&format!(
            "{}=; Path=/id/callback; Max-Age=0; HttpOnly; SameSite=Lax",
            cookie_name(s)
        ))
    {
        page.headers_mut().append(header::SET_COOKIE, clear);
    }
    page
}

/// Redeems the code and checks what comes back; the identity, if confirmed, is put in
/// the room (before [`settle`] tells anyone).
async fn finish(state: &AppState, sign_in: &SignIn, query: &CallbackQuery) -> Outcome {
    let Some(provider) = state.identity().providers.get(sign_in.provider).cloned() else {
        return Outcome::Failed(IdentityFailure::Expired);
    };
    let provider_id = provider.config.id.as_str();
    // RFC 9207: an answer that names its issuer must name the provider the sign-in went to
    // (with several providers, another one's answer is not taken for this one's).
    if query
        .iss
        .as_ref()
        .is_some_and(|iss| *iss != provider.config.issuer)
    {
        tracing::warn!(
            provider = provider_id,
            "identity answer from another issuer"
        );
        return Outcome::Failed(IdentityFailure::Invalid);
    }
    if let Some(error) = &query.error {
        // Only the error code, which the specification fixes; never its description.
        let refused = matches!(
            error.as_str(),
            "access_denied" | "login_required" | "consent_required" | "interaction_required"
        );
        tracing::info!(
            provider = provider_id,
            refused,
            "identity sign-in not completed at the provider"
        );
        return Outcome::Failed(if refused {
            IdentityFailure::Refused
        } else {
            IdentityFailure::ProviderUnavailable
        });
    }
    let Some(code) = query
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 2048)
    else {
        return Outcome::Failed(IdentityFailure::Invalid);
    };
    let expected = verify::Expected {
        provider: &provider.config,
        nonce: &sign_in.nonce,
        now: state.clock().now_unix(),
        signed_in_after: Some(sign_in.started_unix),
    };
    let verified = match provider
        .redeem(code, &sign_in.verifier, &redirect_uri(state), &expected)
        .await
    {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(provider = provider_id, error = %e, "identity not confirmed");
            return Outcome::Failed(match e {
                ProviderError::Unavailable(_) => IdentityFailure::ProviderUnavailable,
                ProviderError::CodeRefused => IdentityFailure::Expired,
                ProviderError::Rejected(Rejected::Level) => IdentityFailure::LevelTooLow,
                ProviderError::Rejected(_) => IdentityFailure::Invalid,
            });
        }
    };
    let person = match verify::person(&verified.claims, &provider.config.claims) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(provider = provider_id, error = %e, "identity not confirmed");
            return Outcome::Failed(IdentityFailure::Invalid);
        }
    };
    let confirmed = ConfirmedIdentity {
        provider: provider.config.id.clone(),
        means: verified.means.name.clone(),
        level: verified.means.level,
        acr: verified.means.acr.clone(),
        given_name: person.given_name,
        family_name: person.family_name,
        birth_date: person.birth_date,
        national_number: person.national_number.map(|n| n.digits()),
        authenticated_at: verified.authenticated_at,
    };
    let placed = state.identity().lock().ok().is_some_and(|mut inner| {
        let placed = match inner.rooms.get_mut(&sign_in.room_id) {
            // Only an open question takes an answer: a confirmation (read or not) is not
            // replaced by another tab's.
            Some(room)
                if room.ask_id == sign_in.ask_id
                    && matches!(room.state, RoomState::Asked | RoomState::Failed(_)) =>
            {
                room.state = RoomState::Confirmed(Box::new(confirmed));
                room.since = Instant::now();
                true
            }
            _ => false,
        };
        if placed {
            inner.sign_ins.retain(|_, s| s.room_id != sign_in.room_id);
        }
        placed
    });
    if placed {
        tracing::info!(
            room_id = sign_in.room_id,
            provider = provider_id,
            "identity confirmed"
        );
        Outcome::Confirmed
    } else {
        // The conversation ended, or the clerk asked anew, meanwhile.
        Outcome::Failed(IdentityFailure::Expired)
    }
}

/// Records a failure in the room (a confirmation is already there), tells the clerk's
/// cockpits and the citizen page.
fn settle(state: &AppState, room_id: &str, ask_id: &str, outcome: Outcome) {
    let told = state.identity().lock().ok().is_some_and(|mut inner| {
        match inner.rooms.get_mut(room_id) {
            Some(room) if room.ask_id == ask_id => {
                if let Outcome::Failed(reason) = outcome {
                    // A confirmation stands over a later failure in another tab.
                    if matches!(room.state, RoomState::Confirmed(_) | RoomState::HandedOver) {
                        return false;
                    }
                    room.state = RoomState::Failed(reason);
                    room.since = Instant::now();
                }
                true
            }
            _ => false,
        }
    });
    if !told {
        return;
    }
    let citizen_outcome = match outcome {
        Outcome::Confirmed => IdentityOutcome::Confirmed,
        Outcome::Failed(IdentityFailure::Refused) => IdentityOutcome::Refused,
        Outcome::Failed(_) => IdentityOutcome::Failed,
    };
    state.rooms().tell_citizen(
        room_id,
        RelayToCitizen::IdentityDone {
            outcome: citizen_outcome,
        },
    );
    if citizen_outcome != IdentityOutcome::Confirmed {
        // The question stands: the page offers the providers again.
        state
            .rooms()
            .tell_citizen(room_id, asked_message(state, ask_id));
    }
    hint_clerk(state, room_id);
}

/// Tells the cockpits of `room_id`'s clerk that its identity changed.
fn hint_clerk(state: &AppState, room_id: &str) {
    match state.with_db(|db| balie_store::relay::room::find_by_id(db, room_id)) {
        Ok(Some(room)) => {
            crate::hooks::identity(
                state,
                room.clerk_id,
                &IdentityHint {
                    identity_in_room: room_id.to_owned(),
                },
            );
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(room_id, error = %e, "cannot find the room's clerk"),
    }
}

/// The page in the provider's tab after the sign-in.
fn result_page(state: &AppState, locale: Locale, status: StatusCode, key: &str) -> Response {
    let t = |k: &str| state.catalogs().text(locale, k).to_owned();
    let main = format!(
        r#"<h1 id="heading">{heading}</h1>
<p>{body}</p>
<p>{back}</p>"#,
        heading = escape(&t(&format!("{key}.heading"))),
        body = escape(&t(&format!("{key}.body"))),
        back = escape(&t("identity.page.back")),
    );
    render(
        state,
        Page {
            languages: false,
            ..Page::front(status, locale, t(&format!("{key}.heading")), main)
        },
    )
}
