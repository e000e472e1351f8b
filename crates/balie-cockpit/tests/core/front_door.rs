//! The front door from the cockpit's core, against a relay of the municipality (another
//! process's relay on loopback): the catalog follows the relay's products, the clerk's
//! availability is set, a booked appointment is in the agenda and opens its case (party,
//! product, the question as first note) and its room, and a walk-in is taken with
//! *Volgende burger*.

use balie_cockpit::front_door::FrontDoorEvent;
use balie_cockpit::{Cockpit, CockpitConfig};
use balie_domain::{Locale, Money};
use balie_protocol::agenda::{Availability, ClerkStatus};
use balie_secrets::{SecretName, SecretStore};
use balie_store::relay::product;
use secrecy::ExposeSecret as _;
use std::time::Duration;

fn relay_product(id: &str, name: &str, cents: u64) -> product::Product {
    product::Product {
        id: id.into(),
        name: product::Texts {
            nl: name.into(),
            fr: format!("{name} (fr)"),
            en: format!("{name} (en)"),
        },
        prepare: product::Texts::default(),
        price: Money::from_cents(cents),
        duration_minutes: 20,
        digital: true,
        position: 1,
        served_by: vec![product::ServedBy::Clerk("an".into())],
        changed_at: 0,
        identity_required: false,
    }
}

/// The form token in a front-door page.
fn form_token(html: &str) -> String {
    html.split(r#"name="form" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no form token in {html}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointments_and_walk_ins_reach_the_clerk_and_open_their_case_and_room() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // The municipality's relay, with a paid and a free product served by clerk "an".
    let relay_dir = tempfile::tempdir().unwrap();
    let config = balie_relay::RelayConfig::loopback(relay_dir.path().to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        let token = balie_relay::add_clerk(&db, "an").unwrap();
        product::put(
            &db,
            &relay_product("sociaal-restaurant", "Sociaal restaurant (relay)", 6000),
        )
        .unwrap();
        product::put(&db, &relay_product("gratis-advies", "Gratis advies", 0)).unwrap();
        token.secret().expose_secret().to_string()
    };
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_owned();
    tokio::spawn(relay.serve(std::future::pending()));

    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.front-door-test.{}", std::process::id());
    let secrets = SecretStore::new(&service);
    secrets
        .set(SecretName::RelayClerkToken, &token.clone().into())
        .unwrap();
    let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
    config.relay_url = Some(url.clone());
    let cockpit = Cockpit::start(config).await.unwrap();

    // The catalog follows the relay: its name, its price; the free product stays out.
    let catalog = cockpit.catalog().list().unwrap();
    let meals = catalog
        .iter()
        .find(|p| p.id == "sociaal-restaurant")
        .unwrap();
    assert_eq!(meals.name, "Sociaal restaurant (relay)");
    assert_eq!(meals.price_cents, 6000);
    assert!(!catalog.iter().any(|p| p.id == "gratis-advies"));

    // Availability: every day, all day (so the test finds moments whenever it runs).
    let all_day = Availability {
        week: std::array::from_fn(|_| "00:00-24:00".to_owned()),
        exceptions: Vec::new(),
    };
    let front = cockpit.front_door();
    front.set_availability(&all_day).await.unwrap();
    assert_eq!(front.availability().await.unwrap(), all_day);
    let mut wrong = all_day.clone();
    wrong.week[2] = "9 tot 5".into();
    assert!(front.set_availability(&wrong).await.is_err());
    assert_eq!(front.availability().await.unwrap(), all_day);

    // A citizen books on the front door.
    let citizen = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let week = citizen
        .get(format!("{url}/book/sociaal-restaurant?lang=nl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at: i64 = week
        .split(r#"name="at" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    let details = citizen
        .get(format!(
            "{url}/book/sociaal-restaurant/details?at={at}&lang=nl"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let booked = citizen
        .post(format!("{url}/book/sociaal-restaurant"))
        .form(&[
            ("at", at.to_string().as_str()),
            ("form", form_token(&details).as_str()),
            ("lang", "nl"),
            ("name", "Dirk Peeters"),
            ("email", "dirk@example.be"),
            ("phone", ""),
            ("language", "nl"),
            ("question", "Kan mijn buurvrouw ook mee-eten?"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 303);

    // In the agenda; opened, it makes its case once and follows its room.
    let agenda = front.appointments(None, 62).await.unwrap();
    assert_eq!(agenda.len(), 1, "{agenda:?}");
    let appointment = &agenda[0];
    assert_eq!(appointment.name, "Dirk Peeters");
    let opened = cockpit
        .open_appointment(&appointment.id, |_| {})
        .await
        .unwrap();
    assert_eq!(opened.room_id, appointment.room_id);
    let case_id = opened.case_id.expect("an appointment has its case");
    assert_eq!(
        cockpit.live_room().unwrap().as_deref(),
        Some(appointment.room_id.as_str())
    );
    let case = cockpit.cases().open(case_id).unwrap();
    assert_eq!(case.party.name, "Dirk Peeters");
    assert_eq!(case.party.email.as_deref(), Some("dirk@example.be"));
    assert_eq!(case.product.as_deref(), Some("Sociaal restaurant (relay)"));
    let timeline = serde_json::to_string(&case.timeline).unwrap();
    assert!(
        timeline.contains(
            "Vraag van de burger bij het maken van de afspraak: Kan mijn buurvrouw ook mee-eten?"
        ),
        "{timeline}"
    );
    assert_eq!(
        cockpit
            .open_appointment(&appointment.id, |_| {})
            .await
            .unwrap()
            .case_id,
        Some(case_id),
        "opened again: the same case"
    );

    // Walk-ins: available, the queue opens (the cockpit's hint socket is connected); a
    // citizen joins and the cockpit hears of it; *Volgende burger* takes them.
    let meals_queue = |q: balie_protocol::agenda::Queue| {
        q.products
            .into_iter()
            .find(|p| p.product_id == "sociaal-restaurant")
            .unwrap()
    };
    front.set_status(ClerkStatus::Available).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !meals_queue(front.queue().await.unwrap()).open {
        assert!(
            std::time::Instant::now() < deadline,
            "the queue never opened"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut events = front.subscribe();
    let page = citizen
        .get(format!("{url}/queue/sociaal-restaurant?lang=nl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let joined = citizen
        .post(format!("{url}/queue/sociaal-restaurant"))
        .form(&[("form", form_token(&page).as_str()), ("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 303);
    let event = loop {
        let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .expect("the cockpit hears of the queue")
            .unwrap();
        // Setting the status told about each of the clerk's products; the join about one.
        if event
            == (FrontDoorEvent::QueueChanged {
                product_id: "sociaal-restaurant".into(),
            })
        {
            break event;
        }
    };
    assert_eq!(
        event,
        FrontDoorEvent::QueueChanged {
            product_id: "sociaal-restaurant".into()
        }
    );
    assert_eq!(meals_queue(front.queue().await.unwrap()).waiting.len(), 1);
    let taken = cockpit
        .take_next_citizen(None, |_| {})
        .await
        .unwrap()
        .expect("a citizen waits");
    assert_eq!(taken.product_id, "sociaal-restaurant");
    assert!(
        taken.case_id.is_none(),
        "a walk-in is anonymous until the conversation"
    );
    assert!(taken.waited_seconds.is_some_and(|s| s >= 0));
    assert_eq!(
        cockpit.live_room().unwrap().as_deref(),
        Some(taken.room_id.as_str())
    );
    let queue = front.queue().await.unwrap();
    assert_eq!(queue.status, ClerkStatus::Busy);
    assert!(meals_queue(queue).waiting.is_empty());
    assert!(
        cockpit
            .take_next_citizen(None, |_| {})
            .await
            .unwrap()
            .is_none()
    );
    cockpit.end_conversation().await.unwrap();
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}
