// *Verbinding*: which server the cockpit uses (IT's, locked or not, or the built-in one
// for practice), *Verbinding testen*, and *Opnieuw aanmelden* when the server no longer
// takes this computer.
import { openEnrolment, testConnection, type CockpitStatus } from "./ipc";
import { showError, t } from "./i18n";
import { el } from "./common";

export function setUpConnection(error: HTMLElement, status: CockpitStatus | null): void {
  const dialog = el<HTMLDialogElement>("connection");
  const result = el<HTMLElement>("connection-result");
  const test = el<HTMLButtonElement>("connection-test");
  const reenrol = el<HTMLButtonElement>("connection-reenrol");
  el("connection-open").addEventListener("click", () => {
    if (status) {
      el("connection-url").textContent = status.relay.url;
      el("connection-embedded").hidden = status.relay.mode !== "embedded";
      el("connection-locked").hidden = !status.relay.locked;
      // Enrolling makes sense with the municipality's server only.
      reenrol.hidden = status.relay.mode === "embedded";
    }
    result.textContent = "";
    dialog.showModal();
  });
  test.addEventListener("click", async () => {
    test.disabled = true;
    result.textContent = t("connection.testing");
    try {
      const found = await testConnection();
      result.textContent = t(`connection.${found.outcome}`, {
        municipality: found.municipality ?? "",
        version: found.version ?? "",
        ms: String(found.took_ms),
      });
    } catch (e) {
      result.textContent = "";
      dialog.close();
      showError(error, e);
    } finally {
      test.disabled = false;
    }
  });
  reenrol.addEventListener("click", async () => {
    try {
      await openEnrolment();
      dialog.close();
    } catch (e) {
      dialog.close();
      showError(error, e);
    }
  });
}
