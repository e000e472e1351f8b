//! The cockpit's core without windows: embedded relay, keyring-held clerk token, rooms.
//! Needs a Secret Service on the session D-Bus (the README's test command starts one).
#![allow(clippy::unwrap_used, missing_docs)]

use balie_cockpit::{Cockpit, CockpitConfig};
use balie_domain::Locale;
use balie_secrets::{SecretName, SecretStore};
use secrecy::ExposeSecret as _;

#[tokio::test]
async fn the_embedded_relay_hands_out_join_links_with_a_clerk_token_kept_in_the_keyring() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.core-test.{}", std::process::id());

    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let status = cockpit.status();
    assert!(
        status.keyring_available,
        "the test runs with a Secret Service"
    );
    assert!(status.relay.url.starts_with("http://127.0.0.1:"));

    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(
        conversation
            .qr_svg_data_uri
            .starts_with("data:image/svg+xml;base64,")
    );
    cockpit.check_join_url(&conversation.join_url).unwrap();
    assert!(
        cockpit
            .check_join_url("https://evil.example/j/AAAAAAAAAAAAAAAAAAAAAA")
            .is_err()
    );
    assert!(
        cockpit
            .check_join_url(&format!("{}/healthz", status.relay.url))
            .is_err()
    );
    let page = reqwest::get(&conversation.join_url).await.unwrap();
    assert_eq!(page.status(), 200);

    // The token is in the keyring and nowhere on disk.
    let secrets = SecretStore::new(&service);
    let token = secrets.get(SecretName::RelayClerkToken).unwrap().unwrap();
    drop(cockpit);
    for entry in walk(data.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        let needle = token.expose_secret().as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} holds the clerk token",
            entry.display()
        );
    }

    // A restart reuses the keyring's token.
    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    again.new_conversation(|_| {}).await.unwrap();
    let same = secrets.get(SecretName::RelayClerkToken).unwrap().unwrap();
    assert_eq!(same.expose_secret(), token.expose_secret());
    secrets.delete(SecretName::RelayClerkToken).unwrap();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn the_clerks_choice_of_devices_is_kept_and_a_long_name_refused() {
    use balie_cockpit::settings::DeviceChoice;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.devices-test.{}", std::process::id());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Fr))
        .await
        .unwrap();
    assert_eq!(cockpit.devices().choice().unwrap(), DeviceChoice::default());
    // Listing asks the real sound system and camera monitor (none here: empty lists).
    let list = cockpit.devices().list().await.unwrap();
    assert_eq!(list.chosen, DeviceChoice::default());

    let choice = DeviceChoice {
        camera: Some("Integrated Camera".into()),
        microphone: None,
        speaker: Some("Jabra Evolve 40".into()),
    };
    cockpit.devices().choose(&choice).unwrap();
    drop(cockpit);
    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Fr))
        .await
        .unwrap();
    assert_eq!(again.devices().choice().unwrap(), choice);
    let too_long = DeviceChoice {
        camera: Some("x".repeat(513)),
        ..DeviceChoice::default()
    };
    assert!(again.devices().choose(&too_long).is_err());
    assert_eq!(
        again.devices().choice().unwrap(),
        choice,
        "a refused choice changes nothing"
    );
    // Back to the defaults.
    again.devices().choose(&DeviceChoice::default()).unwrap();
    assert_eq!(again.devices().choice().unwrap(), DeviceChoice::default());
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_blur_choice_is_kept_for_the_next_calls() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.blur-test.{}", std::process::id());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    assert!(
        !cockpit.background_blur().unwrap(),
        "off until the clerk turns it on"
    );
    let first = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(!first.background_blur);
    // Turned on during a conversation: kept, and the next conversation starts with it.
    cockpit.set_background_blur(true).await.unwrap();
    let second = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(second.background_blur);
    cockpit.end_conversation().await.unwrap();
    drop(cockpit);
    let again = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    assert!(again.background_blur().unwrap(), "kept across restarts");
    // Turned off with no conversation: kept too.
    again.set_background_blur(false).await.unwrap();
    assert!(!again.background_blur().unwrap());
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}

mod cases;
mod fake_mollie;
mod faults;
mod front_door;
mod impact;
mod integrity;
mod payments;
mod updates;
