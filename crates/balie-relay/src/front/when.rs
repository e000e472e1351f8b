//! Dates and times as citizens read them, in Brussels time and the page's language.

use crate::i18n::Catalogs;
use balie_domain::Locale;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// `dinsdag 8 december 2026` / `mardi 8 décembre 2026` / `Tuesday 8 December 2026`.
pub(crate) fn date(catalogs: &Catalogs, locale: Locale, day: Date) -> String {
    let weekday = catalogs.text(locale, weekday_key(day));
    let month = catalogs.text(locale, month_key(day.month()));
    format!("{weekday} {} {month} {}", day.day(), day.year())
}

/// `14:00`.
pub(crate) fn time(tz: &TimeZone, at: Timestamp) -> String {
    let t = tz.to_datetime(at);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// `dinsdag 8 december 2026 om 14:00`.
pub(crate) fn date_time(
    catalogs: &Catalogs,
    locale: Locale,
    tz: &TimeZone,
    at: Timestamp,
) -> String {
    catalogs
        .text(locale, "when.at")
        .replace("{date}", &date(catalogs, locale, tz.to_datetime(at).date()))
        .replace("{time}", &time(tz, at))
}

fn weekday_key(day: Date) -> &'static str {
    const KEYS: [&str; 7] = [
        "day.1", "day.2", "day.3", "day.4", "day.5", "day.6", "day.7",
    ];
    KEYS[usize::from(day.weekday().to_monday_zero_offset().unsigned_abs()) % 7]
}

fn month_key(month: i8) -> &'static str {
    const KEYS: [&str; 12] = [
        "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
        "month.9", "month.10", "month.11", "month.12",
    ];
    KEYS[usize::from(month.unsigned_abs().saturating_sub(1)) % 12]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_in_each_language_and_the_time_is_brussels_time() {
        let catalogs = Catalogs::load();
        let tz = balie_domain::agenda::brussels().unwrap();
        // 13:00 UTC on 31 March 2026 is 15:00 in Brussels (summer time).
        let at: Timestamp = "2026-03-31T13:00:00Z".parse().unwrap();
        assert_eq!(
            date_time(&catalogs, Locale::Nl, &tz, at),
            "dinsdag 31 maart 2026 om 15:00"
        );
        assert_eq!(
            date_time(&catalogs, Locale::Fr, &tz, at),
            "mardi 31 mars 2026 à 15:00"
        );
        assert_eq!(
            date_time(&catalogs, Locale::En, &tz, at),
            "Tuesday 31 March 2026 at 15:00"
        );
        let winter: Timestamp = "2026-12-08T13:00:00Z".parse().unwrap();
        assert_eq!(time(&tz, winter), "14:00");
    }
}
