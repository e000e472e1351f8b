//! The call window's identity commands: ask the citizen in the call to prove who they
//! are, see where it stands, complete the case's party from a confirmed identity.

use super::{CockpitState, forward};
use balie_cockpit::CockpitError;
use balie_cockpit::identity::IdentityView;
use tauri::State;
use tauri::ipc::Channel;

/// Where the identity of the conversation's citizen stands (and whether the relay offers
/// identity at all).
#[tauri::command]
pub async fn identity_view(state: State<'_, CockpitState>) -> Result<IdentityView, CockpitError> {
    let cockpit = state.ready()?;
    cockpit.identity().available().await;
    cockpit.identity().current()
}

/// *Identiteit vragen*: asks the citizen in the call to prove who they are.
#[tauri::command]
pub async fn ask_identity(state: State<'_, CockpitState>) -> Result<IdentityView, CockpitError> {
    state.ready()?.identity().ask().await
}

/// *Dossier aanvullen*: completes the case's party with the confirmed national number
/// and birth date.
#[tauri::command]
pub async fn complete_party_from_identity(
    state: State<'_, CockpitState>,
) -> Result<IdentityView, CockpitError> {
    state.ready()?.identity().complete_party()
}

/// Streams the identity's changes to the call window.
#[tauri::command]
pub async fn follow_identity(
    state: State<'_, CockpitState>,
    on_event: Channel<IdentityView>,
) -> Result<(), CockpitError> {
    forward(state.ready()?.identity().subscribe(), on_event);
    Ok(())
}
