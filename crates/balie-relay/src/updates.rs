//! Cockpit updates that IT publishes on the relay (`--updates-dir`): the packages, each
//! with the signature made with the municipality's update key, and a manifest in Tauri's
//! static update format (`latest.json`), written by `balie-relay updates publish`.
//!
//! The relay only serves them, to clerks' cockpits: `GET /api/updates/latest.json` (204
//! when nothing is published) and `GET /api/updates/files/{name}`. It holds no key and
//! decides nothing: the cockpit checks the signature against the public key IT put in its
//! machine settings.

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::path::{Path as FsPath, PathBuf};

/// The manifest's file name in the updates folder.
pub const MANIFEST: &str = "latest.json";

pub use balie_protocol::updates::{Manifest, Platform};

/// What can go wrong publishing an update.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The version is not semver.
    #[error("the version {0:?} is not a version like 1.4.0")]
    Version(String),
    /// A package's kind cannot be told from its name.
    #[error("{0}: not a package the cockpit installs (.deb, .rpm, .AppImage, .msi, .app.tar.gz)")]
    Kind(String),
    /// A package has no signature beside it.
    #[error("{0}: no signature beside it ({0}.sig from `tauri signer sign`, or {0}.minisig)")]
    NoSignature(String),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

/// The platform key of a package, from its name: `linux-x86_64-deb` for
/// `Balie_1.4.0_amd64.deb`.
pub fn platform_key(file_name: &str) -> Option<String> {
    let lower = file_name.to_ascii_lowercase();
    let arch = if ["aarch64", "arm64"].iter().any(|a| lower.contains(a)) {
        "aarch64"
    } else {
        "x86_64"
    };
    let (os, kind) = if lower.ends_with(".deb") {
        ("linux", "deb")
    } else if lower.ends_with(".rpm") {
        ("linux", "rpm")
    } else if lower.ends_with(".appimage") {
        ("linux", "appimage")
    } else if lower.ends_with(".msi") {
        ("windows", "msi")
    } else if lower.ends_with(".app.tar.gz") {
        ("darwin", "app")
    } else {
        return None;
    };
    Some(format!("{os}-{arch}-{kind}"))
}

/// Publishes `version` with `packages` (each with its signature beside it) in `dir`:
/// copies them in and writes the manifest, replacing the one before.
pub fn publish(
    dir: &FsPath,
    version: &str,
    notes: &str,
    packages: &[PathBuf],
    now: time::OffsetDateTime,
) -> Result<Manifest, PublishError> {
    let version = version.trim().trim_start_matches('v');
    semver::Version::parse(version).map_err(|_| PublishError::Version(version.into()))?;
    let io = |e: std::io::Error| PublishError::Io(e.to_string());
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut platforms = BTreeMap::new();
    for package in packages {
        let name = package
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| PublishError::Kind(package.display().to_string()))?
            .to_owned();
        let key = platform_key(&name).ok_or_else(|| PublishError::Kind(name.clone()))?;
        let signature = ["sig", "minisig"]
            .iter()
            .find_map(|ext| std::fs::read_to_string(format!("{}.{ext}", package.display())).ok())
            .ok_or_else(|| PublishError::NoSignature(name.clone()))?;
        let target = dir.join(&name);
        if package.canonicalize().ok() != target.canonicalize().ok() {
            std::fs::copy(package, &target).map_err(io)?;
        }
        platforms.insert(
            key,
            Platform {
                url: name,
                signature: signature.trim().to_owned(),
            },
        );
    }
    let manifest = Manifest {
        version: version.to_owned(),
        notes: notes.trim().to_owned(),
        pub_date: now
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| PublishError::Io(e.to_string()))?,
        platforms,
    };
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|e| PublishError::Io(e.to_string()))?;
    let temp = dir.join(format!("{MANIFEST}.new"));
    std::fs::write(&temp, text).map_err(io)?;
    std::fs::rename(&temp, dir.join(MANIFEST)).map_err(io)?;
    Ok(manifest)
}

/// The published manifest in `dir`, `None` when nothing is published.
fn read_manifest(dir: &FsPath) -> Result<Option<Manifest>, AppError> {
    match std::fs::read(dir.join(MANIFEST)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| AppError::Internal(format!("the updates manifest: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(AppError::Internal(format!("the updates manifest: {e}"))),
    }
}

/// The updates folder and its manifest, read off the async threads; `None` when the relay
/// serves no updates or nothing is published.
async fn published(state: &AppState) -> Result<Option<(PathBuf, Manifest)>, AppError> {
    let Some(dir) = state.config().updates_dir.clone() else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || Ok(read_manifest(&dir)?.map(|m| (dir, m))))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// `GET /api/updates/latest.json`: what is on offer, with the packages' full URLs; 204
/// when the relay serves no updates.
pub(crate) async fn latest(
    State(state): State<AppState>,
    _clerk: ClerkAuth,
) -> Result<Response, AppError> {
    let Some((_, mut manifest)) = published(&state).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    for platform in manifest.platforms.values_mut() {
        platform.url = format!("{}/api/updates/files/{}", state.public_url(), platform.url);
    }
    Ok(axum::Json(manifest).into_response())
}

/// `GET /api/updates/files/{name}`: a package the manifest names, and nothing else.
pub(crate) async fn file(
    State(state): State<AppState>,
    _clerk: ClerkAuth,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(AppError::NotFound);
    }
    let (dir, manifest) = published(&state).await?.ok_or(AppError::NotFound)?;
    if !manifest.platforms.values().any(|p| p.url == name) {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(dir.join(&name))
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packages_platform_comes_from_its_name() {
        for (name, key) in [
            ("Balie_1.4.0_amd64.deb", Some("linux-x86_64-deb")),
            ("Balie-1.4.0-1.x86_64.rpm", Some("linux-x86_64-rpm")),
            ("Balie_1.4.0_amd64.AppImage", Some("linux-x86_64-appimage")),
            ("Balie_1.4.0_arm64.deb", Some("linux-aarch64-deb")),
            ("Balie_1.4.0_x64_nl-NL.msi", Some("windows-x86_64-msi")),
            ("Balie.app.tar.gz", Some("darwin-x86_64-app")),
            ("Balie_1.4.0_amd64.deb.sig", None),
            ("notes.txt", None),
        ] {
            assert_eq!(platform_key(name).as_deref(), key, "{name}");
        }
    }
}
