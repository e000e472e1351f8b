//! The tracker's driver: one tokio task that owns a [`Tracker`], sleeps until the next
//! payment is due, asks the provider (each request in its own task, so a slow provider
//! holds up nobody else) and reports every answer. What to do with an answer (store it,
//! show it) is the owner's business: the driver never decides a status itself.

use crate::tracker::{Outcome, Tracker};
use crate::{PayError, Provider, ProviderPayment};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// What the owner tells the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Follow payment `id` (the provider's id `provider_id`); `live` while its call runs.
    Track {
        /// Our id.
        id: String,
        /// The provider's id.
        provider_id: String,
        /// Whether its call is live.
        live: bool,
    },
    /// The payment's call started or ended.
    SetLive {
        /// Our id.
        id: String,
        /// Whether its call is live.
        live: bool,
    },
    /// A webhook said payment `id` changed: ask now.
    Hint {
        /// Our id.
        id: String,
    },
    /// Stop following payment `id`.
    Forget {
        /// Our id.
        id: String,
    },
}

/// What the driver reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Our id.
    pub id: String,
    /// The provider's answer.
    pub answer: Result<ProviderPayment, PayError>,
    /// What the tracker does next.
    pub outcome: Outcome,
}

/// Runs until `commands` closes or `reports` is dropped.
pub async fn run<P>(
    provider: Arc<P>,
    mut commands: mpsc::Receiver<Command>,
    reports: mpsc::Sender<Report>,
    seed: u64,
) where
    P: Provider + Send + Sync + 'static,
{
    let mut tracker = Tracker::new(seed);
    let mut provider_ids: HashMap<String, String> = HashMap::new();
    let (done_tx, mut done_rx) = mpsc::channel::<(String, Result<ProviderPayment, PayError>)>(64);
    loop {
        let now = Instant::now();
        for id in tracker.due(now.into_std()) {
            let Some(provider_id) = provider_ids.get(&id).cloned() else {
                tracker.forget(&id);
                continue;
            };
            let (provider, done) = (provider.clone(), done_tx.clone());
            tokio::spawn(async move {
                let answer = provider.get(&provider_id).await;
                let _ = done.send((id, answer)).await;
            });
        }
        let sleep_until = tracker
            .next_deadline()
            .map(Instant::from_std)
            .unwrap_or_else(|| now + std::time::Duration::from_secs(3600));
        tokio::select! {
            command = commands.recv() => {
                let now = Instant::now().into_std();
                match command {
                    Some(Command::Track { id, provider_id, live }) => {
                        provider_ids.insert(id.clone(), provider_id);
                        tracker.track(&id, live, now);
                    }
                    Some(Command::SetLive { id, live }) => tracker.set_live(&id, live, now),
                    Some(Command::Hint { id }) => tracker.hint(&id, now),
                    Some(Command::Forget { id }) => {
                        tracker.forget(&id);
                        provider_ids.remove(&id);
                    }
                    None => return,
                }
            }
            Some((id, answer)) = done_rx.recv() => {
                let outcome = tracker.polled(&id, answer.as_ref().map(|p| p.status), Instant::now().into_std());
                if !matches!(outcome, Outcome::Again(_)) {
                    provider_ids.remove(&id);
                }
                if reports.send(Report { id, answer, outcome }).await.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep_until(sleep_until) => {}
        }
    }
}
