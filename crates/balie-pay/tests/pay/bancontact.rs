//! Bancontact Pay callbacks signed as Bancontact signs them (ES256 detached JWS with its
//! five critical header fields), with a key made here and published in a JWKS shaped like
//! Bancontact's (RSA and EC keys, picked by `kid`).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, KeyPair as _,
};
use balie_pay::bancontact::{CallbackError, Expected, Jwks, verify_callback};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

const PROFILE: &str = "5fxxxxxxxxxxxxxxxxxxxxxx";
const CALLBACK: &str = "https://balie.zonnedorp.be/hooks/bancontact";
const NOW: OffsetDateTime = datetime!(2026-11-29 10:00:05 UTC);
const BODY: &[u8] = br#"{"paymentId":"5bdb1685b93d1c000bde96f2","transferAmount":4250,"tippingAmount":0,"amount":4250,"totalAmount":4250,"currency":"EUR","description":"Zaalhuur","reference":"123456789002","createdAt":"2026-11-29T09:58:00.000Z","expireAt":"2026-11-29T10:18:00.000Z","succeededAt":"2026-11-29T10:00:03.000Z","status":"SUCCEEDED","debtor":{"name":"Jef","iban":"*************6769"}}"#;

struct Signer {
    key: EcdsaKeyPair,
    kid: &'static str,
}

impl Signer {
    fn new(kid: &'static str, alg: &'static EcdsaSigningAlgorithm) -> Self {
        Self {
            key: EcdsaKeyPair::generate(alg).unwrap(),
            kid,
        }
    }

    /// The JWKS entry for this key.
    fn jwk(&self) -> Value {
        let point = self.key.public_key().as_ref();
        json!({
            "kty": "EC", "use": "sig", "crv": "P-256", "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            "alg": "ES256"
        })
    }

    /// The header Bancontact sends, with `change` applied to it first.
    fn header(&self, change: impl FnOnce(&mut Value)) -> Value {
        let mut header = json!({
            "typ": "JOSE+JSON",
            "kid": self.kid,
            "alg": "ES256",
            "https://payconiq.com/iat": "2026-11-29T10:00:04.209554Z",
            "https://payconiq.com/jti": "23f5a75d13fac39a",
            "https://payconiq.com/path": CALLBACK,
            "https://payconiq.com/iss": "Payconiq",
            "https://payconiq.com/sub": PROFILE,
            "crit": [
                "https://payconiq.com/iat", "https://payconiq.com/jti", "https://payconiq.com/path",
                "https://payconiq.com/iss", "https://payconiq.com/sub"
            ]
        });
        change(&mut header);
        header
    }

    /// The `Signature` header for `body` with `header`.
    fn sign(&self, header: &Value, body: &[u8]) -> String {
        let header_b64 = URL_SAFE_NO_PAD.encode(header.to_string());
        let input = format!("{header_b64}.{}", URL_SAFE_NO_PAD.encode(body));
        let signature = self
            .key
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!(
            "{header_b64}..{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        )
    }
}

/// A JWKS like Bancontact's: an RSA key first, then the EC keys.
fn jwks(signers: &[&Signer]) -> Jwks {
    let mut keys = vec![
        json!({ "kty": "RSA", "kid": "rs.signature.2022", "use": "sig", "n": "0vx7agoebGcQSuuPiLJXZpt", "e": "AQAB" }),
    ];
    keys.extend(signers.iter().map(|s| s.jwk()));
    Jwks::parse(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn expected() -> Expected<'static> {
    Expected {
        profile_id: PROFILE,
        callback_url: CALLBACK,
    }
}

#[test]
fn a_callback_signed_by_bancontact_is_believed() {
    let signer = Signer::new("es.signature.ext.2022", &ECDSA_P256_SHA256_FIXED_SIGNING);
    let other = Signer::new("es.signature.ext.2023", &ECDSA_P256_SHA256_FIXED_SIGNING);
    let keys = jwks(&[&other, &signer]);
    assert_eq!(keys.len(), 2, "the RSA key is skipped");
    let signature = signer.sign(&signer.header(|_| {}), BODY);
    let verified = verify_callback(&signature, BODY, &keys, &expected(), NOW).unwrap();
    assert_eq!(verified.jti, "23f5a75d13fac39a");
    assert_eq!(
        verified.issued_at,
        datetime!(2026-11-29 10:00:04.209554 UTC)
    );
}

#[test]
fn a_der_encoded_signature_is_taken_too() {
    let signer = Signer::new("es.der", &ECDSA_P256_SHA256_ASN1_SIGNING);
    let signature = signer.sign(&signer.header(|_| {}), BODY);
    assert!(verify_callback(&signature, BODY, &jwks(&[&signer]), &expected(), NOW).is_ok());
}

#[test]
fn forged_and_misdirected_callbacks_are_refused() {
    let signer = Signer::new("es.signature.ext.2022", &ECDSA_P256_SHA256_FIXED_SIGNING);
    let keys = jwks(&[&signer]);
    let check =
        |signature: &str, body: &[u8]| verify_callback(signature, body, &keys, &expected(), NOW);
    let good = signer.sign(&signer.header(|_| {}), BODY);

    // The body changed after signing (e.g. FAILED made SUCCEEDED).
    let forged_body = String::from_utf8_lossy(BODY).replace("4250", "1");
    assert_eq!(
        check(&good, forged_body.as_bytes()),
        Err(CallbackError::Signature)
    );
    // Signed by someone else with Bancontact's kid.
    let impostor = Signer::new("es.signature.ext.2022", &ECDSA_P256_SHA256_FIXED_SIGNING);
    assert_eq!(
        check(&impostor.sign(&impostor.header(|_| {}), BODY), BODY),
        Err(CallbackError::Signature)
    );
    // A key Bancontact never published.
    let stranger = Signer::new("es.unknown", &ECDSA_P256_SHA256_FIXED_SIGNING);
    assert_eq!(
        check(&stranger.sign(&stranger.header(|_| {}), BODY), BODY),
        Err(CallbackError::UnknownKey("es.unknown".into()))
    );
    // Correctly signed, but for another profile, another URL, another issuer, the future.
    let signed = |change: &dyn Fn(&mut Value)| signer.sign(&signer.header(|h| change(h)), BODY);
    assert_eq!(
        check(
            &signed(&|h| h["https://payconiq.com/sub"] = "other".into()),
            BODY
        ),
        Err(CallbackError::Subject)
    );
    assert_eq!(
        check(
            &signed(&|h| h["https://payconiq.com/path"] = "https://evil.example/hook".into()),
            BODY
        ),
        Err(CallbackError::Path)
    );
    assert_eq!(
        check(
            &signed(&|h| h["https://payconiq.com/iss"] = "Someone".into()),
            BODY
        ),
        Err(CallbackError::Issuer)
    );
    assert_eq!(
        check(
            &signed(&|h| h["https://payconiq.com/iat"] = "2026-11-29T10:05:00Z".into()),
            BODY
        ),
        Err(CallbackError::Time)
    );
    // Issue 12: a recorded callback sent again later is not believed (NOW is 10:00:05).
    assert_eq!(
        check(
            &signed(&|h| h["https://payconiq.com/iat"] = "2026-11-29T09:54:59Z".into()),
            BODY
        ),
        Err(CallbackError::Time)
    );
    assert!(
        check(
            &signed(&|h| h["https://payconiq.com/iat"] = "2026-11-29T09:55:06Z".into()),
            BODY
        )
        .is_ok(),
        "a callback under five minutes old is believed"
    );
    // Critical fields missing from `crit`, or one we do not know in it.
    assert_eq!(
        check(
            &signed(&|h| {
                h["crit"].as_array_mut().unwrap().pop();
            }),
            BODY
        ),
        Err(CallbackError::Header("crit"))
    );
    assert_eq!(
        check(
            &signed(&|h| h["crit"]
                .as_array_mut()
                .unwrap()
                .push("https://example/new".into())),
            BODY
        ),
        Err(CallbackError::Header("crit"))
    );
    assert_eq!(
        check(
            &signed(&|h| {
                h.as_object_mut()
                    .unwrap()
                    .remove("https://payconiq.com/jti");
            }),
            BODY
        ),
        Err(CallbackError::Header("https://payconiq.com/jti"))
    );
    // Another algorithm, or none.
    assert_eq!(
        check(&signed(&|h| h["alg"] = "none".into()), BODY),
        Err(CallbackError::Algorithm)
    );
    assert_eq!(
        check(&signed(&|h| h["alg"] = "HS256".into()), BODY),
        Err(CallbackError::Algorithm)
    );
    // Not a detached JWS.
    let attached = good.replacen("..", &format!(".{}.", URL_SAFE_NO_PAD.encode(BODY)), 1);
    assert_eq!(check(&attached, BODY), Err(CallbackError::Format));
    for garbage in ["", "..", "a.b", "%%%..%%%", "e30..AAAA"] {
        assert!(check(garbage, BODY).is_err(), "{garbage:?}");
    }
}
