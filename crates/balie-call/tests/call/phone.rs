//! The citizen's call on a phone (issue 13): once in the call the page is the call (the
//! clerk's picture as large as the screen allows, the controls in reach, the texts from
//! before the call gone), and a payment request cannot be missed: it opens over the call
//! within a second, is said in the live region, and buzzes where the phone can.
//!
//! Checked as a person would see it ([`balie_testkit::seen`]) at 360x640 and 320x568
//! portrait and 640x360 landscape, at 200% text, in nl, fr and en, with axe-core on every
//! state; screenshots go to the README's folder.

use super::chromium::{axe_violations, wait_for_content};
use super::video_call::{Clerk, Command, citizen_let_in};
use super::*;
use balie_protocol::channel::{CardStatus, PayMethod, PaymentCard};
use balie_testkit::seen;
use std::time::Instant;

/// Phone viewports: portrait, the smallest portrait still sold, landscape.
const SIZES: [(u32, u32); 3] = [(360, 640), (320, 568), (640, 360)];

/// What must be in sight in a call, whatever else is open.
const CALL: [&str; 5] = ["#remote", "#mute", "#camera", "#chat-open", "#hangup"];

fn card(status: CardStatus) -> PaymentCard {
    PaymentCard {
        id: "pay-1".into(),
        payee: "Gemeente Balie".into(),
        amount_cents: 4500,
        description: "Verkeersborden".into(),
        reference: None,
        method: PayMethod::Checkout,
        checkout_url: Some("https://www.mollie.com/checkout/test-mode?token=6.abc".into()),
        iban: None,
        qr: Vec::new(),
        test: true,
        status,
        changed_at: "2026-12-03T10:00:00Z".into(),
    }
}

/// The texts this test looks for, per language (from the page's catalogs).
fn words(lang: &str) -> (&'static str, &'static str, &'static str) {
    match lang {
        "fr" => (
            "L’agent vous demande un paiement",
            "Paiement reçu",
            "L'entretien est terminé",
        ),
        "en" => (
            "The member of staff asks you for a payment",
            "Payment received",
            "The conversation has ended",
        ),
        _ => (
            "De medewerker vraagt een betaling",
            "Betaling ontvangen",
            "Het gesprek is afgelopen",
        ),
    }
}

pub(super) async fn assert_no_violations(client: &fantoccini::Client, state: &str) {
    let violations = axe_violations(client).await;
    assert!(violations.is_empty(), "{state}:\n{violations}");
}

/// Every element of `css` seen (inside the viewport, rendered, not covered).
pub(super) async fn all_seen(client: &fantoccini::Client, css: &[&str], state: &str) {
    for one in css {
        if let Some(why) = seen::why_not_seen(client, one).await {
            seen::screenshot(client, &format!("FAILED-{state}")).await;
            panic!("{state}: {one} is not seen: {why}");
        }
    }
}

/// At 200% text the bar wraps and the call may scroll: every element of `css` can be
/// scrolled to and is then seen; and with the call scrolled back to its top the clerk's
/// picture still takes 30% of the screen.
async fn all_reachable(client: &fantoccini::Client, css: &[&str], state: &str) {
    for one in css {
        client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' }); return true;",
                vec![serde_json::json!(one)],
            )
            .await
            .unwrap();
        if let Some(why) = seen::why_not_seen(client, one).await {
            seen::screenshot(client, &format!("FAILED-{state}")).await;
            panic!("{state}: {one} is not seen even when scrolled to: {why}");
        }
    }
    // In a call, the clerk's picture keeps a third of the screen (after the call there
    // is no picture to keep).
    let share = client
        .execute(
            "const call = document.querySelector('#call');
             if (call.hidden) return null;
             call.scrollTop = 0;
             for (const body of document.querySelectorAll('.sheet-body')) body.scrollTop = 0;
             return document.querySelector('#remote').getBoundingClientRect().height / innerHeight;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64();
    if let Some(share) = share {
        assert!(
            share >= 0.295,
            "{state}: the picture takes only {share:.2} of the screen"
        );
    }
}

/// Root text size: 1.0 as the page comes, 2.0 for 200% (WCAG 1.4.4, as a browser's text
/// size setting does it: every `rem` and `em` grows, the viewport does not).
async fn text_size(client: &fantoccini::Client, factor: f64) {
    client
        .execute(
            "document.documentElement.style.fontSize = arguments[0] === 1 ? '' : `${112.5 * arguments[0]}%`;
             return true;",
            vec![serde_json::json!(factor)],
        )
        .await
        .unwrap();
}

/// At each phone size, at 100% and 200% text: `css` seen (at 200%: reachable), `gone`
/// not rendered, nothing sideways, nothing `hidden` with a box, axe clean; screenshots
/// named `{name}-{w}x{h}-text{100,200}` (at 200% in Dutch only).
pub(super) async fn every_size(
    client: &fantoccini::Client,
    name: &str,
    css: &[&str],
    gone: &[&str],
    lang: &str,
) {
    every_size_reaching(client, name, css, &[], gone, lang).await;
}

/// As [`every_size`], and `further` reachable by scrolling at every size (a form longer
/// than the screen).
pub(super) async fn every_size_reaching(
    client: &fantoccini::Client,
    name: &str,
    css: &[&str],
    further: &[&str],
    gone: &[&str],
    lang: &str,
) {
    for (w, h) in SIZES {
        seen::set_viewport(client, w, h).await;
        for zoom in [1.0, 2.0] {
            text_size(client, zoom).await;
            let state = format!("{name}-{w}x{h}-text{}", zoom * 100.0);
            // As the page comes: at its top.
            client
                .execute("window.scrollTo(0, 0); return true;", vec![])
                .await
                .unwrap();
            if zoom == 1.0 {
                all_seen(client, css, &state).await;
            } else {
                all_reachable(client, css, &state).await;
            }
            all_reachable(client, further, &state).await;
            for one in gone {
                seen::assert_not_rendered(client, one).await;
            }
            seen::no_sideways_scroll(client).await;
            seen::assert_hidden_means_gone(client).await;
            assert_no_violations(client, &state).await;
            if lang == "nl" || zoom == 1.0 {
                seen::screenshot(client, &state).await;
            }
        }
        text_size(client, 1.0).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_call_fills_the_screen_and_a_payment_request_cannot_be_missed() {
    let _serial = serial().await;
    for lang in ["nl", "fr", "en"] {
        let s = setup().await;
        let (mut clerk, client, _driver, _) = citizen_let_in(&s, &format!("lang={lang}")).await;
        connected(&mut clerk, &client).await;
        let (asked, paid, ended) = words(lang);

        // In the call: the picture and the controls in sight at every size and at 200%
        // text, the page's texts from before the call gone, nothing sideways.
        every_size(
            &client,
            &format!("citizen-call-{lang}"),
            &CALL,
            &["#intro p", ".top"],
            lang,
        )
        .await;

        // A payment request: over the call within a second, said, and buzzed.
        seen::set_viewport(&client, 360, 640).await;
        client
            .execute(
                "window.buzzed = [];
                 navigator.vibrate = (pattern) => { window.buzzed.push(pattern); return true; };
                 return true;",
                vec![],
            )
            .await
            .unwrap();
        let sent = Instant::now();
        clerk
            .commands
            .send(Command::Pay(Box::new(card(CardStatus::Open))))
            .unwrap();
        let pay = ".payment-card a.pay-button";
        let shown = loop {
            if seen::why_not_seen(&client, pay).await.is_none() {
                break sent.elapsed();
            }
            assert!(
                sent.elapsed() < Duration::from_secs(5),
                "{lang}: the request never came into sight"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        eprintln!("{lang}: payment request in sight {shown:?} after the clerk sent it");
        assert!(
            shown < Duration::from_secs(1),
            "{lang}: the request took {shown:?} to come into sight"
        );
        wait_for_content(&client, "#announce", asked).await;
        wait_for_content(
            &client,
            "#announce",
            if lang == "en" { "€45.00" } else { "45,00" },
        )
        .await;
        let buzzed = client
            .execute("return window.buzzed;", vec![])
            .await
            .unwrap();
        assert_eq!(buzzed, serde_json::json!([200]), "{lang}: one short buzz");

        // With the sheet open, at every size and at 200% text: the amount, the payee and
        // *Betalen* in sight, and still the picture and the controls.
        let sheet = [".payment-card .facts", pay, "#remote", "#mute", "#hangup"];
        every_size(
            &client,
            &format!("citizen-payment-{lang}"),
            &sheet,
            &[],
            lang,
        )
        .await;

        // Closed, it comes back with its button; the keyboard goes back to that button.
        seen::set_viewport(&client, 360, 640).await;
        super::chromium::click(&client, "#payments .sheet-close").await;
        seen::assert_not_rendered(&client, "#payments").await;
        let focused = client
            .execute("return document.activeElement.id;", vec![])
            .await
            .unwrap();
        assert_eq!(
            focused, "pay-open",
            "{lang}: focus back on the sheet's button"
        );
        all_seen(&client, &CALL, &format!("citizen-call-{lang}-closed")).await;
        // Back from the banking app (the tab shown again): the card comes first.
        client
            .execute(
                "document.dispatchEvent(new Event('visibilitychange')); return true;",
                vec![],
            )
            .await
            .unwrap();
        seen::wait_seen(&client, pay).await;
        super::chromium::click(&client, "#payments .sheet-close").await;
        seen::assert_not_rendered(&client, "#payments").await;

        // Paid: the same place says so, opened again by itself, and said.
        clerk
            .commands
            .send(Command::Pay(Box::new(card(CardStatus::Paid))))
            .unwrap();
        wait_for_content(&client, "#announce", paid).await;
        seen::wait_seen(&client, ".payment-card[data-status=\"paid\"] .card-status").await;
        super::chromium::wait_for_text(&client, ".payment-card .card-status", paid).await;
        assert_eq!(
            client
                .execute(
                    "return document.querySelectorAll('.payment-card').length;",
                    vec![]
                )
                .await
                .unwrap(),
            1,
            "{lang}: one card, updated in place"
        );
        assert_no_violations(&client, &format!("citizen-paid-{lang}")).await;
        seen::screenshot(&client, &format!("citizen-payment-paid-{lang}-360x640")).await;

        let _ = clerk.commands.send(Command::End);
        // The call is over: the heading says so, the call's screen is gone.
        super::chromium::wait_for_text(&client, "h1", ended).await;
        seen::wait_seen(&client, "h1").await;
        seen::assert_not_rendered(&client, "#call").await;
        assert_no_violations(&client, &format!("citizen-ended-{lang}")).await;

        // Issue 16: then the survey, anonymous and skippable, in sight at every size.
        // Its start in sight as the call ends; the rest by scrolling, as on any form.
        every_size_reaching(
            &client,
            &format!("citizen-survey-{lang}"),
            &["#heading", "#survey-heading"],
            &SURVEY,
            &["#call"],
            lang,
        )
        .await;
        seen::set_viewport(&client, 360, 640).await;
        let stored = survey_answers(&s).await;
        if lang == "nl" {
            // Sent without a choice: it says what to do, and nothing is sent.
            super::chromium::click(&client, "#survey-form button[type=submit]").await;
            wait_for_content(&client, "#survey-error", "Kies eerst").await;
            seen::wait_seen(&client, "#survey-error").await;
            // With the keyboard: the fourth answer, a remark, send.
            client
                .execute(
                    "document.getElementById('survey-score-4').focus(); return true;",
                    vec![],
                )
                .await
                .unwrap();
            press(&client, " ").await;
            client
                .execute(
                    "document.getElementById('survey-comment').focus(); return true;",
                    vec![],
                )
                .await
                .unwrap();
            press(&client, "Vlot geholpen").await;
            super::chromium::click(&client, "#survey-form button[type=submit]").await;
            super::chromium::wait_for_text(&client, "#survey-done", "Bedankt voor uw antwoord")
                .await;
            all_seen(&client, &["#survey-done"], "citizen-survey-thanks").await;
            seen::assert_not_rendered(&client, "#survey-form").await;
            assert_no_violations(&client, "citizen-survey-thanks").await;
            seen::screenshot(&client, "citizen-survey-thanks-nl-360x640").await;
            let stored = survey_answers(&s).await;
            assert_eq!(stored.len(), 1);
            assert_eq!(
                (stored[0].score, stored[0].comment.as_deref()),
                (4, Some("Vlot geholpen"))
            );
            assert_eq!(stored[0].room_id, s.room_id);
        } else {
            // Skipped: the survey goes, nothing is sent.
            super::chromium::click(&client, "#survey-skip").await;
            seen::assert_not_rendered(&client, "#survey").await;
            assert!(stored.is_empty() && survey_answers(&s).await.is_empty());
        }
        let _ = client.close().await;
    }
}

/// The survey's parts a citizen must see.
const SURVEY: [&str; 5] = [
    "#survey-heading",
    "#survey-score-1",
    "#survey-score-5",
    "#survey-comment",
    "#survey-skip",
];

/// The answers the relay holds about the clerk's rooms.
async fn survey_answers(s: &Setup) -> Vec<balie_protocol::impact::CitizenSurvey> {
    let read: balie_protocol::impact::CitizenSurveys = reqwest::Client::new()
        .get(format!("{}/api/surveys", s.url))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    read.answers
}

/// Types `keys` into whatever has the focus.
async fn press(client: &fantoccini::Client, keys: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// Waits until the call is up on both sides.
pub(super) async fn connected(clerk: &mut Clerk, client: &fantoccini::Client) {
    clerk.wait_connected().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .execute(
            "return document.body.classList.contains('in-call');",
            vec![],
        )
        .await
        .unwrap()
        != true
    {
        assert!(
            Instant::now() < deadline,
            "the page never went into the call"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
