//! The real citizen page in Debian's Chromium (under chromedriver) knocks; the clerk's
//! signaling client sees the knock and admits; the page says so and asks for an offer.

pub(crate) use super::chromium::{Driver, FAKE_MEDIA, chromium_with, wait_for_text};
use super::*;
use fantoccini::Locator;

/// Chromium with camera and microphone from fake devices, allowed without a prompt.
async fn chromium() -> (fantoccini::Client, Driver) {
    chromium_with(FAKE_MEDIA).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_page_knocks_and_hears_that_it_was_let_in() {
    let _serial = serial().await;
    let s = setup().await;
    let mut signaling =
        ClerkSignaling::connect(&s.url, &s.room_id, SecretString::from(s.token.clone()));
    assert!(matches!(
        event(&mut signaling).await,
        SignalingEvent::Connected { .. }
    ));

    let (client, _driver) = chromium().await;
    client
        .goto(&format!("{}/j/{}?lang=nl", s.url, s.join_token))
        .await
        .unwrap();
    let knock = client.find(Locator::Css("#knock")).await.unwrap();
    assert_eq!(knock.text().await.unwrap(), "Ik ben er klaar voor");
    knock.click().await.unwrap();
    wait_for_text(&client, "#lobby-status", "De medewerker weet dat u er bent").await;

    let SignalingEvent::Message(RelayToClerk::Knock { knock_id, locale }) =
        event(&mut signaling).await
    else {
        panic!("expected a knock");
    };
    assert_eq!(locale, balie_domain::Locale::Nl);
    signaling.send(ClerkMessage::Admit { knock_id }).await;
    // Let in, the page sets up its side of the call and asks the clerk for an offer.
    wait_for_text(
        &client,
        "#lobby-status",
        "Het beeld en geluid worden verbonden",
    )
    .await;
    let SignalingEvent::Message(RelayToClerk::Signal { signal }) = event(&mut signaling).await
    else {
        panic!("expected the page's ready");
    };
    assert_eq!(signal, Signal::Ready);

    signaling.send(ClerkMessage::End).await;
    wait_for_text(&client, "#lobby-status", "Het gesprek is afgelopen").await;
    let _ = client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_pages_meet_wcag_2_1_aa_in_every_language_and_state() {
    let _serial = serial().await;
    let s = setup().await;
    let (client, _driver) = chromium().await;
    client.set_window_size(360, 740).await.unwrap();
    // The check can fail: a page with an unlabelled button and no language has violations.
    client
        .goto("data:text/html,<html><body><button></button></body></html>")
        .await
        .unwrap();
    assert!(
        !crate::chromium::axe_violations(&client).await.is_empty(),
        "axe must flag a bad page"
    );
    let unknown = balie_domain::JoinToken::from_random_bytes([5; 16]).to_text();
    for path in [
        format!("/j/{}?lang=nl", s.join_token),
        format!("/j/{}?lang=fr", s.join_token),
        format!("/j/{}?lang=en", s.join_token),
        format!("/j/{unknown}"),
    ] {
        client.goto(&format!("{}{path}", s.url)).await.unwrap();
        let violations = crate::chromium::axe_violations(&client).await;
        assert!(violations.is_empty(), "{path}:\n{violations}");
    }
    // After knocking, with the status line filled in.
    client
        .goto(&format!("{}/j/{}?lang=nl", s.url, s.join_token))
        .await
        .unwrap();
    super::chromium::click(&client, "#knock").await;
    wait_for_text(&client, "#lobby-status", "De medewerker weet dat u er bent").await;
    let violations = crate::chromium::axe_violations(&client).await;
    assert!(violations.is_empty(), "after knocking:\n{violations}");
    let _ = client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_who_refuses_camera_and_microphone_is_told_how_and_can_go_on_without() {
    let _serial = serial().await;
    let s = setup().await;
    let mut signaling =
        ClerkSignaling::connect(&s.url, &s.room_id, SecretString::from(s.token.clone()));
    assert!(matches!(
        event(&mut signaling).await,
        SignalingEvent::Connected { .. }
    ));
    // The browser answers the permission question with "no".
    let (client, _driver) = chromium_with(&[
        "--use-fake-device-for-media-stream",
        "--deny-permission-prompts",
    ])
    .await;
    client.set_window_size(360, 740).await.unwrap();
    client
        .goto(&format!("{}/j/{}?lang=nl", s.url, s.join_token))
        .await
        .unwrap();
    super::chromium::click(&client, "#knock").await;
    wait_for_text(
        &client,
        "#media-denied",
        "Verder zonder camera en microfoon",
    )
    .await;
    wait_for_text(&client, "#media-denied-text", "slotje").await;
    let violations = crate::chromium::axe_violations(&client).await;
    assert!(violations.is_empty(), "the refusal screen:\n{violations}");
    // Nothing reached the clerk yet: no knock without the citizen's choice.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), signaling.next_event())
            .await
            .is_err(),
        "the page knocked before the citizen chose"
    );
    super::chromium::click(&client, "#media-without").await;
    wait_for_text(&client, "#lobby-status", "De medewerker weet dat u er bent").await;
    assert!(matches!(
        event(&mut signaling).await,
        SignalingEvent::Message(RelayToClerk::Knock { .. })
    ));
    let _ = client.close().await;
}
