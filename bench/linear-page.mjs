// The benchmark page's fused linear cross-entropy cells: the loss of `hidden @ weightᵀ + bias`
// with its gradients of hidden, weight and bias, three ways — losslab's `linearCrossEntropy`
// (fused: vocabulary chunks, never the [N, V] logits), the same function with
// `materialize: true` (the full logits with the same GEMM, `crossEntropy` and its [N, V]
// gradient, the two gradient GEMMs), and tfjs-wasm (`matMul` + `softmaxCrossEntropy` under
// `tf.valueAndGrads`). bench/run.mjs opens a fresh page per cell, so wasm memory growth (memory
// only grows) is the cell's own peak. hf semantics, ε = 0.1, 10 % of labels ignored.
import * as lm from "./lossmath.mjs";

/** @typedef {import("./page.mjs").Timing} Timing */
/**
 * A gradient tensor in brief: its largest magnitude, entries at fixed hashed indices, and (with
 * the float64 reference) the worst entry's error as a fraction of the reference's max |g|.
 * @typedef {{ maxAbs: number, samples: number[], errOfMax?: number }} GradBrief
 */
/**
 * @typedef {{
 *   loss: number, lossRelErr?: number, grads: Record<"hidden" | "weight" | "bias", GradBrief>,
 *   memory: { beforeBytes: number, peakBytes: number, growthBytes: number, what: string },
 *   timing: any, wasm?: string,
 * }} LinearMeasurement
 */

/** What a linear cell needs from page.mjs (passed in: page.mjs imports this module). */
/**
 * @param {{
 *   loadLosslab: () => Promise<{ mod: typeof import("../pkg/losslab.js"), memory: WebAssembly.Memory, wasm: string }>,
 *   loadTfjs: () => Promise<{ tf: typeof import("@tensorflow/tfjs-core"), info: object }>,
 *   measure: (call: () => unknown, timing: Timing, hooks?: object) => Promise<any>,
 * }} deps
 */
export function makeLinearBench({ loadLosslab, loadTfjs, measure }) {
  /** @type {{ n: number, d: number, v: number, epsilon: number, ignoreIndex: number, hidden: Float32Array, weight: Float32Array, bias: Float32Array, labels: Int32Array, reference: null | { loss: number, grads: Record<string, Float64Array> } }} */
  const S = /** @type {any} */ ({});

  /**
   * Generates the inputs (hash generator: hidden ~ U(−1, 1), weight scaled by 1/√D so logits
   * have a spread of a few units, bias ~ U(−0.5, 0.5)) and, with `reference`, the float64 loss
   * and every gradient entry (small shapes only: it is N·V·D float64 work).
   * @param {{ dims: number[], seed: number, epsilon: number, ignoreIndex: number, reference: boolean }} c
   */
  function prepare({ dims, seed, epsilon, ignoreIndex, reference }) {
    const [n, d, v] = dims;
    const t0 = performance.now();
    Object.assign(S, {
      n,
      d,
      v,
      epsilon,
      ignoreIndex,
      hidden: lm.hashLogits(n * d, seed, 2),
      weight: lm.hashLogits(v * d, seed + 3, 24 / Math.sqrt(d)),
      bias: lm.hashLogits(v, seed + 4, 1),
      labels: lm.hashLabels(n, v, seed, ignoreIndex),
      reference: null,
    });
    const generateMs = performance.now() - t0;
    if (reference) S.reference = referenceLinear();
    return { generateMs, referenceLoss: S.reference?.loss ?? null, referenceMs: performance.now() - t0 - generateMs };
  }

  /** hf label-smoothed cross-entropy of the float64 logits of the f32 inputs, and its gradients. */
  function referenceLinear() {
    const { n, d, v, epsilon, ignoreIndex, hidden, weight, bias, labels } = S;
    const active = labels.reduce((k, y) => k + (y === ignoreIndex ? 0 : 1), 0);
    const gh = new Float64Array(n * d);
    const gw = new Float64Array(v * d);
    const gb = new Float64Array(v);
    const z = new Float64Array(v);
    let nll = 0;
    let smooth = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i];
      if (y === ignoreIndex) continue;
      let max = -Infinity;
      for (let c = 0; c < v; c++) {
        let s = bias[c];
        for (let k = 0; k < d; k++) s += hidden[i * d + k] * weight[c * d + k];
        z[c] = s;
        if (s > max) max = s;
      }
      let sum = 0;
      let sumZ = 0;
      for (let c = 0; c < v; c++) {
        sum += Math.exp(z[c] - max);
        sumZ += z[c];
      }
      const lse = max + Math.log(sum);
      nll += lse - z[y];
      smooth += lse - sumZ / v;
      // d/dz of [(1 − ε)(lse − z_y) + ε (lse − mean z)] / active.
      for (let c = 0; c < v; c++) {
        const g = (Math.exp(z[c] - lse) - (c === y ? 1 - epsilon : 0) - epsilon / v) / active;
        gb[c] += g;
        for (let k = 0; k < d; k++) {
          gh[i * d + k] += g * weight[c * d + k];
          gw[c * d + k] += g * hidden[i * d + k];
        }
      }
    }
    const loss = ((1 - epsilon) * nll + epsilon * smooth) / active;
    return { loss, grads: { hidden: gh, weight: gw, bias: gb } };
  }

  /** @param {ArrayLike<number>} g @param {string} name @returns {GradBrief} */
  function brief(g, name) {
    let maxAbs = 0;
    for (let i = 0; i < g.length; i++) maxAbs = Math.max(maxAbs, Math.abs(g[i]));
    const samples = [];
    for (let k = 0; k < 32; k++) samples.push(g[(Math.imul(k + 1, 0x9e3779b1) >>> 0) % g.length]);
    /** @type {GradBrief} */
    const out = { maxAbs, samples };
    const ref = S.reference?.grads[name];
    if (ref) {
      let refMax = 0;
      let worst = 0;
      for (let i = 0; i < ref.length; i++) refMax = Math.max(refMax, Math.abs(ref[i]));
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(g[i] - ref[i]));
      out.errOfMax = g.length === ref.length ? worst / refMax : Infinity;
    }
    return out;
  }

  /** @param {number} loss @param {Record<"hidden" | "weight" | "bias", ArrayLike<number>>} grads */
  function summarise(loss, grads) {
    const ref = S.reference;
    return {
      loss,
      ...(ref ? { lossRelErr: Math.abs(loss - ref.loss) / Math.abs(ref.loss) } : {}),
      grads: {
        hidden: brief(grads.hidden, "hidden"),
        weight: brief(grads.weight, "weight"),
        bias: brief(grads.bias, "bias"),
      },
    };
  }

  /** @param {boolean} materialize @param {Timing} timing @returns {Promise<LinearMeasurement>} */
  async function losslabCell(materialize, timing) {
    const { mod, memory, wasm } = await loadLosslab();
    // The layer's tensors are resident before the count starts, as a trainer holds its
    // parameters and activations: growth is what the loss itself needs (tfjs's tensors likewise).
    const [hidden, weight, bias] = [S.hidden, S.weight, S.bias].map((a) => mod.F32Buffer.fromArray(a));
    const input = { hidden, dims: [S.n, S.d, S.v], weight, bias, labels: S.labels };
    const options = { semantics: "hf", epsilon: S.epsilon, ignoreIndex: S.ignoreIndex, grad: true, materialize };
    const beforeBytes = memory.buffer.byteLength;
    /** @type {ReturnType<typeof summarise> | null} */
    let first = null;
    const timed = await measure(() => {
      const r = /** @type {any} */ (mod.linearCrossEntropy(input, /** @type {any} */ (options)));
      if (!first) first = summarise(r.loss, { hidden: r.gradHidden, weight: r.gradWeight, bias: r.gradBias });
      return r;
    }, timing);
    const peakBytes = memory.buffer.byteLength;
    return {
      .../** @type {ReturnType<typeof summarise>} */ (/** @type {unknown} */ (first)),
      memory: { beforeBytes, peakBytes, growthBytes: peakBytes - beforeBytes, what: "losslab's wasm memory" },
      timing: timed,
      wasm,
    };
  }

  /** @param {Timing} timing @returns {Promise<LinearMeasurement>} */
  async function tfjsCell(timing) {
    const { tf, info } = await loadTfjs();
    const { n, d, v } = S;
    const heap = () => /** @type {any} */ (tf.backend()).wasm?.HEAPU8?.buffer?.byteLength ?? NaN;
    const h = tf.tensor2d(S.hidden, [n, d]);
    const w = tf.tensor2d(S.weight, [v, d]);
    const b = tf.tensor1d(S.bias);
    const beforeBytes = heap();
    const classes = S.labels.map((y) => (y === S.ignoreIndex ? 0 : y));
    const weights = tf.tensor1d(Float32Array.from(S.labels, (y) => (y === S.ignoreIndex ? 0 : 1)));
    const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(classes, "int32"), v), "float32"));
    // tf.losses' label smoothing is HF's: onehot·(1 − ε) + ε / V; ignored rows weigh 0 and
    // SUM_BY_NONZERO_WEIGHTS divides by the active count.
    const f = (/** @type {any} */ hh, /** @type {any} */ ww, /** @type {any} */ bb) =>
      tf.losses.softmaxCrossEntropy(
        onehot,
        tf.add(tf.matMul(hh, ww, false, true), bb),
        weights,
        S.epsilon,
        tf.Reduction.SUM_BY_NONZERO_WEIGHTS,
      );
    const valueAndGrads = tf.valueAndGrads(/** @type {any} */ (f));
    /** @type {ReturnType<typeof summarise> | null} */
    let first = null;
    try {
      const timed = await measure(() => {
        /** @type {ReturnType<typeof valueAndGrads>} */
        let vg;
        try {
          vg = valueAndGrads([h, w, b]);
        } catch (e) {
          // tfjs-wasm traps when its heap cannot grow: say how large it had become.
          const m = e instanceof Error ? e.message : String(e);
          throw new Error(
            `${m} (tfjs-wasm heap ${(heap() / 2 ** 20).toFixed(0)} MiB, ${((heap() - beforeBytes) / 2 ** 20) | 0} MiB grown)`,
            { cause: e },
          );
        }
        const { value, grads } = vg;
        if (!first) {
          first = summarise(value.dataSync()[0], {
            hidden: grads[0].dataSync(),
            weight: grads[1].dataSync(),
            bias: grads[2].dataSync(),
          });
        } else {
          value.dataSync();
          grads[1].dataSync();
        }
        tf.dispose([value, ...grads]);
      }, timing);
      const peakBytes = heap();
      return {
        .../** @type {ReturnType<typeof summarise>} */ (/** @type {unknown} */ (first)),
        memory: { beforeBytes, peakBytes, growthBytes: peakBytes - beforeBytes, what: "tfjs-backend-wasm's heap" },
        timing: timed,
        wasm: JSON.stringify(info),
      };
    } finally {
      tf.dispose([weights, onehot, h, w, b]);
    }
  }

  /** @type {Record<string, (timing: Timing) => Promise<LinearMeasurement>>} */
  const CELLS = {
    "losslab-fused": (t) => losslabCell(false, t),
    "losslab-materialize": (t) => losslabCell(true, t),
    "tfjs-wasm": tfjsCell,
  };

  /** @param {{ peer: string, timing: Timing }} request */
  async function cell({ peer, timing }) {
    try {
      return { status: "ok", ...(await CELLS[peer](timing)) };
    } catch (e) {
      return { status: "failed", message: String((e instanceof Error ? e.message : undefined) ?? e) };
    }
  }

  return { prepare, cell };
}
