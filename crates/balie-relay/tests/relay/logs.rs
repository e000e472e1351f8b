//! The real `balie-relay` binary, logging at trace level, never writes a token or citizen
//! data to its log file.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn a_traced_run_writes_no_clerk_token_join_token_or_citizen_name_to_the_log() {
    super::helpers::install_crypto();
    let bin = env!("CARGO_BIN_EXE_balie-relay");
    let data = tempfile::tempdir().unwrap();
    let logs = data.path().join("logs");

    let added = Command::new(bin)
        .args(["--data-dir"])
        .arg(data.path())
        .args(["clerk", "add", "an@zonnedorp.be"])
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let clerk_token = String::from_utf8(added.stdout).unwrap().trim().to_string();
    assert!(clerk_token.starts_with("balie_"));

    let mut server = Command::new(bin)
        .env("BALIE_LOG", "trace")
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--log-dir"])
        .arg(&logs)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = server.stderr.take().unwrap();
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut everything = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("balie-relay listening on ") {
                let _ = url_tx.send(url.to_string());
            }
            everything.push_str(&line);
            everything.push('\n');
        }
        everything
    });
    let url = url_rx.recv_timeout(Duration::from_secs(20)).unwrap();

    let client = reqwest::Client::new();
    let citizen = "Dirk Peeters";
    let bad = client
        .post(format!("{url}/api/rooms"))
        .bearer_auth(&clerk_token)
        .header("content-type", "application/json")
        .body(format!(r#"{{"valid_for_minutes": "{citizen}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let room: balie_protocol::CreateRoomResponse = client
        .post(format!("{url}/api/rooms"))
        .bearer_auth(&clerk_token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let join_token = room.join_url.rsplit('/').next().unwrap().to_string();
    let page = client
        .get(format!("{}?lang=fr", room.join_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);

    // SIGTERM: the relay shuts down gracefully and flushes its log.
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "relay exit status {status:?}");
    let console = reader.join().unwrap();

    let mut log = String::new();
    for entry in std::fs::read_dir(&logs).unwrap() {
        log.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(
        log.contains("room created"),
        "the log file holds the run:\n{log}"
    );
    assert!(
        log.contains("relay stopped"),
        "graceful stop is logged:\n{log}"
    );
    for (what, secret) in [
        ("clerk token", clerk_token.as_str()),
        ("join token", join_token.as_str()),
        ("citizen name", citizen),
    ] {
        assert!(!log.contains(secret), "the log file holds the {what}");
        assert!(!console.contains(secret), "stderr holds the {what}");
    }
}
