//! Pictures to the call window over a WebSocket on loopback. Tauri's IPC carries a
//! 460 KB I420 picture in ~45 ms in WebKitGTK (measured: a few pictures a second), a
//! WebSocket binary message in well under a millisecond. Each connection sends the newest
//! picture of its stream as soon as the previous one is out, so a slow window skips
//! pictures instead of queueing them.
//!
//! The server listens on 127.0.0.1 only, and every address carries a random 128-bit key:
//! another program on the clerk's PC cannot watch the call.

use super::frames::{Frames, VideoStream};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use subtle::ConstantTimeEq as _;

/// The running server.
pub struct FrameServer {
    base: String,
    key: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

#[derive(Clone)]
struct ServerState {
    frames: Arc<Frames>,
    key: Arc<str>,
}

#[derive(serde::Deserialize)]
struct KeyQuery {
    key: String,
}

impl FrameServer {
    /// Starts serving `frames` on a free loopback port.
    pub async fn start(frames: Arc<Frames>) -> std::io::Result<Self> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let key = hex::encode(bytes);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("ws://{}", listener.local_addr()?);
        let state = ServerState {
            frames,
            key: Arc::from(key.as_str()),
        };
        let app = axum::Router::new()
            .route("/frames/{stream}", axum::routing::get(upgrade))
            .with_state(state);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = served.await {
                tracing::warn!(error = %e, "picture server stopped");
            }
        });
        Ok(Self {
            base,
            key,
            _stop: stop,
        })
    }

    /// The address the call window opens for `stream`.
    pub fn url(&self, stream: VideoStream) -> String {
        let name = match stream {
            VideoStream::Remote => "remote",
            VideoStream::SelfView => "self",
        };
        format!("{}/frames/{name}?key={}", self.base, self.key)
    }
}

async fn upgrade(
    State(state): State<ServerState>,
    Path(stream): Path<String>,
    Query(query): Query<KeyQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    if !bool::from(query.key.as_bytes().ct_eq(state.key.as_bytes())) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let stream = match stream.as_str() {
        "remote" => VideoStream::Remote,
        "self" => VideoStream::SelfView,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    ws.on_upgrade(move |socket| send_pictures(socket, state.frames, stream))
}

/// Sends one picture at a time: the next only after the window said it drew the last one
/// (any text message). A WebSocket alone would let pictures pile up in the web process
/// whenever drawing is slower than the camera, delaying everything else the window does.
async fn send_pictures(mut socket: WebSocket, frames: Arc<Frames>, stream: VideoStream) {
    let mut seq = 0u64;
    loop {
        let picture = frames.slot(stream).next_after(seq).await;
        if picture.len() < 8 {
            // Nothing new for half a second: a ping notices a closed window.
            if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                return;
            }
            continue;
        }
        let mut number = [0u8; 8];
        number.copy_from_slice(&picture[..8]);
        seq = u64::from_le_bytes(number);
        if socket.send(Message::Binary(picture.into())).await.is_err() {
            return;
        }
        loop {
            match socket.recv().await {
                Some(Ok(Message::Text(_))) => break,
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt as _;

    #[tokio::test]
    async fn pictures_flow_only_with_the_key() {
        let frames = Arc::new(Frames::default());
        let server = FrameServer::start(frames.clone()).await.unwrap();
        let url = server.url(VideoStream::Remote);
        let wrong = url.replace("key=", "key=0");
        assert!(tokio_tungstenite::connect_async(&wrong).await.is_err());
        let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
        frames
            .remote
            .put(balie_call::media::frame::I420Frame::black(4, 2));
        let message = loop {
            match ws.next().await.unwrap().unwrap() {
                tokio_tungstenite::tungstenite::Message::Binary(b) => break b,
                _ => continue,
            }
        };
        assert_eq!(u64::from_le_bytes(message[..8].try_into().unwrap()), 1);
        assert_eq!(u16::from_le_bytes([message[8], message[9]]), 4);
        // The next picture waits for the window's "drawn".
        frames
            .remote
            .put(balie_call::media::frame::I420Frame::black(8, 2));
        let early = tokio::time::timeout(std::time::Duration::from_millis(300), ws.next()).await;
        assert!(
            !matches!(
                early,
                Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Binary(_))))
            ),
            "a second picture came before the first was drawn"
        );
        use futures_util::SinkExt as _;
        ws.send(tokio_tungstenite::tungstenite::Message::text("drawn"))
            .await
            .unwrap();
        let message = loop {
            match ws.next().await.unwrap().unwrap() {
                tokio_tungstenite::tungstenite::Message::Binary(b) => break b,
                _ => continue,
            }
        };
        assert_eq!(u16::from_le_bytes([message[8], message[9]]), 8);
    }
}
