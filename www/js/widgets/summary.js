// The live loss and its parts, the backend that computed it, and words for NaN/±inf and errors;
// each number copies its exact value, and the cell below reruns the inputs in PyTorch.
import { h, fill } from "../dom.js";
import { fmt, exact, refusalText } from "../format.js";
import { noteText } from "../i18n.js";
import { makeCopyButton } from "./copy-button.js";
import { createPytorchCell } from "./pytorch-cell.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createSummary(ctx) {
  const { t } = ctx;
  const words = { copied: t("summary.copied"), failed: t("summary.copyFailed") };
  /**
   * A number with its label and, when `copy` is set, a button copying its exact value (data-value).
   * @param {string} key @param {string} testid @param {import("../dom.js").Props} [extra] @param {boolean} [copy]
   */
  const item = (key, testid, extra = {}, copy = true) => {
    const out = h("output", { dataset: { testid }, ...extra });
    const name = t(key);
    const button = copy
      ? makeCopyButton(
          h("button", {
            type: "button",
            class: "copy-num",
            dataset: { testid: `copy-${testid}` },
            title: t("summary.copyExact", { name }),
            "aria-label": t("summary.copyExact", { name }),
            text: t("summary.copy"),
          }),
          () => out.dataset.value ?? null,
          words,
        )
      : null;
    const label = h("span", { class: "stat-label" }, h("span", { text: name }), button);
    return { out, button, el: h("div", { class: "stat" }, label, out) };
  };
  const loss = item("summary.loss", "loss", { class: "big-number" });
  const nll = item("summary.nll", "nll");
  const smooth = item("summary.smooth", "smooth");
  const zLoss = item("summary.zLoss", "z-loss");
  const active = item("summary.numActive", "num-active");
  const denom = item("summary.denominator", "denominator", {}, false);
  const backend = item("summary.backend", "backend", {}, false);
  const identity = h("p", { class: "identity" });
  const precision = h("p", { class: "hint precision-note", text: t("summary.precisionNote") });
  const notes = h("ul", { class: "notes", dataset: { testid: "notes" }, "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert", dataset: { testid: "error" }, hidden: true });
  const pytorch = createPytorchCell(ctx);
  const el = h(
    "div",
    { class: "summary" },
    h("div", { class: "stats" }, loss.el, nll.el, smooth.el, zLoss.el, active.el, denom.el, backend.el),
    identity,
    precision,
    error,
    notes,
    pytorch.el,
  );

  /** @param {{ out: HTMLOutputElement, button: HTMLButtonElement | null }} o @param {number | null} x */
  const put = (o, x) => {
    o.out.textContent = fmt(x);
    o.out.dataset.value = exact(x);
    if (o.button) o.button.disabled = x === null;
  };

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const r = d.main;
    pytorch.update(s, d);
    error.hidden = !d.error;
    // The module's error code names the kind in the UI language; in English its message gives the
    // details, in other languages the sentence for the code does, the original kept in the title.
    const kind = d.errorCode ? t(`error.${d.errorCode}`) : "";
    const said = d.error ? refusalText(t, ctx.lang, d.errorCode, d.error) : null;
    const translated = said !== null && said.text !== said.original;
    if (said)
      error.textContent = `${t("summary.refused")} ${!translated && kind && kind !== `error.${d.errorCode}` ? `[${kind}] ` : ""}${said.text}`;
    error.title = translated ? said.original : "";
    el.classList.toggle("has-error", !!d.error);
    if (!r) {
      for (const o of [loss, nll, smooth, zLoss, active, denom]) put(o, null);
      backend.out.textContent = "—";
      fill(notes);
      identity.textContent = "";
      return;
    }
    put(loss, r.loss);
    if (r.loss === null) loss.out.textContent = t("summary.vectorLoss");
    put(nll, r.nll);
    put(smooth, r.smooth);
    put(zLoss, r.zLoss);
    put(active, r.numActive);
    active.out.textContent = String(r.numActive);
    const D =
      s.semantics === "torch" && s.reduction !== "mean"
        ? t("summary.denomOne")
        : s.numItemsInBatch !== null
          ? t("summary.denomNib", { n: s.numItemsInBatch })
          : t("summary.denomActive", { n: r.numActive });
    denom.out.textContent = D;
    backend.out.textContent = r.backend;
    identity.textContent = t("summary.identity");
    fill(
      notes,
      r.notes.map((n) => h("li", { class: "note", dataset: { code: n.code }, text: noteText(ctx.lang, n, s) })),
    );
  }
  return { el, update };
}
