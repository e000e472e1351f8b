// @ts-check
// The walk-in queue's page: asks for the citizen's place every few seconds (which also
// keeps it), says a change once in the status line (a polite live region), and goes to
// the conversation when a clerk takes the citizen. Without this script the page still
// works: its refresh link asks the same.
"use strict";

(function () {
  const found = document.getElementById("queue-status");
  const url = found?.dataset.statusUrl;
  if (!found || !url) return;
  /** @type {HTMLElement} */
  const status = found;
  const EVERY_MS = 5000;

  async function ask() {
    try {
      const response = await fetch(/** @type {string} */ (url), { cache: "no-store", credentials: "omit" });
      if (response.status === 410) {
        // Dropped or unknown: the page itself explains and leads back.
        window.location.reload();
        return;
      }
      if (!response.ok) return;
      /** @type {{position?: number, minutes?: number, join_url?: string, text: string}} */
      const answer = await response.json();
      if (answer.join_url) {
        status.textContent = answer.text;
        window.location.assign(answer.join_url);
        return;
      }
      if (status.textContent !== answer.text) status.textContent = answer.text;
    } catch (_) {
      // Offline for a moment: the next ask tries again.
    }
    window.setTimeout(ask, EVERY_MS);
  }
  window.setTimeout(ask, EVERY_MS);
})();
