//! The municipality's impact figures on the relay (issue 16).
//!
//! Each cockpit sends its anonymous summary (`PUT /api/impact`, a
//! [`balie_impact::summary::Upload`], checked here: within limits, every record in its own
//! day); the relay keeps it per clerk and day. The admin page (`/admin`, for the people
//! `balie-relay admin add NAME` made) shows the fourteen indicators of a period for the
//! whole municipality, from all cockpits' summaries, as the cockpit's dashboard shows them
//! for one clerk: the same texts, the same charts.

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::page::{Page, escape};
use crate::rooms::ApiJson;
use crate::state::AppState;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use balie_domain::Locale;
use balie_impact::summary::Upload;
use balie_impact::{Facts, Period, PeriodKind};
use base64::Engine as _;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an admin stays signed in.
const SESSION_FOR: Duration = Duration::from_secs(8 * 3600);
/// The admin session cookie.
const COOKIE: &str = "balie_admin";
/// An admin token's prefix.
pub const ADMIN_TOKEN_PREFIX: &str = "balie_admin_";

/// `PUT /api/impact`: a cockpit's summary. 204 when kept; 400 (with the reason) when it
/// breaks a limit or puts a record in the wrong day; nothing is kept then.
pub(crate) async fn upload(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    ApiJson(upload): ApiJson<Upload>,
) -> Result<StatusCode, AppError> {
    let tz = crate::front::tz()?;
    upload
        .check(&tz)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let days: Vec<(String, String)> = upload
        .days
        .iter()
        .map(|d| Ok((d.day.to_string(), serde_json::to_string(&d.facts)?)))
        .collect::<Result<_, serde_json::Error>>()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let whole = upload
        .whole
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let now = state.clock().now_unix();
    state.with_db(|db| {
        balie_store::relay::impact::replace(db, clerk.clerk_id, &days, whole.as_deref(), now)
    })?;
    tracing::info!(days = days.len(), "impact summary kept");
    Ok(StatusCode::NO_CONTENT)
}

/// Adds admin `name` and returns their token (shown once; stored only hashed).
pub fn add_admin(
    conn: &rusqlite::Connection,
    name: &str,
    now: i64,
) -> anyhow::Result<SecretString> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        anyhow::bail!("an admin name has 1 to 100 printable characters");
    }
    let bytes: [u8; 32] = crate::random_bytes()?;
    let token = format!(
        "{ADMIN_TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let digest = crate::sha256(token.as_bytes());
    if balie_store::relay::admin::add(conn, name, &digest, now)?.is_none() {
        anyhow::bail!("an admin called {name:?} already exists");
    }
    Ok(SecretString::from(token))
}

/// Signed-in admins, by the SHA-256 of their session cookie: admin id and expiry.
#[derive(Default)]
pub(crate) struct Sessions(Mutex<HashMap<[u8; 32], (i64, Instant)>>);

impl Sessions {
    fn open(&self, admin_id: i64) -> Result<String, AppError> {
        let bytes: [u8; 32] = crate::random_bytes()?;
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let mut all = self
            .0
            .lock()
            .map_err(|_| AppError::Internal("sessions lock poisoned".into()))?;
        let now = Instant::now();
        all.retain(|_, (_, until)| *until > now);
        all.insert(
            crate::sha256(secret.as_bytes()),
            (admin_id, now + SESSION_FOR),
        );
        Ok(secret)
    }

    fn admin(&self, secret: &str) -> Option<i64> {
        let all = self.0.lock().ok()?;
        all.get(&crate::sha256(secret.as_bytes()))
            .filter(|(_, until)| *until > Instant::now())
            .map(|(id, _)| *id)
    }

    fn close(&self, secret: &str) {
        if let Ok(mut all) = self.0.lock() {
            all.remove(&crate::sha256(secret.as_bytes()));
        }
    }
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The signed-in admin of this request, if any (and still not revoked).
fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<i64> {
    let id = state.admin_sessions().admin(&session_cookie(headers)?)?;
    state
        .with_db(|db| balie_store::relay::admin::is_active(db, id))
        .ok()?
        .then_some(id)
}

/// The page's language: `?lang=`, else the browser's.
fn locale_of(lang: Option<&str>, headers: &HeaderMap) -> Locale {
    crate::page::choose_locale(lang, headers, None)
}

/// The query of the admin pages.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct AdminQuery {
    lang: Option<String>,
    /// One clerk's figures (their name); all when absent or empty.
    clerk: Option<String>,
    kind: Option<String>,
    day: Option<String>,
    last: Option<String>,
    failed: Option<String>,
}

/// `GET /admin`: the sign-in form, or the figures when signed in.
pub(crate) async fn admin_page(
    State(state): State<AppState>,
    Query(query): Query<AdminQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(query.lang.as_deref(), &headers);
    if signed_in(&state, &headers).is_some() {
        return figures_page(&state, &query, locale);
    }
    let t = |key: &str| escape(state.catalogs().text(locale, key));
    let failed = if query.failed.is_some() {
        format!(r#"<p class="error" role="alert">{}</p>"#, t("admin.failed"))
    } else {
        String::new()
    };
    let main = format!(
        r#"<h1>{heading}</h1>
<p>{intro}</p>
{failed}
<form method="post" action="/admin/login">
<input type="hidden" name="lang" value="{lang}">
<label for="token">{label}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="200">
<div class="actions"><button type="submit" class="primary">{sign_in}</button></div>
</form>"#,
        heading = t("admin.heading"),
        intro = t("admin.intro"),
        label = t("admin.token"),
        sign_in = t("admin.sign_in"),
        lang = locale.code(),
    );
    let mut page = Page::new(StatusCode::OK, locale, t("admin.heading"), main);
    page.forms = true;
    page.main_class = Some("admin");
    crate::page::render(&state, page)
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct SignIn {
    token: String,
    #[serde(default)]
    lang: Option<String>,
}

/// `POST /admin/login`: a valid admin token opens a session (an HttpOnly, SameSite=Strict
/// cookie); anything else goes back to the form with a message.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    Form(form): Form<SignIn>,
) -> Result<Response, AppError> {
    let token = form.token.trim();
    // Back in the language the form was in.
    let lang = form
        .lang
        .as_deref()
        .and_then(|l| l.parse::<Locale>().ok())
        .unwrap_or(Locale::Nl)
        .code();
    let found = if token.starts_with(ADMIN_TOKEN_PREFIX) && token.len() < 200 {
        let digest = crate::sha256(token.as_bytes());
        state.with_db(|db| balie_store::relay::admin::find_active(db, &digest))?
    } else {
        None
    };
    let Some((id, _name)) = found else {
        tracing::info!("admin sign-in refused");
        return Ok(Redirect::to(&format!("/admin?failed=1&lang={lang}")).into_response());
    };
    let secret = state.admin_sessions().open(id)?;
    tracing::info!(admin_id = id, "admin signed in");
    let cookie = format!(
        "{COOKIE}={secret}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_FOR.as_secs(),
        crate::identity::secure_cookie(&state)
    );
    let mut response = Redirect::to(&format!("/admin?lang={lang}")).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    Ok(response)
}

/// `POST /admin/logout`.
pub(crate) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(secret) = session_cookie(&headers) {
        state.admin_sessions().close(&secret);
    }
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("balie_admin=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

/// The period the query names (this quarter when it names none or a wrong one).
fn period_of(state: &AppState, query: &AdminQuery) -> Result<Period, AppError> {
    let tz = crate::front::tz()?;
    let today = balie_impact::period::day_of(&tz, state.clock().now_unix() * 1000);
    let day = query
        .day
        .as_deref()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .unwrap_or(today);
    let kind = match query.kind.as_deref() {
        Some("week") => PeriodKind::Week,
        Some("month") => PeriodKind::Month,
        Some("year") => PeriodKind::Year,
        Some("custom") => PeriodKind::Custom,
        _ => PeriodKind::Quarter,
    };
    let period = if kind == PeriodKind::Custom {
        let last = query
            .last
            .as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .unwrap_or(day);
        Period::custom(day, last)
    } else {
        Period::of_kind(kind, day)
    };
    period.map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The municipality's facts for `period` and the one before; of clerk `clerk_id` only
/// when given.
pub(crate) fn municipal_facts(
    state: &AppState,
    period: &Period,
    clerk_id: Option<i64>,
) -> Result<Facts, AppError> {
    let previous = period
        .previous()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (days, wholes) = state.with_db(|db| {
        Ok((
            balie_store::relay::impact::days(
                db,
                &previous.first.to_string(),
                &period.last.to_string(),
                clerk_id,
            )?,
            balie_store::relay::impact::wholes(db, clerk_id)?,
        ))
    })?;
    // Stored by this relay after its own checks; a row that no longer reads is skipped.
    let read = |json: String| serde_json::from_str::<Facts>(&json).ok();
    Ok(balie_impact::summary::merge(
        days.into_iter().filter_map(read),
        wholes.into_iter().filter_map(read),
    ))
}

fn figures_page(state: &AppState, query: &AdminQuery, locale: Locale) -> Response {
    match figures_main(state, query, locale) {
        Ok(main) => {
            let mut page = Page::new(
                StatusCode::OK,
                locale,
                state.catalogs().text(locale, "admin.figures").to_owned(),
                main,
            );
            page.forms = true;
            page.main_class = Some("admin");
            page.keep = [
                ("kind", &query.kind),
                ("day", &query.day),
                ("last", &query.last),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
            .collect();
            crate::page::render(state, page)
        }
        Err(e) => e.into_response(),
    }
}

/// The clerk the query names (by name) among those who sent a summary: id and name.
fn chosen_clerk(state: &AppState, query: &AdminQuery) -> Result<Option<(i64, String)>, AppError> {
    let Some(name) = query.clerk.as_deref().filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let clerks = state.with_db(balie_store::relay::impact::clerks)?;
    clerks
        .into_iter()
        .find(|(_, n)| n == name)
        .map(Some)
        .ok_or(AppError::NotFound)
}

/// The municipality's report of the period `query` names (one clerk's when it names one),
/// in `locale`.
fn municipal_report(
    state: &AppState,
    query: &AdminQuery,
    locale: Locale,
) -> Result<(Period, balie_impact::present::Report), AppError> {
    let tz = crate::front::tz()?;
    let period = period_of(state, query)?;
    let previous = period
        .previous()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let clerk = chosen_clerk(state, query)?;
    let facts = municipal_facts(state, &period, clerk.map(|(id, _)| id))?;
    let assumptions = state.config().impact;
    let now = balie_impact::compute(&facts, &period, &tz, &assumptions);
    let before = balie_impact::compute(&facts, &previous, &tz, &assumptions);
    let products: HashMap<String, String> = state
        .with_db(|db| balie_store::relay::product::list(db, false))?
        .into_iter()
        .map(|p| {
            let name = match locale {
                Locale::Nl => p.name.nl,
                Locale::Fr => p.name.fr,
                Locale::En => p.name.en,
            };
            (p.id, name)
        })
        .collect();
    let names = |id: Option<&balie_impact::facts::ProductId>| match id {
        None => balie_impact::present::text(locale, "product.all"),
        Some(id) => products
            .get(id.as_str())
            .cloned()
            .unwrap_or_else(|| id.as_str().to_owned()),
    };
    let report = balie_impact::present::report(&now, &before, &assumptions, locale, &names);
    Ok((period, report))
}

/// `GET /admin/report.pdf` and `/admin/report.csv`: the municipality's *Impactrapport* of
/// the period the query names, for a signed-in admin.
pub(crate) async fn report_file(
    State(state): State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(query): Query<AdminQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if signed_in(&state, &headers).is_none() {
        return Ok(Redirect::to("/admin").into_response());
    }
    let locale = locale_of(query.lang.as_deref(), &headers);
    let (period, report) = municipal_report(&state, &query, locale)?;
    let (bytes, content_type, extension) = match file.as_str() {
        "report.csv" => (
            balie_impact::report::csv(&report).map_err(|e| AppError::Internal(e.to_string()))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        "report.pdf" => {
            let charts: Vec<String> = report
                .indicators
                .iter()
                .map(|i| balie_impact::chart::svg(&i.chart))
                .collect();
            let t = |key: &str| state.catalogs().text(locale, key).to_owned();
            let tz = crate::front::tz()?;
            let today = balie_impact::period::day_of(&tz, state.clock().now_unix() * 1000);
            let scope = match chosen_clerk(&state, &query)? {
                Some((_, name)) => t("admin.report_scope_clerk").replace("{clerk}", &name),
                None => t("admin.report_scope"),
            };
            let cover = balie_impact::report::Cover {
                municipality: state.config().municipality.clone(),
                scope,
                made: t("admin.report_made")
                    .replace("{when}", &balie_impact::present::Format(locale).day(today)),
                language: match locale {
                    Locale::Nl => "nl-BE",
                    Locale::Fr => "fr-BE",
                    Locale::En => "en",
                }
                .into(),
            };
            (
                balie_impact::report::pdf(&report, &charts, &cover)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                "application/pdf",
                "pdf",
            )
        }
        _ => return Err(AppError::NotFound),
    };
    let disposition = format!(
        "attachment; filename=\"impactrapport-{}-{}.{extension}\"",
        period.first, period.last
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

fn figures_main(state: &AppState, query: &AdminQuery, locale: Locale) -> Result<String, AppError> {
    let t = |key: &str| state.catalogs().text(locale, key).to_owned();
    let tz = crate::front::tz()?;
    let (period, report) = municipal_report(state, query, locale)?;
    let kind = match period.kind {
        PeriodKind::Week => "week",
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
        PeriodKind::Year => "year",
        PeriodKind::Custom => "custom",
    };
    let lang = locale.code();
    let step = |day: Option<jiff::civil::Date>, key: &str| match day {
        Some(d) if period.kind != PeriodKind::Custom => format!(
            r#"<a class="button secondary" href="/admin?kind={kind}&amp;day={d}&amp;lang={lang}&amp;clerk={c}">{}</a>"#,
            escape(&t(key)),
            c = escape(
                &url::form_urlencoded::byte_serialize(
                    query.clerk.as_deref().unwrap_or("").as_bytes()
                )
                .collect::<String>()
            )
        ),
        _ => String::new(),
    };
    let next = period
        .last
        .tomorrow()
        .ok()
        .filter(|d| *d <= balie_impact::period::day_of(&tz, state.clock().now_unix() * 1000));
    let chosen = query.clerk.clone().unwrap_or_default();
    let clerk_options: String = std::iter::once((String::new(), t("admin.all_clerks")))
        .chain(
            state
                .with_db(balie_store::relay::impact::clerks)?
                .into_iter()
                .map(|(_, n)| (n.clone(), n)),
        )
        .map(|(value, label)| {
            format!(
                r#"<option value="{v}"{selected}>{l}</option>"#,
                v = escape(&value),
                selected = if value == chosen { " selected" } else { "" },
                l = escape(&label)
            )
        })
        .collect();
    let kinds: String = ["week", "month", "quarter", "year"]
        .iter()
        .map(|k| {
            format!(
                r#"<option value="{k}"{selected}>{label}</option>"#,
                selected = if *k == kind { " selected" } else { "" },
                label = escape(&t(&format!("admin.kind_{k}")))
            )
        })
        .collect();
    let mut cards = String::new();
    for audience in ["citizens", "clerks", "organisation"] {
        cards.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(&t(&format!("admin.audience_{audience}")))
        ));
        for indicator in report.indicators.iter().filter(|i| {
            serde_json::to_value(i.audience)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                == Some(audience.to_owned())
        }) {
            cards.push_str(&card(indicator, &t));
        }
    }
    let assumptions: String = report
        .assumptions
        .iter()
        .map(|a| format!("<li>{}</li>", escape(a)))
        .collect();
    Ok(format!(
        r#"<h1>{heading}</h1>
<p class="period">{period}</p>
<form method="get" action="/admin" class="actions">
<input type="hidden" name="lang" value="{lang}">
<label for="kind">{kind_label}</label>
<select id="kind" name="kind">{kinds}</select>
<label for="clerk">{clerk_label}</label>
<select id="clerk" name="clerk">{clerk_options}</select>
<button type="submit" class="secondary">{show}</button>
</form>
<div class="actions">{prev}{next}</div>
<div class="actions"><a class="button secondary" href="/admin/report.pdf?{here}">{pdf}</a><a class="button secondary" href="/admin/report.csv?{here}">{csv}</a></div>
{cards}
<h2>{assumptions_heading}</h2>
<ul>{assumptions}</ul>
<form method="post" action="/admin/logout"><button type="submit" class="secondary">{sign_out}</button></form>"#,
        heading = escape(&t("admin.figures")),
        period = escape(
            &t("admin.period")
                .replace("{period}", &report.period)
                .replace("{previous}", &report.previous_period)
        ),
        kind_label = escape(&t("admin.kind")),
        show = escape(&t("admin.show")),
        prev = step(period.first.yesterday().ok(), "admin.prev"),
        next = step(next, "admin.next"),
        assumptions_heading = escape(&t("admin.assumptions")),
        sign_out = escape(&t("admin.sign_out")),
        pdf = escape(&t("admin.report_pdf")),
        clerk_label = escape(&t("admin.clerk")),
        csv = escape(&t("admin.report_csv")),
        here = escape(&format!(
            "kind={kind}&day={}&last={}&lang={lang}&clerk={}",
            period.first,
            period.last,
            url::form_urlencoded::byte_serialize(chosen.as_bytes()).collect::<String>()
        )),
    ))
}

fn card(indicator: &balie_impact::present::Indicator, t: &dyn Fn(&str) -> String) -> String {
    let chart = balie_impact::chart::data_uri(&indicator.chart);
    let head: String = indicator
        .table
        .columns
        .iter()
        .map(|c| format!(r#"<th scope="col">{}</th>"#, escape(c)))
        .collect();
    let rows: String = indicator
        .table
        .rows
        .iter()
        .map(|row| {
            let cells: String = row
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        format!(r#"<th scope="row">{}</th>"#, escape(c))
                    } else {
                        format!("<td>{}</td>", escape(c))
                    }
                })
                .collect();
            format!("<tr>{cells}</tr>")
        })
        .collect();
    let missing = indicator
        .missing
        .as_deref()
        .map(|m| format!(r#"<p class="notice">{}</p>"#, escape(m)))
        .unwrap_or_default();
    format!(
        r#"<section class="indicator" id="indicator-{id}" aria-labelledby="indicator-{id}-title">
<h3 id="indicator-{id}-title">{number}. {title}</h3>
<p class="headline">{headline}</p>
<p>{previous}</p>
{missing}
<img class="chart" src="{chart}" alt="{alt}">
<details><summary>{table_label}</summary>
<div class="table-wrap" tabindex="0" role="region" aria-label="{title}"><table><caption>{title}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>
</details>
<p class="note"><strong>{definition_label}</strong> {definition}</p>
</section>
"#,
        id = escape(&indicator.id),
        number = indicator.number,
        title = escape(&indicator.title),
        headline = escape(&indicator.headline),
        previous = escape(&t("admin.previous").replace("{text}", &indicator.previous)),
        alt = escape(&t("admin.chart_alt").replace("{title}", &indicator.title)),
        table_label = escape(&t("admin.table")),
        definition_label = escape(&t("admin.definition")),
        definition = escape(&indicator.definition),
    )
}
