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

/// The setting naming the municipality's relay; unset means the embedded relay.
pub const RELAY_URL_SETTING: &str = "relay_url";

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

/// What happens in the lobby and the room, as the call window follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LobbyEvent {
    /// Connected to the relay (again).
    Connected {
        /// A citizen is already in (after a reconnection).
        citizen_present: bool,
    },
    /// A citizen knocks.
    Knock {
        /// Pass to `admit` / `decline`.
        knock_id: String,
        /// The language of the citizen's page.
        #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
        locale: Locale,
    },
    /// The knocking citizen left before being let in.
    KnockWithdrawn,
    /// The admitted citizen's connection dropped.
    CitizenAway,
    /// The admitted citizen is back.
    CitizenBack,
    /// The citizen hung up.
    CitizenLeft,
    /// The relay refused a message (a bug, or a race such as admitting a withdrawn knock).
    Refused {
        /// The relay's error code.
        code: String,
    },
    /// The connection to the relay dropped; it is retried.
    Reconnecting {
        /// Milliseconds until the next attempt.
        retry_in_ms: u64,
    },
    /// The relay refused the connection for good (e.g. the link expired).
    Closed {
        /// HTTP status of the refusal.
        status: u16,
    },
}

impl LobbyEvent {
    fn from_signaling(event: balie_call::SignalingEvent) -> Option<Self> {
        use balie_call::SignalingEvent as S;
        use balie_protocol::signaling::RelayToClerk as R;
        Some(match event {
            S::Connected {
                citizen_present, ..
            } => LobbyEvent::Connected { citizen_present },
            S::Disconnected { retry_in } => LobbyEvent::Reconnecting {
                retry_in_ms: u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX),
            },
            S::Refused { status } => LobbyEvent::Closed { status },
            S::Message(R::Knock { knock_id, locale }) => LobbyEvent::Knock { knock_id, locale },
            S::Message(R::KnockWithdrawn { .. }) => LobbyEvent::KnockWithdrawn,
            S::Message(R::CitizenAway) => LobbyEvent::CitizenAway,
            S::Message(R::CitizenBack) => LobbyEvent::CitizenBack,
            S::Message(R::CitizenLeft) => LobbyEvent::CitizenLeft,
            S::Message(R::Error { code }) => LobbyEvent::Refused {
                code: serde_json::to_value(code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            },
            // Negotiation goes to the call engine (next step of issue 3).
            S::Message(_) => return None,
        })
    }
}

/// The conversation in progress: a sender on its signaling connection, and the task that
/// owns the connection and forwards its events (told to close through `close`).
struct Live {
    sender: balie_call::ClerkSender,
    close: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

/// The running cockpit's state.
pub struct Cockpit {
    locale: Locale,
    store: Mutex<Connection>,
    relay: RelayLink,
    keyring_available: bool,
    live: Mutex<Option<Live>>,
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
        let secrets = SecretStore::new(keyring_service);
        let remote = match std::env::var("BALIE_RELAY_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ => balie_store::cockpit::setting::get(&store, RELAY_URL_SETTING)?,
        };
        let (relay, keyring_available, relay_stop) = match remote {
            Some(url) => {
                let link = crate::relay_link::connect_remote(&url, secrets).await?;
                tracing::info!(url = link.base_url(), "using the configured relay");
                (link, true, None)
            }
            None => {
                let embedded =
                    crate::relay_link::start_embedded(&data_dir.join("relay"), secrets).await?;
                tracing::info!(url = embedded.link.base_url(), "embedded relay started");
                (
                    embedded.link,
                    embedded.keyring_available,
                    Some(embedded.stop),
                )
            }
        };
        Ok(Self {
            locale,
            store: Mutex::new(store),
            relay,
            keyring_available,
            live: Mutex::new(None),
            _relay_stop: relay_stop,
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

    /// *Nieuw gesprek*: a room on the relay, its join link and QR code; then follows the
    /// room's lobby, reporting to `on_event`. A conversation still in progress is ended.
    pub async fn new_conversation(
        &self,
        on_event: impl Fn(LobbyEvent) + Send + 'static,
    ) -> Result<NewConversation, IpcError> {
        self.end_conversation().await?;
        let room = self
            .relay
            .create_room(&CreateRoomRequest::default())
            .await?;
        let mut signaling = self.relay.signaling(&room.room_id);
        let sender = signaling.sender();
        let (close, mut closing) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = &mut closing => break,
                    event = signaling.next_event() => match event {
                        Some(event) => {
                            if let Some(event) = LobbyEvent::from_signaling(event) {
                                on_event(event);
                            }
                        }
                        None => return,
                    },
                }
            }
            signaling.close().await;
        });
        *self.live_slot()? = Some(Live {
            sender,
            close,
            task,
        });
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

    fn live_slot(&self) -> Result<std::sync::MutexGuard<'_, Option<Live>>, IpcError> {
        self.live
            .lock()
            .map_err(|_| IpcError::Internal("conversation lock poisoned".into()))
    }

    async fn send(&self, message: balie_protocol::signaling::ClerkMessage) -> Result<(), IpcError> {
        let sender = self
            .live_slot()?
            .as_ref()
            .map(|l| l.sender.clone())
            .ok_or_else(|| IpcError::InvalidInput("no conversation in progress".into()))?;
        if sender.send(message).await {
            Ok(())
        } else {
            Err(IpcError::RelayUnreachable(
                "the signaling connection has stopped".into(),
            ))
        }
    }

    /// Lets the knocking citizen in.
    pub async fn admit(&self, knock_id: String) -> Result<(), IpcError> {
        self.send(balie_protocol::signaling::ClerkMessage::Admit { knock_id })
            .await
    }

    /// Turns the knocking citizen away.
    pub async fn decline(&self, knock_id: String) -> Result<(), IpcError> {
        self.send(balie_protocol::signaling::ClerkMessage::Decline { knock_id })
            .await
    }

    /// Ends the conversation in progress, if any: the citizen is told and the link stops
    /// working.
    pub async fn end_conversation(&self) -> Result<(), IpcError> {
        let live = self.live_slot()?.take();
        if let Some(Live {
            sender,
            close,
            task,
        }) = live
        {
            sender
                .send(balie_protocol::signaling::ClerkMessage::End)
                .await;
            // With our sender gone, closing drains the queue (the `end`) before it hangs up.
            drop(sender);
            let _ = close.send(());
            let _ = task.await;
        }
        Ok(())
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
            LobbyEvent::decl(),
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
