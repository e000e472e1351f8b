// @ts-check
// The citizen page's script: knock, wait, and hear the clerk's answer. Plain JavaScript
// type-checked by TypeScript (`npm run typecheck`), so the relay serves it as it is, with
// no build step. Texts come from the page (data attributes filled from the catalogs).

/** @typedef {import("../bindings/protocol").RelayToCitizen} RelayToCitizen */
/** @typedef {import("../bindings/protocol").CitizenMessage} CitizenMessage */

const SIGNALING_VERSION = 1;

const main = /** @type {HTMLElement} */ (document.getElementById("main"));
const button = /** @type {HTMLButtonElement | null} */ (document.getElementById("knock"));
const statusLine = /** @type {HTMLElement | null} */ (document.getElementById("lobby-status"));
const texts = /** @type {HTMLElement | null} */ (document.getElementById("texts"));

/** @param {string} key */
function say(key) {
  if (statusLine && texts) statusLine.textContent = texts.dataset[key] ?? "";
}

const token = location.pathname.split("/").pop() ?? "";
const resumeKey = `balie-resume-${token}`;
const locale = /** @type {"nl" | "fr" | "en"} */ (document.documentElement.lang.slice(0, 2));
let admitted = false;
let finished = false;
let retry = 500;

function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/ws/citizen/${token}`);
  socket.addEventListener("open", () => {
    const resume = sessionStorage.getItem(resumeKey) ?? undefined;
    /** @type {CitizenMessage} */
    const knock = { type: "knock", version: SIGNALING_VERSION, locale, resume };
    socket.send(JSON.stringify(knock));
  });
  socket.addEventListener("message", (event) => {
    /** @type {RelayToCitizen} */
    let message;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    switch (message.type) {
      case "waiting":
        say("sent");
        break;
      case "admitted":
        admitted = true;
        retry = 500;
        sessionStorage.setItem(resumeKey, message.resume);
        say("admitted");
        break;
      case "declined":
        finished = true;
        say("declined");
        break;
      case "room_busy":
        finished = true;
        say("busy");
        break;
      case "ended":
        finished = true;
        sessionStorage.removeItem(resumeKey);
        say("ended");
        break;
      default:
        break;
    }
  });
  socket.addEventListener("close", () => {
    if (finished) return;
    // Knocked or admitted: come back by ourselves (e.g. after a banking app).
    say("reconnecting");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
  socket.addEventListener("error", () => {
    if (!admitted && retry > 5000) say("failed");
  });
}

if (button) {
  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    button.hidden = true;
    connect();
  });
}
main.dataset.ready = "true";
export {};
