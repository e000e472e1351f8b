//! The front door end to end: the municipality's relay (with a real SMTP server behind it),
//! the real cockpit pointed at it under WebDriver, and real Chromium as the citizens.
//! A clerk sets their availability in the cockpit; Dirk books in Chromium, gets the mail,
//! follows its link early and waits; his knock rings the clerk, who opens the appointment
//! from the agenda: the case comes up on the second screen, the clerk lets him in, and a
//! payment asked in the call is paid. And the walk-in path: two citizens in the queue,
//! one clerk, *Volgende burger* twice.

use super::COCKPIT;
use balie_relay::{MailConfig, RelayConfig, SmtpSecurity};
use balie_secrets::{SecretName, SecretStore};
use balie_store::relay::{hours, product};
use balie_testkit::chromium;
use balie_testkit::cockpit::{Cockpit, serial};
use balie_testkit::display::{one_monitor, two_monitors};
use balie_testkit::sandbox::pay_on_sandbox;
use balie_testkit::seen;
use balie_testkit::smtp::SmtpServer;
use fantoccini::Locator;
use secrecy::ExposeSecret as _;
use std::time::{Duration, Instant};

/// The keyring service the test cockpit uses (`balie_testkit::cockpit`).
fn keyring_service() -> String {
    format!("be.balie.e2e.{}", std::process::id())
}

/// The municipality's relay on loopback, serving *Sociaal restaurant* (five-minute
/// conversations) with clerk "an"; the cockpit's token for it is in the keyring until
/// this is dropped.
pub(super) struct Municipality {
    pub(super) url: String,
    _dir: tempfile::TempDir,
}

impl Municipality {
    /// `opening` is the opening hours of every day; `adjust` changes the rest.
    pub(super) async fn start(
        opening: &str,
        adjust: impl FnOnce(&mut RelayConfig),
    ) -> Municipality {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let dir = tempfile::tempdir().unwrap();
        let mut config = RelayConfig::loopback(dir.path().to_path_buf());
        config.municipality = "Gemeente Zonnedorp".into();
        config.booking.notice_minutes = 0;
        adjust(&mut config);
        let token = {
            let db =
                balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
            let token = balie_relay::add_clerk(&db, "an").unwrap();
            product::put(
                &db,
                &product::Product {
                    id: "sociaal-restaurant".into(),
                    name: product::Texts {
                        nl: "Sociaal restaurant".into(),
                        fr: "Restaurant social".into(),
                        en: "Social restaurant".into(),
                    },
                    prepare: product::Texts::default(),
                    price: balie_domain::Money::from_cents(6000),
                    duration_minutes: 5,
                    digital: true,
                    position: 1,
                    served_by: vec![product::ServedBy::Clerk("an".into())],
                    changed_at: 0,
                    identity_required: false,
                },
            )
            .unwrap();
            for day in [
                jiff::civil::Weekday::Monday,
                jiff::civil::Weekday::Tuesday,
                jiff::civil::Weekday::Wednesday,
                jiff::civil::Weekday::Thursday,
                jiff::civil::Weekday::Friday,
                jiff::civil::Weekday::Saturday,
                jiff::civil::Weekday::Sunday,
            ] {
                hours::set_opening_weekday(&db, day, &opening.parse().unwrap()).unwrap();
            }
            token.secret().expose_secret().to_string()
        };
        SecretStore::new(keyring_service())
            .set(SecretName::RelayClerkToken, &token.into())
            .unwrap();
        let relay = balie_relay::Relay::bind(config).await.unwrap();
        let url = relay.public_url().to_owned();
        tokio::spawn(relay.serve(std::future::pending()));
        Municipality { url, _dir: dir }
    }

    /// Adds an admin to the relay (as `balie-relay admin add` does); their code.
    pub(super) fn add_admin(&self, name: &str) -> String {
        let db = balie_store::open(
            &self._dir.path().join("relay.sqlite3"),
            &balie_store::relay::SCHEMA,
        )
        .unwrap();
        let token = balie_relay::impact::add_admin(&db, name, 1).unwrap();
        secrecy::ExposeSecret::expose_secret(&token).to_owned()
    }

    /// The cockpit, pointed at this relay.
    pub(super) async fn cockpit(
        &self,
        display: &balie_testkit::display::Display,
    ) -> (Cockpit, tempfile::TempDir) {
        let data = tempfile::tempdir().unwrap();
        let cockpit = Cockpit::start_with(
            COCKPIT,
            display,
            data.path(),
            &[("BALIE_RELAY_URL", &self.url)],
        )
        .await;
        (cockpit, data)
    }
}

impl Drop for Municipality {
    fn drop(&mut self) {
        // The other tests' cockpits use the embedded relay under the same service.
        let _ = SecretStore::new(keyring_service()).delete(SecretName::RelayClerkToken);
    }
}

fn mail_config(smtp: &SmtpServer) -> MailConfig {
    MailConfig {
        host: "localhost".into(),
        port: smtp.port,
        security: SmtpSecurity::Starttls,
        user: Some(smtp.user.clone()),
        password: Some(smtp.password.clone().into()),
        from: "Gemeente Zonnedorp <balie@zonnedorp.be>".into(),
        extra_roots: Some(smtp.ca_file.clone()),
        reminders_minutes: vec![24 * 60, 60],
        poll_every: Duration::from_millis(200),
    }
}

fn now_unix() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// The first link in `text` that starts with `prefix`.
fn link(text: &str, prefix: &str) -> String {
    let at = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()
        .unwrap()
        .to_owned()
}

/// Sets the value of the input `css` in the cockpit as typing would, firing `input`.
async fn type_into(cockpit: &Cockpit, css: &str, text: &str) {
    let field = cockpit.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Waits up to `within` until `script` (returning a boolean) is true in `client`'s page.
async fn wait_js(client: &fantoccini::Client, script: &str, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    loop {
        if client
            .execute(script, vec![])
            .await
            .is_ok_and(|v| v.as_bool() == Some(true))
        {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appointment_is_booked_mailed_waited_for_rung_opened_with_its_case_and_paid() {
    let _serial = serial().await;
    let smtp = SmtpServer::start(0);
    // The moment Dirk books: the first five-minute start at least two minutes away. His
    // link opens `opens_before` whole minutes before it, 60 to 120 s from now: he books
    // and follows the mail's link sooner, sees when, and waits.
    let now = now_unix();
    let moment = (now + 120 + 299) / 300 * 300;
    let opens_before = u32::try_from((moment - now - 60) / 60).unwrap();
    // Open until 22:00: a moment later in the evening is outside the opening hours.
    let town = Municipality::start("00:00-22:00", |c| {
        c.mail = Some(mail_config(&smtp));
        c.booking.opens_before_minutes = opens_before;
    })
    .await;
    let display = two_monitors();
    let (cockpit, _data) = town.cockpit(&display).await;
    cockpit.window("gesprek").await;

    // The clerk sets their availability: a typo is refused in Dutch, naming the day;
    // then every day all day, and a day off in three weeks.
    cockpit.wait_until("#agenda-empty", "!el.hidden").await;
    cockpit.click("#availability-open").await;
    cockpit.wait_until("#availability", "el.open").await;
    seen::wait_seen(&cockpit.client, "#availability-day-0").await;
    for day in 0..7 {
        type_into(&cockpit, &format!("#availability-day-{day}"), "00:00-24:00").await;
    }
    type_into(&cockpit, "#availability-day-2", "9 tot 5").await;
    seen::scroll_and_see(&cockpit.client, "#availability-save").await;
    cockpit.click("#availability-save").await;
    cockpit
        .wait_until(
            "#availability-error",
            "!el.hidden && el.textContent.includes('Woensdag') && el.textContent.includes('9 tot 5')",
        )
        .await;
    seen::wait_seen(&cockpit.client, "#availability-error").await;
    seen::screenshot(&cockpit.client, "gesprek-availability-error").await;
    type_into(&cockpit, "#availability-day-2", "00:00-24:00").await;
    cockpit.click("#exception-add").await;
    let day_off = (time::OffsetDateTime::now_utc() + time::Duration::days(21)).date();
    let day_off = format!(
        "{:04}-{:02}-{:02}",
        day_off.year(),
        u8::from(day_off.month()),
        day_off.day()
    );
    cockpit
        .value(&format!(
            "document.querySelector('#availability-exceptions input[name=date]').value = {day_off:?}; return true;"
        ))
        .await;
    seen::wait_seen(&cockpit.client, "#availability-exceptions button").await;
    seen::screenshot(&cockpit.client, "gesprek-availability").await;
    cockpit.click("#availability-save").await;
    cockpit.wait_until("#availability", "!el.open").await;
    cockpit
        .wait_until("#queue-status", "el.textContent.includes('bewaard')")
        .await;

    // Dirk books from the municipality's website, on his phone.
    let (phone, _driver) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    seen::set_viewport(&phone, 360, 640).await;
    phone
        .goto(&format!("{}/?product=sociaal-restaurant&lang=nl", town.url))
        .await
        .unwrap();
    chromium::click(&phone, ".product a[href^='/book/']").await;
    chromium::click(&phone, &format!("input[name=at][value=\"{moment}\"]")).await;
    chromium::click(&phone, "form.slots button[type=submit]").await;
    chromium::wait_for_text(&phone, ".step", "2").await;
    for (field, text) in [
        ("#f-name", "Dirk Peeters"),
        ("#f-email", "dirk@example.be"),
        ("#f-question", "Kan ik ook voor mijn buurvrouw inschrijven?"),
    ] {
        phone
            .find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    chromium::click(&phone, "#f-consent").await;
    // A person takes a few seconds over the form; sooner is a script's.
    tokio::time::sleep(Duration::from_secs(3)).await;
    chromium::click(&phone, "form.details button[type=submit]").await;
    chromium::wait_for_text(&phone, "h1", "Uw afspraak is bevestigd").await;

    // A second citizen books an evening moment, after the opening hours.
    let evening = book_evening(&town.url, moment).await;

    // The confirmation reaches his mailbox; its link is the way in.
    let mails = smtp.wait_for(2, Duration::from_secs(30)).await;
    let mail = mails
        .iter()
        .find(|m| m["rcpt_tos"][0] == "dirk@example.be")
        .expect("Dirk's confirmation");
    let join = link(mail["text"].as_str().unwrap(), &format!("{}/j/", town.url));

    // Early at the link from the mail: told when, no knock yet.
    phone.goto(&format!("{join}?lang=nl")).await.unwrap();
    chromium::wait_for_text(&phone, "h1", "Uw afspraak").await;
    seen::assert_not_rendered(&phone, "#knock").await;

    // Meanwhile the agenda shows both, the evening one marked, the mails sent.
    cockpit.window("gesprek").await;
    cockpit.click("#agenda-refresh").await;
    cockpit
        .wait_until(
            "#agenda-days",
            "el.querySelectorAll('.appointment').length === 2 && el.textContent.includes('Bevestiging verstuurd')",
        )
        .await;
    // In time order: Dirk's first (it may be late in the evening too), then Jef's,
    // whatever day each falls on.
    let dirk = "#agenda-days .appointment";
    cockpit
        .wait_until(
            dirk,
            "el.textContent.includes('Dirk Peeters') && el.textContent.includes('Sociaal restaurant') && el.textContent.includes('buurvrouw')",
        )
        .await;
    let jef = cockpit
        .value(
            "const jef = [...document.querySelectorAll('#agenda-days .appointment')][1];
             return [jef.dataset.outsideHours ?? null, jef.querySelector('.badge.after-hours')?.textContent ?? null, jef.querySelector('time').dateTime];",
        )
        .await;
    assert_eq!(
        jef[0], "true",
        "Jef's evening appointment is outside the hours"
    );
    assert_eq!(jef[1], "buiten de openingsuren");
    assert!(jef[2].as_str().unwrap().starts_with(&evening), "{jef}");
    seen::scroll_and_see(&cockpit.client, &format!("{dirk} button")).await;
    seen::scroll_and_see(&cockpit.client, "#agenda-days .badge.after-hours").await;
    seen::assert_hidden_means_gone(&cockpit.client).await;
    let violations = chromium::axe_violations(&cockpit.client).await;
    assert!(violations.is_empty(), "the agenda: {violations}");
    seen::screenshot(&cockpit.client, "gesprek-agenda").await;

    // The room opens (the page counts down by the relay's clock); he knocks.
    wait_js(
        &phone,
        "const k = document.querySelector('#knock'); return !!k && !k.hidden;",
        Duration::from_secs(120),
        "the knock button once the room opens",
    )
    .await;
    chromium::click(&phone, "#knock").await;

    // His knock rings the clerk, who has not opened the appointment yet.
    cockpit.window("gesprek").await;
    cockpit
        .wait_until(
            "#door-knock",
            "!el.hidden && el.textContent.includes('Dirk Peeters')",
        )
        .await;
    seen::wait_seen(&cockpit.client, "#door-open").await;
    seen::screenshot(&cockpit.client, "gesprek-door-knock").await;
    cockpit.click("#door-open").await;

    // The case, made from the booking, comes up on the second screen.
    cockpit.window("dossier").await;
    cockpit
        .wait_until(
            "#case",
            "!el.hidden && el.textContent.includes('Dirk Peeters') && el.textContent.includes('dirk@example.be')",
        )
        .await;
    cockpit
        .wait_until(
            "#case-timeline",
            "el.textContent.includes('Kan ik ook voor mijn buurvrouw inschrijven?')",
        )
        .await;
    seen::screenshot(&cockpit.client, "dossier-appointment-case").await;

    // The clerk lets him in; the call connects; a payment is asked and paid.
    cockpit.window("gesprek").await;
    seen::wait_seen(&cockpit.client, "#admit").await;
    seen::assert_not_rendered(&cockpit.client, "#door-knock").await;
    cockpit
        .wait_until(
            "#room-info",
            "!el.hidden && el.textContent.includes('Dirk Peeters')",
        )
        .await;
    cockpit.click("#admit").await;
    chromium::wait_for_text(&phone, "#lobby-status", "U bent verbonden").await;
    cockpit
        .request_sandbox_payment("60,00", "Sociaal restaurant: abonnement")
        .await;
    let checkout = cockpit
        .value("return document.querySelector('.payment input').value")
        .await;
    chromium::wait_for_text(&phone, "#payment-cards", "60,00").await;
    pay_on_sandbox(checkout.as_str().unwrap()).await;
    cockpit
        .wait_until(
            "#pay-list",
            "el.querySelector('.payment[data-status=\"paid\"]')",
        )
        .await;
    chromium::wait_for_text(&phone, "#payment-cards", "Betaling ontvangen").await;
    cockpit.window("dossier").await;
    cockpit
        .wait_until(
            "#case-timeline",
            "el.querySelector('[data-kind=\"payment\"][data-status=\"paid\"]')",
        )
        .await;
    let _ = phone.close().await;
    cockpit.stop().await;
}

/// Books the first evening moment (outside the opening hours) at least an hour after
/// `after`, as a second citizen; the start's date, `YYYY-MM-DD` in UTC.
async fn book_evening(url: &str, after: i64) -> String {
    let citizen = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let week = citizen
        .get(format!("{url}/book/sociaal-restaurant?lang=nl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at: i64 = week
        .split(r#"<label class="time outside"><input type="radio" name="at" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .find(|at| *at >= after + 3600)
        .unwrap_or_else(|| panic!("no evening moment in {week}"));
    let details = citizen
        .get(format!(
            "{url}/book/sociaal-restaurant/details?at={at}&lang=nl"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = details
        .split(r#"name="form" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let done = citizen
        .post(format!("{url}/book/sociaal-restaurant"))
        .form(&[
            ("at", at.to_string().as_str()),
            ("form", token.as_str()),
            ("lang", "nl"),
            ("name", "Jef Janssens"),
            ("email", "jef@example.be"),
            ("phone", ""),
            ("language", "nl"),
            ("question", ""),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    let start = time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap()
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        start.year(),
        u8::from(start.month()),
        start.day()
    )
}

/// Joins the walk-in queue of *Sociaal restaurant* in `browser`; waits until the ticket
/// page shows `place`.
async fn join_queue(browser: &fantoccini::Client, url: &str, place: &str) {
    browser
        .goto(&format!("{url}/queue/sociaal-restaurant?lang=nl"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    chromium::click(browser, "form button[type=submit]").await;
    chromium::wait_for_text(browser, "#queue-status", place).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_walk_ins_and_one_clerk_each_is_taken_once_in_the_order_they_came() {
    let _serial = serial().await;
    let town = Municipality::start("00:00-24:00", |_| {}).await;
    let display = one_monitor(1600, 900);
    let (cockpit, _data) = town.cockpit(&display).await;
    cockpit.window("gesprek").await;

    // The clerk is away: the queue is closed. *Beschikbaar* opens it.
    cockpit.wait_until("#agenda-empty", "!el.hidden").await;
    no_error(&cockpit).await;
    cockpit
        .wait_until(
            "#queue-list li[data-product-id=sociaal-restaurant]",
            "el.textContent.includes('gesloten')",
        )
        .await;
    cockpit
        .wait_until("input[name=clerk-status][value=away]", "el.checked")
        .await;
    cockpit
        .click("input[name=clerk-status][value=available]")
        .await;
    cockpit
        .wait_until(
            "#queue-list li[data-product-id=sociaal-restaurant]",
            "el.textContent.includes('open')",
        )
        .await;

    // Two citizens join, one after the other; the cockpit hears of each.
    let (first, _d1) = chromium::chromium_with(chromium::FAKE_MEDIA).await;
    let (second, _d2) = chromium::chromium_with(&[]).await;
    join_queue(&first, &town.url, "U bent de volgende.").await;
    join_queue(&second, &town.url, "nummer 2").await;
    let meals = "#queue-list li[data-product-id=sociaal-restaurant]";
    cockpit
        .wait_until(
            meals,
            "el.dataset.waiting === '2' && el.textContent.includes('2 wachtend')",
        )
        .await;
    seen::wait_seen(&cockpit.client, "#next-citizen").await;
    seen::wait_seen(&cockpit.client, "input[name=clerk-status][value=busy]").await;
    let violations = chromium::axe_violations(&cockpit.client).await;
    assert!(violations.is_empty(), "the queue: {violations}");
    no_error(&cockpit).await;
    seen::screenshot(&cockpit.client, "gesprek-queue-waiting").await;

    // *Volgende burger*: the first who came; their page goes to the conversation.
    cockpit.click("#next-citizen").await;
    cockpit
        .wait_until(
            "#room-info",
            "!el.hidden && el.textContent.includes('Sociaal restaurant')",
        )
        .await;
    let first_room = wait_for_join(&first).await;
    chromium::wait_for_text(&second, "#queue-status", "U bent de volgende.").await;
    cockpit
        .wait_until("input[name=clerk-status][value=busy]", "el.checked")
        .await;
    cockpit
        .wait_until(meals, "el.dataset.waiting === '1'")
        .await;
    chromium::click(&first, "#knock").await;
    seen::wait_seen(&cockpit.client, "#admit").await;
    cockpit.click("#admit").await;
    chromium::wait_for_text(&first, "#lobby-status", "U bent verbonden").await;
    cockpit.click("#hangup").await;

    // Available again, the next one: the second citizen, in another room.
    cockpit
        .wait_until("#next-citizen", "el.getClientRects().length > 0")
        .await;
    cockpit
        .click("input[name=clerk-status][value=available]")
        .await;
    cockpit
        .wait_until("input[name=clerk-status][value=available]", "el.checked")
        .await;
    cockpit.click("#next-citizen").await;
    let second_room = wait_for_join(&second).await;
    assert_ne!(first_room, second_room, "each citizen has their own room");
    chromium::click(&second, "#knock").await;
    seen::wait_seen(&cockpit.client, "#admit").await;
    cockpit.click("#decline").await;
    cockpit
        .wait_until(meals, "el.dataset.waiting === '0'")
        .await;

    // Nobody is left: the button says so and takes no one.
    cockpit.click("#next-citizen").await;
    cockpit
        .wait_until(
            "#queue-status",
            "el.textContent.includes('Er wacht niemand')",
        )
        .await;
    let _ = first.close().await;
    let _ = second.close().await;
    cockpit.stop().await;
}

/// Asserts that the window shows no error.
async fn no_error(cockpit: &Cockpit) {
    let error = cockpit
        .value(
            "const e = document.querySelector('#error'); return e.hidden ? null : e.textContent;",
        )
        .await;
    assert!(error.is_null(), "the window shows an error: {error}");
}

/// Waits until `browser` went from the queue to a join page; that page's room path.
async fn wait_for_join(browser: &fantoccini::Client) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = browser.current_url().await.unwrap();
        if url.path().starts_with("/j/") {
            return url.path().to_owned();
        }
        assert!(Instant::now() < deadline, "still at {url}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
