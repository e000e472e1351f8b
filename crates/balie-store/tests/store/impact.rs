//! Issue 16: a fixture year with known answers for every indicator, computed by hand
//! below, through the real tables: conversations, cases, payments, registers, imports and
//! the catalog's history, read back as facts and turned into figures.
//!
//! It holds an after-hours appointment on the daylight-saving Sunday (29 March 2026), a
//! case handled in two conversations, a refused payment, a skipped survey, a conversation
//! nobody came to, and one just after midnight on 1 April (summer time), which belongs to
//! the second quarter although it is still 31 March in UTC.

use super::temp_db;
use balie_domain::{Money, PaymentMode, PaymentStatus, StatusSource};
use balie_impact::facts::{
    Channel, Figure, FigureKind, IncidentKind, Origin, Place, ProductId, Score,
};
use balie_impact::figures::{ChannelCount, ChannelValue, WeekVisitors};
use balie_impact::{Assumptions, Period, compute};
use balie_store::cockpit::case::{self, CaseStatus, NewCase, NewParty, PartyKind};
use balie_store::cockpit::impact::{
    self, CatalogState, ImportFile, ImportKind, NewIncident, OpenedConversation, SurveyOutcome,
};
use balie_store::cockpit::payment::{self, NewPayment};
use balie_store::{cockpit, open};
use jiff::civil::date;
use jiff::tz::TimeZone;
use rusqlite::Connection;

fn tz() -> TimeZone {
    balie_domain::agenda::brussels().unwrap()
}

/// Brussels wall-clock time as Unix milliseconds.
fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
    date(y, m, d)
        .at(h, min, 0, 0)
        .to_zoned_datetime(tz())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn pid(id: &str) -> Option<ProductId> {
    ProductId::parse(id)
}

struct Talk<'a> {
    room: &'a str,
    origin: Origin,
    product: Option<&'a str>,
    requested: Option<i64>,
    admitted: i64,
    ended: i64,
    outside: Option<bool>,
    place: Option<Place>,
    trip: Option<u32>,
    citizen: Option<u8>,
    clerk: Option<u8>,
}

fn talk(conn: &Connection, t: &Talk<'_>) {
    impact::open_conversation(
        conn,
        &OpenedConversation {
            room_id: t.room.into(),
            origin: t.origin,
            product_id: t.product.map(str::to_owned),
            requested_at_ms: t.requested,
            opened_at_ms: t.admitted - 60_000,
            trip_m: None,
        },
    )
    .unwrap();
    impact::conversation_admitted(conn, t.room, t.admitted, t.outside, t.place).unwrap();
    impact::conversation_ended(conn, t.room, t.ended, t.trip, None).unwrap();
    if let Some(s) = t.citizen {
        let outcome =
            impact::citizen_answered(conn, t.room, Score::new(s).unwrap(), None, t.ended).unwrap();
        assert_eq!(outcome, SurveyOutcome::Stored);
    }
    if let Some(s) = t.clerk {
        impact::clerk_answered(conn, t.room, Score::new(s).unwrap()).unwrap();
    }
}

fn new_case(conn: &mut Connection, number: &str, product: &str, created: i64) -> i64 {
    let party = case::add_party(
        conn,
        &NewParty {
            kind: PartyKind::Citizen,
            name: format!("Burger {number}"),
            enterprise_number: None,
            email: None,
            phone: None,
            address: None,
            external_id: None,
        },
        created,
    )
    .unwrap();
    case::add_case(
        conn,
        &NewCase {
            number: number.into(),
            party_id: party,
            product_id: Some(product.into()),
            title: format!("Vraag {number}"),
            status: CaseStatus::New,
            assigned_clerk: Some("an.peeters".into()),
        },
        "an.peeters",
        created,
    )
    .unwrap()
}

#[allow(clippy::too_many_arguments)] // one payment of the fixture, as a table row
fn pay(
    conn: &mut Connection,
    id: &str,
    provider: &str,
    cents: u64,
    room: Option<&str>,
    mode: PaymentMode,
    asked: i64,
    outcome: Option<(PaymentStatus, i64)>,
) {
    payment::insert(
        conn,
        &NewPayment {
            id: id.into(),
            idempotency_key: format!("key-{id}"),
            provider: provider.into(),
            amount: Money::from_cents(cents),
            description: "Fixture".into(),
            reference: None,
            room_id: room.map(str::to_owned),
            payer_locale: Some("nl".into()),
            mode: Some(mode),
        },
        asked,
    )
    .unwrap();
    let source = if provider == "transfer" {
        StatusSource::Clerk
    } else {
        StatusSource::Provider
    };
    if provider != "transfer" {
        payment::set_provider_payment(
            conn,
            id,
            &payment::Made {
                provider_id: &format!("tr_{id}"),
                checkout_url: None,
                expires_at: None,
                mode,
            },
            asked + 500,
        )
        .unwrap();
        payment::apply_status(conn, id, PaymentStatus::Open, asked + 1_000, source).unwrap();
    }
    if let Some((status, when)) = outcome {
        payment::apply_status(conn, id, status, when, source).unwrap();
    }
}

fn file(kind: ImportKind, name: &str) -> ImportFile {
    ImportFile {
        kind,
        file_name: name.into(),
        sha256: "0".repeat(64),
    }
}

fn figure(
    kind: FigureKind,
    channel: Channel,
    product: Option<&str>,
    from: (i16, i8, i8),
    to: (i16, i8, i8),
    milli: i64,
) -> Figure {
    Figure {
        kind,
        channel,
        product: product.and_then(ProductId::parse),
        from: date(from.0, from.1, from.2),
        to: date(to.0, to.1, to.2),
        value_milli: milli,
    }
}

fn complaint(
    kind: IncidentKind,
    channel: Channel,
    at_ms: i64,
    reference: Option<&str>,
) -> NewIncident {
    NewIncident {
        kind,
        channel,
        at_ms,
        note: String::new(),
        reference: reference.map(str::to_owned),
    }
}

fn fixture_year(conn: &mut Connection) {
    use Origin::*;
    use Place::*;
    let catalog = |digital_feestzaal: bool, melding: bool| {
        let mut v = vec![
            CatalogState {
                product_id: "sociaal-restaurant".into(),
                digital: true,
                takes_payment: true,
            },
            CatalogState {
                product_id: "verkeersborden".into(),
                digital: true,
                takes_payment: true,
            },
            CatalogState {
                product_id: "feestzaal".into(),
                digital: digital_feestzaal,
                takes_payment: true,
            },
        ];
        if melding {
            v.push(CatalogState {
                product_id: "melding".into(),
                digital: true,
                takes_payment: false,
            });
        }
        v
    };
    impact::record_catalog(conn, &catalog(true, false), at(2025, 10, 1, 9, 0)).unwrap();
    // Nothing changed: nothing written.
    assert_eq!(
        impact::record_catalog(conn, &catalog(true, false), at(2026, 1, 5, 9, 0)).unwrap(),
        0
    );
    assert_eq!(
        impact::record_catalog(conn, &catalog(true, true), at(2026, 2, 15, 9, 0)).unwrap(),
        1
    );
    assert_eq!(
        impact::record_catalog(conn, &catalog(false, true), at(2026, 3, 10, 9, 0)).unwrap(),
        1
    );

    // The previous quarter: one conversation (the first ever, so the digital counter's
    // start) and case E, asked then and refused in January.
    talk(
        conn,
        &Talk {
            room: "r8",
            origin: Direct,
            product: Some("sociaal-restaurant"),
            requested: None,
            admitted: at(2025, 11, 5, 10, 0),
            ended: at(2025, 11, 5, 10, 20),
            outside: Some(false),
            place: Some(Office),
            trip: None,
            citizen: Some(4),
            clerk: None,
        },
    );
    let e = new_case(
        conn,
        "2025-000001",
        "sociaal-restaurant",
        at(2025, 12, 20, 10, 0),
    );
    case::set_status(
        conn,
        e,
        CaseStatus::Refused,
        "an.peeters",
        at(2026, 1, 5, 11, 0),
    )
    .unwrap();

    // C1 and case A, handled in one go during the call.
    let a = new_case(
        conn,
        "2026-000001",
        "sociaal-restaurant",
        at(2026, 1, 12, 9, 50),
    );
    case::link_room(conn, a, "r1", "an.peeters", at(2026, 1, 12, 9, 59)).unwrap();
    talk(
        conn,
        &Talk {
            room: "r1",
            origin: Direct,
            product: None,
            requested: None,
            admitted: at(2026, 1, 12, 10, 0),
            ended: at(2026, 1, 12, 10, 15),
            outside: Some(false),
            place: Some(Office),
            trip: Some(4_200),
            citizen: Some(5),
            clerk: Some(4),
        },
    );
    case::mark_handled_in_one_go(conn, a, "an.peeters", at(2026, 1, 12, 10, 20)).unwrap();
    pay(
        conn,
        "p1",
        "sandbox",
        6_000,
        Some("r1"),
        PaymentMode::Test,
        at(2026, 1, 12, 10, 5),
        Some((PaymentStatus::Paid, at(2026, 1, 12, 10, 5) + 90_000)),
    );

    // C2 and C4: case B, booked on 20 January, handled in two conversations; the second on
    // the daylight-saving Sunday, after hours.
    let b = new_case(conn, "2026-000002", "feestzaal", at(2026, 2, 3, 18, 25));
    case::link_room(conn, b, "r2", "an.peeters", at(2026, 2, 3, 18, 26)).unwrap();
    talk(
        conn,
        &Talk {
            room: "r2",
            origin: Appointment,
            product: Some("feestzaal"),
            requested: Some(at(2026, 1, 20, 9, 0)),
            admitted: at(2026, 2, 3, 18, 30),
            ended: at(2026, 2, 3, 18, 50),
            outside: Some(true),
            place: Some(Home),
            trip: None,
            citizen: Some(4),
            clerk: None,
        },
    );
    pay(
        conn,
        "p3",
        "bancontact",
        25_000,
        Some("r2"),
        PaymentMode::Live,
        at(2026, 2, 3, 18, 40),
        Some((PaymentStatus::Paid, at(2026, 2, 3, 18, 40) + 100_000)),
    );
    case::link_room(conn, b, "r4", "an.peeters", at(2026, 3, 29, 10, 25)).unwrap();
    talk(
        conn,
        &Talk {
            room: "r4",
            origin: Appointment,
            product: Some("feestzaal"),
            requested: Some(at(2026, 3, 20, 12, 0)),
            admitted: at(2026, 3, 29, 10, 30),
            ended: at(2026, 3, 29, 10, 55),
            outside: Some(true),
            place: Some(Elsewhere),
            trip: Some(1_000),
            citizen: Some(2),
            clerk: None,
        },
    );
    pay(
        conn,
        "p4",
        "stripe",
        25_000,
        Some("r4"),
        PaymentMode::Live,
        at(2026, 3, 29, 10, 40),
        Some((PaymentStatus::Paid, at(2026, 3, 30, 9, 0))),
    );
    case::set_status(
        conn,
        b,
        CaseStatus::Approved,
        "an.peeters",
        at(2026, 3, 29, 10, 50),
    )
    .unwrap();

    // C3: a walk-in, case C; the citizen skipped the survey; the payment was refused.
    let c = new_case(
        conn,
        "2026-000003",
        "verkeersborden",
        at(2026, 2, 10, 14, 25),
    );
    case::link_room(conn, c, "r3", "an.peeters", at(2026, 2, 10, 14, 19)).unwrap();
    talk(
        conn,
        &Talk {
            room: "r3",
            origin: WalkIn,
            product: Some("verkeersborden"),
            requested: Some(at(2026, 2, 10, 14, 0)),
            admitted: at(2026, 2, 10, 14, 20),
            ended: at(2026, 2, 10, 14, 40),
            outside: Some(false),
            place: Some(Office),
            trip: Some(12_000),
            citizen: None,
            clerk: Some(3),
        },
    );
    pay(
        conn,
        "p2",
        "mollie",
        4_500,
        Some("r3"),
        PaymentMode::Live,
        at(2026, 2, 10, 14, 30),
        Some((PaymentStatus::Failed, at(2026, 2, 10, 14, 31))),
    );
    case::set_status(
        conn,
        c,
        CaseStatus::Closed,
        "an.peeters",
        at(2026, 2, 12, 9, 0),
    )
    .unwrap();

    // Case D: asked, never handled.
    new_case(
        conn,
        "2026-000004",
        "sociaal-restaurant",
        at(2026, 3, 2, 10, 0),
    );

    // C5 at 23:30 on 31 March (summer time) with the hours unknown; C6 an hour later, on
    // 1 April; C7 nobody came to.
    talk(
        conn,
        &Talk {
            room: "r5",
            origin: Direct,
            product: None,
            requested: None,
            admitted: at(2026, 3, 31, 23, 30),
            ended: at(2026, 3, 31, 23, 45),
            outside: None,
            place: Some(Home),
            trip: None,
            citizen: Some(3),
            clerk: None,
        },
    );
    talk(
        conn,
        &Talk {
            room: "r6",
            origin: Direct,
            product: None,
            requested: None,
            admitted: at(2026, 4, 1, 0, 30),
            ended: at(2026, 4, 1, 0, 45),
            outside: Some(true),
            place: Some(Home),
            trip: None,
            citizen: None,
            clerk: None,
        },
    );
    impact::open_conversation(
        conn,
        &OpenedConversation {
            room_id: "r7".into(),
            origin: Direct,
            product_id: None,
            requested_at_ms: None,
            opened_at_ms: at(2026, 2, 20, 9, 0),
            trip_m: None,
        },
    )
    .unwrap();
    pay(
        conn,
        "p6",
        "mollie",
        1_000,
        Some("r7"),
        PaymentMode::Live,
        at(2026, 2, 20, 9, 5),
        None,
    );
    // From the dossier, no call.
    pay(
        conn,
        "p5",
        "transfer",
        5_000,
        None,
        PaymentMode::Live,
        at(2026, 3, 3, 9, 0),
        Some((PaymentStatus::Paid, at(2026, 3, 5, 9, 0))),
    );

    // Registers.
    impact::add_incident(
        conn,
        &complaint(
            IncidentKind::ComplaintAfterHours,
            Channel::Phone,
            at(2026, 1, 15, 9, 0),
            None,
        ),
        "an.peeters",
        at(2026, 1, 15, 9, 5),
    )
    .unwrap();
    impact::add_incident(
        conn,
        &complaint(
            IncidentKind::Complaint,
            Channel::Email,
            at(2026, 2, 2, 9, 0),
            None,
        ),
        "an.peeters",
        at(2026, 2, 2, 9, 5),
    )
    .unwrap();
    impact::add_incident(
        conn,
        &complaint(
            IncidentKind::Aggression,
            Channel::Digital,
            at(2026, 2, 20, 11, 0),
            None,
        ),
        "an.peeters",
        at(2026, 2, 20, 11, 5),
    )
    .unwrap();
    impact::add_incident(
        conn,
        &complaint(
            IncidentKind::Aggression,
            Channel::FrontDesk,
            at(2026, 3, 3, 11, 0),
            None,
        ),
        "an.peeters",
        at(2026, 3, 3, 11, 5),
    )
    .unwrap();
    impact::add_incident(
        conn,
        &complaint(
            IncidentKind::Aggression,
            Channel::FrontDesk,
            at(2026, 3, 4, 11, 0),
            None,
        ),
        "an.peeters",
        at(2026, 3, 4, 11, 5),
    )
    .unwrap();
    impact::add_incident(
        conn,
        &complaint(
            IncidentKind::Aggression,
            Channel::FrontDesk,
            at(2025, 12, 4, 11, 0),
            None,
        ),
        "an.peeters",
        at(2025, 12, 4, 11, 5),
    )
    .unwrap();
    // Imported complaints: six after-hours ones in the year before November 2025, one
    // after, and one from before that year (not counted).
    let mut imported: Vec<NewIncident> = [
        (2024, 11, 3),
        (2025, 1, 7),
        (2025, 2, 9),
        (2025, 5, 1),
        (2025, 8, 30),
        (2025, 10, 31),
    ]
    .iter()
    .enumerate()
    .map(|(i, (y, m, d))| {
        complaint(
            IncidentKind::ComplaintAfterHours,
            Channel::Phone,
            at(*y, *m, *d, 12, 0),
            Some(&format!("K-{i}")),
        )
    })
    .collect();
    imported.push(complaint(
        IncidentKind::ComplaintAfterHours,
        Channel::Email,
        at(2025, 12, 10, 12, 0),
        Some("K-6"),
    ));
    imported.push(complaint(
        IncidentKind::ComplaintAfterHours,
        Channel::Email,
        at(2024, 10, 31, 12, 0),
        Some("K-7"),
    ));
    let (_, added) = impact::import_complaints(
        conn,
        &file(ImportKind::Complaints, "klachten.csv"),
        &imported,
        "an.peeters",
        at(2026, 4, 2, 9, 0),
    )
    .unwrap();
    assert_eq!(added, 8);
    // The same file again adds nothing.
    let (_, again) = impact::import_complaints(
        conn,
        &file(ImportKind::Complaints, "klachten.csv"),
        &imported,
        "an.peeters",
        at(2026, 4, 2, 9, 1),
    )
    .unwrap();
    assert_eq!(again, 0);

    use FigureKind::*;
    let rows = vec![
        figure(
            Visitors,
            Channel::FrontDesk,
            None,
            (2026, 1, 12),
            (2026, 1, 18),
            410_000,
        ),
        figure(
            Visitors,
            Channel::FrontDesk,
            None,
            (2026, 2, 2),
            (2026, 2, 2),
            80_000,
        ),
        figure(
            Visitors,
            Channel::FrontDesk,
            None,
            (2026, 2, 3),
            (2026, 2, 3),
            75_000,
        ),
        figure(
            Visitors,
            Channel::FrontDesk,
            None,
            (2025, 12, 29),
            (2026, 1, 4),
            300_000,
        ),
        figure(
            ThroughputDays,
            Channel::FrontDesk,
            Some("feestzaal"),
            (2026, 1, 1),
            (2026, 3, 31),
            21_500,
        ),
        figure(
            ThroughputDays,
            Channel::Email,
            None,
            (2026, 1, 1),
            (2026, 3, 31),
            9_000,
        ),
        figure(
            ClerkSatisfaction,
            Channel::FrontDesk,
            None,
            (2026, 1, 1),
            (2026, 3, 31),
            3_200,
        ),
        figure(
            ClerkSatisfaction,
            Channel::FrontDesk,
            None,
            (2026, 2, 1),
            (2026, 2, 28),
            3_600,
        ),
        figure(
            Contacts,
            Channel::Phone,
            None,
            (2026, 1, 1),
            (2026, 3, 31),
            1_200_000,
        ),
        figure(
            Contacts,
            Channel::FrontDesk,
            None,
            (2026, 1, 1),
            (2026, 1, 31),
            950_000,
        ),
        figure(
            Contacts,
            Channel::Digital,
            None,
            (2026, 1, 1),
            (2026, 3, 31),
            999_000,
        ),
    ];
    impact::import_figures(
        conn,
        &file(ImportKind::Figures, "kanalen.csv"),
        &rows,
        "an.peeters",
        at(2026, 4, 2, 9, 2),
    )
    .unwrap();
}

fn figures_for(conn: &Connection, period: &Period) -> balie_impact::Figures {
    let (start, end) = period.bounds_ms(&tz());
    let facts = impact::facts(conn, start, end, &tz()).unwrap();
    compute(&facts, period, &tz(), &Assumptions::default())
}

#[test]
fn every_indicator_of_the_fixture_quarter_has_its_hand_computed_value() {
    let (_dir, path) = temp_db();
    let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
    fixture_year(&mut conn);
    let q1 = Period::quarter(date(2026, 2, 1)).unwrap();
    let f = figures_for(&conn, &q1);

    // 1. C1–C5 took place (C6 is April, C7 had nobody); C1, C3, C4 had a postcode:
    // 2 × (4,200 + 5,000 + 12,000 + 1,000 + 5,000) = 54,400 m; × 165 g/km = 8,976 g;
    // × €0.4320/km = €23.5008 → 2,350 cents.
    assert_eq!(f.trips.conversations, 5);
    assert_eq!(f.trips.from_postcode, 3);
    assert_eq!(f.trips.round_trip_m, 54_400);
    assert_eq!(f.trips.co2_g, 8_976);
    assert_eq!(f.trips.cost_cents, 2_350);

    // 2. Outside: C2 and C4 (both appointments); C5's hours unknown.
    assert_eq!(
        (
            f.after_hours.outside,
            f.after_hours.unknown,
            f.after_hours.appointments,
            f.after_hours.appointments_outside
        ),
        (2, 1, 2, 2)
    );

    // 3. Handled in Q1: A 30 min = 1,800 s; C 14:00 on 10 Feb → 09:00 on 12 Feb = 43 h =
    // 154,800 s; E 10:00 on 20 Dec → 11:00 on 5 Jan = 16 d 1 h = 1,386,000 s; B from its
    // booking (09:00 CET on 20 Jan = 08:00 UTC) to 10:50 CEST on 29 Mar (08:50 UTC) =
    // 68 d 50 min = 5,878,200 s. Median of four: (154,800 + 1,386,000) / 2 = 770,400;
    // p90 = the ⌈3.6⌉ = 4th = 5,878,200.
    let overall = &f.throughput[0];
    assert_eq!(overall.product, None);
    assert_eq!(
        (overall.handled, overall.median_s, overall.p90_s),
        (4, Some(770_400), Some(5_878_200))
    );
    let of = |p: &str| f.throughput.iter().find(|t| t.product == pid(p)).unwrap();
    assert_eq!(
        (
            of("sociaal-restaurant").median_s,
            of("sociaal-restaurant").p90_s
        ),
        (Some(693_900), Some(1_386_000))
    );
    assert_eq!(of("feestzaal").median_s, Some(5_878_200));
    assert_eq!(of("verkeersborden").median_s, Some(154_800));

    // 4. Scores 5, 4, 2, 3 (C3 skipped): 4 of 5, mean 3.5.
    assert_eq!(f.citizen_satisfaction.answered, 4);
    assert_eq!(f.citizen_satisfaction.conversations, 5);
    assert_eq!(f.citizen_satisfaction.average_milli, Some(3_500));
    assert_eq!(f.citizen_satisfaction.distribution, [0, 1, 1, 1, 1]);

    // 5. In Q1: one after-hours complaint (15 Jan) of two. Started 5 Nov 2025 (the first
    // conversation): the 12 months before November 2025 held 6 → 0.5 a month; from 5 Nov
    // to 31 Mar (147 days) 2 → 2 × 30.4375 / 147 = 0.414.
    assert_eq!((f.complaints.after_hours, f.complaints.all), (1, 2));
    assert_eq!(f.complaints.digital_since, Some(date(2025, 11, 5)));
    assert_eq!(f.complaints.per_month_before_milli, Some(500));
    assert_eq!(f.complaints.per_month_after_milli, Some(414));

    // 6.
    let w = f.clerk_work;
    assert_eq!(
        (w.office, w.home, w.elsewhere, w.unknown, w.outside_hours),
        (2, 2, 1, 0, 2)
    );

    // 7. Fourteen weeks touch Q1 (29 Dec to 30 Mar); the row of the week of 29 December
    // starts before the quarter and is not counted.
    assert_eq!(f.visitors.len(), 14);
    let week = |m: i8, d: i8| {
        f.visitors
            .iter()
            .find(|v| v.week == date(2026, m, d))
            .cloned()
            .unwrap()
    };
    assert_eq!(
        f.visitors[0],
        WeekVisitors {
            week: date(2025, 12, 29),
            front_desk: None,
            digital: 0
        }
    );
    assert_eq!(
        week(1, 12),
        WeekVisitors {
            week: date(2026, 1, 12),
            front_desk: Some(410),
            digital: 1
        }
    );
    assert_eq!(
        week(2, 2),
        WeekVisitors {
            week: date(2026, 2, 2),
            front_desk: Some(155),
            digital: 1
        }
    );
    assert_eq!(
        (
            week(2, 9).digital,
            week(3, 23).digital,
            week(3, 30).digital,
            week(1, 5).digital
        ),
        (1, 1, 1, 0)
    );

    // 8. Email 9 days = 777,600 s for all products; the front desk 21.5 days = 1,857,600 s
    // for the party hall.
    let all = f
        .throughput_channels
        .iter()
        .find(|t| t.product.is_none())
        .unwrap();
    assert_eq!(all.digital_median_s, Some(770_400));
    assert_eq!(
        all.other,
        vec![ChannelValue {
            channel: Channel::Email,
            value: 777_600
        }]
    );
    let hall = f
        .throughput_channels
        .iter()
        .find(|t| t.product == pid("feestzaal"))
        .unwrap();
    assert_eq!(
        hall.other,
        vec![ChannelValue {
            channel: Channel::FrontDesk,
            value: 1_857_600
        }]
    );

    // 9. Clerk scores 4 and 3; the front desk (3.2 + 3.6) / 2 = 3.4.
    assert_eq!(f.clerk_satisfaction.digital.answered, 2);
    assert_eq!(f.clerk_satisfaction.digital.average_milli, Some(3_500));
    assert_eq!(
        f.clerk_satisfaction.other,
        vec![ChannelValue {
            channel: Channel::FrontDesk,
            value: 3_400
        }]
    );

    // 10. One on the digital counter, two at the front desk (December's is not Q1's).
    assert_eq!(
        f.aggression,
        vec![
            ChannelCount {
                channel: Channel::Digital,
                count: 1
            },
            ChannelCount {
                channel: Channel::FrontDesk,
                count: 2
            }
        ]
    );

    // 11. January: 3 digital, 3 paid; February: the free 'melding' joins (4, 3); March:
    // the party hall leaves the digital counter (3, 2).
    let points: Vec<_> = f
        .catalog
        .iter()
        .map(|p| (p.day, p.digital, p.takes_payment))
        .collect();
    assert_eq!(
        points,
        vec![
            (date(2026, 1, 31), 3, 3),
            (date(2026, 2, 28), 4, 3),
            (date(2026, 3, 31), 3, 2)
        ]
    );

    // 12. Our own count for the digital counter (the imported one is ignored).
    assert_eq!(
        f.channels,
        vec![
            ChannelCount {
                channel: Channel::Digital,
                count: 5
            },
            ChannelCount {
                channel: Channel::FrontDesk,
                count: 950
            },
            ChannelCount {
                channel: Channel::Phone,
                count: 1_200
            },
        ]
    );

    // 13. Only A in one go.
    let one_go: Vec<_> = f
        .one_go
        .iter()
        .map(|o| (o.product.clone(), o.handled, o.in_one_go))
        .collect();
    assert_eq!(
        one_go,
        vec![
            (None, 4, 1),
            (pid("feestzaal"), 1, 0),
            (pid("sociaal-restaurant"), 2, 1),
            (pid("verkeersborden"), 1, 0),
        ]
    );

    // 14. Asked in a call with a citizen: p1–p4 (p5 from the dossier, p6 nobody came).
    // Paid: p1 (test money, 90 s, in the call), p3 (100 s, in the call), p4 (the next
    // morning: 22 h 20 min = 80,400 s). Median of 90, 100, 80,400 = 100 s.
    let p = f.payments;
    assert_eq!(
        (p.asked, p.paid, p.paid_cents, p.test_cents),
        (4, 3, 50_000, 6_000)
    );
    assert_eq!((p.median_to_paid_s, p.reminders_avoided), (Some(100), 2));
}

#[test]
fn the_quarters_before_and_after_see_only_their_own_days() {
    let (_dir, path) = temp_db();
    let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
    fixture_year(&mut conn);
    let q1 = Period::quarter(date(2026, 2, 1)).unwrap();
    let q4 = figures_for(&conn, &q1.previous().unwrap());
    assert_eq!(q4.trips.conversations, 1);
    assert_eq!(q4.citizen_satisfaction.average_milli, Some(4_000));
    assert_eq!(q4.throughput[0].handled, 0);
    let q2 = figures_for(&conn, &Period::quarter(date(2026, 4, 1)).unwrap());
    // C6 at 00:30 on 1 April in Brussels (22:30 UTC on 31 March).
    assert_eq!(q2.trips.conversations, 1);
    assert_eq!(q2.after_hours.outside, 1);
}

#[test]
fn a_survey_is_taken_once_and_only_about_a_conversation_with_a_citizen() {
    let (_dir, path) = temp_db();
    let conn = open(&path, &cockpit::SCHEMA).unwrap();
    let five = Score::new(5).unwrap();
    assert_eq!(
        impact::citizen_answered(&conn, "nowhere", five, None, 1).unwrap(),
        SurveyOutcome::NoConversation
    );
    impact::open_conversation(
        &conn,
        &OpenedConversation {
            room_id: "r".into(),
            origin: Origin::Direct,
            product_id: None,
            requested_at_ms: None,
            opened_at_ms: 1,
            trip_m: None,
        },
    )
    .unwrap();
    // Nobody was let in yet.
    assert_eq!(
        impact::citizen_answered(&conn, "r", five, None, 2).unwrap(),
        SurveyOutcome::NoConversation
    );
    impact::conversation_admitted(&conn, "r", 3, Some(false), None).unwrap();
    assert_eq!(
        impact::citizen_answered(&conn, "r", five, Some("Vlot geholpen"), 4).unwrap(),
        SurveyOutcome::Stored
    );
    let one = Score::new(1).unwrap();
    assert_eq!(
        impact::citizen_answered(&conn, "r", one, None, 5).unwrap(),
        SurveyOutcome::AlreadyAnswered
    );
    assert_eq!(
        impact::clerk_answered(&conn, "r", one).unwrap(),
        SurveyOutcome::Stored
    );
    assert_eq!(
        impact::clerk_answered(&conn, "r", five).unwrap(),
        SurveyOutcome::AlreadyAnswered
    );
    let stored: (u8, String, u8) = conn
        .query_row("SELECT citizen_score, citizen_comment, clerk_score FROM conversation WHERE room_id = 'r'", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!(stored, (5, "Vlot geholpen".into(), 1));
    // The table refuses what the checks upstream should have: an over-long comment.
    impact::open_conversation(
        &conn,
        &OpenedConversation {
            room_id: "s".into(),
            origin: Origin::Direct,
            product_id: None,
            requested_at_ms: None,
            opened_at_ms: 1,
            trip_m: None,
        },
    )
    .unwrap();
    impact::conversation_admitted(&conn, "s", 3, None, None).unwrap();
    assert!(impact::citizen_answered(&conn, "s", five, Some(&"x".repeat(501)), 4).is_err());
    let kept: Option<u8> = conn
        .query_row(
            "SELECT citizen_score FROM conversation WHERE room_id = 's'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, None);
}

#[test]
fn the_clerk_is_asked_the_place_and_the_survey_once_a_day() {
    let (_dir, path) = temp_db();
    let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
    let day = date(2026, 3, 2);
    assert_eq!(
        impact::clerk_day(&conn, day).unwrap(),
        impact::ClerkDay::default()
    );
    impact::open_conversation(
        &conn,
        &OpenedConversation {
            room_id: "r".into(),
            origin: Origin::Direct,
            product_id: None,
            requested_at_ms: None,
            opened_at_ms: at(2026, 3, 2, 9, 0),
            trip_m: None,
        },
    )
    .unwrap();
    impact::conversation_admitted(&conn, "r", at(2026, 3, 2, 9, 1), Some(false), None).unwrap();
    let (start, end) = Period::custom(day, day).unwrap().bounds_ms(&tz());
    impact::set_place(&mut conn, day, Place::Home, start, end).unwrap();
    assert_eq!(
        impact::clerk_day(&conn, day).unwrap().place,
        Some(Place::Home)
    );
    let place: String = conn
        .query_row(
            "SELECT place FROM conversation WHERE room_id = 'r'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(place, "home");
    assert!(impact::mark_surveyed(&conn, day, "r").unwrap());
    assert!(!impact::mark_surveyed(&conn, day, "r2").unwrap());
    assert_eq!(
        impact::clerk_day(&conn, day)
            .unwrap()
            .surveyed_room
            .as_deref(),
        Some("r")
    );
    assert!(impact::mark_surveyed(&conn, date(2026, 3, 3), "r3").unwrap());
}
