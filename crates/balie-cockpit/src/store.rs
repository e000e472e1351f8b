//! The cockpit's one SQLite connection, shared by its features. Every feature reaches the
//! database through [`SharedStore::with`]: the lock is held only for the closure, never
//! across an `await`, and a poisoned lock (a panic elsewhere while holding it) is an
//! error, not a second panic.

use crate::error::CockpitError;
use balie_store::StoreError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The cockpit database (`cockpit.sqlite3`), shared.
#[derive(Clone)]
pub struct SharedStore {
    conn: Arc<Mutex<Connection>>,
}

impl SharedStore {
    /// Opens (and migrates) the cockpit database at `path`.
    pub fn open(path: &Path) -> Result<Self, CockpitError> {
        Ok(Self::new(balie_store::open(
            path,
            &balie_store::cockpit::SCHEMA,
        )?))
    }

    /// Shares an open connection.
    pub fn new(conn: Connection) -> Self {
        Self {
            conn: Arc::new(Mutex::new(conn)),
        }
    }

    /// Runs `f` on the connection.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, CockpitError> {
        Ok(f(&mut *self.lock()?)?)
    }

    /// The connection itself, for work that mixes store errors with its own (an import).
    pub fn lock(&self) -> Result<MutexGuard<'_, Connection>, CockpitError> {
        self.conn
            .lock()
            .map_err(|_| CockpitError::Internal("store lock poisoned".into()))
    }
}
