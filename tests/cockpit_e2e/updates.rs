//! A new version offered in the call window: *Nu installeren* with an update signed with
//! another key is refused with a message and changes nothing; the municipality's own is
//! installed into the AppImage
//! (`BALIE_UPDATE_APPIMAGE`: the bundler cannot make a real AppImage on these machines).

use super::COCKPIT;
use balie_secrets::{SecretName, SecretStore};
use balie_testkit::cockpit::{Cockpit, serial};
use balie_testkit::display::one_monitor;
use balie_testkit::seen;
use secrecy::ExposeSecret as _;

fn keyring_service() -> String {
    format!("be.balie.e2e.{}", std::process::id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_is_offered_refused_when_forged_and_installed_with_the_clerks_consent() {
    let _serial = serial().await;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let relay_dir = tempfile::tempdir().unwrap();
    let updates = tempfile::tempdir().unwrap();
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
    SecretStore::new(keyring_service())
        .set(SecretName::RelayClerkToken, &token.into())
        .unwrap();
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_owned();
    tokio::spawn(relay.serve(std::future::pending()));

    let key = balie_testkit::signing::UpdateKey::generate();
    let other = balie_testkit::signing::UpdateKey::generate();
    let public = key.public();
    let built = tempfile::tempdir().unwrap();
    let package = built.path().join("Balie_99.0.0_amd64.AppImage");
    let new_program = b"\x7fELF Balie 99.0.0";
    std::fs::write(&package, new_program).unwrap();
    other.sign_file(&package);
    let publish = || {
        balie_relay::updates::publish(
            updates.path(),
            "99.0.0",
            "Aanmelden met een code van IT",
            std::slice::from_ref(&package),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap()
    };
    publish();

    let data = tempfile::tempdir().unwrap();
    let appimage = data.path().join("Balie.AppImage");
    std::fs::write(&appimage, b"\x7fELF Balie 0.1.0").unwrap();
    let machine = data.path().join("cockpit.toml");
    std::fs::write(
        &machine,
        format!("[updates]\ncheck = true\npubkey = \"{public}\"\n"),
    )
    .unwrap();
    let display = one_monitor(1600, 900);
    let cockpit = Cockpit::start_with(
        COCKPIT,
        &display,
        data.path(),
        &[
            ("BALIE_RELAY_URL", url.as_str()),
            ("BALIE_MACHINE_SETTINGS", machine.to_str().unwrap()),
            ("BALIE_UPDATE_APPIMAGE", appimage.to_str().unwrap()),
        ],
    )
    .await;
    cockpit.window("gesprek").await;
    cockpit
        .wait_until(
            "#update-text",
            "el.textContent === 'Er is een nieuwe versie van Balie: 99.0.0 (u hebt 0.1.0).'",
        )
        .await;
    for seen in [
        "#update-text",
        "#update-notes",
        "#update-install",
        "#update-later",
    ] {
        seen::wait_seen(&cockpit.client, seen).await;
    }
    seen::screenshot(&cockpit.client, "gesprek-update-offered").await;

    // Signed with another key: refused, said, nothing changed.
    cockpit.click("#update-install").await;
    cockpit
        .wait_until(
            "#error",
            "!el.hidden && el.textContent.includes('niet ondertekend met de sleutel van uw gemeente')",
        )
        .await;
    seen::wait_seen(&cockpit.client, "#error").await;
    seen::screenshot(&cockpit.client, "gesprek-update-refused").await;
    assert_eq!(std::fs::read(&appimage).unwrap(), b"\x7fELF Balie 0.1.0");

    // IT publishes the genuine one (refusing it during a conversation is the core's test,
    // `tests/core/updates.rs`).
    key.sign_file(&package);
    publish();

    // Installed, and the window says Balie restarts.
    let data_entry = format!("BALIE_DATA_DIR={}", data.path().display());
    let before = processes_with(&data_entry);
    assert!(!before.is_empty());
    cockpit.click("#update-install").await;
    cockpit
        .wait_until(
            "#update-status",
            "el.textContent === 'Versie 99.0.0 is geïnstalleerd. Balie start opnieuw.'",
        )
        .await;
    seen::screenshot(&cockpit.client, "gesprek-update-installed").await;
    assert_eq!(std::fs::read(&appimage).unwrap(), new_program);
    // Balie starts again by itself, outside the WebDriver: the new process (found by its
    // data directory) is stopped, so no later test is handed to it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let again = loop {
        let now: Vec<u32> = processes_with(&data_entry)
            .into_iter()
            .filter(|pid| !before.contains(pid))
            .collect();
        if !now.is_empty() {
            break now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Balie did not start again"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    for pid in again.iter().chain(&before) {
        // The first has usually ended by itself already.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .status();
    }
    drop(cockpit);
    let _ = SecretStore::new(keyring_service()).delete(SecretName::RelayClerkToken);
}

/// The processes whose environment holds `entry`.
fn processes_with(entry: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == entry.as_bytes()))
        })
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|exe| exe.to_string_lossy().contains("balie-cockpit"))
        })
        .collect()
}
