// The golden case table, checked through the JavaScript API. Environment-agnostic: Node's
// test runner and the browser suites import it and pass in a loaded losslab module.

/** A golden number: a JSON number or "NaN" / "Infinity" / "-Infinity". @typedef {number | "NaN" | "Infinity" | "-Infinity"} GoldenNumber */
/**
 * A case of tests/golden/cases.json: its input (explicit, or hash-generated: then the file holds
 * the generator's parameters instead of the numbers) and PyTorch's answer, or the error PyTorch raised.
 * @typedef {{
 *   name: string, dims: number[], options: import("../../pkg/index.js").CrossEntropyOptions, error?: string,
 *   expected: {
 *     loss: GoldenNumber | null, nll: GoldenNumber, smooth: GoldenNumber, numActive: number,
 *     perTokenLoss?: GoldenNumber[], perTokenNll?: GoldenNumber[], perTokenSmooth?: GoldenNumber[], grad?: GoldenNumber[],
 *     gradSummary?: { maxAbs: number, sumAbs: number, sum: number, samples: [number, number][] },
 *   },
 * } & ({ logits: GoldenNumber[], labels: number[], generator?: undefined } | { generator: { seed: number, scale: number, ignore: number }, logits?: undefined, labels?: undefined })} GoldenCase
 */
/** @typedef {import("../../pkg/index.js").CrossEntropyResult} CrossEntropyResult */
/** The worst errors seen over a table run. @typedef {{ loss: number, lossCase: string, grad: number, gradCase: string }} Worst */

export const LOSS_REL = 1e-6;
export const GRAD_OF_MAX = 1e-5;

/** A golden number as a number. @param {GoldenNumber} v @returns {number} */
export const num = (v) => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);

/**
 * Relative error with non-finite values required to match exactly (and a missing value, null, too).
 * @param {number | null} got @param {number | null} want @param {number} [floor]
 */
export function relErr(got, want, floor = 1e-12) {
  if (got === null || want === null) return got === want ? 0 : Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) {
    return Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)) ? 0 : Infinity;
  }
  return Math.abs(got - want) / Math.max(Math.abs(want), floor);
}

/**
 * The case's input object and options (a gradient unless the case says grad: false).
 * @param {Pick<typeof import("../../pkg/index.js"), "hashLogits" | "hashLabels">} losslab @param {GoldenCase} c
 * @returns {{ input: import("../../pkg/index.js").CrossEntropyInput & { logits: Float32Array }, options: import("../../pkg/index.js").CrossEntropyOptions }}
 */
export function caseInput(losslab, c) {
  const [B, T, V] = c.dims;
  let logits, labels;
  if (c.generator) {
    const g = c.generator;
    logits = losslab.hashLogits(B * T * V, g.seed, g.scale);
    labels = losslab.hashLabels(B * T, V, g.seed, g.ignore);
  } else {
    logits = Float32Array.from(c.logits.map(num));
    labels = Int32Array.from(c.labels);
  }
  const options = { grad: true, ...c.options };
  return { input: { logits, dims: c.dims, labels }, options };
}

/** Every violation of result `r` against case `c`, as strings; updates `worst`. `lossRel` is
 *  the accuracy bar: 1e-6 for the CPU, 1e-5 for WebGPU (per-token values get the same bar, with
 *  values under 1 nat held to it absolutely).
 * @param {GoldenCase} c @param {CrossEntropyResult} r @param {Worst} [worst] @param {number} [lossRel]
 */
export function check(c, r, worst = { loss: 0, lossCase: "", grad: 0, gradCase: "" }, lossRel = LOSS_REL) {
  const e = c.expected;
  /** @type {string[]} */
  const bad = [];
  /** @param {string} what @param {number | null} got @param {GoldenNumber} want */
  const scalar = (what, got, want) => {
    const err = relErr(got, num(want));
    if (what === "loss" && err > worst.loss) Object.assign(worst, { loss: err, lossCase: c.name });
    if (err > lossRel) bad.push(`${c.name}: ${what} ${got} vs ${want} (rel err ${err})`);
  };
  if (e.loss === null) {
    if (r.loss !== null) bad.push(`${c.name}: loss should be null, got ${r.loss}`);
  } else scalar("loss", r.loss, e.loss);
  scalar("nll", r.nll, e.nll);
  scalar("smooth", r.smooth, e.smooth);
  if (r.numActive !== e.numActive) bad.push(`${c.name}: numActive ${r.numActive} vs ${e.numActive}`);
  for (const f of /** @type {const} */ (["perTokenLoss", "perTokenNll", "perTokenSmooth"])) {
    const want = e[f];
    if (!want) continue;
    const got = r[f];
    if (!(got instanceof Float32Array) || got.length !== want.length) {
      bad.push(`${c.name}: ${f} has the wrong type or length`);
      continue;
    }
    want.forEach((w, i) => {
      if (relErr(got[i], num(w), 1) > lossRel) bad.push(`${c.name}: ${f}[${i}] ${got[i]} vs ${w}`);
    });
  }
  const g = r.grad;
  if (e.grad) {
    const want = e.grad.map(num);
    const max = Math.max(1e-30, ...want.filter(Number.isFinite).map(Math.abs));
    if (!(g instanceof Float32Array) || g.length !== want.length)
      bad.push(`${c.name}: no gradient of the right length`);
    else {
      let err = 0;
      for (let i = 0; i < want.length; i++) {
        const ok = Number.isFinite(want[i])
          ? Math.abs(g[i] - want[i]) <= GRAD_OF_MAX * max
          : relErr(g[i], want[i]) === 0;
        if (Number.isFinite(want[i]) && Number.isFinite(g[i])) err = Math.max(err, Math.abs(g[i] - want[i]) / max);
        if (!ok) {
          bad.push(`${c.name}: grad[${i}] ${g[i]} vs ${want[i]}`);
          break;
        }
      }
      if (err > worst.grad) Object.assign(worst, { grad: err, gradCase: c.name });
    }
  }
  if (e.gradSummary) {
    const s = e.gradSummary;
    // The summary names no length: the gradient must cover every logit, or samples past its end
    // would read undefined and pass every tolerance check.
    const n = c.dims.reduce((a, d) => a * d, 1);
    if (!(g instanceof Float32Array) || g.length !== n)
      bad.push(`${c.name}: no gradient of ${n} entries (got ${g?.length})`);
    else {
      const tol = GRAD_OF_MAX * s.maxAbs;
      let maxAbs = 0,
        sumAbs = 0,
        sum = 0;
      for (const x of g) {
        maxAbs = Math.max(maxAbs, Math.abs(x));
        sumAbs += Math.abs(x);
        sum += x;
      }
      if (Math.abs(maxAbs - s.maxAbs) > tol) bad.push(`${c.name}: max |g| ${maxAbs} vs ${s.maxAbs}`);
      if (relErr(sumAbs, s.sumAbs) > 1e-5) bad.push(`${c.name}: sum |g| ${sumAbs} vs ${s.sumAbs}`);
      if (Math.abs(sum - s.sum) > 10 * tol) bad.push(`${c.name}: sum g ${sum} vs ${s.sum}`);
      let err = 0;
      for (const [i, w] of s.samples) {
        const d = Math.abs(g[i] - w);
        err = Math.max(err, d / s.maxAbs);
        if (d > tol) bad.push(`${c.name}: grad[${i}] ${g[i]} vs ${w}`);
      }
      if (err > worst.grad) Object.assign(worst, { grad: err, gradCase: c.name });
    }
  }
  return bad;
}

/** The fragment an error case's message must contain. @param {{ error?: string }} c */
export const errorFragment = (c) =>
  (c.error ?? "").includes("epsilon") ? /epsilon .*out of range/ : /label .*out of range/;
