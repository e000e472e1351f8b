//! The WebSocket meeting point of a room: the clerk's cockpit on `/ws/clerk/{room_id}`, the
//! citizen's page on `/ws/citizen/{join token}`. The relay keeps the lobby (one knock at a
//! time), admits or declines on the clerk's word, and forwards WebRTC [`Signal`]s only
//! between the clerk and the one admitted citizen.
//!
//! Live state is in memory ([`Rooms`]); a lock is never held across an await. Either side
//! may drop and reconnect: the clerk with its token, the citizen with the `resume` secret
//! it got at admission. Every message from a side is parsed into the typed protocol
//! first; what does not parse, is too large or comes at the wrong moment gets an `error`
//! message and the connection stays usable.

use crate::clerk::ClerkAuth;
use crate::error::AppError;
use crate::limits::Peer;
use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use balie_domain::JoinToken;
use balie_protocol::signaling::{
    CitizenMessage, ClerkMessage, MAX_SIGNAL_BYTES, RelayToCitizen, RelayToClerk,
    SIGNALING_VERSION, SignalError,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Messages queued for one connection before it counts as stuck and is dropped.
const QUEUE: usize = 256;
/// At most this many messages from one connection per [`RATE_WINDOW`].
const RATE_LIMIT: u32 = 300;
const RATE_WINDOW: Duration = Duration::from_secs(10);

type ClerkTx = mpsc::Sender<RelayToClerk>;
type CitizenTx = mpsc::Sender<RelayToCitizen>;

/// How long an ended room is remembered once nobody is in it: longer than a socket may
/// stay silent before its knock (`first_message_within`, 30 s by default), so a socket
/// opened before the end cannot knock into a room that seems new. New sockets are refused
/// by the link's expiry in the database anyway.
const ENDED_KEPT: Duration = Duration::from_secs(120);

/// How long *Weigeren* holds: a knock on the same room within this time is turned away by
/// the relay without ringing the clerk again.
const DECLINED_FOR: Duration = Duration::from_secs(60);

/// How often the rooms are swept for ended ones nobody is in.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Every room with a live connection, and the rooms ended lately.
pub(crate) struct Rooms {
    live: Mutex<HashMap<String, LiveRoom>>,
    last_sweep: Mutex<Instant>,
}

impl Default for Rooms {
    fn default() -> Self {
        Self {
            live: Mutex::default(),
            last_sweep: Mutex::new(Instant::now()),
        }
    }
}

#[derive(Default)]
struct LiveRoom {
    /// The cockpit's connection: its id and sender.
    clerk: Option<(u64, ClerkTx)>,
    /// The citizen waiting in the lobby.
    knock: Option<Knock>,
    /// The admitted citizen; `tx` is `None` while their connection is down.
    citizen: Option<Admitted>,
    /// When the clerk ended the conversation.
    ended: Option<Instant>,
    /// When the clerk last turned a knock away (*Weigeren*).
    declined_at: Option<Instant>,
}

impl LiveRoom {
    fn is_empty(&self) -> bool {
        self.clerk.is_none() && self.knock.is_none() && self.citizen.is_none()
    }

    /// Whether it can be forgotten at `now`: nobody in it, and not ended lately.
    fn forgettable(&self, now: Instant) -> bool {
        self.is_empty()
            && self
                .ended
                .is_none_or(|at| now.duration_since(at) > ENDED_KEPT)
    }
}

struct Knock {
    id: String,
    conn: u64,
    locale: balie_domain::Locale,
    tx: CitizenTx,
}

struct Admitted {
    resume_sha256: [u8; 32],
    conn: Option<(u64, CitizenTx)>,
}

/// Sends without waiting; a full or closed queue is left to its own connection to notice.
fn send<T>(tx: &mpsc::Sender<T>, message: T) {
    let _ = tx.try_send(message);
}

impl Rooms {
    fn with_room<T>(&self, room_id: &str, f: impl FnOnce(&mut LiveRoom) -> T) -> Option<T> {
        let mut live = self.live.lock().ok()?;
        let room = live.entry(room_id.to_string()).or_default();
        let out = f(room);
        let now = Instant::now();
        if room.forgettable(now) {
            live.remove(room_id);
        }
        if let Ok(mut last) = self.last_sweep.lock()
            && now.duration_since(*last) > SWEEP_EVERY
        {
            *last = now;
            live.retain(|_, room| !room.forgettable(now));
        }
        Some(out)
    }

    /// Forgets the ended rooms nobody has been in for [`ENDED_KEPT`], as at `now`.
    #[cfg(test)]
    fn sweep(&self, now: Instant) {
        if let Ok(mut live) = self.live.lock() {
            live.retain(|_, room| !room.forgettable(now));
        }
    }

    /// How many rooms are held in memory.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.live.lock().map_or(0, |live| live.len())
    }

    /// Sends `message` to the admitted citizen of `room_id` if they are connected;
    /// whether it was queued.
    pub(crate) fn tell_citizen(&self, room_id: &str, message: RelayToCitizen) -> bool {
        let Ok(live) = self.live.lock() else {
            return false;
        };
        match live
            .get(room_id)
            .and_then(|room| room.citizen.as_ref())
            .and_then(|c| c.conn.as_ref())
        {
            Some((_, tx)) => tx.try_send(message).is_ok(),
            None => false,
        }
    }

    /// Whether `resume` is the resume secret of `room_id`'s admitted citizen.
    pub(crate) fn is_admitted_citizen(&self, room_id: &str, resume: &str) -> bool {
        let Ok(live) = self.live.lock() else {
            return false;
        };
        live.get(room_id)
            .filter(|room| room.ended.is_none())
            .and_then(|room| room.citizen.as_ref())
            .is_some_and(|c| {
                subtle::ConstantTimeEq::ct_eq(
                    &c.resume_sha256[..],
                    &crate::sha256(resume.as_bytes())[..],
                )
                .into()
            })
    }

    fn is_ended(&self, room_id: &str) -> bool {
        self.live
            .lock()
            .map(|live| live.get(room_id).is_some_and(|r| r.ended.is_some()))
            .unwrap_or(true)
    }
}

static NEXT_CONN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_conn() -> u64 {
    NEXT_CONN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Per-connection limits: size and rate.
struct Guard {
    window_start: Instant,
    count: u32,
}

impl Guard {
    fn new() -> Self {
        Self {
            window_start: Instant::now(),
            count: 0,
        }
    }

    /// Parses one frame into `T`, or says why not.
    fn parse<T: DeserializeOwned>(&mut self, text: &str) -> Result<T, SignalError> {
        let now = Instant::now();
        if now.duration_since(self.window_start) > RATE_WINDOW {
            self.window_start = now;
            self.count = 0;
        }
        self.count += 1;
        if self.count > RATE_LIMIT {
            return Err(SignalError::RateLimited);
        }
        if text.len() > MAX_SIGNAL_BYTES {
            return Err(SignalError::TooLarge);
        }
        serde_json::from_str(text).map_err(|_| SignalError::Malformed)
    }
}

/// What a receive loop got from its socket.
enum Incoming {
    Text(Utf8Bytes),
    Binary,
    /// A ping or a pong: the peer is there.
    Heard,
    Closed,
}

async fn next_frame(socket: &mut WebSocket) -> Incoming {
    match socket.recv().await {
        Some(Ok(Message::Text(text))) => Incoming::Text(text),
        Some(Ok(Message::Binary(_))) => Incoming::Binary,
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Incoming::Heard,
        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Incoming::Closed,
    }
}

async fn write<T: Serialize>(socket: &mut WebSocket, message: &T) -> bool {
    match serde_json::to_string(message) {
        Ok(json) => socket.send(Message::Text(json.into())).await.is_ok(),
        Err(_) => false,
    }
}

/// `GET /ws/clerk/{room_id}` (with `Authorization: Bearer`): the cockpit's connection.
pub(crate) async fn clerk_socket(
    State(state): State<AppState>,
    Path(room_id): Path<String>,
    clerk: ClerkAuth,
    peer: Peer,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let room = state
        .with_db(|db| balie_store::relay::room::find_by_id(db, &room_id))?
        .filter(|r| r.clerk_id == clerk.clerk_id)
        .ok_or(AppError::NotFound)?;
    if room.expires_at <= state.clock().now_unix() || state.rooms().is_ended(&room.id) {
        return Err(AppError::Gone);
    }
    let permit = state
        .limits()
        .open_socket(peer.0, &format!("clerk:{}", room.id))?;
    Ok(crate::limits::sized(upgrade, MAX_SIGNAL_BYTES * 4)
        .on_upgrade(move |socket| async move {
            run_clerk(state, clerk, room.id, socket).await;
            drop(permit);
        })
        .into_response())
}

/// The cockpit's connection, in steps: its `hello`, its place in the room, the messages
/// both ways until it closes (or a newer connection replaces it), and its leaving.
async fn run_clerk(state: AppState, clerk: ClerkAuth, room_id: String, mut socket: WebSocket) {
    let mut guard = Guard::new();
    let within = state.config().first_message_within;
    if !matches!(
        tokio::time::timeout(within, clerk_hello(&mut socket, &mut guard)).await,
        Ok(true)
    ) {
        return;
    }
    let conn = next_conn();
    let (tx, mut rx) = mpsc::channel::<RelayToClerk>(QUEUE);
    if !clerk_arrives(&state, &room_id, conn, &tx) {
        return;
    }
    tracing::info!(room_id, "clerk connected");
    let mut link = Link {
        socket: &mut socket,
        guard: &mut guard,
        tx: &tx,
        rx: &mut rx,
    };
    if clerk_session(&state, clerk, &room_id, conn, &mut link).await == SessionEnd::Replaced {
        return;
    }
    clerk_leaves(&state, &room_id, conn);
    tracing::info!(room_id, "clerk disconnected");
}

/// One side's connection while it lasts: its socket, its guard (size and rate limits) and
/// its queue.
struct Link<'a, Out> {
    socket: &'a mut WebSocket,
    guard: &'a mut Guard,
    tx: &'a mpsc::Sender<Out>,
    rx: &'a mut mpsc::Receiver<Out>,
}

/// Why a connection's loop ended.
#[derive(Debug, PartialEq, Eq)]
enum SessionEnd {
    /// Closed, or its queue is gone: the room is told it left.
    Closed,
    /// A newer connection of the same cockpit took its place: stop quietly.
    Replaced,
}

/// Waits for the clerk's first message, which must be `hello` with a version we speak;
/// false when the connection ends instead.
async fn clerk_hello(socket: &mut WebSocket, guard: &mut Guard) -> bool {
    loop {
        let error = match next_frame(socket).await {
            Incoming::Text(text) => match guard.parse::<ClerkMessage>(&text) {
                Ok(ClerkMessage::Hello { version }) if version == SIGNALING_VERSION => return true,
                Ok(ClerkMessage::Hello { .. }) => {
                    let code = SignalError::UnsupportedVersion;
                    let _ = write(socket, &RelayToClerk::Error { code }).await;
                    return false;
                }
                Ok(_) => SignalError::OutOfOrder,
                Err(code) => code,
            },
            Incoming::Binary => SignalError::Malformed,
            Incoming::Heard => continue,
            Incoming::Closed => return false,
        };
        let _ = write(socket, &RelayToClerk::Error { code: error }).await;
    }
}

/// Puts connection `conn` in the room as its clerk (replacing an older one) and tells it
/// the room's state: welcome with the ICE servers, a knock waiting, and the citizen that
/// the clerk is back. False when the room is gone.
fn clerk_arrives(
    state: &AppState,
    room_id: &str,
    conn: u64,
    tx: &mpsc::Sender<RelayToClerk>,
) -> bool {
    let ice_servers = state
        .config()
        .ice
        .clerk_ice_servers(state.clock().now_unix(), &format!("k-{room_id}"));
    state
        .rooms()
        .with_room(room_id, |room| {
            room.clerk = Some((conn, tx.clone()));
            send(
                tx,
                RelayToClerk::Welcome {
                    room_id: room_id.to_owned(),
                    citizen_present: room.citizen.as_ref().is_some_and(|c| c.conn.is_some()),
                    ice_servers: ice_servers.clone(),
                },
            );
            if let Some(knock) = &room.knock {
                send(
                    tx,
                    RelayToClerk::Knock {
                        knock_id: knock.id.clone(),
                        locale: knock.locale,
                    },
                );
            }
            if let Some((_, citizen)) = room.citizen.as_ref().and_then(|c| c.conn.as_ref()) {
                send(citizen, RelayToCitizen::ClerkBack);
            }
        })
        .is_some()
}

/// The clerk's messages to the room and the room's to the clerk, until one side closes or
/// the clerk is revoked.
async fn clerk_session(
    state: &AppState,
    clerk: ClerkAuth,
    room_id: &str,
    conn: u64,
    link: &mut Link<'_, RelayToClerk>,
) -> SessionEnd {
    let mut recheck = tokio::time::interval(state.config().clerk_recheck_every);
    recheck.tick().await;
    let mut alive = crate::limits::Keepalive::new(state.config().silent_for);
    loop {
        tokio::select! {
            _ = alive.tick() => if !alive.ping(link.socket).await {
                return SessionEnd::Closed;
            },
            _ = recheck.tick() => if !crate::clerk::still_allowed(state, clerk) {
                tracing::info!(room_id, "clerk revoked: connection closed");
                let _ = link.socket.send(Message::Close(None)).await;
                return SessionEnd::Closed;
            },
            outgoing = link.rx.recv() => match outgoing {
                Some(message) => if !write(link.socket, &message).await { return SessionEnd::Closed },
                None => return SessionEnd::Closed,
            },
            incoming = next_frame(link.socket) => match alive.heard_then(incoming) {
                Incoming::Heard => {}
                Incoming::Text(text) => {
                    let reply = match link.guard.parse::<ClerkMessage>(&text) {
                        Ok(message) => on_clerk_message(state, room_id, message),
                        Err(code) => Some(code),
                    };
                    if let Some(code) = reply {
                        send(link.tx, RelayToClerk::Error { code });
                    }
                }
                Incoming::Binary => send(link.tx, RelayToClerk::Error { code: SignalError::Malformed }),
                Incoming::Closed => return SessionEnd::Closed,
            },
        }
        let current = state
            .rooms()
            .with_room(room_id, |room| {
                room.clerk.as_ref().is_some_and(|(c, _)| *c == conn)
            })
            .unwrap_or(false);
        if !current {
            return SessionEnd::Replaced;
        }
    }
}

/// The clerk's connection `conn` closed: the citizen hears the clerk is away.
fn clerk_leaves(state: &AppState, room_id: &str, conn: u64) {
    state.rooms().with_room(room_id, |room| {
        if room.clerk.as_ref().is_some_and(|(c, _)| *c == conn) {
            room.clerk = None;
            if let Some((_, citizen)) = room.citizen.as_ref().and_then(|c| c.conn.as_ref()) {
                send(citizen, RelayToCitizen::ClerkAway);
            }
        }
    });
}

/// Acts on one message of the clerk; `Some(error)` to answer with.
fn on_clerk_message(state: &AppState, room_id: &str, message: ClerkMessage) -> Option<SignalError> {
    let rooms = state.rooms();
    match message {
        ClerkMessage::Hello { .. } => Some(SignalError::OutOfOrder),
        ClerkMessage::Admit { knock_id } => {
            let resume = match crate::random_bytes::<16>() {
                Ok(bytes) => balie_domain::JoinToken::from_random_bytes(bytes).to_text(),
                Err(_) => return Some(SignalError::OutOfOrder),
            };
            let resume_sha256 = crate::sha256(resume.as_bytes());
            let refused = rooms
                .with_room(room_id, |room| match room.knock.take() {
                    Some(knock) if knock.id == knock_id => {
                        send(
                            &knock.tx,
                            RelayToCitizen::Admitted {
                                resume: resume.clone(),
                                ice_servers: citizen_ice_servers(state, room_id),
                            },
                        );
                        room.citizen = Some(Admitted {
                            resume_sha256,
                            conn: Some((knock.conn, knock.tx)),
                        });
                        tracing::info!(room_id, "citizen admitted");
                        None
                    }
                    other => {
                        room.knock = other;
                        Some(SignalError::OutOfOrder)
                    }
                })
                .flatten();
            if refused.is_none() {
                remember_admitted(state, room_id, Some(&resume_sha256));
                crate::survey::citizen_admitted(state, room_id, &resume_sha256);
                // A new citizen: nothing asked of or confirmed for another counts.
                crate::identity::citizen_changed(state, room_id);
                crate::identity::citizen_arrived(state, room_id);
            }
            refused
        }
        ClerkMessage::Decline { knock_id } => rooms
            .with_room(room_id, |room| match room.knock.take() {
                Some(knock) if knock.id == knock_id => {
                    send(&knock.tx, RelayToCitizen::Declined);
                    room.declined_at = Some(Instant::now());
                    None
                }
                other => {
                    room.knock = other;
                    Some(SignalError::OutOfOrder)
                }
            })
            .flatten(),
        ClerkMessage::Signal { signal } => rooms
            .with_room(room_id, |room| {
                match room.citizen.as_ref().and_then(|c| c.conn.as_ref()) {
                    Some((_, citizen)) => {
                        send(citizen, RelayToCitizen::Signal { signal });
                        None
                    }
                    None => Some(SignalError::OutOfOrder),
                }
            })
            .flatten(),
        ClerkMessage::End => {
            rooms.with_room(room_id, |room| {
                room.ended = Some(Instant::now());
                if let Some(knock) = room.knock.take() {
                    send(&knock.tx, RelayToCitizen::Ended);
                }
                if let Some((_, citizen)) = room.citizen.take().and_then(|c| c.conn) {
                    send(&citizen, RelayToCitizen::Ended);
                }
            });
            let _ = state.identity().forget_room(room_id);
            // The link stops working at once, also after a relay restart.
            let now = state.clock().now_unix();
            if let Err(e) = state.with_db(|db| balie_store::relay::room::expire(db, room_id, now)) {
                tracing::warn!(error = %e, "ended room not expired in the database");
            }
            tracing::info!(room_id, "conversation ended by the clerk");
            None
        }
    }
}

/// `GET /ws/citizen/{token}`: the citizen page's connection.
pub(crate) async fn citizen_socket(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Peer,
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let token = JoinToken::parse(&token).map_err(|_| AppError::NotFound)?;
    let digest = crate::sha256(token.digest_input());
    let room = state
        .with_db(|db| balie_store::relay::room::find_by_token(db, &digest))?
        .ok_or(AppError::NotFound)?;
    let now = state.clock().now_unix();
    if room.expires_at <= now || state.rooms().is_ended(&room.id) {
        return Err(AppError::Gone);
    }
    if room.opens_at.is_some_and(|opens| opens > now) {
        return Err(AppError::TooEarly);
    }
    let permit = state
        .limits()
        .open_socket(peer.0, &format!("citizen:{}", room.id))?;
    Ok(crate::limits::sized(upgrade, MAX_SIGNAL_BYTES * 4)
        .on_upgrade(move |socket| async move {
            run_citizen(state, room.id, socket).await;
            drop(permit);
        })
        .into_response())
}

/// Where a citizen connection stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CitizenRole {
    Lobby,
    Admitted,
}

/// The citizen page's connection, in steps: its knock (or its return with the resume
/// secret), the messages both ways until either side ends it, and its leaving.
async fn run_citizen(state: AppState, room_id: String, mut socket: WebSocket) {
    let mut guard = Guard::new();
    let conn = next_conn();
    let (tx, mut rx) = mpsc::channel::<RelayToCitizen>(QUEUE);
    let within = state.config().first_message_within;
    let knock = citizen_knock(&state, &room_id, conn, &mut socket, &mut guard, &tx);
    let Ok(Some(role)) = tokio::time::timeout(within, knock).await else {
        return;
    };
    let mut link = Link {
        socket: &mut socket,
        guard: &mut guard,
        tx: &tx,
        rx: &mut rx,
    };
    citizen_session(&state, &room_id, conn, role, &mut link).await;
    citizen_leaves(&state, &room_id, conn);
}

/// Waits for the citizen's first message, which must be a knock with a version we speak,
/// and puts the citizen in the lobby (or back in the call); `None` when the connection
/// ends or the room is taken.
async fn citizen_knock(
    state: &AppState,
    room_id: &str,
    conn: u64,
    socket: &mut WebSocket,
    guard: &mut Guard,
    tx: &mpsc::Sender<RelayToCitizen>,
) -> Option<CitizenRole> {
    loop {
        let error = match next_frame(socket).await {
            Incoming::Text(text) => match guard.parse::<CitizenMessage>(&text) {
                Ok(CitizenMessage::Knock {
                    version,
                    locale,
                    resume,
                }) => {
                    if version != SIGNALING_VERSION {
                        let code = SignalError::UnsupportedVersion;
                        let _ = write(socket, &RelayToCitizen::Error { code }).await;
                        return None;
                    }
                    if resume.is_some() {
                        recall_admitted(state, room_id);
                    }
                    let ice_servers = citizen_ice_servers(state, room_id);
                    let rooms = state.rooms();
                    let role = knock(
                        rooms,
                        &ice_servers,
                        room_id,
                        conn,
                        locale,
                        resume.as_deref(),
                        tx,
                    );
                    if role.is_none() {
                        let _ = write(socket, &RelayToCitizen::RoomBusy).await;
                    }
                    if role == Some(CitizenRole::Lobby) {
                        ring_absent_clerk(state, room_id, conn);
                    }
                    if role == Some(CitizenRole::Admitted) {
                        crate::identity::citizen_arrived(state, room_id);
                    }
                    return role;
                }
                Ok(_) => SignalError::OutOfOrder,
                Err(code) => code,
            },
            Incoming::Binary => SignalError::Malformed,
            Incoming::Heard => continue,
            Incoming::Closed => return None,
        };
        let _ = write(socket, &RelayToCitizen::Error { code: error }).await;
    }
}

/// The citizen's messages to the clerk and the room's to the citizen, until the citizen
/// leaves, is declined, the conversation ends, or the connection closes.
async fn citizen_session(
    state: &AppState,
    room_id: &str,
    conn: u64,
    mut role: CitizenRole,
    link: &mut Link<'_, RelayToCitizen>,
) {
    let renew_every = state.config().ice.renew_every();
    let period = renew_every.unwrap_or(Duration::from_secs(24 * 3600));
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut alive = crate::limits::Keepalive::new(state.config().silent_for);
    loop {
        tokio::select! {
            _ = alive.tick() => if !alive.ping(link.socket).await {
                return;
            },
            _ = renew.tick(), if renew_every.is_some() && role == CitizenRole::Admitted => {
                // Only for the room's current citizen of a call that goes on: a socket a
                // resume replaced, or a call the clerk ended, gets nothing more (and
                // closes).
                let current = state
                    .rooms()
                    .with_room(room_id, |room| {
                        room.ended.is_none()
                            && room
                                .citizen
                                .as_ref()
                                .and_then(|c| c.conn.as_ref())
                                .is_some_and(|(c, _)| *c == conn)
                    })
                    .unwrap_or(false);
                if !current {
                    let _ = link.socket.send(Message::Close(None)).await;
                    return;
                }
                let fresh = RelayToCitizen::IceServers {
                    ice_servers: citizen_ice_servers(state, room_id),
                };
                if !write(link.socket, &fresh).await {
                    return;
                }
            }
            outgoing = link.rx.recv() => match outgoing {
                Some(message) => {
                    let last = matches!(message, RelayToCitizen::Declined | RelayToCitizen::Ended);
                    if let RelayToCitizen::Admitted { .. } = message {
                        role = CitizenRole::Admitted;
                    }
                    if !write(link.socket, &message).await || last {
                        return;
                    }
                }
                None => return,
            },
            incoming = next_frame(link.socket) => match alive.heard_then(incoming) {
                Incoming::Heard => {}
                Incoming::Text(text) => {
                    let reply = match link.guard.parse::<CitizenMessage>(&text) {
                        Ok(CitizenMessage::Leave) => {
                            citizen_says_goodbye(state, room_id, conn);
                            let _ = link.socket.send(Message::Close(None)).await;
                            return;
                        }
                        Ok(message) => on_citizen_message(state, room_id, role, message),
                        Err(code) => Some(code),
                    };
                    if let Some(code) = reply {
                        send(link.tx, RelayToCitizen::Error { code });
                    }
                }
                Incoming::Binary => send(link.tx, RelayToCitizen::Error { code: SignalError::Malformed }),
                Incoming::Closed => return,
            },
        }
    }
}

/// Acts on one message of the citizen (but `leave`); `Some(error)` to answer with. Only an
/// admitted citizen's signals reach the clerk.
fn on_citizen_message(
    state: &AppState,
    room_id: &str,
    role: CitizenRole,
    message: CitizenMessage,
) -> Option<SignalError> {
    match message {
        CitizenMessage::Signal { signal } if role == CitizenRole::Admitted => state
            .rooms()
            .with_room(room_id, |room| match &room.clerk {
                Some((_, clerk)) => {
                    send(clerk, RelayToClerk::Signal { signal });
                    None
                }
                None => Some(SignalError::OutOfOrder),
            })
            .flatten(),
        _ => Some(SignalError::OutOfOrder),
    }
}

/// The citizen hung up (`leave`): the seat is freed and the clerk told.
fn citizen_says_goodbye(state: &AppState, room_id: &str, conn: u64) {
    if state.rooms().with_room(room_id, |room| {
        let this_one = room
            .citizen
            .as_ref()
            .and_then(|c| c.conn.as_ref())
            .is_some_and(|(c, _)| *c == conn);
        if this_one {
            room.citizen = None;
            if let Some((_, clerk)) = &room.clerk {
                send(clerk, RelayToClerk::CitizenLeft);
            }
        }
        this_one
    }) == Some(true)
    {
        remember_admitted(state, room_id, None);
        crate::identity::citizen_changed(state, room_id);
    }
}

/// Writes down who is admitted in `room_id` (by their resume secret's SHA-256), or that
/// nobody is: what a restarted relay goes by (see [`recall_admitted`]).
fn remember_admitted(state: &AppState, room_id: &str, resume_sha256: Option<&[u8; 32]>) {
    if let Err(e) =
        state.with_db(|db| balie_store::relay::room::set_admitted(db, room_id, resume_sha256))
    {
        tracing::warn!(error = %e, "admitted citizen not written down");
    }
}

/// After a relay restart the rooms in memory are gone, but a call goes on (its media does
/// not pass here): the citizen who comes back with a resume secret finds their place from
/// the database, as if the relay had never stopped, rather than knocking anew.
fn recall_admitted(state: &AppState, room_id: &str) {
    let known = state
        .rooms()
        .with_room(room_id, |room| {
            room.citizen.is_some() || room.knock.is_some()
        })
        .unwrap_or(true);
    if known {
        return;
    }
    let stored = match state.with_db(|db| balie_store::relay::room::admitted(db, room_id)) {
        Ok(stored) => stored,
        Err(e) => {
            tracing::warn!(error = %e, "admitted citizen not read back");
            None
        }
    };
    if let Some(resume_sha256) = stored {
        state.rooms().with_room(room_id, |room| {
            if room.citizen.is_none() && room.knock.is_none() && room.ended.is_none() {
                room.citizen = Some(Admitted {
                    resume_sha256,
                    conn: None,
                });
            }
        });
    }
}

/// The citizen's connection `conn` closed: a knock is withdrawn, or an admitted citizen is
/// away (and may come back with the resume secret).
fn citizen_leaves(state: &AppState, room_id: &str, conn: u64) {
    state.rooms().with_room(room_id, |room| {
        if room.knock.as_ref().is_some_and(|k| k.conn == conn) {
            if let Some(knock) = room.knock.take()
                && let Some((_, clerk)) = &room.clerk
            {
                send(clerk, RelayToClerk::KnockWithdrawn { knock_id: knock.id });
            }
        } else if let Some(citizen) = room.citizen.as_mut()
            && citizen.conn.as_ref().is_some_and(|(c, _)| *c == conn)
        {
            citizen.conn = None;
            if let Some((_, clerk)) = &room.clerk {
                send(clerk, RelayToClerk::CitizenAway);
            }
        }
    });
}

/// Puts a knocking citizen in the lobby, or back in the conversation with a valid resume
/// secret. `None` when the room is taken.
#[allow(clippy::too_many_arguments)]
fn knock(
    rooms: &Rooms,
    ice_servers: &[balie_protocol::signaling::IceServer],
    room_id: &str,
    conn: u64,
    locale: balie_domain::Locale,
    resume: Option<&str>,
    tx: &CitizenTx,
) -> Option<CitizenRole> {
    rooms
        .with_room(room_id, |room| {
            if room.ended.is_some() {
                return None;
            }
            if let (Some(citizen), Some(resume)) = (room.citizen.as_mut(), resume) {
                let matches: bool = subtle::ConstantTimeEq::ct_eq(
                    &citizen.resume_sha256[..],
                    &crate::sha256(resume.as_bytes())[..],
                )
                .into();
                if matches {
                    // Resuming replaces any older connection of the same citizen.
                    citizen.conn = Some((conn, tx.clone()));
                    send(
                        tx,
                        RelayToCitizen::Admitted {
                            resume: resume.to_string(),
                            ice_servers: ice_servers.to_vec(),
                        },
                    );
                    if let Some((_, clerk)) = &room.clerk {
                        send(clerk, RelayToClerk::CitizenBack);
                    }
                    return Some(CitizenRole::Admitted);
                }
            }
            if room.citizen.is_some() || room.knock.is_some() {
                return None;
            }
            // Turned away a moment ago: the answer stands, and the clerk is not rung again.
            if room
                .declined_at
                .is_some_and(|at| at.elapsed() < DECLINED_FOR)
            {
                send(tx, RelayToCitizen::Declined);
                return Some(CitizenRole::Lobby);
            }
            let id = format!("k{conn}");
            if let Some((_, clerk)) = &room.clerk {
                send(
                    clerk,
                    RelayToClerk::Knock {
                        knock_id: id.clone(),
                        locale,
                    },
                );
            }
            room.knock = Some(Knock {
                id,
                conn,
                locale,
                tx: tx.clone(),
            });
            send(tx, RelayToCitizen::Waiting);
            Some(CitizenRole::Lobby)
        })
        .flatten()
}

/// A citizen knocks (connection `conn`) in a room its clerk has not opened (an
/// appointment's room, before the cockpit connects): the clerk's cockpits hear of it on
/// their hint socket, and the knock waits in the room for the clerk to connect.
fn ring_absent_clerk(state: &AppState, room_id: &str, conn: u64) {
    let waiting_alone = state
        .rooms()
        .with_room(room_id, |room| {
            room.clerk.is_none() && room.knock.as_ref().is_some_and(|k| k.conn == conn)
        })
        .unwrap_or(false);
    if !waiting_alone {
        return;
    }
    let found = state.with_db(|db| {
        let room = balie_store::relay::room::find_by_id(db, room_id)?;
        let appointment = balie_store::relay::appointment::booked_in_room(db, room_id)?;
        Ok(room.map(|r| (r.clerk_id, appointment.map(|a| a.id))))
    });
    match found {
        Ok(Some((clerk_id, appointment_id))) => {
            let rung = crate::hooks::knock(state, clerk_id, room_id, appointment_id);
            tracing::info!(room_id, rung, "knock in a room its clerk has not opened");
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(room_id, error = %e, "cannot find the room's clerk"),
    }
}

fn citizen_ice_servers(
    state: &AppState,
    room_id: &str,
) -> Vec<balie_protocol::signaling::IceServer> {
    state
        .config()
        .ice
        .ice_servers(state.clock().now_unix(), &format!("c-{room_id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: an ended room stayed in memory for as long as the relay ran.
    #[test]
    fn an_ended_room_nobody_is_in_is_forgotten_after_a_while() {
        let rooms = Rooms::default();
        let t0 = Instant::now();
        rooms.with_room("ended", |room| room.ended = Some(t0));
        rooms.with_room("open", |room| {
            let (tx, _rx) = mpsc::channel(1);
            room.clerk = Some((1, tx));
        });
        assert_eq!(rooms.len(), 2);
        // Soon after the end it is still known as ended: a late knock is refused.
        rooms.sweep(t0 + Duration::from_secs(10));
        assert!(rooms.is_ended("ended"));
        rooms.sweep(t0 + ENDED_KEPT + Duration::from_secs(1));
        assert_eq!(
            rooms.len(),
            1,
            "the ended room is forgotten, the open one kept"
        );
        assert!(!rooms.is_ended("ended"));
    }
}
