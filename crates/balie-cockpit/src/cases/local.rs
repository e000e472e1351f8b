//! Balie's own case files, in the cockpit's SQLite database: the one [`CaseSource`]
//! there is now.

use super::import::{ImportOutcome, RowError};
use super::rules::{CheckedCase, MAX_NOTE_CHARS};
use super::source::{CaseRecord, CaseSource, StoredDocument};
use super::views::{AuditView, CaseSummaryView, CaseView, DocumentView, PartyView, TimelineEntry};
use crate::clock::Clock;
use crate::error::CockpitError;
use crate::store::SharedStore;
use balie_domain::Locale;
use balie_store::cockpit::case::{self, CaseStatus};
use rusqlite::Connection;

fn summary_view(s: case::CaseSummary) -> CaseSummaryView {
    CaseSummaryView {
        id: s.id,
        number: s.number,
        title: s.title,
        status: s.status,
        party_name: s.party_name,
        updated_at_ms: s.updated_at_ms,
    }
}

/// Balie's own case files, in the cockpit's SQLite database.
pub struct LocalCases {
    store: SharedStore,
    locale: Locale,
    clock: Clock,
}

impl LocalCases {
    /// Cases in `store`, product names in `locale`, times from `clock`.
    pub fn new(store: SharedStore, locale: Locale, clock: Clock) -> Self {
        Self {
            store,
            locale,
            clock,
        }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, balie_store::StoreError>,
    ) -> Result<T, CockpitError> {
        self.store.with(f)
    }

    fn not_found(&self) -> CockpitError {
        CockpitError::rejected(self.locale, "error.case.not_found")
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

impl CaseSource for LocalCases {
    fn create(&self, actor: &str, checked: &CheckedCase) -> Result<i64, CockpitError> {
        let now = self.now();
        let year = self.clock.year();
        self.with(|c| {
            let tx = c.transaction()?;
            let found = match checked.party.enterprise_number {
                Some(n) => case::party_by_enterprise_number(&tx, n)?,
                None => None,
            };
            let party_id = match found {
                Some(id) => id,
                None => case::add_party(&tx, &checked.party, now)?,
            };
            let number = case::next_number(&tx, year)?;
            let id = case::insert_case(
                &tx,
                &case::NewCase {
                    number,
                    party_id,
                    product_id: checked.product.clone(),
                    title: checked.title.clone(),
                    status: checked.status,
                    assigned_clerk: Some(actor.to_owned()),
                },
                actor,
                now,
            )?;
            tx.commit()?;
            Ok(id)
        })
    }

    fn import(
        &self,
        actor: &str,
        rows: &[(usize, CheckedCase)],
    ) -> Result<ImportOutcome, CockpitError> {
        let locale = self.locale;
        let at_ms = self.now();
        let year = self.clock.year();
        let mut conn = self.store.lock()?;
        let tx = conn.transaction()?;
        let mut parties = 0;
        let mut errors = Vec::new();
        let mut numbers = std::collections::HashSet::new();
        for (row, c) in rows {
            let row_error = |field: &str, key: &str| RowError {
                row: *row,
                field: Some(field.into()),
                message: crate::i18n::text(locale, &format!("import.{key}")),
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
            let new = case::NewCase {
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
                case::add_imported_note(&tx, id, actor, note, at_ms)?;
            }
        }
        if !errors.is_empty() {
            // Dropping the transaction rolls everything back.
            return Ok(ImportOutcome::Refused { errors });
        }
        tx.commit()?;
        Ok(ImportOutcome::Imported {
            cases: rows.len(),
            parties,
        })
    }

    fn export(&self, id: i64) -> Result<Option<CaseRecord>, CockpitError> {
        self.with(|c| {
            let Some(detail) = case::read_detail(c, id)? else {
                return Ok(None);
            };
            let mut payments = Vec::new();
            for pid in &detail.payment_ids {
                if let Some(p) = balie_store::cockpit::payment::get(c, pid)? {
                    payments.push(p);
                }
            }
            Ok(Some(CaseRecord { detail, payments }))
        })
    }

    fn add_document(
        &self,
        id: i64,
        actor: &str,
        document: &StoredDocument,
    ) -> Result<i64, CockpitError> {
        self.with(|c| {
            case::add_document(
                c,
                id,
                &document.sha256,
                &document.name,
                &document.media_type,
                document.size_bytes,
                actor,
                self.now(),
            )
        })
        .map_err(|e| self.or_not_found(e))
    }

    fn document(
        &self,
        id: i64,
        document_id: i64,
    ) -> Result<Option<(String, String)>, CockpitError> {
        Ok(self
            .with(|c| case::read_detail(c, id))?
            .and_then(|d| d.documents.into_iter().find(|x| x.id == document_id))
            .map(|d| (d.sha256, d.name)))
    }

    fn search(&self, text: &str, limit: u32) -> Result<Vec<CaseSummaryView>, CockpitError> {
        let text: String = text.chars().take(200).collect();
        Ok(self
            .with(|c| case::search(c, &text, limit))?
            .into_iter()
            .map(summary_view)
            .collect())
    }

    fn recent(&self, limit: u32) -> Result<Vec<CaseSummaryView>, CockpitError> {
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
    ) -> Result<CaseView, CockpitError> {
        let locale = self.locale;
        let (detail, audit, product, payments) = self
            .with(|c| {
                let detail = if audited {
                    case::open(c, id, actor, self.now())?
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
            status: p.status,
            provider: p.provider.clone(),
            mode: p.mode,
        }));
        timeline.extend(
            detail
                .identity_checks
                .iter()
                .map(|i| TimelineEntry::Identity {
                    at_ms: i.at_ms,
                    checked_by: i.checked_by.clone(),
                    means: i.means.clone(),
                    level: i.level.clone(),
                    party_match: i.party_match.clone(),
                }),
        );
        let at = |e: &TimelineEntry| match e {
            TimelineEntry::Created { at_ms }
            | TimelineEntry::Note { at_ms, .. }
            | TimelineEntry::Call { at_ms, .. }
            | TimelineEntry::Payment { at_ms, .. }
            | TimelineEntry::Identity { at_ms, .. } => *at_ms,
        };
        timeline.sort_by_key(at);
        let party = detail.party;
        Ok(CaseView {
            in_this_call: live_room.is_some() && detail.room_id.as_deref() == live_room,
            summary: summary_view(detail.summary),
            party: PartyView {
                kind: party.kind,
                name: party.name,
                enterprise_number: party.enterprise_number,
                email: party.email,
                phone: party.phone,
                address: party.address,
                national_number_masked: party
                    .national_number
                    .as_deref()
                    .and_then(|n| balie_domain::NationalNumber::parse(n).ok())
                    .map(|n| n.masked()),
                birth_date: party.birth_date,
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

    fn add_note(&self, id: i64, actor: &str, body: &str) -> Result<(), CockpitError> {
        let chars = body.trim().chars().count();
        if chars == 0 || chars > MAX_NOTE_CHARS {
            return Err(CockpitError::rejected(
                self.locale,
                "error.case.note_length",
            ));
        }
        self.with(|c| case::add_note(c, id, actor, body, self.now()))
            .map(|_| ())
            .map_err(|e| self.or_not_found(e))
    }

    fn set_status(&self, id: i64, actor: &str, status: CaseStatus) -> Result<(), CockpitError> {
        self.with(|c| case::set_status(c, id, status, actor, self.now()))
            .map_err(|e| self.or_not_found(e))
    }

    fn mark_handled(&self, id: i64, actor: &str) -> Result<(), CockpitError> {
        self.with(|c| case::mark_handled_in_one_go(c, id, actor, self.now()))
            .map_err(|e| self.or_not_found(e))
    }

    fn link_room(&self, id: i64, actor: &str, room_id: &str) -> Result<(), CockpitError> {
        self.with(|c| case::link_room(c, id, room_id, actor, self.now()))
            .map_err(|e| self.or_not_found(e))
    }

    fn case_of_room(&self, room_id: &str) -> Result<Option<i64>, CockpitError> {
        self.with(|c| case::case_of_room(c, room_id))
    }

    fn end_room(&self, room_id: &str) -> Result<(), CockpitError> {
        self.with(|c| case::end_room(c, room_id, self.now()))
    }

    fn link_payment(&self, id: i64, actor: &str, payment_id: &str) -> Result<(), CockpitError> {
        self.with(|c| case::link_payment(c, id, payment_id, actor, self.now()))
            .map_err(|e| self.or_not_found(e))
    }
}

impl LocalCases {
    /// A missing case as the clerk's "not found"; other errors as they are.
    fn or_not_found(&self, error: CockpitError) -> CockpitError {
        match &error {
            CockpitError::Storage(detail) if detail.contains("no case_file") => self.not_found(),
            _ => error,
        }
    }
}
