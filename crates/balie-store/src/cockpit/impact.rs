//! Tables `conversation`, `clerk_day`, `incident`, `impact_import`, `channel_figure` and
//! `catalog_change`: what the impact figures are computed from, and [`facts`], which reads
//! them (with the cases and payments) as [`balie_impact::Facts`] for a window of time.
//!
//! A conversation holds nothing about the citizen but the one-way distance to the town hall
//! and their anonymous survey answer; a register's note never leaves the cockpit (a fact
//! has no field for it).

use crate::StoreError;
use balie_impact::facts::{
    CatalogChange, Channel, Conversation, Facts, Figure, FigureKind, Incident, IncidentKind,
    Origin, Payment, Place, ProductId, Request, Score,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// The setting that holds the day the digital counter went into use (`YYYY-MM-DD`).
pub const DIGITAL_SINCE_SETTING: &str = "impact.digital_since";

/// A conversation the clerk opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedConversation {
    /// The relay's room id.
    pub room_id: String,
    /// How it came about.
    pub origin: Origin,
    /// What it is for, when known.
    pub product_id: Option<String>,
    /// When the citizen asked (booking made, ticket drawn), when known.
    pub requested_at_ms: Option<i64>,
    /// When the clerk opened it.
    pub opened_at_ms: i64,
    /// The citizen's one-way trip, when their booking gave a postcode.
    pub trip_m: Option<u32>,
}

fn origin_str(o: Origin) -> &'static str {
    match o {
        Origin::Direct => "direct",
        Origin::Appointment => "appointment",
        Origin::WalkIn => "walk_in",
    }
}

fn origin_of(s: &str) -> Option<Origin> {
    Some(match s {
        "direct" => Origin::Direct,
        "appointment" => Origin::Appointment,
        "walk_in" => Origin::WalkIn,
        _ => return None,
    })
}

/// Records that the clerk opened a conversation. Opening the same room again (an
/// appointment reopened) keeps the first record.
pub fn open_conversation(conn: &Connection, c: &OpenedConversation) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO conversation (room_id, origin, product_id, requested_at_ms, opened_at_ms, trip_m)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (room_id) DO NOTHING",
        params![
            c.room_id,
            origin_str(c.origin),
            c.product_id,
            c.requested_at_ms,
            c.opened_at_ms,
            c.trip_m
        ],
    )?;
    Ok(())
}

/// Records that the citizen was let in at `at_ms` (only the first time: a citizen who
/// rejoins is the same conversation), whether that was outside opening hours and where the
/// clerk worked.
pub fn conversation_admitted(
    conn: &Connection,
    room_id: &str,
    at_ms: i64,
    outside_hours: Option<bool>,
    place: Option<Place>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE conversation SET admitted_at_ms = ?2, outside_hours = ?3, place = ?4
         WHERE room_id = ?1 AND admitted_at_ms IS NULL",
        params![room_id, at_ms, outside_hours, place.map(Place::as_str)],
    )?;
    Ok(())
}

/// Records that the conversation ended at `at_ms`, with the citizen's one-way trip when
/// their postcode was known; the product when it became known during the call.
pub fn conversation_ended(
    conn: &Connection,
    room_id: &str,
    at_ms: i64,
    trip_m: Option<u32>,
    product_id: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE conversation SET ended_at_ms = ?2, trip_m = coalesce(?3, trip_m),
                product_id = coalesce(product_id, ?4)
         WHERE room_id = ?1",
        params![room_id, at_ms, trip_m, product_id],
    )?;
    Ok(())
}

/// The postal addresses of the parties of the cases the conversation in `room_id` was
/// about (a case stays found after the conversation is unlinked from it).
pub fn party_addresses_of_room(
    conn: &Connection,
    room_id: &str,
) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.address FROM case_call cc
         JOIN case_file c ON c.id = cc.case_id JOIN party p ON p.id = c.party_id
         WHERE cc.room_id = ?1 AND p.address IS NOT NULL",
    )?;
    let rows = stmt.query_map([room_id], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The product of the case the conversation in `room_id` was about, if any.
pub fn product_of_room(conn: &Connection, room_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT c.product_id FROM case_call cc JOIN case_file c ON c.id = cc.case_id
             WHERE cc.room_id = ?1 AND c.product_id IS NOT NULL LIMIT 1",
            [room_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The citizens' remarks with their survey answers in conversations from `from_ms` to
/// `until_ms`, newest first, at most `limit`: score and remark.
pub fn citizen_remarks(
    conn: &Connection,
    from_ms: i64,
    until_ms: i64,
    limit: u32,
) -> Result<Vec<(u8, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT citizen_score, citizen_comment FROM conversation
         WHERE admitted_at_ms >= ?1 AND admitted_at_ms < ?2 AND citizen_comment IS NOT NULL
         ORDER BY citizen_answered_at_ms DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![from_ms, until_ms, limit], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whether the citizen of `room_id` was let in.
pub fn was_admitted(conn: &Connection, room_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT admitted_at_ms IS NOT NULL FROM conversation WHERE room_id = ?1",
            [room_id],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// How a survey answer was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyOutcome {
    /// Stored.
    Stored,
    /// No conversation with a citizen in that room: nothing stored.
    NoConversation,
    /// That conversation was already answered about: nothing stored.
    AlreadyAnswered,
}

/// Stores the citizen's answer about the conversation in `room_id`: a score and an
/// optional comment (checked by the caller: 1 to 500 characters).
pub fn citizen_answered(
    conn: &Connection,
    room_id: &str,
    score: Score,
    comment: Option<&str>,
    at_ms: i64,
) -> Result<SurveyOutcome, StoreError> {
    answer(
        conn,
        room_id,
        "UPDATE conversation SET citizen_score = ?2, citizen_comment = ?3,
                citizen_answered_at_ms = ?4
         WHERE room_id = ?1 AND admitted_at_ms IS NOT NULL AND citizen_score IS NULL",
        params![room_id, score.get(), comment, at_ms],
        "citizen_score",
    )
}

/// Stores the clerk's answer about the conversation in `room_id`.
pub fn clerk_answered(
    conn: &Connection,
    room_id: &str,
    score: Score,
) -> Result<SurveyOutcome, StoreError> {
    answer(
        conn,
        room_id,
        "UPDATE conversation SET clerk_score = ?2
         WHERE room_id = ?1 AND admitted_at_ms IS NOT NULL AND clerk_score IS NULL",
        params![room_id, score.get()],
        "clerk_score",
    )
}

fn answer(
    conn: &Connection,
    room_id: &str,
    update: &str,
    values: impl rusqlite::Params,
    column: &str,
) -> Result<SurveyOutcome, StoreError> {
    if conn.execute(update, values)? == 1 {
        return Ok(SurveyOutcome::Stored);
    }
    let answered: Option<bool> = conn
        .query_row(
            &format!(
                "SELECT {column} IS NOT NULL FROM conversation
                 WHERE room_id = ?1 AND admitted_at_ms IS NOT NULL"
            ),
            [room_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match answered {
        Some(true) => SurveyOutcome::AlreadyAnswered,
        _ => SurveyOutcome::NoConversation,
    })
}

/// The clerk's day: where they worked and whether the day's survey was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClerkDay {
    /// Where they worked, once said.
    pub place: Option<Place>,
    /// The conversation the day's survey was asked about, once asked.
    pub surveyed_room: Option<String>,
}

/// The clerk's day `day`.
pub fn clerk_day(conn: &Connection, day: Date) -> Result<ClerkDay, StoreError> {
    Ok(conn
        .query_row(
            "SELECT place, surveyed_room FROM clerk_day WHERE day = ?1",
            [day.to_string()],
            |r| {
                Ok(ClerkDay {
                    place: r
                        .get::<_, Option<String>>(0)?
                        .as_deref()
                        .and_then(Place::parse),
                    surveyed_room: r.get(1)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

/// Where the clerk works on `day`; the day's conversations so far follow (they were held
/// from there too).
pub fn set_place(
    conn: &mut Connection,
    day: Date,
    place: Place,
    day_start_ms: i64,
    day_end_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO clerk_day (day, place) VALUES (?1, ?2)
         ON CONFLICT (day) DO UPDATE SET place = ?2",
        params![day.to_string(), place.as_str()],
    )?;
    tx.execute(
        "UPDATE conversation SET place = ?1
         WHERE admitted_at_ms >= ?2 AND admitted_at_ms < ?3",
        params![place.as_str(), day_start_ms, day_end_ms],
    )?;
    tx.commit()?;
    Ok(())
}

/// Notes that the day's survey was asked about `room_id` (answered or not): it is not
/// asked again that day. `false` when it had already been asked.
pub fn mark_surveyed(conn: &Connection, day: Date, room_id: &str) -> Result<bool, StoreError> {
    let changed = conn.execute(
        "INSERT INTO clerk_day (day, surveyed_room) VALUES (?1, ?2)
         ON CONFLICT (day) DO UPDATE SET surveyed_room = ?2 WHERE surveyed_room IS NULL",
        params![day.to_string(), room_id],
    )?;
    Ok(changed == 1)
}

fn incident_kind_str(k: IncidentKind) -> &'static str {
    match k {
        IncidentKind::ComplaintAfterHours => "complaint_after_hours",
        IncidentKind::Complaint => "complaint",
        IncidentKind::Aggression => "aggression",
    }
}

fn incident_kind_of(s: &str) -> Option<IncidentKind> {
    Some(match s {
        "complaint_after_hours" => IncidentKind::ComplaintAfterHours,
        "complaint" => IncidentKind::Complaint,
        "aggression" => IncidentKind::Aggression,
        _ => return None,
    })
}

/// A register entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// What it is.
    pub kind: IncidentKind,
    /// Through which channel.
    pub channel: Channel,
    /// When it happened.
    pub at_ms: i64,
    /// The clerk's note (at most 2,000 characters; never leaves the cockpit).
    pub note: String,
    /// The complaint system's id, for imported entries.
    pub reference: Option<String>,
}

/// A register entry as the register lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    /// Its id.
    pub id: i64,
    /// What it is.
    pub kind: IncidentKind,
    /// Through which channel.
    pub channel: Channel,
    /// When it happened.
    pub at_ms: i64,
    /// Who wrote it (a clerk, or `import`).
    pub recorded_by: String,
    /// The note.
    pub note: String,
    /// The complaint system's id.
    pub reference: Option<String>,
}

/// Writes a register entry by `actor` at `now_ms`; its id.
pub fn add_incident(
    conn: &Connection,
    entry: &NewIncident,
    actor: &str,
    now_ms: i64,
) -> Result<i64, StoreError> {
    insert_incident(conn, entry, actor, now_ms, None)
}

fn insert_incident(
    conn: &Connection,
    entry: &NewIncident,
    actor: &str,
    now_ms: i64,
    import_id: Option<i64>,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO incident (kind, channel, at_ms, recorded_by, recorded_at_ms, note, import_id, reference)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            incident_kind_str(entry.kind),
            entry.channel.as_str(),
            entry.at_ms,
            actor,
            now_ms,
            entry.note,
            import_id,
            entry.reference
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The register's entries from `from_ms` (inclusive) to `until_ms`, newest first, at most
/// `limit`.
pub fn incidents(
    conn: &Connection,
    from_ms: i64,
    until_ms: i64,
    limit: u32,
) -> Result<Vec<IncidentRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, channel, at_ms, recorded_by, note, reference FROM incident
         WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY at_ms DESC, id DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![from_ms, until_ms, limit], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, channel, at_ms, recorded_by, note, reference) = row?;
        // A row the CHECKs let in always parses; anything else is skipped, not a panic.
        let (Some(kind), Some(channel)) = (incident_kind_of(&kind), Channel::parse(&channel))
        else {
            continue;
        };
        out.push(IncidentRow {
            id,
            kind,
            channel,
            at_ms,
            recorded_by,
            note,
            reference,
        });
    }
    Ok(out)
}

/// Removes register entry `id` (a clerk's mistake); whether it existed.
pub fn remove_incident(conn: &Connection, id: i64) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM incident WHERE id = ?1", [id])? == 1)
}

/// What kind of file an import was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Figures from other channels.
    Figures,
    /// Complaints from the complaint system.
    Complaints,
}

/// A file about to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// What kind.
    pub kind: ImportKind,
    /// Its name.
    pub file_name: String,
    /// Its SHA-256, hex.
    pub sha256: String,
}

fn begin_import(
    tx: &Transaction<'_>,
    file: &ImportFile,
    rows: usize,
    actor: &str,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let kind = match file.kind {
        ImportKind::Figures => "figures",
        ImportKind::Complaints => "complaints",
    };
    tx.execute(
        "INSERT INTO impact_import (kind, file_name, sha256, rows, imported_at_ms, imported_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            kind,
            file.file_name,
            file.sha256,
            i64::try_from(rows).unwrap_or(i64::MAX),
            now_ms,
            actor
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Imports checked figures, all or nothing; the import's id.
pub fn import_figures(
    conn: &mut Connection,
    file: &ImportFile,
    rows: &[Figure],
    actor: &str,
    now_ms: i64,
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    let id = begin_import(&tx, file, rows.len(), actor, now_ms)?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO channel_figure (import_id, kind, channel, product_id, first_day, last_day, value_milli)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for f in rows {
            stmt.execute(params![
                id,
                f.kind.as_str(),
                f.channel.as_str(),
                f.product.as_ref().map(ProductId::as_str),
                f.from.to_string(),
                f.to.to_string(),
                f.value_milli
            ])?;
        }
    }
    tx.commit()?;
    Ok(id)
}

/// Imports checked complaints, all or nothing: entries whose reference is already in the
/// register are left out (the same file twice adds nothing). The import's id and how many
/// entries were new.
pub fn import_complaints(
    conn: &mut Connection,
    file: &ImportFile,
    rows: &[NewIncident],
    actor: &str,
    now_ms: i64,
) -> Result<(i64, usize), StoreError> {
    let tx = conn.transaction()?;
    let id = begin_import(&tx, file, rows.len(), actor, now_ms)?;
    let mut added = 0;
    for entry in rows {
        let known: bool = match &entry.reference {
            Some(r) => tx
                .query_row("SELECT 1 FROM incident WHERE reference = ?1", [r], |_| {
                    Ok(())
                })
                .optional()?
                .is_some(),
            None => false,
        };
        if !known {
            insert_incident(&tx, entry, "import", now_ms, Some(id))?;
            added += 1;
        }
    }
    tx.execute(
        "UPDATE impact_import SET rows = ?2 WHERE id = ?1",
        params![id, i64::try_from(added).unwrap_or(i64::MAX)],
    )?;
    tx.commit()?;
    Ok((id, added))
}

/// A product as the catalog has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogState {
    /// Its id.
    pub product_id: String,
    /// Handled through the digital counter.
    pub digital: bool,
    /// Costs something.
    pub takes_payment: bool,
}

/// Compares the catalog `now` with its history and writes what changed at `at_ms`: new and
/// changed products, and products no longer in it as removed. How many changes.
pub fn record_catalog(
    conn: &mut Connection,
    now: &[CatalogState],
    at_ms: i64,
) -> Result<usize, StoreError> {
    let tx = conn.transaction()?;
    let mut last: std::collections::HashMap<String, (bool, bool, bool)> =
        std::collections::HashMap::new();
    {
        let mut stmt = tx.prepare(
            "SELECT product_id, digital, takes_payment, removed FROM catalog_change
             ORDER BY at_ms, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get::<_, bool>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, bool>(3)?,
                ),
            ))
        })?;
        for row in rows {
            let (id, state) = row?;
            last.insert(id, state);
        }
    }
    let mut changes = 0;
    let mut insert = |id: &str, digital: bool, paid: bool, removed: bool| {
        tx.execute(
            "INSERT INTO catalog_change (at_ms, product_id, digital, takes_payment, removed)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![at_ms, id, digital, paid, removed],
        )
        .map(|_| changes += 1)
    };
    for p in now {
        if last.get(&p.product_id) != Some(&(p.digital, p.takes_payment, false)) {
            insert(&p.product_id, p.digital, p.takes_payment, false)?;
        }
    }
    for (id, (digital, paid, removed)) in &last {
        if !removed && !now.iter().any(|p| &p.product_id == id) {
            insert(id, *digital, *paid, true)?;
        }
    }
    tx.commit()?;
    Ok(changes)
}

/// The facts of the conversations, questions and payments from `from_ms` to `until_ms`,
/// with all register entries, imported figures and the catalog's history (small tables
/// the before/after comparisons need whole). `tz` turns the day the digital counter went
/// into use into a date when no setting names it.
pub fn facts(
    conn: &Connection,
    from_ms: i64,
    until_ms: i64,
    tz: &TimeZone,
) -> Result<Facts, StoreError> {
    Ok(Facts {
        conversations: conversations(conn, from_ms, until_ms)?,
        requests: requests(conn, from_ms, until_ms)?,
        payments: payments(conn, from_ms, until_ms)?,
        incidents: all_incidents(conn)?,
        figures: figures(conn)?,
        catalog: catalog(conn)?,
        digital_since: digital_since(conn, tz)?,
    })
}

fn product(id: Option<String>) -> Option<ProductId> {
    id.as_deref().and_then(ProductId::parse)
}

fn conversations(
    conn: &Connection,
    from_ms: i64,
    until_ms: i64,
) -> Result<Vec<Conversation>, StoreError> {
    let mut stmt = conn.prepare_cached(
        // The product from the conversation's case when it has none of its own; the range
        // on `admitted_at_ms` walks its index.
        "SELECT v.admitted_at_ms,
                coalesce(v.product_id,
                    (SELECT c.product_id FROM case_call cc JOIN case_file c ON c.id = cc.case_id
                     WHERE cc.room_id = v.room_id AND c.product_id IS NOT NULL LIMIT 1)),
                v.origin, v.outside_hours, v.place, v.trip_m, v.citizen_score, v.clerk_score
         FROM conversation v
         WHERE v.admitted_at_ms >= ?1 AND v.admitted_at_ms < ?2",
    )?;
    let rows = stmt.query_map(params![from_ms, until_ms], |r| {
        Ok(Conversation {
            at_ms: r.get(0)?,
            product: product(r.get(1)?),
            origin: origin_of(&r.get::<_, String>(2)?).unwrap_or(Origin::Direct),
            outside_hours: r.get(3)?,
            place: r
                .get::<_, Option<String>>(4)?
                .as_deref()
                .and_then(Place::parse),
            trip_m: r.get(5)?,
            citizen_score: r.get::<_, Option<u8>>(6)?.and_then(Score::new),
            clerk_score: r.get::<_, Option<u8>>(7)?.and_then(Score::new),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The audit actions that mean a case was handled.
const HANDLED_ACTIONS: &str =
    "'status.approved', 'status.refused', 'status.closed', 'case.handled_in_one_go'";

fn requests(conn: &Connection, from_ms: i64, until_ms: i64) -> Result<Vec<Request>, StoreError> {
    // The first handling of every handled case (the partial index holds only those lines),
    // kept when it falls in the window.
    let sql = format!(
        "SELECT c.product_id, c.created_at_ms, c.handled_in_one_go,
                (SELECT min(v.requested_at_ms) FROM case_call cc
                 JOIN conversation v ON v.room_id = cc.room_id
                 WHERE cc.case_id = c.id),
                h.handled
         FROM (SELECT case_id, min(at_ms) AS handled FROM case_audit
               WHERE action IN ({HANDLED_ACTIONS}) GROUP BY case_id) h
         JOIN case_file c ON c.id = h.case_id
         WHERE h.handled >= ?1 AND h.handled < ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![from_ms, until_ms], |r| {
        let created: i64 = r.get(1)?;
        let asked: Option<i64> = r.get(3)?;
        Ok(Request {
            requested_at_ms: asked.map_or(created, |a| a.min(created)),
            handled_at_ms: r.get(4)?,
            product: product(r.get(0)?),
            in_one_go: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn payments(conn: &Connection, from_ms: i64, until_ms: i64) -> Result<Vec<Payment>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.created_at_ms, p.amount_cents, p.mode, p.provider, v.admitted_at_ms,
                v.ended_at_ms,
                CASE WHEN p.status = 'paid' THEN
                    (SELECT min(s.at_ms) FROM payment_status s
                     WHERE s.payment_id = p.id AND s.to_status = 'paid')
                END
         FROM payment p LEFT JOIN conversation v ON v.room_id = p.room_id
         WHERE p.created_at_ms >= ?1 AND p.created_at_ms < ?2",
    )?;
    let rows = stmt.query_map(params![from_ms, until_ms], |r| {
        let mode: Option<String> = r.get(2)?;
        let provider: String = r.get(3)?;
        let admitted: Option<i64> = r.get(4)?;
        let ended: Option<i64> = r.get(5)?;
        let paid_at_ms: Option<i64> = r.get(6)?;
        Ok(Payment {
            asked_at_ms: r.get(0)?,
            amount_cents: r.get(1)?,
            test_money: mode.as_deref() == Some("test") || provider == "sandbox",
            in_call: admitted.is_some(),
            paid_at_ms,
            paid_in_call: match (admitted, paid_at_ms) {
                (Some(a), Some(p)) => a <= p && ended.is_none_or(|e| p <= e),
                _ => false,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn all_incidents(conn: &Connection) -> Result<Vec<Incident>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT at_ms, kind, channel FROM incident")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (at_ms, kind, channel) = row?;
        if let (Some(kind), Some(channel)) = (incident_kind_of(&kind), Channel::parse(&channel)) {
            out.push(Incident {
                at_ms,
                kind,
                channel,
            });
        }
    }
    Ok(out)
}

fn figures(conn: &Connection) -> Result<Vec<Figure>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, channel, product_id, first_day, last_day, value_milli FROM channel_figure",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, channel, product_id, from, to, value_milli) = row?;
        let parsed = (
            FigureKind::parse(&kind),
            Channel::parse(&channel),
            from.parse::<Date>().ok(),
            to.parse::<Date>().ok(),
        );
        if let (Some(kind), Some(channel), Some(from), Some(to)) = parsed {
            out.push(Figure {
                kind,
                channel,
                product: product(product_id),
                from,
                to,
                value_milli,
            });
        }
    }
    Ok(out)
}

fn catalog(conn: &Connection) -> Result<Vec<CatalogChange>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at_ms, product_id, digital, takes_payment, removed FROM catalog_change
         ORDER BY at_ms, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (at_ms, id, digital, takes_payment, removed) = row?;
        if let Some(product) = ProductId::parse(&id) {
            out.push(CatalogChange {
                at_ms,
                product,
                digital,
                takes_payment,
                removed,
            });
        }
    }
    Ok(out)
}

/// The day the digital counter went into use: the setting, else the day of the first
/// conversation with a citizen.
pub fn digital_since(conn: &Connection, tz: &TimeZone) -> Result<Option<Date>, StoreError> {
    if let Some(day) = crate::cockpit::setting::get(conn, DIGITAL_SINCE_SETTING)?
        .and_then(|v| v.parse::<Date>().ok())
    {
        return Ok(Some(day));
    }
    let first: Option<i64> =
        conn.query_row("SELECT min(admitted_at_ms) FROM conversation", [], |r| {
            r.get(0)
        })?;
    Ok(first.map(|ms| balie_impact::period::day_of(tz, ms)))
}
