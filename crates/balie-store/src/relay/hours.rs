//! Tables `opening_week`, `opening_exception`, `availability_week` and
//! `availability_exception`: the municipality's opening hours and each clerk's
//! availability for appointments, as [`Calendar`]s in Brussels wall-clock time.

use crate::StoreError;
use balie_domain::agenda::{Calendar, DayHours};
use jiff::civil::{Date, Weekday};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// The opening hours: the calendar and the names of its exceptions ("Kerstmis").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningHours {
    /// Week and exceptions.
    pub calendar: Calendar,
    /// What each exception is, by date (may be empty).
    pub notes: BTreeMap<Date, String>,
}

fn hours(table: &'static str, text: &str) -> Result<DayHours, StoreError> {
    text.parse().map_err(|e| StoreError::Corrupt {
        table,
        detail: format!("{e}"),
    })
}

fn weekday(table: &'static str, number: i64) -> Result<Weekday, StoreError> {
    i8::try_from(number)
        .ok()
        .and_then(|n| Weekday::from_monday_one_offset(n).ok())
        .ok_or_else(|| StoreError::Corrupt {
            table,
            detail: format!("weekday {number}"),
        })
}

fn date(table: &'static str, text: &str) -> Result<Date, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        table,
        detail: format!("date {text:?}"),
    })
}

/// The municipality's opening hours (closed every day when nothing was set).
pub fn opening(conn: &Connection) -> Result<OpeningHours, StoreError> {
    let mut out = OpeningHours::default();
    let mut stmt = conn.prepare("SELECT weekday, hours FROM opening_week")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
        let (day, text) = row?;
        out.calendar
            .set_weekday(weekday("opening_week", day)?, hours("opening_week", &text)?);
    }
    let mut stmt = conn.prepare("SELECT date, hours, note FROM opening_exception")?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (day, text, note) = row?;
        let day = date("opening_exception", &day)?;
        out.calendar
            .set_exception(day, hours("opening_exception", &text)?);
        out.notes.insert(day, note);
    }
    Ok(out)
}

/// Sets the usual opening hours of `day`.
pub fn set_opening_weekday(
    conn: &Connection,
    day: Weekday,
    hours: &DayHours,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO opening_week (weekday, hours) VALUES (?1, ?2)
         ON CONFLICT (weekday) DO UPDATE SET hours = ?2",
        params![day.to_monday_one_offset(), hours.to_string()],
    )?;
    Ok(())
}

/// Makes `day` a holiday (closed) or a day with other hours, named `note`.
pub fn set_opening_exception(
    conn: &Connection,
    day: Date,
    hours: &DayHours,
    note: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO opening_exception (date, hours, note) VALUES (?1, ?2, ?3)
         ON CONFLICT (date) DO UPDATE SET hours = ?2, note = ?3",
        params![day.to_string(), hours.to_string(), note],
    )?;
    Ok(())
}

/// Drops `day`'s exception; whether there was one.
pub fn remove_opening_exception(conn: &Connection, day: Date) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM opening_exception WHERE date = ?1",
        params![day.to_string()],
    )? > 0)
}

/// When clerk `clerk_id` takes appointments (never, when nothing was published).
pub fn availability(conn: &Connection, clerk_id: i64) -> Result<Calendar, StoreError> {
    let mut out = Calendar::default();
    let mut stmt =
        conn.prepare("SELECT weekday, hours FROM availability_week WHERE clerk_id = ?1")?;
    for row in stmt.query_map(params![clerk_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (day, text) = row?;
        out.set_weekday(
            weekday("availability_week", day)?,
            hours("availability_week", &text)?,
        );
    }
    let mut stmt =
        conn.prepare("SELECT date, hours FROM availability_exception WHERE clerk_id = ?1")?;
    for row in stmt.query_map(params![clerk_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (day, text) = row?;
        out.set_exception(
            date("availability_exception", &day)?,
            hours("availability_exception", &text)?,
        );
    }
    Ok(out)
}

/// Replaces clerk `clerk_id`'s availability with `calendar` (what their cockpit
/// publishes). Exceptions before `keep_from` are dropped: they can no longer matter.
pub fn set_availability(
    conn: &Connection,
    clerk_id: i64,
    calendar: &Calendar,
    keep_from: Date,
) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "DELETE FROM availability_week WHERE clerk_id = ?1",
        params![clerk_id],
    )?;
    tx.execute(
        "DELETE FROM availability_exception WHERE clerk_id = ?1",
        params![clerk_id],
    )?;
    for n in 1..=7i8 {
        let day = Weekday::from_monday_one_offset(n).map_err(|_| StoreError::Corrupt {
            table: "availability_week",
            detail: format!("weekday {n}"),
        })?;
        let hours = calendar.weekday(day);
        if !hours.is_closed() {
            tx.execute(
                "INSERT INTO availability_week (clerk_id, weekday, hours) VALUES (?1, ?2, ?3)",
                params![clerk_id, n, hours.to_string()],
            )?;
        }
    }
    for (day, hours) in calendar.exceptions().range(keep_from..) {
        tx.execute(
            "INSERT INTO availability_exception (clerk_id, date, hours) VALUES (?1, ?2, ?3)",
            params![clerk_id, day.to_string(), hours.to_string()],
        )?;
    }
    tx.commit()?;
    Ok(())
}
