//! Tables `clerk_invite` and `clerk_device`: a clerk's cockpits, each enrolled with a
//! one-time code and holding a token of its own. Codes and tokens are stored as SHA-256
//! only.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// One enrolled cockpit of a clerk, as `balie-relay clerk devices NAME` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Its number, for `clerk revoke NAME --device ID`.
    pub id: i64,
    /// The name the cockpit gave (its computer's name).
    pub name: String,
    /// When it enrolled, unix seconds.
    pub enrolled_at: i64,
    /// When it was revoked; `None` while it may work.
    pub revoked_at: Option<i64>,
}

/// What redeeming a code gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// The device is enrolled for this clerk.
    Enrolled {
        /// The clerk's id.
        clerk_id: i64,
        /// The clerk's name.
        clerk_name: String,
        /// The new device's id.
        device_id: i64,
    },
    /// No such code.
    Unknown,
    /// The code was used before (nothing changed).
    Used,
    /// The code is past its time, or its clerk was revoked since.
    Expired,
}

/// Adds a code for clerk `clerk_id`, valid until `expires_at`.
pub fn invite(
    conn: &Connection,
    clerk_id: i64,
    code_sha256: &[u8; 32],
    now: i64,
    expires_at: i64,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO clerk_invite (clerk_id, code_sha256, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![clerk_id, &code_sha256[..], now, expires_at],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Redeems the code hashing to `code_sha256` once: enrols a device called `device_name`
/// with the token hashing to `token_sha256`, in one transaction.
pub fn redeem(
    conn: &Connection,
    code_sha256: &[u8; 32],
    device_name: &str,
    token_sha256: &[u8; 32],
    now: i64,
) -> Result<Redeemed, StoreError> {
    struct Invite {
        id: i64,
        clerk_id: i64,
        expires_at: i64,
        used: bool,
        clerk_name: String,
        clerk_revoked: bool,
    }
    let tx = conn.unchecked_transaction()?;
    let found = tx
        .query_row(
            "SELECT i.id, i.clerk_id, i.expires_at, i.used_at IS NOT NULL, c.name,
                    c.revoked_at IS NOT NULL
             FROM clerk_invite i JOIN clerk c ON c.id = i.clerk_id
             WHERE i.code_sha256 = ?1",
            [&code_sha256[..]],
            |r| {
                Ok(Invite {
                    id: r.get(0)?,
                    clerk_id: r.get(1)?,
                    expires_at: r.get(2)?,
                    used: r.get(3)?,
                    clerk_name: r.get(4)?,
                    clerk_revoked: r.get(5)?,
                })
            },
        )
        .optional()?;
    let Some(invite) = found else {
        return Ok(Redeemed::Unknown);
    };
    if invite.used {
        return Ok(Redeemed::Used);
    }
    if now >= invite.expires_at || invite.clerk_revoked {
        return Ok(Redeemed::Expired);
    }
    tx.execute(
        "UPDATE clerk_invite SET used_at = ?2 WHERE id = ?1",
        params![invite.id, now],
    )?;
    tx.execute(
        "INSERT INTO clerk_device (clerk_id, name, token_sha256, enrolled_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![invite.clerk_id, device_name, &token_sha256[..], now],
    )?;
    let device_id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(Redeemed::Enrolled {
        clerk_id: invite.clerk_id,
        clerk_name: invite.clerk_name,
        device_id,
    })
}

/// The devices of clerk `clerk_id`, revoked ones too, oldest first.
pub fn list(conn: &Connection, clerk_id: i64) -> Result<Vec<Device>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, enrolled_at, revoked_at FROM clerk_device
         WHERE clerk_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([clerk_id], |r| {
        Ok(Device {
            id: r.get(0)?,
            name: r.get(1)?,
            enrolled_at: r.get(2)?,
            revoked_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes device `device_id` of clerk `clerk_id`; whether an active one was revoked.
pub fn revoke(
    conn: &Connection,
    clerk_id: i64,
    device_id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE clerk_device SET revoked_at = ?3
         WHERE id = ?1 AND clerk_id = ?2 AND revoked_at IS NULL",
        params![device_id, clerk_id, now],
    )? == 1)
}

/// The clerk and device whose device token hashes to `token_sha256`, when neither is
/// revoked.
pub fn find_active(
    conn: &Connection,
    token_sha256: &[u8; 32],
) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT d.clerk_id, d.id FROM clerk_device d JOIN clerk c ON c.id = d.clerk_id
             WHERE d.token_sha256 = ?1 AND d.revoked_at IS NULL AND c.revoked_at IS NULL",
            [&token_sha256[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Whether device `device_id` and its clerk are both still active.
pub fn is_active(conn: &Connection, device_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM clerk_device d JOIN clerk c ON c.id = d.clerk_id
             WHERE d.id = ?1 AND d.revoked_at IS NULL AND c.revoked_at IS NULL",
            [device_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
