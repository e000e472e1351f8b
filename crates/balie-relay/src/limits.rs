//! What a stranger can open on the relay, bounded: webhook calls per address (a rate,
//! with [`governor`]'s GCRA), and WebSockets open at once per address, per room and in
//! all. A socket holds a [`SocketPermit`] for as long as it is open; dropping it gives
//! the place back.
//!
//! The address is the TCP peer's, or, when that peer is one of the relay's trusted
//! proxies ([`crate::RelayConfig::trusted_proxies`]), the nearest untrusted address in its
//! `X-Forwarded-For`. IPv6 addresses count by their /64 (one subscriber's network), so
//! turning through addresses of one network buys nothing.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::net::IpAddr;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// Webhook calls one address may make per second, steadily.
pub const HOOKS_PER_SECOND: u32 = 20;
/// And in a burst.
pub const HOOKS_BURST: u32 = 100;
/// Identity sign-in requests (`/id/…`: binding, starting, the provider's answer) one
/// address may make per second, steadily: a citizen makes three per sign-in.
pub const SIGN_INS_PER_SECOND: u32 = 2;
/// And in a burst.
pub const SIGN_INS_BURST: u32 = 20;
/// WebSockets one address may hold open at once: many citizens can share one address
/// (a mobile operator's NAT), but not this many calls of one municipality.
pub const SOCKETS_PER_ADDRESS: usize = 64;
/// WebSockets one side of a room (the clerk's, the citizen's) may have open at once: a
/// reload overlapping its old connection, a second device. Each side counts apart, so
/// whoever holds a join link cannot shut the clerk out of the room.
pub const SOCKETS_PER_ROOM: usize = 4;
/// WebSockets the relay holds open in all.
pub const SOCKETS_IN_ALL: usize = 4_096;
/// Appointments (booked or moved) one address may make in a burst; after that one every
/// [`BOOKING_EVERY`]. A family or a library computer books a few; a script many.
pub const BOOKINGS_BURST: u32 = 10;
/// How often one more booking is allowed once the burst is spent.
pub const BOOKING_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 60);

/// The TCP peer's address, when the relay was served with it (always, by
/// [`crate::Relay::serve`]); `None` when the router is driven without a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub(crate) Option<IpAddr>);

impl FromRequestParts<AppState> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_canonical());
        Ok(Peer(peer.map(|peer| {
            client_address(peer, &state.config().trusted_proxies, &parts.headers)
        })))
    }
}

/// The client behind `peer`: `peer` itself, unless it is a trusted proxy; then the
/// nearest address in `X-Forwarded-For` (read from the right, as each proxy appends the
/// one it saw) that is not a trusted proxy. Entries that are not addresses end the walk:
/// what lies left of them was written by the client and proves nothing.
pub(crate) fn client_address(
    peer: IpAddr,
    trusted: &[IpAddr],
    headers: &axum::http::HeaderMap,
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(address) => {
                client = address.to_canonical();
                if !trusted.contains(&client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

/// The key an address counts under: itself for IPv4, its /64 for IPv6.
fn key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(
            u128::from(v6) & !0xFFFF_FFFF_FFFF_FFFF_u128,
        )),
        v4 => v4,
    }
}

/// The webhook routes' gate: at most [`HOOKS_PER_SECOND`] (burst [`HOOKS_BURST`]) calls
/// per address; more get 429 with `Retry-After` before anything is read or looked up.
pub(crate) async fn hooks_gate(
    State(state): State<AppState>,
    peer: Peer,
    request: Request,
    next: Next,
) -> Response {
    if let Peer(Some(address)) = peer
        && !state.limits().hook_allowed(address)
    {
        return AppError::TooMany.into_response();
    }
    next.run(request).await
}

/// The gate of the routes a stranger posts to (identity sign-ins, the survey, the admin
/// sign-in, enrolment): at most [`SIGN_INS_PER_SECOND`] (burst
/// [`SIGN_INS_BURST`]) requests per address; more get 429 before any lookup or lock.
pub(crate) async fn sign_ins_gate(
    State(state): State<AppState>,
    peer: Peer,
    request: Request,
    next: Next,
) -> Response {
    if let Peer(Some(address)) = peer
        && !state.limits().sign_in_allowed(address)
    {
        return AppError::TooMany.into_response();
    }
    next.run(request).await
}

/// How many WebSockets may be open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SocketLimits {
    /// From one address ([`SOCKETS_PER_ADDRESS`]).
    pub per_address: usize,
    /// For one side of one room ([`SOCKETS_PER_ROOM`]).
    pub per_room: usize,
    /// In all ([`SOCKETS_IN_ALL`]).
    pub in_all: usize,
}

impl Default for SocketLimits {
    fn default() -> Self {
        Self {
            per_address: SOCKETS_PER_ADDRESS,
            per_room: SOCKETS_PER_ROOM,
            in_all: SOCKETS_IN_ALL,
        }
    }
}

/// A WebSocket's buffers, read and write: axum's default of 128 KiB each made an idle
/// socket cost the relay about 140 KiB (measured by `benches/hostile.sh`); signaling
/// messages are a few KiB.
const SOCKET_BUFFER: usize = 8 * 1024;

/// What a socket may leave unwritten when its reader does not read, before the relay
/// gives up on it (axum's default has no ceiling).
const SOCKET_BACKLOG: usize = 256 * 1024;

/// `upgrade` with the relay's socket sizes: small buffers, messages and frames of at most
/// `max_message` bytes, and a ceiling on what a client that does not read can pile up.
pub(crate) fn sized(
    upgrade: axum::extract::ws::WebSocketUpgrade,
    max_message: usize,
) -> axum::extract::ws::WebSocketUpgrade {
    upgrade
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_write_buffer_size(SOCKET_BACKLOG)
        .max_message_size(max_message)
        .max_frame_size(max_message)
}

/// Pings a WebSocket every half of `silent_for` and tells when its peer has said nothing
/// (no message, no pong) for longer: a phone that lost its network or a laptop that went
/// to sleep sends no close, and its socket would hold its place until TCP noticed, hours
/// later.
pub(crate) struct Keepalive {
    every: tokio::time::Interval,
    silent_for: std::time::Duration,
    last_heard: tokio::time::Instant,
}

impl Keepalive {
    pub(crate) fn new(silent_for: std::time::Duration) -> Self {
        let half = (silent_for / 2).max(std::time::Duration::from_millis(10));
        Self {
            every: tokio::time::interval_at(tokio::time::Instant::now() + half, half),
            silent_for,
            last_heard: tokio::time::Instant::now(),
        }
    }

    /// The next time to ping (or to give up).
    pub(crate) async fn tick(&mut self) {
        self.every.tick().await;
    }

    /// The peer said something.
    pub(crate) fn heard(&mut self) {
        self.last_heard = tokio::time::Instant::now();
    }

    /// The peer said `what`: noted, and handed back.
    pub(crate) fn heard_then<T>(&mut self, what: T) -> T {
        self.heard();
        what
    }

    /// Pings `socket`, or closes it when its peer has been silent too long; whether it
    /// stays open.
    pub(crate) async fn ping(&mut self, socket: &mut axum::extract::ws::WebSocket) -> bool {
        use axum::extract::ws::Message;
        if self.last_heard.elapsed() > self.silent_for {
            let _ = socket.send(Message::Close(None)).await;
            return false;
        }
        socket.send(Message::Ping(Default::default())).await.is_ok()
    }
}

/// Why a socket is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// This address holds [`SOCKETS_PER_ADDRESS`].
    Address,
    /// This room holds [`SOCKETS_PER_ROOM`].
    Room,
    /// The relay holds [`SOCKETS_IN_ALL`].
    Relay,
}

#[derive(Default)]
struct Open {
    by_address: HashMap<IpAddr, usize>,
    by_room: HashMap<String, usize>,
    all: usize,
}

/// The relay's limits and what is open now.
pub(crate) struct Limits {
    hooks: DefaultKeyedRateLimiter<IpAddr>,
    bookings: DefaultKeyedRateLimiter<IpAddr>,
    sign_ins: DefaultKeyedRateLimiter<IpAddr>,
    open: Arc<Mutex<Open>>,
    per_address: usize,
    per_room: usize,
    in_all: usize,
    last_sweep: Mutex<std::time::Instant>,
}

/// How often the rate state of quiet addresses is forgotten.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

#[cfg(test)]
impl Default for Limits {
    fn default() -> Self {
        Self::new(SocketLimits::default())
    }
}

/// A place for one open WebSocket; given back when dropped.
pub(crate) struct SocketPermit {
    open: Arc<Mutex<Open>>,
    address: Option<IpAddr>,
    room: String,
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        let Ok(mut open) = self.open.lock() else {
            return;
        };
        open.all = open.all.saturating_sub(1);
        if let Some(address) = self.address {
            release(&mut open.by_address, &address);
        }
        release(&mut open.by_room, &self.room);
    }
}

fn release<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: &K) {
    if let Some(n) = map.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            map.remove(key);
        }
    }
}

impl Limits {
    /// Limits with these socket caps.
    pub(crate) fn new(sockets: SocketLimits) -> Self {
        let SocketLimits {
            per_address,
            per_room,
            in_all,
        } = sockets;
        let quota = Quota::per_second(NonZeroU32::new(HOOKS_PER_SECOND).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(HOOKS_BURST).unwrap_or(NonZeroU32::MIN));
        let bookings = Quota::with_period(BOOKING_EVERY)
            .unwrap_or(quota)
            .allow_burst(NonZeroU32::new(BOOKINGS_BURST).unwrap_or(NonZeroU32::MIN));
        let sign_ins =
            Quota::per_second(NonZeroU32::new(SIGN_INS_PER_SECOND).unwrap_or(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(SIGN_INS_BURST).unwrap_or(NonZeroU32::MIN));
        Self {
            hooks: governor::RateLimiter::keyed(quota),
            bookings: governor::RateLimiter::keyed(bookings),
            sign_ins: governor::RateLimiter::keyed(sign_ins),
            open: Arc::default(),
            per_address,
            per_room,
            in_all,
            last_sweep: Mutex::new(std::time::Instant::now()),
        }
    }

    /// Whether `address` may make an identity sign-in request now.
    pub(crate) fn sign_in_allowed(&self, address: IpAddr) -> bool {
        self.sign_ins.check_key(&key(address)).is_ok()
    }

    /// Whether `address` may make a webhook call now.
    pub(crate) fn hook_allowed(&self, address: IpAddr) -> bool {
        let address = key(address);
        if let Ok(mut last) = self.last_sweep.lock()
            && last.elapsed() >= SWEEP_EVERY
        {
            *last = std::time::Instant::now();
            self.sweep();
        }
        self.hooks.check_key(&address).is_ok()
    }

    /// Whether `address` may book (or move) an appointment now; unknown addresses (the
    /// router driven without a connection) may.
    pub(crate) fn booking_allowed(&self, address: Option<IpAddr>) -> bool {
        address.is_none_or(|a| self.bookings.check_key(&key(a)).is_ok())
    }

    /// A place for a WebSocket of `room` from `address` (unknown when the relay is driven
    /// without a TCP peer, as in-process tests do), or why there is none.
    pub(crate) fn open_socket(
        &self,
        address: Option<IpAddr>,
        room: &str,
    ) -> Result<SocketPermit, Full> {
        let address = address.map(key);
        let mut open = self.open.lock().map_err(|_| Full::Relay)?;
        if open.all >= self.in_all {
            return Err(Full::Relay);
        }
        if let Some(address) = address
            && open.by_address.get(&address).copied().unwrap_or(0) >= self.per_address
        {
            return Err(Full::Address);
        }
        if open.by_room.get(room).copied().unwrap_or(0) >= self.per_room {
            return Err(Full::Room);
        }
        open.all += 1;
        if let Some(address) = address {
            *open.by_address.entry(address).or_default() += 1;
        }
        *open.by_room.entry(room.to_owned()).or_default() += 1;
        Ok(SocketPermit {
            open: self.open.clone(),
            address,
            room: room.to_owned(),
        })
    }

    /// Forgets the rate state of addresses quiet long enough that it no longer matters,
    /// so a stream of new addresses does not grow it without end.
    fn sweep(&self) {
        self.hooks.retain_recent();
        self.hooks.shrink_to_fit();
        self.bookings.retain_recent();
        self.bookings.shrink_to_fit();
        self.sign_ins.retain_recent();
        self.sign_ins.shrink_to_fit();
    }

    /// WebSockets open now, in all.
    #[cfg(test)]
    fn open_now(&self) -> usize {
        self.open.lock().map_or(0, |o| o.all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_are_capped_per_address_per_room_and_in_all_and_given_back() {
        let caps = |per_address, per_room, in_all| SocketLimits {
            per_address,
            per_room,
            in_all,
        };
        let limits = Limits::new(caps(2, 3, 4));
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        let first = limits.open_socket(Some(a), "r1").unwrap();
        let _second = limits.open_socket(Some(a), "r2").unwrap();
        assert_eq!(limits.open_socket(Some(a), "r3").err(), Some(Full::Address));
        let _third = limits.open_socket(Some(b), "r1").unwrap();
        let _fourth = limits.open_socket(None, "r1").unwrap();
        assert_eq!(limits.open_socket(None, "r1").err(), Some(Full::Relay));
        drop(first);
        assert_eq!(limits.open_now(), 3);
        // r1 holds three (a's is gone, b's and the unknown one stay): one more fits.
        let _again = limits.open_socket(Some(a), "r1").unwrap();
        assert_eq!(limits.open_socket(Some(b), "r1").err(), Some(Full::Relay));
        let limits = Limits::new(caps(10, 2, 10));
        let _x = limits.open_socket(Some(a), "r").unwrap();
        let _y = limits.open_socket(Some(b), "r").unwrap();
        assert_eq!(limits.open_socket(None, "r").err(), Some(Full::Room));
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_forwarded_address() {
        let proxy: IpAddr = [127, 0, 0, 1].into();
        let headers = |value: &str| {
            let mut h = axum::http::HeaderMap::new();
            h.insert("x-forwarded-for", value.parse().unwrap());
            h
        };
        let trusted = [proxy];
        // A stranger's own header proves nothing when it did not come through the proxy.
        let stranger: IpAddr = [198, 51, 100, 7].into();
        assert_eq!(
            client_address(stranger, &trusted, &headers("192.0.2.1")),
            stranger
        );
        assert_eq!(
            client_address(proxy, &trusted, &headers("192.0.2.1")),
            IpAddr::from([192, 0, 2, 1])
        );
        // The client wrote the left part itself; the proxy appended the right one.
        assert_eq!(
            client_address(proxy, &trusted, &headers("10.9.9.9, 192.0.2.1")),
            IpAddr::from([192, 0, 2, 1])
        );
        assert_eq!(client_address(proxy, &trusted, &headers("garbage")), proxy);
        assert_eq!(
            client_address(proxy, &[], &headers("192.0.2.1")),
            proxy,
            "nobody trusted, nothing forwarded"
        );
        // IPv6 counts by its /64.
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key("2001:db8:1:3::1".parse().unwrap()));
    }

    #[test]
    fn webhook_calls_are_rated_per_address() {
        let limits = Limits::default();
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        let allowed = (0..HOOKS_BURST * 2)
            .filter(|_| limits.hook_allowed(a))
            .count();
        // The burst, and at most a few more that a second of test time refilled.
        assert!(
            (HOOKS_BURST as usize..HOOKS_BURST as usize + 5).contains(&allowed),
            "{allowed}"
        );
        assert!(limits.hook_allowed(b), "another address is not held up");
    }
}
