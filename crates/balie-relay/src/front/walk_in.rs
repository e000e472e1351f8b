//! *Nu videobellen*: the citizen's side of the walk-in queue ([`crate::queue`]).
//!
//! - `GET /queue/{product}`: who waits and the estimate, and the button to join (a form
//!   with a signed token, like booking); when nobody serves it now, a way to book;
//! - `POST /queue/{product}`: joins, and goes to the ticket's page;
//! - `GET /q/{ticket}`: the place and the estimate, said again by its script every few
//!   seconds (`GET /q/{ticket}/status`), which also keeps the place; once a clerk takes
//!   the citizen, the page goes to the conversation;
//! - `POST /q/{ticket}/leave`: leaves the queue.

use super::book::see_other;
use super::{door_not_found, failed};
use crate::front::forms::FormProblem;
use crate::limits::Peer;
use crate::page::{Page, choose_locale, escape};
use crate::queue::{self, NotJoined, Place};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use axum::{Form, Router};
use balie_domain::Locale;
use balie_protocol::agenda::TicketStatus;
use balie_store::relay::product;

/// The routes of the walk-in queue's pages.
pub(crate) fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/queue/{product}", get(join_page).post(join))
        .route("/q/{ticket}", get(ticket_page))
        .route("/q/{ticket}/status", get(ticket_status))
        .route("/q/{ticket}/leave", post(leave))
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct LangQuery {
    lang: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(crate) struct JoinForm {
    #[serde(default)]
    form: String,
    lang: Option<String>,
}

fn purpose(product_id: &str) -> String {
    format!("queue:{product_id}")
}

/// `GET /queue/{product}`.
pub(crate) async fn join_page(
    State(state): State<AppState>,
    Path(product_id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    render_join(&state, locale, &product_id, None)
}

fn render_join(
    state: &AppState,
    locale: Locale,
    product_id: &str,
    notice: Option<&str>,
) -> Response {
    match join_main(state, locale, product_id, notice) {
        Ok(Some(page)) => crate::page::render(state, page),
        Ok(None) => door_not_found(state, locale),
        Err(e) => failed(state, locale, e),
    }
}

fn join_main(
    state: &AppState,
    locale: Locale,
    product_id: &str,
    notice: Option<&str>,
) -> Result<Option<Page>, crate::AppError> {
    let t = |key| state.catalogs().text(locale, key);
    let Some(p) = state
        .with_db(|db| product::get(db, product_id))?
        .filter(|p| p.digital)
    else {
        return Ok(None);
    };
    let name = p.name.get(locale);
    let heading = t("queue.heading").replace("{product}", name);
    let id = escape(&p.id);
    let lang = locale.code();
    let mut main = format!("<h1>{}</h1>\n", escape(&heading));
    if let Some(notice) = notice {
        main.push_str(&format!(
            "<p class=\"notice\" role=\"alert\">{}</p>\n",
            escape(notice)
        ));
    }
    if !queue::is_open(state, &p.id)? {
        main.push_str(&format!(
            "<p>{}</p>\n<p class=\"actions\"><a class=\"button primary\" href=\"/book/{id}?lang={lang}\">{}</a></p>\n",
            escape(t("queue.closed")),
            escape(t("door.book")),
        ));
        let mut page = Page::front(StatusCode::OK, locale, heading, main);
        page.keep.push(("product", p.id.clone()));
        return Ok(Some(page));
    }
    let waiting = queue::waiting_count(state, &p.id)?;
    let now = state.clock().now_unix();
    let token = state.forms().issue(&purpose(&p.id), now)?;
    let waiting_text = match waiting {
        0 => t("queue.nobody_waits").to_owned(),
        1 => t("queue.one_waits").to_owned(),
        n => t("queue.some_wait").replace("{count}", &n.to_string()),
    };
    main.push_str(&format!(
        r#"<p>{waiting_text}</p>
<p>{explain}</p>
<form method="post" action="/queue/{id}">
<input type="hidden" name="form" value="{token}">
<input type="hidden" name="lang" value="{lang}">
<p class="actions"><button type="submit" class="button primary">{join}</button></p>
</form>
<p><a href="/book/{id}?lang={lang}">{book_instead}</a></p>
"#,
        waiting_text = escape(&waiting_text),
        explain = escape(t("queue.explain")),
        token = escape(&token),
        join = escape(t("queue.join")),
        book_instead = escape(t("queue.book_instead")),
    ));
    let mut page = Page::front(StatusCode::OK, locale, heading, main);
    page.forms = true;
    Ok(Some(page))
}

/// `POST /queue/{product}`.
pub(crate) async fn join(
    State(state): State<AppState>,
    Path(product_id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<JoinForm>,
) -> Response {
    let locale = choose_locale(form.lang.as_deref(), &headers, None);
    let t = |key| state.catalogs().text(locale, key);
    let now = state.clock().now_unix();
    if let Err(problem) = state.forms().take(&form.form, &purpose(&product_id), now) {
        let notice = match problem {
            FormProblem::TooFast => t("book.error_fast"),
            FormProblem::Expired | FormProblem::Invalid => t("book.error_form"),
        };
        return render_join(&state, locale, &product_id, Some(notice));
    }
    if !state.limits().booking_allowed(peer.0) {
        return render_join(&state, locale, &product_id, Some(t("book.error_rate")));
    }
    match queue::join(&state, &product_id, locale) {
        Ok(Ok(ticket)) => see_other(&format!("/q/{}?lang={}", ticket.to_text(), locale.code())),
        Ok(Err(NotJoined::Full)) => render_join(&state, locale, &product_id, Some(t("queue.full"))),
        Ok(Err(NotJoined::Closed)) => render_join(&state, locale, &product_id, None),
        Ok(Err(NotJoined::NoProduct)) => door_not_found(&state, locale),
        Err(e) => failed(&state, locale, e),
    }
}

/// What the page says about `place`.
fn place_text(state: &AppState, locale: Locale, place: &Place) -> String {
    let t = |key| state.catalogs().text(locale, key);
    match place {
        Place::Waiting {
            position, minutes, ..
        } => {
            let where_ = if *position == 1 {
                t("queue.you_are_next").to_owned()
            } else {
                t("queue.position").replace("{position}", &position.to_string())
            };
            let wait = if *minutes == 0 {
                t("queue.wait_short").to_owned()
            } else {
                t("queue.wait").replace("{minutes}", &minutes.to_string())
            };
            format!("{where_} {wait}")
        }
        Place::Taken(_) => t("queue.your_turn").to_owned(),
    }
}

/// `GET /q/{ticket}`.
pub(crate) async fn ticket_page(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    let t = |key| state.catalogs().text(locale, key);
    let place = match queue::place(&state, &ticket) {
        Ok(place) => place,
        Err(e) => return failed(&state, locale, e),
    };
    let lang = locale.code();
    let Some(place) = place else {
        let main = format!(
            "<h1>{}</h1>\n<p>{}</p>\n<p class=\"actions\"><a class=\"button primary\" href=\"/?lang={lang}\">{}</a></p>\n",
            escape(t("queue.gone")),
            escape(t("queue.gone_body")),
            escape(t("queue.back")),
        );
        return crate::page::render(
            &state,
            Page::front(StatusCode::GONE, locale, t("queue.gone").to_owned(), main),
        );
    };
    if let Place::Taken(join_url) = &place {
        return see_other(&format!("{join_url}?lang={lang}"));
    }
    let Place::Waiting { product_id, .. } = &place else {
        return see_other("/");
    };
    let name = state
        .with_db(|db| product::get_any(db, product_id))
        .ok()
        .flatten()
        .map(|p| p.name.get(locale).to_owned())
        .unwrap_or_default();
    let ticket = escape(&ticket);
    let main = format!(
        r#"<h1>{heading}</h1>
<p class="step">{product}</p>
<p id="queue-status" class="notice" role="status" data-status-url="/q/{ticket}/status?lang={lang}">{status}</p>
<p>{keep_open}</p>
<p>{estimate_note}</p>
<p><a href="/q/{ticket}?lang={lang}">{refresh}</a></p>
<form method="post" action="/q/{ticket}/leave">
<input type="hidden" name="lang" value="{lang}">
<p class="actions"><button type="submit" class="button secondary">{leave}</button></p>
</form>
<script src="/static/queue.js" defer></script>
"#,
        heading = escape(t("queue.waiting_heading")),
        product = escape(&name),
        status = escape(&place_text(&state, locale, &place)),
        keep_open = escape(t("queue.keep_open")),
        estimate_note = escape(t("queue.estimate_note")),
        refresh = escape(t("queue.refresh")),
        leave = escape(t("queue.leave")),
    );
    let mut page = Page::front(
        StatusCode::OK,
        locale,
        t("queue.waiting_heading").to_owned(),
        main,
    );
    page.forms = true;
    crate::page::render(&state, page)
}

/// `GET /q/{ticket}/status`: what the page's script shows; keeps the place.
pub(crate) async fn ticket_status(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    let no_store = [(header::CACHE_CONTROL, "no-store")];
    match queue::place(&state, &ticket) {
        Ok(Some(place)) => {
            let text = place_text(&state, locale, &place);
            let status = match place {
                Place::Waiting {
                    position, minutes, ..
                } => TicketStatus {
                    position: Some(position),
                    minutes: Some(minutes),
                    join_url: None,
                    text,
                },
                Place::Taken(join_url) => TicketStatus {
                    position: None,
                    minutes: None,
                    join_url: Some(format!("{join_url}?lang={}", locale.code())),
                    text,
                },
            };
            (no_store, Json(status)).into_response()
        }
        Ok(None) => (StatusCode::GONE, no_store).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /q/{ticket}/leave`.
pub(crate) async fn leave(
    State(state): State<AppState>,
    Path(ticket): Path<String>,
    headers: HeaderMap,
    Form(form): Form<LangQuery>,
) -> Response {
    let locale = choose_locale(form.lang.as_deref(), &headers, None);
    match queue::leave(&state, &ticket) {
        Ok(_) => see_other(&format!("/?lang={}", locale.code())),
        Err(e) => failed(&state, locale, e),
    }
}
