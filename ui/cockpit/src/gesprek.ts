// The call window. For now: create a conversation and hand its link to the citizen.
import { newConversation, openJoinLink } from "./ipc";
import { formatTime, showError, t } from "./i18n";
import { startWindow } from "./common";

const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const status = await startWindow();
  const error = el<HTMLElement>("error");
  const button = el<HTMLButtonElement>("new-conversation");
  const invite = el<HTMLElement>("invite");
  const idle = el<HTMLElement>("idle");
  const joinUrl = el<HTMLInputElement>("join-url");
  const qr = el<HTMLImageElement>("qr");
  const expires = el<HTMLElement>("expires");
  const copyStatus = el<HTMLElement>("copy-status");

  if (status) {
    const key = status.relay.mode === "embedded" ? "relay.embedded" : "relay.remote";
    el("relay-status").textContent = t(key, { url: status.relay.url });
    el("keyring-status").hidden = status.keyring_available;
  }

  button.addEventListener("click", async () => {
    error.hidden = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const label = button.textContent;
    button.textContent = t("gesprek.creating");
    try {
      const conversation = await newConversation();
      joinUrl.value = conversation.join_url;
      qr.src = conversation.qr_svg_data_uri;
      qr.alt = t("gesprek.qr_alt");
      expires.textContent = t("gesprek.expires", { time: formatTime(conversation.expires_at) });
      invite.hidden = false;
      idle.hidden = true;
      joinUrl.focus();
      joinUrl.select();
    } catch (e) {
      showError(error, e);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = label;
    }
  });

  el("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(joinUrl.value);
    } catch {
      // Older WebKit without the async clipboard: copy the selected text.
      joinUrl.select();
      document.execCommand("copy");
    }
    copyStatus.textContent = t("gesprek.copied");
  });

  el("open").addEventListener("click", async () => {
    try {
      await openJoinLink(joinUrl.value);
    } catch (e) {
      showError(error, e);
    }
  });
}

void main();
