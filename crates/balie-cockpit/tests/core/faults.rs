//! Issue 12, the fault matrix's provider rows: while Mollie answers 429, 503 or garbage,
//! a payment paid at the provider stays *open* here (not lost, not failed, not paid on a
//! guess) and is seen paid once the provider answers again; a create whose answer is lost
//! is made again with the same idempotency key and gives the same payment, once.

use super::fake_mollie::*;
use super::*;
use balie_cockpit::payments::ProviderName;
use balie_domain::PaymentStatus;
use secrecy::SecretString;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_faults_lose_nothing_and_make_nothing_paid_early_or_twice() {
    let (url, fake) = fake_mollie().await;
    let (_data, service, cockpit) = start("faults-provider", &url).await;
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

    for (n, fault) in [Fault::RateLimited, Fault::Unavailable, Fault::Garbage]
        .into_iter()
        .enumerate()
    {
        let view = cockpit.request_payment(&mollie("15,00")).await.unwrap();
        let provider_id = format!("tr_Fake{}", n + 1);
        *fake.read_fault.lock().unwrap() = Some(fault);
        fake.pay(&provider_id);
        // Long enough for questions to fail and the tracker to back off.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            payments.view(&view.id).unwrap().status,
            PaymentStatus::Open,
            "{fault:?}: neither lost nor paid on a guess"
        );
        *fake.read_fault.lock().unwrap() = None;
        becomes(&mut changes, &view.id, PaymentStatus::Paid).await;
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
        3 + 2,
        "three payments above, and this one asked twice"
    );
    let secrets = SecretStore::new(&service);
    secrets.delete(SecretName::MollieApiKey).unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}
