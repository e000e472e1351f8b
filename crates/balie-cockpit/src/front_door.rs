//! The front door as the clerk works with it: the agenda of booked appointments, the
//! clerk's availability for appointments, the clerk's status and the walk-in queue, all on
//! the relay (`balie_protocol::agenda`); and the relay's products in the cockpit's
//! catalog. What the relay says on the hint socket beside payment hints (a knock in a room
//! the cockpit has not opened, a queue that changed) arrives as [`FrontDoorEvent`]s.

use crate::error::CockpitError;
use crate::relay_link::RelayLink;
use crate::store::SharedStore;
use balie_domain::{Locale, Money};
use balie_protocol::agenda as wire;
use reqwest::Method;
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::broadcast;
use ts_rs::TS;

/// What the relay told about the front door, for the call window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FrontDoorEvent {
    /// A citizen knocks in a room the cockpit has not opened (an appointment's).
    Knock {
        /// The room.
        room_id: String,
        /// Its appointment, if any.
        #[ts(optional)]
        appointment_id: Option<String>,
    },
    /// The walk-in queue of a product this clerk serves changed.
    QueueChanged {
        /// The product.
        product_id: String,
    },
}

impl FrontDoorEvent {
    /// The event a hint socket's message `text` carries, if it is one of these.
    pub(crate) fn from_hint(text: &str) -> Option<Self> {
        if let Ok(knock) = serde_json::from_str::<wire::KnockHint>(text) {
            return Some(FrontDoorEvent::Knock {
                room_id: knock.knock_in_room,
                appointment_id: knock.appointment_id,
            });
        }
        serde_json::from_str::<wire::QueueHint>(text)
            .ok()
            .map(|q| FrontDoorEvent::QueueChanged {
                product_id: q.queue_changed,
            })
    }
}

/// The front door's calls to the relay.
pub struct FrontDoor {
    relay: Arc<RelayLink>,
    store: SharedStore,
    events: broadcast::Sender<FrontDoorEvent>,
}

impl FrontDoor {
    /// The front door on `relay`; `events` carries what the hint socket tells.
    pub(crate) fn new(
        relay: Arc<RelayLink>,
        store: SharedStore,
        events: broadcast::Sender<FrontDoorEvent>,
    ) -> Self {
        Self {
            relay,
            store,
            events,
        }
    }

    /// What the relay tells about the front door, as it happens.
    pub fn subscribe(&self) -> broadcast::Receiver<FrontDoorEvent> {
        self.events.subscribe()
    }

    /// The clerk's booked appointments from `from` for `days` days (RFC 3339 start; the
    /// relay's today when `None`).
    pub async fn appointments(
        &self,
        from: Option<&str>,
        days: u32,
    ) -> Result<Vec<wire::Appointment>, CockpitError> {
        let from = match from {
            Some(from) => from.to_owned(),
            None => today_start()?,
        };
        let start: jiff::Timestamp = from
            .parse()
            .map_err(|_| CockpitError::InvalidInput("from must be an RFC 3339 time".into()))?;
        let until = start + jiff::SignedDuration::from_hours(24 * i64::from(days.clamp(1, 62)));
        let path = format!(
            "/api/appointments?from={}&until={}",
            url_encode(&start.to_string()),
            url_encode(&until.to_string())
        );
        let answer: Option<wire::Appointments> =
            self.relay.call(Method::GET, &path, None::<&()>).await?;
        Ok(answer.map(|a| a.appointments).unwrap_or_default())
    }

    /// One appointment of the clerk's in the coming weeks, by id.
    pub async fn appointment(&self, id: &str) -> Result<wire::Appointment, CockpitError> {
        self.appointments(Some(&today_start()?), 62)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| CockpitError::InvalidInput("no such appointment".into()))
    }

    /// The clerk's availability for appointments.
    pub async fn availability(&self) -> Result<wire::Availability, CockpitError> {
        self.relay
            .call(Method::GET, "/api/availability", None::<&()>)
            .await?
            .ok_or_else(|| CockpitError::RelayRefused("no availability in the answer".into()))
    }

    /// Replaces the clerk's availability. Hours the relay cannot read are refused with
    /// its message, and nothing changes.
    pub async fn set_availability(
        &self,
        availability: &wire::Availability,
    ) -> Result<(), CockpitError> {
        self.relay
            .call::<serde_json::Value>(Method::PUT, "/api/availability", Some(availability))
            .await?;
        Ok(())
    }

    /// The clerk's status and the queues of their products.
    pub async fn queue(&self) -> Result<wire::Queue, CockpitError> {
        self.relay
            .call(Method::GET, "/api/queue", None::<&()>)
            .await?
            .ok_or_else(|| CockpitError::RelayRefused("no queue in the answer".into()))
    }

    /// Sets the clerk's status (*beschikbaar*, *in gesprek*, *afwezig*).
    pub async fn set_status(&self, status: wire::ClerkStatus) -> Result<(), CockpitError> {
        self.relay
            .call::<serde_json::Value>(
                Method::PUT,
                "/api/status",
                Some(&wire::SetStatus { status }),
            )
            .await?;
        Ok(())
    }

    /// *Volgende burger*: the longest-waiting citizen of the clerk's products (or of
    /// `product_id`), taken out of the queue; `None` when nobody waits.
    pub(crate) async fn take_next(
        &self,
        product_id: Option<String>,
    ) -> Result<Option<wire::TakenCitizen>, CockpitError> {
        self.relay
            .call(
                Method::POST,
                "/api/queue/next",
                Some(&wire::NextCitizen { product_id }),
            )
            .await
    }

    /// Brings the relay's products into the cockpit's catalog (names, price, whether
    /// digital), so a case opened from an appointment is about a product the cockpit
    /// knows and the payment panel offers it. Free products (price 0) stay out: the
    /// catalog is what is paid for. Returns how many were written.
    pub async fn sync_catalog(&self) -> Result<usize, CockpitError> {
        let answer: Option<wire::Products> = self
            .relay
            .call(Method::GET, "/api/products", None::<&()>)
            .await?;
        let products = answer.map(|p| p.products).unwrap_or_default();
        let mut written = 0;
        for (position, p) in products.iter().enumerate() {
            let Ok(cents) = u64::try_from(p.price_cents) else {
                continue;
            };
            if cents == 0 {
                continue;
            }
            let product = balie_store::cockpit::product::Upsert {
                id: p.id.clone(),
                name_nl: p.name.nl.clone(),
                name_fr: p.name.fr.clone(),
                name_en: p.name.en.clone(),
                price: Money::from_cents(cents),
                digital: p.digital,
                position: i64::try_from(position).unwrap_or(i64::MAX),
            };
            self.store
                .with(|c| balie_store::cockpit::product::upsert(c, &product))?;
            written += 1;
        }
        tracing::info!(written, "catalog follows the relay's products");
        Ok(written)
    }
}

/// The start of today in Brussels, RFC 3339.
fn today_start() -> Result<String, CockpitError> {
    let tz = balie_domain::agenda::brussels().map_err(|e| CockpitError::Internal(e.to_string()))?;
    let now = jiff::Timestamp::now();
    let midnight = tz
        .to_datetime(now)
        .date()
        .to_datetime(jiff::civil::Time::midnight());
    tz.to_timestamp(midnight)
        .map(|t| t.to_string())
        .map_err(|e| CockpitError::Internal(e.to_string()))
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The name of appointment `a`'s product in `locale`.
pub fn product_name(a: &wire::Appointment, locale: Locale) -> &str {
    match locale {
        Locale::Nl => &a.product.nl,
        Locale::Fr => &a.product.fr,
        Locale::En => &a.product.en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_socket_tells_knocks_and_queues_apart_from_payment_hints() {
        assert_eq!(
            FrontDoorEvent::from_hint(r#"{"knock_in_room":"r1","appointment_id":"a1"}"#),
            Some(FrontDoorEvent::Knock {
                room_id: "r1".into(),
                appointment_id: Some("a1".into())
            })
        );
        assert_eq!(
            FrontDoorEvent::from_hint(r#"{"queue_changed":"sociaal-restaurant"}"#),
            Some(FrontDoorEvent::QueueChanged {
                product_id: "sociaal-restaurant".into()
            })
        );
        assert_eq!(
            FrontDoorEvent::from_hint(r#"{"provider":"mollie","provider_id":"tr_1"}"#),
            None
        );
        assert_eq!(FrontDoorEvent::from_hint("garbage"), None);
    }
}
