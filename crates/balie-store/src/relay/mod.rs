//! The relay's database: clerks, rooms, the sandbox provider's payments, who watches
//! which provider payment, and the front door's products, hours, availability and
//! appointments, the mail about them, the citizens' survey answers, the cockpits'
//! impact summaries and the admins who read them.

pub mod admin;
pub mod appointment;
pub mod clerk;
pub mod device;
pub mod hours;
pub mod impact;
pub mod mail;
pub mod product;
pub mod room;
pub mod sandbox;
pub mod survey;
pub mod watch;

use crate::{Migration, Schema};

/// The relay database layout.
pub static SCHEMA: Schema = Schema {
    name: "relay database",
    // "BALR"
    application_id: 0x4241_4C52,
    migrations: &[
        Migration {
            version: 1,
            sql: include_str!("../../migrations/relay/0001_init.sql"),
        },
        Migration {
            version: 2,
            sql: include_str!("../../migrations/relay/0002_payments.sql"),
        },
        Migration {
            version: 3,
            sql: include_str!("../../migrations/relay/0003_sandbox_expiry_index.sql"),
        },
        Migration {
            version: 4,
            sql: include_str!("../../migrations/relay/0004_shared_watches.sql"),
        },
        Migration {
            version: 5,
            sql: include_str!("../../migrations/relay/0005_admitted_citizen.sql"),
        },
        Migration {
            version: 6,
            sql: include_str!("../../migrations/relay/0006_front_door.sql"),
        },
        Migration {
            version: 7,
            sql: include_str!("../../migrations/relay/0007_mail.sql"),
        },
        Migration {
            version: 8,
            sql: include_str!("../../migrations/relay/0008_identity.sql"),
        },
        Migration {
            version: 9,
            sql: include_str!("../../migrations/relay/0009_survey.sql"),
        },
        Migration {
            version: 10,
            sql: include_str!("../../migrations/relay/0010_impact.sql"),
        },
        Migration {
            version: 11,
            sql: include_str!("../../migrations/relay/0011_booking_postcode.sql"),
        },
        Migration {
            version: 12,
            sql: include_str!("../../migrations/relay/0012_devices.sql"),
        },
    ],
};
