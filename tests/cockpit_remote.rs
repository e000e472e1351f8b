//! Pointing a cockpit at the municipality's relay with `balie-cockpit relay set`, the token
//! read from standard input into the OS keyring. Needs a Secret Service on the session D-Bus.
#![allow(clippy::unwrap_used, missing_docs)]

use balie_cockpit::relay_link::RelayMode;
use balie_cockpit::{Cockpit, CockpitConfig};
use balie_domain::Locale;
use secrecy::ExposeSecret as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

fn cockpit_cli(
    data: &std::path::Path,
    service: &str,
    args: &[&str],
    stdin: &str,
) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_balie-cockpit"))
        .args(args)
        .env("BALIE_DATA_DIR", data)
        .env("BALIE_KEYRING_SERVICE", service)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn a_cockpit_set_to_a_remote_relay_creates_its_rooms_there_with_the_keyring_token() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let relay_dir = tempfile::tempdir().unwrap();
    let config = balie_relay::RelayConfig::loopback(relay_dir.path().to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "an")
            .unwrap()
            .secret()
            .expose_secret()
            .to_string()
    };
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let relay_url = relay.public_url().to_string();
    tokio::spawn(relay.serve(std::future::pending()));

    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.remote-test.{}", std::process::id());

    let refused = cockpit_cli(
        data.path(),
        &service,
        &["relay", "set", "http://example.com"],
        &token,
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("https://"));

    let set = cockpit_cli(
        data.path(),
        &service,
        &["relay", "set", &relay_url],
        &format!("{token}\n"),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let show = cockpit_cli(data.path(), &service, &["relay", "show"], "");
    assert_eq!(
        String::from_utf8_lossy(&show.stdout).trim(),
        format!("relay: {relay_url}")
    );

    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let status = cockpit.status();
    assert_eq!(status.relay.mode, RelayMode::Remote);
    assert_eq!(status.relay.url, relay_url);
    let conversation = cockpit.new_conversation(|_| {}).await.unwrap();
    assert!(
        conversation
            .join_url
            .starts_with(&format!("{relay_url}/j/"))
    );
    assert!(
        !data.path().join("relay").exists(),
        "no embedded relay was started"
    );
    drop(cockpit);

    let clear = cockpit_cli(data.path(), &service, &["relay", "clear"], "");
    assert!(clear.status.success());
    let show = cockpit_cli(data.path(), &service, &["relay", "show"], "");
    assert!(String::from_utf8_lossy(&show.stdout).contains("built in"));
    let secrets = balie_secrets::SecretStore::new(&service);
    assert!(
        secrets
            .get(balie_secrets::SecretName::RelayClerkToken)
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payee_set_offers_bank_transfers_and_a_bad_iban_changes_nothing() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.payee-test.{}", std::process::id());
    let run = |args: &[&str]| cockpit_cli(data.path(), &service, args, "");
    let shown = run(&["payee", "show"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("none"));

    let bad = run(&["payee", "set", "Gemeente Zonnedorp", "BE68 5390 0754 7035"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("IBAN"));
    let bad_bic = run(&[
        "payee",
        "set",
        "Gemeente Zonnedorp",
        "BE68 5390 0754 7034",
        "GKC",
    ]);
    assert!(!bad_bic.status.success());
    assert!(
        String::from_utf8_lossy(&run(&["payee", "show"]).stdout).contains("none"),
        "a refused payee changes nothing"
    );

    let good = run(&[
        "payee",
        "set",
        "Gemeente Zonnedorp",
        "BE68 5390 0754 7034",
        "gkccbebb",
    ]);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let shown = String::from_utf8_lossy(&run(&["payee", "show"]).stdout).to_string();
    assert!(
        shown.contains("Gemeente Zonnedorp BE68539007547034 GKCCBEBB"),
        "{shown}"
    );

    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    let setup = cockpit.payments().setup().unwrap();
    assert!(
        setup
            .providers
            .iter()
            .any(|p| p.name == balie_cockpit::payments::ProviderName::Transfer),
        "{:?}",
        setup.providers
    );
    drop(cockpit);
    assert!(run(&["payee", "clear"]).status.success());
    let cockpit = Cockpit::start(CockpitConfig::new(data.path(), &service, Locale::Nl))
        .await
        .unwrap();
    assert!(
        !cockpit
            .payments()
            .setup()
            .unwrap()
            .providers
            .iter()
            .any(|p| p.name == balie_cockpit::payments::ProviderName::Transfer)
    );
    drop(cockpit);
    let _ = balie_secrets::SecretStore::new(&service)
        .delete(balie_secrets::SecretName::RelayClerkToken);
}

#[tokio::test]
async fn retention_is_set_shown_and_applied_by_purge() {
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.retention-test.{}", std::process::id());
    let run = |args: &[&str]| cockpit_cli(data.path(), &service, args, "");
    let shown = String::from_utf8_lossy(&run(&["retention", "show"]).stdout).to_string();
    assert!(
        shown.contains("730 days") && shown.contains("chat: never stored"),
        "{shown}"
    );
    for bad in ["0", "-3", "veel", "36501"] {
        assert!(!run(&["retention", "set", bad]).status.success(), "{bad}");
    }
    assert!(run(&["retention", "set", "30"]).status.success());
    assert!(String::from_utf8_lossy(&run(&["retention", "show"]).stdout).contains("30 days"));

    // A call of 40 days ago and one of yesterday: purge forgets only the old one.
    {
        use balie_store::cockpit::case;
        let mut conn = balie_store::open(
            &data.path().join("cockpit.sqlite3"),
            &balie_store::cockpit::SCHEMA,
        )
        .unwrap();
        let party = case::add_party(
            &conn,
            &case::NewParty {
                kind: case::PartyKind::Citizen,
                name: "Dirk".into(),
                enterprise_number: None,
                email: None,
                phone: None,
                address: None,
                external_id: None,
            },
            1,
        )
        .unwrap();
        let id = case::add_case(
            &mut conn,
            &case::NewCase {
                number: "2026-000001".into(),
                party_id: party,
                product_id: None,
                title: "Maaltijden".into(),
                status: case::CaseStatus::New,
                assigned_clerk: None,
            },
            "an",
            1,
        )
        .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        for (room, days) in [("old", 40), ("new", 1)] {
            let at = now - days * 86_400_000;
            case::link_room(&mut conn, id, room, "an", at).unwrap();
            case::end_room(&conn, room, at + 60_000).unwrap();
        }
    }
    let purged = run(&["purge"]);
    assert!(purged.status.success());
    assert!(String::from_utf8_lossy(&purged.stdout).starts_with("1 calls"));
    let conn = rusqlite::Connection::open(data.path().join("cockpit.sqlite3")).unwrap();
    let left: Vec<String> = conn
        .prepare("SELECT room_id FROM case_call")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(left, ["new"]);
}
