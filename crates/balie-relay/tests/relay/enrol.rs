//! Enrolment with a one-time code: a device gets its own token once; a used, expired,
//! mistyped or unknown code is refused with its own error; a revoked device (or clerk)
//! is refused at once, its hint socket closed.

use crate::booking::open_db;
use crate::helpers::*;
use balie_domain::InviteCode;
use balie_protocol::{EnrolResponse, ErrorCode};

async fn enrol(relay: &TestRelay, code: &str, device: &str) -> reqwest::Response {
    relay
        .client
        .post(format!("{}/api/enrol", relay.url))
        .json(&serde_json::json!({ "code": code, "device": device }))
        .send()
        .await
        .unwrap()
}

async fn refused_with(response: reqwest::Response, status: u16, code: ErrorCode) {
    assert_eq!(response.status(), status);
    assert_eq!(error_body(response).await.error.code, code);
}

/// One character changed to another valid symbol: the check symbol catches it.
fn mistyped(code: &InviteCode) -> String {
    let mut text = code.to_string().into_bytes();
    text[0] = if text[0] == b'7' { b'8' } else { b'7' };
    String::from_utf8(text).unwrap()
}

#[tokio::test]
async fn a_code_enrols_one_device_once_and_its_token_makes_rooms() {
    let relay = spawn_app().await;
    let db = open_db(&relay);
    let (code, added) =
        balie_relay::enrol::invite_clerk(&db, "an@zonnedorp.be", relay.clock.now_unix()).unwrap();
    assert!(added, "a new clerk is added by the invitation");

    // A typing error is caught by the check symbol and costs nothing: the code still works.
    refused_with(
        enrol(&relay, &mistyped(&code), "PC-AN").await,
        400,
        ErrorCode::BadRequest,
    )
    .await;
    // A well-formed code nobody made.
    let unknown = InviteCode::from_random(0x5eed);
    refused_with(
        enrol(&relay, &unknown.to_string(), "PC-AN").await,
        404,
        ErrorCode::NotFound,
    )
    .await;
    // Bad device names.
    for device in ["", "   ", &"x".repeat(65), "PC\nAN"] {
        refused_with(
            enrol(&relay, &code.to_string(), device).await,
            400,
            ErrorCode::BadRequest,
        )
        .await;
    }

    // Typed as read aloud: lower case and spaces.
    let typed = code.to_string().to_lowercase().replace('-', " ");
    let answer = enrol(&relay, &typed, "PC-AN").await;
    assert_eq!(answer.status(), 201);
    let enrolled: EnrolResponse = answer.json().await.unwrap();
    assert_eq!(enrolled.clerk, "an@zonnedorp.be");
    assert_eq!(enrolled.municipality, "Gemeente Zonnedorp");
    assert!(enrolled.token.starts_with("balie_"));
    let room = relay
        .post_rooms(Some(&enrolled.token), true, "{}")
        .await
        .status();
    assert_eq!(room, 201, "the device's token makes rooms");

    // Once only.
    refused_with(
        enrol(&relay, &code.to_string(), "PC-ELDERS").await,
        409,
        ErrorCode::AlreadyDone,
    )
    .await;
    let devices = balie_store::relay::device::list(
        &db,
        balie_store::relay::clerk::find_by_name(&db, "an@zonnedorp.be")
            .unwrap()
            .unwrap()
            .id,
    )
    .unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, "PC-AN");
    assert_eq!(devices[0].id, enrolled.device_id);

    // Nothing of the code or the token is kept in the clear.
    let kept: Vec<Vec<u8>> = db
        .prepare(
            "SELECT code_sha256 FROM clerk_invite UNION ALL SELECT token_sha256 FROM clerk_device",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(kept.len(), 2);
    for blob in kept {
        assert_eq!(blob.len(), 32);
        let text = String::from_utf8_lossy(&blob);
        assert!(!text.contains(code.canonical()) && !text.contains("balie_"));
    }
    relay.stop().await;
}

#[tokio::test]
async fn a_code_expires_after_a_day() {
    let relay = spawn_app().await;
    let db = open_db(&relay);
    let now = relay.clock.now_unix();
    let (late, _) = balie_relay::enrol::invite_clerk(&db, "jef@zonnedorp.be", now).unwrap();
    let (in_time, added) = balie_relay::enrol::invite_clerk(&db, "jef@zonnedorp.be", now).unwrap();
    assert!(!added, "a second code for the same clerk");
    relay.clock.advance(24 * 3600 - 1);
    assert_eq!(
        enrol(&relay, &in_time.to_string(), "LAPTOP-JEF")
            .await
            .status(),
        201
    );
    relay.clock.advance(1);
    refused_with(
        enrol(&relay, &late.to_string(), "LAPTOP-JEF").await,
        410,
        ErrorCode::Gone,
    )
    .await;
    relay.stop().await;
}

#[tokio::test]
async fn a_revoked_device_is_refused_at_once_and_the_clerks_other_devices_go_on() {
    let relay = spawn_with(|c| c.clerk_recheck_every = std::time::Duration::from_millis(100)).await;
    let db = open_db(&relay);
    let now = relay.clock.now_unix();
    let mut tokens = Vec::new();
    for device in ["PC-KANTOOR", "PC-THUIS"] {
        let (code, _) = balie_relay::enrol::invite_clerk(&db, "an@zonnedorp.be", now).unwrap();
        let enrolled: EnrolResponse = enrol(&relay, &code.to_string(), device)
            .await
            .json()
            .await
            .unwrap();
        tokens.push(enrolled);
    }
    // The office PC listens for hints.
    let ws_url = format!("{}/ws/hints", relay.url.replace("http", "ws"));
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url)
            .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", tokens[0].token).parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();

    let clerk = balie_store::relay::clerk::find_by_name(&db, "an@zonnedorp.be")
        .unwrap()
        .unwrap();
    assert!(balie_store::relay::device::revoke(&db, clerk.id, tokens[0].device_id, now).unwrap());
    refused_with(
        relay.post_rooms(Some(&tokens[0].token), true, "{}").await,
        401,
        ErrorCode::Unauthorized,
    )
    .await;
    assert_eq!(
        relay
            .post_rooms(Some(&tokens[1].token), true, "{}")
            .await
            .status(),
        201,
        "the other device goes on"
    );
    // Its open socket is closed within the recheck.
    use futures_util::StreamExt as _;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) => return,
                Some(Ok(m)) if m.is_close() => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the revoked device's socket stayed open");

    // Revoking the clerk ends every device, and no new code is made for them.
    assert!(balie_store::relay::clerk::revoke(&db, "an@zonnedorp.be").unwrap());
    assert_eq!(
        relay
            .post_rooms(Some(&tokens[1].token), true, "{}")
            .await
            .status(),
        401
    );
    assert!(matches!(
        balie_relay::enrol::invite_clerk(&db, "an@zonnedorp.be", now),
        Err(balie_relay::enrol::InviteError::Revoked(_))
    ));
    relay.stop().await;
}

#[tokio::test]
async fn a_code_of_a_clerk_revoked_after_the_invitation_does_not_enrol() {
    let relay = spawn_app().await;
    let db = open_db(&relay);
    let (code, _) =
        balie_relay::enrol::invite_clerk(&db, "piet@zonnedorp.be", relay.clock.now_unix()).unwrap();
    assert!(balie_store::relay::clerk::revoke(&db, "piet@zonnedorp.be").unwrap());
    refused_with(
        enrol(&relay, &code.to_string(), "PC-PIET").await,
        410,
        ErrorCode::Gone,
    )
    .await;
    relay.stop().await;
}
