//! Table `mail_outbox`: the mail to citizens about their appointments, sent by the relay
//! in the background. A row is claimed by one relay at a time, so relays sharing the
//! database never send a mail twice; an attempt that fails is tried again later, and one
//! given up on stays for the clerk to see.

use crate::StoreError;
use rusqlite::{Connection, params};

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The appointment is booked (or moved to here).
    Confirmation,
    /// The appointment comes soon.
    Reminder,
    /// The appointment was cancelled.
    Canceled,
}

impl Kind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Confirmation => "confirmation",
            Kind::Reminder => "reminder",
            Kind::Canceled => "canceled",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "confirmation" => Some(Kind::Confirmation),
            "reminder" => Some(Kind::Reminder),
            "canceled" => Some(Kind::Canceled),
            _ => None,
        }
    }
}

fn parse_kind(text: &str) -> Result<Kind, StoreError> {
    Kind::parse(text).ok_or_else(|| StoreError::Corrupt {
        table: "mail_outbox",
        detail: format!("kind {text:?}"),
    })
}

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Row id.
    pub id: i64,
    /// The appointment it is about.
    pub appointment_id: String,
    /// What it says.
    pub kind: Kind,
    /// When it is due.
    pub due_at: i64,
    /// The appointment's manage token (for its links), while unsent.
    pub manage_token: Option<String>,
    /// Attempts so far.
    pub attempts: u32,
}

/// How a mail about an appointment went, for the clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// What it says.
    pub kind: Kind,
    /// When it is due.
    pub due_at: i64,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was sent.
    pub sent_at: Option<i64>,
    /// When it was given up on.
    pub failed_at: Option<i64>,
    /// The last attempt's error.
    pub last_error: Option<String>,
}

/// Queues a mail about `appointment_id`, due at `due_at`.
pub fn enqueue(
    conn: &Connection,
    appointment_id: &str,
    kind: Kind,
    due_at: i64,
    manage_token: Option<&str>,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO mail_outbox (appointment_id, kind, due_at, manage_token, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?3)",
        params![appointment_id, kind.as_str(), due_at, manage_token],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Drops what is still to be sent about `appointment_id` (it was cancelled or moved: its
/// confirmation and reminders no longer hold), with the manage token they kept. Returns
/// how many.
pub fn drop_unsent(conn: &Connection, appointment_id: &str) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM mail_outbox WHERE appointment_id = ?1 AND sent_at IS NULL AND failed_at IS NULL
         AND kind IN ('confirmation', 'reminder')",
        params![appointment_id],
    )?)
}

/// Claims up to `limit` mails due at `now` for `lease` seconds: no other relay takes them
/// meanwhile. Oldest due first.
pub fn claim_due(
    conn: &Connection,
    now: i64,
    lease: i64,
    limit: u32,
) -> Result<Vec<Queued>, StoreError> {
    let tx = conn.unchecked_transaction()?;
    let due: Vec<Queued> = {
        let mut stmt = tx.prepare(
            "SELECT id, appointment_id, kind, due_at, manage_token, attempts FROM mail_outbox
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
               AND (claimed_until IS NULL OR claimed_until <= ?1)
             ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, appointment_id, kind, due_at, manage_token, attempts) = row?;
            let kind = parse_kind(&kind)?;
            out.push(Queued {
                id,
                appointment_id,
                kind,
                due_at,
                manage_token,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            });
        }
        out
    };
    for q in &due {
        tx.execute(
            "UPDATE mail_outbox SET claimed_until = ?2 WHERE id = ?1",
            params![q.id, now + lease],
        )?;
    }
    tx.commit()?;
    Ok(due)
}

/// Marks mail `id` sent at `at`; its manage token is forgotten.
pub fn mark_sent(conn: &Connection, id: i64, at: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE mail_outbox SET sent_at = ?2, manage_token = NULL, claimed_until = NULL,
         attempts = attempts + 1, last_error = NULL WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Records a failed attempt of mail `id` at `at`: tried again at `retry_at`, or given up
/// on (its manage token forgotten) when `None`.
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    at: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<(), StoreError> {
    let error: String = error.chars().take(500).collect();
    match retry_at {
        Some(retry_at) => conn.execute(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2,
             next_attempt_at = ?3, claimed_until = NULL WHERE id = ?1",
            params![id, error, retry_at],
        )?,
        None => conn.execute(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2, failed_at = ?3,
             manage_token = NULL, claimed_until = NULL WHERE id = ?1",
            params![id, error, at],
        )?,
    };
    Ok(())
}

/// Deletes mail `id` unsent: what it was about no longer holds (a reminder for an
/// appointment that has begun).
pub fn discard(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("DELETE FROM mail_outbox WHERE id = ?1", params![id])?;
    Ok(())
}

/// How the mails about `appointment_id` went, in the order they are due.
pub fn deliveries(conn: &Connection, appointment_id: &str) -> Result<Vec<Delivery>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT kind, due_at, attempts, sent_at, failed_at, last_error FROM mail_outbox
         WHERE appointment_id = ?1 ORDER BY due_at, id",
    )?;
    let rows = stmt.query_map(params![appointment_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, due_at, attempts, sent_at, failed_at, last_error) = row?;
        out.push(Delivery {
            kind: parse_kind(&kind)?,
            due_at,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            sent_at,
            failed_at,
            last_error,
        });
    }
    Ok(out)
}
