//! Updates of the cockpit itself, from the municipality's relay: looked for at start and
//! daily, offered to the clerk, installed only with their consent and never during a
//! call. A package counts only when its signature checks out against the municipality's
//! update key in IT's machine settings (`[updates] pubkey`); the relay holds no key.
//!
//! Installing goes the way the cockpit was installed: a `.deb` with `dpkg -i`, an `.rpm`
//! with `rpm -U` (both through `pkexec` for a clerk who is not root), an AppImage by
//! replacing its file. Windows and macOS packages are offered but left to IT's tools
//! (not verified on this project's machines).

pub mod verify;

use crate::error::CockpitError;
use crate::machine::MachineSettings;
use crate::relay_link::RelayLink;
use balie_domain::Locale;
use balie_protocol::updates::Manifest;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// How often the cockpit looks for an update after the first look at start.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// How the running cockpit was installed (the host knows: Tauri's bundler marks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Installed {
    /// From a `.deb`.
    Deb,
    /// From an `.rpm`.
    Rpm,
    /// As an AppImage, at this path.
    AppImage(PathBuf),
    /// From an MSI (Windows).
    Msi,
    /// As a macOS app.
    App,
    /// Not from a package (a developer's build): nothing is installed.
    Unknown,
}

impl Installed {
    /// The manifest's platform keys for this installation, the most precise first.
    fn platform_keys(&self) -> Vec<String> {
        let arch = if cfg!(target_arch = "aarch64") {
            "aarch64"
        } else {
            "x86_64"
        };
        let (os, kind) = match self {
            Installed::Deb => ("linux", "deb"),
            Installed::Rpm => ("linux", "rpm"),
            Installed::AppImage(_) => ("linux", "appimage"),
            Installed::Msi => ("windows", "msi"),
            Installed::App => ("darwin", "app"),
            Installed::Unknown => return Vec::new(),
        };
        vec![format!("{os}-{arch}-{kind}"), format!("{os}-{arch}")]
    }
}

/// An update on offer, as the call window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UpdateView {
    /// The version on offer.
    pub version: String,
    /// The version running now.
    pub current: String,
    /// What changed.
    pub notes: String,
}

#[derive(Debug, Clone)]
struct Offer {
    view: UpdateView,
    url: String,
    signature: String,
}

/// The cockpit's updates.
pub struct Updates {
    relay: Arc<RelayLink>,
    pubkey: Option<verify::UpdateKey>,
    check: bool,
    current: semver::Version,
    installed: Installed,
    download_dir: PathBuf,
    locale: Locale,
    offer: Mutex<Option<Offer>>,
}

impl Updates {
    /// The updates of a cockpit at `current` version, installed as `installed`, with IT's
    /// machine settings (whether to look, and the key).
    pub fn new(
        relay: Arc<RelayLink>,
        machine: &MachineSettings,
        current: &str,
        installed: Installed,
        download_dir: PathBuf,
        locale: Locale,
    ) -> Self {
        let pubkey = machine.update_key.as_deref().and_then(|k| {
            verify::UpdateKey::parse(k)
                .map_err(|e| tracing::warn!(error = %e, "the update key in the machine settings is not a key"))
                .ok()
        });
        Self {
            relay,
            pubkey,
            check: machine.check_updates,
            current: semver::Version::parse(current).unwrap_or(semver::Version::new(0, 0, 0)),
            installed,
            download_dir,
            locale,
            offer: Mutex::new(None),
        }
    }

    /// Whether this cockpit looks for updates: IT did not switch it off, gave a key, and
    /// it was installed from a package.
    pub fn enabled(&self) -> bool {
        self.check && self.pubkey.is_some() && self.installed != Installed::Unknown
    }

    /// Asks the relay for a newer version for this installation; `None` when there is
    /// none (or updates are off).
    pub async fn check(&self) -> Result<Option<UpdateView>, CockpitError> {
        if !self.enabled() {
            return Ok(None);
        }
        let manifest: Option<Manifest> = self
            .relay
            .call(
                reqwest::Method::GET,
                "/api/updates/latest.json",
                None::<&()>,
            )
            .await?;
        let offer = manifest.and_then(|m| self.offer_in(&m));
        let view = offer.as_ref().map(|o| o.view.clone());
        if let Ok(mut slot) = self.offer.lock() {
            *slot = offer;
        }
        Ok(view)
    }

    fn offer_in(&self, manifest: &Manifest) -> Option<Offer> {
        let version = semver::Version::parse(manifest.version.trim_start_matches('v')).ok()?;
        if version <= self.current {
            return None;
        }
        let platform = self
            .installed
            .platform_keys()
            .iter()
            .find_map(|key| manifest.platforms.get(key))?;
        Some(Offer {
            view: UpdateView {
                version: version.to_string(),
                current: self.current.to_string(),
                notes: manifest.notes.clone(),
            },
            url: platform.url.clone(),
            signature: platform.signature.clone(),
        })
    }

    /// Asks the relay again, downloads the update on offer, checks its signature and
    /// installs it. Refused during
    /// a call (`in_call`), and when the signature is not the municipality's: then nothing
    /// is installed.
    pub async fn install(&self, in_call: bool) -> Result<UpdateView, CockpitError> {
        let locale = self.locale;
        if in_call {
            return Err(CockpitError::rejected(locale, "error.update.in_call"));
        }
        // What the relay offers now: IT may have published again since the clerk saw it.
        self.check().await?;
        let offer = self
            .offer
            .lock()
            .ok()
            .and_then(|o| o.clone())
            .ok_or_else(|| CockpitError::rejected(locale, "error.update.none"))?;
        let key = self
            .pubkey
            .clone()
            .ok_or_else(|| CockpitError::rejected(locale, "error.update.none"))?;
        let bytes = self.relay.download(&offer.url).await?;
        if let Err(e) = key.verify(&bytes, &offer.signature) {
            tracing::warn!(version = %offer.view.version, error = %e, "update refused: its signature is not the municipality's");
            return Err(CockpitError::rejected(locale, "error.update.signature"));
        }
        let installed = self.installed.clone();
        let dir = self.download_dir.clone();
        let version = offer.view.version.clone();
        tokio::task::spawn_blocking(move || install::package(&installed, &dir, &version, &bytes))
            .await
            .map_err(|e| CockpitError::Internal(e.to_string()))?
            .map_err(|e| {
                tracing::warn!(error = %e, "the update could not be installed");
                CockpitError::rejected(locale, "error.update.install")
            })?;
        tracing::info!(version = %offer.view.version, "update installed");
        Ok(offer.view)
    }
}

mod install;
