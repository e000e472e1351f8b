//! Importing parties and cases from a CSV or JSON file.
//!
//! An import is all or nothing: every row is checked first (by [`super::rules`], the same
//! check as the clerk's form), and the rows are written by the [`super::CaseSource`] in
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

use super::rules::{self, CaseFields, CheckedCase};
use balie_domain::Locale;
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

/// A CSV reader over `bytes` as spreadsheets write them: a byte-order mark skipped, `;`
/// or `,` between fields (whichever the header row has more of), fields trimmed.
pub(crate) fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let header_end = body.iter().position(|b| *b == b'\n').unwrap_or(body.len());
    let header = &body[..header_end];
    let semicolons = header.iter().filter(|b| **b == b';').count();
    let commas = header.iter().filter(|b| **b == b',').count();
    csv::ReaderBuilder::new()
        .delimiter(if semicolons > commas { b';' } else { b',' })
        .trim(csv::Trim::All)
        .from_reader(body)
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
            let mut reader = csv_reader(bytes);
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

impl ImportRow {
    /// The row as the fields [`super::rules::check`] takes.
    fn fields(&self) -> CaseFields {
        CaseFields {
            party_kind: self.party_kind.clone(),
            party_name: self.party_name.clone(),
            enterprise_number: self.enterprise_number.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            external_id: self.external_id.clone(),
            case_number: self.case_number.clone(),
            title: self.title.clone(),
            status: self.status.clone(),
            product: self.product.clone(),
            assigned_clerk: self.assigned_clerk.clone(),
            notes: self.note.iter().chain(&self.notes).cloned().collect(),
        }
    }
}

/// Reads and checks every row of `bytes` (`products`: the catalog's ids): the rows ready
/// to write, each with its number, or every problem found.
pub fn checked_rows(
    locale: Locale,
    format: ImportFormat,
    bytes: &[u8],
    products: &[String],
) -> Result<Vec<(usize, CheckedCase)>, Vec<RowError>> {
    let rows = read_rows(locale, format, bytes)?;
    let mut checked = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (row, r) in &rows {
        match rules::check(locale, &r.fields(), products) {
            Ok(c) => checked.push((*row, c)),
            Err(e) => errors.extend(e.into_iter().map(|e| RowError {
                row: *row,
                field: Some(e.field.into()),
                message: e.message,
            })),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}
