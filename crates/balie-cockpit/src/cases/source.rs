//! The seam between the cockpit and where case files live. Balie's own SQLite store
//! ([`super::local::LocalCases`]) is the one implementation now; a municipality's case
//! system is connected by implementing [`CaseSource`] over its API (see ARCHITECTURE.md,
//! "Connecting a case system"). Nothing else in the cockpit knows where cases live.

use super::import::ImportOutcome;
use super::rules::CheckedCase;
use super::views::{CaseSummaryView, CaseView};
use crate::error::CockpitError;
use balie_domain::CaseStatus;
use balie_store::cockpit::{case::CaseDetail, payment::Payment};

/// A file stored by its content (see [`super::documents`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// SHA-256, hex.
    pub sha256: String,
    /// The name it was given.
    pub name: String,
    /// Its media type, from its content.
    pub media_type: String,
    /// Its size.
    pub size_bytes: u64,
}

/// A case whole: what an export holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    /// The case with its party, notes, calls and documents.
    pub detail: CaseDetail,
    /// Its payments, in the order they were asked.
    pub payments: Vec<Payment>,
}

/// Where case files come from: Balie's own store, or a municipality's case system.
///
/// Implementations answer in the clerk's language where they produce text, never log
/// citizen data, and write who viewed or changed a case to its audit trail.
pub trait CaseSource: Send + Sync {
    /// Cases matching what the clerk typed, best first.
    fn search(&self, text: &str, limit: u32) -> Result<Vec<CaseSummaryView>, CockpitError>;
    /// Opens a new case, checked by [`super::rules`] (and its party, unless found again by
    /// enterprise number); its id.
    fn create(&self, actor: &str, case: &CheckedCase) -> Result<i64, CockpitError>;
    /// Writes checked import rows (numbered as in the file) all or none: a party is found
    /// again by enterprise number, then by external id; a case number that exists refuses
    /// its row.
    fn import(
        &self,
        actor: &str,
        rows: &[(usize, CheckedCase)],
    ) -> Result<ImportOutcome, CockpitError>;
    /// Case `id` whole, for an export.
    fn export(&self, id: i64) -> Result<Option<CaseRecord>, CockpitError>;
    /// Records a file attached to case `id`, already stored under `sha256`.
    fn add_document(
        &self,
        id: i64,
        actor: &str,
        document: &StoredDocument,
    ) -> Result<i64, CockpitError>;
    /// The stored file `document_id` of case `id` (its digest and name).
    fn document(&self, id: i64, document_id: i64)
    -> Result<Option<(String, String)>, CockpitError>;
    /// The cases changed last.
    fn recent(&self, limit: u32) -> Result<Vec<CaseSummaryView>, CockpitError>;
    /// Case `id` with its timeline; the opening is audited as `actor`'s when `audited`
    /// (a refresh of a case already open is not a new viewing).
    fn open(
        &self,
        id: i64,
        actor: &str,
        live_room: Option<&str>,
        audited: bool,
    ) -> Result<CaseView, CockpitError>;
    /// Adds a note.
    fn add_note(&self, id: i64, actor: &str, body: &str) -> Result<(), CockpitError>;
    /// Changes the status.
    fn set_status(&self, id: i64, actor: &str, status: CaseStatus) -> Result<(), CockpitError>;
    /// Marks the case handled in one go.
    fn mark_handled(&self, id: i64, actor: &str) -> Result<(), CockpitError>;
    /// Links the case to conversation `room_id`.
    fn link_room(&self, id: i64, actor: &str, room_id: &str) -> Result<(), CockpitError>;
    /// The case linked to conversation `room_id`.
    fn case_of_room(&self, room_id: &str) -> Result<Option<i64>, CockpitError>;
    /// Conversation `room_id` ended.
    fn end_room(&self, room_id: &str) -> Result<(), CockpitError>;
    /// Puts a payment in the case's timeline.
    fn link_payment(&self, id: i64, actor: &str, payment_id: &str) -> Result<(), CockpitError>;
}
