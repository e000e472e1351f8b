//! Case files in the cockpit core: imports, the case of a call, exports, the clerk's form
//! and documents.

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
            balie_cockpit::cases::TimelineEntry::Payment {
                payment_id,
                provider,
                mode,
                ..
            } => {
                assert_eq!(payment_id, &payment.id);
                // Issue 12: who took the money and whether it was real, as recorded.
                assert_eq!(
                    (provider.as_str(), *mode),
                    ("sandbox", Some(balie_domain::PaymentMode::Test))
                );
                "payment"
            }
            balie_cockpit::cases::TimelineEntry::Identity { .. } => "identity",
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
    assert_eq!(
        (
            &json["payments"][0]["provider"],
            &json["payments"][0]["mode"]
        ),
        (&serde_json::json!("sandbox"), &serde_json::json!("test"))
    );
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
    // Lines wrap where the page ends: compare with the whitespace folded.
    let text = String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        "Dossier 2026-000101",
        "Garage Peeters",
        "0203.201.340",
        "€ 45,00",
        // The sandbox payment says whose it was and that it was test money.
        "Testbetaling (sandbox) · TEST",
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
    let Ok(balie_cockpit::cases::documents::Viewing::File(path)) =
        cockpit.cases().view_document(first, doc)
    else {
        panic!("a PDF goes to the system's viewer");
    };
    assert!(path.starts_with(data.path().join("viewing")));
    assert_eq!(path.extension().unwrap(), "pdf");
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
        cockpit.cases().view_document(second, doc).is_err(),
        "another case's document is not this case's"
    );

    // Retention: nothing to forget yet.
    assert_eq!(cockpit.purge().unwrap(), 0);
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}
