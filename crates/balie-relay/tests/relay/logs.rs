//! The real `balie-relay` binary, logging at trace level, never writes a token, citizen
//! data (also of a booking and its mail) or the mail server's password to its log file.

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
    let product = Command::new(bin)
        .arg("--data-dir")
        .arg(data.path())
        .args([
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
            "--clerk",
            "an@zonnedorp.be",
        ])
        .output()
        .unwrap();
    assert!(product.status.success());
    // Mail goes to a real SMTP server, with a password the log must not show either.
    let smtp = balie_testkit::smtp::SmtpServer::start(0);

    let mut server = Command::new(bin)
        .env("BALIE_LOG", "trace")
        .arg("--data-dir")
        .arg(data.path())
        .env("BALIE_SMTP_PASSWORD", &smtp.password)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-dir"])
        .arg(&logs)
        .args(["--smtp-host", "localhost", "--smtp-port"])
        .arg(smtp.port.to_string())
        .args(["--smtp-user", &smtp.user, "--smtp-ca"])
        .arg(&smtp.ca_file)
        .args(["--mail-from", "Gemeente Zonnedorp <balie@zonnedorp.be>"])
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

    // A booking on the front door, and its confirmation mail: the citizen's name, address,
    // number and question stay out of the log.
    let (email, phone, question) = (
        "dirk.peeters@example.be",
        "0470123456",
        "Mijn rijksregisternummer is 85.07.30-033.61",
    );
    let available = client
        .put(format!("{url}/api/availability"))
        .bearer_auth(&clerk_token)
        .json(&serde_json::json!({ "week": vec!["00:00-24:00"; 7] }))
        .send()
        .await
        .unwrap();
    assert_eq!(available.status(), 204);
    let week = client
        .get(format!("{url}/book/sociaal-restaurant?lang=nl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = crate::booking::slot_values(&week)[0];
    let details = client
        .get(format!(
            "{url}/book/sociaal-restaurant/details?at={at}&lang=nl"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = crate::booking::form_token(&details);
    // As fast as a person fills the form in, no faster.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let booked = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{url}/book/sociaal-restaurant"))
        .form(&[
            ("at", at.to_string().as_str()),
            ("form", form.as_str()),
            ("lang", "nl"),
            ("name", citizen),
            ("email", email),
            ("phone", phone),
            ("language", "nl"),
            ("question", question),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), 303);
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(mails[0]["rcpt_tos"][0], email);

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
    assert!(log.contains("appointment booked"), "{log}");
    assert!(log.contains("mail sent"), "{log}");
    for (what, secret) in [
        ("clerk token", clerk_token.as_str()),
        ("join token", join_token.as_str()),
        ("citizen name", citizen),
        ("citizen's e-mail address", email),
        ("citizen's number", phone),
        ("citizen's question", question),
        ("SMTP password", smtp.password.as_str()),
    ] {
        assert!(!log.contains(secret), "the log file holds the {what}");
        assert!(!console.contains(secret), "stderr holds the {what}");
    }
}
