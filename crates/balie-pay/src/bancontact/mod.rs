//! Bancontact Pay (formerly Payconiq by Bancontact), merchant API v3: the API client
//! ([`BancontactPay`]) and the callback's signature check ([`verify_callback`]).
//!
//! A callback carries a `Signature` header: a detached JWS (RFC 7515 appendix F, RFC 7797
//! style) signed ES256 by Bancontact, `BASE64URL(header)..BASE64URL(signature)`, over
//! `BASE64URL(header) + "." + BASE64URL(body)`. The JOSE header names the key (`kid`, in
//! Bancontact's published JWKS) and five critical fields that must all be present and
//! right: `/sub` (our payment profile), `/iss` (`Payconiq`), `/path` (our callback URL),
//! `/iat` (not in the future) and `/jti`. A callback that fails any check changes nothing;
//! one that passes is still only a hint to ask the API.

mod client;

pub use client::{API, API_PREPROD, BancontactPay};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use std::collections::HashMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Bancontact's production JWKS.
pub const JWKS_URL: &str = "https://jwks.bancontact.net/";
/// Bancontact's pre-production JWKS.
pub const JWKS_URL_PREPROD: &str = "https://jwks.preprod.bancontact.net/";

/// The critical header fields Bancontact signs.
const SUB: &str = "https://payconiq.com/sub";
const ISS: &str = "https://payconiq.com/iss";
const IAT: &str = "https://payconiq.com/iat";
const JTI: &str = "https://payconiq.com/jti";
const PATH: &str = "https://payconiq.com/path";

/// How far a callback's `iat` may lie in the future (clock skew).
const SKEW: time::Duration = time::Duration::seconds(60);

/// How old a callback may be: as Stripe's tolerance for its webhooks. An older one is a
/// replay (whoever recorded a callback could send it again); the relay remembers the
/// `jti` of every callback it believed for this long, so a copy within it is no use
/// either.
pub const MAX_CALLBACK_AGE: time::Duration = time::Duration::seconds(300);

/// Why a callback is not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The `Signature` header is not a detached JWS.
    #[error("the signature is not a detached JWS")]
    Format,
    /// The JOSE header cannot be read, or lacks a field.
    #[error("the signature's header is not as Bancontact writes it: {0}")]
    Header(&'static str),
    /// The algorithm is not ES256.
    #[error("the signature is not ES256")]
    Algorithm,
    /// No key with that `kid` in the JWKS.
    #[error("no key {0:?} in Bancontact's key set")]
    UnknownKey(String),
    /// The signature does not match.
    #[error("the signature does not match")]
    Signature,
    /// Signed for another payment profile.
    #[error("the callback is for another payment profile")]
    Subject,
    /// Signed for another callback URL.
    #[error("the callback was signed for another URL")]
    Path,
    /// Not issued by Payconiq/Bancontact.
    #[error("the callback's issuer is not Bancontact")]
    Issuer,
    /// Issued in the future, or longer ago than [`MAX_CALLBACK_AGE`].
    #[error("the callback's time is in the future or too long ago")]
    Time,
}

/// One EC P-256 key of a JWKS.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EcKey {
    /// The uncompressed point, `04 || x || y`.
    point: Vec<u8>,
}

/// Bancontact's signing keys (its JWKS), by `kid`. Only EC P-256 keys are kept; the set
/// also holds RSA keys, which callbacks do not use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jwks {
    keys: HashMap<String, EcKey>,
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<JwkDocument>,
}

#[derive(Deserialize)]
struct JwkDocument {
    kid: Option<String>,
    kty: String,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

impl Jwks {
    /// Reads a JWKS document (`{"keys": […]}`).
    pub fn parse(json: &[u8]) -> Result<Self, CallbackError> {
        let document: JwksDocument =
            serde_json::from_slice(json).map_err(|_| CallbackError::Header("key set"))?;
        let mut keys = HashMap::new();
        for key in document.keys {
            let (Some(kid), "EC", Some("P-256"), Some(x), Some(y)) =
                (key.kid, key.kty.as_str(), key.crv.as_deref(), key.x, key.y)
            else {
                continue;
            };
            let (Ok(x), Ok(y)) = (URL_SAFE_NO_PAD.decode(x), URL_SAFE_NO_PAD.decode(y)) else {
                continue;
            };
            if x.len() != 32 || y.len() != 32 {
                continue;
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            keys.insert(kid, EcKey { point });
        }
        Ok(Self { keys })
    }

    /// How many usable keys it holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// What a believed callback was signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCallback {
    /// The signature's unique id (`/jti`), to recognise a repeated callback.
    pub jti: String,
    /// When Bancontact signed it.
    pub issued_at: OffsetDateTime,
}

/// What the callback must have been signed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected<'a> {
    /// Our payment profile id.
    pub profile_id: &'a str,
    /// The callback URL we gave Bancontact, exactly.
    pub callback_url: &'a str,
}

/// Checks a callback: its `Signature` header against its raw body, Bancontact's keys and
/// what it must have been signed for, at time `now`.
pub fn verify_callback(
    signature_header: &str,
    body: &[u8],
    jwks: &Jwks,
    expected: &Expected<'_>,
    now: OffsetDateTime,
) -> Result<VerifiedCallback, CallbackError> {
    let mut parts = signature_header.trim().split('.');
    let (Some(header_b64), Some(""), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CallbackError::Format);
    };
    let header_json = URL_SAFE_NO_PAD
        .decode(header_b64)
        .map_err(|_| CallbackError::Format)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| CallbackError::Format)?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&header_json).map_err(|_| CallbackError::Header("not JSON"))?;
    let text = |name: &'static str| {
        header
            .get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or(CallbackError::Header(name))
    };

    if text("alg")? != "ES256" {
        return Err(CallbackError::Algorithm);
    }
    if !text("typ")?.eq_ignore_ascii_case("jose+json") {
        return Err(CallbackError::Header("typ"));
    }
    // Every critical field must be named in `crit` and present (RFC 7515 §4.1.11), and
    // `crit` must name nothing we do not check.
    let crit: Vec<&str> = header
        .get("crit")
        .and_then(serde_json::Value::as_array)
        .ok_or(CallbackError::Header("crit"))?
        .iter()
        .map(|v| v.as_str().ok_or(CallbackError::Header("crit")))
        .collect::<Result<_, _>>()?;
    let known = [SUB, ISS, IAT, JTI, PATH];
    if known.iter().any(|name| !crit.contains(name))
        || crit.iter().any(|name| !known.contains(name))
    {
        return Err(CallbackError::Header("crit"));
    }
    let kid = text("kid")?;
    let key = jwks
        .keys
        .get(kid)
        .ok_or_else(|| CallbackError::UnknownKey(kid.to_owned()))?;

    // The signed input: the header as sent, a dot, the body in base64url.
    let mut signed = Vec::with_capacity(header_b64.len() + 1 + body.len() * 4 / 3 + 4);
    signed.extend_from_slice(header_b64.as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(URL_SAFE_NO_PAD.encode(body).as_bytes());
    // Raw r||s is the JWS form; some signers send DER, which is taken too.
    let algorithm: &dyn aws_lc_rs::signature::VerificationAlgorithm = if signature.len() == 64 {
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED
    } else {
        &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1
    };
    aws_lc_rs::signature::UnparsedPublicKey::new(algorithm, &key.point)
        .verify(&signed, &signature)
        .map_err(|_| CallbackError::Signature)?;

    // Signed by Bancontact: now what it was signed for.
    if text(SUB)? != expected.profile_id {
        return Err(CallbackError::Subject);
    }
    if text(PATH)? != expected.callback_url {
        return Err(CallbackError::Path);
    }
    if text(ISS)? != "Payconiq" {
        return Err(CallbackError::Issuer);
    }
    let issued_at =
        OffsetDateTime::parse(text(IAT)?, &Rfc3339).map_err(|_| CallbackError::Header(IAT))?;
    if issued_at > now + SKEW || issued_at < now - MAX_CALLBACK_AGE {
        return Err(CallbackError::Time);
    }
    Ok(VerifiedCallback {
        jti: text(JTI)?.to_owned(),
        issued_at,
    })
}
