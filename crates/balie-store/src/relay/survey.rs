//! Table `survey`: one ticket per citizen let into a call, answered at most once.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// How long a ticket can be answered: a day after the citizen was let in.
pub const ANSWER_WITHIN_SECONDS: i64 = 24 * 3600;

/// How long the relay keeps a ticket and its answer: 30 days (the cockpit keeps its own
/// copy of the answers about its rooms).
pub const SURVEY_KEPT_SECONDS: i64 = 30 * 86_400;

/// Makes the ticket of the citizen just let into room `room_id`, keyed by the SHA-256 of
/// their resume secret; the room's clerk and product come with it. A second admission
/// into the same room makes its own ticket.
pub fn open_ticket(
    conn: &Connection,
    token_sha256: &[u8; 32],
    room_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let made = conn.execute(
        "INSERT INTO survey (token_sha256, room_id, clerk_id, product_id, created_at, expires_at)
         SELECT ?1, id, clerk_id, product_id, ?2, ?3 FROM room WHERE id = ?4
         ON CONFLICT (token_sha256) DO NOTHING",
        params![&token_sha256[..], now, now + ANSWER_WITHIN_SECONDS, room_id],
    )?;
    Ok(made == 1)
}

/// How an answer was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Stored.
    Stored,
    /// No ticket has that key (nobody was let into a call with it): nothing stored.
    Unknown,
    /// The ticket is older than [`ANSWER_WITHIN_SECONDS`]: nothing stored.
    Expired,
    /// Already answered: nothing changed.
    Already,
}

/// Stores an answer (score 1–5 and an optional comment of 1–500 characters, checked by
/// the caller) on the ticket with key `token_sha256`.
pub fn answer(
    conn: &Connection,
    token_sha256: &[u8; 32],
    score: u8,
    comment: Option<&str>,
    locale: &str,
    now: i64,
) -> Result<Answered, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let ticket: Option<(i64, Option<i64>)> = tx
        .query_row(
            "SELECT expires_at, answered_at FROM survey WHERE token_sha256 = ?1",
            [&token_sha256[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let outcome = match ticket {
        None => Answered::Unknown,
        Some((_, Some(_))) => Answered::Already,
        Some((expires_at, None)) if expires_at <= now => Answered::Expired,
        Some(_) => {
            tx.execute(
                "UPDATE survey SET score = ?2, comment = ?3, locale = ?4, answered_at = ?5,
                        answered_seq = (SELECT coalesce(max(answered_seq), 0) + 1 FROM survey)
                 WHERE token_sha256 = ?1",
                params![&token_sha256[..], score, comment, locale, now],
            )?;
            Answered::Stored
        }
    };
    tx.commit()?;
    Ok(outcome)
}

/// An answer as the clerk's cockpit reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Its place in the order answers came in.
    pub seq: i64,
    /// The room of the conversation.
    pub room_id: String,
    /// 1 to 5.
    pub score: u8,
    /// The comment, if any.
    pub comment: Option<String>,
    /// The page's language.
    pub locale: String,
    /// When (unix seconds).
    pub answered_at: i64,
}

/// The answers about clerk `clerk_id`'s rooms that came in after `after_seq`, in order, at
/// most `limit`.
pub fn answers_after(
    conn: &Connection,
    clerk_id: i64,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<Answer>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT answered_seq, room_id, score, comment, locale, answered_at FROM survey
         WHERE clerk_id = ?1 AND answered_seq > ?2 ORDER BY answered_seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![clerk_id, after_seq, limit], |r| {
        Ok(Answer {
            seq: r.get(0)?,
            room_id: r.get(1)?,
            score: r.get(2)?,
            comment: r.get(3)?,
            locale: r.get(4)?,
            answered_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets tickets and answers made before `before` (unix seconds); how many.
pub fn purge(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM survey WHERE created_at < ?1", [before])?)
}
