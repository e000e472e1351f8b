// The payment panel of the call window: ask for a payment (a product from the catalog or
// a free amount), show its QR code and link, follow its status live, cancel it, mark a
// transfer received, ask again. And the provider keys dialog.
import {
  cancelPayment,
  conversationPayments,
  followPayments,
  markPaymentReceived,
  paymentSetup,
  providerKeys,
  removeProviderKey,
  requestPayment,
  setProductPrice,
  setProviderKey,
  testProviderKey,
  type PaymentSetup,
  type PaymentView,
  type ProviderKeyView,
  type ProviderName,
} from "./ipc";
import { languageTag, showError, t } from "./i18n";
import { el, make } from "./common";

/** The panel; `conversationStarted` shows it for a new conversation. */
export function setUpPayments(windowError: HTMLElement) {
  const section = el<HTMLElement>("payments");
  const error = el<HTMLElement>("pay-error");
  const list = el<HTMLOListElement>("pay-list");
  const none = el<HTMLElement>("pay-none");
  const announce = el<HTMLElement>("pay-announce");
  let room: string | null = null;
  const shown = new Map<string, PaymentView>();

  const show = (view: PaymentView) => {
    if (room === null || view.room_id !== room) return;
    const before = shown.get(view.id);
    shown.set(view.id, view);
    const item = renderPayment(view, { announce, error, show });
    const old = list.querySelector(`[data-payment-id="${CSS.escape(view.id)}"]`);
    if (old) old.replaceWith(item);
    else list.prepend(item);
    none.hidden = shown.size > 0;
    if (before?.status !== view.status) {
      announce.textContent = `${view.amount_text}, ${view.description}: ${statusText(view)}`;
    }
  };
  const form = setUpPaymentForm(error, show);
  const reload = () => void paymentSetup().then(form.fill).catch((e) => showError(windowError, e));

  void followPayments(show).catch((e) => showError(windowError, e));
  setUpPrices(form.setup, reload);
  setUpKeys(reload);

  return {
    async conversationStarted(roomId: string) {
      room = roomId;
      shown.clear();
      list.replaceChildren();
      none.hidden = false;
      error.hidden = true;
      section.hidden = false;
      try {
        form.fill(await paymentSetup());
        for (const view of await conversationPayments()) show(view);
      } catch (e) {
        showError(windowError, e);
      }
    },
  };
}

/** The request form: a product from the catalog (filling amount and description) or a
 * free amount, the provider with its test or live mode, and *Vragen*. */
function setUpPaymentForm(error: HTMLElement, show: (view: PaymentView) => void) {
  const form = el<HTMLFormElement>("pay-form");
  const product = el<HTMLSelectElement>("pay-product");
  const amount = el<HTMLInputElement>("pay-amount");
  const description = el<HTMLInputElement>("pay-description");
  const provider = el<HTMLSelectElement>("pay-provider");
  const mode = el<HTMLElement>("pay-mode");
  const submit = el<HTMLButtonElement>("pay-request");
  let setup: PaymentSetup | null = null;

  const showMode = () => {
    const chosen = setup?.providers.find((p) => p.name === provider.value);
    mode.textContent = chosen ? t(chosen.test ? "pay.mode_test" : "pay.mode_live") : "";
    mode.dataset.mode = chosen?.test ? "test" : "live";
  };
  provider.addEventListener("change", showMode);
  product.addEventListener("change", () => {
    const chosen = setup?.products.find((p) => p.id === product.value);
    if (!chosen) return;
    // The clerk's own format: `45,00` in Dutch and French, `45.00` in English.
    amount.value = (chosen.price_cents / 100).toLocaleString(languageTag(), {
      minimumFractionDigits: 2,
      useGrouping: false,
    });
    description.value = chosen.name;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      const view = await requestPayment({
        amount: amount.value,
        description: description.value,
        provider: provider.value as ProviderName,
      });
      show(view);
      amount.value = "";
      description.value = "";
      product.value = "";
    } catch (e) {
      showError(error, e);
      amount.focus();
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });

  return {
    /** The catalog and the providers to offer. */
    fill(s: PaymentSetup) {
      setup = s;
      product.replaceChildren(
        new Option(t("pay.free_amount"), ""),
        ...s.products.map(
          (p) => new Option(`${p.name} — ${p.price_text}${p.digital ? "" : ` (${t("pay.not_digital")})`}`, p.id),
        ),
      );
      provider.replaceChildren(...s.providers.map((p) => new Option(t(`pay.provider_${p.name}`), p.name)));
      showMode();
    },
    /** What was offered last. */
    setup: () => setup,
  };
}

function statusText(view: PaymentView): string {
  return view.provider === "transfer" && view.status === "open"
    ? t("pay.status_awaiting_statement")
    : t(`pay.status_${view.status}`);
}

type PaymentContext = {
  /** Where changes are announced to screen readers. */
  announce: HTMLElement;
  /** Where the panel's errors go. */
  error: HTMLElement;
  /** Shows a payment that an action gave back. */
  show: (view: PaymentView) => void;
};

/** One payment in the panel: amount, description, test or live, provider and reference,
 * status, QR code and link while open, its timeline and what the clerk can do. */
function renderPayment(view: PaymentView, context: PaymentContext): HTMLLIElement {
  const item = make("li", { className: "payment" });
  item.dataset.paymentId = view.id;
  item.dataset.status = view.status;
  const head = make("p", { className: "payment-head" });
  head.append(make("strong", { text: view.amount_text }), ` ${view.description}`);
  const mode = view.mode ?? "unknown";
  const badge = make("span", {
    className: `badge ${mode}`,
    text: t(`pay.badge_${mode}`),
  });
  head.append(" ", badge);
  item.append(head);
  const meta = make("p", { className: "help" });
  meta.textContent = t(`pay.provider_${view.provider}`);
  if (view.reference) meta.textContent += ` · ${t("pay.reference")}: ${view.reference}`;
  item.append(meta);
  const state = make("p", { className: `payment-status ${view.status}`, text: statusText(view) });
  state.dataset.status = view.status;
  item.append(state);
  if (view.qr_svg_data_uri) {
    const qr = make("img", { className: "payment-qr" });
    qr.src = view.qr_svg_data_uri;
    qr.alt = t("pay.qr_alt");
    qr.width = 180;
    qr.height = 180;
    item.append(qr);
  }
  if (view.checkout_url) item.append(checkoutLink(view.checkout_url, context.announce));
  item.append(paymentTimeline(view));
  const actions = paymentActions(view, context);
  if (actions.childElementCount > 0) item.append(actions);
  return item;
}

/** The checkout address, to read out or copy. */
function checkoutLink(url: string, announce: HTMLElement): HTMLDivElement {
  const row = make("div", { className: "link-row" });
  const link = make("input");
  link.type = "text";
  link.readOnly = true;
  link.value = url;
  link.setAttribute("aria-label", t("pay.link"));
  const copy = make("button", { className: "secondary", text: t("pay.copy") });
  copy.type = "button";
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.value);
    } catch {
      link.select();
      document.execCommand("copy");
    }
    announce.textContent = t("gesprek.copied");
  });
  row.append(link, copy);
  return row;
}

/** Every step of the payment with its time and who said so. */
function paymentTimeline(view: PaymentView): HTMLOListElement {
  const timeline = make("ol", { className: "timeline" });
  timeline.setAttribute("aria-label", t("pay.timeline"));
  for (const step of view.steps) {
    const time = new Date(step.at_ms).toLocaleTimeString(languageTag(), {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    timeline.append(
      make("li", { text: `${time} · ${t(`pay.status_${step.status}`)} (${t(`pay.source_${step.source}`)})` }),
    );
  }
  return timeline;
}

/** *Annuleren* while open, *Ontvangen* for an open transfer, *Opnieuw vragen* after it failed. */
function paymentActions(view: PaymentView, context: PaymentContext): HTMLDivElement {
  const actions = make("div", { className: "actions" });
  const action = (key: string, run: () => Promise<PaymentView | void>, kind = "secondary") => {
    const b = make("button", { className: kind, text: t(key) });
    b.type = "button";
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        const result = await run();
        if (result) context.show(result);
      } catch (e) {
        showError(context.error, e);
      } finally {
        b.disabled = false;
      }
    });
    actions.append(b);
  };
  const open = view.status === "open" || view.status === "created";
  if (open) action("pay.cancel", () => cancelPayment(view.id));
  if (open && view.provider === "transfer") {
    action("pay.mark_received", () => markPaymentReceived(view.id), "");
  }
  // Not after a mismatch: money may have moved; the clerk checks with the provider first.
  if (view.status === "failed" || view.status === "expired" || view.status === "canceled") {
    action("pay.again", async () => {
      const amountOnly = view.amount_text.replace(/[^\d.,]/g, "");
      return requestPayment({
        amount: amountOnly,
        description: view.description,
        provider: view.provider,
      });
    });
  }
  return actions;
}

/** The provider keys dialog: enter, test and remove keys; test or live always shown. */
function setUpKeys(onChange: () => void) {
  const dialog = el<HTMLDialogElement>("keys");
  const container = el<HTMLElement>("keys-list");
  const status = el<HTMLElement>("keys-status");
  const error = el<HTMLElement>("keys-error");

  const render = (keys: ProviderKeyView[]) => {
    container.replaceChildren(
      ...keys.map((key) => {
        const group = make("fieldset", { className: "key" });
        group.append(make("legend", { text: t(`pay.provider_${key.name}`) }));
        group.append(
          make("p", {
            className: `key-state ${key.stored ? (key.test ? "test" : "live") : "none"}`,
            text: key.stored ? t(key.test ? "keys.stored_test" : "keys.stored_live") : t("keys.none"),
          }),
        );
        const id = `key-${key.name}`;
        const label = make("label", { text: t("keys.new_key") });
        label.htmlFor = id;
        const input = make("input");
        input.id = id;
        input.type = "password";
        input.autocomplete = "off";
        input.spellcheck = false;
        const row = make("div", { className: "link-row" });
        const button = (text: string, run: () => Promise<string>, kind = "secondary") => {
          const b = make("button", { className: kind, text: t(text) });
          b.type = "button";
          b.addEventListener("click", async () => {
            error.hidden = true;
            status.textContent = t("keys.busy");
            b.disabled = true;
            try {
              status.textContent = await run();
              render(await providerKeys());
              onChange();
            } catch (e) {
              status.textContent = "";
              showError(error, e);
            } finally {
              b.disabled = false;
            }
          });
          row.append(b);
        };
        button("keys.save", async () => {
          const saved = await setProviderKey(key.name, input.value);
          input.value = "";
          return t(saved.test ? "keys.saved_test" : "keys.saved_live");
        }, "");
        if (key.stored) {
          button("keys.test", async () => {
            await testProviderKey(key.name);
            return t("keys.test_ok");
          });
          button("keys.remove", async () => {
            await removeProviderKey(key.name);
            return t("keys.removed");
          });
        }
        group.append(label, input, row);
        return group;
      }),
    );
  };

  el("keys-open").addEventListener("click", async () => {
    error.hidden = true;
    status.textContent = "";
    try {
      render(await providerKeys());
      dialog.showModal();
    } catch (e) {
      showError(el<HTMLElement>("error"), e);
    }
  });
}

/** The prices dialog: the catalog's prices, each changed on its own. */
function setUpPrices(current: () => PaymentSetup | null, onChange: () => void) {
  const dialog = el<HTMLDialogElement>("prices");
  const container = el<HTMLElement>("prices-list");
  const status = el<HTMLElement>("prices-status");
  const error = el<HTMLElement>("prices-error");
  el("prices-open").addEventListener("click", () => {
    const setup = current();
    if (!setup) return;
    error.hidden = true;
    status.textContent = "";
    container.replaceChildren(
      ...setup.products.map((product) => {
        const row = make("div", { className: "price-row" });
        const id = `price-${product.id}`;
        const label = make("label", { text: product.name });
        label.htmlFor = id;
        const input = make("input");
        input.id = id;
        input.type = "text";
        input.inputMode = "decimal";
        input.autocomplete = "off";
        input.value = (product.price_cents / 100).toLocaleString(languageTag(), {
          minimumFractionDigits: 2,
          useGrouping: false,
        });
        const save = make("button", { className: "secondary", text: t("prices.save") });
        save.type = "button";
        save.addEventListener("click", async () => {
          error.hidden = true;
          try {
            const saved = await setProductPrice(product.id, input.value);
            status.textContent = t("prices.saved", { name: saved.name, price: saved.price_text });
            onChange();
          } catch (e) {
            status.textContent = "";
            showError(error, e);
            input.focus();
          }
        });
        const line = make("div", { className: "link-row" });
        line.append(input, save);
        row.append(label, line);
        return row;
      }),
    );
    dialog.showModal();
  });
}
