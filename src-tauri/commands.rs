//! `#[tauri::command]` adapters: short functions over [`CockpitState`].

use crate::core::{Cockpit, CockpitStatus, NewConversation};
use crate::error::IpcError;
use std::sync::Arc;
use tauri::{AppHandle, State};
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

/// *Nieuw gesprek*: a room, its join link and QR code.
#[tauri::command]
pub async fn new_conversation(state: State<'_, CockpitState>) -> Result<NewConversation, IpcError> {
    state.ready()?.new_conversation().await
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
