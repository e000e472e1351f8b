//! The Mollie client against a local Mollie: a server that answers `POST /v2/payments`,
//! `GET` and `DELETE /v2/payments/{id}` with the bodies, problem bodies and headers of
//! Mollie's API reference, and a few ids that misbehave on purpose.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balie_domain::{Locale, Money, PaymentMode, PaymentStatus};
use balie_pay::mollie::Mollie;
use balie_pay::{NewPayment, PayError, Provider};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";

#[derive(Default)]
struct Fake {
    /// Payments by id.
    payments: Mutex<HashMap<String, Value>>,
    /// Payment ids by idempotency key.
    keys: Mutex<HashMap<String, String>>,
    /// Create requests seen, and the bodies.
    bodies: Mutex<Vec<Value>>,
}

type Shared = Arc<Fake>;

fn problem(status: StatusCode, title: &str, detail: &str, field: Option<&str>) -> Response {
    let mut body = json!({
        "status": status.as_u16(),
        "title": title,
        "detail": detail,
        "_links": { "documentation": { "href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html" } }
    });
    if let Some(field) = field {
        body["field"] = field.into();
    }
    (
        status,
        [("content-type", "application/hal+json")],
        body.to_string(),
    )
        .into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {KEY}"))
}

fn unauthorised() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized Request",
        "Missing authentication, or failed to authenticate",
        None,
    )
}

async fn create(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    fake.bodies.lock().unwrap().push(body.clone());
    let value = body["amount"]["value"].as_str().unwrap_or("");
    let two_decimals = value
        .split_once('.')
        .is_some_and(|(w, f)| !w.is_empty() && f.len() == 2);
    if body["amount"]["currency"] != "EUR" || !two_decimals {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unprocessable Entity",
            "The amount contains an invalid value",
            Some("amount.value"),
        );
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = key
        .as_ref()
        .and_then(|k| fake.keys.lock().unwrap().get(k).cloned())
    {
        let payment = fake.payments.lock().unwrap()[&id].clone();
        return (StatusCode::CREATED, Json(payment)).into_response();
    }
    let mut payments = fake.payments.lock().unwrap();
    let id = format!("tr_{}x{}", "WDqYK6vllg", payments.len() + 1);
    let payment = json!({
        "resource": "payment",
        "id": id,
        "mode": "test",
        "createdAt": "2026-11-29T10:00:00+00:00",
        "amount": body["amount"],
        "description": body["description"],
        "method": body.get("method").cloned().unwrap_or(Value::Null),
        "metadata": null,
        "status": "open",
        "isCancelable": true,
        "expiresAt": "2026-11-29T11:00:00+00:00",
        "locale": body["locale"],
        "profileId": "pfl_QkEhN94Ba",
        "sequenceType": "oneoff",
        "redirectUrl": body["redirectUrl"],
        "webhookUrl": body.get("webhookUrl").cloned().unwrap_or(Value::Null),
        "_links": {
            "self": { "href": format!("https://api.mollie.com/v2/payments/{id}"), "type": "application/hal+json" },
            "checkout": { "href": format!("https://www.mollie.com/checkout/select-method/{id}"), "type": "text/html" },
            "documentation": { "href": "https://docs.mollie.com/reference/create-payment", "type": "text/html" }
        }
    });
    payments.insert(id.clone(), payment.clone());
    if let Some(key) = key {
        fake.keys.lock().unwrap().insert(key, id);
    }
    (StatusCode::CREATED, Json(payment)).into_response()
}

async fn read(State(fake): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    match id.as_str() {
        "tr_ratelimited" => {
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "You have exceeded the rate limit",
                None,
            );
            response
                .headers_mut()
                .insert("retry-after", "7".parse().unwrap());
            response
        }
        "tr_broken" => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service Unavailable",
            "Please try again later",
            None,
        ),
        "tr_garbled" => (StatusCode::OK, "{\"id\": \"tr_garbled\", \"status\": ").into_response(),
        "tr_weird" => (
            StatusCode::OK,
            Json(json!({ "id": "tr_weird", "status": "dancing" })),
        )
            .into_response(),
        "tr_slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            (
                StatusCode::OK,
                Json(json!({ "id": "tr_slow", "status": "paid" })),
            )
                .into_response()
        }
        _ => match fake.payments.lock().unwrap().get(&id) {
            Some(payment) => (StatusCode::OK, Json(payment.clone())).into_response(),
            None => problem(
                StatusCode::NOT_FOUND,
                "Not Found",
                &format!("No payment exists with token {id}."),
                None,
            ),
        },
    }
}

async fn cancel(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let mut payments = fake.payments.lock().unwrap();
    let Some(payment) = payments.get_mut(&id) else {
        return problem(
            StatusCode::NOT_FOUND,
            "Not Found",
            &format!("No payment exists with token {id}."),
            None,
        );
    };
    if payment["status"] != "open" {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unprocessable Entity",
            "The payment cannot be canceled",
            None,
        );
    }
    payment["status"] = "canceled".into();
    payment["isCancelable"] = false.into();
    (StatusCode::OK, Json(payment.clone())).into_response()
}

/// A local Mollie on port 0; answers its base URL and its state.
async fn fake_mollie() -> (String, Shared) {
    let fake = Shared::default();
    let app = axum::Router::new()
        .route("/v2/payments", post(create))
        .route("/v2/payments/{id}", get(read).delete(cancel))
        .with_state(fake.clone());
    (super::serve(app).await, fake)
}

fn client(url: &str, method: Option<&str>) -> Mollie {
    Mollie::with_timeout(
        url,
        SecretString::from(KEY),
        method,
        Duration::from_millis(800),
    )
    .unwrap()
}

fn request(amount: &str, key: &str) -> NewPayment {
    NewPayment {
        amount: Money::parse(amount).unwrap(),
        description: "Zaalhuur Parochiezaal 14/12".into(),
        redirect_url: "https://balie.zonnedorp.be/j/abc/betaald".into(),
        webhook_url: Some("https://balie.zonnedorp.be/hooks/mollie".into()),
        locale: Locale::Nl,
        idempotency_key: key.into(),
    }
}

#[tokio::test]
async fn a_payment_is_created_open_and_read_back_paid_only_when_mollie_says_so() {
    let (url, fake) = fake_mollie().await;
    let mollie = client(&url, Some("bancontact"));
    assert!(mollie.is_test_mode());
    let created = mollie.create(&request("€ 42,50", "k-1")).await.unwrap();
    // What the provider holds, read from its answer (issue 12): compared with the request
    // before anything counts, and the mode recorded with the payment.
    assert_eq!(
        (created.amount, created.currency.as_deref(), created.mode),
        (
            Some(Money::from_cents(4250)),
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
            .starts_with("https://www.mollie.com/checkout/")
    );
    assert_eq!(
        created.expires_at.as_deref(),
        Some("2026-11-29T11:00:00+00:00")
    );
    // What Mollie received: the amount as a string with two decimals, our locale, the
    // method, the hook.
    let body = fake.bodies.lock().unwrap()[0].clone();
    assert_eq!(
        body["amount"],
        json!({ "currency": "EUR", "value": "42.50" })
    );
    assert_eq!(body["locale"], "nl_BE");
    assert_eq!(body["method"], "bancontact");
    assert_eq!(
        body["webhookUrl"],
        "https://balie.zonnedorp.be/hooks/mollie"
    );

    assert_eq!(
        mollie.get(&created.id).await.unwrap().status,
        PaymentStatus::Open
    );
    fake.payments.lock().unwrap().get_mut(&created.id).unwrap()["status"] = "paid".into();
    let read = mollie.get(&created.id).await.unwrap();
    assert_eq!(
        (read.status, read.provider_status.as_str()),
        (PaymentStatus::Paid, "paid")
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_makes_no_second_payment() {
    let (url, fake) = fake_mollie().await;
    let mollie = client(&url, None);
    let first = mollie.create(&request("12,50", "k-same")).await.unwrap();
    let again = mollie.create(&request("12,50", "k-same")).await.unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(fake.payments.lock().unwrap().len(), 1);
    let other = mollie.create(&request("12,50", "k-other")).await.unwrap();
    assert_ne!(other.id, first.id);
}

#[tokio::test]
async fn amounts_and_descriptions_outside_the_limits_create_nothing() {
    let (url, fake) = fake_mollie().await;
    let mollie = client(&url, Some("bancontact"));
    let refused = |amount: &str| {
        let mollie = &mollie;
        let payment = request(amount, "k");
        async move { mollie.create(&payment).await.unwrap_err() }
    };
    assert_eq!(
        refused("0").await,
        PayError::AmountTooSmall {
            min: Money::from_cents(2)
        }
    );
    assert_eq!(
        refused("0,01").await,
        PayError::AmountTooSmall {
            min: Money::from_cents(2)
        }
    );
    assert_eq!(
        refused("1500,01").await,
        PayError::AmountTooLarge {
            max: Money::from_cents(150_000)
        }
    );
    let mut blank = request("10", "k");
    blank.description = "  ".into();
    assert_eq!(
        mollie.create(&blank).await.unwrap_err(),
        PayError::DescriptionMissing
    );
    let mut long = request("10", "k");
    long.description = "é".repeat(256);
    assert_eq!(
        mollie.create(&long).await.unwrap_err(),
        PayError::DescriptionTooLong { max: 255 }
    );
    assert!(
        fake.bodies.lock().unwrap().is_empty(),
        "nothing reached Mollie"
    );
    assert_eq!(
        PayError::AmountTooLarge {
            max: Money::from_cents(1)
        }
        .catalog_key(),
        "pay.amount_too_large"
    );
}

#[tokio::test]
async fn each_kind_of_failure_is_told_apart() {
    let (url, _fake) = fake_mollie().await;
    let mollie = client(&url, None);
    assert_eq!(
        mollie.get("tr_ratelimited").await.unwrap_err(),
        PayError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    let unavailable = mollie.get("tr_broken").await.unwrap_err();
    assert_eq!(unavailable, PayError::Unavailable { status: 503 });
    assert!(unavailable.is_transient());
    assert!(matches!(
        mollie.get("tr_garbled").await.unwrap_err(),
        PayError::Malformed(_)
    ));
    assert_eq!(
        mollie.get("tr_weird").await.unwrap_err(),
        PayError::UnknownStatus("dancing".into())
    );
    assert_eq!(
        mollie.get("tr_nothere").await.unwrap_err(),
        PayError::NotFound
    );
    let slow = mollie.get("tr_slow").await.unwrap_err();
    assert_eq!(slow, PayError::Timeout);
    assert!(slow.is_transient());
    // An id that is not Mollie's never reaches a URL.
    assert_eq!(
        mollie.get("tr_../../v2/refunds").await.unwrap_err(),
        PayError::NotFound
    );

    let wrong_key = Mollie::new(&url, SecretString::from("test_wrong"), None).unwrap();
    let refused = wrong_key.create(&request("5", "k")).await.unwrap_err();
    assert_eq!(refused, PayError::Unauthorized { status: 401 });
    assert!(!refused.is_transient());

    let nobody = client("http://127.0.0.1:9", None);
    assert!(nobody.get("tr_x1").await.unwrap_err().is_transient());
}

#[tokio::test]
async fn an_open_payment_is_cancelled_once_and_then_refused_with_mollies_reason() {
    let (url, _fake) = fake_mollie().await;
    let mollie = client(&url, None);
    let created = mollie.create(&request("7,00", "k-c")).await.unwrap();
    assert_eq!(
        mollie.cancel(&created.id).await.unwrap().status,
        PaymentStatus::Canceled
    );
    assert_eq!(
        mollie.cancel(&created.id).await.unwrap_err(),
        PayError::Refused {
            status: 422,
            detail: "The payment cannot be canceled".into(),
            field: None
        }
    );
}

#[tokio::test]
async fn the_api_key_shows_nowhere() {
    let (url, _fake) = fake_mollie().await;
    let mollie = client(&url, None);
    let shown = format!("{mollie:?} {}", mollie.get("tr_broken").await.unwrap_err());
    assert!(!shown.contains(KEY), "{shown}");
    let nobody = client("http://127.0.0.1:9", None);
    let shown = format!("{}", nobody.get("tr_x1").await.unwrap_err());
    assert!(!shown.contains(KEY), "{shown}");
}

/// Waits for the driver's next report (at most `within`).
async fn next_report(
    reports: &mut tokio::sync::mpsc::Receiver<balie_pay::driver::Report>,
    within: Duration,
) -> balie_pay::driver::Report {
    tokio::time::timeout(within, reports.recv())
        .await
        .expect("a report in time")
        .expect("the driver runs")
}

#[tokio::test]
async fn the_driver_reports_paid_only_after_mollie_says_so_and_a_hint_asks_at_once() {
    use balie_pay::driver::{Command, Report, run};
    use balie_pay::tracker::Outcome;
    let (url, fake) = fake_mollie().await;
    let mollie = Arc::new(client(&url, None));
    let created = mollie.create(&request("12,50", "k-d")).await.unwrap();
    let (commands, command_rx) = tokio::sync::mpsc::channel(8);
    let (report_tx, mut reports) = tokio::sync::mpsc::channel(8);
    tokio::spawn(run(mollie, command_rx, report_tx, 7));

    // After the call (not live): asked at once, then not again for five seconds.
    commands
        .send(Command::Track {
            id: "p1".into(),
            provider_id: created.id.clone(),
            live: false,
        })
        .await
        .unwrap();
    let first = next_report(&mut reports, Duration::from_secs(2)).await;
    assert_eq!(first.answer.as_ref().unwrap().status, PaymentStatus::Open);
    assert!(matches!(first.outcome, Outcome::Again(_)));

    // Mollie now says paid; its webhook's hint makes the driver ask at once.
    fake.payments.lock().unwrap().get_mut(&created.id).unwrap()["status"] = "paid".into();
    commands
        .send(Command::Hint { id: "p1".into() })
        .await
        .unwrap();
    let Report {
        id,
        answer,
        outcome,
    } = next_report(&mut reports, Duration::from_secs(3)).await;
    assert_eq!(id, "p1");
    assert_eq!(answer.unwrap().status, PaymentStatus::Paid);
    assert_eq!(outcome, Outcome::Done(PaymentStatus::Paid));

    // A live payment is asked about every two seconds without any hint.
    let second = mollie_payment(&url, "k-d2").await;
    commands
        .send(Command::Track {
            id: "p2".into(),
            provider_id: second.clone(),
            live: true,
        })
        .await
        .unwrap();
    assert_eq!(
        next_report(&mut reports, Duration::from_secs(2))
            .await
            .answer
            .unwrap()
            .status,
        PaymentStatus::Open
    );
    fake.payments.lock().unwrap().get_mut(&second).unwrap()["status"] = "expired".into();
    let report = next_report(&mut reports, Duration::from_secs(4)).await;
    assert_eq!(report.outcome, Outcome::Done(PaymentStatus::Expired));
}

/// A fresh open payment at the local Mollie; its id.
async fn mollie_payment(url: &str, key: &str) -> String {
    client(url, None)
        .create(&request("3,00", key))
        .await
        .unwrap()
        .id
}
