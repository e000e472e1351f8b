//! Issue 16: what the cockpit records for the impact figures. A conversation nobody came
//! to is recorded but not counted, and asks the clerk nothing; the clerk's place is kept
//! for the day.

use balie_cockpit::{Cockpit, CockpitConfig};
use balie_domain::Locale;
use balie_impact::Period;
use balie_impact::facts::Place;
use balie_secrets::{SecretName, SecretStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_nobody_came_to_counts_for_nothing_and_asks_the_clerk_nothing() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.impact-test.{}", std::process::id());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let impact = cockpit.impact().clone();
    assert_eq!(impact.place_today().unwrap(), None, "not asked yet today");

    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    cockpit.end_conversation().await.unwrap();
    // Nobody was let in: no survey for the clerk, and no figure counts it.
    assert!(!impact.clerk_survey_due(&conversation.room_id).unwrap());
    assert!(
        impact
            .answer_clerk_survey(&conversation.room_id, 4)
            .is_err()
    );
    let today = impact.today();
    let (figures, _) = impact.figures(&Period::month(today)).unwrap();
    assert_eq!(figures.trips.conversations, 0);
    assert_eq!(figures.payments.asked, 0);

    // The place, once said, holds for the day; a score outside 1–5 is refused.
    impact.set_place(Place::Home).unwrap();
    assert_eq!(impact.place_today().unwrap(), Some(Place::Home));
    assert!(
        impact
            .answer_clerk_survey(&conversation.room_id, 9)
            .is_err()
    );
    // The embedded relay has no survey answers for this clerk yet.
    assert_eq!(impact.sync_surveys().await.unwrap(), 0);

    // The dashboard: fourteen indicators in the clerk's language, each with its chart.
    let request = balie_cockpit::impact::PeriodRequest {
        kind: balie_impact::PeriodKind::Quarter,
        day: None,
        last: None,
    };
    let view = impact
        .dashboard(&request, Locale::Nl, cockpit.catalog())
        .await
        .unwrap();
    assert_eq!(view.report.indicators.len(), 14);
    assert_eq!(view.charts.len(), 14);
    assert!(
        view.charts
            .iter()
            .all(|c| c.starts_with("data:image/svg+xml;base64,"))
    );
    assert_eq!(
        view.report.indicators[0].title,
        "Vermeden verplaatsingen en CO₂"
    );
    assert!(view.next_day.is_none(), "the next quarter lies ahead");
    // The report: a PDF that says the same (read back with pdftotext), and a CSV.
    let pdf = cockpit
        .impact_report(&request, balie_cockpit::impact::ReportFormat::Pdf)
        .await
        .unwrap();
    assert!(pdf.exists(), "{pdf:?}");
    let text = std::process::Command::new("pdftotext")
        .args([pdf.as_os_str(), std::ffi::OsStr::new("-")])
        .output()
        .expect("pdftotext (package poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
    for needle in [
        "Impactrapport digitale balie",
        "1. Vermeden verplaatsingen en CO₂",
        "14. Betalingen tijdens het gesprek",
        "Producten via de digitale balie: 3, waarvan met betaling: 3.",
        "Aannames en bronnen",
        "GeoNames",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the PDF: {text}");
    }
    let csv = cockpit
        .impact_report(&request, balie_cockpit::impact::ReportFormat::Csv)
        .await
        .unwrap();
    let csv = std::fs::read_to_string(csv).unwrap();
    assert!(
        csv.starts_with("\u{feff}indicator;title;row;column;value"),
        "{csv}"
    );
    assert!(csv.contains("11;Producten via de digitale balie;"), "{csv}");

    // A custom period that ends before it starts is refused, in words.
    let reversed = balie_cockpit::impact::PeriodRequest {
        kind: balie_impact::PeriodKind::Custom,
        day: Some("2026-05-10".into()),
        last: Some("2026-05-01".into()),
    };
    assert!(
        impact
            .dashboard(&reversed, Locale::Nl, cockpit.catalog())
            .await
            .is_err()
    );
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

/// Issue 16: what a cockpit sends its relay holds no name, contact, national number,
/// address, note, description or comment — only the anonymous facts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_sent_to_the_relay_holds_nothing_personal() {
    use balie_impact::facts::{Channel, IncidentKind, Origin, Score};
    use balie_store::cockpit::{case, impact as records, payment};
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.impact-summary-test.{}", std::process::id());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    {
        let mut conn = balie_store::open(
            &data.path().join("cockpit.sqlite3"),
            &balie_store::cockpit::SCHEMA,
        )
        .unwrap();
        let party = case::add_party(
            &conn,
            &case::NewParty {
                kind: case::PartyKind::Citizen,
                name: "Dirk Peeters".into(),
                enterprise_number: None,
                email: Some("dirk.peeters@example.be".into()),
                phone: Some("+32470123456".into()),
                address: Some("Kerkstraat 1, 9000 Gent".into()),
                external_id: None,
            },
            now - 600_000,
        )
        .unwrap();
        let id = case::add_case(
            &mut conn,
            &case::NewCase {
                number: "2026-000777".into(),
                party_id: party,
                product_id: Some("sociaal-restaurant".into()),
                title: "Maaltijden voor Dirk Peeters".into(),
                status: case::CaseStatus::New,
                assigned_clerk: Some("an".into()),
            },
            "an",
            now - 500_000,
        )
        .unwrap();
        case::add_note(
            &mut conn,
            id,
            "an",
            "Dirk belt terug over zijn rijksregisternummer 85073003328",
            now - 400_000,
        )
        .unwrap();
        case::link_room(&mut conn, id, "room-dirk", "an", now - 300_000).unwrap();
        records::open_conversation(
            &conn,
            &records::OpenedConversation {
                room_id: "room-dirk".into(),
                origin: Origin::Direct,
                product_id: None,
                requested_at_ms: None,
                opened_at_ms: now - 300_000,
                trip_m: None,
            },
        )
        .unwrap();
        records::conversation_admitted(&conn, "room-dirk", now - 290_000, Some(false), None)
            .unwrap();
        records::conversation_ended(&conn, "room-dirk", now - 200_000, Some(3_000), None).unwrap();
        records::citizen_answered(
            &conn,
            "room-dirk",
            Score::new(5).unwrap(),
            Some("Jef Janssens hielp mij vriendelijk"),
            now - 100_000,
        )
        .unwrap();
        case::set_status(&mut conn, id, case::CaseStatus::Closed, "an", now - 50_000).unwrap();
        payment::insert(
            &mut conn,
            &payment::NewPayment {
                id: "pay-dirk".into(),
                idempotency_key: "key-dirk".into(),
                provider: "transfer".into(),
                amount: balie_domain::Money::from_cents(6_000),
                description: "Abonnement Dirk Peeters".into(),
                reference: None,
                room_id: Some("room-dirk".into()),
                payer_locale: Some("nl".into()),
                mode: Some(balie_domain::PaymentMode::Live),
            },
            now - 250_000,
        )
        .unwrap();
        records::add_incident(
            &conn,
            &records::NewIncident {
                kind: IncidentKind::Aggression,
                channel: Channel::FrontDesk,
                at_ms: now - 86_400_000,
                note: "Jan Claes schreeuwde aan het onthaal".into(),
                reference: None,
            },
            "an",
            now,
        )
        .unwrap();
    }
    let sent = cockpit.impact().upload_summary().await.unwrap();
    assert!(sent >= 1, "days sent: {sent}");

    let relay = balie_store::open(
        &data.path().join("relay").join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap();
    let stored: Vec<String> = relay
        .prepare("SELECT facts FROM impact_day UNION ALL SELECT facts FROM impact_whole")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let all = stored.join("\n");
    // What was sent is there …
    assert!(all.contains("\"citizen_score\":5"), "{all}");
    assert!(all.contains("\"trip_m\":3000"), "{all}");
    assert!(all.contains("\"amount_cents\":6000"), "{all}");
    assert!(all.contains("\"kind\":\"aggression\""), "{all}");
    // … and nothing personal.
    for needle in [
        "Dirk",
        "Peeters",
        "dirk.peeters",
        "+32470",
        "Kerkstraat",
        // (The postcode's own digits could turn up in a timestamp; its town cannot.)
        "Gent",
        "85073003328",
        "Jef",
        "Janssens",
        "Claes",
        "schreeuwde",
        "Abonnement",
        "Maaltijden",
        "2026-000777",
        "room-dirk",
    ] {
        assert!(!all.contains(needle), "{needle:?} left the cockpit: {all}");
    }
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}
