//! The municipality's update key as IT's tools make and use it: a minisign key pair whose
//! public half reads as `npx tauri signer generate` prints it (base64 of the key file),
//! and signatures as `npx tauri signer sign` writes them (base64 of the signature file).

use base64::Engine as _;
use std::path::Path;

/// A fresh update key.
pub struct UpdateKey(minisign::KeyPair);

impl UpdateKey {
    /// A new key pair, unencrypted.
    pub fn generate() -> Self {
        Self(minisign::KeyPair::generate_unencrypted_keypair().expect("a minisign key pair"))
    }

    /// The public half, for the machine settings' `[updates] pubkey`.
    pub fn public(&self) -> String {
        let file = self.0.pk.to_box().expect("a public key file").to_string();
        base64::engine::general_purpose::STANDARD.encode(file)
    }

    /// The signature of `bytes`, as a `.sig` file holds it.
    pub fn sign(&self, bytes: &[u8]) -> String {
        let signature = minisign::sign(
            Some(&self.0.pk),
            &self.0.sk,
            std::io::Cursor::new(bytes),
            Some("timestamp:1"),
            None,
        )
        .expect("a minisign signature")
        .to_string();
        base64::engine::general_purpose::STANDARD.encode(signature)
    }

    /// Signs `file` and writes its `.sig` beside it.
    pub fn sign_file(&self, file: &Path) {
        let signature = self.sign(&std::fs::read(file).expect("the package"));
        std::fs::write(format!("{}.sig", file.display()), signature).expect("the .sig");
    }
}
