//! The confirmation-latency benchmark, run by `benches/payments.sh` (twice: with the webhook
//! hint, and with `BALIE_PAYMENT_HINTS=off` for polling only).
//!
//! A headless cockpit (its core: store, embedded relay with the sandbox, payments, the call
//! engine) holds a call with the real citizen page in Chromium. For each of N payments the
//! clerk asks for one, the card reaches the page, and after a random 0–2.5 s (the citizen
//! paying; it also puts the moment anywhere in the cockpit's 2 s polling cycle) the
//! sandbox's checkout page is told "paid" (the moment the benchmark sends that POST is t0).
//! Measured from t0:
//!
//! - **cockpit**: the paid `PaymentView` is broadcast (what the call window's channel
//!   forwards; it follows the provider's answer to the cockpit's own question);
//! - **citizen**: the page shows the card as paid (a MutationObserver on the page notes the
//!   time; same machine, same clock).
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_cockpit::call::events::ConversationEvent;
use balie_cockpit::payments::{PaymentRequest, ProviderName};
use balie_cockpit::{Cockpit, CockpitConfig};
use balie_testkit::chromium;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

const WATCH_PAGE: &str = r#"
    window.__paid = {};
    const cards = document.getElementById("payment-cards");
    const note = () => {
      for (const c of cards.querySelectorAll('.payment-card[data-status="paid"]')) {
        if (!window.__paid[c.dataset.paymentId]) {
          window.__paid[c.dataset.paymentId] = performance.timeOrigin + performance.now();
        }
      }
    };
    new MutationObserver(note).observe(cards, { childList: true, subtree: true, attributes: true });
    return true;"#;

async fn wait_for<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let count: usize = std::env::var("BALIE_BENCH_PAYMENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let hints = std::env::var("BALIE_PAYMENT_HINTS").as_deref() != Ok("off");
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.bench-payments.{}", std::process::id());
    // As the cockpit's own start would read them: the bench script's environment.
    let config = CockpitConfig {
        payment_hints: hints,
        synthetic_media: std::env::var("BALIE_MEDIA").as_deref() == Ok("synthetic"),
        ..CockpitConfig::new(data.path(), &service, balie_domain::Locale::Nl)
    };
    let cockpit = Cockpit::start(config).await.unwrap();
    let (browser, _driver) = citizen_in_a_call(&cockpit).await;
    let paid_at = note_when_paid(&cockpit);
    // One client for every checkout POST: its connection is kept, as a browser's would be.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let mut to_cockpit = Vec::with_capacity(count);
    let mut to_citizen = Vec::with_capacity(count);
    for n in 0..count {
        let (cockpit_ms, citizen_ms) = one_payment(&cockpit, &browser, &client, &paid_at, n).await;
        to_cockpit.push(cockpit_ms);
        to_citizen.push(citizen_ms);
    }
    cockpit.end_conversation().await.unwrap();
    let _ = browser.close().await;
    report(hints, &mut to_cockpit, &mut to_citizen);
    let _ = balie_secrets::SecretStore::new(&service)
        .delete(balie_secrets::SecretName::RelayClerkToken);
}

/// A conversation with the Chromium citizen let in, its page watching its cards.
async fn citizen_in_a_call(cockpit: &Cockpit) -> (fantoccini::Client, chromium::Driver) {
    let (knocks_tx, mut knocks) = tokio::sync::mpsc::unbounded_channel();
    let conversation = cockpit
        .new_conversation(move |event| {
            if let ConversationEvent::Knock { knock_id, .. } = event {
                let _ = knocks_tx.send(knock_id);
            }
        })
        .await
        .unwrap();
    let (browser, driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    browser.set_window_size(360, 740).await.unwrap();
    browser
        .goto(&format!("{}?lang=nl", conversation.join_url))
        .await
        .unwrap();
    chromium::click(&browser, "#knock").await;
    let knock = tokio::time::timeout(Duration::from_secs(20), knocks.recv())
        .await
        .unwrap()
        .unwrap();
    cockpit.admit(knock).await.unwrap();
    chromium::wait_for_text(&browser, "#lobby-status", "U bent verbonden").await;
    browser.execute(WATCH_PAGE, vec![]).await.unwrap();
    (browser, driver)
}

/// When the cockpit learned each payment was paid (its broadcast `PaymentView`), by id.
fn note_when_paid(cockpit: &Cockpit) -> Arc<Mutex<HashMap<String, f64>>> {
    let paid_at: Arc<Mutex<HashMap<String, f64>>> = Arc::default();
    let mut changes = cockpit.payments().subscribe();
    let noted = paid_at.clone();
    tokio::spawn(async move {
        while let Ok(view) = changes.recv().await {
            if view.status == balie_domain::PaymentStatus::Paid {
                noted.lock().unwrap().entry(view.id).or_insert_with(now_ms);
            }
        }
    });
    paid_at
}

/// Payment `n`: asked, its card on the page, paid on the sandbox checkout after a random
/// 0-2.5 s (t0 is that POST); the milliseconds from t0 until the cockpit, and until the
/// page, had it paid.
async fn one_payment(
    cockpit: &Cockpit,
    browser: &fantoccini::Client,
    client: &reqwest::Client,
    paid_at: &Mutex<HashMap<String, f64>>,
    n: usize,
) -> (f64, f64) {
    let view = cockpit
        .request_payment(&PaymentRequest {
            amount: format!("{},00", 10 + n),
            description: format!("Maaltijden week {}", n + 1),
            provider: ProviderName::Sandbox,
        })
        .await
        .unwrap();
    let selector = format!(
        "return !!document.querySelector('.payment-card[data-payment-id=\"{}\"][data-status=\"open\"]')",
        view.id
    );
    wait_for("the card on the page", async || {
        browser
            .execute(&selector, vec![])
            .await
            .unwrap()
            .as_bool()
            .filter(|shown| *shown)
    })
    .await;
    let checkout = view.checkout_url.unwrap();
    let mut random = [0u8; 2];
    getrandom::fill(&mut random).unwrap();
    let pause = u64::from(u16::from_le_bytes(random)) * 2500 / u64::from(u16::MAX);
    tokio::time::sleep(Duration::from_millis(pause)).await;
    let t0 = now_ms();
    let answer = client
        .post(&checkout)
        .form(&[("outcome", "paid")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let cockpit_at = wait_for("the cockpit sees it paid", async || {
        paid_at.lock().unwrap().get(&view.id).copied()
    })
    .await;
    let script = format!("return window.__paid['{}'] || null", view.id);
    let citizen_at = wait_for("the page shows it paid", async || {
        browser.execute(&script, vec![]).await.unwrap().as_f64()
    })
    .await;
    (cockpit_at - t0, citizen_at - t0)
}

/// Prints p50, p95 and max of both lists, side by side.
fn report(hints: bool, to_cockpit: &mut [f64], to_citizen: &mut [f64]) {
    for list in [&mut *to_cockpit, &mut *to_citizen] {
        list.sort_by(f64::total_cmp);
    }
    let count = to_cockpit.len();
    let mode = if hints {
        "with the webhook hint"
    } else {
        "polling only (every 2 s in a call)"
    };
    println!(
        "confirmation latency, {mode}, {count} payments: cockpit p50 {:.0} ms p95 {:.0} ms max {:.0} ms; citizen page p50 {:.0} ms p95 {:.0} ms max {:.0} ms",
        percentile(to_cockpit, 50.0),
        percentile(to_cockpit, 95.0),
        to_cockpit[count - 1],
        percentile(to_citizen, 50.0),
        percentile(to_citizen, 95.0),
        to_citizen[count - 1],
    );
}
