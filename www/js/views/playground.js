// View 1, the playground: edit logits, labels and options; every panel re-renders from the state.
import { h, uid } from "../dom.js";
import { computePlayground } from "../compute.js";
import { defaultState } from "../state.js";
import { createLogitGrid } from "../widgets/logit-grid.js";
import { createLossControls } from "../widgets/loss-controls.js";
import { createSummary } from "../widgets/summary.js";
import { createDistChart } from "../widgets/dist-chart.js";
import { createGradHeatmap } from "../widgets/grad-heatmap.js";
import { createEpsCurve } from "../widgets/eps-curve.js";
import { createFormula } from "../widgets/formula.js";
import { createTrace } from "../widgets/trace.js";
import { createEmbedEps } from "../widgets/embed-eps.js";
import { createTokenStats } from "../widgets/token-stats.js";

/** @type {(keyof import("../state.js").State)[]} */
const PLAYGROUND_FIELDS = [
  "vocab",
  "inputTokens",
  "logits",
  "labels",
  "epsilon",
  "ignoreIndex",
  "shiftLabels",
  "semantics",
  "reduction",
  "numItemsInBatch",
  "zLossScale",
  "softcap",
  "temperature",
  "classWeights",
  "position",
  "promptLength",
  "labelsBeforeMask",
];

/** @param {import("../shell.js").ViewContext} given */
export function createPlayground(given) {
  // A train panel's name means nothing here: show the whole view.
  const ctx = given.only?.startsWith("train-") ? { ...given, only: "" } : given;
  const { t, store } = ctx;
  ctx.resetPlayground = () => {
    const d = defaultState();
    store.set(Object.fromEntries(PLAYGROUND_FIELDS.map((f) => [f, d[f]])));
  };
  /** @param {string} key @param {{ el: HTMLElement, update(s: import("../state.js").State, d: import("../compute.js").Playground): void }} widget */
  const card = (key, widget, extraClass = "") => {
    const id = uid("h");
    return {
      key,
      widget,
      el: h(
        "section",
        { class: `card ${extraClass}`, "aria-labelledby": id, dataset: { widget: key } },
        h("h2", { id, text: t(`${key}.title`) }),
        widget.el,
      ),
    };
  };
  const grid = card("grid", createLogitGrid(ctx), "span-2");
  const controls = card("controls", createLossControls(ctx));
  const summary = card("summary", createSummary(ctx), "summary-card");
  const dist = card("dist", createDistChart(ctx));
  const heatmap = card("heatmap", createGradHeatmap(ctx));
  const curve = card("curve", createEpsCurve(ctx));
  const formula = card("formula", createFormula(ctx), "span-2");
  const trace = card("trace", createTrace(ctx), "span-2");
  const tokenStats = card("tokenStats", createTokenStats(ctx), "span-2");
  const all = [summary, grid, controls, tokenStats, dist, heatmap, curve, formula, trace];
  // One embedded panel without controls of its own gets a compact ε control (the grid has the full set).
  const embedEps = ctx.embedded && ctx.only && ctx.only !== "grid" ? createEmbedEps(ctx) : null;
  summary.el.classList.add("span-2");
  const intro = h("p", { class: "intro", text: t("playground.intro") });
  const el = h(
    "div",
    { class: "view view-playground" },
    ctx.only ? null : intro,
    embedEps?.el,
    h(
      "div",
      { class: ctx.only ? "cards only" : "cards" },
      all.map((c) => c.el),
    ),
  );

  /** @param {import("../state.js").State} s */
  function update(s) {
    const d = computePlayground(ctx.losslab, s);
    embedEps?.update(s, d);
    for (const c of all) {
      // "grid" embeds the interactive part: the grid with its controls and the loss.
      const shown =
        !ctx.only || ctx.only === c.key || (ctx.only === "grid" && (c.key === "controls" || c.key === "summary"));
      c.el.hidden = !shown;
      if (shown) c.widget.update(s, d);
    }
  }
  return { el, update };
}
