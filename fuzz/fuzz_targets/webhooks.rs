//! Webhook signatures and bodies as the relay checks them: Stripe's `Stripe-Signature`
//! against the raw body, Bancontact's detached JWS against a key set (a real P-256 key,
//! made once), and Bancontact's key set itself. The first line of the input is the
//! header, the rest the body. Nothing is believed and nothing panics.
#![no_main]

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use balie_pay::bancontact::{Expected, Jwks, verify_callback};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn jwks() -> &'static Jwks {
    static JWKS: OnceLock<Jwks> = OnceLock::new();
    JWKS.get_or_init(|| {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        let point = pair.public_key().as_ref();
        let json = serde_json::json!({ "keys": [{
            "kty": "EC", "crv": "P-256", "kid": "es.signature.fuzz", "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
        }]});
        Jwks::parse(json.to_string().as_bytes()).unwrap()
    })
}

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
    let secret = secrecy::SecretString::from("whsec_fuzzfuzzfuzzfuzz");
    let _ = balie_pay::stripe::verify_webhook(header, body.as_bytes(), &secret, 1_795_910_400);
    let expected = Expected {
        profile_id: "5fxxxxxxxxxxxxxxxxxxxxxx",
        callback_url: "https://balie.zonnedorp.be/hooks/bancontact",
    };
    let now = time::OffsetDateTime::from_unix_timestamp(1_795_910_400).unwrap();
    assert!(
        verify_callback(header, body.as_bytes(), jwks(), &expected, now).is_err(),
        "nothing signed by the key, so nothing is believed"
    );
    let _ = Jwks::parse(bytes);
});
