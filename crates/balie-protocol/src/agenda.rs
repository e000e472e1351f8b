//! The front door as the clerk's cockpit sees it: the products the relay offers
//! (`GET /api/products`), the clerk's appointments (`GET /api/appointments`), the clerk's
//! availability (`GET`/`PUT /api/availability`), and the hint that a citizen knocks in a
//! room the cockpit has not opened (an appointment's room), on `/ws/hints`; and the
//! walk-in queue: the clerk's status (`PUT /api/status`), the queues (`GET /api/queue`),
//! taking the next citizen (`POST /api/queue/next`).
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
    /// When the citizen booked it (RFC 3339): for a moved appointment, when the first
    /// one was booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub booked_at: Option<String>,
    /// The citizen's postcode, if they gave it when booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub postcode: Option<String>,
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

/// A clerk's status for the walk-in queue, shown and set in the cockpit. Only a clerk who
/// is *available* (and whose cockpit is connected) opens the queue to citizens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ClerkStatus {
    /// *Beschikbaar*: takes the next citizen.
    Available,
    /// *In gesprek*: in a conversation (set when taking a citizen).
    Busy,
    /// *Afwezig*: not taking citizens.
    #[default]
    Away,
}

/// Body of `PUT /api/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    /// The clerk's new status.
    pub status: ClerkStatus,
}

/// A citizen waiting in the walk-in queue (anonymous until the conversation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueEntry {
    /// The ticket's public id (not its secret).
    pub id: String,
    /// Since when they wait, RFC 3339.
    pub since: String,
    /// Their language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: crate::Locale,
}

/// The queue of one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueProduct {
    /// The product's id.
    pub product_id: String,
    /// Its name.
    pub name: Texts,
    /// Whether citizens can join it now (a clerk for it is available in its hours).
    pub open: bool,
    /// Who waits, longest first.
    pub waiting: Vec<QueueEntry>,
}

/// Answer to `GET /api/queue`: the clerk's status and the queues of the products they
/// serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Queue {
    /// The asking clerk's status.
    pub status: ClerkStatus,
    /// Per product the clerk serves.
    pub products: Vec<QueueProduct>,
}

/// Body of `POST /api/queue/next`: take the longest-waiting citizen (of this product, or
/// of any the clerk serves).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NextCitizen {
    /// Only this product's queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub product_id: Option<String>,
}

/// Answer to `POST /api/queue/next` (status 200; 204 when nobody waits): the citizen is
/// taken out of the queue and sent to the room, where they knock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TakenCitizen {
    /// The room of the conversation.
    pub room_id: String,
    /// The product they came for.
    pub product_id: String,
    /// Their language.
    #[ts(type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: crate::Locale,
    /// How long they waited, in seconds.
    #[ts(type = "number")]
    pub waited_seconds: i64,
}

/// A message on `/ws/hints`: the walk-in queue of a product this clerk serves changed
/// (someone joined or left); the cockpit reads `GET /api/queue` again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueHint {
    /// The product whose queue changed.
    pub queue_changed: String,
}

/// What the citizen's queue page reads (`GET /q/{ticket}/status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TicketStatus {
    /// Their place (1 is next), while waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub position: Option<u32>,
    /// The estimated wait in minutes, while waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub minutes: Option<u32>,
    /// The join link, once a clerk took them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub join_url: Option<String>,
    /// The text the page shows, in its language.
    pub text: String,
}
