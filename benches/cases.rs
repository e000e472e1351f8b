//! The case-file benchmark, run by `benches/cases.sh`: a cockpit database with generated
//! data (100,000 cases of 40,000 parties, 1,000,000 notes; `BALIE_BENCH_CASES` scales it),
//! then
//!
//! - search: p50/p95 of `case::search` over a mix of what clerks type (a name, a common
//!   word, the start of a word, two words, a case number, an enterprise number, a word
//!   found nowhere), each query run several times;
//! - opening a case (`case::open`, with its audit line): p50/p95;
//! - the recent list;
//! - cockpit start with that database (`Cockpit::start`: migrations check, embedded relay,
//!   payments resumed), median of three;
//! - the whole application with that database under Xvfb: from launching it to the dossier
//!   window listing the recent cases, median of three.
//!
//! Goals (issue 5): search p95 ≤ 20 ms, opening ≤ 50 ms, start ≤ 2 s.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_testkit::cockpit::Cockpit;
use balie_testkit::display::one_monitor;

use balie_store::cockpit::case;
use rusqlite::params;
use std::time::Instant;

const FIRST: &[&str] = &[
    "Dirk", "Jef", "An", "Els", "Luc", "Marie", "Tom", "Sofie", "Karel", "Lotte", "Bart", "Nina",
    "Wim", "Ines", "Koen", "Fatima", "Youssef", "Emma", "Noah", "Lien", "Pieter", "Hanne",
];
const LAST: &[&str] = &[
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Hermans",
    "Aerts",
    "Vermeulen",
    "Van Damme",
    "El Amrani",
    "Verstraete",
    "Desmet",
    "Michiels",
    "Smets",
    "Lemmens",
    "Cools",
    "Stevens",
];
const TITLES: &[&str] = &[
    "Abonnement sociaal restaurant",
    "Verkeersborden opendeurdag",
    "Huur feestzaal",
    "Parkeerkaart bewoners",
    "Omgevingsvergunning verbouwing",
    "Evenementenvergunning buurtfeest",
    "Inname openbaar domein container",
    "Premie dakisolatie",
    "Uittreksel strafregister",
    "Aanvraag rijbewijs",
    "Huisvuilzakken",
    "Subsidie jeugdvereniging",
];
const WORDS: &[&str] = &[
    "aanvraag",
    "goedgekeurd",
    "college",
    "burger",
    "telefoon",
    "gesprek",
    "betaling",
    "ontvangen",
    "document",
    "bijlage",
    "plan",
    "adres",
    "datum",
    "zaal",
    "vereniging",
    "scouts",
    "maaltijden",
    "week",
    "verkeersborden",
    "signalisatie",
    "politie",
    "advies",
    "brandweer",
    "veiligheid",
    "attest",
    "handtekening",
    "formulier",
    "termijn",
    "opvolging",
    "dossier",
    "beslissing",
    "weigering",
    "bezwaar",
    "herinnering",
    "mail",
    "brief",
    "loket",
    "afspraak",
    "rijksregister",
    "woning",
    "straat",
    "parkeerplaats",
    "container",
    "premie",
    "factuur",
    "overschrijving",
    "mededeling",
    "bedrag",
    "korting",
    "tarief",
    "uitzondering",
];

/// A tiny deterministic generator (xorshift), so every run builds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

fn generate(path: &std::path::Path, cases: u64) {
    let mut conn = balie_store::open(path, &balie_store::cockpit::SCHEMA).unwrap();
    let parties = (cases * 2 / 5).max(1);
    let notes_per_case = 10;
    let mut rng = Rng(0x5eed_ba11e);
    let tx = conn.transaction().unwrap();
    {
        let mut party = tx
            .prepare(
                "INSERT INTO party (id, kind, name, enterprise_number, email, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            )
            .unwrap();
        for id in 1..=parties {
            let (kind, name, number) = if id % 5 == 0 {
                let number =
                    balie_domain::EnterpriseNumber::from_base(id * 37 % 20_000_000).unwrap();
                (
                    "company",
                    format!(
                        "{} {} bv",
                        rng.pick(&["Garage", "Bakkerij", "Frituur", "Bouw"]),
                        rng.pick(LAST)
                    ),
                    Some(number.digits()),
                )
            } else {
                (
                    "citizen",
                    format!("{} {}", rng.pick(FIRST), rng.pick(LAST)),
                    None,
                )
            };
            let email = format!("persoon{id}@example.be");
            party
                .execute(params![id, kind, name, number, email])
                .unwrap();
        }
        let mut case = tx
            .prepare(
                "INSERT INTO case_file (id, number, party_id, title, status, created_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )
            .unwrap();
        let mut note = tx
            .prepare("INSERT INTO case_note (case_id, at_ms, author, body) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        let statuses = [
            "new",
            "in_progress",
            "waiting",
            "approved",
            "refused",
            "closed",
        ];
        for id in 1..=cases {
            let year = 2020 + id * 7 / cases.max(1);
            let number = format!("{year}-{id:06}");
            let title = format!("{} {}", rng.pick(TITLES), rng.pick(LAST));
            let status = statuses[(rng.next() % 6) as usize];
            let at = 1_600_000_000_000 + id as i64 * 60_000;
            case.execute(params![
                id,
                number,
                1 + rng.next() % parties,
                title,
                status,
                at
            ])
            .unwrap();
            for n in 0..notes_per_case {
                let length = 8 + rng.next() % 25;
                let body: Vec<&str> = (0..length).map(|_| rng.pick(WORDS)).collect();
                note.execute(params![id, at + n as i64, "an.peeters", body.join(" ")])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("INSERT INTO note_fts (note_fts) VALUES ('optimize'); INSERT INTO case_fts (case_fts) VALUES ('optimize'); ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((p / 100.0 * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(50.0), at(95.0), ms[ms.len() - 1])
}

fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cases: u64 = std::env::var("BALIE_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = prepare_database(dir.path(), cases);
    let mut conn = balie_store::open(&path, &balie_store::cockpit::SCHEMA).unwrap();
    time_search(&conn, cases);
    time_opening(&mut conn, cases);
    let t = Instant::now();
    let recent = case::recent(&conn, 50).unwrap();
    println!("recent 50: {:.2} ms", t.elapsed().as_secs_f64() * 1000.0);
    std::hint::black_box(recent);
    drop(conn);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    time_core_start(&runtime, dir.path());
    time_application_start(&runtime, dir.path());
}

/// The generated database in `dir` (`BALIE_BENCH_DB`: made once there and copied, for
/// trying queries by hand); prints how long making it took and its size.
fn prepare_database(dir: &std::path::Path, cases: u64) -> std::path::PathBuf {
    let path = dir.join("cockpit.sqlite3");
    let started = Instant::now();
    match std::env::var_os("BALIE_BENCH_DB").map(std::path::PathBuf::from) {
        Some(kept) => {
            if !kept.exists() {
                generate(&kept, cases);
            }
            std::fs::copy(&kept, &path).unwrap();
        }
        None => generate(&path, cases),
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(dir.join("cockpit.sqlite3-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "generated {cases} cases, {} notes in {:.1} s ({:.0} MiB)",
        cases * 10,
        started.elapsed().as_secs_f64(),
        size as f64 / 1_048_576.0
    );
    path
}

/// The search, 20 times each over a mix of queries: p50, p95 and max, and per query.
fn time_search(conn: &rusqlite::Connection, cases: u64) {
    let some_case = format!("2023-{:06}", cases / 2);
    let enterprise = balie_domain::EnterpriseNumber::from_base(5 * 37)
        .unwrap()
        .digits();
    let queries = [
        "peeters",
        "pe",
        "jan",
        "aanvraag",
        "verkeer",
        "dirk parkeerkaart",
        "scouts zaal",
        "garage janssens",
        some_case.as_str(),
        enterprise.as_str(),
        "persoon12345",
        "brandweer advies",
        "premie dakisolatie",
        "xylofoon",
    ];
    let mut search_ms = Vec::new();
    let mut per_query = Vec::new();
    for query in queries {
        let mut these = Vec::new();
        for _ in 0..20 {
            let t = Instant::now();
            let found = case::search(conn, query, 20).unwrap();
            these.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(found);
        }
        let (p50, _, max) = percentiles(these.clone());
        per_query.push(format!("{query:?} {p50:.1}/{max:.1}"));
        search_ms.extend(these);
    }
    let (p50, p95, max) = percentiles(search_ms);
    println!(
        "search, {} queries x 20: p50 {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms (goal p95 <= 20 ms)",
        queries.len()
    );
    println!("  per query p50/max ms: {}", per_query.join(", "));
}

/// Opening 200 random cases with their notes (and the audit line each writes).
fn time_opening(conn: &mut rusqlite::Connection, cases: u64) {
    let mut open_ms = Vec::new();
    let mut rng = Rng(42);
    for _ in 0..200 {
        let id = 1 + (rng.next() % cases) as i64;
        let t = Instant::now();
        let detail = case::open(conn, id, "bench", 0).unwrap().unwrap();
        open_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(detail);
    }
    let (p50, p95, max) = percentiles(open_ms);
    println!(
        "open a case with its notes, 200 cases: p50 {p50:.2} ms, p95 {p95:.2} ms, max {max:.2} ms (goal <= 50 ms)"
    );
}

/// The cockpit's core starting on this database (schema check, retention purge, embedded
/// relay, payments resumed), three times.
fn time_core_start(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) {
    let mut starts = Vec::new();
    for n in 0..3 {
        let service = format!("be.balie.bench-cases.{}.{n}", std::process::id());
        let t = Instant::now();
        let cockpit = runtime
            .block_on(balie_cockpit::Cockpit::start(
                balie_cockpit::CockpitConfig::new(dir, &service, balie_domain::Locale::Nl),
            ))
            .unwrap();
        starts.push(t.elapsed().as_secs_f64() * 1000.0);
        drop(cockpit);
        let _ = balie_secrets::SecretStore::new(&service)
            .delete(balie_secrets::SecretName::RelayClerkToken);
    }
    let (p50, _, max) = percentiles(starts);
    println!("cockpit core start with this database: median {p50:.0} ms, max {max:.0} ms of 3");
}

/// The application itself: launched under WebKitWebDriver on Xvfb (the driver's own start
/// counts too), timed until the dossier window lists the recent cases; three times.
fn time_application_start(runtime: &tokio::runtime::Runtime, dir: &std::path::Path) {
    let display = one_monitor(1600, 900);
    let mut app = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let shown = runtime.block_on(async {
            let cockpit = Cockpit::start(env!("CARGO_BIN_EXE_balie-cockpit"), &display, dir).await;
            cockpit.window("dossier").await;
            cockpit
                .wait_until("#results", "el.querySelectorAll('.case-item').length >= 50")
                .await;
            let elapsed = t.elapsed().as_secs_f64() * 1000.0;
            cockpit.stop().await;
            elapsed
        });
        app.push(shown);
    }
    let (p50, _, max) = percentiles(app);
    println!(
        "application start to the dossier window listing cases: median {p50:.0} ms, max {max:.0} ms of 3 (goal <= 2000 ms)"
    );
}
