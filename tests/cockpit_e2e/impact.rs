//! Impact, end to end (issue 16): the municipality's relay, the real cockpit under
//! WebDriver and real Chromium as the citizen. The clerk says where they work today; a
//! call outside the opening hours; the clerk hangs up; the citizen answers the survey on
//! their phone, the clerk answers theirs; the dashboard in the dossier window counts the
//! conversation, both answers, the place and the hour — as a person sees it: each figure
//! in sight, its chart drawn, its table there.

use super::COCKPIT;
use super::front_door::Municipality;
use balie_testkit::chromium;
use balie_testkit::cockpit::{Cockpit, serial};
use balie_testkit::display::two_monitors;
use balie_testkit::seen;

/// Opening hours that ended two hours ago, every day: the call is after hours.
fn hours_that_ended_two_hours_ago() -> String {
    let tz = balie_domain::agenda::brussels().unwrap();
    let hour = balie_domain::agenda::local(&tz, jiff::Timestamp::now()).hour();
    let open = (hour + 21) % 24;
    format!("{open:02}:00-{open:02}:30")
}

/// The headline of indicator `id` on the dashboard.
async fn headline(cockpit: &Cockpit, id: &str) -> String {
    cockpit
        .value(&format!(
            "return document.querySelector('[data-indicator=\"{id}\"] .headline').textContent;"
        ))
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_after_hours_is_surveyed_on_both_sides_and_the_dashboard_counts_it() {
    let _serial = serial().await;
    let municipality = Municipality::start(&hours_that_ended_two_hours_ago(), |_| {}).await;
    let display = two_monitors();
    let data = tempfile::tempdir().unwrap();
    let cockpit = Cockpit::start_with(
        COCKPIT,
        &display,
        data.path(),
        &[("BALIE_RELAY_URL", &municipality.url)],
    )
    .await;

    // Once a day: where the clerk works.
    cockpit.window("gesprek").await;
    cockpit.wait_until("#clerk-day", "!el.hidden").await;
    let home = "#clerk-day button[data-place='home']";
    seen::scroll_and_see(&cockpit.client, home).await;
    seen::screenshot(&cockpit.client, "cockpit-clerk-day").await;
    cockpit.click(home).await;
    cockpit.wait_until("#clerk-day", "el.hidden").await;
    cockpit
        .wait_until("#clerk-day-said", "el.textContent.includes('Thuis')")
        .await;

    // A call, after hours.
    let url = cockpit.new_conversation().await;
    let (browser, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    seen::set_viewport(&browser, 360, 640).await;
    browser.goto(&format!("{url}?lang=nl")).await.unwrap();
    chromium::click(&browser, "#knock").await;
    cockpit.wait_until("#knock", "!el.hidden").await;
    cockpit.click("#admit").await;
    chromium::wait_for_text(&browser, "#lobby-status", "U bent verbonden").await;

    // The clerk hangs up; the citizen gets the survey and answers it.
    cockpit.wait_until("#call", "!el.hidden").await;
    seen::scroll_and_see(&cockpit.client, "#hangup").await;
    cockpit.click("#hangup").await;
    seen::wait_seen(&browser, "#survey-heading").await;
    chromium::click(&browser, "label[for='survey-score-5']").await;
    browser
        .find(fantoccini::Locator::Css("#survey-comment"))
        .await
        .unwrap()
        .send_keys("Heel vlot, dank u")
        .await
        .unwrap();
    chromium::click(&browser, "#survey-form button[type=submit]").await;
    chromium::wait_for_text(&browser, "#survey-done", "Bedankt voor uw antwoord").await;

    // The clerk's own survey.
    cockpit.wait_until("#clerk-survey", "!el.hidden").await;
    let four = "#clerk-survey button[data-score='4']";
    seen::scroll_and_see(&cockpit.client, four).await;
    seen::screenshot(&cockpit.client, "cockpit-clerk-survey").await;
    cockpit.click(four).await;
    cockpit.wait_until("#clerk-survey", "el.hidden").await;

    // The dashboard counts it.
    cockpit.window("dossier").await;
    cockpit.click("#impact-open").await;
    cockpit
        .wait_until(
            "#impact-groups",
            "el.querySelectorAll('article.indicator').length === 14",
        )
        .await;
    for (id, needle) in [
        (
            "trips",
            "Vermeden verplaatsingen naar het gemeentehuis: 1 (",
        ),
        (
            "after_hours",
            "Gesprekken buiten de openingsuren: 1 (100,0%)",
        ),
        (
            "citizen_satisfaction",
            "Gemiddeld 5,00 op 5 (antwoorden: 1; gesprekken: 1)",
        ),
        (
            "clerk_work",
            "Van thuis of elders gevoerd: 100,0% van de gesprekken",
        ),
        (
            "clerk_satisfaction",
            "Gemiddeld 4,00 op 5 (antwoorden: 1; gesprekken: 1)",
        ),
        ("channels", "Gesprekken aan de digitale balie: 1"),
    ] {
        let text = headline(&cockpit, id).await;
        assert!(text.contains(needle), "{id}: {text:?} lacks {needle:?}");
    }
    // As a person sees it: the heading, each figure, its chart drawn, its table.
    seen::scroll_and_see(&cockpit.client, "#impact-heading").await;
    seen::scroll_and_see(&cockpit.client, "#impact-kind").await;
    seen::screenshot(&cockpit.client, "cockpit-impact-dashboard").await;
    for id in [
        "trips",
        "citizen_satisfaction",
        "clerk_satisfaction",
        "payments",
    ] {
        let card = format!("[data-indicator='{id}']");
        seen::scroll_and_see(&cockpit.client, &format!("{card} .headline")).await;
        seen::scroll_and_see(&cockpit.client, &format!("{card} .chart")).await;
        let drawn = cockpit
            .value(&format!(
                "const i = document.querySelector(\"{card} .chart\"); return i.complete && i.naturalWidth > 0;"
            ))
            .await;
        assert_eq!(drawn, true, "{id}: the chart is not drawn");
        seen::screenshot(&cockpit.client, &format!("cockpit-impact-{id}")).await;
    }
    let table = "[data-indicator='citizen_satisfaction'] table";
    cockpit
        .click("[data-indicator='citizen_satisfaction'] summary")
        .await;
    seen::scroll_and_see(&cockpit.client, table).await;
    let five = cockpit
        .value(&format!(
            "return [...document.querySelectorAll(\"{table} tbody tr\")].find(r => r.cells[0].textContent === '5').cells[1].textContent;"
        ))
        .await;
    assert_eq!(five, "1", "one answer of 5 in the table");
    seen::screenshot(&cockpit.client, "cockpit-impact-table").await;
    // The citizen's remark, in this cockpit only.
    cockpit.click(".remarks summary").await;
    cockpit
        .wait_until(
            ".remarks",
            "el.textContent.includes('5/5 — Heel vlot, dank u')",
        )
        .await;
    // The report: a PDF that shows the same, read back with pdftotext.
    cockpit.click("#impact-pdf").await;
    cockpit
        .wait_until("#impact-status", "el.textContent.includes('.pdf')")
        .await;
    let line = cockpit
        .value("return document.querySelector('#impact-status').textContent;")
        .await;
    let path = line
        .as_str()
        .unwrap()
        .split_once(": ")
        .map(|(_, p)| p.trim().to_owned())
        .unwrap();
    let text = std::process::Command::new("pdftotext")
        .args([path.as_str(), "-"])
        .output()
        .expect("pdftotext (package poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).replace('\n', " ");
    for needle in [
        "Impactrapport digitale balie",
        "Gemeente Zonnedorp",
        "Gemiddeld 5,00 op 5 (antwoorden: 1; gesprekken: 1)",
        "Gemiddeld 4,00 op 5 (antwoorden: 1; gesprekken: 1)",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the PDF: {text}");
    }

    // The municipality's admin page counts the same call (the cockpit sent its summary
    // when the call ended).
    let admin = municipality.add_admin("it@zonnedorp.be");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = http
        .post(format!("{}/admin/login", municipality.url))
        .form(&[("token", admin.as_str())])
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let mut page = String::new();
    for _ in 0..50 {
        page = http
            .get(format!("{}/admin?lang=nl", municipality.url))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.contains("Gemiddeld 5,00 op 5") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    for needle in [
        "Gemiddeld 5,00 op 5 (antwoorden: 1; gesprekken: 1)",
        "Gemiddeld 4,00 op 5 (antwoorden: 1; gesprekken: 1)",
        "Gesprekken buiten de openingsuren: 1 (100,0%)",
    ] {
        assert!(page.contains(needle), "{needle:?} not on the admin page");
    }

    // Back to the cases.
    cockpit.click("#impact-close").await;
    cockpit.wait_until("#impact", "el.hidden").await;
    seen::scroll_and_see(&cockpit.client, "#search").await;
    let _ = browser.close().await;
    cockpit.stop().await;
}
