//! Addresses of the services Balie talks to or sends people to: a relay, a provider's key
//! set, the page a checkout returns to. They are parsed, not compared as text: a prefix
//! check lets `http://127.0.0.1@evil.example` (user `127.0.0.1` at `evil.example`) pass as
//! this machine.

use std::fmt;
use std::net::IpAddr;

/// The longest address taken.
pub const MAX_URL_BYTES: usize = 2048;

/// An `https://` address with a host, or an `http://` one on this machine only (the
/// loopback addresses and `localhost`); never with a user name or password in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceUrl(url::Url);

/// Why an address is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not an absolute URL, or longer than [`MAX_URL_BYTES`].
    #[error("not an address")]
    Unparsable,
    /// Neither `https://`, nor `http://` on this machine.
    #[error("the address must start with https:// (http:// only on this machine)")]
    NotSecure,
    /// It holds a user name or a password.
    #[error("the address may not hold a user name or password")]
    Credentials,
}

impl ServiceUrl {
    /// Parses and checks `text`.
    pub fn parse(text: &str) -> Result<Self, UrlError> {
        if text.len() > MAX_URL_BYTES || text.contains(char::is_whitespace) {
            return Err(UrlError::Unparsable);
        }
        let url = url::Url::parse(text).map_err(|_| UrlError::Unparsable)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlError::Credentials);
        }
        let secure = match url.scheme() {
            "https" => url.host().is_some(),
            "http" => is_loopback_host(&url),
            _ => false,
        };
        if secure {
            Ok(Self(url))
        } else {
            Err(UrlError::NotSecure)
        }
    }

    /// Whether `other` is on the same scheme, host and port.
    pub fn same_origin(&self, other: &ServiceUrl) -> bool {
        self.0.origin() == other.0.origin()
    }

    /// Its path (`/return`).
    pub fn path(&self) -> &str {
        self.0.path()
    }

    /// The address as text, normalised (`HTTPS://X` is `https://x/`).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_this_machine_and_never_a_user_in_front_of_the_host() {
        for good in [
            "https://balie.zonnedorp.be",
            "https://balie.zonnedorp.be:8443/",
            "http://127.0.0.1:8080",
            "http://127.0.0.2/",
            "http://[::1]:9000/x",
            "http://localhost:3000",
        ] {
            assert!(ServiceUrl::parse(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("http://127.0.0.1@evil.example", UrlError::Credentials),
            ("http://127.0.0.1:80@evil.example/", UrlError::Credentials),
            (
                "https://user:secret@balie.zonnedorp.be",
                UrlError::Credentials,
            ),
            ("http://localhost.evil.example:3000", UrlError::NotSecure),
            ("http://127.0.0.1.evil.example", UrlError::NotSecure),
            ("http://balie.zonnedorp.be", UrlError::NotSecure),
            ("ftp://127.0.0.1", UrlError::NotSecure),
            ("javascript:alert(1)", UrlError::NotSecure),
            ("https://", UrlError::Unparsable),
            ("/return", UrlError::Unparsable),
            ("https://balie.zonnedorp.be/a b", UrlError::Unparsable),
        ] {
            assert_eq!(ServiceUrl::parse(bad), Err(why), "{bad}");
        }
        let long = format!("https://x.be/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(ServiceUrl::parse(&long), Err(UrlError::Unparsable));
    }

    #[test]
    fn the_same_origin_is_scheme_host_and_port() {
        let relay = ServiceUrl::parse("https://balie.zonnedorp.be").unwrap();
        let back = ServiceUrl::parse("https://balie.zonnedorp.be/return?lang=fr").unwrap();
        let other_port = ServiceUrl::parse("https://balie.zonnedorp.be:444/return").unwrap();
        let other_host =
            ServiceUrl::parse("https://balie.zonnedorp.be.evil.example/return").unwrap();
        assert!(relay.same_origin(&back));
        assert_eq!(back.path(), "/return");
        assert!(!relay.same_origin(&other_port));
        assert!(!relay.same_origin(&other_host));
    }
}
