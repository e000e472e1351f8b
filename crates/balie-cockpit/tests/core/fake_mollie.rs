//! A local Mollie for the core's payment tests: Payments API v2 as Mollie's documentation
//! writes it (mode from the key, the amount as a decimal string, idempotency keys, problem
//! bodies), and faults a test can switch on: another amount, a slow create, 429, 5xx,
//! garbage, an answer lost after the payment was made.

use super::*;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balie_cockpit::payments::{PaymentRequest, PaymentView, ProviderName};
use balie_domain::PaymentStatus;
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
}

#[derive(Default)]
pub struct FakeMollie {
    pub payments: Mutex<HashMap<String, Value>>,
    /// Idempotency key → payment id, as Mollie keeps them.
    pub keys: Mutex<HashMap<String, String>>,
    /// The amount every create answers with instead of the one asked, when set.
    pub create_amount: Mutex<Option<String>>,
    pub cancelled: Mutex<Vec<String>>,
    /// How long a create takes.
    pub create_delay: Mutex<Duration>,
    /// A fault for every question about a payment (`GET`), while set.
    pub read_fault: Mutex<Option<Fault>>,
    /// A fault for the next create only.
    pub create_fault: Mutex<Option<Fault>>,
    /// Creates that reached the fake (answered or not).
    pub creates: Mutex<u32>,
}

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
    let mut payments = fake.payments.lock().unwrap();
    let known = key
        .as_ref()
        .and_then(|k| fake.keys.lock().unwrap().get(k).cloned());
    let payment = match known {
        Some(id) => payments[&id].clone(),
        None => {
            let id = format!("tr_Fake{}", payments.len() + 1);
            let mut amount = body["amount"].clone();
            if let Some(other) = fake.create_amount.lock().unwrap().clone() {
                amount["value"] = other.into();
            }
            let payment = json!({
                "resource": "payment", "id": id, "mode": mode, "amount": amount,
                "description": body["description"], "status": "open",
                "expiresAt": "2026-12-02T11:00:00+00:00",
                "_links": { "checkout": { "href": format!("https://www.mollie.com/checkout/select-method/{id}"), "type": "text/html" } }
            });
            payments.insert(id.clone(), payment.clone());
            if let Some(key) = key {
                fake.keys.lock().unwrap().insert(key, id);
            }
            payment
        }
    };
    if fault == Some(Fault::LostAnswer) {
        return fault_answer(Fault::LostAnswer);
    }
    (StatusCode::CREATED, Json(payment)).into_response()
}

async fn read(State(fake): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if mode(&headers).is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let fault = *fake.read_fault.lock().unwrap();
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
    /// The payer pays payment `id` (the provider's).
    pub fn pay(&self, id: &str) {
        self.payments.lock().unwrap().get_mut(id).unwrap()["status"] = "paid".into();
    }
}

pub fn mollie(amount: &str) -> PaymentRequest {
    PaymentRequest {
        amount: amount.into(),
        description: "Huur feestzaal 14/12".into(),
        provider: ProviderName::Mollie,
    }
}

pub async fn start(name: &str, mollie_url: &str) -> (tempfile::TempDir, String, Cockpit) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.{name}.{}", std::process::id());
    let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
    config.provider_hosts.mollie = mollie_url.to_owned();
    let cockpit = Cockpit::start(config).await.unwrap();
    (data, service, cockpit)
}

pub fn audit(data: &tempfile::TempDir, id: &str) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(data.path().join("cockpit.sqlite3")).unwrap();
    balie_store::cockpit::payment::audit_trail(&conn, id)
        .unwrap()
        .into_iter()
        .map(|(_, _, action, detail)| (action, detail))
        .collect()
}

pub async fn becomes(
    changes: &mut tokio::sync::broadcast::Receiver<PaymentView>,
    id: &str,
    status: PaymentStatus,
) -> PaymentView {
    // Outside a live call the first question comes after 5 s.
    tokio::time::timeout(Duration::from_secs(12), async {
        loop {
            let view = changes.recv().await.unwrap();
            if view.id == id && view.status == status {
                return view;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("payment {id} did not become {status:?}"))
}
