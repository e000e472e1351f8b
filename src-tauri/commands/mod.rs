//! `#[tauri::command]` adapters: short functions over [`CockpitState`], one file per
//! feature ([`call`], [`enrolment`], [`front_door`], [`identity`], [`impact`], [`payments`],
//! [`cases`], [`settings`]). They decide nothing: every
//! rule is in `balie_cockpit`. What they do is Tauri's part: state, channels, the opener,
//! the window manager, raw request bodies.

pub mod call;
pub mod cases;
pub mod enrolment;
pub mod front_door;
pub mod identity;
pub mod impact;
pub mod payments;
pub mod settings;

use balie_cockpit::{Cockpit, CockpitError, CockpitStatus};
use serde::Serialize;
use std::sync::Arc;
use tauri::ipc::{Channel, Invoke};
use tauri::{AppHandle, State};
use tokio::sync::broadcast;

/// The cockpit as the commands see it: running, waiting for the clerk to enrol, or failed
/// to start (then every command answers with the start error, which the window shows in
/// the clerk's language). It starts at most once per process.
pub struct CockpitState {
    cockpit: std::sync::OnceLock<Arc<Cockpit>>,
    failed: std::sync::OnceLock<CockpitError>,
}

impl CockpitState {
    /// Running.
    pub fn ready_with(cockpit: Arc<Cockpit>) -> Self {
        let state = Self::waiting();
        let _ = state.cockpit.set(cockpit);
        state
    }

    /// Could not start.
    pub fn failed(error: CockpitError) -> Self {
        let state = Self::waiting();
        let _ = state.failed.set(error);
        state
    }

    /// Not started yet: the clerk enrols first.
    pub fn waiting() -> Self {
        Self {
            cockpit: std::sync::OnceLock::new(),
            failed: std::sync::OnceLock::new(),
        }
    }

    /// Started after enrolment; `false` when it already ran.
    pub fn start(&self, cockpit: Arc<Cockpit>) -> bool {
        self.cockpit.set(cockpit).is_ok()
    }

    /// The running cockpit, or why there is none.
    pub fn ready(&self) -> Result<&Arc<Cockpit>, CockpitError> {
        if let Some(cockpit) = self.cockpit.get() {
            return Ok(cockpit);
        }
        Err(self
            .failed
            .get()
            .cloned()
            .unwrap_or_else(|| CockpitError::Internal("the cockpit waits for enrolment".into())))
    }
}

/// Every command, for `tauri::Builder::invoke_handler`. Keep `src-tauri/build.rs`'s list
/// and the windows' capabilities in step with it.
pub fn handler() -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        cockpit_status,
        swap_screens,
        call::new_conversation,
        call::admit,
        call::decline,
        call::send_chat,
        call::set_mic_muted,
        call::set_camera_off,
        call::set_background_blur,
        call::end_conversation,
        call::frame_url,
        call::video_areas,
        call::video_painted,
        call::open_join_link,
        front_door::agenda,
        front_door::availability,
        front_door::set_availability,
        front_door::walk_in_queue,
        front_door::set_clerk_status,
        front_door::open_appointment,
        front_door::take_next_citizen,
        front_door::follow_front_door,
        identity::identity_view,
        identity::ask_identity,
        identity::complete_party_from_identity,
        identity::follow_identity,
        impact::impact_dashboard,
        impact::impact_report,
        impact::impact_import,
        impact::impact_add_register_entry,
        impact::impact_register,
        impact::impact_remove_register_entry,
        impact::impact_clerk_day,
        impact::impact_set_place,
        impact::impact_clerk_survey_due,
        impact::impact_answer_clerk_survey,
        enrolment::enrol_view,
        enrolment::enrol,
        enrolment::test_connection,
        enrolment::open_enrolment,
        enrolment::check_update,
        enrolment::install_update,
        settings::list_devices,
        settings::choose_devices,
        payments::payment_setup,
        payments::request_payment,
        payments::cancel_payment,
        payments::mark_payment_received,
        payments::conversation_payments,
        payments::follow_payments,
        payments::set_product_price,
        settings::provider_keys,
        settings::set_provider_key,
        settings::test_provider_key,
        settings::remove_provider_key,
        cases::search_cases,
        cases::open_case,
        cases::refresh_case,
        cases::add_case_note,
        cases::set_case_status,
        cases::mark_case_handled,
        cases::link_case_to_call,
        cases::request_case_payment,
        cases::follow_dossier,
        cases::import_cases,
        cases::export_case,
        cases::create_case,
        cases::attach_document,
        cases::open_document,
    ]
}

/// Sends everything `events` carries to the window's `channel` until the window goes
/// away (a lagging window skips what it missed; the next event brings it up to date).
pub(crate) fn forward<T>(mut events: broadcast::Receiver<T>, channel: Channel<T>)
where
    T: Clone + Serialize + Send + 'static,
{
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if channel.send(event).is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

/// Language, relay and keyring state for a window starting up.
#[tauri::command]
pub async fn cockpit_status(state: State<'_, CockpitState>) -> Result<CockpitStatus, CockpitError> {
    Ok(state.ready()?.status())
}

/// Exchanges the two windows' screens.
#[tauri::command]
pub async fn swap_screens(
    app: AppHandle,
    state: State<'_, CockpitState>,
) -> Result<(), CockpitError> {
    let cockpit = state.ready().ok().cloned();
    crate::windows::swap(&app, cockpit.as_deref())
        .map_err(|e| CockpitError::Internal(e.to_string()))
}
