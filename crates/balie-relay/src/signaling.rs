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

/// Every room with a live connection.
#[derive(Default)]
pub(crate) struct Rooms {
    live: Mutex<HashMap<String, LiveRoom>>,
}

#[derive(Default)]
struct LiveRoom {
    /// The cockpit's connection: its id and sender.
    clerk: Option<(u64, ClerkTx)>,
    /// The citizen waiting in the lobby.
    knock: Option<Knock>,
    /// The admitted citizen; `tx` is `None` while their connection is down.
    citizen: Option<Admitted>,
    ended: bool,
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
        if room.clerk.is_none() && room.knock.is_none() && room.citizen.is_none() && !room.ended {
            live.remove(room_id);
        }
        Some(out)
    }

    fn is_ended(&self, room_id: &str) -> bool {
        self.live
            .lock()
            .map(|live| live.get(room_id).is_some_and(|r| r.ended))
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
    Closed,
}

async fn next_frame(socket: &mut WebSocket) -> Incoming {
    loop {
        match socket.recv().await {
            Some(Ok(Message::Text(text))) => return Incoming::Text(text),
            Some(Ok(Message::Binary(_))) => return Incoming::Binary,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Incoming::Closed,
        }
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
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let room = state
        .with_db(|db| balie_store::relay::room::find_by_id(db, &room_id))?
        .filter(|r| r.clerk_id == clerk.clerk_id)
        .ok_or(AppError::NotFound)?;
    if room.expires_at <= state.clock().now_unix() || state.rooms().is_ended(&room.id) {
        return Err(AppError::Gone);
    }
    Ok(upgrade
        .max_message_size(MAX_SIGNAL_BYTES * 4)
        .on_upgrade(move |socket| run_clerk(state, room.id, socket))
        .into_response())
}

async fn run_clerk(state: AppState, room_id: String, mut socket: WebSocket) {
    let mut guard = Guard::new();
    // The first message must be `hello` with a version we speak.
    loop {
        match next_frame(&mut socket).await {
            Incoming::Text(text) => match guard.parse::<ClerkMessage>(&text) {
                Ok(ClerkMessage::Hello { version }) if version == SIGNALING_VERSION => break,
                Ok(ClerkMessage::Hello { .. }) => {
                    let _ = write(
                        &mut socket,
                        &RelayToClerk::Error {
                            code: SignalError::UnsupportedVersion,
                        },
                    )
                    .await;
                    return;
                }
                Ok(_) => {
                    let _ = write(
                        &mut socket,
                        &RelayToClerk::Error {
                            code: SignalError::OutOfOrder,
                        },
                    )
                    .await;
                }
                Err(code) => {
                    let _ = write(&mut socket, &RelayToClerk::Error { code }).await;
                }
            },
            Incoming::Binary => {
                let _ = write(
                    &mut socket,
                    &RelayToClerk::Error {
                        code: SignalError::Malformed,
                    },
                )
                .await;
            }
            Incoming::Closed => return,
        }
    }

    let conn = next_conn();
    let (tx, mut rx) = mpsc::channel::<RelayToClerk>(QUEUE);
    let rooms = state.rooms();
    let ice_servers = state
        .config()
        .ice
        .ice_servers(state.clock().now_unix(), &format!("k-{room_id}"));
    let registered = rooms.with_room(&room_id, |room| {
        // A newer connection of the cockpit replaces an older one.
        room.clerk = Some((conn, tx.clone()));
        send(
            &tx,
            RelayToClerk::Welcome {
                room_id: room_id.clone(),
                citizen_present: room.citizen.as_ref().is_some_and(|c| c.conn.is_some()),
                ice_servers: ice_servers.clone(),
            },
        );
        if let Some(knock) = &room.knock {
            send(
                &tx,
                RelayToClerk::Knock {
                    knock_id: knock.id.clone(),
                    locale: knock.locale,
                },
            );
        }
        if let Some((_, citizen)) = room.citizen.as_ref().and_then(|c| c.conn.as_ref()) {
            send(citizen, RelayToCitizen::ClerkBack);
        }
    });
    if registered.is_none() {
        return;
    }
    tracing::info!(room_id, "clerk connected");

    loop {
        tokio::select! {
            outgoing = rx.recv() => match outgoing {
                Some(message) => if !write(&mut socket, &message).await { break },
                None => break,
            },
            incoming = next_frame(&mut socket) => match incoming {
                Incoming::Text(text) => {
                    let reply = match guard.parse::<ClerkMessage>(&text) {
                        Ok(message) => on_clerk_message(&state, &room_id, message),
                        Err(code) => Some(code),
                    };
                    if let Some(code) = reply {
                        send(&tx, RelayToClerk::Error { code });
                    }
                }
                Incoming::Binary => send(&tx, RelayToClerk::Error { code: SignalError::Malformed }),
                Incoming::Closed => break,
            },
        }
        // Replaced by a newer connection of the same cockpit: stop quietly.
        let current = rooms
            .with_room(&room_id, |room| {
                room.clerk.as_ref().is_some_and(|(c, _)| *c == conn)
            })
            .unwrap_or(false);
        if !current {
            return;
        }
    }

    rooms.with_room(&room_id, |room| {
        if room.clerk.as_ref().is_some_and(|(c, _)| *c == conn) {
            room.clerk = None;
            if let Some((_, citizen)) = room.citizen.as_ref().and_then(|c| c.conn.as_ref()) {
                send(citizen, RelayToCitizen::ClerkAway);
            }
        }
    });
    tracing::info!(room_id, "clerk disconnected");
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
            rooms
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
                            resume_sha256: crate::sha256(resume.as_bytes()),
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
                .flatten()
        }
        ClerkMessage::Decline { knock_id } => rooms
            .with_room(room_id, |room| match room.knock.take() {
                Some(knock) if knock.id == knock_id => {
                    send(&knock.tx, RelayToCitizen::Declined);
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
                room.ended = true;
                if let Some(knock) = room.knock.take() {
                    send(&knock.tx, RelayToCitizen::Ended);
                }
                if let Some((_, citizen)) = room.citizen.take().and_then(|c| c.conn) {
                    send(&citizen, RelayToCitizen::Ended);
                }
            });
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
    upgrade: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let token = JoinToken::parse(&token).map_err(|_| AppError::NotFound)?;
    let digest = crate::sha256(token.digest_input());
    let room = state
        .with_db(|db| balie_store::relay::room::find_by_token(db, &digest))?
        .ok_or(AppError::NotFound)?;
    if room.expires_at <= state.clock().now_unix() || state.rooms().is_ended(&room.id) {
        return Err(AppError::Gone);
    }
    Ok(upgrade
        .max_message_size(MAX_SIGNAL_BYTES * 4)
        .on_upgrade(move |socket| run_citizen(state, room.id, socket))
        .into_response())
}

/// Where a citizen connection stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CitizenRole {
    Lobby,
    Admitted,
}

async fn run_citizen(state: AppState, room_id: String, mut socket: WebSocket) {
    let mut guard = Guard::new();
    let conn = next_conn();
    let (tx, mut rx) = mpsc::channel::<RelayToCitizen>(QUEUE);
    let rooms = state.rooms();

    // The first message must be a knock.
    let role = loop {
        match next_frame(&mut socket).await {
            Incoming::Text(text) => match guard.parse::<CitizenMessage>(&text) {
                Ok(CitizenMessage::Knock {
                    version,
                    locale,
                    resume,
                }) => {
                    if version != SIGNALING_VERSION {
                        let _ = write(
                            &mut socket,
                            &RelayToCitizen::Error {
                                code: SignalError::UnsupportedVersion,
                            },
                        )
                        .await;
                        return;
                    }
                    let ice_servers = citizen_ice_servers(&state, &room_id);
                    match knock(
                        rooms,
                        &ice_servers,
                        &room_id,
                        conn,
                        locale,
                        resume.as_deref(),
                        &tx,
                    ) {
                        Some(role) => break role,
                        None => {
                            let _ = write(&mut socket, &RelayToCitizen::RoomBusy).await;
                            return;
                        }
                    }
                }
                Ok(_) => {
                    let _ = write(
                        &mut socket,
                        &RelayToCitizen::Error {
                            code: SignalError::OutOfOrder,
                        },
                    )
                    .await;
                }
                Err(code) => {
                    let _ = write(&mut socket, &RelayToCitizen::Error { code }).await;
                }
            },
            Incoming::Binary => {
                let _ = write(
                    &mut socket,
                    &RelayToCitizen::Error {
                        code: SignalError::Malformed,
                    },
                )
                .await;
            }
            Incoming::Closed => return,
        }
    };
    let mut role = role;

    loop {
        tokio::select! {
            outgoing = rx.recv() => match outgoing {
                Some(message) => {
                    let last = matches!(message, RelayToCitizen::Declined | RelayToCitizen::Ended);
                    if let RelayToCitizen::Admitted { .. } = message {
                        role = CitizenRole::Admitted;
                    }
                    if !write(&mut socket, &message).await || last {
                        break;
                    }
                }
                None => break,
            },
            incoming = next_frame(&mut socket) => match incoming {
                Incoming::Text(text) => {
                    let reply = match guard.parse::<CitizenMessage>(&text) {
                        Ok(CitizenMessage::Signal { signal }) if role == CitizenRole::Admitted => {
                            rooms.with_room(&room_id, |room| match &room.clerk {
                                Some((_, clerk)) => { send(clerk, RelayToClerk::Signal { signal }); None }
                                None => Some(SignalError::OutOfOrder),
                            }).flatten()
                        }
                        Ok(CitizenMessage::Leave) => {
                            rooms.with_room(&room_id, |room| {
                                if room.citizen.as_ref().and_then(|c| c.conn.as_ref()).is_some_and(|(c, _)| *c == conn) {
                                    room.citizen = None;
                                    if let Some((_, clerk)) = &room.clerk {
                                        send(clerk, RelayToClerk::CitizenLeft);
                                    }
                                }
                            });
                            let _ = socket.send(Message::Close(None)).await;
                            break;
                        }
                        Ok(_) => Some(SignalError::OutOfOrder),
                        Err(code) => Some(code),
                    };
                    if let Some(code) = reply {
                        send(&tx, RelayToCitizen::Error { code });
                    }
                }
                Incoming::Binary => send(&tx, RelayToCitizen::Error { code: SignalError::Malformed }),
                Incoming::Closed => break,
            },
        }
    }

    rooms.with_room(&room_id, |room| {
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
            if room.ended {
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

fn citizen_ice_servers(
    state: &AppState,
    room_id: &str,
) -> Vec<balie_protocol::signaling::IceServer> {
    state
        .config()
        .ice
        .ice_servers(state.clock().now_unix(), &format!("c-{room_id}"))
}
