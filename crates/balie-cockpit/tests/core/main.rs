//! The cockpit's core without windows: embedded relay, keyring-held clerk token, rooms.
//! Needs a Secret Service on the session D-Bus (the README's test command starts one).
#![allow(clippy::unwrap_used, missing_docs)]

use balie_cockpit::{Cockpit, CockpitConfig};
use balie_domain::Locale;
use balie_secrets::{SecretName, SecretStore};
use secrecy::ExposeSecret as _;

#[tokio::test]
async fn the_embedded_relay_hands_out_join_links_with_a_clerk_token_kept_in_the_keyring() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.core-test.{}", std::process::id());

    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let status = cockpit.status();
    assert!(
        status.keyring_available,
        "the test runs with a Secret Service"
    );
    assert!(status.relay.url.starts_with("http://127.0.0.1:"));

    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(
        conversation
            .qr_svg_data_uri
            .starts_with("data:image/svg+xml;base64,")
    );
    cockpit.check_join_url(&conversation.join_url).unwrap();
    assert!(
        cockpit
            .check_join_url("https://evil.example/j/AAAAAAAAAAAAAAAAAAAAAA")
            .is_err()
    );
    assert!(
        cockpit
            .check_join_url(&format!("{}/healthz", status.relay.url))
            .is_err()
    );
    let page = reqwest::get(&conversation.join_url).await.unwrap();
    assert_eq!(page.status(), 200);

    // The token is in the keyring and nowhere on disk.
    let secrets = SecretStore::new(&service);
    let token = secrets.get(SecretName::RelayClerkToken).unwrap().unwrap();
    drop(cockpit);
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let needle = token.expose_secret().as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} holds the clerk token",
            entry.display()
        );
    }

    // A restart reuses the keyring's token.
    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    again.new_conversation(|_| {}).await.unwrap();
    let same = secrets.get(SecretName::RelayClerkToken).unwrap().unwrap();
    assert_eq!(same.expose_secret(), token.expose_secret());
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn the_clerks_choice_of_devices_is_kept_and_a_long_name_refused() {
    use balie_cockpit::settings::DeviceChoice;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.devices-test.{}", std::process::id());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Fr))
        .await
        .unwrap();
    assert_eq!(cockpit.devices().choice().unwrap(), DeviceChoice::default());
    // Listing asks the real sound system and camera monitor (none here: empty lists).
    let list = cockpit.devices().list().await.unwrap();
    assert_eq!(list.chosen, DeviceChoice::default());

    let choice = DeviceChoice {
        camera: Some("Integrated Camera".into()),
        microphone: None,
        speaker: Some("Jabra Evolve 40".into()),
    };
    cockpit.devices().choose(&choice).unwrap();
    drop(cockpit);
    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Fr))
        .await
        .unwrap();
    assert_eq!(again.devices().choice().unwrap(), choice);
    let too_long = DeviceChoice {
        camera: Some("x".repeat(513)),
        ..DeviceChoice::default()
    };
    assert!(again.devices().choose(&too_long).is_err());
    assert_eq!(
        again.devices().choice().unwrap(),
        choice,
        "a refused choice changes nothing"
    );
    // Back to the defaults.
    again.devices().choose(&DeviceChoice::default()).unwrap();
    assert_eq!(again.devices().choice().unwrap(), DeviceChoice::default());
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_blur_choice_is_kept_for_the_next_calls() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.blur-test.{}", std::process::id());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    assert!(
        !cockpit.background_blur().unwrap(),
        "off until the clerk turns it on"
    );
    let first = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(!first.background_blur);
    // Turned on during a conversation: kept, and the next conversation starts with it.
    cockpit.set_background_blur(true).await.unwrap();
    let second = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(second.background_blur);
    cockpit.end_conversation().await.unwrap();
    drop(cockpit);
    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    assert!(again.background_blur().unwrap(), "kept across restarts");
    // Turned off with no conversation: kept too.
    again.set_background_blur(false).await.unwrap();
    assert!(!again.background_blur().unwrap());
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

mod payments {
    use super::*;
    use balie_cockpit::CockpitError;
    use balie_cockpit::payments::{PaymentRequest, PaymentView, ProviderName};
    use balie_domain::{PaymentStatus, StatusSource};
    use std::time::Duration;

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

    /// The next broadcast change of payment `id` to `status`, within five seconds.
    async fn reaches(
        changes: &mut tokio::sync::broadcast::Receiver<PaymentView>,
        id: &str,
        status: PaymentStatus,
    ) -> PaymentView {
        tokio::time::timeout(Duration::from_secs(5), async {
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
        assert!(view.test);
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
        assert!(!view.test);
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
}

mod cases {
    use super::*;
    use balie_cockpit::CockpitError;
    use balie_cockpit::cases::{ExportFormat, ImportFormat, ImportOutcome};
    use balie_cockpit::payments::{PaymentRequest, ProviderName};

    const GOOD_CSV: &str = "case_number;title;status;product;party_kind;party_name;enterprise_number;email;note
2026-000101;Opendeurdag garage: verkeersborden;approved;verkeersborden;company;Garage Peeters;0203.201.340;info@garagepeeters.be;Het college keurde de aanvraag goed op 14/11.
2026-000102;Huur feestzaal 14/12;in_progress;feestzaal;association;Scouts Sint-Jozef;0403.199.702;;
;Abonnement sociaal restaurant;new;sociaal-restaurant;citizen;Dirk Janssens;;;Kan moeilijk stappen: maaltijden aan huis.
";

    async fn start(name: &str, locale: Locale) -> (tempfile::TempDir, String, Cockpit) {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let data = tempfile::tempdir().unwrap();
        let service = format!("be.balie.{name}.{}", std::process::id());
        let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, locale))
            .await
            .unwrap();
        (data, service, cockpit)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_import_with_a_bad_row_writes_nothing_and_names_every_problem() {
        let (_data, service, cockpit) = start("cases-import", Locale::Nl).await;
        let bad = format!(
            "{GOOD_CSV}2026-000104;;new;;company;Bakkerij Maes;0203.201.341;geen-adres;
2026-000105;Parkeerkaart;wachten;;person;Els;;;
"
        );
        let ImportOutcome::Refused { errors } = cockpit
            .cases()
            .import(ImportFormat::Csv, bad.as_bytes())
            .unwrap()
        else {
            panic!("a file with bad rows must be refused");
        };
        let found: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.row, e.field.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                (5, "title"),
                (5, "enterprise_number"),
                (5, "email"),
                (6, "status"),
                (6, "party_kind"),
            ],
            "{errors:?}"
        );
        assert!(
            errors[1].message.contains("controlecijfers"),
            "{}",
            errors[1].message
        );
        assert!(
            cockpit.cases().source().recent(10).unwrap().is_empty(),
            "nothing half-imported"
        );
        // Not JSON at all, and a JSON file whose second case number is taken twice.
        assert!(matches!(
            cockpit
                .cases()
                .import(ImportFormat::Json, b"{not json")
                .unwrap(),
            ImportOutcome::Refused { .. }
        ));
        let twice = br#"[{"case_number":"2026-1","title":"A","party_kind":"citizen","party_name":"An"},
                         {"case_number":"2026-1","title":"B","party_kind":"citizen","party_name":"Bo"}]"#;
        let ImportOutcome::Refused { errors } =
            cockpit.cases().import(ImportFormat::Json, twice).unwrap()
        else {
            panic!("a duplicate number must be refused");
        };
        assert_eq!(
            (errors[0].row, errors[0].field.as_deref()),
            (2, Some("case_number"))
        );
        assert!(cockpit.cases().source().recent(10).unwrap().is_empty());

        // The good rows alone go in, all of them.
        assert_eq!(
            cockpit
                .cases()
                .import(ImportFormat::Csv, GOOD_CSV.as_bytes())
                .unwrap(),
            ImportOutcome::Imported {
                cases: 3,
                parties: 3
            }
        );
        let found = cockpit.cases().source().search("garage", 10).unwrap();
        assert_eq!(found[0].number, "2026-000101");
        // The third row got the next free number of the year.
        let dirk = cockpit.cases().source().search("dirk", 10).unwrap();
        assert_eq!(dirk.len(), 1);
        assert!(
            dirk[0].number.ends_with("-000001") || dirk[0].number.ends_with("-000103"),
            "{}",
            dirk[0].number
        );
        // A second import finds the garage again by its enterprise number.
        let again = br#"[{"title":"Terras zomer","party_kind":"company","party_name":"Garage Peeters bv","enterprise_number":"BE0203201340","notes":["Vraag via e-mail."]}]"#;
        assert_eq!(
            cockpit.cases().import(ImportFormat::Json, again).unwrap(),
            ImportOutcome::Imported {
                cases: 1,
                parties: 0
            }
        );
        assert_eq!(
            cockpit.cases().source().search("garage", 10).unwrap().len(),
            2
        );
        SecretStore::new(&service)
            .delete(SecretName::RelayClerkToken)
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_case_of_a_call_gets_the_call_and_its_payment_and_exports_to_json_and_pdf() {
        let (data, service, cockpit) = start("cases-call", Locale::Nl).await;
        cockpit
            .cases()
            .import(ImportFormat::Csv, GOOD_CSV.as_bytes())
            .unwrap();
        let garage = cockpit.cases().source().search("2026-000101", 1).unwrap()[0].id;
        let mut shown = cockpit.cases().subscribe();

        let conversation = cockpit
            .new_conversation_for(Some(garage), |_| {})
            .await
            .unwrap();
        assert_eq!(
            shown.recv().await.unwrap(),
            balie_cockpit::cases::DossierEvent::Show { case_id: garage }
        );
        let view = cockpit.cases().open(garage).unwrap();
        assert!(view.in_this_call);
        // A payment asked in the call lands in the case's timeline.
        let payment = cockpit
            .request_payment(&PaymentRequest {
                amount: "45,00".into(),
                description: "Verkeersborden opendeurdag".into(),
                provider: ProviderName::Sandbox,
            })
            .await
            .unwrap();
        cockpit
            .cases()
            .source()
            .add_note(
                garage,
                cockpit.cases().clerk_name(),
                "Betaling gevraagd in het gesprek.",
            )
            .unwrap();
        cockpit.end_conversation().await.unwrap();
        let _ = conversation;

        let view = cockpit.cases().refresh(garage).unwrap();
        assert!(!view.in_this_call);
        let kinds: Vec<&str> = view
            .timeline
            .iter()
            .map(|e| match e {
                balie_cockpit::cases::TimelineEntry::Created { .. } => "created",
                balie_cockpit::cases::TimelineEntry::Note { .. } => "note",
                balie_cockpit::cases::TimelineEntry::Call { ended_at_ms, .. } => {
                    assert!(ended_at_ms.is_some(), "the call's end is kept");
                    "call"
                }
                balie_cockpit::cases::TimelineEntry::Payment { payment_id, .. } => {
                    assert_eq!(payment_id, &payment.id);
                    "payment"
                }
            })
            .collect();
        assert_eq!(kinds, ["created", "note", "call", "payment", "note"]);
        let actions: Vec<&str> = view.audit.iter().map(|a| a.action.as_str()).collect();
        assert!(
            actions.contains(&"call.linked") && actions.contains(&"payment.linked"),
            "{actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| **a == "case.viewed").count(),
            1,
            "a refresh is not a new viewing: {actions:?}"
        );
        // Notes outside the limits are refused in the clerk's language.
        assert!(matches!(
            cockpit.cases().source().add_note(garage, "an", "  "),
            Err(CockpitError::Rejected(text)) if text.contains("notitie")
        ));

        let (name, json) = cockpit.cases().export(garage, ExportFormat::Json).unwrap();
        assert_eq!(name, "dossier-2026-000101.json");
        let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(json["number"], "2026-000101");
        assert_eq!(json["party"]["enterprise_number"], "0203.201.340");
        assert_eq!(json["payments"][0]["amount_cents"], 4500);
        assert_eq!(json["notes"].as_array().unwrap().len(), 2);

        let (name, pdf) = cockpit.cases().export(garage, ExportFormat::Pdf).unwrap();
        assert_eq!(name, "dossier-2026-000101.pdf");
        let file = data.path().join(&name);
        std::fs::write(&file, &pdf).unwrap();
        let text = std::process::Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext (package poppler-utils)");
        assert!(
            text.status.success(),
            "{}",
            String::from_utf8_lossy(&text.stderr)
        );
        let text = String::from_utf8_lossy(&text.stdout);
        for needle in [
            "Dossier 2026-000101",
            "Garage Peeters",
            "0203.201.340",
            "€ 45,00",
            "Het college keurde",
        ] {
            assert!(text.contains(needle), "{needle:?} not in the PDF:\n{text}");
        }
        SecretStore::new(&service)
            .delete(SecretName::RelayClerkToken)
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_case_is_opened_from_the_clerks_form_and_takes_documents_by_their_content() {
        use balie_cockpit::cases::NewCaseRequest;
        let (data, service, cockpit) = start("cases-create", Locale::Fr).await;
        let request = |kind: &str, name: &str, number: Option<&str>, title: &str| NewCaseRequest {
            party_kind: balie_domain::PartyKind::from_name(kind).unwrap(),
            party_name: name.into(),
            enterprise_number: number.map(Into::into),
            email: None,
            phone: None,
            title: title.into(),
            product: Some("verkeersborden".into()),
        };
        // Refused in the clerk's language, nothing written.
        for (bad, expected) in [
            (
                request("company", "Garage Peeters", None, "Opendeurdag"),
                "numéro d’entreprise",
            ),
            (
                request(
                    "company",
                    "Garage Peeters",
                    Some("0203.201.341"),
                    "Opendeurdag",
                ),
                "contrôle",
            ),
            (request("citizen", "Dirk", None, "  "), "titre"),
            (request("citizen", " ", None, "Maaltijden"), "nom"),
        ] {
            match cockpit.cases().create(&bad) {
                Err(CockpitError::Rejected(text)) => assert!(text.contains(expected), "{text}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(cockpit.cases().source().recent(5).unwrap().is_empty());
        let first = cockpit
            .cases()
            .create(&request(
                "company",
                "Garage Peeters",
                Some("0203.201.340"),
                "Opendeurdag",
            ))
            .unwrap();
        let second = cockpit
            .cases()
            .create(&request(
                "company",
                "Garage Peeters bv",
                Some("BE0203201340"),
                "Terras",
            ))
            .unwrap();
        let first_view = cockpit.cases().open(first).unwrap();
        let second_view = cockpit.cases().open(second).unwrap();
        assert_eq!(
            first_view.party, second_view.party,
            "the same enterprise number is the same party"
        );
        assert_eq!(
            first_view.product.as_deref(),
            Some("Panneaux de signalisation pour un événement sur le domaine public")
        );
        assert_eq!(
            first_view.assigned_clerk.as_deref(),
            Some(cockpit.cases().clerk_name())
        );

        // Documents: by content, size and type checked, stored once.
        let pdf = b"%PDF-1.4\nvergunning\n".to_vec();
        let doc = cockpit
            .cases()
            .attach_document(first, "vergunning.pdf", &pdf)
            .unwrap();
        cockpit
            .cases()
            .attach_document(second, "kopie.pdf", &pdf)
            .unwrap();
        let path = cockpit.cases().document_path(first, doc).unwrap();
        assert!(path.starts_with(data.path().join("documents")));
        assert_eq!(std::fs::read(&path).unwrap(), pdf);
        let stored = walk(&data.path().join("documents"));
        assert_eq!(
            stored.len(),
            1,
            "the same bytes are stored once: {stored:?}"
        );
        assert!(matches!(
            cockpit.cases().attach_document(first, "virus.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff"),
            Err(CockpitError::Rejected(text)) if text.contains("PDF, PNG, JPEG")
        ));
        let view = cockpit.cases().refresh(first).unwrap();
        assert_eq!(view.documents.len(), 1);
        assert_eq!(view.documents[0].media_type, "application/pdf");
        assert!(
            cockpit.cases().document_path(second, doc).is_err(),
            "another case's document is not this case's"
        );

        // Retention: nothing to forget yet.
        assert_eq!(cockpit.purge().unwrap(), 0);
        SecretStore::new(&service)
            .delete(SecretName::RelayClerkToken)
            .unwrap();
    }
}
