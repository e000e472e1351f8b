//! What a cockpit sends its relay for the municipality's figures: its [`Facts`], cut into
//! days (conversations by the day they took place, questions by the day they were
//! handled, payments by the day they were asked) and the small rest whole (register
//! entries without their notes, imported figures, the catalog's history, the day the
//! digital counter started). Anonymous by the facts' own construction; [`Upload::check`]
//! is what the relay runs on what it receives.

use crate::facts::Facts;
use crate::period::day_of;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// The most days one upload carries.
pub const MAX_DAYS_PER_UPLOAD: usize = 62;
/// The most records one day carries.
pub const MAX_PER_DAY: usize = 20_000;
/// The most records the whole part carries.
pub const MAX_WHOLE: usize = 100_000;
/// The largest upload, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// One day's facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayFacts {
    /// The day (Europe/Brussels).
    pub day: Date,
    /// Its conversations, questions and payments (nothing else).
    pub facts: Facts,
}

/// A cockpit's summary for its relay (`PUT /api/impact`): each day given replaces what
/// the relay held for that day of that clerk; the whole part, when given, replaces theirs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// Days.
    pub days: Vec<DayFacts>,
    /// Register entries, imported figures, the catalog's history and the start day.
    pub whole: Option<Facts>,
}

/// Why an upload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// More days, or records, than one upload may carry.
    #[error("too much in one upload: {0}")]
    TooMuch(&'static str),
    /// A day given twice.
    #[error("day {0} is given twice")]
    Twice(Date),
    /// A record that does not belong to the day it was put in (or a day part with
    /// records of the whole part, or the reverse).
    #[error("day {0} holds a record of another day or kind")]
    Misplaced(Date),
    /// The whole part holds day records.
    #[error("the whole part holds day records")]
    WholeHoldsDays,
}

impl Upload {
    /// Splits `facts` into the days `first` to `last` and the whole part, in `tz`.
    /// Records outside those days are left out.
    pub fn from_facts(facts: Facts, first: Date, last: Date, tz: &TimeZone) -> Self {
        let within = |d: Date| first <= d && d <= last;
        let mut by_day: std::collections::BTreeMap<Date, Facts> = std::collections::BTreeMap::new();
        for c in facts.conversations {
            let d = day_of(tz, c.at_ms);
            if within(d) {
                by_day.entry(d).or_default().conversations.push(c);
            }
        }
        for r in facts.requests {
            let Some(handled) = r.handled_at_ms else {
                continue;
            };
            let d = day_of(tz, handled);
            if within(d) {
                by_day.entry(d).or_default().requests.push(r);
            }
        }
        for p in facts.payments {
            let d = day_of(tz, p.asked_at_ms);
            if within(d) {
                by_day.entry(d).or_default().payments.push(p);
            }
        }
        // Every day of the span is sent, also an empty one: it replaces what was there.
        let mut out = Vec::new();
        let mut d = first;
        while d <= last {
            out.push(DayFacts {
                day: d,
                facts: by_day.remove(&d).unwrap_or_default(),
            });
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        Upload {
            days: out,
            whole: Some(Facts {
                incidents: facts.incidents,
                figures: facts.figures,
                catalog: facts.catalog,
                digital_since: facts.digital_since,
                ..Facts::default()
            }),
        }
    }

    /// Checks what a relay receives: within the limits, each record in its own day and
    /// part.
    pub fn check(&self, tz: &TimeZone) -> Result<(), UploadError> {
        if self.days.len() > MAX_DAYS_PER_UPLOAD {
            return Err(UploadError::TooMuch("days"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.days {
            if !seen.insert(d.day) {
                return Err(UploadError::Twice(d.day));
            }
            let f = &d.facts;
            if f.conversations.len() + f.requests.len() + f.payments.len() > MAX_PER_DAY {
                return Err(UploadError::TooMuch("records in a day"));
            }
            let here = |ms: i64| day_of(tz, ms) == d.day;
            let placed = f.conversations.iter().all(|c| here(c.at_ms))
                && f.requests.iter().all(|r| r.handled_at_ms.is_some_and(here))
                && f.payments.iter().all(|p| here(p.asked_at_ms))
                && f.incidents.is_empty()
                && f.figures.is_empty()
                && f.catalog.is_empty()
                && f.digital_since.is_none();
            if !placed {
                return Err(UploadError::Misplaced(d.day));
            }
        }
        if let Some(w) = &self.whole {
            if !(w.conversations.is_empty() && w.requests.is_empty() && w.payments.is_empty()) {
                return Err(UploadError::WholeHoldsDays);
            }
            if w.incidents.len() + w.figures.len() + w.catalog.len() > MAX_WHOLE {
                return Err(UploadError::TooMuch("records in the whole part"));
            }
        }
        Ok(())
    }
}

/// Puts days and whole parts, as stored per clerk, back together as one set of facts:
/// every clerk's days; the whole parts joined (imported figures given by several cockpits
/// counted once; the earliest start day).
pub fn merge(
    days: impl IntoIterator<Item = Facts>,
    wholes: impl IntoIterator<Item = Facts>,
) -> Facts {
    let mut out = Facts::default();
    for f in days {
        out.conversations.extend(f.conversations);
        out.requests.extend(f.requests);
        out.payments.extend(f.payments);
    }
    for w in wholes {
        out.incidents.extend(w.incidents);
        for f in w.figures {
            if !out.figures.contains(&f) {
                out.figures.push(f);
            }
        }
        out.catalog.extend(w.catalog);
        out.digital_since = match (out.digital_since, w.digital_since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Conversation, Origin, Payment};
    use jiff::civil::date;

    fn tz() -> TimeZone {
        balie_domain::agenda::brussels().unwrap()
    }

    fn ms(d: Date, h: i8) -> i64 {
        d.at(h, 0, 0, 0)
            .to_zoned_datetime(tz())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    fn talk(at_ms: i64) -> Conversation {
        Conversation {
            at_ms,
            product: None,
            origin: Origin::Direct,
            outside_hours: None,
            place: None,
            trip_m: None,
            citizen_score: None,
            clerk_score: None,
        }
    }

    #[test]
    fn facts_are_cut_into_their_days_and_every_day_of_the_span_is_sent() {
        let d1 = date(2026, 3, 28);
        let d2 = date(2026, 3, 29);
        let facts = Facts {
            conversations: vec![
                talk(ms(d1, 10)),
                talk(ms(d2, 0) + 60_000),
                talk(ms(date(2026, 3, 1), 9)),
            ],
            payments: vec![Payment {
                asked_at_ms: ms(d2, 11),
                amount_cents: 500,
                test_money: true,
                in_call: true,
                paid_at_ms: None,
                paid_in_call: false,
            }],
            ..Facts::default()
        };
        let upload = Upload::from_facts(facts, d1, date(2026, 3, 30), &tz());
        assert_eq!(upload.days.len(), 3);
        assert_eq!(upload.days[0].facts.conversations.len(), 1);
        assert_eq!(upload.days[1].facts.conversations.len(), 1);
        assert_eq!(upload.days[1].facts.payments.len(), 1);
        assert!(upload.days[2].facts.conversations.is_empty());
        upload.check(&tz()).unwrap();
    }

    #[test]
    fn a_record_in_another_day_or_part_is_refused() {
        let d = date(2026, 3, 29);
        let mut upload = Upload {
            days: vec![DayFacts {
                day: d,
                facts: Facts {
                    conversations: vec![talk(ms(date(2026, 3, 30), 10))],
                    ..Facts::default()
                },
            }],
            whole: None,
        };
        assert_eq!(upload.check(&tz()), Err(UploadError::Misplaced(d)));
        upload.days[0].facts.conversations[0] = talk(ms(d, 10));
        upload.check(&tz()).unwrap();
        upload.days.push(upload.days[0].clone());
        assert_eq!(upload.check(&tz()), Err(UploadError::Twice(d)));
        upload.days.pop();
        upload.whole = Some(Facts {
            conversations: vec![talk(ms(d, 10))],
            ..Facts::default()
        });
        assert_eq!(upload.check(&tz()), Err(UploadError::WholeHoldsDays));
    }

    #[test]
    fn merged_wholes_count_a_shared_import_once_and_start_at_the_earliest() {
        let figure = crate::facts::Figure {
            kind: crate::facts::FigureKind::Contacts,
            channel: crate::facts::Channel::Phone,
            product: None,
            from: date(2026, 1, 1),
            to: date(2026, 3, 31),
            value_milli: 100_000,
        };
        let a = Facts {
            figures: vec![figure.clone()],
            digital_since: Some(date(2026, 2, 1)),
            ..Facts::default()
        };
        let b = Facts {
            figures: vec![figure],
            digital_since: Some(date(2025, 11, 5)),
            ..Facts::default()
        };
        let merged = merge([], [a, b]);
        assert_eq!(merged.figures.len(), 1);
        assert_eq!(merged.digital_since, Some(date(2025, 11, 5)));
    }
}
