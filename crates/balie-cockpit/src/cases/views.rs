//! What the dossier window is shown and sends: a case in a list, a case opened with its
//! party, timeline, documents and audit trail, the clerk's form for a new case, and the
//! events that tell the window to show or re-read a case.

use balie_domain::{CaseStatus, PartyKind, PaymentMode, PaymentStatus};
use serde::{Deserialize, Serialize};
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
    pub status: CaseStatus,
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
    pub kind: PartyKind,
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
    /// The national register number, masked (`85.07.30-***.**`).
    pub national_number_masked: Option<String>,
    /// The birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
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
        status: PaymentStatus,
        /// Who takes the money (`mollie`, `transfer`, `sandbox`…).
        provider: String,
        /// Test or real money, as recorded when it was made; `null` when no provider
        /// answer said.
        mode: Option<PaymentMode>,
    },
    /// The identity of the person in a call was confirmed.
    Identity {
        /// When, ms.
        #[ts(type = "number")]
        at_ms: i64,
        /// The clerk who asked.
        checked_by: String,
        /// The means (e.g. `itsme`).
        means: String,
        /// `low`, `substantial` or `high`.
        level: String,
        /// `match`, `no_match`, `party_has_none` or `not_given`.
        party_match: String,
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
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct NewCaseRequest {
    /// `citizen`, `company` or `association`.
    pub party_kind: PartyKind,
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

/// A text document as the dossier window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TextDocument {
    /// The text, or its beginning.
    pub text: String,
    /// Whether it goes on beyond what is shown.
    pub cut: bool,
}
