// A new version of the cockpit, offered by the municipality's relay: looked for when the
// window opens and daily, installed only when the clerk says so (never during a
// conversation: the Rust side refuses), then the app starts again.
import { checkUpdate, installUpdate } from "./ipc";
import { showError, t } from "./i18n";
import { el } from "./common";

const DAY_MS = 24 * 60 * 60 * 1000;

export function setUpUpdates(error: HTMLElement): void {
  const banner = el<HTMLElement>("update");
  const text = el<HTMLElement>("update-text");
  const notes = el<HTMLElement>("update-notes");
  const status = el<HTMLElement>("update-status");
  const install = el<HTMLButtonElement>("update-install");
  const look = async () => {
    try {
      const offer = await checkUpdate();
      if (!offer) return;
      text.textContent = t("update.available", { version: offer.version, current: offer.current });
      notes.textContent = offer.notes;
      notes.hidden = offer.notes.length === 0;
      status.textContent = "";
      install.disabled = false;
      banner.hidden = false;
    } catch {
      // A relay that does not answer now is asked again tomorrow; the call goes on.
    }
  };
  install.addEventListener("click", async () => {
    install.disabled = true;
    status.textContent = t("update.installing");
    try {
      const done = await installUpdate();
      status.textContent = t("update.done", { version: done.version });
    } catch (e) {
      status.textContent = "";
      install.disabled = false;
      showError(error, e);
    }
  });
  el("update-later").addEventListener("click", () => {
    banner.hidden = true;
  });
  void look();
  window.setInterval(() => void look(), DAY_MS);
}
