//! Issue 12, "paid means paid", against a local Mollie that answers as Mollie's API
//! documentation says (mode from the key, amount as a decimal string), and that can be
//! made to answer for another amount.

use super::fake_mollie::*;
use super::*;
use balie_cockpit::CockpitError;
use balie_cockpit::payments::{PaymentRequest, ProviderName};
use balie_domain::{PaymentMode, PaymentStatus};
use balie_protocol::channel::CardStatus;
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;

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
    let tampered = std::time::Instant::now();
    let seen = becomes(&mut changes, &view.id, PaymentStatus::Mismatch).await;
    let paid_lines = audit(&data, &view.id)
        .iter()
        .filter(|(_, d)| d.contains("\"to\":\"paid\""))
        .count();
    balie_testkit::matrix::row(
        "Mollie says paid for another amount (1 cent)",
        Some(balie_testkit::matrix::Payments {
            lost: 0,
            duplicated: 0,
            wrongly_paid: paid_lines,
        }),
        Some(tampered.elapsed()),
    );
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
