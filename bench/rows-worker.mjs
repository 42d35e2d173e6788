// One worker of the benchmark's row-split cell: its own losslab instance (the build the package
// entry picks) computes a range of rows of logits that live in a SharedArrayBuffer, writing that
// range of the shared gradient. The page splits the rows and adds the partial losses.
/** @typedef {import("../pkg/losslab.js").CrossEntropyOptions} Options */
/**
 * @typedef {{
 *   logits: SharedArrayBuffer, grad: SharedArrayBuffer | null, labels: Int32Array,
 *   vocab: number, rows: [number, number], options: Options,
 * }} Setup
 */

const PKG_ENTRY = "/pkg/index.js";
/** @type {typeof import("../pkg/index.js")} */
const losslab = await import(PKG_ENTRY);
await losslab.default();

/** @type {import("../pkg/losslab.js").CrossEntropyInput | null} */
let input = null;
/** @type {Options} */
let options = {};

self.onmessage = (/** @type {MessageEvent<{ setup?: Setup }>} */ e) => {
  try {
    const s = e.data.setup;
    if (s) {
      const [start, end] = s.rows;
      input = {
        logits: new Float32Array(s.logits, start * s.vocab * 4, (end - start) * s.vocab),
        dims: [end - start, s.vocab],
        labels: s.labels.subarray(start, end),
      };
      if (s.grad) input.gradInto = new Float32Array(s.grad, start * s.vocab * 4, (end - start) * s.vocab);
      options = s.options;
      self.postMessage({ ready: true, wasm: losslab.relaxedSimd ? "losslab_relaxed_bg.wasm" : "losslab_bg.wasm" });
      return;
    }
    if (!input) throw new Error("run before setup");
    const r = losslab.crossEntropy(input, options);
    self.postMessage({ loss: r.loss, numActive: r.numActive });
  } catch (err) {
    self.postMessage({ error: String(err instanceof Error ? err.message : err) });
  }
};
self.postMessage({ loaded: true });
