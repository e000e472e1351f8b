//! The clerk's settings: devices and payment-provider keys.

use super::CockpitState;
use balie_cockpit::CockpitError;
use balie_cockpit::call::devices::DeviceList;
use balie_cockpit::payments::{ProviderKeyView, ProviderName};
use balie_cockpit::settings::DeviceChoice;
use tauri::State;

/// The machine's cameras, microphones and speakers, and the clerk's choice.
#[tauri::command]
pub async fn list_devices(state: State<'_, CockpitState>) -> Result<DeviceList, CockpitError> {
    state.ready()?.devices().list().await
}

/// Keeps the clerk's choice of devices (from the next call on).
#[tauri::command]
pub async fn choose_devices(
    state: State<'_, CockpitState>,
    choice: DeviceChoice,
) -> Result<(), CockpitError> {
    state.ready()?.devices().choose(&choice)
}

/// Which provider keys are stored (never the keys).
#[tauri::command]
pub async fn provider_keys(
    state: State<'_, CockpitState>,
) -> Result<Vec<ProviderKeyView>, CockpitError> {
    Ok(state.ready()?.payments().keys())
}

/// Tests a provider key and keeps it in the OS keyring.
#[tauri::command]
pub async fn set_provider_key(
    state: State<'_, CockpitState>,
    provider: ProviderName,
    key: String,
) -> Result<ProviderKeyView, CockpitError> {
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
    provider: ProviderName,
) -> Result<(), CockpitError> {
    state.ready()?.payments().test_key(provider).await
}

/// Removes a provider key from the OS keyring.
#[tauri::command]
pub async fn remove_provider_key(
    state: State<'_, CockpitState>,
    provider: ProviderName,
) -> Result<(), CockpitError> {
    state.ready()?.payments().remove_key(provider).await
}
