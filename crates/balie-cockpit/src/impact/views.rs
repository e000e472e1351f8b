//! What the windows see of the impact: the dashboard of a period, and the clerk's day.

use balie_impact::facts::Place;
use balie_impact::present::Report;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The period the dashboard shows, as the window asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeriodRequest {
    /// `week`, `month`, `quarter`, `year` or `custom`.
    pub kind: balie_impact::PeriodKind,
    /// A day in the period (`YYYY-MM-DD`); for a custom period its first day. Today when
    /// absent.
    #[ts(optional)]
    pub day: Option<String>,
    /// The last day of a custom period.
    #[ts(optional)]
    pub last: Option<String>,
}

/// The dashboard of one period: the report, each indicator's chart as an SVG data URI
/// (in the indicators' order), and the days to step to the periods around it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DashboardView {
    /// The period's first day.
    pub first: String,
    /// Its last day.
    pub last: String,
    /// A day in the period before, to step back.
    pub previous_day: String,
    /// A day in the period after, to step forward; `None` when that is in the future.
    #[ts(optional)]
    pub next_day: Option<String>,
    /// The indicators, with their texts in the clerk's language.
    pub report: Report,
    /// Each indicator's chart, `data:image/svg+xml;base64,…`.
    pub charts: Vec<String>,
    /// The citizens' remarks in the period (anonymous, newest first, at most 100): they
    /// stay in this cockpit.
    pub remarks: Vec<Remark>,
}

/// A citizen's remark with their survey answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Remark {
    /// Their answer, 1 to 5.
    pub score: u8,
    /// What they wrote.
    pub text: String,
}

/// The clerk's day as the call window needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct ClerkDayView {
    /// Where they said they work today; `None`: ask.
    #[ts(optional)]
    pub place: Option<Place>,
}

/// A register entry as the clerk enters it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct NewRegisterEntry {
    /// A complaint about after-hours service, another complaint, or aggression.
    pub kind: balie_impact::facts::IncidentKind,
    /// Through which channel.
    pub channel: balie_impact::facts::Channel,
    /// The day it happened (`YYYY-MM-DD`), not after today.
    pub day: String,
    /// What happened, for the cockpit only (at most 2,000 characters; never sent).
    pub note: String,
}

/// A register entry as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RegisterEntryView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// What it is.
    pub kind: balie_impact::facts::IncidentKind,
    /// Through which channel.
    pub channel: balie_impact::facts::Channel,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// Who wrote it (a clerk, or `import`).
    pub recorded_by: String,
    /// The note.
    pub note: String,
}
