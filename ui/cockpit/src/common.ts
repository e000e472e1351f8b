// What both cockpit windows share: language, the swap-screens shortcut, finding elements.
import { cockpitStatus, swapScreens, type CockpitStatus } from "./ipc";
import { setLocale, showError, translatePage } from "./i18n";

/** The element with id `id` in the window's page. */
export const el = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A new `tag` element with a class and a text. */
export function make<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  return node;
}

export async function startWindow(): Promise<CockpitStatus | null> {
  const error = document.getElementById("error") as HTMLElement;
  let status: CockpitStatus | null = null;
  try {
    status = await cockpitStatus();
    setLocale(status.locale);
  } catch (e) {
    showError(error, e);
  }
  translatePage();

  const swap = async () => {
    try {
      await swapScreens();
    } catch (e) {
      showError(error, e);
    }
  };
  document.getElementById("swap")?.addEventListener("click", swap);
  return status;
}
