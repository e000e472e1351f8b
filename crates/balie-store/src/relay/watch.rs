//! Table `payment_watch`: which clerk hears about which provider payment. A provider's
//! webhook names only its own payment id; this table says whose cockpit to tell.

use crate::StoreError;
use rusqlite::{Connection, params};

/// Notes that `clerk_id` wants hints for `provider`'s payment `provider_id` (again: the
/// time is renewed). Any number of clerks may watch one payment: none takes it from
/// another.
pub fn add(
    conn: &Connection,
    provider: &str,
    provider_id: &str,
    clerk_id: i64,
    now: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO payment_watch (provider, provider_id, clerk_id, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (provider, provider_id, clerk_id) DO UPDATE SET created_at = excluded.created_at",
        params![provider, provider_id, clerk_id, now],
    )?;
    Ok(())
}

/// How many payments `clerk_id` watches.
pub fn count_of(conn: &Connection, clerk_id: i64) -> Result<u64, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM payment_watch WHERE clerk_id = ?1",
        params![clerk_id],
        |r| r.get(0),
    )?)
}

/// The clerks watching `provider`'s payment `provider_id`.
pub fn clerks(
    conn: &Connection,
    provider: &str,
    provider_id: &str,
) -> Result<Vec<i64>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT clerk_id FROM payment_watch WHERE provider = ?1 AND provider_id = ?2 ORDER BY clerk_id",
    )?;
    let rows = statement.query_map(params![provider, provider_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets watches made before `before` (unix seconds): no provider reports on a payment
/// for months. Returns how many.
pub fn purge(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM payment_watch WHERE created_at < ?1",
        params![before],
    )?)
}
