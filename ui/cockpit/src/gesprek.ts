// The call window. For now: create a conversation and hand its link to the citizen.
import { admit, decline, newConversation, openJoinLink, type LobbyEvent } from "./ipc";
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
  const knock = el<HTMLElement>("knock");
  const knockText = el<HTMLElement>("knock-text");
  const lobbyStatus = el<HTMLElement>("lobby-status");
  const languageNames = { nl: "Nederlands", fr: "Français", en: "English" } as const;
  let knockId: string | null = null;
  let chime: AudioContext | null = null;

  const setStatus = (key: string) => {
    lobbyStatus.textContent = key ? t(key) : "";
  };

  // Two short tones, made here so no sound file is needed. The AudioContext is created
  // on the clerk's click (browsers allow sound only after a gesture).
  const ring = () => {
    if (!chime) return;
    const start = chime.currentTime;
    for (const offset of [0, 0.3]) {
      const tone = chime.createOscillator();
      const gain = chime.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
      tone.connect(gain).connect(chime.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.25);
    }
  };

  const onLobby = (event: LobbyEvent) => {
    switch (event.kind) {
      case "connected":
        setStatus(event.citizen_present ? "lobby.in" : knockId ? "" : "lobby.waiting");
        break;
      case "knock":
        knockId = event.knock_id;
        knockText.textContent = t("lobby.knock", { language: languageNames[event.locale] });
        knock.hidden = false;
        setStatus("");
        ring();
        break;
      case "knock_withdrawn":
        knockId = null;
        knock.hidden = true;
        setStatus("lobby.waiting");
        break;
      case "citizen_away":
        setStatus("lobby.away");
        break;
      case "citizen_back":
        setStatus("lobby.in");
        break;
      case "citizen_left":
        setStatus("lobby.left");
        break;
      case "reconnecting":
        setStatus("lobby.reconnecting");
        break;
      case "closed":
        knock.hidden = true;
        setStatus("lobby.closed");
        break;
      case "refused":
        setStatus("lobby.refused");
        break;
    }
  };

  const answerKnock = async (letIn: boolean) => {
    if (!knockId) return;
    const id = knockId;
    knockId = null;
    knock.hidden = true;
    try {
      await (letIn ? admit(id) : decline(id));
      setStatus(letIn ? "lobby.in" : "lobby.declined");
    } catch (e) {
      showError(error, e);
    }
  };
  el("admit").addEventListener("click", () => void answerKnock(true));
  el("decline").addEventListener("click", () => void answerKnock(false));

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
    chime ??= new AudioContext();
    knockId = null;
    knock.hidden = true;
    setStatus("");
    try {
      const conversation = await newConversation(onLobby);
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
