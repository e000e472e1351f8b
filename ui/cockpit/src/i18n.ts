// Message catalogs: Dutch (nl-BE) first, French and English. The Rust side reads the same
// files for the window titles and the menu.
import nl from "./locales/nl.json";
import fr from "./locales/fr.json";
import en from "./locales/en.json";
import type { CockpitError, Locale } from "./ipc";

type Catalog = Record<string, string>;
const catalogs: Record<Locale, Catalog> = { nl, fr, en };
const tags: Record<Locale, string> = { nl: "nl-BE", fr: "fr-BE", en: "en" };

let current: Locale = "nl";

export function setLocale(locale: Locale): void {
  current = locale;
  document.documentElement.lang = tags[locale];
}

/** The text for `key`, with `{name}` placeholders filled in; falls back to Dutch. */
export function t(key: string, values: Record<string, string> = {}): string {
  const text = catalogs[current][key] ?? catalogs.nl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

/** Fills every element that has a `data-i18n` attribute. */
export function translatePage(): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const key = el.dataset.i18n;
    if (key) el.textContent = t(key);
  }
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n-label]")) {
    const key = el.dataset.i18nLabel;
    if (key) el.setAttribute("aria-label", t(key));
  }
}

/** The clerk's language. */
export function currentLocale(): Locale {
  return current;
}

/** The clerk's tag for `Intl` formatting. */
export function languageTag(): string {
  return tags[current];
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString(tags[current], { hour: "2-digit", minute: "2-digit" });
}

/** Shows an error from the Rust side in the clerk's language, keeping the detail for IT. */
export function showError(target: HTMLElement, error: unknown): void {
  const ipc: CockpitError = isIpc(error) ? error : { kind: "internal", message: String(error) };
  target.textContent = "";
  if (ipc.kind === "rejected") {
    // Already in the clerk's language, and something the clerk can act on.
    target.textContent = ipc.message;
    target.hidden = false;
    return;
  }
  const text = document.createElement("span");
  text.textContent = t(`error.${ipc.kind}`);
  target.append(text);
  if (ipc.message) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = t("error.details");
    const detail = document.createElement("code");
    detail.textContent = ipc.message;
    details.append(summary, detail);
    target.append(details);
  }
  target.hidden = false;
}

function isIpc(value: unknown): value is CockpitError {
  return typeof value === "object" && value !== null && "kind" in value;
}
