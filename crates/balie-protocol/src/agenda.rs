//! The front door as the clerk's cockpit sees it: the products the relay offers
//! (`GET /api/products`), the clerk's appointments (`GET /api/appointments`), the clerk's
//! availability (`GET`/`PUT /api/availability`), and the hint that a citizen knocks in a
//! room the cockpit has not opened (an appointment's room), on `/ws/hints`.
//!
//! Times are RFC 3339 in UTC; days and hours of a week are Europe/Brussels wall-clock
//! time, written as the relay's CLI takes them (`09:00-12:00,13:30-16:00`, `-` closed).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A text in the three languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Texts {
    /// Dutch.
    pub nl: String,
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

/// A product the front door offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Product {
    /// Its id (`sociaal-restaurant`).
    pub id: String,
    /// Its name.
    pub name: Texts,
    /// What the citizen should have ready.
    pub prepare: Texts,
    /// Its price in euro cents.
    #[ts(type = "number")]
    pub price_cents: i64,
    /// How long a conversation about it takes, in minutes.
    pub duration_minutes: u32,
    /// Whether it can be done through the digital counter.
    pub digital: bool,
    /// Whether the asking clerk serves it.
    pub served_by_me: bool,
}

/// Answer to `GET /api/products`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Products {
    /// In the front door's order.
    pub products: Vec<Product>,
}

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// It holds.
    Booked,
    /// Cancelled.
    Canceled,
    /// Moved to another moment (another appointment).
    Moved,
}

/// What a mail to the citizen was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// The confirmation.
    Confirmation,
    /// A reminder.
    Reminder,
    /// The cancellation.
    Canceled,
}

/// How a mail to the citizen went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Not yet due, or due and not yet tried.
    Waiting,
    /// Tried and failed; it will be tried again.
    Retrying,
    /// Taken by the mail server.
    Sent,
    /// Given up on: the citizen did not get it.
    Failed,
}

/// One mail about an appointment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Mail {
    /// What it says.
    pub kind: MailKind,
    /// How it went.
    pub state: MailState,
    /// When it is (or was) due.
    pub due_at: String,
    /// The last attempt's error (the kind and the server's code, no address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
}

/// An appointment of the clerk's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Appointment {
    /// Its id.
    pub id: String,
    /// The product's id.
    pub product_id: String,
    /// The product's name.
    pub product: Texts,
    /// When it starts.
    pub starts_at: String,
    /// When it ends.
    pub ends_at: String,
    /// Whether it lies outside the opening hours.
    pub outside_hours: bool,
    /// Where it stands.
    pub status: AppointmentStatus,
    /// The citizen's name.
    pub name: String,
    /// Their e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub email: Option<String>,
    /// Their mobile number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub phone: Option<String>,
    /// Their language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: crate::Locale,
    /// Their question, as typed.
    pub question: String,
    /// The room of the conversation (the clerk connects to it).
    pub room_id: String,
    /// The mails to the citizen about it.
    pub mails: Vec<Mail>,
}

/// Answer to `GET /api/appointments?from=…&until=…` (RFC 3339; by default from the
/// start of today for seven days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Appointments {
    /// By start.
    pub appointments: Vec<Appointment>,
}

/// A clerk's availability for appointments: a week plus dated exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Monday to Sunday: `09:00-12:00,18:00-20:00`, or `-` for none.
    pub week: [String; 7],
    /// Days that differ from the week (a holiday, an evening extra), from today on.
    #[serde(default)]
    pub exceptions: Vec<DayException>,
}

/// One day that differs from the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DayException {
    /// The date, `2026-12-24`.
    pub date: String,
    /// Its hours, or `-` for none.
    pub hours: String,
}

/// A message on `/ws/hints` beside [`crate::payment::PaymentHint`]: a citizen knocks in
/// room `room_id`, which the clerk's cockpit has no socket to (an appointment's room).
/// The cockpit rings and opens the room when the clerk says so; the knock waits there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KnockHint {
    /// The room knocked on.
    pub knock_in_room: String,
    /// The appointment whose room it is, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub appointment_id: Option<String>,
}
