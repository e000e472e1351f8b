//! A local Mollie for the payment tests: Payments API v2 as Mollie's documentation writes
//! it (mode from the key, the amount as a decimal string, idempotency keys, problem
//! bodies), and faults a test can switch on: another amount, a slow create, an answer that
//! comes late, 429, 5xx, garbage, an answer lost after the payment was made. For the
//! benchmarks it can also answer every question after a delay (the way to Mollie and back)
//! and call the payment's `webhookUrl` after a delay once it is paid, as Mollie does: a
//! form POST with only `id=tr_…`. The cockpit is pointed at it with `BALIE_MOLLIE_API_URL`
//! (or `CockpitConfig::provider_hosts`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake does wrong, when told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 1`.
    RateLimited,
    /// 503.
    Unavailable,
    /// 200 with a body that is not a payment.
    Garbage,
    /// Makes the payment, then answers 502 (the answer is lost on the way).
    LostAnswer,
    /// Answers after a minute: longer than any client waits.
    Timeout,
}

impl Fault {
    /// The fault in a few words, for the fault matrix.
    pub fn describe(self) -> &'static str {
        match self {
            Fault::RateLimited => "429 Too Many Requests",
            Fault::Unavailable => "503 Service Unavailable",
            Fault::Garbage => "200 with garbage",
            Fault::LostAnswer => "502 after making the payment",
            Fault::Timeout => "nothing (timeout)",
        }
    }
}

/// The fake's state: what it holds and the faults switched on.
#[derive(Default)]
pub struct FakeMollie {
    /// Payment id → the payment as Mollie would answer it.
    pub payments: Mutex<HashMap<String, Value>>,
    /// Idempotency key → payment id, as Mollie keeps them.
    pub keys: Mutex<HashMap<String, String>>,
    /// The amount every create answers with instead of the one asked, when set.
    pub create_amount: Mutex<Option<String>>,
    /// Ids of the payments the client cancelled.
    pub cancelled: Mutex<Vec<String>>,
    /// How long a create takes before the payment is made.
    pub create_delay: Mutex<Duration>,
    /// How long the answer to a create takes after the payment was made (a client that
    /// gives up or dies meanwhile never hears of it).
    pub answer_delay: Mutex<Duration>,
    /// A fault for every question about a payment (`GET`), while set.
    pub read_fault: Mutex<Option<Fault>>,
    /// A fault for the next create only.
    pub create_fault: Mutex<Option<Fault>>,
    /// Creates that reached the fake (answered or not).
    pub creates: Mutex<u32>,
    /// How long every question about a payment (`GET`) takes to be answered.
    pub read_delay: Mutex<Duration>,
    /// When set, [`FakeMollie::pay`] calls the payment's `webhookUrl` this long after the
    /// payment was paid (Mollie promises no delivery time).
    pub webhook_delay: Mutex<Option<Duration>>,
}

/// The fake's state, shared by the server and the test.
pub type Shared = Arc<FakeMollie>;

/// Mollie's mode follows the key: `test_…` makes test payments, `live_…` real ones.
fn mode(headers: &HeaderMap) -> Option<&'static str> {
    let auth = headers.get("authorization")?.to_str().ok()?;
    if auth.starts_with("Bearer test_") {
        Some("test")
    } else if auth.starts_with("Bearer live_") {
        Some("live")
    } else {
        None
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "status": 404, "title": "Not Found", "detail": "No payment exists with token tr_x." })),
    )
        .into_response()
}

fn fault_answer(fault: Fault) -> Response {
    match fault {
        Fault::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            Json(json!({ "status": 429, "title": "Too Many Requests", "detail": "You have exceeded the rate limit." })),
        )
            .into_response(),
        Fault::Unavailable => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Fault::Garbage => (StatusCode::OK, "<html>upstream error</html>").into_response(),
        Fault::LostAnswer => StatusCode::BAD_GATEWAY.into_response(),
        // Only after the wait (see `read`), which no client sits out.
        Fault::Timeout => StatusCode::GATEWAY_TIMEOUT.into_response(),
    }
}

async fn create(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(mode) = mode(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    *fake.creates.lock().unwrap() += 1;
    let delay = *fake.create_delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    let fault = fake.create_fault.lock().unwrap().take();
    if let Some(fault) = fault
        && fault != Fault::LostAnswer
    {
        return fault_answer(fault);
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let payment = made(&fake, key, &body, mode);
    if fault == Some(Fault::LostAnswer) {
        return fault_answer(Fault::LostAnswer);
    }
    let answer_delay = *fake.answer_delay.lock().unwrap();
    tokio::time::sleep(answer_delay).await;
    (StatusCode::CREATED, Json(payment)).into_response()
}

/// The payment made for `body` (or the one made before with idempotency `key`).
fn made(fake: &FakeMollie, key: Option<String>, body: &Value, mode: &str) -> Value {
    let mut payments = fake.payments.lock().unwrap();
    let known = key
        .as_ref()
        .and_then(|k| fake.keys.lock().unwrap().get(k).cloned());
    match known {
        Some(id) => payments[&id].clone(),
        None => {
            let id = format!("tr_Fake{}", payments.len() + 1);
            let mut amount = body["amount"].clone();
            if let Some(other) = fake.create_amount.lock().unwrap().clone() {
                amount["value"] = other.into();
            }
            let mut payment = json!({
                "resource": "payment", "id": id, "mode": mode, "amount": amount,
                "description": body["description"], "status": "open",
                "expiresAt": "2026-12-02T11:00:00+00:00",
                "_links": { "checkout": { "href": format!("https://www.mollie.com/checkout/select-method/{id}"), "type": "text/html" } }
            });
            if let Some(webhook) = body["webhookUrl"].as_str() {
                payment["webhookUrl"] = webhook.into();
            }
            payments.insert(id.clone(), payment.clone());
            if let Some(key) = key {
                fake.keys.lock().unwrap().insert(key, id);
            }
            payment
        }
    }
}

async fn read(State(fake): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if mode(&headers).is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let delay = *fake.read_delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    let fault = *fake.read_fault.lock().unwrap();
    if fault == Some(Fault::Timeout) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    if let Some(fault) = fault {
        return fault_answer(fault);
    }
    match fake.payments.lock().unwrap().get(&id) {
        Some(p) => Json(p.clone()).into_response(),
        None => not_found(),
    }
}

async fn cancel(State(fake): State<Shared>, Path(id): Path<String>) -> Response {
    fake.cancelled.lock().unwrap().push(id.clone());
    match fake.payments.lock().unwrap().get_mut(&id) {
        Some(p) => {
            p["status"] = "canceled".into();
            Json(p.clone()).into_response()
        }
        None => not_found(),
    }
}

/// Starts the fake on a free loopback port: its base URL and its state.
pub async fn fake_mollie() -> (String, Shared) {
    let fake = Shared::default();
    let app = axum::Router::new()
        .route("/v2/payments", post(create))
        .route("/v2/payments/{id}", get(read).delete(cancel))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, fake)
}

impl FakeMollie {
    /// The payer pays payment `id` (the provider's). With a [`FakeMollie::webhook_delay`]
    /// and a `webhookUrl` on the payment, its webhook is called that long after (needs a
    /// Tokio runtime); the answer to that call is not looked at, as Mollie only retries.
    pub fn pay(&self, id: &str) {
        let webhook = {
            let mut payments = self.payments.lock().unwrap();
            let payment = payments.get_mut(id).unwrap();
            payment["status"] = "paid".into();
            payment["webhookUrl"].as_str().map(str::to_owned)
        };
        let delay = *self.webhook_delay.lock().unwrap();
        if let (Some(url), Some(delay)) = (webhook, delay) {
            let form = [("id", id.to_owned())];
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = reqwest::Client::new()
                    .post(url)
                    .header("user-agent", "Mollie HTTP client/1.0")
                    .form(&form)
                    .send()
                    .await;
            });
        }
    }
}
