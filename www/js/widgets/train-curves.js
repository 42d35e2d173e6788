// Live loss curves of every run (SVG): training loss per step and the held-out loss of the run's own
// objective at each evaluation, overlaid with a legend; reference lines for ln V (a uniform guess)
// and the label-smoothing floor; a step slider (and the pointer) reads every curve at one step; a
// table holds the final numbers.
import { h, s as svg, fill, uid } from "../dom.js";
import { short } from "../format.js";

const L = 46,
  R = 14,
  TOP = 14,
  B = 42;

/** @typedef {import("../trainer.js").Run} Run */
/** @typedef {import("../trainer.js").Objective} Objective */
/** What the curves are read against: ln V (a uniform guess), the label-smoothing floor at ε, V. @typedef {{ lnV: number | null, floor: number | null | undefined, eps: number, V: number | undefined }} Reference */

/** The held-out value a run is judged by: its own objective's. @type {(objective: Objective, e: import("../trainer.js").EvalPoint) => number} */
export const heldOutOf = (objective, e) => (objective === "clm" ? e.clm : objective === "sft" ? e.sft : e.sftUnmasked);

/**
 * "pre-training", "SFT (prompt masked) #2"… for a run, from its objective and its place among runs.
 * @param {import("../i18n.js").Translate} t @param {Run[]} runs @param {Run} run
 */
export function runLabel(t, runs, run) {
  const same = runs.filter((r) => r.objective === run.objective);
  const n = same.indexOf(run);
  return t(`train.obj.${run.objective}`) + (n > 0 ? ` #${n + 1}` : "");
}

/** @param {number} range @param {number} target */
function niceStep(range, target) {
  const raw = range / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** @param {import("../shell.js").ViewContext} ctx */
export function createTrainCurves(ctx) {
  const { t } = ctx;
  const titleId = uid("ct");
  // The drawing is sized to its box (one SVG unit = one CSS pixel), so labels stay legible from a
  // phone to a wide screen; a resize redraws it.
  let W = 640;
  let H = 300;
  const chart = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    class: "curve train-curves",
    role: "img",
    "aria-labelledby": titleId,
    dataset: { testid: "train-curves" },
  });
  const legend = h("ul", { class: "curve-legend", "aria-label": t("train.curves.legend") });
  const slider = h("input", {
    type: "range",
    min: "0",
    max: "1",
    step: "1",
    value: "0",
    id: uid("ctl"),
    dataset: { testid: "train-cursor" },
  });
  // The readout is what the slider's value means: its text is also the slider's aria-valuetext,
  // which screen readers announce as the value changes (a live region would chatter at 10 Hz).
  const readout = h("p", { class: "readout", id: uid("ro"), dataset: { testid: "train-readout" } });
  const empty = h("p", { class: "hint", text: t("train.curves.empty") });
  const cursorField = h(
    "div",
    { class: "field cursor-field" },
    h("label", { for: slider.id, text: t("train.curves.cursor") }),
    slider,
  );
  const box = h("div", { class: "chart-box" }, chart);
  const tbody = h("tbody", {});
  const table = h(
    "table",
    { class: "results train-results", dataset: { testid: "train-evals" } },
    h("caption", { class: "sr-only", text: t("train.curves.tableCaption") }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [
          "train.col.run",
          "train.col.steps",
          "train.col.train",
          "train.col.clm",
          "train.col.sft",
          "train.col.unmasked",
          "train.col.time",
        ].map((k) => h("th", { scope: "col", text: t(k) })),
      ),
    ),
    tbody,
  );
  const el = h(
    "div",
    { class: "train-curves-widget" },
    box,
    legend,
    cursorField,
    readout,
    empty,
    h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("train.curves.tableCaption") }, table),
  );

  /** @typedef {Run & { label: string }} Labelled */
  /** @type {{ runs: Labelled[], maxStep: number, x: (step: number) => number, y: (v: number) => number } | null} */
  let last = null; // the latest drawing, for the cursor
  /** @type {Parameters<typeof update> | null} */
  let lastArgs = null;
  let boxWidth = 0; // from the observer: reading it in update would force a layout of the page
  new ResizeObserver((entries) => {
    const w = Math.round(entries[entries.length - 1].contentRect.width);
    if (w <= 0 || Math.abs(w - boxWidth) < 1) return;
    boxWidth = w;
    if (lastArgs && Math.abs(Math.max(300, Math.min(1000, w)) - W) > 4) update(...lastArgs);
  }).observe(box);
  /** @type {number | null} */
  let cursor = null; // step the user points at (null: the end of the longest run)

  /** @param {number} step */
  const readAt = (step) => {
    if (!last || last.runs.length === 0) return "";
    const parts = last.runs.map((r) => {
      const i = Math.min(step, r.train.length) - 1;
      const train = i >= 0 ? r.train.slice(0, i + 1).findLast((v) => v !== undefined && v !== null) : undefined;
      const ev = r.evals.filter((e) => e.step <= step).at(-1);
      const bits = [];
      if (train !== undefined) bits.push(t("train.curves.readTrain", { v: short(train, 4) }));
      if (ev) bits.push(t("train.curves.readHeld", { v: short(heldOutOf(r.objective, ev), 4), step: ev.step }));
      return `${r.label}: ${bits.length ? bits.join(", ") : "—"}`;
    });
    return t("train.curves.readStep", { step }) + " " + parts.join(" · ");
  };

  /** @param {number} step @param {boolean} announce */
  const showCursor = (step, announce) => {
    cursor = step;
    slider.value = String(step);
    chart.querySelector(".cursor")?.remove();
    if (last && step > 0) {
      const x = last.x(step);
      chart.append(svg("line", { x1: x, y1: TOP, x2: x, y2: H - B, class: "cursor" }));
    }
    if (announce) {
      readout.textContent = readAt(step);
      slider.setAttribute("aria-valuetext", readout.textContent);
    }
  };
  slider.addEventListener("input", () => showCursor(Number(slider.value), true));
  chart.addEventListener("pointermove", (e) => {
    if (!last) return;
    const rect = chart.getBoundingClientRect();
    const vx = ((e.clientX - rect.left) / rect.width) * W;
    const step = Math.round(((vx - L) / (W - L - R)) * last.maxStep);
    if (step >= 1 && step <= last.maxStep) showCursor(step, true);
  });

  let frameKey = "";
  let legendKey = "";
  /** @type {Map<string, { train: SVGPathElement, held: SVGPathElement, dots: SVGGElement, evals: number }>} */
  const parts = new Map(); // run name → its paths in the current drawing

  /** @typedef {(v: number) => number} Scale */
  /** @type {(r: Run, x: Scale, y: Scale) => string} */
  const trainD = (r, x, y) => {
    let d = "";
    let pen = false;
    for (let i = 0; i < r.train.length; i++) {
      const v = r.train[i];
      if (v === undefined || v === null || !Number.isFinite(v)) continue;
      d += `${pen ? "L" : "M"}${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  /** @type {(r: Run, x: Scale, y: Scale) => string} */
  const heldD = (r, x, y) =>
    r.evals
      .map((e, i) => `${i ? "L" : "M"}${x(e.step).toFixed(1)},${y(heldOutOf(r.objective, e)).toFixed(1)}`)
      .join("");
  /** @type {(r: Labelled, x: Scale, y: Scale) => SVGCircleElement[]} */
  const dotsOf = (r, x, y) =>
    r.evals.map((e) =>
      svg(
        "circle",
        {
          cx: x(e.step).toFixed(1),
          cy: y(heldOutOf(r.objective, e)).toFixed(1),
          r: 3.5,
          class: `held-dot obj-${r.objective}`,
        },
        svg("title", {
          text: `${r.label}, ${t("train.curves.heldOut")}: ${short(heldOutOf(r.objective, e), 5)} (${t("train.curves.atStep", { step: e.step })})`,
        }),
      ),
    );

  /** runs: the session's runs; ref: { lnV, floor, eps, V }; full: false for a progress update, which
   *  only moves the paths when the frame (axes, runs, reference lines) is unchanged.
   * @param {Run[]} runs @param {Reference} ref @param {boolean} [full] */
  function update(runs, ref, full = true) {
    lastArgs = [runs, ref, full];
    if (boxWidth > 0) {
      W = Math.max(300, Math.min(1000, boxWidth));
      H = W < 500 ? 260 : 320;
    }
    const labelled = runs.map((r) => ({ ...r, label: runLabel(t, runs, r) }));
    empty.hidden = runs.length > 0;
    cursorField.hidden = runs.length === 0;
    const maxStep = Math.max(10, ...runs.map((r) => r.steps));
    let top = ref.lnV ?? 1;
    for (const r of runs) {
      for (const v of r.train) if (Number.isFinite(v) && v > top) top = v;
      for (const e of r.evals) if (heldOutOf(r.objective, e) > top) top = heldOutOf(r.objective, e);
    }
    // A rounded top keeps the frame (and so the cheap path) for most progress updates.
    const hi = Math.ceil(top * 1.06 * 2) / 2;
    const x = (/** @type {number} */ step) => L + (step / maxStep) * (W - L - R);
    const y = (/** @type {number} */ v) => TOP + (1 - Math.max(0, Math.min(v, hi)) / hi) * (H - TOP - B);
    last = { runs: labelled, maxStep, x, y };
    slider.max = String(maxStep);
    const title =
      runs.length === 0
        ? t("train.curves.ariaEmpty")
        : t("train.curves.aria", {
            list: labelled
              .map((r) => {
                const e = r.evals.at(-1);
                return `${r.label} ${e ? short(heldOutOf(r.objective, e), 4) : "—"}`;
              })
              .join("; "),
          });

    const key = JSON.stringify([W, H, maxStep, hi, ref, labelled.map((r) => [r.name, r.label, r.objective])]);
    if (key === frameKey) {
      const titleEl = chart.querySelector("title");
      if (titleEl) titleEl.textContent = title;
      for (const r of labelled) {
        const p = parts.get(r.name);
        if (!p) continue; // the same frame draws the same runs
        p.train.setAttribute("d", trainD(r, x, y));
        if (p.evals !== r.evals.length) {
          p.held.setAttribute("d", heldD(r, x, y));
          fill(p.dots, dotsOf(r, x, y));
          p.evals = r.evals.length;
        }
      }
    } else {
      frameKey = key;
      chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
      const xStep = niceStep(maxStep, 6);
      const yStep = niceStep(hi, 5);
      const xs = [];
      for (let v = 0; v <= maxStep + 1e-9; v += xStep) xs.push(v);
      const ys = [];
      for (let v = 0; v <= hi + 1e-9; v += yStep) ys.push(v);
      const children = [
        svg("title", { id: titleId, text: title }),
        ys.map((v) => svg("line", { x1: L, y1: y(v), x2: W - R, y2: y(v), class: "grid" })),
        svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis" }),
        svg("line", { x1: L, y1: TOP, x2: L, y2: H - B, class: "axis" }),
        xs.map((v) =>
          svg("text", { x: x(v), y: H - B + 15, class: "tick", "text-anchor": "middle", text: String(Math.round(v)) }),
        ),
        ys.map((v) => svg("text", { x: L - 5, y: y(v) + 4, class: "tick", "text-anchor": "end", text: short(v, 3) })),
        svg("text", {
          x: (L + W - R) / 2,
          y: H - 6,
          class: "axis-label",
          "text-anchor": "middle",
          text: t("train.curves.xAxis"),
        }),
        svg("text", {
          x: 12,
          y: (TOP + H - B) / 2,
          class: "axis-label",
          "text-anchor": "middle",
          transform: `rotate(-90 12 ${(TOP + H - B) / 2})`,
          text: t("train.curves.yAxis"),
        }),
      ];
      // Reference lines.
      if (ref.lnV) {
        children.push(
          svg("line", { x1: L, y1: y(ref.lnV), x2: W - R, y2: y(ref.lnV), class: "ref ref-lnv" }),
          svg("text", {
            x: W - R - 4,
            y: y(ref.lnV) - 5,
            class: "ref-label",
            "text-anchor": "end",
            text: t("train.curves.lnV", { V: ref.V, v: short(ref.lnV, 3) }),
          }),
        );
      }
      if (ref.floor !== null && ref.floor !== undefined) {
        children.push(
          svg("line", { x1: L, y1: y(ref.floor), x2: W - R, y2: y(ref.floor), class: "ref ref-floor" }),
          svg("text", {
            x: W - R - 4,
            y: y(ref.floor) - 5,
            class: "ref-label",
            "text-anchor": "end",
            text: t("train.curves.floor", { eps: ref.eps, v: short(ref.floor, 3) }),
          }),
        );
      }
      parts.clear();
      for (const r of labelled) {
        const cls = `obj-${r.objective}`;
        const p = {
          train: svg("path", {
            d: trainD(r, x, y),
            class: `train-line ${cls}`,
            dataset: { run: r.name, kind: "train" },
          }),
          held: svg("path", {
            d: heldD(r, x, y),
            class: `held-line ${cls}`,
            dataset: { run: r.name, kind: "held-out" },
          }),
          dots: svg("g", {}, dotsOf(r, x, y)),
          evals: r.evals.length,
        };
        parts.set(r.name, p);
        children.push(svg("g", { class: "run" }, p.train, p.held, p.dots));
      }
      fill(chart, children);
      if (cursor !== null) showCursor(Math.min(cursor, maxStep), false);
    }

    // Legend: per run, the thin training line and the thick held-out line with its dots.
    const lKey = JSON.stringify([labelled.map((r) => [r.label, r.objective]), ref]);
    if (lKey !== legendKey) {
      legendKey = lKey;
      const swatch = (/** @type {string} */ cls, /** @type {boolean} */ held) =>
        svg(
          "svg",
          { viewBox: "0 0 28 10", class: "legend-swatch", "aria-hidden": "true" },
          svg("line", { x1: 1, y1: 5, x2: 27, y2: 5, class: `${held ? "held-line" : "train-line"} ${cls}` }),
          held ? svg("circle", { cx: 14, cy: 5, r: 3, class: `held-dot ${cls}` }) : null,
        );
      const refSwatch = (/** @type {string} */ cls) =>
        svg(
          "svg",
          { viewBox: "0 0 28 10", class: "legend-swatch", "aria-hidden": "true" },
          svg("line", { x1: 1, y1: 5, x2: 27, y2: 5, class: `ref ${cls}` }),
        );
      fill(
        legend,
        labelled.map((r) => [
          h(
            "li",
            {},
            swatch(`obj-${r.objective}`, false),
            h("span", { text: `${r.label} — ${t("train.curves.trainLoss")}` }),
          ),
          h(
            "li",
            {},
            swatch(`obj-${r.objective}`, true),
            h("span", { text: `${r.label} — ${t(`train.curves.held.${r.objective}`)}` }),
          ),
        ]),
        ref.lnV ? h("li", {}, refSwatch("ref-lnv"), h("span", { text: t("train.curves.lnVLegend") })) : null,
        ref.floor !== null && ref.floor !== undefined
          ? h("li", {}, refSwatch("ref-floor"), h("span", { text: t("train.curves.floorLegend", { eps: ref.eps }) }))
          : null,
      );
    }
    // Final numbers per run (the running one as it goes).
    fill(
      tbody,
      labelled.map((r) => {
        const e = r.evals.at(-1);
        const lastTrain = r.train.findLast((v) => Number.isFinite(v));
        const cell = (/** @type {number | undefined} */ v, /** @type {boolean} */ own) =>
          h("td", { class: own ? "num own" : "num", text: v === undefined || v === null ? "—" : short(v, 4) });
        return h(
          "tr",
          {},
          h("th", { scope: "row", text: r.label }),
          h("td", { class: "num", text: r.done ? String(r.steps) : `${r.train.length} / ${r.steps}` }),
          cell(lastTrain, false),
          cell(e?.clm, r.objective === "clm"),
          cell(e?.sft, r.objective === "sft"),
          cell(e?.sftUnmasked, r.objective === "sft-unmasked"),
          h("td", { class: "num", text: r.done ? `${(r.elapsedMs / 1000).toFixed(1)} s` : "…" }),
        );
      }),
    );
    table.hidden = runs.length === 0;
    // Unless the learner points somewhere, the readout follows the latest step trained.
    if (cursor === null) {
      const latest = Math.max(0, ...runs.map((r) => r.train.length));
      slider.value = String(latest || maxStep);
      readout.textContent = runs.length ? readAt(latest) : "";
      slider.setAttribute("aria-valuetext", readout.textContent || t("train.curves.ariaEmpty"));
    } else if (full) {
      readout.textContent = readAt(Math.min(cursor, maxStep));
      slider.setAttribute("aria-valuetext", readout.textContent);
    }
  }
  return { el, update };
}
