//! The Bancontact Pay client against a local Bancontact Pay answering as its merchant API
//! v3 reference: `POST /v3/payments` (201), `GET` (200), `DELETE` (204, or 422
//! `PAYMENT_NOT_PENDING`), 401 for a wrong key.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balie_domain::{Locale, Money, PaymentMode, PaymentStatus};
use balie_pay::bancontact::BancontactPay;
use balie_pay::{NewPayment, PayError, Provider};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "c1b6a4f5-8a2e-4a9f-9d6e-2b7f0c3e5a11";
const CALLBACK: &str = "https://balie.zonnedorp.be/hooks/bancontact";

#[derive(Default)]
struct Fake {
    payments: Mutex<HashMap<String, Value>>,
    bodies: Mutex<Vec<Value>>,
}

type Shared = Arc<Fake>;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "code": code, "message": message, "traceId": "4f8a", "spanId": "9c1d" })),
    )
        .into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {KEY}"))
}

async fn create(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid API key.");
    }
    fake.bodies.lock().unwrap().push(body.clone());
    if !body["amount"].is_u64() || body["currency"] != "EUR" {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_AMOUNT",
            "Amount is invalid.",
        );
    }
    let mut payments = fake.payments.lock().unwrap();
    let id = format!("5bdb1685b93d1c000bde96{:02}", payments.len());
    let link = |rel: &str| json!({ "href": format!("https://merchant.api.preprod.bancontact.net/v3/payments/{id}/{rel}") });
    let payment = json!({
        "paymentId": id,
        "status": "PENDING",
        "createdAt": "2026-11-29T10:00:00.000Z",
        "expiresAt": "2026-11-29T10:20:00.000Z",
        "description": body["description"],
        "reference": body["reference"],
        "amount": body["amount"],
        "currency": "EUR",
        "creditor": { "profileId": "5fxxxxxxxxxxxxxxxxxxxxxx", "merchantId": "5fyyy", "name": "Gemeente Zonnedorp", "iban": "BE71096123456769", "callbackUrl": body["callbackUrl"] },
        "_links": {
            "self": link(""),
            "deeplink": { "href": format!("https://pay.bancontact.net/pay/2/{id}") },
            "qrcode": { "href": format!("https://qrcodegenerator.api.preprod.bancontact.net/qrcode?c=https%3A%2F%2Fpay.bancontact.net%2Fpay%2F2%2F{id}") },
            "cancel": link(""),
            "checkout": { "href": format!("https://checkout.preprod.bancontact.net/v3/checkout?token={id}") }
        }
    });
    payments.insert(id, payment.clone());
    (StatusCode::CREATED, Json(payment)).into_response()
}

async fn read(State(fake): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid API key.");
    }
    match fake.payments.lock().unwrap().get(&id) {
        Some(payment) => (StatusCode::OK, Json(payment.clone())).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "PAYMENT_NOT_FOUND",
            "Payment not found.",
        ),
    }
}

async fn cancel(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers) {
        return error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Invalid API key.");
    }
    let mut payments = fake.payments.lock().unwrap();
    let Some(payment) = payments.get_mut(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "PAYMENT_NOT_FOUND",
            "Payment not found.",
        );
    };
    if !matches!(payment["status"].as_str(), Some("PENDING" | "IDENTIFIED")) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "PAYMENT_NOT_PENDING",
            "Payment is not pending.",
        );
    }
    payment["status"] = "CANCELLED".into();
    StatusCode::NO_CONTENT.into_response()
}

async fn fake_bancontact() -> (String, Shared) {
    let fake = Shared::default();
    let app = axum::Router::new()
        .route("/v3/payments", post(create))
        .route("/v3/payments/{id}", get(read).delete(cancel))
        .with_state(fake.clone());
    (super::serve(app).await, fake)
}

fn client(url: &str, key: &str) -> BancontactPay {
    BancontactPay::new(
        url,
        SecretString::from(key),
        Some(CALLBACK),
        Duration::from_secs(2),
    )
    .unwrap()
}

fn request(amount: &str) -> NewPayment {
    NewPayment {
        amount: Money::parse(amount).unwrap(),
        description: "Verkeersborden opendeurdag garage Peeters".into(),
        redirect_url: "https://balie.zonnedorp.be/j/abc/betaald".into(),
        webhook_url: None,
        locale: Locale::Nl,
        idempotency_key: "pay-01JDZ8Q7".into(),
    }
}

#[tokio::test]
async fn a_payment_is_made_in_cents_read_back_and_cancelled_once() {
    let (url, fake) = fake_bancontact().await;
    let bancontact = client(&url, KEY);
    let created = bancontact.create(&request("€ 86,40")).await.unwrap();
    // What the provider holds, read from its answer (issue 12): compared with the request
    // before anything counts, and the mode recorded with the payment.
    assert_eq!(
        (created.amount, created.currency.as_deref(), created.mode),
        (
            Some(Money::from_cents(8640)),
            Some("EUR"),
            Some(PaymentMode::Test)
        )
    );
    assert_eq!(
        (created.status, created.provider_status.as_str()),
        (PaymentStatus::Open, "PENDING")
    );
    assert!(
        created
            .checkout_url
            .as_deref()
            .unwrap()
            .starts_with("https://checkout.preprod.bancontact.net/")
    );
    let body = fake.bodies.lock().unwrap()[0].clone();
    assert_eq!(body["amount"], 8640, "integer cents");
    assert_eq!(body["currency"], "EUR");
    assert_eq!(body["reference"], "pay-01JDZ8Q7");
    assert_eq!(body["callbackUrl"], CALLBACK);

    fake.payments.lock().unwrap().get_mut(&created.id).unwrap()["status"] = "IDENTIFIED".into();
    assert_eq!(
        bancontact.get(&created.id).await.unwrap().status,
        PaymentStatus::Open
    );
    assert_eq!(
        bancontact.cancel(&created.id).await.unwrap().status,
        PaymentStatus::Canceled
    );
    assert_eq!(
        bancontact.cancel(&created.id).await.unwrap_err(),
        PayError::Refused {
            status: 422,
            detail: "Payment is not pending.".into(),
            field: None
        }
    );
    fake.payments.lock().unwrap().get_mut(&created.id).unwrap()["status"] = "SUCCEEDED".into();
    assert_eq!(
        bancontact.get(&created.id).await.unwrap().status,
        PaymentStatus::Paid
    );
}

#[tokio::test]
async fn limits_keys_and_ids_are_checked() {
    let (url, fake) = fake_bancontact().await;
    let bancontact = client(&url, KEY);
    assert_eq!(
        bancontact.create(&request("1500,01")).await.unwrap_err(),
        PayError::AmountTooLarge {
            max: Money::from_cents(150_000)
        }
    );
    let mut long = request("10");
    long.description = "x".repeat(141);
    assert_eq!(
        bancontact.create(&long).await.unwrap_err(),
        PayError::DescriptionTooLong { max: 140 }
    );
    assert!(
        fake.bodies.lock().unwrap().is_empty(),
        "nothing reached Bancontact"
    );
    assert_eq!(
        client(&url, "wrong")
            .create(&request("10"))
            .await
            .unwrap_err(),
        PayError::Unauthorized { status: 401 }
    );
    assert_eq!(
        bancontact
            .get("5bdb1685b93d1c000bde9699")
            .await
            .unwrap_err(),
        PayError::NotFound
    );
    assert_eq!(
        bancontact.get("../v3/payments").await.unwrap_err(),
        PayError::NotFound
    );
    assert!(!format!("{bancontact:?}").contains(KEY));
}
