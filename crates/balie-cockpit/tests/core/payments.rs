//! Payments in the cockpit core: followed until paid, refused amounts, a restart mid-payment,
//! bank transfers.

use super::fake_mollie::becomes as reaches;
use super::*;
use balie_cockpit::CockpitError;
use balie_cockpit::payments::{PaymentRequest, ProviderName};
use balie_domain::{PaymentStatus, StatusSource};

fn sandbox(amount: &str, description: &str) -> PaymentRequest {
    PaymentRequest {
        amount: amount.into(),
        description: description.into(),
        provider: ProviderName::Sandbox,
    }
}

/// Chooses `outcome` on the sandbox checkout page at `url`.
async fn choose(url: &str, outcome: &str) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(url)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "{url}");
}

fn start_parts(name: &str) -> (tempfile::TempDir, String) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    (data, format!("be.balie.{name}.{}", std::process::id()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_payment_asked_in_a_conversation_is_followed_until_paid() {
    let (data, service) = start_parts("pay-sandbox");
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let setup = cockpit.payments().setup().unwrap();
    let names: Vec<&str> = setup.products.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Abonnement sociaal restaurant (10 maaltijden)",
            "Verkeersborden voor een evenement op openbaar domein",
            "Huur feestzaal (één dag)"
        ]
    );
    assert_eq!(setup.products[1].price_text, "€\u{a0}45,00");
    // Prices are editable, in the clerk's format; a bad one changes nothing.
    assert!(matches!(
        cockpit.catalog().set_price("feestzaal", "275,005"),
        Err(CockpitError::Rejected(_))
    ));
    let hall = cockpit.catalog().set_price("feestzaal", "275,00").unwrap();
    assert_eq!(hall.price_cents, 27_500);
    assert_eq!(
        cockpit.payments().setup().unwrap().products[2].price_cents,
        27_500
    );
    assert!(
        setup
            .providers
            .iter()
            .any(|p| p.name == ProviderName::Sandbox && p.test),
        "{:?}",
        setup.providers
    );

    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    let mut changes = cockpit.payments().subscribe();
    let view = cockpit
        .request_payment(&sandbox("45,00", "Verkeersborden opendeurdag"))
        .await
        .unwrap();
    assert_eq!(view.status, PaymentStatus::Open);
    assert_eq!(view.amount_text, "€\u{a0}45,00");
    assert_eq!(view.mode, Some(balie_domain::PaymentMode::Test));
    assert_eq!(view.room_id.as_deref(), Some(conversation.room_id.as_str()));
    let checkout = view.checkout_url.clone().unwrap();
    assert!(
        checkout.starts_with(&format!("{}/sandbox/checkout/", cockpit.status().relay.url)),
        "{checkout}"
    );
    assert!(view.qr_svg_data_uri.is_some());
    let steps: Vec<(PaymentStatus, StatusSource)> =
        view.steps.iter().map(|s| (s.status, s.source)).collect();
    assert_eq!(
        steps,
        [
            (PaymentStatus::Created, StatusSource::Balie),
            (PaymentStatus::Open, StatusSource::Provider)
        ]
    );
    let cards = cockpit.payments().cards(&conversation.room_id);
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].amount_cents, 4500);
    assert!(cards[0].test && !cards[0].qr.is_empty());

    choose(&checkout, "paid").await;
    let paid = reaches(&mut changes, &view.id, PaymentStatus::Paid).await;
    assert_eq!(paid.steps.last().unwrap().source, StatusSource::Provider);
    assert_eq!(paid.checkout_url, None, "nothing left to pay");
    let cards = cockpit.payments().cards(&conversation.room_id);
    assert_eq!(cards[0].status, balie_protocol::channel::CardStatus::Paid);
    // Paid stays paid: the provider refuses a cancel, and nothing changes here.
    assert!(cockpit.payments().cancel(&view.id).await.is_err());
    assert_eq!(
        cockpit.payments().view(&view.id).unwrap().status,
        PaymentStatus::Paid
    );
    // Only the provider says a provider payment is paid; the clerk cannot.
    assert!(matches!(
        cockpit.payments().mark_received(&view.id),
        Err(CockpitError::Rejected(_))
    ));
    cockpit.end_conversation().await.unwrap();
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_amounts_get_a_clear_error_in_the_clerks_language_and_create_nothing() {
    let (data, service) = start_parts("pay-bad");
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Fr))
        .await
        .unwrap();
    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    for (amount, description, expected) in [
        ("0", "Salle", "supérieur à zéro"),
        ("-5", "Salle", "négatif"),
        ("12,345", "Salle", "deux chiffres après la virgule"),
        ("douze euros", "Salle", "pas un montant"),
        ("", "Salle", "Indiquez un montant"),
        ("1500,01", "Salle", "maximum 1\u{202f}500,00\u{a0}€"),
        ("0,01", "Salle", "minimum 0,02\u{a0}€"),
        ("25,00", "  ", "Indiquez une description"),
    ] {
        match cockpit.request_payment(&sandbox(amount, description)).await {
            Err(CockpitError::Rejected(text)) => {
                assert!(text.contains(expected), "{amount:?}: {text}")
            }
            other => panic!("{amount:?}: {other:?}"),
        }
    }
    assert!(
        cockpit
            .payments()
            .of_room(&conversation.room_id)
            .unwrap()
            .is_empty(),
        "a refused request writes nothing"
    );
    // A provider without a key is refused the same way.
    let mollie = PaymentRequest {
        provider: ProviderName::Mollie,
        ..sandbox("10,00", "Zaal")
    };
    assert!(matches!(
        cockpit.request_payment(&mollie).await,
        Err(CockpitError::Rejected(text)) if text.contains("n’est pas configuré")
    ));
    cockpit.end_conversation().await.unwrap();
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_the_cockpit_never_heard_back_about_is_made_once_after_a_restart() {
    let (data, service) = start_parts("pay-resume");
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let view = cockpit
        .request_payment(&sandbox("60,00", "Maaltijden december"))
        .await
        .unwrap();
    drop(cockpit);
    // As if the cockpit had died after the provider made the payment but before its
    // answer was stored: the payment is `created` with no provider id.
    let db = data.path().join("cockpit.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let provider_id: String = conn
        .query_row(
            "SELECT provider_id FROM payment WHERE id = ?1",
            [&view.id],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "UPDATE payment SET provider_id = NULL, checkout_url = NULL, status = 'created' WHERE id = '{0}';
         DELETE FROM payment_status WHERE payment_id = '{0}' AND seq > 0;",
        view.id
    ))
    .unwrap();
    drop(conn);

    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let resumed = again.payments().view(&view.id).unwrap();
    assert_eq!(resumed.status, PaymentStatus::Open, "{resumed:?}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let made_again: String = conn
        .query_row(
            "SELECT provider_id FROM payment WHERE id = ?1",
            [&view.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        made_again, provider_id,
        "the same idempotency key, the same payment"
    );
    let relay = rusqlite::Connection::open(data.path().join("relay/relay.sqlite3")).unwrap();
    let count: i64 = relay
        .query_row("SELECT COUNT(*) FROM sandbox_payment", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1, "the retried create made no second payment");

    // And it is followed again: paying it now is seen.
    let mut changes = again.payments().subscribe();
    choose(resumed.checkout_url.as_ref().unwrap(), "paid").await;
    reaches(&mut changes, &view.id, PaymentStatus::Paid).await;
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_transfer_gets_an_ogm_and_only_the_clerk_marks_it_received() {
    let (data, service) = start_parts("pay-transfer");
    {
        let store = balie_store::open(
            &data.path().join("cockpit.sqlite3"),
            &balie_store::cockpit::SCHEMA,
        )
        .unwrap();
        use balie_cockpit::settings::{Payee, Settings};
        let payee = Payee::parse("Gemeente Zonnedorp", "BE68 5390 0754 7034", None).unwrap();
        Settings::of(&store).set_payee(Some(&payee)).unwrap();
    }
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    let view = cockpit
        .request_payment(&PaymentRequest {
            provider: ProviderName::Transfer,
            ..sandbox("250,00", "Huur feestzaal 14/12")
        })
        .await
        .unwrap();
    assert_eq!(view.status, PaymentStatus::Open);
    assert_eq!(view.mode, Some(balie_domain::PaymentMode::Live));
    let reference = view.reference.clone().unwrap();
    assert!(
        balie_domain::StructuredReference::parse(&reference).is_ok(),
        "{reference}"
    );
    let card = &cockpit.payments().cards(&conversation.room_id)[0];
    assert_eq!(card.method, balie_protocol::channel::PayMethod::Transfer);
    assert_eq!(card.iban.as_deref(), Some("BE68 5390 0754 7034"));
    assert_eq!(card.reference.as_deref(), Some(reference.as_str()));
    assert!(card.checkout_url.is_none() && !card.qr.is_empty());

    let received = cockpit.payments().mark_received(&view.id).unwrap();
    assert_eq!(received.status, PaymentStatus::Paid);
    assert_eq!(received.steps.last().unwrap().source, StatusSource::Clerk);
    let trail = {
        let conn = rusqlite::Connection::open(data.path().join("cockpit.sqlite3")).unwrap();
        balie_store::cockpit::payment::audit_trail(&conn, &view.id).unwrap()
    };
    assert!(
        trail
            .iter()
            .any(|(_, actor, action, detail)| actor == "clerk"
                && action == "payment.status"
                && detail.contains("paid")),
        "{trail:?}"
    );
    cockpit.end_conversation().await.unwrap();
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

/// IT's machine settings allow bank transfers only, to its own payee (locked): the
/// sandbox is not offered and cannot be asked, no provider key can be set, and the
/// clerk's own payee does not replace IT's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_machine_settings_decide_which_methods_are_offered_and_to_whom_transfers_go() {
    let (data, service) = start_parts("pay-machine");
    // The clerk once set their own payee; IT's locked one wins.
    {
        let db = balie_store::open(
            &data.path().join("cockpit.sqlite3"),
            &balie_store::cockpit::SCHEMA,
        )
        .unwrap();
        let own =
            balie_cockpit::settings::Payee::parse("Mijn vzw", "BE68539007547034", None).unwrap();
        balie_cockpit::settings::Settings::of(&db)
            .set_payee(Some(&own))
            .unwrap();
    }
    let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
    config.machine = balie_cockpit::machine::MachineSettings::parse(
        r#"
payment_methods = ["transfer"]
locked = ["payee"]
[payee]
name = "Gemeente Zonnedorp"
iban = "BE71 0961 2345 6769"
"#,
    )
    .unwrap();
    let cockpit = Cockpit::start(config).await.unwrap();
    let offered: Vec<ProviderName> = cockpit
        .payments()
        .setup()
        .unwrap()
        .providers
        .iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(offered, [ProviderName::Transfer]);
    assert!(cockpit.payments().keys().is_empty(), "no key can be set");
    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    match cockpit.request_payment(&sandbox("5,00", "Test")).await {
        Err(CockpitError::Rejected(text)) => {
            assert!(text.contains("niet toegelaten"), "{text}")
        }
        other => panic!("the sandbox was asked: {other:?}"),
    }
    let transfer = cockpit
        .request_payment(&PaymentRequest {
            amount: "5,00".into(),
            description: "Huur feestzaal".into(),
            provider: ProviderName::Transfer,
        })
        .await
        .unwrap();
    assert!(transfer.reference.is_some());
    let card = &cockpit.payments().cards(&conversation.room_id)[0];
    assert_eq!(
        card.iban.as_deref(),
        Some("BE71 0961 2345 6769"),
        "IT's account"
    );
    for method in [
        ProviderName::Sandbox,
        ProviderName::Mollie,
        ProviderName::Bancontact,
        ProviderName::Stripe,
        ProviderName::Transfer,
    ] {
        assert!(
            balie_cockpit::machine::PAYMENT_METHODS.contains(&method.as_str()),
            "the machine settings can name {method:?}"
        );
    }
    cockpit.end_conversation().await.unwrap();
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}
