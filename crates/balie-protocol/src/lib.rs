//! Balie's wire types: what the cockpit, the relay and the citizen page send each other.
//!
//! Every type here is plain serde data. The TypeScript side (`ui/bindings/protocol.ts`)
//! is generated from these types by [`typescript_bindings`]; a test fails when the
//! checked-in file is stale (run `BALIE_BLESS=1 cargo test -p balie-protocol` to renew it).
//!
//! Main types: [`CreateRoomRequest`] / [`CreateRoomResponse`] (the clerk's
//! `POST /api/rooms`) and [`ApiError`] (the one error shape of the relay's JSON API).
//!
//! Invariant: fields are only ever added with a default, so an older peer keeps working.

pub mod agenda;
pub mod channel;
pub mod identity;
pub mod impact;
pub mod payment;
pub mod signaling;
pub mod updates;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use balie_domain::Locale;

/// Protocol version, sent in health answers so a cockpit can tell an incompatible relay.
pub const PROTOCOL_VERSION: u32 = 1;

/// Body of `POST /api/rooms`. Every field is optional; `{}` is a valid request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CreateRoomRequest {
    /// How long the join link stays valid, in minutes (1–1440). The relay's configured
    /// default (two hours unless changed) applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub valid_for_minutes: Option<u32>,
    /// The language the citizen page opens in when the browser says nothing better
    /// (the clerk may know the citizen prefers French).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "\"nl\" | \"fr\" | \"en\"")]
    pub locale: Option<Locale>,
}

/// Body of `POST /api/enrol`: a cockpit asks its own token with the one-time code IT gave
/// its clerk (`balie-relay clerk invite NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// The code as typed (hyphens, spaces and lower case are fine).
    pub code: String,
    /// What the device is called in `balie-relay clerk devices` (its computer's name):
    /// 1 to 64 printable characters.
    pub device: String,
}

/// Answer to `POST /api/enrol` (status 201). Errors: `bad_request` (a typing error in the
/// code, or a bad device name), `not_found` (no such code), `already_done` (the code was
/// used), `gone` (the code expired or its clerk was revoked), `too_many`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrolResponse {
    /// The device's own clerk token, for the OS keyring; shown nowhere.
    pub token: String,
    /// The clerk's name at the relay.
    pub clerk: String,
    /// The device's number (`balie-relay clerk revoke NAME --device ID`).
    pub device_id: i64,
    /// The municipality's name.
    pub municipality: String,
}

/// Answer to `POST /api/rooms` (status 201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CreateRoomResponse {
    /// The room's public identifier (not a secret; used by the clerk's side only).
    pub room_id: String,
    /// The link to give the citizen; it holds the secret join token.
    pub join_url: String,
    /// When the link stops working, RFC 3339 in UTC.
    pub expires_at: String,
}

/// Answer to `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Health {
    /// Always `"ok"` when the relay answers at all.
    pub status: String,
    /// The relay's package version.
    pub version: String,
    /// [`PROTOCOL_VERSION`] of the relay.
    pub protocol: u32,
    /// Whether the relay serves its sandbox test provider (off on a public relay unless
    /// IT turned it on); the cockpit offers test payments only then. Absent from older
    /// relays, which counts as off.
    #[serde(default)]
    pub sandbox: bool,
    /// Whether an identity provider is configured, so the clerk can ask the citizen to
    /// prove who they are. Absent from older relays, which counts as off.
    #[serde(default)]
    pub identity: bool,
    /// The municipality's name as the relay is configured (`Gemeente Zonnedorp`), for
    /// the cockpit's report. Absent from older relays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub municipality: Option<String>,
}

/// What kind of error the relay's JSON API answered with; clients switch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request body or a parameter is not valid.
    BadRequest,
    /// Missing, unknown or revoked clerk token.
    Unauthorized,
    /// Nothing at this address.
    NotFound,
    /// It existed but has expired or ended.
    Gone,
    /// Not yet: an appointment's room opens shortly before its start.
    TooEarly,
    /// The request body is larger than the relay accepts.
    PayloadTooLarge,
    /// Too many requests or connections from this address or for this room: try again
    /// later (`Retry-After`).
    TooMany,
    /// The relay holds as many connections as it takes: try again later.
    Busy,
    /// The relay is not set up for this (e.g. no identity provider is configured).
    NotConfigured,
    /// It was already done and is done only once (a survey already answered).
    AlreadyDone,
    /// The relay failed; details are in its log, not in the answer.
    Internal,
}

/// The one error body of the relay's JSON API: `{"error": {"code": …, "message": …}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiError {
    /// The error itself.
    pub error: ApiErrorBody,
}

/// Inside [`ApiError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiErrorBody {
    /// Machine-readable kind.
    pub code: ErrorCode,
    /// Human-readable detail in English, for developers and logs; clients show their own
    /// translated text chosen by `code`.
    pub message: String,
}

/// The generated TypeScript for every wire type, as checked in at `ui/bindings/protocol.ts`.
pub fn typescript_bindings() -> String {
    let mut out = bindings_file(
        "crates/balie-protocol",
        "balie-protocol",
        &[
            CreateRoomRequest::decl(),
            CreateRoomResponse::decl(),
            Health::decl(),
            ErrorCode::decl(),
            ApiError::decl(),
            ApiErrorBody::decl(),
            signaling::IceServer::decl(),
            signaling::Signal::decl(),
            signaling::ClerkMessage::decl(),
            signaling::RelayToClerk::decl(),
            signaling::CitizenMessage::decl(),
            signaling::RelayToCitizen::decl(),
            signaling::SignalError::decl(),
            channel::DataMessage::decl(),
            channel::PaymentCard::decl(),
            channel::CardStatus::decl(),
            channel::PayMethod::decl(),
            channel::PageConstants::decl(),
            payment::WatchPayment::decl(),
            payment::PaymentHint::decl(),
            agenda::Texts::decl(),
            agenda::Product::decl(),
            agenda::Products::decl(),
            agenda::AppointmentStatus::decl(),
            agenda::MailKind::decl(),
            agenda::MailState::decl(),
            agenda::Mail::decl(),
            agenda::Appointment::decl(),
            agenda::Appointments::decl(),
            agenda::Availability::decl(),
            agenda::DayException::decl(),
            agenda::KnockHint::decl(),
            agenda::ClerkStatus::decl(),
            agenda::SetStatus::decl(),
            agenda::QueueEntry::decl(),
            agenda::QueueProduct::decl(),
            agenda::Queue::decl(),
            agenda::NextCitizen::decl(),
            agenda::TakenCitizen::decl(),
            agenda::QueueHint::decl(),
            agenda::TicketStatus::decl(),
            identity::AssuranceLevel::decl(),
            identity::ConfirmedIdentity::decl(),
            identity::IdentityFailure::decl(),
            identity::IdentityStatus::decl(),
            identity::IdentityHint::decl(),
            identity::IdentityProvider::decl(),
            identity::IdentityOutcome::decl(),
            impact::SurveyAnswer::decl(),
            impact::CitizenSurvey::decl(),
            impact::CitizenSurveys::decl(),
        ],
    );
    out.push_str(&format!(
        "\nexport const PROTOCOL_VERSION = {PROTOCOL_VERSION};\nexport const SIGNALING_VERSION = {};\nexport const MAX_SIGNAL_BYTES = {};\nexport const DATA_CHANNEL_LABEL = \"{}\";\nexport const MAX_CHAT_CHARS = {};\nexport const MAX_COMMENT_CHARS = {};\n",
        signaling::SIGNALING_VERSION,
        signaling::MAX_SIGNAL_BYTES,
        channel::DATA_CHANNEL_LABEL,
        channel::MAX_CHAT_CHARS,
        impact::MAX_COMMENT_CHARS
    ));
    out
}

/// A generated TypeScript file: a header naming `source` and the command that renews it
/// (`BALIE_BLESS=1 cargo test -p <package>`), then each declaration exported.
pub fn bindings_file(source: &str, package: &str, decls: &[String]) -> String {
    let mut out = format!(
        "// Generated from {source} by `BALIE_BLESS=1 cargo test -p {package}`.\n// Do not edit by hand.\n"
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(decl);
        out.push('\n');
    }
    out
}

/// Test helper: fails when the checked-in bindings at `path` differ from `generated`, or
/// rewrites them when `BALIE_BLESS` is set.
///
/// # Panics
/// When the file is stale (that is the test failing), or cannot be written while blessing.
pub fn assert_bindings_fresh(path: &std::path::Path, generated: &str) {
    if std::env::var_os("BALIE_BLESS").is_some() {
        if let Err(e) = std::fs::write(path, generated) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is stale; run the test again with BALIE_BLESS=1 to renew it",
        path.display()
    );
}
