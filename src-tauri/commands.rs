//! `#[tauri::command]` adapters: short functions over [`CockpitState`].

use crate::conversation::{ConversationEvent, DeviceChoice, DeviceList, VideoStream};
use crate::core::{Cockpit, CockpitStatus, NewConversation};
use crate::error::IpcError;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager as _, State};
use tauri_plugin_opener::OpenerExt as _;

/// The cockpit as the commands see it: running, or failed to start (then every command
/// answers with the start error, which the window shows in the clerk's language).
pub enum CockpitState {
    /// Running.
    Ready(Arc<Cockpit>),
    /// Could not start.
    Failed(IpcError),
}

impl CockpitState {
    /// The running cockpit, or the start error.
    pub fn ready(&self) -> Result<&Arc<Cockpit>, IpcError> {
        match self {
            CockpitState::Ready(c) => Ok(c),
            CockpitState::Failed(e) => Err(e.clone()),
        }
    }
}

/// Language, relay and keyring state for a window starting up.
#[tauri::command]
pub async fn cockpit_status(state: State<'_, CockpitState>) -> Result<CockpitStatus, IpcError> {
    Ok(state.ready()?.status())
}

/// *Nieuw gesprek*: a room, its join link and QR code; lobby events stream to `on_event`.
/// A knock also asks the window manager for the clerk's attention, so it is seen when the
/// call window is in the background.
#[tauri::command]
pub async fn new_conversation(
    app: AppHandle,
    state: State<'_, CockpitState>,
    on_event: Channel<ConversationEvent>,
) -> Result<NewConversation, IpcError> {
    state
        .ready()?
        .new_conversation(move |event| {
            if matches!(event, ConversationEvent::Knock { .. })
                && let Some(window) = app.get_webview_window(crate::windows::GESPREK)
            {
                let _ = window.request_user_attention(Some(tauri::UserAttentionType::Critical));
            }
            if let Err(e) = on_event.send(event) {
                tracing::warn!(error = %e, "conversation event not delivered to the call window");
            }
        })
        .await
}

/// Lets the knocking citizen in.
#[tauri::command]
pub async fn admit(state: State<'_, CockpitState>, knock_id: String) -> Result<(), IpcError> {
    state.ready()?.admit(knock_id).await
}

/// Turns the knocking citizen away.
#[tauri::command]
pub async fn decline(state: State<'_, CockpitState>, knock_id: String) -> Result<(), IpcError> {
    state.ready()?.decline(knock_id).await
}

/// Sends a chat line to the citizen; answers its id.
#[tauri::command]
pub async fn send_chat(state: State<'_, CockpitState>, text: String) -> Result<String, IpcError> {
    state.ready()?.send_chat(text).await
}

/// Mutes or unmutes the clerk's microphone.
#[tauri::command]
pub async fn set_mic_muted(state: State<'_, CockpitState>, muted: bool) -> Result<(), IpcError> {
    state.ready()?.set_mic_muted(muted).await
}

/// Turns the clerk's camera off or on.
#[tauri::command]
pub async fn set_camera_off(state: State<'_, CockpitState>, off: bool) -> Result<(), IpcError> {
    state.ready()?.set_camera_off(off).await
}

/// Turns the background blur on or off, in the call and for the calls after it.
#[tauri::command]
pub async fn set_background_blur(state: State<'_, CockpitState>, on: bool) -> Result<(), IpcError> {
    state.ready()?.set_background_blur(on).await
}

/// Ends the conversation (hangs up the call).
#[tauri::command]
pub async fn end_conversation(state: State<'_, CockpitState>) -> Result<(), IpcError> {
    state.ready()?.end_conversation().await
}

/// The loopback WebSocket address that streams `stream`'s pictures to the call window.
#[tauri::command]
pub async fn frame_url(
    state: State<'_, CockpitState>,
    stream: VideoStream,
) -> Result<String, IpcError> {
    state.ready()?.frame_url(stream)
}

/// The machine's cameras, microphones and speakers, and the clerk's choice.
#[tauri::command]
pub async fn list_devices(state: State<'_, CockpitState>) -> Result<DeviceList, IpcError> {
    state.ready()?.list_devices().await
}

/// Keeps the clerk's choice of devices (from the next call on).
#[tauri::command]
pub async fn choose_devices(
    state: State<'_, CockpitState>,
    choice: DeviceChoice,
) -> Result<(), IpcError> {
    state.ready()?.choose_devices(&choice)
}

/// Opens a join link of our relay in the default browser (nothing else is opened).
#[tauri::command]
pub async fn open_join_link(
    app: AppHandle,
    state: State<'_, CockpitState>,
    url: String,
) -> Result<(), IpcError> {
    state.ready()?.check_join_url(&url)?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| IpcError::Internal(format!("cannot start the browser: {e}")))
}

/// Exchanges the two windows' screens.
#[tauri::command]
pub async fn swap_screens(app: AppHandle, state: State<'_, CockpitState>) -> Result<(), IpcError> {
    let cockpit = state.ready().ok().cloned();
    crate::windows::swap(&app, cockpit.as_deref()).map_err(|e| IpcError::Internal(e.to_string()))
}

/// The payment panel's providers and products.
#[tauri::command]
pub async fn payment_setup(
    state: State<'_, CockpitState>,
) -> Result<crate::payments::PaymentSetup, IpcError> {
    state.ready()?.payments().setup()
}

/// Asks for a payment in the conversation in progress; the card reaches the citizen.
#[tauri::command]
pub async fn request_payment(
    state: State<'_, CockpitState>,
    request: crate::payments::PaymentRequest,
) -> Result<crate::payments::PaymentView, IpcError> {
    state.ready()?.request_payment(&request).await
}

/// Cancels a payment that is still open.
#[tauri::command]
pub async fn cancel_payment(
    state: State<'_, CockpitState>,
    id: String,
) -> Result<crate::payments::PaymentView, IpcError> {
    state.ready()?.payments().cancel(&id).await
}

/// Marks a bank transfer received (the clerk saw it on the bank statement).
#[tauri::command]
pub async fn mark_payment_received(
    state: State<'_, CockpitState>,
    id: String,
) -> Result<crate::payments::PaymentView, IpcError> {
    state.ready()?.payments().mark_received(&id)
}

/// The payments of the conversation in progress.
#[tauri::command]
pub async fn conversation_payments(
    state: State<'_, CockpitState>,
) -> Result<Vec<crate::payments::PaymentView>, IpcError> {
    let cockpit = state.ready()?;
    match cockpit.live_room()? {
        Some(room) => cockpit.payments().of_room(&room),
        None => Ok(Vec::new()),
    }
}

/// Streams every change to a payment to `on_event` until the window goes away.
#[tauri::command]
pub async fn follow_payments(
    state: State<'_, CockpitState>,
    on_event: Channel<crate::payments::PaymentView>,
) -> Result<(), IpcError> {
    let mut changes = state.ready()?.payments().subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(view) => {
                    if on_event.send(view).is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(())
}

/// Changes a product's price.
#[tauri::command]
pub async fn set_product_price(
    state: State<'_, CockpitState>,
    id: String,
    price: String,
) -> Result<crate::payments::ProductView, IpcError> {
    state.ready()?.payments().set_product_price(&id, &price)
}

/// Which provider keys are stored (never the keys).
#[tauri::command]
pub async fn provider_keys(
    state: State<'_, CockpitState>,
) -> Result<Vec<crate::payments::ProviderKeyView>, IpcError> {
    Ok(state.ready()?.payments().keys())
}

/// Tests a provider key and keeps it in the OS keyring.
#[tauri::command]
pub async fn set_provider_key(
    state: State<'_, CockpitState>,
    provider: crate::payments::ProviderName,
    key: String,
) -> Result<crate::payments::ProviderKeyView, IpcError> {
    state
        .ready()?
        .payments()
        .set_key(provider, secrecy::SecretString::from(key))
        .await
}

/// *Verbinding testen* with a stored provider key.
#[tauri::command]
pub async fn test_provider_key(
    state: State<'_, CockpitState>,
    provider: crate::payments::ProviderName,
) -> Result<(), IpcError> {
    state.ready()?.payments().test_key(provider).await
}

/// Removes a provider key from the OS keyring.
#[tauri::command]
pub async fn remove_provider_key(
    state: State<'_, CockpitState>,
    provider: crate::payments::ProviderName,
) -> Result<(), IpcError> {
    state.ready()?.payments().remove_key(provider).await
}

/// Cases matching what the clerk typed (empty: the cases changed last).
#[tauri::command]
pub async fn search_cases(
    state: State<'_, CockpitState>,
    text: String,
) -> Result<Vec<crate::cases::CaseSummaryView>, IpcError> {
    let cases = state.ready()?.cases().clone();
    tauri::async_runtime::spawn_blocking(move || {
        if text.trim().is_empty() {
            cases.source().recent(50)
        } else {
            cases.source().search(&text, 50)
        }
    })
    .await
    .map_err(|e| IpcError::Internal(format!("search: {e}")))?
}

/// Opens a case (written to its audit trail as viewed by the clerk).
#[tauri::command]
pub async fn open_case(
    state: State<'_, CockpitState>,
    id: i64,
) -> Result<crate::cases::CaseView, IpcError> {
    state.ready()?.open_case(id)
}

/// Reads an open case again after a change (not a new viewing).
#[tauri::command]
pub async fn refresh_case(
    state: State<'_, CockpitState>,
    id: i64,
) -> Result<crate::cases::CaseView, IpcError> {
    state.ready()?.refresh_case(id)
}

/// Adds a note to a case.
#[tauri::command]
pub async fn add_case_note(
    state: State<'_, CockpitState>,
    id: i64,
    body: String,
) -> Result<(), IpcError> {
    let cockpit = state.ready()?;
    cockpit
        .cases()
        .source()
        .add_note(id, cockpit.clerk_name(), &body)
}

/// Changes a case's status.
#[tauri::command]
pub async fn set_case_status(
    state: State<'_, CockpitState>,
    id: i64,
    status: String,
) -> Result<(), IpcError> {
    let cockpit = state.ready()?;
    cockpit
        .cases()
        .source()
        .set_status(id, cockpit.clerk_name(), &status)
}

/// Marks a case handled in one go.
#[tauri::command]
pub async fn mark_case_handled(state: State<'_, CockpitState>, id: i64) -> Result<(), IpcError> {
    let cockpit = state.ready()?;
    cockpit
        .cases()
        .source()
        .mark_handled(id, cockpit.clerk_name())
}

/// Links a case to the conversation in progress.
#[tauri::command]
pub async fn link_case_to_call(state: State<'_, CockpitState>, id: i64) -> Result<(), IpcError> {
    state.ready()?.link_case_to_call(id)
}

/// Asks for a payment for a case (in the conversation in progress, if any).
#[tauri::command]
pub async fn request_case_payment(
    state: State<'_, CockpitState>,
    id: i64,
    request: crate::payments::PaymentRequest,
) -> Result<crate::payments::PaymentView, IpcError> {
    state.ready()?.request_payment_for(Some(id), &request).await
}

/// Streams what the dossier window should show (a case linked to the call, a change).
#[tauri::command]
pub async fn follow_dossier(
    state: State<'_, CockpitState>,
    on_event: Channel<crate::cases::DossierEvent>,
) -> Result<(), IpcError> {
    let mut events = state.ready()?.cases().subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if on_event.send(event).is_err() {
                        return;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(())
}

/// Imports parties and cases from the text of a CSV or JSON file: all rows or none.
#[tauri::command]
pub async fn import_cases(
    state: State<'_, CockpitState>,
    format: crate::case_io::ImportFormat,
    text: String,
) -> Result<crate::case_io::ImportOutcome, IpcError> {
    state.ready()?.import_cases(format, text.as_bytes())
}

/// Exports a case as JSON or PDF into the clerk's documents folder (`Balie/`); answers
/// the file's path.
#[tauri::command]
pub async fn export_case(
    state: State<'_, CockpitState>,
    id: i64,
    format: crate::case_io::ExportFormat,
) -> Result<String, IpcError> {
    let cockpit = state.ready()?;
    let (name, bytes) = cockpit.export_case(id, format)?;
    let dir = cockpit.export_dir();
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(&name), bytes))
        .map_err(|e| IpcError::Storage(format!("cannot write the export: {e}")))?;
    Ok(dir.join(name).display().to_string())
}

/// Opens a new case from the clerk's form; answers its id.
#[tauri::command]
pub async fn create_case(
    state: State<'_, CockpitState>,
    request: crate::cases::NewCaseRequest,
) -> Result<i64, IpcError> {
    state.ready()?.create_case(&request)
}

/// Attaches a file to a case. The file's bytes are the raw request body; the headers
/// `x-case-id` and `x-file-name` (percent-encoded) say where and what.
#[tauri::command]
pub async fn attach_document(
    state: State<'_, CockpitState>,
    request: tauri::ipc::Request<'_>,
) -> Result<i64, IpcError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(IpcError::InvalidInput(
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
        .ok_or_else(|| IpcError::InvalidInput("x-case-id is missing".into()))?;
    let name = header("x-file-name")
        .map(|v| percent_decode(&v))
        .ok_or_else(|| IpcError::InvalidInput("x-file-name is missing".into()))?;
    state.ready()?.attach_document(id, &name, bytes)
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

/// Opens an attached file with the system's viewer.
#[tauri::command]
pub async fn open_document(
    app: AppHandle,
    state: State<'_, CockpitState>,
    id: i64,
    document_id: i64,
) -> Result<(), IpcError> {
    let path = state.ready()?.document_path(id, document_id)?;
    app.opener()
        .open_path(path.display().to_string(), None::<&str>)
        .map_err(|e| IpcError::Internal(format!("cannot open the document: {e}")))
}
