// The gradient d loss / d logits as a diverging heatmap: g = (p − q) / N on active rows, 0 elsewhere.
import { h, fill } from "../dom.js";
import { short } from "../format.js";

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
  const el = h("div", {}, note, scroller);

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const g = d.main?.grad;
    if (!g) {
      note.textContent = d.vectorLoss ? t("heatmap.vector") : t("heatmap.none");
      fill(table);
      return;
    }
    note.textContent = t("heatmap.caption");
    const T = s.logits.length;
    const V = s.vocab.length;
    let max = 0;
    for (const x of g) if (Number.isFinite(x)) max = Math.max(max, Math.abs(x));
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
          td.title = String(x);
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
