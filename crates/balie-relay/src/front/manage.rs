//! The appointment's own page, reached with the manage link (after booking, and from the
//! mails): when and what, the join link, the `.ics` file, and moving or cancelling. The
//! manage token in the address is the only key; the pages are never cached.

use super::book::{Chooser, chooser, see_other};
use super::{FrontQuery, failed, parse_at, product_name, tz, when};
use crate::booking::{self, Citizen, Refused};
use crate::limits::Peer;
use crate::page::{Page, choose_locale, escape};
use crate::state::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use balie_domain::{JoinToken, Locale};
use balie_store::relay::appointment;

/// The appointment behind `token`, or the not-found page.
fn find(
    state: &AppState,
    token: &str,
    locale: Locale,
) -> Result<(appointment::Appointment, JoinToken), Box<Response>> {
    let parsed = JoinToken::parse(token).ok();
    match booking::by_manage_token(state, token) {
        Ok(Some(a)) => match parsed {
            Some(manage) => Ok((a, manage)),
            None => Err(Box::new(not_found(state, locale))),
        },
        Ok(None) => Err(Box::new(not_found(state, locale))),
        Err(e) => Err(Box::new(failed(state, locale, e))),
    }
}

fn not_found(state: &AppState, locale: Locale) -> Response {
    let t = |key| state.catalogs().text(locale, key);
    let main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/?lang={}\">{}</a></p>\n",
        escape(t("appt.notfound")),
        escape(t("appt.notfound_body")),
        locale.code(),
        escape(t("appt.new_book")),
    );
    crate::page::render(
        state,
        Page::front(
            StatusCode::NOT_FOUND,
            locale,
            t("appt.notfound").to_owned(),
            main,
        ),
    )
}

/// The page's language: chosen, else the booking's, else the browser's.
fn language(
    query: Option<&str>,
    headers: &HeaderMap,
    a: Option<&appointment::Appointment>,
) -> Locale {
    query
        .and_then(|l| l.parse().ok())
        .or_else(|| a.and_then(|a| a.locale.parse().ok()))
        .unwrap_or_else(|| choose_locale(None, headers, None))
}

/// `GET /a/{token}`.
pub(crate) async fn appointment_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let fallback = language(query.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let locale = language(query.lang.as_deref(), &headers, Some(&a));
    match appointment_main(&state, locale, &a, &manage, query.booked.is_some()) {
        Ok(page) => crate::page::render(&state, page),
        Err(e) => failed(&state, locale, e),
    }
}

fn appointment_main(
    state: &AppState,
    locale: Locale,
    a: &appointment::Appointment,
    manage: &JoinToken,
    just_booked: bool,
) -> Result<Page, crate::AppError> {
    let t = |key| state.catalogs().text(locale, key);
    let tz = tz()?;
    let now = state.clock().now_unix();
    let start = booking::ts(a.starts_at);
    let name = product_name(state, a, locale);
    let facts = format!(
        "<dl class=\"facts\">\n<dt>{}</dt><dd>{}</dd>\n<dt>{}</dt><dd>{}{}</dd>\n<dt>{}</dt><dd>{}</dd>\n</dl>\n",
        escape(t("appt.what")),
        escape(&name),
        escape(t("appt.when")),
        escape(&when::date_time(state.catalogs(), locale, &tz, start)),
        if a.outside_hours {
            format!(" <span class=\"tag\">{}</span>", escape(t("book.outside")))
        } else {
            String::new()
        },
        escape(t("appt.name")),
        escape(&a.name),
    );
    let again = format!(
        "<p><a href=\"/?lang={}\">{}</a></p>\n",
        locale.code(),
        escape(t("appt.new_book"))
    );
    let (heading, main) = match a.status {
        appointment::Status::Canceled => (
            t("appt.canceled"),
            format!("<p>{}</p>\n{facts}{again}", escape(t("appt.canceled_body"))),
        ),
        appointment::Status::Moved => (
            t("appt.moved"),
            format!("<p>{}</p>\n{again}", escape(t("appt.moved_body"))),
        ),
        appointment::Status::Booked if a.ends_at <= now => (
            t("appt.heading"),
            format!("{facts}<p>{}</p>\n{again}", escape(t("appt.past"))),
        ),
        appointment::Status::Booked => {
            let join = booking::join_of(manage);
            let join_url = format!("{}/j/{}", state.public_url(), join.to_text());
            let opens = booking::ts(
                a.starts_at - i64::from(state.config().booking.opens_before_minutes) * 60,
            );
            let base = format!("/a/{}", manage.to_text());
            let heading = if just_booked {
                t("appt.confirmed")
            } else {
                t("appt.heading")
            };
            // Whether mail comes, said once, right after booking.
            let mail = match (just_booked, crate::mail::Channel::for_appointment(state, a)) {
                (false, _) => String::new(),
                (true, Some(crate::mail::Channel::Email)) => {
                    let mut text = t("appt.mail_sent")
                        .replace("{email}", a.email.as_deref().unwrap_or_default());
                    if state
                        .config()
                        .mail
                        .as_ref()
                        .is_some_and(|m| !m.reminders_minutes.is_empty())
                    {
                        text = format!("{text} {}", t("appt.mail_reminder"));
                    }
                    format!("<p class=\"notice\">{}</p>\n", escape(&text))
                }
                (true, None) => format!("<p class=\"notice\">{}</p>\n", escape(t("appt.no_mail"))),
            };
            (
                heading,
                format!(
                    r#"{mail}{facts}<h2>{join_heading}</h2>
<p>{join_explain}</p>
<p class="actions"><a class="button primary" href="{join_url}">{join_label}</a></p>
<p class="link-text">{join_link_label}: <span class="url">{join_url}</span></p>
<p class="actions"><a class="button secondary" href="{base}/afspraak.ics" download="afspraak.ics">{ics}</a></p>
<h2>{change}</h2>
<p>{keep}</p>
<p class="actions"><a class="button secondary" href="{base}/move?lang={lang}">{move_label}</a> <a class="button secondary" href="{base}/cancel?lang={lang}">{cancel_label}</a></p>
"#,
                    join_heading = escape(t("appt.join")),
                    join_explain = escape(&t("appt.join_explain").replace(
                        "{opens}",
                        &when::date_time(state.catalogs(), locale, &tz, opens)
                    )),
                    join_url = escape(&join_url),
                    join_label = escape(t("appt.join")),
                    join_link_label = escape(t("appt.join_link")),
                    ics = escape(t("appt.ics")),
                    change = escape(t("appt.change")),
                    keep = escape(t("appt.keep")),
                    base = escape(&base),
                    lang = locale.code(),
                    move_label = escape(t("appt.move")),
                    cancel_label = escape(t("appt.cancel")),
                ),
            )
        }
    };
    let main = format!("<h1>{}</h1>\n{main}", escape(heading));
    Ok(Page::front(
        StatusCode::OK,
        locale,
        heading.to_owned(),
        main,
    ))
}

/// `GET /a/{token}/afspraak.ics`: the appointment for the citizen's calendar (RFC 5545),
/// with a reminder when the link opens.
pub(crate) async fn ics(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let fallback = language(query.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    if a.status != appointment::Status::Booked {
        return not_found(&state, fallback);
    }
    let locale = language(query.lang.as_deref(), &headers, Some(&a));
    let body = crate::calendar::appointment_ics(
        &state,
        &a,
        &manage,
        &product_name(&state, &a, locale),
        locale,
    );
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"afspraak.ics\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /a/{token}/cancel`: are you sure?
pub(crate) async fn cancel_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let fallback = language(query.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let locale = language(query.lang.as_deref(), &headers, Some(&a));
    if a.status != appointment::Status::Booked || a.ends_at <= state.clock().now_unix() {
        return see_other(&format!("/a/{}?lang={}", manage.to_text(), locale.code()));
    }
    let t = |key| state.catalogs().text(locale, key);
    let tz = match tz() {
        Ok(tz) => tz,
        Err(e) => return failed(&state, locale, e),
    };
    let base = format!("/a/{}", manage.to_text());
    let main = format!(
        r#"<h1>{heading}</h1>
<dl class="facts"><dt>{what}</dt><dd>{name}</dd><dt>{when_label}</dt><dd>{when}</dd></dl>
<p>{question}</p>
<form method="post" action="{base}/cancel">
<input type="hidden" name="lang" value="{lang}">
<button type="submit" class="primary danger">{yes}</button>
</form>
<p><a href="{base}?lang={lang}">{no}</a></p>
"#,
        heading = escape(t("appt.cancel_heading")),
        what = escape(t("appt.what")),
        name = escape(&product_name(&state, &a, locale)),
        when_label = escape(t("appt.when")),
        when = escape(&when::date_time(
            state.catalogs(),
            locale,
            &tz,
            booking::ts(a.starts_at)
        )),
        question = escape(t("appt.cancel_question")),
        base = escape(&base),
        lang = locale.code(),
        yes = escape(t("appt.cancel_yes")),
        no = escape(t("appt.cancel_no")),
    );
    let mut page = Page::front(
        StatusCode::OK,
        locale,
        t("appt.cancel_heading").to_owned(),
        main,
    );
    page.forms = true;
    crate::page::render(&state, page)
}

/// The language field of the small forms (cancel, move).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SmallForm {
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    at: Option<String>,
}

/// `POST /a/{token}/cancel`.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SmallForm>,
) -> Response {
    let fallback = language(form.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let locale = language(form.lang.as_deref(), &headers, Some(&a));
    if a.ends_at > state.clock().now_unix()
        && let Err(e) = booking::cancel(&state, &a)
    {
        return failed(&state, locale, e);
    }
    see_other(&format!("/a/{}?lang={}", manage.to_text(), locale.code()))
}

/// `GET /a/{token}/move`: the moment chooser for a new moment.
pub(crate) async fn move_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let fallback = language(query.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let locale = language(query.lang.as_deref(), &headers, Some(&a));
    render_move_chooser(&state, locale, &a, &manage, query.from.as_deref(), None)
}

fn render_move_chooser(
    state: &AppState,
    locale: Locale,
    a: &appointment::Appointment,
    manage: &JoinToken,
    from: Option<&str>,
    error: Option<&str>,
) -> Response {
    if a.status != appointment::Status::Booked || a.ends_at <= state.clock().now_unix() {
        return see_other(&format!("/a/{}?lang={}", manage.to_text(), locale.code()));
    }
    let t = |key| state.catalogs().text(locale, key);
    let tz = match tz() {
        Ok(tz) => tz,
        Err(e) => return failed(state, locale, e),
    };
    let base = format!("/a/{}", manage.to_text());
    let c = Chooser {
        heading: t("appt.move_heading").replace("{product}", &product_name(state, a, locale)),
        above: format!(
            "<dl class=\"facts\"><dt>{}</dt><dd>{}</dd></dl>\n<p><a href=\"{}?lang={}\">{}</a></p>\n",
            escape(t("appt.move_now")),
            escape(&when::date_time(
                state.catalogs(),
                locale,
                &tz,
                booking::ts(a.starts_at)
            )),
            escape(&base),
            locale.code(),
            escape(t("appt.cancel_no")),
        ),
        action: format!("{base}/move/confirm"),
        here: format!("{base}/move"),
        error,
        step: None,
    };
    match chooser(state, locale, &a.product_id, from, c) {
        Ok(Some(page)) => crate::page::render(state, page),
        Ok(None) => not_found(state, locale),
        Err(e) => failed(state, locale, e),
    }
}

/// `GET /a/{token}/move/confirm?at=…`: the old and the new moment, and a button.
pub(crate) async fn move_confirm_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let fallback = language(query.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let locale = language(query.lang.as_deref(), &headers, Some(&a));
    let Some(at) = parse_at(query.at.as_deref()) else {
        return render_move_chooser(&state, locale, &a, &manage, None, None);
    };
    if a.status != appointment::Status::Booked {
        return see_other(&format!("/a/{}?lang={}", manage.to_text(), locale.code()));
    }
    let t = |key| state.catalogs().text(locale, key);
    let tz = match tz() {
        Ok(tz) => tz,
        Err(e) => return failed(&state, locale, e),
    };
    let base = format!("/a/{}", manage.to_text());
    let heading = t("appt.move_heading").replace("{product}", &product_name(&state, &a, locale));
    let main = format!(
        r#"<h1>{heading}</h1>
<dl class="facts"><dt>{now_label}</dt><dd>{now}</dd><dt>{to_label}</dt><dd>{to}</dd></dl>
<form method="post" action="{base}/move">
<input type="hidden" name="lang" value="{lang}">
<input type="hidden" name="at" value="{at}">
<button type="submit" class="primary">{confirm}</button>
</form>
<p><a href="{base}/move?lang={lang}">{other}</a></p>
"#,
        heading = escape(&heading),
        now_label = escape(t("appt.move_now")),
        now = escape(&when::date_time(
            state.catalogs(),
            locale,
            &tz,
            booking::ts(a.starts_at)
        )),
        to_label = escape(t("appt.move_to")),
        to = escape(&when::date_time(state.catalogs(), locale, &tz, at)),
        base = escape(&base),
        lang = locale.code(),
        at = at.as_second(),
        confirm = escape(t("appt.move_confirm")),
        other = escape(t("book.change")),
    );
    let mut page = Page::front(StatusCode::OK, locale, heading, main);
    page.forms = true;
    crate::page::render(&state, page)
}

/// `POST /a/{token}/move`: books the new moment and withdraws the old appointment in one
/// transaction; the old join and manage links stop working.
pub(crate) async fn move_to(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<SmallForm>,
) -> Response {
    let fallback = language(form.lang.as_deref(), &headers, None);
    let (a, manage) = match find(&state, &token, fallback) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let locale = language(form.lang.as_deref(), &headers, Some(&a));
    let t = |key| state.catalogs().text(locale, key);
    let Some(at) = parse_at(form.at.as_deref()) else {
        return render_move_chooser(&state, locale, &a, &manage, None, None);
    };
    if a.status != appointment::Status::Booked {
        return see_other(&format!("/a/{}?lang={}", manage.to_text(), locale.code()));
    }
    if !state.limits().booking_allowed(peer.0) {
        return render_move_chooser(
            &state,
            locale,
            &a,
            &manage,
            None,
            Some(t("book.error_rate")),
        );
    }
    let citizen = Citizen {
        name: a.name.clone(),
        email: a.email.clone(),
        phone: a.phone.clone(),
        locale: a.locale.parse().unwrap_or(locale),
        question: a.question.clone(),
        postcode: a.postcode.clone(),
    };
    match booking::book(&state, &a.product_id, at, &citizen, Some(&a)) {
        Ok(booked) => see_other(&format!(
            "/a/{}?booked=1&lang={}",
            booked.manage.to_text(),
            locale.code()
        )),
        Err(Refused::Taken) => render_move_chooser(
            &state,
            locale,
            &a,
            &manage,
            None,
            Some(t("book.error_taken")),
        ),
        Err(Refused::OutOfRange | Refused::TooMany(_)) => render_move_chooser(
            &state,
            locale,
            &a,
            &manage,
            None,
            Some(t("book.error_range")),
        ),
        Err(Refused::NoProduct) => not_found(&state, locale),
        Err(Refused::Failed(e)) => failed(&state, locale, e),
    }
}
