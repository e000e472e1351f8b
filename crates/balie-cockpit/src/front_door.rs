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
use balie_store::cockpit::impact::CatalogState;
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
    /// The identity of the citizen in one of this clerk's rooms was confirmed or not
    /// (the identity feature reads it).
    IdentityChanged {
        /// The room.
        room_id: String,
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
        if let Ok(identity) = serde_json::from_str::<balie_protocol::identity::IdentityHint>(text) {
            return Some(FrontDoorEvent::IdentityChanged {
                room_id: identity.identity_in_room,
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
    locale: Locale,
    events: broadcast::Sender<FrontDoorEvent>,
}

impl FrontDoor {
    /// The front door on `relay`; `events` carries what the hint socket tells.
    pub(crate) fn new(
        relay: Arc<RelayLink>,
        store: SharedStore,
        locale: Locale,
        events: broadcast::Sender<FrontDoorEvent>,
    ) -> Self {
        Self {
            relay,
            store,
            locale,
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

    /// Replaces the clerk's availability. Hours or dates that cannot be read are refused
    /// in the clerk's language, naming the day, and nothing changes.
    pub async fn set_availability(
        &self,
        availability: &wire::Availability,
    ) -> Result<(), CockpitError> {
        check_availability(availability, self.locale)?;
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
    /// catalog is what is paid for. Returns every product the relay offers, as the
    /// catalog's history records them.
    pub async fn sync_catalog(&self) -> Result<Vec<CatalogState>, CockpitError> {
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
        // Every product, also the free ones the payment catalog leaves out, for the
        // catalog's history in the impact figures.
        Ok(products
            .iter()
            .map(|p| CatalogState {
                product_id: p.id.clone(),
                digital: p.digital,
                takes_payment: p.price_cents > 0,
            })
            .collect())
    }
}

/// The catalog keys of Monday to Sunday.
const WEEKDAY_KEYS: [&str; 7] = [
    "weekday.monday",
    "weekday.tuesday",
    "weekday.wednesday",
    "weekday.thursday",
    "weekday.friday",
    "weekday.saturday",
    "weekday.sunday",
];

/// Checks what the clerk typed before it goes to the relay, so a mistake is told in the
/// clerk's language with the day it is on.
fn check_availability(a: &wire::Availability, locale: Locale) -> Result<(), CockpitError> {
    let text = |key: &str| crate::i18n::text(locale, key);
    for (key, hours) in WEEKDAY_KEYS.iter().zip(&a.week) {
        check_hours(locale, &text(key), hours)?;
    }
    let mut dates = std::collections::HashSet::new();
    for exception in &a.exceptions {
        let date = exception.date.trim();
        if date.parse::<jiff::civil::Date>().is_err() {
            return Err(CockpitError::Rejected(
                text("availability.bad_date").replace("{date}", date),
            ));
        }
        if !dates.insert(date) {
            return Err(CockpitError::Rejected(
                text("availability.twice").replace("{date}", date),
            ));
        }
        check_hours(locale, date, &exception.hours)?;
    }
    Ok(())
}

fn check_hours(locale: Locale, day: &str, hours: &str) -> Result<(), CockpitError> {
    hours
        .parse::<balie_domain::agenda::DayHours>()
        .map(|_| ())
        .map_err(|e| {
            CockpitError::Rejected(
                crate::i18n::text(locale, e.message_key())
                    .replace("{day}", day)
                    .replace("{hours}", hours.trim()),
            )
        })
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

    fn week(monday: &str) -> wire::Availability {
        let mut week: [String; 7] = Default::default();
        week[0] = monday.to_owned();
        for day in &mut week[1..] {
            *day = "-".to_owned();
        }
        wire::Availability {
            week,
            exceptions: vec![],
        }
    }

    fn refusal(a: &wire::Availability, locale: Locale) -> String {
        match check_availability(a, locale) {
            Err(CockpitError::Rejected(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn hours_the_clerk_mistyped_are_refused_in_their_language_naming_the_day() {
        assert!(check_availability(&week("09:00-12:00,18:00-20:00"), Locale::Nl).is_ok());
        assert!(check_availability(&week("-"), Locale::Nl).is_ok());
        let nl = refusal(&week("9u tot 12u"), Locale::Nl);
        assert!(nl.contains("Maandag") && nl.contains("9u tot 12u"), "{nl}");
        let fr = refusal(&week("12:00-09:00"), Locale::Fr);
        assert!(fr.contains("Lundi") && fr.contains("12:00-09:00"), "{fr}");
        let en = refusal(&week("09:00-12:00,11:00-13:00"), Locale::En);
        assert!(en.contains("Monday"), "{en}");
        assert_ne!(nl, refusal(&week("9u tot 12u"), Locale::En));

        let mut a = week("-");
        a.exceptions.push(wire::DayException {
            date: "24/12/2026".into(),
            hours: "-".into(),
        });
        assert!(refusal(&a, Locale::Nl).contains("24/12/2026"));
        a.exceptions[0].date = "2026-12-24".into();
        assert!(check_availability(&a, Locale::Nl).is_ok());
        a.exceptions.push(a.exceptions[0].clone());
        assert!(refusal(&a, Locale::Nl).contains("2026-12-24"));
    }

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
