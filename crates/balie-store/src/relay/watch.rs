//! Table `payment_watch`: which clerk hears about which provider payment. A provider's
//! webhook names only its own payment id; this table says whose cockpit to tell.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// Notes that `clerk_id` wants hints for `provider`'s payment `provider_id`. A payment
/// already watched by another clerk is not taken over: returns false then.
pub fn add(
    conn: &Connection,
    provider: &str,
    provider_id: &str,
    clerk_id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    conn.execute(
        "INSERT INTO payment_watch (provider, provider_id, clerk_id, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (provider, provider_id) DO NOTHING",
        params![provider, provider_id, clerk_id, now],
    )?;
    Ok(clerk(conn, provider, provider_id)? == Some(clerk_id))
}

/// The clerk watching `provider`'s payment `provider_id`.
pub fn clerk(
    conn: &Connection,
    provider: &str,
    provider_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT clerk_id FROM payment_watch WHERE provider = ?1 AND provider_id = ?2",
            params![provider, provider_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Forgets watches made before `before` (unix seconds): no provider reports on a payment
/// for months. Returns how many.
pub fn purge(conn: &Connection, before: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM payment_watch WHERE created_at < ?1",
        params![before],
    )?)
}
