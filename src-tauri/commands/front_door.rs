//! The call window's front-door commands: the agenda, the clerk's availability and status,
//! the walk-in queue, and opening the room of an appointment or a walk-in.

use super::CockpitState;
use balie_cockpit::call::events::ConversationEvent;
use balie_cockpit::front_door::FrontDoorEvent;
use balie_cockpit::{CockpitError, OpenedRoom};
use balie_protocol::agenda::{Appointment, Availability, ClerkStatus, Queue};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager as _, State};
use tokio::sync::broadcast;

/// The clerk's appointments from the start of today for `days` days.
#[tauri::command]
pub async fn agenda(
    state: State<'_, CockpitState>,
    days: u32,
) -> Result<Vec<Appointment>, CockpitError> {
    state.ready()?.front_door().appointments(None, days).await
}

/// The clerk's availability for appointments.
#[tauri::command]
pub async fn availability(state: State<'_, CockpitState>) -> Result<Availability, CockpitError> {
    state.ready()?.front_door().availability().await
}

/// Replaces the clerk's availability; hours the relay cannot read change nothing.
#[tauri::command]
pub async fn set_availability(
    state: State<'_, CockpitState>,
    availability: Availability,
) -> Result<(), CockpitError> {
    state
        .ready()?
        .front_door()
        .set_availability(&availability)
        .await
}

/// The clerk's status and the queues of their products.
#[tauri::command]
pub async fn walk_in_queue(state: State<'_, CockpitState>) -> Result<Queue, CockpitError> {
    state.ready()?.front_door().queue().await
}

/// Sets the clerk's status (*beschikbaar*, *in gesprek*, *afwezig*).
#[tauri::command]
pub async fn set_clerk_status(
    state: State<'_, CockpitState>,
    status: ClerkStatus,
) -> Result<(), CockpitError> {
    state.ready()?.front_door().set_status(status).await
}

/// Opens appointment `id`: its case in the dossier window, its room's lobby and call
/// streaming to `on_event`.
#[tauri::command]
pub async fn open_appointment(
    app: AppHandle,
    state: State<'_, CockpitState>,
    id: String,
    on_event: Channel<ConversationEvent>,
) -> Result<OpenedRoom, CockpitError> {
    state
        .ready()?
        .open_appointment(&id, conversation_events(app, on_event))
        .await
}

/// *Volgende burger*: takes the longest-waiting walk-in (of `product_id`, or of any product
/// the clerk serves); `None` when nobody waits.
#[tauri::command]
pub async fn take_next_citizen(
    app: AppHandle,
    state: State<'_, CockpitState>,
    product_id: Option<String>,
    on_event: Channel<ConversationEvent>,
) -> Result<Option<OpenedRoom>, CockpitError> {
    state
        .ready()?
        .take_next_citizen(product_id, conversation_events(app, on_event))
        .await
}

/// Streams knocks in unopened rooms and queue changes to `on_event`; a knock also asks
/// the window manager for the clerk's attention.
#[tauri::command]
pub async fn follow_front_door(
    app: AppHandle,
    state: State<'_, CockpitState>,
    on_event: Channel<FrontDoorEvent>,
) -> Result<(), CockpitError> {
    let mut events = state.ready()?.front_door().subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if matches!(event, FrontDoorEvent::Knock { .. }) {
                        attention(&app);
                    }
                    if on_event.send(event).is_err() {
                        return;
                    }
                }
                // A lagging window reads the agenda and the queue again on the next event.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    Ok(())
}

/// What a conversation tells, for the call window; a knock also asks for attention.
pub(crate) fn conversation_events(
    app: AppHandle,
    channel: Channel<ConversationEvent>,
) -> impl Fn(ConversationEvent) + Send + 'static {
    move |event| {
        if matches!(event, ConversationEvent::Knock { .. }) {
            attention(&app);
        }
        if let Err(e) = channel.send(event) {
            tracing::warn!(error = %e, "conversation event not delivered to the call window");
        }
    }
}

/// Asks the window manager for the clerk's attention to the call window.
fn attention(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(crate::windows::GESPREK) {
        let _ = window.request_user_attention(Some(tauri::UserAttentionType::Critical));
    }
}
