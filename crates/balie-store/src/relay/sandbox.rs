//! Table `sandbox_payment`: the relay's test provider. A payment is open until the person
//! on its checkout page chooses an outcome, the clerk cancels it, or it expires; then its
//! status never changes again.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// A sandbox payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxPayment {
    /// `tr_` and letters and digits, as Mollie's ids.
    pub id: String,
    /// The clerk who made it (only they may read or cancel it).
    pub clerk_id: i64,
    /// The key the clerk sent; the same key gives the same payment.
    pub idempotency_key: String,
    /// The random part of the checkout page's address.
    pub checkout_token: String,
    /// More than zero.
    pub amount_cents: i64,
    /// What it is for.
    pub description: String,
    /// Where the payer goes after choosing.
    pub redirect_url: Option<String>,
    /// Mollie's locale word (`nl_BE`).
    pub locale: Option<String>,
    /// `open`, `paid`, `failed`, `canceled` or `expired`.
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds; still open then means expired.
    pub expires_at: i64,
    /// When the status left `open`, unix seconds.
    pub decided_at: Option<i64>,
}

const SELECT: &str = "SELECT id, clerk_id, idempotency_key, checkout_token, amount_cents, description, \
redirect_url, locale, status, created_at, expires_at, decided_at FROM sandbox_payment";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SandboxPayment> {
    Ok(SandboxPayment {
        id: r.get(0)?,
        clerk_id: r.get(1)?,
        idempotency_key: r.get(2)?,
        checkout_token: r.get(3)?,
        amount_cents: r.get(4)?,
        description: r.get(5)?,
        redirect_url: r.get(6)?,
        locale: r.get(7)?,
        status: r.get(8)?,
        created_at: r.get(9)?,
        expires_at: r.get(10)?,
        decided_at: r.get(11)?,
    })
}

/// Stores `payment` unless the clerk already made one with its idempotency key; returns
/// the stored payment either way (the earlier one for a repeated key).
pub fn insert_or_existing(
    conn: &Connection,
    payment: &SandboxPayment,
) -> Result<SandboxPayment, StoreError> {
    conn.execute(
        "INSERT INTO sandbox_payment (id, clerk_id, idempotency_key, checkout_token, amount_cents, description,
             redirect_url, locale, status, created_at, expires_at, decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?10, NULL)
         ON CONFLICT (clerk_id, idempotency_key) DO NOTHING",
        params![
            payment.id,
            payment.clerk_id,
            payment.idempotency_key,
            payment.checkout_token,
            payment.amount_cents,
            payment.description,
            payment.redirect_url,
            payment.locale,
            payment.created_at,
            payment.expires_at,
        ],
    )?;
    conn.query_row(
        &format!("{SELECT} WHERE clerk_id = ?1 AND idempotency_key = ?2"),
        params![payment.clerk_id, payment.idempotency_key],
        from_row,
    )
    .map_err(StoreError::from)
}

/// Marks open payments past their expiry as expired (as of `now`).
fn expire_due(conn: &Connection, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sandbox_payment SET status = 'expired', decided_at = expires_at
         WHERE status = 'open' AND expires_at <= ?1",
        params![now],
    )?;
    Ok(())
}

/// The payment `id`, its expiry applied as of `now`.
pub fn get(conn: &Connection, id: &str, now: i64) -> Result<Option<SandboxPayment>, StoreError> {
    expire_due(conn, now)?;
    Ok(conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), params![id], from_row)
        .optional()?)
}

/// The payment whose checkout page is `token`, its expiry applied as of `now`.
pub fn by_checkout_token(
    conn: &Connection,
    token: &str,
    now: i64,
) -> Result<Option<SandboxPayment>, StoreError> {
    expire_due(conn, now)?;
    Ok(conn
        .query_row(
            &format!("{SELECT} WHERE checkout_token = ?1"),
            params![token],
            from_row,
        )
        .optional()?)
}

/// Moves payment `id` from `open` to `status` (`paid`, `failed`, `canceled` or
/// `expired`) at `now`. False when it was not open any more: a decided payment stays as
/// it is.
pub fn decide(conn: &Connection, id: &str, status: &str, now: i64) -> Result<bool, StoreError> {
    if !matches!(status, "paid" | "failed" | "canceled" | "expired") {
        return Err(StoreError::Forbidden("not a final sandbox status"));
    }
    expire_due(conn, now)?;
    Ok(conn.execute(
        "UPDATE sandbox_payment SET status = ?2, decided_at = ?3 WHERE id = ?1 AND status = 'open'",
        params![id, status, now],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: the expiry UPDATE that every checkout page view runs read the whole table.
    #[test]
    fn expiring_due_payments_reads_only_the_open_ones_by_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::open(&dir.path().join("r.sqlite3"), &crate::relay::SCHEMA).unwrap();
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN UPDATE sandbox_payment SET status = 'expired', \
                 decided_at = expires_at WHERE status = 'open' AND expires_at <= ?1",
            )
            .unwrap()
            .query_map([0], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("sandbox_payment_open_expiry")),
            "{plan:?}"
        );
        expire_due(&conn, 0).unwrap();
    }
}
