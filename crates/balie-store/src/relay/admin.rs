//! Table `admin`: who may read the municipality's figures on the relay's admin page.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// Adds admin `name` with the SHA-256 of their token; `None` when the name is taken.
pub fn add(
    conn: &Connection,
    name: &str,
    token_sha256: &[u8; 32],
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let added = conn.execute(
        "INSERT INTO admin (name, token_sha256, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO NOTHING",
        params![name, &token_sha256[..], now],
    )?;
    Ok((added == 1).then(|| conn.last_insert_rowid()))
}

/// Revokes admin `name`; whether there was one to revoke.
pub fn revoke(conn: &Connection, name: &str, now: i64) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE admin SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, now],
    )? == 1)
}

/// The admin whose token hashes to `token_sha256` and is not revoked: id and name.
pub fn find_active(
    conn: &Connection,
    token_sha256: &[u8; 32],
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, name FROM admin WHERE token_sha256 = ?1 AND revoked_at IS NULL",
            [&token_sha256[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Whether admin `id` is still active.
pub fn is_active(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT revoked_at IS NULL FROM admin WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false))
}
