//! Importing the other channels' figures and the complaint system's complaints, as CSV,
//! all or nothing like the case import: every row is checked first and nothing is written
//! when one is wrong; every error names its line and field in the clerk's language.
//!
//! **Figures** (`;` or `,` between fields, a header row):
//! `indicator` (`visitors`/`bezoekers`, `contacts`/`contacten`,
//! `throughput_days`/`doorlooptijd_dagen`, `clerk_satisfaction`/`tevredenheid_medewerkers`),
//! `channel` (`front_desk`/`balie`, `phone`/`telefoon`, `email`, `web`, `post`/`brief`,
//! `other`/`andere`), `product` (a product id, or empty for all), `from` and `to` (the
//! days it covers, `2026-01-05` or `5/1/2026`, at most 92 days), `value` (a number ≥ 0,
//! `,` or `.` as decimal mark, at most three decimals; a satisfaction is 1 to 5).
//!
//! **Complaints**: `date`, `channel`, `after_hours` (`ja`/`nee`, `oui`/`non`, `yes`/`no`:
//! whether it is about service outside opening hours), `reference` (the complaint
//! system's id: a file imported twice adds each complaint once).

use crate::cases::RowError;
use balie_domain::Locale;
use balie_impact::facts::{Channel, Figure, FigureKind, IncidentKind, ProductId};
use balie_store::cockpit::impact::NewIncident;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Most rows one file takes.
pub const MAX_ROWS: usize = 20_000;
/// The longest span one figure covers, in days.
pub const MAX_FIGURE_DAYS: i32 = 92;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImpactImportKind {
    /// Figures of other channels.
    Figures,
    /// Complaints.
    Complaints,
}

/// The outcome of an impact import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImpactImportOutcome {
    /// Everything was written.
    Imported {
        /// Rows in the file.
        rows: usize,
        /// Rows written (complaints already in the register are not written again).
        written: usize,
    },
    /// Nothing was written, because of these rows.
    Refused {
        /// Every problem found.
        errors: Vec<RowError>,
    },
}

/// A CSV record: its line and its values by column.
type Record = (usize, std::collections::HashMap<String, String>);

fn text(locale: Locale, key: &str) -> String {
    crate::i18n::text(locale, &format!("impact_import.{key}"))
}

/// The CSV's records as maps of column to value, each with its line; or what is wrong
/// with the file as a whole.
fn records(locale: Locale, bytes: &[u8], columns: &[&str]) -> Result<Vec<Record>, Vec<RowError>> {
    let whole = |key: &str| {
        vec![RowError {
            row: 0,
            field: None,
            message: text(locale, key),
        }]
    };
    let mut reader = crate::cases::import::csv_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err(whole("not_csv")),
    };
    let missing: Vec<RowError> = columns
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .map(|c| RowError {
            row: 1,
            field: Some((*c).to_owned()),
            message: text(locale, "missing_column"),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        match record {
            Ok(r) => out.push((
                i + 2,
                headers
                    .iter()
                    .cloned()
                    .zip(r.iter().map(str::to_owned))
                    .collect(),
            )),
            Err(e) => errors.push(RowError {
                row: i + 2,
                field: None,
                message: format!("{} ({e})", text(locale, "not_csv")),
            }),
        }
        if out.len() > MAX_ROWS {
            return Err(whole("too_many"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(whole("empty"));
    }
    Ok(out)
}

/// A day written `2026-01-05` or `5/1/2026` (day first, as in Belgium).
fn day(value: &str) -> Option<Date> {
    if let Ok(d) = value.parse::<Date>() {
        return Some(d);
    }
    let mut parts = value.split(['/', '.', '-']);
    let d: i8 = parts.next()?.trim().parse().ok()?;
    let m: i8 = parts.next()?.trim().parse().ok()?;
    let y: i16 = parts.next()?.trim().parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(y, m, d).ok()
}

/// A number ≥ 0 with at most three decimals (`,` or `.`), in thousandths.
fn milli(value: &str) -> Option<i64> {
    let value = value.trim().replace(',', ".");
    let (whole, fraction) = value.split_once('.').unwrap_or((&value, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 3
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(fraction)
}

/// Reads and checks a figures file: every figure, or every problem.
pub fn figures(locale: Locale, bytes: &[u8]) -> Result<Vec<Figure>, Vec<RowError>> {
    let rows = records(
        locale,
        bytes,
        &["indicator", "channel", "product", "from", "to", "value"],
    )?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (line, row) in rows {
        let get = |c: &str| row.get(c).map(String::as_str).unwrap_or("");
        let mut bad = |field: &str, key: &str| {
            errors.push(RowError {
                row: line,
                field: Some(field.to_owned()),
                message: text(locale, key),
            });
        };
        let kind = FigureKind::parse(get("indicator"));
        if kind.is_none() {
            bad("indicator", "bad_indicator");
        }
        let channel = Channel::parse(get("channel")).filter(|c| *c != Channel::Digital);
        if channel.is_none() {
            bad("channel", "bad_channel");
        }
        let product = match get("product") {
            "" => Some(None),
            p => ProductId::parse(p).map(Some),
        };
        if product.is_none() {
            bad("product", "bad_product");
        }
        let (from, to) = (day(get("from")), day(get("to")));
        if from.is_none() {
            bad("from", "bad_date");
        }
        if to.is_none() {
            bad("to", "bad_date");
        }
        if let (Some(f), Some(t)) = (from, to) {
            let days = f.until(t).map(|s| s.get_days()).unwrap_or(-1);
            if !(0..MAX_FIGURE_DAYS).contains(&days) {
                bad("to", "bad_span");
            }
        }
        let value = milli(get("value"));
        match (kind, value) {
            (_, None) => bad("value", "bad_value"),
            (Some(FigureKind::ClerkSatisfaction), Some(v)) if !(1000..=5000).contains(&v) => {
                bad("value", "bad_score")
            }
            _ => {}
        }
        if let (Some(kind), Some(channel), Some(product), Some(from), Some(to), Some(value_milli)) =
            (kind, channel, product, from, to, value)
        {
            out.push(Figure {
                kind,
                channel,
                product,
                from,
                to,
                value_milli,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Reads and checks a complaints file (dates not after `today`): every complaint, or
/// every problem.
pub fn complaints(
    locale: Locale,
    bytes: &[u8],
    today: Date,
    tz: &jiff::tz::TimeZone,
) -> Result<Vec<NewIncident>, Vec<RowError>> {
    let rows = records(
        locale,
        bytes,
        &["date", "channel", "after_hours", "reference"],
    )?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut references = std::collections::HashSet::new();
    for (line, row) in rows {
        let get = |c: &str| row.get(c).map(String::as_str).unwrap_or("");
        let mut bad = |field: &str, key: &str| {
            errors.push(RowError {
                row: line,
                field: Some(field.to_owned()),
                message: text(locale, key),
            });
        };
        let date = day(get("date")).filter(|d| *d <= today);
        if date.is_none() {
            bad("date", "bad_date");
        }
        let channel = Channel::parse(get("channel"));
        if channel.is_none() {
            bad("channel", "bad_channel");
        }
        let after_hours = match get("after_hours").to_lowercase().as_str() {
            "ja" | "yes" | "oui" | "1" | "true" | "waar" => Some(true),
            "nee" | "no" | "non" | "0" | "false" | "onwaar" => Some(false),
            _ => None,
        };
        if after_hours.is_none() {
            bad("after_hours", "bad_yes_no");
        }
        let reference = match get("reference") {
            "" => None,
            r if r.chars().count() <= 100 && !r.chars().any(char::is_control) => Some(r.to_owned()),
            _ => {
                bad("reference", "bad_reference");
                None
            }
        };
        if let Some(r) = &reference
            && !references.insert(r.clone())
        {
            bad("reference", "twice");
        }
        if let (Some(date), Some(channel), Some(after_hours)) = (date, channel, after_hours) {
            out.push(NewIncident {
                kind: if after_hours {
                    IncidentKind::ComplaintAfterHours
                } else {
                    IncidentKind::Complaint
                },
                channel,
                at_ms: balie_impact::period::day_start_ms(tz, date),
                note: String::new(),
                reference,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn figures_are_read_in_the_ways_spreadsheets_write_them() {
        let csv = "\u{feff}indicator;channel;product;from;to;value\n\
                   bezoekers;balie;;5/1/2026;11/1/2026;412\n\
                   doorlooptijd_dagen;telefoon;feestzaal;2026-01-01;2026-03-31;4,5\n\
                   tevredenheid_medewerkers;balie;;2026-01-01;2026-03-31;3.25\n";
        let read = figures(Locale::Nl, csv.as_bytes()).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].kind, FigureKind::Visitors);
        assert_eq!(read[0].from, date(2026, 1, 5));
        assert_eq!(read[0].value_milli, 412_000);
        assert_eq!(read[1].value_milli, 4_500);
        assert_eq!(
            read[1].product.as_ref().map(ProductId::as_str),
            Some("feestzaal")
        );
        assert_eq!(read[2].value_milli, 3_250);
    }

    #[test]
    fn one_bad_row_refuses_the_file_and_every_problem_is_named() {
        let csv = "indicator,channel,product,from,to,value\n\
                   bezoekers,balie,,2026-01-05,2026-01-11,412\n\
                   snoepjes,digitaal,Dirk Peeters,2026-02-30,2025-01-01,-3\n\
                   tevredenheid_medewerkers,balie,,2026-01-01,2026-03-31,7\n\
                   contacten,telefoon,,2026-01-01,2026-12-31,1.2345\n";
        let errors = figures(Locale::Nl, csv.as_bytes()).unwrap_err();
        let at = |row: usize, field: &str| {
            errors
                .iter()
                .any(|e| e.row == row && e.field.as_deref() == Some(field))
        };
        assert!(at(3, "indicator") && at(3, "channel") && at(3, "product"));
        assert!(at(3, "from") && at(3, "value"));
        assert!(at(4, "value"), "a satisfaction of 7");
        assert!(
            at(5, "to") && at(5, "value"),
            "a year at once; four decimals"
        );
        assert!(!errors.iter().any(|e| e.row == 2));
        assert!(
            errors
                .iter()
                .all(|e| !e.message.starts_with("impact_import."))
        );
        let missing = figures(Locale::Nl, b"indicator;value\nbezoekers;3\n").unwrap_err();
        assert!(
            missing
                .iter()
                .any(|e| e.field.as_deref() == Some("channel"))
        );
        assert!(figures(Locale::Nl, b"indicator;channel;product;from;to;value\n").is_err());
    }

    #[test]
    fn complaints_are_read_once_each_and_not_from_the_future() {
        let tz = balie_domain::agenda::brussels().unwrap();
        let today = date(2026, 4, 2);
        let csv = "date;channel;after_hours;reference\n\
                   3/11/2024;telefoon;ja;K-1\n\
                   2026-01-07;e-mail;nee;K-2\n";
        let read = complaints(Locale::Nl, csv.as_bytes(), today, &tz).unwrap();
        assert_eq!(read[0].kind, IncidentKind::ComplaintAfterHours);
        assert_eq!(read[1].kind, IncidentKind::Complaint);
        assert_eq!(read[1].channel, Channel::Email);
        let bad = "date;channel;after_hours;reference\n\
                   2026-05-01;telefoon;misschien;K-1\n\
                   2026-01-07;e-mail;nee;K-1\n\
                   2026-01-08;e-mail;nee;K-1\n";
        let errors = complaints(Locale::Nl, bad.as_bytes(), today, &tz).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.row == 2 && e.field.as_deref() == Some("date"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.row == 2 && e.field.as_deref() == Some("after_hours"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.row == 4 && e.field.as_deref() == Some("reference"))
        );
    }
}
