//! The call window's commands: the conversation and its call.

use super::CockpitState;
use crate::native_video::NativeVideo;
use balie_cockpit::call::events::ConversationEvent;
use balie_cockpit::call::frames::VideoStream;
use balie_cockpit::call::paint::{VideoArea, VideoPainted};
use balie_cockpit::{CockpitError, NewConversation};
use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

/// *Nieuw gesprek*: a room, its join link and QR code; lobby events stream to `on_event`.
/// A knock also asks the window manager for the clerk's attention, so it is seen when the
/// call window is in the background.
#[tauri::command]
pub async fn new_conversation(
    app: AppHandle,
    state: State<'_, CockpitState>,
    on_event: Channel<ConversationEvent>,
) -> Result<NewConversation, CockpitError> {
    state
        .ready()?
        .new_conversation(super::front_door::conversation_events(app, on_event))
        .await
}

/// Lets the knocking citizen in.
#[tauri::command]
pub async fn admit(state: State<'_, CockpitState>, knock_id: String) -> Result<(), CockpitError> {
    state.ready()?.admit(knock_id).await
}

/// Turns the knocking citizen away.
#[tauri::command]
pub async fn decline(state: State<'_, CockpitState>, knock_id: String) -> Result<(), CockpitError> {
    state.ready()?.decline(knock_id).await
}

/// Sends a chat line to the citizen; answers its id.
#[tauri::command]
pub async fn send_chat(
    state: State<'_, CockpitState>,
    text: String,
) -> Result<String, CockpitError> {
    state.ready()?.send_chat(text).await
}

/// Mutes or unmutes the clerk's microphone.
#[tauri::command]
pub async fn set_mic_muted(
    state: State<'_, CockpitState>,
    muted: bool,
) -> Result<(), CockpitError> {
    state.ready()?.set_mic_muted(muted).await
}

/// Turns the clerk's camera off or on.
#[tauri::command]
pub async fn set_camera_off(state: State<'_, CockpitState>, off: bool) -> Result<(), CockpitError> {
    state.ready()?.set_camera_off(off).await
}

/// Turns the background blur on or off, in the call and for the calls after it.
#[tauri::command]
pub async fn set_background_blur(
    state: State<'_, CockpitState>,
    on: bool,
) -> Result<(), CockpitError> {
    state.ready()?.set_background_blur(on).await
}

/// Ends the conversation (hangs up the call).
#[tauri::command]
pub async fn end_conversation(state: State<'_, CockpitState>) -> Result<(), CockpitError> {
    state.ready()?.end_conversation().await
}

/// The loopback WebSocket address that streams `stream`'s pictures to the call window.
#[tauri::command]
pub async fn frame_url(
    state: State<'_, CockpitState>,
    stream: VideoStream,
) -> Result<String, CockpitError> {
    state.ready()?.frame_url(stream)
}

/// Shows the call's pictures natively at `remote` and `own` (CSS pixels of the window's
/// viewport; `None` hides one); `fresh` when a call starts (the paint counts start anew).
/// Answers whether the host draws them: `false` means the page draws them itself (WebGL).
#[tauri::command]
pub fn video_areas(
    window: tauri::WebviewWindow,
    video: State<'_, NativeVideo>,
    remote: Option<VideoArea>,
    own: Option<VideoArea>,
    fresh: bool,
) -> bool {
    crate::native_video::set_areas(&window, &video, remote, own, fresh)
}

/// What the native surfaces painted since the pictures were last shown.
#[tauri::command]
pub fn video_painted(video: State<'_, NativeVideo>) -> VideoPainted {
    video.painted()
}

/// Opens a join link of our relay in the default browser (nothing else is opened).
#[tauri::command]
pub async fn open_join_link(
    app: AppHandle,
    state: State<'_, CockpitState>,
    url: String,
) -> Result<(), CockpitError> {
    state.ready()?.check_join_url(&url)?;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| CockpitError::Internal(format!("cannot start the browser: {e}")))
}
