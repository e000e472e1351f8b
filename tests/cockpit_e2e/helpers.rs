//! Displays, WebKitWebDriver and the cockpit for end-to-end tests.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One cockpit at a time: it is a single-instance app on the shared session D-Bus.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

/// An X display that goes away when dropped.
pub struct Display {
    pub name: String,
    child: Child,
}

impl Drop for Display {
    fn drop(&mut self) {
        // SIGTERM, so the server removes its lock file and socket.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn free_display_number() -> u32 {
    (90..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .expect("a free X display number")
}

fn wait_for_socket(n: u32, child: &mut Child) {
    let socket = format!("/tmp/.X11-unix/X{n}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&socket).exists() {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("X server :{n} exited early: {status}");
        }
        assert!(Instant::now() < deadline, "X server :{n} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Xvfb: one monitor of the given size.
pub fn one_monitor(width: u32, height: u32) -> Display {
    let n = free_display_number();
    let mut child = Command::new("Xvfb")
        .args([
            format!(":{n}"),
            "-screen".into(),
            "0".into(),
            format!("{width}x{height}x24"),
            "-nolisten".into(),
            "tcp".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (package xvfb)");
    wait_for_socket(n, &mut child);
    Display {
        name: format!(":{n}"),
        child,
    }
}

/// Xorg with the dummy driver: two 1920x1080 monitors, DUMMY0 at 0,0 and DUMMY1 right of it.
pub fn two_monitors() -> Display {
    let n = free_display_number();
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/xorg-dummy.conf");
    let log = std::env::temp_dir().join(format!("balie-xorg-{n}.log"));
    let mut child = Command::new("Xorg")
        .arg(format!(":{n}"))
        .arg("-config")
        .arg(&config)
        .args(["-noreset", "-nolisten", "tcp", "-logfile"])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xorg (packages xserver-xorg-core xserver-xorg-video-dummy)");
    wait_for_socket(n, &mut child);
    let display = Display {
        name: format!(":{n}"),
        child,
    };
    // The final query makes the server probe its outputs again; without it the X clients
    // that read the cached RandR configuration (GDK among them) see one monitor only.
    for args in [
        vec!["--addmode", "DUMMY1", "1920x1080"],
        vec![
            "--output",
            "DUMMY1",
            "--mode",
            "1920x1080",
            "--right-of",
            "DUMMY0",
        ],
        vec!["--query"],
    ] {
        let status = Command::new("xrandr")
            .env("DISPLAY", &display.name)
            .args(&args)
            .stdout(Stdio::null())
            .status()
            .expect("xrandr (package x11-xserver-utils)");
        assert!(status.success(), "xrandr {args:?}");
    }
    display
}

/// A running cockpit under WebKitWebDriver.
pub struct Cockpit {
    pub client: Client,
    driver: Child,
}

impl Cockpit {
    /// Starts the cockpit on `display` with its data in `data_dir`.
    pub async fn start(display: &Display, data_dir: &Path) -> Cockpit {
        Self::start_with(display, data_dir, &[]).await
    }

    /// As [`Cockpit::start`], with more environment for the cockpit.
    pub async fn start_with(display: &Display, data_dir: &Path, env: &[(&str, &str)]) -> Cockpit {
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
            serde_json::json!({ "binary": env!("CARGO_BIN_EXE_balie-cockpit"), "args": [] }),
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
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {css}: {predicate}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

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

#[derive(Debug, Clone, Copy)]
pub struct Rect {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
}

impl Rect {
    pub fn within(&self, x: i64, y: i64, width: i64, height: i64) -> bool {
        self.x >= x
            && self.y >= y
            && self.x + self.width <= x + width
            && self.y + self.height <= y + height
    }

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

/// Processes whose parent is `parent` (from /proc).
fn children_of(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) {
            children.push(pid);
        }
    }
    children
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            !stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// Chooses "paid" on the sandbox checkout page at `url`, as the payer would.
pub async fn pay_on_sandbox(url: &str) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .form(&[("outcome", "paid")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "{url}");
}
