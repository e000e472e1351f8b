//! *Aanmelden bij uw gemeente* (its own window, `aanmelden`), the *Verbinding* dialog
//! of the call window, and the cockpit's updates.

use super::CockpitState;
use balie_cockpit::enrolment::{ConnectionTest, EnrolView, Enrolled};
use balie_cockpit::{Cockpit, CockpitConfig, CockpitError};
use std::sync::Arc;
use tauri::{AppHandle, Manager as _, State};

/// How the cockpit was configured at start: what enrolment needs.
pub struct Startup {
    /// The configuration the cockpit starts (or started) with.
    pub config: CockpitConfig,
}

/// What the enrolment window shows: the relay (IT's, or a field) and the language.
#[tauri::command]
pub async fn enrol_view(startup: State<'_, Startup>) -> Result<EnrolView, CockpitError> {
    balie_cockpit::enrolment::view(&startup.config)
}

/// Enrols with `code`; then starts the cockpit and opens its two windows (first start),
/// or restarts the app so the running cockpit takes the new token (enrolling again).
#[tauri::command]
pub async fn enrol(
    app: AppHandle,
    startup: State<'_, Startup>,
    state: State<'_, CockpitState>,
    relay_url: String,
    code: String,
) -> Result<Enrolled, CockpitError> {
    let config = startup.config.clone();
    let enrolled = balie_cockpit::enrolment::enrol(&config, &relay_url, &code).await?;
    if state.ready().is_ok() {
        // The window says so first; then the app starts again with the new token.
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            app.restart();
        });
        return Ok(enrolled);
    }
    let locale = config.locale;
    let cockpit = Arc::new(Cockpit::start(config).await?);
    state.start(cockpit.clone());
    crate::windows::open(&app, locale, Some(&cockpit))
        .map_err(|e| CockpitError::Internal(e.to_string()))?;
    if let Some(window) = app.get_webview_window(crate::windows::AANMELDEN) {
        let _ = window.destroy();
    }
    Ok(enrolled)
}

/// *Verbinding testen*.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, CockpitState>,
) -> Result<ConnectionTest, CockpitError> {
    Ok(state.ready()?.test_connection().await)
}

/// *Opnieuw aanmelden*: the enrolment window, over the running cockpit.
#[tauri::command]
pub async fn open_enrolment(
    app: AppHandle,
    startup: State<'_, Startup>,
) -> Result<(), CockpitError> {
    crate::windows::open_enrolment(&app, startup.config.locale, true)
        .map_err(|e| CockpitError::Internal(e.to_string()))
}

/// Looks for a newer cockpit on the relay (the call window asks at start and daily).
#[tauri::command]
pub async fn check_update(
    state: State<'_, CockpitState>,
) -> Result<Option<balie_cockpit::updates::UpdateView>, CockpitError> {
    state.ready()?.check_update().await
}

/// Installs the update on offer (the clerk said yes; never during a conversation), then
/// starts the app again.
#[tauri::command]
pub async fn install_update(
    app: AppHandle,
    state: State<'_, CockpitState>,
) -> Result<balie_cockpit::updates::UpdateView, CockpitError> {
    let installed = state.ready()?.install_update().await?;
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        app.restart();
    });
    Ok(installed)
}
