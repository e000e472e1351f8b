// The clerk's own answers for the impact figures, in the call window: where they work
// today (asked once a day, when the window opens) and how smoothly a conversation went
// for them (after a conversation with a citizen, at most once a day). Both can be left
// unanswered; nothing here stops the clerk's work.
import { impactAnswerClerkSurvey, impactClerkDay, impactClerkSurveyDue, impactSetPlace, type Place } from "./ipc";
import { showError, t } from "./i18n";
import { el } from "./common";

export function setUpClerkDay(error: HTMLElement): {
  duringCall(): void;
  afterConversation(room: string): Promise<void>;
} {
  const day = el<HTMLElement>("clerk-day");
  const survey = el<HTMLElement>("clerk-survey");
  const surveyStatus = el<HTMLElement>("clerk-survey-status");
  let surveyedRoom: string | null = null;
  let placeKnown = false;

  const askPlace = async () => {
    try {
      const today = await impactClerkDay();
      placeKnown = today.place !== undefined && today.place !== null;
      day.hidden = placeKnown;
    } catch (e) {
      showError(error, e);
    }
  };
  void askPlace();
  for (const button of day.querySelectorAll<HTMLButtonElement>("button[data-place]")) {
    button.addEventListener("click", async () => {
      try {
        await impactSetPlace(button.dataset.place as Place);
        placeKnown = true;
        day.hidden = true;
        el("clerk-day-said").textContent = t("clerk_day.said", { place: button.textContent ?? "" });
      } catch (e) {
        showError(error, e);
      }
    });
  }
  const close = (message: string) => {
    surveyedRoom = null;
    survey.hidden = true;
    surveyStatus.textContent = message;
  };
  for (const button of survey.querySelectorAll<HTMLButtonElement>("button[data-score]")) {
    button.addEventListener("click", async () => {
      if (!surveyedRoom) return;
      try {
        await impactAnswerClerkSurvey(surveyedRoom, Number(button.dataset.score));
        close(t("clerk_survey.thanks"));
      } catch (e) {
        showError(error, e);
      }
    });
  }
  el("clerk-survey-skip").addEventListener("click", () => close(""));

  return {
    /** A conversation begins: the call gets the room; the questions wait until after. */
    duringCall() {
      day.hidden = true;
      survey.hidden = true;
      surveyedRoom = null;
    },
    async afterConversation(room: string) {
      if (!placeKnown) void askPlace();
      try {
        if (!(await impactClerkSurveyDue(room))) return;
        surveyedRoom = room;
        surveyStatus.textContent = "";
        survey.hidden = false;
      } catch (e) {
        showError(error, e);
      }
    },
  };
}
