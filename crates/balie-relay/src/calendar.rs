//! An appointment as an iCalendar file (RFC 5545), built with the `icalendar` crate: one
//! `VEVENT` in UTC (so every calendar places it right, across the daylight-saving
//! changes), with the join link, the manage link and a reminder when the link opens.

use crate::state::AppState;
use balie_domain::{JoinToken, Locale};
use balie_store::relay::appointment::Appointment;
use icalendar::{Alarm, Component as _, EventLike as _, EventStatus, Property};

/// The `.ics` text of booked appointment `a` (whose manage token is `manage`), with texts
/// in `locale`.
pub(crate) fn appointment_ics(
    state: &AppState,
    a: &Appointment,
    manage: &JoinToken,
    product_name: &str,
    locale: Locale,
) -> String {
    let t = |key| state.catalogs().text(locale, key);
    let municipality = &state.config().municipality;
    let base = state.public_url();
    let join = format!("{base}/j/{}", crate::booking::join_of(manage).to_text());
    let manage_url = format!("{base}/a/{}", manage.to_text());
    let host = url::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "balie".into());
    let utc =
        |unix: i64| chrono::DateTime::<chrono::Utc>::from_timestamp(unix, 0).unwrap_or_default();
    let opens_before = i64::from(state.config().booking.opens_before_minutes);
    let event = icalendar::Event::new()
        // Stable across moves of the same booking? A move makes a new appointment with
        // its own id: calendars show it as a new event, the old one is cancelled in mail.
        .uid(&format!("{}@{host}", a.id))
        .timestamp(utc(a.created_at))
        .starts(utc(a.starts_at))
        .ends(utc(a.ends_at))
        .summary(
            &t("appt.ics_summary")
                .replace("{municipality}", municipality)
                .replace("{product}", product_name),
        )
        .description(
            &t("appt.ics_description")
                .replace("{join}", &join)
                .replace("{manage}", &manage_url),
        )
        .location(&join)
        .url(&join)
        .status(EventStatus::Confirmed)
        .alarm(Alarm::display(
            t("appt.ics_alarm"),
            -chrono::Duration::minutes(opens_before.max(1)),
        ))
        .done();
    let mut calendar = icalendar::Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Balie//Digitaal loket//NL"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .push(event);
    calendar.done().to_string()
}
