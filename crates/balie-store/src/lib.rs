//! Balie's storage on SQLite (rusqlite, bundled).
//!
//! [`open`] opens a database file for one [`Schema`] — the cockpit's ([`cockpit::SCHEMA`])
//! or the relay's ([`relay::SCHEMA`]) — and brings it to the newest version with the
//! schema's embedded, numbered migrations, each in its own transaction. Connections use
//! WAL and a busy timeout so a second reader never fails at once.
//!
//! ```no_run
//! let conn = balie_store::open(std::path::Path::new("cockpit.sqlite3"), &balie_store::cockpit::SCHEMA)?;
//! # Ok::<(), balie_store::StoreError>(())
//! ```
//!
//! Invariants:
//! - a database written by a newer Balie (its `user_version` beyond what this build
//!   knows), or a file that belongs to another program, is refused before anything is
//!   written to it;
//! - migrations only ever move forward; a released migration is never edited.
//!
//! Non-goals: an ORM. Each table has a module with plain functions over a `Connection`.

pub mod cockpit;
pub mod relay;

mod migrate;

pub use migrate::{Migration, Schema, open, schema_version};

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite itself failed (I/O, corruption, a constraint).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer version of Balie; it is left untouched.
    #[error(
        "the database {path} has schema version {found}, newer than the {supported} this version of Balie knows; install the newer Balie or restore a backup. The file was not changed."
    )]
    NewerSchema {
        /// The database file.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// The file is an SQLite database of another program (or the other Balie schema).
    #[error(
        "the database {path} does not belong to the Balie {expected} (application id {found:#x}); it was not changed"
    )]
    ForeignDatabase {
        /// The database file.
        path: String,
        /// The schema that was expected.
        expected: &'static str,
        /// The application id found in the file.
        found: i64,
    },
    /// The directory for the database could not be created.
    #[error("cannot create the directory for {path}: {source}")]
    CreateDir {
        /// The database file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The change is not allowed (e.g. the clerk marking a card payment paid).
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// No row with that id.
    #[error("no {table} with id {id}")]
    NotFound {
        /// The table.
        table: &'static str,
        /// The id asked for.
        id: String,
    },
    /// A stored value could not be read back (JSON, timestamps).
    #[error("stored value in {table} is not valid: {detail}")]
    Corrupt {
        /// The table holding it.
        table: &'static str,
        /// What was wrong.
        detail: String,
    },
}

/// The current time as Unix seconds, for `created_at`-style columns.
pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
