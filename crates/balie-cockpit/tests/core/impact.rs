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
