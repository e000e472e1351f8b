//! The sandbox payment provider: Mollie's Payments API v2 in shape (`POST
//! /sandbox/v2/payments`, `GET` and `DELETE /sandbox/v2/payments/{id}`), authenticated
//! with the clerk's relay token, plus a checkout page on which whoever holds its address
//! chooses the outcome: paid, failed, canceled or expired. It is the cockpit's default
//! provider when no real one is configured, so a newcomer can take a payment through a
//! call end to end; every page of it says that no real money moves.
//!
//! Answers follow Mollie's documentation: a payment resource in `application/hal+json`,
//! errors as Mollie's problem body (`status`, `title`, `detail`, `field`), the same
//! `Idempotency-Key` giving the same payment, `DELETE` only while the payment is open.
//! When the create carried a `webhookUrl`, a decision sends the creating clerk a payment
//! hint at once (as Mollie's webhook would reach the relay's hook); without one the
//! cockpit learns it only by asking.

use crate::clerk::ClerkToken;
use crate::rooms::rfc3339;
use crate::state::AppState;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use balie_domain::{Locale, Money};
use balie_store::relay::sandbox::{self, SandboxPayment};
use serde::Deserialize;
use serde_json::json;

/// How long a sandbox payment stays open (Mollie's Bancontact payments: one hour).
pub(crate) const EXPIRY_SECONDS: i64 = 3600;

/// The provider name in hints and watches.
pub(crate) const PROVIDER: &str = "sandbox";

/// The checkout page's policy: our stylesheet, a form posting to ourselves, nothing else.
const CHECKOUT_CSP: &str = "default-src 'none'; style-src 'self'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

const DOCS: &str = "https://docs.mollie.com/reference/handling-errors";

/// Mollie's error body.
fn problem(status: StatusCode, detail: &str, field: Option<&str>) -> Response {
    let mut body = json!({
        "status": status.as_u16(),
        "title": status.canonical_reason().unwrap_or("Error"),
        "detail": detail,
        "_links": { "documentation": { "href": DOCS, "type": "text/html" } },
    });
    if let Some(field) = field {
        body["field"] = field.into();
    }
    hal(status, body)
}

fn hal(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/hal+json")],
        body.to_string(),
    )
        .into_response()
}

/// The clerk behind the request's bearer token, or Mollie's 401.
fn clerk(state: &AppState, headers: &HeaderMap) -> Result<i64, Box<Response>> {
    let unauthorized = || {
        Box::new(problem(
            StatusCode::UNAUTHORIZED,
            "Missing authentication, or failed to authenticate",
            None,
        ))
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(unauthorized)?;
    let digest = ClerkToken::digest(token);
    match state.with_db(|db| balie_store::relay::clerk::find_active(db, &digest)) {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(unauthorized()),
        Err(e) => Err(Box::new(e.into_response())),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    amount: Option<Amount>,
    description: Option<String>,
    redirect_url: Option<String>,
    webhook_url: Option<String>,
    locale: Option<String>,
    // Accepted as Mollie does; the sandbox offers one checkout whatever the method.
    #[allow(dead_code)]
    method: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Amount {
    currency: Option<String>,
    value: Option<serde_json::Value>,
}

/// The payment resource as Mollie writes it.
fn resource(state: &AppState, p: &SandboxPayment) -> serde_json::Value {
    let base = state.public_url();
    let amount = Money::from_cents(u64::try_from(p.amount_cents).unwrap_or(0));
    let open = p.status == "open";
    let mut body = json!({
        "resource": "payment",
        "id": p.id,
        "mode": "test",
        "createdAt": rfc3339(p.created_at),
        "amount": { "value": amount.to_decimal_string(), "currency": "EUR" },
        "description": p.description,
        "method": null,
        "metadata": null,
        "status": p.status,
        "isCancelable": open,
        "locale": p.locale,
        "redirectUrl": p.redirect_url,
        "profileId": "pfl_sandbox",
        "sequenceType": "oneoff",
        "_links": {
            "self": { "href": format!("{base}/sandbox/v2/payments/{}", p.id), "type": "application/hal+json" },
            "documentation": { "href": "https://docs.mollie.com/reference/get-payment", "type": "text/html" },
        },
    });
    if open {
        body["expiresAt"] = rfc3339(p.expires_at).into();
        body["_links"]["checkout"] = json!({
            "href": format!("{base}/sandbox/checkout/{}", p.checkout_token),
            "type": "text/html",
        });
    }
    if let Some(at) = p.decided_at {
        let field = match p.status.as_str() {
            "paid" => "paidAt",
            "failed" => "failedAt",
            "canceled" => "canceledAt",
            _ => "expiredAt",
        };
        body[field] = rfc3339(at).into();
    }
    body
}

/// A Mollie-looking payment id: `tr_` and ten letters and digits.
fn payment_id() -> Result<String, crate::AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let bytes: [u8; 10] = crate::random_bytes()?;
    let tail: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(format!("tr_{tail}"))
}

fn valid_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `url` is on this relay's own origin.
fn returns_here(state: &AppState, url: &str) -> bool {
    match (
        balie_domain::ServiceUrl::parse(url),
        balie_domain::ServiceUrl::parse(state.public_url()),
    ) {
        (Ok(url), Ok(relay)) => url.same_origin(&relay),
        _ => false,
    }
}

/// `POST /sandbox/v2/payments`.
pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let clerk_id = match clerk(&state, &headers) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    let Ok(body) = serde_json::from_slice::<CreateBody>(&body) else {
        return problem(StatusCode::BAD_REQUEST, "The JSON is invalid", None);
    };
    let unprocessable =
        |detail: &str, field: &str| problem(StatusCode::UNPROCESSABLE_ENTITY, detail, Some(field));
    let Some(amount) = body.amount else {
        return unprocessable("The amount is required for payments", "amount");
    };
    if amount.currency.as_deref() != Some("EUR") {
        return unprocessable("The sandbox takes euro only", "amount.currency");
    }
    // Mollie wants a string with exactly two decimals; a number is refused.
    let amount = match amount
        .value
        .as_ref()
        .and_then(|v| v.as_str())
        .map(Money::from_decimal_str)
    {
        Some(Ok(m)) if !m.is_zero() => m,
        Some(Ok(_)) => return unprocessable("The amount must be at least €0.01", "amount.value"),
        _ => {
            return unprocessable(
                "The amount contains an invalid value; it must be a string with exactly two decimals",
                "amount.value",
            );
        }
    };
    let Ok(cents) = i64::try_from(amount.cents()) else {
        return unprocessable("The amount is higher than the maximum", "amount.value");
    };
    let description = body.description.unwrap_or_default();
    let description = description.trim();
    if description.is_empty() {
        return unprocessable("The description is required", "description");
    }
    if description.chars().count() > 255 {
        return unprocessable(
            "The description is longer than 255 characters",
            "description",
        );
    }
    // Only back to this relay (its "go back to your call" page): the sandbox is no open
    // redirect on the municipality's domain.
    let Some(redirect_url) = body
        .redirect_url
        .filter(|u| valid_url(u) && returns_here(&state, u))
    else {
        return unprocessable("The redirect URL is invalid", "redirectUrl");
    };
    if body.webhook_url.as_deref().is_some_and(|u| !valid_url(u)) {
        return unprocessable("The webhook URL is invalid", "webhookUrl");
    }
    let locale = match body.locale.as_deref() {
        None => None,
        Some(l @ ("nl_BE" | "nl_NL" | "fr_BE" | "fr_FR" | "en_US" | "en_GB" | "de_DE")) => {
            Some(l.to_owned())
        }
        Some(_) => return unprocessable("The locale is invalid", "locale"),
    };
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| payment_id().ok())
    else {
        return crate::AppError::Internal("no randomness".into()).into_response();
    };
    if key.is_empty() || key.len() > 255 {
        return problem(
            StatusCode::BAD_REQUEST,
            "The idempotency key is invalid",
            None,
        );
    }
    let (id, token) = match (payment_id(), crate::random_bytes::<16>()) {
        (Ok(id), Ok(bytes)) => (id, hex::encode(bytes)),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let now = state.clock().now_unix();
    let new = SandboxPayment {
        id,
        clerk_id,
        idempotency_key: key,
        checkout_token: token,
        amount_cents: cents,
        description: description.to_owned(),
        redirect_url: Some(redirect_url),
        locale,
        status: "open".into(),
        created_at: now,
        expires_at: now + EXPIRY_SECONDS,
        decided_at: None,
    };
    let hinted = body.webhook_url.is_some();
    let stored = match state.with_db(|db| {
        let stored = sandbox::insert_or_existing(db, &new)?;
        if hinted && stored.id == new.id {
            balie_store::relay::watch::add(db, PROVIDER, &stored.id, clerk_id, now)?;
        }
        Ok(stored)
    }) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    tracing::info!(payment = %stored.id, cents, "sandbox payment created");
    hal(StatusCode::CREATED, resource(&state, &stored))
}

/// The clerk's own payment `id`, or Mollie's 404.
fn own(state: &AppState, clerk_id: i64, id: &str) -> Result<SandboxPayment, Box<Response>> {
    let now = state.clock().now_unix();
    match state.with_db(|db| sandbox::get(db, id, now)) {
        Ok(Some(p)) if p.clerk_id == clerk_id => Ok(p),
        Ok(_) => Err(Box::new(problem(
            StatusCode::NOT_FOUND,
            &format!("No payment exists with token {id}."),
            None,
        ))),
        Err(e) => Err(Box::new(e.into_response())),
    }
}

/// `GET /sandbox/v2/payments/{id}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let clerk_id = match clerk(&state, &headers) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    match own(&state, clerk_id, &id) {
        Ok(p) => hal(StatusCode::OK, resource(&state, &p)),
        Err(response) => *response,
    }
}

/// `DELETE /sandbox/v2/payments/{id}`: cancels an open payment.
pub(crate) async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let clerk_id = match clerk(&state, &headers) {
        Ok(id) => id,
        Err(response) => return *response,
    };
    if let Err(response) = own(&state, clerk_id, &id) {
        return *response;
    }
    let now = state.clock().now_unix();
    match state.with_db(|db| sandbox::decide(db, &id, "canceled", now)) {
        Ok(true) => {}
        Ok(false) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The payment cannot be canceled",
                None,
            );
        }
        Err(e) => return e.into_response(),
    }
    crate::hooks::notify(&state, PROVIDER, &id);
    match own(&state, clerk_id, &id) {
        Ok(p) => hal(StatusCode::OK, resource(&state, &p)),
        Err(response) => *response,
    }
}

/// The payment behind a checkout address, with its language.
fn checkout_payment(state: &AppState, token: &str) -> Option<SandboxPayment> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let now = state.clock().now_unix();
    state
        .with_db(|db| sandbox::by_checkout_token(db, token, now))
        .ok()
        .flatten()
}

fn page_locale(payment: &SandboxPayment, headers: &HeaderMap) -> Locale {
    payment
        .locale
        .as_deref()
        .and_then(|l| l.split('_').next())
        .and_then(|l| l.parse().ok())
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

/// `GET /sandbox/checkout/{token}`: the test checkout.
pub(crate) async fn checkout_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(payment) = checkout_payment(&state, &token) else {
        return crate::citizen::not_found(State(state), headers).await;
    };
    let locale = page_locale(&payment, &headers);
    checkout_html(&state, &payment, locale)
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    outcome: String,
}

/// `POST /sandbox/checkout/{token}`: the tester's choice; then back to the redirect URL.
pub(crate) async fn decide(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(decision): Form<Decision>,
) -> Response {
    let Some(payment) = checkout_payment(&state, &token) else {
        return crate::citizen::not_found(State(state), headers).await;
    };
    let outcome = decision.outcome.as_str();
    if !matches!(outcome, "paid" | "failed" | "canceled" | "expired") {
        return (StatusCode::BAD_REQUEST, "unknown outcome").into_response();
    }
    let now = state.clock().now_unix();
    match state.with_db(|db| sandbox::decide(db, &payment.id, outcome, now)) {
        Ok(true) => {
            tracing::info!(payment = %payment.id, outcome, "sandbox payment decided");
            crate::hooks::notify(&state, PROVIDER, &payment.id);
        }
        Ok(false) => {}
        Err(e) => return e.into_response(),
    }
    match payment.redirect_url {
        Some(url) => Redirect::to(&url).into_response(),
        None => {
            let locale = page_locale(&payment, &headers);
            match checkout_payment(&state, &token) {
                Some(p) => checkout_html(&state, &p, locale),
                None => StatusCode::NOT_FOUND.into_response(),
            }
        }
    }
}

fn checkout_html(state: &AppState, payment: &SandboxPayment, locale: Locale) -> Response {
    use crate::page::escape;
    let t = |key: &'static str| state.catalogs().text(locale, key);
    let amount = Money::from_cents(u64::try_from(payment.amount_cents).unwrap_or(0)).format(locale);
    let body = if payment.status == "open" {
        let button = |outcome: &str, key: &'static str, class: &str| {
            format!(
                r#"<button type="submit" name="outcome" value="{outcome}" class="{class}">{}</button>"#,
                escape(t(key))
            )
        };
        format!(
            r#"<p>{choose}</p>
<form method="post" class="outcomes">
{paid}
{failed}
{canceled}
{expired}
</form>"#,
            choose = escape(t("sandbox.choose")),
            paid = button("paid", "sandbox.pay", "primary"),
            failed = button("failed", "sandbox.fail", "secondary"),
            canceled = button("canceled", "sandbox.cancel", "secondary"),
            expired = button("expired", "sandbox.expire", "secondary"),
        )
    } else {
        let key = match payment.status.as_str() {
            "paid" => "sandbox.done_paid",
            "failed" => "sandbox.done_failed",
            "canceled" => "sandbox.done_canceled",
            _ => "sandbox.done_expired",
        };
        format!(r#"<p role="status">{}</p>"#, escape(t(key)))
    };
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
<main id="main">
<p class="test-banner"><strong>{banner}</strong></p>
<h1>{title}</h1>
<dl class="facts">
<dt>{payee_label}</dt><dd>{payee}</dd>
<dt>{amount_label}</dt><dd>{amount}</dd>
<dt>{description_label}</dt><dd>{description}</dd>
</dl>
{body}
</main>
</body>
</html>
"#,
        lang = locale.bcp47(),
        title = escape(t("sandbox.title")),
        banner = escape(t("sandbox.banner")),
        payee_label = escape(t("pay.payee")),
        payee = escape(&state.config().municipality),
        amount_label = escape(t("pay.amount")),
        amount = escape(&amount),
        description_label = escape(t("pay.description")),
        description = escape(&payment.description),
    );
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CHECKOUT_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
