//! Exporting one case: as JSON (everything, machine-readable, `balie-case/1`) or as a PDF
//! summary to print or send, in the clerk's language.

use super::pdf::Line;
use super::source::CaseRecord;
use crate::clock::rfc3339;
use balie_domain::Locale;
use serde::Deserialize;
use ts_rs::TS;

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// Everything, machine-readable.
    Json,
    /// A summary to print or send.
    Pdf,
}

impl ExportFormat {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Pdf => "pdf",
        }
    }
}

/// The file name of case `number`'s export: `dossier-2026-000123.pdf` (anything but
/// letters, digits and `-` becomes `_`, so a municipality's own numbers make safe names).
pub fn file_name(number: &str, format: ExportFormat) -> String {
    let safe: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("dossier-{safe}.{}", format.extension())
}

/// The case as a JSON document: the case, its party, notes, calls, payments and
/// documents (their names and digests, not their bytes).
pub fn json(record: &CaseRecord) -> serde_json::Value {
    let detail = &record.detail;
    let payments: Vec<serde_json::Value> = record
        .payments
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id,
                "provider": p.provider,
                "amount_cents": p.amount.cents(),
                "description": p.description,
                "reference": p.reference,
                "status": p.status.as_str(),
                // As the provider said when it was made; null when no answer said.
                "mode": p.mode.map(|m| m.as_str()),
                "created_at": rfc3339(p.created_at_ms),
            })
        })
        .collect();
    let party = &detail.party;
    serde_json::json!({
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
    })
}

/// The case as a PDF summary in the clerk's language.
pub fn pdf(record: &CaseRecord, locale: Locale) -> Vec<u8> {
    let detail = &record.detail;
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
    if !record.payments.is_empty() {
        lines.push(Line::Heading(t("payments")));
        for p in &record.payments {
            // Who took the money and whether it was real: a test payment never reads as
            // a real one.
            let mut how = vec![
                crate::i18n::text(locale, &format!("pay.status_{}", p.status.as_str())),
                crate::i18n::text(locale, &format!("pay.provider_{}", p.provider)),
            ];
            match p.mode {
                Some(balie_domain::PaymentMode::Test) => {
                    how.push(crate::i18n::text(locale, "pay.badge_test"));
                }
                Some(balie_domain::PaymentMode::Live) => {}
                None => how.push(crate::i18n::text(locale, "pay.badge_unknown")),
            }
            lines.push(Line::Text(format!(
                "{}  {}  {}  ({})",
                date(p.created_at_ms),
                p.amount.format(locale),
                p.description,
                how.join(" · ")
            )));
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
    super::pdf::document(&title, &lines)
}
