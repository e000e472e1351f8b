//! Mail to citizens through a real SMTP server (aiosmtpd: STARTTLS and AUTH required):
//! the confirmation after a failed first try, the reminder, the cancellation; both parts
//! and the .ics read back by Python's email package and the `icalendar` parser, and the
//! links in the mail followed.

use crate::booking::{browser, details, join_link, open_db, seed};
use crate::helpers::*;
use balie_relay::{MailConfig, SmtpSecurity};
use balie_store::relay::mail::{self as outbox, Kind};
use balie_testkit::smtp::SmtpServer;
use std::time::Duration;

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
        poll_every: Duration::from_millis(100),
    }
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

/// Waits until the server took `n` mails. The relay's clock stands still in this test, so
/// a mail the server turned away for now (the test's 451, or a connection lost on a busy
/// machine) would wait forever for its retry: the clock is moved to the retry, as time
/// would. On a loaded CI machine a mail can take long: a CI run failed at 20 s with the
/// cancellation recorded as sent (which the relay does only after the server's 250, which
/// the server gives only after writing the mail) but not yet read here, as the mails were
/// read before the outbox. So the outbox is read first, and the wait is a minute. Fails
/// with the outbox's state.
async fn taken(
    relay: &TestRelay,
    smtp: &SmtpServer,
    db: &rusqlite::Connection,
    appointment_id: &str,
    n: usize,
) -> Vec<serde_json::Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let outbox = outbox::deliveries(db, appointment_id).unwrap();
        let mails = smtp.mails();
        if mails.len() >= n {
            return mails;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{n} mails expected, {} came; the outbox: {outbox:#?}",
            mails.len()
        );
        let now = relay.clock.now_unix();
        if let Some(retry) = outbox
            .iter()
            .filter(|d| d.attempts > 0 && d.sent_at.is_none() && d.failed_at.is_none())
            .map(|d| d.due_at)
            .filter(|&due| due > now)
            .min()
        {
            relay.clock.advance(retry - now);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_citizen_gets_the_confirmation_a_reminder_and_the_cancellation_by_mail_in_their_language()
 {
    // The server refuses the first mail for now (451): the booking does not wait for it,
    // the clerk can see it, and it is tried again.
    let smtp = SmtpServer::start(1);
    let relay = spawn_with(|c| c.mail = Some(mail_config(&smtp))).await;
    seed(&relay);
    let client = browser();
    // Monday 30 November 2026, 09:00 in Brussels: 33 hours after the clock's start.
    let at = T0 + 32 * 3600;
    let token = details(&relay, &client, at).await;
    relay.clock.advance(5);
    let done = client
        .post(format!("{}/book/sociaal-restaurant", relay.url))
        .form(&[
            ("at", at.to_string().as_str()),
            ("form", token.as_str()),
            ("lang", "fr"),
            ("name", "Dirk Peeters"),
            ("email", "dirk@example.be"),
            ("phone", ""),
            ("language", "fr"),
            ("question", "Puis-je inscrire ma voisine <Anna> aussi ?"),
            ("consent", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "{}", done.text().await.unwrap());
    let manage_page = done.headers()["location"].to_str().unwrap().to_owned();
    let page = client
        .get(format!("{}{manage_page}", relay.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Nous envoyons une confirmation à dirk@example.be."),
        "{page}"
    );
    let page_join = join_link(&page);

    // The first try fails; the outbox records it for the clerk and sends nothing yet.
    let db = open_db(&relay);
    let appointment_id: String = db
        .query_row("SELECT id FROM appointment", [], |r| r.get(0))
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let d = outbox::deliveries(&db, &appointment_id).unwrap();
        if d[0].attempts > 0 {
            break d;
        }
        assert!(std::time::Instant::now() < deadline, "no attempt: {d:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        failed.len(),
        3,
        "a confirmation and two reminders: {failed:?}"
    );
    assert_eq!(failed[0].kind, Kind::Confirmation);
    assert_eq!(failed[0].sent_at, None);
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("the mail server could not take the mail now (451)")
    );
    assert!(smtp.mails().is_empty());
    // A minute later it is tried again, and taken.
    relay.clock.advance(61);
    let mails = taken(&relay, &smtp, &db, &appointment_id, 1).await;
    let confirmation = &mails[0];
    assert_eq!(confirmation["tls"], true, "STARTTLS was used");
    assert_eq!(confirmation["authenticated"], true);
    assert_eq!(confirmation["rcpt_tos"][0], "dirk@example.be");
    assert_eq!(
        confirmation["from"],
        "Gemeente Zonnedorp <balie@zonnedorp.be>"
    );
    assert_eq!(confirmation["to"], "Dirk Peeters <dirk@example.be>");
    assert_eq!(confirmation["auto_submitted"], "auto-generated");
    assert_eq!(
        confirmation["subject"],
        "Confirmation : votre rendez-vous vidéo avec Gemeente Zonnedorp le lundi 30 novembre 2026 à 09:00"
    );
    let text = confirmation["text"].as_str().unwrap();
    let html = confirmation["html"].as_str().unwrap();
    assert!(text.starts_with("Bonjour Dirk Peeters,"), "{text}");
    assert!(text.contains("Abonnement restaurant social"), "{text}");
    assert!(text.contains("Puis-je inscrire ma voisine <Anna> aussi ?"));
    // The join link in the mail is the one on the appointment page.
    let join = link(text, &format!("{}/j/", relay.url));
    assert_eq!(join, page_join);
    let manage = link(text, &format!("{}/a/", relay.url));
    assert!(html.contains(r#"<html lang="fr">"#), "{html}");
    assert!(html.contains(&format!(r#"<a href="{join}""#)), "{html}");
    assert!(html.contains("ma voisine &lt;Anna&gt; aussi"), "{html}");
    // The .ics, parsed by another iCalendar parser than the one that wrote it.
    let ics = &confirmation["attachments"][0];
    assert_eq!(ics["filename"], "afspraak.ics");
    assert_eq!(ics["content_type"], "text/calendar");
    assert_eq!(ics["calendar"]["method"], "PUBLISH");
    let event = &ics["calendar"]["events"][0];
    assert_eq!(event["start"], "2026-11-30T08:00:00+00:00");
    assert_eq!(event["end"], "2026-11-30T08:20:00+00:00");
    assert_eq!(event["url"], join.as_str());
    assert_eq!(event["alarms"][0]["trigger_seconds"], -900);
    // The links work: the manage page shows the appointment, the join page opens.
    let shown = client.get(&manage).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    assert!(shown.text().await.unwrap().contains("Dirk Peeters"));
    assert_eq!(client.get(&join).send().await.unwrap().status(), 200);
    // Once sent, the outbox no longer holds the manage token.
    let tokens_kept: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND manage_token IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tokens_kept, 0);

    // 24 hours before: the reminder, with the same join link and the .ics again.
    relay
        .clock
        .advance(at - 24 * 3600 - relay.clock.now_unix() + 1);
    let mails = taken(&relay, &smtp, &db, &appointment_id, 2).await;
    let reminder = &mails[1];
    assert_eq!(
        reminder["subject"],
        "Rappel : votre rendez-vous vidéo avec Gemeente Zonnedorp le lundi 30 novembre 2026 à 09:00"
    );
    assert_eq!(link(reminder["text"].as_str().unwrap(), &join), join);
    assert_eq!(reminder["attachments"][0]["filename"], "afspraak.ics");

    // Cancelled: a mail says so and points to the front door; the 1-hour reminder
    // never comes.
    let base = manage.split('?').next().unwrap();
    let ask = client.get(format!("{base}/cancel")).send().await.unwrap();
    assert_eq!(ask.status(), 200);
    let cancelled = client
        .post(format!("{base}/cancel"))
        .form(&[("lang", "fr")])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 303);
    let mails = taken(&relay, &smtp, &db, &appointment_id, 3).await;
    let cancellation = &mails[2];
    assert!(
        cancellation["subject"]
            .as_str()
            .unwrap()
            .starts_with("Annulé : votre rendez-vous vidéo"),
        "{cancellation}"
    );
    let text = cancellation["text"].as_str().unwrap();
    assert!(!text.contains("/j/"), "{text}");
    assert!(text.contains(&format!("{}/?lang=fr", relay.url)), "{text}");
    assert_eq!(cancellation["attachments"].as_array().unwrap().len(), 0);
    relay.clock.advance(at - 3600 - relay.clock.now_unix() + 1);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(smtp.mails().len(), 3, "no reminder after the cancellation");
    relay.stop().await;
}
