// The gradient d loss / d logits as a diverging heatmap: g = (p − q) / N on active rows, 0 elsewhere,
// with its colour scale (−max|g| … 0 … +max|g|). Cells show 2 digits; their titles the exact float32.
import { h, fill } from "../dom.js";
import { short, shortestF32 } from "../format.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createGradHeatmap(ctx) {
  const { t } = ctx;
  const note = h("p", { class: "hint" });
  const table = h("table", { class: "heatmap", dataset: { testid: "grad-heatmap" } });
  const scroller = h(
    "div",
    { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("heatmap.scroll") },
    table,
  );
  // The colour scale: the same colour mix the cells use, at −max|g|, 0 and +max|g|.
  const scaleMin = h("span", { class: "scale-value", dataset: { testid: "heatmap-scale-min" } });
  const scaleMax = h("span", { class: "scale-value", dataset: { testid: "heatmap-scale-max" } });
  const scale = h(
    "div",
    { class: "heat-scale", role: "img", dataset: { testid: "heatmap-scale" } },
    h("span", { class: "heat-scale-title", text: t("heatmap.scale") }),
    h("span", { class: "heat-scale-bar", "aria-hidden": "true" }),
    h("span", { class: "heat-scale-ticks", "aria-hidden": "true" }, scaleMin, h("span", { text: "0" }), scaleMax),
  );
  const el = h("div", {}, note, scale, scroller);

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const g = d.main?.grad;
    if (!g) {
      note.textContent = d.vectorLoss ? t("heatmap.vector") : t("heatmap.none");
      scale.hidden = true;
      fill(table);
      return;
    }
    note.textContent = t("heatmap.caption");
    const T = s.logits.length;
    const V = s.vocab.length;
    let max = 0;
    for (const x of g) if (Number.isFinite(x)) max = Math.max(max, Math.abs(x));
    scale.hidden = false;
    // The ends in the cells' own 2-digit form (a scale, not a result); the exact float32 in the aria label.
    const m = shortestF32(max);
    scaleMin.textContent = max === 0 ? "0" : `−${short(max, 2)}`;
    scaleMax.textContent = max === 0 ? "0" : `+${short(max, 2)}`;
    scale.setAttribute("aria-label", t("heatmap.scaleAria", { m }));
    const head = h(
      "tr",
      {},
      h("th", { scope: "col", text: t("grid.position") }),
      s.vocab.map((n) => h("th", { scope: "col", text: n })),
    );
    const rows = Array.from({ length: T }, (_, r) =>
      h(
        "tr",
        {},
        h("th", { scope: "row", text: String(r) }),
        Array.from({ length: V }, (_, c) => {
          const x = g[r * V + c];
          const td = h("td", { text: short(x, 2) });
          const a = Number.isFinite(x) && max > 0 ? x / max : 0;
          td.style.setProperty("--a", Math.abs(a).toFixed(3));
          td.className = a > 0 ? "pos" : a < 0 ? "neg" : "zero";
          if (!Number.isFinite(x)) td.className = "nonfinite";
          td.title = shortestF32(x); // g is a Float32Array: its own digits, not the widened double's
          return td;
        }),
      ),
    );
    fill(
      table,
      h("caption", { class: "sr-only", text: t("heatmap.title") }),
      h("thead", {}, head),
      h("tbody", {}, rows),
    );
  }
  return { el, update };
}
