//! Tables `impact_day` and `impact_whole`: the cockpits' summaries, kept as the JSON of
//! their `balie_impact::Facts` (checked by the relay before they get here).

use crate::StoreError;
use rusqlite::{Connection, params};

/// Replaces clerk `clerk_id`'s summaries of the days in `days` (day, facts JSON) and, when
/// given, their whole part, in one transaction.
pub fn replace(
    conn: &Connection,
    clerk_id: i64,
    days: &[(String, String)],
    whole: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    {
        let mut put = tx.prepare_cached(
            "INSERT INTO impact_day (clerk_id, day, facts, uploaded_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (clerk_id, day) DO UPDATE SET facts = ?3, uploaded_at = ?4",
        )?;
        for (day, facts) in days {
            put.execute(params![clerk_id, day, facts, now])?;
        }
    }
    if let Some(whole) = whole {
        tx.execute(
            "INSERT INTO impact_whole (clerk_id, facts, uploaded_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (clerk_id) DO UPDATE SET facts = ?2, uploaded_at = ?3",
            params![clerk_id, whole, now],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The day summaries from `first` to `last` (`YYYY-MM-DD`, inclusive) of every clerk, or
/// of clerk `clerk_id` only, as stored.
pub fn days(
    conn: &Connection,
    first: &str,
    last: &str,
    clerk_id: Option<i64>,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT facts FROM impact_day WHERE day >= ?1 AND day <= ?2
         AND (?3 IS NULL OR clerk_id = ?3)",
    )?;
    let rows = stmt.query_map(params![first, last, clerk_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every clerk's whole part, or clerk `clerk_id`'s, as stored.
pub fn wholes(conn: &Connection, clerk_id: Option<i64>) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT facts FROM impact_whole WHERE ?1 IS NULL OR clerk_id = ?1")?;
    let rows = stmt.query_map(params![clerk_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The clerks who sent a summary: id and name, by name.
pub fn clerks(conn: &Connection) -> Result<Vec<(i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name FROM clerk WHERE id IN (SELECT clerk_id FROM impact_whole
         UNION SELECT clerk_id FROM impact_day) ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
