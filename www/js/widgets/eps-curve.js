// Loss against ε ∈ [0, 1] with everything else fixed, and the current ε marked (SVG).
import { h, s as svg, fill } from "../dom.js";
import { short, fmt } from "../format.js";

const W = 360,
  H = 200,
  L = 48,
  R = 12,
  TOP = 12,
  B = 36;

/** @param {import("../shell.js").ViewContext} ctx */
export function createEpsCurve(ctx) {
  const { t } = ctx;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "curve", role: "img" });
  const note = h("p", { class: "hint" });
  const el = h("div", { dataset: { testid: "eps-curve" } }, chart, note);

  /** @param {import("../state.js").State} st @param {import("../compute.js").Playground} d */
  function update(st, d) {
    const pts = d.curve?.value;
    if (!pts) {
      fill(chart);
      chart.setAttribute("aria-label", t("curve.title"));
      note.textContent = d.curve?.error === "vector" ? t("curve.vector") : d.curve?.error ? t("curve.error") : "";
      return;
    }
    const finite = pts.filter((p) => Number.isFinite(p.loss));
    if (finite.length === 0) {
      fill(chart);
      chart.setAttribute("aria-label", t("curve.title"));
      note.textContent = t("curve.nonFinite");
      return;
    }
    let lo = Math.min(...finite.map((p) => p.loss));
    let hi = Math.max(...finite.map((p) => p.loss));
    if (hi - lo < 1e-9) {
      lo -= 0.5;
      hi += 0.5;
    }
    const x = (/** @type {number} */ e) => L + e * (W - L - R);
    const y = (/** @type {number} */ v) => TOP + (1 - (v - lo) / (hi - lo)) * (H - TOP - B);
    let path = "";
    let pen = false;
    for (const p of pts) {
      if (!Number.isFinite(p.loss)) {
        pen = false;
        continue;
      }
      path += `${pen ? "L" : "M"}${x(p.eps).toFixed(1)},${y(p.loss).toFixed(1)}`;
      pen = true;
    }
    const ticksY = [lo, (lo + hi) / 2, hi];
    const children = [
      svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }),
      svg("line", { x1: L, y1: TOP, x2: L, y2: H - B, class: "axis" }),
      [0, 0.25, 0.5, 0.75, 1].map((e) =>
        svg("text", { x: x(e), y: H - B + 14, class: "tick", "text-anchor": "middle", text: String(e) }),
      ),
      ticksY.map((v) => svg("text", { x: L - 4, y: y(v) + 4, class: "tick", "text-anchor": "end", text: short(v, 3) })),
      svg("text", { x: (L + W - R) / 2, y: H - 4, class: "axis-label", "text-anchor": "middle", text: "ε" }),
      svg("path", { d: path, class: "line" }),
    ];
    const cur = st.epsilon;
    const curLoss = d.main?.loss;
    if (cur >= 0 && cur <= 1 && typeof curLoss === "number" && Number.isFinite(curLoss)) {
      children.push(svg("line", { x1: x(cur), y1: TOP, x2: x(cur), y2: H - B, class: "marker-line" }));
      children.push(svg("circle", { cx: x(cur), cy: y(curLoss), r: 4.5, class: "marker" }));
    }
    fill(chart, svg("title", { text: t("curve.title") }), children);
    const a = pts[0].loss;
    const b = pts[pts.length - 1].loss;
    chart.setAttribute("aria-label", t("curve.aria", { a: short(a, 5), b: short(b, 5) }));
    // Each point is the whole loss the summary shows at that ε, z-loss included: say so when it is on.
    const zl = d.main?.zLoss;
    const withZ =
      st.zLossScale > 0 && typeof zl === "number" ? " " + t("curve.zLoss", { z: st.zLossScale, zl: fmt(zl) }) : "";
    note.textContent =
      (st.semantics === "hf" ? t("curve.linear") : t("curve.torch")) +
      withZ +
      (cur < 0 || cur > 1 ? " " + t("curve.outside") : "");
  }
  return { el, update };
}
