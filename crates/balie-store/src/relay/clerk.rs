//! Table `clerk`: who may create rooms on the relay. Tokens are stored as SHA-256 only.

use crate::{StoreError, now_unix};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

/// A clerk as listed by `balie-relay clerk list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clerk {
    /// Row id.
    pub id: i64,
    /// The name given at `clerk add`.
    pub name: String,
    /// When added, unix seconds.
    pub created_at: i64,
    /// When revoked, unix seconds; `None` while the clerk may still work.
    pub revoked_at: Option<i64>,
}

/// Adds a clerk with the hash of their token. `Ok(None)` when the name is taken.
pub fn add(
    conn: &Connection,
    name: &str,
    token_sha256: &[u8; 32],
) -> Result<Option<i64>, StoreError> {
    match conn.execute(
        "INSERT INTO clerk (name, token_sha256, created_at) VALUES (?1, ?2, ?3)",
        params![name, token_sha256.as_slice(), now_unix()],
    ) {
        Ok(_) => Ok(Some(conn.last_insert_rowid())),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Every clerk, revoked ones included, by name.
pub fn list(conn: &Connection) -> Result<Vec<Clerk>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT id, name, created_at, revoked_at FROM clerk ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(Clerk {
            id: r.get(0)?,
            name: r.get(1)?,
            created_at: r.get(2)?,
            revoked_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Revokes the clerk called `name`; true when an active clerk was revoked.
pub fn revoke(conn: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "UPDATE clerk SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name, now_unix()],
    )? > 0)
}

/// Whether clerk `clerk_id` exists and is not revoked.
pub fn is_active(conn: &Connection, clerk_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM clerk WHERE id = ?1 AND revoked_at IS NULL",
            params![clerk_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The id of the active (not revoked) clerk whose token hashes to `token_sha256`.
pub fn find_active(conn: &Connection, token_sha256: &[u8; 32]) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM clerk WHERE token_sha256 = ?1 AND revoked_at IS NULL",
            params![token_sha256.as_slice()],
            |r| r.get(0),
        )
        .optional()?)
}

/// Gives the clerk called `name` the token hashing to `token_sha256`, creating the clerk
/// or replacing an earlier token and lifting a revocation. Used by the cockpit's embedded
/// relay, whose one clerk keeps its token in the OS keyring.
pub fn set_token(
    conn: &Connection,
    name: &str,
    token_sha256: &[u8; 32],
) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "INSERT INTO clerk (name, token_sha256, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET token_sha256 = excluded.token_sha256, revoked_at = NULL
         RETURNING id",
        params![name, token_sha256.as_slice(), now_unix()],
        |r| r.get(0),
    )?)
}

/// The clerk called `name`, revoked or not.
pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Clerk>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, name, created_at, revoked_at FROM clerk WHERE name = ?1",
            params![name],
            |r| {
                Ok(Clerk {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: r.get(2)?,
                    revoked_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}
