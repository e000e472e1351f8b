//! Table `setting`: small named settings. Never secrets (those live in the OS keyring).

use crate::{StoreError, now_unix};
use rusqlite::{Connection, OptionalExtension, params};

/// The value of setting `key`, if set.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

/// Sets `key` to `value`.
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO setting (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, now_unix()],
    )?;
    Ok(())
}

/// Removes `key`; true when it was set.
pub fn remove(conn: &Connection, key: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM setting WHERE key = ?1", params![key])? > 0)
}
