//! The cockpit's signaling client against a real relay on a loopback port.
#![allow(clippy::unwrap_used, missing_docs)]

use balie_call::{ClerkSignaling, SignalingEvent};
use balie_protocol::signaling::*;
use futures_util::{SinkExt as _, StreamExt as _};
use secrecy::{ExposeSecret as _, SecretString};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

use balie_testkit::{chromium, reference};

mod citizen_page;
mod cli;
mod firewall;
mod identity;
mod phone;
mod segmentation;
mod video_call;

/// Tests with a browser run one at a time: two calls at once on two cores measure the
/// machine, not the call.
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

struct Setup {
    url: String,
    token: String,
    room_id: String,
    join_token: String,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    setup_with(balie_relay::IceConfig::default()).await
}

/// A relay that hands out these STUN/TURN servers, with a clerk and one room.
async fn setup_with(ice: balie_relay::IceConfig) -> Setup {
    setup_configured(|config| config.ice = ice).await
}

/// A relay configured by `adjust`, with a clerk and one room.
async fn setup_configured(adjust: impl FnOnce(&mut balie_relay::RelayConfig)) -> Setup {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let mut config = balie_relay::RelayConfig::loopback(dir.path().to_path_buf());
    adjust(&mut config);
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "an")
            .unwrap()
            .secret()
            .expose_secret()
            .to_string()
    };
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_string();
    tokio::spawn(relay.serve(std::future::pending()));
    let room: balie_protocol::CreateRoomResponse = reqwest::Client::new()
        .post(format!("{url}/api/rooms"))
        .bearer_auth(&token)
        .json(&balie_protocol::CreateRoomRequest::default())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let join_token = room.join_url.rsplit('/').next().unwrap().to_string();
    Setup {
        url,
        token,
        room_id: room.room_id,
        join_token,
        _dir: dir,
    }
}

type CitizenSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A citizen connects by hand and knocks.
async fn knock(s: &Setup, locale: balie_domain::Locale) -> CitizenSocket {
    let (mut citizen, _) = tokio_tungstenite::connect_async(format!(
        "{}/ws/citizen/{}",
        s.url.replacen("http", "ws", 1),
        s.join_token
    ))
    .await
    .unwrap();
    let knock = CitizenMessage::Knock {
        version: SIGNALING_VERSION,
        locale,
        resume: None,
    };
    citizen
        .send(Message::text(serde_json::to_string(&knock).unwrap()))
        .await
        .unwrap();
    citizen
}

async fn event(signaling: &mut ClerkSignaling) -> SignalingEvent {
    tokio::time::timeout(Duration::from_secs(5), signaling.next_event())
        .await
        .expect("an event within 5 s")
        .expect("the client is running")
}

#[tokio::test]
async fn the_clerk_client_sees_a_knock_admits_and_exchanges_signals() {
    let s = setup().await;
    let mut signaling =
        ClerkSignaling::connect(&s.url, &s.room_id, SecretString::from(s.token.clone()));
    assert_eq!(
        event(&mut signaling).await,
        SignalingEvent::Connected {
            ice_servers: vec![],
            citizen_present: false
        }
    );

    let mut citizen = knock(&s, balie_domain::Locale::Nl).await;

    let SignalingEvent::Message(RelayToClerk::Knock { knock_id, .. }) = event(&mut signaling).await
    else {
        panic!("expected a knock");
    };
    signaling.send(ClerkMessage::Admit { knock_id }).await;
    signaling
        .send(ClerkMessage::Signal {
            signal: Signal::Offer {
                sdp: "v=0\r\n".into(),
            },
        })
        .await;

    let mut got = Vec::new();
    while got.len() < 3 {
        let Some(Ok(Message::Text(text))) = citizen.next().await else {
            panic!("citizen closed")
        };
        got.push(serde_json::from_str::<RelayToCitizen>(&text).unwrap());
    }
    assert_eq!(got[0], RelayToCitizen::Waiting);
    assert!(matches!(got[1], RelayToCitizen::Admitted { .. }));
    assert_eq!(
        got[2],
        RelayToCitizen::Signal {
            signal: Signal::Offer {
                sdp: "v=0\r\n".into()
            }
        }
    );

    let answer = CitizenMessage::Signal {
        signal: Signal::Answer {
            sdp: "v=0\r\n".into(),
        },
    };
    citizen
        .send(Message::text(serde_json::to_string(&answer).unwrap()))
        .await
        .unwrap();
    assert_eq!(
        event(&mut signaling).await,
        SignalingEvent::Message(RelayToClerk::Signal {
            signal: Signal::Answer {
                sdp: "v=0\r\n".into()
            }
        })
    );
}

#[tokio::test]
async fn a_refused_token_stops_the_client_instead_of_retrying() {
    let s = setup().await;
    let mut signaling =
        ClerkSignaling::connect(&s.url, &s.room_id, SecretString::from("balie_wrong"));
    assert_eq!(
        event(&mut signaling).await,
        SignalingEvent::Refused { status: 401 }
    );
    assert_eq!(signaling.next_event().await, None);
}

#[tokio::test]
async fn an_unreachable_relay_is_retried_with_growing_waits() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut signaling = ClerkSignaling::connect(
        &format!("http://127.0.0.1:{port}"),
        "0011223344556677",
        SecretString::from("balie_x"),
    );
    let SignalingEvent::Disconnected { retry_in: first } = event(&mut signaling).await else {
        panic!("disconnected")
    };
    let SignalingEvent::Disconnected { retry_in: second } = event(&mut signaling).await else {
        panic!("disconnected")
    };
    assert!(second > first, "{second:?} > {first:?}");
}

#[tokio::test]
async fn closing_sends_what_is_queued_first_so_the_citizen_hears_the_end() {
    let s = setup().await;
    let mut signaling =
        ClerkSignaling::connect(&s.url, &s.room_id, SecretString::from(s.token.clone()));
    assert!(matches!(
        event(&mut signaling).await,
        SignalingEvent::Connected { .. }
    ));
    let mut citizen = knock(&s, balie_domain::Locale::En).await;
    let SignalingEvent::Message(RelayToClerk::Knock { knock_id, .. }) = event(&mut signaling).await
    else {
        panic!("expected a knock");
    };
    signaling.send(ClerkMessage::Admit { knock_id }).await;
    signaling.send(ClerkMessage::End).await;
    signaling.close().await;

    let mut last = None;
    while let Ok(Some(Ok(Message::Text(text)))) =
        tokio::time::timeout(Duration::from_secs(5), citizen.next()).await
    {
        last = Some(serde_json::from_str::<RelayToCitizen>(&text).unwrap());
    }
    assert_eq!(last, Some(RelayToCitizen::Ended));
}
