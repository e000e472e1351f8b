//! Impact: the citizen's survey after a call, and what the clerk's cockpit reads of it.
//!
//! When the clerk lets a citizen in, the relay makes a survey ticket keyed by the
//! admission's resume secret. When the call ends the page asks *Hoe tevreden bent u?* and,
//! if the citizen answers, posts a [`SurveyAnswer`] to `POST /survey` (once; a day at
//! most). The clerk's cockpit reads the answers about its rooms with
//! `GET /api/surveys?after=SEQ` ([`CitizenSurveys`]).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The longest comment a citizen can leave, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;

/// The citizen's answer, posted by the call page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    /// The admission's resume secret (from `admitted`): only the citizen who was in the
    /// call holds it.
    pub resume: String,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: u8,
    /// What they want to add, 1 to [`MAX_COMMENT_CHARS`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub comment: Option<String>,
    /// The page's language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: crate::Locale,
}

/// One answer, as the cockpit reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CitizenSurvey {
    /// Its place in the order answers came in (the cursor for `?after=`).
    #[ts(type = "number")]
    pub seq: i64,
    /// The conversation's room.
    pub room_id: String,
    /// 1 to 5.
    pub score: u8,
    /// The comment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub comment: Option<String>,
    /// The page's language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: crate::Locale,
    /// When (RFC 3339).
    pub answered_at: String,
}

/// Answer to `GET /api/surveys?after=SEQ`: the answers about the clerk's rooms after
/// `SEQ`, oldest first, at most [`SURVEYS_PER_PAGE`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CitizenSurveys {
    /// The answers.
    pub answers: Vec<CitizenSurvey>,
}

/// How many answers one `GET /api/surveys` returns at most.
pub const SURVEYS_PER_PAGE: u32 = 500;
