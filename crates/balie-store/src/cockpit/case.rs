//! Tables `party`, `case_file`, `case_note`, `case_call`, `case_document` and
//! `case_audit`: the case files (dossiers) beside the call, and their full-text search.
//!
//! Every change and every opening of a case writes a `case_audit` line (who, what, when;
//! never the content), so a dossier shows who viewed or changed it. Search runs over two
//! FTS5 tables: each case with its party (number, title, name, enterprise number and
//! e-mail), ranked with BM25 (the number weighs most, then the title, then the party), and
//! the notes, after them (see [`search`]).

use crate::StoreError;
use balie_domain::EnterpriseNumber;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub use balie_domain::{CaseStatus, PartyKind};

/// A party to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParty {
    /// What kind.
    pub kind: PartyKind,
    /// The name, 1 to 200 characters.
    pub name: String,
    /// The enterprise number, for a company or association.
    pub enterprise_number: Option<EnterpriseNumber>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address, one line.
    pub address: Option<String>,
    /// The id in the municipality's own system.
    pub external_id: Option<String>,
}

/// A stored party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Row id.
    pub id: i64,
    /// What kind.
    pub kind: PartyKind,
    /// The name.
    pub name: String,
    /// The enterprise number, printed `0123.456.749`.
    pub enterprise_number: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// The id in the municipality's own system.
    pub external_id: Option<String>,
    /// The national register number (11 digits), completed from a confirmed identity.
    pub national_number: Option<String>,
    /// The birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
}

/// A case to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// Its number (`2026-000123`); [`next_number`] makes one.
    pub number: String,
    /// Whose case.
    pub party_id: i64,
    /// The product or service it is about.
    pub product_id: Option<String>,
    /// What it is about, 1 to 300 characters.
    pub title: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// The clerk handling it.
    pub assigned_clerk: Option<String>,
}

/// A case in a list: enough to recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    /// Row id.
    pub id: i64,
    /// Its number.
    pub number: String,
    /// What it is about.
    pub title: String,
    /// Where it stands.
    pub status: CaseStatus,
    /// Whose case.
    pub party_name: String,
    /// Last change, ms since the epoch.
    pub updated_at_ms: i64,
}

/// A stored case with everything that belongs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDetail {
    /// The case as listed.
    pub summary: CaseSummary,
    /// The product or service.
    pub product_id: Option<String>,
    /// The clerk handling it.
    pub assigned_clerk: Option<String>,
    /// Marked handled in one go (in the call).
    pub handled_in_one_go: bool,
    /// The conversation it is linked to now.
    pub room_id: Option<String>,
    /// When it was opened, ms.
    pub created_at_ms: i64,
    /// Whose case.
    pub party: Party,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// Calls about it, oldest first.
    pub calls: Vec<Call>,
    /// Attached files, oldest first.
    pub documents: Vec<Document>,
    /// Payments asked for it (our payment ids), oldest first.
    pub payment_ids: Vec<String>,
    /// Identity checks in its conversations, oldest first.
    pub identity_checks: Vec<IdentityCheck>,
}

/// A note in a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Row id.
    pub id: i64,
    /// When, ms.
    pub at_ms: i64,
    /// Who wrote it.
    pub author: String,
    /// The text.
    pub body: String,
}

/// A call about a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The relay's room.
    pub room_id: String,
    /// When it was linked (or started), ms.
    pub started_at_ms: i64,
    /// When it ended, ms.
    pub ended_at_ms: Option<i64>,
}

/// An attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Row id.
    pub id: i64,
    /// Where its bytes are (content address).
    pub sha256: String,
    /// Its name as given.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size.
    pub size_bytes: i64,
    /// When, ms.
    pub added_at_ms: i64,
    /// By whom.
    pub added_by: String,
}

/// One line of a case's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    /// When, ms.
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// What (`case.viewed`, `note.added`, `status.approved`, …).
    pub action: String,
}

fn corrupt(table: &'static str, what: &str) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: what.to_owned(),
    }
}

fn audit(
    tx: &Transaction<'_>,
    case_id: i64,
    actor: &str,
    action: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO case_audit (case_id, at_ms, actor, action) VALUES (?1, ?2, ?3, ?4)",
        params![case_id, at_ms, actor, action],
    )?;
    Ok(())
}

fn touch(tx: &Transaction<'_>, case_id: i64, at_ms: i64) -> Result<(), StoreError> {
    if tx.execute(
        "UPDATE case_file SET updated_at_ms = MAX(updated_at_ms, ?2) WHERE id = ?1",
        params![case_id, at_ms],
    )? == 0
    {
        return Err(StoreError::NotFound {
            table: "case_file",
            id: case_id.to_string(),
        });
    }
    Ok(())
}

/// Writes a party; its id. An enterprise number or external id already taken is a
/// constraint error (the caller looks the party up first).
pub fn add_party(conn: &Connection, party: &NewParty, at_ms: i64) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO party (kind, name, enterprise_number, email, phone, address, external_id, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            party.kind.as_str(),
            party.name.trim(),
            party.enterprise_number.map(EnterpriseNumber::digits),
            party.email,
            party.phone,
            party.address,
            party.external_id,
            at_ms
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The party with this enterprise number.
pub fn party_by_enterprise_number(
    conn: &Connection,
    number: EnterpriseNumber,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM party WHERE enterprise_number = ?1",
            params![number.digits()],
            |r| r.get(0),
        )
        .optional()?)
}

/// The party with this id in the municipality's own system.
pub fn party_by_external_id(
    conn: &Connection,
    external_id: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM party WHERE external_id = ?1",
            params![external_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Party `id`.
pub fn party(conn: &Connection, id: i64) -> Result<Option<Party>, StoreError> {
    let row = conn
        .query_row(
            "SELECT id, kind, name, enterprise_number, email, phone, address, external_id, national_number, birth_date FROM party WHERE id = ?1",
            params![id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            },
        )
        .optional()?;
    row.map(
        |(
            id,
            kind,
            name,
            number,
            email,
            phone,
            address,
            external_id,
            national_number,
            birth_date,
        )| {
            Ok(Party {
                id,
                kind: PartyKind::from_name(&kind).ok_or_else(|| corrupt("party", "kind"))?,
                name,
                enterprise_number: number
                    .map(|n| EnterpriseNumber::parse(&n).map(|n| n.to_string()))
                    .transpose()
                    .map_err(|_| corrupt("party", "enterprise number"))?,
                email,
                phone,
                address,
                external_id,
                national_number,
                birth_date,
            })
        },
    )
    .transpose()
}

/// An identity check to record in a case (see [`record_identity_check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCheck {
    /// The conversation it happened in.
    pub room_id: String,
    /// When it was confirmed, ms.
    pub at_ms: i64,
    /// The clerk who asked.
    pub checked_by: String,
    /// The provider (e.g. `acm`).
    pub provider: String,
    /// The means (e.g. `itsme`).
    pub means: String,
    /// `low`, `substantial` or `high`.
    pub level: String,
    /// `match`, `no_match`, `party_has_none` or `not_given` (the provider gave no number).
    pub party_match: String,
}

/// Records in case `case_id` that the identity of the person in the call was checked.
pub fn record_identity_check(
    conn: &mut Connection,
    case_id: i64,
    check: &IdentityCheck,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    touch(&tx, case_id, check.at_ms)?;
    tx.execute(
        "INSERT INTO case_identity (case_id, room_id, at_ms, checked_by, provider, means, level, party_match)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            case_id,
            check.room_id,
            check.at_ms,
            check.checked_by,
            check.provider,
            check.means,
            check.level,
            check.party_match
        ],
    )?;
    audit(
        &tx,
        case_id,
        &check.checked_by,
        "identity.checked",
        check.at_ms,
    )?;
    tx.commit()?;
    Ok(())
}

/// Completes party `party_id` of case `case_id` with the national number and birth date
/// of a confirmed identity (only where it has none); whether anything changed.
pub fn complete_party(
    conn: &mut Connection,
    case_id: i64,
    party_id: i64,
    national_number: Option<&str>,
    birth_date: Option<&str>,
    actor: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let changed = tx.execute(
        "UPDATE party SET national_number = COALESCE(national_number, ?2),
                          birth_date = COALESCE(birth_date, ?3)
         WHERE id = ?1 AND ((national_number IS NULL AND ?2 IS NOT NULL) OR (birth_date IS NULL AND ?3 IS NOT NULL))",
        params![party_id, national_number, birth_date],
    )? > 0;
    if changed {
        touch(&tx, case_id, at_ms)?;
        audit(&tx, case_id, actor, "party.completed_from_identity", at_ms)?;
    }
    tx.commit()?;
    Ok(changed)
}

/// The next free case number of `year`: `2026-000001`, `2026-000002`, …
pub fn next_number(conn: &Connection, year: i32) -> Result<String, StoreError> {
    let prefix = format!("{year}-");
    let last: Option<String> = conn
        .query_row(
            "SELECT number FROM case_file WHERE number LIKE ?1 || '%' AND length(number) = ?2 ORDER BY number DESC LIMIT 1",
            params![prefix, prefix.len() as i64 + 6],
            |r| r.get(0),
        )
        .optional()?;
    let next = last
        .and_then(|n| n[prefix.len()..].parse::<u32>().ok())
        .map_or(1, |n| n + 1);
    Ok(format!("{prefix}{next:06}"))
}

/// Opens a case; its id. The number must be new.
pub fn add_case(
    conn: &mut Connection,
    case: &NewCase,
    actor: &str,
    at_ms: i64,
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    let id = insert_case(&tx, case, actor, at_ms)?;
    tx.commit()?;
    Ok(id)
}

/// As [`add_case`], inside the caller's transaction (imports).
pub fn insert_case(
    tx: &Transaction<'_>,
    case: &NewCase,
    actor: &str,
    at_ms: i64,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO case_file (number, party_id, product_id, title, status, assigned_clerk, created_at_ms, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            case.number.trim(),
            case.party_id,
            case.product_id,
            case.title.trim(),
            case.status.as_str(),
            case.assigned_clerk,
            at_ms
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit(tx, id, actor, "case.created", at_ms)?;
    Ok(id)
}

/// The case numbered `number`.
pub fn by_number(conn: &Connection, number: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM case_file WHERE number = ?1",
            params![number.trim()],
            |r| r.get(0),
        )
        .optional()?)
}

const SUMMARY: &str = "SELECT c.id, c.number, c.title, c.status, p.name, c.updated_at_ms FROM case_file c JOIN party p ON p.id = c.party_id";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, String, String, i64)> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn finish_summary(
    (id, number, title, status, party_name, updated_at_ms): (
        i64,
        String,
        String,
        String,
        String,
        i64,
    ),
) -> Result<CaseSummary, StoreError> {
    Ok(CaseSummary {
        id,
        number,
        title,
        status: CaseStatus::from_name(&status).ok_or_else(|| corrupt("case_file", "status"))?,
        party_name,
        updated_at_ms,
    })
}

/// The `limit` cases changed last, newest first.
pub fn recent(conn: &Connection, limit: u32) -> Result<Vec<CaseSummary>, StoreError> {
    let mut statement = conn.prepare_cached(&format!(
        "{SUMMARY} ORDER BY c.updated_at_ms DESC, c.id DESC LIMIT ?1"
    ))?;
    let rows = statement.query_map(params![limit], summary)?;
    rows.map(|r| finish_summary(r?)).collect()
}

/// The FTS5 query for what a clerk typed: every word must occur, diacritics folded;
/// quotes and operators are taken as plain text. With `prefix`, a word of two or more
/// characters also matches the words it starts ("verkeer" finds "verkeersborden"). `None`
/// when nothing searchable is left.
pub fn fts_query(text: &str, prefix: bool) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .take(8)
        .map(|w| w.chars().take(64).collect::<String>())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| {
            let star = if prefix && w.chars().count() >= 2 {
                "*"
            } else {
                ""
            };
            format!("\"{}\"{star}", w.replace('"', "\"\""))
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// How many of the newest matching cases a search ranks.
pub const CANDIDATE_CASES: u32 = 1000;
/// How many of the newest matching notes a search takes.
pub const CANDIDATE_NOTES: u32 = 200;

/// Cases matching what a clerk typed, best first: an exact case number first, then the
/// cases whose number, title or party match (words and the starts of words), ranked by
/// BM25, then the cases with a note holding every word (whole words), newest first. For a
/// word in very many cases, the newest [`CANDIDATE_CASES`] that match are ranked; of the
/// notes, the newest [`CANDIDATE_NOTES`] that match count.
pub fn search(conn: &Connection, text: &str, limit: u32) -> Result<Vec<CaseSummary>, StoreError> {
    let mut found: Vec<CaseSummary> = Vec::new();
    if let Some(id) = by_number(conn, text)? {
        let mut statement = conn.prepare_cached(&format!("{SUMMARY} WHERE c.id = ?1"))?;
        if let Some(row) = statement.query_row(params![id], summary).optional()? {
            found.push(finish_summary(row)?);
        }
    }
    let (Some(words), Some(whole_words)) = (fts_query(text, true), fts_query(text, false)) else {
        return Ok(found);
    };
    // Measured with 100,000 cases and 1,000,000 notes (benches/cases.sh): ranking every
    // row of a common word, or expanding the start of a word over a million notes, takes
    // tens to hundreds of milliseconds. So cases take their newest matches first (FTS5
    // walks its index in rowid order and stops at the limit) and rank those, and notes are
    // matched by whole words, newest first, unranked (BM25 would count every note with
    // the word): a hit in a note ranks after every hit on a case.
    let mut statement = conn.prepare_cached(&format!(
        "WITH hits (case_id, score) AS (
            SELECT rowid, score FROM (
                SELECT rowid, bm25(case_fts, 4.0, 3.0, 2.0) AS score FROM case_fts
                WHERE case_fts MATCH ?1 ORDER BY rowid DESC LIMIT {CANDIDATE_CASES})
            UNION ALL
            SELECT n.case_id, 0.0 FROM (
                SELECT rowid FROM note_fts
                WHERE note_fts MATCH ?3 ORDER BY rowid DESC LIMIT {CANDIDATE_NOTES}) f
            JOIN case_note n ON n.id = f.rowid
        ),
        best (case_id, score) AS (SELECT case_id, MIN(score) FROM hits GROUP BY case_id)
        {SUMMARY} JOIN best b ON b.case_id = c.id ORDER BY b.score, c.updated_at_ms DESC LIMIT ?2"
    ))?;
    let rows = statement.query_map(params![words, limit, whole_words], summary)?;
    for row in rows {
        let hit = finish_summary(row?)?;
        if !found.iter().any(|f| f.id == hit.id) {
            found.push(hit);
        }
    }
    found.truncate(limit as usize);
    Ok(found)
}

/// Case `id` with its party, notes, calls, documents and payments; the opening is written
/// to the audit trail as `actor`'s.
pub fn open(
    conn: &mut Connection,
    id: i64,
    actor: &str,
    at_ms: i64,
) -> Result<Option<CaseDetail>, StoreError> {
    let tx = conn.transaction()?;
    let Some(detail) = read_detail(&tx, id)? else {
        return Ok(None);
    };
    audit(&tx, id, actor, "case.viewed", at_ms)?;
    tx.commit()?;
    Ok(Some(detail))
}

/// Case `id` as [`open`] gives it, without an audit line (exports, the system itself).
pub fn read_detail(conn: &Connection, id: i64) -> Result<Option<CaseDetail>, StoreError> {
    let row = conn
        .query_row(
            "SELECT c.id, c.number, c.title, c.status, p.name, c.updated_at_ms,
                    c.product_id, c.assigned_clerk, c.handled_in_one_go, c.room_id, c.created_at_ms, c.party_id
             FROM case_file c JOIN party p ON p.id = c.party_id WHERE c.id = ?1",
            params![id],
            |r| {
                Ok((
                    summary(r)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, i64>(10)?,
                    r.get::<_, i64>(11)?,
                ))
            },
        )
        .optional()?;
    let Some((head, product_id, assigned_clerk, one_go, room_id, created_at_ms, party_id)) = row
    else {
        return Ok(None);
    };
    let party = party(conn, party_id)?.ok_or_else(|| corrupt("case_file", "party"))?;
    let mut notes = conn.prepare_cached(
        "SELECT id, at_ms, author, body FROM case_note WHERE case_id = ?1 ORDER BY at_ms, id",
    )?;
    let notes = notes
        .query_map(params![id], |r| {
            Ok(Note {
                id: r.get(0)?,
                at_ms: r.get(1)?,
                author: r.get(2)?,
                body: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut calls = conn.prepare_cached(
        "SELECT room_id, started_at_ms, ended_at_ms FROM case_call WHERE case_id = ?1 ORDER BY started_at_ms",
    )?;
    let calls = calls
        .query_map(params![id], |r| {
            Ok(Call {
                room_id: r.get(0)?,
                started_at_ms: r.get(1)?,
                ended_at_ms: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut documents = conn.prepare_cached(
        "SELECT id, sha256, name, media_type, size_bytes, added_at_ms, added_by FROM case_document WHERE case_id = ?1 ORDER BY added_at_ms, id",
    )?;
    let documents = documents
        .query_map(params![id], |r| {
            Ok(Document {
                id: r.get(0)?,
                sha256: r.get(1)?,
                name: r.get(2)?,
                media_type: r.get(3)?,
                size_bytes: r.get(4)?,
                added_at_ms: r.get(5)?,
                added_by: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut payments = conn
        .prepare_cached("SELECT id FROM payment WHERE case_id = ?1 ORDER BY created_at_ms, id")?;
    let payment_ids = payments
        .query_map(params![id.to_string()], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    let mut checks = conn.prepare_cached(
        "SELECT room_id, at_ms, checked_by, provider, means, level, party_match FROM case_identity WHERE case_id = ?1 ORDER BY at_ms, id",
    )?;
    let identity_checks = checks
        .query_map(params![id], |r| {
            Ok(IdentityCheck {
                room_id: r.get(0)?,
                at_ms: r.get(1)?,
                checked_by: r.get(2)?,
                provider: r.get(3)?,
                means: r.get(4)?,
                level: r.get(5)?,
                party_match: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(CaseDetail {
        summary: finish_summary(head)?,
        product_id,
        assigned_clerk,
        handled_in_one_go: one_go != 0,
        room_id,
        created_at_ms,
        party,
        notes,
        calls,
        documents,
        payment_ids,
        identity_checks,
    }))
}

/// Adds a note to case `case_id`; its id.
pub fn add_note(
    conn: &mut Connection,
    case_id: i64,
    author: &str,
    body: &str,
    at_ms: i64,
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    touch(&tx, case_id, at_ms)?;
    tx.execute(
        "INSERT INTO case_note (case_id, at_ms, author, body) VALUES (?1, ?2, ?3, ?4)",
        params![case_id, at_ms, author, body.trim()],
    )?;
    let id = tx.last_insert_rowid();
    audit(&tx, case_id, author, "note.added", at_ms)?;
    tx.commit()?;
    Ok(id)
}

/// Adds a note to case `case_id` inside the caller's transaction, as an import does: the
/// case's own audit line ("case.created") already covers it, so none is written here.
pub fn add_imported_note(
    conn: &Connection,
    case_id: i64,
    author: &str,
    body: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO case_note (case_id, at_ms, author, body) VALUES (?1, ?2, ?3, ?4)",
        params![case_id, at_ms, author, body],
    )?;
    Ok(())
}

/// Changes case `case_id`'s status.
pub fn set_status(
    conn: &mut Connection,
    case_id: i64,
    status: CaseStatus,
    actor: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    touch(&tx, case_id, at_ms)?;
    tx.execute(
        "UPDATE case_file SET status = ?2 WHERE id = ?1",
        params![case_id, status.as_str()],
    )?;
    audit(
        &tx,
        case_id,
        actor,
        &format!("status.{}", status.as_str()),
        at_ms,
    )?;
    tx.commit()?;
    Ok(())
}

/// Marks case `case_id` handled in one go (in the call, without follow-up).
pub fn mark_handled_in_one_go(
    conn: &mut Connection,
    case_id: i64,
    actor: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    touch(&tx, case_id, at_ms)?;
    tx.execute(
        "UPDATE case_file SET handled_in_one_go = 1 WHERE id = ?1",
        params![case_id],
    )?;
    audit(&tx, case_id, actor, "case.handled_in_one_go", at_ms)?;
    tx.commit()?;
    Ok(())
}

/// Links case `case_id` to the conversation `room_id` (from now on, the call is in its
/// timeline, and the case opens with the room).
pub fn link_room(
    conn: &mut Connection,
    case_id: i64,
    room_id: &str,
    actor: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    touch(&tx, case_id, at_ms)?;
    tx.execute(
        "UPDATE case_file SET room_id = NULL WHERE room_id = ?1 AND id != ?2",
        params![room_id, case_id],
    )?;
    tx.execute(
        "UPDATE case_file SET room_id = ?2 WHERE id = ?1",
        params![case_id, room_id],
    )?;
    tx.execute(
        "INSERT INTO case_call (case_id, room_id, started_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (case_id, room_id) DO NOTHING",
        params![case_id, room_id, at_ms],
    )?;
    audit(&tx, case_id, actor, "call.linked", at_ms)?;
    tx.commit()?;
    Ok(())
}

/// The case linked to conversation `room_id`.
pub fn case_of_room(conn: &Connection, room_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id FROM case_file WHERE room_id = ?1",
            params![room_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// The conversation `room_id` ended: its calls get their end, and no case stays linked.
pub fn end_room(conn: &Connection, room_id: &str, at_ms: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE case_call SET ended_at_ms = ?2 WHERE room_id = ?1 AND ended_at_ms IS NULL",
        params![room_id, at_ms],
    )?;
    conn.execute(
        "UPDATE case_file SET room_id = NULL WHERE room_id = ?1",
        params![room_id],
    )?;
    Ok(())
}

/// Puts payment `payment_id` in case `case_id`'s timeline.
pub fn link_payment(
    conn: &mut Connection,
    case_id: i64,
    payment_id: &str,
    actor: &str,
    at_ms: i64,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    touch(&tx, case_id, at_ms)?;
    if tx.execute(
        "UPDATE payment SET case_id = ?2 WHERE id = ?1",
        params![payment_id, case_id.to_string()],
    )? == 0
    {
        return Err(StoreError::NotFound {
            table: "payment",
            id: payment_id.to_owned(),
        });
    }
    audit(&tx, case_id, actor, "payment.linked", at_ms)?;
    tx.commit()?;
    Ok(())
}

/// Records a file attached to case `case_id` (its bytes are already stored under
/// `sha256`); its id.
#[allow(clippy::too_many_arguments)]
pub fn add_document(
    conn: &mut Connection,
    case_id: i64,
    sha256: &str,
    name: &str,
    media_type: &str,
    size_bytes: u64,
    actor: &str,
    at_ms: i64,
) -> Result<i64, StoreError> {
    let size = i64::try_from(size_bytes).map_err(|_| StoreError::Forbidden("file too large"))?;
    let tx = conn.transaction()?;
    touch(&tx, case_id, at_ms)?;
    tx.execute(
        "INSERT INTO case_document (case_id, sha256, name, media_type, size_bytes, added_at_ms, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![case_id, sha256, name, media_type, size, at_ms, actor],
    )?;
    let id = tx.last_insert_rowid();
    audit(&tx, case_id, actor, "document.added", at_ms)?;
    tx.commit()?;
    Ok(id)
}

/// Who viewed and changed case `case_id`, oldest first.
pub fn audit_trail(conn: &Connection, case_id: i64) -> Result<Vec<AuditLine>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT at_ms, actor, action FROM case_audit WHERE case_id = ?1 ORDER BY at_ms, id",
    )?;
    let rows = statement.query_map(params![case_id], |r| {
        Ok(AuditLine {
            at_ms: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets the metadata of calls that started before `before_ms` (the retention period);
/// how many were removed. Cases, notes and payments stay.
pub fn purge_calls(conn: &Connection, before_ms: i64) -> Result<usize, StoreError> {
    Ok(conn.execute(
        "DELETE FROM case_call WHERE started_at_ms < ?1 AND ended_at_ms IS NOT NULL",
        params![before_ms],
    )?)
}
