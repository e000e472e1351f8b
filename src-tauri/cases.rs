//! Case files in the cockpit: search, open, the timeline (notes, calls, payments), quick
//! actions during a call, and the link between a case and the conversation.
//!
//! Cases come from a [`CaseSource`]. Balie's own SQLite store ([`LocalCases`]) is the one
//! implementation now; a municipality's case system is connected by implementing the
//! trait (see ARCHITECTURE.md, "Connecting a case system"). Every opening and change is
//! written to the case's audit trail under the clerk's name.

use crate::core::now_ms;
use crate::error::IpcError;
use balie_domain::Locale;
use balie_store::cockpit::case::{self, CaseStatus};
use rusqlite::Connection;
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use ts_rs::TS;

/// A case in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseSummaryView {
    /// The case's id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its number (`2026-000123`).
    pub number: String,
    /// What it is about.
    pub title: String,
    /// Where it stands.
    #[ts(
        type = "\"new\" | \"in_progress\" | \"waiting\" | \"approved\" | \"refused\" | \"closed\""
    )]
    pub status: String,
    /// Whose case.
    pub party_name: String,
    /// Last change, ms since the epoch.
    #[ts(type = "number")]
    pub updated_at_ms: i64,
}

/// The party of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PartyView {
    /// `citizen`, `company` or `association`.
    #[ts(type = "\"citizen\" | \"company\" | \"association\"")]
    pub kind: String,
    /// The name.
    pub name: String,
    /// `0123.456.749`.
    pub enterprise_number: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineEntry {
    /// The case was opened.
    Created {
        /// When, ms.
        #[ts(type = "number")]
        at_ms: i64,
    },
    /// A note.
    Note {
        /// When, ms.
        #[ts(type = "number")]
        at_ms: i64,
        /// Who wrote it.
        author: String,
        /// The text.
        body: String,
    },
    /// A call about the case.
    Call {
        /// When it was linked or started, ms.
        #[ts(type = "number")]
        at_ms: i64,
        /// When it ended, ms.
        #[ts(type = "number | null")]
        ended_at_ms: Option<i64>,
    },
    /// A payment asked for the case.
    Payment {
        /// When it was asked, ms.
        #[ts(type = "number")]
        at_ms: i64,
        /// Our payment id.
        payment_id: String,
        /// The amount in the clerk's format.
        amount_text: String,
        /// What it is for.
        description: String,
        /// Where it stands.
        #[ts(type = "\"created\" | \"open\" | \"paid\" | \"failed\" | \"canceled\" | \"expired\"")]
        status: String,
    },
}

/// A line of the audit trail: who viewed or changed the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditView {
    /// When, ms.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// What: `case.viewed`, `note.added`, `status.approved`, …
    pub action: String,
}

/// An attached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DocumentView {
    /// Its id.
    #[ts(type = "number")]
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size.
    #[ts(type = "number")]
    pub size_bytes: i64,
    /// When, ms.
    #[ts(type = "number")]
    pub added_at_ms: i64,
}

/// A case opened in the dossier window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseView {
    /// The case as listed.
    pub summary: CaseSummaryView,
    /// Whose case.
    pub party: PartyView,
    /// The product or service, in the clerk's language.
    pub product: Option<String>,
    /// The clerk handling it.
    pub assigned_clerk: Option<String>,
    /// Marked handled in one go.
    pub handled_in_one_go: bool,
    /// Linked to the conversation in progress.
    pub in_this_call: bool,
    /// Everything that happened, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Attached files.
    pub documents: Vec<DocumentView>,
    /// Who viewed or changed it, newest first.
    pub audit: Vec<AuditView>,
}

/// A new case as the clerk enters it (party and case in one form).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, TS)]
pub struct NewCaseRequest {
    /// `citizen`, `company` or `association`.
    #[ts(type = "\"citizen\" | \"company\" | \"association\"")]
    pub party_kind: String,
    /// The applicant's name.
    pub party_name: String,
    /// The enterprise number (required for a company); the party is found again by it.
    #[serde(default)]
    #[ts(optional)]
    pub enterprise_number: Option<String>,
    /// E-mail address.
    #[serde(default)]
    #[ts(optional)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    #[ts(optional)]
    pub phone: Option<String>,
    /// What the case is about.
    pub title: String,
    /// A product id from the catalog.
    #[serde(default)]
    #[ts(optional)]
    pub product: Option<String>,
}

/// Where case files come from: Balie's own store, or (later) a municipality's case system.
///
/// Implementations answer in the clerk's language where they produce text, never log
/// citizen data, and write who viewed or changed a case to its audit trail.
pub trait CaseSource: Send + Sync {
    /// Cases matching what the clerk typed, best first.
    fn search(&self, text: &str, limit: u32) -> Result<Vec<CaseSummaryView>, IpcError>;
    /// Opens a new case (and its party, unless found again); its id.
    fn create(&self, actor: &str, request: &NewCaseRequest) -> Result<i64, IpcError>;
    /// Records a file attached to case `id`, already stored under `sha256`.
    fn add_document(
        &self,
        id: i64,
        actor: &str,
        document: &StoredDocument,
    ) -> Result<i64, IpcError>;
    /// The stored file `document_id` of case `id` (its digest and name).
    fn document(&self, id: i64, document_id: i64) -> Result<Option<(String, String)>, IpcError>;
    /// The cases changed last.
    fn recent(&self, limit: u32) -> Result<Vec<CaseSummaryView>, IpcError>;
    /// Case `id` with its timeline; the opening is audited as `actor`'s when `audited`
    /// (a refresh of a case already open is not a new viewing).
    fn open(
        &self,
        id: i64,
        actor: &str,
        live_room: Option<&str>,
        audited: bool,
    ) -> Result<CaseView, IpcError>;
    /// Adds a note.
    fn add_note(&self, id: i64, actor: &str, body: &str) -> Result<(), IpcError>;
    /// Changes the status.
    fn set_status(&self, id: i64, actor: &str, status: &str) -> Result<(), IpcError>;
    /// Marks the case handled in one go.
    fn mark_handled(&self, id: i64, actor: &str) -> Result<(), IpcError>;
    /// Links the case to conversation `room_id`.
    fn link_room(&self, id: i64, actor: &str, room_id: &str) -> Result<(), IpcError>;
    /// The case linked to conversation `room_id`.
    fn case_of_room(&self, room_id: &str) -> Result<Option<i64>, IpcError>;
    /// Conversation `room_id` ended.
    fn end_room(&self, room_id: &str) -> Result<(), IpcError>;
    /// Puts a payment in the case's timeline.
    fn link_payment(&self, id: i64, actor: &str, payment_id: &str) -> Result<(), IpcError>;
}

fn summary_view(s: case::CaseSummary) -> CaseSummaryView {
    CaseSummaryView {
        id: s.id,
        number: s.number,
        title: s.title,
        status: s.status.as_str().into(),
        party_name: s.party_name,
        updated_at_ms: s.updated_at_ms,
    }
}

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// Balie's own case files, in the cockpit's SQLite database.
pub struct LocalCases {
    store: Arc<Mutex<Connection>>,
    locale: Locale,
}

impl LocalCases {
    /// Cases in `store`, product names in `locale`.
    pub fn new(store: Arc<Mutex<Connection>>, locale: Locale) -> Self {
        Self { store, locale }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, balie_store::StoreError>,
    ) -> Result<T, IpcError> {
        let mut conn = self
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        Ok(f(&mut conn)?)
    }

    fn not_found(&self) -> IpcError {
        IpcError::Rejected(crate::i18n::text(self.locale, "error.case.not_found"))
    }
}

/// A file stored by its content (see [`crate::documents`]).
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

impl CaseSource for LocalCases {
    fn create(&self, actor: &str, request: &NewCaseRequest) -> Result<i64, IpcError> {
        let locale = self.locale;
        let refuse = |key: &str| IpcError::Rejected(crate::i18n::text(locale, key));
        let kind = case::PartyKind::from_name(&request.party_kind)
            .ok_or_else(|| IpcError::InvalidInput("unknown party kind".into()))?;
        let name = request.party_name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(refuse("import.party_name_missing"));
        }
        let title = request.title.trim();
        if title.is_empty() {
            return Err(refuse("import.title_missing"));
        }
        if title.chars().count() > 300 {
            return Err(refuse("import.title_long"));
        }
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let enterprise_number = match clean(&request.enterprise_number) {
            Some(n) => Some(
                balie_domain::EnterpriseNumber::parse(&n)
                    .map_err(|e| refuse(&format!("error.{}", e.catalog_key())))?,
            ),
            None if kind == case::PartyKind::Company => {
                return Err(refuse("import.enterprise_number_missing"));
            }
            None => None,
        };
        let email = clean(&request.email);
        if email
            .as_ref()
            .is_some_and(|e| !e.contains('@') || e.len() > 254)
        {
            return Err(refuse("import.email_invalid"));
        }
        let product = clean(&request.product);
        let now = now_ms();
        let year = time::OffsetDateTime::now_utc().year();
        self.with(|c| {
            if let Some(p) = &product
                && !balie_store::cockpit::product::list(c, locale)?
                    .iter()
                    .any(|x| &x.id == p)
            {
                return Ok(Err(refuse("import.product_unknown")));
            }
            let tx = c.transaction()?;
            let found = match enterprise_number {
                Some(n) => case::party_by_enterprise_number(&tx, n)?,
                None => None,
            };
            let party_id = match found {
                Some(id) => id,
                None => case::add_party(
                    &tx,
                    &case::NewParty {
                        kind,
                        name: name.to_owned(),
                        enterprise_number,
                        email,
                        phone: clean(&request.phone),
                        address: None,
                        external_id: None,
                    },
                    now,
                )?,
            };
            let number = case::next_number(&tx, year)?;
            let id = case::insert_case(
                &tx,
                &case::NewCase {
                    number,
                    party_id,
                    product_id: product,
                    title: title.to_owned(),
                    status: CaseStatus::New,
                    assigned_clerk: Some(actor.to_owned()),
                },
                actor,
                now,
            )?;
            tx.commit()?;
            Ok(Ok(id))
        })?
    }

    fn add_document(
        &self,
        id: i64,
        actor: &str,
        document: &StoredDocument,
    ) -> Result<i64, IpcError> {
        self.with(|c| {
            case::add_document(
                c,
                id,
                &document.sha256,
                &document.name,
                &document.media_type,
                document.size_bytes,
                actor,
                now_ms(),
            )
        })
        .map_err(|e| self.or_not_found(e))
    }

    fn document(&self, id: i64, document_id: i64) -> Result<Option<(String, String)>, IpcError> {
        Ok(self
            .with(|c| case::read_detail(c, id))?
            .and_then(|d| d.documents.into_iter().find(|x| x.id == document_id))
            .map(|d| (d.sha256, d.name)))
    }

    fn search(&self, text: &str, limit: u32) -> Result<Vec<CaseSummaryView>, IpcError> {
        let text: String = text.chars().take(200).collect();
        Ok(self
            .with(|c| case::search(c, &text, limit))?
            .into_iter()
            .map(summary_view)
            .collect())
    }

    fn recent(&self, limit: u32) -> Result<Vec<CaseSummaryView>, IpcError> {
        Ok(self
            .with(|c| case::recent(c, limit))?
            .into_iter()
            .map(summary_view)
            .collect())
    }

    fn open(
        &self,
        id: i64,
        actor: &str,
        live_room: Option<&str>,
        audited: bool,
    ) -> Result<CaseView, IpcError> {
        let locale = self.locale;
        let (detail, audit, product, payments) = self
            .with(|c| {
                let detail = if audited {
                    case::open(c, id, actor, now_ms())?
                } else {
                    case::read_detail(c, id)?
                };
                let Some(detail) = detail else {
                    return Ok(None);
                };
                let audit = case::audit_trail(c, id)?;
                let product = match &detail.product_id {
                    Some(pid) => balie_store::cockpit::product::list(c, locale)?
                        .into_iter()
                        .find(|p| &p.id == pid)
                        .map(|p| p.name),
                    None => None,
                };
                let mut payments = Vec::new();
                for pid in &detail.payment_ids {
                    if let Some(p) = balie_store::cockpit::payment::get(c, pid)? {
                        payments.push(p);
                    }
                }
                Ok(Some((detail, audit, product, payments)))
            })?
            .ok_or_else(|| self.not_found())?;
        let mut timeline = vec![TimelineEntry::Created {
            at_ms: detail.created_at_ms,
        }];
        timeline.extend(detail.notes.iter().map(|n| TimelineEntry::Note {
            at_ms: n.at_ms,
            author: n.author.clone(),
            body: n.body.clone(),
        }));
        timeline.extend(detail.calls.iter().map(|c| TimelineEntry::Call {
            at_ms: c.started_at_ms,
            ended_at_ms: c.ended_at_ms,
        }));
        timeline.extend(payments.iter().map(|p| TimelineEntry::Payment {
            at_ms: p.created_at_ms,
            payment_id: p.id.clone(),
            amount_text: p.amount.format(locale),
            description: p.description.clone(),
            status: p.status.as_str().into(),
        }));
        let at = |e: &TimelineEntry| match e {
            TimelineEntry::Created { at_ms }
            | TimelineEntry::Note { at_ms, .. }
            | TimelineEntry::Call { at_ms, .. }
            | TimelineEntry::Payment { at_ms, .. } => *at_ms,
        };
        timeline.sort_by_key(at);
        let party = detail.party;
        Ok(CaseView {
            in_this_call: live_room.is_some() && detail.room_id.as_deref() == live_room,
            summary: summary_view(detail.summary),
            party: PartyView {
                kind: party.kind.as_str().into(),
                name: party.name,
                enterprise_number: party.enterprise_number,
                email: party.email,
                phone: party.phone,
                address: party.address,
            },
            product,
            assigned_clerk: detail.assigned_clerk,
            handled_in_one_go: detail.handled_in_one_go,
            timeline,
            documents: detail
                .documents
                .into_iter()
                .map(|d| DocumentView {
                    id: d.id,
                    name: d.name,
                    media_type: d.media_type,
                    size_bytes: d.size_bytes,
                    added_at_ms: d.added_at_ms,
                })
                .collect(),
            audit: audit
                .into_iter()
                .rev()
                .map(|l| AuditView {
                    at_ms: l.at_ms,
                    actor: l.actor,
                    action: l.action,
                })
                .collect(),
        })
    }

    fn add_note(&self, id: i64, actor: &str, body: &str) -> Result<(), IpcError> {
        let chars = body.trim().chars().count();
        if chars == 0 || chars > MAX_NOTE_CHARS {
            return Err(IpcError::Rejected(crate::i18n::text(
                self.locale,
                "error.case.note_length",
            )));
        }
        self.with(|c| case::add_note(c, id, actor, body, now_ms()))
            .map(|_| ())
            .map_err(|e| self.or_not_found(e))
    }

    fn set_status(&self, id: i64, actor: &str, status: &str) -> Result<(), IpcError> {
        let status = CaseStatus::from_name(status)
            .ok_or_else(|| IpcError::InvalidInput(format!("unknown status {status:?}")))?;
        self.with(|c| case::set_status(c, id, status, actor, now_ms()))
            .map_err(|e| self.or_not_found(e))
    }

    fn mark_handled(&self, id: i64, actor: &str) -> Result<(), IpcError> {
        self.with(|c| case::mark_handled_in_one_go(c, id, actor, now_ms()))
            .map_err(|e| self.or_not_found(e))
    }

    fn link_room(&self, id: i64, actor: &str, room_id: &str) -> Result<(), IpcError> {
        self.with(|c| case::link_room(c, id, room_id, actor, now_ms()))
            .map_err(|e| self.or_not_found(e))
    }

    fn case_of_room(&self, room_id: &str) -> Result<Option<i64>, IpcError> {
        self.with(|c| case::case_of_room(c, room_id))
    }

    fn end_room(&self, room_id: &str) -> Result<(), IpcError> {
        self.with(|c| case::end_room(c, room_id, now_ms()))
    }

    fn link_payment(&self, id: i64, actor: &str, payment_id: &str) -> Result<(), IpcError> {
        self.with(|c| case::link_payment(c, id, payment_id, actor, now_ms()))
            .map_err(|e| self.or_not_found(e))
    }
}

impl LocalCases {
    /// A missing case as the clerk's "not found"; other errors as they are.
    fn or_not_found(&self, error: IpcError) -> IpcError {
        match &error {
            IpcError::Storage(detail) if detail.contains("no case_file") => self.not_found(),
            _ => error,
        }
    }
}

/// What the dossier window is told to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DossierEvent {
    /// Show this case (it was linked to the call, or the call with it started).
    Show {
        /// The case's id.
        #[ts(type = "number")]
        case_id: i64,
    },
    /// Something in this case changed (a payment moved, a note was added): read it again.
    Changed {
        /// The case's id.
        #[ts(type = "number")]
        case_id: i64,
    },
}

/// The cockpit's case files and the dossier window's event stream.
pub struct Cases {
    source: Box<dyn CaseSource>,
    events: broadcast::Sender<DossierEvent>,
}

impl Cases {
    /// Cases from `source`.
    pub fn new(source: Box<dyn CaseSource>) -> Self {
        let (events, _) = broadcast::channel(64);
        Self { source, events }
    }

    /// The case source.
    pub fn source(&self) -> &dyn CaseSource {
        self.source.as_ref()
    }

    /// What the dossier window should show, as it happens.
    pub fn subscribe(&self) -> broadcast::Receiver<DossierEvent> {
        self.events.subscribe()
    }

    /// Tells the dossier window.
    pub fn tell(&self, event: DossierEvent) {
        let _ = self.events.send(event);
    }
}
