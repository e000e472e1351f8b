//! Lobby and signaling over the relay's WebSockets.

use super::helpers::*;
use super::ws::{Ws, connect};
use balie_domain::Locale;
use balie_protocol::signaling::*;

pub(super) struct Room {
    pub(super) id: String,
    pub(super) join_url: String,
}

pub(super) async fn room(relay: &TestRelay) -> Room {
    let response = relay.create_room("{}").await;
    let room: balie_protocol::CreateRoomResponse = response.json().await.unwrap();
    Room {
        id: room.room_id,
        join_url: room.join_url,
    }
}

fn ws_url(relay: &TestRelay, path: &str) -> String {
    format!("{}{path}", relay.url.replacen("http", "ws", 1))
}

async fn clerk(relay: &TestRelay, room: &Room) -> (Ws, bool) {
    let mut ws = connect(
        &ws_url(relay, &format!("/ws/clerk/{}", room.id)),
        Some(&relay.token),
    )
    .await
    .unwrap();
    ws.send(&ClerkMessage::Hello {
        version: SIGNALING_VERSION,
    })
    .await;
    match ws.recv().await {
        RelayToClerk::Welcome {
            room_id,
            citizen_present,
            ..
        } => {
            assert_eq!(room_id, room.id);
            (ws, citizen_present)
        }
        other => panic!("expected welcome, got {other:?}"),
    }
}

async fn citizen(relay: &TestRelay, room: &Room, resume: Option<String>) -> Ws {
    let token = room.join_url.rsplit('/').next().unwrap();
    let mut ws = connect(&ws_url(relay, &format!("/ws/citizen/{token}")), None)
        .await
        .unwrap();
    ws.send(&CitizenMessage::Knock {
        version: SIGNALING_VERSION,
        locale: Locale::Fr,
        resume,
    })
    .await;
    ws
}

fn offer() -> Signal {
    Signal::Offer {
        sdp: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n".into(),
    }
}

/// Clerk connected, citizen knocked and admitted; returns both and the resume secret.
pub(super) async fn admitted(relay: &TestRelay, room: &Room) -> (Ws, Ws, String) {
    let (clerk_ws, citizen_ws, resume, _) = admitted_with_ice(relay, room).await;
    (clerk_ws, citizen_ws, resume)
}

/// As [`admitted`], with the ICE servers the citizen was admitted with.
async fn admitted_with_ice(
    relay: &TestRelay,
    room: &Room,
) -> (Ws, Ws, String, Vec<balie_protocol::signaling::IceServer>) {
    let (mut clerk_ws, _) = clerk(relay, room).await;
    let mut citizen_ws = citizen(relay, room, None).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    let RelayToClerk::Knock { knock_id, locale } = clerk_ws.recv().await else {
        panic!("expected a knock");
    };
    assert_eq!(locale, Locale::Fr);
    clerk_ws.send(&ClerkMessage::Admit { knock_id }).await;
    let RelayToCitizen::Admitted {
        resume,
        ice_servers,
    } = citizen_ws.recv().await
    else {
        panic!("expected admission");
    };
    (clerk_ws, citizen_ws, resume, ice_servers)
}

#[tokio::test]
async fn a_knock_is_admitted_and_signals_flow_both_ways() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (mut clerk_ws, mut citizen_ws, _) = admitted(&relay, &room).await;

    clerk_ws
        .send(&ClerkMessage::Signal { signal: offer() })
        .await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Signal { signal: offer() }
    );

    let candidate = Signal::Candidate {
        candidate: "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    };
    citizen_ws
        .send(&CitizenMessage::Signal {
            signal: candidate.clone(),
        })
        .await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::Signal { signal: candidate }
    );

    citizen_ws.send(&CitizenMessage::Leave).await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::CitizenLeft
    );
}

#[tokio::test]
async fn a_knock_before_the_clerk_connects_is_shown_when_the_clerk_arrives() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let mut citizen_ws = citizen(&relay, &room, None).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    let (mut clerk_ws, present) = clerk(&relay, &room).await;
    assert!(!present);
    assert!(matches!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::Knock { .. }
    ));
}

#[tokio::test]
async fn a_declined_citizen_is_told_and_disconnected() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (mut clerk_ws, _) = clerk(&relay, &room).await;
    let mut citizen_ws = citizen(&relay, &room, None).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    let RelayToClerk::Knock { knock_id, .. } = clerk_ws.recv().await else {
        panic!("expected a knock");
    };
    clerk_ws
        .send(&ClerkMessage::Decline {
            knock_id: knock_id.clone(),
        })
        .await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Declined
    );
    assert!(citizen_ws.closes().await);
    // Admitting the declined knock afterwards is out of order.
    clerk_ws.send(&ClerkMessage::Admit { knock_id }).await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::Error {
            code: SignalError::OutOfOrder
        }
    );
    // Issue 12: knocking again at once gets the same answer, and the clerk is not rung
    // again (a turned-away person could make the cockpit ring without end).
    let mut again = citizen(&relay, &room, None).await;
    assert_eq!(
        again.recv::<RelayToCitizen>().await,
        RelayToCitizen::Declined
    );
    assert!(again.closes().await);
    assert!(
        clerk_ws
            .quiet_for(std::time::Duration::from_millis(500))
            .await,
        "the clerk was rung again"
    );
}

#[tokio::test]
async fn a_second_citizen_on_the_same_link_is_refused_while_one_is_in() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (_clerk_ws, _citizen_ws, _) = admitted(&relay, &room).await;
    let mut second = citizen(&relay, &room, None).await;
    assert_eq!(
        second.recv::<RelayToCitizen>().await,
        RelayToCitizen::RoomBusy
    );
    assert!(second.closes().await);
    // A wrong resume secret does not get in either.
    let mut third = citizen(&relay, &room, Some("AAAAAAAAAAAAAAAAAAAAAA".into())).await;
    assert_eq!(
        third.recv::<RelayToCitizen>().await,
        RelayToCitizen::RoomBusy
    );
}

#[tokio::test]
async fn a_knock_on_an_expired_or_unknown_link_is_refused_before_the_upgrade() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    relay.clock.advance(121 * 60);
    let token = room.join_url.rsplit('/').next().unwrap();
    assert_eq!(
        connect(&ws_url(&relay, &format!("/ws/citizen/{token}")), None)
            .await
            .err(),
        Some(410)
    );
    let unknown = balie_domain::JoinToken::from_random_bytes([1; 16]).to_text();
    assert_eq!(
        connect(&ws_url(&relay, &format!("/ws/citizen/{unknown}")), None)
            .await
            .err(),
        Some(404)
    );
    assert_eq!(
        connect(&ws_url(&relay, "/ws/citizen/nonsense"), None)
            .await
            .err(),
        Some(404)
    );
}

#[tokio::test]
async fn the_clerk_socket_needs_the_clerk_who_made_the_room() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let url = ws_url(&relay, &format!("/ws/clerk/{}", room.id));
    assert_eq!(connect(&url, None).await.err(), Some(401));
    assert_eq!(connect(&url, Some("balie_wrong")).await.err(), Some(401));
    let other = {
        let db = balie_store::open(
            &relay.dir.path().join("relay.sqlite3"),
            &balie_store::relay::SCHEMA,
        )
        .unwrap();
        let token = balie_relay::add_clerk(&db, "other clerk").unwrap();
        secrecy::ExposeSecret::expose_secret(token.secret()).to_string()
    };
    assert_eq!(connect(&url, Some(&other)).await.err(), Some(404));
}

#[tokio::test]
async fn malformed_oversized_and_out_of_order_messages_get_an_error_and_the_connection_goes_on() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (mut clerk_ws, _) = clerk(&relay, &room).await;
    let mut citizen_ws = citizen(&relay, &room, None).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    let RelayToClerk::Knock { .. } = clerk_ws.recv().await else {
        panic!("knock")
    };

    let error = |code| RelayToCitizen::Error { code };
    for (frame, code) in [
        ("{not json".to_string(), SignalError::Malformed),
        (r#"{"type":"teleport"}"#.to_string(), SignalError::Malformed),
        (
            r#"{"type":"signal","signal":{"kind":"offer"}}"#.to_string(),
            SignalError::Malformed,
        ),
        (
            format!(
                r#"{{"type":"signal","signal":{{"kind":"offer","sdp":"{}"}}}}"#,
                "x".repeat(MAX_SIGNAL_BYTES)
            ),
            SignalError::TooLarge,
        ),
        // Not admitted yet: a signal is out of order.
        (
            serde_json::to_string(&CitizenMessage::Signal { signal: offer() }).unwrap(),
            SignalError::OutOfOrder,
        ),
    ] {
        citizen_ws.send_text(&frame).await;
        assert_eq!(
            citizen_ws.recv::<RelayToCitizen>().await,
            error(code),
            "frame {}",
            &frame[..frame.len().min(40)]
        );
    }
    citizen_ws.send_binary(vec![0, 1, 2]).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        error(SignalError::Malformed)
    );

    for frame in [
        "[]",
        r#"{"type":"admit","knock_id":"nobody"}"#,
        r#"{"type":"hello","version":1}"#,
    ] {
        clerk_ws.send_text(frame).await;
        assert!(
            matches!(
                clerk_ws.recv::<RelayToClerk>().await,
                RelayToClerk::Error { .. }
            ),
            "{frame}"
        );
    }
    // A signal with nobody admitted is out of order too.
    clerk_ws
        .send(&ClerkMessage::Signal { signal: offer() })
        .await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::Error {
            code: SignalError::OutOfOrder
        }
    );

    // A frame far beyond the limit closes that connection, and only that one.
    let mut rude = connect(
        &ws_url(&relay, &format!("/ws/clerk/{}", room.id)),
        Some(&relay.token),
    )
    .await
    .unwrap();
    rude.send_text(&"y".repeat(MAX_SIGNAL_BYTES * 5)).await;
    assert!(rude.closes().await);

    // Everything still works: the clerk admits the waiting citizen.
    let (mut clerk_ws, _) = clerk(&relay, &room).await;
    let RelayToClerk::Knock { knock_id, .. } = clerk_ws.recv().await else {
        panic!("knock again")
    };
    clerk_ws.send(&ClerkMessage::Admit { knock_id }).await;
    assert!(matches!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Admitted { .. }
    ));
}

#[tokio::test]
async fn a_wrong_protocol_version_is_refused() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let mut ws = connect(
        &ws_url(&relay, &format!("/ws/clerk/{}", room.id)),
        Some(&relay.token),
    )
    .await
    .unwrap();
    ws.send(&ClerkMessage::Hello {
        version: SIGNALING_VERSION + 1,
    })
    .await;
    assert_eq!(
        ws.recv::<RelayToClerk>().await,
        RelayToClerk::Error {
            code: SignalError::UnsupportedVersion
        }
    );
    assert!(ws.closes().await);
}

#[tokio::test]
async fn the_citizen_can_drop_and_resume_without_knocking_again() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (mut clerk_ws, citizen_ws, resume) = admitted(&relay, &room).await;
    citizen_ws.close().await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::CitizenAway
    );

    let mut back = citizen(&relay, &room, Some(resume.clone())).await;
    assert_eq!(
        back.recv::<RelayToCitizen>().await,
        RelayToCitizen::Admitted {
            resume,
            ice_servers: vec![]
        }
    );
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::CitizenBack
    );
    clerk_ws
        .send(&ClerkMessage::Signal { signal: offer() })
        .await;
    assert_eq!(
        back.recv::<RelayToCitizen>().await,
        RelayToCitizen::Signal { signal: offer() }
    );
}

#[tokio::test]
async fn the_clerk_can_drop_and_reconnect_without_ending_the_call() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (clerk_ws, mut citizen_ws, _) = admitted(&relay, &room).await;
    clerk_ws.close().await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::ClerkAway
    );

    let (mut clerk_ws, present) = clerk(&relay, &room).await;
    assert!(present, "the citizen is still in");
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::ClerkBack
    );
    citizen_ws
        .send(&CitizenMessage::Signal {
            signal: Signal::EndOfCandidates,
        })
        .await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::Signal {
            signal: Signal::EndOfCandidates
        }
    );
}

#[tokio::test]
async fn ending_the_conversation_tells_the_citizen_and_kills_the_link() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (mut clerk_ws, mut citizen_ws, resume) = admitted(&relay, &room).await;
    clerk_ws.send(&ClerkMessage::End).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Ended
    );
    assert!(citizen_ws.closes().await);
    assert_eq!(
        relay
            .client
            .get(&room.join_url)
            .send()
            .await
            .unwrap()
            .status(),
        410
    );
    let token = room.join_url.rsplit('/').next().unwrap();
    let _ = resume;
    assert_eq!(
        connect(&ws_url(&relay, &format!("/ws/citizen/{token}")), None)
            .await
            .err(),
        Some(410)
    );
}

#[tokio::test]
async fn both_sides_get_stun_and_time_limited_turn_credentials() {
    let relay = spawn_with(|config| {
        config.ice.stun_urls = vec!["stun:127.0.0.1:3478".into()];
        config.ice.turn_urls = vec!["turn:127.0.0.1:3478?transport=udp".into()];
        config.ice.turn_secret = Some("north-sea-wind".into());
        config.ice.turn_ttl_seconds = 3600;
    })
    .await;
    let room = room(&relay).await;
    let mut clerk_ws = connect(
        &ws_url(&relay, &format!("/ws/clerk/{}", room.id)),
        Some(&relay.token),
    )
    .await
    .unwrap();
    clerk_ws
        .send(&ClerkMessage::Hello {
            version: SIGNALING_VERSION,
        })
        .await;
    let RelayToClerk::Welcome { ice_servers, .. } = clerk_ws.recv().await else {
        panic!("welcome")
    };
    assert_eq!(ice_servers.len(), 2);
    assert_eq!(ice_servers[0].urls, vec!["stun:127.0.0.1:3478".to_string()]);
    // The clerk's engine keeps one allocation for the conversation: a working day.
    let clerk_username = ice_servers[1].username.clone().unwrap();
    assert_eq!(
        clerk_username,
        format!(
            "{}:k-{}",
            T0 + balie_relay::turn::CLERK_TURN_TTL_SECONDS,
            room.id
        )
    );

    let mut citizen_ws = citizen(&relay, &room, None).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    let RelayToClerk::Knock { knock_id, .. } = clerk_ws.recv().await else {
        panic!("knock")
    };
    clerk_ws.send(&ClerkMessage::Admit { knock_id }).await;
    let RelayToCitizen::Admitted { ice_servers, .. } = citizen_ws.recv().await else {
        panic!("admitted")
    };
    let turn = &ice_servers[1];
    let username = turn.username.clone().unwrap();
    let expiry: i64 = username.split(':').next().unwrap().parse().unwrap();
    assert_eq!(expiry, T0 + 3600);
    assert!(!username.contains(&relay.token));
    assert_eq!(
        turn.credential.as_deref(),
        Some(balie_relay::turn::turn_password("north-sea-wind", &username).as_str())
    );
}

/// Issue 12: TURN credentials lived six hours. They live an hour now, and an admitted
/// citizen gets fresh ones every half of it, so a call outlives its first credentials.
#[tokio::test]
async fn an_admitted_citizen_gets_fresh_turn_credentials_before_the_old_ones_expire() {
    let relay = spawn_with(|config| {
        config.ice.turn_urls = vec!["turn:127.0.0.1:3478?transport=udp".into()];
        config.ice.turn_secret = Some("north-sea-wind".into());
        config.ice.turn_ttl_seconds = 2;
    })
    .await;
    let room = room(&relay).await;
    let (_clerk_ws, mut citizen_ws, _, ice_servers) = admitted_with_ice(&relay, &room).await;
    let expiry = |servers: &[balie_protocol::signaling::IceServer]| -> i64 {
        let username = servers[0].username.clone().unwrap();
        username.split(':').next().unwrap().parse().unwrap()
    };
    assert_eq!(expiry(&ice_servers), T0 + 2);
    // Time passes; before the credentials run out (half their life, a second here) the
    // citizen has new ones, valid from the relay's now.
    relay.clock.advance(10);
    let RelayToCitizen::IceServers { ice_servers } = citizen_ws.recv().await else {
        panic!("fresh credentials")
    };
    assert_eq!(expiry(&ice_servers), T0 + 10 + 2);
    let username = ice_servers[0].username.clone().unwrap();
    assert_eq!(
        ice_servers[0].credential.as_deref(),
        Some(balie_relay::turn::turn_password("north-sea-wind", &username).as_str())
    );
}

/// Issue 12: a socket opened and left silent held its place without end; one that does
/// not say who it is (the cockpit's hello, the citizen's knock) in time is closed.
#[tokio::test]
async fn a_socket_that_does_not_say_who_it_is_in_time_is_closed() {
    let relay =
        spawn_with(|c| c.first_message_within = std::time::Duration::from_millis(300)).await;
    let room = room(&relay).await;
    let token = room.join_url.rsplit('/').next().unwrap();
    let mut silent_citizen = connect(&ws_url(&relay, &format!("/ws/citizen/{token}")), None)
        .await
        .unwrap();
    let mut silent_clerk = connect(
        &ws_url(&relay, &format!("/ws/clerk/{}", room.id)),
        Some(&relay.token),
    )
    .await
    .unwrap();
    assert!(
        silent_citizen.closes().await,
        "the silent citizen socket stays open"
    );
    assert!(
        silent_clerk.closes().await,
        "the silent clerk socket stays open"
    );
    // One that speaks in time is served as always.
    let (_clerk, _) = clerk(&relay, &room).await;
    let mut knocking = citizen(&relay, &room, None).await;
    assert!(matches!(
        knocking.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    ));
}

/// Issue 12: revoking a clerk stopped new requests, but their open sockets (signaling and
/// payment hints) went on; now they close within `clerk_recheck_every`.
#[tokio::test]
async fn a_revoked_clerks_open_sockets_are_closed() {
    let relay = spawn_with(|c| c.clerk_recheck_every = std::time::Duration::from_millis(200)).await;
    let room = room(&relay).await;
    let (mut signaling, _) = clerk(&relay, &room).await;
    let mut hints = connect(&ws_url(&relay, "/ws/hints"), Some(&relay.token))
        .await
        .unwrap();
    let db = balie_store::open(
        &relay.dir.path().join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap();
    assert!(balie_store::relay::clerk::revoke(&db, "tester").unwrap());
    assert!(
        signaling.closes().await,
        "the revoked clerk's signaling stays open"
    );
    assert!(
        hints.closes().await,
        "the revoked clerk's hint socket stays open"
    );
}

/// Review of issue 12: the relay never pinged, so a socket whose peer vanished without a
/// close (a phone that lost its network) held its place until TCP noticed, hours later.
/// A peer that answers the pings stays; one that says nothing is let go.
#[tokio::test]
async fn a_peer_that_goes_silent_is_let_go_and_one_that_answers_pings_stays() {
    let relay = spawn_with(|c| c.silent_for = std::time::Duration::from_millis(600)).await;
    let room = room(&relay).await;
    let (mut clerk_ws, _) = clerk(&relay, &room).await;
    let mut citizen_ws = citizen(&relay, &room, None).await;
    assert_eq!(
        citizen_ws.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting
    );
    assert!(matches!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::Knock { .. }
    ));
    // From here the citizen's socket is not read, so it answers no ping; the clerk's is
    // read (and answers them).
    // (Bounded as a whole: the relay's pings keep each single wait short.)
    let withdrawn = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        clerk_ws.recv::<RelayToClerk>(),
    )
    .await;
    assert!(
        matches!(withdrawn, Ok(RelayToClerk::KnockWithdrawn { .. })),
        "the silent citizen is let go: {withdrawn:?}"
    );
    assert!(
        clerk_ws
            .quiet_for(std::time::Duration::from_millis(1_500))
            .await,
        "the clerk, who answers, stays"
    );
}

#[tokio::test]
async fn after_a_relay_restart_the_admitted_citizen_comes_back_without_knocking() {
    let relay = spawn_app().await;
    let room = room(&relay).await;
    let (_clerk_ws, _citizen_ws, resume) = admitted(&relay, &room).await;

    // The relay restarts mid-call: both sides come back to it.
    let again = relay.restarted().await;
    let (mut clerk_ws, present) = clerk(&again, &room).await;
    assert!(!present, "the citizen is not back yet");
    let mut stranger = citizen(&again, &room, Some("x".repeat(22))).await;
    assert_eq!(
        stranger.recv::<RelayToCitizen>().await,
        RelayToCitizen::RoomBusy,
        "a wrong resume secret does not take the seat"
    );
    let mut back = citizen(&again, &room, Some(resume.clone())).await;
    assert_eq!(
        back.recv::<RelayToCitizen>().await,
        RelayToCitizen::Admitted {
            resume: resume.clone(),
            ice_servers: vec![]
        },
        "back in the call, no knock"
    );
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::CitizenBack,
        "the clerk is not rung again"
    );
    clerk_ws
        .send(&ClerkMessage::Signal { signal: offer() })
        .await;
    assert_eq!(
        back.recv::<RelayToCitizen>().await,
        RelayToCitizen::Signal { signal: offer() }
    );

    // Once the citizen hangs up, the secret opens nothing after the next restart.
    back.send(&CitizenMessage::Leave).await;
    assert_eq!(
        clerk_ws.recv::<RelayToClerk>().await,
        RelayToClerk::CitizenLeft
    );
    let third = relay.restarted().await;
    let mut late = citizen(&third, &room, Some(resume)).await;
    assert_eq!(
        late.recv::<RelayToCitizen>().await,
        RelayToCitizen::Waiting,
        "a new knock"
    );
}
