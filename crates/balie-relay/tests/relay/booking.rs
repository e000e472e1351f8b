//! The front door over HTTP: products, free moments, booking (never twice, also from two
//! relays on one database), the appointment page and its .ics, moving and cancelling.

use crate::helpers::*;
use balie_domain::agenda::DayHours;
use balie_store::relay::{hours, product};
use jiff::civil::Weekday;

/// A product "sociaal-restaurant" (20 minutes) served by the relay's clerk "tester",
/// who takes appointments on weekdays 09:00-12:00 and Tuesday evenings 18:00-20:00; the
/// town hall is open on weekdays 09:00-12:00.
pub fn seed(relay: &TestRelay) {
    let db = open_db(relay);
    product::put(
        &db,
        &product::Product {
            id: "sociaal-restaurant".into(),
            name: product::Texts {
                nl: "Abonnement sociaal restaurant".into(),
                fr: "Abonnement restaurant social".into(),
                en: "Social restaurant subscription".into(),
            },
            prepare: product::Texts {
                nl: "Uw identiteitskaart".into(),
                fr: "Votre carte d'identité".into(),
                en: "Your identity card".into(),
            },
            price: balie_domain::Money::from_cents(6000),
            duration_minutes: 20,
            digital: true,
            position: 1,
            served_by: vec![product::ServedBy::Clerk("tester".into())],
            changed_at: 0,
            identity_required: false,
        },
    )
    .unwrap();
    let mut available = balie_domain::agenda::Calendar::default();
    let morning: DayHours = "09:00-12:00".parse().unwrap();
    for day in [
        Weekday::Monday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ] {
        available.set_weekday(day, morning.clone());
        hours::set_opening_weekday(&db, day, &morning).unwrap();
    }
    available.set_weekday(Weekday::Tuesday, "09:00-12:00,18:00-20:00".parse().unwrap());
    hours::set_opening_weekday(&db, Weekday::Tuesday, &morning).unwrap();
    hours::set_availability(
        &db,
        clerk_id(&db, "tester"),
        &available,
        jiff::civil::date(2026, 1, 1),
    )
    .unwrap();
}

pub fn open_db(relay: &TestRelay) -> rusqlite::Connection {
    balie_store::open(
        &relay.dir.path().join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap()
}

fn clerk_id(db: &rusqlite::Connection, name: &str) -> i64 {
    balie_store::relay::clerk::list(db)
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap()
        .id
}

/// A client that does not follow redirects (the 303 after a booking is checked).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Every `value="…"` of the moment choices on a page, in order.
pub fn slot_values(html: &str) -> Vec<i64> {
    html.split(r#"name="at" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// The booking form's token.
pub fn form_token(html: &str) -> String {
    html.split(r#"name="form" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no form token in {html}"))
        .to_owned()
}

/// The details form's token for moment `at`, as the citizen's page gets it.
pub async fn details(relay: &TestRelay, client: &reqwest::Client, at: i64) -> String {
    let page = client
        .get(format!(
            "{}/book/sociaal-restaurant/details?at={at}&lang=nl",
            relay.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    form_token(&page.text().await.unwrap())
}

/// Posts the booking form for `at` with `token`; `email` tells the citizens apart.
pub async fn post_booking(
    relay: &TestRelay,
    client: &reqwest::Client,
    at: i64,
    token: &str,
    email: &str,
) -> reqwest::Response {
    client
        .post(format!("{}/book/sociaal-restaurant", relay.url))
        .form(&[
            ("at", at.to_string().as_str()),
            ("form", token),
            ("lang", "nl"),
            ("name", "Dirk Peeters"),
            ("email", email),
            ("phone", ""),
            ("postcode", "9000"),
            ("language", "nl"),
            ("question", "Kan ik ook voor mijn buurvrouw inschrijven?"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap()
}

/// Books `at` as a citizen would (details page, a few seconds of typing, post); the
/// manage page's address.
pub async fn book(relay: &TestRelay, at: i64, email: &str) -> String {
    let client = browser();
    let token = details(relay, &client, at).await;
    relay.clock.advance(5);
    let done = post_booking(relay, &client, at, &token, email).await;
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/a/"), "{location}");
    location
}

/// The join link on a manage page.
pub fn join_link(html: &str) -> String {
    html.split(r#"class="button primary" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no join link in {html}"))
        .to_owned()
}

#[tokio::test]
async fn the_front_door_lists_the_products_and_the_opening_hours_in_the_citizens_language() {
    let relay = spawn_app().await;
    seed(&relay);
    let page = relay
        .client
        .get(format!("{}/?lang=fr", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("form-action 'none'")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="fr-BE">"#));
    assert!(html.contains("Abonnement restaurant social"), "{html}");
    assert!(html.contains("60,00"));
    assert!(html.contains("environ 20 minutes"));
    assert!(html.contains("Votre carte d&#39;identité"));
    assert!(html.contains(r#"href="/book/sociaal-restaurant?lang=fr""#));
    assert!(
        html.contains("<dt>lundi</dt><dd>09:00–12:00</dd>"),
        "{html}"
    );
    assert!(html.contains("<dt>samedi</dt><dd>fermé</dd>"));
    // `?product=` shows that one; an unknown one says so and shows all.
    let one = relay
        .client
        .get(format!("{}/?product=sociaal-restaurant&lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(one.contains("Alle diensten bekijken"));
    let unknown = relay
        .client
        .get(format!("{}/?product=paspoort&lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(unknown.contains("Deze dienst vonden we niet"));
    assert!(unknown.contains("Abonnement sociaal restaurant"));
    relay.stop().await;
}

#[tokio::test]
async fn a_booking_gives_an_appointment_page_with_the_join_link_and_an_ics_that_parses() {
    let relay = spawn_app().await;
    seed(&relay);
    let client = browser();
    let week = client
        .get(format!("{}/book/sociaal-restaurant?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let slots = slot_values(&week);
    // Monday 30 November 2026, 09:00 in Brussels is 08:00 UTC; moments every 20 minutes.
    assert_eq!(
        slots[..3],
        [T0 + 32 * 3600, T0 + 32 * 3600 + 1200, T0 + 32 * 3600 + 2400]
    );
    // Tuesday evening is offered, marked as outside the opening hours.
    let tuesday_evening = T0 + 2 * 86400 + 17 * 3600;
    assert!(slots.contains(&tuesday_evening), "{week}");
    assert!(week.contains("buiten de openingsuren"));
    let at = slots[0];

    let token = details(&relay, &client, at).await;
    // Sent back at once: not a person; what was typed comes back with the request to
    // confirm again.
    let fast = post_booking(&relay, &client, at, &token, "dirk@example.be").await;
    assert_eq!(fast.status(), 422);
    let fast = fast.text().await.unwrap();
    assert!(fast.contains("bevestig nog eens"), "{fast}");
    assert!(fast.contains(r#"value="dirk@example.be""#));
    relay.clock.advance(5);
    let fresh = form_token(&fast);
    relay.clock.advance(5);
    // A wrong e-mail address is pointed at, with the field marked.
    let wrong = post_booking(&relay, &client, at, &fresh, "dirk@").await;
    assert_eq!(wrong.status(), 422);
    let wrong = wrong.text().await.unwrap();
    assert!(
        wrong.contains(r#"aria-invalid="true" aria-describedby="e-email""#),
        "{wrong}"
    );
    assert!(wrong.contains(r##"<a href="#f-email">"##));
    let done = post_booking(&relay, &client, at, &fresh, "dirk@example.be").await;
    assert_eq!(done.status(), 303);
    let manage = done.headers()["location"].to_str().unwrap().to_owned();
    // The same form again books nothing (the moment is taken; the chooser says so).
    let again = post_booking(&relay, &client, at, &fresh, "dirk@example.be").await;
    assert_eq!(again.status(), 200);
    assert!(again.text().await.unwrap().contains("niet meer vrij"));

    let page = client
        .get(format!("{}{manage}", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let page = page.text().await.unwrap();
    assert!(page.contains("Uw afspraak is bevestigd"), "{page}");
    // This relay sends no mail, and says so.
    assert!(page.contains("U krijgt geen e-mail van ons"), "{page}");
    assert!(page.contains("maandag 30 november 2026 om 09:00"));
    let join = join_link(&page);
    assert!(join.starts_with(&format!("{}/j/", relay.url)), "{join}");
    // The moment is no longer offered.
    let week = client
        .get(format!("{}/book/sociaal-restaurant?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!slot_values(&week).contains(&at));

    // The calendar file, read back by an iCalendar parser.
    let path = manage.split('?').next().unwrap();
    let ics = client
        .get(format!("{}{path}/afspraak.ics", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ics.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = ics.text().await.unwrap();
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    let event = calendar.events().next().expect("one event");
    use icalendar::Component as _;
    let start = match event.get_start().unwrap() {
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t)) => t,
        other => panic!("start not in UTC: {other:?}"),
    };
    assert_eq!(start.timestamp(), at);
    assert!(event.get_description().unwrap().contains(&join));
    assert_eq!(event.get_url(), Some(join.as_str()));
    assert!(ics.contains("BEGIN:VALARM"), "{ics}");
    // Fifteen minutes before, when the link opens.
    assert!(ics.contains("TRIGGER:-PT900S"), "{ics}");
    relay.stop().await;
}

#[tokio::test]
async fn fifty_citizens_choosing_one_moment_at_once_on_two_relays_give_one_appointment() {
    let first = spawn_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    seed(&first);
    // A second relay on the same database: the transaction, not one process's lock,
    // keeps the moment from being given twice.
    let second = first.restarted().await;
    let client = browser();
    let at = T0 + 32 * 3600;
    // Each citizen's form comes from the relay they will send it to.
    let mut tokens = Vec::new();
    for i in 0..50 {
        let relay = if i % 2 == 0 { &first } else { &second };
        tokens.push(details(relay, &client, at).await);
    }
    first.clock.advance(10);
    let attempts = tokens.iter().enumerate().map(|(i, token)| {
        let relay = if i % 2 == 0 { &first } else { &second };
        let client = client.clone();
        async move {
            // Each from its own address, behind the trusted proxy.
            client
                .post(format!("{}/book/sociaal-restaurant", relay.url))
                .header("x-forwarded-for", format!("192.0.2.{}", i + 1))
                .form(&[
                    ("at", at.to_string().as_str()),
                    ("form", token.as_str()),
                    ("lang", "nl"),
                    ("name", "Burger"),
                    ("email", format!("burger{i}@example.be").as_str()),
                    ("language", "nl"),
                    ("consent", "yes"),
                ])
                .send()
                .await
                .unwrap()
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let mut booked = 0;
    for answer in answers {
        match answer.status().as_u16() {
            303 => booked += 1,
            200 => {
                // Refused: back to the chooser, which says why.
                let page = answer.text().await.unwrap();
                assert!(page.contains("niet meer vrij"), "{page}");
            }
            other => panic!("unexpected {other}: {}", answer.text().await.unwrap()),
        }
    }
    assert_eq!(booked, 1);
    let db = open_db(&first);
    let held: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM appointment WHERE starts_at = ?1 AND status = 'booked'",
            [at],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(held, 1);
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn moving_or_cancelling_stops_the_old_links_and_frees_the_moment() {
    let relay = spawn_app().await;
    seed(&relay);
    let client = browser();
    let monday_nine = T0 + 32 * 3600;
    let manage = book(&relay, monday_nine, "jef@example.be").await;
    let page = client
        .get(format!("{}{manage}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let old_join = join_link(&page);
    let base = manage.split('?').next().unwrap().to_owned();

    // Move to Wednesday 10:00.
    let wednesday_ten = T0 + 2 * 86400 + 32 * 3600 + 3600;
    let moved = client
        .post(format!("{}{base}/move", relay.url))
        .form(&[("at", wednesday_ten.to_string().as_str()), ("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 303);
    let new_manage = moved.headers()["location"].to_str().unwrap().to_owned();
    assert_ne!(new_manage.split('?').next(), Some(base.as_str()));
    let old_page = client
        .get(format!("{}{base}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        old_page.contains("Deze afspraak werd verplaatst"),
        "{old_page}"
    );
    assert_eq!(client.get(&old_join).send().await.unwrap().status(), 410);
    let new_page = client
        .get(format!("{}{new_manage}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        new_page.contains("woensdag 2 december 2026 om 10:00"),
        "{new_page}"
    );
    let new_join = join_link(&new_page);
    assert_ne!(new_join, old_join);
    assert_eq!(client.get(&new_join).send().await.unwrap().status(), 200);
    // Monday 09:00 is free again.
    let week = client
        .get(format!("{}/book/sociaal-restaurant", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(slot_values(&week).contains(&monday_nine));

    // Cancel: asked first, then done; the join link stops working.
    let new_base = new_manage.split('?').next().unwrap();
    let ask = client
        .get(format!("{}{new_base}/cancel", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ask.contains("Wilt u deze afspraak annuleren?"));
    let cancelled = client
        .post(format!("{}{new_base}/cancel", relay.url))
        .form(&[("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 303);
    let after = client
        .get(format!("{}{new_base}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("Uw afspraak is geannuleerd"));
    assert_eq!(client.get(&new_join).send().await.unwrap().status(), 410);
    let db = open_db(&relay);
    let statuses: Vec<String> = db
        .prepare("SELECT status FROM appointment ORDER BY created_at, status")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(statuses, ["canceled", "moved"]);
    relay.stop().await;
}

#[tokio::test]
async fn an_address_or_a_contact_cannot_book_without_end() {
    let relay = spawn_app().await;
    seed(&relay);
    let client = browser();
    let week = client
        .get(format!("{}/book/sociaal-restaurant", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let slots = slot_values(&week);
    assert!(slots.len() > 20, "{}", slots.len());
    // One e-mail address holds at most three appointments to come.
    for at in &slots[..3] {
        book(&relay, *at, "veel@example.be").await;
    }
    let token = details(&relay, &client, slots[3]).await;
    relay.clock.advance(5);
    let fourth = post_booking(&relay, &client, slots[3], &token, "veel@example.be").await;
    assert_eq!(fourth.status(), 422);
    assert!(
        fourth
            .text()
            .await
            .unwrap()
            .contains("al 3 afspraken gepland")
    );
    // One address: after the burst, refused (with what was typed kept).
    let mut refused = false;
    for (i, at) in slots[4..20].iter().enumerate() {
        let token = details(&relay, &client, *at).await;
        relay.clock.advance(5);
        let answer = post_booking(&relay, &client, *at, &token, &format!("b{i}@example.be")).await;
        if answer.status() == 422 {
            let page = answer.text().await.unwrap();
            assert!(page.contains("te veel afspraken"), "{page}");
            assert!(page.contains(&format!(r#"value="b{i}@example.be""#)));
            refused = true;
            break;
        }
        assert_eq!(answer.status(), 303);
    }
    assert!(refused, "no limit per address");
    // None was stored for the refused ones: three, and the rest of the burst.
    let db = open_db(&relay);
    let n: i64 = db
        .query_row("SELECT COUNT(*) FROM appointment", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, i64::from(balie_relay::limits::BOOKINGS_BURST) - 1);
    relay.stop().await;
}

#[tokio::test]
async fn an_early_citizen_is_told_when_the_appointment_begins_and_comes_in_from_fifteen_minutes_before()
 {
    let relay = spawn_app().await;
    seed(&relay);
    let client = browser();
    let monday_nine = T0 + 32 * 3600;
    let manage = book(&relay, monday_nine, "dirk@example.be").await;
    let page = client
        .get(format!("{}{manage}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let join = join_link(&page);
    let token = join.rsplit('/').next().unwrap().to_owned();
    let ws = format!("{}/ws/citizen/{token}", relay.ws_url());

    // An hour before: the page says when, offers no knock yet, and the socket refuses.
    relay
        .clock
        .advance(monday_nine - 3600 - relay.clock.now_unix());
    let early = client.get(format!("{join}?lang=nl")).send().await.unwrap();
    assert_eq!(early.status(), 200);
    let early = early.text().await.unwrap();
    assert!(early.contains("Uw afspraak begint om 09:00"), "{early}");
    assert!(early.contains("Vanaf 08:45 kunt u hier binnen"), "{early}");
    // A day before, the date is said too.
    relay.clock.advance(-86400);
    let day_before = client
        .get(format!("{join}?lang=nl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        day_before.contains("Uw afspraak is op maandag 30 november 2026 om 09:00"),
        "{day_before}"
    );
    relay.clock.advance(86400);
    assert!(early.contains(r#"data-opens-in="2700""#), "{early}");
    assert_eq!(crate::ws::connect(&ws, None).await.err(), Some(425));

    // Fifteen minutes before: in, and the page says when it begins.
    relay.clock.advance(2700);
    let open = client
        .get(format!("{join}?lang=nl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!open.contains("data-opens-in"));
    assert!(open.contains("Uw afspraak begint om 09:00"));
    assert!(crate::ws::connect(&ws, None).await.is_ok());
    // After the end and its grace period, the link has expired.
    relay.clock.advance(15 * 60 + 20 * 60 + 30 * 60);
    assert_eq!(client.get(&join).send().await.unwrap().status(), 410);
    relay.stop().await;
}

/// Issue 16: the postcode a citizen may give is kept with the appointment (for the trips
/// the impact figures count); one that is not a Belgian postcode is refused, with the
/// form kept and nothing booked.
#[tokio::test]
async fn a_postcode_given_when_booking_reaches_the_clerk_and_a_wrong_one_is_refused() {
    let relay = spawn_app().await;
    seed(&relay);
    let client = browser();
    let page = client
        .get(format!("{}/book/sociaal-restaurant?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = slot_values(&page)[0];
    let token = details(&relay, &client, at).await;
    relay.clock.advance(5);
    let wrong = client
        .post(format!("{}/book/sociaal-restaurant", relay.url))
        .form(&[
            ("at", at.to_string().as_str()),
            ("form", token.as_str()),
            ("lang", "nl"),
            ("name", "Dirk Peeters"),
            ("email", "dirk@example.be"),
            ("postcode", "12345"),
            ("language", "nl"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("Schrijf een Belgische postcode van vier cijfers"),
        "{html}"
    );
    assert!(
        html.contains(r#"value="12345""#),
        "the form keeps what was typed"
    );
    assert_eq!(
        open_db(&relay)
            .query_row("SELECT count(*) FROM appointment", [], |r| r
                .get::<_, i64>(0))
            .unwrap(),
        0
    );
    book(&relay, at, "dirk@example.be").await;
    let stored: Option<String> = open_db(&relay)
        .query_row("SELECT postcode FROM appointment", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.as_deref(), Some("9000"));
}
