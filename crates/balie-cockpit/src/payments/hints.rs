//! Webhooks become hints: the cockpit keeps a WebSocket `/ws/hints` open to its relay,
//! which tells it *which* payment a provider's webhook was about (never its status); the
//! payment's driver then asks the provider at once. The same socket tells about the front
//! door (a knock in a room the cockpit has not opened, a queue that changed): those go to
//! [`crate::front_door::FrontDoorEvent`]'s subscribers. While it is open, the relay counts
//! the clerk's cockpit as connected (a walk-in queue opens only then).

use super::Payments;
use super::providers::ProviderName;
use balie_pay::driver::Command as DriverCommand;
use balie_store::cockpit::payment as store;
use secrecy::ExposeSecret as _;
use std::time::Duration;

/// Keeps the hint socket to the relay open (reconnecting with backoff) and turns every
/// hint into an immediate question to the provider.
pub(crate) async fn follow_hints(payments: std::sync::Weak<Payments>) {
    use futures_util::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut backoff = Duration::from_millis(500);
    loop {
        let Some(this) = payments.upgrade() else {
            return;
        };
        let url = format!(
            "{}/ws/hints",
            this.relay
                .base_url()
                .replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        );
        let request = url.into_client_request().ok().and_then(|mut r| {
            let value = format!("Bearer {}", this.relay.token().expose_secret());
            r.headers_mut().insert("authorization", value.parse().ok()?);
            Some(r)
        });
        drop(this);
        let Some(request) = request else { return };
        match balie_net::websocket(request).await {
            Ok((mut socket, _)) => {
                backoff = Duration::from_millis(500);
                tracing::info!("payment hints connected");
                while let Some(Ok(message)) = socket.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let Some(this) = payments.upgrade() else {
                        return;
                    };
                    match serde_json::from_str::<balie_protocol::payment::PaymentHint>(&text) {
                        Ok(hint) => this.hint(&hint.provider, &hint.provider_id).await,
                        // The same socket tells about the front door (a knock, the queue).
                        Err(_) => {
                            if let Some(event) = crate::front_door::FrontDoorEvent::from_hint(&text)
                            {
                                let _ = this.front_door_events.send(event);
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::debug!(error = %e, "payment hints not connected"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

impl Payments {
    async fn hint(&self, provider: &str, provider_id: &str) {
        let Some(name) = ProviderName::from_name(provider) else {
            return;
        };
        let id = self
            .shared
            .store
            .with(|c| store::find_by_provider_id(c, provider, provider_id))
            .ok()
            .flatten();
        if let (Some(id), Some(connected)) = (id, self.provider(name)) {
            let _ = connected.driver.send(DriverCommand::Hint { id }).await;
        }
    }
}
