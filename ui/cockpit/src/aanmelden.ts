// The enrolment window: *Aanmelden bij uw gemeente* with the one-time code from IT. On
// success the Rust side opens the cockpit's two windows (first start) or restarts the app
// (enrolling again, from the call window's *Verbinding*).
import { enrol, enrolView } from "./ipc";
import { setLocale, showError, t, translatePage } from "./i18n";
import { el } from "./common";

async function main(): Promise<void> {
  const error = el<HTMLElement>("error");
  const relay = el<HTMLInputElement>("enrol-relay");
  const code = el<HTMLInputElement>("enrol-code");
  const submit = el<HTMLButtonElement>("enrol-submit");
  const status = el<HTMLElement>("enrol-status");
  const again = new URLSearchParams(location.search).has("again");
  try {
    const view = await enrolView();
    setLocale(view.locale);
    translatePage();
    document.title = t("window.aanmelden.title");
    if (view.municipality) {
      el("enrol-heading").textContent = t("enrol.heading_named", { municipality: view.municipality });
    }
    relay.value = view.relay_url ?? "";
    relay.readOnly = view.relay_locked;
    el("enrol-relay-locked").hidden = !view.relay_locked;
  } catch (e) {
    translatePage();
    showError(error, e);
  }
  (relay.value && relay.readOnly ? code : relay.value ? code : relay).focus();

  el<HTMLFormElement>("enrol-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    status.textContent = t("enrol.busy");
    try {
      const done = await enrol(relay.value, code.value);
      const key = again ? "enrol.done_restart" : "enrol.done";
      status.textContent = t(key, { municipality: done.municipality, clerk: done.clerk });
    } catch (e) {
      status.textContent = "";
      showError(error, e);
      submit.disabled = false;
      code.focus();
    }
  });
}

void main();
