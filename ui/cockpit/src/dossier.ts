// The case-file window: search and list cases, open one (party, status, timeline of notes,
// calls and payments, who viewed or changed it), and act on it during a call: add a note,
// change the status, link it to the call, ask a payment for it, mark it handled in one go,
// export it. A case linked to the call comes up by itself.
import {
  attachDocument,
  createCase,
  openDocument,
  addCaseNote,
  exportCase,
  followDossier,
  followPayments,
  importCases,
  linkCaseToCall,
  markCaseHandled,
  openCase,
  paymentSetup,
  refreshCase,
  requestCasePayment,
  searchCases,
  setCaseStatus,
  CASE_STATUSES,
  PARTY_KINDS,
  type CaseStatus,
  type CaseSummaryView,
  type CaseView,
  type PartyKind,
  type ProviderName,
} from "./ipc";
import { languageTag, showError, t } from "./i18n";
import { el, startWindow } from "./common";
import { setupImpact } from "./impact";

/** The impact dashboard in place of the cases (`true`), or the cases again. */
function showImpact(on: boolean): void {
  el("impact").hidden = !on;
  el("main").classList.toggle("showing-impact", on);
  el<HTMLButtonElement>("impact-open").setAttribute("aria-pressed", String(on));
  (on ? el("impact-heading") : el("search")).focus();
}

function time(ms: number): string {
  return new Date(ms).toLocaleString(languageTag(), { dateStyle: "short", timeStyle: "short" });
}

async function main(): Promise<void> {
  await startWindow();
  const error = el<HTMLElement>("error");
  const open = createOpenCase(error);
  const cases = createCaseList(error, (id) => void open.show(id));
  await setUpCasePayment(error, open);
  followChanges(error, open);
  setUpNewCase(async (id) => {
    await open.show(id);
    await cases.runSearch();
  });
  setUpImport(() => void cases.runSearch());
  setupImpact(showImpact);
  await cases.runSearch();
}

/** The search form and the list of cases found (with nothing typed: the recent ones). */
function createCaseList(error: HTMLElement, onOpen: (id: number) => void) {
  const results = el<HTMLUListElement>("results");
  const resultsStatus = el<HTMLElement>("results-status");
  const search = el<HTMLInputElement>("search");

  const list = (found: CaseSummaryView[], query: string) => {
    results.replaceChildren(
      ...found.map((c) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "case-item";
        button.dataset.caseId = String(c.id);
        const number = document.createElement("strong");
        number.textContent = c.number;
        button.append(number, ` ${c.title} — ${c.party_name} · ${t(`case.status_${c.status}`)}`);
        button.addEventListener("click", () => onOpen(c.id));
        item.append(button);
        return item;
      }),
    );
    resultsStatus.textContent = !query
      ? t("dossier.recent")
      : found.length === 1
        ? t("dossier.found_one")
        : t("dossier.found", { count: String(found.length) });
  };
  const runSearch = async () => {
    try {
      list(await searchCases(search.value), search.value.trim());
    } catch (e) {
      showError(error, e);
    }
  };
  el<HTMLFormElement>("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void runSearch();
  });
  return { runSearch };
}

/** The open case and its quick actions: status, link to the call, handled in one go,
 * export, note, document. */
function createOpenCase(error: HTMLElement) {
  const caseError = el<HTMLElement>("case-error");
  const statusLine = el<HTMLElement>("case-status-line");
  const statusSelect = el<HTMLSelectElement>("case-status");
  statusSelect.replaceChildren(...CASE_STATUSES.map((s) => new Option(t(`case.status_${s}`), s)));
  el("case-title").tabIndex = -1;
  let current: CaseView | null = null;

  const render = (view: CaseView) => {
    current = view;
    renderCase(view, caseError);
    statusSelect.value = view.summary.status;
  };
  const show = async (id: number) => {
    caseError.hidden = true;
    statusLine.textContent = "";
    try {
      render(await openCase(id));
      el("case-title").focus();
    } catch (e) {
      showError(error, e);
    }
  };
  const refresh = async () => {
    if (!current) return;
    try {
      render(await refreshCase(current.summary.id));
    } catch (e) {
      showError(caseError, e);
    }
  };
  /** Runs `run` on the open case, says `done`, and reads the case again. */
  const act = (run: (id: number) => Promise<unknown>, done: string) => {
    if (!current) return;
    const id = current.summary.id;
    void (async () => {
      caseError.hidden = true;
      try {
        await run(id);
        statusLine.textContent = t(done);
        await refresh();
      } catch (e) {
        showError(caseError, e);
      }
    })();
  };

  statusSelect.addEventListener("change", () =>
    act((id) => setCaseStatus(id, statusSelect.value as CaseStatus), "dossier.saved"),
  );
  el("case-link").addEventListener("click", () => act(linkCaseToCall, "dossier.linked"));
  el("case-one-go").addEventListener("click", () => act(markCaseHandled, "dossier.saved"));
  for (const format of ["pdf", "json"] as const) {
    el(`case-export-${format}`).addEventListener("click", async () => {
      if (!current) return;
      caseError.hidden = true;
      try {
        const path = await exportCase(current.summary.id, format);
        statusLine.textContent = t("dossier.exported", { path });
      } catch (e) {
        showError(caseError, e);
      }
    });
  }
  el<HTMLFormElement>("case-note").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = el<HTMLTextAreaElement>("case-note-body");
    act(async (id) => {
      await addCaseNote(id, body.value);
      body.value = "";
    }, "dossier.note_added");
  });
  el("case-attach").addEventListener("click", () => {
    const file = el<HTMLInputElement>("case-attach-file").files?.[0];
    if (!file) return;
    act(async (id) => {
      await attachDocument(id, file.name, new Uint8Array(await file.arrayBuffer()));
      el<HTMLInputElement>("case-attach-file").value = "";
    }, "dossier.attached");
  });

  return { show, refresh, act, current: () => current };
}

type OpenCase = ReturnType<typeof createOpenCase>;

/** A payment for the open case (in the call in progress, if any). */
async function setUpCasePayment(error: HTMLElement, open: OpenCase) {
  const provider = el<HTMLSelectElement>("case-pay-provider");
  try {
    const setup = await paymentSetup();
    provider.replaceChildren(
      ...setup.providers.map((p) => new Option(`${t(`pay.provider_${p.name}`)}${p.test ? " (TEST)" : ""}`, p.name)),
    );
  } catch (e) {
    showError(error, e);
  }
  el<HTMLFormElement>("case-pay").addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = el<HTMLInputElement>("case-pay-amount");
    const description = el<HTMLInputElement>("case-pay-description");
    open.act(async (id) => {
      await requestCasePayment(id, {
        amount: amount.value,
        description: description.value,
        provider: provider.value as ProviderName,
      });
      amount.value = "";
      description.value = "";
    }, "dossier.payment_requested");
  });
}

/** The case of the call comes up by itself; changes to it and its payments show at once. */
function followChanges(error: HTMLElement, open: OpenCase) {
  void followDossier((event) => {
    if (event.kind === "show") {
      // The call's case comes first, also over the dashboard.
      if (!el("impact").hidden) showImpact(false);
      void open.show(event.case_id);
    }
    else if (open.current()?.summary.id === event.case_id) void open.refresh();
  }).catch((e) => showError(error, e));
  void followPayments((payment) => {
    const paymentOfCase = open
      .current()
      ?.timeline.some((e) => e.kind === "payment" && e.payment_id === payment.id);
    if (paymentOfCase) void open.refresh();
  }).catch((e) => showError(error, e));
}

/** Shows `view`: number, title, facts, timeline, documents and who viewed or changed it. */
function renderCase(view: CaseView, caseError: HTMLElement) {
  el("empty").hidden = true;
  const caseView = el<HTMLElement>("case");
  caseView.hidden = false;
  caseView.dataset.caseId = String(view.summary.id);
  el("case-number").textContent = view.summary.number;
  el("case-title").textContent = view.summary.title;
  el("case-call").hidden = !view.in_this_call;
  renderFacts(view);
  el<HTMLButtonElement>("case-one-go").disabled = view.handled_in_one_go;
  renderTimeline(view);
  renderDocuments(view, caseError);
  el<HTMLOListElement>("case-audit").replaceChildren(
    ...view.audit.slice(0, 30).map((line) => {
      const item = document.createElement("li");
      item.textContent = `${time(line.at_ms)} · ${line.actor} · ${t(`audit.${line.action}`)}`;
      return item;
    }),
  );
}

function renderFacts(view: CaseView) {
  const facts = el<HTMLDListElement>("case-facts");
  facts.replaceChildren();
  const fact = (key: string, value: string | null | undefined) => {
    if (!value) return;
    const dt = document.createElement("dt");
    dt.textContent = t(key);
    const dd = document.createElement("dd");
    dd.textContent = value;
    facts.append(dt, dd);
  };
  fact("dossier.party", `${view.party.name} (${t(`dossier.kind_${view.party.kind}`)})`);
  fact("dossier.enterprise_number", view.party.enterprise_number);
  fact("dossier.email", view.party.email);
  fact("dossier.phone", view.party.phone);
  fact("dossier.address", view.party.address);
  fact("dossier.national_number", view.party.national_number_masked);
  fact("dossier.birth_date", view.party.birth_date);
  fact("dossier.product", view.product);
  fact("dossier.clerk", view.assigned_clerk);
  if (view.handled_in_one_go) fact("dossier.one_go", t("dossier.yes"));
}

function renderTimeline(view: CaseView) {
  el<HTMLOListElement>("case-timeline").replaceChildren(
    ...view.timeline.map((entry) => {
      const item = document.createElement("li");
      item.dataset.kind = entry.kind;
      switch (entry.kind) {
        case "created":
          item.textContent = `${time(entry.at_ms)} · ${t("dossier.created")}`;
          break;
        case "note":
          item.textContent = `${time(entry.at_ms)} · ${entry.author}: ${entry.body}`;
          break;
        case "call":
          item.textContent = `${time(entry.at_ms)} · ${t(entry.ended_at_ms ? "dossier.call_ended" : "dossier.call")}`;
          break;
        case "payment":
          item.dataset.paymentId = entry.payment_id;
          item.dataset.status = entry.status;
          // Who takes the money, and TEST when it is test money (as recorded at creation).
          item.textContent = `${time(entry.at_ms)} · ${t("dossier.payment")}: ${entry.amount_text} ${entry.description} — ${t(`pay.status_${entry.status}`)} · ${t(`pay.provider_${entry.provider}`)}`;
          if (entry.mode !== "live") {
            const mode = entry.mode ?? "unknown";
            item.append(" ");
            item.append(Object.assign(document.createElement("span"), { className: `badge ${mode}`, textContent: t(`pay.badge_${mode}`) }));
          }
          break;
        case "identity":
          item.dataset.match = entry.party_match;
          item.textContent = `${time(entry.at_ms)} · ${t("dossier.identity", { means: entry.means, level: t(`identity.level_${entry.level}`) })} — ${t(`identity.party_${entry.party_match}`)} · ${entry.checked_by}`;
          break;
      }
      return item;
    }),
  );
}

function renderDocuments(view: CaseView, caseError: HTMLElement) {
  const documents = el<HTMLUListElement>("case-documents");
  documents.replaceChildren(
    ...view.documents.map((d) => {
      const item = document.createElement("li");
      item.textContent = `${d.name} (${Math.ceil(d.size_bytes / 1024)} kB, ${time(d.added_at_ms)}) `;
      const open = document.createElement("button");
      open.type = "button";
      open.className = "secondary";
      open.textContent = t("dossier.open_document");
      open.addEventListener("click", () => {
        openDocument(view.summary.id, d.id)
          .then((shown) => {
            if (shown !== null) showText(d.name, shown.text, shown.cut);
          })
          .catch((e) => showError(caseError, e));
      });
      item.append(open);
      return item;
    }),
  );
  if (view.documents.length === 0) {
    const none = document.createElement("li");
    none.textContent = t("dossier.no_documents");
    documents.append(none);
  }
}

/** The new-case dialog: the applicant and the subject; the number is given by Balie. */
function setUpNewCase(onCreated: (id: number) => Promise<void>) {
  const dialog = el<HTMLDialogElement>("new-case");
  const kind = el<HTMLSelectElement>("new-kind");
  const product = el<HTMLSelectElement>("new-product");
  const error = el<HTMLElement>("new-case-error");
  kind.replaceChildren(
    ...PARTY_KINDS.map((k) => new Option(t(`dossier.kind_${k}`), k)),
  );
  el("new-case-open").addEventListener("click", async () => {
    error.hidden = true;
    try {
      const setup = await paymentSetup();
      product.replaceChildren(
        new Option(t("dossier.no_product"), ""),
        ...setup.products.map((p) => new Option(p.name, p.id)),
      );
    } catch (e) {
      showError(error, e);
    }
    dialog.showModal();
  });
  el("new-case-create").addEventListener("click", async () => {
    error.hidden = true;
    const value = (id: string) => el<HTMLInputElement>(id).value;
    try {
      const id = await createCase({
        party_kind: kind.value as PartyKind,
        party_name: value("new-name"),
        enterprise_number: value("new-number") || undefined,
        email: value("new-email") || undefined,
        title: value("new-title"),
        product: product.value || undefined,
      });
      dialog.close();
      for (const field of ["new-name", "new-number", "new-email", "new-title"]) el<HTMLInputElement>(field).value = "";
      await onCreated(id);
    } catch (e) {
      showError(error, e);
    }
  });
}

/** The import dialog: a CSV or JSON file, all rows or none, every bad row listed. */
function setUpImport(onImported: () => void) {
  const dialog = el<HTMLDialogElement>("import");
  const file = el<HTMLInputElement>("import-file");
  const status = el<HTMLElement>("import-status");
  const errors = el<HTMLOListElement>("import-errors");
  el("import-open").addEventListener("click", () => {
    status.textContent = "";
    errors.replaceChildren();
    dialog.showModal();
  });
  el("import-run").addEventListener("click", async () => {
    const chosen = file.files?.[0];
    errors.replaceChildren();
    if (!chosen) {
      status.textContent = t("dossier.import_choose");
      return;
    }
    const format = chosen.name.toLowerCase().endsWith(".json") ? "json" : "csv";
    try {
      const outcome = await importCases(format, await chosen.text());
      if (outcome.kind === "imported") {
        status.textContent = t("dossier.imported", {
          cases: String(outcome.cases),
          parties: String(outcome.parties),
        });
        onImported();
      } else {
        status.textContent = t("dossier.import_refused", { count: String(outcome.errors.length) });
        errors.replaceChildren(
          ...outcome.errors.map((e) => {
            const item = document.createElement("li");
            const where = e.row === 0 ? t("dossier.import_file_whole") : t("dossier.import_row", { row: String(e.row) });
            item.textContent = `${where}${e.field ? ` (${e.field})` : ""}: ${e.message}`;
            return item;
          }),
        );
      }
    } catch (e) {
      showError(status, e);
    }
  });
}

void main();

/** A text document, shown as text (never as markup) in its own dialog. */
function showText(name: string, text: string, cut: boolean) {
  const dialog = el<HTMLDialogElement>("document-view");
  el<HTMLElement>("document-view-heading").textContent = name;
  el<HTMLElement>("document-view-text").textContent = text;
  el<HTMLElement>("document-view-cut").hidden = !cut;
  dialog.showModal();
}
