//! The records the figures are computed from. They are anonymous by construction: no
//! field can hold a name, a national number, a contact or free text. A product is the
//! catalog's id (checked by [`ProductId::parse`]), every other field a number, a time or
//! a closed set. The cockpit makes them from its database; the relay receives them as a
//! cockpit's summary and checks them the same way (serde runs the same parsers).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A catalog product's id (`sociaal-restaurant`): 1 to 64 of `a-z`, `0-9`, `-`, `_`, `.`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, TS)]
#[ts(type = "string")]
pub struct ProductId(String);

impl Serialize for ProductId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ProductId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom("not a product id"))
    }
}

impl ProductId {
    /// Checks `id`; `None` when it is not a catalog id (a name, free text, too long).
    pub fn parse(id: &str) -> Option<Self> {
        let ok = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        ok.then(|| Self(id.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An answer on a survey's scale of 1 (bad) to 5 (very good).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, TS)]
#[ts(type = "number")]
pub struct Score(u8);

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u8::deserialize(d)?;
        Self::new(v).ok_or_else(|| serde::de::Error::custom(format!("a score is 1 to 5, got {v}")))
    }
}

impl Score {
    /// `value` when it is 1 to 5.
    pub fn new(value: u8) -> Option<Self> {
        (1..=5).contains(&value).then_some(Self(value))
    }

    /// 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// How a conversation came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The clerk made a room and sent the link (*Nieuw gesprek*).
    Direct,
    /// An appointment booked on the front door.
    Appointment,
    /// A walk-in from the queue.
    WalkIn,
}

/// Where the clerk worked that day (asked once a day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// *Kantoor*: at the municipality's office.
    Office,
    /// *Thuis*: at home.
    Home,
    /// *Elders*: anywhere else.
    Elsewhere,
}

impl Place {
    /// Every place, in the order they are shown.
    pub const ALL: [Place; 3] = [Place::Office, Place::Home, Place::Elsewhere];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Office => "office",
            Place::Home => "home",
            Place::Elsewhere => "elsewhere",
        }
    }

    /// The place stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A way citizens reach the municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The digital counter (Balie).
    Digital,
    /// The physical front desk at the town hall.
    FrontDesk,
    /// The telephone.
    Phone,
    /// E-mail.
    Email,
    /// The municipality's website and e-forms.
    Web,
    /// Letters.
    Post,
    /// Anything else.
    Other,
}

impl Channel {
    /// Every channel, in the order they are shown.
    pub const ALL: [Channel; 7] = [
        Channel::Digital,
        Channel::FrontDesk,
        Channel::Phone,
        Channel::Email,
        Channel::Web,
        Channel::Post,
        Channel::Other,
    ];

    /// The stored and imported form.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Digital => "digital",
            Channel::FrontDesk => "front_desk",
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Web => "web",
            Channel::Post => "post",
            Channel::Other => "other",
        }
    }

    /// The channel written as `s` in a CSV file or a form: the stored form, or the Dutch
    /// or French word (`balie`, `guichet`, `telefoon`…), in any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase();
        Some(match s.as_str() {
            "digital" | "digitaal" | "digitale-balie" | "digitale balie" | "balie-digitaal"
            | "numérique" | "numerique" | "guichet numérique" => Channel::Digital,
            "front_desk" | "front-desk" | "balie" | "loket" | "onthaal" | "guichet" => {
                Channel::FrontDesk
            }
            "phone" | "telefoon" | "téléphone" | "telephone" => Channel::Phone,
            "email" | "e-mail" | "mail" | "courriel" => Channel::Email,
            "web" | "website" | "e-loket" | "site" => Channel::Web,
            "post" | "brief" | "courrier" | "letter" => Channel::Post,
            "other" | "andere" | "ander" | "autre" => Channel::Other,
            _ => return None,
        })
    }
}

/// One conversation with a citizen (only those where the citizen was let in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    /// When the citizen was let in (Unix milliseconds).
    #[ts(type = "number")]
    pub at_ms: i64,
    /// What it was about, when known.
    pub product: Option<ProductId>,
    /// How it came about.
    pub origin: Origin,
    /// Whether it took place outside the municipality's opening hours; `None` when the
    /// hours were not known.
    pub outside_hours: Option<bool>,
    /// Where the clerk worked; `None` when they did not say.
    pub place: Option<Place>,
    /// The one-way distance from the citizen's municipality to the administrative centre,
    /// in metres, when their postcode was known.
    pub trip_m: Option<u32>,
    /// The citizen's answer to the survey, if they gave one.
    pub citizen_score: Option<Score>,
    /// The clerk's answer to their survey, if asked and given.
    pub clerk_score: Option<Score>,
}

/// A citizen's question (a case) and its handling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// When it was asked: the booking, the queue ticket or the case's creation, whichever
    /// came first (Unix milliseconds).
    #[ts(type = "number")]
    pub requested_at_ms: i64,
    /// When it was handled: the case closed, approved or refused, or marked handled in
    /// one go, whichever came first.
    #[ts(type = "number | null")]
    pub handled_at_ms: Option<i64>,
    /// What it was about, when known.
    pub product: Option<ProductId>,
    /// Whether the clerk marked it handled in one go.
    pub in_one_go: bool,
}

/// A payment asked by a clerk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// When it was asked (Unix milliseconds).
    #[ts(type = "number")]
    pub asked_at_ms: i64,
    /// The amount asked, in euro cents.
    #[ts(type = "number")]
    pub amount_cents: i64,
    /// Test money (a sandbox or a provider's test mode): never added to real money.
    pub test_money: bool,
    /// Asked in a conversation (rather than from the dossier alone).
    pub in_call: bool,
    /// When the provider said it was paid, if it was (for the amount asked).
    #[ts(type = "number | null")]
    pub paid_at_ms: Option<i64>,
    /// Paid while its conversation was still going on.
    pub paid_in_call: bool,
}

/// What a register holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// A complaint about service outside opening hours (not being reachable then).
    ComplaintAfterHours,
    /// Any other complaint.
    Complaint,
    /// An aggression incident against a clerk.
    Aggression,
}

/// One entry of a register (complaints, aggression), filled in by a clerk or imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// When it happened (Unix milliseconds; an imported date counts from its midnight).
    #[ts(type = "number")]
    pub at_ms: i64,
    /// What it is.
    pub kind: IncidentKind,
    /// Through which channel.
    pub channel: Channel,
}

/// What an imported figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// Visitors at the front desk (a queueing system's count).
    Visitors,
    /// Contacts through a channel.
    Contacts,
    /// A channel's median time from question to handling, in days.
    ThroughputDays,
    /// Clerk satisfaction on a channel, on the 1–5 scale.
    ClerkSatisfaction,
}

impl FigureKind {
    /// Every kind.
    pub const ALL: [FigureKind; 4] = [
        FigureKind::Visitors,
        FigureKind::Contacts,
        FigureKind::ThroughputDays,
        FigureKind::ClerkSatisfaction,
    ];

    /// The stored and imported form.
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Visitors => "visitors",
            FigureKind::Contacts => "contacts",
            FigureKind::ThroughputDays => "throughput_days",
            FigureKind::ClerkSatisfaction => "clerk_satisfaction",
        }
    }

    /// The kind written as `s` (the stored form or its Dutch word).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_lowercase();
        Some(match s.as_str() {
            "visitors" | "bezoekers" => FigureKind::Visitors,
            "contacts" | "contacten" => FigureKind::Contacts,
            "throughput_days" | "doorlooptijd_dagen" | "doorlooptijd" => FigureKind::ThroughputDays,
            "clerk_satisfaction" | "tevredenheid_medewerkers" => FigureKind::ClerkSatisfaction,
            _ => return None,
        })
    }
}

/// A figure from another system (the queueing system, the physical counter's records),
/// for the days `from` to `to` inclusive. It counts in the period of its first day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// What it counts.
    pub kind: FigureKind,
    /// Which channel.
    pub channel: Channel,
    /// For one product only, or for all.
    pub product: Option<ProductId>,
    /// The first day it covers.
    #[ts(type = "string")]
    pub from: Date,
    /// The last day it covers.
    #[ts(type = "string")]
    pub to: Date,
    /// The value in thousandths (a count of 412 is 412000; 4.2 days is 4200).
    #[ts(type = "number")]
    pub value_milli: i64,
}

/// A change to the catalog: product `product` as it was from `at_ms` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CatalogChange {
    /// When (Unix milliseconds).
    #[ts(type = "number")]
    pub at_ms: i64,
    /// Which product.
    pub product: ProductId,
    /// Whether it can be handled through the digital counter.
    pub digital: bool,
    /// Whether it costs something (a payment is asked).
    pub takes_payment: bool,
    /// Whether it was taken out of the catalog.
    pub removed: bool,
}

/// Everything the figures are computed from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Conversations in which a citizen was let in.
    pub conversations: Vec<Conversation>,
    /// Questions and their handling.
    pub requests: Vec<Request>,
    /// Payments asked.
    pub payments: Vec<Payment>,
    /// Register entries.
    pub incidents: Vec<Incident>,
    /// Imported figures.
    pub figures: Vec<Figure>,
    /// The catalog's history.
    pub catalog: Vec<CatalogChange>,
    /// The day the digital counter went into use, for the before/after comparisons.
    #[ts(type = "string | null")]
    pub digital_since: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_ids_refuse_anything_that_could_carry_a_name_or_text() {
        assert!(ProductId::parse("sociaal-restaurant").is_some());
        assert!(ProductId::parse("v2.feestzaal_groot").is_some());
        for bad in [
            "",
            "Dirk Peeters",
            "a b",
            "dirk@example.be",
            "ÉÉN",
            &"x".repeat(65),
        ] {
            assert!(ProductId::parse(bad).is_none(), "{bad:?}");
        }
        let refused: Result<ProductId, _> = serde_json::from_str("\"Jef Janssens\"");
        assert!(refused.is_err());
    }

    #[test]
    fn scores_are_one_to_five() {
        assert!(Score::new(0).is_none());
        assert!(Score::new(6).is_none());
        assert_eq!(Score::new(5).map(Score::get), Some(5));
        assert!(serde_json::from_str::<Score>("9").is_err());
    }

    #[test]
    fn channels_are_read_in_dutch_french_and_english() {
        assert_eq!(Channel::parse("Balie"), Some(Channel::FrontDesk));
        assert_eq!(Channel::parse("guichet"), Some(Channel::FrontDesk));
        assert_eq!(Channel::parse(" telefoon "), Some(Channel::Phone));
        assert_eq!(Channel::parse("front_desk"), Some(Channel::FrontDesk));
        assert_eq!(Channel::parse("fax"), None);
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
    }
}
