//! Tables `payment`, `payment_status` and `audit_log`: payments asked in calls, every step
//! of their status, and what was done to them.
//!
//! A status changes only through [`apply_status`], which replays the stored history with
//! [`balie_domain::PaymentState`] and writes a step only when the domain says the payment
//! moved: a final status is never left, repeated and late reports change nothing. Only the
//! provider's API may make a provider payment `paid`, and only the clerk a bank transfer.
//! Each write is one transaction with its audit line.

use crate::StoreError;
use balie_domain::{
    Applied, Money, PaymentMode, PaymentState, PaymentStatus, StatusChange, StatusSource,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// A payment about to be asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// Our id.
    pub id: String,
    /// Sent with every create; a retry with it makes no second payment.
    pub idempotency_key: String,
    /// `mollie`, `bancontact`, `stripe`, `transfer` or `sandbox`.
    pub provider: String,
    /// More than zero.
    pub amount: Money,
    /// What it is for.
    pub description: String,
    /// The OGM's twelve digits, if one was made.
    pub reference: Option<String>,
    /// The conversation it was asked in.
    pub room_id: Option<String>,
    /// The payer's language code (`nl`, `fr`, `en`), as sent to the provider.
    pub payer_locale: Option<String>,
    /// Test or real money when we know it before any provider answers (a bank transfer is
    /// real money); otherwise `None` until the provider's answer says.
    pub mode: Option<PaymentMode>,
}

/// A stored payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// Our id.
    pub id: String,
    /// Its idempotency key.
    pub idempotency_key: String,
    /// The provider's name.
    pub provider: String,
    /// The provider's id, once made.
    pub provider_id: Option<String>,
    /// The amount.
    pub amount: Money,
    /// What it is for.
    pub description: String,
    /// The OGM's digits.
    pub reference: Option<String>,
    /// The conversation.
    pub room_id: Option<String>,
    /// The payer's language code, as sent to the provider.
    pub payer_locale: Option<String>,
    /// The status now.
    pub status: PaymentStatus,
    /// Where the payer pays.
    pub checkout_url: Option<String>,
    /// When it expires (RFC 3339).
    pub expires_at: Option<String>,
    /// When it was written down (ms since the epoch).
    pub created_at_ms: i64,
    /// Test or real money, as recorded when it was made; `None` before the provider
    /// answered.
    pub mode: Option<PaymentMode>,
}

fn source_name(source: StatusSource) -> &'static str {
    match source {
        StatusSource::Balie => "balie",
        StatusSource::Provider => "provider",
        StatusSource::Clerk => "clerk",
    }
}

fn source_from(name: &str) -> Option<StatusSource> {
    Some(match name {
        "balie" => StatusSource::Balie,
        "provider" => StatusSource::Provider,
        "clerk" => StatusSource::Clerk,
        _ => return None,
    })
}

/// A stored value that this build does not understand (a damaged or hand-edited row).
fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt {
        table: "payment",
        detail: what.to_owned(),
    }
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        table: "payment",
        id: id.to_owned(),
    }
}

fn audit(
    tx: &Transaction<'_>,
    at_ms: i64,
    actor: &str,
    action: &str,
    payment_id: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO audit_log (at_ms, actor, action, payment_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at_ms, actor, action, payment_id, detail.to_string()],
    )?;
    Ok(())
}

/// Writes a new payment, `created`, with its first history step and an audit line.
pub fn insert(conn: &mut Connection, payment: &NewPayment, at_ms: i64) -> Result<(), StoreError> {
    // A zero amount is refused by the table's CHECK.
    let cents = i64::try_from(payment.amount.cents()).map_err(|_| corrupt("amount"))?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO payment (id, idempotency_key, provider, amount_cents, description, reference, room_id, status, created_at_ms, payer_locale, mode)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'created', ?8, ?9, ?10)",
        params![
            payment.id,
            payment.idempotency_key,
            payment.provider,
            cents,
            payment.description,
            payment.reference,
            payment.room_id,
            at_ms,
            payment.payer_locale,
            payment.mode.map(PaymentMode::as_str)
        ],
    )?;
    tx.execute(
        "INSERT INTO payment_status (payment_id, seq, from_status, to_status, at_ms, source) VALUES (?1, 0, NULL, 'created', ?2, 'balie')",
        params![payment.id, at_ms],
    )?;
    audit(
        &tx,
        at_ms,
        "clerk",
        "payment.created",
        &payment.id,
        &serde_json::json!({ "provider": payment.provider, "amount_cents": cents }),
    )?;
    tx.commit()?;
    Ok(())
}

/// What the provider made of a payment, from its answer to our create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Made<'a> {
    /// The provider's id.
    pub provider_id: &'a str,
    /// Where the payer pays.
    pub checkout_url: Option<&'a str>,
    /// When it expires (RFC 3339).
    pub expires_at: Option<&'a str>,
    /// Test or real money, as the provider said.
    pub mode: PaymentMode,
}

/// Records what the provider made: its id, checkout address, expiry and mode. The mode is
/// written once: a later answer never changes it (the table also refuses real money
/// from the sandbox); and a payment made by the provider under one id is never given
/// another ([`StoreError::Forbidden`]).
pub fn set_provider_payment(
    conn: &mut Connection,
    id: &str,
    made: &Made<'_>,
    at_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE payment SET provider_id = ?2, checkout_url = ?3, expires_at = ?4, mode = COALESCE(mode, ?5)
         WHERE id = ?1 AND (provider_id IS NULL OR provider_id = ?2)",
        params![
            id,
            made.provider_id,
            made.checkout_url,
            made.expires_at,
            made.mode.as_str()
        ],
    )?;
    if changed == 0 {
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM payment WHERE id = ?1)",
            params![id],
            |r| r.get(0),
        )?;
        return Err(if exists {
            StoreError::Forbidden("the payment was made under another provider id")
        } else {
            not_found(id)
        });
    }
    audit(
        &tx,
        at_ms,
        "provider",
        "payment.made",
        id,
        &serde_json::json!({ "provider_id": made.provider_id, "mode": made.mode.as_str() }),
    )?;
    tx.commit()?;
    Ok(())
}

/// Records the mode of payment `id`, made before modes were recorded, from a provider's
/// later answer; a mode already recorded stays. Whether it was written.
pub fn record_mode(
    conn: &mut Connection,
    id: &str,
    mode: PaymentMode,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE payment SET mode = ?2 WHERE id = ?1 AND mode IS NULL",
        params![id, mode.as_str()],
    )?;
    if changed > 0 {
        audit(
            &tx,
            at_ms,
            "provider",
            "payment.mode_recorded",
            id,
            &serde_json::json!({ "mode": mode.as_str() }),
        )?;
    }
    tx.commit()?;
    Ok(changed > 0)
}

/// The history of payment `id`, oldest first.
pub fn history(conn: &Connection, id: &str) -> Result<Vec<StatusChange>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT from_status, to_status, at_ms, source FROM payment_status WHERE payment_id = ?1 ORDER BY seq",
    )?;
    let rows = statement.query_map(params![id], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut steps = Vec::new();
    for row in rows {
        let (from, to, at_ms, source) = row?;
        let from = match from {
            Some(name) => Some(PaymentStatus::from_name(&name).ok_or_else(|| corrupt("status"))?),
            None => None,
        };
        steps.push(StatusChange {
            from,
            to: PaymentStatus::from_name(&to).ok_or_else(|| corrupt("status"))?,
            at_ms,
            source: source_from(&source).ok_or_else(|| corrupt("source"))?,
        });
    }
    Ok(steps)
}

/// Takes a reported status for payment `id`. Writes a step (and the payment's status, and
/// an audit line) only when the payment moves; answers what happened.
pub fn apply_status(
    conn: &mut Connection,
    id: &str,
    to: PaymentStatus,
    at_ms: i64,
    source: StatusSource,
) -> Result<Applied, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied = apply_in(&tx, id, to, at_ms, source)?;
    tx.commit()?;
    Ok(applied)
}

/// The provider answered something else than was asked about payment `id` (`detail`
/// says what was asked and what came back): the payment becomes `mismatch`, never paid,
/// with an audit line of both sides. Answers what happened (a final payment keeps its
/// status, but the audit line is written all the same).
pub fn record_mismatch(
    conn: &mut Connection,
    id: &str,
    detail: &serde_json::Value,
    at_ms: i64,
) -> Result<Applied, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    audit(&tx, at_ms, "balie", "payment.mismatch", id, detail)?;
    let applied = apply_in(&tx, id, PaymentStatus::Mismatch, at_ms, StatusSource::Balie)?;
    tx.commit()?;
    Ok(applied)
}

fn apply_in(
    tx: &Transaction<'_>,
    id: &str,
    to: PaymentStatus,
    at_ms: i64,
    source: StatusSource,
) -> Result<Applied, StoreError> {
    let steps = history(tx, id)?;
    if steps.is_empty() {
        return Err(not_found(id));
    }
    if to == PaymentStatus::Paid {
        // Only the provider's own API says a provider payment is paid; only the clerk, who
        // sees the bank statement, says a transfer is; and a provider only of a payment it
        // made (whose id and mode we recorded from its answer).
        let (provider, made): (String, bool) = tx.query_row(
            "SELECT provider, provider_id IS NOT NULL AND mode IS NOT NULL FROM payment WHERE id = ?1",
            params![id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let allowed = match source {
            StatusSource::Provider => provider != "transfer" && made,
            StatusSource::Clerk => provider == "transfer",
            StatusSource::Balie => false,
        };
        if !allowed {
            return Err(StoreError::Forbidden(
                "only the provider's API, or the clerk for a bank transfer, may mark a payment paid",
            ));
        }
    }
    let seq = steps.len() as i64;
    let mut state = PaymentState::from_history(steps).ok_or_else(|| corrupt("history"))?;
    let applied = state.apply(to, at_ms, source);
    if let Applied::Moved(change) = &applied {
        tx.execute(
            "INSERT INTO payment_status (payment_id, seq, from_status, to_status, at_ms, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                seq,
                change.from.map(PaymentStatus::as_str),
                change.to.as_str(),
                at_ms,
                source_name(source)
            ],
        )?;
        tx.execute(
            "UPDATE payment SET status = ?2 WHERE id = ?1",
            params![id, change.to.as_str()],
        )?;
        audit(
            tx,
            at_ms,
            source_name(source),
            "payment.status",
            id,
            &serde_json::json!({
                "from": change.from.map(PaymentStatus::as_str),
                "to": change.to.as_str(),
            }),
        )?;
    }
    Ok(applied)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Payment, String, i64, Option<String>)> {
    Ok((
        Payment {
            id: r.get(0)?,
            idempotency_key: r.get(1)?,
            provider: r.get(2)?,
            provider_id: r.get(3)?,
            amount: Money::from_cents(0),
            description: r.get(5)?,
            reference: r.get(6)?,
            room_id: r.get(7)?,
            payer_locale: r.get(12)?,
            status: PaymentStatus::Created,
            checkout_url: r.get(9)?,
            expires_at: r.get(10)?,
            created_at_ms: r.get(11)?,
            mode: None,
        },
        r.get(8)?,
        r.get(4)?,
        r.get(13)?,
    ))
}

const COLUMNS: &str = "id, idempotency_key, provider, provider_id, amount_cents, description, reference, room_id, status, checkout_url, expires_at, created_at_ms, payer_locale, mode";

fn finish(
    (mut payment, status, cents, mode): (Payment, String, i64, Option<String>),
) -> Result<Payment, StoreError> {
    payment.mode = match mode {
        Some(name) => Some(PaymentMode::from_name(&name).ok_or_else(|| corrupt("mode"))?),
        None => None,
    };
    payment.status = PaymentStatus::from_name(&status).ok_or_else(|| corrupt("status"))?;
    payment.amount = Money::from_cents(u64::try_from(cents).map_err(|_| corrupt("amount"))?);
    Ok(payment)
}

/// Payment `id`, if stored.
pub fn get(conn: &Connection, id: &str) -> Result<Option<Payment>, StoreError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM payment WHERE id = ?1"),
        params![id],
        row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// Every payment that is not final yet, oldest first: what the tracker resumes at start.
pub fn unfinished(conn: &Connection) -> Result<Vec<Payment>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM payment WHERE status IN ('created', 'open') ORDER BY created_at_ms, id"
    ))?;
    let rows = statement.query_map([], row)?;
    rows.map(|r| finish(r?)).collect()
}

/// Our id of `provider`'s payment `provider_id` (what a webhook hint names).
pub fn find_by_provider_id(
    conn: &Connection,
    provider: &str,
    provider_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM payment WHERE provider = ?1 AND provider_id = ?2",
            params![provider, provider_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The payments asked in conversation `room_id`, oldest first.
pub fn of_room(conn: &Connection, room_id: &str) -> Result<Vec<Payment>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM payment WHERE room_id = ?1 ORDER BY created_at_ms, id"
    ))?;
    let rows = statement.query_map(params![room_id], row)?;
    rows.map(|r| finish(r?)).collect()
}

/// The latest `limit` payments, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<Payment>, StoreError> {
    let mut statement = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM payment ORDER BY created_at_ms DESC, id DESC LIMIT ?1"
    ))?;
    let rows = statement.query_map(params![limit], row)?;
    rows.map(|r| finish(r?)).collect()
}

/// Records that the clerk did `action` to payment `id` (e.g. sent its card again), for the
/// audit trail.
pub fn audit_clerk_action(
    conn: &mut Connection,
    id: &str,
    action: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    audit(&tx, at_ms, "clerk", action, id, &serde_json::json!({}))?;
    tx.commit()?;
    Ok(())
}

/// The audit lines of payment `id`, oldest first: (time, actor, action, detail JSON).
pub fn audit_trail(
    conn: &Connection,
    id: &str,
) -> Result<Vec<(i64, String, String, String)>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT at_ms, actor, action, detail FROM audit_log WHERE payment_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map(params![id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
