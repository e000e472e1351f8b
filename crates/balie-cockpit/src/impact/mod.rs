//! Impact (issue 16): what the cockpit records for the project sheet's figures, and the
//! figures themselves.
//!
//! Every conversation is written down when the clerk opens it (how it came about, what
//! for, when the citizen asked), when the citizen is let in (outside the municipality's
//! opening hours or not, where the clerk works today) and when it ends (how far the
//! citizen lives, from their case's postcode). The citizen's survey answers come from the
//! relay; the clerk answers their own once a day. The figures are `balie_impact`'s,
//! computed over `balie_store`'s facts.

pub mod import;
pub mod views;

use crate::clock::Clock;
use crate::error::CockpitError;
use crate::relay_link::RelayLink;
use crate::store::SharedStore;
use balie_domain::agenda::{Calendar, DayHours, Interval};
use balie_impact::facts::{Origin, Place, Score};
use balie_impact::{Assumptions, Figures, Period};
use balie_store::cockpit::impact as records;
use balie_store::cockpit::setting;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use reqwest::Method;
use std::sync::{Arc, Mutex};
pub use views::{ClerkDayView, DashboardView, NewRegisterEntry, PeriodRequest, RegisterEntryView};

/// The setting with the cursor of the survey answers read from the relay.
const SURVEY_CURSOR: &str = "impact.survey_cursor";
/// The setting with the last day whose summary the relay has.
const UPLOADED_THROUGH: &str = "impact.uploaded_through";
/// Days sent again each time (a case handled, a survey answered, a payment paid late
/// changes recent days).
const RESEND_DAYS: i32 = 35;

/// How a conversation came about, as the clerk opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// Direct, an appointment or a walk-in.
    pub origin: Origin,
    /// What for, when known.
    pub product_id: Option<String>,
    /// When the citizen asked (the booking, the ticket), when known.
    pub requested_at_ms: Option<i64>,
    /// The postcode the citizen gave when booking, if any.
    pub postcode: Option<String>,
}

impl Opened {
    /// *Nieuw gesprek*: nothing known yet.
    pub fn direct() -> Self {
        Self {
            origin: Origin::Direct,
            product_id: None,
            requested_at_ms: None,
            postcode: None,
        }
    }
}

/// The report's two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// The PDF with its charts.
    Pdf,
    /// The CSV for a spreadsheet.
    Csv,
}

/// What the cockpit records for the figures, and the figures.
pub struct Impact {
    store: SharedStore,
    relay: Arc<RelayLink>,
    clock: Clock,
    tz: TimeZone,
    /// The municipality's opening hours, as last read from the relay.
    opening: Mutex<Option<Calendar>>,
}

impl Impact {
    /// The impact records over `store`, with `relay` for the opening hours and the
    /// citizens' survey answers.
    pub fn new(
        store: SharedStore,
        relay: Arc<RelayLink>,
        clock: Clock,
    ) -> Result<Self, CockpitError> {
        let tz = balie_domain::agenda::brussels()
            .map_err(|e| CockpitError::Internal(format!("time zone: {e}")))?;
        Ok(Self {
            store,
            relay,
            clock,
            tz,
            opening: Mutex::new(None),
        })
    }

    /// The assumptions behind the trips, CO2 and cost (IT's, or the defaults).
    pub fn assumptions(&self) -> Assumptions {
        self.store
            .with(|c| crate::settings::Settings::of(c).impact_assumptions())
            .unwrap_or_default()
    }

    /// Europe/Brussels.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Today in Brussels.
    pub fn today(&self) -> Date {
        balie_impact::period::day_of(&self.tz, self.clock.now_ms())
    }

    /// Reads the municipality's opening hours from the relay; a relay that does not
    /// answer leaves the last ones known.
    pub async fn refresh_opening_hours(&self) {
        let read: Result<Option<balie_protocol::agenda::Availability>, _> = self
            .relay
            .call(Method::GET, "/api/opening-hours", None::<&()>)
            .await;
        match read {
            Ok(Some(hours)) => {
                let calendar = calendar_of(&hours);
                if let Ok(mut slot) = self.opening.lock() {
                    *slot = calendar;
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "opening hours not read"),
        }
    }

    /// The clerk opened a conversation in `room_id`.
    pub fn conversation_opened(&self, room_id: &str, opened: &Opened) {
        let trip_m = opened.postcode.as_deref().and_then(|p| {
            let from = balie_impact::places::coordinates(p.parse().ok()?)?;
            let centre = self
                .store
                .with(|c| crate::settings::Settings::of(c).impact_centre_postcode())
                .ok()
                .flatten()
                .and_then(balie_impact::places::coordinates)?;
            Some(self.assumptions().one_way_m(from, centre))
        });
        let record = records::OpenedConversation {
            room_id: room_id.to_owned(),
            origin: opened.origin,
            product_id: opened.product_id.clone(),
            requested_at_ms: opened.requested_at_ms,
            opened_at_ms: self.clock.now_ms(),
            trip_m,
        };
        if let Err(e) = self.store.with(|c| records::open_conversation(c, &record)) {
            tracing::warn!(error = %e, "conversation not recorded for the figures");
        }
    }

    /// The citizen of `room_id` was let in.
    pub fn citizen_admitted(&self, room_id: &str) {
        let now = self.clock.now_ms();
        let outside = self
            .opening
            .lock()
            .ok()
            .and_then(|o| o.as_ref().map(|c| outside_hours(c, &self.tz, now)));
        let today = self.today();
        let written = self.store.with(|c| {
            let place = records::clerk_day(c, today)?.place;
            records::conversation_admitted(c, room_id, now, outside, place)
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, "admission not recorded for the figures");
        }
    }

    /// The conversation in `room_id` ended: its end, its case's product when it had
    /// none, and the citizen's trip when their case's party has a postcode and IT set the
    /// administrative centre's (`balie-cockpit impact centre`).
    pub fn conversation_ended(&self, room_id: &str) {
        let now = self.clock.now_ms();
        let written = self.store.with(|c| {
            let trip = trip_of_room(c, room_id)?;
            let product = records::product_of_room(c, room_id)?;
            records::conversation_ended(c, room_id, now, trip, product.as_deref())
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, "end of conversation not recorded for the figures");
        }
    }

    /// Where the clerk works today, if they said.
    pub fn place_today(&self) -> Result<Option<Place>, CockpitError> {
        let today = self.today();
        Ok(self.store.with(|c| records::clerk_day(c, today))?.place)
    }

    /// Where the clerk works today (*kantoor*, *thuis*, *elders*); today's conversations
    /// so far follow.
    pub fn set_place(&self, place: Place) -> Result<(), CockpitError> {
        let today = self.today();
        let day =
            Period::custom(today, today).map_err(|e| CockpitError::Internal(e.to_string()))?;
        let (start, end) = day.bounds_ms(&self.tz);
        self.store
            .with(|c| records::set_place(c, today, place, start, end))
    }

    /// Whether the clerk's survey should be asked about the conversation in `room_id`
    /// that just ended: a citizen was in it and none was asked today. Asking it (answered
    /// or skipped) is noted, so it comes at most once a day.
    pub fn clerk_survey_due(&self, room_id: &str) -> Result<bool, CockpitError> {
        let today = self.today();
        self.store.with(|c| {
            if !records::was_admitted(c, room_id)?
                || records::clerk_day(c, today)?.surveyed_room.is_some()
            {
                return Ok(false);
            }
            records::mark_surveyed(c, today, room_id)
        })
    }

    /// The clerk's answer about the conversation in `room_id` (1–5).
    pub fn answer_clerk_survey(&self, room_id: &str, score: u8) -> Result<(), CockpitError> {
        let score = Score::new(score)
            .ok_or_else(|| CockpitError::InvalidInput("a score is 1 to 5".into()))?;
        match self
            .store
            .with(|c| records::clerk_answered(c, room_id, score))?
        {
            records::SurveyOutcome::Stored => Ok(()),
            records::SurveyOutcome::AlreadyAnswered => Err(CockpitError::InvalidInput(
                "this conversation was already answered about".into(),
            )),
            records::SurveyOutcome::NoConversation => Err(CockpitError::InvalidInput(
                "no conversation with a citizen in that room".into(),
            )),
        }
    }

    /// Reads the citizens' survey answers the relay holds about this clerk's rooms since
    /// the last read, and keeps them with their conversations; how many were new.
    pub async fn sync_surveys(&self) -> Result<usize, CockpitError> {
        let mut cursor: i64 = self
            .store
            .with(|c| setting::get(c, SURVEY_CURSOR))?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut stored = 0;
        loop {
            let page: Option<balie_protocol::impact::CitizenSurveys> = self
                .relay
                .call(
                    Method::GET,
                    &format!("/api/surveys?after={cursor}"),
                    None::<&()>,
                )
                .await?;
            let answers = page.map(|p| p.answers).unwrap_or_default();
            let Some(last) = answers.last().map(|a| a.seq) else {
                return Ok(stored);
            };
            for a in &answers {
                let Some(score) = Score::new(a.score) else {
                    continue;
                };
                let comment = a
                    .comment
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .filter(|c| c.chars().count() <= balie_protocol::impact::MAX_COMMENT_CHARS);
                let at_ms = jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", &a.answered_at)
                    .or_else(|_| a.answered_at.parse::<jiff::Timestamp>())
                    .map(|t| t.as_millisecond())
                    .unwrap_or_else(|_| self.clock.now_ms());
                let outcome = self
                    .store
                    .with(|c| records::citizen_answered(c, &a.room_id, score, comment, at_ms))?;
                if outcome == records::SurveyOutcome::Stored {
                    stored += 1;
                }
            }
            cursor = last;
            self.store
                .with(|c| setting::set(c, SURVEY_CURSOR, &cursor.to_string()))?;
            if answers.len() < balie_protocol::impact::SURVEYS_PER_PAGE as usize {
                if stored > 0 {
                    // The municipality's figures count the new answers too.
                    self.refresh_summary().await;
                }
                return Ok(stored);
            }
        }
    }

    /// Sends the summary (see [`Impact::upload_summary`]); a relay that does not take it
    /// now gets it with the next one.
    pub async fn refresh_summary(&self) {
        if let Err(e) = self.upload_summary().await {
            tracing::warn!(error = %e, "impact summary not sent");
        }
    }

    /// Sends the relay this cockpit's anonymous summary for the municipality's figures:
    /// every day since the last summary (the last [`RESEND_DAYS`] again), from the first
    /// conversation on the first time, and the whole part (register entries without their
    /// notes, imported figures, the catalog's history). How many days were sent.
    pub async fn upload_summary(&self) -> Result<usize, CockpitError> {
        let today = self.today();
        let (since, through) = self.store.with(|c| {
            Ok((
                records::digital_since(c, &self.tz)?,
                setting::get(c, UPLOADED_THROUGH)?.and_then(|d| d.parse::<Date>().ok()),
            ))
        })?;
        let Some(since) = since else {
            return Ok(0);
        };
        let mut first = match through {
            Some(d) => d
                .checked_sub(jiff::Span::new().days(RESEND_DAYS))
                .unwrap_or(d)
                .max(since),
            None => since,
        };
        let mut sent = 0;
        while first <= today {
            let last = first
                .checked_add(jiff::Span::new().days(
                    i32::try_from(balie_impact::summary::MAX_DAYS_PER_UPLOAD).unwrap_or(62) - 1,
                ))
                .unwrap_or(today)
                .min(today);
            let (from_ms, _) = Period::custom(first, first)
                .map_err(|e| CockpitError::Internal(e.to_string()))?
                .bounds_ms(&self.tz);
            let (_, until_ms) = Period::custom(last, last)
                .map_err(|e| CockpitError::Internal(e.to_string()))?
                .bounds_ms(&self.tz);
            let facts = self
                .store
                .with(|c| records::facts(c, from_ms, until_ms, &self.tz))?;
            let mut upload =
                balie_impact::summary::Upload::from_facts(facts, first, last, &self.tz);
            if last < today {
                // The whole part once, with the last chunk.
                upload.whole = None;
            }
            let _: Option<serde_json::Value> = self
                .relay
                .call(Method::PUT, "/api/impact", Some(&upload))
                .await?;
            sent += upload.days.len();
            self.store
                .with(|c| setting::set(c, UPLOADED_THROUGH, &last.to_string()))?;
            match last.tomorrow() {
                Ok(next) => first = next,
                Err(_) => break,
            }
        }
        Ok(sent)
    }

    /// The dashboard of the period `request` names, in `locale`, the product names from
    /// `catalog`. The citizens' survey answers are read from the relay first (a relay
    /// that does not answer leaves the ones already read).
    pub async fn dashboard(
        &self,
        request: &PeriodRequest,
        locale: balie_domain::Locale,
        catalog: &crate::catalog::Catalog,
    ) -> Result<DashboardView, CockpitError> {
        if let Err(e) = self.sync_surveys().await {
            tracing::warn!(error = %e, "survey answers not read");
        }
        let period = self.period(request)?;
        let (now, before) = self.figures(&period)?;
        let known: std::collections::HashMap<String, String> = catalog
            .list()?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let names = |id: Option<&balie_impact::facts::ProductId>| match id {
            None => balie_impact::present::text(locale, "product.all"),
            Some(id) => known
                .get(id.as_str())
                .cloned()
                .unwrap_or_else(|| id.as_str().to_owned()),
        };
        let report =
            balie_impact::present::report(&now, &before, &self.assumptions(), locale, &names);
        let charts = report
            .indicators
            .iter()
            .map(|i| balie_impact::chart::data_uri(&i.chart))
            .collect();
        let after = period.last.tomorrow().ok().filter(|d| *d <= self.today());
        let previous_day = period
            .first
            .yesterday()
            .map_err(|e| CockpitError::InvalidInput(e.to_string()))?;
        let (from, until) = period.bounds_ms(&self.tz);
        let remarks = self
            .store
            .with(|c| records::citizen_remarks(c, from, until, 100))?
            .into_iter()
            .map(|(score, text)| views::Remark { score, text })
            .collect();
        Ok(DashboardView {
            remarks,
            first: period.first.to_string(),
            last: period.last.to_string(),
            previous_day: previous_day.to_string(),
            next_day: after.map(|d| d.to_string()),
            report,
            charts,
        })
    }

    /// Writes the *Impactrapport* of the period `request` names to `dir` as PDF or CSV,
    /// in `locale`; the file's path. `municipality` and `clerk` go on its first page.
    pub async fn report_file(
        &self,
        request: &PeriodRequest,
        format: ReportFormat,
        locale: balie_domain::Locale,
        catalog: &crate::catalog::Catalog,
        clerk: &str,
        dir: &std::path::Path,
    ) -> Result<std::path::PathBuf, CockpitError> {
        let view = self.dashboard(request, locale, catalog).await?;
        let (bytes, extension) = match format {
            ReportFormat::Csv => (
                balie_impact::report::csv(&view.report)
                    .map_err(|e| CockpitError::Internal(e.to_string()))?,
                "csv",
            ),
            ReportFormat::Pdf => {
                let charts: Vec<String> = view
                    .report
                    .indicators
                    .iter()
                    .map(|i| balie_impact::chart::svg(&i.chart))
                    .collect();
                let text = |key: &str| crate::i18n::text(locale, key);
                let municipality = self
                    .relay
                    .health()
                    .await
                    .ok()
                    .and_then(|h| h.municipality)
                    .unwrap_or_else(|| text("impact.report_municipality"));
                let cover = balie_impact::report::Cover {
                    municipality,
                    scope: text("impact.report_scope").replace("{clerk}", clerk),
                    made: text("impact.report_made").replace(
                        "{when}",
                        &balie_impact::present::Format(locale).day(self.today()),
                    ),
                    language: match locale {
                        balie_domain::Locale::Nl => "nl-BE",
                        balie_domain::Locale::Fr => "fr-BE",
                        balie_domain::Locale::En => "en",
                    }
                    .into(),
                };
                (
                    balie_impact::report::pdf(&view.report, &charts, &cover)
                        .map_err(|e| CockpitError::Internal(e.to_string()))?,
                    "pdf",
                )
            }
        };
        let name = format!("impactrapport-{}-{}.{extension}", view.first, view.last);
        let path = dir.join(name);
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| CockpitError::Storage(format!("cannot write the report: {e}")))?;
        Ok(path)
    }

    /// Writes a register entry by `clerk` (a complaint or an aggression incident).
    pub fn add_register_entry(
        &self,
        entry: &NewRegisterEntry,
        clerk: &str,
    ) -> Result<i64, CockpitError> {
        let day = entry
            .day
            .parse::<Date>()
            .ok()
            .filter(|d| *d <= self.today())
            .ok_or_else(|| {
                CockpitError::InvalidInput("the day is not a date up to today".into())
            })?;
        if entry.note.chars().count() > 2000 {
            return Err(CockpitError::InvalidInput(
                "a note has at most 2000 characters".into(),
            ));
        }
        let record = records::NewIncident {
            kind: entry.kind,
            channel: entry.channel,
            // Noon: the day it happened, whatever the clocks did that night.
            at_ms: balie_impact::period::day_start_ms(&self.tz, day) + 12 * 3_600_000,
            note: entry.note.trim().to_owned(),
            reference: None,
        };
        let now = self.clock.now_ms();
        self.store
            .with(|c| records::add_incident(c, &record, clerk, now))
    }

    /// The register's last `limit` entries, newest first.
    pub fn register(&self, limit: u32) -> Result<Vec<RegisterEntryView>, CockpitError> {
        let rows = self
            .store
            .with(|c| records::incidents(c, i64::MIN, i64::MAX, limit))?;
        Ok(rows
            .into_iter()
            .map(|r| RegisterEntryView {
                id: r.id,
                kind: r.kind,
                channel: r.channel,
                day: balie_impact::period::day_of(&self.tz, r.at_ms).to_string(),
                recorded_by: r.recorded_by,
                note: r.note,
            })
            .collect())
    }

    /// Removes register entry `id` (entered by mistake).
    pub fn remove_register_entry(&self, id: i64) -> Result<(), CockpitError> {
        if self.store.with(|c| records::remove_incident(c, id))? {
            Ok(())
        } else {
            Err(CockpitError::InvalidInput("no such register entry".into()))
        }
    }

    /// Imports a CSV file of other channels' figures or of complaints, named `file_name`,
    /// by `clerk`, in `locale`: all rows or none.
    pub fn import(
        &self,
        kind: import::ImpactImportKind,
        file_name: &str,
        bytes: &[u8],
        clerk: &str,
        locale: balie_domain::Locale,
    ) -> Result<import::ImpactImportOutcome, CockpitError> {
        use sha2::Digest as _;
        let file = |k| records::ImportFile {
            kind: k,
            file_name: file_name
                .chars()
                .take(255)
                .collect::<String>()
                .trim()
                .to_owned(),
            sha256: hex::encode(sha2::Sha256::digest(bytes)),
        };
        let now = self.clock.now_ms();
        let refused = |errors| Ok(import::ImpactImportOutcome::Refused { errors });
        match kind {
            import::ImpactImportKind::Figures => match import::figures(locale, bytes) {
                Err(errors) => refused(errors),
                Ok(rows) => {
                    let f = file(records::ImportKind::Figures);
                    self.store
                        .with(|c| records::import_figures(c, &f, &rows, clerk, now))?;
                    Ok(import::ImpactImportOutcome::Imported {
                        rows: rows.len(),
                        written: rows.len(),
                    })
                }
            },
            import::ImpactImportKind::Complaints => {
                match import::complaints(locale, bytes, self.today(), &self.tz) {
                    Err(errors) => refused(errors),
                    Ok(rows) => {
                        let f = file(records::ImportKind::Complaints);
                        let (_, written) = self
                            .store
                            .with(|c| records::import_complaints(c, &f, &rows, clerk, now))?;
                        Ok(import::ImpactImportOutcome::Imported {
                            rows: rows.len(),
                            written,
                        })
                    }
                }
            }
        }
    }

    /// The period `request` names (today's when it names no day).
    pub fn period(&self, request: &PeriodRequest) -> Result<Period, CockpitError> {
        let day = |text: Option<&str>| -> Result<Date, CockpitError> {
            match text {
                None => Ok(self.today()),
                Some(t) => t
                    .parse::<Date>()
                    .map_err(|_| CockpitError::InvalidInput(format!("not a date: {t:?}"))),
            }
        };
        let first = day(request.day.as_deref())?;
        let made = match request.kind {
            balie_impact::PeriodKind::Custom => {
                Period::custom(first, day(request.last.as_deref())?)
            }
            kind => Period::of_kind(kind, first),
        };
        made.map_err(|e| CockpitError::InvalidInput(e.to_string()))
    }

    /// The figures of `period`, with the period before it to compare.
    pub fn figures(&self, period: &Period) -> Result<(Figures, Figures), CockpitError> {
        let previous = period
            .previous()
            .map_err(|e| CockpitError::InvalidInput(e.to_string()))?;
        let (from, _) = previous.bounds_ms(&self.tz);
        let (_, until) = period.bounds_ms(&self.tz);
        let facts = self
            .store
            .with(|c| records::facts(c, from, until, &self.tz))?;
        let assumptions = self.assumptions();
        Ok((
            balie_impact::compute(&facts, period, &self.tz, &assumptions),
            balie_impact::compute(&facts, &previous, &self.tz, &assumptions),
        ))
    }
}

/// The relay's opening hours as a calendar; `None` when none are set (closed every day
/// and no exception), so that no conversation is called "after hours" for want of hours.
fn calendar_of(hours: &balie_protocol::agenda::Availability) -> Option<Calendar> {
    let mut calendar = Calendar::default();
    let mut any_open = false;
    for (i, text) in hours.week.iter().enumerate() {
        let day: DayHours = text.parse().ok()?;
        any_open |= !day.is_closed();
        let weekday =
            jiff::civil::Weekday::from_monday_one_offset(i8::try_from(i + 1).ok()?).ok()?;
        calendar.set_weekday(weekday, day);
    }
    for exception in &hours.exceptions {
        let (Ok(date), Ok(day)) = (
            exception.date.parse::<Date>(),
            exception.hours.parse::<DayHours>(),
        ) else {
            continue;
        };
        any_open |= !day.is_closed();
        calendar.set_exception(date, day);
    }
    any_open.then_some(calendar)
}

/// Whether the moment `at_ms` lies outside `calendar`'s opening hours in `tz`.
pub fn outside_hours(calendar: &Calendar, tz: &TimeZone, at_ms: i64) -> bool {
    let Ok(start) = jiff::Timestamp::from_millisecond(at_ms) else {
        return false;
    };
    let end = start + jiff::SignedDuration::from_secs(1);
    !calendar.covers(tz, Interval { start, end })
}

/// The one-way trip of the citizen of `room_id`'s case, from their postcode to the
/// administrative centre's; `None` when either is not known.
fn trip_of_room(
    conn: &rusqlite::Connection,
    room_id: &str,
) -> Result<Option<u32>, balie_store::StoreError> {
    let Some(centre) = crate::settings::Settings::of(conn)
        .impact_centre_postcode()?
        .and_then(balie_impact::places::coordinates)
    else {
        return Ok(None);
    };
    let from = records::party_addresses_of_room(conn, room_id)?
        .iter()
        .filter_map(|a| balie_impact::places::postcode_in(a))
        .find_map(balie_impact::places::coordinates);
    let assumptions = crate::settings::Settings::of(conn).impact_assumptions()?;
    Ok(from.map(|from| assumptions.one_way_m(from, centre)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ms(y: i16, m: i8, d: i8, h: i8, min: i8, tz: &TimeZone) -> i64 {
        date(y, m, d)
            .at(h, min, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn after_hours_is_judged_in_brussels_time_also_on_the_daylight_saving_sunday() {
        let tz = balie_domain::agenda::brussels().unwrap();
        let hours = balie_protocol::agenda::Availability {
            week: [
                "09:00-12:00,13:30-16:00".into(),
                "09:00-12:00".into(),
                "09:00-12:00".into(),
                "09:00-12:00,16:00-19:00".into(),
                "09:00-12:00".into(),
                "-".into(),
                // A Sunday market counter.
                "10:00-12:00".into(),
            ],
            exceptions: vec![balie_protocol::agenda::DayException {
                date: "2026-04-06".into(),
                hours: "-".into(),
            }],
        };
        let c = calendar_of(&hours).unwrap();
        // 29 March 2026, the clocks go forward at 02:00: 10:30 in Brussels is 08:30 UTC,
        // inside; 09:30 (07:30 UTC, which a fixed UTC+1 would take for 08:30) outside.
        assert!(!outside_hours(&c, &tz, ms(2026, 3, 29, 10, 30, &tz)));
        assert!(outside_hours(&c, &tz, ms(2026, 3, 29, 9, 30, &tz)));
        assert!(outside_hours(&c, &tz, ms(2026, 3, 29, 12, 30, &tz)));
        // Thursday evening opening; Saturday closed; Easter Monday closed.
        assert!(!outside_hours(&c, &tz, ms(2026, 4, 2, 18, 30, &tz)));
        assert!(outside_hours(&c, &tz, ms(2026, 4, 4, 10, 0, &tz)));
        assert!(outside_hours(&c, &tz, ms(2026, 4, 6, 10, 0, &tz)));
        assert!(!outside_hours(&c, &tz, ms(2026, 4, 7, 10, 0, &tz)));
    }

    #[test]
    fn no_hours_set_means_unknown_not_after_hours() {
        let closed = balie_protocol::agenda::Availability {
            week: std::array::from_fn(|_| "-".to_string()),
            exceptions: vec![],
        };
        assert!(calendar_of(&closed).is_none());
    }
}
