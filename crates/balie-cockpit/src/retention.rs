//! Retention of call metadata: which case a call was about, when it started and ended.
//! It is kept for the `retention_call_days` setting (default two years) and forgotten at
//! every start and with `balie-cockpit purge`. Chat is never stored and no recording
//! exists, so there is nothing else to forget.

use crate::settings::Settings;
use balie_store::StoreError;
use rusqlite::Connection;

/// Forgets the call metadata in `conn` older than the retention period at `now_ms`; how
/// many calls were forgotten.
pub fn purge(conn: &Connection, now_ms: i64) -> Result<usize, StoreError> {
    let days = Settings::of(conn).retention_days()?;
    let before = now_ms - i64::from(days) * 86_400_000;
    let purged = balie_store::cockpit::case::purge_calls(conn, before)?;
    if purged > 0 {
        tracing::info!(purged, days, "call metadata past its retention removed");
    }
    Ok(purged)
}
