//! The engine's network: the machine's addresses and their changes, the UDP receive
//! loops, STUN Binding requests for server-reflexive candidates, and the candidates TURN
//! relays for us.

use balie_protocol::signaling::Signal;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use str0m::Candidate;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::CallEvent;
use super::driver::Driver;
use super::turn::{TurnLink, TurnReport};

/// Addresses to offer host candidates on: every IPv4/IPv6 address that is up, without
/// link-local ones; loopback only when there is nothing else.
pub(super) fn host_addresses() -> Vec<IpAddr> {
    let all: Vec<IpAddr> = if_addrs::get_if_addrs()
        .map(|ifs| ifs.into_iter().map(|i| i.ip()).collect())
        .unwrap_or_default();
    let link_local = |ip: &IpAddr| match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    };
    let usable: Vec<IpAddr> = all
        .iter()
        .copied()
        .filter(|ip| !ip.is_loopback() && !link_local(ip) && !ip.is_unspecified())
        .collect();
    if usable.is_empty() {
        vec![IpAddr::from([127, 0, 0, 1])]
    } else {
        usable
    }
}

/// Addresses that came and went between two looks at the interfaces.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct NetworkChange {
    pub(super) added: Vec<IpAddr>,
    pub(super) removed: Vec<IpAddr>,
}

impl NetworkChange {
    /// `None` when nothing changed. The loopback stand-in that `host_addresses` gives when
    /// nothing else is up counts like any address.
    fn between(before: &[IpAddr], now: &[IpAddr]) -> Option<Self> {
        let added: Vec<IpAddr> = now
            .iter()
            .filter(|a| !before.contains(a))
            .copied()
            .collect();
        let removed: Vec<IpAddr> = before
            .iter()
            .filter(|a| !now.contains(a))
            .copied()
            .collect();
        (!added.is_empty() || !removed.is_empty()).then_some(Self { added, removed })
    }
}

pub(super) struct Packet {
    pub(super) local: SocketAddr,
    pub(super) source: SocketAddr,
    pub(super) data: Vec<u8>,
    pub(super) at: Instant,
}

pub(super) async fn receive_loop(
    local: SocketAddr,
    socket: Arc<UdpSocket>,
    packets: mpsc::Sender<Packet>,
) {
    let mut buf = vec![0u8; 2048];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, source)) => {
                let packet = Packet {
                    local,
                    source,
                    data: buf[..n].to_vec(),
                    at: Instant::now(),
                };
                if packets.send(packet).await.is_err() {
                    return;
                }
            }
            // ICMP errors (port unreachable after the peer left) surface here; keep going.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => {
                tracing::debug!(error = %e, "call socket closed");
                return;
            }
        }
    }
}

/// How often the engine looks whether the machine's addresses changed.
pub(super) const INTERFACE_CHECK: Duration = Duration::from_secs(2);

/// One STUN Binding request in flight.
pub(super) struct StunRequest {
    pub(super) id: crate::stun::TransactionId,
    pub(super) local: SocketAddr,
    pub(super) server: SocketAddr,
    pub(super) sent: u32,
    pub(super) next: Instant,
}

/// Tries per Binding request, and the wait after each.
pub(super) const STUN_TRIES: u32 = 3;
pub(super) const STUN_RETRY: Duration = Duration::from_millis(500);

impl Driver {
    /// The socket bound to `local`.
    pub(super) fn socket(&self, local: SocketAddr) -> Option<&Arc<UdpSocket>> {
        self.sockets
            .iter()
            .find(|(a, _)| *a == local)
            .map(|(_, s)| s)
    }

    /// The machine's addresses changed (Wi-Fi to cable, a VPN, a new DHCP lease): open
    /// sockets on the new ones, drop those whose address is gone, learn the public address
    /// again and restart ICE so the citizen's browser hears of the new candidates.
    pub(super) async fn follow_network(&mut self) {
        let now_addrs = host_addresses();
        let current: Vec<IpAddr> = self.sockets.iter().map(|(a, _)| a.ip()).collect();
        let Some(change) = NetworkChange::between(&current, &now_addrs) else {
            return;
        };
        tracing::info!(
            added = change.added.len(),
            removed = change.removed.len(),
            "network changed; restarting ICE"
        );
        self.sockets
            .retain(|(a, _)| !change.removed.contains(&a.ip()));
        let mut new_candidates = Vec::new();
        for ip in change.added {
            match UdpSocket::bind(SocketAddr::new(ip, 0)).await {
                Ok(socket) => {
                    let Ok(addr) = socket.local_addr() else {
                        continue;
                    };
                    let socket = Arc::new(socket);
                    tokio::spawn(receive_loop(addr, socket.clone(), self.packet_tx.clone()));
                    if let Ok(candidate) = Candidate::host(addr, "udp") {
                        new_candidates.push(candidate);
                    }
                    self.sockets.push((addr, socket));
                }
                Err(e) => tracing::debug!(error = %e, "cannot bind a call socket"),
            }
        }
        self.reflexive.clear();
        self.restart_turn();
        if let Some(session) = &mut self.session {
            for candidate in new_candidates {
                session.rtc.add_local_candidate(candidate);
            }
        }
        self.restart_ice().await;
    }

    /// Sends a Binding request from every socket to every STUN server of its address
    /// family.
    pub(super) async fn gather_reflexive(&mut self) {
        let now = Instant::now();
        for server in std::mem::take(&mut self.stun_servers) {
            let Ok(addresses) = tokio::net::lookup_host(&server).await else {
                tracing::debug!(server, "STUN server not found");
                continue;
            };
            for address in addresses {
                for &(local, _) in &self.sockets {
                    if local.is_ipv4() != address.is_ipv4()
                        || local.ip().is_loopback() != address.ip().is_loopback()
                    {
                        continue;
                    }
                    self.stun_pending.push(StunRequest {
                        id: crate::stun::new_transaction_id(),
                        local,
                        server: address,
                        sent: 0,
                        next: now,
                    });
                }
            }
        }
        self.retry_stun(now);
    }

    /// (Re)sends the Binding requests that are due; gives up after [`STUN_TRIES`].
    pub(super) fn retry_stun(&mut self, now: Instant) {
        self.stun_pending
            .retain(|r| r.sent < STUN_TRIES || r.next > now);
        for request in &mut self.stun_pending {
            if request.next > now || request.sent >= STUN_TRIES {
                continue;
            }
            if let Some((_, socket)) = self.sockets.iter().find(|(a, _)| *a == request.local) {
                let _ =
                    socket.try_send_to(&crate::stun::binding_request(&request.id), request.server);
            }
            request.sent += 1;
            request.next = now + STUN_RETRY * request.sent;
        }
    }

    /// A Binding response for one of our requests: learn the public address and offer it.
    pub(super) async fn on_stun_response(&mut self, packet: &Packet) -> bool {
        let Some(id) = crate::stun::success_transaction(&packet.data) else {
            return false;
        };
        let Some(index) = self.stun_pending.iter().position(|r| r.id == id) else {
            return false;
        };
        let request = self.stun_pending.swap_remove(index);
        let Some(mapped) = crate::stun::mapped_address(&packet.data, &id) else {
            return true;
        };
        if mapped == request.local || self.reflexive.iter().any(|c| c.addr() == mapped) {
            return true;
        }
        let Ok(candidate) = Candidate::server_reflexive(mapped, request.local, "udp") else {
            return true;
        };
        tracing::info!("public address learnt through STUN");
        self.reflexive.push(candidate.clone());
        self.offer_candidate(candidate).await;
        true
    }

    /// Adds a candidate learnt during the session and sends it to the citizen page.
    async fn offer_candidate(&mut self, candidate: Candidate) {
        let Some(session) = &mut self.session else {
            return;
        };
        let line = candidate.to_sdp_string();
        session.rtc.add_local_candidate(candidate);
        let mid = session.video.to_string();
        let _ = self
            .events
            .send(CallEvent::Signal(Signal::Candidate {
                candidate: line,
                sdp_mid: Some(mid),
                sdp_m_line_index: Some(0),
            }))
            .await;
    }

    /// A TURN link allocated (offer its relayed address) or ended (send nothing there).
    pub(super) async fn on_turn(&mut self, report: TurnReport) {
        match report {
            TurnReport::Allocated {
                link,
                relayed,
                local,
            } => {
                // A late report of a link closed since is not about any of ours.
                let Some(turn) = self.turn.iter_mut().find(|l| l.id == link) else {
                    return;
                };
                turn.relayed = Some(relayed);
                // The relayed address is UDP whatever carries it to the server.
                let Ok(candidate) = Candidate::relayed(relayed, local, "udp") else {
                    return;
                };
                tracing::info!("relayed address allocated through TURN");
                self.relayed.push(candidate.clone());
                self.offer_candidate(candidate).await;
            }
            TurnReport::Lost { link } => {
                if let Some(turn) = self.turn.iter_mut().find(|l| l.id == link)
                    && let Some(gone) = turn.relayed.take()
                {
                    self.relayed.retain(|c| c.addr() != gone);
                }
            }
        }
    }

    /// Opens every TURN link again (after a network change: the old connections went with
    /// the old address).
    fn restart_turn(&mut self) {
        self.relayed.clear();
        self.turn = self
            .turn_servers
            .iter()
            .map(|server| {
                TurnLink::start(
                    server.clone(),
                    self.packet_tx.clone(),
                    self.turn_reports.clone(),
                )
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_change_names_what_came_and_went() {
        let wifi: IpAddr = "192.168.1.20".parse().unwrap();
        let cable: IpAddr = "10.0.0.5".parse().unwrap();
        let v6: IpAddr = "2001:db8::5".parse().unwrap();
        assert_eq!(NetworkChange::between(&[wifi, v6], &[v6, wifi]), None);
        assert_eq!(
            NetworkChange::between(&[wifi, v6], &[cable, v6]),
            Some(NetworkChange {
                added: vec![cable],
                removed: vec![wifi],
            })
        );
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            NetworkChange::between(&[lo], &[wifi]),
            Some(NetworkChange {
                added: vec![wifi],
                removed: vec![lo],
            })
        );
    }
}
