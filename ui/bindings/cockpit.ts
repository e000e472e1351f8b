// Generated from crates/balie-cockpit by `BALIE_BLESS=1 cargo test -p balie-cockpit --lib`.
// Do not edit by hand.

export type CockpitStatus = { 
/**
 * The clerk's language.
 */
locale: "nl" | "fr" | "en", 
/**
 * The relay in use.
 */
relay: RelayStatus, 
/**
 * Whether secrets can be kept in the OS keyring.
 */
keyring_available: boolean, };

export type RelayStatus = { 
/**
 * Embedded or remote.
 */
mode: RelayMode, 
/**
 * Its base URL.
 */
url: string, 
/**
 * Whether IT locked it in the machine settings.
 */
locked: boolean, };

export type RelayMode = "embedded" | "remote";

export type EnrolView = { 
/**
 * The clerk's language.
 */
locale: "nl" | "fr" | "en", 
/**
 * The relay IT set, or the clerk's last one; `None`: the clerk types it.
 */
relay_url?: string, 
/**
 * Whether IT locked the relay (then the field is not editable).
 */
relay_locked: boolean, 
/**
 * The municipality's name, when IT set it.
 */
municipality?: string, };

export type Enrolled = { 
/**
 * The relay enrolled with.
 */
relay_url: string, 
/**
 * The clerk's name at the relay.
 */
clerk: string, 
/**
 * The municipality's name.
 */
municipality: string, };

export type ConnectionTest = { 
/**
 * The outcome.
 */
outcome: ConnectionOutcome, 
/**
 * The relay's version, when it answered.
 */
version?: string, 
/**
 * The municipality it serves, when it said.
 */
municipality?: string, 
/**
 * How long the test took, in milliseconds.
 */
took_ms: number, };

export type ConnectionOutcome = "connected" | "unreachable" | "not_a_relay" | "not_enrolled";

export type UpdateView = { 
/**
 * The version on offer.
 */
version: string, 
/**
 * The version running now.
 */
current: string, 
/**
 * What changed.
 */
notes: string, };

export type NewConversation = { 
/**
 * The relay's room id.
 */
room_id: string, 
/**
 * The citizen's join link.
 */
join_url: string, 
/**
 * When the link expires (RFC 3339).
 */
expires_at: string, 
/**
 * The link as a QR code, an SVG data URI.
 */
qr_svg_data_uri: string, 
/**
 * Whether the call starts with the background blurred (the clerk's last choice).
 */
background_blur: boolean, };

export type OpenedRoom = { 
/**
 * The relay's room id.
 */
room_id: string, 
/**
 * The case the conversation belongs to (an appointment's), shown in the dossier
 * window.
 */
case_id?: bigint, 
/**
 * The product the citizen came for.
 */
product_id: string, 
/**
 * How long a walk-in waited in the queue, in seconds.
 */
waited_seconds?: number, 
/**
 * Whether the call starts with the background blurred (the clerk's last choice).
 */
background_blur: boolean, };

export type ConversationEvent = { "kind": "connected", 
/**
 * A citizen is already in (after a reconnection).
 */
citizen_present: boolean, } | { "kind": "knock", 
/**
 * Pass to `admit` / `decline`.
 */
knock_id: string, 
/**
 * The language of the citizen's page.
 */
locale: "nl" | "fr" | "en", } | { "kind": "knock_withdrawn" } | { "kind": "citizen_away" } | { "kind": "citizen_back" } | { "kind": "citizen_left" } | { "kind": "refused", 
/**
 * The relay's error code.
 */
code: string, } | { "kind": "reconnecting", 
/**
 * Milliseconds until the next attempt.
 */
retry_in_ms: bigint, } | { "kind": "closed", 
/**
 * HTTP status of the refusal.
 */
status: number, } | { "kind": "call", 
/**
 * Where the call stands.
 */
state: CallStateName, } | { "kind": "chat_ready" } | { "kind": "chat", 
/**
 * The page's id for it.
 */
id: string, 
/**
 * The text.
 */
text: string, } | { "kind": "chat_delivered", 
/**
 * From `send_chat`.
 */
id: string, } | { "kind": "quality" } & Quality | { "kind": "devices", 
/**
 * The camera's name.
 */
camera: string | null, 
/**
 * The microphone's name.
 */
microphone: string | null, 
/**
 * The speaker's name.
 */
speaker: string | null, };

export type FrontDoorEvent = { "kind": "knock", 
/**
 * The room.
 */
room_id: string, 
/**
 * Its appointment, if any.
 */
appointment_id?: string, } | { "kind": "queue_changed", 
/**
 * The product.
 */
product_id: string, } | { "kind": "identity_changed", 
/**
 * The room.
 */
room_id: string, };

export type CallStateName = "connecting" | "connected" | "reconnecting" | "ended";

export type Quality = { 
/**
 * Round trip, milliseconds.
 */
rtt_ms: number | null, 
/**
 * Packets lost on the way in, percent.
 */
loss_in_percent: number | null, 
/**
 * Packets lost on the way out, percent.
 */
loss_out_percent: number | null, 
/**
 * Received, kilobits per second over the last second.
 */
kbps_in: number, 
/**
 * Sent, kilobits per second over the last second.
 */
kbps_out: number, 
/**
 * Pictures decoded per second over the last second.
 */
fps_in: number, 
/**
 * What we send, `WxH@fps`.
 */
sending: string, 
/**
 * What we receive, `WxH`.
 */
receiving: string, };

export type VideoStream = "remote" | "self";

export type VideoArea = { 
/**
 * Left edge.
 */
x: number, 
/**
 * Top edge.
 */
y: number, 
/**
 * Width.
 */
width: number, 
/**
 * Height.
 */
height: number, 
/**
 * Shown mirrored (the clerk's own picture, as in a mirror).
 */
mirrored: boolean, 
/**
 * A white frame this wide (CSS pixels) drawn around the area, as the page's border
 * (0: none).
 */
border: number, 
/**
 * The part of the viewport the page shows the area in (its scrolling containers'
 * boxes): left, top, right, bottom edges. Nothing of the picture is drawn outside it,
 * so a picture scrolled under the window's top bar stays under it.
 */
clip: [number, number, number, number], };

export type VideoPainted = { 
/**
 * Pictures of the citizen painted.
 */
remote: number, 
/**
 * Pictures of the clerk painted.
 */
self_view: number, 
/**
 * When the first picture of the citizen reached the screen (ms since the Unix epoch;
 * the end of the GTK frame that painted it, when the window's pixels go to the
 * display server), `None` before it.
 */
first_remote_at: number | null, };

export type DeviceChoice = { 
/**
 * Camera name.
 */
camera?: string, 
/**
 * Microphone name.
 */
microphone?: string, 
/**
 * Speaker name.
 */
speaker?: string, };

export type DeviceList = { 
/**
 * Cameras.
 */
cameras: Array<string>, 
/**
 * Whether this build can use a camera at all (built with GStreamer); without, the
 * citizen sees a test pattern.
 */
camera_supported: boolean, 
/**
 * Microphones.
 */
microphones: Array<string>, 
/**
 * Speakers.
 */
speakers: Array<string>, 
/**
 * What is chosen now.
 */
chosen: DeviceChoice, };

export type PaymentStatus = "created" | "open" | "paid" | "failed" | "canceled" | "expired" | "mismatch";

export type PaymentMode = "test" | "live";

export type StatusSource = "balie" | "provider" | "clerk";

export type CaseStatus = "new" | "in_progress" | "waiting" | "approved" | "refused" | "closed";

export type PartyKind = "citizen" | "company" | "association";

export type ProviderName = "sandbox" | "mollie" | "bancontact" | "stripe" | "transfer";

export type ProviderChoice = { 
/**
 * Which.
 */
name: ProviderName, 
/**
 * Test mode (sandbox, a test key, a pre-production host): no real money.
 */
test: boolean, };

export type ProductView = { 
/**
 * Stable id.
 */
id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Its price in cents.
 */
price_cents: number, 
/**
 * Its price as the clerk reads it (`€ 45,00`).
 */
price_text: string, 
/**
 * Whether it can be handled through the digital counter.
 */
digital: boolean, };

export type PaymentSetup = { 
/**
 * The providers the clerk can choose, the preferred first.
 */
providers: Array<ProviderChoice>, 
/**
 * The catalog.
 */
products: Array<ProductView>, };

export type PaymentRequest = { 
/**
 * The amount as the clerk typed it (`12,50`, `€ 1.234,56`).
 */
amount: string, 
/**
 * What it is for, as the citizen will read it.
 */
description: string, 
/**
 * Which provider.
 */
provider: ProviderName, };

export type StepView = { 
/**
 * The status reached.
 */
status: PaymentStatus, 
/**
 * When, milliseconds since the epoch.
 */
at_ms: number, 
/**
 * Who said so.
 */
source: StatusSource, };

export type PaymentView = { 
/**
 * Our id.
 */
id: string, 
/**
 * Its provider.
 */
provider: ProviderName, 
/**
 * Test or real money, as recorded when the provider made the payment (not from
 * today's key); `null` while (or when) no provider answer said.
 */
mode: PaymentMode | null, 
/**
 * The amount as the clerk reads it.
 */
amount_text: string, 
/**
 * What it is for.
 */
description: string, 
/**
 * The structured reference (`+++…+++`), for a transfer.
 */
reference: string | null, 
/**
 * The conversation it was asked in.
 */
room_id: string | null, 
/**
 * Where it stands.
 */
status: PaymentStatus, 
/**
 * Every step, oldest first.
 */
steps: Array<StepView>, 
/**
 * The provider's checkout page, while open.
 */
checkout_url: string | null, 
/**
 * The QR code to pay with (the checkout page, or the transfer), while open.
 */
qr_svg_data_uri: string | null, };

export type ProviderKeyView = { 
/**
 * Which provider.
 */
name: ProviderName, 
/**
 * Whether a key is in the keyring and in use.
 */
stored: boolean, 
/**
 * Whether that key is a test key (no real money).
 */
test: boolean, };

export type CaseSummaryView = { 
/**
 * The case's id.
 */
id: number, 
/**
 * Its number (`2026-000123`).
 */
number: string, 
/**
 * What it is about.
 */
title: string, 
/**
 * Where it stands.
 */
status: CaseStatus, 
/**
 * Whose case.
 */
party_name: string, 
/**
 * Last change, ms since the epoch.
 */
updated_at_ms: number, };

export type PartyView = { 
/**
 * `citizen`, `company` or `association`.
 */
kind: PartyKind, 
/**
 * The name.
 */
name: string, 
/**
 * `0123.456.749`.
 */
enterprise_number: string | null, 
/**
 * E-mail address.
 */
email: string | null, 
/**
 * Phone number.
 */
phone: string | null, 
/**
 * Postal address.
 */
address: string | null, 
/**
 * The national register number, masked (`85.07.30-***.**`).
 */
national_number_masked: string | null, 
/**
 * The birth date, `YYYY-MM-DD`.
 */
birth_date: string | null, };

export type IdentityView = { 
/**
 * Whether the relay offers identity (an identity provider is configured): without
 * it the window offers no *Identiteit vragen*.
 */
available: boolean, 
/**
 * The conversation's room.
 */
room_id: string | null, 
/**
 * Where it stands.
 */
state: IdentityState, 
/**
 * Asked by the relay itself because the product requires it.
 */
by_product: boolean, 
/**
 * Why it failed: `refused`, `provider_unavailable`, `invalid`, `level_too_low`,
 * `expired`.
 */
failure: string | null, 
/**
 * Given and family name.
 */
name: string | null, 
/**
 * Date of birth, `YYYY-MM-DD`.
 */
birth_date: string | null, 
/**
 * `85.07.30-***.**`.
 */
national_number_masked: string | null, 
/**
 * The means (e.g. `itsme`).
 */
means: string | null, 
/**
 * `low`, `substantial` or `high`.
 */
level: string | null, 
/**
 * When the cockpit received it, ms.
 */
confirmed_at_ms: number | null, 
/**
 * Compared with the case's party.
 */
party: PartyMatch, 
/**
 * Whether the party can be completed from it.
 */
can_complete: boolean, };

export type IdentityState = "not_asked" | "asked" | "confirmed" | "failed";

export type PartyMatch = "no_case" | "match" | "no_match" | "party_has_none" | "not_given";

export type TimelineEntry = { "kind": "created", 
/**
 * When, ms.
 */
at_ms: number, } | { "kind": "note", 
/**
 * When, ms.
 */
at_ms: number, 
/**
 * Who wrote it.
 */
author: string, 
/**
 * The text.
 */
body: string, } | { "kind": "call", 
/**
 * When it was linked or started, ms.
 */
at_ms: number, 
/**
 * When it ended, ms.
 */
ended_at_ms: number | null, } | { "kind": "payment", 
/**
 * When it was asked, ms.
 */
at_ms: number, 
/**
 * Our payment id.
 */
payment_id: string, 
/**
 * The amount in the clerk's format.
 */
amount_text: string, 
/**
 * What it is for.
 */
description: string, 
/**
 * Where it stands.
 */
status: PaymentStatus, 
/**
 * Who takes the money (`mollie`, `transfer`, `sandbox`…).
 */
provider: string, 
/**
 * Test or real money, as recorded when it was made; `null` when no provider
 * answer said.
 */
mode: PaymentMode | null, } | { "kind": "identity", 
/**
 * When, ms.
 */
at_ms: number, 
/**
 * The clerk who asked.
 */
checked_by: string, 
/**
 * The means (e.g. `itsme`).
 */
means: string, 
/**
 * `low`, `substantial` or `high`.
 */
level: string, 
/**
 * `match`, `no_match`, `party_has_none` or `not_given`.
 */
party_match: string, };

export type AuditView = { 
/**
 * When, ms.
 */
at_ms: number, 
/**
 * Who.
 */
actor: string, 
/**
 * What: `case.viewed`, `note.added`, `status.approved`, …
 */
action: string, };

export type DocumentView = { 
/**
 * Its id.
 */
id: number, 
/**
 * Its name.
 */
name: string, 
/**
 * Its media type.
 */
media_type: string, 
/**
 * Its size.
 */
size_bytes: number, 
/**
 * When, ms.
 */
added_at_ms: number, };

export type TextDocument = { 
/**
 * The text, or its beginning.
 */
text: string, 
/**
 * Whether it goes on beyond what is shown.
 */
cut: boolean, };

export type CaseView = { 
/**
 * The case as listed.
 */
summary: CaseSummaryView, 
/**
 * Whose case.
 */
party: PartyView, 
/**
 * The product or service, in the clerk's language.
 */
product: string | null, 
/**
 * The clerk handling it.
 */
assigned_clerk: string | null, 
/**
 * Marked handled in one go.
 */
handled_in_one_go: boolean, 
/**
 * Linked to the conversation in progress.
 */
in_this_call: boolean, 
/**
 * Everything that happened, oldest first.
 */
timeline: Array<TimelineEntry>, 
/**
 * Attached files.
 */
documents: Array<DocumentView>, 
/**
 * Who viewed or changed it, newest first.
 */
audit: Array<AuditView>, };

export type DossierEvent = { "kind": "show", 
/**
 * The case's id.
 */
case_id: number, } | { "kind": "changed", 
/**
 * The case's id.
 */
case_id: number, };

export type RowError = { 
/**
 * The row: the line in a CSV file (the header is line 1), the position (from 1) in a
 * JSON array; 0 for the file as a whole.
 */
row: number, 
/**
 * The field, if one is to blame.
 */
field: string | null, 
/**
 * What is wrong, in the clerk's language.
 */
message: string, };

export type NewCaseRequest = { 
/**
 * `citizen`, `company` or `association`.
 */
party_kind: PartyKind, 
/**
 * The applicant's name.
 */
party_name: string, 
/**
 * The enterprise number (required for a company); the party is found again by it.
 */
enterprise_number?: string, 
/**
 * E-mail address.
 */
email?: string, 
/**
 * Phone number.
 */
phone?: string, 
/**
 * What the case is about.
 */
title: string, 
/**
 * A product id from the catalog.
 */
product?: string, };

export type ImportOutcome = { "kind": "imported", 
/**
 * Cases written.
 */
cases: number, 
/**
 * Parties written (new ones; found ones are not counted).
 */
parties: number, } | { "kind": "refused", 
/**
 * Every problem found.
 */
errors: Array<RowError>, };

export type CockpitError = { "kind": "relay_unreachable", "message": string } | { "kind": "relay_refused", "message": string } | { "kind": "keyring", "message": string } | { "kind": "storage", "message": string } | { "kind": "invalid_input", "message": string } | { "kind": "rejected", "message": string } | { "kind": "internal", "message": string };

export type PeriodRequest = { 
/**
 * `week`, `month`, `quarter`, `year` or `custom`.
 */
kind: PeriodKind, 
/**
 * A day in the period (`YYYY-MM-DD`); for a custom period its first day. Today when
 * absent.
 */
day?: string, 
/**
 * The last day of a custom period.
 */
last?: string, };

export type DashboardView = { 
/**
 * The period's first day.
 */
first: string, 
/**
 * Its last day.
 */
last: string, 
/**
 * A day in the period before, to step back.
 */
previous_day: string, 
/**
 * A day in the period after, to step forward; `None` when that is in the future.
 */
next_day?: string, 
/**
 * The indicators, with their texts in the clerk's language.
 */
report: Report, 
/**
 * Each indicator's chart, `data:image/svg+xml;base64,…`.
 */
charts: Array<string>, 
/**
 * The citizens' remarks in the period (anonymous, newest first, at most 100): they
 * stay in this cockpit.
 */
remarks: Array<Remark>, };

export type Remark = { 
/**
 * Their answer, 1 to 5.
 */
score: number, 
/**
 * What they wrote.
 */
text: string, };

export type ClerkDayView = { 
/**
 * Where they said they work today; `None`: ask.
 */
place?: Place, };

export type ReportFormat = "pdf" | "csv";

export type NewRegisterEntry = { 
/**
 * A complaint about after-hours service, another complaint, or aggression.
 */
kind: IncidentKind, 
/**
 * Through which channel.
 */
channel: Channel, 
/**
 * The day it happened (`YYYY-MM-DD`), not after today.
 */
day: string, 
/**
 * What happened, for the cockpit only (at most 2,000 characters; never sent).
 */
note: string, };

export type RegisterEntryView = { 
/**
 * Its id.
 */
id: number, 
/**
 * What it is.
 */
kind: IncidentKind, 
/**
 * Through which channel.
 */
channel: Channel, 
/**
 * The day (`YYYY-MM-DD`).
 */
day: string, 
/**
 * Who wrote it (a clerk, or `import`).
 */
recorded_by: string, 
/**
 * The note.
 */
note: string, };

export type ImpactImportKind = "figures" | "complaints";

export type ImpactImportOutcome = { "kind": "imported", 
/**
 * Rows in the file.
 */
rows: number, 
/**
 * Rows written (complaints already in the register are not written again).
 */
written: number, } | { "kind": "refused", 
/**
 * Every problem found.
 */
errors: Array<RowError>, };

export type IncidentKind = "complaint_after_hours" | "complaint" | "aggression";

export type Channel = "digital" | "front_desk" | "phone" | "email" | "web" | "post" | "other";

export type PeriodKind = "week" | "month" | "quarter" | "year" | "custom";

export type Place = "office" | "home" | "elsewhere";

export type Report = { 
/**
 * The report's title.
 */
title: string, 
/**
 * The period, in words.
 */
period: string, 
/**
 * The period before, in words.
 */
previous_period: string, 
/**
 * The indicators, 1 to 14.
 */
indicators: Array<Indicator>, 
/**
 * The assumptions behind the figures, each a sentence with its source.
 */
assumptions: Array<string>, };

export type Indicator = { 
/**
 * 1 to 14, the project sheet's order.
 */
number: number, 
/**
 * Its stable id (`trips`, `after_hours`…).
 */
id: string, 
/**
 * Who it is about.
 */
audience: Audience, 
/**
 * Its title.
 */
title: string, 
/**
 * The number that matters, as a sentence.
 */
headline: string, 
/**
 * The same for the period before.
 */
previous: string, 
/**
 * How it is computed and from what.
 */
definition: string, 
/**
 * The chart.
 */
chart: Chart, 
/**
 * The chart's data as a table.
 */
table: Table, 
/**
 * Why part of it is not measured (nothing imported yet), if so.
 */
missing: string | null, };

export type Audience = "citizens" | "clerks" | "organisation";

export type Chart = { 
/**
 * Bars or lines.
 */
kind: ChartKind, 
/**
 * What the values are in ("aantal", "uren", "%").
 */
unit: string, 
/**
 * The labels along the bottom.
 */
categories: Array<string>, 
/**
 * The series.
 */
series: Array<Series>, };

export type ChartKind = "bars" | "lines";

export type Series = { 
/**
 * Its name in the legend.
 */
name: string, 
/**
 * One value per category; `None` where there is none.
 */
values: Array<number | null>, };

export type Table = { 
/**
 * The column headings.
 */
columns: Array<string>, 
/**
 * The rows; the first cell of each is its heading.
 */
rows: Array<Array<string>>, };

export const CASE_STATUSES: readonly CaseStatus[] = ["new", "in_progress", "waiting", "approved", "refused", "closed"];

export const PARTY_KINDS: readonly PartyKind[] = ["citizen", "company", "association"];
