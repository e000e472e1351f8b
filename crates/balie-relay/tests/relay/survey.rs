//! Issue 16: the citizen's survey after a call. Only the citizen who was let in can
//! answer, once, within a day, a score of 1 to 5 and a comment of at most 500 characters;
//! anything else is refused with nothing stored. The clerk reads the answers about their
//! own rooms.

use super::helpers::*;
use super::signaling::{admitted, room};
use balie_protocol::ErrorCode;
use balie_protocol::impact::CitizenSurveys;
use balie_relay::Clock;

async fn post(relay: &TestRelay, body: serde_json::Value) -> reqwest::Response {
    relay
        .client
        .post(format!("{}/survey", relay.url))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn answers(relay: &TestRelay, token: &str, after: i64) -> CitizenSurveys {
    relay
        .client
        .get(format!("{}/api/surveys?after={after}", relay.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_citizen_who_was_in_the_call_answers_once_and_the_clerk_reads_it() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (_clerk, _citizen, resume) = admitted(&relay, &room).await;

    let answer = serde_json::json!({
        "resume": resume, "score": 4, "comment": "  Vlot geholpen, dank u.  ", "locale": "nl"
    });
    assert_eq!(post(&relay, answer.clone()).await.status(), 204);
    // Again, or with another score: already answered, nothing changes.
    let again = post(
        &relay,
        serde_json::json!({ "resume": resume, "score": 1, "locale": "nl" }),
    )
    .await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_body(again).await.error.code, ErrorCode::AlreadyDone);

    let read = answers(&relay, &relay.token, 0).await;
    assert_eq!(read.answers.len(), 1);
    let a = &read.answers[0];
    assert_eq!((a.room_id.as_str(), a.score), (room.id.as_str(), 4));
    assert_eq!(a.comment.as_deref(), Some("Vlot geholpen, dank u."));
    // The cursor: nothing after it.
    assert!(
        answers(&relay, &relay.token, a.seq)
            .await
            .answers
            .is_empty()
    );
    // Another clerk reads nothing of it.
    let other = relay.add_clerk("collega");
    assert!(answers(&relay, &other, 0).await.answers.is_empty());
}

#[tokio::test]
async fn bad_answers_are_refused_with_nothing_stored() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (_clerk, _citizen, resume) = admitted(&relay, &room).await;

    let cases = [
        (
            serde_json::json!({ "resume": resume, "score": 0, "locale": "nl" }),
            400,
        ),
        (
            serde_json::json!({ "resume": resume, "score": 6, "locale": "fr" }),
            400,
        ),
        (
            serde_json::json!({ "resume": resume, "score": 300, "locale": "nl" }),
            400,
        ),
        (
            serde_json::json!({ "resume": resume, "score": 3, "comment": "x".repeat(501), "locale": "en" }),
            400,
        ),
        (
            serde_json::json!({ "resume": resume, "score": 3, "comment": "a\u{0007}b", "locale": "nl" }),
            400,
        ),
        (
            serde_json::json!({ "resume": resume, "score": 3, "locale": "de" }),
            400,
        ),
        (
            serde_json::json!({ "resume": resume, "score": 3, "locale": "nl", "name": "Dirk" }),
            400,
        ),
        // A survey without a call: no ticket has this key.
        (
            serde_json::json!({ "resume": "AAAAAAAAAAAAAAAAAAAAAA", "score": 5, "locale": "nl" }),
            404,
        ),
    ];
    for (body, status) in cases {
        assert_eq!(post(&relay, body.clone()).await.status(), status, "{body}");
    }
    assert!(answers(&relay, &relay.token, 0).await.answers.is_empty());
    // 500 characters exactly is fine.
    let full = serde_json::json!({ "resume": resume, "score": 3, "comment": "é".repeat(500), "locale": "nl" });
    assert_eq!(post(&relay, full).await.status(), 204);
    assert_eq!(answers(&relay, &relay.token, 0).await.answers.len(), 1);
}

#[tokio::test]
async fn a_day_after_the_call_the_survey_is_closed() {
    let clock = Clock::manual(1_780_000_000);
    let relay = spawn_with_clock(|_| {}, clock.clone()).await;
    let room = room(&relay).await;
    let (_clerk, _citizen, resume) = admitted(&relay, &room).await;
    clock.advance(24 * 3600);
    let late = post(
        &relay,
        serde_json::json!({ "resume": resume, "score": 5, "locale": "nl" }),
    )
    .await;
    assert_eq!(late.status(), 410);
    assert!(answers(&relay, &relay.token, 0).await.answers.is_empty());
}

#[tokio::test]
async fn the_clerk_reads_the_opening_hours_and_a_stranger_does_not() {
    let relay = spawn_app().await;
    let anonymous = relay
        .client
        .get(format!("{}/api/opening-hours", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let hours: balie_protocol::agenda::Availability = relay
        .client
        .get(format!("{}/api/opening-hours", relay.url))
        .bearer_auth(&relay.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hours.week.len(), 7);
}
