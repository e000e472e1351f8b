//! The impact commands: the dashboard in the dossier window; the clerk's place for the day
//! and their survey after a conversation in the call window.

use super::CockpitState;
use balie_cockpit::CockpitError;
use balie_cockpit::impact::import::{ImpactImportKind, ImpactImportOutcome};
use balie_cockpit::impact::{
    ClerkDayView, DashboardView, NewRegisterEntry, PeriodRequest, RegisterEntryView, ReportFormat,
};
use balie_impact::facts::Place;
use tauri::State;

/// The dashboard of a period.
#[tauri::command]
pub async fn impact_dashboard(
    state: State<'_, CockpitState>,
    request: PeriodRequest,
) -> Result<DashboardView, CockpitError> {
    let cockpit = state.ready()?;
    cockpit
        .impact()
        .dashboard(&request, cockpit.locale(), cockpit.catalog())
        .await
}

/// Where the clerk said they work today.
#[tauri::command]
pub async fn impact_clerk_day(
    state: State<'_, CockpitState>,
) -> Result<ClerkDayView, CockpitError> {
    Ok(ClerkDayView {
        place: state.ready()?.impact().place_today()?,
    })
}

/// Where the clerk works today.
#[tauri::command]
pub async fn impact_set_place(
    state: State<'_, CockpitState>,
    place: Place,
) -> Result<(), CockpitError> {
    state.ready()?.impact().set_place(place)
}

/// Whether to ask the clerk's survey about the conversation in `room_id` that just
/// ended (at most once a day; asking is noted).
#[tauri::command]
pub async fn impact_clerk_survey_due(
    state: State<'_, CockpitState>,
    room_id: String,
) -> Result<bool, CockpitError> {
    state.ready()?.impact().clerk_survey_due(&room_id)
}

/// The clerk's answer (1–5) about the conversation in `room_id`.
#[tauri::command]
pub async fn impact_answer_clerk_survey(
    state: State<'_, CockpitState>,
    room_id: String,
    score: u8,
) -> Result<(), CockpitError> {
    let cockpit = state.ready()?;
    cockpit.impact().answer_clerk_survey(&room_id, score)?;
    cockpit.impact().refresh_summary().await;
    Ok(())
}

/// *Impactrapport*: the period's report as PDF or CSV in the export folder; its path.
#[tauri::command]
pub async fn impact_report(
    state: State<'_, CockpitState>,
    request: PeriodRequest,
    format: ReportFormat,
) -> Result<String, CockpitError> {
    let path = state.ready()?.impact_report(&request, format).await?;
    Ok(path.display().to_string())
}

/// Imports other channels' figures or complaints from the text of a CSV file.
#[tauri::command]
pub async fn impact_import(
    state: State<'_, CockpitState>,
    kind: ImpactImportKind,
    name: String,
    text: String,
) -> Result<ImpactImportOutcome, CockpitError> {
    let cockpit = state.ready()?;
    cockpit.impact().import(
        kind,
        &name,
        text.as_bytes(),
        cockpit.cases().clerk_name(),
        cockpit.locale(),
    )
}

/// Writes a register entry (a complaint, an aggression incident).
#[tauri::command]
pub async fn impact_add_register_entry(
    state: State<'_, CockpitState>,
    entry: NewRegisterEntry,
) -> Result<i64, CockpitError> {
    let cockpit = state.ready()?;
    cockpit
        .impact()
        .add_register_entry(&entry, cockpit.cases().clerk_name())
}

/// The register's last entries.
#[tauri::command]
pub async fn impact_register(
    state: State<'_, CockpitState>,
) -> Result<Vec<RegisterEntryView>, CockpitError> {
    state.ready()?.impact().register(50)
}

/// Removes a register entry entered by mistake.
#[tauri::command]
pub async fn impact_remove_register_entry(
    state: State<'_, CockpitState>,
    id: i64,
) -> Result<(), CockpitError> {
    state.ready()?.impact().remove_register_entry(id)
}
