//! *Aanmelden bij uw gemeente*: IT's machine settings name (and lock) the relay; the
//! cockpit starts with the enrolment window; a mistyped, used or expired code is refused
//! with its own message; the right code opens the cockpit, whose rooms come from that
//! relay; *Verbinding testen* says connected, and after IT revokes the device, that this
//! computer is no longer enrolled. The locked relay cannot be changed by the clerk.

use super::COCKPIT;
use balie_domain::InviteCode;
use balie_secrets::{SecretName, SecretStore};
use balie_testkit::cockpit::{Cockpit, serial};
use balie_testkit::display::one_monitor;
use balie_testkit::seen;

fn keyring_service() -> String {
    format!("be.balie.e2e.{}", std::process::id())
}

/// Types `code` into the enrolment window and presses *Aanmelden*.
async fn submit(cockpit: &Cockpit, code: &str) {
    cockpit
        .value(&format!(
            "document.querySelector('#enrol-code').value = {code:?};
             document.querySelector('#error').hidden = true;
             return true;"
        ))
        .await;
    cockpit.click("#enrol-submit").await;
}

/// Waits until the enrolment window's alert says `needle`.
async fn refused_with(cockpit: &Cockpit, needle: &str) {
    cockpit
        .wait_until(
            "#error",
            &format!("!el.hidden && el.textContent.includes({needle:?})"),
        )
        .await;
    seen::wait_seen(&cockpit.client, "#error").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_enrols_with_the_code_from_it_and_a_revoked_device_is_told() {
    let _serial = serial().await;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // No token from another test: this computer was never enrolled.
    let _ = SecretStore::new(keyring_service()).delete(SecretName::RelayClerkToken);

    let relay_dir = tempfile::tempdir().unwrap();
    let mut config = balie_relay::RelayConfig::loopback(relay_dir.path().to_path_buf());
    config.municipality = "Gemeente Zonnedorp".into();
    config.clerk_recheck_every = std::time::Duration::from_millis(200);
    let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_owned();
    tokio::spawn(relay.serve(std::future::pending()));

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let invite = |at: i64| {
        balie_relay::enrol::invite_clerk(&db, "an@zonnedorp.be", at)
            .unwrap()
            .0
    };
    let code = invite(now);
    let expired = invite(now - 25 * 3600);
    let used = invite(now);
    let http = reqwest::Client::new();
    let taken = http
        .post(format!("{url}/api/enrol"))
        .json(&serde_json::json!({ "code": used.to_string(), "device": "ANDERE-PC" }))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), 201);

    // IT's machine settings: this relay, locked.
    let data = tempfile::tempdir().unwrap();
    let machine = data.path().join("cockpit.toml");
    std::fs::write(
        &machine,
        format!(
            "relay_url = \"{url}\"\nmunicipality = \"Gemeente Zonnedorp\"\nlocked = [\"relay_url\"]\n"
        ),
    )
    .unwrap();
    let machine_env = machine.to_str().unwrap().to_owned();

    // The clerk cannot point the cockpit elsewhere on the command line either.
    let cli = std::process::Command::new(COCKPIT)
        .args(["relay", "set", "https://elders.example"])
        .env("BALIE_DATA_DIR", data.path())
        .env("BALIE_MACHINE_SETTINGS", &machine_env)
        .env("BALIE_KEYRING_SERVICE", keyring_service())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!cli.status.success());
    let said = String::from_utf8_lossy(&cli.stderr);
    assert!(said.contains("IT has fixed this"), "{said}");

    let display = one_monitor(1600, 900);
    let cockpit = Cockpit::start_with(
        COCKPIT,
        &display,
        data.path(),
        &[("BALIE_MACHINE_SETTINGS", &machine_env)],
    )
    .await;
    cockpit.window("aanmelden").await;
    cockpit
        .wait_until(
            "#enrol-heading",
            "el.textContent === 'Aanmelden bij Gemeente Zonnedorp'",
        )
        .await;
    let shown = cockpit
        .value("const r = document.querySelector('#enrol-relay'); return [r.value, r.readOnly];")
        .await;
    assert_eq!(
        shown,
        serde_json::json!([url, true]),
        "IT's relay, not editable"
    );
    seen::wait_seen(&cockpit.client, "#enrol-relay-locked").await;
    seen::wait_seen(&cockpit.client, "#enrol-code").await;
    seen::wait_seen(&cockpit.client, "#enrol-submit").await;
    seen::screenshot(&cockpit.client, "cockpit-enrol").await;

    // A typing error: named at once, before the relay is asked.
    let mut typo = code.to_string().into_bytes();
    typo[1] = if typo[1] == b'7' { b'8' } else { b'7' };
    submit(&cockpit, &String::from_utf8(typo).unwrap()).await;
    refused_with(&cockpit, "tikfout").await;
    seen::screenshot(&cockpit.client, "cockpit-enrol-typo").await;
    submit(&cockpit, "K7PQ").await;
    refused_with(&cockpit, "11 letters en cijfers").await;
    submit(&cockpit, &used.to_string()).await;
    refused_with(&cockpit, "al gebruikt").await;
    submit(&cockpit, &expired.to_string()).await;
    refused_with(&cockpit, "verlopen").await;
    submit(&cockpit, &InviteCode::from_random(0x5eed).to_string()).await;
    refused_with(&cockpit, "kent de gemeente niet").await;

    // The right code, typed as read aloud: the cockpit opens on this relay.
    submit(&cockpit, &code.to_string().to_lowercase().replace('-', " ")).await;
    let join = cockpit.new_conversation().await;
    assert!(join.starts_with(&format!("{url}/j/")), "{join}");
    let devices = balie_store::relay::device::list(
        &db,
        balie_store::relay::clerk::find_by_name(&db, "an@zonnedorp.be")
            .unwrap()
            .unwrap()
            .id,
    )
    .unwrap();
    assert_eq!(devices.len(), 2, "{devices:?}");
    let this_one = &devices[1];

    // *Verbinding*: IT's relay, locked; the test says connected.
    cockpit.click("#connection-open").await;
    cockpit
        .wait_until("#connection-url", &format!("el.textContent === {url:?}"))
        .await;
    seen::wait_seen(&cockpit.client, "#connection-locked").await;
    cockpit.click("#connection-test").await;
    cockpit
        .wait_until(
            "#connection-result",
            "el.textContent.startsWith('Verbonden met Gemeente Zonnedorp')",
        )
        .await;
    seen::wait_seen(&cockpit.client, "#connection-result").await;
    seen::screenshot(&cockpit.client, "cockpit-connection").await;

    // IT revokes this device: the test says so and offers enrolling again.
    let clerk = balie_store::relay::clerk::find_by_name(&db, "an@zonnedorp.be")
        .unwrap()
        .unwrap();
    assert!(balie_store::relay::device::revoke(&db, clerk.id, this_one.id, now).unwrap());
    cockpit.click("#connection-test").await;
    cockpit
        .wait_until(
            "#connection-result",
            "el.textContent.includes('niet (meer) aangemeld')",
        )
        .await;
    seen::wait_seen(&cockpit.client, "#connection-reenrol").await;
    seen::screenshot(&cockpit.client, "cockpit-connection-revoked").await;
    cockpit.stop().await;
    let _ = SecretStore::new(keyring_service()).delete(SecretName::RelayClerkToken);
}
