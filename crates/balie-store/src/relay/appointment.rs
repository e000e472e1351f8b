//! Table `appointment`: moments booked on the front door. The manage link's token is
//! stored as SHA-256 only.

use crate::StoreError;
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It holds.
    Booked,
    /// The citizen (or the clerk) cancelled it.
    Canceled,
    /// The citizen moved it: another appointment replaced it.
    Moved,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Canceled => "canceled",
            Status::Moved => "moved",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "booked" => Some(Status::Booked),
            "canceled" => Some(Status::Canceled),
            "moved" => Some(Status::Moved),
            _ => None,
        }
    }
}

/// An appointment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// Public id.
    pub id: String,
    /// The product it is about.
    pub product_id: String,
    /// The clerk who holds it.
    pub clerk_id: i64,
    /// Unix seconds.
    pub starts_at: i64,
    /// Unix seconds.
    pub ends_at: i64,
    /// Whether it lies outside the opening hours.
    pub outside_hours: bool,
    /// Where it stands.
    pub status: Status,
    /// The citizen's name.
    pub name: String,
    /// Their e-mail address, if given.
    pub email: Option<String>,
    /// Their mobile number, if given.
    pub phone: Option<String>,
    /// Their language code (`nl`, `fr`, `en`).
    pub locale: String,
    /// Their question (may be empty).
    pub question: String,
    /// The appointment's room.
    pub room_id: String,
    /// The appointment this one replaced.
    pub moved_from: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// The citizen's postcode (four digits), if they gave it.
    pub postcode: Option<String>,
}

const SELECT: &str = "SELECT id, product_id, clerk_id, starts_at, ends_at, outside_hours, status,
    name, email, phone, locale, question, room_id, moved_from, created_at, postcode FROM appointment";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Appointment, String)> {
    Ok((
        Appointment {
            id: r.get(0)?,
            product_id: r.get(1)?,
            clerk_id: r.get(2)?,
            starts_at: r.get(3)?,
            ends_at: r.get(4)?,
            outside_hours: r.get::<_, i64>(5)? != 0,
            status: Status::Booked,
            name: r.get(7)?,
            email: r.get(8)?,
            phone: r.get(9)?,
            locale: r.get(10)?,
            question: r.get(11)?,
            room_id: r.get(12)?,
            moved_from: r.get(13)?,
            created_at: r.get(14)?,
            postcode: r.get(15)?,
        },
        r.get(6)?,
    ))
}

fn finish((mut a, status): (Appointment, String)) -> Result<Appointment, StoreError> {
    a.status = Status::parse(&status).ok_or_else(|| StoreError::Corrupt {
        table: "appointment",
        detail: format!("status {status:?}"),
    })?;
    Ok(a)
}

fn query(
    conn: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<Appointment>, StoreError> {
    let mut stmt = conn.prepare(&format!("{SELECT} {filter}"))?;
    let rows: Vec<_> = stmt.query_map(args, from_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(finish).collect()
}

/// Stores a new booked appointment. `Ok(false)` when its clerk already has a booked
/// appointment starting then (the table's last guard against a double booking).
pub fn insert(
    conn: &Connection,
    a: &Appointment,
    manage_sha256: &[u8; 32],
) -> Result<bool, StoreError> {
    match conn.execute(
        "INSERT INTO appointment (id, product_id, clerk_id, starts_at, ends_at, outside_hours,
            status, name, email, phone, locale, question, manage_sha256, room_id, moved_from,
            created_at, postcode)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            a.id,
            a.product_id,
            a.clerk_id,
            a.starts_at,
            a.ends_at,
            a.outside_hours,
            a.status.as_str(),
            a.name,
            a.email,
            a.phone,
            a.locale,
            a.question,
            manage_sha256.as_slice(),
            a.room_id,
            a.moved_from,
            a.created_at,
            a.postcode,
        ],
    ) {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(e, Some(message)))
            if e.code == ErrorCode::ConstraintViolation
                && message.contains("appointment.clerk_id, appointment.starts_at") =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// The booked appointments of clerk `clerk_id` that share a moment with
/// `from`..`until`, as (start, end) unix seconds.
pub fn busy(
    conn: &Connection,
    clerk_id: i64,
    from: i64,
    until: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT starts_at, ends_at FROM appointment
         WHERE clerk_id = ?1 AND status = 'booked' AND ends_at > ?2 AND starts_at < ?3",
    )?;
    let rows = stmt.query_map(params![clerk_id, from, until], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Clerk `clerk_id`'s booked appointments that end after `from` and start before
/// `until`, by start.
pub fn for_clerk(
    conn: &Connection,
    clerk_id: i64,
    from: i64,
    until: i64,
) -> Result<Vec<Appointment>, StoreError> {
    query(
        conn,
        "WHERE clerk_id = ?1 AND status = 'booked' AND ends_at > ?2 AND starts_at < ?3
         ORDER BY starts_at",
        params![clerk_id, from, until],
    )
}

/// The appointment whose manage token hashes to `manage_sha256`.
pub fn find_by_manage(
    conn: &Connection,
    manage_sha256: &[u8; 32],
) -> Result<Option<Appointment>, StoreError> {
    Ok(query(
        conn,
        "WHERE manage_sha256 = ?1",
        params![manage_sha256.as_slice()],
    )?
    .pop())
}

/// When the citizen first booked appointment `a`: its own booking, or for a moved one the
/// booking it was moved from, followed back (at most 50 moves).
pub fn first_booked_at(conn: &Connection, a: &Appointment) -> Result<i64, StoreError> {
    let mut at = a.created_at;
    let mut from = a.moved_from.clone();
    for _ in 0..50 {
        let Some(id) = from else { break };
        let Some(earlier) = find(conn, &id)? else {
            break;
        };
        at = at.min(earlier.created_at);
        from = earlier.moved_from;
    }
    Ok(at)
}

/// Appointment `id`.
pub fn find(conn: &Connection, id: &str) -> Result<Option<Appointment>, StoreError> {
    Ok(query(conn, "WHERE id = ?1", params![id])?.pop())
}

/// The booked appointment held in room `room_id`.
pub fn booked_in_room(conn: &Connection, room_id: &str) -> Result<Option<Appointment>, StoreError> {
    Ok(query(
        conn,
        "WHERE room_id = ?1 AND status = 'booked'",
        params![room_id],
    )?
    .pop())
}

/// Marks a booked appointment cancelled or moved at `at`. False when it was not booked
/// (already withdrawn: a second click changes nothing).
pub fn withdraw(conn: &Connection, id: &str, status: Status, at: i64) -> Result<bool, StoreError> {
    if status == Status::Booked {
        return Err(StoreError::Forbidden(
            "an appointment is withdrawn to cancel or move it",
        ));
    }
    Ok(conn.execute(
        "UPDATE appointment SET status = ?2, withdrawn_at = ?3
         WHERE id = ?1 AND status = 'booked'",
        params![id, status.as_str(), at],
    )? > 0)
}

/// How many booked appointments still to come (ending after `now`) carry this e-mail
/// address or this mobile number.
pub fn upcoming_for_contact(
    conn: &Connection,
    email: Option<&str>,
    phone: Option<&str>,
    now: i64,
) -> Result<u32, StoreError> {
    Ok(conn
        .query_row(
            "SELECT COUNT(*) FROM appointment WHERE status = 'booked' AND ends_at > ?3
             AND ((?1 IS NOT NULL AND email = ?1) OR (?2 IS NOT NULL AND phone = ?2))",
            params![email, phone, now],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(u32::MAX))
}

/// Deletes the appointments (and so the citizen data) whose moment ended before
/// `before`, booked or withdrawn; returns how many.
pub fn purge(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM appointment WHERE ends_at < ?1",
        params![before],
    )?)
}
