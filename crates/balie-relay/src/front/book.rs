//! Booking an appointment in two steps: a moment (a week of free moments at a time, each
//! day a group of choices), then who you are (name, e-mail and/or mobile number, the
//! conversation's language, an optional question, consent) → the appointment page.

use super::forms::FormProblem;
use super::{FrontQuery, failed, parse_at, tz, when};
use crate::booking::{self, Citizen, Refused};
use crate::limits::Peer;
use crate::page::{Page, choose_locale, escape};
use crate::state::AppState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use balie_domain::Locale;
use balie_domain::agenda::Slot;
use balie_store::relay::product;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

/// Longest question a citizen may write.
pub(crate) const MAX_QUESTION_CHARS: usize = 2000;

/// Where the moment chooser sends its choice, and what it shows above the week.
pub(crate) struct Chooser<'a> {
    /// The `<h1>`.
    pub(crate) heading: String,
    /// Shown under the heading (e.g. the appointment being moved), already HTML.
    pub(crate) above: String,
    /// The address the chosen moment goes to (GET, as `at`).
    pub(crate) action: String,
    /// The address of this page, for the week links.
    pub(crate) here: String,
    /// An error to say first (a moment that was taken meanwhile).
    pub(crate) error: Option<&'a str>,
    /// The step line ("Stap 1 van 2"), if any.
    pub(crate) step: Option<String>,
}

/// The week of free moments of `product_id` from `from` (a date; today by default), as a
/// form of one group of choices per day.
pub(crate) fn chooser(
    state: &AppState,
    locale: Locale,
    product_id: &str,
    from: Option<&str>,
    c: Chooser<'_>,
) -> Result<Option<Page>, crate::AppError> {
    let t = |key| state.catalogs().text(locale, key);
    let tz = tz()?;
    let now = booking::ts(state.clock().now_unix());
    let today = tz.to_datetime(now).date();
    let (_, latest) = booking::bookable_range(state);
    let last_day = tz.to_datetime(latest).date();
    let first = from
        .and_then(|f| f.parse::<Date>().ok())
        .filter(|d| *d >= today && *d <= last_day)
        .unwrap_or(today);
    let week_end = first
        .checked_add(jiff::Span::new().days(7))
        .unwrap_or(first);
    let start = tz
        .to_zoned_datetime(first.at(0, 0, 0, 0))
        .map_err(|e| crate::AppError::Internal(e.to_string()))?
        .timestamp();
    let end = tz
        .to_zoned_datetime(week_end.at(0, 0, 0, 0))
        .map_err(|e| crate::AppError::Internal(e.to_string()))?
        .timestamp();
    let Some((_, slots)) = booking::free_slots(state, product_id, start, end)? else {
        return Ok(None);
    };
    let mut main = format!("<h1>{}</h1>\n", escape(&c.heading));
    if let Some(step) = &c.step {
        main.push_str(&format!("<p class=\"step\">{}</p>\n", escape(step)));
    }
    main.push_str(&c.above);
    if let Some(error) = c.error {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>\n",
            escape(error)
        ));
    }
    let range = t("book.week")
        .replace("{from}", &when::date(state.catalogs(), locale, first))
        .replace(
            "{until}",
            &when::date(
                state.catalogs(),
                locale,
                week_end.yesterday().unwrap_or(week_end),
            ),
        );
    main.push_str(&format!(
        "<h2 id=\"week-heading\">{}</h2>\n",
        escape(&range)
    ));
    let link = |day: Date| format!("{}?from={day}&lang={}", c.here, locale.code());
    let mut nav = String::new();
    if first > today {
        let prev = first
            .checked_sub(jiff::Span::new().days(7))
            .unwrap_or(today)
            .max(today);
        nav.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            escape(&link(prev)),
            escape(t("book.prev"))
        ));
    }
    if week_end <= last_day {
        nav.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            escape(&link(week_end)),
            escape(t("book.next"))
        ));
    }
    let nav = if nav.is_empty() {
        String::new()
    } else {
        format!("<nav class=\"weeks\" aria-labelledby=\"week-heading\">{nav}</nav>\n")
    };
    if slots.is_empty() {
        main.push_str(&format!("<p>{}</p>\n", escape(t("book.none_week"))));
        main.push_str(&nav);
        return Ok(Some(Page::front(StatusCode::OK, locale, c.heading, main)));
    }
    main.push_str(&format!(
        "<form method=\"get\" action=\"{}\" class=\"slots\">\n<input type=\"hidden\" name=\"lang\" value=\"{}\">\n",
        escape(&c.action),
        locale.code()
    ));
    let mut day: Option<Date> = None;
    for slot in &slots {
        let d = tz.to_datetime(slot.at.start).date();
        if day != Some(d) {
            if day.is_some() {
                main.push_str("</div>\n</fieldset>\n");
            }
            day = Some(d);
            main.push_str(&format!(
                "<fieldset class=\"day\">\n<legend>{}</legend>\n<div class=\"times\">\n",
                escape(&when::date(state.catalogs(), locale, d))
            ));
        }
        main.push_str(&slot_choice(state, locale, &tz, slot));
    }
    main.push_str("</div>\n</fieldset>\n");
    main.push_str(&format!(
        "<button type=\"submit\" class=\"primary\">{}</button>\n</form>\n",
        escape(t("book.continue"))
    ));
    main.push_str(&nav);
    let mut page = Page::front(StatusCode::OK, locale, c.heading, main);
    page.forms = true;
    page.keep.push(("from", first.to_string()));
    Ok(Some(page))
}

fn slot_choice(
    state: &AppState,
    locale: Locale,
    tz: &jiff::tz::TimeZone,
    slot: &Slot<i64>,
) -> String {
    let at = slot.at.start.as_second();
    let outside = if slot.outside_hours {
        format!(
            " <span class=\"tag\">{}</span>",
            escape(state.catalogs().text(locale, "book.outside"))
        )
    } else {
        String::new()
    };
    format!(
        "<label class=\"time{cls}\"><input type=\"radio\" name=\"at\" value=\"{at}\" required> {time}{outside}</label>\n",
        cls = if slot.outside_hours { " outside" } else { "" },
        time = when::time(tz, slot.at.start),
    )
}

/// `GET /book/{product}`: step 1, the moment.
pub(crate) async fn slots_page(
    State(state): State<AppState>,
    Path(product_id): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    render_chooser(&state, locale, &product_id, query.from.as_deref(), None)
}

fn render_chooser(
    state: &AppState,
    locale: Locale,
    product_id: &str,
    from: Option<&str>,
    error: Option<&str>,
) -> Response {
    let t = |key| state.catalogs().text(locale, key);
    let name = match state.with_db(|db| product::get(db, product_id)) {
        Ok(Some(p)) if p.digital => p.name.get(locale).to_owned(),
        Ok(_) => return super::door_not_found(state, locale),
        Err(e) => return failed(state, locale, e),
    };
    let c = Chooser {
        heading: t("book.heading").replace("{product}", &name),
        above: String::new(),
        action: format!("/book/{product_id}/details"),
        here: format!("/book/{product_id}"),
        error,
        step: Some(t("book.steps").replace("{step}", "1")),
    };
    match chooser(state, locale, product_id, from, c) {
        Ok(Some(page)) => crate::page::render(state, page),
        Ok(None) => super::door_not_found(state, locale),
        Err(e) => failed(state, locale, e),
    }
}

/// What the details form holds (as typed, so a refused form comes back filled in).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct DetailsForm {
    #[serde(default)]
    pub(crate) at: String,
    #[serde(default)]
    pub(crate) form: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) phone: String,
    #[serde(default)]
    pub(crate) postcode: String,
    #[serde(default)]
    pub(crate) language: String,
    #[serde(default)]
    pub(crate) question: String,
    #[serde(default)]
    pub(crate) consent: Option<String>,
    #[serde(default)]
    pub(crate) lang: Option<String>,
}

/// A field that was not right, and the message for it.
struct FieldError {
    field: &'static str,
    message: String,
}

/// `GET /book/{product}/details?at=…`: step 2, who you are.
pub(crate) async fn details_page(
    State(state): State<AppState>,
    Path(product_id): Path<String>,
    Query(query): Query<FrontQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = choose_locale(query.lang.as_deref(), &headers, None);
    let Some(at) = parse_at(query.at.as_deref()) else {
        return render_chooser(&state, locale, &product_id, None, None);
    };
    let form = DetailsForm {
        at: at.as_second().to_string(),
        language: locale.code().to_owned(),
        ..Default::default()
    };
    details(&state, locale, &product_id, at, &form, &[], None)
}

/// Whether `at` is still a free moment of `product_id`; with the product.
fn still_free(
    state: &AppState,
    product_id: &str,
    at: Timestamp,
) -> Result<Option<(product::Product, bool)>, crate::AppError> {
    let Some((p, slots)) =
        booking::free_slots(state, product_id, at, at + SignedDuration::from_hours(9))?
    else {
        return Ok(None);
    };
    let free = slots.iter().any(|s| s.at.start == at);
    Ok(Some((p, free)))
}

fn details(
    state: &AppState,
    locale: Locale,
    product_id: &str,
    at: Timestamp,
    form: &DetailsForm,
    errors: &[FieldError],
    notice: Option<&str>,
) -> Response {
    let t = |key| state.catalogs().text(locale, key);
    let (p, free) = match still_free(state, product_id, at) {
        Ok(Some(found)) => found,
        Ok(None) => return super::door_not_found(state, locale),
        Err(e) => return failed(state, locale, e),
    };
    if !free {
        return render_chooser(state, locale, product_id, None, Some(t("book.error_taken")));
    }
    let tz = match tz() {
        Ok(tz) => tz,
        Err(e) => return failed(state, locale, e),
    };
    let token = match state
        .forms()
        .issue(&purpose(product_id, at), state.clock().now_unix())
    {
        Ok(token) => token,
        Err(e) => return failed(state, locale, e),
    };
    let name = p.name.get(locale);
    let heading = t("book.heading").replace("{product}", name);
    let mut main = format!(
        "<h1>{}</h1>\n<p class=\"step\">{}</p>\n",
        escape(&heading),
        escape(&t("book.steps").replace("{step}", "2"))
    );
    let when_text = when::date_time(state.catalogs(), locale, &tz, at);
    let day = tz.to_datetime(at).date();
    main.push_str(&format!(
        "<dl class=\"facts\"><dt>{}</dt><dd>{}</dd></dl>\n<p><a href=\"/book/{}?from={day}&amp;lang={}\">{}</a></p>\n",
        escape(t("book.chosen")),
        escape(&when_text),
        escape(product_id),
        locale.code(),
        escape(t("book.change")),
    ));
    if !errors.is_empty() || notice.is_some() {
        main.push_str(&format!(
            "<div class=\"errors\" role=\"alert\" tabindex=\"-1\" autofocus>\n<h2>{}</h2>\n<ul>\n",
            escape(t("book.errors"))
        ));
        if let Some(notice) = notice {
            main.push_str(&format!("<li>{}</li>\n", escape(notice)));
        }
        for e in errors {
            main.push_str(&format!(
                "<li><a href=\"#f-{}\">{}</a></li>\n",
                e.field,
                escape(&e.message)
            ));
        }
        main.push_str("</ul>\n</div>\n");
    }
    let field_error = |field: &str| errors.iter().find(|e| e.field == field);
    let invalid = |field: &str| {
        field_error(field).map_or(String::new(), |_| {
            format!(" aria-invalid=\"true\" aria-describedby=\"e-{field}\"")
        })
    };
    let message = |field: &str| {
        field_error(field).map_or(String::new(), |e| {
            format!(
                "<p class=\"field-error\" id=\"e-{field}\">{}</p>\n",
                escape(&e.message)
            )
        })
    };
    let required = escape(t("book.required"));
    let languages: String = Locale::ALL
        .iter()
        .map(|l| {
            let selected = if l.code() == form.language {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\" lang=\"{}\"{selected}>{}</option>",
                l.code(),
                l.bcp47(),
                escape(l.endonym())
            )
        })
        .collect();
    let consent_checked = if form.consent.is_some() {
        " checked"
    } else {
        ""
    };
    main.push_str(&format!(
        r#"<form method="post" action="/book/{id}" class="details" novalidate>
<input type="hidden" name="at" value="{at}">
<input type="hidden" name="form" value="{token}">
<input type="hidden" name="lang" value="{lang}">
<h2>{details}</h2>
<div class="field">
<label for="f-name">{name_label} <span class="req">({required})</span></label>
{name_error}<input id="f-name" name="name" type="text" autocomplete="name" maxlength="200" required value="{name}"{name_invalid}>
</div>
<p id="contact-hint" class="hint">{contact_hint}</p>
<div class="field">
<label for="f-email">{email_label}</label>
{email_error}<input id="f-email" name="email" type="email" autocomplete="email" inputmode="email" maxlength="254" value="{email}" aria-describedby="contact-hint"{email_invalid}>
</div>
<div class="field">
<label for="f-phone">{phone_label}</label>
{phone_error}<input id="f-phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" maxlength="20" value="{phone}" aria-describedby="contact-hint"{phone_invalid}>
</div>
<div class="field">
<label for="f-postcode">{postcode_label}</label>
<p id="postcode-hint" class="hint">{postcode_hint}</p>
{postcode_error}<input id="f-postcode" name="postcode" type="text" autocomplete="postal-code" inputmode="numeric" maxlength="4" value="{postcode}" aria-describedby="postcode-hint"{postcode_invalid}>
</div>
<div class="field">
<label for="f-language">{language_label}</label>
<select id="f-language" name="language">{languages}</select>
</div>
<div class="field">
<label for="f-question">{question_label}</label>
<p id="question-hint" class="hint">{question_hint}</p>
{question_error}<textarea id="f-question" name="question" rows="4" maxlength="{max_question}" aria-describedby="question-hint"{question_invalid}>{question}</textarea>
</div>
<div class="field check">
{consent_error}<input id="f-consent" name="consent" type="checkbox" value="yes" required{consent_checked}{consent_invalid}>
<label for="f-consent">{consent} <span class="req">({required})</span></label>
</div>
<button type="submit" class="primary">{confirm}</button>
</form>
"#,
        id = escape(product_id),
        at = at.as_second(),
        token = escape(&token),
        lang = locale.code(),
        details = escape(t("book.details")),
        name_label = escape(t("book.name")),
        name_error = message("name"),
        name = escape(&form.name),
        name_invalid = invalid("name"),
        contact_hint = escape(t("book.contact_hint")),
        email_label = escape(t("book.email")),
        email_error = message("email"),
        email = escape(&form.email),
        email_invalid = invalid("email"),
        phone_label = escape(t("book.phone")),
        phone_error = message("phone"),
        phone = escape(&form.phone),
        phone_invalid = invalid("phone"),
        language_label = escape(t("book.language")),
        postcode_label = escape(t("book.postcode")),
        postcode_hint = escape(t("book.postcode_hint")),
        postcode_error = message("postcode"),
        postcode = escape(&form.postcode),
        postcode_invalid = invalid("postcode"),
        question_label = escape(t("book.question")),
        question_hint = escape(t("book.question_hint")),
        question_error = message("question"),
        max_question = MAX_QUESTION_CHARS,
        question = escape(&form.question),
        question_invalid = invalid("question"),
        consent_error = message("consent"),
        consent_invalid = invalid("consent"),
        consent = escape(&t("book.consent").replace(
            "{days}",
            &state.config().booking.retention_days.to_string()
        )),
        confirm = escape(t("book.confirm")),
    ));
    let status = if errors.is_empty() && notice.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut page = Page::front(status, locale, heading, main);
    page.forms = true;
    page.keep.push(("at", at.as_second().to_string()));
    crate::page::render(state, page)
}

/// What a booking form's token is bound to.
fn purpose(product_id: &str, at: Timestamp) -> String {
    format!("book:{product_id}:{}", at.as_second())
}

/// The form's fields checked; the citizen, or what to fix.
fn check(state: &AppState, locale: Locale, form: &DetailsForm) -> Result<Citizen, Vec<FieldError>> {
    let t = |key| state.catalogs().text(locale, key);
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        errors.push(FieldError {
            field: "name",
            message: t("book.error_name").to_owned(),
        });
    }
    let email = form.email.trim();
    let email = if email.is_empty() {
        None
    } else if valid_email(email) {
        Some(email.to_owned())
    } else {
        errors.push(FieldError {
            field: "email",
            message: t("book.error_email").to_owned(),
        });
        None
    };
    let phone = form.phone.trim();
    let phone = if phone.is_empty() {
        None
    } else if let Some(normal) = mobile_number(phone) {
        Some(normal)
    } else {
        errors.push(FieldError {
            field: "phone",
            message: t("book.error_phone").to_owned(),
        });
        None
    };
    if form.email.trim().is_empty() && form.phone.trim().is_empty() {
        errors.push(FieldError {
            field: "email",
            message: t("book.error_contact").to_owned(),
        });
    }
    let postcode = form.postcode.trim();
    let postcode = if postcode.is_empty() {
        None
    } else if postcode.len() == 4
        && postcode.bytes().all(|b| b.is_ascii_digit())
        && !postcode.starts_with('0')
    {
        Some(postcode.to_owned())
    } else {
        errors.push(FieldError {
            field: "postcode",
            message: t("book.error_postcode").to_owned(),
        });
        None
    };
    if form.question.chars().count() > MAX_QUESTION_CHARS {
        errors.push(FieldError {
            field: "question",
            message: t("book.error_question").replace("{max}", &MAX_QUESTION_CHARS.to_string()),
        });
    }
    if form.consent.as_deref() != Some("yes") {
        errors.push(FieldError {
            field: "consent",
            message: t("book.error_consent").to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Citizen {
        name: name.to_owned(),
        email,
        phone,
        locale: form.language.parse().unwrap_or(locale),
        question: form.question.trim().to_owned(),
        postcode,
    })
}

/// A plausible e-mail address: one `@`, something before it, a dotted domain after it,
/// no spaces or angle brackets. (Whether it exists shows when the mail is delivered.)
pub(crate) fn valid_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && text
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>,;\"()[]\\".contains(c))
}

/// A mobile number in international form (`+32470123456`): Belgian numbers as written at
/// home (`0470 12 34 56`), others with `+` or `00`; spaces, dots, dashes and slashes
/// allowed. `None` when it is not one.
pub(crate) fn mobile_number(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '/' | '(' | ')'))
        .collect();
    let international = if let Some(rest) = compact.strip_prefix("00") {
        format!("+{rest}")
    } else if let Some(rest) = compact.strip_prefix('0') {
        format!("+32{rest}")
    } else {
        compact
    };
    let digits = international.strip_prefix('+')?;
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok.then_some(international)
}

/// `POST /book/{product}`: checks the form, then books; on success to the appointment's
/// page (303), else the form again with what to fix and what was typed.
pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(product_id): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    Form(form): Form<DetailsForm>,
) -> Response {
    let locale = choose_locale(form.lang.as_deref(), &headers, None);
    let t = |key| state.catalogs().text(locale, key);
    let Some(at) = parse_at(Some(&form.at)) else {
        return render_chooser(&state, locale, &product_id, None, None);
    };
    let citizen = match check(&state, locale, &form) {
        Ok(citizen) => citizen,
        Err(errors) => return details(&state, locale, &product_id, at, &form, &errors, None),
    };
    let now = state.clock().now_unix();
    if let Err(problem) = state
        .forms()
        .take(&form.form, &purpose(&product_id, at), now)
    {
        tracing::info!(?problem, "booking form not taken");
        let notice = match problem {
            FormProblem::TooFast => t("book.error_fast"),
            FormProblem::Expired | FormProblem::Invalid => t("book.error_form"),
        };
        return details(&state, locale, &product_id, at, &form, &[], Some(notice));
    }
    if !state.limits().booking_allowed(peer.0) {
        tracing::info!("booking refused: too many from one address");
        return details(
            &state,
            locale,
            &product_id,
            at,
            &form,
            &[],
            Some(t("book.error_rate")),
        );
    }
    match booking::book(&state, &product_id, at, &citizen, None) {
        Ok(booked) => see_other(&format!(
            "/a/{}?booked=1&lang={}",
            booked.manage.to_text(),
            locale.code()
        )),
        Err(Refused::Taken) => render_chooser(
            &state,
            locale,
            &product_id,
            None,
            Some(t("book.error_taken")),
        ),
        Err(Refused::OutOfRange) => render_chooser(
            &state,
            locale,
            &product_id,
            None,
            Some(t("book.error_range")),
        ),
        Err(Refused::TooMany(count)) => {
            let notice = t("book.error_too_many").replace("{count}", &count.to_string());
            details(&state, locale, &product_id, at, &form, &[], Some(&notice))
        }
        Err(Refused::NoProduct) => super::door_not_found(&state, locale),
        Err(Refused::Failed(e)) => failed(&state, locale, e),
    }
}

/// 303 See Other to `location` (after a POST: a reload does not post again).
pub(crate) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_read_as_people_write_them() {
        assert!(valid_email("dirk.peeters@telenet.be"));
        for bad in [
            "dirk",
            "dirk@",
            "@telenet.be",
            "dirk@telenet",
            "dirk @telenet.be",
            "a@b@c.be",
            "dirk@.be",
            "<x>@y.be",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(
            mobile_number("0470 12 34 56").as_deref(),
            Some("+32470123456")
        );
        assert_eq!(
            mobile_number("+32 470/12.34.56").as_deref(),
            Some("+32470123456")
        );
        assert_eq!(
            mobile_number("0031 6 12345678").as_deref(),
            Some("+31612345678")
        );
        for bad in ["12", "0470 12 34 5x", "+0470123456", "++32470123456", ""] {
            assert_eq!(mobile_number(bad), None, "{bad}");
        }
    }
}
