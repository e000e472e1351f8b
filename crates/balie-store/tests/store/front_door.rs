//! The front door's tables: products and who serves them, hours, appointments.

use balie_domain::Money;
use balie_domain::agenda::DayHours;
use balie_store::relay::{self, appointment, hours, product};
use jiff::civil::{Weekday, date};

fn relay_db() -> (tempfile::TempDir, rusqlite::Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = balie_store::open(&dir.path().join("relay.sqlite3"), &relay::SCHEMA).unwrap();
    (dir, conn)
}

fn clerk(conn: &rusqlite::Connection, name: &str) -> i64 {
    let digest = balie_store_digest(name);
    relay::clerk::add(conn, name, &digest).unwrap().unwrap()
}

fn balie_store_digest(name: &str) -> [u8; 32] {
    let mut d = [0u8; 32];
    for (i, b) in name.bytes().enumerate() {
        d[i % 32] ^= b.wrapping_add(i as u8);
    }
    d
}

fn meals(served_by: Vec<product::ServedBy>) -> product::Product {
    product::Product {
        id: "sociaal-restaurant".into(),
        name: product::Texts {
            nl: "Sociaal restaurant".into(),
            fr: "Restaurant social".into(),
            en: "Social restaurant".into(),
        },
        prepare: product::Texts::default(),
        price: Money::from_cents(6000),
        duration_minutes: 20,
        digital: true,
        position: 1,
        served_by,
        changed_at: 0,
        identity_required: false,
    }
}

#[test]
fn a_product_is_served_by_its_named_clerks_and_its_teams_members_only() {
    let (_dir, conn) = relay_db();
    let an = clerk(&conn, "an@zonnedorp.be");
    let bert = clerk(&conn, "bert@zonnedorp.be");
    let carla = clerk(&conn, "carla@zonnedorp.be");
    assert!(product::set_teams(&conn, "bert@zonnedorp.be", &["welzijn".into()]).unwrap());
    assert!(product::set_teams(&conn, "carla@zonnedorp.be", &["burgerzaken".into()]).unwrap());
    let p = meals(vec![
        product::ServedBy::Clerk("an@zonnedorp.be".into()),
        product::ServedBy::Team("welzijn".into()),
    ]);
    assert!(product::put(&conn, &p).unwrap(), "new");
    assert_eq!(product::server_ids(&conn, &p.id).unwrap(), vec![an, bert]);
    assert_eq!(
        product::served_by_clerk(&conn, bert).unwrap(),
        vec![p.id.clone()]
    );
    assert!(product::served_by_clerk(&conn, carla).unwrap().is_empty());
    // A revoked clerk serves nothing.
    relay::clerk::revoke(&conn, "an@zonnedorp.be").unwrap();
    assert_eq!(product::server_ids(&conn, &p.id).unwrap(), vec![bert]);
    // A clerk who does not exist is refused and nothing changes.
    let wrong = meals(vec![product::ServedBy::Clerk("nobody".into())]);
    assert!(product::put(&conn, &wrong).is_err());
    assert_eq!(
        product::get(&conn, &p.id).unwrap().unwrap().served_by.len(),
        2
    );
    // Removed: no longer offered, its row kept for the appointments that name it.
    assert!(product::remove(&conn, &p.id).unwrap());
    assert!(product::get(&conn, &p.id).unwrap().is_none());
    assert!(product::list(&conn, false).unwrap().is_empty());
    assert!(!product::put(&conn, &p).unwrap(), "back, not new");
}

#[test]
fn hours_and_availability_read_back_as_written() {
    let (_dir, conn) = relay_db();
    let an = clerk(&conn, "an");
    let morning: DayHours = "09:00-12:00".parse().unwrap();
    hours::set_opening_weekday(&conn, Weekday::Monday, &morning).unwrap();
    hours::set_opening_exception(&conn, date(2026, 12, 25), &DayHours::closed(), "Kerstmis")
        .unwrap();
    let opening = hours::opening(&conn).unwrap();
    assert_eq!(opening.calendar.weekday(Weekday::Monday), &morning);
    assert!(opening.calendar.on(date(2026, 12, 25)).is_closed());
    assert_eq!(opening.notes[&date(2026, 12, 25)], "Kerstmis");
    assert!(hours::remove_opening_exception(&conn, date(2026, 12, 25)).unwrap());

    let mut available = balie_domain::agenda::Calendar::default();
    available.set_weekday(Weekday::Tuesday, "18:00-21:00".parse().unwrap());
    available.set_exception(date(2026, 11, 1), DayHours::closed());
    available.set_exception(date(2026, 12, 24), DayHours::closed());
    hours::set_availability(&conn, an, &available, date(2026, 12, 1)).unwrap();
    let back = hours::availability(&conn, an).unwrap();
    assert_eq!(back.weekday(Weekday::Tuesday).to_string(), "18:00-21:00");
    // The past exception was dropped, the coming one kept.
    assert_eq!(
        back.exceptions().keys().copied().collect::<Vec<_>>(),
        [date(2026, 12, 24)]
    );
}

#[test]
fn a_clerk_never_has_two_booked_appointments_starting_at_once() {
    let (_dir, conn) = relay_db();
    let an = clerk(&conn, "an");
    product::put(&conn, &meals(vec![])).unwrap();
    let first = appointment::Appointment {
        id: "a1".into(),
        product_id: "sociaal-restaurant".into(),
        clerk_id: an,
        starts_at: 1_000_000,
        ends_at: 1_001_200,
        outside_hours: false,
        status: appointment::Status::Booked,
        name: "Dirk".into(),
        email: Some("dirk@example.be".into()),
        phone: None,
        locale: "nl".into(),
        question: String::new(),
        room_id: "r1".into(),
        moved_from: None,
        created_at: 900_000,
        postcode: None,
    };
    assert!(appointment::insert(&conn, &first, &[1; 32]).unwrap());
    let second = appointment::Appointment {
        id: "a2".into(),
        room_id: "r2".into(),
        ..first.clone()
    };
    assert!(
        !appointment::insert(&conn, &second, &[2; 32]).unwrap(),
        "same start refused"
    );
    assert_eq!(
        appointment::busy(&conn, an, 1_001_000, 1_002_000).unwrap(),
        vec![(1_000_000, 1_001_200)]
    );
    assert!(
        appointment::busy(&conn, an, 1_001_200, 1_002_000)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        appointment::upcoming_for_contact(&conn, Some("dirk@example.be"), None, 999_999).unwrap(),
        1
    );
    assert_eq!(
        appointment::find_by_manage(&conn, &[1; 32])
            .unwrap()
            .unwrap()
            .id,
        "a1"
    );
    // Cancelled once; the second click changes nothing; the moment is free again.
    assert!(appointment::withdraw(&conn, "a1", appointment::Status::Canceled, 950_000).unwrap());
    assert!(!appointment::withdraw(&conn, "a1", appointment::Status::Moved, 950_001).unwrap());
    assert_eq!(
        appointment::find(&conn, "a1").unwrap().unwrap().status,
        appointment::Status::Canceled
    );
    assert!(appointment::insert(&conn, &second, &[2; 32]).unwrap());
    // Retention: gone with its citizen data once its moment is long past.
    assert_eq!(appointment::purge(&conn, 1_001_201).unwrap(), 2);
    assert!(appointment::find(&conn, "a2").unwrap().is_none());
}

#[test]
fn a_queued_mail_is_claimed_by_one_relay_retried_and_goes_with_its_appointment() {
    use relay::mail::{self, Kind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.sqlite3");
    let conn = balie_store::open(&path, &relay::SCHEMA).unwrap();
    // A second relay on the same database.
    let other = balie_store::open(&path, &relay::SCHEMA).unwrap();
    let an = clerk(&conn, "an");
    product::put(&conn, &meals(vec![])).unwrap();
    let a = appointment::Appointment {
        id: "a1".into(),
        product_id: "sociaal-restaurant".into(),
        clerk_id: an,
        starts_at: 1_000_000,
        ends_at: 1_001_200,
        outside_hours: false,
        status: appointment::Status::Booked,
        name: "Dirk".into(),
        email: Some("dirk@example.be".into()),
        phone: None,
        locale: "nl".into(),
        question: String::new(),
        room_id: "r1".into(),
        moved_from: None,
        created_at: 900_000,
        postcode: None,
    };
    assert!(appointment::insert(&conn, &a, &[1; 32]).unwrap());
    mail::enqueue(&conn, "a1", Kind::Confirmation, 900_000, Some("token")).unwrap();
    mail::enqueue(&conn, "a1", Kind::Reminder, 996_400, Some("token")).unwrap();

    // Only what is due, and only by the first relay that asks.
    let claimed = mail::claim_due(&conn, 900_010, 120, 10).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].kind, Kind::Confirmation);
    assert_eq!(claimed[0].manage_token.as_deref(), Some("token"));
    assert!(
        mail::claim_due(&other, 900_010, 120, 10)
            .unwrap()
            .is_empty()
    );
    // A failed attempt waits for its retry, then it may be claimed again.
    mail::mark_failed(
        &conn,
        claimed[0].id,
        900_011,
        "could not take it now",
        Some(900_071),
    )
    .unwrap();
    assert!(
        mail::claim_due(&other, 900_070, 120, 10)
            .unwrap()
            .is_empty()
    );
    let again = mail::claim_due(&other, 900_071, 120, 10).unwrap();
    assert_eq!(again[0].attempts, 1);
    mail::mark_sent(&other, again[0].id, 900_072).unwrap();
    let seen = mail::deliveries(&conn, "a1").unwrap();
    assert_eq!(seen[0].sent_at, Some(900_072));
    assert_eq!(seen[0].last_error, None);
    assert_eq!(seen[0].attempts, 2);
    // Cancelled: the reminder is dropped, what was sent stays for the clerk.
    assert_eq!(mail::drop_unsent(&conn, "a1").unwrap(), 1);
    assert_eq!(mail::deliveries(&conn, "a1").unwrap().len(), 1);
    // Given up on: kept with its error, without the token.
    mail::enqueue(&conn, "a1", Kind::Canceled, 950_000, None).unwrap();
    let c = mail::claim_due(&conn, 950_000, 120, 10).unwrap();
    mail::mark_failed(&conn, c[0].id, 950_001, "refused (550)", None).unwrap();
    assert!(mail::claim_due(&conn, 990_000, 120, 10).unwrap().is_empty());
    assert_eq!(
        mail::deliveries(&conn, "a1").unwrap()[1].failed_at,
        Some(950_001)
    );
    // Purged with its appointment.
    appointment::purge(&conn, 1_001_201).unwrap();
    assert!(mail::deliveries(&conn, "a1").unwrap().is_empty());
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM mail_outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}
