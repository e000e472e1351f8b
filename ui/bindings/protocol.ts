// Generated from crates/balie-protocol by `BALIE_BLESS=1 cargo test -p balie-protocol`.
// Do not edit by hand.

export type CreateRoomRequest = { 
/**
 * How long the join link stays valid, in minutes (1–1440). The relay's configured
 * default (two hours unless changed) applies when absent.
 */
valid_for_minutes?: number, 
/**
 * The language the citizen page opens in when the browser says nothing better
 * (the clerk may know the citizen prefers French).
 */
locale?: "nl" | "fr" | "en", };

export type CreateRoomResponse = { 
/**
 * The room's public identifier (not a secret; used by the clerk's side only).
 */
room_id: string, 
/**
 * The link to give the citizen; it holds the secret join token.
 */
join_url: string, 
/**
 * When the link stops working, RFC 3339 in UTC.
 */
expires_at: string, };

export type Health = { 
/**
 * Always `"ok"` when the relay answers at all.
 */
status: string, 
/**
 * The relay's package version.
 */
version: string, 
/**
 * [`PROTOCOL_VERSION`] of the relay.
 */
protocol: number, 
/**
 * Whether the relay serves its sandbox test provider (off on a public relay unless
 * IT turned it on); the cockpit offers test payments only then. Absent from older
 * relays, which counts as off.
 */
sandbox: boolean, 
/**
 * Whether an identity provider is configured, so the clerk can ask the citizen to
 * prove who they are. Absent from older relays, which counts as off.
 */
identity: boolean, 
/**
 * The municipality's name as the relay is configured (`Gemeente Zonnedorp`), for
 * the cockpit's report. Absent from older relays.
 */
municipality?: string, };

export type ErrorCode = "bad_request" | "unauthorized" | "not_found" | "gone" | "too_early" | "payload_too_large" | "too_many" | "busy" | "not_configured" | "already_done" | "internal";

export type ApiError = { 
/**
 * The error itself.
 */
error: ApiErrorBody, };

export type ApiErrorBody = { 
/**
 * Machine-readable kind.
 */
code: ErrorCode, 
/**
 * Human-readable detail in English, for developers and logs; clients show their own
 * translated text chosen by `code`.
 */
message: string, };

export type IceServer = { 
/**
 * `stun:`, `turn:` or `turns:` URLs.
 */
urls: Array<string>, 
/**
 * TURN username (`<expiry>:<id>`).
 */
username?: string, 
/**
 * TURN password, valid until the expiry in the username.
 */
credential?: string, };

export type Signal = { "kind": "ready" } | { "kind": "offer", 
/**
 * The SDP.
 */
sdp: string, } | { "kind": "answer", 
/**
 * The SDP.
 */
sdp: string, } | { "kind": "candidate", 
/**
 * The `candidate:` line.
 */
candidate: string, 
/**
 * The media section it belongs to.
 */
sdp_mid?: string, 
/**
 * The media section's index.
 */
sdp_m_line_index?: number, } | { "kind": "end_of_candidates" };

export type ClerkMessage = { "type": "hello", 
/**
 * [`SIGNALING_VERSION`] of the cockpit.
 */
version: number, } | { "type": "admit", 
/**
 * From [`RelayToClerk::Knock`].
 */
knock_id: string, } | { "type": "decline", 
/**
 * From [`RelayToClerk::Knock`].
 */
knock_id: string, } | { "type": "signal", 
/**
 * What to forward.
 */
signal: Signal, } | { "type": "end" };

export type RelayToClerk = { "type": "welcome", 
/**
 * The room.
 */
room_id: string, 
/**
 * Whether a citizen is admitted (after a reconnection of the cockpit).
 */
citizen_present: boolean, 
/**
 * STUN/TURN servers for the cockpit's side of the call.
 */
ice_servers: Array<IceServer>, } | { "type": "knock", 
/**
 * Refer to this knock in `admit` / `decline`.
 */
knock_id: string, 
/**
 * The language the citizen page shows.
 */
locale: "nl" | "fr" | "en", } | { "type": "knock_withdrawn", 
/**
 * The knock that ended.
 */
knock_id: string, } | { "type": "citizen_away" } | { "type": "citizen_back" } | { "type": "citizen_left" } | { "type": "signal", 
/**
 * What the citizen sent.
 */
signal: Signal, } | { "type": "error", 
/**
 * Why.
 */
code: SignalError, };

export type CitizenMessage = { "type": "knock", 
/**
 * [`SIGNALING_VERSION`] of the page.
 */
version: number, 
/**
 * The language the page shows, for the clerk's banner.
 */
locale: "nl" | "fr" | "en", 
/**
 * Resume secret of an earlier admission in this room.
 */
resume?: string, } | { "type": "signal", 
/**
 * What to forward.
 */
signal: Signal, } | { "type": "leave" };

export type RelayToCitizen = { "type": "waiting" } | { "type": "admitted", 
/**
 * Secret to resume this admission.
 */
resume: string, 
/**
 * STUN/TURN servers for the citizen's side of the call.
 */
ice_servers: Array<IceServer>, } | { "type": "ice_servers", 
/**
 * The STUN and TURN servers, with new credentials.
 */
ice_servers: Array<IceServer>, } | { "type": "declined" } | { "type": "room_busy" } | { "type": "ended" } | { "type": "clerk_away" } | { "type": "clerk_back" } | { "type": "signal", 
/**
 * What the clerk sent.
 */
signal: Signal, } | { "type": "identity_asked", 
/**
 * The providers to choose from.
 */
providers: Array<IdentityProvider>, } | { "type": "identity_done", 
/**
 * How.
 */
outcome: IdentityOutcome, } | { "type": "error", 
/**
 * Why.
 */
code: SignalError, };

export type SignalError = "malformed" | "too_large" | "unsupported_version" | "out_of_order" | "rate_limited";

export type DataMessage = { "type": "chat", 
/**
 * Chosen by the sender, unique within the call; the receiver acknowledges it.
 */
id: string, 
/**
 * The text, 1 to [`MAX_CHAT_CHARS`] characters.
 */
text: string, } | { "type": "chat_received", 
/**
 * From [`DataMessage::Chat`].
 */
id: string, } | { "type": "payment", 
/**
 * What the card shows.
 */
card: PaymentCard, };

export type PaymentCard = { 
/**
 * The cockpit's id of the payment.
 */
id: string, 
/**
 * Who receives the money (the municipality).
 */
payee: string, 
/**
 * The amount in euro cents (the page formats it in its language).
 */
amount_cents: number, 
/**
 * What it is for.
 */
description: string, 
/**
 * The structured reference as printed (`+++090/9337/55493+++`), if there is one.
 */
reference?: string, 
/**
 * How to pay.
 */
method: PayMethod, 
/**
 * The provider's checkout page (for [`PayMethod::Checkout`]); the page opens only
 * allow-listed hosts.
 */
checkout_url?: string, 
/**
 * The payee's IBAN, printed in groups (for [`PayMethod::Transfer`]).
 */
iban?: string, 
/**
 * The QR code's modules, one string of `0` and `1` per row (top row first): the
 * checkout address, or the EPC QR payload of a transfer.
 */
qr: Array<string>, 
/**
 * A test payment (sandbox or a provider's test mode): no real money moves.
 */
test: boolean, 
/**
 * Where it stands.
 */
status: CardStatus, 
/**
 * When the status last changed, RFC 3339.
 */
changed_at: string, };

export type CardStatus = "open" | "paid" | "failed" | "canceled" | "expired" | "review";

export type PayMethod = "checkout" | "transfer";

export type PageConstants = { 
/**
 * [`crate::signaling::SIGNALING_VERSION`].
 */
signaling_version: number, 
/**
 * [`DATA_CHANNEL_LABEL`].
 */
data_channel_label: string, 
/**
 * [`MAX_CHAT_CHARS`].
 */
max_chat_chars: number, 
/**
 * [`crate::impact::MAX_COMMENT_CHARS`]: the survey's longest comment.
 */
max_comment_chars: number, 
/**
 * [`CardStatus::ALL`].
 */
card_statuses: Array<CardStatus>, 
/**
 * [`CHECKOUT_HOSTS`].
 */
checkout_hosts: Array<string>, };

export type WatchPayment = { 
/**
 * One of [`HINT_PROVIDERS`].
 */
provider: string, 
/**
 * The provider's id of the payment (`tr_…`, a Bancontact payment id, `cs_…`).
 */
provider_id: string, };

export type PaymentHint = { 
/**
 * One of [`HINT_PROVIDERS`].
 */
provider: string, 
/**
 * The provider's id of the payment.
 */
provider_id: string, };

export type Texts = { 
/**
 * Dutch.
 */
nl: string, 
/**
 * French.
 */
fr: string, 
/**
 * English.
 */
en: string, };

export type Product = { 
/**
 * Its id (`sociaal-restaurant`).
 */
id: string, 
/**
 * Its name.
 */
name: Texts, 
/**
 * What the citizen should have ready.
 */
prepare: Texts, 
/**
 * Its price in euro cents.
 */
price_cents: number, 
/**
 * How long a conversation about it takes, in minutes.
 */
duration_minutes: number, 
/**
 * Whether it can be done through the digital counter.
 */
digital: boolean, 
/**
 * Whether the asking clerk serves it.
 */
served_by_me: boolean, };

export type Products = { 
/**
 * In the front door's order.
 */
products: Array<Product>, };

export type AppointmentStatus = "booked" | "canceled" | "moved";

export type MailKind = "confirmation" | "reminder" | "canceled";

export type MailState = "waiting" | "retrying" | "sent" | "failed";

export type Mail = { 
/**
 * What it says.
 */
kind: MailKind, 
/**
 * How it went.
 */
state: MailState, 
/**
 * When it is (or was) due.
 */
due_at: string, 
/**
 * The last attempt's error (the kind and the server's code, no address).
 */
error?: string, };

export type Appointment = { 
/**
 * Its id.
 */
id: string, 
/**
 * The product's id.
 */
product_id: string, 
/**
 * The product's name.
 */
product: Texts, 
/**
 * When it starts.
 */
starts_at: string, 
/**
 * When it ends.
 */
ends_at: string, 
/**
 * Whether it lies outside the opening hours.
 */
outside_hours: boolean, 
/**
 * Where it stands.
 */
status: AppointmentStatus, 
/**
 * The citizen's name.
 */
name: string, 
/**
 * Their e-mail address.
 */
email?: string, 
/**
 * Their mobile number.
 */
phone?: string, 
/**
 * Their language.
 */
locale: "nl" | "fr" | "en", 
/**
 * Their question, as typed.
 */
question: string, 
/**
 * The room of the conversation (the clerk connects to it).
 */
room_id: string, 
/**
 * The mails to the citizen about it.
 */
mails: Array<Mail>, 
/**
 * When the citizen booked it (RFC 3339): for a moved appointment, when the first
 * one was booked.
 */
booked_at?: string, 
/**
 * The citizen's postcode, if they gave it when booking.
 */
postcode?: string, };

export type Appointments = { 
/**
 * By start.
 */
appointments: Array<Appointment>, };

export type Availability = { 
/**
 * Monday to Sunday: `09:00-12:00,18:00-20:00`, or `-` for none.
 */
week: [string, string, string, string, string, string, string], 
/**
 * Days that differ from the week (a holiday, an evening extra), from today on.
 */
exceptions: Array<DayException>, };

export type DayException = { 
/**
 * The date, `2026-12-24`.
 */
date: string, 
/**
 * Its hours, or `-` for none.
 */
hours: string, };

export type KnockHint = { 
/**
 * The room knocked on.
 */
knock_in_room: string, 
/**
 * The appointment whose room it is, if any.
 */
appointment_id?: string, };

export type ClerkStatus = "available" | "busy" | "away";

export type SetStatus = { 
/**
 * The clerk's new status.
 */
status: ClerkStatus, };

export type QueueEntry = { 
/**
 * The ticket's public id (not its secret).
 */
id: string, 
/**
 * Since when they wait, RFC 3339.
 */
since: string, 
/**
 * Their language.
 */
locale: "nl" | "fr" | "en", };

export type QueueProduct = { 
/**
 * The product's id.
 */
product_id: string, 
/**
 * Its name.
 */
name: Texts, 
/**
 * Whether citizens can join it now (a clerk for it is available in its hours).
 */
open: boolean, 
/**
 * Who waits, longest first.
 */
waiting: Array<QueueEntry>, };

export type Queue = { 
/**
 * The asking clerk's status.
 */
status: ClerkStatus, 
/**
 * Per product the clerk serves.
 */
products: Array<QueueProduct>, };

export type NextCitizen = { 
/**
 * Only this product's queue.
 */
product_id?: string, };

export type TakenCitizen = { 
/**
 * The room of the conversation.
 */
room_id: string, 
/**
 * The product they came for.
 */
product_id: string, 
/**
 * Their language.
 */
locale: "nl" | "fr" | "en", 
/**
 * How long they waited, in seconds.
 */
waited_seconds: number, };

export type QueueHint = { 
/**
 * The product whose queue changed.
 */
queue_changed: string, };

export type TicketStatus = { 
/**
 * Their place (1 is next), while waiting.
 */
position?: number, 
/**
 * The estimated wait in minutes, while waiting.
 */
minutes?: number, 
/**
 * The join link, once a clerk took them.
 */
join_url?: string, 
/**
 * The text the page shows, in its language.
 */
text: string, };

export type AssuranceLevel = "low" | "substantial" | "high";

export type ConfirmedIdentity = { 
/**
 * The configured provider it came from (e.g. `acm`).
 */
provider: string, 
/**
 * The means the citizen used, as IT named it (e.g. `itsme`, `eID`).
 */
means: string, 
/**
 * The level of assurance of that means.
 */
level: AssuranceLevel, 
/**
 * The provider's `acr` value as it stood in the ID token.
 */
acr: string, 
/**
 * Given name(s).
 */
given_name: string, 
/**
 * Family name.
 */
family_name: string, 
/**
 * Date of birth, `YYYY-MM-DD`, from the provider or read from the national number.
 */
birth_date?: string, 
/**
 * The Belgian national register number, 11 digits, when the provider gave one. The
 * cockpit shows it only masked and compares it with the case's party.
 */
national_number?: string, 
/**
 * When the citizen signed in at the provider, unix seconds.
 */
authenticated_at: bigint, };

export type IdentityFailure = "refused" | "provider_unavailable" | "invalid" | "level_too_low" | "expired";

export type IdentityStatus = { "status": "not_asked" } | { "status": "asked", 
/**
 * Whether the relay asked by itself because the room's product requires it.
 */
by_product: boolean, } | { "status": "confirmed", 
/**
 * Who.
 */
identity: ConfirmedIdentity, } | { "status": "failed", 
/**
 * Why.
 */
reason: IdentityFailure, } | { "status": "handed_over" };

export type IdentityHint = { 
/**
 * The room.
 */
identity_in_room: string, };

export type IdentityProvider = { 
/**
 * Its id, sent back when the citizen chooses it.
 */
id: string, 
/**
 * Its name on the button (e.g. `itsme of eID`).
 */
label: string, 
/**
 * Where the button leads (on the relay, which sends the citizen on to the provider
 * with a fresh sign-in each time); valid while the question stands.
 */
start_url: string, };

export type IdentityOutcome = "confirmed" | "refused" | "failed";

export type SurveyAnswer = { 
/**
 * The admission's resume secret (from `admitted`): only the citizen who was in the
 * call holds it.
 */
resume: string, 
/**
 * 1 (very dissatisfied) to 5 (very satisfied).
 */
score: number, 
/**
 * What they want to add, 1 to [`MAX_COMMENT_CHARS`] characters.
 */
comment?: string, 
/**
 * The page's language.
 */
locale: "nl" | "fr" | "en", };

export type CitizenSurvey = { 
/**
 * Its place in the order answers came in (the cursor for `?after=`).
 */
seq: number, 
/**
 * The conversation's room.
 */
room_id: string, 
/**
 * 1 to 5.
 */
score: number, 
/**
 * The comment, if any.
 */
comment?: string, 
/**
 * The page's language.
 */
locale: "nl" | "fr" | "en", 
/**
 * When (RFC 3339).
 */
answered_at: string, };

export type CitizenSurveys = { 
/**
 * The answers.
 */
answers: Array<CitizenSurvey>, };

export const PROTOCOL_VERSION = 1;
export const SIGNALING_VERSION = 1;
export const MAX_SIGNAL_BYTES = 65536;
export const DATA_CHANNEL_LABEL = "balie";
export const MAX_CHAT_CHARS = 2000;
export const MAX_COMMENT_CHARS = 500;
