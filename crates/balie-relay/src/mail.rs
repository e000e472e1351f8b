//! Mail to citizens about their appointments: the confirmation, the reminders and the
//! cancellation, over SMTP to the municipality's mail server ([`MailConfig`]).
//!
//! A booking never waits for mail: it queues what is to be sent in its own transaction
//! (`mail_outbox`), and a background task sends what is due, in the citizen's language,
//! with a plain-text and an HTML part and, for a booked appointment, the `.ics`. A mail
//! that cannot be sent is tried again after growing waits; one given up on (or refused
//! outright by the server) stays in the outbox for the clerk to see in the agenda. The
//! log names the appointment and the error's kind, never an address or a name.
//!
//! Text messages (SMS) would be a second [`Channel`]: the queue and the retries stay,
//! only the sending differs. No provider is built in.

use crate::config::{MailConfig, SmtpSecurity};
use crate::page::escape;
use crate::state::AppState;
use balie_domain::{JoinToken, Locale};
use balie_store::relay::appointment::{self, Appointment};
use balie_store::relay::mail::{self as outbox, Kind, Queued};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};
use rusqlite::Connection;
use secrecy::ExposeSecret as _;
use std::time::Duration;

/// How a message reaches a citizen. Only e-mail is built; a text-message provider would be
/// another variant with its own sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    /// SMTP to the municipality's mail server.
    Email,
}

/// The waits after a failed attempt, in seconds; after the last the mail is given up on.
const RETRY_AFTER: [i64; 5] = [60, 5 * 60, 15 * 60, 60 * 60, 3 * 60 * 60];

/// How long a relay holds a claimed mail before another may try it.
const LEASE_SECONDS: i64 = 120;

/// Mails taken per round.
const BATCH: u32 = 20;

/// Queues the confirmation and the reminders of appointment `a`, just booked (or moved
/// to) with manage token `manage`, in the booking's transaction. Nothing when the relay
/// sends no mail or the citizen gave no address. Reminders whose moment has passed (a
/// booking for within the hour) are left out.
pub(crate) fn queue_booked(
    tx: &Connection,
    state: &AppState,
    a: &Appointment,
    manage: &JoinToken,
    now: i64,
) -> Result<(), balie_store::StoreError> {
    let Some(mail) = &state.config().mail else {
        return Ok(());
    };
    if a.email.is_none() {
        return Ok(());
    }
    let token = manage.to_text();
    outbox::enqueue(tx, &a.id, Kind::Confirmation, now, Some(&token))?;
    for minutes in &mail.reminders_minutes {
        let due = a.starts_at - i64::from(*minutes) * 60;
        // A reminder that would come within minutes of the confirmation adds nothing.
        if due > now + 10 * 60 {
            outbox::enqueue(tx, &a.id, Kind::Reminder, due, Some(&token))?;
        }
    }
    Ok(())
}

/// Drops what was still to be sent about appointment `a` (cancelled or moved) and, when
/// `canceled`, queues the mail that says so.
pub(crate) fn queue_withdrawn(
    tx: &Connection,
    state: &AppState,
    a: &Appointment,
    canceled: bool,
    now: i64,
) -> Result<(), balie_store::StoreError> {
    outbox::drop_unsent(tx, &a.id)?;
    if canceled && state.config().mail.is_some() && a.email.is_some() {
        outbox::enqueue(tx, &a.id, Kind::Canceled, now, None)?;
    }
    Ok(())
}

/// Sends what is due until the relay stops: woken by a booking, or every
/// [`MailConfig::poll_every`]. Does nothing without a mail server.
pub(crate) async fn run(state: AppState) {
    let Some(config) = state.config().mail.clone() else {
        return;
    };
    let transport = match transport(&config) {
        Ok(t) => t,
        Err(e) => {
            // Checked at start-up as far as possible; this is what is left (a bad CA file).
            tracing::error!(error = %e, "mail cannot be sent: the mail server's settings do not work");
            return;
        }
    };
    let from: Mailbox = match config.from.parse() {
        Ok(m) => m,
        Err(_) => return,
    };
    loop {
        send_due(&state, &transport, &from).await;
        tokio::select! {
            () = state.mail_wake().notified() => {}
            () = tokio::time::sleep(config.poll_every) => {}
        }
    }
}

/// The SMTP transport for `config`: always encrypted, with the system's roots plus any
/// extra CA, and the login when a user is set.
fn transport(config: &MailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut tls = TlsParameters::builder(config.host.clone());
    if let Some(path) = &config.extra_roots {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let cert = Certificate::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls.build_rustls().map_err(|e| e.to_string())?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
        .port(config.port)
        .timeout(Some(Duration::from_secs(30)))
        .tls(match config.security {
            SmtpSecurity::Starttls => Tls::Required(tls),
            SmtpSecurity::Tls => Tls::Wrapper(tls),
        });
    if let (Some(user), Some(password)) = (&config.user, &config.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// One round: claims the mails due now and sends each.
async fn send_due(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) {
    let now = state.clock().now_unix();
    let due = match state.with_db(|db| outbox::claim_due(db, now, LEASE_SECONDS, BATCH)) {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "the mail outbox could not be read");
            return;
        }
    };
    for queued in due {
        send_one(state, transport, from, &queued).await;
    }
}

/// Sends one queued mail and records how it went.
async fn send_one(
    state: &AppState,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    queued: &Queued,
) {
    let now = state.clock().now_unix();
    let found = state.with_db(|db| appointment::find(db, &queued.appointment_id));
    let Ok(Some(a)) = found else {
        let _ = state.with_db(|db| outbox::discard(db, queued.id));
        return;
    };
    // A reminder for an appointment that was withdrawn or has begun says nothing useful.
    if queued.kind == Kind::Reminder
        && (a.status != appointment::Status::Booked || a.starts_at <= now)
    {
        let _ = state.with_db(|db| outbox::discard(db, queued.id));
        return;
    }
    let manage = queued
        .manage_token
        .as_deref()
        .and_then(|t| JoinToken::parse(t).ok());
    let outcome = match compose(state, from, &a, queued.kind, manage.as_ref()) {
        Ok(message) => transport.send(message).await.map(|_| ()).map_err(|e| {
            let permanent = e.is_permanent();
            (describe(&e), permanent)
        }),
        // The address was taken by the form's check; a stored one that no longer parses
        // will not parse on a later try either.
        Err(e) => Err((e, true)),
    };
    let at = state.clock().now_unix();
    let recorded = match outcome {
        Ok(()) => {
            tracing::info!(appointment = %a.id, kind = queued.kind.as_str(), "mail sent");
            state.with_db(|db| outbox::mark_sent(db, queued.id, at))
        }
        Err((error, permanent)) => {
            let retry_at = (!permanent)
                .then(|| RETRY_AFTER.get(queued.attempts as usize).map(|s| at + s))
                .flatten();
            tracing::warn!(
                appointment = %a.id,
                kind = queued.kind.as_str(),
                attempt = queued.attempts + 1,
                error = %error,
                given_up = retry_at.is_none(),
                "mail not sent"
            );
            state.with_db(|db| outbox::mark_failed(db, queued.id, at, &error, retry_at))
        }
    };
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "how a mail went could not be recorded");
    }
}

/// What went wrong, for the log and the clerk: the kind and the server's reply code,
/// never the reply's text (it may quote the address).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let code = e.status().map(|c| format!(" ({c})")).unwrap_or_default();
    if e.is_permanent() {
        format!("the mail server refused the mail{code}")
    } else if e.is_transient() {
        format!("the mail server could not take the mail now{code}")
    } else if e.is_timeout() {
        "the mail server did not answer in time".into()
    } else if e.is_tls() {
        "no secure connection to the mail server".into()
    } else {
        "the mail server could not be reached".into()
    }
}

/// The mail of `kind` about appointment `a`, in the citizen's language: plain text and
/// HTML, with the `.ics` when the appointment holds.
fn compose(
    state: &AppState,
    from: &Mailbox,
    a: &Appointment,
    kind: Kind,
    manage: Option<&JoinToken>,
) -> Result<Message, String> {
    let locale: Locale = a.locale.parse().unwrap_or(Locale::Nl);
    let catalogs = state.catalogs();
    let t = |key| catalogs.text(locale, key);
    let tz = crate::front::tz().map_err(|e| e.to_string())?;
    let municipality = &state.config().municipality;
    let product = crate::front::product_name(state, a, locale);
    let when =
        crate::front::when::date_time(catalogs, locale, &tz, crate::booking::ts(a.starts_at));
    let fill = |text: &str| {
        text.replace("{municipality}", municipality)
            .replace("{product}", &product)
            .replace("{when}", &when)
            .replace("{name}", &a.name)
    };
    let to_address = a.email.as_deref().ok_or("no address")?;
    let to = Mailbox::new(
        Some(a.name.clone()),
        to_address
            .parse()
            .map_err(|_| "the address is not valid".to_owned())?,
    );
    let base = state.public_url();
    // Paragraphs, each either text or a labelled link.
    let mut parts: Vec<Part> = vec![Part::Text(fill(t("mail.greeting")))];
    let subject;
    match (kind, manage) {
        (Kind::Canceled, _) => {
            subject = fill(t("mail.subject_canceled"));
            parts.push(Part::Text(fill(t("mail.canceled_body"))));
            parts.push(Part::Facts(facts(t, &product, &when, a)));
            parts.push(Part::Link(
                t("mail.book_again").to_owned(),
                format!("{base}/?lang={}", locale.code()),
            ));
        }
        (Kind::Confirmation | Kind::Reminder, Some(manage)) => {
            let (subject_key, body_key) = match kind {
                Kind::Reminder => ("mail.subject_reminder", "mail.reminder_body"),
                _ if a.moved_from.is_some() => ("mail.subject_moved", "mail.moved_body"),
                _ => ("mail.subject_confirmation", "mail.confirmation_body"),
            };
            subject = fill(t(subject_key));
            parts.push(Part::Text(fill(t(body_key))));
            parts.push(Part::Facts(facts(t, &product, &when, a)));
            let opens = crate::front::when::date_time(
                catalogs,
                locale,
                &tz,
                crate::booking::ts(
                    a.starts_at - i64::from(state.config().booking.opens_before_minutes) * 60,
                ),
            );
            parts.push(Part::Link(
                t("mail.join").replace("{opens}", &opens),
                format!("{base}/j/{}", crate::booking::join_of(manage).to_text()),
            ));
            parts.push(Part::Link(
                t("mail.manage").to_owned(),
                format!("{base}/a/{}?lang={}", manage.to_text(), locale.code()),
            ));
            parts.push(Part::Text(t("mail.ics").to_owned()));
        }
        (_, None) => return Err("the appointment's links are no longer known".into()),
    }
    parts.push(Part::Text(fill(t("mail.signoff"))));
    parts.push(Part::Small(fill(t("mail.why"))));

    let text = plain(&parts, t("mail.fact"));
    let html = html(&parts, &subject, locale);
    let body = MultiPart::alternative_plain_html(text, html);
    let body = match (kind, manage) {
        (Kind::Confirmation | Kind::Reminder, Some(manage)) => {
            let ics = crate::calendar::appointment_ics(state, a, manage, &product, locale);
            let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .map_err(|e| e.to_string())?;
            MultiPart::mixed()
                .multipart(body)
                .singlepart(Attachment::new("afspraak.ics".into()).body(ics, calendar))
        }
        _ => MultiPart::mixed().multipart(body),
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .header(AutoSubmitted)
        .multipart(body)
        .map_err(|e| e.to_string())
}

/// `Auto-Submitted: auto-generated` (RFC 3834): no out-of-office replies to a mail no
/// one wrote by hand.
#[derive(Debug, Clone, Copy)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// A paragraph of a mail.
enum Part {
    Text(String),
    /// Term and value lines.
    Facts(Vec<(String, String)>),
    /// A label and the link under it.
    Link(String, String),
    /// The small print.
    Small(String),
}

fn facts<'a>(
    t: impl Fn(&'a str) -> &'a str,
    product: &str,
    when: &str,
    a: &Appointment,
) -> Vec<(String, String)> {
    let mut out = vec![
        (t("appt.what").to_owned(), product.to_owned()),
        (t("appt.when").to_owned(), when.to_owned()),
    ];
    if !a.question.is_empty() {
        out.push((t("mail.question").to_owned(), a.question.clone()));
    }
    out
}

/// The plain-text part; `fact` lays out a term and its value (`{term}: {value}`).
fn plain(parts: &[Part], fact: &str) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(text) | Part::Small(text) => out.push_str(text),
            Part::Facts(facts) => {
                for (term, value) in facts {
                    out.push_str(&fact.replace("{term}", term).replace("{value}", value));
                    out.push('\n');
                }
                out.pop();
            }
            Part::Link(label, url) => out.push_str(&format!("{label}\n{url}")),
        }
        out.push_str("\n\n");
    }
    out
}

/// The HTML part: the same paragraphs, escaped, with inline styles (mail programs drop
/// style sheets).
fn html(parts: &[Part], subject: &str, locale: Locale) -> String {
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Text(text) => body.push_str(&format!(
                "<p>{}</p>\n",
                escape(text).replace('\n', "<br>")
            )),
            Part::Small(text) => body.push_str(&format!(
                "<p style=\"font-size:0.9em;color:#444\">{}</p>\n",
                escape(text)
            )),
            Part::Facts(facts) => {
                body.push_str("<table role=\"presentation\" style=\"border-collapse:collapse\">\n");
                for (term, value) in facts {
                    body.push_str(&format!(
                        "<tr><th scope=\"row\" style=\"text-align:left;padding:0 1em 0.25em 0;vertical-align:top\">{}</th><td style=\"padding:0 0 0.25em 0\">{}</td></tr>\n",
                        escape(term),
                        escape(value).replace('\n', "<br>")
                    ));
                }
                body.push_str("</table>\n");
            }
            Part::Link(label, url) => body.push_str(&format!(
                "<p>{}<br><a href=\"{url}\" style=\"color:#00566b;font-weight:bold\">{url}</a></p>\n",
                escape(label),
                url = escape(url)
            )),
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family:sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a\">\n{body}</body>\n</html>\n",
        locale.code(),
        escape(subject)
    )
}

impl Channel {
    /// The channel that reaches `a`, if the relay has it: e-mail when configured and
    /// given.
    pub(crate) fn for_appointment(state: &AppState, a: &Appointment) -> Option<Self> {
        (state.config().mail.is_some() && a.email.is_some()).then_some(Channel::Email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_part_puts_each_link_on_its_own_line() {
        let parts = vec![
            Part::Text("Beste Dirk,".into()),
            Part::Facts(vec![("Wanneer".into(), "dinsdag om 14:00".into())]),
            Part::Link(
                "Naar het gesprek:".into(),
                "https://balie.test/j/abc".into(),
            ),
        ];
        assert_eq!(
            plain(&parts, "{term}: {value}"),
            "Beste Dirk,\n\nWanneer: dinsdag om 14:00\n\nNaar het gesprek:\nhttps://balie.test/j/abc\n\n"
        );
    }

    #[test]
    fn the_html_part_escapes_what_the_citizen_typed() {
        let parts = vec![Part::Facts(vec![(
            "Uw vraag".into(),
            "<script>alert(1)</script> & meer".into(),
        )])];
        let html = html(&parts, "Onderwerp", Locale::Fr);
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("<html lang=\"fr\">"));
    }
}
