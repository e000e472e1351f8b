//! The real citizen page in Debian's Chromium (under chromedriver) knocks; the clerk's
//! signaling client sees the knock and admits; the page says so.

use super::*;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Driver(std::process::Child, tempfile::TempDir);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn chromium() -> (fantoccini::Client, Driver) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (package chromium-driver)"),
        profile,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", driver.1.path().display()),
            ],
        }),
    );
    let mut builder = ClientBuilder::rustls().unwrap();
    builder.capabilities(caps);
    let client = builder
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap();
    (client, driver)
}

async fn wait_for_text(client: &fantoccini::Client, css: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains(needle) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never said {needle:?}; it says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_citizen_page_knocks_and_hears_that_it_was_let_in() {
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
    wait_for_text(&client, "#lobby-status", "U bent binnen").await;

    signaling.send(ClerkMessage::End).await;
    wait_for_text(&client, "#lobby-status", "Het gesprek is afgelopen").await;
    let _ = client.close().await;
}
