//! The cockpit without its windows: storage, the relay link and the command bodies.
//! `commands.rs` adapts these to Tauri; tests drive them headless.

use crate::conversation::{
    Command, Conversation, ConversationEvent, DeviceChoice, DeviceList, Frames, VideoStream,
};
use crate::error::IpcError;
use crate::layout::Layout;
use crate::relay_link::{RelayLink, RelayMode};
use balie_domain::Locale;
use balie_protocol::CreateRoomRequest;
use balie_secrets::SecretStore;
use rusqlite::Connection;
use serde::Serialize;
use std::path::Path;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// The setting naming the municipality's relay; unset means the embedded relay.
pub const RELAY_URL_SETTING: &str = "relay_url";
/// Settings naming the clerk's devices; unset means the system default.
pub const CAMERA_SETTING: &str = "camera";
/// See [`CAMERA_SETTING`].
pub const MICROPHONE_SETTING: &str = "microphone";
/// See [`CAMERA_SETTING`].
pub const SPEAKER_SETTING: &str = "speaker";
/// The setting that keeps the background blur on (`"on"`) between calls.
pub const BLUR_SETTING: &str = "background_blur";
/// The clerk's name in audit trails and notes; unset means the OS user name.
pub const CLERK_NAME_SETTING: &str = "clerk_name";
/// How many days call metadata is kept (the `retention_call_days` setting).
pub const RETENTION_SETTING: &str = "retention_call_days";
/// The retention of call metadata when nothing is set: two years.
pub const DEFAULT_RETENTION_DAYS: u32 = 730;

/// Milliseconds since the Unix epoch: the cockpit's timestamps.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `ms` (since the epoch) as RFC 3339 in UTC; empty if out of range.
pub(crate) fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Forgets call metadata older than the retention period in `conn`; how many calls.
pub fn purge(conn: &Connection) -> Result<usize, IpcError> {
    let days = balie_store::cockpit::setting::get(conn, RETENTION_SETTING)?
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(DEFAULT_RETENTION_DAYS);
    let before = now_ms() - i64::from(days) * 86_400_000;
    let purged = balie_store::cockpit::case::purge_calls(conn, before)?;
    if purged > 0 {
        tracing::info!(purged, days, "call metadata past its retention removed");
    }
    Ok(purged)
}

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
    /// Whether the call starts with the background blurred (the clerk's last choice).
    pub background_blur: bool,
}

/// The running cockpit's state.
pub struct Cockpit {
    locale: Locale,
    data_dir: std::path::PathBuf,
    store: Arc<Mutex<Connection>>,
    relay: Arc<RelayLink>,
    payments: Arc<crate::payments::Payments>,
    cases: Arc<crate::cases::Cases>,
    clerk_name: String,
    keyring_available: bool,
    live: Mutex<Option<Conversation>>,
    /// The language of the citizen's page in the conversation in progress (from the knock).
    citizen_locale: Arc<Mutex<Option<Locale>>>,
    frames: Arc<Frames>,
    frame_server: Option<crate::frame_server::FrameServer>,
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
        let payment_secrets = SecretStore::new(keyring_service);
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
        if let Err(e) = purge(&store) {
            tracing::warn!(error = %e, "retention purge failed");
        }
        let store = Arc::new(Mutex::new(store));
        let relay = Arc::new(relay);
        let payments =
            crate::payments::Payments::start(store.clone(), locale, relay.clone(), payment_secrets)
                .await?;
        let cases = Arc::new(crate::cases::Cases::new(Box::new(
            crate::cases::LocalCases::new(store.clone(), locale),
        )));
        let clerk_name = {
            let conn = store
                .lock()
                .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
            balie_store::cockpit::setting::get(&conn, CLERK_NAME_SETTING)?
        }
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "medewerker".into());
        let frames = Arc::new(Frames::default());
        let frame_server = crate::frame_server::FrameServer::start(frames.clone())
            .await
            .map_err(|e| tracing::warn!(error = %e, "picture server did not start"))
            .ok();
        Ok(Self {
            locale,
            data_dir: data_dir.to_path_buf(),
            store,
            relay,
            payments,
            cases,
            clerk_name,
            keyring_available,
            live: Mutex::new(None),
            citizen_locale: Arc::new(Mutex::new(None)),
            frames,
            frame_server,
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
    /// room's lobby and call, reporting to `on_event`. A conversation still in progress is
    /// ended.
    pub async fn new_conversation(
        &self,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<NewConversation, IpcError> {
        self.new_conversation_for(None, on_event).await
    }

    /// As [`Cockpit::new_conversation`], linked to case `case_id` when given: the dossier
    /// window shows that case, and the call and its payments land in its timeline.
    pub async fn new_conversation_for(
        &self,
        case_id: Option<i64>,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<NewConversation, IpcError> {
        self.end_conversation().await?;
        let room = self
            .relay
            .create_room(&CreateRoomRequest::default())
            .await?;
        let background_blur = self.background_blur()?;
        let citizen_locale = self.citizen_locale.clone();
        if let Ok(mut slot) = citizen_locale.lock() {
            *slot = None;
        }
        let call = self.relay.clerk_call(
            &room.room_id,
            self.frames.call_config(
                crate::conversation::media_source(&self.device_choice()?),
                background_blur,
            ),
        );
        let conversation = Conversation::start(
            call,
            self.frames.clone(),
            background_blur,
            self.payments.clone(),
            room.room_id.clone(),
            move |event| {
                if let ConversationEvent::Knock { locale, .. } = &event
                    && let Ok(mut slot) = citizen_locale.lock()
                {
                    *slot = Some(*locale);
                }
                on_event(event);
            },
        );
        *self.live_slot()? = Some(conversation);
        self.payments.set_room_live(&room.room_id, true).await;
        if let Some(case_id) = case_id {
            self.cases
                .source()
                .link_room(case_id, &self.clerk_name, &room.room_id)?;
            self.cases
                .tell(crate::cases::DossierEvent::Show { case_id });
        }
        let qr_svg_data_uri = crate::qr::svg_data_uri(&room.join_url)
            .map_err(|e| IpcError::Internal(format!("qr code: {e}")))?;
        tracing::info!(room_id = room.room_id, "conversation created");
        Ok(NewConversation {
            room_id: room.room_id,
            join_url: room.join_url,
            expires_at: room.expires_at,
            qr_svg_data_uri,
            background_blur,
        })
    }

    fn live_slot(&self) -> Result<std::sync::MutexGuard<'_, Option<Conversation>>, IpcError> {
        self.live
            .lock()
            .map_err(|_| IpcError::Internal("conversation lock poisoned".into()))
    }

    async fn command(&self, command: Command) -> Result<(), IpcError> {
        let sender = self
            .live_slot()?
            .as_ref()
            .map(|l| l.commands.clone())
            .ok_or_else(|| IpcError::InvalidInput("no conversation in progress".into()))?;
        sender
            .send(command)
            .await
            .map_err(|_| IpcError::RelayUnreachable("the conversation has stopped".into()))
    }

    /// Lets the knocking citizen in and starts the call; the case linked to the
    /// conversation comes up in the dossier window.
    pub async fn admit(&self, knock_id: String) -> Result<(), IpcError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.command(Command::Admit(knock_id, reply)).await?;
        answer
            .await
            .map_err(|_| IpcError::RelayUnreachable("the conversation has stopped".into()))??;
        if let Some(room) = self.live_room()?
            && let Some(case_id) = self.cases.source().case_of_room(&room)?
        {
            self.cases
                .tell(crate::cases::DossierEvent::Show { case_id });
        }
        Ok(())
    }

    /// Turns the knocking citizen away.
    pub async fn decline(&self, knock_id: String) -> Result<(), IpcError> {
        self.command(Command::Decline(knock_id)).await
    }

    /// Sends a chat line to the citizen; returns its id (confirmed later by a
    /// `chat_delivered` event).
    pub async fn send_chat(&self, text: String) -> Result<String, IpcError> {
        let chars = text.chars().count();
        if text.trim().is_empty() || chars > balie_protocol::channel::MAX_CHAT_CHARS {
            return Err(IpcError::InvalidInput(format!(
                "a chat line has 1 to {} characters",
                balie_protocol::channel::MAX_CHAT_CHARS
            )));
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.command(Command::Chat(text, reply)).await?;
        answer
            .await
            .ok()
            .flatten()
            .ok_or_else(|| IpcError::InvalidInput("no call in progress".into()))
    }

    /// Mutes or unmutes the clerk's microphone.
    pub async fn set_mic_muted(&self, muted: bool) -> Result<(), IpcError> {
        self.command(Command::Mic(muted)).await
    }

    /// Turns the clerk's camera off or on.
    pub async fn set_camera_off(&self, off: bool) -> Result<(), IpcError> {
        self.command(Command::Camera(off)).await
    }

    /// Whether the clerk wants the background blurred (kept in the `setting` table).
    pub fn background_blur(&self) -> Result<bool, IpcError> {
        self.with_store(|c| {
            Ok(balie_store::cockpit::setting::get(c, BLUR_SETTING)?.as_deref() == Some("on"))
        })
    }

    /// Turns the background blur on or off: kept for the next calls, and applied to the
    /// call in progress.
    pub async fn set_background_blur(&self, on: bool) -> Result<(), IpcError> {
        self.with_store(|c| {
            if on {
                balie_store::cockpit::setting::set(c, BLUR_SETTING, "on")?;
            } else {
                balie_store::cockpit::setting::remove(c, BLUR_SETTING)?;
            }
            Ok(())
        })?;
        let live = self.live_slot()?.as_ref().map(|l| l.commands.clone());
        if let Some(commands) = live {
            // A conversation that just ended has nothing left to blur.
            let _ = commands.send(Command::Blur(on)).await;
        }
        Ok(())
    }

    /// The payments: the panel's commands go straight to it.
    pub fn payments(&self) -> &Arc<crate::payments::Payments> {
        &self.payments
    }

    /// The room of the conversation in progress.
    pub fn live_room(&self) -> Result<Option<String>, IpcError> {
        Ok(self.live_slot()?.as_ref().map(|l| l.room_id.clone()))
    }

    /// Asks for a payment in the conversation in progress (or outside one); it lands in
    /// the timeline of the case linked to the conversation.
    pub async fn request_payment(
        &self,
        request: &crate::payments::PaymentRequest,
    ) -> Result<crate::payments::PaymentView, IpcError> {
        let room = self.live_room()?;
        let case = match &room {
            Some(room) => self.cases.source().case_of_room(room)?,
            None => None,
        };
        self.request_payment_for(case, request).await
    }

    /// Asks for a payment for case `case_id` (in the conversation in progress, if any).
    pub async fn request_payment_for(
        &self,
        case_id: Option<i64>,
        request: &crate::payments::PaymentRequest,
    ) -> Result<crate::payments::PaymentView, IpcError> {
        let room = self.live_room()?;
        let payer = self.citizen_locale.lock().ok().and_then(|l| *l);
        let view = self
            .payments
            .request(room.as_deref(), payer.unwrap_or(self.locale), request)
            .await?;
        if let Some(case_id) = case_id {
            self.cases
                .source()
                .link_payment(case_id, &self.clerk_name, &view.id)?;
            self.cases
                .tell(crate::cases::DossierEvent::Changed { case_id });
        }
        Ok(view)
    }

    /// The case files.
    pub fn cases(&self) -> &Arc<crate::cases::Cases> {
        &self.cases
    }

    /// The clerk's name, as audit trails and notes show it.
    pub fn clerk_name(&self) -> &str {
        &self.clerk_name
    }

    /// Opens case `id` in the dossier window (audited as the clerk's viewing).
    pub fn open_case(&self, id: i64) -> Result<crate::cases::CaseView, IpcError> {
        let room = self.live_room()?;
        self.cases
            .source()
            .open(id, &self.clerk_name, room.as_deref(), true)
    }

    /// Case `id` read again after a change (not a new viewing).
    pub fn refresh_case(&self, id: i64) -> Result<crate::cases::CaseView, IpcError> {
        let room = self.live_room()?;
        self.cases
            .source()
            .open(id, &self.clerk_name, room.as_deref(), false)
    }

    /// Imports parties and cases from a CSV or JSON file: all rows or none.
    pub fn import_cases(
        &self,
        format: crate::case_io::ImportFormat,
        bytes: &[u8],
    ) -> Result<crate::case_io::ImportOutcome, IpcError> {
        let now = now_ms();
        let year = time::OffsetDateTime::now_utc().year();
        let mut conn = self
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        let outcome = crate::case_io::import(
            &mut conn,
            self.locale,
            format,
            bytes,
            &self.clerk_name,
            now,
            year,
        )?;
        if let crate::case_io::ImportOutcome::Imported { cases, parties } = &outcome {
            tracing::info!(cases, parties, "cases imported");
        }
        Ok(outcome)
    }

    /// Case `id` exported: its file name and bytes (`json` or `pdf`).
    pub fn export_case(
        &self,
        id: i64,
        format: crate::case_io::ExportFormat,
    ) -> Result<(String, Vec<u8>), IpcError> {
        use crate::case_io::ExportFormat;
        let conn = self
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        let number = balie_store::cockpit::case::read_detail(&conn, id)?
            .map(|d| d.summary.number)
            .ok_or_else(|| {
                IpcError::Rejected(crate::i18n::text(self.locale, "error.case.not_found"))
            })?;
        let safe: String = number
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        match format {
            ExportFormat::Json => {
                let json = crate::case_io::export_json(&conn, id)?.unwrap_or_default();
                let text = serde_json::to_vec_pretty(&json)
                    .map_err(|e| IpcError::Internal(format!("export: {e}")))?;
                Ok((format!("dossier-{safe}.json"), text))
            }
            ExportFormat::Pdf => {
                let pdf = crate::case_io::export_pdf(&conn, self.locale, id)?.unwrap_or_default();
                Ok((format!("dossier-{safe}.pdf"), pdf))
            }
        }
    }

    /// Opens a new case from the clerk's form; its id.
    pub fn create_case(&self, request: &crate::cases::NewCaseRequest) -> Result<i64, IpcError> {
        self.cases.source().create(&self.clerk_name, request)
    }

    /// Where attached files are stored.
    pub fn documents_dir(&self) -> std::path::PathBuf {
        self.data_dir.join("documents")
    }

    /// Attaches a file to case `id` (checked, stored by its content).
    pub fn attach_document(&self, id: i64, name: &str, bytes: &[u8]) -> Result<i64, IpcError> {
        let stored = crate::documents::store(&self.documents_dir(), name, bytes)
            .map_err(|e| IpcError::Rejected(crate::i18n::text(self.locale, e.catalog_key())))?;
        let document = self
            .cases
            .source()
            .add_document(id, &self.clerk_name, &stored)?;
        self.cases
            .tell(crate::cases::DossierEvent::Changed { case_id: id });
        Ok(document)
    }

    /// Where the stored file `document_id` of case `id` is.
    pub fn document_path(&self, id: i64, document_id: i64) -> Result<std::path::PathBuf, IpcError> {
        let (sha256, _) = self
            .cases
            .source()
            .document(id, document_id)?
            .ok_or_else(|| IpcError::InvalidInput("no such document".into()))?;
        crate::documents::path(&self.documents_dir(), &sha256)
            .filter(|p| p.exists())
            .ok_or_else(|| IpcError::Storage("the document's file is missing".into()))
    }

    /// Forgets call metadata older than the retention period (the `retention_call_days`
    /// setting, [`DEFAULT_RETENTION_DAYS`] when unset); how many calls were forgotten.
    pub fn purge(&self) -> Result<usize, IpcError> {
        let conn = self
            .store
            .lock()
            .map_err(|_| IpcError::Internal("store lock poisoned".into()))?;
        purge(&conn)
    }

    /// Where exports go: `BALIE_EXPORT_DIR`, else `Balie` in the clerk's documents folder,
    /// else `exports` in the data directory.
    pub fn export_dir(&self) -> std::path::PathBuf {
        std::env::var_os("BALIE_EXPORT_DIR")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                directories::UserDirs::new().and_then(|d| d.document_dir().map(|p| p.join("Balie")))
            })
            .unwrap_or_else(|| self.data_dir.join("exports"))
    }

    /// Links case `id` to the conversation in progress.
    pub fn link_case_to_call(&self, id: i64) -> Result<(), IpcError> {
        let room = self.live_room()?.ok_or_else(|| {
            IpcError::Rejected(crate::i18n::text(self.locale, "error.case.no_call"))
        })?;
        self.cases.source().link_room(id, &self.clerk_name, &room)?;
        self.cases
            .tell(crate::cases::DossierEvent::Show { case_id: id });
        Ok(())
    }

    /// The address of the picture stream `stream` (see [`crate::frame_server`]).
    pub fn frame_url(&self, stream: VideoStream) -> Result<String, IpcError> {
        self.frame_server
            .as_ref()
            .map(|server| server.url(stream))
            .ok_or_else(|| IpcError::Internal("the picture server did not start".into()))
    }

    /// Ends the conversation in progress, if any: the call hangs up, the citizen is told
    /// and the link stops working.
    pub async fn end_conversation(&self) -> Result<(), IpcError> {
        let live = self.live_slot()?.take();
        if let Some(Conversation {
            commands,
            task,
            room_id,
        }) = live
        {
            self.payments.set_room_live(&room_id, false).await;
            let case = self.cases.source().case_of_room(&room_id).ok().flatten();
            if let Err(e) = self.cases.source().end_room(&room_id) {
                tracing::warn!(error = %e, "the call's end was not written to its case");
            }
            if let Some(case_id) = case {
                self.cases
                    .tell(crate::cases::DossierEvent::Changed { case_id });
            }
            let (done, finished) = tokio::sync::oneshot::channel();
            if commands.send(Command::End(done)).await.is_ok() {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), finished).await;
            }
            drop(commands);
            let _ = task.await;
        }
        Ok(())
    }

    /// The devices the clerk chose (kept in the `setting` table).
    pub fn device_choice(&self) -> Result<DeviceChoice, IpcError> {
        self.with_store(|c| {
            Ok(DeviceChoice {
                camera: balie_store::cockpit::setting::get(c, CAMERA_SETTING)?,
                microphone: balie_store::cockpit::setting::get(c, MICROPHONE_SETTING)?,
                speaker: balie_store::cockpit::setting::get(c, SPEAKER_SETTING)?,
            })
        })
    }

    /// The machine's devices and the clerk's choice.
    pub async fn list_devices(&self) -> Result<DeviceList, IpcError> {
        let chosen = self.device_choice()?;
        tokio::task::spawn_blocking(move || crate::conversation::list_devices(chosen))
            .await
            .map_err(|e| IpcError::Internal(format!("device list: {e}")))
    }

    /// Keeps the clerk's choice of devices; it applies from the next call on. A name longer
    /// than 512 characters is refused.
    pub fn choose_devices(&self, choice: &DeviceChoice) -> Result<(), IpcError> {
        let fields = [
            (CAMERA_SETTING, &choice.camera),
            (MICROPHONE_SETTING, &choice.microphone),
            (SPEAKER_SETTING, &choice.speaker),
        ];
        if fields
            .iter()
            .any(|(_, v)| v.as_ref().is_some_and(|v| v.chars().count() > 512))
        {
            return Err(IpcError::InvalidInput("device name too long".into()));
        }
        self.with_store(|c| {
            for (key, value) in fields {
                match value.as_deref().filter(|v| !v.is_empty()) {
                    Some(name) => balie_store::cockpit::setting::set(c, key, name)?,
                    None => {
                        balie_store::cockpit::setting::remove(c, key)?;
                    }
                }
            }
            Ok(())
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
            ConversationEvent::decl(),
            crate::conversation::CallStateName::decl(),
            crate::conversation::Quality::decl(),
            VideoStream::decl(),
            DeviceChoice::decl(),
            DeviceList::decl(),
            crate::payments::ProviderName::decl(),
            crate::payments::ProviderChoice::decl(),
            crate::payments::ProductView::decl(),
            crate::payments::PaymentSetup::decl(),
            crate::payments::PaymentRequest::decl(),
            crate::payments::StepView::decl(),
            crate::payments::PaymentView::decl(),
            crate::payments::ProviderKeyView::decl(),
            crate::cases::CaseSummaryView::decl(),
            crate::cases::PartyView::decl(),
            crate::cases::TimelineEntry::decl(),
            crate::cases::AuditView::decl(),
            crate::cases::DocumentView::decl(),
            crate::cases::CaseView::decl(),
            crate::cases::DossierEvent::decl(),
            crate::case_io::RowError::decl(),
            crate::cases::NewCaseRequest::decl(),
            crate::case_io::ImportOutcome::decl(),
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
