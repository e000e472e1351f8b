// The only module that talks to the Rust side. Views call these typed functions.
import { invoke } from "@tauri-apps/api/core";

/** The one error shape every command rejects with (`IpcError` in src-tauri/error.rs). */
export type IpcError = {
  kind:
    | "relay_unreachable"
    | "relay_refused"
    | "keyring"
    | "storage"
    | "invalid_input"
    | "internal";
  message: string;
};

export type Locale = "nl" | "fr" | "en";

export type CockpitStatus = {
  locale: Locale;
  relay: { mode: "embedded" | "remote"; url: string };
  keyring_available: boolean;
};

export type NewConversation = {
  room_id: string;
  join_url: string;
  expires_at: string;
  qr_svg_data_uri: string;
};

export function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    "kind" in value &&
    typeof (value as { kind: unknown }).kind === "string"
  );
}

export const cockpitStatus = (): Promise<CockpitStatus> => invoke("cockpit_status");
export const newConversation = (): Promise<NewConversation> => invoke("new_conversation");
export const openJoinLink = (url: string): Promise<void> => invoke("open_join_link", { url });
export const swapScreens = (): Promise<void> => invoke("swap_screens");
