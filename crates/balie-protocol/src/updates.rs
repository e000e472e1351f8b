//! Cockpit updates as the relay serves them (`GET /api/updates/latest.json`): Tauri's
//! static update manifest, so the packages and signatures Tauri's tools make are used as
//! they are.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tauri's static update manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The version on offer (semver, a leading `v` allowed).
    pub version: String,
    /// What changed, for the clerk.
    #[serde(default)]
    pub notes: String,
    /// When it was published, RFC 3339.
    #[serde(default)]
    pub pub_date: String,
    /// Per platform (`linux-x86_64-deb`, `linux-x86_64-appimage`, `windows-x86_64-msi`,
    /// …, or a plain `linux-x86_64`): the package and its signature.
    pub platforms: BTreeMap<String, Platform>,
}

/// One platform's package in a [`Manifest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// Where the package is (in the relay's folder: its file name; as served: its URL).
    pub url: String,
    /// The package's signature: the `.sig` file `tauri signer sign` makes (base64 of the
    /// minisign signature), or a `.minisig` file's text.
    pub signature: String,
}
