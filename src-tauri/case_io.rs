//! Importing parties and cases (CSV or JSON) and exporting one case (JSON, PDF).
//!
//! An import is all or nothing: every row is checked first, and the rows are written in
//! one transaction; one bad row (a missing title, an enterprise number with wrong check
//! digits, a case number that exists) and nothing is written. Every error names its row
//! and field in the clerk's language.
//!
//! The columns (CSV, with `;` or `,` between fields and a header row; JSON: an array of
//! objects with the same names, optionally `notes` as an array of texts):
//! `case_number` (empty: the next free number), `title`, `status` (`new`, `in_progress`,
//! `waiting`, `approved`, `refused`, `closed`; empty: `new`), `product` (a product id),
//! `assigned_clerk`, `party_kind` (`citizen`, `company`, `association`), `party_name`,
//! `enterprise_number` (required for a company), `email`, `phone`, `address`,
//! `external_id` (the party's id in the municipality's own system), `note`.
//! A party is found again by enterprise number, then by external id; otherwise it is new.

use crate::core::rfc3339;
use crate::error::IpcError;
use balie_domain::{EnterpriseNumber, Locale};
use balie_store::cockpit::case::{self, CaseStatus, NewCase, NewParty, PartyKind};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Most rows one import takes.
pub const MAX_ROWS: usize = 50_000;

/// One row as imported.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRow {
    #[serde(default)]
    case_number: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    assigned_clerk: Option<String>,
    #[serde(default)]
    party_kind: Option<String>,
    #[serde(default)]
    party_name: Option<String>,
    #[serde(default)]
    enterprise_number: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RowError {
    /// The row: the line in a CSV file (the header is line 1), the position (from 1) in a
    /// JSON array; 0 for the file as a whole.
    pub row: usize,
    /// The field, if one is to blame.
    pub field: Option<String>,
    /// What is wrong, in the clerk's language.
    pub message: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// Everything was written.
    Imported {
        /// Cases written.
        cases: usize,
        /// Parties written (new ones; found ones are not counted).
        parties: usize,
    },
    /// Nothing was written, because of these rows.
    Refused {
        /// Every problem found.
        errors: Vec<RowError>,
    },
}

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Everything, machine-readable.
    Json,
    /// A summary to print or send.
    Pdf,
}

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// Comma- or semicolon-separated, with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
}

fn text(locale: Locale, key: &str) -> String {
    crate::i18n::text(locale, &format!("import.{key}"))
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Reads the rows of `bytes`, each with its row number.
fn read_rows(
    locale: Locale,
    format: ImportFormat,
    bytes: &[u8],
) -> Result<Vec<(usize, ImportRow)>, Vec<RowError>> {
    let whole = |key: &str| {
        vec![RowError {
            row: 0,
            field: None,
            message: text(locale, key),
        }]
    };
    let rows = match format {
        ImportFormat::Json => {
            let rows: Vec<ImportRow> = serde_json::from_slice(bytes).map_err(|e| {
                vec![RowError {
                    row: 0,
                    field: None,
                    message: format!("{} ({}:{})", text(locale, "not_json"), e.line(), e.column()),
                }]
            })?;
            rows.into_iter()
                .enumerate()
                .map(|(i, r)| (i + 1, r))
                .collect::<Vec<_>>()
        }
        ImportFormat::Csv => {
            let text_start = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            let header_end = text_start
                .iter()
                .position(|b| *b == b'\n')
                .unwrap_or(text_start.len());
            let header = &text_start[..header_end];
            let semicolons = header.iter().filter(|b| **b == b';').count();
            let commas = header.iter().filter(|b| **b == b',').count();
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(if semicolons > commas { b';' } else { b',' })
                .trim(csv::Trim::All)
                .from_reader(text_start);
            let mut rows = Vec::new();
            let mut errors = Vec::new();
            for (i, record) in reader.deserialize::<ImportRow>().enumerate() {
                match record {
                    Ok(row) => rows.push((i + 2, row)),
                    Err(e) => errors.push(RowError {
                        row: e.position().map_or(i + 2, |p| p.line() as usize),
                        field: None,
                        message: format!("{} ({e})", text(locale, "not_csv")),
                    }),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            rows
        }
    };
    if rows.is_empty() {
        return Err(whole("empty"));
    }
    if rows.len() > MAX_ROWS {
        return Err(whole("too_many"));
    }
    Ok(rows)
}

/// A row checked: ready to write.
struct Checked {
    row: usize,
    party: NewParty,
    number: Option<String>,
    title: String,
    status: CaseStatus,
    product: Option<String>,
    assigned_clerk: Option<String>,
    notes: Vec<String>,
}

fn check(
    locale: Locale,
    row: usize,
    r: &ImportRow,
    products: &[String],
) -> Result<Checked, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| {
        errors.push(RowError {
            row,
            field: Some(field.into()),
            message,
        });
    };
    let title = clean(&r.title).unwrap_or_default();
    if title.is_empty() {
        fail("title", text(locale, "title_missing"));
    } else if title.chars().count() > 300 {
        fail("title", text(locale, "title_long"));
    }
    let status = match clean(&r.status) {
        None => Some(CaseStatus::New),
        Some(s) => CaseStatus::from_name(&s),
    };
    if status.is_none() {
        fail("status", text(locale, "status_unknown"));
    }
    let kind = clean(&r.party_kind).and_then(|k| PartyKind::from_name(&k));
    if kind.is_none() {
        fail("party_kind", text(locale, "party_kind_unknown"));
    }
    let name = clean(&r.party_name).unwrap_or_default();
    if name.is_empty() || name.chars().count() > 200 {
        fail("party_name", text(locale, "party_name_missing"));
    }
    let enterprise_number = match clean(&r.enterprise_number) {
        None => None,
        Some(n) => match EnterpriseNumber::parse(&n) {
            Ok(n) => Some(n),
            Err(e) => {
                let key = format!("error.{}", e.catalog_key());
                fail("enterprise_number", crate::i18n::text(locale, &key));
                None
            }
        },
    };
    if kind == Some(PartyKind::Company) && clean(&r.enterprise_number).is_none() {
        fail(
            "enterprise_number",
            text(locale, "enterprise_number_missing"),
        );
    }
    let product = clean(&r.product);
    if product.as_ref().is_some_and(|p| !products.contains(p)) {
        fail("product", text(locale, "product_unknown"));
    }
    let number = clean(&r.case_number);
    if number.as_ref().is_some_and(|n| n.chars().count() > 40) {
        fail("case_number", text(locale, "number_long"));
    }
    let mut notes: Vec<String> = clean(&r.note).into_iter().collect();
    notes.extend(
        r.notes
            .iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
    );
    if notes
        .iter()
        .any(|n| n.chars().count() > crate::cases::MAX_NOTE_CHARS)
    {
        fail("note", text(locale, "note_long"));
    }
    let email = clean(&r.email);
    if email
        .as_ref()
        .is_some_and(|e| !e.contains('@') || e.len() > 254)
    {
        fail("email", text(locale, "email_invalid"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(kind), Some(status)) = (kind, status) else {
        return Err(errors);
    };
    Ok(Checked {
        row,
        party: NewParty {
            kind,
            name,
            enterprise_number,
            email,
            phone: clean(&r.phone),
            address: clean(&r.address),
            external_id: clean(&r.external_id),
        },
        number,
        title,
        status,
        product,
        assigned_clerk: clean(&r.assigned_clerk),
        notes,
    })
}

/// Imports `bytes` into `conn` as `actor`, at `at_ms`; all rows or none.
pub fn import(
    conn: &mut Connection,
    locale: Locale,
    format: ImportFormat,
    bytes: &[u8],
    actor: &str,
    at_ms: i64,
    year: i32,
) -> Result<ImportOutcome, IpcError> {
    let rows = match read_rows(locale, format, bytes) {
        Ok(rows) => rows,
        Err(errors) => return Ok(ImportOutcome::Refused { errors }),
    };
    let products: Vec<String> = balie_store::cockpit::product::list(conn, locale)?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut checked = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (row, r) in &rows {
        match check(locale, *row, r, &products) {
            Ok(c) => checked.push(c),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Ok(ImportOutcome::Refused { errors });
    }
    let tx = conn.transaction().map_err(balie_store::StoreError::from)?;
    let mut parties = 0;
    let mut numbers = std::collections::HashSet::new();
    for c in &checked {
        let row_error = |field: &str, key: &str| RowError {
            row: c.row,
            field: Some(field.into()),
            message: text(locale, key),
        };
        let found = match (&c.party.enterprise_number, &c.party.external_id) {
            (Some(n), _) => case::party_by_enterprise_number(&tx, *n)?,
            (None, Some(x)) => case::party_by_external_id(&tx, x)?,
            (None, None) => None,
        };
        let party_id = match found {
            Some(id) => id,
            None => match case::add_party(&tx, &c.party, at_ms) {
                Ok(id) => {
                    parties += 1;
                    id
                }
                Err(_) => {
                    errors.push(row_error("party_name", "party_conflict"));
                    continue;
                }
            },
        };
        let number = match &c.number {
            Some(n) => n.clone(),
            None => case::next_number(&tx, year)?,
        };
        if !numbers.insert(number.clone()) || case::by_number(&tx, &number)?.is_some() {
            errors.push(row_error("case_number", "number_taken"));
            continue;
        }
        let new = NewCase {
            number,
            party_id,
            product_id: c.product.clone(),
            title: c.title.clone(),
            status: c.status,
            assigned_clerk: c.assigned_clerk.clone(),
        };
        let id = match case::insert_case(&tx, &new, actor, at_ms) {
            Ok(id) => id,
            Err(_) => {
                errors.push(row_error("case_number", "number_taken"));
                continue;
            }
        };
        for note in &c.notes {
            tx.execute(
                "INSERT INTO case_note (case_id, at_ms, author, body) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, at_ms, actor, note],
            )
            .map_err(balie_store::StoreError::from)?;
        }
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls everything back.
        return Ok(ImportOutcome::Refused { errors });
    }
    tx.commit().map_err(balie_store::StoreError::from)?;
    Ok(ImportOutcome::Imported {
        cases: checked.len(),
        parties,
    })
}

/// Case `id` as a JSON document: the case, its party, notes, calls, payments and
/// documents (their names and digests, not their bytes).
pub fn export_json(conn: &Connection, id: i64) -> Result<Option<serde_json::Value>, IpcError> {
    let Some(detail) = case::read_detail(conn, id)? else {
        return Ok(None);
    };
    let mut payments = Vec::new();
    for pid in &detail.payment_ids {
        if let Some(p) = balie_store::cockpit::payment::get(conn, pid)? {
            payments.push(serde_json::json!({
                "id": p.id,
                "provider": p.provider,
                "amount_cents": p.amount.cents(),
                "description": p.description,
                "reference": p.reference,
                "status": p.status.as_str(),
                "created_at": rfc3339(p.created_at_ms),
            }));
        }
    }
    let party = &detail.party;
    Ok(Some(serde_json::json!({
        "format": "balie-case/1",
        "number": detail.summary.number,
        "title": detail.summary.title,
        "status": detail.summary.status.as_str(),
        "product": detail.product_id,
        "assigned_clerk": detail.assigned_clerk,
        "handled_in_one_go": detail.handled_in_one_go,
        "created_at": rfc3339(detail.created_at_ms),
        "updated_at": rfc3339(detail.summary.updated_at_ms),
        "party": {
            "kind": party.kind.as_str(),
            "name": party.name,
            "enterprise_number": party.enterprise_number,
            "email": party.email,
            "phone": party.phone,
            "address": party.address,
            "external_id": party.external_id,
        },
        "notes": detail.notes.iter().map(|n| serde_json::json!({
            "at": rfc3339(n.at_ms), "author": n.author, "body": n.body,
        })).collect::<Vec<_>>(),
        "calls": detail.calls.iter().map(|c| serde_json::json!({
            "started_at": rfc3339(c.started_at_ms),
            "ended_at": c.ended_at_ms.map(rfc3339),
        })).collect::<Vec<_>>(),
        "payments": payments,
        "documents": detail.documents.iter().map(|d| serde_json::json!({
            "name": d.name, "media_type": d.media_type, "size_bytes": d.size_bytes,
            "sha256": d.sha256, "added_at": rfc3339(d.added_at_ms), "added_by": d.added_by,
        })).collect::<Vec<_>>(),
    })))
}

/// Case `id` as a PDF summary in the clerk's language.
pub fn export_pdf(conn: &Connection, locale: Locale, id: i64) -> Result<Option<Vec<u8>>, IpcError> {
    use crate::pdf::Line;
    let Some(detail) = case::read_detail(conn, id)? else {
        return Ok(None);
    };
    let t = |key: &str| crate::i18n::text(locale, &format!("export.{key}"));
    let date = |ms: i64| {
        let text = rfc3339(ms);
        text.get(..16).map(|s| s.replace('T', " ")).unwrap_or(text)
    };
    let mut lines = vec![
        Line::Title(format!("{} {}", t("case"), detail.summary.number)),
        Line::Text(detail.summary.title.clone()),
        Line::Gap,
        Line::Text(format!(
            "{}: {}",
            t("status"),
            crate::i18n::text(
                locale,
                &format!("case.status_{}", detail.summary.status.as_str())
            )
        )),
        Line::Text(format!("{}: {}", t("opened"), date(detail.created_at_ms))),
    ];
    if let Some(clerk) = &detail.assigned_clerk {
        lines.push(Line::Text(format!("{}: {clerk}", t("clerk"))));
    }
    if detail.handled_in_one_go {
        lines.push(Line::Text(t("one_go")));
    }
    let party = &detail.party;
    lines.push(Line::Heading(t("party")));
    lines.push(Line::Text(party.name.clone()));
    if let Some(n) = &party.enterprise_number {
        lines.push(Line::Text(format!("{}: {n}", t("enterprise_number"))));
    }
    for value in [&party.address, &party.email, &party.phone]
        .into_iter()
        .flatten()
    {
        lines.push(Line::Text(value.clone()));
    }
    if !detail.payment_ids.is_empty() {
        lines.push(Line::Heading(t("payments")));
        for pid in &detail.payment_ids {
            if let Some(p) = balie_store::cockpit::payment::get(conn, pid)? {
                lines.push(Line::Text(format!(
                    "{}  {}  {}  ({})",
                    date(p.created_at_ms),
                    p.amount.format(locale),
                    p.description,
                    crate::i18n::text(locale, &format!("pay.status_{}", p.status.as_str()))
                )));
            }
        }
    }
    if !detail.calls.is_empty() {
        lines.push(Line::Heading(t("calls")));
        for c in &detail.calls {
            lines.push(Line::Text(date(c.started_at_ms)));
        }
    }
    if !detail.notes.is_empty() {
        lines.push(Line::Heading(t("notes")));
        for n in &detail.notes {
            lines.push(Line::Text(format!("{} — {}", date(n.at_ms), n.author)));
            lines.push(Line::Text(n.body.clone()));
            lines.push(Line::Gap);
        }
    }
    let title = format!("{} {}", t("case"), detail.summary.number);
    Ok(Some(crate::pdf::document(&title, &lines)))
}
