// The front door in the call window: the clerk's status, the walk-in queue with *Volgende
// burger*, the agenda (*Vandaag* and the coming days) with each appointment's mails, the
// availability form, and the knock of a citizen in an appointment's room.
import {
  agenda,
  availability,
  followFrontDoor,
  openAppointment,
  setAvailability,
  setClerkStatus,
  takeNextCitizen,
  walkInQueue,
  type Appointment,
  type Availability,
  type ClerkStatus,
  type ConversationEvent,
  type FrontDoorEvent,
  type Locale,
  type Mail,
  type OpenedRoom,
  type Queue,
} from "./ipc";
import { currentLocale, languageTag, showError, t } from "./i18n";
import { el, make } from "./common";

/** How many days the agenda shows, today included. */
const DAYS = 7;
/** Appointments and opening hours are Brussels time, wherever the clerk works from. */
const ZONE = "Europe/Brussels";
const WEEKDAYS = [
  "weekday.monday",
  "weekday.tuesday",
  "weekday.wednesday",
  "weekday.thursday",
  "weekday.friday",
  "weekday.saturday",
  "weekday.sunday",
];
const LANGUAGES: Record<Locale, string> = { nl: "Nederlands", fr: "Français", en: "English" };

/** What the front door needs of the call window to hold a conversation in a room. */
export interface RoomControl {
  /** Gets the window ready for a conversation in another room. */
  prepare(): void;
  /** The conversation in `opened.room_id` has begun; `info` says who it is with. */
  begun(opened: OpenedRoom, info: string): void;
  /** What the conversation tells the window. */
  onEvent(event: ConversationEvent): void;
  /** The room the window follows now, if any. */
  currentRoom(): string | null;
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString(languageTag(), { hour: "2-digit", minute: "2-digit", timeZone: ZONE });
const brusselsDate = new Intl.DateTimeFormat("en-GB", {
  timeZone: ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
/** The Brussels date of `iso` as YYYY-MM-DD (from the parts: no engine's locale data is
 * trusted to write ISO dates). */
const dayOf = (iso: string) => {
  const parts = Object.fromEntries(brusselsDate.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
};
const dayAfter = (day: string) => new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const longDay = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString(languageTag(), {
    weekday: "long",
    day: "numeric",
    month: "long",
    timeZone: "UTC",
  });
const name = (texts: { nl: string; fr: string; en: string }) => texts[currentLocale()];

export function setUpFrontDoor(error: HTMLElement, room: RoomControl, chime: { ring(): void }) {
  const appointments = createAgenda(error, (a) => void open(a));
  const queue = createQueue(error, room);
  setUpAvailability();

  const doorKnock = el<HTMLElement>("door-knock");
  const doorText = el<HTMLElement>("door-knock-text");
  const doorOpen = el<HTMLButtonElement>("door-open");
  let knockedFor: Appointment | null = null;

  async function open(a: Appointment) {
    error.hidden = true;
    room.prepare();
    el("queue-status").textContent = t("agenda.opening");
    try {
      const opened = await openAppointment(a.id, room.onEvent);
      const info = t("agenda.opened", { time: time(a.starts_at), name: a.name, product: name(a.product) });
      room.begun(opened, info);
      if (knockedFor?.room_id === a.room_id) doorKnock.hidden = true;
    } catch (e) {
      showError(error, e);
    } finally {
      el("queue-status").textContent = "";
    }
  }
  doorOpen.addEventListener("click", () => {
    if (knockedFor) void open(knockedFor);
  });

  async function knocked(event: Extract<FrontDoorEvent, { kind: "knock" }>) {
    if (event.room_id === room.currentRoom()) return;
    const find = () =>
      appointments.list().find((a) => a.room_id === event.room_id || a.id === event.appointment_id) ?? null;
    knockedFor = find();
    if (!knockedFor && event.appointment_id) {
      await appointments.refresh();
      knockedFor = find();
    }
    doorText.textContent = knockedFor
      ? t("door.knock", {
          name: knockedFor.name,
          time: time(knockedFor.starts_at),
          product: name(knockedFor.product),
        })
      : t("door.knock_unknown");
    doorOpen.hidden = !knockedFor;
    doorKnock.hidden = false;
    chime.ring();
  }

  void followFrontDoor((event) => {
    if (event.kind === "knock") void knocked(event);
    else void queue.refresh();
  }).catch((e) => showError(error, e));
  void appointments.refresh();
  void queue.refresh();
  // Waiting minutes and new bookings, without a click; events bring the rest at once.
  window.setInterval(() => void queue.refresh(), 30_000);
  window.setInterval(() => void appointments.refresh(), 60_000);
  el("agenda-refresh").addEventListener("click", () => void appointments.refresh());
  return { refresh: () => Promise.all([appointments.refresh(), queue.refresh()]) };
}

/** The agenda: today and the coming days, each appointment with an *Openen* button. */
function createAgenda(error: HTMLElement, open: (a: Appointment) => void) {
  const days = el<HTMLElement>("agenda-days");
  const empty = el<HTMLElement>("agenda-empty");
  let list: Appointment[] = [];

  const mailLine = (mail: Mail) => {
    const kind = t(`agenda.mail.${mail.kind}`);
    const line = make("li", {
      text: t(`agenda.mail.${mail.state}`, { kind, time: time(mail.due_at), error: mail.error ?? "" }),
    });
    line.dataset.state = mail.state;
    return line;
  };

  const item = (a: Appointment) => {
    const li = make("li", { className: "appointment" });
    li.dataset.appointmentId = a.id;
    if (a.outside_hours) li.dataset.outsideHours = "true";
    const when = make("p", { className: "appointment-time" });
    const start = make("time", { text: time(a.starts_at) });
    start.dateTime = a.starts_at;
    const end = make("time", { text: time(a.ends_at) });
    end.dateTime = a.ends_at;
    when.append(start, "–", end);
    const body = make("div", { className: "appointment-body" });
    const who = make("p", { className: "appointment-who" });
    who.append(make("strong", { text: a.name }), ` · ${name(a.product)}`);
    if (a.outside_hours) who.append(" ", make("span", { className: "badge after-hours", text: t("agenda.outside_hours") }));
    body.append(who);
    if (a.question.trim()) body.append(make("p", { className: "appointment-question", text: t("agenda.question", { question: a.question }) }));
    const contact = [a.email, a.phone].filter(Boolean).join(", ");
    const meta = [t("agenda.language", { language: LANGUAGES[a.locale] })];
    if (contact) meta.push(t("agenda.contact", { contact }));
    body.append(make("p", { className: "appointment-meta", text: meta.join(" · ") }));
    const mails = make("ul", { className: "mails" });
    if (!a.email) mails.append(make("li", { text: t("agenda.no_mail") }));
    mails.append(...a.mails.map(mailLine));
    body.append(mails);
    const button = make("button", { className: "secondary", text: t("agenda.open") });
    button.type = "button";
    button.setAttribute("aria-label", t("agenda.open_label", { time: time(a.starts_at), name: a.name }));
    button.addEventListener("click", () => open(a));
    li.append(when, body, button);
    return li;
  };

  const render = () => {
    const today = dayOf(new Date().toISOString());
    const tomorrow = dayAfter(today);
    const byDay = new Map<string, Appointment[]>([[today, []]]);
    for (const a of list) {
      const day = dayOf(a.starts_at);
      byDay.set(day, [...(byDay.get(day) ?? []), a]);
    }
    const sections = [...byDay.entries()]
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([day, items]) => {
        const section = make("section", { className: "agenda-day" });
        const heading = make("h4", {
          text:
            day === today
              ? t("agenda.today", { date: longDay(day) })
              : day === tomorrow
                ? t("agenda.tomorrow", { date: longDay(day) })
                : longDay(day),
        });
        heading.id = `agenda-${day}`;
        section.setAttribute("aria-labelledby", heading.id);
        section.dataset.day = day;
        section.append(heading);
        if (items.length === 0) section.append(make("p", { className: "help", text: t("agenda.day_empty") }));
        else {
          const ol = make("ol", { className: "appointments" });
          ol.append(...items.map(item));
          section.append(ol);
        }
        return section;
      });
    // Nothing at all is said once, not as an empty today.
    days.replaceChildren(...(list.length > 0 ? sections : []));
    empty.hidden = list.length > 0;
  };

  return {
    list: () => list,
    async refresh() {
      try {
        list = (await agenda(DAYS)).filter((a) => a.status === "booked");
        render();
      } catch (e) {
        showError(error, e);
      }
    },
  };
}

/** The clerk's status switch and the queue per product, with *Volgende burger*. */
function createQueue(error: HTMLElement, room: RoomControl) {
  const items = el<HTMLUListElement>("queue-list");
  const none = el<HTMLElement>("queue-none");
  const status = el<HTMLElement>("queue-status");
  const next = el<HTMLButtonElement>("next-citizen");
  const radios = [...document.querySelectorAll<HTMLInputElement>('input[name="clerk-status"]')];
  let last: Queue | null = null;

  const minutesSince = (iso: string) => Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60_000));
  const render = (q: Queue) => {
    for (const radio of radios) radio.checked = radio.value === q.status;
    items.replaceChildren(
      ...q.products.map((p) => {
        const li = make("li");
        li.dataset.productId = p.product_id;
        li.dataset.waiting = String(p.waiting.length);
        const state = make("span", {
          className: `queue-state ${p.open ? "open" : "closed"}`,
          text: t(p.open ? "queue.open" : "queue.closed"),
        });
        const first = p.waiting[0];
        const count = first
          ? t("queue.waiting", { count: String(p.waiting.length), minutes: String(minutesSince(first.since)) })
          : t("queue.nobody");
        li.append(make("strong", { text: name(p.name) }), " · ", state, make("br"), count);
        return li;
      }),
    );
    none.hidden = q.products.length > 0;
    next.hidden = q.products.length === 0;
  };
  const refresh = async () => {
    try {
      last = await walkInQueue();
      render(last);
    } catch (e) {
      showError(error, e);
    }
  };

  for (const radio of radios) {
    radio.addEventListener("change", async () => {
      if (!radio.checked) return;
      try {
        await setClerkStatus(radio.value as ClerkStatus);
      } catch (e) {
        showError(error, e);
      }
      await refresh();
    });
  }

  next.addEventListener("click", async () => {
    error.hidden = true;
    status.textContent = t("queue.taking");
    next.disabled = true;
    try {
      await refresh();
      if (!last?.products.some((p) => p.waiting.length > 0)) {
        status.textContent = t("queue.empty_now");
        return;
      }
      room.prepare();
      const opened = await takeNextCitizen(null, room.onEvent);
      if (!opened) {
        status.textContent = t("queue.empty_now");
        return;
      }
      const product = last.products.find((p) => p.product_id === opened.product_id);
      const info = t("queue.taken", {
        product: product ? name(product.name) : opened.product_id,
        minutes: String(Math.floor((opened.waited_seconds ?? 0) / 60)),
      });
      status.textContent = "";
      room.begun(opened, info);
    } catch (e) {
      status.textContent = "";
      showError(error, e);
    } finally {
      next.disabled = false;
      await refresh();
    }
  });
  return { refresh };
}

/** The availability form: the week (Monday to Sunday) and the days that differ. */
function setUpAvailability() {
  const dialog = el<HTMLDialogElement>("availability");
  const week = el<HTMLElement>("availability-week");
  const exceptions = el<HTMLOListElement>("availability-exceptions");
  const formError = el<HTMLElement>("availability-error");
  const save = el<HTMLButtonElement>("availability-save");

  const inputs = WEEKDAYS.map((key, i) => {
    const label = make("label", { text: t(key) });
    label.htmlFor = `availability-day-${i}`;
    const input = make("input");
    input.id = label.htmlFor;
    input.type = "text";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("aria-describedby", "availability-intro");
    week.append(label, input);
    return input;
  });

  const renumber = () => {
    [...exceptions.children].forEach((row, i) => {
      const number = String(i + 1);
      row.querySelector("legend")!.textContent = t("availability.exception_label", { number });
      row.querySelector("button")!.setAttribute("aria-label", t("availability.remove_label", { number }));
    });
  };
  const addException = (date = "", hours = "-") => {
    const n = exceptions.children.length;
    const li = make("li");
    const group = make("fieldset", { className: "exception" });
    group.append(make("legend", { className: "visually-hidden" }));
    for (const [field, value, type] of [
      ["date", date, "date"],
      ["hours", hours, "text"],
    ] as const) {
      const wrap = make("div", { className: "field" });
      const label = make("label", { text: t(`availability.${field}`) });
      const input = make("input");
      input.type = type;
      input.id = `exception-${n}-${field}-${Date.now()}`;
      input.name = field;
      input.value = value;
      input.autocomplete = "off";
      label.htmlFor = input.id;
      wrap.append(label, input);
      group.append(wrap);
    }
    const remove = make("button", { className: "secondary", text: t("availability.remove") });
    remove.type = "button";
    remove.addEventListener("click", () => {
      const focusNext = li.nextElementSibling ?? li.previousElementSibling;
      li.remove();
      renumber();
      (focusNext?.querySelector("input") ?? el("exception-add")).focus();
    });
    group.append(remove);
    li.append(group);
    exceptions.append(li);
    renumber();
    return li;
  };

  el("availability-open").addEventListener("click", async () => {
    formError.hidden = true;
    try {
      const current = await availability();
      inputs.forEach((input, i) => {
        input.value = current.week[i] ?? "-";
      });
      exceptions.replaceChildren();
      for (const e of current.exceptions) addException(e.date, e.hours);
      dialog.showModal();
      inputs[0]?.focus();
    } catch (e) {
      showError(el("error"), e);
    }
  });
  el("exception-add").addEventListener("click", () => {
    addException().querySelector("input")?.focus();
  });
  el("availability-cancel").addEventListener("click", () => dialog.close());
  el<HTMLFormElement>("availability-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.hidden = true;
    save.disabled = true;
    const value = (row: Element, field: string) =>
      row.querySelector<HTMLInputElement>(`input[name="${field}"]`)!.value.trim();
    try {
      await setAvailability({
        week: inputs.map((input) => input.value.trim() || "-") as Availability["week"],
        exceptions: [...exceptions.children].map((row) => ({
          date: value(row, "date"),
          hours: value(row, "hours") || "-",
        })),
      });
      dialog.close();
      el("queue-status").textContent = t("availability.saved");
    } catch (e) {
      showError(formError, e);
    } finally {
      save.disabled = false;
    }
  });
}
