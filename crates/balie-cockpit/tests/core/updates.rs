//! Updates from the municipality's relay: offered when newer, installed only outside a
//! conversation, and only when signed with the key in IT's machine settings. The
//! installation stands in for an AppImage (a file the update replaces): the bundler
//! cannot make a real one on these machines (README, *not verified*).

use super::*;
use balie_cockpit::CockpitError;
use balie_cockpit::updates::Installed;

/// Publishes `bytes` as version `version` with `signature` in `dir`.
fn publish(dir: &std::path::Path, version: &str, bytes: &[u8], signature: &str) {
    let built = tempfile::tempdir().unwrap();
    let name = format!("Balie_{version}_amd64.AppImage");
    std::fs::write(built.path().join(&name), bytes).unwrap();
    std::fs::write(built.path().join(format!("{name}.sig")), signature).unwrap();
    balie_relay::updates::publish(
        dir,
        version,
        "Nieuw: aanmelden met een code",
        &[built.path().join(name)],
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_update_is_offered_and_installed_after_the_call_and_another_key_is_refused() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let key = balie_testkit::signing::UpdateKey::generate();
    let other = balie_testkit::signing::UpdateKey::generate();
    let public = key.public();
    let updates = tempfile::tempdir().unwrap();
    let relay_dir = tempfile::tempdir().unwrap();
    let mut config = balie_relay::RelayConfig::loopback(relay_dir.path().to_path_buf());
    config.updates_dir = Some(updates.path().to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "an")
            .unwrap()
            .secret()
            .expose_secret()
            .to_string()
    };
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_owned();
    tokio::spawn(relay.serve(std::future::pending()));

    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.updates-test.{}", std::process::id());
    SecretStore::new(&service)
        .set(SecretName::RelayClerkToken, &token.into())
        .unwrap();
    let appimage = data.path().join("Balie.AppImage");
    std::fs::write(&appimage, b"\x7fELF version 0.1.0").unwrap();
    let start = |check: bool| {
        let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
        config.relay_url = Some(url.clone());
        config.installed = Installed::AppImage(appimage.clone());
        config.machine = balie_cockpit::machine::MachineSettings::parse(&format!(
            "[updates]\ncheck = {check}\npubkey = \"{public}\"\n"
        ))
        .unwrap();
        Cockpit::start(config)
    };
    let cockpit = start(true).await.unwrap();

    // Nothing published: nothing offered. The same version: nothing either.
    assert_eq!(cockpit.check_update().await.unwrap(), None);
    publish(
        updates.path(),
        env!("CARGO_PKG_VERSION"),
        b"\x7fELF same",
        &key.sign(b"\x7fELF same"),
    );
    assert_eq!(cockpit.check_update().await.unwrap(), None);

    // Signed with another key: offered (the relay cannot tell), refused at install, and the
    // installed program stays as it was.
    let forged = b"\x7fELF version 9.0.0 from someone else";
    publish(updates.path(), "9.0.0", forged, &other.sign(forged));
    let offer = cockpit.check_update().await.unwrap().expect("an offer");
    assert_eq!(offer.version, "9.0.0");
    match cockpit.install_update().await {
        Err(CockpitError::Rejected(text)) => assert!(text.contains("niet ondertekend"), "{text}"),
        other => panic!("a forged update was installed: {other:?}"),
    }
    assert_eq!(std::fs::read(&appimage).unwrap(), b"\x7fELF version 0.1.0");

    // The municipality's own: not during a conversation; after it, installed.
    let genuine = b"\x7fELF version 9.0.0";
    publish(updates.path(), "9.0.0", genuine, &key.sign(genuine));
    let offer = cockpit.check_update().await.unwrap().expect("an offer");
    assert_eq!(offer.notes, "Nieuw: aanmelden met een code");
    assert_eq!(offer.current, env!("CARGO_PKG_VERSION"));
    cockpit.new_conversation(|_| {}).await.unwrap();
    match cockpit.install_update().await {
        Err(CockpitError::Rejected(text)) => {
            assert!(text.contains("tijdens een gesprek"), "{text}")
        }
        other => panic!("installed during a conversation: {other:?}"),
    }
    assert_eq!(std::fs::read(&appimage).unwrap(), b"\x7fELF version 0.1.0");
    cockpit.end_conversation().await.unwrap();
    let installed = cockpit.install_update().await.unwrap();
    assert_eq!(installed.version, "9.0.0");
    assert_eq!(std::fs::read(&appimage).unwrap(), genuine);
    drop(cockpit);

    // IT switched updates off: nothing is offered.
    let off = start(false).await.unwrap();
    assert_eq!(off.check_update().await.unwrap(), None);
    drop(off);
    SecretStore::new(&service)
        .delete(SecretName::RelayClerkToken)
        .unwrap();
}
