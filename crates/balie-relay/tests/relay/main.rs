//! The relay over real HTTP on a loopback port: rooms, join pages, clerks, TLS, logs.
#![allow(clippy::unwrap_used, missing_docs)]

mod agenda;
mod booking;
mod cli;
mod enrol;
mod front_browser;
mod helpers;
mod identity;
mod impact;
mod limits;
mod logs;
mod mail;
mod payments;
mod signaling;
mod survey;
mod updates;
mod walk_in;
mod ws;

use balie_protocol::ErrorCode;
use helpers::*;
use std::collections::HashSet;

#[tokio::test]
async fn health_answers_ok() {
    let relay = spawn_app().await;
    let health = relay.health().await;
    assert_eq!(health.status, "ok");
    assert_eq!(health.protocol, balie_protocol::PROTOCOL_VERSION);
    relay.stop().await;
}

#[tokio::test]
async fn creating_a_room_without_a_token_is_401_with_our_error_shape() {
    let relay = spawn_app().await;
    let response = relay.post_rooms(None, true, "{}").await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        error_body(response).await.error.code,
        ErrorCode::Unauthorized
    );
}

#[tokio::test]
async fn creating_a_room_with_a_wrong_token_is_401() {
    let relay = spawn_app().await;
    for wrong in [
        "balie_wrong",
        "not-even-prefixed",
        &relay.token[..relay.token.len() - 1],
    ] {
        let response = relay.post_rooms(Some(wrong), true, "{}").await;
        assert_eq!(response.status(), 401, "token {wrong:?}");
        assert_eq!(
            error_body(response).await.error.code,
            ErrorCode::Unauthorized
        );
    }
}

#[tokio::test]
async fn a_revoked_clerk_gets_401() {
    let relay = spawn_app().await;
    assert_eq!(relay.create_room("{}").await.status(), 201);
    let db = balie_store::open(
        &relay.dir.path().join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap();
    assert!(balie_store::relay::clerk::revoke(&db, "tester").unwrap());
    let response = relay.create_room("{}").await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        error_body(response).await.error.code,
        ErrorCode::Unauthorized
    );
}

#[tokio::test]
async fn bad_json_is_400_with_our_error_shape_and_never_echoes_the_body() {
    let relay = spawn_app().await;
    for body in [
        "{not json",
        "",
        r#"{"valid_for_minutes": "Dirk Peeters"}"#,
        r#"{"surprise": true}"#,
        r#"{"locale": "de"}"#,
        r#"[1,2,3]"#,
    ] {
        let response = relay.create_room(body).await;
        assert_eq!(response.status(), 400, "body {body:?}");
        let error = error_body(response).await;
        assert_eq!(error.error.code, ErrorCode::BadRequest, "body {body:?}");
        assert!(
            !error.error.message.contains("Dirk"),
            "{}",
            error.error.message
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_400() {
    let relay = spawn_app().await;
    let response = relay.post_rooms(Some(&relay.token), false, "{}").await;
    assert_eq!(response.status(), 400);
    assert_eq!(error_body(response).await.error.code, ErrorCode::BadRequest);
}

#[tokio::test]
async fn an_oversized_body_is_413_with_our_error_shape() {
    let relay = spawn_app().await;
    let body = format!(
        r#"{{"pad": "{}"}}"#,
        "x".repeat(balie_relay::MAX_BODY_BYTES + 1)
    );
    let response = relay.create_room(&body).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        error_body(response).await.error.code,
        ErrorCode::PayloadTooLarge
    );
}

#[tokio::test]
async fn an_out_of_range_validity_is_400() {
    let relay = spawn_app().await;
    for minutes in [0, 1441, u32::MAX] {
        let response = relay
            .create_room(&format!(r#"{{"valid_for_minutes": {minutes}}}"#))
            .await;
        assert_eq!(response.status(), 400, "{minutes}");
    }
}

#[tokio::test]
async fn a_room_is_created_with_a_join_link_valid_for_two_hours_by_default() {
    let relay = spawn_app().await;
    let response = relay.create_room("{}").await;
    assert_eq!(response.status(), 201);
    let room: balie_protocol::CreateRoomResponse = response.json().await.unwrap();
    let prefix = format!("{}/j/", relay.url);
    assert!(room.join_url.starts_with(&prefix), "{}", room.join_url);
    let token = &room.join_url[prefix.len()..];
    assert!(balie_domain::JoinToken::parse(token).is_ok(), "{token}");
    let expires = time::OffsetDateTime::parse(
        &room.expires_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires.unix_timestamp(), T0 + 120 * 60);
    assert_eq!(room.room_id.len(), 16);
}

#[tokio::test]
async fn the_join_page_is_served_in_the_browsers_language() {
    let relay = spawn_app().await;
    let url = relay.join_url("{}").await;

    let nl = relay.client.get(&url).send().await.unwrap();
    assert_eq!(nl.status(), 200);
    let csp = nl.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(nl.headers()["cache-control"], "no-store");
    assert_eq!(nl.headers()["referrer-policy"], "no-referrer");
    let html = nl.text().await.unwrap();
    assert!(html.contains(r#"<html lang="nl-BE">"#));
    assert!(html.contains("Gemeente Zonnedorp"));
    assert!(html.contains("Uw gesprek begint zo meteen"));

    let fr = relay
        .client
        .get(&url)
        .header("accept-language", "fr-BE,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(fr.contains(r#"<html lang="fr-BE">"#));
    assert!(fr.contains("Votre entretien va commencer"));

    // An explicit choice beats the browser.
    let en = relay
        .client
        .get(format!("{url}?lang=en"))
        .header("accept-language", "fr-BE")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Your conversation starts soon"));
    assert!(en.contains(r#"lang="en" hreflang="en" aria-current="true""#));
}

#[tokio::test]
async fn the_clerks_language_hint_applies_when_the_browser_names_no_supported_language() {
    let relay = spawn_app().await;
    let url = relay.join_url(r#"{"locale": "fr"}"#).await;
    let page = relay
        .client
        .get(&url)
        .header("accept-language", "de-DE")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Votre entretien va commencer"));
}

#[tokio::test]
async fn an_expired_join_link_gets_a_410_page_that_reveals_nothing_else() {
    let relay = spawn_app().await;
    let url = relay.join_url(r#"{"valid_for_minutes": 1}"#).await;
    assert_eq!(relay.client.get(&url).send().await.unwrap().status(), 200);
    relay.clock.advance(61);
    let response = relay.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 410);
    let html = response.text().await.unwrap();
    assert!(html.contains("Deze link is verlopen"));
    assert!(!html.contains("begint zo meteen"));
}

#[tokio::test]
async fn an_unknown_or_malformed_join_link_gets_a_404_page() {
    let relay = spawn_app().await;
    let unknown = balie_domain::JoinToken::from_random_bytes([9; 16]).to_text();
    for path in [
        format!("/j/{unknown}"),
        "/j/short".into(),
        "/nothing/here".into(),
    ] {
        let response = relay
            .client
            .get(format!("{}{path}", relay.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Deze link werkt niet"), "{path}");
    }
}

#[tokio::test]
async fn two_thousand_join_tokens_are_all_distinct() {
    let relay = spawn_app().await;
    let mut seen = HashSet::new();
    for _ in 0..2000 {
        let url = relay.join_url("{}").await;
        let token = url.rsplit('/').next().unwrap().to_string();
        assert!(seen.insert(token), "a token came twice");
    }
    assert_eq!(seen.len(), 2000);
}

#[tokio::test]
async fn plain_http_is_refused_outside_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = balie_relay::RelayConfig::loopback(dir.path().to_path_buf());
    config.listen = "0.0.0.0:0".parse().unwrap();
    let err = balie_relay::Relay::bind(config).await.err().unwrap();
    assert!(
        err.to_string().contains("plain HTTP is only allowed"),
        "{err}"
    );
}

#[tokio::test]
async fn the_relay_serves_https_with_a_given_certificate() {
    install_crypto();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let pems = tempfile::tempdir().unwrap();
    let cert_path = pems.path().join("cert.pem");
    let key_path = pems.path().join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();

    let relay = spawn_with(|config| {
        config.tls_cert = Some(cert_path.clone());
        config.tls_key = Some(key_path.clone());
    })
    .await;
    assert!(relay.url.starts_with("https://127.0.0.1:"), "{}", relay.url);
    let port = relay.url.rsplit(':').next().unwrap();

    let client = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).unwrap(),
        )
        .resolve("localhost", format!("127.0.0.1:{port}").parse().unwrap())
        .build()
        .unwrap();
    let health = client
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // The same port does not speak plain HTTP.
    let plain = relay
        .client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(plain.is_err() || plain.unwrap().status() != 200);
    relay.stop().await;
}
