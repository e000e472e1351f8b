//! The payment clients against local servers that answer as the providers' documentation
//! says: bodies, problem bodies, status codes, headers, slowness.
#![allow(clippy::unwrap_used, missing_docs)]

mod bancontact;
mod bancontact_api;
mod mollie;
mod stripe_api;

/// Serves `app` on a free loopback port; answers its base URL.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}
