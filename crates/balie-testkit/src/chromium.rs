//! Debian's Chromium as the citizen's browser, under chromedriver.

use crate::procfs;
use fantoccini::{ClientBuilder, Locator};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Chromium as a phone with a camera and a microphone that the citizen allows.
pub const FAKE_MEDIA: &[&str] = &[
    "--use-fake-device-for-media-stream=fps=30",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
];

/// The chromedriver process (and the browser profile); dropping it stops both.
pub struct Driver(std::process::Child, tempfile::TempDir);

impl Driver {
    /// The chromedriver's process id: the root of the browser's process tree.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The browser's processes first: killed, chromedriver leaves them running (a
        // failed test would otherwise leave a Chromium eating CPU under the next tests).
        let browser: Vec<String> = procfs::tree(self.0.id())
            .into_iter()
            .skip(1)
            .map(|pid| pid.to_string())
            .collect();
        if !browser.is_empty() {
            let _ = Command::new("kill")
                .arg("-KILL")
                .args(&browser)
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Debian's Chromium, headless, under chromedriver, with `extra` flags.
pub async fn chromium_with(extra: &[&str]) -> (fantoccini::Client, Driver) {
    start(None, DEBIAN_CHROMIUM, extra).await
}

/// Debian's Chromium as [`chromium_with`] starts it, but run from a copy of its directory
/// in `dir`: it then shares none of Chromium's own pages with another Chromium on the
/// machine (the system libraries stay shared), so that a benchmark measuring that other
/// one's memory (PSS) does not see its share fall by this one's presence.
pub async fn chromium_copy_with(
    dir: &std::path::Path,
    extra: &[&str],
) -> (fantoccini::Client, Driver) {
    let copy = dir.join("chromium");
    let status = Command::new("cp")
        .args(["-a", "/usr/lib/chromium"])
        .arg(&copy)
        .status()
        .expect("cp");
    assert!(status.success(), "copying /usr/lib/chromium failed");
    start(None, &copy.join("chromium").to_string_lossy(), extra).await
}

/// Where Debian's package starts Chromium (a script that runs /usr/lib/chromium/chromium).
const DEBIAN_CHROMIUM: &str = "/usr/bin/chromium";

/// Debian's Chromium in a real window on `display` (as a clerk would run it), under
/// chromedriver, with `extra` flags.
pub async fn chromium_on(
    display: &crate::display::Display,
    extra: &[&str],
) -> (fantoccini::Client, Driver) {
    start(Some(&display.name), DEBIAN_CHROMIUM, extra).await
}

async fn start(
    display: Option<&str>,
    binary: &str,
    extra: &[&str],
) -> (fantoccini::Client, Driver) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .envs(display.map(|d| ("DISPLAY", d)))
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
    let args: Vec<String> = display
        .is_none()
        .then_some("--headless")
        .iter()
        .chain(&[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .chain(extra)
        .map(|a| a.to_string())
        .chain([format!("--user-data-dir={}", driver.1.path().display())])
        .collect();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": binary,
            "args": args,
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

/// Waits (up to 10 s) for a tab other than `from` (one a link opened) and switches to it.
pub async fn switch_to_new_tab(client: &fantoccini::Client, from: &fantoccini::wd::WindowHandle) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let tab = loop {
        if let Some(tab) = client
            .windows()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t != from)
        {
            break tab;
        }
        assert!(std::time::Instant::now() < deadline, "no new tab opened");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    client.switch_to_window(tab).await.unwrap();
}

/// Clicks the element `css` of the page.
pub async fn click(client: &fantoccini::Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits up to 20 s until the text of `css` contains `needle`. While the page loads (a
/// reload, a new page) the element may be missing for a moment: that is waited out too.
pub async fn wait_for_text(client: &fantoccini::Client, css: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if text.as_ref().is_ok_and(|t| t.contains(needle)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never said {needle:?}; it says {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits up to 20 s until the `textContent` of `css` contains `needle`: for what is
/// written for screen readers only (a live region that is visually hidden), which the
/// WebDriver's visible text leaves out.
pub async fn wait_for_content(client: &fantoccini::Client, css: &str, needle: &str) {
    let script = format!("return document.querySelector({css:?})?.textContent ?? null;");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = client.execute(&script, vec![]).await.unwrap();
        if text.as_str().is_some_and(|t| t.contains(needle)) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never held {needle:?}; it holds {text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs axe-core (from the project's npm packages) on the open page with the WCAG 2.1 A and
/// AA rules; returns the violations as text, empty when there are none.
pub async fn axe_violations(client: &fantoccini::Client) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("node_modules/axe-core/axe.min.js").exists())
        .expect("axe-core is installed by `npm ci` (scripts/test.sh)")
        .to_path_buf();
    let axe = std::fs::read_to_string(root.join("node_modules/axe-core/axe.min.js")).unwrap();
    client.execute(&axe, vec![]).await.unwrap();
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
                  .then(r => done(r.violations.map(v => v.id + ": " + v.help + " (" + v.nodes.length + ")")))
                  .catch(e => done(["axe failed: " + e]));"#,
            vec![],
        )
        .await
        .unwrap();
    result
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_else(|| format!("unexpected axe result {result}"))
}
