// The live loss and its parts, the backend that computed it, and words for NaN/±inf and errors.
import { h, fill } from "../dom.js";
import { fmt, exact } from "../format.js";
import { noteText } from "../i18n.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createSummary(ctx) {
  const { t } = ctx;
  /** @param {string} key @param {string} testid @param {import("../dom.js").Props} [extra] */
  const item = (key, testid, extra = {}) => {
    const out = h("output", { dataset: { testid }, ...extra });
    return { out, el: h("div", { class: "stat" }, h("span", { class: "stat-label", text: t(key) }), out) };
  };
  const loss = item("summary.loss", "loss", { class: "big-number" });
  const nll = item("summary.nll", "nll");
  const smooth = item("summary.smooth", "smooth");
  const zLoss = item("summary.zLoss", "z-loss");
  const active = item("summary.numActive", "num-active");
  const denom = item("summary.denominator", "denominator");
  const backend = item("summary.backend", "backend");
  const identity = h("p", { class: "identity" });
  const notes = h("ul", { class: "notes", dataset: { testid: "notes" }, "aria-live": "polite" });
  const error = h("p", { class: "error", role: "alert", dataset: { testid: "error" }, hidden: true });
  const el = h(
    "div",
    { class: "summary" },
    h("div", { class: "stats" }, loss.el, nll.el, smooth.el, zLoss.el, active.el, denom.el, backend.el),
    identity,
    error,
    notes,
  );

  /** @param {{ out: HTMLOutputElement }} o @param {number | null} x */
  const put = (o, x) => {
    o.out.textContent = fmt(x);
    o.out.dataset.value = exact(x);
  };

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const r = d.main;
    error.hidden = !d.error;
    // The module's error code names the kind in the UI language; its message gives the details.
    const kind = d.errorCode ? t(`error.${d.errorCode}`) : "";
    if (d.error)
      error.textContent = `${t("summary.refused")} ${kind && kind !== `error.${d.errorCode}` ? `[${kind}] ` : ""}${d.error}`;
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
    active.out.textContent = String(r.numActive);
    active.out.dataset.value = String(r.numActive);
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
