//! Periods of whole days in Europe/Brussels: an ISO week, a month, a quarter or any run of
//! days. A period runs from its first day's midnight to the midnight after its last day,
//! so a day with a daylight-saving change is 23 or 25 hours long, as it was.

use balie_domain::agenda;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest custom period: a little over three years.
pub const MAX_DAYS: i32 = 1200;

/// What kind of period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter.
    Quarter,
    /// A calendar year.
    Year,
    /// Any run of days.
    Custom,
}

/// Why a period cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodError {
    /// The last day lies before the first.
    #[error("the period ends before it starts")]
    Reversed,
    /// Longer than [`MAX_DAYS`].
    #[error("a period is at most {MAX_DAYS} days long")]
    TooLong,
    /// A date outside the calendar's range.
    #[error("not a usable date")]
    OutOfRange,
}

impl PeriodError {
    /// The catalog key of the message in the user's language.
    pub fn message_key(&self) -> &'static str {
        match self {
            PeriodError::Reversed => "impact.error.period_reversed",
            PeriodError::TooLong => "impact.error.period_too_long",
            PeriodError::OutOfRange => "impact.error.period_out_of_range",
        }
    }
}

/// A run of whole days, `first` to `last` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Period {
    /// What kind.
    pub kind: PeriodKind,
    /// The first day.
    #[ts(type = "string")]
    pub first: Date,
    /// The last day.
    #[ts(type = "string")]
    pub last: Date,
}

impl Period {
    /// The ISO week (Monday to Sunday) that holds `day`.
    pub fn week(day: Date) -> Result<Self, PeriodError> {
        let back = i32::from(day.weekday().to_monday_zero_offset());
        let first = day
            .checked_sub(jiff::Span::new().days(back))
            .map_err(|_| PeriodError::OutOfRange)?;
        let last = first
            .checked_add(jiff::Span::new().days(6))
            .map_err(|_| PeriodError::OutOfRange)?;
        Ok(Self {
            kind: PeriodKind::Week,
            first,
            last,
        })
    }

    /// The month that holds `day`.
    pub fn month(day: Date) -> Self {
        Self {
            kind: PeriodKind::Month,
            first: day.first_of_month(),
            last: day.last_of_month(),
        }
    }

    /// The quarter that holds `day`.
    pub fn quarter(day: Date) -> Result<Self, PeriodError> {
        let first_month = (day.month() - 1) / 3 * 3 + 1;
        let first = Date::new(day.year(), first_month, 1).map_err(|_| PeriodError::OutOfRange)?;
        let last = Date::new(day.year(), first_month + 2, 1)
            .map_err(|_| PeriodError::OutOfRange)?
            .last_of_month();
        Ok(Self {
            kind: PeriodKind::Quarter,
            first,
            last,
        })
    }

    /// The year that holds `day`.
    pub fn year(day: Date) -> Result<Self, PeriodError> {
        let first = Date::new(day.year(), 1, 1).map_err(|_| PeriodError::OutOfRange)?;
        let last = Date::new(day.year(), 12, 31).map_err(|_| PeriodError::OutOfRange)?;
        Ok(Self {
            kind: PeriodKind::Year,
            first,
            last,
        })
    }

    /// The days `first` to `last` inclusive.
    pub fn custom(first: Date, last: Date) -> Result<Self, PeriodError> {
        if last < first {
            return Err(PeriodError::Reversed);
        }
        let days = first
            .until(last)
            .map_err(|_| PeriodError::OutOfRange)?
            .get_days();
        if days >= MAX_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Self {
            kind: PeriodKind::Custom,
            first,
            last,
        })
    }

    /// A period of `kind` holding `day` (a custom one is that single day).
    pub fn of_kind(kind: PeriodKind, day: Date) -> Result<Self, PeriodError> {
        match kind {
            PeriodKind::Week => Self::week(day),
            PeriodKind::Month => Ok(Self::month(day)),
            PeriodKind::Quarter => Self::quarter(day),
            PeriodKind::Year => Self::year(day),
            PeriodKind::Custom => Self::custom(day, day),
        }
    }

    /// How many days it has.
    pub fn days(&self) -> i32 {
        self.first
            .until(self.last)
            .map(|s| s.get_days() + 1)
            .unwrap_or(1)
    }

    /// The period just before, to compare with: the previous week, month, quarter or
    /// year, or as many days just before a custom period.
    pub fn previous(&self) -> Result<Self, PeriodError> {
        let day_before = self
            .first
            .yesterday()
            .map_err(|_| PeriodError::OutOfRange)?;
        match self.kind {
            PeriodKind::Custom => {
                let first = self
                    .first
                    .checked_sub(jiff::Span::new().days(self.days()))
                    .map_err(|_| PeriodError::OutOfRange)?;
                Self::custom(first, day_before)
            }
            kind => Self::of_kind(kind, day_before),
        }
    }

    /// Whether `day` lies in it.
    pub fn contains_day(&self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }

    /// The period as Unix milliseconds in `tz`: from the first day's start to the start of
    /// the day after the last (half open).
    pub fn bounds_ms(&self, tz: &TimeZone) -> (i64, i64) {
        let start = day_start_ms(tz, self.first);
        let end = self
            .last
            .tomorrow()
            .map(|d| day_start_ms(tz, d))
            .unwrap_or(i64::MAX);
        (start, end)
    }

    /// The Mondays of the ISO weeks that touch the period, in order.
    pub fn weeks(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let Ok(mut monday) = Self::week(self.first).map(|w| w.first) else {
            return out;
        };
        while monday <= self.last {
            out.push(monday);
            match monday.checked_add(jiff::Span::new().days(7)) {
                Ok(next) => monday = next,
                Err(_) => break,
            }
        }
        out
    }

    /// The last day of every month that touches the period, capped at the period's last
    /// day, in order.
    pub fn month_ends(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut day = self.first;
        loop {
            let end = day.last_of_month().min(self.last);
            out.push(end);
            match end.tomorrow() {
                Ok(next) if next <= self.last => day = next,
                _ => break,
            }
        }
        out
    }
}

/// Midnight (or the day's first moment) of `day` in `tz`, in Unix milliseconds.
pub fn day_start_ms(tz: &TimeZone, day: Date) -> i64 {
    day.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

/// The day in `tz` of the moment `at_ms`.
pub fn day_of(tz: &TimeZone, at_ms: i64) -> Date {
    let at = jiff::Timestamp::from_millisecond(at_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    agenda::local(tz, at).date()
}

/// The Monday of the ISO week that holds `day`.
pub fn monday_of(day: Date) -> Date {
    let back = i32::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

/// Whether `day` is a Monday.
pub fn is_monday(day: Date) -> bool {
    day.weekday() == Weekday::Monday
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn tz() -> TimeZone {
        agenda::brussels().expect("the zone database is compiled in")
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_the_previous_one_before_it() {
        let w = Period::week(date(2026, 3, 29)).unwrap();
        assert_eq!((w.first, w.last), (date(2026, 3, 23), date(2026, 3, 29)));
        let p = w.previous().unwrap();
        assert_eq!((p.first, p.last), (date(2026, 3, 16), date(2026, 3, 22)));
    }

    #[test]
    fn quarters_and_months_follow_the_calendar() {
        let q = Period::quarter(date(2026, 11, 15)).unwrap();
        assert_eq!((q.first, q.last), (date(2026, 10, 1), date(2026, 12, 31)));
        let p = q.previous().unwrap();
        assert_eq!((p.first, p.last), (date(2026, 7, 1), date(2026, 9, 30)));
        let m = Period::month(date(2026, 3, 10)).previous().unwrap();
        assert_eq!((m.first, m.last), (date(2026, 2, 1), date(2026, 2, 28)));
        assert_eq!(
            q.month_ends(),
            vec![date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31)]
        );
    }

    #[test]
    fn a_custom_period_compares_with_as_many_days_before_it() {
        let c = Period::custom(date(2026, 5, 11), date(2026, 5, 20)).unwrap();
        assert_eq!(c.days(), 10);
        let p = c.previous().unwrap();
        assert_eq!((p.first, p.last), (date(2026, 5, 1), date(2026, 5, 10)));
        assert_eq!(
            Period::custom(date(2026, 5, 2), date(2026, 5, 1)),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::custom(date(2020, 1, 1), date(2026, 1, 1)),
            Err(PeriodError::TooLong)
        );
    }

    #[test]
    fn the_day_of_the_spring_change_is_23_hours_long() {
        // 29 March 2026: the clocks go from 02:00 to 03:00 in Brussels.
        let day = Period::custom(date(2026, 3, 29), date(2026, 3, 29)).unwrap();
        let (start, end) = day.bounds_ms(&tz());
        assert_eq!(end - start, 23 * 3_600_000);
        let autumn = Period::custom(date(2026, 10, 25), date(2026, 10, 25)).unwrap();
        let (start, end) = autumn.bounds_ms(&tz());
        assert_eq!(end - start, 25 * 3_600_000);
        // 23:30 UTC on 28 March is 00:30 on the 29th in Brussels.
        let t = jiff::Timestamp::from_second(1_774_740_600).unwrap();
        assert_eq!(day_of(&tz(), t.as_millisecond()), date(2026, 3, 29));
    }

    #[test]
    fn weeks_touching_a_month_start_on_mondays() {
        let m = Period::month(date(2026, 3, 1));
        let weeks = m.weeks();
        assert_eq!(weeks.first(), Some(&date(2026, 2, 23)));
        assert_eq!(weeks.last(), Some(&date(2026, 3, 30)));
        assert!(weeks.iter().all(|d| is_monday(*d)));
    }
}
