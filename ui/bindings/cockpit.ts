// Generated from src-tauri by `BALIE_BLESS=1 cargo test -p balie-cockpit --lib`.
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
url: string, };

export type RelayMode = "embedded" | "remote";

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

export type IpcError = { "kind": "relay_unreachable", "message": string } | { "kind": "relay_refused", "message": string } | { "kind": "keyring", "message": string } | { "kind": "storage", "message": string } | { "kind": "invalid_input", "message": string } | { "kind": "internal", "message": string };
