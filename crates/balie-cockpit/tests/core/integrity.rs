//! Issue 12, "paid means paid", against a local Mollie that answers as Mollie's API
//! documentation says (mode from the key, amount as a decimal string), and that can be
//! made to answer for another amount.

use super::*;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balie_cockpit::CockpitError;
use balie_cockpit::payments::{PaymentRequest, PaymentView, ProviderName};
use balie_domain::{PaymentMode, PaymentStatus};
use balie_protocol::channel::CardStatus;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct FakeMollie {
    payments: Mutex<HashMap<String, Value>>,
    /// The amount every create answers with instead of the one asked, when set.
    create_amount: Mutex<Option<String>>,
    cancelled: Mutex<Vec<String>>,
    /// How long a create takes.
    create_delay: Mutex<Duration>,
}

type Shared = Arc<FakeMollie>;

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

async fn create(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(mode) = mode(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let delay = *fake.create_delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    let mut payments = fake.payments.lock().unwrap();
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
    payments.insert(id, payment.clone());
    (StatusCode::CREATED, Json(payment)).into_response()
}

async fn read(State(fake): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if mode(&headers).is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
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

async fn fake_mollie() -> (String, Shared) {
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

fn mollie(amount: &str) -> PaymentRequest {
    PaymentRequest {
        amount: amount.into(),
        description: "Huur feestzaal 14/12".into(),
        provider: ProviderName::Mollie,
    }
}

async fn start(name: &str, mollie_url: &str) -> (tempfile::TempDir, String, Cockpit) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.{name}.{}", std::process::id());
    let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
    config.provider_hosts.mollie = mollie_url.to_owned();
    let cockpit = Cockpit::start(config).await.unwrap();
    (data, service, cockpit)
}

fn audit(data: &tempfile::TempDir, id: &str) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(data.path().join("cockpit.sqlite3")).unwrap();
    balie_store::cockpit::payment::audit_trail(&conn, id)
        .unwrap()
        .into_iter()
        .map(|(_, _, action, detail)| (action, detail))
        .collect()
}

async fn becomes(
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

/// Before: an answer saying "paid" counted whatever amount it named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paid_for_another_amount_is_a_mismatch_the_clerk_and_citizen_see() {
    let (url, fake) = fake_mollie().await;
    let (data, service, cockpit) = start("integrity-paid", &url).await;
    let key = SecretString::from(format!("test_{}", "a".repeat(30)));
    cockpit
        .payments()
        .set_key(ProviderName::Mollie, key)
        .await
        .unwrap();
    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    let mut changes = cockpit.payments().subscribe();
    let view = cockpit.request_payment(&mollie("275,00")).await.unwrap();
    assert_eq!(view.status, PaymentStatus::Open);
    // Someone pays one cent instead (a manipulated payment, or an answer for another).
    {
        let mut payments = fake.payments.lock().unwrap();
        let p = payments.values_mut().next().unwrap();
        p["status"] = "paid".into();
        p["amount"]["value"] = "0.01".into();
    }
    let seen = becomes(&mut changes, &view.id, PaymentStatus::Mismatch).await;
    assert_eq!(seen.checkout_url, None, "nothing left to pay");
    let card = &cockpit.payments().cards(&conversation.room_id)[0];
    assert_eq!(card.status, CardStatus::Review);
    let trail = audit(&data, &view.id);
    let (_, detail) = trail
        .iter()
        .find(|(action, _)| action == "payment.mismatch")
        .unwrap_or_else(|| panic!("no mismatch audit line: {trail:?}"));
    let detail: Value = serde_json::from_str(detail).unwrap();
    assert_eq!(
        (&detail["field"], &detail["asked"], &detail["answered"]),
        (&json!("amount"), &json!("27500"), &json!("1"))
    );
    assert!(
        !trail.iter().any(|(_, d)| d.contains("\"to\":\"paid\"")),
        "never recorded as paid: {trail:?}"
    );
    cockpit.end_conversation().await.unwrap();
    let secrets = SecretStore::new(&service);
    secrets.delete(SecretName::MollieApiKey).unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}

/// Before: a create answered for another amount was shown to the citizen as it came; and
/// test or live was worked out when shown, from the key connected by then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_for_another_amount_is_cancelled_and_the_mode_is_the_providers_at_creation() {
    let (url, fake) = fake_mollie().await;
    let (data, service, cockpit) = start("integrity-create", &url).await;
    let payments = cockpit.payments();
    payments
        .set_key(
            ProviderName::Mollie,
            SecretString::from(format!("test_{}", "b".repeat(30))),
        )
        .await
        .unwrap();
    let test_payment = cockpit.request_payment(&mollie("12,50")).await.unwrap();
    assert_eq!(test_payment.mode, Some(PaymentMode::Test));

    *fake.create_amount.lock().unwrap() = Some("1250.00".into());
    let refused = cockpit.request_payment(&mollie("12,50")).await;
    let Err(CockpitError::Rejected(text)) = refused else {
        panic!("{refused:?}");
    };
    assert!(text.contains("ander bedrag"), "{text}");
    let cancelled = fake.cancelled.lock().unwrap().clone();
    assert_eq!(
        cancelled,
        ["tr_Fake2"],
        "the provider was asked to cancel it"
    );
    let conn = rusqlite::Connection::open(data.path().join("cockpit.sqlite3")).unwrap();
    let (id, status, checkout): (String, String, Option<String>) = conn
        .query_row(
            "SELECT id, status, checkout_url FROM payment ORDER BY created_at_ms DESC, rowid DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), checkout), ("mismatch", None));
    assert!(
        audit(&data, &id)
            .iter()
            .any(|(action, _)| action == "payment.mismatch")
    );

    // A live key now: the new payment is real money, the earlier one stays test money.
    *fake.create_amount.lock().unwrap() = None;
    payments
        .set_key(
            ProviderName::Mollie,
            SecretString::from(format!("live_{}", "c".repeat(30))),
        )
        .await
        .unwrap();
    let live_payment = cockpit.request_payment(&mollie("12,50")).await.unwrap();
    assert_eq!(live_payment.mode, Some(PaymentMode::Live));
    assert_eq!(
        payments.view(&test_payment.id).unwrap().mode,
        Some(PaymentMode::Test)
    );
    let secrets = SecretStore::new(&service);
    secrets.delete(SecretName::MollieApiKey).unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}

/// A relay like the municipality's, on this machine, with clerk `jan` whose token is in
/// the keyring of `service`; its sandbox `on` or off. Stops when the runtime does.
async fn remote_relay(service: &str, on: bool) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = balie_relay::RelayConfig::loopback(dir.path().to_path_buf());
    config.sandbox = on;
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "jan").unwrap()
    };
    SecretStore::new(service)
        .set(SecretName::RelayClerkToken, token.secret())
        .unwrap();
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_owned();
    tokio::spawn(relay.serve(std::future::pending()));
    (dir, url)
}

/// Before: the cockpit always offered the sandbox, whatever relay it worked with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_is_offered_only_when_the_relay_serves_it() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    for on in [false, true] {
        let service = format!("be.balie.integrity-sandbox-{on}.{}", std::process::id());
        let (_relay_dir, url) = remote_relay(&service, on).await;
        let data = tempfile::tempdir().unwrap();
        let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
        config.relay_url = Some(url);
        let cockpit = Cockpit::start(config).await.unwrap();
        let offered = cockpit
            .payments()
            .setup()
            .unwrap()
            .providers
            .iter()
            .any(|p| p.name == ProviderName::Sandbox);
        assert_eq!(
            offered, on,
            "sandbox offered with the relay's sandbox on: {on}"
        );
        let asked = cockpit
            .payments()
            .request(
                None,
                Locale::Nl,
                &PaymentRequest {
                    provider: ProviderName::Sandbox,
                    ..mollie("12,50")
                },
            )
            .await;
        assert_eq!(asked.is_ok(), on, "{asked:?}");
        SecretStore::new(&service)
            .delete(SecretName::RelayClerkToken)
            .unwrap();
    }
}

/// Before: a payment the clerk cancelled while its provider was still making it was
/// cancelled in our books only; the provider's payment stayed open, and a later "paid"
/// went unseen (the payment was final here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_cancelled_while_it_was_being_made_is_cancelled_at_the_provider() {
    let (url, fake) = fake_mollie().await;
    let (data, service, cockpit) = start("integrity-race", &url).await;
    let payments = cockpit.payments().clone();
    payments
        .set_key(
            ProviderName::Mollie,
            SecretString::from(format!("test_{}", "d".repeat(30))),
        )
        .await
        .unwrap();
    *fake.create_delay.lock().unwrap() = Duration::from_millis(1_500);
    let db = data.path().join("cockpit.sqlite3");
    let cancel_while_made = async {
        // The payment is written down before its create goes out.
        let id = loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let conn = rusqlite::Connection::open(&db).unwrap();
            let found: Option<String> = conn
                .query_row("SELECT id FROM payment", [], |r| r.get(0))
                .ok();
            if let Some(id) = found {
                break id;
            }
        };
        payments.cancel(&id).await.unwrap()
    };
    let asked = mollie("20,00");
    let (made, cancelled) = tokio::join!(
        payments.request(None, Locale::Nl, &asked),
        cancel_while_made
    );
    assert_eq!(cancelled.status, PaymentStatus::Canceled);
    made.unwrap();
    assert_eq!(
        payments.view(&cancelled.id).unwrap().status,
        PaymentStatus::Canceled
    );
    assert_eq!(
        fake.cancelled.lock().unwrap().clone(),
        ["tr_Fake1"],
        "the provider's payment is cancelled too"
    );
    let secrets = SecretStore::new(&service);
    secrets.delete(SecretName::MollieApiKey).unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}
