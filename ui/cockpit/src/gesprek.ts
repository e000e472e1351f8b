// The call window: create a conversation, hand its link to the citizen, let them in, and
// hold the call (pictures, controls, quality, chat).
import {
  admit,
  chooseDevices,
  decline,
  listDevices,
  endConversation,
  newConversation,
  openJoinLink,
  sendChat,
  setCameraOff,
  setBackgroundBlur,
  setMicMuted,
  type CockpitStatus,
  type ConversationEvent,
  type NewConversation,
  type Quality,
} from "./ipc";
import { showPictures } from "./video";
import { formatTime, showError, t } from "./i18n";
import { el, startWindow } from "./common";
import { setUpPayments } from "./payments";
import { setUpIdentity } from "./identity";
import { setUpFrontDoor, type RoomControl } from "./front_door";
import { setUpClerkDay } from "./clerk_day";
import { setUpConnection } from "./connection";
import { setUpUpdates } from "./update";

async function main(): Promise<void> {
  const status = await startWindow();
  const error = el<HTMLElement>("error");
  showConnection(status);
  const setStatus = statusLine();
  const chime = createChime();
  const call = createCallView(error, setStatus);
  const payments = setUpPayments(error);
  const identity = setUpIdentity(error);
  const lobby = createLobby(error, setStatus, call, chime);
  const invite = setUpInvite(error);
  const clerkDay = setUpClerkDay(error);
  const room = createRoomControl({ setStatus, chime, call, payments, identity, lobby, invite, clerkDay });
  // After the clerk hung up: their own survey, at most once a day.
  document.addEventListener("conversation-ended", () => {
    const ended = room.currentRoom();
    if (ended) void clerkDay.afterConversation(ended);
  });
  setUpNewConversation(error, room);
  setUpDevices(error);
  setUpConnection(error, status);
  setUpUpdates(error);
  setUpFrontDoor(error, room, chime);
  // Sound is allowed after the clerk's first gesture: a knock can then ring.
  for (const gesture of ["pointerdown", "keydown"]) {
    document.addEventListener(gesture, () => chime.arm(), { once: true });
  }
}

/** Which room the window follows, and what starting a conversation in one does to it. */
function createRoomControl(parts: {
  setStatus: (key: string) => void;
  chime: Chime;
  call: CallView;
  payments: ReturnType<typeof setUpPayments>;
  identity: ReturnType<typeof setUpIdentity>;
  lobby: ReturnType<typeof createLobby>;
  invite: ReturnType<typeof setUpInvite>;
  clerkDay: ReturnType<typeof setUpClerkDay>;
}): RoomControl & { started(conversation: NewConversation): void } {
  let room: string | null = null;
  const info = el<HTMLElement>("room-info");
  return {
    prepare() {
      parts.chime.arm();
      parts.lobby.reset();
      parts.call.stop();
      parts.setStatus("");
    },
    onEvent: (event) => parts.lobby.onEvent(event),
    currentRoom: () => room,
    started(conversation) {
      room = conversation.room_id;
      parts.clerkDay.duringCall();
      info.hidden = true;
      parts.call.blurred = conversation.background_blur;
      void parts.payments.conversationStarted(conversation.room_id);
      void parts.identity.conversationStarted(conversation.room_id);
      parts.invite.show(conversation);
    },
    begun(opened, text) {
      room = opened.room_id;
      parts.clerkDay.duringCall();
      info.textContent = text;
      info.hidden = false;
      parts.call.blurred = opened.background_blur;
      void parts.payments.conversationStarted(opened.room_id);
      void parts.identity.conversationStarted(opened.room_id);
      parts.invite.hide();
    },
  };
}

/** The relay in use and whether secrets can be kept, under the window's heading. */
function showConnection(status: CockpitStatus | null) {
  if (!status) return;
  const key = status.relay.mode === "embedded" ? "relay.embedded" : "relay.remote";
  el("relay-status").textContent = t(key, { url: status.relay.url });
  el("keyring-status").hidden = status.keyring_available;
}

/** The lobby's status line: shows the catalog text of a key (empty: nothing). */
function statusLine(): (key: string) => void {
  const line = el<HTMLElement>("lobby-status");
  return (key: string) => {
    line.textContent = key ? t(key) : "";
  };
}

/** Two short tones for a knock, made here so no sound file is needed. The AudioContext is
 * created on the clerk's first click (`arm`): browsers allow sound only after a gesture. */
function createChime() {
  let context: AudioContext | null = null;
  return {
    arm() {
      context ??= new AudioContext();
    },
    ring() {
      if (!context) return;
      const start = context.currentTime;
      for (const offset of [0, 0.3]) {
        const tone = context.createOscillator();
        const gain = context.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.2, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.25);
        tone.connect(gain).connect(context.destination);
        tone.start(start + offset);
        tone.stop(start + offset + 0.25);
      }
    },
  };
}

type CallView = ReturnType<typeof createCallView>;
type Chime = ReturnType<typeof createChime>;

/** The lobby: the knock banner with *Binnenlaten* / *Weigeren*, and what every event of the
 * conversation does to the window. */
function createLobby(error: HTMLElement, setStatus: (key: string) => void, call: CallView, chime: Chime) {
  const knock = el<HTMLElement>("knock");
  const knockText = el<HTMLElement>("knock-text");
  const languageNames = { nl: "Nederlands", fr: "Français", en: "English" } as const;
  let knockId: string | null = null;

  const answerKnock = async (letIn: boolean) => {
    if (!knockId) return;
    const id = knockId;
    knockId = null;
    knock.hidden = true;
    try {
      if (letIn) call.start();
      await (letIn ? admit(id) : decline(id));
      setStatus(letIn ? "call.connecting" : "lobby.declined");
    } catch (e) {
      showError(error, e);
    }
  };
  el("admit").addEventListener("click", () => void answerKnock(true));
  el("decline").addEventListener("click", () => void answerKnock(false));

  return {
    /** A new conversation: no knock yet. */
    reset() {
      knockId = null;
      knock.hidden = true;
    },
    onEvent(event: ConversationEvent) {
      switch (event.kind) {
        case "connected":
          setStatus(event.citizen_present ? "lobby.in" : knockId ? "" : "lobby.waiting");
          break;
        case "knock":
          knockId = event.knock_id;
          knockText.textContent = t("lobby.knock", { language: languageNames[event.locale] });
          knock.hidden = false;
          setStatus("");
          chime.ring();
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
          call.stop();
          setStatus("lobby.left");
          break;
        case "call":
          if (event.state === "connected") call.connected();
          else if (event.state === "ended") call.stop();
          setStatus(`call.${event.state}`);
          break;
        case "chat_ready":
          call.chatReady = true;
          break;
        case "chat":
          call.appendChat("citizen", event.text, null);
          break;
        case "chat_delivered":
          call.markDelivered(event.id);
          break;
        case "quality":
          call.showQuality(event);
          break;
        case "devices":
          call.showDevices(event.camera, event.microphone, event.speaker);
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
    },
  };
}

/** The invitation: the join link with its QR code and expiry, *Kopiëren* and *Openen*. */
function setUpInvite(error: HTMLElement) {
  const invite = el<HTMLElement>("invite");
  const idle = el<HTMLElement>("idle");
  const joinUrl = el<HTMLInputElement>("join-url");
  const qr = el<HTMLImageElement>("qr");
  const expires = el<HTMLElement>("expires");
  const copyStatus = el<HTMLElement>("copy-status");

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

  return {
    /** A conversation the citizen was brought to: no link to hand over. */
    hide() {
      invite.hidden = true;
      idle.hidden = true;
    },
    show(conversation: NewConversation) {
      joinUrl.value = conversation.join_url;
      qr.src = conversation.qr_svg_data_uri;
      qr.alt = t("gesprek.qr_alt");
      expires.textContent = t("gesprek.expires", { time: formatTime(conversation.expires_at) });
      invite.hidden = false;
      idle.hidden = true;
      joinUrl.focus();
      joinUrl.select();
    },
  };
}

/** *Nieuw gesprek*: ends the call in progress, makes a conversation and shows its link. */
function setUpNewConversation(error: HTMLElement, room: ReturnType<typeof createRoomControl>) {
  const button = el<HTMLButtonElement>("new-conversation");
  button.addEventListener("click", async () => {
    error.hidden = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    const label = button.textContent;
    button.textContent = t("gesprek.creating");
    room.prepare();
    try {
      room.started(await newConversation(room.onEvent));
    } catch (e) {
      showError(error, e);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.textContent = label;
    }
  });
}

/** The devices form: the machine's cameras, microphones and speakers; the choice is kept. */
function setUpDevices(error: HTMLElement) {
  const dialog = el<HTMLDialogElement>("devices");
  const selects = {
    camera: el<HTMLSelectElement>("device-camera"),
    microphone: el<HTMLSelectElement>("device-microphone"),
    speaker: el<HTMLSelectElement>("device-speaker"),
  };
  const fill = (select: HTMLSelectElement, names: string[], chosen: string | null | undefined) => {
    const standard = new Option(t("devices.default"), "");
    select.replaceChildren(standard, ...names.map((name) => new Option(name, name)));
    // A chosen device that is not plugged in stays visible, so the choice is not lost.
    if (chosen && !names.includes(chosen)) select.append(new Option(t("devices.missing", { name: chosen }), chosen));
    select.value = chosen ?? "";
  };
  el("devices-open").addEventListener("click", async () => {
    try {
      const list = await listDevices();
      fill(selects.camera, list.cameras, list.chosen.camera);
      el("device-no-camera").hidden = list.camera_supported;
      selects.camera.disabled = !list.camera_supported;
      fill(selects.microphone, list.microphones, list.chosen.microphone);
      fill(selects.speaker, list.speakers, list.chosen.speaker);
      dialog.showModal();
    } catch (e) {
      showError(error, e);
    }
  });
  el("devices-cancel").addEventListener("click", () => dialog.close());
  el<HTMLFormElement>("devices-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (select: HTMLSelectElement) => select.value || undefined;
    try {
      await chooseDevices({
        camera: value(selects.camera),
        microphone: value(selects.microphone),
        speaker: value(selects.speaker),
      });
      dialog.close();
    } catch (e) {
      showError(error, e);
    }
  });
}

/** The call part of the window: pictures, timer, controls, quality line and chat. */
function createCallView(error: HTMLElement, setStatus: (key: string) => void) {
  const section = el<HTMLElement>("call");
  const chat = el<HTMLElement>("chat");
  const remote = el<HTMLCanvasElement>("remote-video");
  const own = el<HTMLCanvasElement>("self-video");
  const timer = el<HTMLTimeElement>("call-timer");
  const quality = el<HTMLElement>("quality");
  const devices = el<HTMLElement>("device-notes");
  const log = el<HTMLOListElement>("chat-log");
  const mute = el<HTMLButtonElement>("mute");
  const camera = el<HTMLButtonElement>("camera");
  const blur = el<HTMLButtonElement>("blur");
  let drawing: AbortController | null = null;
  const deliveredEarly = new Set<string>();
  let ticking: number | undefined;
  let since = 0;

  const view = {
    chatReady: false,
    /** Whether the background blur is on (the clerk's last choice). */
    blurred: false,
    start() {
      view.stop();
      section.hidden = false;
      chat.hidden = false;
      // The window lays itself out for the call: picture left, payment and chat right.
      document.body.classList.add("in-call");
      drawing = new AbortController();
      void showPictures(remote, own, drawing.signal);
      for (const b of [mute, camera]) b.setAttribute("aria-pressed", "false");
      blur.setAttribute("aria-pressed", String(view.blurred));
      log.replaceChildren();
      quality.textContent = "";
      devices.hidden = true;
      timer.textContent = "0:00";
    },
    connected() {
      if (ticking !== undefined) return;
      since = Date.now();
      ticking = window.setInterval(() => {
        const s = Math.floor((Date.now() - since) / 1000);
        timer.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
      }, 1000);
    },
    stop() {
      drawing?.abort();
      drawing = null;
      // Nothing of this citizen's picture may show at the next call: setting a canvas's
      // size empties it at once (the renderer's own clear comes only when its stream ends).
      for (const canvas of [remote, own]) canvas.width = canvas.width;
      window.clearInterval(ticking);
      ticking = undefined;
      view.chatReady = false;
      section.hidden = true;
      chat.hidden = true;
      document.body.classList.remove("in-call");
    },
    showDevices(
      camera: string | null | undefined,
      microphone: string | null | undefined,
      speaker: string | null | undefined,
    ) {
      const notes = [];
      if (!camera) notes.push(t("call.no_camera"));
      if (!microphone) notes.push(t("call.no_microphone"));
      if (!speaker) notes.push(t("call.no_speaker"));
      devices.textContent = notes.join(" ");
      devices.hidden = notes.length === 0;
    },
    showQuality(q: Quality) {
      const round = (n: number | null | undefined) => (n == null ? "–" : String(Math.round(n)));
      quality.textContent = t("call.quality", {
        rtt: round(q.rtt_ms),
        loss: round(Math.max(q.loss_in_percent ?? 0, q.loss_out_percent ?? 0)),
        kbps_in: round(q.kbps_in),
        kbps_out: round(q.kbps_out),
        fps: round(q.fps_in),
        sending: q.sending,
      });
    },
    appendChat(who: "you" | "citizen", text: string, id: string | null) {
      const item = document.createElement("li");
      item.className = `chat-line ${who}`;
      const name = document.createElement("span");
      name.className = "who";
      name.textContent = `${t(`chat.${who}`)}: `;
      const body = document.createElement("span");
      body.textContent = text;
      item.append(name, body);
      if (id) {
        item.dataset.chatId = id;
        const mark = document.createElement("span");
        mark.className = "delivered";
        mark.textContent = ` (${t("chat.delivered")})`;
        // The receipt may come back before the send call itself has returned.
        mark.hidden = !deliveredEarly.delete(id);
        item.append(mark);
      }
      log.append(item);
      item.scrollIntoView({ block: "nearest" });
    },
    markDelivered(id: string) {
      const mark = log.querySelector<HTMLElement>(`[data-chat-id="${CSS.escape(id)}"] .delivered`);
      if (mark) mark.hidden = false;
      else deliveredEarly.add(id);
    },
  };

  const toggle = (button: HTMLButtonElement, apply: (on: boolean) => Promise<void>) => {
    button.addEventListener("click", async () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      try {
        await apply(on);
        button.setAttribute("aria-pressed", String(on));
      } catch (e) {
        showError(error, e);
      }
    });
  };
  toggle(mute, setMicMuted);
  toggle(camera, setCameraOff);
  toggle(blur, async (on) => {
    await setBackgroundBlur(on);
    view.blurred = on;
  });
  el("hangup").addEventListener("click", async () => {
    view.stop();
    try {
      await endConversation();
      setStatus("call.ended");
      document.dispatchEvent(new Event("conversation-ended"));
    } catch (e) {
      showError(error, e);
    }
  });
  el<HTMLFormElement>("chat-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = el<HTMLInputElement>("chat-input");
    const text = input.value.trim();
    if (!text) return;
    if (!view.chatReady) {
      setStatus("chat.unavailable");
      return;
    }
    try {
      const id = await sendChat(text);
      view.appendChat("you", text, id);
      input.value = "";
    } catch (e) {
      showError(error, e);
    }
  });
  return view;
}

void main();
