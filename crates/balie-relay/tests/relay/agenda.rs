//! The front door for the clerk's cockpit: products, appointments, availability, and the
//! knock in an appointment's room that rings the clerk who has not opened it.

use crate::booking::{book, browser, join_link, seed, slot_values};
use crate::helpers::*;
use crate::ws::connect;
use balie_domain::Locale;
use balie_protocol::agenda::{Appointments, Availability, DayException, KnockHint, Products};
use balie_protocol::signaling::*;

async fn get<T: serde::de::DeserializeOwned>(relay: &TestRelay, path: &str) -> T {
    let response = relay
        .client
        .get(format!("{}{path}", relay.url))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_cockpit_reads_products_and_appointments_and_sets_the_clerks_availability() {
    let relay = spawn_app().await;
    seed(&relay);
    // Without the clerk's token: nothing.
    for path in ["/api/products", "/api/appointments", "/api/availability"] {
        let anonymous = relay
            .client
            .get(format!("{}{path}", relay.url))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{path}");
    }
    let products: Products = get(&relay, "/api/products").await;
    assert_eq!(products.products.len(), 1);
    let meals = &products.products[0];
    assert_eq!(meals.id, "sociaal-restaurant");
    assert_eq!(meals.name.fr, "Abonnement restaurant social");
    assert_eq!(meals.price_cents, 6000);
    assert!(meals.served_by_me);

    // Availability as seeded, then changed: Tuesday 1 December off, Saturday 5 December
    // an evening.
    let seeded: Availability = get(&relay, "/api/availability").await;
    assert_eq!(seeded.week[1], "09:00-12:00,18:00-20:00");
    assert_eq!(seeded.week[5], "-");
    let wanted = Availability {
        week: seeded.week.clone(),
        exceptions: vec![
            DayException {
                date: "2026-12-01".into(),
                hours: "-".into(),
            },
            DayException {
                date: "2026-12-05".into(),
                hours: "18:00-20:00".into(),
            },
        ],
    };
    let put = relay
        .client
        .put(format!("{}/api/availability", relay.url))
        .bearer_auth(&relay.token)
        .json(&wanted)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 204);
    assert_eq!(
        get::<Availability>(&relay, "/api/availability").await,
        wanted
    );
    let week = browser()
        .get(format!("{}/book/sociaal-restaurant", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let slots = slot_values(&week);
    // Tuesday 1 December 09:00 (08:00 UTC) is gone; Saturday 5 December 18:00 (17:00 UTC)
    // is offered, outside the opening hours.
    assert!(!slots.contains(&(T0 + 2 * 86400 + 8 * 3600)), "{slots:?}");
    assert!(slots.contains(&(T0 + 6 * 86400 + 17 * 3600)), "{slots:?}");
    // Hours that are not hours are refused, and nothing changes.
    let mut wrong = wanted.clone();
    wrong.week[0] = "25:00-26:00".into();
    let refused = relay
        .client
        .put(format!("{}/api/availability", relay.url))
        .bearer_auth(&relay.token)
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(
        get::<Availability>(&relay, "/api/availability").await,
        wanted
    );

    // A booked appointment shows up in the clerk's agenda with what the citizen typed.
    let monday_nine = T0 + 32 * 3600;
    book(&relay, monday_nine, "dirk@example.be").await;
    let agenda: Appointments = get(&relay, "/api/appointments").await;
    assert_eq!(agenda.appointments.len(), 1);
    let a = &agenda.appointments[0];
    assert_eq!(a.starts_at, "2026-11-30T08:00:00Z");
    assert_eq!(a.name, "Dirk Peeters");
    assert_eq!(a.email.as_deref(), Some("dirk@example.be"));
    assert_eq!(a.question, "Kan ik ook voor mijn buurvrouw inschrijven?");
    assert_eq!(a.product.nl, "Abonnement sociaal restaurant");
    assert!(!a.outside_hours);
    assert!(a.mails.is_empty(), "this relay sends no mail");
    // Outside the span asked: not there. A span that is not one: refused.
    let later: Appointments = get(
        &relay,
        "/api/appointments?from=2026-12-01T00:00:00Z&until=2026-12-08T00:00:00Z",
    )
    .await;
    assert!(later.appointments.is_empty());
    let bad = relay
        .client
        .get(format!("{}/api/appointments?from=gisteren", relay.url))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    relay.stop().await;
}

#[tokio::test]
async fn a_knock_in_an_appointments_room_rings_its_clerk_who_opens_it_and_finds_the_knock() {
    let relay = spawn_app().await;
    seed(&relay);
    let monday_nine = T0 + 32 * 3600;
    let manage = book(&relay, monday_nine, "dirk@example.be").await;
    let page = browser()
        .get(format!("{}{manage}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = join_link(&page).rsplit('/').next().unwrap().to_owned();
    let agenda: Appointments = get(&relay, "/api/appointments").await;
    let appointment = &agenda.appointments[0];
    // Another clerk's cockpit hears nothing of it.
    let other_token = relay.add_clerk("collega");
    let mut other_hints = connect(&format!("{}/ws/hints", relay.ws_url()), Some(&other_token))
        .await
        .unwrap();
    let mut hints = connect(&format!("{}/ws/hints", relay.ws_url()), Some(&relay.token))
        .await
        .unwrap();

    relay
        .clock
        .advance(monday_nine - 10 * 60 - relay.clock.now_unix());
    let mut citizen = connect(&format!("{}/ws/citizen/{token}", relay.ws_url()), None)
        .await
        .unwrap();
    citizen
        .send(&CitizenMessage::Knock {
            version: SIGNALING_VERSION,
            locale: Locale::Nl,
            resume: None,
        })
        .await;
    assert_eq!(
        citizen.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    let hint: KnockHint = hints.recv().await;
    assert_eq!(hint.knock_in_room, appointment.room_id);
    assert_eq!(
        hint.appointment_id.as_deref(),
        Some(appointment.id.as_str())
    );
    assert!(
        other_hints
            .quiet_for(std::time::Duration::from_millis(300))
            .await
    );

    // The clerk opens the room: the knock is there; let in.
    let mut clerk = connect(
        &format!("{}/ws/clerk/{}", relay.ws_url(), appointment.room_id),
        Some(&relay.token),
    )
    .await
    .unwrap();
    clerk
        .send(&ClerkMessage::Hello {
            version: SIGNALING_VERSION,
        })
        .await;
    assert!(matches!(
        clerk.recv::<RelayToClerk>().await,
        RelayToClerk::Welcome { .. }
    ));
    let RelayToClerk::Knock { knock_id, .. } = clerk.recv().await else {
        panic!("expected the waiting knock");
    };
    clerk.send(&ClerkMessage::Admit { knock_id }).await;
    assert!(matches!(
        citizen.recv::<RelayToCitizen>().await,
        RelayToCitizen::Admitted { .. }
    ));
    relay.stop().await;
}
