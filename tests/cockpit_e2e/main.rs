//! The real cockpit under WebKitWebDriver on real X servers: two monitors (Xorg with the
//! dummy driver) and one (Xvfb). Needs the packages the README's test command installs
//! and a session D-Bus with a Secret Service.
#![allow(clippy::unwrap_used, missing_docs)]

mod enrolment;
mod front_door;
mod identity;
mod impact;
mod updates;

use balie_testkit::chromium;
use balie_testkit::cockpit::{Cockpit, placement_log, serial};
use balie_testkit::display::{one_monitor, two_monitors};
use balie_testkit::sandbox::pay_on_sandbox;
use balie_testkit::seen;

/// The cockpit under test.
const COCKPIT: &str = env!("CARGO_BIN_EXE_balie-cockpit");

const W: i64 = 1920;
const H: i64 = 1080;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_monitors_the_dossier_opens_on_the_second_and_a_swap_is_remembered() {
    let _serial = serial().await;
    let display = two_monitors();
    let data = tempfile::tempdir().unwrap();

    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    let gesprek = cockpit.rect("gesprek").await;
    let dossier = cockpit.rect("dossier").await;
    assert!(
        gesprek.within(0, 0, W, H),
        "call window on the first monitor: {gesprek:?}"
    );
    assert!(
        dossier.within(W, 0, W, H),
        "dossier on the second monitor: {dossier:?}\n{}",
        placement_log(data.path())
    );

    // Swap with the button in the dossier window.
    cockpit.window("dossier").await;
    cockpit.click("#swap").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let gesprek = cockpit.rect("gesprek").await;
    let dossier = cockpit.rect("dossier").await;
    assert!(
        gesprek.within(W, 0, W, H),
        "after the swap the call is on the second monitor: {gesprek:?}"
    );
    assert!(
        dossier.within(0, 0, W, H),
        "after the swap the dossier is on the first: {dossier:?}"
    );
    cockpit.stop().await;

    // The swapped layout is remembered for this monitor layout.
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    let gesprek = cockpit.rect("gesprek").await;
    let dossier = cockpit.rect("dossier").await;
    assert!(
        gesprek.within(W, 0, W, H),
        "remembered: call on the second monitor: {gesprek:?}"
    );
    assert!(
        dossier.within(0, 0, W, H),
        "remembered: dossier on the first: {dossier:?}"
    );
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_monitor_the_windows_tile_without_overlap_and_ignore_a_two_monitor_memory() {
    let _serial = serial().await;
    let data = tempfile::tempdir().unwrap();
    {
        // Remember a two-monitor layout first…
        let display = two_monitors();
        let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
        cockpit.rect("dossier").await;
        cockpit.window("dossier").await;
        cockpit.click("#swap").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        cockpit.stop().await;
    }
    // …then start on a single 1600x900 screen.
    let display = one_monitor(1600, 900);
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    let gesprek = cockpit.rect("gesprek").await;
    let dossier = cockpit.rect("dossier").await;
    assert!(gesprek.within(0, 0, 1600, 900), "{gesprek:?}");
    assert!(dossier.within(0, 0, 1600, 900), "{dossier:?}");
    assert!(
        !gesprek.overlaps(&dossier),
        "{gesprek:?} overlaps {dossier:?}"
    );
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nieuw_gesprek_shows_a_join_link_and_its_qr_and_the_link_serves_the_citizen_page() {
    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    cockpit.window("gesprek").await;
    cockpit
        .wait_until(
            "#relay-status",
            "el.textContent.includes('http://127.0.0.1:')",
        )
        .await;
    cockpit.click("#new-conversation").await;
    cockpit.wait_until("#join-url", "el.value.length > 0").await;
    cockpit
        .wait_until("#qr", "el.src.startsWith('data:image/svg+xml;base64,') && el.naturalWidth > 0 && el.alt.length > 0")
        .await;
    let url = cockpit
        .value("return document.querySelector('#join-url').value")
        .await;
    let url = url.as_str().unwrap().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.contains("/j/"),
        "{url}"
    );

    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Uw gesprek begint zo meteen"), "{html}");
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_launch_hands_over_to_the_running_cockpit_and_exits() {
    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    cockpit.window("gesprek").await;

    let other_data = tempfile::tempdir().unwrap();
    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_balie-cockpit"))
        .env("DISPLAY", &display.name)
        .env("BALIE_DATA_DIR", other_data.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch kept running beside the first");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(
        !other_data.path().join("cockpit.sqlite3").exists(),
        "the second launch must not have started a cockpit of its own"
    );
    // The first one still serves both windows.
    cockpit.window("dossier").await;
    cockpit.window("gesprek").await;
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_knocking_citizen_is_announced_in_the_call_window_and_let_in() {
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;

    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    cockpit.window("gesprek").await;
    cockpit.click("#new-conversation").await;
    cockpit.wait_until("#join-url", "el.value.length > 0").await;
    cockpit
        .wait_until("#lobby-status", "el.textContent.includes('aanklopt')")
        .await;
    let url = cockpit
        .value("return document.querySelector('#join-url').value")
        .await;
    let url = url.as_str().unwrap().to_string();
    let (base, token) = url.split_once("/j/").unwrap();

    // The citizen's side, spoken by hand.
    let (mut citizen, _) = tokio_tungstenite::connect_async(format!(
        "{}/ws/citizen/{token}",
        base.replacen("http", "ws", 1)
    ))
    .await
    .unwrap();
    let knock = balie_protocol::signaling::CitizenMessage::Knock {
        version: balie_protocol::signaling::SIGNALING_VERSION,
        locale: balie_domain::Locale::Fr,
        resume: None,
    };
    citizen
        .send(Message::text(serde_json::to_string(&knock).unwrap()))
        .await
        .unwrap();

    cockpit
        .wait_until(
            "#knock",
            "!el.hidden && el.textContent.includes('Français')",
        )
        .await;
    cockpit.click("#admit").await;
    cockpit
        .wait_until(
            "#lobby-status",
            "el.textContent.includes('Beeld en geluid worden verbonden')",
        )
        .await;

    let mut got = Vec::new();
    while got.len() < 2 {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), citizen.next())
            .await
            .unwrap();
        let Some(Ok(Message::Text(text))) = frame else {
            panic!("citizen connection closed");
        };
        got.push(serde_json::from_str::<balie_protocol::signaling::RelayToCitizen>(&text).unwrap());
    }
    assert_eq!(got[0], balie_protocol::signaling::RelayToCitizen::Waiting);
    assert!(
        matches!(
            got[1],
            balie_protocol::signaling::RelayToCitizen::Admitted { .. }
        ),
        "{got:?}"
    );
    cockpit.stop().await;
}

/// Samples the red channel of a canvas at 160x120 (WebGL canvases keep their last picture).
const SAMPLE_CANVAS: &str = r#"
    const source = document.querySelector(arguments[0]);
    const small = document.createElement("canvas");
    small.width = 160; small.height = 120;
    const ctx = small.getContext("2d");
    ctx.drawImage(source, 0, 0, 160, 120);
    return Array.from(ctx.getImageData(0, 0, 160, 120).data.filter((_, i) => i % 4 === 0));"#;

/// The mean, over the rows of a 160-wide sample, of the largest step between neighbours:
/// high for sharp edges, low once blurred.
fn edge_strength(red: &[u64]) -> f64 {
    let rows = red.chunks_exact(160);
    let count = rows.len().max(1);
    let sum: u64 = rows
        .map(|row| {
            row.windows(2)
                .map(|p| p[0].abs_diff(p[1]))
                .max()
                .unwrap_or(0)
        })
        .sum();
    sum as f64 / count as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_in_chromium_is_seen_moving_in_the_call_window_and_they_chat() {
    use fantoccini::Locator;

    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    cockpit.window("gesprek").await;
    cockpit.click("#new-conversation").await;
    cockpit.wait_until("#join-url", "el.value.length > 0").await;
    let url = cockpit
        .value("return document.querySelector('#join-url').value")
        .await;
    let url = url.as_str().unwrap().to_string();

    let (browser, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    browser.goto(&format!("{url}?lang=nl")).await.unwrap();
    chromium::click(&browser, "#knock").await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;
    cockpit
        .wait_until(
            "#lobby-status",
            "el.textContent.includes('Verbonden met de burger')",
        )
        .await;
    chromium::wait_for_text(&browser, "#lobby-status", "U bent verbonden").await;

    // The citizen's picture is drawn, and it moves.
    cockpit
        .wait_until("#remote-video", "Number(el.dataset.frames) > 30")
        .await;
    cockpit
        .wait_until("#self-video", "Number(el.dataset.frames) > 10")
        .await;
    // Read from the screen, where a person sees it: the host draws the pictures natively
    // over the web view.
    assert_eq!(
        cockpit
            .value("return document.querySelector('#remote-video').dataset.drawing")
            .await,
        "native"
    );
    let read = || async {
        cockpit
            .on_screen(&display, "#remote-video")
            .await
            .red_grid(160, 120)
    };
    let first = read().await;
    let spread = first.iter().max().unwrap() - first.iter().min().unwrap();
    assert!(spread > 60, "the remote picture is flat (spread {spread})");
    // Chromium's fake camera moves a small sector and a counter: some read within five
    // seconds differs from the first.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let changed = loop {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let now = read().await;
        let changed = first.iter().zip(&now).filter(|(a, b)| a != b).count();
        if changed > 0 || std::time::Instant::now() > deadline {
            break changed;
        }
    };
    assert!(
        changed > 0,
        "the remote picture did not change in five seconds"
    );

    // Background blur: the synthetic picture has no person in it, so all of it blurs
    // and the sharp edges of its colour bars go soft in the self-view.
    let read_self = || async {
        edge_strength(
            &cockpit
                .on_screen(&display, "#self-video")
                .await
                .red_grid(160, 120),
        )
    };
    let sharp = read_self().await;
    // Sharp bar edges measure 120 to 240 here, blurred ones about 27.
    assert!(sharp > 80.0, "the self-view has no sharp edges ({sharp})");
    cockpit.screen_shot(&display, "gesprek-call-pictures").await;
    cockpit.click("#blur").await;
    cockpit
        .wait_until("#blur", "el.getAttribute('aria-pressed') === 'true'")
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let blurred = loop {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let now = read_self().await;
        if now < 50.0 || std::time::Instant::now() > deadline {
            break now;
        }
    };
    assert!(blurred < 50.0, "blur on: edges {sharp} -> {blurred}");
    cockpit
        .screen_shot(&display, "gesprek-call-pictures-blur")
        .await;

    // Chat both ways.
    cockpit
        .value(
            "document.querySelector('#chat-input').value = 'Goedemiddag, Jef';
             document.querySelector('#chat-form').requestSubmit(); return true;",
        )
        .await;
    cockpit
        .wait_until("#chat-log", "el.textContent.includes('(ontvangen)')")
        .await;
    // On the citizen's side the chat opens from the call's controls.
    chromium::click(&browser, "#chat-open").await;
    chromium::wait_for_text(&browser, "#chat-log", "Medewerker: Goedemiddag, Jef").await;
    browser
        .find(Locator::Css("#chat-input"))
        .await
        .unwrap()
        .send_keys("Dag, het gaat over de zaal")
        .await
        .unwrap();
    chromium::click(&browser, "#chat-form button[type=submit]").await;
    cockpit
        .wait_until(
            "#chat-log",
            "el.textContent.includes('Burger: Dag, het gaat over de zaal')",
        )
        .await;

    // A dialog over the call is seen, not hidden under the native pictures: the screen
    // where the picture was shows the dialog's light page, and the picture is back after.
    let dialog_seen = |screen: &balie_testkit::screen::Screen| {
        // Most of the dialog is its white background; Chromium's fake camera picture has
        // hardly any white.
        let white = (0..screen.height)
            .step_by(4)
            .flat_map(|y| (0..screen.width).step_by(4).map(move |x| (x, y)))
            .map(|(x, y)| screen.pixel(x, y))
            .filter(|&(r, g, b)| r > 235 && g > 235 && b > 235)
            .count();
        let all = screen.width.div_ceil(4) * screen.height.div_ceil(4);
        white * 2 > all as usize
    };
    cockpit.click("#devices-open").await;
    cockpit.wait_until("#devices", "el.open").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let screen = cockpit.on_screen(&display, "#devices").await;
        if dialog_seen(&screen) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the devices dialog is not seen over the call's pictures"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    cockpit.click("#devices-cancel").await;
    cockpit.wait_until("#devices", "!el.open").await;
    let shown = cockpit
        .value("return Number(document.querySelector('#remote-video').dataset.frames)")
        .await
        .as_u64()
        .unwrap();
    cockpit
        .wait_until(
            "#remote-video",
            &format!("Number(el.dataset.frames) > {}", shown + 10),
        )
        .await;

    // A picture scrolled partly out of the call's column is cut where the page cuts it:
    // above the column the screen shows what the page shows there, not the picture.
    cockpit
        .client
        .set_window_rect(0, 0, 1000, 520)
        .await
        .unwrap();
    cockpit
        .wait_until(
            ".primary",
            "window.innerHeight < 560 && el.scrollHeight > el.clientHeight + 40",
        )
        .await;
    let scrolled = cockpit
        .value(
            "const p = document.querySelector('.primary'); p.scrollTop = 150; return p.scrollTop;",
        )
        .await
        .as_f64()
        .unwrap();
    assert!(scrolled > 30.0, "the call's column scrolls ({scrolled})");
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let v = cockpit
        .value(
            "const c = document.querySelector('#remote-video').getBoundingClientRect();
             const p = document.querySelector('.primary').getBoundingClientRect();
             return [c.left, Math.max(c.top, 0), c.width, p.top - Math.max(c.top, 0),
                     window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
        )
        .await;
    let n = |i: usize| v[i].as_f64().unwrap().round() as i64;
    assert!(n(3) >= 10, "the picture reaches above the column: {v}");
    let (wx, wy, _, _) = cockpit.client.get_window_rect().await.unwrap();
    let on_screen = balie_testkit::screen::Screen::grab(
        &display.name,
        wx as i64 + n(4) + n(0),
        wy as i64 + n(5) + n(1),
        n(2),
        n(3),
    );
    let page = balie_testkit::screen::Screen::from_png(&cockpit.client.screenshot().await.unwrap())
        .crop(n(0) as u32, n(1) as u32, n(2) as u32, n(3) as u32);
    let difference = on_screen.difference(&page);
    assert!(
        difference < 12.0,
        "above the column the screen differs from the page by {difference:.1}: the picture is drawn there"
    );
    cockpit.screen_shot(&display, "gesprek-call-scrolled").await;
    cockpit
        .client
        .set_window_rect(0, 0, 1280, 860)
        .await
        .unwrap();

    // The citizen hangs up; the call window says so and stops drawing.
    chromium::click(&browser, "#hangup").await;
    cockpit
        .wait_until("#lobby-status", "el.textContent.includes('verlaten')")
        .await;
    cockpit.wait_until("#call", "el.hidden").await;
    let _ = browser.close().await;
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_balie_video_webgl_the_call_window_draws_the_pictures_itself() {
    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit =
        Cockpit::start_with(COCKPIT, &display, data.path(), &[("BALIE_VIDEO", "webgl")]).await;
    cockpit.window("gesprek").await;
    let url = cockpit.new_conversation().await;
    let (browser, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    browser.goto(&format!("{url}?lang=nl")).await.unwrap();
    chromium::click(&browser, "#knock").await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;
    cockpit
        .wait_until("#remote-video", "Number(el.dataset.frames) > 30")
        .await;
    assert_eq!(
        cockpit
            .value("return document.querySelector('#remote-video').dataset.drawing ?? null")
            .await,
        serde_json::Value::Null,
        "not drawn natively"
    );
    // The canvas holds the picture (WebGL keeps it), and the screen shows it.
    let canvas: Vec<u64> = cockpit
        .value(&format!(
            "return (function() {{ {SAMPLE_CANVAS} }}).call(null, '#remote-video')"
        ))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    let spread = canvas.iter().max().unwrap() - canvas.iter().min().unwrap();
    assert!(spread > 60, "the canvas is flat (spread {spread})");
    let screen = cockpit
        .on_screen(&display, "#remote-video")
        .await
        .red_grid(160, 120);
    let spread = screen.iter().max().unwrap() - screen.iter().min().unwrap();
    assert!(spread > 60, "the screen shows no picture (spread {spread})");
    let _ = browser.close().await;
    cockpit.stop().await;
}

/// In the call window: the traffic signs from the catalog, the sandbox, *Betaling vragen*.
async fn ask_sandbox_payment_for_traffic_signs(cockpit: &Cockpit) {
    cockpit
        .value(
            "const product = document.querySelector('#pay-product');
             product.value = 'verkeersborden';
             product.dispatchEvent(new Event('change'));
             const provider = document.querySelector('#pay-provider');
             provider.value = 'sandbox';
             provider.dispatchEvent(new Event('change'));
             return true;",
        )
        .await;
    cockpit
        .wait_until("#pay-mode", "el.textContent.includes('TESTMODUS')")
        .await;
    cockpit
        .wait_until("#pay-amount", "el.value === '45,00'")
        .await;
    cockpit.click("#pay-request").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_asked_in_the_call_is_paid_by_the_citizen_and_both_sides_see_it() {
    use fantoccini::Locator;

    let _serial = serial().await;
    // A 1600x900 screen: the 960x1080 window below reaches past its bottom, which X
    // allows; on a 1920x1080 Xvfb screen WebKitWebDriver's screenshots hung here.
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    cockpit.window("gesprek").await;
    cockpit.click("#new-conversation").await;
    cockpit.wait_until("#join-url", "el.value.length > 0").await;
    let url = cockpit
        .value("return document.querySelector('#join-url').value")
        .await;
    let url = url.as_str().unwrap().to_string();
    let relay = url.split("/j/").next().unwrap().to_string();

    // Issue 13: no knock banner before anyone knocks.
    seen::assert_not_rendered(&cockpit.client, "#knock").await;
    seen::assert_not_rendered(&cockpit.client, "#admit").await;
    seen::assert_hidden_means_gone(&cockpit.client).await;

    let (browser, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    seen::set_viewport(&browser, 360, 640).await;
    browser.goto(&format!("{url}?lang=nl")).await.unwrap();
    chromium::click(&browser, "#knock").await;
    seen::wait_seen(&cockpit.client, "#admit").await;
    seen::screenshot(&cockpit.client, "gesprek-knock").await;
    cockpit.click("#admit").await;
    chromium::wait_for_text(&browser, "#lobby-status", "U bent verbonden").await;
    // Let in: the banner is gone, and the call's window holds the picture, the call bar,
    // the payment panel and the chat at once, without scrolling, on one monitor (half of
    // 1920x1080) and on two (1280x860).
    seen::assert_not_rendered(&cockpit.client, "#knock").await;
    for (w, h) in [(960, 1080), (1280, 860)] {
        seen::set_viewport(&cockpit.client, w, h).await;
        for part in [
            "#remote-video",
            "#call-timer",
            "#mute",
            "#hangup",
            "#pay-heading",
            "#pay-product",
            "#pay-amount",
            "#pay-provider",
            "#pay-request",
            "#chat-input",
            "#chat-form button[type=submit]",
        ] {
            seen::wait_seen(&cockpit.client, part).await;
        }
        let violations = chromium::axe_violations(&cockpit.client).await;
        assert!(
            violations.is_empty(),
            "the call window {w}x{h}: {violations}"
        );
        seen::assert_hidden_means_gone(&cockpit.client).await;
        // From the screen: the pictures are drawn over the page, outside WebDriver's view.
        cockpit
            .screen_shot(&display, &format!("gesprek-call-{w}x{h}"))
            .await;
    }
    // With the keyboard alone: Tab from *Ophangen* goes on to the payment form, not to
    // something hidden or off-screen between them.
    cockpit
        .value("document.querySelector('#hangup').focus(); return true;")
        .await;
    cockpit
        .client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{e004}")
        .await
        .unwrap();
    cockpit
        .wait_until("#pay-product", "document.activeElement === el")
        .await;

    // The clerk picks the traffic signs from the catalog and asks for the sandbox payment.
    cockpit
        .wait_until(
            "#pay-provider",
            "[...el.options].some(o => o.value === 'sandbox')",
        )
        .await;
    ask_sandbox_payment_for_traffic_signs(&cockpit).await;
    cockpit
        .wait_until(
            "#pay-list",
            "el.querySelector('.payment[data-status=\"open\"]')?.textContent.includes('Wacht op betaling')",
        )
        .await;

    // The citizen sees the card: amount, payee, a test label and the button.
    chromium::wait_for_text(&browser, "#payment-cards", "45,00").await;
    chromium::wait_for_text(&browser, "#payment-cards", "Testbetaling").await;
    chromium::wait_for_text(&browser, "#payment-cards", "Wacht op uw betaling").await;
    let violations = chromium::axe_violations(&browser).await;
    assert!(violations.is_empty(), "the payment card: {violations}");
    // Back from a banking app the page may have been reloaded: it rejoins without the
    // clerk and gets its card again.
    browser.refresh().await.unwrap();
    chromium::click(&browser, "#knock").await;
    chromium::wait_for_text(&browser, "#lobby-status", "U bent verbonden").await;
    chromium::wait_for_text(&browser, "#payment-cards", "Wacht op uw betaling").await;
    let href = browser
        .find(Locator::Css("a.pay-button"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.starts_with(&format!("{relay}/sandbox/checkout/")),
        "{href}"
    );

    // *Betalen* opens the checkout in a new tab; the test pays there.
    let call_tab = browser.window().await.unwrap();
    chromium::click(&browser, "a.pay-button").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let checkout_tab = loop {
        let tabs = browser.windows().await.unwrap();
        if let Some(tab) = tabs.into_iter().find(|t| *t != call_tab) {
            break tab;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkout tab opened"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    browser.switch_to_window(checkout_tab).await.unwrap();
    chromium::wait_for_text(&browser, "main", "Dit is een test").await;
    let violations = chromium::axe_violations(&browser).await;
    assert!(violations.is_empty(), "the sandbox checkout: {violations}");
    chromium::click(&browser, "button[value=paid]").await;
    chromium::wait_for_text(&browser, "main", "terug naar uw gesprek").await;
    browser.close_window().await.unwrap();
    browser.switch_to_window(call_tab).await.unwrap();

    // Both sides see it paid: the cockpit from the provider's answer, the citizen from
    // the cockpit.
    cockpit
        .wait_until(
            "#pay-list",
            "el.querySelector('.payment[data-status=\"paid\"]')?.textContent.includes('Betaald')",
        )
        .await;
    chromium::wait_for_text(&browser, "#payment-cards", "Betaling ontvangen").await;
    chromium::wait_for_text(&browser, "#payment-cards", "Ontvangen op").await;
    let violations = chromium::axe_violations(&browser).await;
    assert!(violations.is_empty(), "the paid card: {violations}");
    seen::no_sideways_scroll(&browser).await;
    seen::screenshot(&browser, "citizen-card-paid").await;
    cockpit.screen_shot(&display, "gesprek-payment-paid").await;

    // Issue 12: the provider answers "paid" for one cent instead of what was asked (a
    // manipulated or mixed-up payment). Neither side may call that paid.
    ask_sandbox_payment_for_traffic_signs(&cockpit).await;
    cockpit
        .wait_until(
            "#pay-list",
            "el.querySelectorAll('.payment').length === 2 && el.querySelector('.payment[data-status=\"open\"]')",
        )
        .await;
    let relay_db = rusqlite::Connection::open(data.path().join("relay/relay.sqlite3")).unwrap();
    let tampered = relay_db
        .execute(
            "UPDATE sandbox_payment SET amount_cents = 1, status = 'paid', decided_at = created_at
             WHERE status = 'open'",
            [],
        )
        .unwrap();
    assert_eq!(tampered, 1);
    cockpit
        .wait_until(
            "#pay-list",
            "el.querySelector('.payment[data-status=\"mismatch\"]')?.textContent.includes('Klopt niet')",
        )
        .await;
    // Beside the picture, in sight without scrolling (issue 13), at 1280x860 with two
    // payments in the list.
    seen::wait_seen(
        &cockpit.client,
        ".payment[data-status=\"mismatch\"] .payment-status",
    )
    .await;
    seen::wait_seen(&cockpit.client, "#remote-video").await;
    seen::wait_seen(&cockpit.client, "#chat-input").await;
    assert_eq!(
        cockpit
            .value("return document.querySelectorAll('.payment[data-status=\"paid\"]').length")
            .await,
        1,
        "only the first payment is paid"
    );
    seen::screenshot(&cockpit.client, "gesprek-payment-mismatch").await;
    chromium::wait_for_text(&browser, "#payment-cards", "wordt nagekeken").await;
    seen::wait_seen(
        &browser,
        ".payment-card[data-status=\"review\"] .card-status",
    )
    .await;
    let violations = chromium::axe_violations(&browser).await;
    assert!(violations.is_empty(), "the card under review: {violations}");
    assert_eq!(
        browser
            .execute(
                "return document.querySelector('.payment-card[data-status=\"review\"] a.pay-button') === null",
                vec![],
            )
            .await
            .unwrap(),
        true,
        "nothing to pay on a card under review"
    );
    seen::screenshot(&browser, "citizen-card-review").await;
    seen::no_sideways_scroll(&browser).await;

    let _ = browser.close().await;
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cockpit_killed_while_a_payment_is_open_follows_it_to_paid_after_a_restart() {
    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    cockpit.new_conversation().await;
    cockpit
        .request_sandbox_payment("250,00", "Huur feestzaal 14/12")
        .await;
    let id = cockpit
        .value("return document.querySelector('.payment').dataset.paymentId")
        .await;
    let id = id.as_str().unwrap().to_string();

    cockpit.kill().await;

    let status = |db: &std::path::Path| -> String {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.query_row("SELECT status FROM payment WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let cockpit_db = data.path().join("cockpit.sqlite3");
    assert_eq!(
        status(&cockpit_db),
        "open",
        "written down before it was shown"
    );

    // Started again (its embedded relay on a new port, same data), the payment is paid on
    // the sandbox's checkout page.
    let again = Cockpit::start(COCKPIT, &display, data.path()).await;
    again.window("gesprek").await;
    again
        .wait_until(
            "#relay-status",
            "el.textContent.includes('http://127.0.0.1:')",
        )
        .await;
    let relay_line = again
        .value("return document.querySelector('#relay-status').textContent")
        .await;
    let relay = relay_line
        .as_str()
        .unwrap()
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    let token: String = rusqlite::Connection::open(data.path().join("relay/relay.sqlite3"))
        .unwrap()
        .query_row("SELECT checkout_token FROM sandbox_payment", [], |r| {
            r.get(0)
        })
        .unwrap();
    pay_on_sandbox(&format!("{relay}/sandbox/checkout/{token}")).await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while status(&cockpit_db) != "paid" {
        assert!(
            std::time::Instant::now() < deadline,
            "the restarted cockpit did not follow the payment to paid"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let source: String = rusqlite::Connection::open(&cockpit_db)
        .unwrap()
        .query_row(
            "SELECT source FROM payment_status WHERE payment_id = ?1 AND to_status = 'paid'",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(source, "provider");
    again.stop().await;
}

/// One value from the cockpit's database at `db`, if the query finds a row.
fn db_text(db: &std::path::Path, sql: &str, id: &str) -> Option<String> {
    use rusqlite::OptionalExtension as _;
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [id], |r| r.get(0))
        .optional()
        .unwrap()
}

/// Waits until payment `id` has `status` in the cockpit's database; how long that took.
async fn status_becomes(db: &std::path::Path, id: &str, status: &str) -> std::time::Duration {
    let start = std::time::Instant::now();
    loop {
        let now = db_text(db, "SELECT status FROM payment WHERE id = ?1", id);
        if now.as_deref() == Some(status) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "payment {id} stayed {now:?}, never {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cockpit_killed_before_the_create_answer_after_create_or_after_paid_loses_and_doubles_nothing()
 {
    use balie_testkit::matrix::{Payments, row};
    use std::time::{Duration, Instant};
    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let (mollie, fake) = balie_testkit::mollie::fake_mollie().await;
    let secrets = balie_secrets::SecretStore::new(format!("be.balie.e2e.{}", std::process::id()));
    secrets
        .set(
            balie_secrets::SecretName::MollieApiKey,
            &secrecy::SecretString::from(format!("test_{}", "k".repeat(30))),
        )
        .unwrap();
    let env = [("BALIE_MOLLIE_API_URL", mollie.as_str())];
    let db = data.path().join("cockpit.sqlite3");
    let at_provider = || fake.payments.lock().unwrap().len();
    let paid_rows = |id: &str| -> usize {
        db_text(
            &db,
            "SELECT CAST(COUNT(*) AS TEXT) FROM payment_status WHERE payment_id = ?1 AND to_status = 'paid'",
            id,
        )
        .map_or(0, |n| n.parse().unwrap())
    };

    // 1. Killed while Mollie's answer to the create is on its way: Mollie made the
    //    payment, the cockpit never heard of it.
    *fake.answer_delay.lock().unwrap() = Duration::from_secs(120);
    let cockpit = Cockpit::start_with(COCKPIT, &display, data.path(), &env).await;
    cockpit.new_conversation().await;
    cockpit
        .wait_until(
            "#pay-provider",
            "[...el.options].some(o => o.value === 'mollie')",
        )
        .await;
    cockpit
        .value(
            "document.querySelector('#pay-amount').value = '250,00';
             document.querySelector('#pay-description').value = 'Huur feestzaal 14/12';
             document.querySelector('#pay-provider').value = 'mollie';
             return true;",
        )
        .await;
    cockpit.click("#pay-request").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while at_provider() == 0 {
        assert!(Instant::now() < deadline, "the create never reached Mollie");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cockpit.kill().await;
    let id = db_text(&db, "SELECT id FROM payment WHERE status = ?1", "created")
        .expect("written down before Mollie was asked, and not made up as answered");
    *fake.answer_delay.lock().unwrap() = Duration::ZERO;
    let restart = Instant::now();
    let again = Cockpit::start_with(COCKPIT, &display, data.path(), &env).await;
    status_becomes(&db, &id, "open").await;
    let provider_id = db_text(&db, "SELECT provider_id FROM payment WHERE id = ?1", &id);
    row(
        "SIGKILL of the cockpit before the create's answer",
        Some(Payments {
            lost: usize::from(
                provider_id
                    .as_ref()
                    .is_none_or(|p| !fake.payments.lock().unwrap().contains_key(p)),
            ),
            duplicated: at_provider() - 1,
            wrongly_paid: paid_rows(&id),
        }),
        Some(restart.elapsed()),
    );
    assert_eq!(
        *fake.creates.lock().unwrap(),
        2,
        "asked again after the restart, with the same idempotency key"
    );
    let provider_id = provider_id.unwrap();

    // 2. Killed with the payment open; the citizen pays while the cockpit is down.
    again.kill().await;
    fake.pay(&provider_id);
    let restart = Instant::now();
    let third = Cockpit::start_with(COCKPIT, &display, data.path(), &env).await;
    status_becomes(&db, &id, "paid").await;
    row(
        "SIGKILL of the cockpit after create (paid while it was down)",
        Some(Payments {
            lost: 0,
            duplicated: (at_provider() - 1) + (paid_rows(&id) - 1),
            wrongly_paid: 0,
        }),
        Some(restart.elapsed()),
    );

    // 3. Killed after it was seen paid: still paid, once, and nothing asked anew.
    third.kill().await;
    let restart = Instant::now();
    let fourth = Cockpit::start_with(COCKPIT, &display, data.path(), &env).await;
    fourth.window("gesprek").await;
    let still = db_text(&db, "SELECT status FROM payment WHERE id = ?1", &id);
    let up = restart.elapsed();
    // Long enough for a resume to act, if it were to.
    tokio::time::sleep(Duration::from_secs(6)).await;
    row(
        "SIGKILL of the cockpit after paid",
        Some(Payments {
            lost: usize::from(still.as_deref() != Some("paid")),
            duplicated: (at_provider() - 1) + (paid_rows(&id) - 1),
            wrongly_paid: 0,
        }),
        Some(up),
    );
    assert_eq!(*fake.creates.lock().unwrap(), 2, "no create after paid");
    fourth.stop().await;
    secrets
        .delete(balie_secrets::SecretName::MollieApiKey)
        .unwrap();
}

/// A Mollie that knows one key and no payments: what *Verbinding testen* asks.
async fn fake_mollie(good_key: &'static str) -> String {
    use axum::http::{HeaderMap, StatusCode};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/v2/payments/{id}",
        axum::routing::get(move |headers: HeaderMap| async move {
            let authorised = headers.get("authorization").and_then(|v| v.to_str().ok())
                == Some(&format!("Bearer {good_key}"));
            let (status, title, detail) = if authorised {
                (
                    StatusCode::NOT_FOUND,
                    "Not Found",
                    "No payment exists with token tr_balieverbindingstest.",
                )
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    "Unauthorized Request",
                    "Missing authentication, or failed to authenticate",
                )
            };
            (
                status,
                [("content-type", "application/hal+json")],
                serde_json::json!({ "status": status.as_u16(), "title": title, "detail": detail })
                    .to_string(),
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_key_is_tested_before_it_is_kept_and_test_mode_is_shown() {
    const GOOD: &str = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM";
    let _serial = serial().await;
    let mollie = fake_mollie(GOOD).await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start_with(
        COCKPIT,
        &display,
        data.path(),
        &[("BALIE_MOLLIE_API_URL", &mollie)],
    )
    .await;
    cockpit.window("gesprek").await;
    cockpit.click("#keys-open").await;
    cockpit
        .wait_until(
            "#keys-list",
            "el.textContent.includes('Bancontact via Mollie')",
        )
        .await;
    let enter = |key: &'static str| {
        let cockpit = &cockpit;
        async move {
            cockpit
                .value(&format!(
                    "document.querySelector('#key-mollie').value = '{key}'; return true;"
                ))
                .await;
            cockpit
                .click("#keys-list fieldset:first-of-type .link-row button:first-child")
                .await;
        }
    };
    // Not a Mollie key at all: refused before anything is sent.
    enter("sk_test_abc").await;
    cockpit
        .wait_until(
            "#keys-error",
            "!el.hidden && el.textContent.includes('Dit lijkt geen sleutel')",
        )
        .await;
    // A Mollie-shaped key that Mollie refuses: not kept.
    enter("test_wrongwrongwrongwrongwrongwrong").await;
    cockpit
        .wait_until(
            "#keys-error",
            "!el.hidden && el.textContent.includes('weigert de sleutel')",
        )
        .await;
    cockpit
        .wait_until("#keys-list", "el.textContent.includes('Geen sleutel')")
        .await;
    // The right key: tested, kept, offered, and its test mode shown.
    enter(GOOD).await;
    cockpit
        .wait_until(
            "#keys-status",
            "el.textContent.includes('getest en bewaard (testmodus)')",
        )
        .await;
    cockpit
        .wait_until("#keys-list", "el.textContent.includes('TESTMODUS')")
        .await;
    let secrets = balie_secrets::SecretStore::new(format!("be.balie.e2e.{}", std::process::id()));
    let kept = secrets
        .get(balie_secrets::SecretName::MollieApiKey)
        .unwrap()
        .unwrap();
    use secrecy::ExposeSecret as _;
    assert_eq!(kept.expose_secret(), GOOD);
    cockpit.click("#keys-form button[type=submit]").await;
    cockpit.click("#new-conversation").await;
    cockpit
        .wait_until(
            "#pay-provider",
            "[...el.options].some(o => o.value === 'mollie')",
        )
        .await;
    cockpit
        .value(
            "const p = document.querySelector('#pay-provider');
             p.value = 'mollie'; p.dispatchEvent(new Event('change')); return true;",
        )
        .await;
    cockpit
        .wait_until("#pay-mode", "el.textContent.includes('TESTMODUS')")
        .await;
    // Removed: gone from the keyring.
    cockpit.click("#keys-open").await;
    cockpit
        .wait_until("#keys-list", "el.textContent.includes('Verwijderen')")
        .await;
    cockpit
        .value(
            "[...document.querySelectorAll('#keys-list button')].find(b => b.textContent === 'Verwijderen').click(); return true;",
        )
        .await;
    cockpit
        .wait_until(
            "#keys-status",
            "el.textContent.includes('Sleutel verwijderd')",
        )
        .await;
    assert!(
        secrets
            .get(balie_secrets::SecretName::MollieApiKey)
            .unwrap()
            .is_none()
    );
    cockpit.stop().await;
}

/// Writes a party and a case into the cockpit database at `data` (before the cockpit
/// starts); the case's number.
fn seed_case(data: &std::path::Path, number: &str, title: &str, party: &str) {
    use balie_store::cockpit::case;
    let mut conn =
        balie_store::open(&data.join("cockpit.sqlite3"), &balie_store::cockpit::SCHEMA).unwrap();
    // Opened an hour ago (the timeline would say 1970 for a time of 0).
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
        - 3_600_000;
    let party = case::add_party(
        &conn,
        &case::NewParty {
            kind: case::PartyKind::Company,
            name: party.into(),
            enterprise_number: None,
            email: None,
            phone: None,
            address: None,
            external_id: None,
        },
        now_ms,
    )
    .unwrap();
    case::add_case(
        &mut conn,
        &case::NewCase {
            number: number.into(),
            party_id: party,
            product_id: Some("verkeersborden".into()),
            title: title.into(),
            status: case::CaseStatus::Approved,
            assigned_clerk: None,
        },
        "import",
        now_ms,
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_of_the_call_comes_up_on_the_second_monitor_and_its_payment_lands_in_it() {
    let _serial = serial().await;
    let display = two_monitors();
    let data = tempfile::tempdir().unwrap();
    seed_case(
        data.path(),
        "2026-000101",
        "Opendeurdag: verkeersborden",
        "Garage Peeters",
    );
    seed_case(
        data.path(),
        "2026-000102",
        "Huur feestzaal 14/12",
        "Scouts Sint-Jozef",
    );
    let cockpit = Cockpit::start(COCKPIT, &display, data.path()).await;
    let dossier = cockpit.rect("dossier").await;
    assert!(
        dossier.within(W, 0, W, H),
        "dossier on the second monitor: {dossier:?}"
    );

    let url = cockpit.new_conversation().await;

    // In the dossier window: find the garage's case and link it to the conversation.
    cockpit.window("dossier").await;
    cockpit
        .value("document.querySelector('#search').value = 'garage'; document.querySelector('#search-form').requestSubmit(); return true;")
        .await;
    cockpit
        .wait_until("#results", "el.textContent.includes('2026-000101')")
        .await;
    cockpit.click("#results .case-item").await;
    cockpit
        .wait_until("#case-number", "el.textContent === '2026-000101'")
        .await;
    cockpit.click("#case-link").await;
    cockpit.wait_until("#case-call", "!el.hidden").await;
    // The clerk looks at another case while the citizen is on the way.
    cockpit
        .value("document.querySelector('#search').value = 'scouts'; document.querySelector('#search-form').requestSubmit(); return true;")
        .await;
    cockpit
        .wait_until("#results", "el.textContent.includes('2026-000102')")
        .await;
    cockpit.click("#results .case-item").await;
    cockpit
        .wait_until("#case-number", "el.textContent === '2026-000102'")
        .await;

    // The citizen comes in: the call's case comes up by itself in the dossier window.
    let (browser, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    browser.goto(&format!("{url}?lang=nl")).await.unwrap();
    chromium::click(&browser, "#knock").await;
    cockpit.window("gesprek").await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;
    cockpit.window("dossier").await;
    cockpit
        .wait_until("#case-number", "el.textContent === '2026-000101'")
        .await;
    cockpit.wait_until("#case-call", "!el.hidden").await;

    // A payment asked in the call (call window) lands in the case's timeline, and when the
    // provider says paid, the timeline says so.
    cockpit
        .request_sandbox_payment("45,00", "Verkeersborden opendeurdag")
        .await;
    let checkout = cockpit
        .value("return document.querySelector('.payment input').value")
        .await;
    cockpit.window("dossier").await;
    cockpit
        .wait_until(
            "#case-timeline",
            "el.querySelector('[data-kind=\"payment\"][data-status=\"open\"]')",
        )
        .await;
    pay_on_sandbox(checkout.as_str().unwrap()).await;
    cockpit
        .wait_until(
            "#case-timeline",
            "el.querySelector('[data-kind=\"payment\"][data-status=\"paid\"]')?.textContent.includes('Betaald')",
        )
        .await;
    seen::scroll_and_see(
        &cockpit.client,
        "#case-timeline [data-kind=\"payment\"] .badge.test",
    )
    .await;
    seen::screenshot(&cockpit.client, "dossier-timeline-payment-paid").await;
    seen::assert_hidden_means_gone(&cockpit.client).await;
    cockpit
        .wait_until(
            "#case-audit",
            "el.textContent.includes('betaling gevraagd')",
        )
        .await;
    let _ = browser.close().await;
    cockpit.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_dossier_window_a_case_is_opened_documented_imported_and_exported() {
    let _serial = serial().await;
    let display = one_monitor(1600, 900);
    let data = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start_with(
        COCKPIT,
        &display,
        data.path(),
        &[("BALIE_EXPORT_DIR", exports.path().to_str().unwrap())],
    )
    .await;
    cockpit.window("dossier").await;

    // Nieuw dossier: a company without its enterprise number is refused in Dutch.
    cockpit.click("#new-case-open").await;
    cockpit
        .wait_until("#new-product", "el.options.length > 1")
        .await;
    cockpit
        .value(
            "document.querySelector('#new-kind').value = 'company';
             document.querySelector('#new-name').value = 'Garage Peeters';
             document.querySelector('#new-title').value = 'Opendeurdag: verkeersborden';
             document.querySelector('#new-product').value = 'verkeersborden';
             return true;",
        )
        .await;
    cockpit.click("#new-case-create").await;
    cockpit
        .wait_until(
            "#new-case-error",
            "!el.hidden && el.textContent.includes('ondernemingsnummer')",
        )
        .await;
    cockpit
        .value("document.querySelector('#new-number').value = '0203.201.340'; return true;")
        .await;
    cockpit.click("#new-case-create").await;
    cockpit
        .wait_until(
            "#case-title",
            "el.textContent === 'Opendeurdag: verkeersborden'",
        )
        .await;
    let number = cockpit
        .value("return document.querySelector('#case-number').textContent")
        .await;
    let number = number.as_str().unwrap().to_string();
    assert!(number.ends_with("-000001"), "{number}");
    // No call: the "In dit gesprek" badge is not shown (a class's `display` beat `hidden`).
    cockpit
        .wait_until(
            "#case-call",
            "el.hidden && getComputedStyle(el).display === 'none'",
        )
        .await;

    // A document, sent as raw bytes through the window's IPC; a program file is refused.
    let attach = |name: &str, bytes: &str| {
        format!(
            "const done = arguments[arguments.length - 1];
             const id = Number(document.querySelector('#case').dataset.caseId);
             window.__TAURI_INTERNALS__.invoke('attach_document', new TextEncoder().encode({bytes}),
                 {{ headers: {{ 'x-case-id': String(id), 'x-file-name': encodeURIComponent({name:?}) }} }})
               .then(() => done('ok'), e => done(e.kind + ': ' + e.message));"
        )
    };
    let answer = cockpit
        .client
        .execute_async(
            &attach(
                "vergunning van het college.pdf",
                "'%PDF-1.4\\nbeslissing\\n'",
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(answer, "ok");
    let refused = cockpit
        .client
        .execute_async(&attach("plan.exe", "'MZ\\u0090\\u0000\\u0003'"), vec![])
        .await
        .unwrap();
    assert!(
        refused.as_str().unwrap().starts_with("rejected"),
        "{refused}"
    );
    cockpit
        .wait_until(
            "#case-documents",
            "el.textContent.includes('vergunning van het college.pdf')",
        )
        .await;
    // Issue 12: a text document holding markup is shown as text in the window, never
    // handed to the system's viewer (which would sniff HTML and open a browser).
    let answer = cockpit
        .client
        .execute_async(
            &attach(
                "brief.txt",
                "'<b>Beste</b> <script>window.__ran = 1</script>'",
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(answer, "ok");
    cockpit
        .wait_until("#case-documents", "el.textContent.includes('brief.txt')")
        .await;
    cockpit
        .value(
            "[...document.querySelectorAll('#case-documents li')]
               .find(li => li.textContent.includes('brief.txt')).querySelector('button').click();
             return true;",
        )
        .await;
    cockpit
        .wait_until(
            "#document-view-text",
            "el.textContent === '<b>Beste</b> <script>window.__ran = 1</script>' && !el.querySelector('b') && !window.__ran",
        )
        .await;
    balie_testkit::seen::wait_seen(&cockpit.client, "#document-view-text").await;
    cockpit.wait_until("#document-view-cut", "el.hidden").await;
    balie_testkit::seen::wait_seen(&cockpit.client, "#document-view button").await;
    balie_testkit::seen::screenshot(&cockpit.client, "dossier-text-document").await;
    balie_testkit::seen::assert_hidden_means_gone(&cockpit.client).await;
    cockpit.click("#document-view button").await;
    cockpit.wait_until("#document-view", "!el.open").await;

    // Import: a file with a bad row imports nothing and lists the row; a good one goes in.
    let import = |csv: &str| {
        format!(
            "const input = document.querySelector('#import-file');
             const files = new DataTransfer();
             files.items.add(new File([{csv:?}], 'dossiers.csv', {{ type: 'text/csv' }}));
             input.files = files.files;
             document.querySelector('#import-run').click();
             return true;"
        )
    };
    cockpit.click("#import-open").await;
    cockpit
        .value(&import(
            "title;party_kind;party_name;enterprise_number\nHuur feestzaal;association;Scouts Sint-Jozef;0403.199.702\nTerras;company;Frituur Maes;0403.199.703\n",
        ))
        .await;
    cockpit
        .wait_until(
            "#import-errors",
            "el.textContent.includes('Regel 3') && el.textContent.includes('controlecijfers')",
        )
        .await;
    cockpit
        .wait_until(
            "#import-status",
            "el.textContent.includes('Niets ingevoerd')",
        )
        .await;
    cockpit
        .value(&import(
            "title;party_kind;party_name;enterprise_number\nHuur feestzaal;association;Scouts Sint-Jozef;0403.199.702\n",
        ))
        .await;
    cockpit
        .wait_until("#import-status", "el.textContent.includes('1 dossiers')")
        .await;
    cockpit.click("#import-form button[type=submit]").await;
    cockpit
        .wait_until("#results", "el.textContent.includes('Scouts Sint-Jozef')")
        .await;

    // Export as PDF: the file is where the window says, and it is the case's.
    cockpit.click("#case-export-pdf").await;
    cockpit
        .wait_until("#case-status-line", "el.textContent.includes('.pdf')")
        .await;
    let pdf = exports.path().join(format!("dossier-{number}.pdf"));
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (package poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains(&format!("Dossier {number}")), "{text}");
    assert!(text.contains("Garage Peeters"), "{text}");

    // Who viewed and changed it is shown.
    cockpit
        .wait_until("#case-audit", "el.textContent.includes('dossier geopend') && el.textContent.includes('document toegevoegd')")
        .await;
    cockpit.stop().await;
}
