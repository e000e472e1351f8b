//! Storage: migrations, reopening, and refusing files that are not ours to change.
#![allow(clippy::unwrap_used)]

use balie_store::{StoreError, cockpit, open, relay, schema_version};
use rusqlite::Connection;

fn temp_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("db.sqlite3");
    (dir, path)
}

#[test]
fn an_empty_file_is_migrated_to_the_newest_schema_in_wal_mode() {
    let (_dir, path) = temp_db();
    let conn = open(&path, &cockpit::SCHEMA).unwrap();
    assert_eq!(schema_version(&conn).unwrap(), cockpit::SCHEMA.latest());
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    cockpit::setting::set(&conn, "relay_url", "https://balie.example.be").unwrap();
}

#[test]
fn reopening_keeps_the_data_and_runs_no_migration_twice() {
    let (_dir, path) = temp_db();
    {
        let conn = open(&path, &cockpit::SCHEMA).unwrap();
        cockpit::window_layout::save(&conn, "DUMMY0@0,0", &vec![1, 2, 3]).unwrap();
    }
    let conn = open(&path, &cockpit::SCHEMA).unwrap();
    let back: Option<Vec<i32>> = cockpit::window_layout::load(&conn, "DUMMY0@0,0").unwrap();
    assert_eq!(back, Some(vec![1, 2, 3]));
    assert_eq!(schema_version(&conn).unwrap(), cockpit::SCHEMA.latest());
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_byte_for_byte_unchanged() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = open(&path, &cockpit::SCHEMA).unwrap_err();
    match &err {
        StoreError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, 99);
            assert_eq!(*supported, cockpit::SCHEMA.latest());
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(err.to_string().contains("newer"), "message: {err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file must not change"
    );
    let dir = path.parent().unwrap();
    assert!(
        !dir.join("db.sqlite3-wal").exists(),
        "no WAL file may appear"
    );
}

#[test]
fn the_relay_schema_refuses_the_cockpit_database() {
    let (_dir, path) = temp_db();
    drop(open(&path, &cockpit::SCHEMA).unwrap());
    let err = open(&path, &relay::SCHEMA).unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
}

#[test]
fn clerks_are_found_by_token_hash_until_revoked() {
    let (_dir, path) = temp_db();
    let conn = open(&path, &relay::SCHEMA).unwrap();
    let hash = [3u8; 32];
    let id = relay::clerk::add(&conn, "an", &hash).unwrap().unwrap();
    assert_eq!(
        relay::clerk::add(&conn, "an", &[4u8; 32]).unwrap(),
        None,
        "names are unique"
    );
    assert_eq!(relay::clerk::find_active(&conn, &hash).unwrap(), Some(id));
    assert!(relay::clerk::revoke(&conn, "an").unwrap());
    assert!(!relay::clerk::revoke(&conn, "an").unwrap());
    assert_eq!(relay::clerk::find_active(&conn, &hash).unwrap(), None);
    let list = relay::clerk::list(&conn).unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].revoked_at.is_some());
}
