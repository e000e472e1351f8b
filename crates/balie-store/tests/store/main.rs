//! Storage: migrations, reopening, and refusing files that are not ours to change.
#![allow(clippy::unwrap_used)]

use balie_store::{StoreError, cockpit, open, relay, schema_version};
use rusqlite::Connection;

mod cases;
mod front_door;
mod impact;

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

mod payments {
    use super::temp_db;
    use balie_domain::{Applied, Money, PaymentMode, PaymentStatus, StatusSource};
    use balie_store::cockpit::payment::{self, Made, NewPayment};
    use balie_store::{StoreError, cockpit, open};

    fn hall_rent(id: &str) -> NewPayment {
        NewPayment {
            id: id.into(),
            idempotency_key: format!("idem-{id}"),
            provider: "mollie".into(),
            amount: Money::from_cents(12_500),
            description: "Zaalhuur Parochiezaal 14/12".into(),
            reference: Some("123456789002".into()),
            room_id: Some("room-1".into()),
            payer_locale: Some("fr".into()),
            mode: None,
        }
    }

    /// The provider made payment `id` (as its answer to our create said).
    fn made(conn: &mut rusqlite::Connection, id: &str, mode: PaymentMode) {
        made_as(conn, id, &format!("tr_{id}"), mode).unwrap();
    }

    /// The provider answered that it made payment `id` as `provider_id`.
    fn made_as(
        conn: &mut rusqlite::Connection,
        id: &str,
        provider_id: &str,
        mode: PaymentMode,
    ) -> Result<(), StoreError> {
        payment::set_provider_payment(
            conn,
            id,
            &Made {
                provider_id,
                checkout_url: Some("https://www.mollie.com/checkout/x"),
                expires_at: None,
                mode,
            },
            10,
        )
    }

    #[test]
    fn a_payment_is_written_before_it_is_shown_and_found_again_after_a_restart() {
        let (_dir, path) = temp_db();
        {
            let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
            payment::insert(&mut conn, &hall_rent("p1"), 1_000).unwrap();
            payment::set_provider_payment(
                &mut conn,
                "p1",
                &Made {
                    provider_id: "tr_WDqYK6vllg",
                    checkout_url: Some("https://www.mollie.com/checkout/x"),
                    expires_at: None,
                    mode: PaymentMode::Live,
                },
                1_100,
            )
            .unwrap();
            payment::apply_status(
                &mut conn,
                "p1",
                PaymentStatus::Open,
                1_200,
                StatusSource::Provider,
            )
            .unwrap();
            payment::insert(&mut conn, &hall_rent("p2"), 2_000).unwrap();
            // The cockpit stops here without warning (the connection is simply dropped).
        }
        let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
        let open_ones = payment::unfinished(&conn).unwrap();
        let ids: Vec<_> = open_ones
            .iter()
            .map(|p| (p.id.as_str(), p.status))
            .collect();
        assert_eq!(
            ids,
            [("p1", PaymentStatus::Open), ("p2", PaymentStatus::Created)]
        );
        let p1 = &open_ones[0];
        assert_eq!(p1.amount, Money::from_cents(12_500));
        assert_eq!(p1.provider_id.as_deref(), Some("tr_WDqYK6vllg"));
        assert_eq!(p1.idempotency_key, "idem-p1");
        assert_eq!(p1.mode, Some(PaymentMode::Live));
        assert_eq!(open_ones[1].mode, None);
        // Paid: no longer unfinished.
        payment::apply_status(
            &mut conn,
            "p1",
            PaymentStatus::Paid,
            3_000,
            StatusSource::Provider,
        )
        .unwrap();
        assert_eq!(payment::unfinished(&conn).unwrap().len(), 1);
    }

    #[test]
    fn a_paid_payment_stays_paid_whatever_arrives_later() {
        let (_dir, path) = temp_db();
        let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
        payment::insert(&mut conn, &hall_rent("p1"), 0).unwrap();
        made(&mut conn, "p1", PaymentMode::Test);
        let step = |conn: &mut rusqlite::Connection, to, at| {
            payment::apply_status(conn, "p1", to, at, StatusSource::Provider).unwrap()
        };
        assert!(matches!(
            step(&mut conn, PaymentStatus::Open, 1),
            Applied::Moved(_)
        ));
        assert_eq!(step(&mut conn, PaymentStatus::Open, 2), Applied::Unchanged);
        assert!(matches!(
            step(&mut conn, PaymentStatus::Paid, 3),
            Applied::Moved(_)
        ));
        assert_eq!(
            step(&mut conn, PaymentStatus::Expired, 4),
            Applied::Ignored {
                kept: PaymentStatus::Paid
            }
        );
        assert_eq!(
            step(&mut conn, PaymentStatus::Open, 5),
            Applied::Ignored {
                kept: PaymentStatus::Paid
            }
        );
        assert_eq!(
            payment::get(&conn, "p1").unwrap().unwrap().status,
            PaymentStatus::Paid
        );
        let history: Vec<_> = payment::history(&conn, "p1")
            .unwrap()
            .iter()
            .map(|s| (s.to, s.at_ms))
            .collect();
        assert_eq!(
            history,
            [
                (PaymentStatus::Created, 0),
                (PaymentStatus::Open, 1),
                (PaymentStatus::Paid, 3)
            ]
        );
        // The audit log has the creation and the two moves, and no description (citizen
        // data may be in it).
        let trail = payment::audit_trail(&conn, "p1").unwrap();
        let actions: Vec<_> = trail
            .iter()
            .map(|(_, actor, action, _)| (actor.as_str(), action.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("clerk", "payment.created"),
                ("provider", "payment.made"),
                ("provider", "payment.status"),
                ("provider", "payment.status")
            ]
        );
        assert!(
            trail
                .iter()
                .all(|(_, _, _, detail)| !detail.contains("Zaalhuur"))
        );
    }

    #[test]
    fn what_the_tables_refuse_leaves_nothing_behind() {
        let (_dir, path) = temp_db();
        let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
        let zero = NewPayment {
            amount: Money::from_cents(0),
            ..hall_rent("p0")
        };
        assert!(payment::insert(&mut conn, &zero, 0).is_err());
        assert!(payment::get(&conn, "p0").unwrap().is_none());
        assert!(
            payment::audit_trail(&conn, "p0").unwrap().is_empty(),
            "no audit line for a payment not made"
        );
        // The same idempotency key twice: the second is refused, the first stays.
        payment::insert(&mut conn, &hall_rent("p1"), 0).unwrap();
        let twin = NewPayment {
            id: "p2".into(),
            ..hall_rent("p1")
        };
        assert!(payment::insert(&mut conn, &twin, 0).is_err());
        assert!(payment::get(&conn, "p2").unwrap().is_none());
        assert!(matches!(
            payment::apply_status(
                &mut conn,
                "nobody",
                PaymentStatus::Paid,
                0,
                StatusSource::Provider
            ),
            Err(StoreError::NotFound { .. })
        ));
        // Paid is said by the provider's API for a provider payment, by the clerk only for
        // a bank transfer.
        let forbidden = |r| matches!(r, Err(StoreError::Forbidden(_)));
        assert!(forbidden(payment::apply_status(
            &mut conn,
            "p1",
            PaymentStatus::Paid,
            1,
            StatusSource::Clerk
        )));
        assert!(forbidden(payment::apply_status(
            &mut conn,
            "p1",
            PaymentStatus::Paid,
            1,
            StatusSource::Balie
        )));
        let transfer = NewPayment {
            id: "t1".into(),
            idempotency_key: "idem-t1".into(),
            provider: "transfer".into(),
            ..hall_rent("t1")
        };
        payment::insert(&mut conn, &transfer, 0).unwrap();
        assert!(forbidden(payment::apply_status(
            &mut conn,
            "t1",
            PaymentStatus::Paid,
            1,
            StatusSource::Provider
        )));
        assert!(matches!(
            payment::apply_status(&mut conn, "t1", PaymentStatus::Paid, 1, StatusSource::Clerk),
            Ok(Applied::Moved(_))
        ));
        assert_eq!(
            payment::get(&conn, "p1").unwrap().unwrap().status,
            PaymentStatus::Created
        );
        // A history edited by hand to move backwards is not trusted.
        made(&mut conn, "p1", PaymentMode::Test);
        payment::apply_status(
            &mut conn,
            "p1",
            PaymentStatus::Paid,
            1,
            StatusSource::Provider,
        )
        .unwrap();
        conn.execute(
            "INSERT INTO payment_status (payment_id, seq, from_status, to_status, at_ms, source) VALUES ('p1', 2, 'paid', 'open', 2, 'provider')",
            [],
        )
        .unwrap();
        assert!(matches!(
            payment::apply_status(
                &mut conn,
                "p1",
                PaymentStatus::Failed,
                3,
                StatusSource::Provider
            ),
            Err(StoreError::Corrupt { .. })
        ));
    }

    /// Issue 12: "paid" was taken for a payment its provider never answered for, and the
    /// mode was worked out when shown from whichever key was connected by then.
    #[test]
    fn paid_needs_the_providers_answer_and_the_mode_is_recorded_once() {
        let (_dir, path) = temp_db();
        let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
        payment::insert(&mut conn, &hall_rent("p1"), 0).unwrap();
        assert!(matches!(
            payment::apply_status(
                &mut conn,
                "p1",
                PaymentStatus::Paid,
                1,
                StatusSource::Provider
            ),
            Err(StoreError::Forbidden(_))
        ));
        made(&mut conn, "p1", PaymentMode::Test);
        // A second answer (a create repeated after a restart) does not change the mode.
        made(&mut conn, "p1", PaymentMode::Live);
        assert_eq!(
            payment::get(&conn, "p1").unwrap().unwrap().mode,
            Some(PaymentMode::Test)
        );
        // Nor is it given another provider's payment.
        assert!(matches!(
            made_as(&mut conn, "p1", "tr_other", PaymentMode::Test),
            Err(StoreError::Forbidden(_))
        ));
        assert!(!payment::record_mode(&mut conn, "p1", PaymentMode::Live, 3).unwrap());
        assert!(matches!(
            payment::apply_status(
                &mut conn,
                "p1",
                PaymentStatus::Paid,
                2,
                StatusSource::Provider
            ),
            Ok(Applied::Moved(_))
        ));
        // The sandbox never holds real money, whatever answer claims it.
        let sandbox = NewPayment {
            provider: "sandbox".into(),
            ..hall_rent("s1")
        };
        payment::insert(&mut conn, &sandbox, 0).unwrap();
        assert!(made_as(&mut conn, "s1", "tr_s1", PaymentMode::Live).is_err());
        assert_eq!(payment::get(&conn, "s1").unwrap().unwrap().mode, None);
    }

    /// Issue 12: an answer for another amount was stored as "paid".
    #[test]
    fn a_mismatch_is_final_and_audited_with_both_sides() {
        let (_dir, path) = temp_db();
        let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
        payment::insert(&mut conn, &hall_rent("p1"), 0).unwrap();
        made(&mut conn, "p1", PaymentMode::Live);
        let detail = serde_json::json!({ "field": "amount", "asked": "12500", "answered": "1" });
        assert!(matches!(
            payment::record_mismatch(&mut conn, "p1", &detail, 5),
            Ok(Applied::Moved(_))
        ));
        assert_eq!(
            payment::apply_status(
                &mut conn,
                "p1",
                PaymentStatus::Paid,
                6,
                StatusSource::Provider
            )
            .unwrap(),
            Applied::Ignored {
                kept: PaymentStatus::Mismatch
            }
        );
        let p1 = payment::get(&conn, "p1").unwrap().unwrap();
        assert_eq!(p1.status, PaymentStatus::Mismatch);
        assert!(payment::unfinished(&conn).unwrap().is_empty());
        let trail = payment::audit_trail(&conn, "p1").unwrap();
        let mismatch = trail
            .iter()
            .find(|(_, _, action, _)| action == "payment.mismatch")
            .expect("an audit line");
        assert_eq!(mismatch.1, "balie");
        let written: serde_json::Value = serde_json::from_str(&mismatch.3).unwrap();
        assert_eq!(written, detail);
    }

    /// Migration 5 makes the payment table again: every row, status, link to its case
    /// and history survives, and the mode is filled in where it is known.
    #[test]
    fn migration_5_keeps_every_payment_and_fills_the_mode_it_knows() {
        let (_dir, path) = temp_db();
        {
            let four = balie_store::Schema {
                name: "cockpit database",
                application_id: cockpit::SCHEMA.application_id,
                migrations: &cockpit::SCHEMA.migrations[..4],
            };
            let conn = open(&path, &four).unwrap();
            conn.execute_batch(
                "INSERT INTO payment (id, idempotency_key, provider, provider_id, amount_cents, description, status, created_at_ms)
                 VALUES ('a', 'ka', 'sandbox', 'tr_a', 500, 'x', 'paid', 1),
                        ('b', 'kb', 'transfer', NULL, 700, 'y', 'open', 2),
                        ('c', 'kc', 'mollie', 'tr_c', 900, 'z', 'open', 3);
                 INSERT INTO payment_status (payment_id, seq, from_status, to_status, at_ms, source)
                 VALUES ('a', 0, NULL, 'created', 1, 'balie'), ('a', 1, 'created', 'paid', 2, 'provider');",
            )
            .unwrap();
        }
        let conn = open(&path, &cockpit::SCHEMA).unwrap();
        let modes: Vec<_> = ["a", "b", "c"]
            .iter()
            .map(|id| {
                let p = payment::get(&conn, id).unwrap().unwrap();
                (p.status, p.amount.cents(), p.mode)
            })
            .collect();
        assert_eq!(
            modes,
            [
                (PaymentStatus::Paid, 500, Some(PaymentMode::Test)),
                (PaymentStatus::Open, 700, Some(PaymentMode::Live)),
                (PaymentStatus::Open, 900, None)
            ]
        );
        assert_eq!(payment::history(&conn, "a").unwrap().len(), 2);
        let fk: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk, "foreign keys are on again after the migrations");
    }
}
