//! The confirmation-latency benchmark, run by `benches/payments.sh`: from the moment a
//! payment is paid at the provider to the moment the clerk's window and the citizen's page
//! show it paid, end to end, with a provider that answers late and calls back late.
//!
//! The parts are the real ones: the whole cockpit (release build, under WebKitWebDriver on
//! its own Xvfb) connected to a municipality relay (in this process, as a server would
//! run it), the citizen page in Chromium (headless, 360x740) in a call with it, and Mollie
//! stood in for by the test kit's fake (Payments API v2 as documented) with two delays
//! printed with the figures:
//!
//! - every API answer (create and status question) comes `BALIE_BENCH_API_MS` after the
//!   question (default 100 ms: the way to Mollie and back over TLS, and its work);
//! - Mollie's webhook (a form POST with only the id, to the relay's `/hooks/mollie`) comes
//!   `BALIE_BENCH_WEBHOOK_MS` after the payment is paid (default 1000 ms; Mollie promises
//!   no delivery time).
//!
//! For each of N payments (`BALIE_BENCH_PAYMENTS`, default 30) the clerk asks one in the
//! call window's panel (Mollie, test money), its card reaches the citizen's page, and after
//! a random 0–2.5 s (the citizen paying; it also puts the moment anywhere in the cockpit's
//! 2 s question cycle) the fake marks it paid: that moment is t0. Measured from t0, on the
//! machine's one wall clock (`Date.now()` in both pages, `SystemTime` here; the same
//! `CLOCK_REALTIME`):
//!
//! - **cockpit window**: the animation frame that paints the payment as paid in the call
//!   window's list (a MutationObserver notes the change, the next `requestAnimationFrame`
//!   stamps the time);
//! - **citizen page**: the same, for the payment's card on the citizen's page.
//!
//! Two passes, each with its own cockpit: the webhook hint on (the relay passes Mollie's
//! call on, the cockpit asks Mollie at once), and polling only (`BALIE_PAYMENT_HINTS=off`:
//! no webhook URL is given to Mollie; the cockpit asks every 2 s in a call). p50/p95/max.
#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use balie_testkit::chromium;
use balie_testkit::cockpit::Cockpit;
use balie_testkit::display::one_monitor;
use balie_testkit::mollie::{Shared as FakeMollie, fake_mollie};
use secrecy::ExposeSecret as _;
use std::time::{Duration, Instant, SystemTime};

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

fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Notes, per payment id, when the list item or card `selector` first painted as paid
/// (`Date.now()` in the animation frame after the change). Returns true.
fn watch_script(container: &str, selector: &str) -> String {
    format!(
        r#"window.__paid = {{}};
        const root = document.getElementById({container:?});
        const note = () => {{
          for (const item of root.querySelectorAll({selector:?})) {{
            const id = item.dataset.paymentId;
            if (id in window.__paid) continue;
            window.__paid[id] = null;
            requestAnimationFrame(() => {{ window.__paid[id] = Date.now(); }});
          }}
        }};
        new MutationObserver(note).observe(root, {{ childList: true, subtree: true, attributes: true }});
        return true;"#
    )
}

/// The stamp `watch_script` left for payment `id`, once there is one.
fn stamp_script(id: &str) -> String {
    format!("const v = window.__paid[{id:?}]; return typeof v === 'number' ? v : null;")
}

async fn wait_for_number(page: &fantoccini::Client, script: &str) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(n) = page.execute(script, vec![]).await.unwrap().as_u64() {
            return n;
        }
        assert!(Instant::now() < deadline, "never a number: {script}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_for_string(page: &fantoccini::Client, script: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(s) = page.execute(script, vec![]).await.unwrap().as_str() {
            return s.to_owned();
        }
        assert!(Instant::now() < deadline, "never a string: {script}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The keyring service the cockpits under test use (see balie_testkit::cockpit).
fn keyring() -> balie_secrets::SecretStore {
    balie_secrets::SecretStore::new(format!("be.balie.e2e.{}", std::process::id()))
}

/// The municipality's relay; the cockpit's token in the keyring. Its base URL.
async fn relay(dir: &std::path::Path) -> String {
    let config = balie_relay::RelayConfig::loopback(dir.to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "bench").unwrap()
    };
    keyring()
        .set(
            balie_secrets::SecretName::RelayClerkToken,
            &token.secret().expose_secret().to_string().into(),
        )
        .unwrap();
    let relay = balie_relay::Relay::bind(config).await.unwrap();
    let url = relay.public_url().to_string();
    tokio::spawn(relay.serve(std::future::pending()));
    url
}

/// One pass: a cockpit (hints on or off) in a call with the citizen, `count` payments.
/// Milliseconds from paid to painted: in the cockpit's window, on the citizen's page.
async fn pass(
    relay_url: &str,
    mollie: &(String, FakeMollie),
    citizen: &fantoccini::Client,
    hints: bool,
    count: usize,
) -> (Vec<u64>, Vec<u64>) {
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let mut env = vec![
        ("BALIE_RELAY_URL", relay_url),
        ("BALIE_MOLLIE_API_URL", mollie.0.as_str()),
        ("BALIE_MEDIA", "synthetic"),
    ];
    if !hints {
        env.push(("BALIE_PAYMENT_HINTS", "off"));
    }
    let cockpit = Cockpit::start_with(
        env!("CARGO_BIN_EXE_balie-cockpit"),
        &display,
        data.path(),
        &env,
    )
    .await;
    let join_url = cockpit.new_conversation().await;
    citizen.goto(&format!("{join_url}?lang=nl")).await.unwrap();
    chromium::click(citizen, "#knock").await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;
    chromium::wait_for_text(citizen, "#lobby-status", "U bent verbonden").await;
    cockpit
        .value(&watch_script("pay-list", ".payment[data-status=\"paid\"]"))
        .await;
    citizen
        .execute(
            &watch_script("payment-cards", ".payment-card[data-status=\"paid\"]"),
            vec![],
        )
        .await
        .unwrap();
    cockpit
        .wait_until(
            "#pay-provider",
            "[...el.options].some(o => o.value === 'mollie')",
        )
        .await;

    let (mut to_cockpit, mut to_citizen) = (Vec::new(), Vec::new());
    for n in 0..count {
        cockpit
            .value(&format!(
                "document.querySelector('#pay-amount').value = '{},00';
                 document.querySelector('#pay-description').value = 'Maaltijden week {}';
                 document.querySelector('#pay-provider').value = 'mollie';
                 document.querySelector('#pay-request').click();
                 return true;",
                10 + n,
                n + 1
            ))
            .await;
        // Ours: the one open payment in the panel; Mollie's: its one open payment.
        let id = wait_for_string(
            &cockpit.client,
            "const item = document.querySelector('#pay-list .payment[data-status=\"open\"]'); return item ? item.dataset.paymentId : null;",
        )
        .await;
        let open_card = format!(
            "return !!document.querySelector('.payment-card[data-payment-id=\"{id}\"][data-status=\"open\"]')"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while citizen.execute(&open_card, vec![]).await.unwrap().as_bool() != Some(true) {
            assert!(Instant::now() < deadline, "the card never reached the page");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let at_mollie = {
            let payments = mollie.1.payments.lock().unwrap();
            let open: Vec<String> = payments
                .iter()
                .filter(|(_, p)| p["status"] == "open")
                .map(|(id, _)| id.clone())
                .collect();
            assert_eq!(open.len(), 1, "one open payment at Mollie");
            assert_eq!(
                payments[&open[0]].get("webhookUrl").is_some(),
                hints,
                "a webhook URL is given to Mollie exactly when hints are on"
            );
            open[0].clone()
        };
        let mut random = [0u8; 2];
        getrandom::fill(&mut random).unwrap();
        let pause = u64::from(u16::from_le_bytes(random)) * 2500 / u64::from(u16::MAX);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let t0 = now_ms();
        mollie.1.pay(&at_mollie);
        let cockpit_at = wait_for_number(&cockpit.client, &stamp_script(&id)).await;
        let citizen_at = wait_for_number(citizen, &stamp_script(&id)).await;
        to_cockpit.push(cockpit_at.saturating_sub(t0));
        to_citizen.push(citizen_at.saturating_sub(t0));
    }
    cockpit.click("#hangup").await;
    cockpit.stop().await;
    (to_cockpit, to_citizen)
}

fn summary(list: &mut [u64]) -> String {
    list.sort_unstable();
    format!(
        "{:>6} {:>6} {:>6}",
        percentile(list, 50.0),
        percentile(list, 95.0),
        list[list.len() - 1]
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let count = env_number("BALIE_BENCH_PAYMENTS", 30) as usize;
    let api_ms = env_number("BALIE_BENCH_API_MS", 100);
    let webhook_ms = env_number("BALIE_BENCH_WEBHOOK_MS", 1000);

    let mollie = fake_mollie().await;
    *mollie.1.create_delay.lock().unwrap() = Duration::from_millis(api_ms);
    *mollie.1.read_delay.lock().unwrap() = Duration::from_millis(api_ms);
    *mollie.1.webhook_delay.lock().unwrap() = Some(Duration::from_millis(webhook_ms));
    keyring()
        .set(
            balie_secrets::SecretName::MollieApiKey,
            &"test_BalieBenchmarkKey0000000000".to_string().into(),
        )
        .unwrap();
    let relay_dir = tempfile::tempdir().unwrap();
    let relay_url = relay(relay_dir.path()).await;
    let (citizen, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    citizen.set_window_size(360, 740).await.unwrap();

    let (mut hint_cockpit, mut hint_citizen) =
        pass(&relay_url, &mollie, &citizen, true, count).await;
    let (mut poll_cockpit, mut poll_citizen) =
        pass(&relay_url, &mollie, &citizen, false, count).await;
    let _ = citizen.close().await;
    for name in [
        balie_secrets::SecretName::RelayClerkToken,
        balie_secrets::SecretName::MollieApiKey,
    ] {
        let _ = keyring().delete(name);
    }

    println!(
        "Payment confirmation, paid at the provider → painted as paid, {count} payments per pass"
    );
    println!(
        "Mollie stand-in: every API answer after {api_ms} ms, webhook {webhook_ms} ms after the payment is paid; citizen pays 0-2.5 s after the card shows"
    );
    println!("ms from paid (one wall clock)                 p50    p95    max");
    println!(
        "webhook hint   → cockpit call window       {}",
        summary(&mut hint_cockpit)
    );
    println!(
        "webhook hint   → citizen page (Chromium)   {}",
        summary(&mut hint_citizen)
    );
    println!(
        "polling only   → cockpit call window       {}",
        summary(&mut poll_cockpit)
    );
    println!(
        "polling only   → citizen page (Chromium)   {}",
        summary(&mut poll_citizen)
    );
}
