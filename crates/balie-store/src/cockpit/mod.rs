//! The cockpit's database: window layouts, settings, payments and their audit log, the
//! products a clerk can ask payment for, the case files with their search, and the
//! records of the impact figures.

pub mod case;
pub mod impact;
pub mod payment;
pub mod product;
pub mod setting;
pub mod window_layout;

use crate::{Migration, Schema};

/// The cockpit database layout.
pub static SCHEMA: Schema = Schema {
    name: "cockpit database",
    // "BALC"
    application_id: 0x4241_4C43,
    migrations: &[
        Migration {
            version: 1,
            sql: include_str!("../../migrations/cockpit/0001_init.sql"),
        },
        Migration {
            version: 2,
            sql: include_str!("../../migrations/cockpit/0002_payments.sql"),
        },
        Migration {
            version: 3,
            sql: include_str!("../../migrations/cockpit/0003_products.sql"),
        },
        Migration {
            version: 4,
            sql: include_str!("../../migrations/cockpit/0004_cases.sql"),
        },
        Migration {
            version: 5,
            sql: include_str!("../../migrations/cockpit/0005_payment_integrity.sql"),
        },
        Migration {
            version: 6,
            sql: include_str!("../../migrations/cockpit/0006_identity.sql"),
        },
        Migration {
            version: 7,
            sql: include_str!("../../migrations/cockpit/0007_impact.sql"),
        },
        Migration {
            version: 8,
            sql: include_str!("../../migrations/cockpit/0008_impact_indexes.sql"),
        },
    ],
};
