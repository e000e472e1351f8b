// The identity panel of the call window: *Identiteit vragen*, where it stands, and once
// confirmed who it is (name, birth date, the national number masked, the means and its
// level, when), compared with the case's party, with *Dossier aanvullen* when the party
// has no national number yet.
import {
  askIdentity,
  completePartyFromIdentity,
  followIdentity,
  identityView,
  type IdentityView,
} from "./ipc";
import { formatTime, showError, t } from "./i18n";
import { el, make } from "./common";

/** The panel; `conversationStarted` shows it for a new conversation. */
export function setUpIdentity(windowError: HTMLElement) {
  const section = el<HTMLElement>("identity");
  const state = el<HTMLElement>("identity-state");
  const facts = el<HTMLDListElement>("identity-facts");
  const party = el<HTMLElement>("identity-party");
  const ask = el<HTMLButtonElement>("identity-ask");
  const complete = el<HTMLButtonElement>("identity-complete");
  const error = el<HTMLElement>("identity-error");
  let room: string | null = null;

  const show = (view: IdentityView) => {
    if (room === null || view.room_id !== room) return;
    section.hidden = !view.available && view.state === "not_asked";
    state.dataset.state = view.state;
    state.textContent = stateText(view);
    facts.replaceChildren();
    facts.hidden = view.state !== "confirmed";
    if (view.state === "confirmed") {
      const fact = (key: string, value: string | null) => {
        if (!value) return;
        facts.append(make("dt", { text: t(key) }), make("dd", { text: value }));
      };
      fact("identity.name", view.name);
      fact("identity.birth_date", view.birth_date ? birthDate(view.birth_date) : null);
      fact("identity.national_number", view.national_number_masked);
      fact("identity.means", view.means && view.level ? t("identity.means_level", { means: view.means, level: t(`identity.level_${view.level}`) }) : null);
      fact("identity.at", view.confirmed_at_ms === null ? null : formatTime(new Date(view.confirmed_at_ms).toISOString()));
    }
    party.hidden = view.state !== "confirmed";
    party.dataset.match = view.party;
    party.textContent = view.state === "confirmed" ? t(`identity.party_${view.party}`) : "";
    ask.hidden = !view.available;
    ask.textContent = t(view.state === "not_asked" ? "identity.ask" : "identity.ask_again");
    ask.disabled = view.state === "asked";
    complete.hidden = !view.can_complete;
  };

  ask.addEventListener("click", async () => {
    error.hidden = true;
    try {
      show(await askIdentity());
    } catch (e) {
      showError(error, e);
    }
  });
  complete.addEventListener("click", async () => {
    error.hidden = true;
    try {
      show(await completePartyFromIdentity());
    } catch (e) {
      showError(error, e);
    }
  });
  void followIdentity(show).catch((e) => showError(windowError, e));

  return {
    async conversationStarted(roomId: string) {
      room = roomId;
      error.hidden = true;
      try {
        show(await identityView());
      } catch (e) {
        showError(windowError, e);
      }
    },
  };
}

function stateText(view: IdentityView): string {
  switch (view.state) {
    case "asked":
      return t(view.by_product ? "identity.asked_by_product" : "identity.asked");
    case "confirmed":
      return t("identity.confirmed", { means: view.means ?? "" });
    case "failed":
      return t(`identity.failed_${view.failure ?? "invalid"}`);
    default:
      return "";
  }
}

/** `1985-07-30` as the clerk's language writes a date. */
function birthDate(iso: string): string {
  const [y = NaN, m = NaN, d = NaN] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleDateString(document.documentElement.lang, { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });
}
