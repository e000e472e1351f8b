//! Slow and hostile clients against the relay (issue 12), on loopback, with the figures
//! side by side from one run. The relay is the release binary in its own process; the
//! attackers and the measuring session are this process.
//!
//! What is measured, the same way in every row:
//! - **signal p50 / p95**: a clerk and an admitted citizen are in a room; the clerk sends
//!   a signaling message (a candidate), the time until the citizen's socket has it, over
//!   200 messages 10 ms apart. Taken while the attack holds (after it is in place).
//! - **relay RSS**: the relay process's resident memory (`/proc/<pid>/status` `VmRSS`)
//!   while the attack holds, and its peak so far (`VmHWM`).
//! - what the relay did to the attackers: sockets accepted and refused (429, 503), slow
//!   clients let go, oversized frames answered by closing.
//!
//! Attacks, one after another: 10,000 WebSockets that never say anything, from 157
//! loopback addresses over 600 rooms; 2,000 connections that never finish their headers;
//! 200 requests whose bodies never finish; 100 citizen sockets each sending a 1 MiB frame.
//! Run with `benches/hostile.sh` (raises the open-file limit the 10,000 sockets need).

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use futures_util::{SinkExt as _, StreamExt as _};
use std::io::BufRead as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

const RELAY: &str = env!("CARGO_BIN_EXE_balie-relay");
type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

struct Relay {
    child: Child,
    url: String,
    addr: SocketAddr,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_relay() -> Relay {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let added = Command::new(RELAY)
        .args(["--data-dir", &data, "clerk", "add", "bench"])
        .output()
        .unwrap();
    let token = String::from_utf8(added.stdout)
        .unwrap()
        .split_whitespace()
        .find(|w| w.starts_with("balie_"))
        .expect("the clerk's token")
        .to_owned();
    let mut child = Command::new(RELAY)
        .args(["--data-dir", &data, "serve", "--listen", "127.0.0.1:0"])
        .env("BALIE_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut url = None;
    for line in stderr.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            url = Some(rest.trim().to_owned());
            break;
        }
    }
    let url = url.expect("the relay's address");
    let addr = url.trim_start_matches("http://").parse().unwrap();
    Relay {
        child,
        url,
        addr,
        token,
        _dir: dir,
    }
}

/// `VmRSS` and `VmHWM` of `pid`, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn room(relay: &Relay, http: &reqwest::Client) -> (String, String) {
    let answer: serde_json::Value = http
        .post(format!("{}/api/rooms", relay.url))
        .bearer_auth(&relay.token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["join_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    (answer["room_id"].as_str().unwrap().to_owned(), token)
}

/// A WebSocket to `path` from source address `from`, or the HTTP status it was refused
/// with (0 for anything else).
async fn open(
    relay: SocketAddr,
    from: Ipv4Addr,
    path: &str,
    bearer: Option<&str>,
) -> Result<Ws, u16> {
    let socket = tokio::net::TcpSocket::new_v4().map_err(|_| 0u16)?;
    socket
        .bind(SocketAddr::new(IpAddr::V4(from), 0))
        .map_err(|_| 0u16)?;
    let stream = socket.connect(relay).await.map_err(|_| 0u16)?;
    let mut request = format!("ws://{relay}{path}").into_client_request().unwrap();
    if let Some(token) = bearer {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    match tokio_tungstenite::client_async(request, stream).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(_) => Err(0),
    }
}

async fn next_json(ws: &mut Ws) -> serde_json::Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).unwrap(),
            Ok(Some(Ok(_))) => continue,
            other => panic!("the session's socket: {other:?}"),
        }
    }
}

/// A clerk and an admitted citizen in one room, from their own address (127.0.0.1).
async fn session(relay: &Relay, http: &reqwest::Client) -> (Ws, Ws) {
    let (room_id, token) = room(relay, http).await;
    let me = Ipv4Addr::LOCALHOST;
    let mut clerk = open(
        relay.addr,
        me,
        &format!("/ws/clerk/{room_id}"),
        Some(&relay.token),
    )
    .await
    .unwrap();
    clerk
        .send(Message::text(r#"{"type":"hello","version":1}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut clerk).await["type"], "welcome");
    let mut citizen = open(relay.addr, me, &format!("/ws/citizen/{token}"), None)
        .await
        .unwrap();
    citizen
        .send(Message::text(
            r#"{"type":"knock","version":1,"locale":"nl"}"#,
        ))
        .await
        .unwrap();
    let knock = loop {
        let m = next_json(&mut clerk).await;
        if m["type"] == "knock" {
            break m;
        }
    };
    clerk
        .send(Message::text(format!(
            r#"{{"type":"admit","knock_id":{}}}"#,
            knock["knock_id"]
        )))
        .await
        .unwrap();
    loop {
        if next_json(&mut citizen).await["type"] == "admitted" {
            break;
        }
    }
    (clerk, citizen)
}

/// When the last probe began: the relay lets a socket send 300 messages in 10 s, so
/// probes start at least 11 s apart.
static LAST_PROBE: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);

/// p50 and p95, ms, of clerk → citizen signal times over `n` messages 10 ms apart.
async fn probe(clerk: &mut Ws, citizen: &mut Ws, n: usize) -> (f64, f64) {
    let last = *LAST_PROBE.lock().unwrap();
    if let Some(last) = last {
        let next = last + Duration::from_secs(11);
        tokio::time::sleep_until(next.into()).await;
    }
    *LAST_PROBE.lock().unwrap() = Some(Instant::now());
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let sent = Instant::now();
        clerk
            .send(Message::text(format!(
                r#"{{"type":"signal","signal":{{"kind":"candidate","candidate":"candidate:{i} 1 udp 2122260223 192.0.2.1 5440 typ host"}}}}"#
            )))
            .await
            .unwrap();
        loop {
            let m = next_json(citizen).await;
            if m["type"] == "signal" {
                break;
            }
        }
        times.push(sent.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    (at(0.50), at(0.95))
}

/// Whether a new call gets through now: a room, the clerk's hello, a citizen's knock and
/// admission, within 5 s.
async fn new_call(relay: &Relay, http: &reqwest::Client) -> &'static str {
    match tokio::time::timeout(Duration::from_secs(5), async {
        let (room_id, token) = room(relay, http).await;
        let me = Ipv4Addr::new(127, 0, 0, 2);
        let clerk = open(
            relay.addr,
            me,
            &format!("/ws/clerk/{room_id}"),
            Some(&relay.token),
        )
        .await;
        let citizen = open(relay.addr, me, &format!("/ws/citizen/{token}"), None).await;
        match (clerk, citizen) {
            (Ok(_), Ok(_)) => "yes",
            (Err(code), _) | (_, Err(code)) if code == 503 => "no (503)",
            (Err(code), _) | (_, Err(code)) if code == 429 => "no (429)",
            _ => "no",
        }
    })
    .await
    {
        Ok(answer) => answer,
        Err(_) => "no (timed out)",
    }
}

/// The `i`-th attacker's source address: 64 connections to an address (the relay's cap
/// per address), from 127.1.0.1 up.
fn source(i: usize) -> Ipv4Addr {
    let a = i / 64 + 1;
    Ipv4Addr::new(127, 1, (a / 250) as u8, (a % 250) as u8 + 1)
}

fn row(what: &str, signal: (f64, f64), mem: (f64, f64), call: &str, outcome: &str) {
    println!(
        "{what:<26} | {:>6.2} / {:>6.2} | {:>6.1} / {:>6.1} | {call:<14} | {outcome}",
        signal.0, signal.1, mem.0, mem.1
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let relay = start_relay();
    let pid = relay.child.id();
    let http = reqwest::Client::new();
    let (mut clerk, mut citizen) = session(&relay, &http).await;
    const PROBES: usize = 200;

    println!(
        "hostile clients against the relay: release build, loopback, {} cores; signal = clerk→citizen signaling time over {PROBES} messages, taken while each attack holds; RSS = the relay process (VmRSS / VmHWM peak so far)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<26} | signal p50 / p95 ms | RSS MiB now / peak | a new call meanwhile | what the relay did",
        "condition"
    );
    let baseline = probe(&mut clerk, &mut citizen, PROBES).await;
    let call = new_call(&relay, &http).await;
    row("nothing else (baseline)", baseline, memory(pid), call, "-");

    // 1. 10,000 WebSockets that never say anything.
    let mut rooms = Vec::new();
    for _ in 0..600 {
        rooms.push(room(&relay, &http).await.1);
    }
    let mut held = Vec::new();
    let (mut refused_429, mut refused_503, mut failed) = (0, 0, 0);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10_000usize {
        let path = format!("/ws/citizen/{}", rooms[i % rooms.len()]);
        let addr = relay.addr;
        tasks.spawn(async move { open(addr, source(i), &path, None).await });
        if tasks.len() >= 256 {
            match tasks.join_next().await.unwrap().unwrap() {
                Ok(ws) => held.push(ws),
                Err(429) => refused_429 += 1,
                Err(503) => refused_503 += 1,
                Err(_) => failed += 1,
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok(ws) => held.push(ws),
            Err(429) => refused_429 += 1,
            Err(503) => refused_503 += 1,
            Err(_) => failed += 1,
        }
    }
    let signal = probe(&mut clerk, &mut citizen, PROBES).await;
    let call = new_call(&relay, &http).await;
    row(
        "10,000 idle WebSockets",
        signal,
        memory(pid),
        call,
        &format!(
            "held {}, refused 429: {refused_429}, 503: {refused_503}, other: {failed}",
            held.len()
        ),
    );
    drop(held);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // 2. 2,000 connections that never finish their headers.
    let mut slow = Vec::new();
    for i in 0..2_000usize {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(SocketAddr::new(IpAddr::V4(source(i)), 0))
            .unwrap();
        if let Ok(mut stream) = socket.connect(relay.addr).await {
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: balie\r\n")
                .await;
            slow.push(stream);
        }
    }
    let signal = probe(&mut clerk, &mut citizen, PROBES).await;
    let call = new_call(&relay, &http).await;
    let mem = memory(pid);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let mut let_go = 0;
    for stream in &mut slow {
        let mut byte = [0u8; 512];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(
            Duration::from_millis(5),
            tokio::io::AsyncReadExt::read(stream, &mut byte),
        )
        .await
        {
            let_go += 1;
        }
    }
    row(
        "2,000 unfinished headers",
        signal,
        mem,
        call,
        &format!("{let_go} of {} let go within 11 s", slow.len()),
    );
    drop(slow);

    // 3. 200 requests whose bodies never finish.
    let mut bodies = Vec::new();
    for i in 0..200usize {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(SocketAddr::new(IpAddr::V4(source(i)), 0))
            .unwrap();
        if let Ok(mut stream) = socket.connect(relay.addr).await {
            let head = format!(
                "POST /api/rooms HTTP/1.1\r\nHost: balie\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n{{",
                relay.token
            );
            let _ = stream.write_all(head.as_bytes()).await;
            bodies.push(stream);
        }
    }
    let signal = probe(&mut clerk, &mut citizen, PROBES).await;
    let call = new_call(&relay, &http).await;
    let mem = memory(pid);
    tokio::time::sleep(Duration::from_secs(31)).await;
    let mut answered_408 = 0;
    for stream in &mut bodies {
        let mut buf = [0u8; 64];
        if let Ok(Ok(n)) = tokio::time::timeout(
            Duration::from_millis(20),
            tokio::io::AsyncReadExt::read(stream, &mut buf),
        )
        .await
            && String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 408")
        {
            answered_408 += 1;
        }
    }
    row(
        "200 unfinished bodies",
        signal,
        mem,
        call,
        &format!(
            "{answered_408} of {} answered 408 within 31 s",
            bodies.len()
        ),
    );
    drop(bodies);

    // 4. 100 citizen sockets each sending a 1 MiB frame.
    let big = "x".repeat(1 << 20);
    let mut closed = 0;
    for i in 0..100usize {
        let (_, token) = room(&relay, &http).await;
        if let Ok(mut ws) = open(
            relay.addr,
            source(i * 64),
            &format!("/ws/citizen/{token}"),
            None,
        )
        .await
        {
            let _ = ws.send(Message::text(big.clone())).await;
            if let Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) =
                tokio::time::timeout(Duration::from_secs(5), ws.next()).await
            {
                closed += 1;
            }
        }
    }
    let signal = probe(&mut clerk, &mut citizen, PROBES).await;
    let call = new_call(&relay, &http).await;
    row(
        "100 frames of 1 MiB",
        signal,
        memory(pid),
        call,
        &format!("{closed} of 100 sockets closed by the relay"),
    );
}
