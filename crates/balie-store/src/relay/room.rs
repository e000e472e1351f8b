//! Table `room`: rooms and their join links (the join token stored as SHA-256 only).

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// Public room id.
    pub id: String,
    /// The clerk who created it.
    pub clerk_id: i64,
    /// Language code the page opens in when the browser says nothing better.
    pub locale: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; the link works until then.
    pub expires_at: i64,
    /// For an appointment's room: when the link starts to work (unix seconds); before,
    /// the page says when the appointment begins.
    pub opens_at: Option<i64>,
    /// For an appointment's room: when the appointment begins (unix seconds).
    pub starts_at: Option<i64>,
    /// The product it was made for (an appointment's, a walk-in's).
    pub product_id: Option<String>,
}

/// Stores a new room.
pub fn insert(conn: &Connection, room: &Room, token_sha256: &[u8; 32]) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO room (id, token_sha256, clerk_id, locale, created_at, expires_at,
            opens_at, starts_at, product_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            room.id,
            token_sha256.as_slice(),
            room.clerk_id,
            room.locale,
            room.created_at,
            room.expires_at,
            room.opens_at,
            room.starts_at,
            room.product_id,
        ],
    )?;
    Ok(())
}

const SELECT: &str = "SELECT id, clerk_id, locale, created_at, expires_at, opens_at, starts_at, product_id FROM room";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Room> {
    Ok(Room {
        id: r.get(0)?,
        clerk_id: r.get(1)?,
        locale: r.get(2)?,
        created_at: r.get(3)?,
        expires_at: r.get(4)?,
        opens_at: r.get(5)?,
        starts_at: r.get(6)?,
        product_id: r.get(7)?,
    })
}

/// The room whose join token hashes to `token_sha256`, expired or not.
pub fn find_by_token(
    conn: &Connection,
    token_sha256: &[u8; 32],
) -> Result<Option<Room>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE token_sha256 = ?1"),
            params![token_sha256.as_slice()],
            from_row,
        )
        .optional()?)
}

/// Deletes rooms that expired before `before` (unix seconds); returns how many.
pub fn purge_expired(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute("DELETE FROM room WHERE expires_at < ?1", params![before])?)
}

/// The room with public id `id`.
pub fn find_by_id(conn: &Connection, id: &str) -> Result<Option<Room>, StoreError> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], from_row)
        .optional()?)
}

/// Makes the room's link expire at `at` (when the clerk ends the conversation); the
/// admitted citizen, if any, is forgotten.
pub fn expire(conn: &Connection, id: &str, at: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE room SET expires_at = MIN(expires_at, ?2), admitted_resume_sha256 = NULL
         WHERE id = ?1",
        params![id, at],
    )?;
    Ok(())
}

/// Records the admitted citizen of room `id` by the SHA-256 of their resume secret
/// (`None`: nobody is admitted any more), so that a restarted relay knows them.
pub fn set_admitted(
    conn: &Connection,
    id: &str,
    resume_sha256: Option<&[u8; 32]>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE room SET admitted_resume_sha256 = ?2 WHERE id = ?1",
        params![id, resume_sha256.map(|d| d.as_slice())],
    )?;
    Ok(())
}

/// The SHA-256 of the resume secret of room `id`'s admitted citizen, if one is recorded.
pub fn admitted(conn: &Connection, id: &str) -> Result<Option<[u8; 32]>, StoreError> {
    let stored: Option<Vec<u8>> = conn
        .query_row(
            "SELECT admitted_resume_sha256 FROM room WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    // The table's CHECK keeps it 32 bytes; anything else is treated as no one.
    Ok(stored.and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok()))
}
