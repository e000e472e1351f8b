// What both cockpit windows share: language, the swap-screens shortcut, finding elements.
import { cockpitStatus, swapScreens, type CockpitStatus } from "./ipc";
import { setLocale, showError, translatePage } from "./i18n";

/** The element with id `id` in the window's page. */
export const el = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

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
