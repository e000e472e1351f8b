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
qr_svg_data_uri: string, };

export type IpcError = { "kind": "relay_unreachable", "message": string } | { "kind": "relay_refused", "message": string } | { "kind": "keyring", "message": string } | { "kind": "storage", "message": string } | { "kind": "invalid_input", "message": string } | { "kind": "internal", "message": string };
