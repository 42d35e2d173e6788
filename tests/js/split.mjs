// Calls split by logits rows against one call over the same input: every field of the result,
// and the gradient, bit for bit. Shared by Node (crossEntropyRows / crossEntropyFromRows in one
// thread, ranges of every kind) and Chromium (CrossEntropyWorkers: real workers on
// SharedArrayBuffers).

/** @typedef {typeof import("../../pkg/losslab.js")} Losslab */
/** @typedef {import("../../pkg/losslab.js").CrossEntropyOptions} Options */
/** @typedef {{ name: string, dims: number[], seed: number, options: Options, ignoreAll?: boolean }} SplitCase */

const V = 700;
const STATS = /** @type {NonNullable<Options["stats"]>} */ (["entropy", "rank", "lse", "predicted"]);

/** The cases: both semantics, shift, every reduction, weights, z-loss, soft-cap, temperature,
 *  numItemsInBatch, statistics, and a batch with every label ignored. @type {SplitCase[]} */
export const SPLIT_CASES = [
  { name: "hf, ε = 0.1", dims: [2, 9, V], seed: 3, options: { epsilon: 0.1 } },
  {
    name: "hf, shiftLabels, gradient, every statistic",
    dims: [3, 7, V],
    seed: 4,
    options: { epsilon: 0.1, shiftLabels: true, grad: true, stats: STATS },
  },
  {
    name: "torch, reduction none, shiftLabels",
    dims: [2, 8, V],
    seed: 5,
    options: { semantics: "torch", epsilon: 0.05, reduction: "none", shiftLabels: true },
  },
  {
    name: "torch, sum, class weights, z-loss, soft-cap, gradient",
    dims: [1, 17, V],
    seed: 6,
    options: {
      semantics: "torch",
      reduction: "sum",
      classWeights: Float32Array.from({ length: V }, (_, i) => 0.5 + (i % 7) / 4),
      zLossScale: 1e-4,
      softcap: 30,
      grad: true,
    },
  },
  {
    name: "torch, numItemsInBatch, temperature 2.5, gradient, scalar kernel",
    dims: [4, 5, V],
    seed: 7,
    options: { semantics: "torch", numItemsInBatch: 7, temperature: 2.5, grad: true, kernel: "scalar" },
  },
  { name: "hf, every label ignored", dims: [2, 3, V], seed: 8, options: { grad: true }, ignoreAll: true },
];

/**
 * A case's input: hash-generated logits and labels (some ignored), in the arrays `alloc` makes.
 * @param {Losslab} losslab @param {SplitCase} c @param {(n: number) => Float32Array} [alloc]
 */
export function splitInput(losslab, c, alloc = (n) => new Float32Array(n)) {
  const [b, t, v] = c.dims;
  const logits = alloc(b * t * v);
  logits.set(losslab.hashLogits(b * t * v, c.seed, 6));
  const labels = losslab.hashLabels(b * t, v, c.seed, -100);
  labels[1] = -100;
  if (c.ignoreAll) labels.fill(-100);
  return { logits, dims: c.dims, labels };
}

/** Float32 bits, so NaN matches NaN and −0 differs from 0. @param {Float32Array} a */
const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/**
 * Where `got` differs from `want` (both crossEntropy results), the keys in `skip` aside.
 * @param {object} gotResult @param {object} wantResult @param {string[]} [skip]
 */
export function resultDifferences(gotResult, wantResult, skip = []) {
  const [got, want] = /** @type {Record<string, unknown>[]} */ ([gotResult, wantResult]);
  const out = [];
  const keys = new Set([...Object.keys(want), ...Object.keys(got)].filter((k) => !skip.includes(k)));
  for (const k of keys) {
    const [a, b] = [got[k], want[k]];
    const same =
      a instanceof Float32Array && b instanceof Float32Array
        ? gradientDifferences(a, b).length === 0
        : ArrayBuffer.isView(a) && ArrayBuffer.isView(b)
          ? JSON.stringify(Array.from(/** @type {Int32Array} */ (a))) ===
            JSON.stringify(Array.from(/** @type {Int32Array} */ (b)))
          : typeof a === "number" || typeof b === "number"
            ? Object.is(a, b)
            : JSON.stringify(a) === JSON.stringify(b);
    if (!same) out.push(`${k}: ${String(a).slice(0, 80)} ≠ ${String(b).slice(0, 80)}`);
  }
  return out;
}

/** The gradient a call leaves, bits compared. @param {Float32Array} got @param {Float32Array} want */
export function gradientDifferences(got, want) {
  if (got.length !== want.length) return [`gradient length ${got.length} ≠ ${want.length}`];
  const [g, w] = [bits(got), bits(want)];
  const i = g.findIndex((x, k) => x !== w[k]);
  return i < 0 ? [] : [`gradient[${i}] ${got[i]} ≠ ${want[i]}`];
}
