// The only module that talks to the Rust side. Views call these typed functions.
import { invoke } from "@tauri-apps/api/core";

// The IPC types are generated from the Rust side (ui/bindings/cockpit.ts).
import type { CockpitStatus, IpcError, NewConversation } from "../../bindings/cockpit";

export type { CockpitStatus, IpcError, NewConversation };
export type Locale = CockpitStatus["locale"];

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
