//! The front door in Debian's Chromium as a citizen's phone (360x640): every page in
//! Dutch, French and English free of WCAG 2.1 AA violations (axe), nothing sideways also
//! at 320 px and 200% text, and a whole booking done with the keyboard alone.
//! Screenshots: `front-{page}-{lang}-{w}x{h}-text{100,200}` in the screenshot folder.

use crate::booking::{seed, slot_values};
use crate::helpers::*;
use balie_testkit::chromium::{axe_violations, chromium_with, wait_for_text};
use balie_testkit::seen;
use fantoccini::{Client, Locator};

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";
const SPACE: &str = "\u{e00d}";

/// Presses `keys` on whatever has the focus, as a keyboard does.
async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// Presses Tab until the element matching `css` has the focus (at most 80 times): it is
/// reachable by keyboard, in the page's order.
async fn tab_to(client: &Client, css: &str) {
    let check = format!("return document.activeElement?.matches({css:?}) ?? false;");
    for _ in 0..80 {
        if client.execute(&check, vec![]).await.unwrap() == serde_json::json!(true) {
            return;
        }
        press(client, TAB).await;
    }
    panic!("{css} cannot be reached with Tab");
}

/// At 200% text an element may be taller than the screen: scrolled to, its start is on
/// the screen and not covered by anything else.
async fn reachable(client: &Client, css: &str, state: &str) {
    let why = client
        .execute(
            "const e = document.querySelector(arguments[0]);
             if (!e) return 'missing';
             e.scrollIntoView({ block: 'start' });
             const r = e.getBoundingClientRect();
             if (r.width === 0 || r.height === 0) return 'no box';
             if (r.top < -1 || r.top >= innerHeight || r.left < -1 || r.left >= innerWidth) return `off screen: ${JSON.stringify(r)}`;
             const at = document.elementFromPoint(r.left + 2, Math.max(r.top, 0) + 2);
             return at && (e === at || e.contains(at)) ? null : `covered by ${at?.tagName}.${at?.className}`;",
            vec![serde_json::json!(css)],
        )
        .await
        .unwrap();
    assert!(why.is_null(), "{state}: {css} cannot be reached: {why}");
}

/// Waits up to 20 s until the page's address contains `needle`.
async fn wait_for_url(client: &Client, needle: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let url = client.current_url().await.unwrap();
        if url.as_str().contains(needle) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never at {needle}: {url}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn text_size(client: &Client, factor: f64) {
    client
        .execute(
            "document.documentElement.style.fontSize = arguments[0] === 1 ? '' : `${112.5 * arguments[0]}%`; return true;",
            vec![serde_json::json!(factor)],
        )
        .await
        .unwrap();
}

/// The open page at 360x640 and 320x568, at 100% and 200% text: axe finds nothing (at
/// 360x640), nothing scrolls sideways, nothing `hidden` has a box, `css` is seen (at 200%:
/// reachable by scrolling); screenshots.
async fn check_page(client: &Client, name: &str, css: &[&str]) {
    check_any_page(client, &format!("front-{name}"), css).await;
}

/// As [`check_page`], for any relay page: screenshots named `{name}-…`.
pub(super) async fn check_any_page(client: &Client, name: &str, css: &[&str]) {
    for (w, h) in [(360, 640), (320, 568)] {
        seen::set_viewport(client, w, h).await;
        for zoom in [1.0, 2.0] {
            text_size(client, zoom).await;
            let state = format!("{name}-{w}x{h}-text{}", zoom * 100.0);
            // axe at the phone's usual size and text; the other states for what size and
            // text change: reflow, reach, what is hidden.
            if (w, zoom) == (360, 1.0) {
                let violations = axe_violations(client).await;
                assert!(violations.is_empty(), "{state}: {violations}");
            }
            seen::no_sideways_scroll(client).await;
            seen::assert_hidden_means_gone(client).await;
            for one in css {
                if zoom == 1.0 {
                    seen::scroll_and_see(client, one).await;
                } else {
                    reachable(client, one, &state).await;
                }
            }
            seen::screenshot(client, &state).await;
        }
        text_size(client, 1.0).await;
    }
    seen::set_viewport(client, 360, 640).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_books_moves_and_cancels_with_the_keyboard_alone_on_accessible_pages() {
    let relay = spawn_app().await;
    seed(&relay);
    let (client, _driver) = chromium_with(&[]).await;
    seen::set_viewport(&client, 360, 640).await;
    for (lang, book_label, confirmed, early, cancelled) in [
        (
            "nl",
            "Afspraak maken",
            "Uw afspraak is bevestigd",
            "Uw afspraak is op",
            "Uw afspraak is geannuleerd",
        ),
        (
            "fr",
            "Prendre rendez-vous",
            "Votre rendez-vous est confirmé",
            "Votre rendez-vous est le",
            "Votre rendez-vous est annulé",
        ),
        (
            "en",
            "Book an appointment",
            "Your appointment is confirmed",
            "Your appointment is on",
            "Your appointment is cancelled",
        ),
    ] {
        // The front door.
        client
            .goto(&format!("{}/?lang={lang}", relay.url))
            .await
            .unwrap();
        check_page(
            &client,
            &format!("door-{lang}"),
            &["h1", ".product .button"],
        )
        .await;
        // To the booking with the keyboard: the product's button, Enter.
        tab_to(&client, ".product a.button").await;
        let label = client
            .find(Locator::Css(".product a.button"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(label, book_label);
        press(&client, ENTER).await;
        wait_for_url(&client, "/book/sociaal-restaurant").await;
        check_page(
            &client,
            &format!("slots-{lang}"),
            &["legend", "button[type=submit]"],
        )
        .await;
        // The first moment: Tab to the first choice, Space; then to Continue, Enter.
        let source = client.source().await.unwrap();
        let first = slot_values(&source)[0];
        tab_to(&client, "input[name=at]").await;
        press(&client, SPACE).await;
        tab_to(&client, "form.slots button[type=submit]").await;
        press(&client, ENTER).await;
        wait_for_text(&client, ".step", "2").await;
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .as_str()
                .contains(&format!("at={first}"))
        );

        // The details: sent empty, the errors are listed and linked, the fields marked.
        tab_to(&client, "form.details button[type=submit]").await;
        relay.clock.advance(5);
        press(&client, ENTER).await;
        wait_for_text(&client, ".errors", "").await;
        check_page(
            &client,
            &format!("details-errors-{lang}"),
            &[".errors", "#f-name"],
        )
        .await;
        // Filled in with the keyboard.
        tab_to(&client, "#f-name").await;
        press(&client, "Dirk Peeters").await;
        tab_to(&client, "#f-email").await;
        press(&client, &format!("dirk.{lang}@example.be")).await;
        tab_to(&client, "#f-consent").await;
        press(&client, SPACE).await;
        tab_to(&client, "form.details button[type=submit]").await;
        relay.clock.advance(5);
        press(&client, ENTER).await;
        wait_for_text(&client, "h1", confirmed).await;
        check_page(
            &client,
            &format!("appointment-{lang}"),
            &["h1", "a.button.primary"],
        )
        .await;
        let manage = client.current_url().await.unwrap();

        // Early at the join link: told when, no knock button yet.
        let join = client
            .find(Locator::Css("a.button.primary"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        client.goto(&format!("{join}?lang={lang}")).await.unwrap();
        wait_for_text(&client, "h1", early).await;
        check_page(&client, &format!("early-{lang}"), &["h1"]).await;
        seen::assert_not_rendered(&client, "#knock").await;

        // Move: the chooser, a new moment, confirm; then cancel the new one.
        client
            .goto(&format!(
                "{}/move",
                manage.as_str().split('?').next().unwrap()
            ))
            .await
            .unwrap();
        check_page(&client, &format!("move-{lang}"), &["h1", "legend"]).await;
        let source = client.source().await.unwrap();
        let other = slot_values(&source)
            .into_iter()
            .find(|at| *at != first)
            .unwrap();
        let choice = format!("input[name=at][value=\"{other}\"]");
        tab_to(&client, &choice).await;
        press(&client, SPACE).await;
        tab_to(&client, "form.slots button[type=submit]").await;
        press(&client, ENTER).await;
        wait_for_url(&client, "/move/confirm").await;
        check_page(
            &client,
            &format!("move-confirm-{lang}"),
            &["form button.primary"],
        )
        .await;
        tab_to(&client, "form button.primary").await;
        press(&client, ENTER).await;
        wait_for_text(&client, "h1", confirmed).await;
        let moved = client.current_url().await.unwrap();
        client
            .goto(&format!(
                "{}/cancel",
                moved.as_str().split('?').next().unwrap()
            ))
            .await
            .unwrap();
        check_page(&client, &format!("cancel-{lang}"), &["button.danger"]).await;
        tab_to(&client, "button.danger").await;
        press(&client, ENTER).await;
        wait_for_text(&client, "h1", cancelled).await;
        check_page(&client, &format!("cancelled-{lang}"), &["h1"]).await;
    }
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_calls_now_with_the_keyboard_alone_waits_and_is_taken_to_the_conversation() {
    use balie_protocol::agenda::{ClerkStatus, SetStatus};
    let relay = spawn_app().await;
    seed(&relay);
    // Monday 30 November 2026, 09:30 in Brussels: open; the clerk's cockpit is connected.
    relay
        .clock
        .advance(T0 + 32 * 3600 + 30 * 60 - relay.clock.now_unix());
    let _cockpit = crate::ws::connect(&format!("{}/ws/hints", relay.ws_url()), Some(&relay.token))
        .await
        .unwrap();
    let available = || async {
        let done = relay
            .client
            .put(format!("{}/api/status", relay.url))
            .bearer_auth(&relay.token)
            .json(&SetStatus {
                status: ClerkStatus::Available,
            })
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 204);
    };
    let (client, _driver) = chromium_with(&[]).await;
    seen::set_viewport(&client, 360, 640).await;
    for (lang, call_label, waiting) in [
        ("nl", "Nu videobellen", "U bent de volgende."),
        ("fr", "Appel vidéo maintenant", "Vous êtes le prochain."),
        ("en", "Video call now", "You are next."),
    ] {
        available().await;
        client
            .goto(&format!("{}/?lang={lang}", relay.url))
            .await
            .unwrap();
        check_page(
            &client,
            &format!("door-call-now-{lang}"),
            &[".product a.button.primary", ".product a.button.secondary"],
        )
        .await;
        tab_to(&client, ".product a.button.primary").await;
        let label = client
            .find(Locator::Css(".product a.button.primary"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(label, call_label);
        press(&client, ENTER).await;
        wait_for_url(&client, "/queue/sociaal-restaurant").await;
        check_page(
            &client,
            &format!("queue-join-{lang}"),
            &["h1", "form button[type=submit]"],
        )
        .await;
        relay.clock.advance(5);
        tab_to(&client, "form button[type=submit]").await;
        press(&client, ENTER).await;
        wait_for_url(&client, "/q/").await;
        wait_for_text(&client, "#queue-status", waiting).await;
        check_page(
            &client,
            &format!("queue-ticket-{lang}"),
            &["#queue-status", "form button[type=submit]"],
        )
        .await;
        // The leave button is reachable with the keyboard.
        tab_to(&client, "form button[type=submit]").await;
        // The clerk takes the next citizen: the page goes to the conversation by itself.
        let taken = relay
            .client
            .post(format!("{}/api/queue/next", relay.url))
            .bearer_auth(&relay.token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(taken.status(), 200);
        wait_for_url(&client, "/j/").await;
        assert!(
            client
                .current_url()
                .await
                .unwrap()
                .as_str()
                .contains(&format!("lang={lang}"))
        );
    }
    client.close().await.unwrap();
    relay.stop().await;
}
