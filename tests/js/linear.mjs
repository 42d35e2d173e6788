// linearCrossEntropy through the JavaScript API: the golden table (tests/golden/linear.json), a
// property check against crossEntropy on logits materialised in float64, and non-finite rows.
// Environment-agnostic: Node's test runner and the browser suites import it and pass in a loaded
// losslab module (or an object whose linearCrossEntropy runs through an Engine or its worker).

import { num, relErr } from "./golden.mjs";

/** The loss within 1e-5 relative of float64 PyTorch; every gradient entry within 1e-4 of its
 *  tensor's largest magnitude. */
export const LINEAR_LOSS_REL = 1e-5;
export const LINEAR_GRAD_OF_MAX = 1e-4;

/** @typedef {import("./golden.mjs").GoldenNumber} GoldenNumber */
/** @typedef {{ maxAbs: number, sumAbs: number, sum: number, sumSq: number, samples: [number, number][] }} GradSummary */
/**
 * A case of tests/golden/linear.json: hash-generated tensors ({ seed, scale } for hashLogits) and
 * PyTorch's answer, gradients in full or summarised.
 * @typedef {{
 *   name: string, dims: number[], options: import("../../pkg/index.js").CrossEntropyOptions,
 *   hidden: { seed: number, scale: number }, weight: { seed: number, scale: number },
 *   bias?: { seed: number, scale: number }, labels: number[],
 *   expected: {
 *     loss: GoldenNumber | null, nll: GoldenNumber, smooth: GoldenNumber, numActive: number,
 *     perTokenLoss?: GoldenNumber[], perTokenNll?: GoldenNumber[], perTokenSmooth?: GoldenNumber[],
 *     gradHidden?: GoldenNumber[] | GradSummary, gradWeight?: GoldenNumber[] | GradSummary,
 *     gradBias?: GoldenNumber[] | GradSummary,
 *   },
 * }} LinearCase
 */
/** @typedef {import("../../pkg/index.js").LinearCrossEntropyInput} LinearInput */
/** @typedef {import("../../pkg/index.js").LinearCrossEntropyResult} LinearResult */
/** @typedef {import("../../pkg/index.js").CrossEntropyOptions} Options */
/** The hash generator and the two loss functions. @typedef {Pick<typeof import("../../pkg/index.js"), "hashLogits" | "crossEntropy" | "linearCrossEntropy">} Losslab */
/** The worst errors of a table run. @typedef {{ loss: number, lossCase: string, grad: number, gradCase: string }} LinearWorst */

/** `[N, D, V]` of a case's dims (either form). @param {number[]} dims */
export function sizes(dims) {
  const [d, v] = dims.slice(-2);
  const n = dims.slice(0, -2).reduce((a, x) => a * x, 1);
  return { n, d, v };
}

/** The case's input and options. @param {Pick<Losslab, "hashLogits">} losslab @param {LinearCase} c */
export function linearCaseInput(losslab, c) {
  const { n, d, v } = sizes(c.dims);
  /** Plain arrays (the API also takes F32Buffers). @type {LinearInput & { hidden: Float32Array, weight: Float32Array, bias?: Float32Array }} */
  const input = {
    hidden: losslab.hashLogits(n * d, c.hidden.seed, c.hidden.scale),
    dims: c.dims,
    weight: losslab.hashLogits(v * d, c.weight.seed, c.weight.scale),
    labels: Int32Array.from(c.labels),
  };
  if (c.bias) input.bias = losslab.hashLogits(v, c.bias.seed, c.bias.scale);
  return { input, options: c.options };
}

/**
 * A gradient against its golden (every entry, or the summary); pushes violations to `bad` and
 * returns the worst error as a fraction of the largest magnitude.
 * @param {string} what @param {Float32Array | undefined} got @param {GoldenNumber[] | GradSummary} want @param {number} length @param {string[]} bad
 */
function checkGrad(what, got, want, length, bad) {
  if (!(got instanceof Float32Array) || got.length !== length) {
    bad.push(`${what}: want a Float32Array of ${length}, got ${got?.constructor?.name} of ${got?.length}`);
    return Infinity;
  }
  if (Array.isArray(want)) {
    const w = want.map(num);
    const max = Math.max(1e-30, ...w.map(Math.abs));
    let err = 0;
    for (let i = 0; i < w.length; i++) {
      const e = Math.abs(got[i] - w[i]) / max;
      if (!(e <= LINEAR_GRAD_OF_MAX)) {
        bad.push(`${what}[${i}] ${got[i]} vs ${w[i]}`);
        return Infinity;
      }
      err = Math.max(err, e);
    }
    return err;
  }
  let maxAbs = 0,
    sumAbs = 0,
    sum = 0,
    sumSq = 0;
  for (const x of got) {
    maxAbs = Math.max(maxAbs, Math.abs(x));
    sumAbs += Math.abs(x);
    sum += x;
    sumSq += x * x;
  }
  // Each entry may be off by the bar, so Σg by the bar times Σ|g|.
  let err = Math.max(
    Math.abs(maxAbs - want.maxAbs) / want.maxAbs,
    Math.abs(sum - want.sum) / want.sumAbs,
    relErr(sumAbs, want.sumAbs),
    relErr(sumSq, want.sumSq),
  );
  for (const [i, w] of want.samples) err = Math.max(err, Math.abs(got[i] - w) / want.maxAbs);
  if (!(err <= LINEAR_GRAD_OF_MAX)) bad.push(`${what}: summary off by ${err} of max |g|`);
  return err;
}

/**
 * Every violation of result `r` against case `c`; updates `worst`.
 * @param {LinearCase} c @param {LinearResult} r @param {LinearWorst} [worst]
 */
export function checkLinear(c, r, worst = { loss: 0, lossCase: "", grad: 0, gradCase: "" }) {
  const e = c.expected;
  /** @type {string[]} */
  const bad = [];
  /** @param {string} what @param {number | null} got @param {GoldenNumber | null} want */
  const scalar = (what, got, want) => {
    const err = relErr(got, want === null ? null : num(want));
    if (err > worst.loss) Object.assign(worst, { loss: err, lossCase: c.name });
    if (!(err <= LINEAR_LOSS_REL)) bad.push(`${what} ${got} vs ${want} (rel err ${err})`);
  };
  scalar("loss", r.loss, e.loss);
  scalar("nll", r.nll, e.nll);
  scalar("smooth", r.smooth, e.smooth);
  if (r.numActive !== e.numActive) bad.push(`numActive ${r.numActive} vs ${e.numActive}`);
  for (const f of /** @type {const} */ (["perTokenLoss", "perTokenNll", "perTokenSmooth"])) {
    const want = e[f];
    if (!want) continue;
    const got = r[f];
    if (!(got instanceof Float32Array) || got.length !== want.length) bad.push(`${f}: wrong type or length`);
    else
      want.forEach((w, i) => {
        if (!(relErr(got[i], num(w), 1) <= LINEAR_LOSS_REL)) bad.push(`${f}[${i}] ${got[i]} vs ${w}`);
      });
  }
  if ("grad" in r) bad.push("a grad over the logits (there are none)");
  const { n, d, v } = sizes(c.dims);
  const lengths = { gradHidden: n * d, gradWeight: v * d, gradBias: v };
  for (const f of /** @type {const} */ (["gradHidden", "gradWeight", "gradBias"])) {
    const want = e[f];
    if (!want) {
      if (r[f] !== undefined) bad.push(`${f} present but not expected`);
      continue;
    }
    const err = checkGrad(f, r[f], want, lengths[f], bad);
    if (err > worst.grad) Object.assign(worst, { grad: err, gradCase: c.name });
  }
  return bad.map((m) => `${c.name}: ${m}`);
}

/**
 * The golden table through `call` (the synchronous function, an Engine, or its worker).
 * @param {Pick<Losslab, "hashLogits">} losslab @param {LinearCase[]} cases
 * @param {(input: LinearInput, options: Options) => LinearResult | Promise<LinearResult>} call
 */
export async function linearTable(losslab, cases, call) {
  /** @type {string[]} */
  const failures = [];
  const worst = { loss: 0, lossCase: "", grad: 0, gradCase: "" };
  let passed = 0;
  for (const c of cases) {
    const { input, options } = linearCaseInput(losslab, c);
    const bad = checkLinear(c, await call(input, options), worst);
    if (bad.length === 0) passed++;
    failures.push(...bad);
  }
  return { failures, cases: cases.length, passed, worst };
}

/** SplitMix64 in BigInt arithmetic: a uniform number in [0, 1) per call. @param {number} seed */
function random(seed) {
  let s = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & mask;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    z ^= z >> 31n;
    return Number(z >> 11n) / 2 ** 53;
  };
}

/**
 * Random shapes and options: linearCrossEntropy equals crossEntropy on the logits materialised
 * with a float64 matmul (rounded to f32 once), and its gradients equal the logits' gradient
 * pushed through the layer in float64.
 * @param {Losslab} losslab @param {number} trials @param {number} [seed]
 */
export function linearProperty(losslab, trials, seed = 7) {
  const rnd = random(seed);
  /** @param {number} lo @param {number} hi */
  const size = (lo, hi) => lo + Math.floor(rnd() * (hi - lo));
  /** @type {string[]} */
  const failures = [];
  let worstLoss = 0,
    worstGrad = 0;
  for (let trial = 0; trial < trials; trial++) {
    const [b, t, d, v] = [size(1, 3), size(1, 7), size(1, 24), size(2, 1500)];
    const n = b * t;
    const hidden = Float32Array.from({ length: n * d }, () => rnd() * 4 - 2);
    const weight = Float32Array.from({ length: v * d }, () => rnd() - 0.5);
    const bias = rnd() < 0.5 ? Float32Array.from({ length: v }, () => rnd() - 0.5) : undefined;
    const labels = Int32Array.from({ length: n }, () => (rnd() < 0.15 ? -100 : Math.floor(rnd() * v)));
    const torch = rnd() < 0.5;
    /** @type {Options} */
    const options = torch
      ? { semantics: "torch", epsilon: [0, 0.1, 0.3][size(0, 3)], reduction: rnd() < 0.3 ? "sum" : "mean" }
      : { semantics: "hf", epsilon: rnd() * 0.3 };
    if (torch && rnd() < 0.4) options.classWeights = Float32Array.from({ length: v }, () => 0.2 + 2 * rnd());
    if (rnd() < 0.3) options.shiftLabels = true;
    if (rnd() < 0.3) options.zLossScale = 1e-3;
    if (rnd() < 0.3) options.softcap = 4;
    options.grad = true;
    const logits = new Float32Array(n * v);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < v; c++) {
        let s = bias ? bias[c] : 0;
        for (let k = 0; k < d; k++) s += hidden[i * d + k] * weight[c * d + k];
        logits[i * v + c] = s;
      }
    const dims = rnd() < 0.5 ? [b, t, d, v] : [n, d, v];
    const ctx = `trial ${trial} dims [${dims}] ${JSON.stringify({ ...options, classWeights: undefined })}`;
    const got = losslab.linearCrossEntropy({ hidden, dims, weight, bias, labels }, options);
    // [N, D, V] is one sequence of N positions, as [N, V] is for crossEntropy (shiftLabels shifts along N).
    const want = losslab.crossEntropy({ logits, dims: dims.length === 3 ? [n, v] : [b, t, v], labels }, options);
    const lossErr = relErr(got.loss, want.loss);
    worstLoss = Math.max(worstLoss, lossErr);
    if (!(lossErr <= LINEAR_LOSS_REL)) failures.push(`${ctx}: loss ${got.loss} vs ${want.loss}`);
    if (got.numActive !== want.numActive || got.denominator !== want.denominator)
      failures.push(
        `${ctx}: numActive/denominator ${got.numActive}/${got.denominator} vs ${want.numActive}/${want.denominator}`,
      );
    if (JSON.stringify(got.notes) !== JSON.stringify(want.notes)) failures.push(`${ctx}: notes differ`);
    const g = /** @type {Float32Array} */ (want.grad);
    const gh = new Float64Array(n * d),
      gw = new Float64Array(v * d),
      gb = new Float64Array(v);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < v; c++) {
        const gz = g[i * v + c];
        if (gz === 0) continue;
        gb[c] += gz;
        for (let k = 0; k < d; k++) {
          gh[i * d + k] += gz * weight[c * d + k];
          gw[c * d + k] += gz * hidden[i * d + k];
        }
      }
    /** @type {[string, Float32Array | undefined, Float64Array | undefined][]} */
    const pairs = [
      ["gradHidden", got.gradHidden, gh],
      ["gradWeight", got.gradWeight, gw],
      ["gradBias", got.gradBias, bias ? gb : undefined],
    ];
    for (const [what, a, w] of pairs) {
      if (!w) {
        if (a !== undefined) failures.push(`${ctx}: ${what} without a bias`);
        continue;
      }
      if (!a || a.length !== w.length) {
        failures.push(`${ctx}: ${what} missing or of the wrong length`);
        continue;
      }
      let max = 1e-30;
      for (const x of w) max = Math.max(max, Math.abs(x));
      let err = 0;
      for (let i = 0; i < w.length; i++) err = Math.max(err, Math.abs(a[i] - w[i]) / max);
      worstGrad = Math.max(worstGrad, err);
      if (!(err <= LINEAR_GRAD_OF_MAX)) failures.push(`${ctx}: ${what} off by ${err} of max`);
    }
  }
  return { failures, trials, worstLoss, worstGrad };
}

/**
 * NaN, +inf and −inf logits (through the bias) and a NaN hidden row: the same notes, NaN and
 * infinities as crossEntropy on the materialised logits.
 * @param {Losslab} losslab
 */
export function linearNonFinite(losslab) {
  const [n, d, v] = [4, 3, 9];
  const hidden = losslab.hashLogits(n * d, 5, 4);
  const weight = losslab.hashLogits(v * d, 6, 1);
  const labels = Int32Array.from([2, -100, 7, 0]);
  /** @param {number} at @param {number} x */
  const biasWith = (at, x) => Float32Array.from({ length: v }, (_, c) => (c === at ? x : 0));
  const nanRow = hidden.slice();
  nanRow[d + 1] = NaN;
  /** @type {[string, Float32Array, Float32Array][]} */
  const rows = [
    ["NaN bias", hidden, biasWith(4, NaN)],
    ["+inf bias", hidden, biasWith(5, Infinity)],
    ["−inf bias away from the labels", hidden, biasWith(8, -Infinity)],
    ["−inf bias at a label", hidden, biasWith(7, -Infinity)],
    ["a NaN hidden row", nanRow, biasWith(0, 0)],
  ];
  /** @type {string[]} */
  const failures = [];
  const same = (/** @type {number | null} */ a, /** @type {number | null} */ b) =>
    Object.is(a, b) || (a !== null && b !== null && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
  for (const [what, h, bias] of rows)
    for (const options of /** @type {Options[]} */ ([{ epsilon: 0.1 }, { semantics: "torch", epsilon: 0 }])) {
      const logits = new Float32Array(n * v);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < v; c++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += h[i * d + k] * weight[c * d + k];
          logits[i * v + c] = Math.fround(Math.fround(s) + bias[c]);
        }
      const got = losslab.linearCrossEntropy({ hidden: h, dims: [n, d, v], weight, bias, labels }, options);
      const want = losslab.crossEntropy({ logits, dims: [n, v], labels }, options);
      const ctx = `${what} ${JSON.stringify(options)}`;
      const codes = (/** @type {{ notes: { code: string, position: number | null }[] }} */ r) =>
        JSON.stringify(r.notes.map((x) => [x.code, x.position]));
      if (codes(got) !== codes(want)) failures.push(`${ctx}: notes ${codes(got)} vs ${codes(want)}`);
      for (const k of /** @type {const} */ (["loss", "nll", "smooth"]))
        if (!same(got[k], want[k])) failures.push(`${ctx}: ${k} ${got[k]} vs ${want[k]}`);
    }
  return { failures, rows: rows.length };
}
