// losslab's Engine in a module Web Worker: heavy cross-entropy calls (WebGPU or the CPU kernel)
// run here, on this worker's own wasm instance, and the page's main thread stays free. Start it
// with `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })`, or use
// `EngineWorker` from ./client.js, which speaks this protocol for you.
//
// Requests are `{ id, type, ...args }`; each gets one reply `{ id, ok: true, result }` or
// `{ id, ok: false, error: { message, code } }`. Arrays in replies are transferred, not copied.
//   create       { options }                  → { backend, reason, reasonCode, reasonParams, adapterInfo, calibration, simd }
//   put          { input }                    → handle (inputs kept here, sent once)
//   hashInput    { dims, seed, scale, ignoreIndex } → handle (inputs generated here)
//   crossEntropy { input | handle, options, on, keepGradient } → the result, plus `timeMs` (the
//                call's time in this worker) and, with keepGradient, `gradHandle` instead of `grad`
//   linearCrossEntropy { input, options, on } → linearCrossEntropy's result, routed by the
//                worker's Engine like crossEntropy (backend and backendReason* say where it ran
//                and why), plus `timeMs`
//   compare      { a, b }                     → { length, maxAbs, maxAbsDiff } of two kept gradients
//   release      { handle }                   → null
//   dispose      {}                           → null
import init, { Engine, crossEntropy, hashLabels, hashLogits, linearCrossEntropy, simdLevel } from "../index.js";

const ready = init();
/** @type {Engine | null} */
let engine = null;
/** Inputs and gradients kept in this worker, by handle. @type {Map<number, any>} */
const kept = new Map();
let nextHandle = 1;

const refuse = (message, code = "invalid-argument") => Object.assign(new Error(message), { code });

function keep(value) {
  const handle = nextHandle++;
  kept.set(handle, value);
  return handle;
}

function lookup(handle, what) {
  if (!kept.has(handle)) throw refuse(`${what}: no kept value has handle ${JSON.stringify(handle)}`);
  return kept.get(handle);
}

function need() {
  if (!engine) throw refuse('no engine: send a "create" request first', "unsupported");
  return engine;
}

/** Every ArrayBuffer a result holds, so the reply moves them instead of copying. */
function transferables(value) {
  const out = new Set();
  for (const v of Object.values(value ?? {})) if (ArrayBuffer.isView(v)) out.add(v.buffer);
  return [...out];
}

const handlers = {
  async create({ options }) {
    engine?.free();
    engine = null;
    engine = await Engine.create(options);
    const { backend, reason, reasonCode, reasonParams, adapterInfo, calibration } = engine;
    return { backend, reason, reasonCode, reasonParams, adapterInfo, calibration, simd: simdLevel() };
  },
  put: ({ input }) => keep(input),
  hashInput({ dims, seed, scale, ignoreIndex = -100 }) {
    if (!Array.isArray(dims) || dims.length !== 3) throw refuse("hashInput: dims must be [B, T, V]");
    const [b, t, v] = dims;
    return keep({
      logits: hashLogits(b * t * v, seed, scale),
      dims,
      labels: hashLabels(b * t, v, seed + 1, ignoreIndex),
    });
  },
  async crossEntropy({ input, handle, options, on = "engine", keepGradient = false }) {
    const args = handle === undefined ? input : lookup(handle, "crossEntropy");
    if (on !== "engine" && on !== "cpu")
      throw refuse(`crossEntropy: on must be "engine" or "cpu", got ${JSON.stringify(on)}`);
    const started = performance.now();
    const result = on === "cpu" ? crossEntropy(args, options) : await need().crossEntropy(args, options);
    result.timeMs = performance.now() - started;
    if (keepGradient && result.grad) {
      result.gradHandle = keep(result.grad);
      delete result.grad;
    }
    return result;
  },
  async linearCrossEntropy({ input, options, on = "engine" }) {
    if (on !== "engine" && on !== "cpu")
      throw refuse(`linearCrossEntropy: on must be "engine" or "cpu", got ${JSON.stringify(on)}`);
    const started = performance.now();
    const result = on === "cpu" ? linearCrossEntropy(input, options) : await need().linearCrossEntropy(input, options);
    result.timeMs = performance.now() - started;
    return result;
  },
  compare({ a, b }) {
    const x = lookup(a, "compare");
    const y = lookup(b, "compare");
    if (x.length !== y.length) throw refuse(`compare: lengths differ (${x.length} vs ${y.length})`);
    let maxAbs = 0;
    let maxAbsDiff = 0;
    for (let i = 0; i < x.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(y[i]));
      const d = Math.abs(x[i] - y[i]);
      // NaN where one side is NaN and the other is not: a difference worth showing.
      if (d > maxAbsDiff || (Number.isNaN(d) && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))))
        maxAbsDiff = Number.isNaN(d) ? Infinity : d;
    }
    return { length: x.length, maxAbs, maxAbsDiff };
  },
  release({ handle }) {
    kept.delete(handle);
    return null;
  },
  dispose() {
    engine?.free();
    engine = null;
    kept.clear();
    return null;
  },
};

self.onmessage = async ({ data }) => {
  const { id, type } = data ?? {};
  try {
    await ready;
    const handler = handlers[type];
    if (!handler) throw refuse(`unknown request type ${JSON.stringify(type)}`);
    const result = await handler(data);
    self.postMessage({ id, ok: true, result }, transferables(result));
  } catch (e) {
    self.postMessage({ id, ok: false, error: { message: String(e?.message ?? e), code: e?.code ?? "error" } });
  }
};
