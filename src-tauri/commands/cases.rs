//! The dossier window's commands.

use super::{CockpitState, forward};
use balie_cockpit::CockpitError;
use balie_cockpit::cases::documents::Viewing;
use balie_cockpit::cases::{
    CaseSummaryView, CaseView, DossierEvent, ExportFormat, ImportFormat, ImportOutcome,
    NewCaseRequest, TextDocument,
};
use balie_cockpit::payments::{PaymentRequest, PaymentView};
use balie_domain::CaseStatus;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

/// Cases matching what the clerk typed (empty: the cases changed last).
#[tauri::command]
pub async fn search_cases(
    state: State<'_, CockpitState>,
    text: String,
) -> Result<Vec<CaseSummaryView>, CockpitError> {
    let cases = state.ready()?.cases().clone();
    // Off the IPC thread: a search over a large store takes milliseconds.
    tauri::async_runtime::spawn_blocking(move || cases.search(&text))
        .await
        .map_err(|e| CockpitError::Internal(format!("search: {e}")))?
}

/// Opens a case (written to its audit trail as viewed by the clerk).
#[tauri::command]
pub async fn open_case(state: State<'_, CockpitState>, id: i64) -> Result<CaseView, CockpitError> {
    state.ready()?.cases().open(id)
}

/// Reads an open case again after a change (not a new viewing).
#[tauri::command]
pub async fn refresh_case(
    state: State<'_, CockpitState>,
    id: i64,
) -> Result<CaseView, CockpitError> {
    state.ready()?.cases().refresh(id)
}

/// Adds a note to a case.
#[tauri::command]
pub async fn add_case_note(
    state: State<'_, CockpitState>,
    id: i64,
    body: String,
) -> Result<(), CockpitError> {
    state.ready()?.cases().add_note(id, &body)
}

/// Changes a case's status.
#[tauri::command]
pub async fn set_case_status(
    state: State<'_, CockpitState>,
    id: i64,
    status: CaseStatus,
) -> Result<(), CockpitError> {
    state.ready()?.cases().set_status(id, status)
}

/// Marks a case handled in one go.
#[tauri::command]
pub async fn mark_case_handled(
    state: State<'_, CockpitState>,
    id: i64,
) -> Result<(), CockpitError> {
    state.ready()?.cases().mark_handled(id)
}

/// Links a case to the conversation in progress.
#[tauri::command]
pub async fn link_case_to_call(
    state: State<'_, CockpitState>,
    id: i64,
) -> Result<(), CockpitError> {
    state.ready()?.cases().link_to_call(id)
}

/// Asks for a payment for a case (in the conversation in progress, if any).
#[tauri::command]
pub async fn request_case_payment(
    state: State<'_, CockpitState>,
    id: i64,
    request: PaymentRequest,
) -> Result<PaymentView, CockpitError> {
    state.ready()?.request_payment_for(Some(id), &request).await
}

/// Streams what the dossier window should show (a case linked to the call, a change).
#[tauri::command]
pub async fn follow_dossier(
    state: State<'_, CockpitState>,
    on_event: Channel<DossierEvent>,
) -> Result<(), CockpitError> {
    forward(state.ready()?.cases().subscribe(), on_event);
    Ok(())
}

/// Imports parties and cases from the text of a CSV or JSON file: all rows or none.
#[tauri::command]
pub async fn import_cases(
    state: State<'_, CockpitState>,
    format: ImportFormat,
    text: String,
) -> Result<ImportOutcome, CockpitError> {
    state.ready()?.cases().import(format, text.as_bytes())
}

/// Exports a case as JSON or PDF into the export folder; answers the file's path.
#[tauri::command]
pub async fn export_case(
    state: State<'_, CockpitState>,
    id: i64,
    format: ExportFormat,
) -> Result<String, CockpitError> {
    let path = state.ready()?.cases().export_to_file(id, format)?;
    Ok(path.display().to_string())
}

/// Opens a new case from the clerk's form; answers its id.
#[tauri::command]
pub async fn create_case(
    state: State<'_, CockpitState>,
    request: NewCaseRequest,
) -> Result<i64, CockpitError> {
    state.ready()?.cases().create(&request)
}

/// Attaches a file to a case. The file's bytes are the raw request body; the headers
/// `x-case-id` and `x-file-name` (percent-encoded) say where and what.
#[tauri::command]
pub async fn attach_document(
    state: State<'_, CockpitState>,
    request: tauri::ipc::Request<'_>,
) -> Result<i64, CockpitError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CockpitError::InvalidInput(
            "the file must be sent as raw bytes".into(),
        ));
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let id: i64 = header("x-case-id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| CockpitError::InvalidInput("x-case-id is missing".into()))?;
    let name = header("x-file-name")
        .map(|v| percent_decode(&v))
        .ok_or_else(|| CockpitError::InvalidInput("x-file-name is missing".into()))?;
    state.ready()?.cases().attach_document(id, &name, bytes)
}

/// Decodes `%XX` escapes (the file name travels in a header).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Opens an attached file: a PDF or picture with the system's viewer (a copy named by
/// its checked type); plain text comes back to the dossier window to show as text.
#[tauri::command]
pub async fn open_document(
    app: AppHandle,
    state: State<'_, CockpitState>,
    id: i64,
    document_id: i64,
) -> Result<Option<TextDocument>, CockpitError> {
    match state.ready()?.cases().view_document(id, document_id)? {
        Viewing::Text { text, cut } => Ok(Some(TextDocument { text, cut })),
        Viewing::File(path) => app
            .opener()
            .open_path(path.display().to_string(), None::<&str>)
            .map(|()| None)
            .map_err(|e| CockpitError::Internal(format!("cannot open the document: {e}"))),
    }
}
