//! The relay as an OpenID Connect relying party, against a provider on loopback that
//! follows the specification (authorization code with PKCE, `client_secret_basic`,
//! RS256 ID tokens by `kid`) until told to misbehave in one way. Each way is a test; in
//! none of them does the clerk see "confirmed".

use super::helpers::*;
use super::signaling::{Room, admitted, room};
use super::ws::{Ws, connect};
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balie_protocol::identity::{IdentityFailure, IdentityHint, IdentityOutcome, IdentityStatus};
use balie_protocol::signaling::RelayToCitizen;
use balie_relay::identity::keys::{ClientKey, KeyKind};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const CLIENT_ID: &str = "balie-zonnedorp";
const CLIENT_SECRET: &str = "op-test-secret";
/// A national register number with valid check digits (born 1985-07-30).
const RRN: &str = "85073003328";

/// How the provider misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    WrongSignature,
    UnknownKid,
    AlgNone,
    Hs256WithPublicKey,
    WrongIssuer,
    WrongAudience,
    Expired,
    FutureIat,
    WrongNonce,
    AcrTooLow,
    OldSession,
    MixUp,
    RefusedByCitizen,
    TokenEndpointDown,
    GarbageToken,
    GarbageDiscovery,
}

struct OpState {
    url: String,
    fault: Fault,
    now: i64,
    key: (EncodingKey, String),
    stranger: EncodingKey,
    public_jwk: serde_json::Value,
    /// code → (nonce, PKCE challenge, used)
    codes: Mutex<HashMap<String, (String, String, bool)>>,
    jwks_fetches: AtomicUsize,
    next: AtomicUsize,
}

type Op = Arc<OpState>;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn discovery(State(op): State<Op>) -> Response {
    if op.fault == Fault::GarbageDiscovery {
        return "<html>502 Bad Gateway</html>".into_response();
    }
    axum::Json(serde_json::json!({
        "issuer": op.url,
        "authorization_endpoint": format!("{}/authorize", op.url),
        "token_endpoint": format!("{}/token", op.url),
        "jwks_uri": format!("{}/jwks", op.url),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    }))
    .into_response()
}

async fn jwks(State(op): State<Op>) -> Response {
    op.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    axum::Json(serde_json::json!({ "keys": [op.public_jwk] })).into_response()
}

async fn authorize(State(op): State<Op>, Query(q): Query<HashMap<String, String>>) -> Response {
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(q["scope"].split(' ').any(|s| s == "openid"));
    assert!(q["acr_values"].contains("urn:be:vlaanderen:authmech:itsme"));
    assert!(
        !q["acr_values"].contains("csampassword"),
        "a low means asked"
    );
    assert_eq!(
        q["prompt"], "login",
        "a fresh sign-in, not someone's session"
    );
    assert_eq!(q["max_age"], "0");
    let redirect = &q["redirect_uri"];
    let state = &q["state"];
    if op.fault == Fault::RefusedByCitizen {
        return Redirect::to(&format!("{redirect}?error=access_denied&state={state}"))
            .into_response();
    }
    let code = format!("code-{}", op.next.fetch_add(1, Ordering::SeqCst));
    op.codes.lock().unwrap().insert(
        code.clone(),
        (q["nonce"].clone(), q["code_challenge"].clone(), false),
    );
    // RFC 9207: the answer names its issuer (another one's, for a mix-up).
    let iss = if op.fault == Fault::MixUp {
        "https%3A%2F%2Fevil.example%2Fop".to_owned()
    } else {
        url::form_urlencoded::byte_serialize(op.url.as_bytes()).collect()
    };
    Redirect::to(&format!("{redirect}?code={code}&state={state}&iss={iss}")).into_response()
}

fn invalid_grant() -> Response {
    (
        axum::http::StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({"error": "invalid_grant"})),
    )
        .into_response()
}

async fn token(
    State(op): State<Op>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(basic.as_str()) {
        return (axum::http::StatusCode::UNAUTHORIZED, "invalid_client").into_response();
    }
    if op.fault == Fault::TokenEndpointDown {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "down for maintenance",
        )
            .into_response();
    }
    let Some(code) = form.get("code") else {
        return invalid_grant();
    };
    let nonce = {
        let mut codes = op.codes.lock().unwrap();
        let Some((nonce, challenge, used)) = codes.get_mut(code) else {
            return invalid_grant();
        };
        let verifier = form.get("code_verifier").cloned().unwrap_or_default();
        let computed =
            b64(
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref(),
            );
        if *used || computed != *challenge {
            *used = true;
            return invalid_grant();
        }
        *used = true;
        nonce.clone()
    };
    if op.fault == Fault::GarbageToken {
        return axum::Json(
            serde_json::json!({"id_token": "eyJub3Q.a.jwt", "token_type": "Bearer"}),
        )
        .into_response();
    }
    let now = op.now;
    let mut claims = serde_json::json!({
        "iss": op.url, "aud": CLIENT_ID, "azp": CLIENT_ID, "sub": "acm-subject-1",
        "iat": now, "exp": now + 300, "auth_time": now - 20, "nonce": nonce,
        "acr": "urn:be:vlaanderen:authmech:itsme",
        "given_name": "Dirk", "family_name": "Peeters", "rrn": RRN,
    });
    match op.fault {
        Fault::WrongIssuer => claims["iss"] = "https://evil.example/op".into(),
        Fault::WrongAudience => {
            claims["aud"] = "another-client".into();
            claims["azp"] = "another-client".into();
        }
        Fault::Expired => {
            claims["exp"] = (now - 600).into();
            claims["iat"] = (now - 700).into();
        }
        Fault::FutureIat => claims["iat"] = (now + 3600).into(),
        Fault::WrongNonce => claims["nonce"] = "a-nonce-from-another-sign-in".into(),
        Fault::AcrTooLow => claims["acr"] = "urn:be:vlaanderen:authmech:csampassword".into(),
        Fault::OldSession => claims["auth_time"] = (now - 3600).into(),
        _ => {}
    }
    let (key, kid) = &op.key;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.clone());
    let id_token = match op.fault {
        Fault::WrongSignature => jsonwebtoken::encode(&header, &claims, &op.stranger).unwrap(),
        Fault::UnknownKid => {
            header.kid = Some("a-key-nobody-published".into());
            jsonwebtoken::encode(&header, &claims, &op.stranger).unwrap()
        }
        Fault::AlgNone => format!(
            "{}.{}.",
            b64(br#"{"alg":"none","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes())
        ),
        Fault::Hs256WithPublicKey => {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some(kid.clone());
            let secret = op.public_jwk["n"].as_str().unwrap().as_bytes().to_vec();
            jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(&secret).unwrap()).unwrap()
        }
        _ => jsonwebtoken::encode(&header, &claims, key).unwrap(),
    };
    axum::Json(serde_json::json!({
        "access_token": "at-1", "token_type": "Bearer", "expires_in": 300, "id_token": id_token,
    }))
    .into_response()
}

/// Starts the provider; its issuer is its address.
async fn start_op(fault: Fault) -> Op {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (key, pem) = ClientKey::generate(KeyKind::Rs256).unwrap();
    let (_, stranger_pem) = ClientKey::generate(KeyKind::Rs256).unwrap();
    let op = Arc::new(OpState {
        url,
        fault,
        now: T0,
        key: (
            EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
            key.kid().to_owned(),
        ),
        stranger: EncodingKey::from_rsa_pem(stranger_pem.as_bytes()).unwrap(),
        public_jwk: serde_json::to_value(key.public_jwk()).unwrap(),
        codes: Mutex::default(),
        jwks_fetches: AtomicUsize::new(0),
        next: AtomicUsize::new(1),
    });
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/jwks", get(jwks))
        .with_state(op.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    op
}

/// The relay with `issuer` as its one provider, ACM's preset, `client_secret_basic`.
async fn relay_with(issuer: &str) -> TestRelay {
    let file: balie_relay::identity::config::ProviderFile = toml::from_str(&format!(
        r#"id = "acm"
label = "itsme of eID"
preset = "acm"
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
client_auth = "client_secret_basic"
"#
    ))
    .unwrap();
    let provider = file
        .resolve(|name| (name == "BALIE_OIDC_SECRET_ACM").then(|| CLIENT_SECRET.to_owned()))
        .unwrap();
    spawn_with(|config| config.identity = vec![provider]).await
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A call with the clerk's hint socket open: the clerk asks, the citizen page is told.
struct Call {
    room: Room,
    citizen: Ws,
    _clerk: Ws,
    hints: Ws,
    start_url: String,
    /// The citizen's resume secret.
    resume: String,
    /// The cookie binding the call page's browser to the question (`/id/bind`).
    bind_cookie: String,
}

/// Binds a browser to the question of `start_path` as the call page does, with the
/// citizen's resume secret; the cookie it gets.
async fn bind(relay: &TestRelay, start_path: &str, resume: &str) -> String {
    let ask = start_path.split('/').nth(3).unwrap();
    let bound = relay
        .client
        .post(format!("{}/id/bind/{ask}", relay.url))
        .json(&serde_json::json!({ "resume": resume }))
        .send()
        .await
        .unwrap();
    assert_eq!(bound.status(), 204);
    let cookie = set_cookie(&bound);
    assert!(cookie.starts_with("balie_call_"), "{cookie}");
    cookie
}

async fn call_asked(relay: &TestRelay) -> Call {
    let hints = connect(&format!("{}/ws/hints", relay.ws_url()), Some(&relay.token))
        .await
        .unwrap();
    let room = room(relay).await;
    let (clerk, mut citizen, resume) = admitted(relay, &room).await;
    let asked = relay
        .client
        .post(format!("{}/api/rooms/{}/identity", relay.url, room.id))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let RelayToCitizen::IdentityAsked { providers } = citizen.recv().await else {
        panic!("the citizen page was not asked");
    };
    assert_eq!(providers.len(), 1);
    assert_eq!(providers[0].label, "itsme of eID");
    let bind_cookie = bind(relay, &providers[0].start_url, &resume).await;
    Call {
        start_url: format!("{}{}?lang=nl", relay.url, providers[0].start_url),
        resume,
        bind_cookie,
        room,
        citizen,
        _clerk: clerk,
        hints,
    }
}

/// The `name=value` of the cookie a response sets.
fn set_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Follows the citizen's tab: start → provider → callback; the last page's status and
/// text, the callback's address and the browser's cookie.
async fn sign_in(call: &Call) -> (u16, String, String) {
    let (authorize, cookie) = to_provider(&call.start_url, &call.bind_cookie).await;
    let browser = no_redirects();
    let back = browser.get(&authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let page = browser
        .get(&callback)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = page.status().as_u16();
    (status, page.text().await.unwrap(), callback)
}

/// Opens a start address: where the relay sends the browser, and the cookie it sets.
async fn to_provider(start_url: &str, bind_cookie: &str) -> (String, String) {
    let to_op = no_redirects()
        .get(start_url)
        .header("cookie", bind_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(to_op.status(), 303);
    let cookie = set_cookie(&to_op);
    assert!(cookie.starts_with("balie_sign_in_"), "{cookie}");
    (
        to_op.headers()["location"].to_str().unwrap().to_owned(),
        cookie,
    )
}

async fn status(relay: &TestRelay, room: &Room) -> IdentityStatus {
    relay
        .client
        .get(format!("{}/api/rooms/{}/identity", relay.url, room.id))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Runs one sign-in against a provider with `fault`; asserts the clerk is told it failed
/// for `reason` and never sees a confirmation; gives the provider back.
async fn refused_for(fault: Fault, reason: IdentityFailure) -> Op {
    let op = start_op(fault).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    let (page_status, page, _) = sign_in(&call).await;
    assert!(
        !page.contains("Uw identiteit is bevestigd"),
        "{fault:?}: {page}"
    );
    if fault == Fault::RefusedByCitizen {
        assert_eq!(page_status, 200);
        assert!(page.contains("U hebt het bevestigen gestopt"), "{page}");
    } else {
        assert!(page_status >= 400, "{fault:?}: {page_status}");
    }
    let hint: IdentityHint = call.hints.recv().await;
    assert_eq!(hint.identity_in_room, call.room.id);
    assert_eq!(
        status(&relay, &call.room).await,
        IdentityStatus::Failed { reason },
        "{fault:?}"
    );
    let RelayToCitizen::IdentityDone { outcome } = call.citizen.recv().await else {
        panic!("the citizen page was not told");
    };
    assert_ne!(outcome, IdentityOutcome::Confirmed);
    // The question stands: the page offers the provider again.
    assert!(matches!(
        call.citizen.recv().await,
        RelayToCitizen::IdentityAsked { .. }
    ));
    op
}

#[tokio::test]
async fn a_citizen_signs_in_and_the_clerk_reads_the_identity_once() {
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    assert_eq!(
        status(&relay, &call.room).await,
        IdentityStatus::Asked { by_product: false }
    );
    let (page_status, page, _) = sign_in(&call).await;
    assert_eq!(page_status, 200);
    assert!(page.contains("Uw identiteit is bevestigd"), "{page}");
    assert!(!page.contains("Peeters"), "the tab shows no personal data");
    let hint: IdentityHint = call.hints.recv().await;
    assert_eq!(hint.identity_in_room, call.room.id);
    assert_eq!(
        call.citizen.recv::<RelayToCitizen>().await,
        RelayToCitizen::IdentityDone {
            outcome: IdentityOutcome::Confirmed
        }
    );
    let IdentityStatus::Confirmed { identity } = status(&relay, &call.room).await else {
        panic!("not confirmed");
    };
    assert_eq!(
        (identity.given_name.as_str(), identity.family_name.as_str()),
        ("Dirk", "Peeters")
    );
    assert_eq!(identity.means, "itsme");
    assert_eq!(
        identity.level,
        balie_protocol::identity::AssuranceLevel::High
    );
    assert_eq!(identity.national_number.as_deref(), Some(RRN));
    assert_eq!(identity.birth_date.as_deref(), Some("1985-07-30"));
    assert_eq!(identity.authenticated_at, T0 - 20);
    // Handed over: the relay keeps nothing of it.
    assert_eq!(status(&relay, &call.room).await, IdentityStatus::HandedOver);
    // Another clerk cannot read it.
    let other = relay.add_clerk("other");
    let theirs = relay
        .client
        .get(format!("{}/api/rooms/{}/identity", relay.url, call.room.id))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);
}

#[tokio::test]
async fn a_wrong_signature_is_not_confirmed() {
    refused_for(Fault::WrongSignature, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn an_unknown_kid_is_looked_for_once_a_minute_at_most_and_not_confirmed() {
    let op = refused_for(Fault::UnknownKid, IdentityFailure::Invalid).await;
    // The first sign-in fetched the keys once (nothing cached) and may not again within
    // the minute, however many unknown keys come.
    assert_eq!(op.jwks_fetches.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn alg_none_is_not_confirmed() {
    refused_for(Fault::AlgNone, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn hs256_with_the_public_key_as_secret_is_not_confirmed() {
    refused_for(Fault::Hs256WithPublicKey, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn a_wrong_issuer_is_not_confirmed() {
    refused_for(Fault::WrongIssuer, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn a_wrong_audience_is_not_confirmed() {
    refused_for(Fault::WrongAudience, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn an_expired_id_token_is_not_confirmed() {
    refused_for(Fault::Expired, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn an_id_token_issued_in_the_future_is_not_confirmed() {
    refused_for(Fault::FutureIat, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn a_wrong_nonce_is_not_confirmed() {
    refused_for(Fault::WrongNonce, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn a_means_below_the_level_asked_is_not_confirmed() {
    refused_for(Fault::AcrTooLow, IdentityFailure::LevelTooLow).await;
}

#[tokio::test]
async fn a_citizen_who_stops_at_the_provider_is_told_plainly() {
    refused_for(Fault::RefusedByCitizen, IdentityFailure::Refused).await;
}

#[tokio::test]
async fn a_token_endpoint_that_is_down_is_not_confirmed() {
    refused_for(
        Fault::TokenEndpointDown,
        IdentityFailure::ProviderUnavailable,
    )
    .await;
}

#[tokio::test]
async fn an_id_token_that_is_garbage_is_not_confirmed() {
    refused_for(Fault::GarbageToken, IdentityFailure::Invalid).await;
}

#[tokio::test]
async fn a_provider_that_is_down_or_answers_garbage_is_told_plainly() {
    for issuer in [None, Some(Fault::GarbageDiscovery)] {
        let (relay, _op) = match issuer {
            // Nothing listens there.
            None => (relay_with("http://127.0.0.1:9").await, None),
            Some(fault) => {
                let op = start_op(fault).await;
                (relay_with(&op.url).await, Some(op))
            }
        };
        let mut call = call_asked(&relay).await;
        let page = no_redirects()
            .get(&call.start_url)
            .header("cookie", &call.bind_cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 502);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Het bevestigen is niet gelukt")
        );
        let _: IdentityHint = call.hints.recv().await;
        assert_eq!(
            status(&relay, &call.room).await,
            IdentityStatus::Failed {
                reason: IdentityFailure::ProviderUnavailable
            }
        );
    }
}

#[tokio::test]
async fn a_replayed_state_and_a_code_used_twice_are_not_confirmed() {
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    let (_, _, first_callback) = sign_in(&call).await;
    let _: IdentityHint = call.hints.recv().await;
    assert_eq!(
        call.citizen.recv::<RelayToCitizen>().await,
        RelayToCitizen::IdentityDone {
            outcome: IdentityOutcome::Confirmed
        }
    );
    assert!(matches!(
        status(&relay, &call.room).await,
        IdentityStatus::Confirmed { .. }
    ));

    // The same answer again (a `state` works once), even from the same browser.
    let replay = no_redirects().get(&first_callback).send().await.unwrap();
    assert_eq!(replay.status(), 410);
    assert_eq!(status(&relay, &call.room).await, IdentityStatus::HandedOver);

    // The clerk asks anew; a fresh sign-in's `state` with the first sign-in's code: the
    // provider refuses the code, the relay confirms nothing.
    let asked = relay
        .client
        .post(format!("{}/api/rooms/{}/identity", relay.url, call.room.id))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let RelayToCitizen::IdentityAsked { providers } = call.citizen.recv().await else {
        panic!("not asked again");
    };
    let browser = no_redirects();
    let start = format!("{}{}", relay.url, providers[0].start_url);
    let bound = bind(&relay, &providers[0].start_url, &call.resume).await;
    let (authorize, cookie) = to_provider(&start, &bound).await;
    let authorize = url::Url::parse(&authorize).unwrap();
    let fresh_state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let old_code = url::Url::parse(&first_callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let injected = browser
        .get(format!(
            "{}/id/callback?code={old_code}&state={fresh_state}",
            relay.url
        ))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(injected.status(), 502);
    let _: IdentityHint = call.hints.recv().await;
    assert_eq!(
        status(&relay, &call.room).await,
        IdentityStatus::Failed {
            reason: IdentityFailure::Expired
        }
    );
}

#[tokio::test]
async fn without_a_provider_the_clerk_cannot_ask() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let asked = relay
        .client
        .post(format!("{}/api/rooms/{}/identity", relay.url, room.id))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 409);
    assert_eq!(
        error_body(asked).await.error.code,
        balie_protocol::ErrorCode::NotConfigured
    );
}

/// A browser tab's trip with cookies for the provider: follows redirects from `url` until
/// a page (not a redirect) comes; its status, text and address.
async fn follow(
    browser: &reqwest::Client,
    cookies: &mut Vec<String>,
    mut url: String,
    form: Option<&[(&str, &str)]>,
) -> (u16, String, String) {
    let mut form = form;
    for _ in 0..12 {
        let mut request = match form.take() {
            Some(fields) => browser.post(&url).form(fields),
            None => browser.get(&url),
        };
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        let response = request.send().await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            cookies.push(pair);
        }
        if response.status().is_redirection() {
            let next = response.headers()["location"].to_str().unwrap();
            url = url::Url::parse(&url).unwrap().join(next).unwrap().into();
            continue;
        }
        let status = response.status().as_u16();
        return (status, response.text().await.unwrap(), url);
    }
    panic!("too many redirects");
}

/// Everything the relay logs while `f` runs (its own lines down to `trace`, the rest from
/// `info`), on this test's thread, where its server runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Against a certified provider: the relay authenticates with `private_key_jwt`, the
/// claims come from the user-info endpoint, the means chosen is the `acr`; and none of
/// the citizen's claims reaches the relay's log.
#[tokio::test]
async fn at_a_certified_provider_itsme_confirms_a_password_is_too_weak_and_stopping_is_told() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info,balie_relay=trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("oidc-key.pem");
    let public =
        balie_relay::identity::keys::keygen(&key_file, balie_relay::identity::keys::KeyKind::Rs256)
            .unwrap();
    let op = balie_testkit::oidc::listen();
    let file: balie_relay::identity::config::ProviderFile = toml::from_str(&format!(
        r#"id = "acm"
label = "itsme of eID"
preset = "acm"
issuer = "{}"
client_id = "{CLIENT_ID}"
client_auth = "private_key_jwt"
key_file = "{}"
"#,
        op.issuer(),
        key_file.display()
    ))
    .unwrap();
    let provider = file.resolve(|_| None).unwrap();
    // The provider keeps real time; so does this relay.
    let relay = spawn_with_clock(
        |config| config.identity = vec![provider],
        balie_relay::Clock::system(),
    )
    .await;
    // The relay serves the public key it signs with.
    let served: serde_json::Value = relay
        .client
        .get(format!("{}/.well-known/jwks.json", relay.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public = serde_json::to_value(&public).unwrap();
    assert_eq!(served["keys"][0], public);
    let _op = op.register(CLIENT_ID, &format!("{}/id/callback", relay.url), &public);

    for (means, expected) in [
        (
            "password",
            IdentityStatus::Failed {
                reason: IdentityFailure::LevelTooLow,
            },
        ),
        (
            "abort",
            IdentityStatus::Failed {
                reason: IdentityFailure::Refused,
            },
        ),
        ("itsme", IdentityStatus::NotAsked),
    ] {
        let mut call = call_asked(&relay).await;
        let browser = no_redirects();
        let mut cookies = vec![call.bind_cookie.clone()];
        let (status, page, at) = follow(&browser, &mut cookies, call.start_url.clone(), None).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("testprovider"), "{page}");
        let action = if means == "abort" { "abort" } else { "login" };
        let (status, page, _) = follow(
            &browser,
            &mut cookies,
            format!("{at}/{action}"),
            Some(&[("means", means)]),
        )
        .await;
        let _: IdentityHint = call.hints.recv().await;
        let got = status_of(&relay, &call.room).await;
        if means == "itsme" {
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("Uw identiteit is bevestigd"), "{page}");
            let IdentityStatus::Confirmed { identity } = got else {
                panic!("not confirmed: {got:?}");
            };
            assert_eq!(identity.given_name, "Dirk");
            assert_eq!(identity.family_name, "Peeters");
            assert_eq!(identity.birth_date.as_deref(), Some("1985-07-30"));
            assert_eq!(identity.national_number.as_deref(), Some(RRN));
            assert_eq!(identity.means, "itsme");
            assert_eq!(identity.acr, "urn:be:vlaanderen:authmech:itsme");
        } else {
            assert!(!page.contains("Uw identiteit is bevestigd"), "{page}");
            assert_eq!(got, expected, "{means}");
        }
        let _ = call.citizen.recv::<RelayToCitizen>().await;
    }
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("identity confirmed"),
        "the log is captured: {logged}"
    );
    for secret in ["Dirk", "Peeters", RRN, "85.07.30", "1985-07-30", "code="] {
        assert!(
            !logged.contains(secret),
            "{secret:?} in the relay's log:\n{logged}"
        );
    }
}

async fn status_of(relay: &TestRelay, room: &Room) -> IdentityStatus {
    status(relay, room).await
}

/// A product that requires identity: the relay asks by itself when the citizen of a room
/// made for it is let in, and the clerk sees that the product asked.
#[tokio::test]
async fn a_product_that_requires_identity_is_asked_for_when_its_citizen_is_let_in() {
    use balie_store::relay::{product, room};
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    super::booking::seed(&relay);
    let db = super::booking::open_db(&relay);
    let mut meals = product::get(&db, "sociaal-restaurant").unwrap().unwrap();
    meals.identity_required = true;
    product::put(&db, &meals).unwrap();
    let clerk_id = balie_store::relay::clerk::list(&db)
        .unwrap()
        .into_iter()
        .find(|c| c.name == "tester")
        .unwrap()
        .id;
    let token = balie_domain::JoinToken::from_random_bytes([7; 16]);
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.digest_input());
    let mut digest_bytes = [0u8; 32];
    digest_bytes.copy_from_slice(digest.as_ref());
    room::insert(
        &db,
        &room::Room {
            id: "a1b2c3d4e5f60718".into(),
            clerk_id,
            locale: Some("nl".into()),
            created_at: T0,
            expires_at: T0 + 3600,
            opens_at: None,
            starts_at: None,
            product_id: Some("sociaal-restaurant".into()),
        },
        &digest_bytes,
    )
    .unwrap();
    let room = Room {
        id: "a1b2c3d4e5f60718".into(),
        join_url: format!("{}/j/{}", relay.url, token.to_text()),
    };
    let mut hints = connect(&format!("{}/ws/hints", relay.ws_url()), Some(&relay.token))
        .await
        .unwrap();
    let (_clerk, mut citizen, _) = admitted(&relay, &room).await;
    // The clerk did not ask: their cockpit hears it.
    let hint: IdentityHint = hints.recv().await;
    assert_eq!(hint.identity_in_room, room.id);
    let RelayToCitizen::IdentityAsked { providers } = citizen.recv().await else {
        panic!("the relay did not ask for the product");
    };
    assert_eq!(providers.len(), 1);
    assert_eq!(
        status(&relay, &room).await,
        IdentityStatus::Asked { by_product: true }
    );

    // A room made for no product asks nothing by itself.
    let plain = super::signaling::room(&relay).await;
    let (_clerk, mut citizen, _) = admitted(&relay, &plain).await;
    assert!(
        citizen
            .quiet_for(std::time::Duration::from_millis(300))
            .await
    );
    assert_eq!(status(&relay, &plain).await, IdentityStatus::NotAsked);
}

/// An answer that reaches another browser than the one that started the sign-in (a
/// forged or forwarded link: login CSRF) is refused, and the sign-in stays for its own
/// browser, which still completes it.
#[tokio::test]
async fn an_answer_in_another_browser_is_refused_and_the_sign_in_stays_for_its_own() {
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    let (authorize, cookie) = to_provider(&call.start_url, &call.bind_cookie).await;
    let browser = no_redirects();
    let back = browser.get(&authorize).send().await.unwrap();
    let callback = back.headers()["location"].to_str().unwrap().to_owned();
    let forged = "balie_sign_in_000000000000=forged".to_owned();
    let wrong_value = format!("{cookie}x");
    for other in [None, Some(forged), Some(wrong_value)] {
        let mut request = browser.get(&callback);
        if let Some(c) = &other {
            request = request.header("cookie", c);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), 410, "{other:?}");
        assert!(
            call.hints
                .quiet_for(std::time::Duration::from_millis(200))
                .await
        );
        assert_eq!(
            status(&relay, &call.room).await,
            IdentityStatus::Asked { by_product: false }
        );
    }
    let own = browser
        .get(&callback)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let _: IdentityHint = call.hints.recv().await;
    assert!(matches!(
        status(&relay, &call.room).await,
        IdentityStatus::Confirmed { .. }
    ));
}

#[tokio::test]
async fn a_session_from_before_the_sign_in_is_not_confirmed() {
    refused_for(Fault::OldSession, IdentityFailure::Invalid).await;
}

/// An identity belongs to one citizen: when they leave and another is let in, what was
/// confirmed is forgotten (the cockpit hears it) and nothing stands for the new one.
#[tokio::test]
async fn a_new_citizen_in_the_room_does_not_inherit_the_identity_of_the_one_before() {
    use balie_protocol::signaling::{CitizenMessage, ClerkMessage, RelayToClerk};
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    let (status_code, _, _) = sign_in(&call).await;
    assert_eq!(status_code, 200);
    let _: IdentityHint = call.hints.recv().await;
    assert!(matches!(
        status(&relay, &call.room).await,
        IdentityStatus::Confirmed { .. }
    ));
    call.citizen.send(&CitizenMessage::Leave).await;
    let hint: IdentityHint = call.hints.recv().await;
    assert_eq!(hint.identity_in_room, call.room.id);
    assert_eq!(status(&relay, &call.room).await, IdentityStatus::NotAsked);

    // Someone else comes in with the same link.
    let token = call.room.join_url.rsplit('/').next().unwrap().to_owned();
    let mut next = connect(&format!("{}/ws/citizen/{token}", relay.ws_url()), None)
        .await
        .unwrap();
    next.send(&CitizenMessage::Knock {
        version: balie_protocol::signaling::SIGNALING_VERSION,
        locale: balie_domain::Locale::Nl,
        resume: None,
    })
    .await;
    let clerk = &mut call._clerk;
    let knock_id = loop {
        if let RelayToClerk::Knock { knock_id, .. } = clerk.recv().await {
            break knock_id;
        }
    };
    clerk.send(&ClerkMessage::Admit { knock_id }).await;
    loop {
        if let RelayToCitizen::Admitted { .. } = next.recv().await {
            break;
        }
    }
    assert!(
        next.quiet_for(std::time::Duration::from_millis(300)).await,
        "asked nothing"
    );
    assert_eq!(status(&relay, &call.room).await, IdentityStatus::NotAsked);
    // The first citizen's start address no longer works.
    let stale = no_redirects()
        .get(&call.start_url)
        .header("cookie", &call.bind_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 410);
}

/// One question, one answer: a second sign-in that completes after the first does not
/// replace the identity the clerk already read.
#[tokio::test]
async fn a_second_sign_in_does_not_replace_a_confirmed_identity() {
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    let (first, first_cookie) = to_provider(&call.start_url, &call.bind_cookie).await;
    let (second, second_cookie) = to_provider(&call.start_url, &call.bind_cookie).await;
    let browser = no_redirects();
    let mut callbacks = Vec::new();
    for authorize in [&first, &second] {
        let back = browser.get(authorize).send().await.unwrap();
        callbacks.push(back.headers()["location"].to_str().unwrap().to_owned());
    }
    let done = browser
        .get(&callbacks[0])
        .header("cookie", first_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let _: IdentityHint = call.hints.recv().await;
    assert!(matches!(
        status(&relay, &call.room).await,
        IdentityStatus::Confirmed { .. }
    ));
    let late = browser
        .get(&callbacks[1])
        .header("cookie", second_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        late.status(),
        410,
        "the confirmation took the other sign-ins with it"
    );
    assert!(
        call.hints
            .quiet_for(std::time::Duration::from_millis(200))
            .await
    );
    assert_eq!(status(&relay, &call.room).await, IdentityStatus::HandedOver);
}

/// A start address sent to someone else (the call's citizen forwards it: "your
/// municipality asks you to confirm") starts nothing: only the browser of the admitted
/// citizen's call page, bound with the resume secret, can; and binding needs that secret.
#[tokio::test]
async fn a_start_address_opened_in_another_browser_starts_nothing() {
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let mut call = call_asked(&relay).await;
    for cookie in [None, Some("balie_call_000000000000=forged".to_owned())] {
        let mut request = no_redirects().get(&call.start_url);
        if let Some(c) = &cookie {
            request = request.header("cookie", c);
        }
        let page = request.send().await.unwrap();
        assert_eq!(page.status(), 410, "{cookie:?}");
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Deze aanmelding is verlopen")
        );
    }
    let ask = call.start_url.split('/').nth(5).unwrap().to_owned();
    let stranger = relay
        .client
        .post(format!("{}/id/bind/{ask}", relay.url))
        .json(&serde_json::json!({ "resume": "not-the-citizens-secret" }))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 404);
    assert!(
        op.codes.lock().unwrap().is_empty(),
        "no sign-in reached the provider"
    );
    assert!(
        call.hints
            .quiet_for(std::time::Duration::from_millis(200))
            .await
    );
    assert_eq!(
        status(&relay, &call.room).await,
        IdentityStatus::Asked { by_product: false }
    );
}

/// What a stranger can make the sign-in routes do is bounded per address: beyond a
/// burst, 429 before any lookup.
#[tokio::test]
async fn the_sign_in_routes_are_rated_per_address() {
    let op = start_op(Fault::None).await;
    let relay = relay_with(&op.url).await;
    let browser = no_redirects();
    let mut statuses = Vec::new();
    for i in 0..(balie_relay::limits::SIGN_INS_BURST + 5) {
        let answer = browser
            .get(format!("{}/id/callback?state=guess{i}&code=x", relay.url))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert!(statuses.iter().take(10).all(|s| *s == 410), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
}

/// RFC 9207: an answer that names another issuer than the provider the sign-in went to is
/// not taken (a mix-up between providers).
#[tokio::test]
async fn an_answer_naming_another_issuer_is_not_confirmed() {
    refused_for(Fault::MixUp, IdentityFailure::Invalid).await;
}
