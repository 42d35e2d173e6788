// The benchmark page. bench/run.mjs opens a fresh page per cell (one peer, one mode, one shape),
// so every peer starts from a fresh renderer and fresh wasm memory: `prepare` makes the inputs
// (and, once per shape, the float64 reference), then `cell` times one peer. Everything a peer
// needs is set up before its clock starts; only the loss computation is timed.
import * as lm from "./lossmath.mjs";
import { makeLinearBench } from "./linear-page.mjs";
import { softmaxCrossEntropyModel } from "./ort-model.mjs";

/** @typedef {typeof import("../pkg/losslab.js")} Losslab */
/** How long to time a cell. @typedef {{ runs: number, minSampleMs: number, budgetMs: number }} Timing */
/**
 * What a cell measured besides its times: the first call's loss (or the ceiling's sum), where it
 * ran, gradient entries at the sampled indices.
 * @typedef {{
 *   loss?: number | null, value?: number | null, backend?: string, backendReason?: string | null, fallbackReason?: string | null,
 *   gradSamples?: number[], heapAfterFirstBytes?: number | null, wasm?: string,
 * }} CellOut
 */
/** A peer's timing and what it computed. @typedef {CellOut & { timing: Measured, memory?: Memory, adapter?: unknown, tfjs?: TfjsInfo, ort?: OrtInfo, workers?: WorkersInfo, calibration?: unknown }} Measurement */
/** @typedef {Measurement | { unavailable: string }} CellResult */
/** @typedef {({ status: "ok" } & Measurement) | { status: "not available" | "failed", message: string }} CellResponse */
/** @typedef {{ beforeBytes: number, afterFirstBytes: number, peakBytes: number }} Memory */
/** @typedef {{ version: string, backend: string, simd: boolean, multithread: boolean, threads: number, wasmFiles?: string[] }} TfjsInfo */
/** @typedef {Awaited<ReturnType<typeof measure>>} Measured */
/**
 * The shape's inputs, made by `prepare` before any peer's clock starts.
 * @typedef {{ dims: number[], vocab: number, rows: number, epsilon: number, ignoreIndex: number, logits: Float32Array, labels: Int32Array, samples: number[] }} Inputs
 */

// tfjs alone loads ~900 modules: without room for them, the Resource Timing buffer (250 entries
// by default) would drop the wasm files the report names (`resourcesLoaded`).
performance.setResourceTimingBufferSize(10000);

// Filled by `prepare`, which every cell's page runs first.
const S = /** @type {Inputs} */ ({});

const now = () => performance.now();
/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Generates the shape's inputs; with `reference`, also the float64 loss and gradient samples.
 * @param {{ dims: number[], seed: number, scale: number, epsilon: number, ignoreIndex: number, reference: boolean }} config
 */
function prepare({ dims, seed, scale, epsilon, ignoreIndex, reference }) {
  const [b, t, v] = dims;
  const t0 = now();
  S.dims = dims;
  S.vocab = v;
  S.rows = b * t;
  S.epsilon = epsilon;
  S.ignoreIndex = ignoreIndex;
  S.logits = lm.hashLogits(b * t * v, seed, scale);
  S.labels = lm.hashLabels(b * t, v, seed, ignoreIndex);
  S.samples = lm.gradSampleIndices(S.labels, v, ignoreIndex);
  /** @type {{ generateMs: number, sampleIndices: number[], reference?: { loss: number, nll: number, smooth: number, numActive: number, maxAbsGrad: number, gradSamples: number[], ms: number } }} */
  const out = { generateMs: now() - t0, sampleIndices: S.samples };
  if (reference) {
    const t1 = now();
    const ref = lm.referenceLoss(S.logits, S.labels, v, epsilon, ignoreIndex);
    const grad = lm.referenceGrad(S.logits, S.labels, v, epsilon, ignoreIndex, ref.lse, ref.numActive, S.samples);
    out.reference = {
      loss: ref.loss,
      nll: ref.nll,
      smooth: ref.smooth,
      numActive: ref.numActive,
      maxAbsGrad: ref.maxAbsGrad,
      gradSamples: grad,
      ms: now() - t1,
    };
  }
  return out;
}

/**
 * Times `call`: a first (cold) call, a warm-up, then `runs` samples of `reps` back-to-back calls
 * each, `reps` chosen so a sample lasts at least `minSampleMs` (performance.now() is coarse, 100 µs,
 * in a page that is not cross-origin isolated). Fewer runs when they would exceed `budgetMs`.
 * A failure after the first call (tfjs runs out of wasm memory on repeated large gradients) ends
 * the timing: what completed is kept, and `failedAtCall` / `failure` say what happened.
 * @template R
 * @param {() => R | Promise<R>} call @param {Timing} timing @param {{ afterFirst?: (first: R) => void, afterCall?: () => void }} [hooks]
 */
async function measure(call, { runs, minSampleMs, budgetMs }, hooks = {}) {
  let t0 = now();
  const first = await call();
  const firstMs = now() - t0;
  hooks.afterFirst?.(first);
  let calls = 1;
  /** @type {number[]} */
  const warmMs = [];
  /** @type {number[]} */
  const samples = [];
  let reps = 1;
  /** @type {{ failedAtCall: number, failure: string } | null} */
  let failure = null;
  try {
    // The cold call can be far slower than the rest (tfjs grows its heap and uploads tensors,
    // V8 tiers up wasm), so the estimate comes from warm calls: at least one, more for 300 ms.
    const w0 = now();
    do {
      t0 = now();
      await call();
      calls++;
      warmMs.push(now() - t0);
    } while (now() - w0 < 300 && warmMs.length < 50);
    const estimate = (now() - w0) / warmMs.length;
    hooks.afterCall?.();
    reps = Math.max(1, Math.ceil(minSampleMs / Math.max(estimate, 1e-3)));
    const perSample = estimate * reps;
    // As many runs as fit the budget (at most `runs`); three if three fit in twice the budget.
    let n = Math.max(1, Math.min(runs, Math.floor(budgetMs / perSample)));
    if (n < 3 && 3 * perSample <= 2 * budgetMs) n = Math.min(3, runs);
    for (let i = 0; i < n; i++) {
      t0 = now();
      for (let k = 0; k < reps; k++) {
        await call();
        calls++;
      }
      samples.push((now() - t0) / reps);
      hooks.afterCall?.();
    }
  } catch (e) {
    failure = { failedAtCall: calls + 1, failure: message(e) };
  }
  // After a failure with no timed sample, the warm calls that completed stand in for samples.
  const timed = samples.length ? samples : warmMs.length ? warmMs : [firstMs];
  return {
    medianMs: median(timed),
    minMs: Math.min(...timed),
    maxMs: Math.max(...timed),
    runs: timed.length,
    reps: samples.length ? reps : 1,
    warmups: warmMs.length + 1,
    firstMs,
    samplesMs: timed,
    samplesFrom: samples.length ? "timed runs" : warmMs.length ? "warm-up calls" : "the cold call",
    ...failure,
  };
}

/** @type {(arr: ArrayLike<number>, idx: number[]) => number[]} */
const pick = (arr, idx) => idx.map((i) => arr[i]);
/** The file names of the page's fetched resources that start with `prefix` (Resource Timing). @param {string} prefix */
const resourcesLoaded = (prefix) =>
  performance
    .getEntriesByType("resource")
    .map((e) => e.name.split("/").pop() ?? "")
    .filter((n) => n.startsWith(prefix));
/** @param {unknown} e */
const message = (e) => String((e instanceof Error ? e.message : undefined) ?? e).slice(0, 500);

// The package's files, served from the repository root (URLs, not paths the type checker resolves).
const PKG_ENTRY = "/pkg/index.js";
const PKG_SPLIT = "/pkg/engine/split.js";
const TFJS_GRADIENTS = "@tensorflow/tfjs-core/dist/register_all_gradients";

// ---------------------------------------------------------------------------------------------
// losslab

let instances = 0;

/** A losslab module instance of its own (a fresh page has fresh wasm memory anyway), with the
 *  wasm build the package entry picks (`build: "default"`: relaxed-simd where the browser has
 *  it) or the plain simd128 build every engine runs (`build: "simd128"`). */
async function loadLosslab(build = "default") {
  const { relaxedSimd } = /** @type {typeof import("../pkg/index.js")} */ (await import(PKG_ENTRY));
  const wasm = build === "default" && relaxedSimd ? "/pkg/losslab_relaxed_bg.wasm" : "/pkg/losslab_bg.wasm";
  /** @type {Losslab} */
  const mod = await import(`/pkg/losslab.js?instance=${++instances}`);
  const exports = await mod.default({ module_or_path: wasm });
  return { mod, memory: exports.memory, wasm: wasm.split("/").pop() ?? wasm };
}

/** @param {{ kernel: "simd" | "scalar", grad: boolean, copy: boolean, into?: boolean, build?: string, epsilon?: number }} peer @param {Timing} timing @returns {Promise<CellResult>} */
async function losslabCell({ kernel, grad, copy, into = false, build, epsilon = S.epsilon }, timing) {
  const { mod, memory, wasm } = await loadLosslab(build);
  /** @type {import("../pkg/losslab.js").CrossEntropyInput} */
  const input = { logits: S.logits, dims: S.dims, labels: S.labels };
  /** @type {import("../pkg/losslab.js").F32Buffer | null} */
  let logitsBuf = null;
  /** @type {import("../pkg/losslab.js").F32Buffer | null} */
  let gradBuf = null;
  // "into": the caller's own Float32Array, reused across calls, as a training loop would.
  const gradArray = copy && grad && into ? new Float32Array(S.logits.length) : null;
  if (gradArray) input.gradInto = gradArray;
  if (!copy) {
    logitsBuf = mod.F32Buffer.fromArray(S.logits);
    input.logits = logitsBuf;
    if (grad) {
      gradBuf = new mod.F32Buffer(S.logits.length);
      input.gradInto = gradBuf;
    }
  }
  const options = { epsilon, ignoreIndex: S.ignoreIndex, grad, kernel };
  const mem = { beforeBytes: memory.buffer.byteLength, afterFirstBytes: 0, peakBytes: 0 };
  /** @type {CellOut} */
  let out = {};
  const t = await measure(() => mod.crossEntropy(input, options), timing, {
    afterFirst: (r) => {
      mem.afterFirstBytes = memory.buffer.byteLength;
      out = { loss: r.loss, backend: r.backend, wasm };
      const g = gradArray ?? (copy ? r.grad : gradBuf?.view());
      if (grad && g) out.gradSamples = pick(g, S.samples);
    },
    afterCall: () => {
      mem.peakBytes = Math.max(mem.peakBytes, memory.buffer.byteLength);
    },
  });
  logitsBuf?.free();
  gradBuf?.free();
  return { ...out, timing: t, memory: mem };
}

/** @param {{ grad: boolean }} peer @param {Timing} timing @returns {Promise<CellResult>} */
async function webgpuCell({ grad }, timing) {
  const { mod } = await loadLosslab();
  if (typeof mod.Engine?.create !== "function") {
    return { unavailable: "this losslab build exports no Engine (the WebGPU engine is not built in)" };
  }
  if (!navigator.gpu) return { unavailable: "navigator.gpu is missing in this browser" };
  let engine;
  try {
    engine = await mod.Engine.create({ backend: "webgpu" });
  } catch (e) {
    return { unavailable: `Engine.create({backend: "webgpu"}) threw: ${message(e)}` };
  }
  if (engine.backend !== "webgpu") {
    return { unavailable: engine.reason ?? `the engine runs on ${engine.backend}` };
  }
  // As for the CPU rows: logits in an F32Buffer, gradient into one. Each call still uploads the
  // logits to the GPU and reads the gradient back; that is part of what this row measures.
  const logitsBuf = mod.F32Buffer.fromArray(S.logits);
  const gradBuf = grad ? new mod.F32Buffer(S.logits.length) : null;
  /** @type {import("../pkg/losslab.js").CrossEntropyInput} */
  const input = { logits: logitsBuf, dims: S.dims, labels: S.labels };
  if (gradBuf) input.gradInto = gradBuf;
  const options = { epsilon: S.epsilon, ignoreIndex: S.ignoreIndex, grad };
  /** @type {CellOut} */
  let out = {};
  const t = await measure(() => engine.crossEntropy(input, options), timing, {
    afterFirst: (r) => {
      out = { loss: r.loss, backend: r.backend, fallbackReason: r.fallbackReason ?? null };
      if (gradBuf) out.gradSamples = pick(gradBuf.view(), S.samples);
    },
  });
  /** @type {unknown} */
  let adapter = engine.adapterInfo;
  try {
    adapter = JSON.parse(JSON.stringify(adapter ?? null));
  } catch {
    adapter = String(adapter);
  }
  logitsBuf.free();
  gradBuf?.free();
  engine.free();
  return { ...out, timing: t, adapter };
}

// ---------------------------------------------------------------------------------------------
// tfjs, wasm SIMD backend, one thread

async function loadTfjs() {
  const tf = await import("@tensorflow/tfjs-core");
  // What the @tensorflow/tfjs union package does: tfjs-core alone registers no gradients. (A
  // side-effect module with no types: the specifier is a string the checker does not resolve.)
  await import(TFJS_GRADIENTS);
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths("/node_modules/@tensorflow/tfjs-backend-wasm/dist/");
  wasm.setThreadsCount(1);
  // The page is cross-origin isolated (for onnxruntime-web's threads), where the wasm backend
  // would pick its threaded binary: keep the single-threaded SIMD one this row measures.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const info = {
    version: tf.version_core,
    backend: tf.getBackend(),
    simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
    multithread: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
    threads: wasm.getThreadsCount(),
    // Seen from the page (bench/run.mjs also watches Chromium's requests): which binary loaded.
    wasmFiles: resourcesLoaded("tfjs-backend-wasm"),
  };
  return { tf, info };
}

/** The wasm backend's heap, when the backend is tfjs-backend-wasm. @typedef {{ wasm?: { HEAPU8?: Uint8Array } }} WasmBackend */

/** @param {{ grad: boolean }} peer @param {Timing} timing @returns {Promise<CellResult>} */
async function tfjsCell({ grad }, timing) {
  const { tf, info } = await loadTfjs();
  const n = S.rows;
  const v = S.vocab;
  const active = S.labels.map((y) => (y === S.ignoreIndex ? 0 : 1));
  // Ignored rows get class 0 and weight 0; SUM_BY_NONZERO_WEIGHTS divides by the active count.
  const classes = S.labels.map((y) => (y === S.ignoreIndex ? 0 : y));
  const logits = tf.tensor2d(S.logits, [n, v]);
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(classes, "int32"), v), "float32"));
  const weights = tf.tensor1d(Float32Array.from(active));
  const loss = (/** @type {import("@tensorflow/tfjs-core").Tensor} */ x) =>
    tf.losses.softmaxCrossEntropy(onehot, x, weights, S.epsilon, tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
  const valueAndGrad = tf.valueAndGrad(loss);
  const heapBytes = () =>
    /** @type {WasmBackend} */ (/** @type {unknown} */ (tf.backend())).wasm?.HEAPU8?.buffer?.byteLength ?? null;
  /** @type {CellOut} */
  let out = {};
  const forward = () => {
    const l = tf.tidy(() => loss(logits));
    const value = l.dataSync()[0];
    l.dispose();
    return { loss: value };
  };
  const withGrad = () => {
    const { value, grad: g } = tf.tidy(() => valueAndGrad(logits));
    const result = { loss: value.dataSync()[0], g };
    value.dispose();
    return result;
  };
  try {
    const t = await measure(
      grad
        ? () => {
            const r = withGrad();
            if (!out.loss) {
              out = {
                loss: r.loss,
                gradSamples: Array.from(
                  tf.tidy(() => tf.gather(tf.reshape(r.g, [-1]), tf.tensor1d(S.samples, "int32"))).dataSync(),
                ),
              };
            }
            r.g.dispose();
            return r;
          }
        : forward,
      timing,
      {
        afterFirst: (r) => {
          if (!grad) out = { loss: r.loss };
          out.heapAfterFirstBytes = heapBytes();
        },
      },
    );
    return { ...out, timing: t, tfjs: info };
  } finally {
    tf.dispose([logits, onehot, weights]);
  }
}

// ---------------------------------------------------------------------------------------------
// onnxruntime-web, wasm execution provider, at label smoothing 0

/**
 * What the ORT cell ran: the version, whether the page was cross-origin isolated (threads need
 * it), the threads asked for and those ORT runs with (it falls back to 1 without isolation), the
 * wasm files the page fetched, and the model.
 * @typedef {{ version: string, crossOriginIsolated: boolean, requestedThreads: number, threads: number, hardwareConcurrency: number, wasmFiles: string[], modelBytes: number }} OrtInfo
 */

/**
 * onnxruntime-web on the one-node model of bench/ort-model.mjs (SoftmaxCrossEntropyLoss,
 * reduction "mean", ignore_index −100). ONNX has no label smoothing, so this computes ε = 0: its
 * row is checked against the float64 loss at ε = 0 and compared with the ε = 0 losslab cells.
 * Forward only (ORT-web runs inference; there is no gradient to ask for). `threads` 0 means
 * navigator.hardwareConcurrency. The ort.Tensors are made before timing (labels as int64, the
 * type ONNX takes); every run copies the scores into ORT's wasm heap, as each ORT-web run on
 * CPU data does: its wasm backend has no resident inputs.
 * @param {{ grad: boolean, threads: number }} peer @param {Timing} timing @returns {Promise<CellResult>}
 */
async function ortCell({ grad, threads }, timing) {
  if (grad) return { unavailable: "onnxruntime-web runs inference only: no gradient" };
  const ort = await import("onnxruntime-web");
  const requestedThreads = threads || navigator.hardwareConcurrency;
  ort.env.wasm.numThreads = requestedThreads;
  ort.env.logLevel = "error";
  const model = softmaxCrossEntropyModel({ ignoreIndex: S.ignoreIndex });
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  const feeds = {
    scores: new ort.Tensor("float32", S.logits, [S.rows, S.vocab]),
    labels: new ort.Tensor(
      "int64",
      BigInt64Array.from(S.labels, (y) => BigInt(y)),
      [S.rows],
    ),
  };
  /** @type {CellOut} */
  let out = {};
  try {
    const t = await measure(
      async () => {
        const { loss } = await session.run(feeds);
        return Number(loss.data[0]);
      },
      timing,
      { afterFirst: (loss) => (out = { loss }) },
    );
    /** @type {OrtInfo} */
    const info = {
      version: ort.env.versions.web ?? ort.env.versions.common,
      crossOriginIsolated: self.crossOriginIsolated,
      requestedThreads,
      threads: ort.env.wasm.numThreads ?? 1,
      hardwareConcurrency: navigator.hardwareConcurrency,
      wasmFiles: resourcesLoaded("ort-wasm"),
      modelBytes: model.length,
    };
    return { ...out, timing: t, ort: info };
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// losslab, rows split across workers

/** @typedef {{ workers: number, wasm: string, crossOriginIsolated: boolean }} WorkersInfo */

/**
 * `CrossEntropyWorkers` with one worker per logical CPU, each with its own losslab instance,
 * reading a Float32Array on a SharedArrayBuffer (what a cross-origin isolated page can hand to
 * workers without copying) and writing its rows of a shared gradient (`gradInto`, the caller's,
 * reused). The page's own instance reduces the rows: the result is one call's, bit for bit.
 * @param {{ grad: boolean, epsilon?: number }} peer @param {Timing} timing @returns {Promise<CellResult>}
 */
async function workersCell({ grad, epsilon = S.epsilon }, timing) {
  if (!self.crossOriginIsolated) return { unavailable: "the page is not cross-origin isolated: no SharedArrayBuffer" };
  const count = navigator.hardwareConcurrency;
  if (!(count >= 2)) return { unavailable: `navigator.hardwareConcurrency is ${count}: no second core` };
  const entry = /** @type {typeof import("../pkg/index.js")} */ (await import(PKG_ENTRY));
  await entry.default();
  const { CrossEntropyWorkers, sharedFloat32Array } = /** @type {typeof import("../pkg/engine/split.js")} */ (
    await import(PKG_SPLIT)
  );
  const logits = sharedFloat32Array(S.logits.length);
  logits.set(S.logits);
  const gradInto = grad ? sharedFloat32Array(S.logits.length) : undefined;
  const input = { logits, dims: S.dims, labels: S.labels, ...(gradInto ? { gradInto } : {}) };
  const options = { epsilon, ignoreIndex: S.ignoreIndex, grad, kernel: /** @type {const} */ ("simd") };
  let pool;
  try {
    pool = await CrossEntropyWorkers.create({ workers: count });
  } catch (e) {
    // No shared memory for workers here (WebKitGTK cannot post it): not this engine's row.
    if (/** @type {{ code?: string }} */ (e).code === "unsupported") return { unavailable: message(e) };
    throw e;
  }
  try {
    /** @type {CellOut} */
    let out = {};
    const t = await measure(() => pool.crossEntropy(input, options), timing, {
      afterFirst: (r) => {
        out = {
          loss: r.loss,
          backend: r.backend,
          wasm: pool.simd === "relaxed-simd" ? "losslab_relaxed_bg.wasm" : "losslab_bg.wasm",
        };
        if (gradInto) out.gradSamples = pick(gradInto, S.samples);
      },
    });
    /** @type {WorkersInfo} */
    const info = { workers: pool.workers, wasm: out.wasm ?? "?", crossOriginIsolated: self.crossOriginIsolated };
    return { ...out, timing: t, workers: info };
  } finally {
    pool.terminate();
  }
}

// ---------------------------------------------------------------------------------------------
// plain JavaScript and the memory ceilings

/** @param {{ grad: boolean }} peer @param {Timing} timing @returns {Promise<CellResult>} */
async function plainCell({ grad }, timing) {
  /** @type {CellOut} */
  let out = {};
  const g = grad ? new Float32Array(S.logits.length) : null;
  const call = g
    ? () => lm.plainForwardGrad(S.logits, S.labels, S.vocab, S.epsilon, S.ignoreIndex, g)
    : () => lm.plainForward(S.logits, S.labels, S.vocab, S.epsilon, S.ignoreIndex);
  const t = await measure(call, timing, {
    afterFirst: (loss) => {
      out = { loss };
      if (g) out.gradSamples = pick(g, S.samples);
    },
  });
  return { ...out, timing: t };
}

/** ceiling.wat's exports. @typedef {{ memory: WebAssembly.Memory, sum: (offset: number, n: number) => number, copy: (src: number, dst: number, n: number) => void }} Ceiling */

/** @param {{ grad: boolean }} peer @param {Timing} timing @returns {Promise<CellResult>} */
async function ceilingCell({ grad }, timing) {
  const bytes = await (await fetch("/bench/ceiling.wasm")).arrayBuffer();
  const { instance } = await WebAssembly.instantiate(bytes);
  const { memory, sum, copy } = /** @type {Ceiling} */ (/** @type {unknown} */ (instance.exports));
  const n = S.logits.length;
  const need = (grad ? 2 : 1) * n * 4;
  const have = memory.buffer.byteLength;
  if (need > have) memory.grow(Math.ceil((need - have) / 65536));
  new Float32Array(memory.buffer, 0, n).set(S.logits);
  /** @type {CellOut} */
  let out = {};
  const call = grad ? () => copy(0, n * 4, n) : () => sum(0, n);
  const t = await measure(call, timing, {
    afterFirst: (value) => {
      out = { value: typeof value === "number" ? value : null }; // the sum; copy returns nothing
    },
  });
  return { ...out, timing: t };
}

/**
 * What returning a fresh gradient costs before any arithmetic: a new Float32Array of the logits'
 * length, written in 256 KiB blocks (losslab's window) from wasm memory. The first write to each
 * page of a new array takes a page fault and the kernel's zeroing; a reused array has neither.
 * @param {{ grad: boolean }} peer @param {Timing} timing @returns {Promise<CellResult>}
 */
async function freshArrayCell({ grad }, timing) {
  if (!grad) return { unavailable: "a floor of the returned gradient: forward+gradient only" };
  const block = new Float32Array(64 * 1024).fill(1);
  const n = S.logits.length;
  const t = await measure(() => {
    const a = new Float32Array(n);
    for (let o = 0; o < n; o += block.length) a.set(o + block.length <= n ? block : block.subarray(0, n - o), o);
    return a[n - 1];
  }, timing);
  return { timing: t };
}

// The Engine as a casual caller makes it: "auto", a Float32Array in, the gradient returned. What
// it ran on (and why) is part of the row: "auto" must never choose the slower backend.
/** @param {{ grad: boolean }} peer @param {Timing} timing @returns {Promise<CellResult>} */
async function autoCell({ grad }, timing) {
  const { mod } = await loadLosslab();
  const engine = await mod.Engine.create({ backend: "auto" });
  const input = { logits: S.logits, dims: S.dims, labels: S.labels };
  const options = { epsilon: S.epsilon, ignoreIndex: S.ignoreIndex, grad };
  /** @type {CellOut} */
  let out = {};
  const t = await measure(() => engine.crossEntropy(input, options), timing, {
    afterFirst: (r) => {
      out = { loss: r.loss, backend: r.backend, backendReason: r.backendReason ?? null };
      if (grad && r.grad) out.gradSamples = pick(r.grad, S.samples);
    },
  });
  const calibration = engine.calibration;
  engine.free();
  return { ...out, timing: t, calibration };
}

/** @type {Record<string, (peer: { grad: boolean }, timing: Timing) => Promise<CellResult>>} */
const CELLS = {
  "losslab-simd": (c, t) => losslabCell({ kernel: "simd", grad: c.grad, copy: false }, t),
  "losslab-simd128": (c, t) => losslabCell({ kernel: "simd", grad: c.grad, copy: false, build: "simd128" }, t),
  "losslab-scalar": (c, t) => losslabCell({ kernel: "scalar", grad: c.grad, copy: false }, t),
  "losslab-simd-copy": (c, t) => losslabCell({ kernel: "simd", grad: c.grad, copy: true }, t),
  "losslab-simd-f32into": (c, t) => losslabCell({ kernel: "simd", grad: c.grad, copy: true, into: true }, t),
  "losslab-webgpu": webgpuCell,
  "losslab-auto": autoCell,
  "tfjs-wasm": tfjsCell,
  // ONNX has no label smoothing: onnxruntime-web computes ε = 0, and so do these two losslab
  // cells, its comparison (resident F32Buffer, and Float32Array in), each in its own page.
  "losslab-simd-eps0": (c, t) => losslabCell({ kernel: "simd", grad: c.grad, copy: false, epsilon: 0 }, t),
  "losslab-simd-copy-eps0": (c, t) => losslabCell({ kernel: "simd", grad: c.grad, copy: true, epsilon: 0 }, t),
  "losslab-workers": (c, t) => workersCell({ grad: c.grad }, t),
  "losslab-workers-eps0": (c, t) => workersCell({ grad: c.grad, epsilon: 0 }, t),
  "ort-1": (c, t) => ortCell({ grad: c.grad, threads: 1 }, t),
  "ort-n": (c, t) => ortCell({ grad: c.grad, threads: 0 }, t),
  "plain-js": plainCell,
  ceiling: ceilingCell,
  "fresh-array": freshArrayCell,
};

/** @param {{ peer: string, grad: boolean, timing: Timing }} request @returns {Promise<CellResponse>} */
async function cell({ peer, grad, timing }) {
  try {
    const r = await CELLS[peer]({ grad }, timing);
    if ("unavailable" in r) return { status: "not available", message: r.unavailable };
    return { status: "ok", ...r };
  } catch (e) {
    return { status: "failed", message: message(e) };
  }
}

/** The JS generator against losslab's own (hashLogits / hashLabels), on a prefix. */
/** @param {{ seed: number, scale: number, vocab: number, ignoreIndex: number }} request */
async function checkGenerator({ seed, scale, vocab, ignoreIndex }) {
  const { mod } = await loadLosslab();
  const len = 1 << 20;
  const a = mod.hashLogits(len, seed, scale);
  const b = lm.hashLogits(len, seed, scale);
  const la = mod.hashLabels(4096, vocab, seed, ignoreIndex);
  const lb = lm.hashLabels(4096, vocab, seed, ignoreIndex);
  let logits = 0;
  let labels = 0;
  for (let i = 0; i < len; i++) if (!Object.is(a[i], b[i])) logits++;
  for (let i = 0; i < la.length; i++) if (la[i] !== lb[i]) labels++;
  return { checkedLogits: len, checkedLabels: la.length, logitsMismatches: logits, labelsMismatches: labels };
}

/**
 * What this engine offers the benchmark: which losslab build the package entry picks here (the
 * relaxed-SIMD one only where it validates), isolation, WebGPU, and the timer's granularity
 * (the smallest step of performance.now() seen in a short spin).
 */
async function engineInfo() {
  const { relaxedSimd } = /** @type {typeof import("../pkg/index.js")} */ (await import(PKG_ENTRY));
  let step = Infinity;
  const until = now() + 50;
  for (let last = now(), t = last; t < until; t = now()) {
    if (t > last) step = Math.min(step, t - last);
    last = t;
  }
  return {
    userAgent: navigator.userAgent,
    relaxedSimd,
    losslabWasm: relaxedSimd ? "losslab_relaxed_bg.wasm" : "losslab_bg.wasm",
    crossOriginIsolated: self.crossOriginIsolated,
    webgpu: "gpu" in navigator && navigator.gpu != null,
    hardwareConcurrency: navigator.hardwareConcurrency,
    timerStepMs: Number.isFinite(step) ? step : null,
  };
}

/** What bench/run.mjs calls in the page. */
export const bench = { prepare, cell, checkGenerator, engineInfo };
window.bench = bench;
/** The fused linear cross-entropy cells (bench/linear.mjs drives them). */
export const benchLinear = makeLinearBench({ loadLosslab, loadTfjs, measure });
window.benchLinear = benchLinear;
