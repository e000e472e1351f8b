//! The sandbox provider through Balie's own Mollie client, the checkout page, payment
//! watches, the hint socket and the providers' webhooks.

use crate::helpers::*;
use crate::ws::{Ws, connect};
use balie_domain::{Locale, Money, PaymentStatus};
use balie_pay::mollie::Mollie;
use balie_pay::{NewPayment, PayError, Provider as _};
use balie_protocol::payment::PaymentHint;
use secrecy::SecretString;

fn sandbox(relay: &TestRelay, token: &str) -> Mollie {
    Mollie::new(
        &format!("{}/sandbox", relay.url),
        SecretString::from(token.to_owned()),
        None,
    )
    .unwrap()
}

fn request(key: &str, hinted: bool, relay: &TestRelay) -> NewPayment {
    NewPayment {
        amount: Money::from_cents(4500),
        description: "Verkeersborden opendeurdag".into(),
        redirect_url: format!("{}/return", relay.url),
        webhook_url: hinted.then(|| format!("{}/hooks/sandbox", relay.url)),
        locale: Locale::Nl,
        idempotency_key: key.into(),
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Chooses `outcome` on the checkout page at `url`; returns the answer.
async fn choose(url: &str, outcome: &str) -> reqwest::Response {
    no_redirects()
        .post(url)
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap()
}

async fn hints(relay: &TestRelay) -> Ws {
    connect(&format!("{}/ws/hints", relay.ws_url()), Some(&relay.token))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sandbox_payment_is_paid_on_its_checkout_page_and_read_back_paid() {
    let relay = spawn_app().await;
    let mollie = sandbox(&relay, &relay.token);
    let created = mollie.create(&request("k-1", false, &relay)).await.unwrap();
    assert_eq!(created.status, PaymentStatus::Open);
    assert!(created.id.starts_with("tr_"), "{}", created.id);
    let checkout = created.checkout_url.clone().unwrap();
    assert!(checkout.starts_with(&format!("{}/sandbox/checkout/", relay.url)));

    // The page says it is a test, in the payment's language, with the amount.
    let page = relay.client.get(&checkout).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("form-action 'self'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("Dit is een test. Er wordt geen echt geld betaald."));
    assert!(html.contains("€\u{a0}45,00"), "{html}");
    assert!(html.contains("Verkeersborden opendeurdag"));

    // Still open until someone chooses.
    assert_eq!(
        mollie.get(&created.id).await.unwrap().status,
        PaymentStatus::Open
    );
    let answer = choose(&checkout, "paid").await;
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.headers()["location"],
        format!("{}/return", relay.url)
    );
    let paid = mollie.get(&created.id).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert_eq!(paid.checkout_url, None);

    // Decided is decided: another choice, a cancel, nothing changes it.
    choose(&checkout, "failed").await;
    assert_eq!(
        mollie.get(&created.id).await.unwrap().status,
        PaymentStatus::Paid
    );
    match mollie.cancel(&created.id).await {
        Err(PayError::Refused {
            status: 422,
            detail,
            ..
        }) => {
            assert_eq!(detail, "The payment cannot be canceled");
        }
        other => panic!("{other:?}"),
    }
    let page = relay
        .client
        .get(&checkout)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Deze testbetaling is betaald."), "{page}");
    assert!(!page.contains(r#"value="paid""#));
}

#[tokio::test]
async fn the_same_idempotency_key_gives_the_same_sandbox_payment() {
    let relay = spawn_app().await;
    let mollie = sandbox(&relay, &relay.token);
    let first = mollie
        .create(&request("same", false, &relay))
        .await
        .unwrap();
    let again = mollie
        .create(&request("same", false, &relay))
        .await
        .unwrap();
    let other = mollie
        .create(&request("other", false, &relay))
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert_ne!(first.id, other.id);
}

#[tokio::test]
async fn cancel_expiry_and_each_outcome_map_onto_our_statuses() {
    let relay = spawn_app().await;
    let mollie = sandbox(&relay, &relay.token);
    for (key, outcome, status) in [
        ("f", "failed", PaymentStatus::Failed),
        ("c", "canceled", PaymentStatus::Canceled),
        ("e", "expired", PaymentStatus::Expired),
    ] {
        let p = mollie.create(&request(key, false, &relay)).await.unwrap();
        choose(p.checkout_url.as_ref().unwrap(), outcome).await;
        assert_eq!(mollie.get(&p.id).await.unwrap().status, status, "{outcome}");
    }
    let p = mollie.create(&request("x", false, &relay)).await.unwrap();
    assert_eq!(
        mollie.cancel(&p.id).await.unwrap().status,
        PaymentStatus::Canceled
    );

    // An hour later an open payment has expired by itself, and its page can no longer pay.
    let p = mollie
        .create(&request("late", false, &relay))
        .await
        .unwrap();
    relay.clock.advance(3601);
    assert_eq!(
        mollie.get(&p.id).await.unwrap().status,
        PaymentStatus::Expired
    );
    choose(p.checkout_url.as_ref().unwrap(), "paid").await;
    assert_eq!(
        mollie.get(&p.id).await.unwrap().status,
        PaymentStatus::Expired
    );
}

#[tokio::test]
async fn the_sandbox_answers_as_mollie_does_to_bad_requests_and_strangers() {
    let relay = spawn_app().await;
    let url = format!("{}/sandbox/v2/payments", relay.url);
    let post = |body: &'static str| {
        relay
            .client
            .post(&url)
            .bearer_auth(&relay.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, field) in [
        (
            r#"{"amount":{"currency":"EUR","value":12.5},"description":"x","redirectUrl":"https://a.be"}"#,
            "amount.value",
        ),
        (
            r#"{"amount":{"currency":"EUR","value":"12.5"},"description":"x","redirectUrl":"https://a.be"}"#,
            "amount.value",
        ),
        (
            r#"{"amount":{"currency":"EUR","value":"0.00"},"description":"x","redirectUrl":"https://a.be"}"#,
            "amount.value",
        ),
        (
            r#"{"amount":{"currency":"USD","value":"1.00"},"description":"x","redirectUrl":"https://a.be"}"#,
            "amount.currency",
        ),
        (
            r#"{"amount":{"currency":"EUR","value":"1.00"},"description":" ","redirectUrl":"https://a.be"}"#,
            "description",
        ),
        (
            r#"{"amount":{"currency":"EUR","value":"1.00"},"description":"x"}"#,
            "redirectUrl",
        ),
        (
            r#"{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"javascript:alert(1)"}"#,
            "redirectUrl",
        ),
        // Issue 12: the checkout returns only to this relay, never elsewhere (an open
        // redirect on the municipality's domain).
        (
            r#"{"amount":{"currency":"EUR","value":"1.00"},"description":"x","redirectUrl":"https://evil.example/login"}"#,
            "redirectUrl",
        ),
    ] {
        let response = post(body).await.unwrap();
        assert_eq!(response.status(), 422, "{body}");
        assert_eq!(response.headers()["content-type"], "application/hal+json");
        let problem: serde_json::Value = response.json().await.unwrap();
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["field"], field, "{body}");
    }
    let garbled = post("{not json").await.unwrap();
    assert_eq!(garbled.status(), 400);

    // A wrong key is Mollie's 401; another clerk's payment does not exist for them.
    let wrong = sandbox(&relay, "balie_not-a-clerk");
    assert!(matches!(
        wrong.create(&request("k", false, &relay)).await,
        Err(PayError::Unauthorized { status: 401 })
    ));
    let mine = sandbox(&relay, &relay.token)
        .create(&request("k", false, &relay))
        .await
        .unwrap();
    let other_token = relay.add_clerk("another");
    let theirs = sandbox(&relay, &other_token);
    assert!(matches!(
        theirs.get(&mine.id).await,
        Err(PayError::NotFound)
    ));
    assert!(matches!(
        theirs.cancel(&mine.id).await,
        Err(PayError::NotFound)
    ));
    // An address that is not a checkout page is the plain "does not work" page.
    let nothing = relay
        .client
        .get(format!("{}/sandbox/checkout/{}", relay.url, "0".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.status(), 404);
}

#[tokio::test]
async fn a_decision_hints_the_clerk_only_when_a_webhook_was_asked_for() {
    let relay = spawn_app().await;
    let mut socket = hints(&relay).await;
    let mollie = sandbox(&relay, &relay.token);
    let quiet = mollie
        .create(&request("quiet", false, &relay))
        .await
        .unwrap();
    let hinted = mollie
        .create(&request("hinted", true, &relay))
        .await
        .unwrap();
    choose(quiet.checkout_url.as_ref().unwrap(), "paid").await;
    choose(hinted.checkout_url.as_ref().unwrap(), "paid").await;
    // The first hint on the socket is the hinted payment's: the quiet one sent none.
    let hint: PaymentHint = socket.recv().await;
    assert_eq!(
        hint,
        PaymentHint {
            provider: "sandbox".into(),
            provider_id: hinted.id.clone()
        }
    );
    // A cancel is a change too.
    let again = mollie
        .create(&request("again", true, &relay))
        .await
        .unwrap();
    mollie.cancel(&again.id).await.unwrap();
    let hint: PaymentHint = socket.recv().await;
    assert_eq!(hint.provider_id, again.id);
}

#[tokio::test]
async fn the_hint_socket_and_watches_want_a_clerk() {
    let relay = spawn_app().await;
    assert_eq!(
        connect(&format!("{}/ws/hints", relay.ws_url()), Some("balie_wrong"))
            .await
            .err(),
        Some(401)
    );
    assert_eq!(
        connect(&format!("{}/ws/hints", relay.ws_url()), None)
            .await
            .err(),
        Some(401)
    );
    let response = relay
        .client
        .post(format!("{}/api/payments/watch", relay.url))
        .json(&serde_json::json!({"provider": "mollie", "provider_id": "tr_a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

async fn watch(relay: &TestRelay, token: &str, provider: &str, id: &str) -> u16 {
    relay
        .client
        .post(format!("{}/api/payments/watch", relay.url))
        .bearer_auth(token)
        .json(&serde_json::json!({"provider": provider, "provider_id": id}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Issue 12: watches were first come, first served: a clerk who named a payment id first
/// took its hints, and its own clerk's watch was refused (404). Now nobody takes a watch
/// from anyone; a clerk who did not ask hears nothing.
#[tokio::test]
async fn a_mollie_webhook_reaches_every_clerk_who_watches_it_and_no_one_else() {
    let relay = spawn_app().await;
    let other = relay.add_clerk("another");
    let mut mine = hints(&relay).await;
    let mut theirs = connect(&format!("{}/ws/hints", relay.ws_url()), Some(&other))
        .await
        .unwrap();
    // The other clerk names my payment first: my watch is taken all the same.
    assert_eq!(watch(&relay, &other, "mollie", "tr_7UhSN1zuXS").await, 204);
    assert_eq!(
        watch(&relay, &relay.token, "mollie", "tr_7UhSN1zuXS").await,
        204
    );
    assert_eq!(
        watch(&relay, &relay.token, "mollie", "tr_7UhSN1zuXS").await,
        204
    );
    // Bad ids are refused.
    assert_eq!(watch(&relay, &relay.token, "paypal", "x").await, 400);
    assert_eq!(watch(&relay, &relay.token, "mollie", "tr_../x").await, 400);
    assert_eq!(watch(&relay, &other, "mollie", "tr_TheirsToo").await, 204);

    let hook = |id: &'static str| {
        relay
            .client
            .post(format!("{}/hooks/mollie", relay.url))
            .form(&[("id", id)])
            .send()
    };
    assert_eq!(hook("tr_unknown").await.unwrap().status(), 200);
    assert_eq!(hook("../etc").await.unwrap().status(), 400);
    assert_eq!(hook("tr_7UhSN1zuXS").await.unwrap().status(), 200);
    let hint: PaymentHint = mine.recv().await;
    assert_eq!(hint.provider, "mollie");
    assert_eq!(hint.provider_id, "tr_7UhSN1zuXS");
    let hint: PaymentHint = theirs.recv().await;
    assert_eq!(hint.provider_id, "tr_7UhSN1zuXS", "they asked too");
    // A payment only the other clerk watches is not mine to hear of: my next hint is my
    // own payment's.
    assert_eq!(hook("tr_TheirsToo").await.unwrap().status(), 200);
    let hint: PaymentHint = theirs.recv().await;
    assert_eq!(hint.provider_id, "tr_TheirsToo");
    assert_eq!(
        watch(&relay, &relay.token, "mollie", "tr_MineAlone").await,
        204
    );
    assert_eq!(hook("tr_MineAlone").await.unwrap().status(), 200);
    let hint: PaymentHint = mine.recv().await;
    assert_eq!(hint.provider_id, "tr_MineAlone");
}

/// Issue 12: Mollie's webhook is unsigned, so anyone who knows a payment id can send it
/// without end; the watching clerk gets at most one hint a second for it, and the last one
/// is not lost.
#[tokio::test]
async fn a_flood_of_webhooks_for_one_payment_becomes_one_hint_a_second() {
    let relay = spawn_app().await;
    let mut mine = hints(&relay).await;
    assert_eq!(
        watch(&relay, &relay.token, "mollie", "tr_Flood1").await,
        204
    );
    let started = std::time::Instant::now();
    for _ in 0..50 {
        let answer = relay
            .client
            .post(format!("{}/hooks/mollie", relay.url))
            .form(&[("id", "tr_Flood1")])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let flood = started.elapsed();
    assert!(
        flood < std::time::Duration::from_secs(1),
        "the flood took {flood:?}"
    );
    let first: PaymentHint = mine.recv().await;
    assert_eq!(first.provider_id, "tr_Flood1");
    // The rest is folded into one hint at the end of the second.
    let folded: PaymentHint = mine.recv().await;
    assert_eq!(folded.provider_id, "tr_Flood1");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert!(
        mine.quiet_for(std::time::Duration::from_millis(1500)).await,
        "no third hint for the same flood"
    );
}

fn stripe_signature(secret: &str, t: i64, body: &str) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn a_stripe_webhook_is_believed_only_with_the_right_signature() {
    const SECRET: &str = "whsec_test_balie";
    let relay = spawn_with(|c| {
        c.hooks.stripe_webhook_secret = Some(SecretString::from(SECRET));
    })
    .await;
    let mut socket = hints(&relay).await;
    assert_eq!(
        watch(&relay, &relay.token, "stripe", "cs_test_forged").await,
        204
    );
    assert_eq!(
        watch(&relay, &relay.token, "stripe", "cs_test_real").await,
        204
    );
    let event = |id: &str| {
        format!(
            r#"{{"id":"evt_1","type":"checkout.session.completed","data":{{"object":{{"id":"{id}","object":"checkout.session","payment_status":"paid"}}}}}}"#
        )
    };
    let send = |body: String, signature: String| {
        relay
            .client
            .post(format!("{}/hooks/stripe", relay.url))
            .header("stripe-signature", signature)
            .body(body)
            .send()
    };
    let forged = event("cs_test_forged");
    let answer = send(forged.clone(), stripe_signature("whsec_wrong", T0, &forged))
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let stale = send(forged.clone(), stripe_signature(SECRET, T0 - 301, &forged))
        .await
        .unwrap();
    assert_eq!(stale.status(), 400);
    let real = event("cs_test_real");
    let answer = send(real.clone(), stripe_signature(SECRET, T0, &real))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let hint: PaymentHint = socket.recv().await;
    assert_eq!(
        hint.provider_id, "cs_test_real",
        "the forged events must not hint"
    );

    // Without a configured secret the hook is not there.
    let bare = spawn_app().await;
    let answer = bare
        .client
        .post(format!("{}/hooks/stripe", bare.url))
        .header("stripe-signature", stripe_signature(SECRET, T0, &real))
        .body(real)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
}

/// Bancontact's signing, as it signs callbacks: ES256 over `BASE64URL(header).BASE64URL(body)`,
/// detached, with the five critical fields.
struct Bancontact {
    key: aws_lc_rs::signature::EcdsaKeyPair,
}

const PROFILE: &str = "5fxxxxxxxxxxxxxxxxxxxxxx";

impl Bancontact {
    fn new() -> Self {
        Self {
            key: aws_lc_rs::signature::EcdsaKeyPair::generate(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            )
            .unwrap(),
        }
    }

    fn jwks(&self) -> String {
        use aws_lc_rs::signature::KeyPair as _;
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let point = self.key.public_key().as_ref();
        serde_json::json!({ "keys": [
            { "kty": "RSA", "kid": "rsa.2022", "n": "AQAB", "e": "AQAB" },
            { "kty": "EC", "use": "sig", "crv": "P-256", "kid": "es.signature.ext.2026",
              "x": b64.encode(&point[1..33]), "y": b64.encode(&point[33..65]), "alg": "ES256" }
        ]})
        .to_string()
    }

    /// A callback as Bancontact signs it at the relay's time (`T0`, the tests' clock), with
    /// its own `jti`.
    fn sign(&self, kid: &str, callback_url: &str, body: &str) -> String {
        let now = time::OffsetDateTime::from_unix_timestamp(T0).unwrap();
        self.sign_at(kid, callback_url, body, now)
    }

    fn sign_at(
        &self,
        kid: &str,
        callback_url: &str,
        body: &str,
        issued_at: time::OffsetDateTime,
    ) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let iat = issued_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let mut jti = [0u8; 8];
        getrandom::fill(&mut jti).unwrap();
        let header = serde_json::json!({
            "typ": "JOSE+JSON", "kid": kid, "alg": "ES256",
            "https://payconiq.com/iat": iat,
            "https://payconiq.com/jti": hex::encode(jti),
            "https://payconiq.com/path": callback_url,
            "https://payconiq.com/iss": "Payconiq",
            "https://payconiq.com/sub": PROFILE,
            "crit": ["https://payconiq.com/iat", "https://payconiq.com/jti",
                     "https://payconiq.com/path", "https://payconiq.com/iss",
                     "https://payconiq.com/sub"]
        });
        let header_b64 = b64.encode(header.to_string());
        let input = format!("{header_b64}.{}", b64.encode(body));
        let signature = self
            .key
            .sign(&aws_lc_rs::rand::SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{header_b64}..{}", b64.encode(signature.as_ref()))
    }
}

#[tokio::test]
async fn a_bancontact_callback_is_believed_only_when_signed_with_its_published_key() {
    let bancontact = Bancontact::new();
    // Bancontact's key set, served locally.
    let jwks = bancontact.jwks();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks_url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = axum::Router::new().route("/", axum::routing::get(move || async move { jwks }));
        axum::serve(listener, app).await.unwrap();
    });
    let relay = spawn_with(|c| {
        c.hooks.bancontact_profile_id = Some(PROFILE.into());
        c.hooks.bancontact_jwks_url = jwks_url;
    })
    .await;
    let callback_url = format!("{}/hooks/bancontact", relay.url);
    let mut socket = hints(&relay).await;
    let forged_id = "5bdb1685b93d1c000bde96f1";
    let real_id = "5bdb1685b93d1c000bde96f2";
    assert_eq!(
        watch(&relay, &relay.token, "bancontact", forged_id).await,
        204
    );
    assert_eq!(
        watch(&relay, &relay.token, "bancontact", real_id).await,
        204
    );
    let body = |id: &str| {
        format!(r#"{{"paymentId":"{id}","amount":4250,"currency":"EUR","status":"SUCCEEDED"}}"#)
    };
    let post = |signature: Option<String>, body: String| {
        let mut request = relay
            .client
            .post(&callback_url)
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("signature", signature);
        }
        request.send()
    };
    let kid = "es.signature.ext.2026";
    // Signed for another body, for another URL, with an unknown key, or not at all.
    let signed = bancontact.sign(kid, &callback_url, &body(real_id));
    let answer = post(Some(signed), body(forged_id)).await.unwrap();
    assert_eq!(answer.status(), 401);
    let elsewhere = bancontact.sign(
        kid,
        "https://evil.example/hooks/bancontact",
        &body(forged_id),
    );
    assert_eq!(
        post(Some(elsewhere), body(forged_id))
            .await
            .unwrap()
            .status(),
        401
    );
    let unknown = bancontact.sign("es.other", &callback_url, &body(forged_id));
    assert_eq!(
        post(Some(unknown), body(forged_id)).await.unwrap().status(),
        401
    );
    assert_eq!(post(None, body(forged_id)).await.unwrap().status(), 401);
    // Right: a hint for the real payment, the first and only one on the socket.
    let right = bancontact.sign(kid, &callback_url, &body(real_id));
    assert_eq!(
        post(Some(right.clone()), body(real_id))
            .await
            .unwrap()
            .status(),
        200
    );
    let hint: PaymentHint = socket.recv().await;
    assert_eq!(
        hint,
        PaymentHint {
            provider: "bancontact".into(),
            provider_id: real_id.into()
        }
    );
    // Issue 12: the same callback again (a replay) is answered, but changes nothing: no
    // hint, not even a folded one.
    assert_eq!(
        post(Some(right.clone()), body(real_id))
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(
        socket
            .quiet_for(std::time::Duration::from_millis(1500))
            .await,
        "a replayed callback made a hint"
    );
    // And one recorded six minutes ago is too old to believe.
    let old = bancontact.sign_at(
        kid,
        &callback_url,
        &body(real_id),
        time::OffsetDateTime::from_unix_timestamp(T0).unwrap() - time::Duration::minutes(6),
    );
    assert_eq!(post(Some(old), body(real_id)).await.unwrap().status(), 401);

    // A relay without a payment profile has no such hook.
    let bare = spawn_app().await;
    let answer = bare
        .client
        .post(format!("{}/hooks/bancontact", bare.url))
        .body(body(real_id))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
}

/// Issue 12: `/sandbox/*` was always served, so on a municipality's relay whoever held a
/// sandbox checkout link could make a "paid" appear. Off, the paths are unknown and
/// `/healthz` says so (the cockpit then offers no test payments).
#[tokio::test]
async fn a_relay_with_the_sandbox_off_serves_none_of_it_and_says_so() {
    let relay = spawn_with(|c| c.sandbox = false).await;
    assert!(!relay.health().await.sandbox);
    let refused = sandbox(&relay, &relay.token)
        .create(&request("k-off", false, &relay))
        .await
        .unwrap_err();
    assert_eq!(refused, PayError::NotFound);
    let page = relay
        .client
        .get(format!(
            "{}/sandbox/checkout/AAAAAAAAAAAAAAAAAAAAAA",
            relay.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);

    assert!(spawn_app().await.health().await.sandbox);
}
