use crate::StoreError;
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};
use std::path::Path;
use std::time::Duration;

/// One step of a schema: SQL run once, in a transaction, to go from `version - 1` to
/// `version`.
#[derive(Debug)]
pub struct Migration {
    /// The version this migration produces (1, 2, 3…; no gaps).
    pub version: i64,
    /// The SQL, usually `include_str!` of a file under `migrations/`.
    pub sql: &'static str,
}

/// A database layout: its name, SQLite `application_id` and ordered migrations.
#[derive(Debug)]
pub struct Schema {
    /// Human name used in errors ("cockpit database").
    pub name: &'static str,
    /// Written to `PRAGMA application_id` so one schema never opens another's file.
    pub application_id: i64,
    /// Ordered migrations; the last one's version is the newest this build knows.
    pub migrations: &'static [Migration],
}

impl Schema {
    /// The newest version this build knows.
    pub fn latest(&self) -> i64 {
        self.migrations.last().map_or(0, |m| m.version)
    }
}

/// How long a connection waits on a locked database before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database at `path` and migrates it to `schema`'s newest
/// version.
///
/// A newer or foreign database is refused before any write: its version and application
/// id are read first, and only then are WAL and migrations applied.
pub fn open(path: &Path, schema: &Schema) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: path.display().to_string(),
            source,
        })?;
    }
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;

    let found_version = schema_version(&conn)?;
    let found_app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if found_app != 0 && found_app != schema.application_id {
        return Err(StoreError::ForeignDatabase {
            path: path.display().to_string(),
            expected: schema.name,
            found: found_app,
        });
    }
    if found_version > schema.latest() {
        return Err(StoreError::NewerSchema {
            path: path.display().to_string(),
            found: found_version,
            supported: schema.latest(),
        });
    }

    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Migrations run with foreign keys off, as SQLite's own recipe for changing a table
    // asks (make the new table, copy, drop the old, rename): a drop would otherwise cut the
    // rows that point at it. Every key is checked before each migration commits.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    for migration in schema
        .migrations
        .iter()
        .filter(|m| m.version > found_version)
    {
        // IMMEDIATE: two programs opening the file at once do not both migrate; the one
        // that waited sees the version the other wrote and skips.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if schema_version(&tx)? >= migration.version {
            continue;
        }
        tx.execute_batch(migration.sql)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Corrupt {
                table: "migration",
                detail: format!(
                    "migration {} leaves rows of {table} pointing nowhere",
                    migration.version
                ),
            });
        }
        tx.pragma_update(None, "application_id", schema.application_id)?;
        tx.pragma_update(None, "user_version", migration.version)?;
        tx.commit()?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// The schema version stored in the database (`PRAGMA user_version`; 0 when new).
pub fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}
