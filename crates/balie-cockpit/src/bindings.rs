//! The TypeScript for the cockpit's IPC types, checked in at `ui/bindings/cockpit.ts`.

use balie_domain::{CaseStatus, PartyKind};
use ts_rs::TS as _;

/// The TypeScript for the cockpit's IPC types, as checked in at `ui/bindings/cockpit.ts`.
pub fn typescript_bindings() -> String {
    balie_protocol::bindings_file(
        "crates/balie-cockpit",
        "balie-cockpit --lib",
        &[
            crate::CockpitStatus::decl(),
            crate::RelayStatus::decl(),
            crate::relay_link::RelayMode::decl(),
            crate::enrolment::EnrolView::decl(),
            crate::enrolment::Enrolled::decl(),
            crate::enrolment::ConnectionTest::decl(),
            crate::enrolment::ConnectionOutcome::decl(),
            crate::updates::UpdateView::decl(),
            crate::NewConversation::decl(),
            crate::OpenedRoom::decl(),
            crate::call::events::ConversationEvent::decl(),
            crate::front_door::FrontDoorEvent::decl(),
            crate::call::events::CallStateName::decl(),
            crate::call::events::Quality::decl(),
            crate::call::frames::VideoStream::decl(),
            crate::call::paint::VideoArea::decl(),
            crate::call::paint::VideoPainted::decl(),
            crate::settings::DeviceChoice::decl(),
            crate::call::devices::DeviceList::decl(),
            balie_domain::PaymentStatus::decl(),
            balie_domain::PaymentMode::decl(),
            balie_domain::StatusSource::decl(),
            balie_domain::CaseStatus::decl(),
            balie_domain::PartyKind::decl(),
            crate::payments::ProviderName::decl(),
            crate::payments::ProviderChoice::decl(),
            crate::catalog::ProductView::decl(),
            crate::payments::PaymentSetup::decl(),
            crate::payments::PaymentRequest::decl(),
            crate::payments::StepView::decl(),
            crate::payments::PaymentView::decl(),
            crate::payments::ProviderKeyView::decl(),
            crate::cases::CaseSummaryView::decl(),
            crate::cases::PartyView::decl(),
            crate::identity::IdentityView::decl(),
            crate::identity::IdentityState::decl(),
            crate::identity::PartyMatch::decl(),
            crate::cases::TimelineEntry::decl(),
            crate::cases::AuditView::decl(),
            crate::cases::DocumentView::decl(),
            crate::cases::TextDocument::decl(),
            crate::cases::CaseView::decl(),
            crate::cases::DossierEvent::decl(),
            crate::cases::RowError::decl(),
            crate::cases::NewCaseRequest::decl(),
            crate::cases::ImportOutcome::decl(),
            crate::error::CockpitError::decl(),
            crate::impact::PeriodRequest::decl(),
            crate::impact::DashboardView::decl(),
            crate::impact::views::Remark::decl(),
            crate::impact::ClerkDayView::decl(),
            crate::impact::ReportFormat::decl(),
            crate::impact::NewRegisterEntry::decl(),
            crate::impact::RegisterEntryView::decl(),
            crate::impact::import::ImpactImportKind::decl(),
            crate::impact::import::ImpactImportOutcome::decl(),
            balie_impact::facts::IncidentKind::decl(),
            balie_impact::facts::Channel::decl(),
            balie_impact::PeriodKind::decl(),
            balie_impact::facts::Place::decl(),
            balie_impact::present::Report::decl(),
            balie_impact::present::Indicator::decl(),
            balie_impact::present::Audience::decl(),
            balie_impact::present::Chart::decl(),
            balie_impact::present::ChartKind::decl(),
            balie_impact::present::Series::decl(),
            balie_impact::present::Table::decl(),
            const_list(
                "CASE_STATUSES",
                "CaseStatus",
                CaseStatus::ALL.map(CaseStatus::as_str),
            ),
            const_list(
                "PARTY_KINDS",
                "PartyKind",
                PartyKind::ALL.map(PartyKind::as_str),
            ),
        ],
    )
}

/// `const NAME: readonly Type[] = ["a", "b"];`: a list the windows offer (a status select),
/// from the Rust type's own list, so no window keeps a copy.
fn const_list<const N: usize>(name: &str, ty: &str, values: [&str; N]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("const {name}: readonly {ty}[] = [{}];", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn checked_in_typescript_bindings_are_fresh() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/bindings/cockpit.ts");
        balie_protocol::assert_bindings_fresh(&path, &super::typescript_bindings());
    }
}
