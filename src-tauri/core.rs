//! The cockpit without its windows: storage, the relay link and the command bodies.
//! `commands.rs` adapts these to Tauri; tests drive them headless.

use crate::error::IpcError;
use crate::layout::Layout;
use crate::relay_link::{RelayLink, RelayMode};
use balie_domain::Locale;
use balie_protocol::CreateRoomRequest;
use balie_secrets::SecretStore;
use rusqlite::Connection;
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;
use ts_rs::TS;

/// What a window asks at start: language, relay, keyring.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CockpitStatus {
    /// The clerk's language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: Locale,
    /// The relay in use.
    pub relay: RelayStatus,
    /// Whether secrets can be kept in the OS keyring.
    pub keyring_available: bool,
}

/// The relay part of [`CockpitStatus`].
#[derive(Debug, Clone, Serialize, TS)]
pub struct RelayStatus {
    /// Embedded or remote.
    pub mode: RelayMode,
    /// Its base URL.
    pub url: String,
}

/// A new conversation, ready to hand to the citizen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NewConversation {
    /// The relay's room id.
    pub room_id: String,
    /// The citizen's join link.
    pub join_url: String,
    /// When the link expires (RFC 3339).
    pub expires_at: String,
    /// The link as a QR code, an SVG data URI.
    pub qr_svg_data_uri: String,
}

/// The running cockpit's state.
pub struct Cockpit {
    locale: Locale,
    store: Mutex<Connection>,
    relay: RelayLink,
    keyring_available: bool,
    _relay_stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Cockpit {
    /// Opens the cockpit database under `data_dir` and starts the embedded relay there,
    /// keeping its clerk token in the keyring under `keyring_service`.
    pub async fn start(
        data_dir: &Path,
        keyring_service: &str,
        locale: Locale,
    ) -> Result<Self, IpcError> {
        let store = balie_store::open(
            &data_dir.join("cockpit.sqlite3"),
            &balie_store::cockpit::SCHEMA,
        )?;
        let embedded = crate::relay_link::start_embedded(
            &data_dir.join("relay"),
            SecretStore::new(keyring_service),
        )
        .await?;
        tracing::info!(url = embedded.link.base_url(), "embedded relay started");
        Ok(Self {
            locale,
            store: Mutex::new(store),
            relay: embedded.link,
            keyring_available: embedded.keyring_available,
            _relay_stop: Some(embedded.stop),
        })
    }

    /// The clerk's language.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// Status for the windows.
    pub fn status(&self) -> CockpitStatus {
        CockpitStatus {
            locale: self.locale,
            relay: RelayStatus {
                mode: self.relay.mode(),
                url: self.relay.base_url().to_string(),
            },
            keyring_available: self.keyring_available,
        }
    }

    /// *Nieuw gesprek*: a room on the relay, its join link and QR code.
    pub async fn new_conversation(&self) -> Result<NewConversation, IpcError> {
        let room = self
            .relay
            .create_room(&CreateRoomRequest::default())
            .await?;
        let qr_svg_data_uri = crate::qr::svg_data_uri(&room.join_url)
            .map_err(|e| IpcError::Internal(format!("qr code: {e}")))?;
        tracing::info!(room_id = room.room_id, "conversation created");
        Ok(NewConversation {
            room_id: room.room_id,
            join_url: room.join_url,
            expires_at: room.expires_at,
            qr_svg_data_uri,
        })
    }

    /// Checks that `url` is a join link of our relay before anything opens it.
    pub fn check_join_url(&self, url: &str) -> Result<(), IpcError> {
        if self.relay.is_join_url(url) {
            Ok(())
        } else {
            Err(IpcError::InvalidInput(
                "not a join link of this cockpit's relay".into(),
            ))
        }
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, balie_store::StoreError>,
    ) -> Result<T, IpcError> {
        let conn = self
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        Ok(f(&conn)?)
    }

    /// The window layout remembered for the monitor layout `key`.
    pub fn remembered_layout(&self, key: &str) -> Result<Option<Layout>, IpcError> {
        self.with_store(|c| balie_store::cockpit::window_layout::load(c, key))
    }

    /// Remembers the window layout for the monitor layout `key`.
    pub fn remember_layout(&self, key: &str, layout: &Layout) -> Result<(), IpcError> {
        self.with_store(|c| balie_store::cockpit::window_layout::save(c, key, layout))
    }
}

/// The TypeScript for the cockpit's IPC types, as checked in at `ui/bindings/cockpit.ts`.
pub fn typescript_bindings() -> String {
    balie_protocol::bindings_file(
        "src-tauri",
        "balie-cockpit --lib",
        &[
            CockpitStatus::decl(),
            RelayStatus::decl(),
            RelayMode::decl(),
            NewConversation::decl(),
            crate::error::IpcError::decl(),
        ],
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn checked_in_typescript_bindings_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/bindings/cockpit.ts");
        balie_protocol::assert_bindings_fresh(&path, &super::typescript_bindings());
    }
}
