//! Talking to one OpenID provider: its discovery document, its signing keys (cached by
//! `kid`, fetched again at most once a minute for a key not seen), the code exchange at its
//! token endpoint and its user-info endpoint.

use super::config::{ClientAuth, ProviderConfig};
use super::verify::{self, Expected, Rejected, VerifiedToken};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a request to the provider may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The most the relay reads of any answer from the provider.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// How long the discovery document is kept before it is read again.
const DISCOVERY_KEPT: Duration = Duration::from_secs(24 * 3600);

/// A key not in the cached set is looked for at the provider at most this often: an
/// attacker's unknown `kid`s cannot make the relay hammer the provider.
pub const JWKS_REFETCH_EVERY: Duration = Duration::from_secs(60);

/// What can go wrong with a provider, besides a token that fails a check.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Not reached, timed out, an HTTP error, or an answer that is not what the
    /// specification says.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The token endpoint refused the code (`invalid_grant`: used before, expired).
    #[error("the provider refused the code")]
    CodeRefused,
    /// The ID token or the user-info answer failed a check.
    #[error(transparent)]
    Rejected(#[from] Rejected),
}

/// The fields of the discovery document the relay uses (OpenID Connect Discovery 3).
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// Must be the configured issuer, exactly.
    pub issuer: String,
    /// Where the citizen is sent.
    pub authorization_endpoint: String,
    /// Where the code is exchanged.
    pub token_endpoint: String,
    /// Where more claims can be asked.
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// The provider's signing keys.
    pub jwks_uri: String,
    /// Whether PKCE's S256 is supported (absent: assume so, as most do).
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

#[derive(Default)]
struct KeyCache {
    keys: Vec<Jwk>,
    fetched: Option<Instant>,
    /// Whether the last fetch failed: until the next, a missing key means the provider
    /// is unavailable, not that the token names a key it never had.
    failed: bool,
}

/// One configured provider and what the relay keeps of it.
pub struct Provider {
    /// Its settings.
    pub config: ProviderConfig,
    client: reqwest::Client,
    discovery: Mutex<Option<(Instant, Discovery)>>,
    keys: Mutex<KeyCache>,
}

/// What the token endpoint answers (RFC 6749 5.1, OpenID Connect Core 3.1.3.3).
#[derive(Deserialize)]
struct TokenAnswer {
    id_token: String,
    #[serde(default)]
    access_token: Option<String>,
}

impl Provider {
    /// A provider over its checked settings.
    pub fn new(config: ProviderConfig) -> Result<Self, ProviderError> {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ProviderError::Unavailable(format!("no HTTP client: {e}")))?;
        Ok(Self {
            config,
            client,
            discovery: Mutex::new(None),
            keys: Mutex::new(KeyCache::default()),
        })
    }

    /// The discovery document, read once a day.
    pub async fn discovery(&self) -> Result<Discovery, ProviderError> {
        if let Ok(cached) = self.discovery.lock()
            && let Some((at, doc)) = cached.as_ref()
            && at.elapsed() < DISCOVERY_KEPT
        {
            return Ok(doc.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let doc: Discovery = serde_json::from_value(self.get_json(&url, None).await?)
            .map_err(|_| unavailable("the discovery document lacks a required field"))?;
        if doc.issuer != self.config.issuer {
            return Err(unavailable("the discovery document names another issuer"));
        }
        for url in [
            &doc.authorization_endpoint,
            &doc.token_endpoint,
            &doc.jwks_uri,
        ]
        .into_iter()
        .chain(doc.userinfo_endpoint.as_ref())
        {
            if balie_domain::ServiceUrl::parse(url).is_err() {
                return Err(unavailable(
                    "the discovery document has an address that is not https",
                ));
            }
        }
        if doc
            .code_challenge_methods_supported
            .as_ref()
            .is_some_and(|m| !m.iter().any(|m| m == "S256"))
        {
            return Err(unavailable("the provider does not support PKCE with S256"));
        }
        if let Ok(mut cached) = self.discovery.lock() {
            *cached = Some((Instant::now(), doc.clone()));
        }
        Ok(doc)
    }

    /// The provider's key for a token signed with `header`: from the cache, or fetched
    /// again if this `kid` is new and the last fetch was over [`JWKS_REFETCH_EVERY`] ago.
    async fn key_for(
        &self,
        jwks_uri: &str,
        header: &jsonwebtoken::Header,
    ) -> Result<Jwk, ProviderError> {
        if let Some(key) = self.cached_key(header) {
            return Ok(key);
        }
        let may_fetch = self.keys.lock().is_ok_and(|mut cache| {
            let due = cache
                .fetched
                .is_none_or(|at| at.elapsed() >= JWKS_REFETCH_EVERY);
            if due {
                cache.fetched = Some(Instant::now());
            }
            due
        });
        if !may_fetch {
            let failed = self.keys.lock().is_ok_and(|cache| cache.failed);
            return Err(if failed {
                unavailable("the key set could not be read a moment ago")
            } else {
                Rejected::UnknownKey.into()
            });
        }
        let fetched = match self.get_json(jwks_uri, None).await {
            Ok(value) => serde_json::from_value::<JwkSet>(value)
                .map_err(|_| unavailable("the key set does not parse")),
            Err(e) => Err(e),
        };
        let set = match fetched {
            Ok(set) => set,
            Err(e) => {
                if let Ok(mut cache) = self.keys.lock() {
                    cache.failed = true;
                }
                return Err(e);
            }
        };
        if let Ok(mut cache) = self.keys.lock() {
            cache.keys = set.keys;
            cache.failed = false;
        }
        self.cached_key(header)
            .ok_or(ProviderError::Rejected(Rejected::UnknownKey))
    }

    /// The cached key named by the header's `kid`; with no `kid`, the one key of the
    /// algorithm's kind if there is exactly one.
    fn cached_key(&self, header: &jsonwebtoken::Header) -> Option<Jwk> {
        let cache = self.keys.lock().ok()?;
        match &header.kid {
            Some(kid) => cache
                .keys
                .iter()
                .find(|k| k.common.key_id.as_deref() == Some(kid))
                .cloned(),
            None => {
                let family = header.alg.family();
                let mut same_kind = cache.keys.iter().filter(|k| {
                    jsonwebtoken::DecodingKey::from_jwk(k).is_ok_and(|d| d.family() == family)
                });
                match (same_kind.next(), same_kind.next()) {
                    (Some(key), None) => Some(key.clone()),
                    _ => None,
                }
            }
        }
    }

    /// Exchanges `code` (with its PKCE `verifier`) for tokens, checks the ID token and,
    /// when the person's claims are not all in it, asks the user-info endpoint.
    pub async fn redeem(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
        expected: &Expected<'_>,
    ) -> Result<VerifiedToken, ProviderError> {
        let doc = self.discovery().await?;
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", redirect_uri.to_owned()),
            ("code_verifier", verifier.to_owned()),
        ];
        let mut request = self.client.post(&doc.token_endpoint);
        match &self.config.client_auth {
            ClientAuth::PrivateKeyJwt(key) => {
                let assertion = key
                    .assertion(&self.config.client_id, &doc.token_endpoint, expected.now)
                    .map_err(|e| unavailable(e.to_string()))?;
                form.push(("client_id", self.config.client_id.clone()));
                form.push((
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                ));
                form.push(("client_assertion", assertion));
            }
            ClientAuth::ClientSecretBasic(secret) => {
                use secrecy::ExposeSecret as _;
                // RFC 6749 2.3.1: both form-urlencoded before Basic.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                request = request.basic_auth(
                    enc(&self.config.client_id),
                    Some(enc(secret.expose_secret())),
                );
            }
        }
        let response = request
            .form(&form)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unavailable(format!("token endpoint not reached: {}", e.without_url())))?;
        let status = response.status();
        let body = read_limited(response).await?;
        if status == reqwest::StatusCode::BAD_REQUEST
            && serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
                .is_some_and(|e| e == "invalid_grant")
        {
            return Err(ProviderError::CodeRefused);
        }
        if !status.is_success() {
            return Err(unavailable(format!(
                "the token endpoint answered {}",
                status.as_u16()
            )));
        }
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| unavailable("the token endpoint's answer has no ID token"))?;
        let header = verify::header(&answer.id_token)?;
        let key = self.key_for(&doc.jwks_uri, &header).await?;
        let mut verified = verify::check(&answer.id_token, &header, &key, expected)?;
        if verify::lacks_claims(&verified.claims, &self.config.claims)
            && let (Some(endpoint), Some(access)) = (&doc.userinfo_endpoint, &answer.access_token)
        {
            let info = self.get_json(endpoint, Some(access)).await?;
            let Value::Object(info) = info else {
                return Err(unavailable("the user-info answer is not an object"));
            };
            verify::merge_userinfo(&mut verified, info)?;
        }
        Ok(verified)
    }

    /// GETs JSON from `url` (with a bearer token), reading at most [`MAX_ANSWER_BYTES`].
    async fn get_json(&self, url: &str, bearer: Option<&str>) -> Result<Value, ProviderError> {
        let mut request = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| unavailable(format!("not reached: {}", e.without_url())))?;
        if !response.status().is_success() {
            return Err(unavailable(format!(
                "answered {}",
                response.status().as_u16()
            )));
        }
        let body = read_limited(response).await?;
        serde_json::from_slice(&body)
            .map_err(|_| unavailable("answered something that is not JSON"))
    }
}

/// The body, refused when it grows past [`MAX_ANSWER_BYTES`].
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, ProviderError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unavailable(format!("answer cut off: {}", e.without_url())))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(unavailable("the answer is too large"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn unavailable(what: impl Into<String>) -> ProviderError {
    ProviderError::Unavailable(what.into())
}

/// A PKCE verifier (RFC 7636: 43 characters of base64url) and its S256 challenge.
pub fn pkce() -> Result<(String, String), crate::AppError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let verifier = b64.encode(crate::random_bytes::<32>()?);
    let challenge = b64.encode(crate::sha256(verifier.as_bytes()));
    Ok((verifier, challenge))
}
