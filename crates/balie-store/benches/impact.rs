//! The impact benchmark, run by `benches/impact.sh` (here, beside the tables it reads, so
//! a release build needs no desktop parts): a cockpit database holding one year
//! of a busy municipality (50,000 conversations, 20,000 payments, 30,000 cases with their
//! calls and audit lines, register entries, imported figures, the catalog's history;
//! `BALIE_BENCH_CONVERSATIONS` scales it), then for one quarter, each step timed on its
//! own, `RUNS` times, in one process, the database warm (the same file, read again each
//! run through one open connection, as the cockpit does):
//!
//! - **figures**: reading the facts of the quarter and the one before from SQLite and
//!   computing every indicator for both (what `Impact::figures` does);
//! - **dashboard**: figures, plus the texts of all fourteen indicators and their fourteen
//!   SVG charts (what `Impact::dashboard` hands the window, without the IPC);
//! - **report**: the dashboard's work plus the PDF (`balie_impact::report::pdf`), bytes
//!   in memory.
//!
//! Goals (issue 16): every indicator for a quarter ≤ 200 ms; the PDF report ≤ 2 s.
//! Statistic: median and p95 (nearest rank) of the runs, with the minimum.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_domain::Locale;
use balie_impact::{Assumptions, Period};
use rusqlite::params;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const PRODUCTS: [&str; 3] = ["sociaal-restaurant", "verkeersborden", "feestzaal"];

fn generate(path: &std::path::Path, conversations: u64) {
    let tz = balie_domain::agenda::brussels().unwrap();
    let year = Period::year(jiff::civil::date(2026, 6, 1)).unwrap();
    let (start, end) = year.bounds_ms(&tz);
    let mut conn = balie_store::open(path, &balie_store::cockpit::SCHEMA).unwrap();
    let mut rng = Rng(0x5eed_1234_abcd);
    let tx = conn.transaction().unwrap();
    {
        let mut conversation = tx
            .prepare(
                "INSERT INTO conversation (room_id, origin, product_id, requested_at_ms, opened_at_ms,
                 admitted_at_ms, ended_at_ms, outside_hours, place, trip_m, citizen_score, clerk_score)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .unwrap();
        let mut party = tx
            .prepare("INSERT INTO party (kind, name, created_at_ms) VALUES ('citizen', ?1, ?2)")
            .unwrap();
        let mut case = tx
            .prepare(
                "INSERT INTO case_file (number, party_id, product_id, title, status, handled_in_one_go,
                 created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, 'Vraag', ?4, ?5, ?6, ?7)",
            )
            .unwrap();
        let mut call = tx
            .prepare(
                "INSERT INTO case_call (case_id, room_id, started_at_ms, ended_at_ms) VALUES (?1, ?2, ?3, ?4)",
            )
            .unwrap();
        let mut audit = tx
            .prepare(
                "INSERT INTO case_audit (case_id, at_ms, actor, action) VALUES (?1, ?2, 'an', ?3)",
            )
            .unwrap();
        let mut payment = tx
            .prepare(
                "INSERT INTO payment (id, idempotency_key, provider, provider_id, amount_cents, description,
                 room_id, status, created_at_ms, mode) VALUES (?1, ?1, 'mollie', ?1, ?2, 'Betaling', ?3, ?4, ?5, 'live')",
            )
            .unwrap();
        let mut step = tx
            .prepare(
                "INSERT INTO payment_status (payment_id, seq, from_status, to_status, at_ms, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'provider')",
            )
            .unwrap();
        for i in 0..conversations {
            let admitted = start + (rng.below(u64::try_from(end - start).unwrap())) as i64;
            let room = format!("room-{i}");
            let origin = ["direct", "appointment", "walk_in"][rng.below(3) as usize];
            let product = PRODUCTS[rng.below(3) as usize];
            let requested =
                (origin != "direct").then(|| admitted - rng.below(14 * 86_400_000) as i64);
            let place = ["office", "home", "elsewhere"][rng.below(3) as usize];
            let ended = admitted + 300_000 + rng.below(1_200_000) as i64;
            conversation
                .execute(params![
                    room,
                    origin,
                    product,
                    requested,
                    admitted - 60_000,
                    admitted,
                    ended,
                    rng.chance(25),
                    place,
                    rng.chance(50).then(|| 1_000 + rng.below(20_000) as i64),
                    rng.chance(60).then(|| 1 + rng.below(5) as i64),
                    rng.chance(15).then(|| 1 + rng.below(5) as i64),
                ])
                .unwrap();
            // Two in five conversations ask a payment: 20,000 of 50,000.
            if i % 5 < 2 {
                let id = format!("pay-{i}");
                let paid = rng.chance(85);
                let status = if paid { "paid" } else { "failed" };
                let asked = admitted + 60_000;
                payment
                    .execute(params![
                        id,
                        500 + rng.below(30_000) as i64,
                        room,
                        status,
                        asked
                    ])
                    .unwrap();
                step.execute(params![id, 0, Option::<String>::None, "open", asked + 500])
                    .unwrap();
                step.execute(params![
                    id,
                    1,
                    "open",
                    status,
                    asked + 2_000 + rng.below(600_000) as i64
                ])
                .unwrap();
            }
            // Three in five are about a case: 30,000.
            if i % 5 < 3 {
                party
                    .execute(params![format!("Burger {i}"), admitted - 3_600_000])
                    .unwrap();
                let party_id = tx.last_insert_rowid();
                let handled = rng.chance(80);
                let handled_at = ended + rng.below(30 * 86_400_000) as i64;
                case.execute(params![
                    format!("2026-{i:07}"),
                    party_id,
                    product,
                    if handled { "closed" } else { "in_progress" },
                    handled && rng.chance(40),
                    admitted - 600_000,
                    if handled { handled_at } else { ended },
                ])
                .unwrap();
                let case_id = tx.last_insert_rowid();
                call.execute(params![case_id, room, admitted, ended])
                    .unwrap();
                audit
                    .execute(params![case_id, admitted - 600_000, "case.created"])
                    .unwrap();
                if handled {
                    audit
                        .execute(params![case_id, handled_at, "status.closed"])
                        .unwrap();
                }
            }
        }
        for i in 0..500 {
            let kind = ["complaint_after_hours", "complaint", "aggression"][i % 3];
            tx.execute(
                "INSERT INTO incident (kind, channel, at_ms, recorded_by, recorded_at_ms) VALUES (?1, 'phone', ?2, 'an', ?2)",
                params![kind, start - 365 * 86_400_000 + (i as i64) * 2 * 86_400_000],
            )
            .unwrap();
        }
        tx.execute(
            "INSERT INTO impact_import (kind, file_name, sha256, rows, imported_at_ms, imported_by)
             VALUES ('figures', 'kanalen.csv', ?1, 0, 0, 'an')",
            params!["0".repeat(64)],
        )
        .unwrap();
        let import_id = tx.last_insert_rowid();
        let mut week = jiff::civil::date(2026, 1, 5);
        while week.year() == 2026 {
            for (kind, channel, value) in [
                ("visitors", "front_desk", 400_000),
                ("contacts", "phone", 900_000),
                ("throughput_days", "front_desk", 6_500),
            ] {
                tx.execute(
                    "INSERT INTO channel_figure (import_id, kind, channel, first_day, last_day, value_milli)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![import_id, kind, channel, week.to_string(), week.to_string(), value],
                )
                .unwrap();
            }
            week = week.checked_add(jiff::Span::new().days(7)).unwrap();
        }
    }
    tx.commit().unwrap();
}

fn stats(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = times[(times.len() * 95).div_ceil(100) - 1];
    (ms(times[times.len() / 2]), ms(p95), ms(times[0]))
}

fn main() {
    let conversations: u64 = std::env::var("BALIE_BENCH_CONVERSATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let dir = tempfile::tempdir().unwrap();
    // `BALIE_BENCH_KEEP=DIR` keeps the generated database there, to look into.
    let path = std::env::var_os("BALIE_BENCH_KEEP")
        .map_or_else(|| dir.path().to_path_buf(), std::path::PathBuf::from)
        .join("cockpit.sqlite3");
    let t = Instant::now();
    generate(&path, conversations);
    let conn = balie_store::open(&path, &balie_store::cockpit::SCHEMA).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    println!(
        "data: {} conversations, {} payments, {} cases, {} register entries, {} imported figures (made in {:.1} s)",
        count("SELECT count(*) FROM conversation"),
        count("SELECT count(*) FROM payment"),
        count("SELECT count(*) FROM case_file"),
        count("SELECT count(*) FROM incident"),
        count("SELECT count(*) FROM channel_figure"),
        t.elapsed().as_secs_f64()
    );
    println!(
        "machine: {} logical CPUs; release build; one process; SQLite file on local disk, warm",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let tz = balie_domain::agenda::brussels().unwrap();
    let quarter = Period::quarter(jiff::civil::date(2026, 8, 15)).unwrap();
    let previous = quarter.previous().unwrap();
    let assumptions = Assumptions::default();
    let names = |id: Option<&balie_impact::facts::ProductId>| {
        id.map_or_else(|| "Alle producten".to_owned(), |p| p.as_str().to_owned())
    };
    let figures = || {
        let (from, _) = previous.bounds_ms(&tz);
        let (_, until) = quarter.bounds_ms(&tz);
        let facts = balie_store::cockpit::impact::facts(&conn, from, until, &tz).unwrap();
        let now = balie_impact::compute(&facts, &quarter, &tz, &assumptions);
        let before = balie_impact::compute(&facts, &previous, &tz, &assumptions);
        (facts, now, before)
    };
    let dashboard = || {
        let (_, now, before) = figures();
        let report = balie_impact::present::report(&now, &before, &assumptions, Locale::Nl, &names);
        let charts: Vec<String> = report
            .indicators
            .iter()
            .map(|i| balie_impact::chart::svg(&i.chart))
            .collect();
        (report, charts)
    };
    let cover = balie_impact::report::Cover {
        municipality: "Gemeente Zonnedorp".into(),
        scope: "Benchmark".into(),
        made: "Benchmark".into(),
        language: "nl-BE".into(),
    };
    // One of each first: the answers are right, and lazy set-up (the font, the postcode
    // table) is not timed.
    let (facts, now, _) = figures();
    let (report, charts) = dashboard();
    let pdf = balie_impact::report::pdf(&report, &charts, &cover).unwrap();
    println!(
        "quarter {}: {} conversations, {} payments asked in calls, {} questions handled; facts read for two quarters: {} conversations",
        report.period,
        now.trips.conversations,
        now.payments.asked,
        now.throughput[0].handled,
        facts.conversations.len()
    );
    println!("PDF: {} bytes", pdf.len());

    let runs = |f: &dyn Fn()| -> Vec<Duration> {
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect()
    };
    let (from, _) = previous.bounds_ms(&tz);
    let (_, until) = quarter.bounds_ms(&tz);
    let read_times = runs(&|| {
        std::hint::black_box(balie_store::cockpit::impact::facts(&conn, from, until, &tz).unwrap());
    });
    let compute_times = runs(&|| {
        std::hint::black_box((
            balie_impact::compute(&facts, &quarter, &tz, &assumptions),
            balie_impact::compute(&facts, &previous, &tz, &assumptions),
        ));
    });
    let figures_times = runs(&|| {
        std::hint::black_box(figures());
    });
    let dashboard_times = runs(&|| {
        std::hint::black_box(dashboard());
    });
    let report_times = runs(&|| {
        let (report, charts) = dashboard();
        std::hint::black_box(balie_impact::report::pdf(&report, &charts, &cover).unwrap());
    });
    println!(
        "{:<46} {:>10} {:>10} {:>10} {:>10}",
        "step (one quarter, 15 runs)", "median ms", "p95 ms", "min ms", "goal ms"
    );
    for (name, times, goal) in [
        (
            "  of which: facts from SQLite (two quarters)",
            read_times,
            "-",
        ),
        (
            "  of which: 14 indicators x2 from the facts",
            compute_times,
            "-",
        ),
        (
            "figures: facts from SQLite + 14 indicators x2",
            figures_times,
            "200",
        ),
        (
            "dashboard: figures + texts + 14 SVG charts",
            dashboard_times,
            "200",
        ),
        ("report: dashboard + PDF", report_times, "2000"),
    ] {
        let (median, p95, min) = stats(times);
        println!("{name:<46} {median:>10.1} {p95:>10.1} {min:>10.1} {goal:>10}");
    }
}
