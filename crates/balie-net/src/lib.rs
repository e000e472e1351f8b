//! How Balie's desktop programs reach the network from a town hall whose only way out is
//! its web proxy. The proxy is the one the environment names, read as curl and reqwest
//! read it: `https_proxy`/`HTTPS_PROXY` for secure targets (`https:`, `wss:`, TURN over
//! TLS or TCP), `http_proxy`/`HTTP_PROXY` for plain ones, `all_proxy`/`ALL_PROXY` for
//! both when those are not set, and `no_proxy`/`NO_PROXY` for what goes direct. Loopback
//! always goes direct: the cockpit's embedded relay lives there.
//!
//! HTTP requests go through it with reqwest ([`Proxies::reqwest`]); WebSockets and TURN
//! open a tunnel with HTTP `CONNECT` ([`Proxies::connect`], [`websocket`]). Only `http://`
//! proxies are understood (with `user:password@` for basic authentication); another kind
//! is reported in the log and the connection goes direct.

use base64::Engine as _;
use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;

/// An HTTP proxy.
#[derive(Clone, PartialEq, Eq)]
pub struct ProxyServer {
    host: String,
    port: u16,
    /// `Basic base64(user:password)`, when the URL carried them.
    authorization: Option<String>,
    url: url::Url,
}

impl std::fmt::Debug for ProxyServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password stays out of logs.
        write!(f, "http://{}:{}", self.host, self.port)
    }
}

impl ProxyServer {
    /// Reads `http://[user:password@]host[:port]` (a bare `host:port` counts as http; the
    /// port defaults to 80). `None` for anything else.
    fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let with_scheme = if value.contains("://") {
            value.to_owned()
        } else {
            format!("http://{value}")
        };
        let url = match url::Url::parse(&with_scheme) {
            Ok(url) if url.scheme() == "http" => url,
            Ok(url) => {
                tracing::warn!(
                    scheme = url.scheme(),
                    "only http:// web proxies are supported; going direct"
                );
                return None;
            }
            Err(_) => {
                tracing::warn!("the web proxy setting cannot be read; going direct");
                return None;
            }
        };
        let host = url.host_str()?.trim_matches(['[', ']']).to_owned();
        let port = url.port_or_known_default()?;
        let authorization = (!url.username().is_empty()).then(|| {
            let user = percent_decode(url.username());
            let password = percent_decode(url.password().unwrap_or(""));
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )
        });
        Some(Self {
            host,
            port,
            authorization,
            url,
        })
    }
}

/// `%XX` escapes in a URL's user name or password, undone (`+` stays `+`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One entry of `NO_PROXY`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Direct {
    /// `*`: nothing goes through the proxy.
    Everything,
    /// A host and every host under it (`example.be`, `.example.be`).
    Domain(String),
    /// An address, or a network in CIDR notation.
    Network(IpAddr, u8),
}

/// The proxies the environment names, and what goes direct.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    plain: Option<ProxyServer>,
    secure: Option<ProxyServer>,
    direct: Vec<Direct>,
}

impl Proxies {
    /// From this process's environment, read once.
    pub fn from_env() -> &'static Proxies {
        static FROM_ENV: OnceLock<Proxies> = OnceLock::new();
        FROM_ENV.get_or_init(|| Self::from_lookup(|name| std::env::var(name).ok()))
    }

    /// From variables looked up with `get` (the lower-case name first, as curl does).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| {
            get(name)
                .or_else(|| get(&name.to_uppercase()))
                .filter(|v| !v.trim().is_empty())
        };
        let all = var("all_proxy");
        let plain = var("http_proxy").or_else(|| all.clone());
        let secure = var("https_proxy").or(all);
        let direct = var("no_proxy")
            .map(|list| {
                list.split([',', ' '])
                    .filter_map(|entry| parse_direct(entry.trim()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            plain: plain.and_then(|v| ProxyServer::parse(&v)),
            secure: secure.and_then(|v| ProxyServer::parse(&v)),
            direct,
        }
    }

    /// The proxy to reach `host` through (`secure`: TLS to the target), or `None` to go
    /// direct.
    pub fn for_target(&self, secure: bool, host: &str) -> Option<&ProxyServer> {
        let proxy = if secure { &self.secure } else { &self.plain }.as_ref()?;
        let host = host.trim_matches(['[', ']']).trim_end_matches('.');
        let ip = host.parse::<IpAddr>().ok();
        let lower = host.to_ascii_lowercase();
        if lower == "localhost"
            || lower.ends_with(".localhost")
            || ip.is_some_and(|ip| ip.to_canonical().is_loopback())
        {
            return None;
        }
        let bypass = self.direct.iter().any(|rule| match (rule, ip) {
            (Direct::Everything, _) => true,
            (Direct::Network(net, bits), Some(ip)) => in_network(ip, *net, *bits),
            (Direct::Network(..), None) => false,
            (Direct::Domain(domain), _) => {
                lower == *domain || lower.ends_with(&format!(".{domain}"))
            }
        });
        (!bypass).then_some(proxy)
    }

    /// The same choice for reqwest, for each request's URL. Put on a client builder with
    /// `.proxy(…)`, it replaces reqwest's own reading of the environment.
    pub fn reqwest(&'static self) -> reqwest::Proxy {
        reqwest::Proxy::custom(move |url| {
            let secure = url.scheme() == "https";
            self.for_target(secure, url.host_str()?)
                .map(|proxy| proxy.url.clone())
        })
    }

    /// A TCP connection to `host:port`: direct, or a tunnel through the proxy (HTTP
    /// `CONNECT`). `secure` says whether TLS will run over it (chooses the proxy).
    pub async fn connect(&self, secure: bool, host: &str, port: u16) -> std::io::Result<TcpStream> {
        let bare = host.trim_matches(['[', ']']);
        let Some(proxy) = self.for_target(secure, bare) else {
            return tokio::time::timeout(CONNECT_WITHIN, TcpStream::connect((bare, port)))
                .await
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?;
        };
        tokio::time::timeout(CONNECT_WITHIN, tunnel(proxy, bare, port))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
    }
}

/// How long opening a connection (with its tunnel) may take.
const CONNECT_WITHIN: Duration = Duration::from_secs(10);

/// The largest answer to `CONNECT` we read.
const MAX_CONNECT_ANSWER: usize = 8 * 1024;

/// Asks `proxy` for a tunnel to `host:port` (RFC 9110 section 9.3.6).
async fn tunnel(proxy: &ProxyServer, host: &str, port: u16) -> std::io::Result<TcpStream> {
    // The host comes from a relay's answer: nothing in it may change the request.
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a host name or address",
        ));
    }
    let mut stream = TcpStream::connect((proxy.host.as_str(), proxy.port)).await?;
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(authorization) = &proxy.authorization {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    // Read the answer byte by byte up to its blank line: what follows belongs to the
    // tunnel.
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 || answer.len() >= MAX_CONNECT_ANSWER {
            return Err(std::io::Error::other(
                "the web proxy closed or sent too much",
            ));
        }
        answer.push(byte[0]);
    }
    let status = connect_status(&answer)
        .ok_or_else(|| std::io::Error::other("the web proxy's answer cannot be read"))?;
    if !(200..300).contains(&status) {
        return Err(std::io::Error::other(format!(
            "the web proxy refused the connection ({status})"
        )));
    }
    Ok(stream)
}

/// The status code in `HTTP/1.x 200 …`.
fn connect_status(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    parts.next().filter(|v| v.starts_with("HTTP/1."))?;
    parts.next()?.parse().ok()
}

fn parse_direct(entry: &str) -> Option<Direct> {
    if entry.is_empty() {
        return None;
    }
    if entry == "*" {
        return Some(Direct::Everything);
    }
    if let Some((net, bits)) = entry.split_once('/') {
        let net: IpAddr = net.trim_matches(['[', ']']).parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        return (bits <= max).then_some(Direct::Network(net, bits));
    }
    // A port after an address or a host name is ignored, as curl does.
    let without_port = match entry.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(address, _)| address),
        None if entry.matches(':').count() == 1 => entry.split_once(':').map_or(entry, |(h, _)| h),
        None => entry,
    };
    if let Ok(ip) = without_port.parse::<IpAddr>() {
        return Some(Direct::Network(ip, if ip.is_ipv4() { 32 } else { 128 }));
    }
    let domain = without_port
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.');
    (!domain.is_empty()).then(|| Direct::Domain(domain.to_ascii_lowercase()))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// A WebSocket connection like `tokio_tungstenite::connect_async`, through the proxy the
/// environment names when there is one for this URL.
pub async fn websocket(
    request: tungstenite::handshake::client::Request,
) -> Result<
    (
        tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
        tungstenite::handshake::client::Response,
    ),
    tungstenite::Error,
> {
    let uri = request.uri();
    let secure = uri.scheme_str() == Some("wss");
    let host = uri.host().ok_or(tungstenite::Error::Url(
        tungstenite::error::UrlError::NoHostName,
    ))?;
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let stream = Proxies::from_env()
        .connect(secure, host, port)
        .await
        .map_err(tungstenite::Error::Io)?;
    tokio::time::timeout(
        CONNECT_WITHIN,
        tokio_tungstenite::client_async_tls(request, stream),
    )
    .await
    .map_err(|_| tungstenite::Error::Io(std::io::ErrorKind::TimedOut.into()))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Proxies::from_lookup(|name| vars.get(name).cloned())
    }

    fn via(p: &Proxies, secure: bool, host: &str) -> Option<String> {
        p.for_target(secure, host).map(|s| format!("{s:?}"))
    }

    #[test]
    fn the_environment_names_the_proxy_per_kind_of_target() {
        let p = proxies(&[
            ("HTTPS_PROXY", "http://proxy.gemeente.be:8080"),
            ("http_proxy", "plain.gemeente.be:3128"),
        ]);
        assert_eq!(
            via(&p, true, "balie.gemeente.be").as_deref(),
            Some("http://proxy.gemeente.be:8080")
        );
        assert_eq!(
            via(&p, false, "balie.gemeente.be").as_deref(),
            Some("http://plain.gemeente.be:3128")
        );
        // ALL_PROXY covers both when they are not set.
        let p = proxies(&[("ALL_PROXY", "http://proxy:8080")]);
        assert!(via(&p, true, "a.be").is_some() && via(&p, false, "a.be").is_some());
        assert_eq!(proxies(&[]), Proxies::default());
        assert_eq!(via(&proxies(&[]), true, "a.be"), None);
    }

    #[test]
    fn loopback_and_no_proxy_go_direct() {
        let p = proxies(&[
            ("https_proxy", "http://proxy:8080"),
            (
                "no_proxy",
                "intranet.gemeente.be, .lokaal,10.0.0.0/8 192.168.1.7,[2001:db8::]/32,mail:25,\
                 [2001:db9::7]:443,dossiers.example.",
            ),
        ]);
        for direct in [
            "127.0.0.1",
            "127.8.8.8",
            "::1",
            "[::1]",
            "localhost",
            "balie.localhost",
            "::ffff:127.0.0.1",
            "2001:db9::7",
            "dossiers.example",
            "dossiers.example.",
            "intranet.gemeente.be",
            "dossiers.intranet.gemeente.be",
            "server.lokaal",
            "lokaal",
            "10.1.2.3",
            "192.168.1.7",
            "2001:db8::5",
            "mail",
        ] {
            assert_eq!(via(&p, true, direct), None, "{direct}");
        }
        for proxied in [
            "gemeente.be",
            "notintranet.gemeente.be",
            "11.0.0.1",
            "192.168.1.8",
            "2001:db9::1",
            "balie.example",
        ] {
            assert!(via(&p, true, proxied).is_some(), "{proxied}");
        }
        let p = proxies(&[("https_proxy", "http://proxy:8080"), ("NO_PROXY", "*")]);
        assert_eq!(via(&p, true, "balie.example"), None);
    }

    #[test]
    fn only_http_proxies_are_used_and_passwords_stay_out_of_logs() {
        for unsupported in ["socks5://proxy:1080", "https://proxy:443", "::::"] {
            assert_eq!(
                via(&proxies(&[("https_proxy", unsupported)]), true, "a.be"),
                None
            );
        }
        let p = proxies(&[(
            "https_proxy",
            "http://jan%40gemeente:ge%3Aheim+1@proxy:8080",
        )]);
        let proxy = p.for_target(true, "a.be").unwrap();
        assert_eq!(
            proxy.authorization.as_deref(),
            Some(
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode("jan@gemeente:ge:heim+1")
                )
                .as_str()
            )
        );
        assert_eq!(format!("{proxy:?}"), "http://proxy:8080");
        assert_eq!(
            proxies(&[("http_proxy", "http://proxy")])
                .plain
                .unwrap()
                .port,
            80
        );
    }

    #[test]
    fn the_answer_to_connect_is_read_strictly() {
        assert_eq!(
            connect_status(b"HTTP/1.1 200 Connection established\r\n\r\n"),
            Some(200)
        );
        assert_eq!(
            connect_status(b"HTTP/1.0 407 Proxy Authentication Required\r\n\r\n"),
            Some(407)
        );
        assert_eq!(connect_status(b"SSH-2.0-OpenSSH\r\n\r\n"), None);
        assert_eq!(connect_status(b"HTTP/1.1 abc\r\n\r\n"), None);
        assert_eq!(connect_status(b"\xff\xfe\r\n\r\n"), None);
    }

    #[tokio::test]
    async fn a_tunnel_is_asked_with_connect_and_refusals_are_errors() {
        use tokio::net::TcpListener;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let mut seen = Vec::new();
            for answer in [
                &b"HTTP/1.1 200 Connection established\r\n\r\nhello"[..],
                &b"HTTP/1.1 403 Forbidden\r\n\r\n"[..],
            ] {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 1024];
                let n = socket.read(&mut buf).await.unwrap();
                seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                socket.write_all(answer).await.unwrap();
            }
            seen
        });
        let proxy = ProxyServer::parse(&format!("http://jan:pw@127.0.0.1:{port}")).unwrap();
        let mut stream = tunnel(&proxy, "turn.gemeente.be", 443).await.unwrap();
        let mut after = [0u8; 5];
        stream.read_exact(&mut after).await.unwrap();
        assert_eq!(
            &after, b"hello",
            "bytes after the answer belong to the tunnel"
        );
        for forged in ["a.be\r\nX-Evil: 1", "user@a.be", "a.be/x", ""] {
            let refused = tunnel(&proxy, forged, 443).await.unwrap_err();
            assert_eq!(
                refused.kind(),
                std::io::ErrorKind::InvalidInput,
                "{forged:?}"
            );
        }
        let refused = tunnel(&proxy, "2001:db8::1", 443).await.unwrap_err();
        assert!(refused.to_string().contains("403"), "{refused}");
        let seen = server.await.unwrap();
        assert!(seen[0].starts_with("CONNECT turn.gemeente.be:443 HTTP/1.1\r\n"));
        assert!(seen[0].contains("Proxy-Authorization: Basic amFuOnB3\r\n"));
        assert!(seen[1].starts_with("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n"));
    }
}
