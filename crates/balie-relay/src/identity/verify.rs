//! The checks on an ID token (OpenID Connect Core 3.1.3.7) once its signing key is known,
//! and reading the person out of the claims. Pure: the key, the time and what was asked
//! come in; nothing is fetched here.
//!
//! The signature is checked by `jsonwebtoken` (the algorithm must be the key's, one of
//! the asymmetric ones: never `none`, never an HMAC keyed with a public key); the claims
//! the OpenID rules add are checked here, against the relay's one clock.

use super::config::{ClaimNames, MeansFile, ProviderConfig};
use balie_domain::NationalNumber;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde_json::{Map, Value};

/// How far the provider's clock may be off from the relay's, seconds.
pub const SKEW_SECONDS: i64 = 120;

/// How old an ID token may be when it arrives, seconds (`iat`): it is made during the
/// code exchange, a moment ago.
pub const MAX_TOKEN_AGE_SECONDS: i64 = 600;

/// The signing algorithms an ID token may use: RSA and ECDSA (PKCS #1, PSS, P-256 and
/// P-384). No HMAC (a client secret would sign it) and no `none`.
pub const ALLOWED_ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Why an ID token (or the user-info answer) was refused. Kept for the relay's own log
/// (never with a claim's value) and mapped to what the clerk sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// Not a compact JWS, or its header does not parse (this is where `alg: none` ends).
    #[error("the ID token does not parse")]
    Malformed,
    /// An algorithm outside [`ALLOWED_ALGORITHMS`], or not the key's.
    #[error("the ID token's algorithm is not accepted")]
    Algorithm,
    /// No key of the provider has this `kid` (also after fetching its keys again).
    #[error("the ID token's key is not the provider's")]
    UnknownKey,
    /// The signature does not verify.
    #[error("the ID token's signature is wrong")]
    Signature,
    /// `iss` is not the provider's.
    #[error("the ID token's issuer is wrong")]
    Issuer,
    /// `aud` does not hold our client id, or `azp` names another client.
    #[error("the ID token is for another client")]
    Audience,
    /// `exp` has passed.
    #[error("the ID token has expired")]
    Expired,
    /// `iat` is missing, in the future or too long ago.
    #[error("the ID token's issue time is wrong")]
    IssuedAt,
    /// `nonce` is not the one sent.
    #[error("the ID token's nonce is wrong")]
    Nonce,
    /// `acr` is missing, unknown or below the least level.
    #[error("the means used is not accepted")]
    Level,
    /// A claim that must be there is missing or not of its form.
    #[error("the claim {0} is missing or malformed")]
    Claim(&'static str),
    /// The user-info answer is about someone else.
    #[error("the user-info answer is about another subject")]
    Subject,
}

/// What is checked against.
pub struct Expected<'a> {
    /// The provider.
    pub provider: &'a ProviderConfig,
    /// The nonce sent with this sign-in.
    pub nonce: &'a str,
    /// Now, unix seconds, by the relay's clock.
    pub now: i64,
    /// When the sign-in started: `auth_time` is then required and may not be before it
    /// (less the skew), so an old session at the provider does not count.
    pub signed_in_after: Option<i64>,
}

/// An ID token that passed every check.
#[derive(Debug)]
pub struct VerifiedToken {
    /// Its claims, to read the person from (with the user-info answer's).
    pub claims: Map<String, Value>,
    /// The subject.
    pub sub: String,
    /// The means used.
    pub means: MeansFile,
    /// When the citizen signed in (`auth_time`, else `iat`).
    pub authenticated_at: i64,
}

/// The header, read before the key is looked up: its algorithm must be one we take.
pub fn header(token: &str) -> Result<Header, Rejected> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| Rejected::Malformed)?;
    if !ALLOWED_ALGORITHMS.contains(&header.alg) {
        return Err(Rejected::Algorithm);
    }
    Ok(header)
}

/// Checks `token` (whose header is `header`) with the provider's key `jwk`.
pub fn check(
    token: &str,
    header: &Header,
    jwk: &Jwk,
    expected: &Expected<'_>,
) -> Result<VerifiedToken, Rejected> {
    // The key says what it is for: its algorithm, if it names one, must be the header's.
    if let Some(alg) = jwk.common.key_algorithm
        && alg.to_string() != format!("{:?}", header.alg)
    {
        return Err(Rejected::Algorithm);
    }
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != jsonwebtoken::jwk::PublicKeyUse::Signature)
    {
        return Err(Rejected::UnknownKey);
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|_| Rejected::UnknownKey)?;
    if key.family() != header.alg.family() {
        return Err(Rejected::Algorithm);
    }
    let provider = expected.provider;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&provider.issuer]);
    validation.set_audience(&[&provider.client_id]);
    validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
    // Time is checked below, by the relay's clock, with the same skew both ways.
    validation.validate_exp = false;
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => Rejected::Signature,
                K::InvalidIssuer => Rejected::Issuer,
                K::InvalidAudience => Rejected::Audience,
                K::InvalidAlgorithm | K::InvalidAlgorithmName => Rejected::Algorithm,
                K::MissingRequiredClaim(c) if c == "iss" => Rejected::Issuer,
                K::MissingRequiredClaim(c) if c == "aud" => Rejected::Audience,
                K::MissingRequiredClaim(c) if c == "exp" => Rejected::Expired,
                K::InvalidKeyFormat | K::InvalidEcdsaKey | K::InvalidRsaKey(_) => {
                    Rejected::UnknownKey
                }
                _ => Rejected::Malformed,
            }
        })?;
    let claims = data.claims;
    let now = expected.now;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(Rejected::Expired)?;
    if exp + SKEW_SECONDS <= now {
        return Err(Rejected::Expired);
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(Rejected::IssuedAt)?;
    if iat > now + SKEW_SECONDS || iat < now - MAX_TOKEN_AGE_SECONDS - SKEW_SECONDS {
        return Err(Rejected::IssuedAt);
    }
    // With more than one audience the token must say it was issued to us (`azp`); with
    // one, an `azp` that is there must be us.
    let several_audiences = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|a| a.len() > 1);
    match claims.get("azp") {
        Some(Value::String(azp)) if *azp == provider.client_id => {}
        None if !several_audiences => {}
        _ => return Err(Rejected::Audience),
    }
    let nonce_ok = claims
        .get("nonce")
        .and_then(Value::as_str)
        .is_some_and(|n| {
            subtle::ConstantTimeEq::ct_eq(n.as_bytes(), expected.nonce.as_bytes()).into()
        });
    if !nonce_ok {
        return Err(Rejected::Nonce);
    }
    let acr = claims.get("acr").and_then(Value::as_str).unwrap_or("");
    let means = provider
        .accepted_means()
        .find(|m| m.acr == acr)
        .cloned()
        .ok_or(Rejected::Level)?;
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or(Rejected::Claim("sub"))?
        .to_owned();
    let authenticated_at = match (claims.get("auth_time"), expected.signed_in_after) {
        (None, None) => iat,
        (None, Some(_)) => return Err(Rejected::Claim("auth_time")),
        (Some(t), after) => t
            .as_i64()
            .filter(|t| *t <= now + SKEW_SECONDS)
            .filter(|t| after.is_none_or(|after| *t >= after - SKEW_SECONDS))
            .ok_or(Rejected::Claim("auth_time"))?,
    };
    Ok(VerifiedToken {
        claims,
        sub,
        means,
        authenticated_at,
    })
}

/// The facts about the person, read from `claims` by the provider's claim names.
#[derive(Debug, PartialEq, Eq)]
pub struct Person {
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// The national register number.
    pub national_number: Option<NationalNumber>,
}

/// Which of the person's claims `claims` lacks (to ask the user-info endpoint for).
pub fn lacks_claims(claims: &Map<String, Value>, names: &ClaimNames) -> bool {
    let mut wanted = vec![&names.given_name, &names.family_name];
    wanted.extend(names.national_number.as_ref());
    wanted
        .iter()
        .any(|name| !claims.contains_key(name.as_str()))
}

/// Adds the user-info answer's claims to the ID token's; the answer must be about the
/// same subject (OpenID Connect Core 5.3.2), and the ID token's claims win.
pub fn merge_userinfo(
    verified: &mut VerifiedToken,
    userinfo: Map<String, Value>,
) -> Result<(), Rejected> {
    if userinfo.get("sub").and_then(Value::as_str) != Some(verified.sub.as_str()) {
        return Err(Rejected::Subject);
    }
    for (name, value) in userinfo {
        verified.claims.entry(name).or_insert(value);
    }
    Ok(())
}

/// A name as a provider gives it: text of 1 to 200 characters with no control characters.
fn name(claims: &Map<String, Value>, key: &str, what: &'static str) -> Result<String, Rejected> {
    claims
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.chars().count() <= 200 && !s.chars().any(char::is_control))
        .map(str::to_owned)
        .ok_or(Rejected::Claim(what))
}

/// Reads the person; a national number must be one (check digits), a birth date must be
/// a date, and the two must agree when both are given.
pub fn person(claims: &Map<String, Value>, names: &ClaimNames) -> Result<Person, Rejected> {
    let given_name = name(claims, &names.given_name, "given_name")?;
    let family_name = name(claims, &names.family_name, "family_name")?;
    let national_number = match names.national_number.as_ref().and_then(|n| claims.get(n)) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => {
            Some(NationalNumber::parse(text).map_err(|_| Rejected::Claim("national_number"))?)
        }
        Some(_) => return Err(Rejected::Claim("national_number")),
    };
    let stated = match claims.get(&names.birth_date) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
            text.parse::<jiff::civil::Date>()
                .map_err(|_| Rejected::Claim("birth_date"))?
                .to_string(),
        ),
        Some(_) => return Err(Rejected::Claim("birth_date")),
    };
    let from_number = national_number
        .as_ref()
        .and_then(NationalNumber::birth_date);
    if let (Some(stated), Some(from_number)) = (&stated, &from_number)
        && stated != from_number
    {
        return Err(Rejected::Claim("birth_date"));
    }
    Ok(Person {
        given_name,
        family_name,
        birth_date: stated.or(from_number),
        national_number,
    })
}
