//! The real cockpit under WebKitWebDriver, for end-to-end tests and benchmarks. The
//! cockpit's binary is passed in (`env!("CARGO_BIN_EXE_balie-cockpit")` of the caller: only
//! the root package's tests and benches know its path).

use crate::display::Display;
use crate::procfs::{alive, children_of};
use crate::screen::Screen;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One cockpit at a time: it is a single-instance app on the shared session D-Bus.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Waits until no other test of this binary runs a cockpit.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

/// A running cockpit under WebKitWebDriver.
pub struct Cockpit {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
}

impl Cockpit {
    /// Starts the cockpit `binary` on `display` with its data in `data_dir`.
    pub async fn start(binary: &str, display: &Display, data_dir: &Path) -> Cockpit {
        Self::start_with(binary, display, data_dir, &[]).await
    }

    /// As [`Cockpit::start`], with more environment for the cockpit.
    pub async fn start_with(
        binary: &str,
        display: &Display,
        data_dir: &Path,
        env: &[(&str, &str)],
    ) -> Cockpit {
        let port = free_port();
        let driver = Command::new("WebKitWebDriver")
            .envs(env.iter().copied())
            .arg(format!("--port={port}"))
            .env("DISPLAY", &display.name)
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("BALIE_DATA_DIR", data_dir)
            .env(
                "BALIE_KEYRING_SERVICE",
                format!("be.balie.e2e.{}", std::process::id()),
            )
            .env("BALIE_LANG", "nl")
            .env("GDK_BACKEND", "x11")
            // No GPU under Xvfb: WebKit's DMA-BUF renderer then costs most of the drawing
            // time (measured: ~4 instead of ~13 pictures a second in a debug build).
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("WebKitWebDriver (package webkit2gtk-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "WebKitWebDriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "webkitgtk:browserOptions".into(),
            serde_json::json!({ "binary": binary, "args": [] }),
        );
        let mut builder = ClientBuilder::rustls().expect("tls for the webdriver client");
        builder.capabilities(caps);
        let connect = builder.connect(&url);
        let client = tokio::time::timeout(Duration::from_secs(60), connect)
            .await
            .expect("the WebDriver session started within a minute")
            .expect("a WebDriver session with the cockpit");
        Cockpit { client, driver }
    }

    /// Switches to the window whose body says `data-window="label"`, waiting for both
    /// windows to exist.
    pub async fn window(&self, label: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for handle in self.client.windows().await.unwrap() {
                self.client.switch_to_window(handle).await.unwrap();
                let found = self
                    .client
                    .execute(
                        "return document.body ? document.body.dataset.window : null",
                        vec![],
                    )
                    .await
                    .unwrap();
                if found.as_str() == Some(label) {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "no window {label}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The window's rectangle (x, y, width, height) on the virtual desktop.
    pub async fn rect(&self, label: &str) -> Rect {
        self.window(label).await;
        let (x, y, width, height) = self.client.get_window_rect().await.unwrap();
        Rect {
            x: x as i64,
            y: y as i64,
            width: width as i64,
            height: height as i64,
        }
    }

    /// What the screen of `display` shows at the content box of the element `css` of the
    /// current window, read back from the X server (so pictures drawn natively over the web
    /// view count, and anything covering them too).
    pub async fn on_screen(&self, display: &Display, css: &str) -> Screen {
        let (wx, wy, _, _) = self.client.get_window_rect().await.unwrap();
        let script = format!(
            "const el = document.querySelector({css:?}); const b = el.getBoundingClientRect();
             return [b.left + el.clientLeft, b.top + el.clientTop, el.clientWidth, el.clientHeight,
                     window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];"
        );
        let v = self.value(&script).await;
        let n = |i: usize| v[i].as_f64().unwrap_or(0.0).round() as i64;
        // The web view sits at the bottom right of the window (a menu bar above it).
        let (x, y) = (wx as i64 + n(4) + n(0), wy as i64 + n(5) + n(1));
        Screen::grab(&display.name, x, y, n(2).max(1), n(3).max(1))
    }

    /// Saves what the screen of `display` shows of the current window as `name.png` in the
    /// screenshot folder ([`crate::seen::screenshot_dir`]); its path. Unlike
    /// [`crate::seen::screenshot`] (WebDriver's, the page only), this holds what is drawn
    /// over the page: the call's native pictures.
    pub async fn screen_shot(&self, display: &Display, name: &str) -> std::path::PathBuf {
        // Let the page settle (a resize or a click just before) and the pictures move on.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (x, y, width, height) = self.client.get_window_rect().await.unwrap();
        let dir = crate::seen::screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        Screen::grab(
            &display.name,
            x as i64,
            y as i64,
            width as i64,
            height as i64,
        )
        .save_png(&path);
        path
    }

    /// Waits until the element matched by `css` satisfies the JavaScript predicate on `el`.
    pub async fn wait_until(&self, css: &str, predicate: &str) -> serde_json::Value {
        let script = format!(
            "const el = document.querySelector({css:?}); if (!el) return null; return ({predicate}) ? true : null;"
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let value = self.client.execute(&script, vec![]).await.unwrap();
            if !value.is_null() {
                return value;
            }
            if Instant::now() >= deadline {
                // What the window says went wrong, if anything: the test's failure should
                // say more than "not there".
                let alerts = self
                    .client
                    .execute(
                        "return [...document.querySelectorAll('[role=alert]')].filter(e => !e.hidden && e.textContent.trim()).map(e => e.id + ': ' + e.textContent.trim()).join(' | ');",
                        vec![],
                    )
                    .await
                    .unwrap_or_default();
                panic!("timed out waiting for {css}: {predicate}; the window's alerts: {alerts}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matched by `css`.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// What `script` returns in the current window.
    pub async fn value(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// *Nieuw gesprek* in the call window; the citizen's join link.
    pub async fn new_conversation(&self) -> String {
        self.window("gesprek").await;
        self.click("#new-conversation").await;
        self.wait_until("#join-url", "el.value.length > 0").await;
        let url = self
            .value("return document.querySelector('#join-url').value")
            .await;
        url.as_str().unwrap().to_string()
    }

    /// Asks a sandbox payment in the call window's panel and waits until it is open.
    pub async fn request_sandbox_payment(&self, amount: &str, description: &str) {
        self.window("gesprek").await;
        self.wait_until(
            "#pay-provider",
            "[...el.options].some(o => o.value === 'sandbox')",
        )
        .await;
        self.value(&format!(
            "document.querySelector('#pay-amount').value = {amount:?};
             document.querySelector('#pay-description').value = {description:?};
             document.querySelector('#pay-provider').value = 'sandbox';
             return true;"
        ))
        .await;
        self.click("#pay-request").await;
        self.wait_until(
            "#pay-list",
            "el.querySelector('.payment[data-status=\"open\"] input')",
        )
        .await;
    }

    /// Kills the cockpit with SIGKILL, as a crash or a power cut would: nothing of it runs
    /// any shutdown code.
    pub async fn kill(mut self) {
        let apps = children_of(self.driver.id());
        assert!(!apps.is_empty(), "no cockpit process under the driver");
        for pid in &apps {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while apps.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// Ends the session and makes sure the cockpit process is gone, so the next start is
    /// not handed to it by the single-instance check.
    pub async fn stop(mut self) {
        let apps = children_of(self.driver.id());
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while apps.iter().any(|pid| alive(*pid)) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for pid in apps.iter().filter(|pid| alive(**pid)) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A window's rectangle on the virtual desktop.
#[derive(Debug, Clone, Copy)]
pub struct Rect {
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
}

impl Rect {
    /// Whether it lies inside the rectangle `x, y, width, height`.
    pub fn within(&self, x: i64, y: i64, width: i64, height: i64) -> bool {
        self.x >= x
            && self.y >= y
            && self.x + self.width <= x + width
            && self.y + self.height <= y + height
    }

    /// Whether it overlaps `other`.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The cockpit's log lines about window placement, for assertion messages.
pub fn placement_log(data_dir: &Path) -> String {
    let mut lines = String::new();
    if let Ok(entries) = std::fs::read_dir(data_dir.join("logs")) {
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for line in text.lines().filter(|l| l.contains("placing windows")) {
                lines.push_str(line);
                lines.push('\n');
            }
        }
    }
    lines
}
