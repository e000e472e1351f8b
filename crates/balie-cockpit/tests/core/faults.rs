//! Issue 12, the fault matrix's provider rows: while Mollie answers 429, 503 or garbage,
//! a payment paid at the provider stays *open* here (not lost, not failed, not paid on a
//! guess) and is seen paid once the provider answers again; a create whose answer is lost
//! is made again with the same idempotency key and gives the same payment, once.

use super::fake_mollie::*;
use super::*;
use balie_cockpit::payments::ProviderName;
use balie_domain::PaymentStatus;
use balie_testkit::matrix::{Payments, row};
use secrecy::SecretString;
use std::time::{Duration, Instant};

/// How many times the audit trail of payment `id` records it becoming paid.
fn paid_lines(data: &tempfile::TempDir, id: &str) -> usize {
    audit(data, id)
        .iter()
        .filter(|(_, detail)| detail.contains("\"to\":\"paid\""))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_faults_lose_nothing_and_make_nothing_paid_early_or_twice() {
    let (url, fake) = fake_mollie().await;
    let (data, service, cockpit) = start("faults-provider", &url).await;
    let payments = cockpit.payments().clone();
    payments
        .set_key(
            ProviderName::Mollie,
            SecretString::from(format!("test_{}", "f".repeat(30))),
        )
        .await
        .unwrap();
    // In a call: the cockpit asks every 2 s.
    let _conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    let mut changes = payments.subscribe();

    for (n, fault) in [
        Fault::RateLimited,
        Fault::Unavailable,
        Fault::Garbage,
        Fault::Timeout,
    ]
    .into_iter()
    .enumerate()
    {
        let view = cockpit.request_payment(&mollie("15,00")).await.unwrap();
        let provider_id = format!("tr_Fake{}", n + 1);
        *fake.read_fault.lock().unwrap() = Some(fault);
        fake.pay(&provider_id);
        // Long enough for questions to fail and the tracker to back off (a timeout
        // takes the client's 10 s).
        let lasts = if fault == Fault::Timeout { 12 } else { 3 };
        tokio::time::sleep(Duration::from_secs(lasts)).await;
        let during = payments.view(&view.id).ok().map(|v| v.status);
        *fake.read_fault.lock().unwrap() = None;
        let cleared = Instant::now();
        becomes(&mut changes, &view.id, PaymentStatus::Paid).await;
        row(
            &format!("Mollie answers {} for {lasts} s", fault.describe()),
            Some(Payments {
                lost: usize::from(during.is_none()),
                duplicated: paid_lines(&data, &view.id) - 1,
                wrongly_paid: usize::from(during == Some(PaymentStatus::Paid)),
            }),
            Some(cleared.elapsed()),
        );
        assert_eq!(
            during,
            Some(PaymentStatus::Open),
            "{fault:?}: neither lost nor paid on a guess"
        );
    }

    // A create whose answer is lost (502 after the payment was made): made again with
    // the same idempotency key, which gives back the same payment.
    let before = fake.payments.lock().unwrap().len();
    *fake.create_fault.lock().unwrap() = Some(Fault::LostAnswer);
    let view = cockpit.request_payment(&mollie("15,00")).await.unwrap();
    assert_eq!(view.status, PaymentStatus::Open);
    assert_eq!(
        fake.payments.lock().unwrap().len(),
        before + 1,
        "one payment at the provider"
    );
    assert_eq!(
        *fake.creates.lock().unwrap(),
        4 + 2,
        "four payments above, and this one asked twice"
    );
    let secrets = SecretStore::new(&service);
    secrets.delete(SecretName::MollieApiKey).unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}

/// Mollie's webhook says only "look at payment X"; whatever arrives there (forged,
/// repeated, late, stale) makes the cockpit ask Mollie, and only Mollie's answer counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_forged_repeated_late_or_out_of_order_change_nothing_mollie_did_not_say() {
    let (url, fake) = fake_mollie().await;
    let (data, service, cockpit) = start("faults-hooks", &url).await;
    let payments = cockpit.payments().clone();
    payments
        .set_key(
            ProviderName::Mollie,
            SecretString::from(format!("test_{}", "h".repeat(30))),
        )
        .await
        .unwrap();
    let hooks = format!("{}/hooks/mollie", cockpit.status().relay.url);
    let client = reqwest::Client::new();
    let hint = |id: &'static str| {
        let client = client.clone();
        let hooks = hooks.clone();
        async move {
            let answer = client
                .post(&hooks)
                .form(&[("id", id)])
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 200, "Mollie is always answered 200");
        }
    };
    let mut changes = payments.subscribe();
    let view = cockpit.request_payment(&mollie("45,00")).await.unwrap();
    let status = || payments.view(&view.id).ok().map(|v| v.status);

    // Forged: a stranger says tr_Fake1 changed while nobody paid; and names ids unknown here.
    for _ in 0..5 {
        hint("tr_Fake1").await;
        hint("tr_Unknown1").await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let forged = status();
    row(
        "forged webhooks (unpaid and unknown payments)",
        Some(Payments {
            lost: usize::from(forged.is_none()),
            duplicated: fake.payments.lock().unwrap().len() - 1,
            wrongly_paid: usize::from(forged == Some(PaymentStatus::Paid)),
        }),
        Some(Duration::ZERO),
    );
    assert_eq!(forged, Some(PaymentStatus::Open));

    // Duplicated and replayed: the citizen pays, and the same webhook comes 20 times.
    fake.pay("tr_Fake1");
    let paid_at = Instant::now();
    for _ in 0..20 {
        hint("tr_Fake1").await;
    }
    becomes(&mut changes, &view.id, PaymentStatus::Paid).await;
    let seen = paid_at.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    row(
        "duplicated and replayed webhooks (20 for one payment)",
        Some(Payments {
            lost: 0,
            duplicated: paid_lines(&data, &view.id) - 1,
            wrongly_paid: 0,
        }),
        Some(seen),
    );

    // Out of order and late: a stale answer ("open" again) after "paid", announced by a
    // late webhook, changes nothing: paid is final.
    fake.payments.lock().unwrap().get_mut("tr_Fake1").unwrap()["status"] = "open".into();
    hint("tr_Fake1").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let late = status();
    row(
        "late and out-of-order webhooks (a stale \"open\" after paid)",
        Some(Payments {
            lost: usize::from(late != Some(PaymentStatus::Paid)),
            duplicated: paid_lines(&data, &view.id) - 1,
            wrongly_paid: 0,
        }),
        Some(Duration::ZERO),
    );
    assert_eq!(*fake.creates.lock().unwrap(), 1);
    let secrets = SecretStore::new(&service);
    secrets.delete(SecretName::MollieApiKey).unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}
