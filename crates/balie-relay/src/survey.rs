//! The citizen's survey after a call (`POST /survey`), the clerk's cockpit reading the
//! answers about its rooms (`GET /api/surveys`), and the municipality's opening hours for
//! the cockpit (`GET /api/opening-hours`), which judges whether a call was after hours.
//!
//! A ticket is made when a citizen is let in ([`citizen_admitted`]), keyed by the
//! SHA-256 of the admission's resume secret, so an answer needs that secret: nobody who
//! was not in the call can answer, and nobody twice.

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::rooms::{ApiJson, rfc3339};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use balie_protocol::agenda as wire;
use balie_protocol::impact::{
    CitizenSurvey, CitizenSurveys, MAX_COMMENT_CHARS, SURVEYS_PER_PAGE, SurveyAnswer,
};
use balie_store::relay::survey::{self, Answered};
use serde::Deserialize;

/// The citizen of room `room_id` was let in with a resume secret hashing to
/// `resume_sha256`: their survey ticket. Old tickets are forgotten on the way.
pub(crate) fn citizen_admitted(state: &AppState, room_id: &str, resume_sha256: &[u8; 32]) {
    let now = state.clock().now_unix();
    let made = state.with_db(|db| {
        survey::purge(db, now - survey::SURVEY_KEPT_SECONDS)?;
        survey::open_ticket(db, resume_sha256, room_id, now)
    });
    if let Err(e) = made {
        tracing::warn!(error = %e, "survey ticket not made");
    }
}

/// `POST /survey`: the citizen's answer. 204 when stored; 400 for a score outside 1–5 or
/// a comment that is empty or too long; 404 without a ticket; 410 when the day to answer
/// has passed; 409 when already answered. Nothing is stored unless all is right.
pub(crate) async fn answer(
    State(state): State<AppState>,
    ApiJson(answer): ApiJson<SurveyAnswer>,
) -> Result<StatusCode, AppError> {
    if !(1..=5).contains(&answer.score) {
        return Err(AppError::BadRequest("score must be 1 to 5".into()));
    }
    let comment = answer
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = comment
        && (c.chars().count() > MAX_COMMENT_CHARS
            || c.chars().any(|ch| ch.is_control() && ch != '\n'))
    {
        return Err(AppError::BadRequest(format!(
            "a comment has at most {MAX_COMMENT_CHARS} characters and no control characters"
        )));
    }
    let key = crate::sha256(answer.resume.as_bytes());
    let now = state.clock().now_unix();
    let outcome = state
        .with_db(|db| survey::answer(db, &key, answer.score, comment, answer.locale.code(), now))?;
    match outcome {
        Answered::Stored => {
            tracing::info!("survey answered");
            Ok(StatusCode::NO_CONTENT)
        }
        Answered::Unknown => Err(AppError::NotFound),
        Answered::Expired => Err(AppError::Gone),
        Answered::Already => Err(AppError::AlreadyDone),
    }
}

/// The query of `GET /api/surveys`.
#[derive(Debug, Deserialize)]
pub(crate) struct After {
    #[serde(default)]
    after: i64,
}

/// `GET /api/surveys?after=SEQ`: the answers about the clerk's rooms after `SEQ`.
pub(crate) async fn answers(
    State(state): State<AppState>,
    clerk: ClerkAuth,
    Query(after): Query<After>,
) -> Result<Json<CitizenSurveys>, AppError> {
    let found = state
        .with_db(|db| survey::answers_after(db, clerk.clerk_id, after.after, SURVEYS_PER_PAGE))?;
    Ok(Json(CitizenSurveys {
        answers: found
            .into_iter()
            .map(|a| CitizenSurvey {
                seq: a.seq,
                room_id: a.room_id,
                score: a.score,
                comment: a.comment,
                locale: a.locale.parse().unwrap_or(balie_protocol::Locale::Nl),
                answered_at: rfc3339(a.answered_at),
            })
            .collect(),
    }))
}

/// `GET /api/opening-hours`: the municipality's opening hours (a week and the dated
/// exceptions from today on), in the shape of a clerk's availability.
pub(crate) async fn opening_hours(
    State(state): State<AppState>,
    _clerk: ClerkAuth,
) -> Result<Json<wire::Availability>, AppError> {
    let opening = state.with_db(balie_store::relay::hours::opening)?;
    Ok(Json(crate::agenda::calendar_wire(
        &state,
        &opening.calendar,
    )?))
}
