//! Case files: parties, cases, notes, the audit trail, the room link, retention, search.

use super::temp_db;
use balie_domain::EnterpriseNumber;
use balie_store::cockpit::case::{self, CaseStatus, NewCase, NewParty, PartyKind};
use balie_store::{cockpit, open};
use rusqlite::Connection;

fn party(conn: &Connection, kind: PartyKind, name: &str, number: Option<&str>) -> i64 {
    case::add_party(
        conn,
        &NewParty {
            kind,
            name: name.into(),
            enterprise_number: number.map(|n| EnterpriseNumber::parse(n).unwrap()),
            email: None,
            phone: None,
            address: None,
            external_id: None,
        },
        1,
    )
    .unwrap()
}

fn case(conn: &mut Connection, party_id: i64, number: &str, title: &str, at: i64) -> i64 {
    case::add_case(
        conn,
        &NewCase {
            number: number.into(),
            party_id,
            product_id: None,
            title: title.into(),
            status: CaseStatus::New,
            assigned_clerk: Some("an.peeters".into()),
        },
        "an.peeters",
        at,
    )
    .unwrap()
}

fn numbers(found: &[case::CaseSummary]) -> Vec<&str> {
    found.iter().map(|c| c.number.as_str()).collect()
}

#[test]
fn a_case_keeps_its_party_notes_calls_and_who_viewed_or_changed_it() {
    let (_dir, path) = temp_db();
    let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
    let garage = party(
        &conn,
        PartyKind::Company,
        "Garage Peeters",
        Some("0203.201.340"),
    );
    assert_eq!(case::next_number(&conn, 2026).unwrap(), "2026-000001");
    let id = case(
        &mut conn,
        garage,
        "2026-000001",
        "Opendeurdag: verkeersborden",
        10,
    );
    assert_eq!(case::next_number(&conn, 2026).unwrap(), "2026-000002");
    assert_eq!(case::by_number(&conn, " 2026-000001 ").unwrap(), Some(id));

    case::add_note(
        &mut conn,
        id,
        "an.peeters",
        "Het college keurde de aanvraag goed.",
        20,
    )
    .unwrap();
    case::set_status(&mut conn, id, CaseStatus::Approved, "an.peeters", 30).unwrap();
    case::link_room(&mut conn, id, "room-1", "an.peeters", 40).unwrap();
    assert_eq!(case::case_of_room(&conn, "room-1").unwrap(), Some(id));
    case::mark_handled_in_one_go(&mut conn, id, "an.peeters", 50).unwrap();
    case::end_room(&conn, "room-1", 60).unwrap();
    assert_eq!(case::case_of_room(&conn, "room-1").unwrap(), None);

    let detail = case::open(&mut conn, id, "jef.janssens", 70)
        .unwrap()
        .unwrap();
    assert_eq!(detail.summary.status, CaseStatus::Approved);
    assert_eq!(detail.party.name, "Garage Peeters");
    assert_eq!(
        detail.party.enterprise_number.as_deref(),
        Some("0203.201.340")
    );
    assert_eq!(detail.notes.len(), 1);
    assert_eq!(detail.calls[0].room_id, "room-1");
    assert_eq!(detail.calls[0].ended_at_ms, Some(60));
    assert!(detail.handled_in_one_go);
    assert_eq!(detail.summary.updated_at_ms, 50);

    let trail: Vec<(String, String)> = case::audit_trail(&conn, id)
        .unwrap()
        .into_iter()
        .map(|l| (l.actor, l.action))
        .collect();
    let expected = [
        ("an.peeters", "case.created"),
        ("an.peeters", "note.added"),
        ("an.peeters", "status.approved"),
        ("an.peeters", "call.linked"),
        ("an.peeters", "case.handled_in_one_go"),
        ("jef.janssens", "case.viewed"),
    ];
    assert_eq!(
        trail,
        expected
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .to_vec()
    );
    // The audit trail names actions, never the content.
    assert!(
        !case::audit_trail(&conn, id)
            .unwrap()
            .iter()
            .any(|l| l.action.contains("college"))
    );

    // Retention removes the call's metadata, nothing else.
    assert_eq!(case::purge_calls(&conn, 41).unwrap(), 1);
    let detail = case::read_detail(&conn, id).unwrap().unwrap();
    assert!(detail.calls.is_empty());
    assert_eq!(detail.notes.len(), 1);

    // Changing a case that does not exist changes nothing.
    assert!(case::add_note(&mut conn, 999, "an.peeters", "x", 80).is_err());
    assert!(
        case::open(&mut conn, 999, "an.peeters", 80)
            .unwrap()
            .is_none()
    );
}

#[test]
fn limits_hold_in_the_table_itself() {
    let (_dir, path) = temp_db();
    let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
    let jef = party(&conn, PartyKind::Association, "Scouts Sint-Jozef", None);
    let id = case(&mut conn, jef, "2026-000001", "Huur feestzaal", 1);
    // An empty note, a duplicate number, an unknown party: refused, nothing written.
    assert!(case::add_note(&mut conn, id, "jef", "   ", 2).is_err());
    assert!(
        case::add_case(
            &mut conn,
            &NewCase {
                number: "2026-000001".into(),
                party_id: jef,
                product_id: None,
                title: "Nog eens".into(),
                status: CaseStatus::New,
                assigned_clerk: None
            },
            "jef",
            3
        )
        .is_err()
    );
    assert!(
        case::add_case(
            &mut conn,
            &NewCase {
                number: "2026-000002".into(),
                party_id: 4242,
                product_id: None,
                title: "Spook".into(),
                status: CaseStatus::New,
                assigned_clerk: None
            },
            "jef",
            3
        )
        .is_err()
    );
    assert_eq!(case::recent(&conn, 10).unwrap().len(), 1);
    assert!(
        case::read_detail(&conn, id)
            .unwrap()
            .unwrap()
            .notes
            .is_empty()
    );
}

#[test]
fn search_ranks_a_hit_on_the_case_before_its_party_before_a_note_and_folds_accents() {
    let (_dir, path) = temp_db();
    let mut conn = open(&path, &cockpit::SCHEMA).unwrap();
    let dirk = party(&conn, PartyKind::Citizen, "Dirk Peeters", None);
    let jef = party(
        &conn,
        PartyKind::Association,
        "Scouts Sint-Jozef",
        Some("0403.199.702"),
    );
    let garage = party(&conn, PartyKind::Company, "Garage Feestweg", None);
    let in_title = case(
        &mut conn,
        dirk,
        "2026-000010",
        "Maaltijden sociaal restaurant feestdagen",
        1,
    );
    let in_party = case(&mut conn, garage, "2026-000011", "Opendeurdag", 2);
    let in_note = case(&mut conn, jef, "2026-000012", "Huur zaal", 3);
    case::add_note(
        &mut conn,
        in_note,
        "an",
        "Zaal voor het feest van de scouts.",
        4,
    )
    .unwrap();
    let _unrelated = case(&mut conn, dirk, "2026-000013", "Parkeerkaart", 5);

    // "feest" is the start of a word in all three: title first, then party, then note.
    let found = case::search(&conn, "feest", 10).unwrap();
    assert_eq!(
        numbers(&found),
        ["2026-000010", "2026-000011", "2026-000012"]
    );
    let _ = (in_title, in_party);

    // Every word must match; accents and case do not matter.
    assert_eq!(
        numbers(&case::search(&conn, "sint JÖZEF", 10).unwrap()),
        ["2026-000012"]
    );
    assert_eq!(
        numbers(&case::search(&conn, "dirk parkeer", 10).unwrap()),
        ["2026-000013"]
    );
    assert!(case::search(&conn, "dirk zaal", 10).unwrap().is_empty());
    // By enterprise number (as stored digits), by case number exactly.
    assert_eq!(
        numbers(&case::search(&conn, "0403199702", 10).unwrap()),
        ["2026-000012"]
    );
    assert_eq!(
        numbers(&case::search(&conn, "2026-000011", 10).unwrap())[0],
        "2026-000011"
    );
    // FTS syntax typed by a clerk is plain text, never an error.
    for odd in ["\"", "feest OR", "NEAR(", "a*b", "-", "(((", "title:x", "^"] {
        assert!(case::search(&conn, odd, 10).is_ok(), "{odd}");
    }
    assert!(case::search(&conn, "   ", 10).unwrap().is_empty());

    // Changes are searchable at once, and old text is gone.
    conn.execute(
        "UPDATE party SET name = 'Dirk Janssens' WHERE id = ?1",
        [dirk],
    )
    .unwrap();
    assert!(case::search(&conn, "peeters", 10).unwrap().is_empty());
    assert_eq!(case::search(&conn, "janssens", 10).unwrap().len(), 2);
    assert_eq!(
        numbers(&case::recent(&conn, 2).unwrap()),
        ["2026-000013", "2026-000012"]
    );
}

#[test]
fn the_catalog_says_which_products_the_digital_counter_handles() {
    let (_dir, path) = temp_db();
    let conn = open(&path, &cockpit::SCHEMA).unwrap();
    let all = cockpit::product::list(&conn, balie_domain::Locale::En).unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|p| p.digital), "the seeded three are");
    conn.execute("UPDATE product SET digital = 0 WHERE id = 'feestzaal'", [])
        .unwrap();
    let hall = cockpit::product::list(&conn, balie_domain::Locale::En)
        .unwrap()
        .into_iter()
        .find(|p| p.id == "feestzaal")
        .unwrap();
    assert_eq!(hall.name, "Party hall rent (one day)");
    assert!(!hall.digital);
}
