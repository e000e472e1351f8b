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
protocol: number, };

export type ErrorCode = "bad_request" | "unauthorized" | "not_found" | "payload_too_large" | "internal";

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

export const PROTOCOL_VERSION = 1;
