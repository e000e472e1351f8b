//! The call benchmark, run by `benches/call.sh`: the whole cockpit against a Chromium tab
//! doing the clerk's side of the same call, like for like. Every figure is printed beside
//! its peer's from the same run.
//!
//! The same on every side:
//! - **input**: one clip (640x480 at 30 frames/s, made here) is the clerk's camera: the
//!   cockpit reads it through a GStreamer source (`camera` = `gst:multifilesrc … !
//!   rawvideoparse`), the Chromium tab through `--use-file-for-fake-video-capture`; the
//!   citizen (one headless Chromium for all runs) sends the same clip; it runs from its
//!   own copy of Chromium's directory, so the Chromium tab shares none of Chromium's pages
//!   with it and its PSS is what it would be alone (system libraries are shared alike by
//!   every side);
//! - **window**: each clerk runs alone on its own Xvfb (1600x900), in a 1280x860 window
//!   showing the citizen large and itself small and mirrored (benches/chromium-clerk.html
//!   copies the cockpit's layout, its stage as wide as the cockpit's);
//! - **scope**: CPU is utime+stime of the clerk's whole process tree (the cockpit with its
//!   WebKit processes; Chromium with all of its processes; neither WebDriver server
//!   counted) and, beside it, of its X
//!   server; memory is the PSS of the tree (`/proc/<pid>/smaps_rollup`);
//! - **timing points**: set-up runs from the clerk's admit (the cockpit: the click's
//!   script, in the page; the tab: the bench sending the admit) to the first remote picture
//!   *on the screen*, read back from the clerk's X server by the same code for every side
//!   (the colour of the clip's face at the centre of the remote picture, read every 2 ms),
//!   all on the machine's one wall clock; median of N calls. Beside it, what each window
//!   reports of its own paint (the cockpit: the end of the GTK frame that painted it, or
//!   the page's next animation frame on the WebGL way; the tab:
//!   `requestVideoFrameCallback`), whose points differ per side;
//! - **rates**: what the clerk sends is read from the citizen's own statistics
//!   (`inbound-rtp`: resolution, frames per second), the same code for every side; what the
//!   clerk shows is counted where it is painted (the cockpit's `data-frames`, the tab's
//!   `requestVideoFrameCallback`s).
//!
//! Sides: the cockpit drawing natively (the default), the cockpit drawing with WebGL
//! (`BALIE_VIDEO=webgl`, the fallback), and the Chromium tab.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_protocol::signaling::{ClerkMessage, RelayToClerk, SIGNALING_VERSION, Signal};
use balie_testkit::chromium;
use balie_testkit::cockpit::Cockpit;
use balie_testkit::display::{Display, one_monitor};
use balie_testkit::procfs::{cpu_seconds, tree};
use balie_testkit::screen::Reader;
use futures_util::{SinkExt as _, StreamExt as _};
use secrecy::ExposeSecret as _;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const WIDTH: usize = 640;
const HEIGHT: usize = 480;
const FPS: usize = 30;
/// The clip's length: it loops.
const CLIP_FRAMES: usize = 150;
/// Every clerk's window.
const WINDOW: (u32, u32) = (1280, 860);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn median(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}

// ---- The clip ---------------------------------------------------------------------------

/// The camera clip, as single I420 frames (for GStreamer) and as one `.y4m` (for Chromium).
struct Clip {
    dir: tempfile::TempDir,
}

impl Clip {
    /// A clip with what makes a camera picture cost something to encode: a textured
    /// background that drifts, a large lit disc (a head) that moves, fine noise.
    fn make() -> Clip {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut y4m =
            std::io::BufWriter::new(std::fs::File::create(dir.path().join("clip.y4m")).unwrap());
        writeln!(
            y4m,
            "YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg"
        )
        .unwrap();
        let mut noise: u32 = 0x9E37_79B9;
        for n in 0..CLIP_FRAMES {
            let mut frame = vec![0u8; WIDTH * HEIGHT * 3 / 2];
            let t = n as f64 / CLIP_FRAMES as f64 * std::f64::consts::TAU;
            let (cx, cy) = (320.0 + 90.0 * t.cos(), 250.0 + 40.0 * (2.0 * t).sin());
            let (luma, chroma) = frame.split_at_mut(WIDTH * HEIGHT);
            for y in 0..HEIGHT {
                for x in 0..WIDTH {
                    noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let grain = (noise >> 29) as f64 - 3.5;
                    let wall = 90.0 + 30.0 * (((x + n) / 24 + y / 24) % 2) as f64;
                    let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
                    let value = if d < 110.0 { 170.0 - d * 0.4 } else { wall };
                    luma[y * WIDTH + x] = (value + grain).clamp(16.0, 235.0) as u8;
                }
            }
            let (u, v) = chroma.split_at_mut(WIDTH * HEIGHT / 4);
            for y in 0..HEIGHT / 2 {
                for x in 0..WIDTH / 2 {
                    let d = ((2 * x) as f64 - cx).hypot((2 * y) as f64 - cy);
                    let skin = d < 110.0;
                    u[y * WIDTH / 2 + x] = if skin { 110 } else { 128 + (x / 40) as u8 };
                    v[y * WIDTH / 2 + x] = if skin { 150 } else { 120 + (y / 40) as u8 };
                }
            }
            std::fs::write(dir.path().join(format!("f{n:03}.yuv")), &frame).unwrap();
            y4m.write_all(b"FRAME\n").unwrap();
            y4m.write_all(&frame).unwrap();
        }
        y4m.flush().unwrap();
        Clip { dir }
    }

    fn y4m(&self) -> PathBuf {
        self.dir.path().join("clip.y4m")
    }

    /// The cockpit's camera: the frames in a loop, at the clip's rate in real time.
    fn gstreamer_source(&self) -> String {
        format!(
            "gst:multifilesrc location={}/f%03d.yuv index=0 stop-index={} loop=true ! \
             rawvideoparse width={WIDTH} height={HEIGHT} format=i420 framerate={FPS}/1 ! clocksync",
            self.dir.path().display(),
            CLIP_FRAMES - 1
        )
    }

    /// Chromium's flags for the clip as its camera (and its fake microphone).
    fn chromium_flags(&self) -> Vec<String> {
        vec![
            "--use-fake-device-for-media-stream".into(),
            format!("--use-file-for-fake-video-capture={}", self.y4m().display()),
            "--use-fake-ui-for-media-stream".into(),
            "--autoplay-policy=no-user-gesture-required".into(),
            "--allow-loopback-in-peer-connection".into(),
        ]
    }
}

// ---- Processes ----------------------------------------------------------------------

/// CPU seconds of the tree under `root` and of the X server `x`, over `seconds`.
async fn cpu_over(root: u32, x: u32, seconds: u64) -> (f64, f64) {
    let (pids, before_x) = (tree(root), cpu_seconds(&[x]));
    let before = cpu_seconds(&pids);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    // Processes that came in between are counted from zero: only ever more.
    let after = cpu_seconds(&tree(root));
    (after - before, cpu_seconds(&[x]) - before_x)
}

/// Proportional set size of the tree under `root`, MiB.
fn pss_mib(root: u32) -> f64 {
    let kib: u64 = tree(root)
        .iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum();
    kib as f64 / 1024.0
}

/// The process named `name` (its `comm`); its WebKit processes are its children.
fn find_process(name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (comm.trim() == name).then_some(pid)
    })
}

// ---- Relay and citizen ----------------------------------------------------------------

struct Relay {
    url: String,
    token: String,
    _dir: tempfile::TempDir,
}

/// The keyring service the cockpits under test use (see balie_testkit::cockpit).
fn keyring_service() -> String {
    format!("be.balie.e2e.{}", std::process::id())
}

/// The municipality's relay for every side; the cockpit's token in the keyring.
async fn relay() -> Relay {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let config = balie_relay::RelayConfig::loopback(dir.path().to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "bench")
            .unwrap()
            .secret()
            .expose_secret()
            .to_string()
    };
    balie_secrets::SecretStore::new(keyring_service())
        .set(
            balie_secrets::SecretName::RelayClerkToken,
            &token.clone().into(),
        )
        .unwrap();
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_string();
    tokio::spawn(relay.serve(std::future::pending()));
    Relay {
        url,
        token,
        _dir: dir,
    }
}

async fn room(relay: &Relay) -> balie_protocol::CreateRoomResponse {
    reqwest::Client::new()
        .post(format!("{}/api/rooms", relay.url))
        .bearer_auth(&relay.token)
        .json(&balie_protocol::CreateRoomRequest::default())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The citizen opens the link and knocks; the page's peer connections are kept where the
/// bench can read their statistics.
async fn citizen_knocks(citizen: &fantoccini::Client, join_url: &str) {
    citizen.goto(join_url).await.unwrap();
    citizen
        .execute(
            "window.peers = [];
             const Original = window.RTCPeerConnection;
             window.RTCPeerConnection = function (...args) { const pc = new Original(...args); window.peers.push(pc); return pc; };
             window.RTCPeerConnection.prototype = Original.prototype;
             return true;",
            vec![],
        )
        .await
        .unwrap();
    chromium::click(citizen, "#knock").await;
}

/// What the citizen receives from the clerk: width, height, frames per second (the
/// driver waits for the promise the script returns).
async fn citizen_receives(citizen: &fantoccini::Client) -> (u64, u64, f64) {
    let v = citizen
        .execute(
            "const pc = window.peers[window.peers.length - 1];
             return pc.getStats().then((stats) => {
               for (const r of stats.values())
                 if (r.type === 'inbound-rtp' && r.kind === 'video')
                   return [r.frameWidth ?? 0, r.frameHeight ?? 0, r.framesPerSecond ?? 0];
               return [0, 0, 0];
             });",
            vec![],
        )
        .await
        .unwrap();
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_u64().unwrap_or(0),
        v[2].as_f64().unwrap_or(0.0),
    )
}

async fn wait_until_true(page: &fantoccini::Client, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while page.execute(script, vec![]).await.unwrap().as_bool() != Some(true) {
        assert!(Instant::now() < deadline, "never true: {script}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A number a page script returns, once it returns one.
async fn wait_for_number(page: &fantoccini::Client, script: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = page.execute(script, vec![]).await.unwrap();
        if let Some(n) = v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        {
            return n;
        }
        assert!(Instant::now() < deadline, "never a number: {script}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// When the citizen's first picture is on the clerk's screen, read back from its X server:
/// 8x8 pixels at the centre of the element `css` (the remote picture) every 2 ms, until
/// they have the colour of the clip's face (the face disc always covers the clip's centre;
/// the window's empty picture area and the clip's wall are grey). The element's place is
/// asked again every 100 ms (the window lays itself out for the call meanwhile). The
/// same code for every side; it sees a picture up to ~2 ms (one read) plus a place
/// question (a few ms) late.
async fn first_on_screen(page: &fantoccini::Client, display: &Display, css: &str) -> u64 {
    let reader = Reader::new(&display.name);
    let (wx, wy, _, _) = page.get_window_rect().await.unwrap();
    let locate = format!(
        "const el = document.querySelector({css:?});
         if (!el || el.offsetParent === null) return null;
         const b = el.getBoundingClientRect();
         if (b.width < 50 || b.height < 50) return null;
         return [window.outerWidth - window.innerWidth + b.left + b.width / 2,
                 window.outerHeight - window.innerHeight + b.top + b.height / 2];"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut centre: Option<(i64, i64)> = None;
    let mut asked: Option<Instant> = None;
    loop {
        if asked.is_none_or(|at| at.elapsed() >= Duration::from_millis(100)) {
            let v = page.execute(&locate, vec![]).await.unwrap();
            centre = v.as_array().map(|a| {
                let n = |i: usize| a[i].as_f64().unwrap_or(0.0).round() as i64;
                (wx as i64 + n(0), wy as i64 + n(1))
            });
            asked = Some(Instant::now());
        }
        if let Some((x, y)) = centre {
            let (r, _, b) = reader.grab(x - 4, y - 4, 8, 8).mean();
            if r > 120.0 && r - b > 40.0 {
                return now_ms();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the citizen's picture never reached the screen"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

// ---- Figures ----------------------------------------------------------------------------

/// What one clerk did.
#[derive(Default)]
struct Figures {
    /// Admit → the citizen's first picture read back from the screen.
    set_up_ms: Vec<u64>,
    /// Admit → the first picture as the clerk's window reports its paint.
    reported_ms: Vec<u64>,
    /// CPU-s of the clerk's tree and of its X server over the measured span.
    cpu: (f64, f64),
    idle_pss: f64,
    call_pss: f64,
    /// Pictures painted per second: the citizen's, the clerk's own.
    painted_fps: (f64, f64),
    /// What the citizen received from this clerk: width, height, frames/s.
    sent: (u64, u64, f64),
    /// The width of the call window's picture area, CSS pixels.
    stage_width: u64,
}

// ---- The cockpit --------------------------------------------------------------------------

async fn cockpit_side(
    citizen: &fantoccini::Client,
    relay: &Relay,
    clip: &Clip,
    web_video: bool,
    calls: usize,
    seconds: u64,
) -> Figures {
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let mut env = vec![("BALIE_RELAY_URL", relay.url.as_str())];
    if web_video {
        env.push(("BALIE_VIDEO", "webgl"));
    }
    let cockpit = Cockpit::start_with(
        env!("CARGO_BIN_EXE_balie-cockpit"),
        &display,
        data.path(),
        &env,
    )
    .await;
    cockpit.window("gesprek").await;
    cockpit
        .client
        .set_window_rect(0, 0, WINDOW.0, WINDOW.1)
        .await
        .unwrap();
    // The clip as the camera (a GStreamer source is a camera name), no other devices.
    let source = clip.gstreamer_source();
    cockpit
        .value(&format!(
            "window.__TAURI_INTERNALS__.invoke('choose_devices', {{ choice: {{ camera: {source:?}, microphone: null, speaker: null }} }}); return true;"
        ))
        .await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let root = find_process("balie-cockpit").expect("the cockpit process");
    let mut figures = Figures {
        idle_pss: pss_mib(root),
        ..Figures::default()
    };
    for i in 0..calls {
        // The last call's link stays in the field until the new one comes: not that one.
        cockpit
            .value("document.querySelector('#join-url').value = ''; return true;")
            .await;
        let join_url = cockpit.new_conversation().await;
        citizen_knocks(citizen, &join_url).await;
        cockpit.wait_until("#knock", "!el.hidden").await;
        let admit_at = cockpit
            .value("const at = Date.now(); document.querySelector('#admit').click(); return at;")
            .await
            .as_u64()
            .unwrap();
        let seen = first_on_screen(&cockpit.client, &display, "#remote-video").await;
        let first = wait_for_number(
            &cockpit.client,
            "const v = document.querySelector('#remote-video').dataset.firstPaintAt; return v ? Number(v) : null;",
        )
        .await;
        figures.set_up_ms.push(seen.saturating_sub(admit_at));
        figures.reported_ms.push(first.saturating_sub(admit_at));
        eprintln!(
            "  cockpit ({}) call {}: on the screen {} ms, reported {} ms",
            if web_video { "WebGL" } else { "native" },
            i + 1,
            seen.saturating_sub(admit_at),
            first.saturating_sub(admit_at)
        );
        if i + 1 < calls {
            cockpit.click("#hangup").await;
            cockpit.wait_until("#call", "el.hidden").await;
        }
    }
    // The last call goes on: measured after it settled.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let drawn = "return [document.querySelector('#remote-video').dataset.frames, document.querySelector('#self-video').dataset.frames].map(Number)";
    let before = cockpit.value(drawn).await;
    figures.cpu = cpu_over(root, display.pid(), seconds).await;
    let after = cockpit.value(drawn).await;
    let rate = |i: usize| {
        (after[i].as_f64().unwrap_or(0.0) - before[i].as_f64().unwrap_or(0.0)) / seconds as f64
    };
    figures.painted_fps = (rate(0), rate(1));
    figures.sent = citizen_receives(citizen).await;
    figures.call_pss = pss_mib(root);
    figures.stage_width = cockpit
        .value("return Math.round(document.querySelector('.stage').getBoundingClientRect().width)")
        .await
        .as_u64()
        .unwrap_or(0);
    cockpit.click("#hangup").await;
    cockpit.stop().await;
    figures
}

// ---- The Chromium tab as clerk ----------------------------------------------------------

/// Serves the Chromium clerk page and hands each of its bridge sockets to the benchmark.
async fn clerk_page_server() -> (String, mpsc::Receiver<axum::extract::ws::WebSocket>) {
    use axum::extract::ws::WebSocketUpgrade;
    let (sockets_tx, sockets) = mpsc::channel(4);
    let app = axum::Router::new()
        .route(
            "/clerk",
            axum::routing::get(|| async {
                axum::response::Html(include_str!("chromium-clerk.html"))
            }),
        )
        .route(
            "/bridge",
            axum::routing::get(move |ws: WebSocketUpgrade| {
                let sockets_tx = sockets_tx.clone();
                async move {
                    ws.on_upgrade(move |socket| async move {
                        let _ = sockets_tx.send(socket).await;
                    })
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, sockets)
}

/// Carries the tab's signaling to the relay; returns the admit time and a sender that
/// ends the call.
async fn chromium_call(
    relay: &Relay,
    mut page: axum::extract::ws::WebSocket,
    citizen: &fantoccini::Client,
) -> (u64, mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    use axum::extract::ws::Message as PageMessage;
    let room = room(relay).await;
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "{}/ws/clerk/{}",
            relay.url.replacen("http", "ws", 1),
            room.room_id
        ))
        .unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {}", relay.token).parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let hello = ClerkMessage::Hello {
        version: SIGNALING_VERSION,
    };
    ws.send(Message::text(serde_json::to_string(&hello).unwrap()))
        .await
        .unwrap();
    let (admitted_tx, mut admitted) = mpsc::channel(1);
    let (stop_tx, mut stop) = mpsc::channel::<()>(1);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                frame = ws.next() => {
                    let Some(Ok(Message::Text(text))) = frame else { return };
                    match serde_json::from_str::<RelayToClerk>(&text) {
                        Ok(RelayToClerk::Knock { knock_id, .. }) => {
                            let at = now_ms();
                            let admit = ClerkMessage::Admit { knock_id };
                            let _ = ws.send(Message::text(serde_json::to_string(&admit).unwrap())).await;
                            let _ = admitted_tx.send(at).await;
                        }
                        Ok(RelayToClerk::Signal { signal }) => {
                            let _ = page.send(PageMessage::Text(serde_json::to_string(&signal).unwrap().into())).await;
                        }
                        _ => {}
                    }
                }
                frame = page.recv() => {
                    let Some(Ok(PageMessage::Text(text))) = frame else { continue };
                    if let Ok(signal) = serde_json::from_str::<Signal>(&text) {
                        let message = ClerkMessage::Signal { signal };
                        let _ = ws.send(Message::text(serde_json::to_string(&message).unwrap())).await;
                    }
                }
                _ = stop.recv() => {
                    let _ = ws.send(Message::text(serde_json::to_string(&ClerkMessage::End).unwrap())).await;
                    let _ = ws.close(None).await;
                    return;
                }
            }
        }
    });
    citizen_knocks(citizen, &room.join_url).await;
    let admit_at = admitted.recv().await.unwrap();
    (admit_at, stop_tx, task)
}

async fn chromium_side(
    citizen: &fantoccini::Client,
    relay: &Relay,
    clip: &Clip,
    stage_width: u64,
    calls: usize,
    seconds: u64,
) -> Figures {
    let display = one_monitor(1600, 900);
    let mut flags = clip.chromium_flags();
    flags.push(format!("--window-size={},{}", WINDOW.0, WINDOW.1));
    flags.push("--window-position=0,0".into());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let (page, driver) = chromium::chromium_on(&display, &flags).await;
    let (page_url, mut bridges) = clerk_page_server().await;
    let clerk_url = format!("{page_url}/clerk?stage={stage_width}");
    page.goto(&clerk_url).await.unwrap();
    wait_until_true(&page, "return window.clerkReady === true").await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    // Chromium's own tree, as the cockpit's is its own: chromedriver is left out, as
    // WebKitWebDriver is on the cockpit's side.
    let browser = balie_testkit::procfs::children_of(driver.pid())
        .into_iter()
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "chromium")
        })
        .expect("Chromium under chromedriver");
    let mut figures = Figures {
        idle_pss: pss_mib(browser),
        ..Figures::default()
    };
    let mut running = None;
    for i in 0..calls {
        if i > 0 {
            // A fresh page for each call, as the cockpit starts each call anew.
            page.goto(&clerk_url).await.unwrap();
            wait_until_true(&page, "return window.clerkReady === true").await;
        }
        let bridge = bridges.recv().await.unwrap();
        let (admit_at, stop, task) = chromium_call(relay, bridge, citizen).await;
        let seen = first_on_screen(&page, &display, "#remote").await;
        let first = wait_for_number(&page, "return window.firstFrameAt").await;
        figures.set_up_ms.push(seen.saturating_sub(admit_at));
        figures.reported_ms.push(first.saturating_sub(admit_at));
        eprintln!(
            "  Chromium tab call {}: on the screen {} ms, reported {} ms",
            i + 1,
            seen.saturating_sub(admit_at),
            first.saturating_sub(admit_at)
        );
        if i + 1 < calls {
            let _ = stop.send(()).await;
            let _ = task.await;
        } else {
            running = Some((stop, task));
        }
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let presented = "return [window.presented.remote, window.presented.self]";
    let before = page.execute(presented, vec![]).await.unwrap();
    figures.cpu = cpu_over(browser, display.pid(), seconds).await;
    let after = page.execute(presented, vec![]).await.unwrap();
    let rate = |i: usize| {
        (after[i].as_f64().unwrap_or(0.0) - before[i].as_f64().unwrap_or(0.0)) / seconds as f64
    };
    figures.painted_fps = (rate(0), rate(1));
    figures.sent = citizen_receives(citizen).await;
    figures.call_pss = pss_mib(browser);
    if let Some((stop, task)) = running {
        let _ = stop.send(()).await;
        let _ = task.await;
    }
    let _ = page.close().await;
    drop(driver);
    figures
}

// ---- Main -------------------------------------------------------------------------------

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls = env_number("BALIE_BENCH_CALLS", 5).max(1) as usize;
    let seconds = env_number("BALIE_BENCH_SECONDS", 60).max(5);
    let clip = Clip::make();
    let relay = relay().await;
    let flags = clip.chromium_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    // The citizen's Chromium from its own copy: the tab's memory is then its own, not
    // lowered by pages it shares with the citizen's Chromium.
    let citizen_dir = tempfile::tempdir().unwrap();
    let (citizen, citizen_driver) = chromium::chromium_copy_with(citizen_dir.path(), &flags).await;

    let native = cockpit_side(&citizen, &relay, &clip, false, calls, seconds).await;
    let webgl = cockpit_side(&citizen, &relay, &clip, true, calls, seconds).await;
    let tab = chromium_side(&citizen, &relay, &clip, native.stage_width, calls, seconds).await;
    let _ = citizen.close().await;
    drop(citizen_driver);
    let _ = balie_secrets::SecretStore::new(keyring_service())
        .delete(balie_secrets::SecretName::RelayClerkToken);
    report(
        &[
            ("Balie cockpit, native pictures", &native),
            ("Balie cockpit, WebGL (fallback)", &webgl),
            ("Chromium tab as clerk", &tab),
        ],
        calls,
        seconds,
    );
}

fn report(sides: &[(&str, &Figures)], calls: usize, seconds: u64) {
    let per_minute = |cpu: f64| cpu * 60.0 / seconds as f64;
    println!();
    println!(
        "Conditions: clip {WIDTH}x{HEIGHT}@{FPS} (the same camera on every side), window {}x{} on its own Xvfb 1600x900, {} cores, {calls} calls, {seconds} s measured",
        WINDOW.0,
        WINDOW.1,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>14} {:>12}",
        "clerk",
        "set-up",
        "reported",
        "CPU tree",
        "CPU X",
        "CPU sum",
        "PSS idle",
        "PSS call",
        "sent (citizen)",
        "painted/s"
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>14} {:>12}",
        "",
        "ms, med.",
        "ms, med.",
        "s/min",
        "s/min",
        "s/min",
        "MiB",
        "MiB",
        "WxH@fps",
        "them / self"
    );
    for (name, f) in sides {
        println!(
            "{:<34} {:>9} {:>9} {:>9.1} {:>9.1} {:>9.1} {:>10.1} {:>10.1} {:>14} {:>12}",
            name,
            median(&f.set_up_ms),
            median(&f.reported_ms),
            per_minute(f.cpu.0),
            per_minute(f.cpu.1),
            per_minute(f.cpu.0 + f.cpu.1),
            f.idle_pss,
            f.call_pss,
            format!("{}x{}@{:.0}", f.sent.0, f.sent.1, f.sent.2),
            format!("{:.1} / {:.1}", f.painted_fps.0, f.painted_fps.1),
        );
    }
    println!();
    println!(
        "set-up: clerk's admit → the citizen's first picture read back from the X server's screen (the same reader for every side), one wall clock; reported: → the paint as the window reports it (cockpit: end of the GTK frame that painted it, WebGL: the page's next animation frame; tab: requestVideoFrameCallback)."
    );
    println!(
        "CPU: utime+stime of the clerk's whole process tree and of its own X server, per call-minute; PSS of the tree; sent: the citizen's inbound-rtp statistics."
    );
}
