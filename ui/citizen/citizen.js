// @ts-check
// The citizen page's script: camera and microphone, knock, wait, the call with the clerk
// (WebRTC: the cockpit offers, this page answers) and the chat on the data channel
// "balie". Plain JavaScript type-checked by TypeScript (`npm run typecheck`), so the relay
// serves it as it is, with no build step. Texts come from the page (data attributes filled
// from the catalogs), never from this file.

/** @typedef {import("../bindings/protocol").RelayToCitizen} RelayToCitizen */
/** @typedef {import("../bindings/protocol").CitizenMessage} CitizenMessage */
/** @typedef {import("../bindings/protocol").Signal} Signal */
/** @typedef {import("../bindings/protocol").DataMessage} DataMessage */
/** @typedef {import("../bindings/protocol").IceServer} IceServer */
/** @typedef {import("../bindings/protocol").PaymentCard} PaymentCard */
/** @typedef {import("../bindings/protocol").PageConstants} PageConstants */
/** @typedef {import("../bindings/protocol").CardStatus} CardStatus */
/** @typedef {import("../bindings/protocol").IdentityProvider} IdentityProvider */
/** @typedef {import("../bindings/protocol").IdentityOutcome} IdentityOutcome */

/** What this script shares with the relay and the cockpit, written into the page by the
 * relay from the Rust types (`PageConstants`), so no copy is kept here.
 * @type {PageConstants} */
const PROTOCOL = JSON.parse(document.getElementById("protocol")?.textContent ?? "null");
const SIGNALING_VERSION = PROTOCOL.signaling_version;
const DATA_CHANNEL_LABEL = PROTOCOL.data_channel_label;
const MAX_CHAT_CHARS = PROTOCOL.max_chat_chars;
const MAX_COMMENT_CHARS = PROTOCOL.max_comment_chars;

/** @template {HTMLElement} T @param {string} id @returns {T} */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing`);
  return /** @type {T} */ (element);
}

const main = byId("main");
const textsElement = document.getElementById("texts");
const button = /** @type {HTMLButtonElement | null} */ (document.getElementById("knock"));

/** @param {string} key */
function text(key) {
  return textsElement?.dataset[key] ?? "";
}

/** @param {string} key */
function say(key) {
  const line = document.getElementById("lobby-status");
  if (!line) return;
  line.textContent = text(key);
  line.dataset.key = key;
}

/** Tells screen readers something that is not the call's state (a card, a message). @param {string} message */
function announce(message) {
  const region = document.getElementById("announce");
  if (!region) return;
  // Each message its own line, so one that follows quickly does not overwrite the one
  // before it before it was read; lines go again after a while.
  const line = document.createElement("p");
  line.textContent = message;
  region.append(line);
  window.setTimeout(() => line.remove(), 15000);
}

const token = location.pathname.split("/").pop() ?? "";
const resumeKey = `balie-resume-${token}`;
const locale = /** @type {"nl" | "fr" | "en"} */ (document.documentElement.lang.slice(0, 2));
// `?ice=relay` sends all media through the TURN server: for IT staff checking TURN.
const relayOnly = new URLSearchParams(location.search).get("ice") === "relay";

/** @type {WebSocket | null} */
let socket = null;
/** @type {RTCPeerConnection | null} */
let pc = null;
/** @type {RTCDataChannel | null} */
let channel = null;
/** @type {MediaStream | null} */
let localStream = null;
const remoteStream = new MediaStream();
/** @type {IceServer[]} */
let iceServers = [];
let admitted = false;
/** This admission's resume secret: it also opens the survey when the call ends. @type {string | null} */
let resumeSecret = null;
let finished = false;
let retry = 500;
let reconnectTimer = 0;
let chatSeq = 0;
/** Signals are handled one after the other: an answer must not overtake its offer. */
let signalChain = Promise.resolve();

// ---- Camera and microphone ------------------------------------------------------------

/**
 * Asks for camera and microphone; falls back to the microphone alone when there is no
 * camera. Throws when the citizen (or the browser) refused.
 * @returns {Promise<MediaStream | null>}
 */
async function getMedia() {
  if (!navigator.mediaDevices?.getUserMedia) return null;
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio,
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 }, facingMode: "user" },
    });
  } catch (error) {
    const name = error instanceof DOMException ? error.name : "";
    if (name === "NotAllowedError" || name === "SecurityError") throw error;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio });
      say("nocamera");
      return stream;
    } catch (second) {
      if (second instanceof DOMException && second.name === "NotAllowedError") throw second;
      return null;
    }
  }
}

async function start() {
  const denied = byId("media-denied");
  try {
    localStream = await getMedia();
  } catch {
    denied.hidden = false;
    return;
  }
  denied.hidden = true;
  enterLobby();
}

function enterLobby() {
  byId("media-explain").hidden = true;
  const selfView = /** @type {HTMLVideoElement} */ (byId("self"));
  if (localStream && localStream.getVideoTracks().length > 0) {
    selfView.srcObject = localStream;
    byId("call").hidden = false;
    byId("preview-note").hidden = false;
    main.classList.add("lobby");
  }
  connect();
}

// ---- Signaling ------------------------------------------------------------------------

/** @param {CitizenMessage} message */
function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

/** @param {Signal} signal */
function sendSignal(signal) {
  send({ type: "signal", signal });
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}/ws/citizen/${token}`);
  socket = ws;
  ws.addEventListener("open", () => {
    const resume = sessionStorage.getItem(resumeKey) ?? undefined;
    send({ type: "knock", version: SIGNALING_VERSION, locale, resume });
  });
  ws.addEventListener("message", (event) => {
    /** @type {RelayToCitizen} */
    let message;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    onRelayMessage(message);
  });
  ws.addEventListener("close", () => {
    if (finished || socket !== ws) return;
    // Knocked or admitted: come back by ourselves (e.g. after a banking app). The call's
    // media does not go through this socket and goes on meanwhile.
    if (!pc || pc.connectionState !== "connected") say("reconnecting");
    reconnectTimer = window.setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
  ws.addEventListener("error", () => {
    if (!admitted && retry > 5000) say("failed");
  });
}

/** @param {RelayToCitizen} message */
function onRelayMessage(message) {
  switch (message.type) {
    case "waiting":
      say("sent");
      break;
    case "admitted":
      admitted = true;
      retry = 500;
      resumeSecret = message.resume;
      sessionStorage.setItem(resumeKey, message.resume);
      iceServers = message.ice_servers;
      if (!pc || pc.connectionState === "failed" || pc.connectionState === "closed") {
        say("admitted");
        newPeerConnection();
      }
      break;
    case "ice_servers":
      // Fresh TURN credentials: for the next ICE restart (the current ones expire).
      iceServers = message.ice_servers;
      if (pc && pc.connectionState !== "closed") {
        try {
          pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
        } catch {
          // A browser that refuses the change keeps the old ones until it rejoins.
        }
      }
      break;
    case "declined":
      finish("declined");
      break;
    case "room_busy":
      finish("busy");
      break;
    case "ended":
      sessionStorage.removeItem(resumeKey);
      finish("ended");
      break;
    case "identity_asked":
      void showIdentityAsked(message.providers);
      break;
    case "identity_done":
      showIdentityDone(message.outcome);
      break;
    case "signal": {
      const signal = message.signal;
      signalChain = signalChain.then(() => onSignal(signal)).catch(() => {});
      break;
    }
    default:
      break;
  }
}

// ---- The call -------------------------------------------------------------------------

function newPeerConnection() {
  pc?.close();
  const peer = new RTCPeerConnection({
    iceServers: iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
    iceTransportPolicy: relayOnly ? "relay" : "all",
  });
  pc = peer;
  peer.addEventListener("icecandidate", (event) => {
    if (pc !== peer) return;
    const c = event.candidate;
    if (c && c.candidate) {
      sendSignal({
        kind: "candidate",
        candidate: c.candidate,
        sdp_mid: c.sdpMid ?? undefined,
        sdp_m_line_index: c.sdpMLineIndex ?? undefined,
      });
    } else if (!c) {
      sendSignal({ kind: "end_of_candidates" });
    }
  });
  peer.addEventListener("track", (event) => {
    for (const old of remoteStream.getTracks()) {
      if (old.kind === event.track.kind) remoteStream.removeTrack(old);
    }
    remoteStream.addTrack(event.track);
    const remote = /** @type {HTMLVideoElement} */ (byId("remote"));
    remote.srcObject = remoteStream;
    remote.play().catch(() => {});
  });
  peer.addEventListener("datachannel", (event) => {
    if (event.channel.label === DATA_CHANNEL_LABEL) useChannel(event.channel);
  });
  peer.addEventListener("connectionstatechange", () => {
    if (pc !== peer) return;
    switch (peer.connectionState) {
      case "connecting":
        say("connecting");
        break;
      case "connected":
        say("connected");
        showCall();
        break;
      case "disconnected":
      case "failed":
        // The cockpit restarts ICE by itself; nothing for the citizen to do.
        if (!finished) say("unstable");
        break;
      default:
        break;
    }
  });
  say("connecting");
  sendSignal({ kind: "ready" });
}

/** @param {Signal} signal */
async function onSignal(signal) {
  const peer = pc;
  if (!peer) return;
  switch (signal.kind) {
    case "offer": {
      const first = !peer.remoteDescription;
      await peer.setRemoteDescription({ type: "offer", sdp: signal.sdp });
      if (first) attachLocalTracks(peer);
      const answer = await peer.createAnswer();
      await peer.setLocalDescription(answer);
      sendSignal({ kind: "answer", sdp: peer.localDescription?.sdp ?? answer.sdp ?? "" });
      break;
    }
    case "candidate":
      try {
        await peer.addIceCandidate({
          candidate: signal.candidate,
          sdpMid: signal.sdp_mid ?? null,
          sdpMLineIndex: signal.sdp_m_line_index ?? null,
        });
      } catch {
        // A candidate this browser cannot use; the others still can.
      }
      break;
    default:
      break;
  }
}

/** Sends our camera and microphone on the offered media lines (receive-only without them). @param {RTCPeerConnection} peer */
function attachLocalTracks(peer) {
  for (const transceiver of peer.getTransceivers()) {
    const kind = transceiver.receiver.track.kind;
    const track = localStream?.getTracks().find((t) => t.kind === kind);
    if (track) {
      transceiver.sender.replaceTrack(track).catch(() => {});
      if (localStream) transceiver.sender.setStreams(localStream);
      transceiver.direction = "sendrecv";
    } else {
      transceiver.direction = "recvonly";
    }
  }
}

function showCall() {
  main.classList.remove("lobby");
  main.classList.add("in-call");
  document.body.classList.add("in-call");
  byId("call").hidden = false;
  byId("preview-note").hidden = true;
  byId("controls").hidden = false;
  // The page keeps a heading (for screen readers; the picture is the page now).
  byId("heading").textContent = text("callLabel");
  const remote = /** @type {HTMLVideoElement} */ (byId("remote"));
  remote.play().catch(() => {});
}

// ---- Sheets: chat and payment, one at a time, between the picture and the controls ----

/** @typedef {"chat" | "payments" | "identity"} SheetName */
/** @type {Record<SheetName, string>} the control that opens each sheet */
const SHEET_BUTTONS = { chat: "chat-open", payments: "pay-open", identity: "id-open" };
const SHEETS = /** @type {SheetName[]} */ (Object.keys(SHEET_BUTTONS));
let unread = 0;

/** Moves the keyboard (and a screen reader) to a heading or other non-control. @param {HTMLElement} element */
function focusOn(element) {
  element.tabIndex = -1;
  element.focus();
}

/** @param {SheetName} name */
function openSheet(name) {
  const hadFocus = document.activeElement?.closest(".sheet");
  for (const other of SHEETS) {
    byId(other).hidden = other !== name;
    byId(SHEET_BUTTONS[other]).setAttribute("aria-expanded", String(other === name));
  }
  byId("call").classList.add("sheet-open");
  if (hadFocus && hadFocus.id !== name) {
    focusOn(byId(`${name}-heading`));
  }
  if (name === "chat") {
    unread = 0;
    showUnread();
  } else {
    byId(SHEET_BUTTONS[name]).classList.remove("attention");
  }
}

/** @param {boolean} refocus whether the keyboard goes back to the button that opened it */
function closeSheet(refocus) {
  for (const name of SHEETS) {
    const sheet = byId(name);
    if (sheet.hidden) continue;
    sheet.hidden = true;
    const opener = byId(SHEET_BUTTONS[name]);
    opener.setAttribute("aria-expanded", "false");
    if (refocus) opener.focus();
  }
  byId("call").classList.remove("sheet-open");
}

/** @param {SheetName} name */
function toggleSheet(name) {
  if (byId(name).hidden) {
    openSheet(name);
    // To the sheet's heading: on a phone, focusing the chat's input would bring up the
    // keyboard over the messages the citizen opened the chat to read.
    focusOn(byId(`${name}-heading`));
  } else {
    closeSheet(true);
  }
}

function showUnread() {
  const badge = byId("chat-unread");
  badge.hidden = unread === 0;
  badge.textContent = unread === 0 ? "" : String(unread);
  const hint = document.createElement("span");
  hint.className = "visually-hidden";
  hint.textContent = ` ${text(unread === 1 ? "chatUnread" : "chatUnreadMany")}`;
  if (unread > 0) badge.append(hint);
}

/** A short buzz where the phone allows it (not at all on most desktops and iPhones). */
function buzz() {
  try {
    navigator.vibrate?.(200);
  } catch {
    // Not allowed here: the sheet and the announcement still tell.
  }
}

/** @param {string} key the status to show */
function finish(key) {
  finished = true;
  channel = null;
  pc?.close();
  pc = null;
  for (const track of localStream?.getTracks() ?? []) track.stop();
  localStream = null;
  main.classList.remove("lobby", "in-call");
  main.classList.add("finished");
  document.body.classList.remove("in-call");
  byId("call").hidden = true;
  byId("media-denied").hidden = true;
  // The page's heading now says how it ended; the texts from before the call go.
  const heading = byId("heading");
  heading.textContent = text(key);
  for (const paragraph of byId("intro").querySelectorAll("p")) paragraph.hidden = true;
  // The call's controls are gone: the keyboard goes to what the page says now.
  const focused = document.activeElement;
  if (!focused || focused === document.body || !focused.isConnected || focused.closest("[hidden]")) {
    focusOn(heading);
  }
  say(key);
  socket?.close();
  if (resumeSecret && (key === "ended" || key === "left")) showSurvey();
}

// ---- The survey after the call: anonymous, skippable, once ----------------------------

function showSurvey() {
  byId("survey").hidden = false;
}

/** @param {string} message @param {boolean} done */
function surveyOutcome(message, done) {
  const error = byId("survey-error");
  if (!done) {
    error.textContent = message;
    error.scrollIntoView({ block: "nearest" });
    return;
  }
  byId("survey-form").hidden = true;
  const line = byId("survey-done");
  line.textContent = message;
  line.hidden = false;
  line.focus();
}

/** @param {SubmitEvent} event */
async function onSurveySubmit(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (byId("survey-form"));
  const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="score"]:checked'));
  if (!chosen) {
    /** @type {HTMLInputElement} */ (byId("survey-score-1")).focus();
    surveyOutcome(text("surveyChoose"), false);
    return;
  }
  const comment = /** @type {HTMLTextAreaElement} */ (byId("survey-comment")).value.trim();
  if (comment.length > MAX_COMMENT_CHARS) {
    byId("survey-comment").focus();
    surveyOutcome(text("surveyTooLong"), false);
    return;
  }
  /** @type {import("../bindings/protocol").SurveyAnswer} */
  const answer = { resume: resumeSecret ?? "", score: Number(chosen.value), locale };
  if (comment) answer.comment = comment;
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
  submit.disabled = true;
  try {
    const response = await fetch("/survey", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(answer),
    });
    if (response.ok) surveyOutcome(text("surveyThanks"), true);
    else if ([404, 409, 410].includes(response.status)) surveyOutcome(text("surveyClosed"), true);
    else surveyOutcome(text("surveyFailed"), false);
  } catch {
    surveyOutcome(text("surveyFailed"), false);
  } finally {
    submit.disabled = false;
  }
}

// ---- Identity: the clerk asks; the citizen signs in at the provider in a tab of its own ----

/** Whether the chat has the keyboard: a new sheet must not take it away. */
function typingInChat() {
  const chat = byId("chat");
  return !chat.hidden && chat.contains(document.activeElement) && document.activeElement !== byId("chat-heading");
}

/** Brings a sheet forward, or marks its button when the citizen is typing. @param {SheetName} name */
function bringForward(name) {
  if (typingInChat()) byId(SHEET_BUTTONS[name]).classList.add("attention");
  else openSheet(name);
}

/** The question this browser is bound to (`/id/bind`). @type {string | null} */
let boundAsk = null;

/**
 * Binds this browser to the question of `startUrl` (`/id/start/{ask}/{provider}`) with the
 * resume secret only the admitted citizen's page holds: the relay then starts a sign-in
 * only here, so a start address sent to someone else starts nothing.
 * @param {string} startUrl
 */
async function bindBrowser(startUrl) {
  const ask = startUrl.split("/")[3] ?? "";
  if (ask === boundAsk) return true;
  const resume = sessionStorage.getItem(resumeKey);
  if (!ask || !resume) return false;
  try {
    const answer = await fetch(`/id/bind/${encodeURIComponent(ask)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resume }),
      credentials: "same-origin",
    });
    if (!answer.ok) return false;
    boundAsk = ask;
    return true;
  } catch {
    return false;
  }
}

/** @param {IdentityProvider[]} providers */
async function showIdentityAsked(providers) {
  const first = providers[0];
  if (!first || !(await bindBrowser(first.start_url))) {
    showIdentityDone("failed");
    return;
  }
  const list = byId("identity-providers");
  const fresh = list.childElementCount === 0 && byId("identity-status").dataset.outcome !== "refused";
  const status = byId("identity-status");
  if (status.dataset.outcome === "confirmed") {
    // Asked anew after a confirmation: a new question.
    status.textContent = "";
    delete status.dataset.outcome;
    byId("identity-explain").hidden = false;
  }
  list.replaceChildren(
    ...providers.map((provider) => {
      const link = document.createElement("a");
      link.className = "primary pay-button id-button";
      link.href = `${provider.start_url}?lang=${locale}`;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = text("idButton").replace("{label}", () => provider.label);
      return link;
    }),
  );
  byId("id-open").hidden = false;
  if (fresh) {
    bringForward("identity");
    announce(text("idAsked"));
    buzz();
  }
}

/** @param {IdentityOutcome} outcome */
function showIdentityDone(outcome) {
  const status = byId("identity-status");
  const key = outcome === "confirmed" ? "idConfirmed" : outcome === "refused" ? "idRefused" : "idFailed";
  status.textContent = text(key);
  status.dataset.outcome = outcome;
  // Confirmed: nothing more to do here; how it works no longer needs saying.
  const confirmed = outcome === "confirmed";
  if (confirmed) byId("identity-providers").replaceChildren();
  byId("identity-explain").hidden = confirmed;
  bringForward("identity");
  announce(text(key));
}

// ---- Controls -------------------------------------------------------------------------

/** @param {HTMLButtonElement} control @param {"audio" | "video"} kind */
function toggle(control, kind) {
  const off = control.getAttribute("aria-pressed") !== "true";
  control.setAttribute("aria-pressed", String(off));
  for (const track of localStream?.getTracks() ?? []) {
    if (track.kind === kind) track.enabled = !off;
  }
}

// ---- Chat -----------------------------------------------------------------------------

/** @param {RTCDataChannel} dataChannel */
function useChannel(dataChannel) {
  channel = dataChannel;
  dataChannel.addEventListener("message", (event) => {
    if (typeof event.data !== "string" || event.data.length > 16384) return;
    /** @type {DataMessage} */
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "chat") {
      if (typeof message.text !== "string" || message.text.length === 0) return;
      const body = message.text.slice(0, MAX_CHAT_CHARS);
      appendChat("clerk", body, null);
      if (byId("chat").hidden) {
        unread += 1;
        showUnread();
        announce(`${text("chatNew")}: ${body}`);
      }
      /** @type {DataMessage} */
      const ack = { type: "chat_received", id: message.id };
      dataChannel.send(JSON.stringify(ack));
    } else if (message.type === "chat_received") {
      const mark = document.querySelector(`[data-chat-id="${CSS.escape(message.id)}"] .delivered`);
      if (mark instanceof HTMLElement) mark.hidden = false;
    } else if (message.type === "payment") {
      showCard(message.card);
    }
  });
}

// ---- Payments -------------------------------------------------------------------------

// The only places a payment button may lead: the providers' checkout hosts, and the
// relay's own test checkout. Anything else is not opened, whoever sent it.
const CHECKOUT_HOSTS = PROTOCOL.checkout_hosts;

/** @param {string} url @returns {boolean} */
function allowedCheckout(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.origin === location.origin) return parsed.pathname.startsWith("/sandbox/checkout/");
  return parsed.protocol === "https:" && CHECKOUT_HOSTS.includes(parsed.hostname) && !parsed.username;
}

/** @type {Map<string, string>} the status each card was last shown with */
const cardStatus = new Map();

/** @param {unknown} value @returns {value is PaymentCard} */
function isCard(value) {
  if (typeof value !== "object" || value === null) return false;
  const c = /** @type {Record<string, unknown>} */ (value);
  const qr = c.qr;
  return (
    typeof c.id === "string" &&
    typeof c.payee === "string" &&
    typeof c.description === "string" &&
    Number.isSafeInteger(c.amount_cents) &&
    Number(c.amount_cents) > 0 &&
    Array.isArray(qr) &&
    qr.length <= 177 &&
    qr.every((row) => typeof row === "string" && row.length === qr.length && /^[01]*$/.test(row)) &&
    PROTOCOL.card_statuses.includes(/** @type {CardStatus} */ (String(c.status)))
  );
}

/** @param {number} cents */
function euros(cents) {
  return new Intl.NumberFormat(document.documentElement.lang, { style: "currency", currency: "EUR" }).format(
    cents / 100,
  );
}

/** A QR code drawn from its modules as one SVG path (no markup from the network). @param {string[]} rows */
function qrSvg(rows) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const size = rows.length + 8;
  svg.setAttribute("viewBox", `-4 -4 ${size} ${size}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", text("payQrLabel"));
  svg.classList.add("payment-qr");
  const background = document.createElementNS(ns, "rect");
  background.setAttribute("x", "-4");
  background.setAttribute("y", "-4");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#ffffff");
  let d = "";
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x += 1) if (row[x] === "1") d += `M${x} ${y}h1v1h-1z`;
  });
  const modules = document.createElementNS(ns, "path");
  modules.setAttribute("d", d);
  modules.setAttribute("fill", "#000000");
  svg.append(background, modules);
  return svg;
}

/** @param {PaymentCard} card */
function cardStatusText(card) {
  switch (card.status) {
    case "open":
      return text(card.method === "transfer" ? "payTransfer" : "payOpen");
    case "paid":
      return text("payPaid");
    case "failed":
      return text("payFailed");
    case "canceled":
      return text("payCanceled");
    case "review":
      return text("payReview");
    default:
      return text("payExpired");
  }
}

/** Shows or updates the card of one payment. @param {unknown} value */
function showCard(value) {
  if (!isCard(value)) return;
  const card = value;
  const article = document.createElement("article");
  article.className = "payment-card";
  article.dataset.paymentId = card.id;
  article.dataset.status = card.status;
  const headingId = `payment-${card.id.replace(/[^\w-]/g, "")}`;
  article.setAttribute("aria-labelledby", headingId);
  const heading = document.createElement("h3");
  heading.id = headingId;
  heading.textContent = card.description;
  if (card.test) {
    const badge = document.createElement("span");
    badge.className = "test-badge";
    badge.textContent = text("payTestShort");
    heading.append(" ", badge);
  }
  article.append(heading);
  // First what a phone shows without scrolling the sheet: to whom, how much, *Betalen*
  // (or how it stands); the rest below.
  const facts = document.createElement("dl");
  facts.className = "facts";
  /** @param {HTMLDListElement} list @param {string} key @param {string} value */
  const fact = (list, key, value) => {
    const dt = document.createElement("dt");
    dt.textContent = text(key);
    const dd = document.createElement("dd");
    dd.textContent = value;
    list.append(dt, dd);
  };
  fact(facts, "payPayee", card.payee);
  fact(facts, "payAmount", euros(card.amount_cents));
  article.append(facts);
  const state = document.createElement("p");
  state.className = "card-status";
  state.textContent = cardStatusText(card);

  if (card.status === "open" && card.checkout_url) {
    if (allowedCheckout(card.checkout_url)) {
      const pay = document.createElement("a");
      pay.className = "primary pay-button";
      pay.href = card.checkout_url;
      pay.target = "_blank";
      pay.rel = "noopener noreferrer";
      pay.textContent = text("payButton");
      article.append(pay);
    } else {
      const blocked = document.createElement("p");
      blocked.className = "error";
      blocked.textContent = text("payBlocked");
      article.append(blocked);
    }
  }
  article.append(state);
  if (card.test) {
    const banner = document.createElement("p");
    banner.className = "test-banner";
    banner.textContent = text("payTest");
    article.append(banner);
  }
  const more = document.createElement("dl");
  more.className = "facts";
  fact(more, "payDescription", card.description);
  if (card.iban) fact(more, "payIban", card.iban);
  if (card.reference) fact(more, "payReference", card.reference);
  article.append(more);

  if (card.status === "open" && card.qr.length > 0) {
    const explain = document.createElement("p");
    explain.textContent = text(card.method === "transfer" ? "payQrTransfer" : "payQr");
    article.append(explain, qrSvg(card.qr));
  } else if (card.status === "paid") {
    const when = document.createElement("p");
    const at = new Date(card.changed_at);
    when.textContent = `${text("payReceivedAt")} ${
      Number.isNaN(at.getTime()) ? card.changed_at : at.toLocaleString(document.documentElement.lang)
    }`;
    const print = document.createElement("button");
    print.type = "button";
    print.className = "secondary";
    print.textContent = text("payPrint");
    print.addEventListener("click", () => {
      document.body.classList.add("printing");
      article.classList.add("to-print");
      window.print();
      document.body.classList.remove("printing");
      article.classList.remove("to-print");
    });
    article.append(when, print);
  }

  const cards = byId("payment-cards");
  const old = cards.querySelector(`[data-payment-id="${CSS.escape(card.id)}"]`);
  const heldFocus = old?.contains(document.activeElement) ?? false;
  if (old) old.replaceWith(article);
  else cards.prepend(article);
  if (heldFocus) {
    focusOn(heading);
  }
  byId("pay-open").hidden = false;
  const before = cardStatus.get(card.id);
  if (before !== card.status) {
    // New, or its state changed: shown at once, over the call, and said. Someone typing
    // in the chat keeps it: the Betaling button and the announcement tell them.
    cardStatus.set(card.id, card.status);
    bringForward("payments");
    article.scrollIntoView({ block: "nearest" });
    const asked = before === undefined && card.status === "open" ? `${text("payAsked")}. ` : "";
    announce(`${asked}${card.description}, ${euros(card.amount_cents)}: ${state.textContent}`);
    if (asked || card.status === "paid") buzz();
  }
}

/** @param {"you" | "clerk"} who @param {string} body @param {string | null} id */
function appendChat(who, body, id) {
  const item = document.createElement("li");
  item.className = `chat-line ${who}`;
  if (id) item.dataset.chatId = id;
  const name = document.createElement("span");
  name.className = "who";
  name.textContent = `${text(who)}: `;
  const content = document.createElement("span");
  content.className = "text";
  content.textContent = body;
  item.append(name, content);
  if (id) {
    const delivered = document.createElement("span");
    delivered.className = "delivered";
    delivered.textContent = ` (${text("delivered")})`;
    delivered.hidden = true;
    item.append(delivered);
  }
  byId("chat-log").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function onChatSubmit(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId("chat-input"));
  const error = byId("chat-error");
  const body = input.value.trim();
  if (!body) return;
  if ([...body].length > MAX_CHAT_CHARS) {
    error.textContent = text("tooLong");
    return;
  }
  if (!channel || channel.readyState !== "open") {
    error.textContent = text("chatUnavailable");
    return;
  }
  error.textContent = "";
  chatSeq += 1;
  const id = `c${chatSeq}`;
  /** @type {DataMessage} */
  const message = { type: "chat", id, text: body };
  channel.send(JSON.stringify(message));
  appendChat("you", body, id);
  input.value = "";
}

// ---- Wiring ---------------------------------------------------------------------------

/** An appointment's room opens shortly before it begins: until then the page says when
 * (`#early`, with the seconds left by the relay's clock) and offers no knock. */
function showKnockWhenOpen(/** @type {HTMLButtonElement} */ knock) {
  const early = document.getElementById("early");
  const opensIn = Number(early?.dataset.opensIn ?? "0");
  if (!early || !(opensIn > 0)) {
    knock.hidden = false;
    return;
  }
  window.setTimeout(() => {
    early.textContent = text("earlyOpen");
    knock.hidden = false;
  }, opensIn * 1000);
}

if (button) {
  showKnockWhenOpen(button);
  button.addEventListener("click", () => {
    button.disabled = true;
    button.hidden = true;
    start();
  });
  byId("media-retry").addEventListener("click", () => start());
  byId("media-without").addEventListener("click", () => {
    byId("media-denied").hidden = true;
    localStream = null;
    enterLobby();
  });
  const mute = /** @type {HTMLButtonElement} */ (byId("mute"));
  mute.addEventListener("click", () => toggle(mute, "audio"));
  const camera = /** @type {HTMLButtonElement} */ (byId("camera"));
  camera.addEventListener("click", () => toggle(camera, "video"));
  byId("hangup").addEventListener("click", () => {
    send({ type: "leave" });
    sessionStorage.removeItem(resumeKey);
    finish("left");
  });
  byId("chat-form").addEventListener("submit", onChatSubmit);
  byId("survey-form").addEventListener("submit", (event) => void onSurveySubmit(/** @type {SubmitEvent} */ (event)));
  byId("survey-skip").addEventListener("click", () => {
    byId("survey").hidden = true;
    focusOn(byId("heading"));
  });
  byId("chat-open").addEventListener("click", () => toggleSheet("chat"));
  byId("pay-open").addEventListener("click", () => toggleSheet("payments"));
  byId("id-open").addEventListener("click", () => toggleSheet("identity"));
  for (const close of document.querySelectorAll(".sheet-close")) {
    close.addEventListener("click", () => closeSheet(true));
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && byId("call").classList.contains("sheet-open")) closeSheet(true);
  });
  // Back from another app (a banking app, a phone call): reconnect at once rather than
  // waiting for the backoff, and restart the picture if the browser paused it.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || finished || !admitted) return;
    // Back from the banking app: the payment's current state first.
    if ([...cardStatus.values()].includes("open")) openSheet("payments");
    if (!socket || socket.readyState === WebSocket.CLOSED) {
      clearTimeout(reconnectTimer);
      retry = 500;
      connect();
    }
    /** @type {HTMLVideoElement} */ (byId("remote")).play().catch(() => {});
  });
}
main.dataset.ready = "true";
export {};
