//! The relay's sandbox checkout, answered as a payer would.

/// Chooses "paid" on the sandbox checkout page at `url`, as the payer would.
pub async fn pay_on_sandbox(url: &str) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .form(&[("outcome", "paid")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "{url}");
}
