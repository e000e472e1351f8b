//! A clerk behind a town hall's firewall. `balie-call-cli` runs in a network namespace of
//! its own, joined to this machine by a veth pair; nftables in there drops everything
//! going out except TCP to the relay and to one port of coturn. No UDP leaves: no host or
//! server-reflexive path works, only the relayed candidate the engine gets over TCP from
//! coturn. Once with TURN over TCP on 3478, once with only TURN over TLS on 443 open (a
//! firewall that lets only the web out). The citizen is Chromium on this machine.

use super::*;
use std::process::{Command, Stdio};

/// The ports coturn relays on in these tests.
const RELAY_PORTS: std::ops::RangeInclusive<u16> = 49_500..=49_599;

/// A network namespace with a veth pair to this machine; removed when dropped.
struct Namespace {
    name: String,
    host_link: String,
    /// This machine's end.
    host_ip: String,
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Namespace {
    /// A namespace whose only way out is TCP to `host_ip` on `tcp_ports`.
    fn behind_firewall(subnet: u8, tcp_ports: &[u16]) -> Self {
        let id = format!("{}{subnet}", std::process::id() % 10_000);
        let ns = Namespace {
            name: format!("balie-fw-{id}"),
            host_link: format!("bfw{id}h"),
            host_ip: format!("10.201.{subnet}.1"),
        };
        let inner_link = format!("bfw{id}n");
        let inner_ip = format!("10.201.{subnet}.2");
        run(Command::new("ip").args(["netns", "add", &ns.name]));
        run(Command::new("ip").args([
            "link",
            "add",
            &ns.host_link,
            "type",
            "veth",
            "peer",
            "name",
            &inner_link,
        ]));
        run(Command::new("ip").args(["link", "set", &inner_link, "netns", &ns.name]));
        run(Command::new("ip").args([
            "addr",
            "add",
            &format!("{}/30", ns.host_ip),
            "dev",
            &ns.host_link,
        ]));
        run(Command::new("ip").args(["link", "set", &ns.host_link, "up"]));
        let inside = |args: &[&str]| {
            run(Command::new("ip")
                .args(["netns", "exec", &ns.name])
                .args(args))
        };
        inside(&["ip", "link", "set", "lo", "up"]);
        inside(&[
            "ip",
            "addr",
            "add",
            &format!("{inner_ip}/30"),
            "dev",
            &inner_link,
        ]);
        inside(&["ip", "link", "set", &inner_link, "up"]);
        let ports: Vec<String> = tcp_ports.iter().map(u16::to_string).collect();
        let rules = format!(
            "table inet townhall {{
               chain out {{
                 type filter hook output priority 0; policy drop;
                 oif lo accept
                 ip daddr {} tcp dport {{ {} }} accept
               }}
             }}",
            ns.host_ip,
            ports.join(", ")
        );
        inside(&["nft", &rules]);
        ns
    }

    /// A command that runs inside.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name, program]);
        command
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting the namespace removes its end of the pair, and with it ours.
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_link])
            .output();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
    }
}

/// A coturn on `ip` with UDP and TCP on 3478 and TLS on 443 (its certificate names `ip`);
/// stops when dropped.
struct Coturn {
    _child: Running,
    dir: tempfile::TempDir,
}

/// A child process, killed when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Coturn {
    fn start(ip: &str, secret: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec![ip.to_owned()]).unwrap();
        std::fs::write(dir.path().join("cert.pem"), cert.cert.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), cert.signing_key.serialize_pem()).unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let child = Command::new("turnserver")
            .args([
                "-n",
                &format!("--listening-ip={ip}"),
                &format!("--relay-ip={ip}"),
                "--listening-port=3478",
                "--tls-listening-port=443",
                &format!("--min-port={}", RELAY_PORTS.start()),
                &format!("--max-port={}", RELAY_PORTS.end()),
                "--use-auth-secret",
                &format!("--static-auth-secret={secret}"),
                "--realm=balie.test",
                "--no-dtls",
                "--no-cli",
                "--fingerprint",
                "--no-multicast-peers",
                &format!("--cert={}", path("cert.pem")),
                &format!("--pkey={}", path("key.pem")),
                &format!("--log-file={}", path("turn.log")),
                &format!("--pidfile={}", path("turn.pid")),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("turnserver (package coturn)");
        // Wait until it listens on 443 (TLS is the last listener it opens).
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect((ip, 443)).is_err() {
            assert!(std::time::Instant::now() < until, "coturn did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Coturn {
            _child: Running(child),
            dir,
        }
    }
}

/// Starts a namespace whose firewall lets out only TCP to the relay and to coturn's
/// `turn_port`, a coturn and a relay on this machine that hands out all three kinds of
/// TURN; then `balie-call-cli` in the namespace holds a call with a Chromium citizen.
/// Answers the cli's figures, its log and coturn's address.
async fn call_through_firewall(subnet: u8, way_out: WayOut) -> (serde_json::Value, String, String) {
    // The relay serves plain HTTP on loopback only; the namespace reaches it through a
    // forwarder on the veth, as a reverse proxy would stand in front of it.
    let forwarder = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let forwarded = forwarder.local_addr().unwrap().port();
    let host_ip = format!("10.201.{subnet}.1");
    let (ns, proxy) = match way_out {
        WayOut::Turn(port) => (Namespace::behind_firewall(subnet, &[forwarded, port]), None),
        WayOut::WebProxy => {
            let proxy_port = std::net::TcpListener::bind("0.0.0.0:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let ns = Namespace::behind_firewall(subnet, &[proxy_port]);
            (ns, Some(Tinyproxy::start(&host_ip, proxy_port)))
        }
    };
    let turn_ip = ns.host_ip.clone();
    let turn = Coturn::start(&turn_ip, "balie-test-secret");
    let s = setup_with(balie_relay::IceConfig {
        stun_urls: vec![format!("stun:{turn_ip}:3478")],
        turn_urls: vec![
            format!("turn:{turn_ip}:3478?transport=udp"),
            format!("turn:{turn_ip}:3478?transport=tcp"),
            format!("turns:{turn_ip}:443?transport=tcp"),
        ],
        turn_secret: Some(SecretString::from("balie-test-secret")),
        turn_ttl_seconds: 600,
    })
    .await;
    let relay: std::net::SocketAddr = s.url.trim_start_matches("http://").parse().unwrap();
    tokio::spawn(async move {
        while let Ok((mut from, _)) = forwarder.accept().await {
            tokio::spawn(async move {
                if let Ok(mut to) = tokio::net::TcpStream::connect(relay).await {
                    let _ = tokio::io::copy_bidirectional(&mut from, &mut to).await;
                }
            });
        }
    });
    let home = tempfile::tempdir().unwrap();
    let stats_path = home.path().join("stats.json");
    let mut cli = ns.command(env!("CARGO_BIN_EXE_balie-call-cli"));
    if let Some(proxy) = &proxy {
        let url = format!("http://{host_ip}:{}", proxy.port);
        cli.env("HTTPS_PROXY", &url).env("http_proxy", &url);
    }
    let mut cli = cli
        .args([
            "--relay",
            &format!("http://{turn_ip}:{forwarded}"),
            "--duration",
            "4",
            "--wait",
            "60",
            "--stats-json",
            stats_path.to_str().unwrap(),
        ])
        .env("BALIE_CLERK_TOKEN", &s.token)
        .env("HOME", home.path())
        .env("BALIE_LOG", "balie_call=info")
        // coturn's own certificate is the one the clerk's machine trusts.
        .env("SSL_CERT_FILE", turn.dir.path().join("cert.pem"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = super::cli::join_link(&mut cli).await;
    assert!(url.contains("/j/"), "no join link: {url:?}");
    let (client, _driver) = super::cli::citizen_knocks(&url).await;
    let (stderr, stats) = super::cli::finished(cli, &stats_path).await;
    let _ = client.close().await;
    // The log without its colours.
    let mut log = String::new();
    let mut in_escape = false;
    for c in stderr.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (false, c) => log.push(c),
            (true, 'm') => in_escape = false,
            (true, _) => {}
        }
    }
    if let Some(proxy) = proxy {
        let proxied = std::fs::read_to_string(proxy.dir.path().join("tinyproxy.log")).unwrap();
        log.push_str("\n--- tinyproxy ---\n");
        log.push_str(&proxied);
    }
    (stats, log, turn_ip)
}

/// What the namespace's firewall lets out besides the relay.
enum WayOut {
    /// TCP to this port of coturn.
    Turn(u16),
    /// Only TCP to a web proxy (tinyproxy), through which everything else must go.
    WebProxy,
}

/// tinyproxy on `ip`, letting the namespace in; stops when dropped.
struct Tinyproxy {
    _child: Running,
    port: u16,
    dir: tempfile::TempDir,
}

impl Tinyproxy {
    fn start(ip: &str, port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("tinyproxy.conf");
        let network = ip.rsplit_once('.').unwrap().0;
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListen {ip}\nTimeout 600\nAllow {network}.0/30\nLogLevel Connect\n\
                 LogFile \"{}\"\nPidFile \"{}\"\n",
                dir.path().join("tinyproxy.log").display(),
                dir.path().join("tinyproxy.pid").display()
            ),
        )
        .unwrap();
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tinyproxy (package tinyproxy-bin)");
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect((ip, port)).is_err() {
            assert!(std::time::Instant::now() < until, "tinyproxy did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Tinyproxy {
            _child: Running(child),
            port,
            dir,
        }
    }
}

/// The clerk's side of the pair in use is one of coturn's relayed addresses, and pictures
/// went both ways.
fn assert_relayed(stats: &serde_json::Value, turn_ip: &str) {
    let pair = stats["candidate_pair"].as_str().unwrap_or_default();
    let local = pair.split(" → ").next().unwrap_or_default();
    let (ip, port) = local.rsplit_once(':').unwrap_or_default();
    assert!(
        ip == turn_ip && RELAY_PORTS.contains(&port.parse().unwrap_or(0)),
        "the clerk's side is not relayed: {pair} ({stats})"
    );
    let n = |key: &str| stats[key].as_u64().unwrap_or(0);
    assert!(n("video_frames_decoded") >= 30, "{stats}");
    assert!(n("video_frames_sent") >= 30, "{stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_whose_firewall_drops_udp_calls_through_turn_over_tcp() {
    let _serial = serial().await;
    let (stats, log, turn_ip) = call_through_firewall(1, WayOut::Turn(3478)).await;
    assert_relayed(&stats, &turn_ip);
    assert!(log.contains("TURN allocation made transport=Tcp"), "{log}");
    assert!(!log.contains("made transport=Udp"), "UDP got out: {log}");
    eprintln!(
        "set-up through TURN over TCP, offer sent to ICE connected in the clerk's engine: {} ms",
        stats["offer_to_connected_ms"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_with_only_the_web_open_calls_through_turn_over_tls_on_443() {
    let _serial = serial().await;
    let (stats, log, turn_ip) = call_through_firewall(2, WayOut::Turn(443)).await;
    assert_relayed(&stats, &turn_ip);
    assert!(log.contains("TURN allocation made transport=Tls"), "{log}");
    assert!(
        !log.contains("made transport=Tcp") && !log.contains("made transport=Udp"),
        "{log}"
    );
    eprintln!(
        "set-up through TURN over TLS on 443, offer sent to ICE connected in the clerk's engine: {} ms",
        stats["offer_to_connected_ms"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_whose_only_way_out_is_the_web_proxy_calls_through_it() {
    let _serial = serial().await;
    let (stats, log, turn_ip) = call_through_firewall(3, WayOut::WebProxy).await;
    assert_relayed(&stats, &turn_ip);
    // Everything went through tinyproxy: the relay's API over plain HTTP, the signaling
    // WebSocket and TURN (TCP and TLS) as CONNECT tunnels.
    assert!(log.contains("TURN allocation made"), "{log}");
    assert!(
        log.contains("Request (file descriptor"),
        "no request through the proxy: {log}"
    );
    assert!(
        log.contains("/api/rooms"),
        "the API did not go through the proxy: {log}"
    );
    assert!(log.contains(&format!("CONNECT {turn_ip}:443")), "{log}");
    eprintln!(
        "set-up through the web proxy and TURN, offer sent to ICE connected in the clerk's engine: {} ms",
        stats["offer_to_connected_ms"]
    );
}
