// The only module that talks to the Rust side. Views call these typed functions.
import { Channel, invoke } from "@tauri-apps/api/core";

// The IPC types are generated from the Rust side (ui/bindings/cockpit.ts).
import type { CockpitStatus, IpcError, LobbyEvent, NewConversation } from "../../bindings/cockpit";

export type { CockpitStatus, IpcError, LobbyEvent, NewConversation };
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
/** Creates a conversation; `onEvent` then hears what happens in its lobby. */
export function newConversation(onEvent: (event: LobbyEvent) => void): Promise<NewConversation> {
  const channel = new Channel<LobbyEvent>();
  channel.onmessage = onEvent;
  return invoke("new_conversation", { onEvent: channel });
}
export const admit = (knockId: string): Promise<void> => invoke("admit", { knockId });
export const decline = (knockId: string): Promise<void> => invoke("decline", { knockId });
export const openJoinLink = (url: string): Promise<void> => invoke("open_join_link", { url });
export const swapScreens = (): Promise<void> => invoke("swap_screens");
