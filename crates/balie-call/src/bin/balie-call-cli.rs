//! `balie-call-cli`: a headless clerk. It creates a room on a relay, prints the join link,
//! lets the first citizen in, holds the call from the synthetic source and writes the
//! call's figures as JSON. For tests, benchmarks, and IT staff who check a relay
//! deployment (relay, TURN, firewall) without a cockpit.

use balie_call::{CallConfig, CallEvent, CallState, ClerkCall, ClerkCallEvent, MediaSource};
use balie_protocol::{ApiError, CreateRoomRequest, CreateRoomResponse};
use clap::Parser;
use secrecy::{ExposeSecret as _, SecretString};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A headless clerk: create a room, print its join link, admit the first knock, hold a
/// call with a test pattern and tone, then write the call's figures.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The relay's address, e.g. https://balie.example.be
    #[arg(long)]
    relay: String,
    /// A clerk token of that relay (`balie-relay clerk add`). Prefer the environment
    /// variable, which does not show in the process list.
    #[arg(long, env = "BALIE_CLERK_TOKEN", hide_env_values = true)]
    token: String,
    /// How long to hold the call once connected, in seconds; without it the call lasts
    /// until the citizen hangs up.
    #[arg(long)]
    duration: Option<u64>,
    /// Give up when nobody knocks within this many seconds.
    #[arg(long, default_value_t = 600)]
    wait: u64,
    /// Write the final figures here as JSON.
    #[arg(long)]
    stats_json: Option<PathBuf>,
    /// Send this chat line once the chat works.
    #[arg(long)]
    chat: Option<String>,
    /// Use this machine's camera, microphone and speaker instead of the test pattern and
    /// tone. Checks a clerk workstation.
    #[arg(long)]
    devices: bool,
    /// With --devices: the camera by name, or a GStreamer source as `gst:<description>`
    /// (default: the first camera).
    #[arg(long, requires = "devices")]
    camera: Option<String>,
    /// Blur the background behind the person (the cockpit's *Achtergrond vervagen*); the
    /// figures then include what the blur costs.
    #[arg(long)]
    blur: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let _log = balie_log::init(&balie_log::LogConfig::new("balie-call-cli", None)).ok();
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("balie-call-cli: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn create_room(relay: &str, token: &SecretString) -> Result<CreateRoomResponse, String> {
    let client = reqwest::Client::builder()
        .proxy(balie_net::Proxies::from_env().reqwest())
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))?;
    let response = client
        .post(format!("{}/api/rooms", relay.trim_end_matches('/')))
        .bearer_auth(token.expose_secret())
        .json(&CreateRoomRequest::default())
        .send()
        .await
        .map_err(|e| format!("cannot reach the relay at {relay}: {e}"))?;
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .await
            .map_err(|e| format!("the relay's answer is unreadable: {e}"));
    }
    let detail = response
        .json::<ApiError>()
        .await
        .map(|body| body.error.message)
        .unwrap_or_default();
    Err(format!(
        "the relay refused to create a room ({status}): {detail}"
    ))
}

async fn run(args: Args) -> Result<(), String> {
    let token = SecretString::from(args.token);
    let room = create_room(&args.relay, &token).await?;
    // The join link alone on its own line of standard output, for scripts to pick up.
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", room.join_url);
        let _ = out.flush();
    }

    let source = if args.devices {
        MediaSource::Devices {
            camera: args.camera.clone(),
            microphone: None,
            speaker: None,
        }
    } else {
        MediaSource::Synthetic
    };
    let config = CallConfig {
        source,
        background_blur: args.blur,
        ..CallConfig::default()
    };
    let mut clerk = ClerkCall::connect(&args.relay, &room.room_id, token, config);
    let knock_deadline = tokio::time::Instant::now() + Duration::from_secs(args.wait);
    let mut call_deadline: Option<tokio::time::Instant> = None;
    let mut admitted = false;
    let mut chat = args.chat;
    let outcome = loop {
        let deadline = call_deadline.unwrap_or(knock_deadline);
        let event = tokio::select! {
            event = clerk.next_event() => event,
            () = tokio::time::sleep_until(deadline) => {
                break if call_deadline.is_some() || admitted { Ok(()) } else { Err("nobody knocked in time".to_owned()) };
            }
        };
        let Some(event) = event else {
            break Err("the relay connection stopped".to_owned());
        };
        match event {
            ClerkCallEvent::RelayConnected { .. } => {
                eprintln!("connected to the relay; waiting for a knock")
            }
            ClerkCallEvent::RelayDisconnected { retry_in } => {
                eprintln!(
                    "relay connection dropped; retrying in {} ms",
                    retry_in.as_millis()
                );
            }
            ClerkCallEvent::RelayRefused { status } => {
                break Err(format!("the relay refused the room (HTTP {status})"));
            }
            ClerkCallEvent::Knock { knock_id, locale } if !admitted => {
                eprintln!("a citizen knocks (page in {locale}); letting them in");
                if let Err(e) = clerk.admit(knock_id).await {
                    break Err(format!("cannot start the call: {e}"));
                }
                admitted = true;
            }
            ClerkCallEvent::Knock { knock_id, .. } => clerk.decline(knock_id).await,
            ClerkCallEvent::CitizenLeft => {
                eprintln!("the citizen hung up");
                break Ok(());
            }
            ClerkCallEvent::Call(CallEvent::State(state)) => {
                eprintln!("call: {state:?}");
                if state == CallState::Connected && call_deadline.is_none() {
                    if let Some(seconds) = args.duration {
                        call_deadline =
                            Some(tokio::time::Instant::now() + Duration::from_secs(seconds));
                    } else {
                        call_deadline = Some(
                            tokio::time::Instant::now() + Duration::from_secs(365 * 24 * 3600),
                        );
                    }
                }
            }
            ClerkCallEvent::Call(CallEvent::ChatReady) => {
                if let (Some(text), Some(call)) = (chat.take(), clerk.call_mut()) {
                    call.send_chat(&text).await;
                }
            }
            ClerkCallEvent::Call(CallEvent::Devices {
                camera,
                microphone,
                speaker,
            }) => {
                eprintln!(
                    "camera: {}; microphone: {}; speaker: {}",
                    camera.unwrap_or_else(|| "none (test pattern)".to_owned()),
                    microphone.unwrap_or_else(|| "none (test tone)".to_owned()),
                    speaker.unwrap_or_else(|| "none (not played)".to_owned())
                );
            }
            ClerkCallEvent::Call(CallEvent::Chat { text, .. }) => {
                // The text is the citizen's: only its size is shown.
                eprintln!("chat received ({} characters)", text.chars().count());
            }
            other => tracing::debug!(?other, "event"),
        }
    };
    let stats = clerk.stats();
    clerk.end().await;
    if let (Some(path), Some(stats)) = (&args.stats_json, &stats) {
        let json = serde_json::to_string_pretty(stats).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    outcome
}
