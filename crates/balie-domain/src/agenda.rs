//! Opening hours, a clerk's availability and the free moments for an appointment, in
//! Brussels time.
//!
//! People think in wall-clock time ("Mondays 9:00 to 12:00"); appointments are instants.
//! A [`Calendar`] is a week of [`DayHours`] plus dated exceptions (a holiday, an evening
//! session), in wall-clock time; [`Calendar::intervals`] turns it into instants for a
//! stretch of days in a time zone, so a day on which the clocks change is as long as it
//! really is (23 or 25 hours). Free moments are stepped in real time from each window's
//! start ([`slots`]), so no moment is offered twice or skipped around a change.
//!
//! ```
//! use balie_domain::agenda::{Calendar, DayHours, brussels, local};
//! let mut hours = Calendar::default();
//! hours.set_weekday(jiff::civil::Weekday::Monday, "09:00-12:00,13:30-16:00".parse().unwrap());
//! // Easter Monday 2026 is a holiday.
//! hours.set_exception(jiff::civil::date(2026, 4, 6), DayHours::closed());
//! let tz = brussels().unwrap();
//! let monday = jiff::civil::date(2026, 4, 13).at(8, 0, 0, 0).to_zoned_datetime(tz.clone()).unwrap();
//! let open = hours.intervals(&tz, monday.timestamp(), monday.timestamp() + jiff::SignedDuration::from_hours(24));
//! assert_eq!(open.len(), 2);
//! assert_eq!(local(&tz, open[0].start).time(), jiff::civil::time(9, 0, 0, 0));
//! ```

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The time zone of every Flemish municipality, in which opening hours and availability
/// are meant.
pub const TIME_ZONE: &str = "Europe/Brussels";

/// Minutes in a day: the end of a window that runs to midnight (`24:00`).
const DAY_MINUTES: u16 = 24 * 60;

/// Why hours or a moment could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgendaError {
    /// Not `HH:MM` (00:00 to 24:00).
    #[error("{0:?} is not a time of day (HH:MM)")]
    Time(String),
    /// Not `HH:MM-HH:MM` with the start before the end.
    #[error("{0:?} is not a stretch of time (HH:MM-HH:MM, start before end)")]
    Window(String),
    /// Two windows of one day overlap.
    #[error("the times {0} overlap")]
    Overlap(String),
    /// The time zone database has no Europe/Brussels (it is compiled in, so this is a
    /// build defect).
    #[error("the time zone {TIME_ZONE} is not known")]
    NoTimeZone,
}

impl AgendaError {
    /// Message catalog key for this error.
    pub fn message_key(&self) -> &'static str {
        match self {
            AgendaError::Time(_) => "agenda.invalid_time",
            AgendaError::Window(_) => "agenda.invalid_window",
            AgendaError::Overlap(_) => "agenda.overlap",
            AgendaError::NoTimeZone => "agenda.no_time_zone",
        }
    }
}

/// Europe/Brussels from the compiled-in time zone database (or the system's, when newer).
pub fn brussels() -> Result<TimeZone, AgendaError> {
    TimeZone::get(TIME_ZONE).map_err(|_| AgendaError::NoTimeZone)
}

/// `at` as wall-clock time in `tz`.
pub fn local(tz: &TimeZone, at: Timestamp) -> jiff::civil::DateTime {
    tz.to_datetime(at)
}

/// A time of day in minutes after midnight, `00:00` to `24:00` (the end of a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// `hours:minutes`, if it is a time of day (24:00 included).
    pub fn new(hours: u8, minutes: u8) -> Option<Self> {
        let total = u16::from(hours) * 60 + u16::from(minutes);
        (minutes < 60 && total <= DAY_MINUTES).then_some(Self(total))
    }

    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }

    /// Hours and minutes (24:00 as `(24, 0)`).
    pub fn hm(self) -> (u8, u8) {
        // Both fit: at most 1440 / 60 = 24 and 59.
        ((self.0 / 60) as u8, (self.0 % 60) as u8)
    }
}

impl FromStr for TimeOfDay {
    type Err = AgendaError;

    fn from_str(s: &str) -> Result<Self, AgendaError> {
        let bad = || AgendaError::Time(s.to_owned());
        let s_trim = s.trim();
        // "9" is nine o'clock, as people write it ("9-12").
        let (h, m) = s_trim.split_once([':', 'u', 'h']).unwrap_or((s_trim, "00"));
        let digits =
            |p: &str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || m.len() != 2 || !digits(m) {
            return Err(bad());
        }
        let hours = h.parse().map_err(|_| bad())?;
        let minutes = m.parse().map_err(|_| bad())?;
        Self::new(hours, minutes).ok_or_else(bad)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m) = self.hm();
        write!(f, "{h:02}:{m:02}")
    }
}

/// A stretch of one day's wall-clock time, `from` (included) to `to` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    from: TimeOfDay,
    to: TimeOfDay,
}

impl Window {
    /// The window, if `from` comes before `to`.
    pub fn new(from: TimeOfDay, to: TimeOfDay) -> Option<Self> {
        (from < to).then_some(Self { from, to })
    }

    /// Where it starts.
    pub fn from(self) -> TimeOfDay {
        self.from
    }

    /// Where it ends (excluded).
    pub fn to(self) -> TimeOfDay {
        self.to
    }
}

impl FromStr for Window {
    type Err = AgendaError;

    fn from_str(s: &str) -> Result<Self, AgendaError> {
        let bad = || AgendaError::Window(s.to_owned());
        let (from, to) = s.split_once('-').ok_or_else(bad)?;
        let from = from.parse().map_err(|_| bad())?;
        let to = to.parse().map_err(|_| bad())?;
        Self::new(from, to).ok_or_else(bad)
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.from, self.to)
    }
}

/// One day's hours: windows in order that do not overlap; none means closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayHours(Vec<Window>);

impl DayHours {
    /// Closed all day.
    pub fn closed() -> Self {
        Self(Vec::new())
    }

    /// The windows, sorted; refused when two overlap.
    pub fn new(mut windows: Vec<Window>) -> Result<Self, AgendaError> {
        windows.sort();
        if let Some(pair) = windows.windows(2).find(|w| w[1].from < w[0].to) {
            return Err(AgendaError::Overlap(format!("{} {}", pair[0], pair[1])));
        }
        Ok(Self(windows))
    }

    /// The windows, in order.
    pub fn windows(&self) -> &[Window] {
        &self.0
    }

    /// Whether the day has no window.
    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for DayHours {
    type Err = AgendaError;

    /// `09:00-12:00,13:30-16:00`; `-` or nothing for closed.
    fn from_str(s: &str) -> Result<Self, AgendaError> {
        let s = s.trim();
        if s.is_empty() || s == "-" {
            return Ok(Self::closed());
        }
        Self::new(
            s.split(',')
                .map(|w| w.trim().parse())
                .collect::<Result<_, _>>()?,
        )
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("-");
        }
        for (i, w) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{w}")?;
        }
        Ok(())
    }
}

/// Two instants: `start` (included) to `end` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// The first instant.
    pub start: Timestamp,
    /// The first instant after it.
    pub end: Timestamp,
}

impl Interval {
    /// Whether the two share any instant.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A week of hours and dated exceptions, in wall-clock time: the municipality's opening
/// hours (holidays are exceptions that are closed) or a clerk's availability (a day off,
/// an evening session).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    week: [DayHours; 7],
    exceptions: BTreeMap<Date, DayHours>,
}

impl Calendar {
    /// Sets the usual hours of `day`.
    pub fn set_weekday(&mut self, day: Weekday, hours: DayHours) {
        self.week[weekday_index(day)] = hours;
    }

    /// The usual hours of `day`.
    pub fn weekday(&self, day: Weekday) -> &DayHours {
        &self.week[weekday_index(day)]
    }

    /// Makes `date` differ from its weekday (closed, or other hours).
    pub fn set_exception(&mut self, date: Date, hours: DayHours) {
        self.exceptions.insert(date, hours);
    }

    /// Drops `date`'s exception; whether there was one.
    pub fn remove_exception(&mut self, date: Date) -> bool {
        self.exceptions.remove(&date).is_some()
    }

    /// The exceptions, by date.
    pub fn exceptions(&self) -> &BTreeMap<Date, DayHours> {
        &self.exceptions
    }

    /// The hours that hold on `date`.
    pub fn on(&self, date: Date) -> &DayHours {
        self.exceptions
            .get(&date)
            .unwrap_or_else(|| self.weekday(date.weekday()))
    }

    /// The open stretches between `from` and `until`, as instants in `tz`, in order and
    /// cut to that range. A window's ends are read as wall-clock times on its day: on the
    /// day the clocks go forward, 01:00-04:00 lasts two hours; on the day they go back,
    /// four. A window ending at 24:00 runs to the next day's midnight.
    pub fn intervals(&self, tz: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<Interval> {
        self.windows_touching(tz, from, until)
            .into_iter()
            .map(|w| Interval {
                start: w.start.max(from),
                end: w.end.min(until),
            })
            .collect()
    }

    /// The open stretches that share an instant with `from`..`until`, whole.
    fn windows_touching(&self, tz: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<Interval> {
        let mut out = Vec::new();
        if from >= until {
            return out;
        }
        // From the day before: a window to midnight ends on the next day.
        let first = tz.to_datetime(from).date().yesterday().ok();
        let last = tz.to_datetime(until).date();
        let Some(mut day) = first else {
            return out;
        };
        while day <= last {
            for w in self.on(day).windows() {
                let (Some(start), Some(end)) = (instant(tz, day, w.from), instant(tz, day, w.to))
                else {
                    continue;
                };
                let whole = Interval { start, end };
                if start < end
                    && whole.overlaps(&Interval {
                        start: from,
                        end: until,
                    })
                {
                    out.push(whole);
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        out
    }

    /// Whether `interval` lies wholly within one open stretch.
    pub fn covers(&self, tz: &TimeZone, interval: Interval) -> bool {
        self.intervals(tz, interval.start, interval.end)
            .iter()
            .any(|i| i.start == interval.start && i.end == interval.end)
    }
}

fn weekday_index(day: Weekday) -> usize {
    // 0 (Monday) to 6 (Sunday).
    day.to_monday_zero_offset().unsigned_abs().into()
}

/// The instant of wall-clock `time` on `date` in `tz`. A time the clocks skip (02:30 on
/// the day they go forward) is read as the same time after the change (03:30); one they
/// pass twice as the first.
fn instant(tz: &TimeZone, date: Date, time: TimeOfDay) -> Option<Timestamp> {
    let (day, minutes) = if time.minutes() == DAY_MINUTES {
        (date.tomorrow().ok()?, 0)
    } else {
        (date, time.minutes())
    };
    let (h, m) = (minutes / 60, minutes % 60);
    let civil = day.at(i8::try_from(h).ok()?, i8::try_from(m).ok()?, 0, 0);
    tz.to_zoned_datetime(civil).ok().map(|z| z.timestamp())
}

/// Someone who may serve an appointment: their availability and what they already have.
#[derive(Debug, Clone, Copy)]
pub struct Server<'a, C> {
    /// Who (a clerk's id).
    pub who: C,
    /// When they take appointments.
    pub available: &'a Calendar,
    /// Their appointments (and anything else that blocks them), in any order.
    pub busy: &'a [Interval],
}

/// A moment that can be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot<C> {
    /// When it starts and ends.
    pub at: Interval,
    /// Who is free for it, in the order they were given.
    pub free: Vec<C>,
    /// Whether it lies outside the opening hours (wholly or in part).
    pub outside_hours: bool,
}

/// How far apart offered starts lie for an appointment of `duration`: the duration
/// itself up to half an hour, half an hour for longer ones (so a one-hour appointment
/// can start on the half hour), never under five minutes.
pub fn step_for(duration: SignedDuration) -> SignedDuration {
    duration.clamp(SignedDuration::from_mins(5), SignedDuration::from_mins(30))
}

/// The moments between `from` and `until` at which an appointment of `duration` fits
/// with at least one of `servers`, in time order. Starts are stepped ([`step_for`]) in
/// real time from the start of each available window; a moment is offered once, with
/// everyone free then. `opening` marks the moments outside the opening hours.
pub fn slots<C: Copy + Eq>(
    tz: &TimeZone,
    opening: &Calendar,
    servers: &[Server<'_, C>],
    duration: SignedDuration,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Slot<C>> {
    if duration <= SignedDuration::ZERO {
        return Vec::new();
    }
    let step = step_for(duration);
    let mut by_start: BTreeMap<Timestamp, Vec<C>> = BTreeMap::new();
    for server in servers {
        for window in server.available.windows_touching(tz, from, until) {
            // Stepped from the window's own start, so the offered times stay on its grid
            // however the range cuts it.
            let last_end = window.end.min(until);
            let mut start = window.start;
            while let Some(end) = start.checked_add(duration).ok().filter(|e| *e <= last_end) {
                let at = Interval { start, end };
                if start >= from && !server.busy.iter().any(|b| b.overlaps(&at)) {
                    let free = by_start.entry(start).or_default();
                    if !free.contains(&server.who) {
                        free.push(server.who);
                    }
                }
                match start.checked_add(step) {
                    Ok(next) => start = next,
                    Err(_) => break,
                }
            }
        }
    }
    by_start
        .into_iter()
        .filter_map(|(start, free)| {
            let end = start.checked_add(duration).ok()?;
            let at = Interval { start, end };
            Some(Slot {
                at,
                free,
                outside_hours: !opening.covers(tz, at),
            })
        })
        .collect()
}

/// Who of `servers` is free for `at`: available for all of it and with nothing
/// overlapping it. What a booking checks again, inside its transaction, before it takes
/// the moment.
pub fn free_for<C: Copy>(tz: &TimeZone, servers: &[Server<'_, C>], at: Interval) -> Vec<C> {
    servers
        .iter()
        .filter(|s| s.available.covers(tz, at) && !s.busy.iter().any(|b| b.overlaps(&at)))
        .map(|s| s.who)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn tz() -> TimeZone {
        brussels().unwrap()
    }

    fn at(d: Date, h: i8, m: i8) -> Timestamp {
        d.at(h, m, 0, 0)
            .to_zoned_datetime(tz())
            .unwrap()
            .timestamp()
    }

    fn every_day(hours: &str) -> Calendar {
        let mut c = Calendar::default();
        for day in 0..7 {
            c.set_weekday(
                Weekday::from_monday_zero_offset(day).unwrap(),
                hours.parse().unwrap(),
            );
        }
        c
    }

    fn starts(slots: &[Slot<u8>]) -> Vec<String> {
        slots
            .iter()
            .map(|s| {
                let z = s.at.start.to_zoned_datetime(tz());
                format!("{} {}", z.time().strftime("%H:%M"), z.offset())
            })
            .collect()
    }

    #[test]
    fn hours_are_read_as_people_write_them_and_refused_otherwise() {
        assert_eq!("9:00".parse::<TimeOfDay>().unwrap().minutes(), 540);
        assert_eq!("14u30".parse::<TimeOfDay>().unwrap().to_string(), "14:30");
        assert_eq!("24:00".parse::<TimeOfDay>().unwrap().minutes(), 1440);
        assert_eq!("9".parse::<TimeOfDay>().unwrap().to_string(), "09:00");
        assert_eq!("9-12".parse::<Window>().unwrap().to_string(), "09:00-12:00");
        for bad in [
            "24:01", "25", "123", "9:5", "12:60", "-1:00", "ab:cd", "", "09:00:00",
        ] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
        let day: DayHours = "13:30-16:00, 09:00-12:00".parse().unwrap();
        assert_eq!(day.to_string(), "09:00-12:00,13:30-16:00");
        assert!("-".parse::<DayHours>().unwrap().is_closed());
        assert!(matches!(
            "09:00-12:00,11:00-13:00".parse::<DayHours>(),
            Err(AgendaError::Overlap(_))
        ));
        assert!(matches!(
            "12:00-09:00".parse::<DayHours>(),
            Err(AgendaError::Window(_))
        ));
    }

    #[test]
    fn an_exception_overrides_the_weekday_and_a_holiday_closes_it() {
        let mut hours = every_day("09:00-12:00");
        let christmas = date(2026, 12, 25);
        hours.set_exception(christmas, DayHours::closed());
        let evening = date(2026, 12, 22);
        hours.set_exception(evening, "18:00-21:00".parse().unwrap());
        let tz = tz();
        assert!(
            hours
                .intervals(&tz, at(christmas, 0, 0), at(date(2026, 12, 26), 0, 0))
                .is_empty()
        );
        let open = hours.intervals(&tz, at(evening, 0, 0), at(date(2026, 12, 23), 0, 0));
        assert_eq!(
            open,
            vec![Interval {
                start: at(evening, 18, 0),
                end: at(evening, 21, 0)
            }]
        );
        assert!(hours.remove_exception(christmas));
        assert_eq!(hours.on(christmas).to_string(), "09:00-12:00");
    }

    #[test]
    fn the_last_sunday_of_march_has_no_two_oclock_and_keeps_its_wall_clock_slots() {
        // 29 March 2026: at 02:00 CET the clocks go to 03:00 CEST.
        let sunday = date(2026, 3, 29);
        let tz = tz();
        let clerk = every_day("01:00-04:00,09:00-10:00");
        let opening = every_day("09:00-12:00");
        let free = slots(
            &tz,
            &opening,
            &[Server {
                who: 1u8,
                available: &clerk,
                busy: &[],
            }],
            SignedDuration::from_mins(30),
            at(sunday, 0, 0),
            at(date(2026, 3, 30), 0, 0),
        );
        // 01:00-04:00 is two real hours that day: four half-hour moments, none at 02:xx.
        assert_eq!(
            starts(&free),
            [
                "01:00 +01",
                "01:30 +01",
                "03:00 +02",
                "03:30 +02",
                "09:00 +02",
                "09:30 +02"
            ]
        );
        assert!(free[..4].iter().all(|s| s.outside_hours));
        assert!(free[4..].iter().all(|s| !s.outside_hours));
        // 09:00 that Sunday is 07:00 UTC; the day before it was 08:00 UTC.
        assert_eq!(free[4].at.start.to_string(), "2026-03-29T07:00:00Z");
        assert_eq!(
            at(date(2026, 3, 28), 9, 0).to_string(),
            "2026-03-28T08:00:00Z"
        );
    }

    #[test]
    fn the_last_sunday_of_october_has_two_two_oclocks_and_both_are_offered() {
        // 25 October 2026: at 03:00 CEST the clocks go back to 02:00 CET.
        let sunday = date(2026, 10, 25);
        let tz = tz();
        let clerk = every_day("01:00-04:00");
        let free = slots(
            &tz,
            &Calendar::default(),
            &[Server {
                who: 1u8,
                available: &clerk,
                busy: &[],
            }],
            SignedDuration::from_mins(30),
            at(sunday, 0, 0),
            at(date(2026, 10, 26), 0, 0),
        );
        // Four real hours: eight moments, 02:00 and 02:30 twice (summer, then winter time).
        assert_eq!(
            starts(&free),
            [
                "01:00 +02",
                "01:30 +02",
                "02:00 +02",
                "02:30 +02",
                "02:00 +01",
                "02:30 +01",
                "03:00 +01",
                "03:30 +01"
            ]
        );
        assert!(free.iter().all(|s| s.outside_hours));
        let distinct: std::collections::BTreeSet<_> = free.iter().map(|s| s.at.start).collect();
        assert_eq!(distinct.len(), 8);
    }

    #[test]
    fn a_monday_pattern_keeps_its_wall_clock_times_across_both_changes() {
        let tz = tz();
        let mut clerk = Calendar::default();
        clerk.set_weekday(Weekday::Monday, "14:00-15:00".parse().unwrap());
        for monday in [
            date(2026, 3, 23),
            date(2026, 3, 30),
            date(2026, 10, 19),
            date(2026, 10, 26),
        ] {
            let free = slots(
                &tz,
                &Calendar::default(),
                &[Server {
                    who: 1u8,
                    available: &clerk,
                    busy: &[],
                }],
                SignedDuration::from_mins(60),
                at(monday, 0, 0),
                at(monday.tomorrow().unwrap(), 0, 0),
            );
            assert_eq!(free.len(), 1, "{monday}");
            assert_eq!(
                local(&tz, free[0].at.start).time(),
                time(14, 0, 0, 0),
                "{monday}"
            );
        }
    }

    #[test]
    fn a_booked_moment_is_not_offered_and_two_clerks_are_offered_once() {
        let tz = tz();
        let day = date(2026, 12, 8);
        let clerk = every_day("09:00-10:00");
        let busy = [Interval {
            start: at(day, 9, 20),
            end: at(day, 9, 40),
        }];
        let one = Server {
            who: 1u8,
            available: &clerk,
            busy: &busy,
        };
        let two = Server {
            who: 2u8,
            available: &clerk,
            busy: &[],
        };
        let range = (at(day, 0, 0), at(day, 23, 0));
        let free = slots(
            &tz,
            &every_day("08:00-17:00"),
            &[one, two],
            SignedDuration::from_mins(20),
            range.0,
            range.1,
        );
        let who: Vec<_> = free.iter().map(|s| s.free.clone()).collect();
        assert_eq!(who, [vec![1, 2], vec![2], vec![1, 2]]);
        assert!(free.iter().all(|s| !s.outside_hours));
        assert_eq!(free_for(&tz, &[one, two], free[1].at), vec![2]);
        // Not inside the availability: nobody, even with an empty agenda.
        let late = Interval {
            start: at(day, 9, 50),
            end: at(day, 10, 10),
        };
        assert!(free_for(&tz, &[one, two], late).is_empty());
    }

    #[test]
    fn a_range_that_starts_inside_a_window_keeps_the_windows_grid() {
        let tz = tz();
        let day = date(2026, 12, 8);
        let clerk = every_day("09:00-12:00");
        let free = slots(
            &tz,
            &Calendar::default(),
            &[Server {
                who: 1u8,
                available: &clerk,
                busy: &[],
            }],
            SignedDuration::from_mins(30),
            at(day, 10, 7),
            at(day, 23, 0),
        );
        assert_eq!(starts(&free), ["10:30 +01", "11:00 +01", "11:30 +01"]);
    }

    #[test]
    fn a_slot_partly_outside_the_opening_hours_is_marked() {
        let tz = tz();
        let day = date(2026, 12, 8);
        let clerk = every_day("15:00-17:00");
        let free = slots(
            &tz,
            &every_day("09:00-16:00"),
            &[Server {
                who: 1u8,
                available: &clerk,
                busy: &[],
            }],
            SignedDuration::from_mins(45),
            at(day, 0, 0),
            at(day, 23, 0),
        );
        let marks: Vec<_> = free.iter().map(|s| s.outside_hours).collect();
        // 15:00-15:45 inside; 15:30-16:15 and 16:00-16:45 not.
        assert_eq!(marks, [false, true, true]);
    }

    #[test]
    fn a_window_to_midnight_ends_at_the_next_days_start() {
        let tz = tz();
        let day = date(2026, 12, 8);
        let clerk = every_day("22:00-24:00");
        let open = clerk.intervals(&tz, at(day, 12, 0), at(day, 23, 59));
        assert_eq!(open[0].start, at(day, 22, 0));
        let whole = clerk.intervals(&tz, at(day, 12, 0), at(date(2026, 12, 9), 12, 0));
        assert_eq!(whole[0].end, at(date(2026, 12, 9), 0, 0));
    }

    proptest::proptest! {
        /// Whatever the hours, bookings and day (the change days among them), every moment
        /// offered is one a booking would accept with exactly the clerks it names, lasts
        /// its duration in real time, and is offered once.
        #[test]
        fn every_offered_moment_is_one_a_booking_accepts(
            day_offset in 0i32..400,
            from_h in 0u8..23, len_h in 1u8..8, step_mins in 1u8..12,
            busy in proptest::collection::vec((0i64..48, 1i64..8), 0..6),
        ) {
            let tz = tz();
            let day = date(2026, 1, 1).checked_add(jiff::Span::new().days(day_offset)).unwrap();
            let to_h = (from_h + len_h).min(24);
            let hours = format!("{from_h:02}:00-{to_h:02}:00");
            let clerk = every_day(&hours);
            let base = at(day, 0, 0);
            let busy: Vec<Interval> = busy
                .iter()
                .map(|(s, l)| Interval {
                    start: base + SignedDuration::from_mins(s * 30),
                    end: base + SignedDuration::from_mins((s + l) * 30),
                })
                .collect();
            let duration = SignedDuration::from_mins(i64::from(step_mins) * 5);
            let servers = [Server { who: 7u8, available: &clerk, busy: &busy }];
            let free = slots(&tz, &Calendar::default(), &servers, duration, base,
                base + SignedDuration::from_hours(26));
            let mut seen = std::collections::BTreeSet::new();
            for slot in &free {
                proptest::prop_assert_eq!(slot.at.end.duration_since(slot.at.start), duration);
                proptest::prop_assert_eq!(free_for(&tz, &servers, slot.at), slot.free.clone());
                proptest::prop_assert!(seen.insert(slot.at.start));
            }
        }
    }
}
