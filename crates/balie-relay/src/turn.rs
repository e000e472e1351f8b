//! ICE servers for the call: STUN, and TURN with time-limited credentials in the TURN REST
//! API scheme that coturn implements with `use-auth-secret`: the username is
//! `<expiry unix time>:<id>` and the password base64(HMAC-SHA1(shared secret, username)).
//! The relay never stores these credentials; coturn checks them with the same secret.

use balie_protocol::signaling::IceServer;
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use secrecy::ExposeSecret as _;

/// STUN and TURN settings of a relay.
#[derive(Debug, Clone, Default)]
pub struct IceConfig {
    /// `stun:` URLs.
    pub stun_urls: Vec<String>,
    /// `turn:` / `turns:` URLs of the coturn next to the relay.
    pub turn_urls: Vec<String>,
    /// The secret shared with coturn (`static-auth-secret`).
    pub turn_secret: Option<secrecy::SecretString>,
    /// How long credentials stay valid, seconds.
    pub turn_ttl_seconds: i64,
}

/// Default validity of TURN credentials: an hour. An admitted citizen gets fresh ones
/// every half of it ([`IceConfig::renew_every`]), so a longer call keeps working while a
/// credential read off a page is of use for an hour at most.
pub const DEFAULT_TURN_TTL_SECONDS: i64 = 3600;

/// Validity of the TURN credentials a clerk's cockpit gets for a conversation: twelve
/// hours, longer than any conversation at the counter.
pub const CLERK_TURN_TTL_SECONDS: i64 = 12 * 3600;

impl IceConfig {
    /// How often an admitted citizen gets fresh TURN credentials: half their lifetime;
    /// `None` without TURN.
    pub fn renew_every(&self) -> Option<std::time::Duration> {
        (!self.turn_urls.is_empty() && self.turn_secret.is_some()).then(|| {
            std::time::Duration::from_millis(
                u64::try_from(self.turn_ttl_seconds.max(2) * 500).unwrap_or(u64::MAX),
            )
        })
    }

    /// The ICE servers for a clerk's conversation. The clerk's call engine keeps one TURN
    /// allocation for the whole conversation and cannot take new credentials into it, so
    /// these last a working day ([`CLERK_TURN_TTL_SECONDS`], or longer when the relay's
    /// own lifetime is): they go only to an authenticated clerk's cockpit, over its
    /// signaling connection, never onto a page.
    pub fn clerk_ice_servers(&self, now_unix: i64, id: &str) -> Vec<IceServer> {
        Self {
            turn_ttl_seconds: self.turn_ttl_seconds.max(CLERK_TURN_TTL_SECONDS),
            ..self.clone()
        }
        .ice_servers(now_unix, id)
    }

    /// The ICE servers for one participant; `id` names them in the TURN username (a room
    /// or clerk id, never citizen data).
    pub fn ice_servers(&self, now_unix: i64, id: &str) -> Vec<IceServer> {
        let mut servers = Vec::new();
        if !self.stun_urls.is_empty() {
            servers.push(IceServer {
                urls: self.stun_urls.clone(),
                username: None,
                credential: None,
            });
        }
        if let (false, Some(secret)) = (self.turn_urls.is_empty(), &self.turn_secret) {
            let username = format!("{}:{id}", now_unix + self.turn_ttl_seconds);
            servers.push(IceServer {
                urls: self.turn_urls.clone(),
                credential: Some(turn_password(secret.expose_secret(), &username)),
                username: Some(username),
            });
        }
        servers
    }
}

/// base64(HMAC-SHA1(secret, username)).
pub fn turn_password(secret: &str, username: &str) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_base64_hmac_sha1_of_the_username() {
        // Computed independently with Python's hmac and hashlib.
        assert_eq!(
            turn_password("north-sea-wind", "1795917600:c-0123456789abcdef"),
            "LhUBYx9Affc5zN6SDnqasvClJMI="
        );
    }

    #[test]
    fn turn_credentials_expire_after_the_ttl_and_need_a_secret() {
        let mut config = IceConfig {
            stun_urls: vec!["stun:turn.zonnedorp.be:3478".into()],
            turn_urls: vec!["turn:turn.zonnedorp.be:3478?transport=udp".into()],
            turn_secret: None,
            turn_ttl_seconds: 600,
        };
        let servers = config.ice_servers(1_000, "c-room");
        assert_eq!(servers.len(), 1, "no TURN without a secret");
        config.turn_secret = Some("north-sea-wind".into());
        let servers = config.ice_servers(1_000, "c-room");
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[1].username.as_deref(), Some("1600:c-room"));
        assert_eq!(
            servers[1].credential.as_deref(),
            Some(turn_password("north-sea-wind", "1600:c-room").as_str())
        );
        // A clerk's conversation keeps its allocation for a working day.
        let clerk = config.clerk_ice_servers(1_000, "k-room");
        assert_eq!(clerk[1].username.as_deref(), Some("44200:k-room"));
        config.turn_ttl_seconds = 13 * 3600;
        let clerk = config.clerk_ice_servers(1_000, "k-room");
        assert_eq!(clerk[1].username.as_deref(), Some("47800:k-room"));
    }
}
