//! Table `window_layout`: where the cockpit's windows were, per monitor layout.

use crate::{StoreError, now_unix};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Serialize, de::DeserializeOwned};

/// The placements remembered for `layout_key`, if any.
pub fn load<T: DeserializeOwned>(
    conn: &Connection,
    layout_key: &str,
) -> Result<Option<T>, StoreError> {
    let json: Option<String> = conn
        .query_row(
            "SELECT placements FROM window_layout WHERE layout_key = ?1",
            params![layout_key],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j).map_err(|e| StoreError::Corrupt {
            table: "window_layout",
            detail: e.to_string(),
        })
    })
    .transpose()
}

/// Remembers `placements` for `layout_key`, replacing what was there.
pub fn save<T: Serialize>(
    conn: &Connection,
    layout_key: &str,
    placements: &T,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(placements).map_err(|e| StoreError::Corrupt {
        table: "window_layout",
        detail: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO window_layout (layout_key, placements, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(layout_key) DO UPDATE SET placements = excluded.placements, updated_at = excluded.updated_at",
        params![layout_key, json, now_unix()],
    )?;
    Ok(())
}
