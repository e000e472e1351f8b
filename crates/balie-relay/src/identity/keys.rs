//! The relay's own key for `private_key_jwt`: made by `balie-relay oidc keygen`, kept in a
//! PEM file only the relay's user reads, its public half served at
//! `/.well-known/jwks.json` (and given to the provider at registration), and the signed
//! client assertion sent to the token endpoint (RFC 7523, OpenID Connect Core 9).

use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use std::path::Path;

/// Which kind of key to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyKind {
    /// RSA 3072 bits, signing with RS256: what every provider takes (itsme asks for it).
    Rs256,
    /// P-256, signing with ES256.
    Es256,
}

/// A private key for client assertions, with its public JWK.
#[derive(Clone)]
pub struct ClientKey {
    alg: Algorithm,
    key: EncodingKey,
    public: Jwk,
}

/// The key file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

/// How long a client assertion is valid: a minute is ample for one request.
const ASSERTION_SECONDS: i64 = 60;

impl ClientKey {
    /// Makes a new key of `kind`; `to_pem` gives what to write to the key file.
    pub fn generate(kind: KeyKind) -> Result<(Self, String), KeyError> {
        use aws_lc_rs::encoding::AsDer as _;
        let der: Vec<u8> = match kind {
            KeyKind::Rs256 => {
                let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa3072)
                    .map_err(|_| KeyError("cannot make an RSA key".into()))?;
                let der = pair
                    .as_der()
                    .map_err(|_| KeyError("cannot encode the RSA key".into()))?;
                der.as_ref().to_vec()
            }
            KeyKind::Es256 => {
                let pair = aws_lc_rs::signature::EcdsaKeyPair::generate(
                    &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                )
                .map_err(|_| KeyError("cannot make a P-256 key".into()))?;
                let doc = pair
                    .to_pkcs8v1()
                    .map_err(|_| KeyError("cannot encode the P-256 key".into()))?;
                doc.as_ref().to_vec()
            }
        };
        let pem = pem_encode("PRIVATE KEY", &der);
        Ok((Self::from_pem(pem.as_bytes())?, pem))
    }

    /// Reads a key file made by [`ClientKey::generate`] (PKCS #8 PEM, RSA or P-256).
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let pem = std::fs::read(path)
            .map_err(|e| KeyError(format!("cannot read key_file {}: {e}", path.display())))?;
        Self::from_pem(&pem).map_err(|KeyError(e)| KeyError(format!("{}: {e}", path.display())))
    }

    fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let rsa = EncodingKey::from_rsa_pem(pem)
            .ok()
            .map(|k| (k, Algorithm::RS256));
        let ec = || {
            EncodingKey::from_ec_pem(pem)
                .ok()
                .map(|k| (k, Algorithm::ES256))
        };
        let (key, alg) = rsa
            .into_iter()
            .chain(ec())
            .find(|(k, alg)| Jwk::from_encoding_key(k, *alg).is_ok())
            .ok_or_else(|| KeyError("not an RSA or P-256 private key in PEM".into()))?;
        let mut public = Jwk::from_encoding_key(&key, alg)
            .map_err(|e| KeyError(format!("cannot derive the public key: {e}")))?;
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| KeyError(format!("cannot name the key: {e}")))?;
        public.common.key_id = Some(kid);
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        public.common.key_algorithm = Some(match alg {
            Algorithm::ES256 => KeyAlgorithm::ES256,
            _ => KeyAlgorithm::RS256,
        });
        Ok(Self { alg, key, public })
    }

    /// The key's id: its RFC 7638 thumbprint.
    pub fn kid(&self) -> &str {
        self.public.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public half, as a JWK.
    pub fn public_jwk(&self) -> &Jwk {
        &self.public
    }

    /// A client assertion for `client_id` at `token_endpoint`, issued at `now` (unix
    /// seconds), with a fresh `jti`.
    pub fn assertion(
        &self,
        client_id: &str,
        token_endpoint: &str,
        now: i64,
    ) -> Result<String, KeyError> {
        let jti =
            hex::encode(crate::random_bytes::<16>().map_err(|_| KeyError("no randomness".into()))?);
        let claims = serde_json::json!({
            "iss": client_id,
            "sub": client_id,
            "aud": token_endpoint,
            "jti": jti,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
        });
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid().to_owned());
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| KeyError(format!("cannot sign the client assertion: {e}")))
    }
}

/// PEM: the label's armour around 64-column base64.
fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Writes a new key to `path` (readable by its owner only; an existing file is never
/// overwritten) and gives the public JWK to hand to the provider.
pub fn keygen(path: &Path, kind: KeyKind) -> Result<Jwk, KeyError> {
    use std::io::Write as _;
    let (key, pem) = ClientKey::generate(kind)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| KeyError(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| KeyError(format!("cannot write {}: {e}", path.display())))?;
    Ok(key.public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_reads_back_and_its_assertion_verifies_with_the_public_jwk() {
        for kind in [KeyKind::Rs256, KeyKind::Es256] {
            let (key, pem) = ClientKey::generate(kind).unwrap();
            let again = ClientKey::from_pem(pem.as_bytes()).unwrap();
            assert_eq!(key.kid(), again.kid());
            assert_eq!(key.kid().len(), 43, "a SHA-256 thumbprint");
            let public = serde_json::to_string(key.public_jwk()).unwrap();
            assert!(!public.contains("\"d\""), "no private part: {public}");
            let jwt = key
                .assertion("client-1", "https://op.example/token", 1_800_000_000)
                .unwrap();
            let mut validation = jsonwebtoken::Validation::new(key.alg);
            validation.set_audience(&["https://op.example/token"]);
            validation.validate_exp = false;
            let decoded = jsonwebtoken::decode::<serde_json::Value>(
                &jwt,
                &jsonwebtoken::DecodingKey::from_jwk(key.public_jwk()).unwrap(),
                &validation,
            )
            .unwrap();
            assert_eq!(decoded.claims["sub"], "client-1");
            assert_eq!(decoded.header.kid.as_deref(), Some(key.kid()));
        }
    }

    #[test]
    fn keygen_never_overwrites_and_keeps_the_file_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oidc-key.pem");
        keygen(&path, KeyKind::Es256).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(keygen(&path, KeyKind::Es256).is_err());
        assert!(ClientKey::read(&path).is_ok());
        std::fs::write(&path, "not a key").unwrap();
        assert!(ClientKey::read(&path).is_err());
    }
}
