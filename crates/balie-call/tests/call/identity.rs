//! The citizen proves who they are during the call (issue 15): the clerk asks, the page
//! shows *Bevestig wie u bent* over the call, the citizen signs in at the provider (a
//! certified OpenID provider on loopback standing in for ACM/IDM) in a tab of its own while
//! the call goes on, and comes back to the call page, which says it is confirmed.
//!
//! Checked as a person would see it at the phone sizes and 200% text, with axe-core, in
//! nl, fr and en; screenshots go to the README's folder.

use super::chromium::{click, wait_for_content, wait_for_text};
use super::phone::{all_seen, assert_no_violations, connected, every_size};
use super::video_call::citizen_let_in;
use super::*;
use balie_protocol::identity::IdentityStatus;
use balie_relay::identity::config::{ClientAuthKind, Preset, ProviderFile};
use balie_testkit::seen;

const CLIENT_ID: &str = "balie-zonnedorp";

/// The texts this test looks for, per language: asked, the tab's heading, confirmed.
fn words(lang: &str) -> (&'static str, &'static str, &'static str) {
    match lang {
        "fr" => (
            "L’agent vous demande de confirmer qui vous êtes",
            "Votre identité est confirmée",
            "Votre identité est confirmée.",
        ),
        "en" => (
            "The clerk asks you to confirm who you are",
            "Your identity is confirmed",
            "Your identity is confirmed.",
        ),
        _ => (
            "De medewerker vraagt u te bevestigen wie u bent",
            "Uw identiteit is bevestigd",
            "Uw identiteit is bevestigd.",
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_call_the_citizen_confirms_who_they_are_in_a_tab_of_its_own_and_the_call_goes_on() {
    let _serial = serial().await;
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("oidc-key.pem");
    let jwk =
        balie_relay::identity::keys::keygen(&key_file, balie_relay::identity::keys::KeyKind::Rs256)
            .unwrap();
    let jwk = serde_json::to_value(&jwk).unwrap();
    for lang in ["nl", "fr", "en"] {
        let op = balie_testkit::oidc::listen();
        let provider = ProviderFile {
            id: "acm".into(),
            label: "itsme of eID".into(),
            preset: Preset::Acm,
            issuer: op.issuer().to_owned(),
            client_id: CLIENT_ID.into(),
            client_auth: ClientAuthKind::PrivateKeyJwt,
            key_file: Some(key_file.clone()),
            client_secret: None,
            scopes: None,
            min_level: None,
            send_acr_values: None,
            means: None,
            claims: None,
        }
        .resolve(|_| None)
        .unwrap();
        let s = setup_configured(|config| config.identity = vec![provider]).await;
        let _op = op.register(CLIENT_ID, &format!("{}/id/callback", s.url), &jwk);
        let (mut clerk, client, _driver, _) = citizen_let_in(&s, &format!("lang={lang}")).await;
        connected(&mut clerk, &client).await;
        let (asked, tab_heading, confirmed) = words(lang);

        // The clerk asks: the page brings the question over the call, says it.
        let http = reqwest::Client::new();
        let ask = http
            .post(format!("{}/api/rooms/{}/identity", s.url, s.room_id))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap();
        assert_eq!(ask.status(), 202);
        let link = "#identity-providers a";
        seen::wait_seen(&client, link).await;
        wait_for_content(&client, "#announce", asked).await;
        every_size(
            &client,
            &format!("citizen-identity-{lang}"),
            &["#identity-heading", link, "#remote", "#mute", "#hangup"],
            &[],
            lang,
        )
        .await;

        // To the provider in a tab of its own; the call's tab stays.
        seen::set_viewport(&client, 360, 640).await;
        let call_tab = client.window().await.unwrap();
        click(&client, link).await;
        super::chromium::switch_to_new_tab(&client, &call_tab).await;
        wait_for_text(&client, "h1", "testprovider").await;
        click(&client, "#login").await;
        wait_for_text(&client, "h1", tab_heading).await;
        seen::set_viewport(&client, 360, 640).await;
        all_seen(&client, &["h1", "main p"], &format!("identity-tab-{lang}")).await;
        assert_no_violations(&client, &format!("identity-tab-{lang}")).await;
        seen::screenshot(&client, &format!("citizen-identity-tab-{lang}-360x640")).await;
        client.close_window().await.unwrap();
        client.switch_to_window(call_tab).await.unwrap();

        // Back in the call: it says so, and the call went on.
        wait_for_text(&client, "#identity-status", confirmed).await;
        all_seen(
            &client,
            &["#identity-status", "#remote", "#hangup"],
            "identity-confirmed",
        )
        .await;
        seen::assert_not_rendered(&client, link).await;
        assert_no_violations(&client, &format!("citizen-identity-confirmed-{lang}")).await;
        seen::screenshot(
            &client,
            &format!("citizen-identity-confirmed-{lang}-360x640"),
        )
        .await;
        assert_eq!(
            client
                .execute(
                    "return document.body.classList.contains('in-call');",
                    vec![]
                )
                .await
                .unwrap(),
            true,
            "{lang}: the call went on"
        );

        // The clerk reads who it is, once.
        let status: IdentityStatus = http
            .get(format!("{}/api/rooms/{}/identity", s.url, s.room_id))
            .bearer_auth(&s.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let IdentityStatus::Confirmed { identity } = status else {
            panic!("{lang}: the clerk sees {status:?}");
        };
        assert_eq!(identity.family_name, "Peeters");
        assert_eq!(identity.means, "itsme");
        let _ = clerk.commands.send(super::video_call::Command::End);
        let _ = client.close().await;
    }
}
