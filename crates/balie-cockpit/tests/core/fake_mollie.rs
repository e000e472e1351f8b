//! The core's payment tests' helpers around the testkit's local Mollie
//! ([`balie_testkit::mollie`]).

use super::*;
use balie_cockpit::payments::{PaymentRequest, PaymentView, ProviderName};
use balie_domain::PaymentStatus;
pub use balie_testkit::mollie::*;
use std::time::Duration;

pub fn mollie(amount: &str) -> PaymentRequest {
    PaymentRequest {
        amount: amount.into(),
        description: "Huur feestzaal 14/12".into(),
        provider: ProviderName::Mollie,
    }
}

pub async fn start(name: &str, mollie_url: &str) -> (tempfile::TempDir, String, Cockpit) {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let data = tempfile::tempdir().unwrap();
    let service = format!("be.balie.{name}.{}", std::process::id());
    let mut config = CockpitConfig::new(data.path(), &service, Locale::Nl);
    config.provider_hosts.mollie = mollie_url.to_owned();
    let cockpit = Cockpit::start(config).await.unwrap();
    (data, service, cockpit)
}

pub fn audit(data: &tempfile::TempDir, id: &str) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(data.path().join("cockpit.sqlite3")).unwrap();
    balie_store::cockpit::payment::audit_trail(&conn, id)
        .unwrap()
        .into_iter()
        .map(|(_, _, action, detail)| (action, detail))
        .collect()
}

pub async fn becomes(
    changes: &mut tokio::sync::broadcast::Receiver<PaymentView>,
    id: &str,
    status: PaymentStatus,
) -> PaymentView {
    // Outside a live call the first question comes after 5 s.
    tokio::time::timeout(Duration::from_secs(12), async {
        loop {
            let view = changes.recv().await.unwrap();
            if view.id == id && view.status == status {
                return view;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("payment {id} did not become {status:?}"))
}
