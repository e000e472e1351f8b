//! The machine's cameras, microphones and speakers, and which of them a call uses.

use crate::settings::DeviceChoice;
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
    /// Microphones.
    pub microphones: Vec<String>,
    /// Speakers.
    pub speakers: Vec<String>,
    /// What is chosen now.
    pub chosen: DeviceChoice,
}

/// Lists the machine's devices (slow: the sound system and the camera monitor are asked).
pub fn list_devices(chosen: DeviceChoice) -> DeviceList {
    let sound = balie_call::media::devices::list();
    DeviceList {
        cameras: balie_call::media::camera::list(),
        microphones: sound.inputs,
        speakers: sound.outputs,
        chosen,
    }
}
