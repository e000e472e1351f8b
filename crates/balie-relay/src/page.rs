//! The frame every page for citizens shares: the municipality's name, the language
//! chooser, one `<main>`, one stylesheet, and the headers that keep it private (strict
//! CSP, `no-store`, `no-referrer` from the app's layer).

use crate::state::AppState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use balie_domain::Locale;

/// Nothing but our own stylesheet and script may load; forms post nowhere.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// As [`CSP`], but forms may post to the relay itself (the front door's booking).
const CSP_FORMS: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One page.
pub(crate) struct Page {
    /// HTTP status.
    pub(crate) status: StatusCode,
    /// Its language.
    pub(crate) locale: Locale,
    /// The window title (the municipality is added).
    pub(crate) title: String,
    /// What goes inside `<main>`, already escaped.
    pub(crate) main: String,
    /// The query parameters (other than `lang`) the language links keep, so choosing a
    /// language stays on the same step.
    pub(crate) keep: Vec<(&'static str, String)>,
    /// Whether the page has forms that post to the relay.
    pub(crate) forms: bool,
    /// A class for `<main>`.
    pub(crate) main_class: Option<&'static str>,
    /// Whether the language chooser is shown (not on a page whose address works once,
    /// such as the return from an identity provider: choosing a language would load it
    /// again).
    pub(crate) languages: bool,
}

impl Page {
    /// A page with a status, language, title and content; no forms, no kept parameters.
    pub(crate) fn new(status: StatusCode, locale: Locale, title: String, main: String) -> Self {
        Self {
            status,
            locale,
            title,
            main,
            keep: Vec::new(),
            forms: false,
            main_class: None,
            languages: true,
        }
    }
}

impl Page {
    /// A page of the front door (`main.front`: margins that do not grow with the text, so
    /// at 200% the text gets the width).
    pub(crate) fn front(status: StatusCode, locale: Locale, title: String, main: String) -> Self {
        Self {
            main_class: Some("front"),
            ..Self::new(status, locale, title, main)
        }
    }
}

/// The page as an HTML response.
pub(crate) fn render(state: &AppState, page: Page) -> Response {
    let locale = page.locale;
    let t = |key| state.catalogs().text(locale, key);
    let municipality = &state.config().municipality;
    let title = t("page.title").replace("{municipality}", municipality);
    let title = if page.title.is_empty() {
        title
    } else {
        format!("{} – {municipality}", page.title)
    };
    let languages: String = Locale::ALL
        .iter()
        .map(|l| {
            let current = if *l == locale {
                r#" aria-current="true""#
            } else {
                ""
            };
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &page.keep {
                query.append_pair(k, v);
            }
            query.append_pair("lang", l.code());
            format!(
                r#"<li><a href="?{query}" lang="{tag}" hreflang="{tag}"{current}>{name}</a></li>"#,
                query = escape(&query.finish()),
                tag = l.bcp47(),
                name = escape(l.endonym()),
            )
        })
        .collect();
    let main_class = page
        .main_class
        .map(|c| format!(r#" class="{c}""#))
        .unwrap_or_default();
    let html = format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<link rel="stylesheet" href="/static/citizen.css">
</head>
<body>
<header class="top">
<p class="municipality">{municipality}</p>
{nav}
</header>
<main id="main"{main_class}>
{main}
</main>
</body>
</html>
"#,
        lang = locale.bcp47(),
        title = escape(&title),
        municipality = escape(municipality),
        nav = if page.languages {
            format!(
                r#"<nav aria-label="{}"><ul class="languages">{languages}</ul></nav>"#,
                escape(t("language.label"))
            )
        } else {
            String::new()
        },
        main = page.main,
    );
    let mut response = (page.status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if page.forms { CSP_FORMS } else { CSP }),
    );
    // Addresses of these pages can hold secrets (join and manage tokens), and their
    // content citizen data: never cached anywhere.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(locale.bcp47()),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// Escapes text for HTML element content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The language: an explicit choice wins, then the browser's, then `hint` (the clerk's,
/// the booking's).
pub(crate) fn choose_locale(
    chosen: Option<&str>,
    headers: &axum::http::HeaderMap,
    hint: Option<Locale>,
) -> Locale {
    chosen
        .and_then(|l| l.parse().ok())
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .or(hint)
        .unwrap_or_default()
}
