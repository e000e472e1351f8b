//! The Balie cockpit without its windows: everything the clerk's app does, testable
//! headless. The Tauri package (`src-tauri/`) is a thin host over [`Cockpit`]: its
//! commands are short adapters, its windows apply [`layout`]'s plans. This crate does not
//! depend on Tauri (`.ci/run` fails if it ever does).
//!
//! ```no_run
//! # async fn demo() -> Result<(), balie_cockpit::CockpitError> {
//! use balie_cockpit::{Cockpit, CockpitConfig};
//! let config = CockpitConfig::new("/tmp/balie", "be.balie.demo", balie_domain::Locale::Nl);
//! let cockpit = Cockpit::start(config).await?;
//! let conversation = cockpit.new_conversation(|event| println!("{event:?}")).await?;
//! println!("send the citizen {}", conversation.join_url);
//! # Ok(()) }
//! ```
//!
//! A feature has a folder (or a file) of its own: [`call`] (the conversation task, its
//! events, pictures and devices), [`payments`], [`cases`]; shared parts are [`config`]
//! (every `BALIE_*` variable, read once), [`clock`], [`store`] (the one shared
//! connection), [`settings`] (typed), [`catalog`], [`relay_link`], [`retention`],
//! [`error`] (one error shape for the windows). [`Cockpit`] wires them and carries the
//! conversation's lifecycle: what starts, links and ends with a conversation.
//!
//! Invariants: a payment is written down before its QR code or link is shown; a case's
//! every opening and change is audited; no secret is stored outside the OS keyring; no
//! citizen data is logged.

pub mod bindings;
pub mod call;
pub mod cases;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod enrolment;
pub mod error;
pub mod front_door;
pub mod i18n;
pub mod identity;
pub mod impact;
pub mod layout;
pub mod machine;
pub mod payments;
pub mod qr;
pub mod relay_link;
pub mod retention;
pub mod settings;
pub mod store;
pub mod updates;

pub use config::CockpitConfig;
pub use error::CockpitError;

use balie_domain::Locale;
use balie_protocol::CreateRoomRequest;
use balie_secrets::SecretStore;
use call::devices::Devices;
use call::events::ConversationEvent;
use call::frame_server::FrameServer;
use call::frames::{Frames, VideoStream};
use call::{Command, Conversation, CurrentRoom};
use cases::{Cases, LocalCases};
use catalog::Catalog;
use front_door::FrontDoor;
use payments::{PaymentRequest, PaymentView, Payments};
use relay_link::{RelayLink, RelayMode};
use serde::Serialize;
use settings::{Settings, WindowLayouts};
use std::sync::{Arc, Mutex, MutexGuard};
use store::SharedStore;
use ts_rs::TS;

/// The clerk's name when neither the setting nor the OS names one.
const FALLBACK_CLERK_NAME: &str = "medewerker";

/// How long ending a conversation waits for the call to hang up.
const END_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
    /// Whether IT locked it in the machine settings.
    pub locked: bool,
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

/// A conversation the cockpit follows in a room the relay made for the citizen (an
/// appointment's, or a walk-in's): the citizen knocks there.
#[derive(Debug, Clone, Serialize, TS)]
pub struct OpenedRoom {
    /// The relay's room id.
    pub room_id: String,
    /// The case the conversation belongs to (an appointment's), shown in the dossier
    /// window.
    #[ts(optional)]
    pub case_id: Option<i64>,
    /// The product the citizen came for.
    pub product_id: String,
    /// How long a walk-in waited in the queue, in seconds.
    #[ts(optional, type = "number")]
    pub waited_seconds: Option<i64>,
    /// Whether the call starts with the background blurred (the clerk's last choice).
    pub background_blur: bool,
}

/// The running cockpit.
pub struct Cockpit {
    config: CockpitConfig,
    store: SharedStore,
    relay: Arc<RelayLink>,
    catalog: Catalog,
    payments: Arc<Payments>,
    cases: Arc<Cases>,
    front_door: FrontDoor,
    identity: Arc<identity::Identity>,
    impact: Arc<impact::Impact>,
    updates: updates::Updates,
    devices: Devices,
    layouts: WindowLayouts,
    keyring_available: bool,
    /// The conversation task, while one runs.
    live: Mutex<Option<Conversation>>,
    /// Its room and the citizen's language, as the other features see them.
    room: CurrentRoom,
    frames: Arc<Frames>,
    frame_server: Option<FrameServer>,
    _relay_stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Cockpit {
    /// Starts the cockpit: opens its database, forgets call metadata past its retention,
    /// links to the configured relay (or starts the embedded one, keeping its clerk token
    /// in the keyring), sets up payments (resuming the unfinished ones), the case files and
    /// the picture server.
    pub async fn start(config: CockpitConfig) -> Result<Self, CockpitError> {
        let store = SharedStore::open(&config.database_path())?;
        let secrets = SecretStore::new(&config.keyring_service);
        let clerk_relay = store.with(|c| Settings::of(c).relay_url())?;
        let remote = config
            .machine
            .relay_url(config.relay_url.as_deref(), clerk_relay.as_deref());
        let (relay, keyring_available, relay_stop) = match remote {
            Some(url) => {
                let link = relay_link::connect_remote(&url, secrets.clone()).await?;
                tracing::info!(url = link.base_url(), "using the configured relay");
                (link, true, None)
            }
            None => {
                let embedded =
                    relay_link::start_embedded(&config.embedded_relay_dir(), secrets.clone())
                        .await?;
                tracing::info!(url = embedded.link.base_url(), "embedded relay started");
                (
                    embedded.link,
                    embedded.keyring_available,
                    Some(embedded.stop),
                )
            }
        };
        let now = config.clock.now_ms();
        if let Err(e) = store.with(|c| retention::purge(c, now)) {
            tracing::warn!(error = %e, "retention purge failed");
        }
        let relay = Arc::new(relay);
        let catalog = Catalog::new(store.clone(), config.locale);
        let (front_door_events, _) = tokio::sync::broadcast::channel(64);
        let front_door = FrontDoor::new(
            relay.clone(),
            store.clone(),
            config.locale,
            front_door_events.clone(),
        );
        // The catalog as it stands now, for its history in the impact figures: the
        // municipality's products (a relay that does not answer now leaves the catalog
        // and its history as they were), or this cockpit's own.
        let catalog_now = if relay.mode() == RelayMode::Remote {
            front_door
                .sync_catalog()
                .await
                .map_err(|e| tracing::warn!(error = %e, "the relay's products could not be read"))
                .ok()
        } else {
            catalog.list().ok().map(|list| {
                list.into_iter()
                    .map(|p| balie_store::cockpit::impact::CatalogState {
                        product_id: p.id,
                        digital: p.digital,
                        takes_payment: p.price_cents > 0,
                    })
                    .collect()
            })
        };
        if let Some(now_listed) = catalog_now {
            let at = config.clock.now_ms();
            if let Err(e) =
                store.with(|c| balie_store::cockpit::impact::record_catalog(c, &now_listed, at))
            {
                tracing::warn!(error = %e, "the catalog's history was not written");
            }
        }
        let identity_hints = front_door_events.subscribe();
        let payments = Payments::start(
            store.clone(),
            catalog.clone(),
            &config,
            relay.clone(),
            secrets,
            front_door_events,
        )
        .await?;
        let clerk_name = store
            .with(|c| Settings::of(c).clerk_name())?
            .or_else(|| config.os_user.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| FALLBACK_CLERK_NAME.into());
        let room = CurrentRoom::default();
        let source = LocalCases::new(store.clone(), config.locale, config.clock.clone());
        let cases = Arc::new(Cases::new(
            Box::new(source),
            catalog.clone(),
            room.clone(),
            clerk_name,
            &config,
        ));
        let identity = identity::Identity::start(
            relay.clone(),
            store.clone(),
            room.clone(),
            config.clock.clone(),
            config.locale,
            cases.clerk_name().to_owned(),
            identity_hints,
        );
        let impact = Arc::new(impact::Impact::new(
            store.clone(),
            relay.clone(),
            config.clock.clone(),
        )?);
        {
            // The opening hours for "after hours", and the surveys answered meanwhile;
            // a relay that does not answer now is asked again later.
            let impact = impact.clone();
            tokio::spawn(async move {
                impact.refresh_opening_hours().await;
                if let Err(e) = impact.sync_surveys().await {
                    tracing::warn!(error = %e, "survey answers not read");
                }
                impact.refresh_summary().await;
            });
        }
        let frames = Arc::new(Frames::default());
        let frame_server = FrameServer::start(frames.clone())
            .await
            .map_err(|e| tracing::warn!(error = %e, "picture server did not start"))
            .ok();
        let updates = updates::Updates::new(
            relay.clone(),
            &config.machine,
            env!("CARGO_PKG_VERSION"),
            config.installed.clone(),
            config.data_dir.join("updates"),
            config.locale,
        );
        Ok(Self {
            updates,
            devices: Devices::new(store.clone(), config.synthetic_media),
            layouts: WindowLayouts::new(store.clone()),
            config,
            store,
            relay,
            catalog,
            payments,
            cases,
            front_door,
            identity,
            impact,
            keyring_available,
            live: Mutex::new(None),
            room,
            frames,
            frame_server,
            _relay_stop: relay_stop,
        })
    }

    /// The clerk's language.
    pub fn locale(&self) -> Locale {
        self.config.locale
    }

    /// Status for the windows.
    pub fn status(&self) -> CockpitStatus {
        CockpitStatus {
            locale: self.config.locale,
            relay: RelayStatus {
                mode: self.relay.mode(),
                url: self.relay.base_url().to_string(),
                locked: self.config.machine.is_locked(machine::Lockable::RelayUrl),
            },
            keyring_available: self.keyring_available,
        }
    }

    /// Looks for a newer cockpit on the relay (at start and daily); `None`: none, or
    /// updates are off.
    pub async fn check_update(&self) -> Result<Option<updates::UpdateView>, CockpitError> {
        self.updates.check().await
    }

    /// Installs the update on offer with the clerk's consent; never during a conversation.
    pub async fn install_update(&self) -> Result<updates::UpdateView, CockpitError> {
        let in_call = self.live_room()?.is_some();
        self.updates.install(in_call).await
    }

    /// *Verbinding testen*: whether the relay answers and takes this device.
    pub async fn test_connection(&self) -> enrolment::ConnectionTest {
        enrolment::test(&self.relay).await
    }

    /// The payments.
    pub fn payments(&self) -> &Arc<Payments> {
        &self.payments
    }

    /// The case files.
    pub fn cases(&self) -> &Arc<Cases> {
        &self.cases
    }

    /// The product catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The clerk's camera, microphone and speaker.
    pub fn devices(&self) -> &Devices {
        &self.devices
    }

    /// The window layouts remembered per monitor layout.
    pub fn window_layouts(&self) -> &WindowLayouts {
        &self.layouts
    }

    /// *Nieuw gesprek*: a room on the relay, its join link and QR code; then follows the
    /// room's lobby and call, reporting to `on_event`. A conversation still in progress is
    /// ended.
    pub async fn new_conversation(
        &self,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<NewConversation, CockpitError> {
        self.new_conversation_for(None, on_event).await
    }

    /// As [`Cockpit::new_conversation`], linked to case `case_id` when given: the dossier
    /// window shows that case, and the call and its payments land in its timeline.
    pub async fn new_conversation_for(
        &self,
        case_id: Option<i64>,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<NewConversation, CockpitError> {
        self.end_conversation().await?;
        let room = self
            .relay
            .create_room(&CreateRoomRequest::default())
            .await?;
        let background_blur = self
            .begin_in_room(&room.room_id, case_id, impact::Opened::direct(), on_event)
            .await?;
        let qr_svg_data_uri = qr::svg_data_uri(&room.join_url)
            .map_err(|e| CockpitError::Internal(format!("qr code: {e}")))?;
        tracing::info!(room_id = room.room_id, "conversation created");
        Ok(NewConversation {
            room_id: room.room_id,
            join_url: room.join_url,
            expires_at: room.expires_at,
            qr_svg_data_uri,
            background_blur,
        })
    }

    /// Follows the lobby and call of room `room_id` (already on the relay), linked to case
    /// `case_id`; whether the background blur is on.
    async fn begin_in_room(
        &self,
        room_id: &str,
        case_id: Option<i64>,
        opened: impact::Opened,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<bool, CockpitError> {
        self.impact.conversation_opened(room_id, &opened);
        self.impact.refresh_opening_hours().await;
        let background_blur = self.background_blur()?;
        let source = self.devices.media_source()?;
        let call = self
            .relay
            .clerk_call(room_id, self.frames.call_config(source, background_blur));
        self.room.begin(room_id);
        let current = self.room.clone();
        let conversation = Conversation::start(
            call,
            self.frames.clone(),
            background_blur,
            self.payments.clone(),
            room_id.to_owned(),
            move |event| {
                if let ConversationEvent::Knock { locale, .. } = &event {
                    current.citizen_knocked(*locale);
                }
                on_event(event);
            },
        );
        *self.live_slot()? = Some(conversation);
        self.payments.set_room_live(room_id, true).await;
        self.cases.conversation_started(case_id, room_id)?;
        Ok(background_blur)
    }

    /// The citizen's identity in the conversation.
    pub fn identity(&self) -> &Arc<identity::Identity> {
        &self.identity
    }

    /// What the cockpit records for the impact figures, and the figures.
    pub fn impact(&self) -> &Arc<impact::Impact> {
        &self.impact
    }

    /// Writes the *Impactrapport* of the period `request` names to the export folder;
    /// the file's path.
    pub async fn impact_report(
        &self,
        request: &impact::PeriodRequest,
        format: impact::ReportFormat,
    ) -> Result<std::path::PathBuf, CockpitError> {
        self.impact
            .report_file(
                request,
                format,
                self.locale(),
                &self.catalog,
                self.cases.clerk_name(),
                &self.config.export_dir,
            )
            .await
    }

    /// The front door: agenda, availability, status and the walk-in queue.
    pub fn front_door(&self) -> &FrontDoor {
        &self.front_door
    }

    /// Opens appointment `id`: its case comes up in the dossier window (made from the
    /// booking the first time: the citizen as party with their contact, the product, the
    /// question as the first note), and the conversation follows the appointment's room,
    /// where the citizen knocks.
    pub async fn open_appointment(
        &self,
        id: &str,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<OpenedRoom, CockpitError> {
        let a = self.front_door.appointment(id).await?;
        let case_id = match self.cases.case_of_room(&a.room_id)? {
            Some(case_id) => case_id,
            None => self.case_from_appointment(&a)?,
        };
        self.end_conversation().await?;
        let opened = impact::Opened {
            origin: balie_impact::facts::Origin::Appointment,
            product_id: Some(a.product_id.clone()),
            requested_at_ms: a
                .booked_at
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.as_millisecond()),
            postcode: a.postcode.clone(),
        };
        let background_blur = self
            .begin_in_room(&a.room_id, Some(case_id), opened, on_event)
            .await?;
        tracing::info!(room_id = a.room_id, "appointment opened");
        Ok(OpenedRoom {
            room_id: a.room_id,
            case_id: Some(case_id),
            product_id: a.product_id,
            waited_seconds: None,
            background_blur,
        })
    }

    fn case_from_appointment(
        &self,
        a: &balie_protocol::agenda::Appointment,
    ) -> Result<i64, CockpitError> {
        let locale = self.locale();
        let product = self
            .catalog
            .ids()?
            .contains(&a.product_id)
            .then(|| a.product_id.clone());
        let mut request = cases::NewCaseRequest {
            party_kind: balie_domain::PartyKind::Citizen,
            party_name: a.name.clone(),
            enterprise_number: None,
            email: a.email.clone(),
            phone: a.phone.clone(),
            title: front_door::product_name(a, locale).to_owned(),
            product,
        };
        let case_id = match self.cases.create(&request) {
            Ok(id) => id,
            // A contact the relay took but the case rules do not (a foreign number):
            // the case still opens, without it.
            Err(CockpitError::Rejected(_)) => {
                request.email = None;
                request.phone = None;
                self.cases.create(&request)?
            }
            Err(e) => return Err(e),
        };
        if !a.question.trim().is_empty() {
            let note = crate::i18n::text(locale, "agenda.question_note")
                .replace("{question}", a.question.trim());
            self.cases.add_note(case_id, &note)?;
        }
        Ok(case_id)
    }

    /// *Volgende burger*: takes the longest-waiting walk-in (of `product_id`, or of any
    /// product the clerk serves) and follows the room the relay made for them; `None`
    /// when nobody waits. A conversation still in progress is ended.
    pub async fn take_next_citizen(
        &self,
        product_id: Option<String>,
        on_event: impl Fn(ConversationEvent) + Send + 'static,
    ) -> Result<Option<OpenedRoom>, CockpitError> {
        let Some(taken) = self.front_door.take_next(product_id).await? else {
            return Ok(None);
        };
        self.end_conversation().await?;
        let opened = impact::Opened {
            origin: balie_impact::facts::Origin::WalkIn,
            product_id: Some(taken.product_id.clone()),
            requested_at_ms: Some(
                self.config.clock.now_ms() - taken.waited_seconds.max(0).saturating_mul(1000),
            ),
            postcode: None,
        };
        let background_blur = self
            .begin_in_room(&taken.room_id, None, opened, on_event)
            .await?;
        tracing::info!(room_id = taken.room_id, "walk-in taken");
        Ok(Some(OpenedRoom {
            room_id: taken.room_id,
            case_id: None,
            product_id: taken.product_id,
            waited_seconds: Some(taken.waited_seconds),
            background_blur,
        }))
    }

    fn live_slot(&self) -> Result<MutexGuard<'_, Option<Conversation>>, CockpitError> {
        self.live
            .lock()
            .map_err(|_| CockpitError::Internal("conversation lock poisoned".into()))
    }

    async fn command(&self, command: Command) -> Result<(), CockpitError> {
        let sender = self
            .live_slot()?
            .as_ref()
            .map(|l| l.commands.clone())
            .ok_or_else(|| CockpitError::InvalidInput("no conversation in progress".into()))?;
        sender
            .send(command)
            .await
            .map_err(|_| CockpitError::RelayUnreachable("the conversation has stopped".into()))
    }

    /// Lets the knocking citizen in and starts the call; the case linked to the
    /// conversation comes up in the dossier window.
    pub async fn admit(&self, knock_id: String) -> Result<(), CockpitError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.command(Command::Admit(knock_id, reply)).await?;
        answer
            .await
            .map_err(|_| CockpitError::RelayUnreachable("the conversation has stopped".into()))??;
        if let Some(room) = self.live_room()? {
            self.impact.citizen_admitted(&room);
            self.cases.citizen_admitted(&room)?;
        }
        Ok(())
    }

    /// Turns the knocking citizen away.
    pub async fn decline(&self, knock_id: String) -> Result<(), CockpitError> {
        self.command(Command::Decline(knock_id)).await
    }

    /// Sends a chat line to the citizen; returns its id (confirmed later by a
    /// `chat_delivered` event).
    pub async fn send_chat(&self, text: String) -> Result<String, CockpitError> {
        let chars = text.chars().count();
        if text.trim().is_empty() || chars > balie_protocol::channel::MAX_CHAT_CHARS {
            return Err(CockpitError::InvalidInput(format!(
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
            .ok_or_else(|| CockpitError::InvalidInput("no call in progress".into()))
    }

    /// Mutes or unmutes the clerk's microphone.
    pub async fn set_mic_muted(&self, muted: bool) -> Result<(), CockpitError> {
        self.command(Command::Mic(muted)).await
    }

    /// Turns the clerk's camera off or on.
    pub async fn set_camera_off(&self, off: bool) -> Result<(), CockpitError> {
        self.command(Command::Camera(off)).await
    }

    /// Whether the clerk wants the background blurred (kept in the settings).
    pub fn background_blur(&self) -> Result<bool, CockpitError> {
        self.store.with(|c| Settings::of(c).background_blur())
    }

    /// Turns the background blur on or off: kept for the next calls, and applied to the
    /// call in progress.
    pub async fn set_background_blur(&self, on: bool) -> Result<(), CockpitError> {
        self.store
            .with(|c| Settings::of(c).set_background_blur(on))?;
        let live = self.live_slot()?.as_ref().map(|l| l.commands.clone());
        if let Some(commands) = live {
            // A conversation that just ended has nothing left to blur.
            let _ = commands.send(Command::Blur(on)).await;
        }
        Ok(())
    }

    /// The room of the conversation in progress.
    pub fn live_room(&self) -> Result<Option<String>, CockpitError> {
        Ok(self.live_slot()?.as_ref().map(|l| l.room_id.clone()))
    }

    /// Asks for a payment in the conversation in progress (or outside one); it lands in
    /// the timeline of the case linked to the conversation.
    pub async fn request_payment(
        &self,
        request: &PaymentRequest,
    ) -> Result<PaymentView, CockpitError> {
        let case = self.cases.case_of_current_room()?;
        self.request_payment_for(case, request).await
    }

    /// Asks for a payment for case `case_id` (in the conversation in progress, if any).
    pub async fn request_payment_for(
        &self,
        case_id: Option<i64>,
        request: &PaymentRequest,
    ) -> Result<PaymentView, CockpitError> {
        let room = self.live_room()?;
        let payer = self.room.citizen_locale().unwrap_or(self.config.locale);
        let view = self
            .payments
            .request(room.as_deref(), payer, request)
            .await?;
        if let Some(case_id) = case_id {
            self.cases.payment_asked(case_id, &view.id)?;
        }
        Ok(view)
    }

    /// The payments of the conversation in progress, oldest first.
    pub fn conversation_payments(&self) -> Result<Vec<PaymentView>, CockpitError> {
        match self.live_room()? {
            Some(room) => self.payments.of_room(&room),
            None => Ok(Vec::new()),
        }
    }

    /// Ends the conversation in progress, if any: the call hangs up, the citizen is told
    /// and the link stops working.
    pub async fn end_conversation(&self) -> Result<(), CockpitError> {
        let live = self.live_slot()?.take();
        if let Some(Conversation {
            commands,
            task,
            room_id,
        }) = live
        {
            self.room.end();
            self.payments.set_room_live(&room_id, false).await;
            self.impact.conversation_ended(&room_id);
            let impact = self.impact.clone();
            tokio::spawn(async move {
                impact.refresh_summary().await;
            });
            self.cases.conversation_ended(&room_id);
            let (done, finished) = tokio::sync::oneshot::channel();
            if commands.send(Command::End(done)).await.is_ok() {
                let _ = tokio::time::timeout(END_TIMEOUT, finished).await;
            }
            drop(commands);
            let _ = task.await;
        }
        Ok(())
    }

    /// How the cockpit was started.
    pub fn config(&self) -> &CockpitConfig {
        &self.config
    }

    /// The newest pictures of the call, for a native surface over the call window.
    pub fn frames(&self) -> Arc<Frames> {
        self.frames.clone()
    }

    /// The address of the picture stream `stream` (see [`call::frame_server`]).
    pub fn frame_url(&self, stream: VideoStream) -> Result<String, CockpitError> {
        self.frame_server
            .as_ref()
            .map(|server| server.url(stream))
            .ok_or_else(|| CockpitError::Internal("the picture server did not start".into()))
    }

    /// Checks that `url` is a join link of our relay before anything opens it.
    pub fn check_join_url(&self, url: &str) -> Result<(), CockpitError> {
        if self.relay.is_join_url(url) {
            Ok(())
        } else {
            Err(CockpitError::InvalidInput(
                "not a join link of this cockpit's relay".into(),
            ))
        }
    }

    /// Forgets call metadata older than the retention period; how many calls were
    /// forgotten.
    pub fn purge(&self) -> Result<usize, CockpitError> {
        let now = self.config.clock.now_ms();
        self.store.with(|c| retention::purge(c, now))
    }
}
