//! The `balie-relay` command line: clerk management and a config file.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn relay(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_balie-relay"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn clerks_are_added_listed_and_revoked_and_names_are_unique() {
    let data = tempfile::tempdir().unwrap();
    let first = relay(data.path(), &["clerk", "add", "an@zonnedorp.be"]);
    assert!(first.status.success());
    let token = String::from_utf8(first.stdout).unwrap();
    assert!(token.trim().starts_with("balie_"));
    assert!(
        relay(data.path(), &["clerk", "add", "jef@zonnedorp.be"])
            .status
            .success()
    );

    let again = relay(data.path(), &["clerk", "add", "an@zonnedorp.be"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    assert!(
        relay(data.path(), &["clerk", "revoke", "jef@zonnedorp.be"])
            .status
            .success()
    );
    let unknown = relay(data.path(), &["clerk", "revoke", "nobody"]);
    assert!(!unknown.status.success());

    let list = String::from_utf8(relay(data.path(), &["clerk", "list"]).stdout).unwrap();
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("an@zonnedorp.be\tactive"), "{list}");
    assert!(lines[1].starts_with("jef@zonnedorp.be\trevoked"), "{list}");
    assert!(!list.contains(token.trim()), "the list never shows tokens");
}

fn ok(data: &std::path::Path, args: &[&str]) -> String {
    let out = relay(data, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused(data: &std::path::Path, args: &[&str]) -> String {
    let out = relay(data, args);
    assert!(!out.status.success(), "{args:?} was accepted");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn it_manages_products_who_serves_them_and_the_opening_hours() {
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    ok(data, &["clerk", "add", "an@zonnedorp.be"]);
    ok(data, &["clerk", "teams", "an@zonnedorp.be", "welzijn"]);
    let add = [
        "product",
        "add",
        "sociaal-restaurant",
        "--name-nl",
        "Sociaal restaurant",
        "--name-fr",
        "Restaurant social",
        "--name-en",
        "Social restaurant",
        "--price",
        "60",
        "--duration",
        "20",
        "--team",
        "welzijn",
    ];
    ok(data, &add);
    assert!(refused(data, &add).contains("exists already"));
    assert!(
        refused(
            data,
            &["product", "add", "x", "--name-nl", "a", "--duration", "20"]
        )
        .contains("--name-fr is required")
    );
    assert!(
        refused(
            data,
            &["product", "set", "sociaal-restaurant", "--price", "6O"]
        )
        .contains("--price")
    );
    assert!(
        refused(
            data,
            &["product", "set", "sociaal-restaurant", "--duration", "600"]
        )
        .contains("5 to 480")
    );
    assert!(
        refused(
            data,
            &["product", "set", "sociaal-restaurant", "--clerk", "nobody"]
        )
        .contains("nobody")
    );
    ok(
        data,
        &[
            "product",
            "set",
            "sociaal-restaurant",
            "--price",
            "12,50",
            "--clerk",
            "an@zonnedorp.be",
        ],
    );
    let list = ok(data, &["product", "list"]);
    assert_eq!(
        list.trim(),
        "sociaal-restaurant\tSociaal restaurant\t€\u{a0}12,50\t20 min\tdigital\tan@zonnedorp.be, team:welzijn"
    );
    ok(data, &["product", "remove", "sociaal-restaurant"]);
    assert_eq!(ok(data, &["product", "list"]), "");
    assert!(refused(data, &["product", "remove", "sociaal-restaurant"]).contains("no product"));

    ok(data, &["hours", "set", "maandag", "9-12,13:30-16"]);
    assert!(refused(data, &["hours", "set", "monday", "12:00-09:00"]).contains("12:00-09:00"));
    assert!(refused(data, &["hours", "set", "someday", "9-12"]).contains("not a weekday"));
    ok(
        data,
        &["hours", "except", "2999-12-25", "-", "--note", "Kerstmis"],
    );
    let show = ok(data, &["hours", "show"]);
    assert!(
        show.starts_with("monday\t09:00-12:00,13:30-16:00\ntuesday\t-\n"),
        "{show}"
    );
    assert!(show.contains("2999-12-25\t-\tKerstmis"), "{show}");
    ok(data, &["hours", "unexcept", "2999-12-25"]);
    assert!(!ok(data, &["hours", "show"]).contains("2999"));
}

#[test]
fn plain_http_outside_loopback_is_refused_on_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let out = relay(data.path(), &["serve", "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain HTTP is only allowed"));
}

#[tokio::test]
async fn settings_come_from_a_toml_file_and_the_command_line_wins() {
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nlisten = \"127.0.0.1:0\"\nmunicipality = \"Gemeente Uit Bestand\"\nroom_ttl_minutes = 30\n",
            data.path().join("data")
        ),
    )
    .unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_balie-relay"))
        .arg("--config")
        .arg(&config)
        .args([
            "serve",
            "--municipality",
            "Gemeente Vanop De Regel",
            "--log-dir",
        ])
        .arg(data.path().join("logs"))
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("balie-relay listening on ") {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(
        data.path().join("data/relay.sqlite3").exists(),
        "data_dir from the file"
    );

    // A clerk in the file's data dir creates a room; the page shows the command line's name.
    let token = String::from_utf8(relay(&data.path().join("data"), &["clerk", "add", "an"]).stdout)
        .unwrap();
    super::helpers::install_crypto();
    let client = reqwest::Client::new();
    let room: balie_protocol::CreateRoomResponse = client
        .post(format!("{url}/api/rooms"))
        .bearer_auth(token.trim())
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = client
        .get(&room.join_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Gemeente Vanop De Regel"), "{page}");
    let _ = server.kill();
    let _ = server.wait();

    let bad = data.path().join("bad.toml");
    std::fs::write(&bad, "listen = \"127.0.0.1:0\"\nsurprise = 1\n").unwrap();
    let out = relay(data.path(), &["--config", bad.to_str().unwrap(), "serve"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not valid"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_invitation_prints_a_code_and_devices_are_listed_and_revoked_one_by_one() {
    let data = tempfile::tempdir().unwrap();
    let out = relay(data.path(), &["clerk", "invite", "an@zonnedorp.be"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8(out.stdout).unwrap();
    let code = balie_domain::InviteCode::parse(code.trim()).expect("a code with its check");
    let told = String::from_utf8_lossy(&out.stderr);
    assert!(
        told.contains("Clerk added") && told.contains("Aanmelden bij uw gemeente"),
        "{told}"
    );
    assert!(
        !told.contains(code.canonical()),
        "the code is on stdout only"
    );
    // Enrolled the way the relay does on POST /api/enrol.
    let db = balie_store::open(
        &data.path().join("relay.sqlite3"),
        &balie_store::relay::SCHEMA,
    )
    .unwrap();
    let digest: [u8; 32] = {
        use sha2::Digest as _;
        sha2::Sha256::digest(code.canonical().as_bytes()).into()
    };
    let enrolled = balie_store::relay::device::redeem(&db, &digest, "PC-AN", &[7; 32], 0).unwrap();
    let balie_store::relay::device::Redeemed::Enrolled { device_id, .. } = enrolled else {
        panic!("{enrolled:?}");
    };
    // A second code for the same clerk adds no clerk.
    let again = relay(data.path(), &["clerk", "invite", "an@zonnedorp.be"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("Clerk added"));

    let devices = ok(data.path(), &["clerk", "devices", "an@zonnedorp.be"]);
    assert!(
        devices.starts_with(&format!("{device_id}\tPC-AN\tenrolled ")),
        "{devices}"
    );
    assert!(devices.trim_end().ends_with("active"), "{devices}");
    let revoked = ok(
        data.path(),
        &[
            "clerk",
            "revoke",
            "an@zonnedorp.be",
            "--device",
            &device_id.to_string(),
        ],
    );
    assert_eq!(
        revoked.trim(),
        format!("revoked device {device_id} of an@zonnedorp.be")
    );
    let devices = ok(data.path(), &["clerk", "devices", "an@zonnedorp.be"]);
    assert!(devices.contains("\trevoked "), "{devices}");
    // Once is enough; another clerk's device is not theirs to revoke.
    refused(
        data.path(),
        &[
            "clerk",
            "revoke",
            "an@zonnedorp.be",
            "--device",
            &device_id.to_string(),
        ],
    );
    refused(data.path(), &["clerk", "devices", "nobody"]);
    // The clerk stays active: only the device went.
    let list = ok(data.path(), &["clerk", "list"]);
    assert!(list.starts_with("an@zonnedorp.be\tactive"), "{list}");
}
