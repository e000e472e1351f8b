//! TURN on the clerk's side: a relayed candidate through the coturn next to the relay, so a
//! call gets through a town hall that blocks outgoing UDP. One task per TURN URL the relay
//! hands out (UDP, TCP, TLS), each with its own connection to the server; the TURN
//! protocol itself is `turn-client-proto` (sans-IO, as str0m is), TLS is `tokio-rustls`
//! under it with the system's trusted certificates.
//!
//! Over TCP and TLS the task cuts the stream into messages itself and pads the channel
//! data it sends, which RFC 8656 asks for on streams and turn-client-proto 0.7 does not do.
//!
//! The driver sees a relayed candidate like any other: str0m sends from the relayed
//! address, the driver hands that to the task ([`TurnLink::send`]), and what peers send to
//! the relayed address comes back as a [`Packet`] addressed to it.

use balie_protocol::signaling::IceServer;
use secrecy::{ExposeSecret as _, SecretString};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use turn_client_proto::api::{TurnClientApi as _, TurnConfig};
use turn_client_proto::client::TurnClient;
use turn_client_proto::types::TransportType;
use turn_client_proto::types::TurnCredentials;
use turn_client_proto::{tcp::TurnClientTcp, udp::TurnClientUdp};

use super::network::Packet;

/// How the clerk's machine reaches the TURN server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transport {
    /// `turn:…?transport=udp` (or no transport).
    Udp,
    /// `turn:…?transport=tcp`: gets through a firewall that only lets TCP out.
    Tcp,
    /// `turns:…`: TLS over TCP, on port 443 through a firewall that only lets the web out.
    Tls,
}

/// One TURN server with the credentials the relay handed out.
#[derive(Clone)]
pub(super) struct TurnServer {
    pub(super) transport: Transport,
    pub(super) host: String,
    pub(super) port: u16,
    username: String,
    password: SecretString,
}

impl std::fmt::Debug for TurnServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials stay out of logs.
        write!(f, "{:?} {}:{}", self.transport, self.host, self.port)
    }
}

/// The TURN servers among the relay's ICE servers; URLs that are not TURN, or TURN without
/// credentials, or that cannot be read, are left out.
pub(super) fn servers(ice: &[IceServer]) -> Vec<TurnServer> {
    let mut out = Vec::new();
    for server in ice {
        let (Some(username), Some(password)) = (&server.username, &server.credential) else {
            continue;
        };
        for url in &server.urls {
            if let Some((transport, host, port)) = parse_url(url) {
                out.push(TurnServer {
                    transport,
                    host,
                    port,
                    username: username.clone(),
                    password: SecretString::from(password.clone()),
                });
            }
        }
    }
    out
}

/// Reads a `turn:` or `turns:` URL (RFC 7065): `turn:host[:port][?transport=udp|tcp]`,
/// the host possibly an IPv6 address in brackets; the port defaults to 3478 (5349 for
/// `turns:`).
fn parse_url(url: &str) -> Option<(Transport, String, u16)> {
    let (secure, rest) = if let Some(rest) = url.strip_prefix("turns:") {
        (true, rest)
    } else {
        (false, url.strip_prefix("turn:")?)
    };
    let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
    let transport = match (secure, query) {
        (true, "" | "transport=tcp") => Transport::Tls,
        (false, "" | "transport=udp") => Transport::Udp,
        (false, "transport=tcp") => Transport::Tcp,
        _ => return None,
    };
    let default_port = if secure { 5349 } else { 3478 };
    let (host, port) = if let Some(v6) = address.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        match after.strip_prefix(':') {
            Some(port) => (host, port.parse().ok()?),
            None if after.is_empty() => (host, default_port),
            None => return None,
        }
    } else {
        match address.split_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (address, default_port),
        }
    };
    (!host.is_empty() && port != 0).then(|| (transport, host.to_owned(), port))
}

/// What a TURN task tells the driver.
#[derive(Debug)]
pub(super) enum TurnReport {
    /// The server gave us `relayed`; we talk to it from `local`.
    Allocated {
        /// Which link ([`TurnLink::id`]).
        link: u64,
        /// The relayed address peers send to.
        relayed: SocketAddr,
        /// Our side of the connection to the server.
        local: SocketAddr,
    },
    /// The link is gone (server unreachable, credentials refused, connection closed).
    Lost {
        /// Which link.
        link: u64,
    },
}

/// The driver's end of one TURN task.
pub(super) struct TurnLink {
    /// Unique among all links of the engine, also those opened again after a network
    /// change, so a late report of an old link is not taken for a new one's.
    pub(super) id: u64,
    /// Set once the server allocated.
    pub(super) relayed: Option<SocketAddr>,
    /// Data to send to a peer through the server.
    to_task: mpsc::Sender<(SocketAddr, Vec<u8>)>,
}

impl TurnLink {
    /// Starts a task that allocates on `server` and relays until the link is dropped.
    pub(super) fn start(
        server: TurnServer,
        packets: mpsc::Sender<Packet>,
        reports: mpsc::Sender<TurnReport>,
    ) -> Self {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let link = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (to_task, mut from_driver) = mpsc::channel(512);
        tokio::spawn(async move {
            let transport = server.transport;
            let mut backoff = RECONNECT_FIRST;
            loop {
                let started = std::time::Instant::now();
                match run(link, &server, &mut from_driver, &packets, &reports).await {
                    // The driver dropped its end: the allocation is deleted.
                    Ok(()) => return,
                    Err(e) => tracing::info!(?transport, error = %e, "TURN link ended"),
                }
                if reports.send(TurnReport::Lost { link }).await.is_err() {
                    return;
                }
                // Open it again (a restarted coturn, a proxy that cut the tunnel), waiting
                // longer each time it fails soon.
                if started.elapsed() > RECONNECT_MAX {
                    backoff = RECONNECT_FIRST;
                }
                let wait = tokio::time::sleep(backoff);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        () = &mut wait => break,
                        // What the driver sends meanwhile has nowhere to go.
                        outgoing = from_driver.recv() => if outgoing.is_none() { return },
                    }
                }
                backoff = (backoff * 2).min(RECONNECT_MAX);
            }
        });
        Self {
            id: link,
            relayed: None,
            to_task,
        }
    }

    /// Sends `data` to `peer` through the server; dropped when the task is busy (ICE and
    /// RTP recover from a lost packet, a full queue must not stall the driver).
    pub(super) fn send(&self, peer: SocketAddr, data: Vec<u8>) {
        let _ = self.to_task.try_send((peer, data));
    }
}

/// The first wait before opening a lost link again, and the longest.
const RECONNECT_FIRST: Duration = Duration::from_secs(2);
const RECONNECT_MAX: Duration = Duration::from_secs(60);

/// At most this many peers get a permission and a channel on one allocation (a call has a
/// handful of candidates; the limit keeps a long conversation with many ICE restarts from
/// growing without end).
const MAX_PEERS: usize = 64;

/// How long one write to the server may take before the link counts as broken.
const WRITE_WITHIN: Duration = Duration::from_secs(5);

/// How long looking up the TURN server's name may take.
const LOOKUP_WITHIN: Duration = Duration::from_secs(5);

/// Why a TURN link ended.
#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("TURN server not found")]
    NotFound,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("the TURN server closed the allocation or refused it")]
    Closed,
}

/// How long a TLS handshake with the TURN server may take.
const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// The connection to the server: a UDP socket, or a TCP stream (plain or TLS) carrying
/// STUN and ChannelData messages one after another (RFC 8656 section 3.3).
enum Wire {
    Udp(UdpSocket),
    Stream(Box<dyn Stream>),
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

impl Wire {
    async fn send(&mut self, data: &[u8]) -> std::io::Result<()> {
        match self {
            // A connected socket: the server is the only destination.
            Wire::Udp(socket) => socket.send(data).await.map(|_| ()),
            Wire::Stream(stream) => {
                // Channel data on a stream is padded to four bytes (RFC 8656 section
                // 12.5); turn-client-proto 0.7 leaves that to us.
                let padding = if is_channel_data(data) {
                    (4 - data.len() % 4) % 4
                } else {
                    0
                };
                let mut message = Vec::with_capacity(data.len() + padding);
                message.extend_from_slice(data);
                message.resize(data.len() + padding, 0);
                // A server (or proxy) that stops reading ends the link instead of holding
                // it; TLS keeps records until flushed.
                tokio::time::timeout(WRITE_WITHIN, async {
                    stream.write_all(&message).await?;
                    stream.flush().await
                })
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
            }
        }
    }

    async fn recv(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Wire::Udp(socket) => socket.recv(buf).await,
            Wire::Stream(stream) => stream.read(buf).await,
        }
    }
}

/// Whether a message is ChannelData: a channel number 0x4000 to 0x4FFF (RFC 8656
/// section 12); STUN's first two bits are 00.
fn is_channel_data(message: &[u8]) -> bool {
    message.first().is_some_and(|b| (0x40..=0x4f).contains(b))
}

/// Cuts what comes over a stream from the server into whole messages: STUN (20 bytes of
/// header and its length) and ChannelData (4 and its length, padded to four bytes, the
/// padding dropped here because turn-client-proto 0.7 does not expect it).
#[derive(Default)]
struct Framer {
    buffered: Vec<u8>,
}

/// More than this waiting for the rest of a message means the stream is not TURN.
const MAX_BUFFERED: usize = 2 * 65_560;

impl Framer {
    fn push(&mut self, data: &[u8]) -> Result<(), LinkError> {
        if self.buffered.len() + data.len() > MAX_BUFFERED {
            return Err(LinkError::Closed);
        }
        self.buffered.extend_from_slice(data);
        Ok(())
    }

    /// The next whole message, if it is all there; an error for anything that is neither
    /// STUN (first two bits 00 and the magic cookie) nor ChannelData (a channel number
    /// 0x4000 to 0x4FFF): that stream is not TURN, and the link ends.
    fn next(&mut self) -> Result<Option<Vec<u8>>, LinkError> {
        let Some(header) = self.buffered.get(..8) else {
            return Ok(None);
        };
        let length = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let (message, taken) = if is_channel_data(header) {
            (4 + length, (4 + length).next_multiple_of(4))
        } else if header[0] & 0xc0 == 0 && header[4..8] == [0x21, 0x12, 0xa4, 0x42] {
            (20 + length, 20 + length)
        } else {
            return Err(LinkError::Closed);
        };
        if self.buffered.len() < taken {
            return Ok(None);
        }
        let frame = self.buffered[..message].to_vec();
        self.buffered.drain(..taken);
        Ok(Some(frame))
    }
}

/// Opens the connection to `server`; answers it with both ends' addresses.
async fn connect(server: &TurnServer) -> Result<(Wire, SocketAddr, SocketAddr), LinkError> {
    if server.transport == Transport::Udp {
        let addresses: Vec<SocketAddr> = tokio::time::timeout(
            LOOKUP_WITHIN,
            tokio::net::lookup_host((server.host.as_str(), server.port)),
        )
        .await
        .map_err(|_| LinkError::NotFound)?
        .map_err(|_| LinkError::NotFound)?
        .collect();
        // IPv4 first: that is where coturn's relay addresses usually are.
        let remote = addresses
            .iter()
            .find(|a| a.is_ipv4())
            .or(addresses.first())
            .copied()
            .ok_or(LinkError::NotFound)?;
        let any: IpAddr = if remote.is_ipv4() {
            [0, 0, 0, 0].into()
        } else {
            std::net::Ipv6Addr::UNSPECIFIED.into()
        };
        let socket = UdpSocket::bind(SocketAddr::new(any, 0)).await?;
        socket.connect(remote).await?;
        let local = socket.local_addr()?;
        return Ok((Wire::Udp(socket), local, remote));
    }
    // Through the town hall's web proxy when the environment names one (a tunnel with
    // CONNECT); then the proxy is the other end of the connection.
    let tcp = balie_net::Proxies::from_env()
        .connect(true, &server.host, server.port)
        .await?;
    tcp.set_nodelay(true)?;
    let (local, remote) = (tcp.local_addr()?, tcp.peer_addr()?);
    if server.transport == Transport::Tcp {
        return Ok((Wire::Stream(Box::new(tcp)), local, remote));
    }
    let name = rustls::pki_types::ServerName::try_from(server.host.clone())
        .map_err(|e| LinkError::Tls(e.to_string()))?;
    let connector = tokio_rustls::TlsConnector::from(tls_config());
    let tls = tokio::time::timeout(CONNECT_WITHIN, connector.connect(name, tcp))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
        .map_err(|e| LinkError::Tls(e.to_string()))?;
    Ok((Wire::Stream(Box::new(tls)), local, remote))
}

/// The TLS settings for `turns:`: the system's trusted certificates (so an IT department's
/// own certificate authority counts, and `SSL_CERT_FILE` is honoured).
fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                tracing::warn!("no trusted certificates found for TURN over TLS");
            }
            Arc::new(
                rustls::ClientConfig::builder()
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        })
        .clone()
}

/// Converts between the tokio clock and the TURN client's, which counts from `base`.
struct Clock {
    base: std::time::Instant,
}

impl Clock {
    fn now(&self) -> turn_client_proto::types::Instant {
        let nanos = i64::try_from(self.base.elapsed().as_nanos()).unwrap_or(i64::MAX);
        turn_client_proto::types::Instant::from_nanos(nanos)
    }

    /// When to wake for the TURN client's `at`: from now, at most an hour ahead.
    fn to_tokio(&self, at: turn_client_proto::types::Instant) -> tokio::time::Instant {
        let ahead = at.saturating_duration_since(self.now());
        tokio::time::Instant::now() + ahead.min(Duration::from_secs(3600))
    }
}

/// One link: allocate, relay both ways, refresh (inside the TURN client) until the driver
/// drops its end; then delete the allocation.
async fn run(
    link: u64,
    server: &TurnServer,
    from_driver: &mut mpsc::Receiver<(SocketAddr, Vec<u8>)>,
    packets: &mpsc::Sender<Packet>,
    reports: &mpsc::Sender<TurnReport>,
) -> Result<(), LinkError> {
    let (mut wire, local, remote) = connect(server).await?;
    let clock = Clock {
        base: std::time::Instant::now(),
    };
    let credentials = TurnCredentials::new(&server.username, server.password.expose_secret());
    let config = TurnConfig::new(credentials);
    let (mut client, transport) = match server.transport {
        Transport::Udp => (
            TurnClient::Udp(TurnClientUdp::allocate(local, remote, config)),
            TransportType::Udp,
        ),
        Transport::Tcp | Transport::Tls => (
            TurnClient::Tcp(TurnClientTcp::allocate(local, remote, config)),
            TransportType::Tcp,
        ),
    };
    let mut relayed: Option<SocketAddr> = None;
    let mut channels: Vec<SocketAddr> = Vec::new();
    let mut permissions: Vec<IpAddr> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let mut framer = Framer::default();
    loop {
        let now = clock.now();
        let wake = match client.poll(now) {
            turn_client_proto::api::TurnPollRet::WaitUntil(at) => at,
            turn_client_proto::api::TurnPollRet::Closed => return Err(LinkError::Closed),
            // TCP allocations towards peers (RFC 6062) are never asked for.
            _ => now + Duration::from_millis(50),
        };
        while let Some(transmit) = client.poll_transmit(now) {
            wire.send(&transmit.data).await?;
        }
        while let Some(event) = client.poll_event() {
            match event {
                turn_client_proto::api::TurnEvent::AllocationCreated(_, address) => {
                    tracing::info!(transport = ?server.transport, "TURN allocation made");
                    relayed = Some(address);
                    let _ = reports
                        .send(TurnReport::Allocated {
                            link,
                            relayed: address,
                            local,
                        })
                        .await;
                }
                turn_client_proto::api::TurnEvent::AllocationCreateFailed(_) => {
                    return Err(LinkError::Closed);
                }
                // Permissions and channels name the citizen's address: not logged.
                _ => {}
            }
        }
        tokio::select! {
            outgoing = from_driver.recv() => {
                let Some((peer, data)) = outgoing else {
                    let _ = client.delete(clock.now());
                    while let Some(transmit) = client.poll_transmit(clock.now()) {
                        let _ = wire.send(&transmit.data).await;
                    }
                    return Ok(());
                };
                let now = clock.now();
                if !client.have_permission(TransportType::Udp, peer.ip()) {
                    // The first packet to a peer asks the server to let it through (once:
                    // the client logs every refused ask); ICE sends its checks again, and
                    // they pass once the permission is there.
                    if relayed.is_some()
                        && !permissions.contains(&peer.ip())
                        && permissions.len() < MAX_PEERS
                    {
                        permissions.push(peer.ip());
                        let _ = client.create_permission(TransportType::Udp, peer.ip(), now);
                    }
                    continue;
                }
                // Channel data costs 4 bytes a packet instead of a Send indication's 36.
                if !channels.contains(&peer)
                    && channels.len() < MAX_PEERS
                    && client.bind_channel(TransportType::Udp, peer, now).is_ok()
                {
                    channels.push(peer);
                }
                if let Ok(Some(transmit)) = client.send_to(TransportType::Udp, peer, data, now) {
                    wire.send(&transmit.build().data).await?;
                }
            }
            read = wire.recv(&mut buf) => {
                let n = read?;
                let now = clock.now();
                if server.transport == Transport::Udp {
                    for (peer, data) in received(&mut client, &buf[..n], transport, remote, local, now)? {
                        forward(packets, relayed, peer, &data).await;
                    }
                    continue;
                }
                if n == 0 {
                    return Err(LinkError::Closed);
                }
                framer.push(&buf[..n])?;
                while let Some(frame) = framer.next()? {
                    for (peer, data) in received(&mut client, &frame, transport, remote, local, now)? {
                        forward(packets, relayed, peer, &data).await;
                    }
                }
            }
            () = tokio::time::sleep_until(clock.to_tokio(wake)) => {}
        }
    }
}

/// Feeds what came from the server to the TURN client; answers what peers sent. The
/// client's parsers have `unwrap`s on data from the network: a panic there ends this link
/// (the call goes on over the others) instead of the task silently.
fn received(
    client: &mut TurnClient,
    bytes: &[u8],
    transport: TransportType,
    remote: SocketAddr,
    local: SocketAddr,
    now: turn_client_proto::types::Instant,
) -> Result<Vec<(SocketAddr, Vec<u8>)>, LinkError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut out = Vec::new();
        let incoming = turn_client_proto::api::Transmit::new(bytes, transport, remote, local);
        if let turn_client_proto::api::TurnRecvRet::PeerData(data) = client.recv(incoming, now) {
            out.push((data.peer, data.data().to_vec()));
        }
        while let Some(data) = client.poll_recv(now) {
            out.push((data.peer, data.data().to_vec()));
        }
        out
    }))
    .map_err(|_| LinkError::Closed)
}

/// Hands what a peer sent to our relayed address to the driver, as a packet to that
/// address.
async fn forward(
    packets: &mpsc::Sender<Packet>,
    relayed: Option<SocketAddr>,
    peer: SocketAddr,
    data: &[u8],
) {
    let Some(relayed) = relayed else {
        return;
    };
    let _ = packets
        .send(Packet {
            local: relayed,
            source: peer,
            data: data.to_vec(),
            at: std::time::Instant::now(),
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_urls_are_read_as_rfc_7065_says() {
        assert_eq!(
            parse_url("turn:turn.gemeente.be"),
            Some((Transport::Udp, "turn.gemeente.be".into(), 3478))
        );
        assert_eq!(
            parse_url("turn:10.0.0.1:3479?transport=udp"),
            Some((Transport::Udp, "10.0.0.1".into(), 3479))
        );
        assert_eq!(
            parse_url("turn:10.0.0.1?transport=tcp"),
            Some((Transport::Tcp, "10.0.0.1".into(), 3478))
        );
        assert_eq!(
            parse_url("turns:turn.gemeente.be:443?transport=tcp"),
            Some((Transport::Tls, "turn.gemeente.be".into(), 443))
        );
        assert_eq!(
            parse_url("turns:[2001:db8::1]"),
            Some((Transport::Tls, "2001:db8::1".into(), 5349))
        );
        assert_eq!(
            parse_url("turn:[2001:db8::1]:3478"),
            Some((Transport::Udp, "2001:db8::1".into(), 3478))
        );
        for bad in [
            "stun:10.0.0.1:3478",
            "turns:10.0.0.1?transport=udp",
            "turn:10.0.0.1?transport=sctp",
            "turn::3478",
            "turn:10.0.0.1:0",
            "turn:10.0.0.1:port",
            "turn:[2001:db8::1",
            "turn:[2001:db8::1]x",
        ] {
            assert_eq!(parse_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_stream_is_cut_into_messages_and_channel_padding_dropped() {
        // A Binding success (STUN, 20 + 12 bytes), ChannelData with 5 bytes (padded to 8),
        // then ChannelData with 4 bytes, split at awkward places.
        let mut stream = vec![0x01, 0x01, 0x00, 0x0c];
        stream.extend([0x21, 0x12, 0xa4, 0x42]);
        stream.extend([7u8; 12 + 12]);
        stream.extend([0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0]);
        stream.extend([0x40, 0x01, 0x00, 0x04, 9, 9, 9, 9]);
        // ChannelData of 4 bytes is exactly 8: the framer needs 8 to judge a header.
        let mut framer = Framer::default();
        let mut frames = Vec::new();
        for chunk in stream.chunks(7) {
            framer.push(chunk).unwrap();
            while let Some(frame) = framer.next().unwrap() {
                frames.push(frame);
            }
        }
        assert_eq!(frames.len(), 3, "{frames:?}");
        assert_eq!(frames[0].len(), 32);
        assert_eq!(frames[1], [0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5]);
        assert_eq!(frames[2], [0x40, 0x01, 0x00, 0x04, 9, 9, 9, 9]);
        assert!(framer.buffered.is_empty());
        // A stream that is not TURN ends the link: a STUN header without the cookie, a
        // first byte that is neither, or a message longer than the buffer may hold.
        for junk in [
            &[0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4][..],
            &[0x80, 0x00, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42][..],
            b"SSH-2.0-OpenSSH_9.2\r\n",
        ] {
            let mut framer = Framer::default();
            framer.push(junk).unwrap();
            assert!(framer.next().is_err(), "{junk:?}");
        }
        let mut framer = Framer::default();
        assert!(framer.push(&vec![0u8; MAX_BUFFERED + 1]).is_err());
    }

    #[test]
    fn turn_without_credentials_is_left_out_and_credentials_stay_out_of_logs() {
        let ice = [
            IceServer {
                urls: vec!["stun:10.0.0.1:3478".into()],
                username: None,
                credential: None,
            },
            IceServer {
                urls: vec!["turn:10.0.0.1:3478".into()],
                username: None,
                credential: None,
            },
            IceServer {
                urls: vec![
                    "turn:10.0.0.1:3478?transport=udp".into(),
                    "turn:10.0.0.1:3478?transport=tcp".into(),
                    "turns:turn.example:443?transport=tcp".into(),
                ],
                username: Some("1700000000:k-room".into()),
                credential: Some("s3cr3t-password".into()),
            },
        ];
        let found = servers(&ice);
        let kinds: Vec<Transport> = found.iter().map(|s| s.transport).collect();
        assert_eq!(kinds, [Transport::Udp, Transport::Tcp, Transport::Tls]);
        let logged = format!("{found:?}");
        assert!(
            !logged.contains("s3cr3t") && !logged.contains("k-room"),
            "{logged}"
        );
    }
}
