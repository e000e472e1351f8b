//! The municipality's update key and the signatures made with it: minisign (Ed25519), as
//! `npx tauri signer generate|sign` and `minisign -G|-S` make them, checked by
//! `minisign-verify`.

use base64::Engine as _;
use minisign_verify::{PublicKey, Signature};

/// The public half of the municipality's update key.
#[derive(Clone)]
pub struct UpdateKey(PublicKey);

/// A key or signature that cannot be read, or a signature that does not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(String);

/// The text inside: Tauri's tools write base64 of the minisign file, minisign the file
/// itself.
fn unwrap_base64(text: &str) -> String {
    let text = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|decoded| decoded.contains("comment:"))
        .unwrap_or_else(|| text.to_owned())
}

impl UpdateKey {
    /// Reads a public key as `tauri signer generate` prints it (base64 of the key file),
    /// a minisign `.pub` file's text, or its bare `RW…` line.
    pub fn parse(text: &str) -> Result<Self, VerifyError> {
        let text = unwrap_base64(text);
        let key = if text.contains("comment:") {
            PublicKey::decode(&text)
        } else {
            PublicKey::from_base64(text.trim())
        };
        key.map(Self)
            .map_err(|e| VerifyError(format!("not a minisign public key: {e}")))
    }

    /// Whether `signature` (a `.sig` or `.minisig` file's text) signs `bytes` with this key.
    pub fn verify(&self, bytes: &[u8], signature: &str) -> Result<(), VerifyError> {
        let signature = Signature::decode(&unwrap_base64(signature))
            .map_err(|e| VerifyError(format!("not a minisign signature: {e}")))?;
        self.0
            .verify(bytes, &signature, false)
            .map_err(|e| VerifyError(format!("the signature does not match: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key pair and a signature made by the `minisign` crate, as IT's tools do.
    fn signed(bytes: &[u8]) -> (String, String, String) {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let public_file = pair.pk.to_box().unwrap().to_string();
        let signature = minisign::sign(
            Some(&pair.pk),
            &pair.sk,
            std::io::Cursor::new(bytes),
            Some("timestamp:1\tfile:Balie_0.2.0_amd64.deb"),
            None,
        )
        .unwrap()
        .to_string();
        (public_file, pair.pk.to_base64(), signature)
    }

    #[test]
    fn a_signature_is_checked_in_every_form_the_tools_write() {
        let package = b"the new cockpit";
        let (public_file, public_line, signature) = signed(package);
        let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
        for key in [public_file.clone(), b64(&public_file), public_line] {
            let key = UpdateKey::parse(&key).unwrap();
            for sig in [signature.clone(), b64(&signature)] {
                assert_eq!(key.verify(package, &sig), Ok(()));
            }
            // One byte changed: refused.
            assert!(key.verify(b"the new cockpiT", &signature).is_err());
        }
    }

    #[test]
    fn another_keys_signature_or_garbage_is_refused() {
        let package = b"the new cockpit";
        let (ours, _, _) = signed(package);
        let (_, _, theirs) = signed(package);
        let key = UpdateKey::parse(&ours).unwrap();
        assert!(key.verify(package, &theirs).is_err());
        assert!(key.verify(package, "").is_err());
        assert!(
            key.verify(package, "untrusted comment: x\nnot base64")
                .is_err()
        );
        assert!(UpdateKey::parse("RWnotakey").is_err());
        assert!(UpdateKey::parse("").is_err());
    }
}
