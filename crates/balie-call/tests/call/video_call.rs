//! A real call: the engine (headless, synthetic source) against Debian's Chromium running
//! the real citizen page with fake camera and microphone, through a real relay.

use super::citizen_page::{FAKE_MEDIA, chromium_with, wait_for_text};
use super::*;
use balie_call::{CallConfig, CallEvent, CallState, CallStats, ClerkCall, ClerkCallEvent};
use fantoccini::Locator;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

enum Command {
    Admit(String),
    Chat(String),
    Stats(oneshot::Sender<Option<CallStats>>),
    End,
}

/// The clerk side, pumped by its own task so signals flow while the test drives Chromium.
struct Clerk {
    events: mpsc::UnboundedReceiver<ClerkCallEvent>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Clerk {
    fn start(s: &Setup) -> Self {
        let mut call = ClerkCall::connect(
            &s.url,
            &s.room_id,
            SecretString::from(s.token.clone()),
            CallConfig {
                bind: vec![std::net::IpAddr::from([127, 0, 0, 1])],
                ..CallConfig::default()
            },
        );
        let (event_tx, events) = mpsc::unbounded_channel();
        let (commands, mut command_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    event = call.next_event() => match event {
                        Some(event) => { let _ = event_tx.send(event); }
                        None => return,
                    },
                    command = command_rx.recv() => match command {
                        Some(Command::Admit(knock_id)) => call.admit(knock_id).await.unwrap(),
                        Some(Command::Chat(text)) => {
                            call.call_mut().expect("a call").send_chat(&text).await;
                        }
                        Some(Command::Stats(reply)) => { let _ = reply.send(call.stats()); }
                        Some(Command::End) | None => {
                            call.end().await;
                            return;
                        }
                    },
                }
            }
        });
        Self { events, commands }
    }

    /// Waits for the first event `pick` accepts, skipping others.
    async fn wait_for<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&ClerkCallEvent) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("the clerk never saw {what}"))
                .expect("clerk task ended");
            if let Some(found) = pick(&event) {
                return found;
            }
        }
    }

    async fn stats(&self) -> CallStats {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Stats(tx)).unwrap();
        rx.await.unwrap().expect("a call runs")
    }
}

/// Counts the pictures the page's `#remote` video presents over `seconds`.
async fn frames_presented(client: &fantoccini::Client, seconds: u64) -> u64 {
    let result = client
        .execute_async(
            r#"const [ms, done] = [arguments[0], arguments[arguments.length - 1]];
               const video = document.getElementById("remote");
               let frames = 0;
               const count = () => { frames += 1; video.requestVideoFrameCallback(count); };
               video.requestVideoFrameCallback(count);
               setTimeout(() => done(frames), ms);"#,
            vec![serde_json::json!(seconds * 1000)],
        )
        .await
        .unwrap();
    result.as_u64().unwrap()
}

/// The loudest level (0–1) of the clerk's sound as the page plays it, over one second.
async fn remote_audio_peak(client: &fantoccini::Client) -> f64 {
    let result = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               const stream = document.getElementById("remote").srcObject;
               const ctx = new AudioContext();
               const analyser = ctx.createAnalyser();
               ctx.createMediaStreamSource(stream).connect(analyser);
               const buf = new Float32Array(analyser.fftSize);
               let peak = 0;
               const timer = setInterval(() => {
                 analyser.getFloatTimeDomainData(buf);
                 for (const v of buf) peak = Math.max(peak, Math.abs(v));
               }, 50);
               setTimeout(() => { clearInterval(timer); ctx.close(); done(peak); }, 1500);"#,
            vec![],
        )
        .await
        .unwrap();
    result.as_f64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_carries_video_audio_and_chat_both_ways_and_the_citizen_hangs_up() {
    let s = setup().await;
    let mut clerk = Clerk::start(&s);
    let (client, _driver) = chromium_with(FAKE_MEDIA).await;
    client
        .goto(&format!("{}/j/{}?lang=nl", s.url, s.join_token))
        .await
        .unwrap();
    client
        .find(Locator::Css("#knock"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let knock_id = clerk
        .wait_for("a knock", |e| match e {
            ClerkCallEvent::Knock { knock_id, .. } => Some(knock_id.clone()),
            _ => None,
        })
        .await;
    let admitted_at = Instant::now();
    clerk.commands.send(Command::Admit(knock_id)).unwrap();
    clerk
        .wait_for("the call connect", |e| {
            matches!(
                e,
                ClerkCallEvent::Call(CallEvent::State(CallState::Connected))
            )
            .then_some(())
        })
        .await;
    wait_for_text(
        &client,
        "#lobby-status",
        "U bent verbonden met de medewerker",
    )
    .await;
    eprintln!(
        "admit → connected on both sides: {:?}",
        admitted_at.elapsed()
    );

    // Video both ways for 10 s: the page presents the clerk's pictures, the engine decodes
    // the page's.
    let before = clerk.stats().await;
    let presented = frames_presented(&client, 10).await;
    let after = clerk.stats().await;
    let decoded = after.video_frames_decoded - before.video_frames_decoded;
    let seconds = (after.elapsed_ms - before.elapsed_ms) as f64 / 1000.0;
    eprintln!(
        "page presented {presented} frames in 10 s; engine decoded {decoded} in {seconds:.1} s; {after:#?}"
    );
    assert!(
        presented >= 250,
        "the page showed only {presented} frames in 10 s"
    );
    assert!(
        decoded as f64 / seconds >= 25.0,
        "the engine decoded only {decoded} frames in {seconds:.1} s"
    );
    assert_eq!(after.receive_resolution, "640x480");
    // Audio both ways: the page hears the tone; the engine decodes the page's Opus.
    let peak = remote_audio_peak(&client).await;
    assert!(peak > 0.05, "the page hears nothing (peak {peak})");
    let audio = clerk.stats().await.audio_packets_decoded - after.audio_packets_decoded;
    assert!(
        audio >= 50,
        "the engine decoded only {audio} audio packets in 1.5 s"
    );

    // Chat both ways, each confirmed.
    clerk
        .commands
        .send(Command::Chat("Goedemiddag, Dirk".into()))
        .unwrap();
    wait_for_text(&client, "#chat-log", "Medewerker: Goedemiddag, Dirk").await;
    clerk
        .wait_for("the chat delivery", |e| {
            matches!(e, ClerkCallEvent::Call(CallEvent::ChatDelivered { .. })).then_some(())
        })
        .await;
    let input = client.find(Locator::Css("#chat-input")).await.unwrap();
    input
        .send_keys("Dag mevrouw, ik hoor u goed")
        .await
        .unwrap();
    client
        .find(Locator::Css("#chat-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = clerk
        .wait_for("the citizen's chat", |e| match e {
            ClerkCallEvent::Call(CallEvent::Chat { text, .. }) => Some(text.clone()),
            _ => None,
        })
        .await;
    assert_eq!(text, "Dag mevrouw, ik hoor u goed");
    wait_for_text(
        &client,
        "#chat-log",
        "U: Dag mevrouw, ik hoor u goed (ontvangen)",
    )
    .await;

    // The citizen hangs up: the clerk hears it at once.
    client
        .find(Locator::Css("#hangup"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    clerk
        .wait_for("the citizen leave", |e| {
            (e == &ClerkCallEvent::CitizenLeft).then_some(())
        })
        .await;
    wait_for_text(&client, "#lobby-status", "U hebt het gesprek verlaten").await;
    let _ = clerk.commands.send(Command::End);
    let _ = client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_hangs_up_and_the_page_says_the_call_ended() {
    let s = setup().await;
    let mut clerk = Clerk::start(&s);
    let (client, _driver) = chromium_with(FAKE_MEDIA).await;
    client
        .goto(&format!("{}/j/{}?lang=fr", s.url, s.join_token))
        .await
        .unwrap();
    client
        .find(Locator::Css("#knock"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let knock_id = clerk
        .wait_for("a knock", |e| match e {
            ClerkCallEvent::Knock { knock_id, .. } => Some(knock_id.clone()),
            _ => None,
        })
        .await;
    clerk.commands.send(Command::Admit(knock_id)).unwrap();
    wait_for_text(&client, "#lobby-status", "Vous êtes connecté").await;
    clerk.commands.send(Command::End).unwrap();
    wait_for_text(&client, "#lobby-status", "L'entretien est terminé").await;
    let hidden: bool = client
        .execute("return document.getElementById('call').hidden", vec![])
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(hidden, "the call view is gone after the end");
    let _ = client.close().await;
}
