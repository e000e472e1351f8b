//! Case files in the cockpit: search, open, the timeline (notes, calls, payments), quick
//! actions during a call, and the link between a case and the conversation.
//!
//! Cases come from a [`CaseSource`]. Balie's own SQLite store ([`LocalCases`]) is the one
//! implementation now; a municipality's case system is connected by implementing the
//! trait (see ARCHITECTURE.md, "Connecting a case system"). Every opening and change is
//! written to the case's audit trail under the clerk's name.
//!
//! The rooms of this folder: [`views`] (what the dossier window shows and sends),
//! [`source`] (the seam), [`local`] (Balie's own store), [`rules`] (the one check of a
//! party and its case), [`import`] and [`export`], [`documents`] (files by their content)
//! and [`pdf`] (the small PDF writer of the export).

pub mod documents;
pub mod export;
pub mod import;
pub mod local;
pub mod pdf;
pub mod rules;
pub mod source;
pub mod views;

pub use export::ExportFormat;
pub use import::{ImportFormat, ImportOutcome, RowError};
pub use local::LocalCases;
pub use source::{CaseRecord, CaseSource, StoredDocument};
pub use views::{
    AuditView, CaseSummaryView, CaseView, DocumentView, DossierEvent, NewCaseRequest, PartyView,
    TextDocument, TimelineEntry,
};

use crate::call::CurrentRoom;
use crate::catalog::Catalog;
use crate::config::CockpitConfig;
use crate::error::CockpitError;
use balie_domain::{CaseStatus, Locale};
use rules::CaseFields;
use std::path::PathBuf;
use tokio::sync::broadcast;

/// How many cases a search or the recent list shows.
pub const LIST_LENGTH: u32 = 50;

/// The cockpit's case files and the dossier window's event stream.
pub struct Cases {
    source: Box<dyn CaseSource>,
    events: broadcast::Sender<DossierEvent>,
    catalog: Catalog,
    room: CurrentRoom,
    clerk: String,
    locale: Locale,
    documents_dir: PathBuf,
    export_dir: PathBuf,
}

impl Cases {
    /// Cases from `source`, worked on by `clerk`; products from `catalog`; `room` is the
    /// conversation in progress.
    pub fn new(
        source: Box<dyn CaseSource>,
        catalog: Catalog,
        room: CurrentRoom,
        clerk: String,
        config: &CockpitConfig,
    ) -> Self {
        // Copies made for the system's viewer last one session: the documents themselves
        // stay in the store.
        let _ = std::fs::remove_dir_all(config.data_dir.join("viewing"));
        let (events, _) = broadcast::channel(64);
        Self {
            source,
            events,
            catalog,
            room,
            clerk,
            locale: config.locale,
            documents_dir: config.documents_dir(),
            export_dir: config.export_dir.clone(),
        }
    }

    /// The case source.
    pub fn source(&self) -> &dyn CaseSource {
        self.source.as_ref()
    }

    /// The clerk's name, as audit trails and notes show it.
    pub fn clerk_name(&self) -> &str {
        &self.clerk
    }

    /// What the dossier window should show, as it happens.
    pub fn subscribe(&self) -> broadcast::Receiver<DossierEvent> {
        self.events.subscribe()
    }

    /// Tells the dossier window.
    pub fn tell(&self, event: DossierEvent) {
        let _ = self.events.send(event);
    }

    /// Cases matching what the clerk typed; with nothing typed, the cases changed last.
    pub fn search(&self, text: &str) -> Result<Vec<CaseSummaryView>, CockpitError> {
        if text.trim().is_empty() {
            self.source.recent(LIST_LENGTH)
        } else {
            self.source.search(text, LIST_LENGTH)
        }
    }

    /// Opens case `id` in the dossier window (audited as the clerk's viewing).
    pub fn open(&self, id: i64) -> Result<CaseView, CockpitError> {
        let room = self.room.room_id();
        self.source.open(id, &self.clerk, room.as_deref(), true)
    }

    /// Case `id` read again after a change (not a new viewing).
    pub fn refresh(&self, id: i64) -> Result<CaseView, CockpitError> {
        let room = self.room.room_id();
        self.source.open(id, &self.clerk, room.as_deref(), false)
    }

    /// Opens a new case from the clerk's form; its id. A refusal names the first problem
    /// in the clerk's language, and nothing is written.
    pub fn create(&self, request: &NewCaseRequest) -> Result<i64, CockpitError> {
        let fields = CaseFields {
            party_kind: Some(request.party_kind.as_str().into()),
            party_name: Some(request.party_name.clone()),
            enterprise_number: request.enterprise_number.clone(),
            email: request.email.clone(),
            phone: request.phone.clone(),
            title: Some(request.title.clone()),
            product: request.product.clone(),
            ..CaseFields::default()
        };
        let checked = rules::check(self.locale, &fields, &self.catalog.ids()?).map_err(|e| {
            CockpitError::Rejected(e.into_iter().next().map(|e| e.message).unwrap_or_default())
        })?;
        self.source.create(&self.clerk, &checked)
    }

    /// Adds a note to case `id`.
    pub fn add_note(&self, id: i64, body: &str) -> Result<(), CockpitError> {
        self.source.add_note(id, &self.clerk, body)
    }

    /// Changes case `id`'s status.
    pub fn set_status(&self, id: i64, status: CaseStatus) -> Result<(), CockpitError> {
        self.source.set_status(id, &self.clerk, status)
    }

    /// Marks case `id` handled in one go.
    pub fn mark_handled(&self, id: i64) -> Result<(), CockpitError> {
        self.source.mark_handled(id, &self.clerk)
    }

    /// Links case `id` to the conversation in progress; it comes up in the dossier window.
    pub fn link_to_call(&self, id: i64) -> Result<(), CockpitError> {
        let room = self
            .room
            .room_id()
            .ok_or_else(|| CockpitError::rejected(self.locale, "error.case.no_call"))?;
        self.source.link_room(id, &self.clerk, &room)?;
        self.tell(DossierEvent::Show { case_id: id });
        Ok(())
    }

    /// Attaches a file to case `id` (checked, stored by its content); the document's id.
    pub fn attach_document(&self, id: i64, name: &str, bytes: &[u8]) -> Result<i64, CockpitError> {
        let stored = documents::store(&self.documents_dir, name, bytes)
            .map_err(|e| CockpitError::rejected(self.locale, e.catalog_key()))?;
        let document = self.source.add_document(id, &self.clerk, &stored)?;
        self.tell(DossierEvent::Changed { case_id: id });
        Ok(document)
    }

    /// How the clerk sees document `document_id` of case `id`: a copy named by its
    /// checked type for the system's viewer, or its text for the dossier window.
    pub fn view_document(
        &self,
        id: i64,
        document_id: i64,
    ) -> Result<documents::Viewing, CockpitError> {
        let (sha256, _) = self
            .source
            .document(id, document_id)?
            .ok_or_else(|| CockpitError::InvalidInput("no such document".into()))?;
        let viewing = self
            .documents_dir
            .parent()
            .map_or_else(|| self.documents_dir.join("viewing"), |d| d.join("viewing"));
        documents::viewing(&self.documents_dir, &viewing, &sha256).map_err(|e| match e {
            documents::DocumentError::Io(detail) => CockpitError::Storage(detail),
            other => CockpitError::rejected(self.locale, other.catalog_key()),
        })
    }

    /// Imports parties and cases from a CSV or JSON file: every row checked first, then
    /// all rows written or none.
    pub fn import(
        &self,
        format: ImportFormat,
        bytes: &[u8],
    ) -> Result<ImportOutcome, CockpitError> {
        let products = self.catalog.ids()?;
        let rows = match import::checked_rows(self.locale, format, bytes, &products) {
            Ok(rows) => rows,
            Err(errors) => return Ok(ImportOutcome::Refused { errors }),
        };
        let outcome = self.source.import(&self.clerk, &rows)?;
        if let ImportOutcome::Imported { cases, parties } = &outcome {
            tracing::info!(cases, parties, "cases imported");
        }
        Ok(outcome)
    }

    /// Case `id` exported: its file name and bytes.
    pub fn export(&self, id: i64, format: ExportFormat) -> Result<(String, Vec<u8>), CockpitError> {
        let record = self
            .source
            .export(id)?
            .ok_or_else(|| CockpitError::rejected(self.locale, "error.case.not_found"))?;
        let name = export::file_name(&record.detail.summary.number, format);
        let bytes = match format {
            ExportFormat::Json => serde_json::to_vec_pretty(&export::json(&record))
                .map_err(|e| CockpitError::Internal(format!("export: {e}")))?,
            ExportFormat::Pdf => export::pdf(&record, self.locale),
        };
        Ok((name, bytes))
    }

    /// Case `id` exported into the export folder; the file's path.
    pub fn export_to_file(&self, id: i64, format: ExportFormat) -> Result<PathBuf, CockpitError> {
        let (name, bytes) = self.export(id, format)?;
        let path = self.export_dir.join(name);
        std::fs::create_dir_all(&self.export_dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| CockpitError::Storage(format!("cannot write the export: {e}")))?;
        Ok(path)
    }

    /// A conversation started in `room`, for case `case_id` if given: the case is linked
    /// to it and comes up in the dossier window.
    pub(crate) fn conversation_started(
        &self,
        case_id: Option<i64>,
        room: &str,
    ) -> Result<(), CockpitError> {
        if let Some(case_id) = case_id {
            self.source.link_room(case_id, &self.clerk, room)?;
            self.tell(DossierEvent::Show { case_id });
        }
        Ok(())
    }

    /// The case linked to the conversation in `room`, if any.
    pub(crate) fn case_of_room(&self, room: &str) -> Result<Option<i64>, CockpitError> {
        self.source.case_of_room(room)
    }

    /// The citizen was let in: the case of the conversation comes up in the dossier window.
    pub(crate) fn citizen_admitted(&self, room: &str) -> Result<(), CockpitError> {
        if let Some(case_id) = self.source.case_of_room(room)? {
            self.tell(DossierEvent::Show { case_id });
        }
        Ok(())
    }

    /// The conversation in `room` ended: its call ends in the case's timeline.
    pub(crate) fn conversation_ended(&self, room: &str) {
        let case = self.source.case_of_room(room).ok().flatten();
        if let Err(e) = self.source.end_room(room) {
            tracing::warn!(error = %e, "the call's end was not written to its case");
        }
        if let Some(case_id) = case {
            self.tell(DossierEvent::Changed { case_id });
        }
    }

    /// The case of the conversation in progress, if one is linked.
    pub(crate) fn case_of_current_room(&self) -> Result<Option<i64>, CockpitError> {
        match self.room.room_id() {
            Some(room) => self.source.case_of_room(&room),
            None => Ok(None),
        }
    }

    /// Payment `payment_id` was asked for case `case_id`: it lands in the case's timeline.
    pub(crate) fn payment_asked(&self, case_id: i64, payment_id: &str) -> Result<(), CockpitError> {
        self.source.link_payment(case_id, &self.clerk, payment_id)?;
        self.tell(DossierEvent::Changed { case_id });
        Ok(())
    }
}
