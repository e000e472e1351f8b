//! The front door for the clerk's cockpit (bearer token, like `/api/rooms`):
//!
//! - `GET /api/products`: what the front door offers, and which of it this clerk serves
//!   (the cockpit's catalog follows it);
//! - `GET /api/appointments?from=…&until=…`: the clerk's booked appointments (by
//!   default from the start of today, Brussels time, for seven days), each with the
//!   citizen's details, question and how the mails to them went;
//! - `GET`/`PUT /api/availability`: the clerk's week and dated exceptions, which the
//!   front door's free moments follow at once;
//! - `PUT /api/status`, `GET /api/queue`, `POST /api/queue/next`: the walk-in queue
//!   ([`crate::queue`]).

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::rooms::{ApiJson, rfc3339};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use balie_domain::Locale;
use balie_domain::agenda::{Calendar, DayHours};
use balie_protocol::agenda as wire;
use balie_store::relay::{appointment, hours, mail, product};
use jiff::civil::{Date, Weekday};

/// The longest span one `GET /api/appointments` may ask for.
const MAX_SPAN_DAYS: i64 = 62;

/// The most exceptions a clerk's availability may hold.
const MAX_EXCEPTIONS: usize = 400;

fn texts(t: &product::Texts) -> wire::Texts {
    wire::Texts {
        nl: t.nl.clone(),
        fr: t.fr.clone(),
        en: t.en.clone(),
    }
}

/// `GET /api/products`.
pub(crate) async fn products(
    State(state): State<AppState>,
    clerk: ClerkAuth,
) -> Result<Json<wire::Products>, AppError> {
    let (all, mine) = state.with_db(|db| {
        Ok((
            product::list(db, false)?,
            product::served_by_clerk(db, clerk.clerk_id)?,
        ))
    })?;
    Ok(Json(wire::Products {
        products: all
            .iter()
            .map(|p| wire::Product {
                id: p.id.clone(),
                name: texts(&p.name),
                prepare: texts(&p.prepare),
                price_cents: i64::try_from(p.price.cents()).unwrap_or(i64::MAX),
                duration_minutes: p.duration_minutes,
                digital: p.digital,
                served_by_me: mine.contains(&p.id),
            })
            .collect(),
    }))
}

/// The span asked of `GET /api/appointments`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Span {
    from: Option<String>,
    until: Option<String>,
}

fn parse_time(name: &str, text: Option<&str>) -> Result<Option<i64>, AppError> {
    text.map(|t| {
        t.parse::<jiff::Timestamp>()
            .map(|t| t.as_second())
            .map_err(|_| AppError::BadRequest(format!("{name} must be an RFC 3339 time")))
    })
    .transpose()
}

/// `GET /api/appointments`.
pub(crate) async fn appointments(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    Query(span): Query<Span>,
) -> Result<Json<wire::Appointments>, AppError> {
    let tz = crate::front::tz()?;
    let now = state.clock().now_unix();
    let midnight = tz
        .to_datetime(crate::booking::ts(now))
        .date()
        .to_datetime(jiff::civil::Time::midnight());
    let today = tz.to_timestamp(midnight).map_or(now, |t| t.as_second());
    let from = parse_time("from", span.from.as_deref())?.unwrap_or(today);
    let until = parse_time("until", span.until.as_deref())?.unwrap_or(from + 7 * 24 * 3600);
    if until <= from || until - from > MAX_SPAN_DAYS * 24 * 3600 {
        return Err(AppError::BadRequest(format!(
            "until must come after from, at most {MAX_SPAN_DAYS} days later"
        )));
    }
    let found = state.with_db(|db| {
        let list = appointment::for_clerk(db, clerk.clerk_id, from, until)?;
        list.into_iter()
            .map(|a| {
                let name = product::get_any(db, &a.product_id)?
                    .map(|p| texts(&p.name))
                    .unwrap_or_else(|| wire::Texts {
                        nl: a.product_id.clone(),
                        fr: a.product_id.clone(),
                        en: a.product_id.clone(),
                    });
                let mails = mail::deliveries(db, &a.id)?;
                let booked_at = appointment::first_booked_at(db, &a)?;
                Ok((a, name, mails, booked_at))
            })
            .collect::<Result<Vec<_>, balie_store::StoreError>>()
    })?;
    Ok(Json(wire::Appointments {
        appointments: found
            .into_iter()
            .map(|(a, product, mails, booked_at)| wire::Appointment {
                id: a.id,
                product_id: a.product_id,
                product,
                starts_at: rfc3339(a.starts_at),
                ends_at: rfc3339(a.ends_at),
                outside_hours: a.outside_hours,
                status: match a.status {
                    appointment::Status::Booked => wire::AppointmentStatus::Booked,
                    appointment::Status::Canceled => wire::AppointmentStatus::Canceled,
                    appointment::Status::Moved => wire::AppointmentStatus::Moved,
                },
                name: a.name,
                email: a.email,
                phone: a.phone,
                locale: a.locale.parse().unwrap_or(Locale::Nl),
                question: a.question,
                booked_at: Some(rfc3339(booked_at)),
                postcode: a.postcode,
                room_id: a.room_id,
                mails: mails.iter().map(delivery).collect(),
            })
            .collect(),
    }))
}

fn delivery(d: &mail::Delivery) -> wire::Mail {
    wire::Mail {
        kind: match d.kind {
            mail::Kind::Confirmation => wire::MailKind::Confirmation,
            mail::Kind::Reminder => wire::MailKind::Reminder,
            mail::Kind::Canceled => wire::MailKind::Canceled,
        },
        state: if d.sent_at.is_some() {
            wire::MailState::Sent
        } else if d.failed_at.is_some() {
            wire::MailState::Failed
        } else if d.attempts > 0 {
            wire::MailState::Retrying
        } else {
            wire::MailState::Waiting
        },
        due_at: rfc3339(d.due_at),
        error: d.last_error.clone(),
    }
}

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// Today in Brussels.
fn today(state: &AppState) -> Result<Date, AppError> {
    let tz = crate::front::tz()?;
    Ok(tz
        .to_datetime(crate::booking::ts(state.clock().now_unix()))
        .date())
}

/// `GET /api/availability`.
pub(crate) async fn availability(
    State(state): State<AppState>,
    clerk: ClerkAuth,
) -> Result<Json<wire::Availability>, AppError> {
    let calendar = state.with_db(|db| hours::availability(db, clerk.clerk_id))?;
    Ok(Json(calendar_wire(&state, &calendar)?))
}

/// `calendar` on the wire: its week and its exceptions from today on.
pub(crate) fn calendar_wire(
    state: &AppState,
    calendar: &balie_domain::agenda::Calendar,
) -> Result<wire::Availability, AppError> {
    let today = today(state)?;
    Ok(wire::Availability {
        week: WEEK.map(|d| calendar.weekday(d).to_string()),
        exceptions: calendar
            .exceptions()
            .iter()
            .filter(|(date, _)| **date >= today)
            .map(|(date, hours)| wire::DayException {
                date: date.to_string(),
                hours: hours.to_string(),
            })
            .collect(),
    })
}

/// `PUT /api/availability`: replaces the clerk's week and exceptions (past exceptions
/// are dropped). Appointments already booked stay; only new bookings follow it.
pub(crate) async fn set_availability(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    ApiJson(wanted): ApiJson<wire::Availability>,
) -> Result<StatusCode, AppError> {
    if wanted.exceptions.len() > MAX_EXCEPTIONS {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_EXCEPTIONS} exceptions"
        )));
    }
    let mut calendar = Calendar::default();
    for (day, text) in WEEK.iter().zip(&wanted.week) {
        calendar.set_weekday(*day, day_hours(text)?);
    }
    for exception in &wanted.exceptions {
        let date: Date = exception.date.parse().map_err(|_| {
            AppError::BadRequest("an exception's date must be YYYY-MM-DD".to_owned())
        })?;
        calendar.set_exception(date, day_hours(&exception.hours)?);
    }
    let today = today(&state)?;
    state.with_db(|db| hours::set_availability(db, clerk.clerk_id, &calendar, today))?;
    tracing::info!(clerk_id = clerk.clerk_id, "availability changed");
    Ok(StatusCode::NO_CONTENT)
}

fn day_hours(text: &str) -> Result<DayHours, AppError> {
    if text.len() > 200 {
        return Err(AppError::BadRequest("hours too long".to_owned()));
    }
    text.parse()
        .map_err(|e: balie_domain::agenda::AgendaError| AppError::BadRequest(e.to_string()))
}

/// `PUT /api/status`: *beschikbaar*, *in gesprek* or *afwezig*.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    ApiJson(wanted): ApiJson<wire::SetStatus>,
) -> Result<StatusCode, AppError> {
    state.walk_ins().set_status(clerk.clerk_id, wanted.status)?;
    // The queues this clerk serves may have opened or closed.
    let served = state.with_db(|db| product::served_by_clerk(db, clerk.clerk_id))?;
    for p in served {
        crate::hooks::queue_changed(&state, &p);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/queue`.
pub(crate) async fn queue(
    State(state): State<AppState>,
    clerk: ClerkAuth,
) -> Result<Json<wire::Queue>, AppError> {
    let products = crate::queue::for_clerk(&state, clerk.clerk_id)?;
    Ok(Json(wire::Queue {
        status: state.walk_ins().status(clerk.clerk_id),
        products: products
            .into_iter()
            .map(|(p, open, waiting)| wire::QueueProduct {
                product_id: p.id.clone(),
                name: texts(&p.name),
                open,
                waiting: waiting
                    .into_iter()
                    .map(|(id, since, locale)| wire::QueueEntry {
                        id,
                        since: rfc3339(since),
                        locale,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// `POST /api/queue/next`: 200 with the citizen taken, 204 when nobody waits.
pub(crate) async fn next_citizen(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    ApiJson(wanted): ApiJson<wire::NextCitizen>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse as _;
    Ok(
        match crate::queue::take_next(&state, clerk.clerk_id, wanted.product_id.as_deref())? {
            Some(taken) => Json(taken).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}
