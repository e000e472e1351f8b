//! A real call: the engine (headless, synthetic source) against Debian's Chromium running
//! the real citizen page with fake camera and microphone, through a real relay.

use super::citizen_page::{FAKE_MEDIA, chromium_with, wait_for_text};
use super::*;
use balie_call::{CallConfig, CallEvent, CallState, CallStats, ClerkCall, ClerkCallEvent};
use fantoccini::Locator;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

pub(super) enum Command {
    Admit(String),
    /// Prepare the engine; answers whether one runs for a citizen not let in.
    Prepare(oneshot::Sender<bool>),
    /// Decline the knock; answers whether an engine still runs for them.
    Decline(String, oneshot::Sender<bool>),
    Chat(String),
    Pay(Box<balie_protocol::channel::PaymentCard>),
    Stats(oneshot::Sender<Option<CallStats>>),
    RestartIce,
    End,
}

/// The clerk side, pumped by its own task so signals flow while the test drives Chromium.
pub(super) struct Clerk {
    pub(super) events: mpsc::UnboundedReceiver<ClerkCallEvent>,
    pub(super) commands: mpsc::UnboundedSender<Command>,
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
                        Some(Command::Prepare(reply)) => {
                            call.prepare().await.unwrap();
                            let _ = reply.send(call.prepared());
                        }
                        Some(Command::Decline(knock_id, reply)) => {
                            call.decline(knock_id).await;
                            let _ = reply.send(call.prepared() || call.call().is_some());
                        }
                        Some(Command::Chat(text)) => {
                            call.call_mut().expect("a call").send_chat(&text).await;
                        }
                        Some(Command::Pay(card)) => {
                            call.call().expect("a call").send_payment(*card).await;
                        }
                        Some(Command::Stats(reply)) => { let _ = reply.send(call.stats()); }
                        Some(Command::RestartIce) => call.call().expect("a call").restart_ice().await,
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
    pub(super) async fn wait_for<T>(
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

    /// Waits until the engine says the call is connected.
    pub(super) async fn wait_connected(&mut self) {
        self.wait_for("the call connect", |e| {
            matches!(
                e,
                ClerkCallEvent::Call(CallEvent::State(CallState::Connected))
            )
            .then_some(())
        })
        .await;
    }

    /// Waits for a knock and lets the citizen in; returns when.
    async fn admit_next_knock(&mut self) -> Instant {
        let knock_id = self
            .wait_for("a knock", |e| match e {
                ClerkCallEvent::Knock { knock_id, .. } => Some(knock_id.clone()),
                _ => None,
            })
            .await;
        let at = Instant::now();
        self.commands.send(Command::Admit(knock_id)).unwrap();
        at
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

/// The clerk's side starts, a Chromium citizen opens the join link with `query` and
/// knocks, and the clerk lets them in; returns when that happened.
pub(super) async fn citizen_let_in(
    s: &Setup,
    query: &str,
) -> (Clerk, fantoccini::Client, super::chromium::Driver, Instant) {
    let mut clerk = Clerk::start(s);
    let (client, driver) = chromium_with(FAKE_MEDIA).await;
    // A phone, as the citizen's: in a call the clerk's picture fills the page, and on a
    // desktop-sized headless window its painting alone costs frames on two cores.
    balie_testkit::seen::set_viewport(&client, 360, 640).await;
    client
        .goto(&format!("{}/j/{}?{query}", s.url, s.join_token))
        .await
        .unwrap();
    super::chromium::click(&client, "#knock").await;
    let admitted_at = clerk.admit_next_knock().await;
    (clerk, client, driver, admitted_at)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_carries_video_audio_and_chat_both_ways_and_the_citizen_hangs_up() {
    let _serial = serial().await;
    let s = setup().await;
    let (mut clerk, client, _driver, admitted_at) = citizen_let_in(&s, "lang=nl").await;
    clerk.wait_connected().await;
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
    // At least 20 pictures a second shown: the clerk's 30 reach the page and flow. What
    // headless Chromium presents on this 2-core machine while the engine runs beside it
    // varies with the load: 268 here, and 253 and 258 with the page from before issue
    // 13's layout; 240 and 243 in two CI runs of 2026-12-03. How smooth it is is
    // measured in `benches/call.sh`, not here.
    assert!(
        presented >= 200,
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
    clerk
        .wait_for("the chat delivery", |e| {
            matches!(e, ClerkCallEvent::Call(CallEvent::ChatDelivered { .. })).then_some(())
        })
        .await;
    // The chat is closed on a phone: its button counts the unread message, and the
    // message is said to screen readers; opening the chat shows it.
    super::chromium::wait_for_content(&client, "#chat-open", "1 ongelezen").await;
    super::chromium::wait_for_content(
        &client,
        "#announce",
        "Nieuw bericht van de medewerker: Goedemiddag, Dirk",
    )
    .await;
    balie_testkit::seen::wait_seen(&client, "#chat-unread").await;
    super::chromium::click(&client, "#chat-open").await;
    wait_for_text(&client, "#chat-log", "Medewerker: Goedemiddag, Dirk").await;
    balie_testkit::seen::wait_seen(&client, "#chat-input").await;
    balie_testkit::seen::assert_not_rendered(&client, "#chat-unread").await;
    let input = client.find(Locator::Css("#chat-input")).await.unwrap();
    input
        .send_keys("Dag mevrouw, ik hoor u goed")
        .await
        .unwrap();
    super::chromium::click(&client, "#chat-form button[type=submit]").await;
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
    super::chromium::click(&client, "#hangup").await;
    clerk
        .wait_for("the citizen leave", |e| {
            (e == &ClerkCallEvent::CitizenLeft).then_some(())
        })
        .await;
    wait_for_text(&client, "#lobby-status", "U hebt het gesprek verlaten").await;
    let _ = clerk.commands.send(Command::End);
    let _ = client.close().await;
}

/// The knock of a citizen who opened the join link, once it reaches the clerk.
async fn knock_of(
    s: &Setup,
    clerk: &mut Clerk,
) -> (String, fantoccini::Client, super::chromium::Driver) {
    let (client, driver) = chromium_with(FAKE_MEDIA).await;
    balie_testkit::seen::set_viewport(&client, 360, 640).await;
    client
        .goto(&format!("{}/j/{}?lang=nl", s.url, s.join_token))
        .await
        .unwrap();
    super::chromium::click(&client, "#knock").await;
    let knock_id = clerk
        .wait_for("a knock", |e| match e {
            ClerkCallEvent::Knock { knock_id, .. } => Some(knock_id.clone()),
            _ => None,
        })
        .await;
    (knock_id, client, driver)
}

/// A citizen knocking and the clerk's engine prepared for them.
async fn prepared_knock(s: &Setup) -> (Clerk, String, fantoccini::Client, super::chromium::Driver) {
    let mut clerk = Clerk::start(s);
    let (knock_id, client, driver) = knock_of(s, &mut clerk).await;
    let (tx, rx) = oneshot::channel();
    clerk.commands.send(Command::Prepare(tx)).unwrap();
    assert!(rx.await.unwrap(), "an engine runs for the knocking citizen");
    (clerk, knock_id, client, driver)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_prepared_at_the_knock_is_silent_until_the_admit_and_then_connects() {
    let _serial = serial().await;
    let s = setup().await;
    let (mut clerk, knock_id, client, _driver) = prepared_knock(&s).await;

    // Before the admit the engine's events wait, and the citizen still waits outside.
    tokio::time::sleep(Duration::from_secs(1)).await;
    while let Ok(event) = clerk.events.try_recv() {
        assert!(
            !matches!(event, ClerkCallEvent::Call(_)),
            "an engine event before the admit: {event:?}"
        );
    }
    let lobby = client
        .find(Locator::Css("#lobby-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!lobby.contains("verbonden"), "not let in yet: {lobby}");

    // Let in: the held events come (which devices the engine opened), and the call connects.
    clerk.commands.send(Command::Admit(knock_id)).unwrap();
    clerk
        .wait_for("the engine's devices, held until the admit", |e| {
            matches!(e, ClerkCallEvent::Call(CallEvent::Devices { .. })).then_some(())
        })
        .await;
    clerk.wait_connected().await;
    wait_for_text(
        &client,
        "#lobby-status",
        "U bent verbonden met de medewerker",
    )
    .await;
    clerk.commands.send(Command::End).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declining_a_knock_stops_the_engine_prepared_for_it() {
    let _serial = serial().await;
    let s = setup().await;
    let (clerk, knock_id, client, _driver) = prepared_knock(&s).await;
    let (tx, rx) = oneshot::channel();
    clerk.commands.send(Command::Decline(knock_id, tx)).unwrap();
    assert!(!rx.await.unwrap(), "no engine runs after the decline");
    wait_for_text(&client, "#lobby-status", "kan u nu niet ontvangen").await;
    clerk.commands.send(Command::End).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawn_knock_stops_the_engine_prepared_for_it() {
    let _serial = serial().await;
    let s = setup().await;
    let (mut clerk, _knock_id, client, _driver) = prepared_knock(&s).await;
    // The citizen gives up: the page goes.
    let _ = client.close().await;
    clerk
        .wait_for("the knock withdrawn", |e| {
            (e == &ClerkCallEvent::KnockWithdrawn).then_some(())
        })
        .await;
    // Whether an engine still runs (a decline answers it; nobody is knocking now).
    let (tx, rx) = oneshot::channel();
    clerk
        .commands
        .send(Command::Decline("gone".into(), tx))
        .unwrap();
    assert!(!rx.await.unwrap(), "no engine runs after the withdrawal");
    clerk.commands.send(Command::End).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_hangs_up_and_the_page_says_the_call_ended() {
    let _serial = serial().await;
    let s = setup().await;
    let (clerk, client, _driver, _) = citizen_let_in(&s, "lang=fr").await;
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

/// A coturn on loopback with the TURN REST API secret; stops when dropped.
struct Coturn {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Relay ports coturn hands out in these tests, to recognise relayed traffic.
const TURN_RELAY_PORTS: std::ops::RangeInclusive<u16> = 49_400..=49_499;

fn coturn(secret: &str) -> Coturn {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            &format!("--listening-port={port}"),
            &format!("--min-port={}", TURN_RELAY_PORTS.start()),
            &format!("--max-port={}", TURN_RELAY_PORTS.end()),
            "--use-auth-secret",
            &format!("--static-auth-secret={secret}"),
            "--realm=balie.test",
            "--no-tls",
            "--no-dtls",
            "--no-tcp",
            "--no-cli",
            "--fingerprint",
            "--allow-loopback-peers",
            "--no-multicast-peers",
        ])
        .arg(format!(
            "--log-file={}",
            dir.path().join("turn.log").display()
        ))
        .arg(format!(
            "--pidfile={}",
            dir.path().join("turn.pid").display()
        ))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("turnserver (package coturn)");
    Coturn {
        child,
        port,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_forced_through_turn_still_gets_the_call() {
    let _serial = serial().await;
    let (_turn, _s, clerk, client, _driver) = relayed_call("en").await;
    wait_for_text(&client, "#lobby-status", "You are connected").await;
    let presented = frames_presented(&client, 3).await;
    let stats = clerk.stats().await;
    // The engine talks to a port of coturn's relay range: the media went through TURN.
    let pair = stats.candidate_pair.clone().unwrap_or_default();
    let remote_port: u16 = pair.rsplit(':').next().unwrap_or("0").parse().unwrap_or(0);
    assert!(
        TURN_RELAY_PORTS.contains(&remote_port),
        "not relayed: {pair}"
    );
    assert!(
        presented >= 60,
        "only {presented} frames in 3 s through TURN"
    );
    assert!(stats.video_frames_decoded >= 60, "{stats:#?}");
    let _ = clerk.commands.send(Command::End);
    let _ = client.close().await;
}

/// Connects a relay-only citizen through a fresh coturn; returns what the tests need.
async fn relayed_call(
    lang: &str,
) -> (
    Coturn,
    Setup,
    Clerk,
    fantoccini::Client,
    super::chromium::Driver,
) {
    let turn = coturn("balie-test-secret");
    let s = setup_with(balie_relay::IceConfig {
        stun_urls: vec![format!("stun:127.0.0.1:{}", turn.port)],
        turn_urls: vec![format!("turn:127.0.0.1:{}?transport=udp", turn.port)],
        turn_secret: Some(SecretString::from("balie-test-secret")),
        turn_ttl_seconds: 600,
    })
    .await;
    let (mut clerk, client, driver, _) =
        citizen_let_in(&s, &format!("lang={lang}&ice=relay")).await;
    clerk.wait_connected().await;
    (turn, s, clerk, client, driver)
}

/// Waits until the engine has decoded `more` pictures beyond `from`; panics after `within`.
async fn engine_decodes(clerk: &Clerk, from: u64, more: u64, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let decoded = clerk.stats().await.video_frames_decoded;
        if decoded >= from + more {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "the engine decoded only {} pictures in {within:?}",
            decoded - from
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stops all media UDP for `cut`: the TURN server every packet passes through is frozen
/// (SIGSTOP), then thawed. Returns how long after the thaw the page showed pictures
/// again (a second with at least 10: the picture moves, even if the congestion controller
/// still holds the rate low); panics if that takes longer than the cut plus 15 s.
async fn cut_media(
    turn: &Coturn,
    clerk: &Clerk,
    client: &fantoccini::Client,
    cut: Duration,
) -> Duration {
    let pid = turn.child.id().to_string();
    let signal = |sig: &str| {
        let status = std::process::Command::new("kill")
            .args([sig, &pid])
            .status()
            .unwrap();
        assert!(status.success());
    };
    signal("-STOP");
    tokio::time::sleep(cut).await;
    let frozen = clerk.stats().await.video_frames_decoded;
    signal("-CONT");
    let thawed = Instant::now();
    let within = cut + Duration::from_secs(15);
    let decoding = engine_decodes(clerk, frozen, 60, within).await;
    loop {
        let presented = frames_presented(client, 1).await;
        let st = clerk.stats().await;
        eprintln!(
            "{:?}: page {presented}, sent {}, est {:?}, res {}, restarts {}",
            thawed.elapsed(),
            st.video_frames_sent,
            st.estimate_bps,
            st.send_resolution,
            st.ice_restarts
        );
        if presented >= 10 {
            break;
        }
        assert!(
            thawed.elapsed() < within,
            "the page did not recover: {:#?}",
            clerk.stats().await
        );
    }
    let showing = thawed.elapsed();
    eprintln!(
        "after {cut:?} without UDP: engine decoding again in {decoding:?}, page showing pictures again within {showing:?}"
    );
    showing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thirty_second_media_cut_heals_without_anyone_acting() {
    let _serial = serial().await;
    let (turn, _s, clerk, client, _driver) = relayed_call("nl").await;
    wait_for_text(&client, "#lobby-status", "U bent verbonden").await;
    let healed = cut_media(&turn, &clerk, &client, Duration::from_secs(30)).await;
    balie_testkit::matrix::row("media path cut for 30 s (TURN frozen)", None, Some(healed));
    let _ = clerk.commands.send(Command::End);
    let _ = client.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ice_restart_and_a_five_second_udp_outage_heal_without_anyone_acting() {
    let _serial = serial().await;
    let (turn, _s, clerk, client, _driver) = relayed_call("nl").await;
    wait_for_text(&client, "#lobby-status", "U bent verbonden").await;

    // An ICE restart mid-call (what the cockpit does when its network changes).
    let before = clerk.stats().await;
    clerk.commands.send(Command::RestartIce).unwrap();
    engine_decodes(
        &clerk,
        before.video_frames_decoded,
        60,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(clerk.stats().await.ice_restarts, 1);
    let presented = frames_presented(&client, 2).await;
    assert!(
        presented >= 40,
        "the page froze after the restart: {presented} in 2 s"
    );

    let healed = cut_media(&turn, &clerk, &client, Duration::from_secs(5)).await;
    balie_testkit::matrix::row("media path cut for 5 s (TURN frozen)", None, Some(healed));
    let _ = clerk.commands.send(Command::End);
    let _ = client.close().await;
}

/// A relay on its own runtime and thread, which can die as its process would (every
/// socket closed, everything it held in memory gone) and start again on the same port
/// and database.
struct OwnRelay {
    url: String,
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl OwnRelay {
    fn start(config: balie_relay::RelayConfig) -> Self {
        let (ready_tx, ready) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let relay = balie_relay::Relay::bind(config).await.unwrap();
                let addr = relay.local_addr();
                ready_tx
                    .send((relay.public_url().to_string(), addr))
                    .unwrap();
                tokio::select! {
                    _ = relay.serve(std::future::pending()) => {}
                    _ = stopped => {}
                }
            });
            // Every task of the relay is dropped: its sockets close, as at a crash.
            runtime.shutdown_background();
        });
        let (url, addr) = ready.recv().unwrap();
        Self {
            url,
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Dies at once.
    fn kill(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

impl Drop for OwnRelay {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_restart_mid_call_leaves_the_call_up_and_signaling_comes_back() {
    let _serial = serial().await;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let config = balie_relay::RelayConfig::loopback(dir.path().to_path_buf());
    let token = {
        let db = balie_store::open(&config.database_path(), &balie_store::relay::SCHEMA).unwrap();
        balie_relay::add_clerk(&db, "an")
            .unwrap()
            .secret()
            .expose_secret()
            .to_string()
    };
    let mut relay = OwnRelay::start(config);
    let room: balie_protocol::CreateRoomResponse = reqwest::Client::new()
        .post(format!("{}/api/rooms", relay.url))
        .bearer_auth(&token)
        .json(&balie_protocol::CreateRoomRequest::default())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let s = Setup {
        url: relay.url.clone(),
        token,
        room_id: room.room_id,
        join_token: room.join_url.rsplit('/').next().unwrap().to_string(),
        _dir: dir,
    };
    let (mut clerk, client, _driver, _) = citizen_let_in(&s, "lang=nl").await;
    clerk.wait_connected().await;
    wait_for_text(&client, "#lobby-status", "U bent verbonden").await;

    // The relay dies for three seconds. The media does not pass through it: the call
    // goes on meanwhile.
    relay.kill();
    let before = clerk.stats().await.video_frames_decoded;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let during = clerk.stats().await.video_frames_decoded - before;
    assert!(
        during >= 45,
        "the call stalled while the relay was down: {during} pictures in 3 s"
    );
    let mut config = balie_relay::RelayConfig::loopback(s._dir.path().to_path_buf());
    config.listen = relay.addr;
    let restarted = Instant::now();
    let _relay = OwnRelay::start(config);

    // Both sides come back by themselves: the citizen with their resume secret, so the
    // clerk hears "back" and is not rung with a new knock. Whichever side is first: the
    // clerk hears "back", or reconnects to find the citizen already in.
    clerk
        .wait_for("the citizen back", |e| match e {
            ClerkCallEvent::CitizenBack
            | ClerkCallEvent::RelayConnected {
                citizen_present: true,
            } => Some(()),
            ClerkCallEvent::Knock { .. } => panic!("the citizen had to knock again"),
            _ => None,
        })
        .await;
    let back = restarted.elapsed();
    // Signaling works end to end again: an ICE restart goes through it and heals.
    let before = clerk.stats().await;
    clerk.commands.send(Command::RestartIce).unwrap();
    engine_decodes(
        &clerk,
        before.video_frames_decoded,
        60,
        Duration::from_secs(10),
    )
    .await;
    let presented = frames_presented(&client, 1).await;
    assert!(
        presented >= 10,
        "the page froze: {presented} pictures in 1 s"
    );
    let status = client
        .find(Locator::Css("#lobby-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        status.contains("U bent verbonden"),
        "the page fell back to the lobby: {status:?}"
    );
    eprintln!(
        "relay down 3 s: {during} pictures decoded meanwhile; citizen back {back:?} after the restart"
    );
    balie_testkit::matrix::row("relay restart mid-call (down 3 s)", None, Some(back));
    let _ = clerk.commands.send(Command::End);
    let _ = client.close().await;
}
