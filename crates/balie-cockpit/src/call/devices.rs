//! The machine's cameras, microphones and speakers, and which of them a call uses.

use crate::error::CockpitError;
use crate::settings::{DeviceChoice, Settings};
use crate::store::SharedStore;
use balie_call::MediaSource;
use serde::Serialize;
use ts_rs::TS;

/// The clerk's chosen devices (`None`: the system default), or the test pattern and tone
/// when `synthetic` (`BALIE_MEDIA=synthetic`: tests, demonstrations on machines without
/// devices).
pub fn media_source(choice: &DeviceChoice, synthetic: bool) -> MediaSource {
    if synthetic {
        return MediaSource::Synthetic;
    }
    MediaSource::Devices {
        camera: choice.camera.clone(),
        microphone: choice.microphone.clone(),
        speaker: choice.speaker.clone(),
    }
}

/// The devices of this machine and the clerk's choice, for the devices form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeviceList {
    /// Cameras.
    pub cameras: Vec<String>,
    /// Whether this build can use a camera at all (built with GStreamer); without, the
    /// citizen sees a test pattern.
    pub camera_supported: bool,
    /// Microphones.
    pub microphones: Vec<String>,
    /// Speakers.
    pub speakers: Vec<String>,
    /// What is chosen now.
    pub chosen: DeviceChoice,
}

/// The clerk's devices: the choice kept in the settings, and what the machine has.
#[derive(Clone)]
pub struct Devices {
    store: SharedStore,
    synthetic: bool,
}

impl Devices {
    /// The devices chosen in `store`; `synthetic`: the test pattern and tone instead.
    pub fn new(store: SharedStore, synthetic: bool) -> Self {
        Self { store, synthetic }
    }

    /// The devices the clerk chose.
    pub fn choice(&self) -> Result<DeviceChoice, CockpitError> {
        self.store.with(|c| Settings::of(c).devices())
    }

    /// Keeps the clerk's choice; it applies from the next call on. A name longer than
    /// [`crate::settings::MAX_DEVICE_NAME_CHARS`] is refused and nothing changes.
    pub fn choose(&self, choice: &DeviceChoice) -> Result<(), CockpitError> {
        if !choice.is_storable() {
            return Err(CockpitError::InvalidInput("device name too long".into()));
        }
        self.store.with(|c| Settings::of(c).set_devices(choice))
    }

    /// The machine's devices and the clerk's choice.
    pub async fn list(&self) -> Result<DeviceList, CockpitError> {
        let chosen = self.choice()?;
        tokio::task::spawn_blocking(move || list_devices(chosen))
            .await
            .map_err(|e| CockpitError::Internal(format!("device list: {e}")))
    }

    /// What the next call captures and plays: the chosen devices, or the test pattern.
    pub fn media_source(&self) -> Result<MediaSource, CockpitError> {
        Ok(media_source(&self.choice()?, self.synthetic))
    }
}

/// Lists the machine's devices (slow: the sound system and the camera monitor are asked).
pub fn list_devices(chosen: DeviceChoice) -> DeviceList {
    let sound = balie_call::media::devices::list();
    DeviceList {
        cameras: balie_call::media::camera::list(),
        camera_supported: balie_call::media::camera::SUPPORTED,
        microphones: sound.inputs,
        speakers: sound.outputs,
        chosen,
    }
}
