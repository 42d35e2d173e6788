// Per position: the predicted distribution p = softmax(logits) against the (smoothed) target q.
import { h, fill, uid } from "../dom.js";
import { short } from "../format.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createDistChart(ctx) {
  const { t, store } = ctx;
  const selId = uid("ctl");
  /** @type {HTMLSelectElement} */
  const select = h("select", {
    id: selId,
    dataset: { testid: "dist-position" },
    onchange: () => store.set({ position: Number(select.value) }),
  });
  const caption = h("p", { class: "hint" });
  const body = h("div", { class: "dist", role: "table", "aria-label": t("dist.title") });
  const legend = h(
    "p",
    { class: "legend" },
    h("span", { class: "swatch swatch-p", "aria-hidden": "true" }),
    t("dist.p"),
    " ",
    h("span", { class: "swatch swatch-q", "aria-hidden": "true" }),
    t("dist.q"),
  );
  const el = h(
    "div",
    {},
    h("div", { class: "field inline" }, h("label", { for: selId, text: t("dist.position") }), select),
    legend,
    caption,
    body,
  );

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const T = s.logits.length;
    const V = s.vocab.length;
    const opts = Array.from(
      { length: T },
      (_, r) => /** @type {const} */ ([r, `${r} · ${s.vocab[s.inputTokens[r]] ?? ""}`]),
    );
    const key = JSON.stringify(opts);
    if (select.dataset.opts !== key) {
      fill(
        select,
        opts.map(([v, text]) => h("option", { value: String(v), text })),
      );
      select.dataset.opts = key;
    }
    select.value = String(s.position);
    const r = s.position;
    const scored = r < d.rows;
    const y = scored ? d.targets[r] : null;
    const ignored = y === null || y === s.ignoreIndex;
    const cls = ignored ? null : y < 0 ? 0 : y;
    caption.textContent = !scored
      ? t("dist.shiftedAway")
      : cls === null
        ? t("dist.ignored")
        : t("dist.caption", { eps: s.epsilon, V, name: s.vocab[cls] ?? String(cls) });
    const rows = [
      h(
        "div",
        { class: "dist-row dist-head", role: "row" },
        h("span", { role: "columnheader", text: t("dist.token") }),
        h("span", { role: "columnheader", text: t("dist.bars") }),
        h("span", { role: "columnheader", class: "num", text: "p" }),
        h("span", { role: "columnheader", class: "num", text: "q" }),
      ),
    ];
    for (let c = 0; c < V; c++) {
      // p from the module's −log p (exp is presentation); q is the definition of the smoothed target.
      const nl = d.logp?.[r]?.[c];
      const p = nl === undefined ? NaN : Math.exp(-nl);
      const q = ignored ? null : (c === cls ? 1 - s.epsilon : 0) + s.epsilon / V;
      const pb = h("span", { class: "bar bar-p" });
      const qb = h("span", { class: "bar bar-q" });
      pb.style.width = `${Number.isFinite(p) ? Math.max(0, Math.min(1, p)) * 100 : 0}%`;
      qb.style.width = `${q === null ? 0 : Math.max(0, Math.min(1, q)) * 100}%`;
      rows.push(
        h(
          "div",
          { class: "dist-row" + (c === cls ? " is-target" : ""), role: "row" },
          h("span", { role: "rowheader", class: "token", text: s.vocab[c] }),
          h("span", { role: "cell", class: "bars" }, pb, qb),
          h("span", { role: "cell", class: "num", text: short(p) }),
          h("span", { role: "cell", class: "num", text: q === null ? "—" : short(q) }),
        ),
      );
    }
    fill(body, rows);
  }
  return { el, update };
}
