//! Just enough STUN (RFC 8489) to learn the clerk's public address: a Binding request, and
//! the XOR-MAPPED-ADDRESS of its success response. That address becomes a
//! server-reflexive ICE candidate, so a clerk at home behind NAT can be reached by a
//! citizen on a phone network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

const MAGIC_COOKIE: u32 = 0x2112_A442;
const BINDING_REQUEST: u16 = 0x0001;
const BINDING_SUCCESS: u16 = 0x0101;
const XOR_MAPPED_ADDRESS: u16 = 0x0020;
const MAPPED_ADDRESS: u16 = 0x0001;

/// A transaction id: 96 random bits.
pub type TransactionId = [u8; 12];

/// A fresh random transaction id.
pub fn new_transaction_id() -> TransactionId {
    let mut id = [0u8; 12];
    // Without randomness the id is still unique enough per socket; STUN does not rely on
    // it for security here (the response only names our own address).
    let _ = getrandom::fill(&mut id);
    id
}

/// A Binding request with no attributes.
pub fn binding_request(id: &TransactionId) -> [u8; 20] {
    let mut out = [0u8; 20];
    out[0..2].copy_from_slice(&BINDING_REQUEST.to_be_bytes());
    // Length 0: no attributes.
    out[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
    out[8..20].copy_from_slice(id);
    out
}

/// The transaction id of a Binding success response, if `packet` is one.
pub fn success_transaction(packet: &[u8]) -> Option<TransactionId> {
    if packet.len() < 20
        || u16::from_be_bytes([packet[0], packet[1]]) != BINDING_SUCCESS
        || u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]) != MAGIC_COOKIE
    {
        return None;
    }
    packet[8..20].try_into().ok()
}

/// The mapped address in a Binding success response for transaction `id`; `None` for
/// anything else (other messages, truncated or malformed attributes).
pub fn mapped_address(packet: &[u8], id: &TransactionId) -> Option<SocketAddr> {
    if success_transaction(packet)? != *id {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
    let attributes = packet.get(20..20 + length)?;
    let mut plain = None;
    let mut rest = attributes;
    while rest.len() >= 4 {
        let kind = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        let value = rest.get(4..4 + len)?;
        match kind {
            XOR_MAPPED_ADDRESS => return decode_address(value, Some(id)),
            MAPPED_ADDRESS => plain = decode_address(value, None),
            _ => {}
        }
        // Attributes are padded to four bytes.
        let padded = (4 + len).div_ceil(4) * 4;
        rest = rest.get(padded..).unwrap_or(&[]);
    }
    plain
}

/// Decodes an (XOR-)MAPPED-ADDRESS value; `xor` holds the transaction id when XORed.
fn decode_address(value: &[u8], xor: Option<&TransactionId>) -> Option<SocketAddr> {
    let family = *value.get(1)?;
    let mut port = u16::from_be_bytes([*value.get(2)?, *value.get(3)?]);
    let cookie = MAGIC_COOKIE.to_be_bytes();
    let mut mask = [0u8; 16];
    mask[..4].copy_from_slice(&cookie);
    if let Some(id) = xor {
        mask[4..].copy_from_slice(id);
        port ^= (MAGIC_COOKIE >> 16) as u16;
    } else {
        mask = [0; 16];
    }
    let ip = match family {
        0x01 => {
            let raw: [u8; 4] = value.get(4..8)?.try_into().ok()?;
            let bytes: Vec<u8> = raw.iter().zip(mask).map(|(b, m)| b ^ m).collect();
            IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]))
        }
        0x02 => {
            let raw: [u8; 16] = value.get(4..20)?.try_into().ok()?;
            let mut bytes = [0u8; 16];
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = raw[i] ^ mask[i];
            }
            IpAddr::V6(Ipv6Addr::from(bytes))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// The `host:port` of a `stun:` or `turn:` URL (RFC 7064/7065), UDP only; default port
/// 3478. `turns:` and TCP transports are skipped (the engine speaks UDP).
pub fn server_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("stun:")
        .or_else(|| url.strip_prefix("turn:"))?;
    let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
    if query.contains("transport=tcp") {
        return None;
    }
    let has_port = if address.starts_with('[') {
        address.contains("]:")
    } else {
        address.contains(':')
    };
    Some(if has_port {
        address.to_owned()
    } else {
        format!("{address}:3478")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a success response the way a server does, independently of the decoder.
    fn response(id: &TransactionId, attribute: u16, value: &[u8]) -> Vec<u8> {
        let mut attrs = Vec::new();
        attrs.extend_from_slice(&attribute.to_be_bytes());
        attrs.extend_from_slice(&(value.len() as u16).to_be_bytes());
        attrs.extend_from_slice(value);
        while attrs.len() % 4 != 0 {
            attrs.push(0);
        }
        let mut out = vec![0x01, 0x01];
        out.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        out.extend_from_slice(&[0x21, 0x12, 0xA4, 0x42]);
        out.extend_from_slice(id);
        out.extend_from_slice(&attrs);
        out
    }

    #[test]
    fn reads_the_mapped_address_of_its_own_transaction_only() {
        // RFC 5769 section 2.2: 192.0.2.1:32853, XORed by hand: port 0x8055 ^ 0x2112 =
        // 0xa147; address c0000201 ^ 2112a442 = e112a643.
        let id: TransactionId = [
            0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
        ];
        let packet = response(
            &id,
            0x0020,
            &[0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43],
        );
        assert_eq!(
            mapped_address(&packet, &id),
            Some("192.0.2.1:32853".parse().unwrap())
        );
        let other = [0u8; 12];
        assert_eq!(mapped_address(&packet, &other), None);
        assert_eq!(mapped_address(&packet[..30], &id), None);
        assert_eq!(mapped_address(&binding_request(&id), &id), None);
        // The plain MAPPED-ADDRESS of old servers.
        let plain = response(&id, 0x0001, &[0x00, 0x01, 0x0d, 0x96, 10, 0, 0, 7]);
        assert_eq!(
            mapped_address(&plain, &id),
            Some("10.0.0.7:3478".parse().unwrap())
        );
        // RFC 5769 section 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
        let v6 = response(
            &id,
            0x0020,
            &[
                0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25,
                0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
            ],
        );
        assert_eq!(
            mapped_address(&v6, &id),
            Some(
                "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
                    .parse()
                    .unwrap()
            )
        );
    }

    #[test]
    fn server_addresses_come_from_stun_and_turn_urls() {
        assert_eq!(
            server_of("stun:stun.example.be").as_deref(),
            Some("stun.example.be:3478")
        );
        assert_eq!(
            server_of("turn:10.0.0.1:5349?transport=udp").as_deref(),
            Some("10.0.0.1:5349")
        );
        assert_eq!(server_of("turn:10.0.0.1?transport=tcp"), None);
        assert_eq!(server_of("turns:turn.example.be:443"), None);
        assert_eq!(server_of("stun:[::1]").as_deref(), Some("[::1]:3478"));
        assert_eq!(server_of("stun:[::1]:9").as_deref(), Some("[::1]:9"));
    }
}
