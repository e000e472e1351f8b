//! The relay's database: clerks and rooms.

pub mod clerk;
pub mod room;

use crate::{Migration, Schema};

/// The relay database layout.
pub static SCHEMA: Schema = Schema {
    name: "relay database",
    // "BALR"
    application_id: 0x4241_4C52,
    migrations: &[Migration {
        version: 1,
        sql: include_str!("../../migrations/relay/0001_init.sql"),
    }],
};
