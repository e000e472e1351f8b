//! The call benchmark, run by `benches/call.sh`. Every figure is printed beside its peer
//! figure from the same run:
//!
//! - call set-up, admit → first remote picture on each side, median of N calls: Balie's
//!   engine against a Chromium tab doing the clerk's side (benches/chromium-clerk.html), both
//!   through the same relay to the same citizen page in Chromium;
//! - clerk CPU per call-minute at 640x480@30 with sound both ways: the engine alone
//!   (`balie-call-cli`), the whole cockpit drawing both pictures (under Xvfb), and the
//!   Chromium tab's whole process tree;
//! - memory (PSS of the process tree) in a call: the cockpit and the Chromium tab.
//!
//! CPU is utime+stime of every process of the tree from `/proc/<pid>/stat`, PSS from
//! `/proc/<pid>/smaps_rollup`, as in `../shared/reference/PLATFORM.md`.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_testkit::chromium;
use balie_testkit::cockpit::Cockpit;
use balie_testkit::display::one_monitor;

use balie_call::{CallConfig, ClerkCall, ClerkCallEvent};
use balie_protocol::signaling::{ClerkMessage, RelayToClerk, SIGNALING_VERSION, Signal};
use balie_testkit::procfs::{cpu_seconds, tree};
use futures_util::{SinkExt as _, StreamExt as _};
use secrecy::{ExposeSecret as _, SecretString};
use std::io::BufRead as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

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

fn median(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

// ---- Processes ----------------------------------------------------------------------

/// CPU seconds the tree under `root` uses over `seconds` (processes that come and go in
/// between are counted from when they are first seen).
async fn cpu_over(root: u32, seconds: u64) -> f64 {
    let pids = tree(root);
    let before = cpu_seconds(&pids);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let pids = tree(root);
    cpu_seconds(&pids) - before
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

/// The process named `name` (its `comm`).
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

/// The citizen opens the link, the page notes its first presented picture, and knocks.
async fn citizen_knocks(citizen: &fantoccini::Client, join_url: &str) {
    citizen.goto(join_url).await.unwrap();
    citizen
        .execute(
            "window.firstFrameAt = null;
             document.getElementById('remote').requestVideoFrameCallback(() => { window.firstFrameAt = Date.now(); });",
            vec![],
        )
        .await
        .unwrap();
    chromium::click(citizen, "#knock").await;
}

/// `window.firstFrameAt` of a page, once set.
async fn first_frame_at(page: &fantoccini::Client) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let value = page
            .execute("return window.firstFrameAt", vec![])
            .await
            .unwrap();
        if let Some(at) = value.as_u64() {
            return at;
        }
        assert!(Instant::now() < deadline, "no first picture");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_until_true(page: &fantoccini::Client, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while page.execute(script, vec![]).await.unwrap().as_bool() != Some(true) {
        assert!(Instant::now() < deadline, "never true: {script}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---- Balie's engine -------------------------------------------------------------------

/// One call with the engine: admit → first picture on the engine side and on the page.
async fn engine_setup(relay: &Relay, citizen: &fantoccini::Client) -> (u64, u64) {
    let room = room(relay).await;
    let first: Arc<Mutex<Option<u64>>> = Arc::default();
    let sink_first = first.clone();
    let config = CallConfig {
        bind: vec![std::net::IpAddr::from([127, 0, 0, 1])],
        remote_video: Some(Arc::new(move |_| {
            let mut first = sink_first.lock().unwrap();
            first.get_or_insert_with(now_ms);
        })),
        ..CallConfig::default()
    };
    let mut clerk = ClerkCall::connect(
        &relay.url,
        &room.room_id,
        SecretString::from(relay.token.clone()),
        config,
    );
    let (admitted_tx, mut admitted) = mpsc::channel(1);
    let (stop_tx, mut stop) = mpsc::channel::<()>(1);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                event = clerk.next_event() => match event {
                    Some(ClerkCallEvent::Knock { knock_id, .. }) => {
                        let at = now_ms();
                        clerk.admit(knock_id).await.unwrap();
                        let _ = admitted_tx.send(at).await;
                    }
                    Some(_) => {}
                    None => return,
                },
                _ = stop.recv() => { clerk.end().await; return; }
            }
        }
    });
    citizen_knocks(citizen, &room.join_url).await;
    let admit_at = admitted.recv().await.unwrap();
    let page_first = first_frame_at(citizen).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let engine_first = loop {
        if let Some(at) = *first.lock().unwrap() {
            break at;
        }
        assert!(Instant::now() < deadline, "the engine saw no picture");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let _ = stop_tx.send(()).await;
    let _ = task.await;
    (
        engine_first.saturating_sub(admit_at),
        page_first.saturating_sub(admit_at),
    )
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

/// A call between the Chromium clerk page and the citizen page, through the relay. Returns
/// the admit time and a sender that ends the call.
async fn chromium_call(
    relay: &Relay,
    clerk_page: &fantoccini::Client,
    page_url: &str,
    bridges: &mut mpsc::Receiver<axum::extract::ws::WebSocket>,
    citizen: &fantoccini::Client,
) -> (u64, mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    use axum::extract::ws::Message as PageMessage;
    let room = room(relay).await;
    clerk_page.goto(&format!("{page_url}/clerk")).await.unwrap();
    wait_until_true(clerk_page, "return window.clerkReady === true").await;
    let mut page = bridges.recv().await.unwrap();
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

// ---- Main -------------------------------------------------------------------------------

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let calls = env_number("BALIE_BENCH_CALLS", 10).max(1) as usize;
    let seconds = env_number("BALIE_BENCH_SECONDS", 60).max(5);
    let relay = relay().await;
    let (citizen, citizen_driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    let (clerk_page, clerk_driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    let (page_url, mut bridges) = clerk_page_server().await;
    let mut tab = ChromiumClerk {
        page: &clerk_page,
        url: &page_url,
        bridges: &mut bridges,
    };

    let mut setup = set_up_times(&relay, &citizen, &mut tab, calls).await;
    let engine_cpu = engine_cpu(&relay, &citizen, seconds).await;
    let (chrome_cpu, chrome_pss) =
        chromium_cpu_and_memory(&relay, &citizen, &mut tab, &clerk_driver, seconds).await;
    let _ = clerk_page.close().await;
    drop(clerk_driver);
    let cockpit = cockpit_cpu_and_memory(&citizen, seconds).await;
    let _ = citizen.close().await;
    drop(citizen_driver);

    let per_minute = |cpu: f64| cpu * 60.0 / seconds as f64;
    println!();
    println!("Call set-up, admit → first remote picture, median of {calls} calls (ms)");
    println!("                          clerk side   citizen side");
    println!(
        "  Balie engine            {:>10}   {:>12}",
        median(&mut setup.ours_clerk),
        median(&mut setup.ours_citizen)
    );
    println!(
        "  Chromium tab as clerk   {:>10}   {:>12}",
        median(&mut setup.chrome_clerk),
        median(&mut setup.chrome_citizen)
    );
    println!();
    println!(
        "Clerk CPU per call-minute, 640x480@30 with sound both ways (CPU-s, {seconds} s measured)"
    );
    println!(
        "  Balie engine alone (balie-call-cli)            {:>6.1}",
        per_minute(engine_cpu)
    );
    println!(
        "  Balie cockpit, whole tree, drawing both        {:>6.1}   (drew {:.1} remote / {:.1} self pictures/s)",
        per_minute(cockpit.cpu),
        cockpit.remote_fps,
        cockpit.self_fps
    );
    println!(
        "  Chromium tab as clerk, whole process tree      {:>6.1}",
        per_minute(chrome_cpu)
    );
    println!();
    println!("Memory in a call, PSS of the process tree (MiB)");
    println!("  Balie cockpit           {:>7.1}", cockpit.pss);
    println!("  Chromium tab as clerk   {chrome_pss:>7.1}");
}

/// The Chromium tab that does the clerk's side, and the server of its page.
struct ChromiumClerk<'a> {
    page: &'a fantoccini::Client,
    url: &'a str,
    bridges: &'a mut mpsc::Receiver<axum::extract::ws::WebSocket>,
}

/// Admit → first remote picture per call, in ms, each side, for the engine and the tab.
struct SetUpTimes {
    ours_clerk: Vec<u64>,
    ours_citizen: Vec<u64>,
    chrome_clerk: Vec<u64>,
    chrome_citizen: Vec<u64>,
}

/// 1. Set-up times: `calls` calls with the engine, each followed by one with the tab.
async fn set_up_times(
    relay: &Relay,
    citizen: &fantoccini::Client,
    tab: &mut ChromiumClerk<'_>,
    calls: usize,
) -> SetUpTimes {
    let mut times = SetUpTimes {
        ours_clerk: Vec::new(),
        ours_citizen: Vec::new(),
        chrome_clerk: Vec::new(),
        chrome_citizen: Vec::new(),
    };
    for i in 0..calls {
        let (clerk, page) = engine_setup(relay, citizen).await;
        times.ours_clerk.push(clerk);
        times.ours_citizen.push(page);
        let (admit_at, stop, task) =
            chromium_call(relay, tab.page, tab.url, tab.bridges, citizen).await;
        let citizen_first = first_frame_at(citizen).await;
        let clerk_first = first_frame_at(tab.page).await;
        let _ = stop.send(()).await;
        let _ = task.await;
        times
            .chrome_clerk
            .push(clerk_first.saturating_sub(admit_at));
        times
            .chrome_citizen
            .push(citizen_first.saturating_sub(admit_at));
        eprintln!(
            "call {}: engine {} / {} ms, Chromium tab {} / {} ms (clerk / citizen side)",
            i + 1,
            times.ours_clerk[i],
            times.ours_citizen[i],
            times.chrome_clerk[i],
            times.chrome_citizen[i]
        );
    }
    times
}

/// 2a. The engine alone: balie-call-cli's whole process, CPU-s over `seconds` in a call.
async fn engine_cpu(relay: &Relay, citizen: &fantoccini::Client, seconds: u64) -> f64 {
    let cli = std::env::var("BALIE_CALL_CLI").expect("BALIE_CALL_CLI (benches/call.sh sets it)");
    let mut child = std::process::Command::new(cli)
        .args([
            "--relay",
            &relay.url,
            "--duration",
            &(seconds + 15).to_string(),
        ])
        .env("BALIE_CLERK_TOKEN", &relay.token)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let join_url = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line.trim().to_owned()
    })
    .await
    .unwrap();
    citizen_knocks(citizen, &join_url).await;
    first_frame_at(citizen).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cpu = cpu_over(child.id(), seconds).await;
    let _ = child.kill();
    let _ = child.wait();
    cpu
}

/// 2b. The Chromium tab: CPU-s of its whole process tree over `seconds`, and its PSS in
/// MiB mid-call.
async fn chromium_cpu_and_memory(
    relay: &Relay,
    citizen: &fantoccini::Client,
    tab: &mut ChromiumClerk<'_>,
    clerk_driver: &chromium::Driver,
    seconds: u64,
) -> (f64, f64) {
    let (_, stop, task) = chromium_call(relay, tab.page, tab.url, tab.bridges, citizen).await;
    first_frame_at(tab.page).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cpu = cpu_over(clerk_driver.pid(), seconds).await;
    let pss = pss_mib(clerk_driver.pid());
    let _ = stop.send(()).await;
    let _ = task.await;
    (cpu, pss)
}

/// The whole cockpit in a call, drawing both pictures.
struct CockpitFigures {
    cpu: f64,
    pss: f64,
    remote_fps: f64,
    self_fps: f64,
}

/// 2c. The whole cockpit under Xvfb: CPU-s of its process tree over `seconds`, its PSS,
/// and the pictures it drew per second in that time.
async fn cockpit_cpu_and_memory(citizen: &fantoccini::Client, seconds: u64) -> CockpitFigures {
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(env!("CARGO_BIN_EXE_balie-cockpit"), &display, data.path()).await;
    cockpit.window("gesprek").await;
    cockpit.click("#new-conversation").await;
    cockpit.wait_until("#join-url", "el.value.length > 0").await;
    let join_url = cockpit
        .value("return document.querySelector('#join-url').value")
        .await
        .as_str()
        .unwrap()
        .to_owned();
    citizen_knocks(citizen, &join_url).await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;
    cockpit
        .wait_until("#remote-video", "Number(el.dataset.frames) > 30")
        .await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cockpit_pid = find_process("balie-cockpit").expect("the cockpit process");
    let frames = |v: serde_json::Value| {
        v.as_str()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let drawn = "return [document.querySelector('#remote-video').dataset.frames, document.querySelector('#self-video').dataset.frames]";
    let before = cockpit.value(drawn).await;
    let cpu = cpu_over(cockpit_pid, seconds).await;
    let after = cockpit.value(drawn).await;
    let pss = pss_mib(cockpit_pid);
    let fps = |i: usize| (frames(after[i].clone()) - frames(before[i].clone())) / seconds as f64;
    let figures = CockpitFigures {
        cpu,
        pss,
        remote_fps: fps(0),
        self_fps: fps(1),
    };
    cockpit.stop().await;
    figures
}
