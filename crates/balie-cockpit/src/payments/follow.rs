//! Following payments until they are final: one [`balie_pay::driver`] per provider asks
//! about every unfinished payment (every 2 s while its conversation is live, backing off
//! after); each answer goes through [`balie_store::cockpit::payment::apply_status`], so a
//! status only moves forward and only the provider's answer makes a payment paid. At
//! start every unfinished payment is followed again.

use super::providers::{Client, Connected, ProviderName};
use super::{Payments, store};
use balie_domain::{Applied, PaymentStatus, StatusSource};
use balie_pay::NewPayment;
use balie_pay::driver::{self, Command as DriverCommand, Report};
use balie_pay::tracker::Outcome;
use std::sync::Arc;
use tokio::sync::mpsc;

impl Payments {
    /// Puts `client` in service for `name` with its own driver (replacing an earlier
    /// client, whose driver then stops).
    pub(super) fn connect(&self, name: ProviderName, client: Client, test: bool) {
        let client = Arc::new(client);
        let (driver_tx, driver_rx) = mpsc::channel(256);
        let (report_tx, mut report_rx) = mpsc::channel(256);
        let mut seed = [0u8; 8];
        let _ = getrandom::fill(&mut seed);
        tokio::spawn(driver::run(
            client.clone(),
            driver_rx,
            report_tx,
            u64::from_le_bytes(seed),
        ));
        let forward = self.reports.clone();
        tokio::spawn(async move {
            while let Some(report) = report_rx.recv().await {
                if forward.send((name, report)).await.is_err() {
                    return;
                }
            }
        });
        if let Ok(mut providers) = self.providers.write() {
            providers.insert(
                name,
                Arc::new(Connected {
                    client,
                    driver: driver_tx,
                    test,
                }),
            );
        }
    }

    pub(super) fn is_live(&self, id: &str) -> bool {
        let room = self
            .shared
            .store
            .lock()
            .ok()
            .and_then(|c| store::get(&c, id).ok().flatten()?.room_id);
        room.is_some_and(|r| self.live_rooms.lock().is_ok_and(|l| l.contains(&r)))
    }

    /// Follows every unfinished payment again: at start all of them (making again those
    /// that never reached their provider); for a provider just put in service, only its
    /// payments that its provider made (others may still be on their way), unless
    /// `remake` (the sandbox of a remote relay, put in service when the relay first
    /// answers: nothing of it can be on its way yet).
    pub(super) async fn resume(&self, only: Option<ProviderName>, remake: bool) {
        let unfinished = match self.shared.store.lock().map(|c| store::unfinished(&c)) {
            Ok(Ok(list)) => list,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "unfinished payments could not be read");
                return;
            }
            Err(e) => {
                tracing::error!(error = %e, "unfinished payments could not be read");
                return;
            }
        };
        for payment in unfinished {
            let Some(provider) = ProviderName::from_name(&payment.provider) else {
                continue;
            };
            if provider == ProviderName::Transfer
                || only.is_some_and(|o| o != provider || (payment.provider_id.is_none() && !remake))
            {
                continue;
            }
            if provider == ProviderName::Sandbox
                && self.provider(provider).is_none()
                && self.relay.mode() == crate::relay_link::RelayMode::Remote
            {
                // The remote relay has not said yet whether it serves the sandbox.
                continue;
            }
            match (&payment.provider_id, self.provider(provider)) {
                (Some(provider_id), Some(connected)) => {
                    let _ = connected
                        .driver
                        .send(DriverCommand::Track {
                            id: payment.id.clone(),
                            provider_id: provider_id.clone(),
                            live: false,
                        })
                        .await;
                }
                (None, Some(_)) if provider.idempotent() => {
                    // Written down but never answered: make it again with the same key.
                    let payer = payment
                        .payer_locale
                        .as_deref()
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(self.shared.locale);
                    let new = NewPayment {
                        amount: payment.amount,
                        description: payment.description.clone(),
                        redirect_url: self.return_url(payer),
                        webhook_url: self.webhook_url(provider),
                        locale: payer,
                        idempotency_key: payment.idempotency_key.clone(),
                    };
                    if let Err(e) = self.create_at_provider(&payment.id, provider, &new).await {
                        tracing::warn!(payment = payment.id, error = %e, "unanswered payment not made again");
                    }
                }
                (None, _) => {
                    // Not repeatable (or the provider's key is gone): it cannot be paid.
                    let _ = self.shared.store.with(|c| {
                        store::apply_status(
                            c,
                            &payment.id,
                            PaymentStatus::Failed,
                            self.shared.clock.now_ms(),
                            StatusSource::Balie,
                        )
                    });
                }
                (Some(_), None) => {
                    tracing::warn!(
                        payment = payment.id,
                        provider = payment.provider,
                        "no key for this payment's provider: not followed"
                    );
                }
            }
        }
    }

    /// The conversation `room_id` started (`live`) or ended: its payments are asked about
    /// every 2 s while it runs, less often after.
    pub async fn set_room_live(&self, room_id: &str, live: bool) {
        if let Ok(mut rooms) = self.live_rooms.lock() {
            if live {
                rooms.insert(room_id.to_owned());
            } else {
                rooms.remove(room_id);
            }
        }
        let payments = self.stored_of_room(room_id);
        for p in payments.iter().filter(|p| !p.status.is_final()) {
            let Some(provider) = ProviderName::from_name(&p.provider) else {
                continue;
            };
            if let Some(connected) = self.provider(provider) {
                let _ = connected
                    .driver
                    .send(DriverCommand::SetLive {
                        id: p.id.clone(),
                        live,
                    })
                    .await;
            }
        }
    }
}

/// Stores every answer the drivers report and broadcasts the payments that moved.
pub(super) async fn apply_reports(
    payments: std::sync::Weak<Payments>,
    mut reports: mpsc::Receiver<(ProviderName, Report)>,
) {
    while let Some((provider, report)) = reports.recv().await {
        let Some(payments) = payments.upgrade() else {
            return;
        };
        let shared = &payments.shared;
        match report.answer {
            Ok(answer) => {
                let applied = super::store_answer(shared, &report.id, &answer).map_err(
                    |e| tracing::error!(payment = report.id, error = %e, "status not stored"),
                );
                if let Ok(Applied::Moved(change)) = applied {
                    tracing::info!(
                        payment = report.id,
                        status = change.to.as_str(),
                        "payment moved"
                    );
                    if let Ok(v) = payments.view(&report.id) {
                        let _ = shared.events.send(v);
                    }
                }
            }
            Err(e) => {
                let dropped = matches!(report.outcome, Outcome::Dropped);
                tracing::warn!(payment = report.id, provider = provider.as_str(), error = %e, dropped, "payment status not read");
            }
        }
    }
}
