//! The front door: what a citizen opens from the municipality's website. `GET /` lists
//! the products offered through the digital counter; from there a citizen books an
//! appointment ([`book`]) and later moves or cancels it ([`manage`]).
//!
//! Every page is rendered on the server and works without script; every form is a plain
//! form, so a keyboard, a screen reader or an old phone does each step. Citizen data
//! never reaches a log: handlers log ids and outcomes only.

pub(crate) mod book;
pub(crate) mod forms;
pub(crate) mod manage;
pub(crate) mod walk_in;
pub(crate) mod when;

use crate::page::{Page, choose_locale, escape};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use balie_domain::{Locale, Money};
use balie_store::relay::{hours, product};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The front door's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(door))
        .route("/book/{product}", get(book::slots_page).post(book::submit))
        .route("/book/{product}/details", get(book::details_page))
        .route("/a/{token}", get(manage::appointment_page))
        .route("/a/{token}/afspraak.ics", get(manage::ics))
        .route(
            "/a/{token}/cancel",
            get(manage::cancel_page).post(manage::cancel),
        )
        .route(
            "/a/{token}/move",
            get(manage::move_page).post(manage::move_to),
        )
        .route("/a/{token}/move/confirm", get(manage::move_confirm_page))
        .merge(walk_in::routes())
}

/// The query every front page takes.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct FrontQuery {
    pub(crate) lang: Option<String>,
    pub(crate) product: Option<String>,
    /// First day of the week shown (`YYYY-MM-DD`).
    pub(crate) from: Option<String>,
    /// A chosen moment (unix seconds).
    pub(crate) at: Option<String>,
    /// Set after a booking: the page confirms it.
    pub(crate) booked: Option<String>,
}

/// Europe/Brussels, or an internal error (it is compiled in, so this does not happen).
pub(crate) fn tz() -> Result<TimeZone, crate::AppError> {
    balie_domain::agenda::brussels().map_err(|e| crate::AppError::Internal(e.to_string()))
}

/// A product's price as a citizen reads it: `€ 60,00`, or "free of charge".
pub(crate) fn price(state: &AppState, locale: Locale, price: Money) -> String {
    if price.is_zero() {
        state.catalogs().text(locale, "door.free").to_owned()
    } else {
        price.format(locale)
    }
}

/// The page with a failure the relay cannot explain further (its detail went to the log).
pub(crate) fn failed(state: &AppState, locale: Locale, error: crate::AppError) -> Response {
    let t = |key| state.catalogs().text(locale, key);
    tracing::error!(%error, "front door page failed");
    let main = format!(
        "<h1>{}</h1>\n<p>{}</p>",
        escape(t("notfound.title")),
        escape(t("knock.failed"))
    );
    crate::page::render(
        state,
        Page::front(
            StatusCode::INTERNAL_SERVER_ERROR,
            locale,
            String::new(),
            main,
        ),
    )
}

/// The page for a product that is not offered (or an address that is no page).
pub(crate) fn door_not_found(state: &AppState, locale: Locale) -> Response {
    let t = |key| state.catalogs().text(locale, key);
    let main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/?lang={}\">{}</a></p>\n",
        escape(t("notfound.title")),
        escape(t("door.unknown_product")),
        locale.code(),
        escape(t("door.all")),
    );
    crate::page::render(
        state,
        Page::front(
            StatusCode::NOT_FOUND,
            locale,
            t("notfound.title").to_owned(),
            main,
        ),
    )
}

/// The name of appointment `a`'s product in `locale` (also of a product removed since).
pub(crate) fn product_name(
    state: &AppState,
    a: &balie_store::relay::appointment::Appointment,
    locale: Locale,
) -> String {
    state
        .with_db(|db| product::get_any(db, &a.product_id))
        .ok()
        .flatten()
        .map_or_else(|| a.product_id.clone(), |p| p.name.get(locale).to_owned())
}

/// `GET /`: the digital counter's products, each with what it costs, how long it takes,
/// what to have ready and *Afspraak maken*; then the opening hours. `?product=` shows one
/// product (a link from the municipality's page about it).
pub(crate) async fn door(
    State(state): State<AppState>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    match door_page(&state, locale, query.product.as_deref()) {
        Ok(page) => crate::page::render(&state, page),
        Err(e) => failed(&state, locale, e),
    }
}

fn door_page(
    state: &AppState,
    locale: Locale,
    chosen: Option<&str>,
) -> Result<Page, crate::AppError> {
    let t = |key| state.catalogs().text(locale, key);
    let municipality = &state.config().municipality;
    let (products, opening) =
        state.with_db(|db| Ok((product::list(db, true)?, hours::opening(db)?)))?;
    let one: Vec<&product::Product> = chosen
        .map(|id| products.iter().filter(|p| p.id == id).collect())
        .unwrap_or_default();
    let unknown = chosen.is_some() && one.is_empty();
    let shown: Vec<&product::Product> = if one.is_empty() {
        products.iter().collect()
    } else {
        one
    };
    let mut main = format!(
        "<h1>{}</h1>\n<p>{}</p>\n",
        escape(&t("door.heading").replace("{municipality}", municipality)),
        escape(t("door.intro")),
    );
    if unknown {
        main.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>\n",
            escape(t("door.unknown_product"))
        ));
    }
    main.push_str(&format!("<h2>{}</h2>\n", escape(t("door.services"))));
    if shown.is_empty() {
        main.push_str(&format!("<p>{}</p>\n", escape(t("door.none"))));
    } else {
        main.push_str("<ul class=\"products\">\n");
        for p in &shown {
            let call_now = crate::queue::is_open(state, &p.id)?;
            main.push_str(&product_card(state, locale, p, call_now));
        }
        main.push_str("</ul>\n");
    }
    if chosen.is_some() && !unknown {
        main.push_str(&format!(
            "<p><a href=\"/?lang={}\">{}</a></p>\n",
            locale.code(),
            escape(t("door.all"))
        ));
    }
    main.push_str(&opening_hours(state, locale, &opening)?);
    let mut page = Page::front(StatusCode::OK, locale, t("door.title").to_owned(), main);
    if let Some(id) = chosen {
        page.keep.push(("product", id.to_owned()));
    }
    Ok(page)
}

/// One product; with *Nu videobellen* when `call_now` (a clerk for it is free now).
fn product_card(state: &AppState, locale: Locale, p: &product::Product, call_now: bool) -> String {
    let t = |key| state.catalogs().text(locale, key);
    let id = escape(&p.id);
    let name = p.name.get(locale);
    let prepare = p.prepare.get(locale);
    let prepare = if prepare.is_empty() {
        String::new()
    } else {
        format!(
            "<dt>{}</dt><dd>{}</dd>",
            escape(t("door.prepare")),
            escape(prepare)
        )
    };
    format!(
        r#"<li class="product" id="product-{id}">
<h3 id="name-{id}">{name}</h3>
<dl class="facts">
<dt>{price_label}</dt><dd>{price}</dd>
<dt>{duration_label}</dt><dd>{duration}</dd>
{prepare}
</dl>
<p class="actions">{call}<a class="button {book_class}" href="/book/{id}?lang={lang}" aria-label="{book_for}">{book}</a></p>
</li>
"#,
        call = if call_now {
            format!(
                r#"<a class="button primary" href="/queue/{id}?lang={lang}" aria-label="{label}">{text}</a> "#,
                lang = locale.code(),
                label = escape(&t("door.call_now_for").replace("{product}", name)),
                text = escape(t("door.call_now")),
            )
        } else {
            String::new()
        },
        book_class = if call_now { "secondary" } else { "primary" },
        name = escape(name),
        price_label = escape(t("door.price")),
        price = escape(&price(state, locale, p.price)),
        duration_label = escape(t("door.duration")),
        duration = escape(&t("door.minutes").replace("{minutes}", &p.duration_minutes.to_string())),
        lang = locale.code(),
        book_for = escape(&t("door.book_for").replace("{product}", name)),
        book = escape(t("door.book")),
    )
}

/// The week's opening hours and the closures in the coming weeks.
fn opening_hours(
    state: &AppState,
    locale: Locale,
    opening: &hours::OpeningHours,
) -> Result<String, crate::AppError> {
    let t = |key| state.catalogs().text(locale, key);
    let tz = tz()?;
    let mut out = format!(
        "<section aria-labelledby=\"hours-heading\">\n<h2 id=\"hours-heading\">{}</h2>\n<dl class=\"hours\">\n",
        escape(t("door.hours"))
    );
    for n in 1..=7i8 {
        let day = jiff::civil::Weekday::from_monday_one_offset(n)
            .map_err(|e| crate::AppError::Internal(e.to_string()))?;
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(state.catalogs().text(locale, day_key(n))),
            escape(&hours_text(state, locale, opening.calendar.weekday(day))),
        ));
    }
    out.push_str("</dl>\n");
    let today = tz
        .to_datetime(crate::booking::ts(state.clock().now_unix()))
        .date();
    let until = today
        .checked_add(jiff::Span::new().days(i64::from(state.config().booking.weeks_ahead) * 7))
        .unwrap_or(today);
    let closures: Vec<_> = opening.calendar.exceptions().range(today..=until).collect();
    if !closures.is_empty() {
        out.push_str(&format!(
            "<h3>{}</h3>\n<ul class=\"closures\">\n",
            escape(t("door.closures"))
        ));
        for (day, h) in closures {
            let note = opening.notes.get(day).map_or("", String::as_str);
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape(note))
            };
            out.push_str(&format!(
                "<li>{}: {}{note}</li>\n",
                escape(&when::date(state.catalogs(), locale, *day)),
                escape(&hours_text(state, locale, h)),
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&format!(
        "<p>{}</p>\n</section>\n",
        escape(t("door.after_hours"))
    ));
    Ok(out)
}

fn day_key(monday_one: i8) -> &'static str {
    match monday_one {
        1 => "day.1",
        2 => "day.2",
        3 => "day.3",
        4 => "day.4",
        5 => "day.5",
        6 => "day.6",
        _ => "day.7",
    }
}

/// `09:00–12:00, 13:30–16:00`, or "closed".
fn hours_text(state: &AppState, locale: Locale, h: &balie_domain::agenda::DayHours) -> String {
    if h.is_closed() {
        return state.catalogs().text(locale, "door.closed").to_owned();
    }
    h.windows()
        .iter()
        .map(|w| format!("{}–{}", w.from(), w.to()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Unix seconds from a query or form value.
pub(crate) fn parse_at(text: Option<&str>) -> Option<Timestamp> {
    text.and_then(|t| t.trim().parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok())
}
