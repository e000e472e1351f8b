//! The front door under 500 concurrent visitors (issue 14), on loopback, with its figures
//! side by side from one run. The relay is the release binary in its own process (one
//! product served by one clerk who is available all week, so every week page is full of
//! moments); the visitors are this process, each with its own connection.
//!
//! What is measured, the same way for every row: the time from sending a request to having
//! read its whole answer, on the visitor's side; p50 / p95 / p99 / max over every request
//! of the row; errors are any answer but 200 (or a failed connection).
//!
//! - **Browsing**: 500 visitors at once, each doing 20 rounds of the front door (`GET /`),
//!   the week of free moments (`GET /book/{product}`) and, as the peer that shows what the
//!   HTTP stack alone costs under the same load, `GET /healthz`, with no pause.
//! - **Booking**: 200 citizens (each from its own address, as a reverse proxy forwards
//!   it, and with its own e-mail address) each fetch the details form of a different
//!   moment, wait the 3.1 s a person needs at least, then all send it at once: the time of
//!   each booking (`POST`, answered 303), and bookings per second from the first sent to
//!   the last answered. Every booking runs in the database's one write transaction.
//!
//! Run with `benches/frontdoor.sh`.

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RELAY: &str = env!("CARGO_BIN_EXE_balie-relay");
const VISITORS: usize = 500;
const ROUNDS: usize = 20;
const BOOKERS: usize = 200;

struct Relay {
    child: Child,
    url: String,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(data: &str, args: &[&str]) -> String {
    let out = Command::new(RELAY)
        .args(["--data-dir", data])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn start_relay() -> Relay {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_owned();
    let token = run(&data, &["clerk", "add", "bench"])
        .split_whitespace()
        .find(|w| w.starts_with("balie_"))
        .expect("the clerk's token")
        .to_owned();
    run(
        &data,
        &[
            "product",
            "add",
            "sociaal-restaurant",
            "--name-nl",
            "Abonnement sociaal restaurant",
            "--name-fr",
            "Abonnement restaurant social",
            "--name-en",
            "Social restaurant subscription",
            "--prepare-nl",
            "Uw identiteitskaart",
            "--price",
            "60",
            "--duration",
            "20",
            "--clerk",
            "bench",
        ],
    );
    for day in ["monday", "tuesday", "wednesday", "thursday", "friday"] {
        run(&data, &["hours", "set", day, "09:00-12:00,13:30-16:00"]);
    }
    let mut child = Command::new(RELAY)
        .args([
            "--data-dir",
            &data,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--trusted-proxy",
            "127.0.0.1",
        ])
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
    Relay {
        child,
        url: url.expect("the relay's address"),
        token,
        _dir: dir,
    }
}

/// `VmHWM` (peak resident memory) of `pid`, in MiB.
fn peak_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kib| kib.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

struct Row {
    times: Vec<Duration>,
    errors: usize,
}

impl Row {
    fn new() -> Self {
        Self {
            times: Vec::new(),
            errors: 0,
        }
    }

    fn print(&mut self, name: &str) {
        self.times.sort();
        let at = |q: f64| {
            let i = ((self.times.len() as f64 * q).ceil() as usize).clamp(1, self.times.len());
            self.times[i - 1].as_secs_f64() * 1000.0
        };
        println!(
            "{name:<28} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>7}",
            self.times.len(),
            at(0.50),
            at(0.95),
            at(0.99),
            at(1.0),
            self.errors
        );
    }
}

async fn timed(client: &reqwest::Client, url: &str) -> Result<Duration, ()> {
    let start = Instant::now();
    let response = client.get(url).send().await.map_err(|_| ())?;
    let ok = response.status() == 200;
    let _ = response.bytes().await.map_err(|_| ())?;
    if ok { Ok(start.elapsed()) } else { Err(()) }
}

fn slot_values(html: &str) -> Vec<i64> {
    html.split(r#"name="at" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

fn form_token(html: &str) -> String {
    html.split(r#"name="form" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let relay = start_relay();
    let url = relay.url.clone();
    // All week, all day: the week pages are full.
    let available = reqwest::Client::new()
        .put(format!("{url}/api/availability"))
        .bearer_auth(&relay.token)
        .json(&serde_json::json!({ "week": vec!["00:00-24:00"; 7] }))
        .send()
        .await
        .unwrap();
    assert_eq!(available.status(), 204);
    let door = format!("{url}/?lang=nl");
    let week = format!("{url}/book/sociaal-restaurant?lang=nl");
    let health = format!("{url}/healthz");
    let page = reqwest::get(&week).await.unwrap().text().await.unwrap();
    let slots = slot_values(&page);
    assert!(
        slots.len() >= BOOKERS,
        "{} moments on the week page",
        slots.len()
    );

    println!(
        "front door on loopback: release relay in its own process, the visitors in this one, sharing {} cores; HTTP/1.1 without TLS, one connection per visitor",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "week page: {} moments, {} bytes; front door: {} bytes",
        slots.len(),
        page.len(),
        reqwest::get(&door)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .len()
    );
    println!();
    println!(
        "{VISITORS} visitors at once, {ROUNDS} rounds each of front door, week, /healthz (time to the whole answer, ms)"
    );
    println!(
        "{:<28} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "request", "count", "p50", "p95", "p99", "max", "errors"
    );
    let started = Instant::now();
    let mut visitors = Vec::new();
    for _ in 0..VISITORS {
        let (door, week, health) = (door.clone(), week.clone(), health.clone());
        visitors.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            let mut rows = [Row::new(), Row::new(), Row::new()];
            for _ in 0..ROUNDS {
                for (row, target) in rows.iter_mut().zip([&door, &week, &health]) {
                    match timed(&client, target).await {
                        Ok(t) => row.times.push(t),
                        Err(()) => row.errors += 1,
                    }
                }
            }
            rows
        }));
    }
    let mut all = [Row::new(), Row::new(), Row::new()];
    for visitor in visitors {
        for (into, from) in all.iter_mut().zip(visitor.await.unwrap()) {
            into.times.extend(from.times);
            into.errors += from.errors;
        }
    }
    let browsing = started.elapsed();
    for (row, name) in all.iter_mut().zip([
        "GET / (front door)",
        "GET /book/… (week)",
        "GET /healthz (peer)",
    ]) {
        row.print(name);
    }
    let total: usize = all.iter().map(|r| r.times.len() + r.errors).sum();
    println!(
        "{total} requests in {:.1} s: {:.0} requests/s; relay peak RSS {:.1} MiB",
        browsing.as_secs_f64(),
        total as f64 / browsing.as_secs_f64(),
        peak_mib(relay.child.id())
    );

    // Booking: each citizen its own address (forwarded by the trusted proxy) and e-mail.
    println!();
    println!(
        "{BOOKERS} bookings of different moments sent at once, after the 3.1 s a person needs at least"
    );
    let mut forms = Vec::new();
    for (i, at) in slots.iter().take(BOOKERS).enumerate() {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let address = format!("10.1.{}.{}", i / 250, i % 250 + 1);
        let details = client
            .get(format!(
                "{url}/book/sociaal-restaurant/details?at={at}&lang=nl"
            ))
            .header("x-forwarded-for", &address)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        forms.push((client, address, *at, form_token(&details), i));
    }
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let started = Instant::now();
    let mut bookings = Vec::new();
    for (client, address, at, form, i) in forms {
        let url = url.clone();
        bookings.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = client
                .post(format!("{url}/book/sociaal-restaurant"))
                .header("x-forwarded-for", &address)
                .form(&[
                    ("at", at.to_string().as_str()),
                    ("form", form.as_str()),
                    ("lang", "nl"),
                    ("name", "Bench Burger"),
                    ("email", format!("burger{i}@example.be").as_str()),
                    ("phone", ""),
                    ("language", "nl"),
                    ("question", ""),
                    ("consent", "yes"),
                ])
                .send()
                .await;
            match answer {
                Ok(a) if a.status() == 303 => Ok(sent.elapsed()),
                _ => Err(()),
            }
        }));
    }
    let mut row = Row::new();
    for booking in bookings {
        match booking.await.unwrap() {
            Ok(t) => row.times.push(t),
            Err(()) => row.errors += 1,
        }
    }
    let booking = started.elapsed();
    println!(
        "{:<28} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "request", "count", "p50", "p95", "p99", "max", "errors"
    );
    let booked = row.times.len();
    row.print("POST /book/… (booking)");
    println!(
        "{booked} booked in {:.2} s: {:.0} bookings/s; relay peak RSS {:.1} MiB",
        booking.as_secs_f64(),
        booked as f64 / booking.as_secs_f64(),
        peak_mib(relay.child.id())
    );
}
