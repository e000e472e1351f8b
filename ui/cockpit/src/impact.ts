// The impact dashboard in the dossier window: the project sheet's fourteen indicators for a
// period (week, month, quarter, year or any run of days), each with its number, the
// period before, a chart, the same data as a table, and how it is computed. Everything
// shown comes from the Rust side in the clerk's language; the charts are SVG images.
import {
  impactAddRegisterEntry,
  impactDashboard,
  impactImport,
  impactRegister,
  impactRemoveRegisterEntry,
  impactReport,
  type ContactChannel,
  type IncidentKind,
  type DashboardView,
  type Indicator,
  type PeriodKind,
  type PeriodRequest,
} from "./ipc";
import { showError, t } from "./i18n";
import { el, make } from "./common";

const AUDIENCES = ["citizens", "clerks", "organisation"] as const;

/** Sets up the dashboard; `show(true)` brings it up in place of the cases. */
export function setupImpact(show: (on: boolean) => void): { refresh: () => Promise<void> } {
  const kind = el<HTMLSelectElement>("impact-kind");
  const first = el<HTMLInputElement>("impact-first");
  const last = el<HTMLInputElement>("impact-last");
  const custom = el<HTMLElement>("impact-custom");
  const error = el<HTMLElement>("impact-error");
  const status = el<HTMLElement>("impact-status");
  let day: string | undefined;
  let view: DashboardView | null = null;

  for (const k of ["week", "month", "quarter", "year", "custom"] as PeriodKind[]) {
    const option = make("option", { text: t(`impact.kind.${k}`) });
    option.value = k;
    kind.append(option);
  }
  kind.value = "quarter";

  const request = (): PeriodRequest => {
    const k = kind.value as PeriodKind;
    if (k === "custom") return { kind: k, day: first.value || undefined, last: last.value || undefined };
    return { kind: k, day };
  };

  const refresh = async (): Promise<void> => {
    error.hidden = true;
    custom.hidden = kind.value !== "custom";
    status.textContent = t("impact.loading");
    try {
      view = await impactDashboard(request());
      render(view);
      status.textContent = t("impact.shown", { period: view.report.period });
      el<HTMLButtonElement>("impact-next").disabled = !view.next_day;
    } catch (e) {
      status.textContent = "";
      showError(error, e);
    }
  };

  kind.addEventListener("change", () => {
    day = undefined;
    if (kind.value === "custom" && view) {
      first.value = view.first;
      last.value = view.last;
    }
    void refresh();
  });
  el<HTMLFormElement>("impact-period").addEventListener("submit", (event) => {
    event.preventDefault();
    void refresh();
  });
  el("impact-prev").addEventListener("click", () => {
    if (!view) return;
    if (kind.value === "custom") {
      shiftCustom(-1);
    } else {
      day = view.previous_day;
    }
    void refresh();
  });
  el("impact-next").addEventListener("click", () => {
    if (!view?.next_day) return;
    if (kind.value === "custom") {
      shiftCustom(1);
    } else {
      day = view.next_day;
    }
    void refresh();
  });
  el("impact-open").addEventListener("click", () => {
    show(true);
    void refresh();
  });
  el("impact-close").addEventListener("click", () => show(false));
  for (const format of ["pdf", "csv"] as const) {
    el(`impact-${format}`).addEventListener("click", async () => {
      error.hidden = true;
      try {
        const path = await impactReport(request(), format);
        status.textContent = t("impact.report_saved", { path });
      } catch (e) {
        showError(error, e);
      }
    });
  }

  /** Moves a custom period by its own length, back (-1) or forward (1). */
  function shiftCustom(direction: number): void {
    if (!view) return;
    const from = new Date(`${view.first}T12:00:00Z`);
    const to = new Date(`${view.last}T12:00:00Z`);
    const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
    const move = (d: Date) => new Date(d.getTime() + direction * days * 86_400_000).toISOString().slice(0, 10);
    first.value = move(from);
    last.value = move(to);
  }

  setUpRegister(error, refresh);
  setUpImport(refresh);
  return { refresh };
}

const KINDS: IncidentKind[] = ["complaint_after_hours", "complaint", "aggression"];
const CHANNELS: ContactChannel[] = ["digital", "front_desk", "phone", "email", "web", "post", "other"];

/** The register of complaints and aggression incidents the clerk keeps. */
function setUpRegister(error: HTMLElement, refresh: () => Promise<void>): void {
  const kind = el<HTMLSelectElement>("register-kind");
  const channel = el<HTMLSelectElement>("register-channel");
  const day = el<HTMLInputElement>("register-day");
  const note = el<HTMLInputElement>("register-note");
  const status = el<HTMLElement>("register-status");
  kind.replaceChildren(...KINDS.map((k) => new Option(t(`register.kind_${k}`), k)));
  channel.replaceChildren(...CHANNELS.map((c) => new Option(t(`channel.${c}`), c)));
  day.value = new Date().toISOString().slice(0, 10);
  day.max = day.value;

  const list = async () => {
    try {
      const entries = await impactRegister();
      el("register-list").replaceChildren(
        ...entries.map((entry) => {
          const item = make("li");
          item.append(
            make("span", {
              text: `${entry.day} · ${t(`register.kind_${entry.kind}`)} · ${t(`channel.${entry.channel}`)}${entry.note ? ` · ${entry.note}` : ""}`,
            }),
          );
          const remove = make("button", { className: "secondary", text: t("register.remove") });
          remove.type = "button";
          remove.setAttribute("aria-label", t("register.remove_label", { day: entry.day }));
          remove.addEventListener("click", async () => {
            try {
              await impactRemoveRegisterEntry(entry.id);
              status.textContent = t("register.removed");
              await list();
              await refresh();
            } catch (e) {
              showError(error, e);
            }
          });
          item.append(" ", remove);
          return item;
        }),
      );
    } catch (e) {
      showError(error, e);
    }
  };
  el<HTMLFormElement>("register-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await impactAddRegisterEntry({
        kind: kind.value as IncidentKind,
        channel: channel.value as ContactChannel,
        day: day.value,
        note: note.value,
      });
      note.value = "";
      status.textContent = t("register.added");
      await list();
      await refresh();
    } catch (e) {
      showError(error, e);
    }
  });
  el("impact-open").addEventListener("click", () => void list());
}

/** Importing other channels' figures or complaints: all rows or none, every bad row named. */
function setUpImport(refresh: () => Promise<void>): void {
  const file = el<HTMLInputElement>("impact-import-file");
  const status = el<HTMLElement>("impact-import-status");
  const errors = el<HTMLElement>("impact-import-errors");
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    errors.replaceChildren();
    status.textContent = t("impact_import.reading");
    try {
      const outcome = await impactImport(
        el<HTMLSelectElement>("impact-import-kind").value as "figures" | "complaints",
        chosen.name,
        await chosen.text(),
      );
      if (outcome.kind === "imported") {
        status.textContent = t("impact_import.done", {
          rows: String(outcome.rows),
          written: String(outcome.written),
        });
        await refresh();
      } else {
        status.textContent = t("impact_import.refused", { count: String(outcome.errors.length) });
        errors.replaceChildren(
          ...outcome.errors.map((e) =>
            make("li", {
              text: `${t("impact_import.row", { row: String(e.row) })}${e.field ? ` (${e.field})` : ""}: ${e.message}`,
            }),
          ),
        );
      }
    } catch (e) {
      status.textContent = "";
      showError(el("impact-error"), e);
    } finally {
      file.value = "";
    }
  });
}

function render(view: DashboardView): void {
  el("impact-period-text").textContent = t("impact.period", {
    period: view.report.period,
    previous: view.report.previous_period,
  });
  const groups = el("impact-groups");
  groups.replaceChildren();
  for (const audience of AUDIENCES) {
    const section = make("section", { className: "impact-group" });
    const heading = make("h3", { text: t(`impact.audience.${audience}`) });
    heading.id = `impact-audience-${audience}`;
    section.setAttribute("aria-labelledby", heading.id);
    section.append(heading);
    view.report.indicators.forEach((indicator, i) => {
      if (indicator.audience !== audience) return;
      const shown = card(indicator, view.charts[i] ?? "");
      if (indicator.id === "citizen_satisfaction") shown.append(remarks(view));
      section.append(shown);
    });
    groups.append(section);
  }
  const assumptions = el("impact-assumptions");
  assumptions.replaceChildren(...view.report.assumptions.map((a) => make("li", { text: a })));
}

/** The citizens' remarks of the period: anonymous, and only in this cockpit. */
function remarks(view: DashboardView): HTMLElement {
  const details = make("details", { className: "remarks" });
  details.append(make("summary", { text: t("impact.remarks", { count: String(view.remarks.length) }) }));
  const list = make("ul");
  for (const remark of view.remarks) {
    list.append(make("li", { text: `${remark.score}/5 — ${remark.text}` }));
  }
  if (view.remarks.length === 0) list.append(make("li", { text: t("impact.no_remarks") }));
  details.append(list);
  return details;
}

function card(indicator: Indicator, chart: string): HTMLElement {
  const article = make("article", { className: "indicator" });
  article.dataset.indicator = indicator.id;
  const title = make("h4", { text: `${indicator.number}. ${indicator.title}` });
  title.id = `indicator-${indicator.id}`;
  article.setAttribute("aria-labelledby", title.id);
  article.append(title, make("p", { className: "headline", text: indicator.headline }));
  article.append(make("p", { className: "previous", text: t("impact.previous", { text: indicator.previous }) }));
  if (indicator.missing) article.append(make("p", { className: "missing", text: indicator.missing }));
  if (chart) {
    const img = make("img", { className: "chart" });
    img.src = chart;
    img.alt = t("impact.chart_alt", { title: indicator.title });
    article.append(img);
  }
  const details = make("details");
  details.append(make("summary", { text: t("impact.table") }));
  const table = make("table");
  table.append(make("caption", { text: indicator.title }));
  const head = make("thead");
  const headRow = make("tr");
  for (const column of indicator.table.columns) {
    const th = make("th", { text: column });
    th.scope = "col";
    headRow.append(th);
  }
  head.append(headRow);
  const body = make("tbody");
  for (const row of indicator.table.rows) {
    const tr = make("tr");
    row.forEach((cell, i) => {
      if (i === 0) {
        const th = make("th", { text: cell });
        th.scope = "row";
        tr.append(th);
      } else {
        tr.append(make("td", { text: cell }));
      }
    });
    body.append(tr);
  }
  table.append(head, body);
  // A wide table scrolls in its own box, which the keyboard can reach.
  const wrap = make("div", { className: "table-wrap" });
  wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", indicator.title);
  wrap.append(table);
  details.append(wrap);
  article.append(details);
  const definition = make("p", { className: "definition" });
  definition.append(make("strong", { text: t("impact.definition") }), ` ${indicator.definition}`);
  article.append(definition);
  return article;
}
