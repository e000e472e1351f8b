use balie_protocol::signaling::{ClerkMessage, IceServer, RelayToClerk, SIGNALING_VERSION};
use futures_util::{SinkExt as _, StreamExt as _};
use secrecy::{ExposeSecret as _, SecretString};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

/// What the signaling connection reports to the cockpit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalingEvent {
    /// Connected (again) and greeted by the relay.
    Connected {
        /// STUN/TURN servers for the call.
        ice_servers: Vec<IceServer>,
        /// Whether a citizen is already in (after a reconnection).
        citizen_present: bool,
    },
    /// A message of the relay (knocks, signals, errors…).
    Message(RelayToClerk),
    /// The connection dropped; the client retries after `retry_in`.
    Disconnected {
        /// When the next attempt starts.
        retry_in: Duration,
    },
    /// The relay refused the connection for good (HTTP status: 401 token refused, 404 not
    /// this clerk's room, 410 expired or ended); the client stopped.
    Refused {
        /// The HTTP status of the refused upgrade.
        status: u16,
    },
}

/// The cockpit's signaling connection for one room. Dropping it cuts the connection at
/// once; [`ClerkSignaling::close`] first sends what is queued.
pub struct ClerkSignaling {
    commands: mpsc::Sender<ClerkMessage>,
    events: mpsc::Receiver<SignalingEvent>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for ClerkSignaling {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// How long [`ClerkSignaling::close`] waits for queued messages to leave.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

const FIRST_RETRY: Duration = Duration::from_millis(250);
const MAX_RETRY: Duration = Duration::from_secs(10);

impl ClerkSignaling {
    /// Starts connecting to the relay at `relay_url` (`http(s)://…`) for `room_id`.
    /// Must be called inside a tokio runtime.
    pub fn connect(relay_url: &str, room_id: &str, token: SecretString) -> Self {
        let url = format!(
            "{}/ws/clerk/{room_id}",
            relay_url
                .trim_end_matches('/')
                .replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        );
        let (commands, command_rx) = mpsc::channel(64);
        let (event_tx, events) = mpsc::channel(64);
        let task = tokio::spawn(drive(url, token, command_rx, event_tx));
        Self {
            commands,
            events,
            task: Some(task),
        }
    }

    /// Sends what is queued, closes the WebSocket and stops. Messages queued through a
    /// [`ClerkSender`] count only if every sender is dropped before this is called.
    pub async fn close(mut self) {
        let Some(mut task) = self.task.take() else {
            return;
        };
        // Dropping our sender (the last one) lets the driver drain the queue and close.
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.commands, closed));
        if tokio::time::timeout(CLOSE_GRACE, &mut task).await.is_err() {
            task.abort();
        }
    }

    /// The next event; `None` once the client has stopped.
    pub async fn next_event(&mut self) -> Option<SignalingEvent> {
        self.events.recv().await
    }

    /// Queues a message for the relay; it goes out as soon as the connection is up.
    pub async fn send(&self, message: ClerkMessage) {
        let _ = self.commands.send(message).await;
    }

    /// A handle that sends messages while something else reads the events.
    pub fn sender(&self) -> ClerkSender {
        ClerkSender(self.commands.clone())
    }
}

/// Sends messages on a [`ClerkSignaling`] connection; cheap to clone.
#[derive(Clone)]
pub struct ClerkSender(mpsc::Sender<ClerkMessage>);

impl ClerkSender {
    /// Queues a message for the relay; false when the connection has stopped for good.
    pub async fn send(&self, message: ClerkMessage) -> bool {
        self.0.send(message).await.is_ok()
    }
}

/// Why one connection attempt ended.
enum Ended {
    /// Try again.
    Dropped,
    /// Stop: refused with this HTTP status, or the cockpit went away.
    Stop(Option<u16>),
}

async fn drive(
    url: String,
    token: SecretString,
    mut commands: mpsc::Receiver<ClerkMessage>,
    events: mpsc::Sender<SignalingEvent>,
) {
    let mut retry = FIRST_RETRY;
    loop {
        match session(&url, &token, &mut commands, &events, &mut retry).await {
            Ended::Stop(Some(status)) => {
                let _ = events.send(SignalingEvent::Refused { status }).await;
                return;
            }
            Ended::Stop(None) => return,
            Ended::Dropped => {}
        }
        if events
            .send(SignalingEvent::Disconnected { retry_in: retry })
            .await
            .is_err()
        {
            return;
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

async fn session(
    url: &str,
    token: &SecretString,
    commands: &mut mpsc::Receiver<ClerkMessage>,
    events: &mpsc::Sender<SignalingEvent>,
    retry: &mut Duration,
) -> Ended {
    let Ok(mut request) = url.into_client_request() else {
        return Ended::Stop(Some(0));
    };
    let Ok(auth) = format!("Bearer {}", token.expose_secret()).parse() else {
        return Ended::Stop(Some(401));
    };
    request.headers_mut().insert("authorization", auth);
    let mut ws = match balie_net::websocket(request).await {
        Ok((ws, _)) => ws,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            // 401, 404 and 410 will not get better by trying again.
            return if matches!(status, 401 | 403 | 404 | 410) {
                Ended::Stop(Some(status))
            } else {
                Ended::Dropped
            };
        }
        Err(e) => {
            tracing::debug!(error = %e, "signaling connection failed");
            return Ended::Dropped;
        }
    };
    let hello = ClerkMessage::Hello {
        version: SIGNALING_VERSION,
    };
    if !send(&mut ws, &hello).await {
        return Ended::Dropped;
    }
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(message) => if !send(&mut ws, &message).await { return Ended::Dropped },
                None => {
                    let _ = ws.close(None).await;
                    return Ended::Stop(None);
                }
            },
            frame = ws.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                    Some(Ok(Message::Binary(_))) => continue,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Ended::Dropped,
                };
                let event = match serde_json::from_str::<RelayToClerk>(&text) {
                    Ok(RelayToClerk::Welcome { ice_servers, citizen_present, .. }) => {
                        *retry = FIRST_RETRY;
                        SignalingEvent::Connected { ice_servers, citizen_present }
                    }
                    Ok(message) => SignalingEvent::Message(message),
                    Err(e) => {
                        tracing::warn!(error = %e, "unreadable message from the relay");
                        continue;
                    }
                };
                if events.send(event).await.is_err() {
                    let _ = ws.close(None).await;
                    return Ended::Stop(None);
                }
            }
        }
    }
}

async fn send<S>(ws: &mut S, message: &ClerkMessage) -> bool
where
    S: futures_util::Sink<Message> + Unpin,
{
    match serde_json::to_string(message) {
        Ok(json) => ws.send(Message::text(json)).await.is_ok(),
        Err(_) => false,
    }
}
