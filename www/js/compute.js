// Everything the playground shows, computed by wasm calls from the state (no loss math in JS).
import { errorMessage } from "./format.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("../pkg/index.js").CrossEntropyOptions} CrossEntropyOptions */
/** @typedef {import("../pkg/index.js").CrossEntropyResult} CrossEntropyResult */
/** What the playground's panels show, from one state. @typedef {ReturnType<typeof computePlayground>} Playground */

/**
 * The crossEntropy options the state asks for (undefined keys left out: the module is strict).
 * @param {State} s @param {CrossEntropyOptions} [overrides] @returns {CrossEntropyOptions}
 */
export function lossOptions(s, overrides = {}) {
  /** @type {CrossEntropyOptions} */
  const o = {
    semantics: s.semantics,
    epsilon: s.epsilon,
    ignoreIndex: s.ignoreIndex,
    shiftLabels: s.shiftLabels,
    zLossScale: s.zLossScale,
  };
  if (s.semantics === "torch") o.reduction = s.reduction;
  if (s.numItemsInBatch !== null) o.numItemsInBatch = s.numItemsInBatch;
  if (s.softcap !== null) o.softcap = s.softcap;
  if (s.temperature !== 1) o.temperature = s.temperature;
  // Passed in either semantics: hf refuses them, and the summary says so.
  if (s.classWeights.length > 0) o.classWeights = s.classWeights;
  return { ...o, ...overrides };
}

/**
 * A call's value, or the message and code of what it threw.
 * @template T @typedef {{ value: T, error: null, errorCode?: undefined } | { value: null, error: string, errorCode: string | null }} Attempt
 */
/** @template T @param {() => T} fn @returns {Attempt<T>} */
const attempt = (fn) => {
  try {
    return { value: fn(), error: null };
  } catch (e) {
    const code = typeof e === "object" && e !== null && "code" in e ? e.code : null;
    return { value: null, error: errorMessage(e), errorCode: code == null ? null : String(code) };
  }
};

/**
 * Runs the playground's wasm calls. Returns
 * { T, V, rows, main, error, logp, unmasked, trace, curve, targets }, where `rows` is the number
 * of scored rows (T − 1 with shift) and `targets[r]` the label row r is scored against.
 * @param {typeof import("../pkg/index.js")} L @param {State} s
 */
export function computePlayground(L, s) {
  const T = s.logits.length;
  const V = s.vocab.length;
  const rows = s.shiftLabels ? T - 1 : T;
  const flat = Float32Array.from(s.logits.flat());
  const labels = Int32Array.from(s.labels);
  const input = { logits: flat, dims: [1, T, V], labels };
  const vectorLoss = s.semantics === "torch" && s.reduction === "none";

  const main = attempt(() =>
    L.crossEntropy(input, lossOptions(s, { grad: !vectorLoss, stats: ["entropy", "rank", "predicted"] })),
  );
  const targets = Array.from({ length: rows }, (_, r) => s.labels[r + (s.shiftLabels ? 1 : 0)]);

  // −log softmax of every row, from the module (soft-capping included, as in the loss).
  const logp = attempt(() => {
    /** @type {import("../pkg/index.js").LogSoftmaxOptions} */
    const o = {};
    if (s.softcap !== null) o.softcap = s.softcap;
    if (s.temperature !== 1) o.temperature = s.temperature;
    const lp = L.logSoftmax({ logits: flat, dims: [T, V] }, o);
    return Array.from({ length: T }, (_, t) => Array.from(lp.subarray(t * V, t * V + V), (x) => -x));
  });

  // LabelSmoother's tensors before masked_fill: every scored row, label clamped to ≥ 0, none ignored.
  /** @type {Attempt<CrossEntropyResult | null>} */
  const unmasked =
    rows === 0
      ? { value: null, error: null }
      : attempt(() => {
          const rowsLogits = flat.subarray(0, rows * V);
          const clamped = Int32Array.from(targets, (y) => Math.max(0, y));
          /** @type {CrossEntropyOptions} */
          const opts = { epsilon: s.epsilon, ignoreIndex: -1 };
          if (s.softcap !== null) opts.softcap = s.softcap;
          if (s.temperature !== 1) opts.temperature = s.temperature;
          return L.crossEntropy({ logits: rowsLogits, dims: [1, rows, V], labels: clamped }, opts);
        });

  // The reference LabelSmoother itself (hf, no z-loss, no num_items_in_batch): the trace's result.
  const trace = attempt(() => {
    /** @type {CrossEntropyOptions} */
    const opts = { semantics: "hf", epsilon: s.epsilon, ignoreIndex: s.ignoreIndex, shiftLabels: s.shiftLabels };
    if (s.softcap !== null) opts.softcap = s.softcap;
    if (s.temperature !== 1) opts.temperature = s.temperature;
    return L.crossEntropy(input, opts);
  });

  // Loss against ε ∈ [0, 1] with everything else fixed (41 small calls).
  /** @type {Attempt<{ eps: number, loss: number }[]>} */
  const curve = vectorLoss
    ? { value: null, error: "vector", errorCode: null }
    : attempt(() =>
        Array.from({ length: 41 }, (_, k) => {
          const eps = k / 40;
          // A scalar: reduction "none" (a vector loss) has no curve.
          return { eps, loss: L.crossEntropy(input, lossOptions(s, { epsilon: eps })).loss ?? NaN };
        }),
      );

  return {
    T,
    V,
    rows,
    main: main.value,
    error: main.error,
    errorCode: main.errorCode,
    logp: logp.value,
    unmasked,
    trace,
    curve,
    targets,
    vectorLoss,
  };
}
