//! The citizen page, rendered on the server so its first screen works on any phone, with
//! or without JavaScript.

use crate::page::{Page, choose_locale, escape};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balie_domain::{JoinToken, Locale};

const STYLESHEET: &str = include_str!("../../../ui/citizen/citizen.css");
const SCRIPT: &str = include_str!("../../../ui/citizen/citizen.js");
const QUEUE_SCRIPT: &str = include_str!("../../../ui/citizen/queue.js");

/// `GET /static/citizen.js`.
pub(crate) async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
}

/// `GET /static/queue.js`: the walk-in queue page's script.
pub(crate) async fn queue_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        QUEUE_SCRIPT,
    )
}

#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    lang: Option<String>,
}

enum Screen {
    /// The lobby; for an appointment's room, when it begins (and, before its room opens,
    /// in how many seconds it does).
    Waiting(Option<Appointment>),
    NotFound,
    Expired,
    Returned,
}

/// An appointment's times, for its room's page.
#[derive(Clone, Copy)]
struct Appointment {
    starts_at: i64,
    opens_at: i64,
    now: i64,
}

/// `GET /j/{token}`: the waiting screen, or a plain 404/410 page.
pub(crate) async fn join_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let room = match JoinToken::parse(&token) {
        Ok(token) => {
            let digest = crate::sha256(token.digest_input());
            match state.with_db(|db| balie_store::relay::room::find_by_token(db, &digest)) {
                Ok(room) => room,
                Err(e) => return e.into_response(),
            }
        }
        Err(_) => None,
    };
    let room_locale = room
        .as_ref()
        .and_then(|r| r.locale.as_deref())
        .and_then(|l| l.parse().ok());
    let locale = choose_locale(query.lang.as_deref(), &headers, room_locale);
    let (status, screen) = match room {
        None => (StatusCode::NOT_FOUND, Screen::NotFound),
        Some(r) if r.expires_at <= state.clock().now_unix() => (StatusCode::GONE, Screen::Expired),
        Some(r) => {
            let appointment = r.starts_at.map(|starts_at| Appointment {
                starts_at,
                opens_at: r.opens_at.unwrap_or(starts_at),
                now: state.clock().now_unix(),
            });
            (StatusCode::OK, Screen::Waiting(appointment))
        }
    };
    page(&state, status, locale, screen)
}

/// Any other path: the same plain "this link does not work" page.
pub(crate) async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let locale = choose_locale(None, &headers, None);
    page(&state, StatusCode::NOT_FOUND, locale, Screen::NotFound)
}

/// `GET /return`: where a payment's checkout sends the payer afterwards. The checkout
/// opened in its own tab, so this one only says to go back to the call, which learns the
/// outcome from the clerk's cockpit.
pub(crate) async fn return_page(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    page(&state, StatusCode::OK, locale, Screen::Returned)
}

/// `GET /static/citizen.css`.
pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

fn page(state: &AppState, status: StatusCode, locale: Locale, screen: Screen) -> Response {
    let t = |key| state.catalogs().text(locale, key);
    let lobby = matches!(screen, Screen::Waiting(_)).then(|| call_markup(state, locale));
    let (heading, body, extra): (String, String, String) = match screen {
        Screen::Waiting(Some(a)) => {
            let tz = balie_domain::agenda::brussels().ok();
            let day = |unix| {
                tz.as_ref()
                    .map(|tz| tz.to_datetime(crate::booking::ts(unix)).date())
            };
            let today = day(a.now) == day(a.starts_at);
            // Today: the time says it; another day: the date too.
            let time = |unix| {
                tz.as_ref()
                    .map(|tz| {
                        if today {
                            crate::front::when::time(tz, crate::booking::ts(unix))
                        } else {
                            crate::front::when::date_time(
                                state.catalogs(),
                                locale,
                                tz,
                                crate::booking::ts(unix),
                            )
                        }
                    })
                    .unwrap_or_default()
            };
            let begins = if today {
                t("early.heading").replace("{time}", &time(a.starts_at))
            } else {
                t("early.heading_day").replace("{when}", &time(a.starts_at))
            };
            let opens_in = a.opens_at - a.now;
            if opens_in > 0 {
                // Early: the page says when; its script shows the knock button when the
                // room opens (the server's count, so the phone's clock does not matter).
                (
                    begins,
                    t("early.body").replace("{opens}", &time(a.opens_at)),
                    format!(
                        r#"<p id="early" data-opens-in="{opens_in}" role="status" aria-live="polite"></p>"#
                    ),
                )
            } else {
                (
                    t("waiting.heading").to_owned(),
                    t("waiting.body").to_owned(),
                    format!(
                        "<p>{}</p>\n<p>{}</p>",
                        escape(&begins),
                        escape(t("waiting.privacy"))
                    ),
                )
            }
        }
        Screen::Waiting(None) => (
            t("waiting.heading").to_owned(),
            t("waiting.body").to_owned(),
            format!("<p>{}</p>", escape(t("waiting.privacy"))),
        ),
        Screen::NotFound => (
            t("notfound.title").to_owned(),
            t("notfound.body").to_owned(),
            String::new(),
        ),
        Screen::Expired => (
            t("expired.title").to_owned(),
            t("expired.body").to_owned(),
            String::new(),
        ),
        Screen::Returned => (
            t("return.title").to_owned(),
            t("return.body").to_owned(),
            String::new(),
        ),
    };
    let main = format!(
        r#"<div id="intro">
<h1 id="heading">{heading}</h1>
<p>{body}</p>
{extra}
</div>
{lobby}"#,
        heading = escape(&heading),
        body = escape(&body),
        lobby = lobby.unwrap_or_default(),
    );
    crate::page::render(state, Page::new(status, locale, String::new(), main))
}

/// The lobby and the call: hidden until the script shows them, so the page without
/// script still explains itself. Every text is in the page's language; the script reads
/// the dynamic ones from `#texts`.
fn call_markup(state: &AppState, locale: Locale) -> String {
    let t = |key: &'static str| state.catalogs().text(locale, key);
    let data: String = [
        ("sent", "knock.sent"),
        ("admitted", "knock.admitted"),
        ("declined", "knock.declined"),
        ("busy", "knock.busy"),
        ("ended", "knock.ended"),
        ("reconnecting", "knock.reconnecting"),
        ("failed", "knock.failed"),
        ("nocamera", "media.nocamera"),
        ("connecting", "call.connecting"),
        ("connected", "call.connected"),
        ("unstable", "call.unstable"),
        ("left", "call.left"),
        ("you", "chat.you"),
        ("clerk", "chat.clerk"),
        ("delivered", "chat.delivered"),
        ("chatUnavailable", "chat.unavailable"),
        ("tooLong", "chat.too_long"),
        ("chatNew", "chat.new"),
        ("callLabel", "call.label"),
        ("chatUnread", "chat.unread"),
        ("chatUnreadMany", "chat.unread_many"),
        ("payAsked", "pay.asked"),
        ("payPayee", "pay.payee"),
        ("payAmount", "pay.amount"),
        ("payDescription", "pay.description"),
        ("payReference", "pay.reference"),
        ("payIban", "pay.iban"),
        ("payButton", "pay.button"),
        ("payQr", "pay.qr"),
        ("payQrTransfer", "pay.qr_transfer"),
        ("payQrLabel", "pay.qr_label"),
        ("payTest", "pay.test"),
        ("payTestShort", "pay.test_short"),
        ("payOpen", "pay.status_open"),
        ("payTransfer", "pay.status_transfer"),
        ("payPaid", "pay.status_paid"),
        ("payFailed", "pay.status_failed"),
        ("payCanceled", "pay.status_canceled"),
        ("payExpired", "pay.status_expired"),
        ("payReview", "pay.status_review"),
        ("payReceivedAt", "pay.received_at"),
        ("payPrint", "pay.print"),
        ("payBlocked", "pay.blocked"),
        ("earlyOpen", "early.open"),
        ("idAsked", "identity.asked"),
        ("idButton", "identity.button"),
        ("idConfirmed", "identity.confirmed"),
        ("idRefused", "identity.refused"),
        ("idFailed", "identity.failed"),
        ("surveyChoose", "survey.choose"),
        ("surveyTooLong", "survey.too_long"),
        ("surveyThanks", "survey.thanks"),
        ("surveyClosed", "survey.closed"),
        ("surveyFailed", "survey.failed"),
    ]
    .iter()
    .map(|(name, key)| {
        let attr: String = name
            .chars()
            .flat_map(|c| {
                if c.is_ascii_uppercase() {
                    vec!['-', c.to_ascii_lowercase()]
                } else {
                    vec![c]
                }
            })
            .collect();
        format!(r#" data-{attr}="{}""#, escape(t(key)))
    })
    .collect();
    format!(
        r#"<p id="media-explain">{explain}</p>
<button type="button" id="knock" class="primary" hidden>{knock}</button>
<div id="media-denied" hidden>
<p id="media-denied-text" role="alert">{denied}</p>
<button type="button" id="media-retry" class="primary">{retry}</button>
<button type="button" id="media-without" class="secondary">{without}</button>
</div>
<p id="lobby-status" role="status" aria-live="polite"></p>
<p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
<section id="call" class="call" hidden aria-label="{call_label}">
<div class="stage">
<video id="remote" class="remote" autoplay playsinline aria-label="{remote}"></video>
<video id="self" class="self" autoplay playsinline muted aria-label="{self_view}"></video>
</div>
<p id="preview-note" class="note" hidden>{preview}</p>
<div id="controls" class="controls" role="group" aria-label="{controls}" hidden>
<button type="button" id="mute" class="control" aria-pressed="false">{mute}</button>
<button type="button" id="camera" class="control" aria-pressed="false">{camera_off}</button>
<button type="button" id="chat-open" class="control" aria-expanded="false" aria-controls="chat">{chat_open} <span id="chat-unread" class="unread" hidden></span></button>
<button type="button" id="pay-open" class="control" aria-expanded="false" aria-controls="payments" hidden>{pay_open}</button>
<button type="button" id="id-open" class="control" aria-expanded="false" aria-controls="identity" hidden>{id_open}</button>
<button type="button" id="hangup" class="control hangup">{hangup}</button>
</div>
<section id="payments" class="sheet payments" aria-labelledby="payments-heading" hidden>
<div class="sheet-head">
<h2 id="payments-heading">{pay_heading}</h2>
<button type="button" class="sheet-close" data-sheet="payments" aria-describedby="payments-heading">{close}</button>
</div>
<div id="payment-cards" class="sheet-body"></div>
</section>
<section id="identity" class="sheet identity" aria-labelledby="identity-heading" hidden>
<div class="sheet-head">
<h2 id="identity-heading">{id_heading}</h2>
<button type="button" class="sheet-close" data-sheet="identity" aria-describedby="identity-heading">{close}</button>
</div>
<div class="sheet-body" tabindex="0">
<p id="identity-status" class="card-status" role="status"></p>
<div id="identity-providers"></div>
<p id="identity-explain">{id_explain}</p>
<p class="note">{id_privacy}</p>
</div>
</section>
<section id="chat" class="sheet chat" aria-labelledby="chat-heading" hidden>
<div class="sheet-head">
<h2 id="chat-heading">{chat}</h2>
<button type="button" class="sheet-close" data-sheet="chat" aria-describedby="chat-heading">{close}</button>
</div>
<div class="sheet-body">
<ol id="chat-log" class="chat-log" role="log" aria-live="polite"></ol>
<form id="chat-form" class="chat-form">
<label for="chat-input">{chat_label}</label>
<div class="chat-row">
<input id="chat-input" name="text" type="text" autocomplete="off" maxlength="{max_chat}" required>
<button type="submit" class="primary">{send}</button>
</div>
<p id="chat-error" class="error" role="alert"></p>
</form>
</div>
</section>
</section>
{survey}
<div id="texts" hidden{data}></div>
<script type="application/json" id="protocol">{constants}</script>
<script type="module" src="/static/citizen.js"></script>"#,
        explain = escape(t("media.explain")),
        knock = escape(t("knock.button")),
        denied = escape(t("media.denied")),
        retry = escape(t("media.retry")),
        without = escape(t("media.without")),
        call_label = escape(t("call.label")),
        remote = escape(t("call.remote")),
        self_view = escape(t("call.self")),
        preview = escape(t("call.preview")),
        mute = escape(t("call.mute")),
        camera_off = escape(t("call.camera_off")),
        hangup = escape(t("call.hangup")),
        chat_open = escape(t("call.chat_open")),
        pay_open = escape(t("call.pay_open")),
        id_open = escape(t("call.identity_open")),
        id_heading = escape(t("identity.heading")),
        id_explain = escape(t("identity.explain")),
        id_privacy = escape(t("identity.privacy")),
        close = escape(t("call.close_sheet")),
        controls = escape(t("call.controls")),
        chat = escape(t("chat.heading")),
        pay_heading = escape(t("pay.heading")),
        chat_label = escape(t("chat.label")),
        send = escape(t("chat.send")),
        max_chat = balie_protocol::channel::MAX_CHAT_CHARS,
        constants = page_constants(),
        survey = survey_markup(state, locale),
    )
}

/// The survey the page shows when a call the citizen was in ends (hidden until then).
fn survey_markup(state: &AppState, locale: Locale) -> String {
    let t = |key: &str| escape(state.catalogs().text(locale, key));
    let scores: String = (1..=5)
        .map(|n| {
            format!(
                r#"<li><input type="radio" name="score" id="survey-score-{n}" value="{n}"><label for="survey-score-{n}">{label}</label></li>"#,
                label = t(&format!("survey.score{n}"))
            )
        })
        .collect();
    format!(
        r#"<section id="survey" class="survey" aria-labelledby="survey-heading" hidden>
<h2 id="survey-heading">{heading}</h2>
<form id="survey-form" novalidate>
<p id="survey-error" class="error" role="alert"></p>
<fieldset aria-describedby="survey-error">
<legend>{question}</legend>
<ul class="scale">{scores}</ul>
</fieldset>
<label for="survey-comment">{comment}</label>
<p id="survey-comment-hint" class="note">{hint}</p>
<textarea id="survey-comment" name="comment" rows="3" maxlength="{max}" aria-describedby="survey-comment-hint"></textarea>
<div class="actions">
<button type="submit" class="primary">{send}</button>
<button type="button" id="survey-skip" class="secondary">{skip}</button>
</div>
</form>
<p id="survey-done" tabindex="-1" hidden></p>
</section>"#,
        heading = t("survey.heading"),
        question = t("survey.question"),
        comment = t("survey.comment"),
        hint = t("survey.comment_hint"),
        send = t("survey.send"),
        skip = t("survey.skip"),
        max = balie_protocol::impact::MAX_COMMENT_CHARS,
    )
}

/// The constants the page's script shares with the relay and the cockpit, as a JSON data
/// block (not run, so the CSP's `script-src 'self'` is kept). `<` is escaped so no value
/// can end the block.
fn page_constants() -> String {
    serde_json::to_string(&balie_protocol::channel::PageConstants::current())
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_the_constants_its_script_needs_and_nothing_can_end_their_block() {
        let block = page_constants();
        assert!(!block.contains('<'), "{block}");
        let read: serde_json::Value = serde_json::from_str(&block).unwrap();
        assert_eq!(
            read["signaling_version"],
            balie_protocol::signaling::SIGNALING_VERSION
        );
        assert_eq!(
            read["data_channel_label"],
            balie_protocol::channel::DATA_CHANNEL_LABEL
        );
        assert_eq!(
            read["checkout_hosts"],
            serde_json::json!(balie_protocol::channel::CHECKOUT_HOSTS)
        );
        assert_eq!(
            read["card_statuses"],
            serde_json::json!(["open", "paid", "failed", "canceled", "expired", "review"])
        );
    }
}
