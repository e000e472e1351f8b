//! Issue 16: the municipality's impact figures on the relay. A cockpit's summary is kept
//! only when every record sits in its own day and within the limits; the admin page shows
//! the figures of all cockpits together, to a signed-in admin only.

use super::helpers::*;
use balie_impact::Facts;
use balie_impact::facts::{Conversation, Origin, Score};
use balie_impact::summary::{DayFacts, Upload};
use jiff::civil::{Date, date};

fn ms(day: Date, hour: i8) -> i64 {
    day.at(hour, 0, 0, 0)
        .to_zoned_datetime(balie_domain::agenda::brussels().unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn one_conversation(day: Date, score: u8) -> Upload {
    Upload {
        days: vec![DayFacts {
            day,
            facts: Facts {
                conversations: vec![Conversation {
                    at_ms: ms(day, 10),
                    product: None,
                    origin: Origin::Direct,
                    outside_hours: Some(true),
                    place: None,
                    trip_m: Some(7_000),
                    citizen_score: Score::new(score),
                    clerk_score: None,
                }],
                ..Facts::default()
            },
        }],
        whole: Some(Facts {
            digital_since: Some(day),
            ..Facts::default()
        }),
    }
}

async fn put(relay: &TestRelay, token: Option<&str>, body: &serde_json::Value) -> u16 {
    let mut request = relay
        .client
        .put(format!("{}/api/impact", relay.url))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(relay: &TestRelay, token: &str) -> (u16, Option<String>, String) {
    let response = no_redirects()
        .post(format!("{}/admin/login", relay.url))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned());
    (status, cookie, location)
}

async fn admin_page(relay: &TestRelay, cookie: Option<&str>, query: &str) -> String {
    let mut request = relay.client.get(format!("{}/admin?{query}", relay.url));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn a_summary_is_kept_only_with_every_record_in_its_own_day_and_within_limits() {
    let relay = spawn_app().await;
    let day = date(2026, 3, 29);
    let good = serde_json::to_value(one_conversation(day, 5)).unwrap();
    assert_eq!(put(&relay, None, &good).await, 401);
    assert_eq!(put(&relay, Some(&relay.token), &good).await, 204);
    // The same day again replaces it.
    assert_eq!(put(&relay, Some(&relay.token), &good).await, 204);

    let mut misplaced = one_conversation(day, 5);
    misplaced.days[0].facts.conversations[0].at_ms = ms(date(2026, 3, 30), 10);
    let mut too_many = one_conversation(day, 5);
    too_many.days = (0..63)
        .map(|i| DayFacts {
            day: date(2026, 1, 1)
                .checked_add(jiff::Span::new().days(i))
                .unwrap(),
            facts: Facts::default(),
        })
        .collect();
    let mut named = good.clone();
    named["days"][0]["facts"]["conversations"][0]["name"] = "Dirk Peeters".into();
    let mut text_as_product = good.clone();
    text_as_product["days"][0]["facts"]["conversations"][0]["product"] = "Dirk Peeters".into();
    let mut bad_score = good.clone();
    bad_score["days"][0]["facts"]["conversations"][0]["citizen_score"] = 7.into();
    for (what, body) in [
        ("misplaced", serde_json::to_value(misplaced).unwrap()),
        ("too many days", serde_json::to_value(too_many).unwrap()),
        ("an extra field", named),
        ("a name as product", text_as_product),
        ("a score of 7", bad_score),
    ] {
        assert_eq!(put(&relay, Some(&relay.token), &body).await, 400, "{what}");
    }
}

#[tokio::test]
async fn the_admin_page_shows_all_cockpits_together_to_a_signed_in_admin_only() {
    let relay = spawn_app().await;
    let today = balie_impact::period::day_of(
        &balie_domain::agenda::brussels().unwrap(),
        relay.clock.now_unix() * 1000,
    );
    // Two clerks, one conversation each, answered 5 and 4.
    let other = relay.add_clerk("collega");
    let body = |score| serde_json::to_value(one_conversation(today, score)).unwrap();
    assert_eq!(put(&relay, Some(&relay.token), &body(5)).await, 204);
    assert_eq!(put(&relay, Some(&other), &body(4)).await, 204);

    // Not signed in: the sign-in form, never a figure.
    let page = admin_page(&relay, None, "lang=nl").await;
    assert!(page.contains("Uw code"), "{page}");
    assert!(!page.contains("Vermeden verplaatsingen"));
    let (status, cookie, location) = sign_in(&relay, "balie_admin_wrong").await;
    assert_eq!(
        (status, cookie, location.as_str()),
        (303, None, "/admin?failed=1&lang=nl")
    );

    let db = balie_store::open(
        &relay.dir.path().join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap();
    let token = balie_relay::impact::add_admin(&db, "it@zonnedorp.be", 1).unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();
    assert!(balie_relay::impact::add_admin(&db, "it@zonnedorp.be", 1).is_err());
    let (status, cookie, _) = sign_in(&relay, &token).await;
    assert_eq!(status, 303);
    let cookie = cookie.expect("a session cookie");
    let page = admin_page(&relay, Some(&cookie), "lang=nl").await;
    for needle in [
        "Impact van de digitale balie in de gemeente",
        "Vermeden verplaatsingen naar het gemeentehuis: 2 (28,0 km",
        "Gesprekken buiten de openingsuren: 2 (100,0%)",
        "Gemiddeld 4,50 op 5 (antwoorden: 2; gesprekken: 2)",
        "data:image/svg+xml;base64,",
        "<table>",
    ] {
        assert!(page.contains(needle), "{needle:?} not on the page");
    }
    // One clerk's figures.
    let one = admin_page(&relay, Some(&cookie), "lang=nl&clerk=collega").await;
    assert!(
        one.contains("Gemiddeld 4,00 op 5 (antwoorden: 1; gesprekken: 1)"),
        "one clerk's page"
    );
    let unknown = relay
        .client
        .get(format!("{}/admin?lang=nl&clerk=niemand", relay.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    // The report, for a signed-in admin only.
    let pdf = relay
        .client
        .get(format!("{}/admin/report.pdf?lang=nl", relay.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    let csv = relay
        .client
        .get(format!("{}/admin/report.csv?lang=nl", relay.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Gemiddeld 4,50 op 5"), "{csv}");
    let stranger = no_redirects()
        .get(format!("{}/admin/report.pdf", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 303);
    // Revoked: back to the sign-in form.
    assert!(balie_store::relay::admin::revoke(&db, "it@zonnedorp.be", 2).unwrap());
    let page = admin_page(&relay, Some(&cookie), "lang=nl").await;
    assert!(page.contains("Uw code") && !page.contains("Vermeden verplaatsingen"));
}

/// The admin page as a person sees it in Chromium: the sign-in and the figures at phone
/// sizes and 200% text, axe clean, nothing sideways; signing in with the keyboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_is_accessible_on_a_phone_and_signs_in_with_the_keyboard() {
    use balie_testkit::chromium::{chromium_with, wait_for_text};
    let relay = spawn_app().await;
    let today = balie_impact::period::day_of(
        &balie_domain::agenda::brussels().unwrap(),
        relay.clock.now_unix() * 1000,
    );
    assert_eq!(
        put(
            &relay,
            Some(&relay.token),
            &serde_json::to_value(one_conversation(today, 5)).unwrap()
        )
        .await,
        204
    );
    let db = balie_store::open(
        &relay.dir.path().join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap();
    let token = balie_relay::impact::add_admin(&db, "it@zonnedorp.be", 1).unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();

    let (client, _driver) = chromium_with(&[]).await;
    balie_testkit::seen::set_viewport(&client, 360, 640).await;
    client
        .goto(&format!("{}/admin?lang=nl", relay.url))
        .await
        .unwrap();
    super::front_browser::check_any_page(
        &client,
        "admin-sign-in",
        &["h1", "#token", "button[type=submit]"],
    )
    .await;
    client
        .find(fantoccini::Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(&format!("{token}\u{e007}"))
        .await
        .unwrap();
    wait_for_text(&client, "h1", "Impact van de digitale balie in de gemeente").await;
    super::front_browser::check_any_page(
        &client,
        "admin-figures",
        &[
            "h1",
            "#kind",
            "#indicator-trips .headline",
            "#indicator-trips .chart",
        ],
    )
    .await;
    let _ = client.close().await;
}
