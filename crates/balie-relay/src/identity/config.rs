//! What IT configures for each OpenID provider (`[[identity]]` tables in the relay's TOML
//! file), checked before the relay starts.

use balie_protocol::identity::AssuranceLevel;
use serde::Deserialize;
use std::path::PathBuf;

/// One OpenID provider as IT writes it in the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// A short id, letters, digits and `-` (e.g. `acm`); part of no URL the citizen sees.
    pub id: String,
    /// The name on the citizen's button, e.g. `itsme of eID`.
    pub label: String,
    /// `acm` fills in the Flemish broker's means, scopes and claim names (each may still
    /// be set here); `generic` (the default) fills in nothing.
    #[serde(default)]
    pub preset: Preset,
    /// The issuer, e.g. `https://authenticatie.vlaanderen.be/op`; its discovery document
    /// is read from `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    /// The client id the provider gave the municipality.
    pub client_id: String,
    /// How the relay authenticates at the token endpoint.
    pub client_auth: ClientAuthKind,
    /// For `private_key_jwt`: the PEM private key made by `balie-relay oidc keygen`.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// For `client_secret_basic`: the secret (or, better, the environment variable
    /// `BALIE_OIDC_SECRET_<ID>` with the id in capitals and `-` as `_`).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Scopes asked beside `openid`.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// The least level of assurance accepted. `substantial` unless set.
    #[serde(default)]
    pub min_level: Option<AssuranceLevel>,
    /// Whether the request names the accepted means in `acr_values` (on unless set).
    #[serde(default)]
    pub send_acr_values: Option<bool>,
    /// The means the provider may report in `acr`, with their name and level.
    #[serde(default)]
    pub means: Option<Vec<MeansFile>>,
    /// Where the provider puts each fact (claim names).
    #[serde(default)]
    pub claims: Option<ClaimsFile>,
}

/// Defaults for a known provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// Nothing filled in.
    #[default]
    Generic,
    /// *Aanmelden bij de Vlaamse overheid* (ACM/IDM).
    Acm,
}

/// How the relay proves it is the client at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthKind {
    /// A JWT signed with the relay's private key (RFC 7523), whose public key the
    /// provider reads at `/.well-known/jwks.json` or was given once.
    PrivateKeyJwt,
    /// The client id and secret in HTTP Basic.
    ClientSecretBasic,
}

/// One means of authentication a provider reports in `acr`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeansFile {
    /// The `acr` value, e.g. `urn:be:vlaanderen:authmech:itsme`.
    pub acr: String,
    /// The name the clerk sees, e.g. `itsme`.
    pub name: String,
    /// Its level of assurance.
    pub level: AssuranceLevel,
}

/// Claim names, where a provider differs from OpenID Connect's standard ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsFile {
    /// Given name(s): `given_name`.
    pub given_name: Option<String>,
    /// Family name: `family_name`.
    pub family_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`: `birthdate`.
    pub birth_date: Option<String>,
    /// The national register number: `rrn` for ACM/IDM, `egovNRN` for the federal FAS.
    pub national_number: Option<String>,
}

/// A provider's settings, checked and with the defaults filled in.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// Its id.
    pub id: String,
    /// Its button's name.
    pub label: String,
    /// The issuer, exactly as the ID tokens must name it.
    pub issuer: String,
    /// The client id.
    pub client_id: String,
    /// How the relay authenticates.
    pub client_auth: ClientAuth,
    /// Scopes asked, `openid` first.
    pub scopes: Vec<String>,
    /// The least level accepted.
    pub min_level: AssuranceLevel,
    /// Whether the request names the accepted means.
    pub send_acr_values: bool,
    /// The means known for this provider.
    pub means: Vec<MeansFile>,
    /// Claim names.
    pub claims: ClaimNames,
}

/// How the relay authenticates, with its secret material.
#[derive(Clone)]
pub enum ClientAuth {
    /// `private_key_jwt` with this key.
    PrivateKeyJwt(Box<super::keys::ClientKey>),
    /// `client_secret_basic` with this secret.
    ClientSecretBasic(secrecy::SecretString),
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PrivateKeyJwt(key) => write!(f, "PrivateKeyJwt(kid {})", key.kid()),
            Self::ClientSecretBasic(_) => f.write_str("ClientSecretBasic({redacted})"),
        }
    }
}

/// Claim names in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    /// Given name(s).
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth.
    pub birth_date: String,
    /// National register number, if the provider gives one.
    pub national_number: Option<String>,
}

/// The Flemish broker's means of authentication and their levels, as its documentation
/// lists them (*Authenticatiemiddelen*: eID and itsme high, the CSAM codes substantial).
fn acm_means() -> Vec<MeansFile> {
    let m = |acr: &str, name: &str, level| MeansFile {
        acr: format!("urn:be:vlaanderen:authmech:{acr}"),
        name: name.into(),
        level,
    };
    use AssuranceLevel::{High, Low, Substantial};
    vec![
        m("eid", "eID", High),
        m("eidashigh", "eIDAS (hoog)", High),
        m("itsme", "itsme", High),
        m("csamtotp", "authenticator-app", Substantial),
        m("csamsms", "sms-code", Substantial),
        m("eidassubstantial", "eIDAS (substantieel)", Substantial),
        m("csampassword", "gebruikersnaam en wachtwoord", Low),
    ]
}

/// Why a provider's settings cannot work.
#[derive(Debug, thiserror::Error)]
#[error("identity provider {id:?}: {detail}")]
pub struct ProviderConfigError {
    /// The provider's id as written.
    pub id: String,
    /// What is wrong.
    pub detail: String,
}

impl ProviderFile {
    /// Checks the settings, fills in the defaults and reads the key or secret;
    /// `secret_from_env` looks up `BALIE_OIDC_SECRET_<ID>`.
    pub fn resolve(
        self,
        secret_from_env: impl Fn(&str) -> Option<String>,
    ) -> Result<ProviderConfig, ProviderConfigError> {
        let id = self.id.clone();
        let bad = |detail: String| ProviderConfigError {
            id: id.clone(),
            detail,
        };
        if id.is_empty()
            || id.len() > 32
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("the id must be 1 to 32 letters, digits, - or _".into()));
        }
        if self.label.trim().is_empty() || self.label.chars().count() > 60 {
            return Err(bad("the label must be 1 to 60 characters".into()));
        }
        if balie_domain::ServiceUrl::parse(&self.issuer).is_err() {
            return Err(bad(format!(
                "the issuer {:?} must be an https:// address (http:// only on this machine)",
                self.issuer
            )));
        }
        if self.client_id.trim().is_empty() {
            return Err(bad("client_id is empty".into()));
        }
        let acm = self.preset == Preset::Acm;
        let env_name = format!(
            "BALIE_OIDC_SECRET_{}",
            id.to_ascii_uppercase().replace('-', "_")
        );
        let client_auth = match self.client_auth {
            ClientAuthKind::PrivateKeyJwt => {
                if self.client_secret.is_some() {
                    return Err(bad("client_secret is for client_secret_basic only".into()));
                }
                let path = self.key_file.ok_or_else(|| {
                    bad("private_key_jwt needs key_file (balie-relay oidc keygen makes one)".into())
                })?;
                ClientAuth::PrivateKeyJwt(Box::new(
                    super::keys::ClientKey::read(&path).map_err(|e| bad(e.to_string()))?,
                ))
            }
            ClientAuthKind::ClientSecretBasic => {
                if self.key_file.is_some() {
                    return Err(bad("key_file is for private_key_jwt only".into()));
                }
                let secret = secret_from_env(&env_name)
                    .or(self.client_secret)
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        bad(format!(
                            "client_secret_basic needs the secret in {env_name} (or client_secret)"
                        ))
                    })?;
                ClientAuth::ClientSecretBasic(secret.into())
            }
        };
        let mut scopes = vec!["openid".to_owned()];
        let asked = self.scopes.unwrap_or_else(|| {
            if acm {
                vec!["profile".into(), "rrn".into()]
            } else {
                vec!["profile".into()]
            }
        });
        for scope in asked {
            if scope.is_empty() || !scope.bytes().all(|b| b.is_ascii_graphic() && b != b'"') {
                return Err(bad(format!("the scope {scope:?} is not a scope")));
            }
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let means = match self.means {
            Some(means) => means,
            None if acm => acm_means(),
            None => Vec::new(),
        };
        if means.is_empty() {
            return Err(bad(
                "list the means the provider reports in acr ([[identity.means]] with acr, name, level)".into(),
            ));
        }
        for m in &means {
            if m.acr.is_empty() || m.name.trim().is_empty() {
                return Err(bad("a means needs an acr and a name".into()));
            }
        }
        let min_level = self.min_level.unwrap_or(AssuranceLevel::Substantial);
        if !means.iter().any(|m| m.level >= min_level) {
            return Err(bad(format!(
                "no means reaches the least level {min_level:?}"
            )));
        }
        let claims = self.claims.unwrap_or_default();
        let claims = ClaimNames {
            given_name: claims.given_name.unwrap_or_else(|| "given_name".into()),
            family_name: claims.family_name.unwrap_or_else(|| "family_name".into()),
            birth_date: claims.birth_date.unwrap_or_else(|| "birthdate".into()),
            national_number: claims
                .national_number
                .or_else(|| acm.then(|| "rrn".to_owned())),
        };
        Ok(ProviderConfig {
            id: self.id,
            label: self.label,
            // Exactly as written: ID tokens must name it so (OpenID Connect Discovery 4.3).
            issuer: self.issuer,
            client_id: self.client_id,
            client_auth,
            scopes,
            min_level,
            send_acr_values: self.send_acr_values.unwrap_or(true),
            means,
            claims,
        })
    }
}

impl ProviderConfig {
    /// The means accepted: those at or above the least level.
    pub fn accepted_means(&self) -> impl Iterator<Item = &MeansFile> {
        self.means.iter().filter(|m| m.level >= self.min_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acm(client_auth: ClientAuthKind) -> ProviderFile {
        ProviderFile {
            id: "acm".into(),
            label: "itsme of eID".into(),
            preset: Preset::Acm,
            issuer: "https://authenticatie.vlaanderen.be/op".into(),
            client_id: "28358814-5c20".into(),
            client_auth,
            key_file: None,
            client_secret: None,
            scopes: None,
            min_level: None,
            send_acr_values: None,
            means: None,
            claims: None,
        }
    }

    #[test]
    fn the_acm_preset_fills_in_the_brokers_means_scopes_and_claims() {
        let config = acm(ClientAuthKind::ClientSecretBasic)
            .resolve(|name| (name == "BALIE_OIDC_SECRET_ACM").then(|| "s3cret".into()))
            .unwrap();
        assert_eq!(config.scopes, ["openid", "profile", "rrn"]);
        assert_eq!(config.claims.national_number.as_deref(), Some("rrn"));
        let accepted: Vec<_> = config.accepted_means().map(|m| m.name.as_str()).collect();
        assert!(accepted.contains(&"itsme") && accepted.contains(&"eID"));
        assert!(!accepted.contains(&"gebruikersnaam en wachtwoord"));
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn a_provider_that_cannot_work_is_refused_before_the_relay_starts() {
        let no_secret = acm(ClientAuthKind::ClientSecretBasic).resolve(|_| None);
        assert!(
            no_secret
                .unwrap_err()
                .detail
                .contains("BALIE_OIDC_SECRET_ACM")
        );
        let no_key = acm(ClientAuthKind::PrivateKeyJwt).resolve(|_| None);
        assert!(no_key.unwrap_err().detail.contains("key_file"));
        let mut plain = acm(ClientAuthKind::ClientSecretBasic);
        plain.issuer = "http://authenticatie.vlaanderen.be/op".into();
        assert!(plain.resolve(|_| Some("x".into())).is_err());
        let mut generic = acm(ClientAuthKind::ClientSecretBasic);
        generic.preset = Preset::Generic;
        let err = generic.resolve(|_| Some("x".into())).unwrap_err();
        assert!(err.detail.contains("means"), "{err}");
        let mut too_high = acm(ClientAuthKind::ClientSecretBasic);
        too_high.means = Some(vec![MeansFile {
            acr: "urn:x:sms".into(),
            name: "sms".into(),
            level: AssuranceLevel::Substantial,
        }]);
        too_high.min_level = Some(AssuranceLevel::High);
        assert!(too_high.resolve(|_| Some("x".into())).is_err());
    }
}
