//! The Stripe client against a local Stripe answering as its Checkout Sessions reference:
//! form-encoded create (200), retrieve, expire, `{"error": {…}}` bodies, 401 for a wrong
//! key, the same `Idempotency-Key` answering the same session.

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balie_domain::{Locale, Money, PaymentMode, PaymentStatus};
use balie_pay::stripe::Stripe;
use balie_pay::{NewPayment, PayError, Provider};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "sk_test_51Hbalie0000000000000000";

#[derive(Default)]
struct Fake {
    sessions: Mutex<HashMap<String, Value>>,
    keys: Mutex<HashMap<String, String>>,
    forms: Mutex<Vec<HashMap<String, String>>>,
}

type Shared = Arc<Fake>;

fn error(status: StatusCode, kind: &str, message: &str, param: Option<&str>) -> Response {
    (
        status,
        Json(json!({ "error": { "type": kind, "message": message, "param": param } })),
    )
        .into_response()
}

/// `None` when the key is right, else Stripe's 401 answer.
fn refused(headers: &HeaderMap) -> Option<Response> {
    let right = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {KEY}"));
    (!right).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "Invalid API Key provided: sk_test_****",
            None,
        )
    })
}

async fn create(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(response) = refused(&headers) {
        return response;
    }
    fake.forms.lock().unwrap().push(form.clone());
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = key
        .as_ref()
        .and_then(|k| fake.keys.lock().unwrap().get(k).cloned())
    {
        return Json(fake.sessions.lock().unwrap()[&id].clone()).into_response();
    }
    let Some(amount) = form
        .get("line_items[0][price_data][unit_amount]")
        .and_then(|a| a.parse::<u64>().ok())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "Invalid integer",
            Some("line_items[0][price_data][unit_amount]"),
        );
    };
    let mut sessions = fake.sessions.lock().unwrap();
    let id = format!("cs_test_a1{}", sessions.len());
    let session = json!({
        "id": id, "object": "checkout.session", "amount_total": amount, "currency": "eur",
        "mode": "payment", "status": "open", "payment_status": "unpaid",
        "url": format!("https://checkout.stripe.com/c/pay/{id}"), "expires_at": 1_795_003_600,
        "client_reference_id": form.get("client_reference_id"), "livemode": false
    });
    sessions.insert(id.clone(), session.clone());
    if let Some(key) = key {
        fake.keys.lock().unwrap().insert(key, id);
    }
    Json(session).into_response()
}

async fn retrieve(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = refused(&headers) {
        return response;
    }
    match fake.sessions.lock().unwrap().get(&id) {
        Some(session) => Json(session.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            &format!("No such checkout.session: '{id}'"),
            Some("session"),
        ),
    }
}

async fn expire(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(response) = refused(&headers) {
        return response;
    }
    let mut sessions = fake.sessions.lock().unwrap();
    let Some(session) = sessions.get_mut(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "No such checkout.session",
            Some("session"),
        );
    };
    if session["status"] != "open" {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "Only Checkout Sessions with a status of `open` can be expired.",
            None,
        );
    }
    session["status"] = "expired".into();
    Json(session.clone()).into_response()
}

async fn fake_stripe() -> (String, Shared) {
    let fake = Shared::default();
    let app = axum::Router::new()
        .route("/v1/checkout/sessions", post(create))
        .route("/v1/checkout/sessions/{id}", get(retrieve))
        .route("/v1/checkout/sessions/{id}/expire", post(expire))
        .with_state(fake.clone());
    (super::serve(app).await, fake)
}

fn client(url: &str, key: &str) -> Stripe {
    Stripe::new(url, SecretString::from(key), Duration::from_secs(2)).unwrap()
}

fn request(amount: &str, key: &str) -> NewPayment {
    NewPayment {
        amount: Money::parse(amount).unwrap(),
        description: "Maaltijdabonnement sociaal restaurant, december".into(),
        redirect_url: "https://balie.zonnedorp.be/j/abc/betaald".into(),
        webhook_url: None,
        locale: Locale::Fr,
        idempotency_key: key.into(),
    }
}

#[tokio::test]
async fn a_checkout_session_is_made_read_back_and_cancelled() {
    let (url, fake) = fake_stripe().await;
    let stripe = client(&url, KEY);
    assert!(stripe.is_test_mode());
    let created = stripe.create(&request("€ 38,00", "k-1")).await.unwrap();
    // What the provider holds, read from its answer (issue 12): compared with the request
    // before anything counts, and the mode recorded with the payment.
    assert_eq!(
        (created.amount, created.currency.as_deref(), created.mode),
        (
            Some(Money::from_cents(3800)),
            Some("EUR"),
            Some(PaymentMode::Test)
        )
    );
    assert_eq!(created.status, PaymentStatus::Open);
    assert!(
        created
            .checkout_url
            .as_deref()
            .unwrap()
            .starts_with("https://checkout.stripe.com/")
    );
    assert_eq!(created.expires_at.as_deref(), Some("2026-11-18T12:06:40Z"));
    let form = fake.forms.lock().unwrap()[0].clone();
    assert_eq!(form["line_items[0][price_data][unit_amount]"], "3800");
    assert_eq!(form["line_items[0][price_data][currency]"], "eur");
    assert_eq!(form["locale"], "fr");
    assert_eq!(form["mode"], "payment");
    // The same key: the same session.
    assert_eq!(
        stripe.create(&request("€ 38,00", "k-1")).await.unwrap().id,
        created.id
    );
    assert_eq!(fake.sessions.lock().unwrap().len(), 1);

    fake.sessions.lock().unwrap().get_mut(&created.id).unwrap()["payment_status"] = "paid".into();
    fake.sessions.lock().unwrap().get_mut(&created.id).unwrap()["status"] = "complete".into();
    assert_eq!(
        stripe.get(&created.id).await.unwrap().status,
        PaymentStatus::Paid
    );

    let other = stripe.create(&request("5", "k-2")).await.unwrap();
    assert_eq!(
        stripe.cancel(&other.id).await.unwrap().status,
        PaymentStatus::Canceled
    );
    assert_eq!(
        stripe.cancel(&other.id).await.unwrap_err(),
        PayError::Refused {
            status: 400,
            detail: "Only Checkout Sessions with a status of `open` can be expired.".into(),
            field: None
        }
    );
}

#[tokio::test]
async fn limits_keys_and_unknown_sessions() {
    let (url, fake) = fake_stripe().await;
    let stripe = client(&url, KEY);
    assert_eq!(
        stripe.create(&request("0,49", "k")).await.unwrap_err(),
        PayError::AmountTooSmall {
            min: Money::from_cents(50)
        }
    );
    assert!(fake.forms.lock().unwrap().is_empty());
    assert_eq!(
        client(&url, "sk_test_wrong")
            .create(&request("5", "k"))
            .await
            .unwrap_err(),
        PayError::Unauthorized { status: 401 }
    );
    assert_eq!(
        stripe.get("cs_test_nothere").await.unwrap_err(),
        PayError::NotFound
    );
    assert_eq!(
        stripe.get("cs_../v1/charges").await.unwrap_err(),
        PayError::NotFound
    );
    assert!(!format!("{stripe:?}").contains(KEY));
}
