//! The walk-in queue over HTTP: open only while a clerk for the product is available with
//! the cockpit connected, in its hours; places and estimates; *Volgende burger* by two
//! clerks at once serves two different citizens; a citizen who leaves or goes silent
//! drops out.

use crate::booking::{browser, open_db, seed};
use crate::helpers::*;
use crate::ws::{Ws, connect};
use balie_protocol::agenda::{
    ClerkStatus, Queue, QueueHint, SetStatus, TakenCitizen, TicketStatus,
};
use balie_store::relay::product;

/// Monday 30 November 2026, 09:30 in Brussels: in the opening hours.
const MONDAY_HALF_TEN: i64 = T0 + 32 * 3600 + 30 * 60;

async fn set_status(relay: &TestRelay, token: &str, status: ClerkStatus) {
    let done = relay
        .client
        .put(format!("{}/api/status", relay.url))
        .bearer_auth(token)
        .json(&SetStatus { status })
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 204);
}

async fn hints(relay: &TestRelay, token: &str) -> Ws {
    let ws = connect(&format!("{}/ws/hints", relay.ws_url()), Some(token))
        .await
        .unwrap();
    // The socket is registered once upgraded; a status change after this counts.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    ws
}

/// Joins the queue as a citizen would: the page, a few seconds, the button. The ticket
/// page's path.
async fn join(relay: &TestRelay, client: &reqwest::Client) -> String {
    let page = client
        .get(format!("{}/queue/sociaal-restaurant?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::booking::form_token(&page);
    relay.clock.advance(4);
    let joined = client
        .post(format!("{}/queue/sociaal-restaurant", relay.url))
        .form(&[("form", token.as_str()), ("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 303, "{}", joined.text().await.unwrap());
    joined.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn status(relay: &TestRelay, ticket: &str) -> reqwest::Response {
    relay
        .client
        .get(format!("{}{ticket}/status?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
}

async fn next(relay: &TestRelay, token: &str) -> reqwest::Response {
    relay
        .client
        .post(format!("{}/api/queue/next", relay.url))
        .bearer_auth(token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
}

async fn door(relay: &TestRelay) -> String {
    relay
        .client
        .get(format!("{}/?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn walk_ins_wait_in_order_and_two_clerks_taking_the_next_at_once_serve_two_citizens() {
    let relay = spawn_app().await;
    seed(&relay);
    let colleague = relay.add_clerk("collega");
    {
        let db = open_db(&relay);
        let mut meals = product::get(&db, "sociaal-restaurant").unwrap().unwrap();
        meals
            .served_by
            .push(product::ServedBy::Clerk("collega".into()));
        product::put(&db, &meals).unwrap();
    }
    relay
        .clock
        .advance(MONDAY_HALF_TEN - relay.clock.now_unix());

    // Nobody available: no call now; the queue's page offers an appointment.
    assert!(!door(&relay).await.contains("Nu videobellen"));
    // Available but no cockpit connected: still closed.
    set_status(&relay, &relay.token, ClerkStatus::Available).await;
    assert!(!door(&relay).await.contains("Nu videobellen"));
    let closed = relay
        .client
        .get(format!("{}/queue/sociaal-restaurant?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(closed.contains("geen medewerker vrij"), "{closed}");
    let mut tester_hints = hints(&relay, &relay.token).await;
    assert!(door(&relay).await.contains("Nu videobellen"));

    // Two citizens join; each sees their place; the clerk's cockpit hears of it.
    let first = join(&relay, &browser()).await;
    let hint: QueueHint = tester_hints.recv().await;
    assert_eq!(hint.queue_changed, "sociaal-restaurant");
    relay.clock.advance(30);
    let second = join(&relay, &browser()).await;
    let one: TicketStatus = status(&relay, &first).await.json().await.unwrap();
    assert_eq!(one.position, Some(1));
    assert_eq!(one.text, "U bent de volgende. Het duurt nog maar even.");
    let two: TicketStatus = status(&relay, &second).await.json().await.unwrap();
    assert_eq!(two.position, Some(2));
    // One conversation of 20 minutes ahead, one clerk.
    assert_eq!(two.minutes, Some(20));
    let page = relay
        .client
        .get(format!("{}{second}?lang=nl", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("U bent nummer 2 in de wachtrij."), "{page}");
    assert!(page.contains("ongeveer 20 minuten"));
    let queue: Queue = relay
        .client
        .get(format!("{}/api/queue", relay.url))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.status, ClerkStatus::Available);
    assert!(queue.products[0].open);
    assert_eq!(queue.products[0].waiting.len(), 2);

    // Both clerks click *Volgende burger* at the same moment: two citizens, two rooms.
    let _colleague_hints = hints(&relay, &colleague).await;
    set_status(&relay, &colleague, ClerkStatus::Available).await;
    let (a, b) = tokio::join!(next(&relay, &relay.token), next(&relay, &colleague));
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let a: TakenCitizen = a.json().await.unwrap();
    let b: TakenCitizen = b.json().await.unwrap();
    assert_ne!(a.room_id, b.room_id);
    let mut waited = [a.waited_seconds, b.waited_seconds];
    waited.sort();
    assert_eq!(
        waited,
        [0, 34],
        "the first waited 34 seconds, the second none"
    );
    // Each citizen's page is sent to a different conversation.
    let one: TicketStatus = status(&relay, &first).await.json().await.unwrap();
    let two: TicketStatus = status(&relay, &second).await.json().await.unwrap();
    let (one, two) = (one.join_url.unwrap(), two.join_url.unwrap());
    assert_ne!(one, two);
    assert_eq!(browser().get(&one).send().await.unwrap().status(), 200);
    // Nobody left: 204; the clerks are now in a conversation.
    assert_eq!(next(&relay, &relay.token).await.status(), 204);
    let queue: Queue = relay
        .client
        .get(format!("{}/api/queue", relay.url))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.status, ClerkStatus::Busy);
    // Both busy: no call now on the front door.
    assert!(!door(&relay).await.contains("Nu videobellen"));
    relay.stop().await;
}

#[tokio::test]
async fn a_citizen_who_leaves_or_closes_the_page_drops_out_and_a_closed_cockpit_closes_the_queue() {
    let relay = spawn_app().await;
    seed(&relay);
    relay
        .clock
        .advance(MONDAY_HALF_TEN - relay.clock.now_unix());
    let clerk_hints = hints(&relay, &relay.token).await;
    set_status(&relay, &relay.token, ClerkStatus::Available).await;
    let leaving = join(&relay, &browser()).await;
    let silent = join(&relay, &browser()).await;
    let staying = join(&relay, &browser()).await;
    // One leaves with the button.
    let left = browser()
        .post(format!("{}{leaving}/leave", relay.url))
        .form(&[("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), 303);
    assert_eq!(status(&relay, &leaving).await.status(), 410);
    // One closes the page: after 90 seconds without a word, their place is gone; the
    // one whose page keeps asking moves up.
    relay.clock.advance(60);
    let _ = status(&relay, &staying).await;
    relay.clock.advance(31);
    let now: TicketStatus = status(&relay, &staying).await.json().await.unwrap();
    assert_eq!(now.position, Some(1));
    let gone = browser()
        .get(format!("{}{silent}?lang=nl", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 410);
    assert!(
        gone.text()
            .await
            .unwrap()
            .contains("niet (meer) in de wachtrij")
    );
    // A ticket that is not one: the same.
    assert_eq!(status(&relay, "/q/nietsnuttig").await.status(), 410);

    // The cockpit closes: nobody can join any more.
    clerk_hints.close().await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(!door(&relay).await.contains("Nu videobellen"));
    // Away: the same, also with the cockpit connected.
    let _again = hints(&relay, &relay.token).await;
    assert!(door(&relay).await.contains("Nu videobellen"));
    set_status(&relay, &relay.token, ClerkStatus::Away).await;
    assert!(!door(&relay).await.contains("Nu videobellen"));
    relay.stop().await;
}
