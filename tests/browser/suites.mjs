// In-page suites for the JS API in Chromium: the golden table on the WebGPU engine, big
// hash-generated inputs (GPU against CPU against float64), the fallback paths, and the error
// contract. tests/browser/run.mjs loads this page and calls `window.suites.*`.
import init, * as losslab from "../../pkg/index.js";
import { caseInput, check, errorFragment, relErr } from "../js/golden.mjs";
import { badInputs, edgeInputs, sanity } from "../js/bad-inputs.mjs";
import { labelSmootherF64 } from "../js/reference.mjs";
import { EngineWorker } from "../../pkg/engine/client.js";
import { checkAnalytics, runAnalyticsTable } from "../js/analytics.mjs";
import { checkLinear, linearCaseInput, linearNonFinite, linearProperty, linearTable } from "../js/linear.mjs";
import { SPLIT_CASES, gradientDifferences, resultDifferences, splitInput } from "../js/split.mjs";

await init();
window.losslab = losslab;

/** @type {{ crossEntropy: import("../js/golden.mjs").GoldenCase[] }} */
const cases = await (await fetch("../golden/cases.json")).json();
/** @type {{ cases: import("../js/analytics.mjs").AnalyticsCase[] }} */
const analyticsCases = await (await fetch("../golden/analytics.json")).json();
/** @type {{ linear: import("../js/linear.mjs").LinearCase[] }} */
const linearCases = await (await fetch("../golden/linear.json")).json();

/** Largest |a − b| over the largest |b|, and the first index beyond `tol` of it. @param {Float32Array | undefined} a @param {Float32Array | undefined} b */
function gradGap(a, b, tol = 1e-5) {
  if (!a || !b) return { worst: Infinity, first: 0 };
  // A short gradient must not pass: past its end every comparison would be with undefined (NaN).
  if (a.length !== b.length) return { worst: Infinity, first: Math.min(a.length, b.length) };
  let max = 0;
  for (const x of b) if (Number.isFinite(x)) max = Math.max(max, Math.abs(x));
  let worst = 0,
    first = -1;
  for (let i = 0; i < b.length; i++) {
    if (!Number.isFinite(b[i])) {
      if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) && first < 0) first = i;
      continue;
    }
    const d = Math.abs(a[i] - b[i]) / (max || 1);
    if (d > worst) worst = d;
    if (d > tol && first < 0) first = i;
  }
  return { worst, first };
}

async function webgpuEngine() {
  const engine = await losslab.Engine.create({ backend: "webgpu" });
  if (engine.backend !== "webgpu") {
    throw new Error(`Chromium was started with WebGPU, but the engine runs on ${engine.backend}: ${engine.reason}`);
  }
  return engine;
}

/**
 * The longest main-thread task while `work` runs (PerformanceObserver "longtask", ≥ 50 ms).
 * @template T @param {() => Promise<T>} work
 */
async function longestTask(work) {
  /** @type {number[]} */
  const tasks = [];
  const observer = new PerformanceObserver((list) => tasks.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: "longtask" });
  const value = await work();
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the last entries arrive
  observer.disconnect();
  return { value, longestMs: Math.max(0, ...tasks), longTasks: tasks.length };
}

/**
 * The analytics table (temperature, per-token statistics, accuracy, perplexity) through the
 * synchronous API, the WebGPU engine and the engine in a worker. The engine keeps temperature and
 * stats on the CPU and says so (`temperature-cpu`, `stats-cpu`); cases at T = 1 run once more
 * without stats, on the GPU, whose accuracy and perplexity must meet the same goldens.
 * @param {losslab.Engine} engine
 */
async function analyticsOnEngine(engine) {
  const sync = await runAnalyticsTable(losslab, analyticsCases, (i, o) => losslab.crossEntropy(i, o), {
    backend: "cpu-simd",
  });
  const failures = sync.failures.map((m) => `cpu ${m}`);
  let onGpu = 0;
  const viaEngine = await runAnalyticsTable(losslab, analyticsCases, async (input, options) => {
    const r = await engine.crossEntropy(input, options);
    const want = (options.temperature ?? 1) !== 1 ? "temperature-cpu" : "stats-cpu";
    if (r.backend !== "cpu-simd" || r.backendReasonCode !== want)
      failures.push(`engine: ${JSON.stringify(options)} ran on ${r.backend} (${r.backendReasonCode}), want ${want}`);
    return r;
  });
  failures.push(...viaEngine.failures.map((m) => `engine ${m}`));
  for (const c of analyticsCases.cases) {
    if ((c.options.temperature ?? 1) !== 1) continue;
    const { input, options } = caseInput(losslab, c);
    const r = await engine.crossEntropy(input, { ...options, stats: [] });
    onGpu++;
    if (r.backend !== "webgpu") failures.push(`${c.name} without stats: ran on ${r.backend}`);
    const bad = checkAnalytics({ ...c, options: { ...c.options, stats: [] } }, r, undefined, 1e-5);
    failures.push(...bad.map((m) => `webgpu ${m}`));
  }
  const w = await EngineWorker.create({ backend: "cpu" });
  const inWorker = await runAnalyticsTable(losslab, analyticsCases, (i, o) => w.crossEntropy(i, o));
  w.terminate();
  failures.push(...inWorker.failures.map((m) => `worker ${m}`));
  if (onGpu < 3) failures.push(`only ${onGpu} analytics cases ran on the GPU`);
  return { failures, cases: sync.cases, onGpu, worst: sync.worst, gpuWorst: viaEngine.worst };
}

window.suites = {
  /** How each request routes on this machine's software adapter (SwiftShader), and why. */
  async routing() {
    const failures = [];
    const c = cases.crossEntropy.find((x) => x.name === "hf_basic");
    if (!c) throw new Error("no golden case hf_basic");
    const { input, options } = caseInput(losslab, c);
    const cpu = losslab.crossEntropy(input, options);
    const auto = await losslab.Engine.create({ backend: "auto" });
    if (auto.backend !== "cpu-simd") failures.push(`auto holds ${auto.backend} on a software adapter`);
    if (!/software renderer/.test(auto.reason ?? "") || !/backend: "webgpu"/.test(auto.reason ?? ""))
      failures.push(`auto's reason: ${auto.reason}`);
    if (auto.reasonCode !== "software-adapter" || auto.reasonParams?.adapter !== "SwiftShader")
      failures.push(`auto's reason code: ${auto.reasonCode} ${JSON.stringify(auto.reasonParams)}`);
    if (auto.calibration !== null) failures.push("auto calibrated an adapter it skipped");
    const a = await auto.crossEntropy(input, options);
    if (a.backend !== "cpu-simd" || a.backendReason !== auto.reason || a.backendReasonCode !== auto.reasonCode)
      failures.push(`auto call: ${a.backend}, ${a.backendReason}`);
    failures.push(...check(c, a).map((m) => `auto ${m}`));

    const forced = await losslab.Engine.create({ backend: "webgpu" });
    const f = await forced.crossEntropy(input, options);
    if (f.backend !== "webgpu" || !/"webgpu" was asked for/.test(f.backendReason ?? ""))
      failures.push(`webgpu call: ${f.backend}, ${f.backendReason}`);
    if (!forced.adapterInfo) failures.push("no adapterInfo on the webgpu engine");
    // Where the adapter offers timestamp queries, a GPU call reports its kernels' time.
    const timestamps = (await navigator.gpu.requestAdapter())?.features.has("timestamp-query");
    if (timestamps && !((f.gpuTimeMs ?? NaN) >= 0))
      failures.push(`timestamp-query is offered but gpuTimeMs is ${f.gpuTimeMs}`);

    const onCpu = await losslab.Engine.create({ backend: "cpu" });
    const o = await onCpu.crossEntropy(input, options);
    if (a.gpuTimeMs !== undefined || o.gpuTimeMs !== undefined) failures.push("a CPU call reported gpuTimeMs");
    if (o.backend !== "cpu-simd" || !/"cpu" was asked for/.test(o.backendReason ?? ""))
      failures.push(`cpu call: ${o.backend}, ${o.backendReason}`);
    if (o.loss !== cpu.loss) failures.push(`cpu engine ${o.loss} vs crossEntropy ${cpu.loss}`);

    // Admitted anyway, the software adapter is measured, and the measurement routes calls.
    const measured = await losslab.Engine.create({ backend: "auto", allowSoftwareAdapter: true });
    const cal = measured.calibration;
    if (measured.backend !== "webgpu" || !cal)
      failures.push(`allowSoftwareAdapter: ${measured.backend}, calibration ${JSON.stringify(cal)}`);
    for (const kind of /** @type {const} */ (["forward", "gradient"])) {
      const k = cal?.[kind];
      if (!k || !(k.cpuNsPerLogit > 0) || !(k.gpuNsPerLogit >= 0) || !(k.gpuFixedMs >= 0))
        failures.push(`calibration.${kind}: ${JSON.stringify(k)}`);
    }
    const small = await measured.crossEntropy(input, options);
    if (small.backend !== "cpu-simd" || !/crossover|slower than the CPU/.test(small.backendReason ?? ""))
      failures.push(`a tiny call on a measured engine: ${small.backend}, ${small.backendReason}`);
    if (small.loss !== cpu.loss) failures.push(`routed call ${small.loss} vs ${cpu.loss}`);
    for (const e of [auto, forced, onCpu, measured]) e.free();
    return {
      failures,
      autoReason: a.backendReason,
      calibration: cal,
      tinyCall: small.backendReason,
      timestamps,
      gpuTimeMs: f.gpuTimeMs,
    };
  },

  /** The Engine in a worker: same numbers as the page's module, gradients kept in the worker,
   *  refusals as Errors with codes, and a main thread free of long tasks during a big call. */
  async engineWorker(dims) {
    const failures = [];
    const w = await EngineWorker.create({ backend: "webgpu" });
    if (w.backend !== "webgpu") failures.push(`worker engine on ${w.backend}: ${w.reason}`);
    const c = cases.crossEntropy.find((x) => x.name === "torch_weights_mean");
    if (!c) throw new Error("no golden case torch_weights_mean");
    const { input, options } = caseInput(losslab, c);
    const here = losslab.crossEntropy(input, options);
    const onCpu = await w.crossEntropy(input, options, { on: "cpu" });
    if (onCpu.loss !== here.loss || onCpu.backend !== "cpu-simd")
      failures.push(`worker cpu ${onCpu.loss} vs page ${here.loss}`);
    if (!(onCpu.timeMs >= 0)) failures.push(`timeMs ${onCpu.timeMs}`);
    failures.push(...check(c, await w.crossEntropy(input, options), undefined, 1e-5).map((m) => `worker webgpu ${m}`));
    try {
      await w.crossEntropy(
        { ...input, labels: new Int32Array(input.labels.length).fill(99999) },
        { semantics: "torch" },
      );
      failures.push("a label out of range was not refused");
    } catch (e) {
      const code = /** @type {{ code?: unknown } | null} */ (e)?.code;
      if (!(e instanceof Error) || !/out of range/.test(e.message) || code !== "label-out-of-range")
        failures.push(`refused with ${e instanceof Error ? e.message : e} / ${code}`);
    }
    const { value, longestMs, longTasks } = await longestTask(async () => {
      const handle = await w.hashInput({ dims, seed: 11, scale: 8 });
      const opts = { epsilon: 0.1, grad: true };
      const gpu = await w.crossEntropy(handle, opts, { keepGradient: true });
      const cpu = await w.crossEntropy(handle, opts, { on: "cpu", keepGradient: true });
      // keepGradient returns handles (checked below).
      const gap = await w.compare(/** @type {number} */ (gpu.gradHandle), /** @type {number} */ (cpu.gradHandle));
      return { gpu, cpu, gap };
    });
    const { gpu, cpu, gap } = value;
    if (gpu.grad !== undefined || typeof gpu.gradHandle !== "number")
      failures.push("keepGradient returned the gradient");
    if (gap.length !== dims[0] * dims[1] * dims[2]) failures.push(`compared ${gap.length} values`);
    if (!(gap.maxAbsDiff <= 1e-5 * gap.maxAbs))
      failures.push(`gradients differ: ${gap.maxAbsDiff} of max ${gap.maxAbs}`);
    if (relErr(gpu.loss, cpu.loss) > 1e-5) failures.push(`loss webgpu ${gpu.loss} vs cpu ${cpu.loss}`);
    // Computing on the main thread would block it for whole calls (hundreds of ms); a rare 50-100 ms
    // task (a GC, the compositor with both of a 2-core machine's cores busy) is not that.
    if (longestMs >= 200) failures.push(`the main thread had a ${longestMs} ms task during the worker's calls`);
    w.terminate();
    return { failures, longestMs, longTasks, gpuMs: +gpu.timeMs.toFixed(1), cpuMs: +cpu.timeMs.toFixed(1), gap };
  },
  /** Every golden case on the WebGPU engine and on the CPU (the relaxed-simd build here): the
   *  golden checks for both, and their agreement. */
  async golden() {
    const engine = await webgpuEngine();
    const failures = [];
    const worst = { loss: 0, lossCase: "", grad: 0, gradCase: "" };
    const cpuWorst = { loss: 0, lossCase: "", grad: 0, gradCase: "" };
    let ran = 0;
    for (const c of cases.crossEntropy) {
      const { input, options } = caseInput(losslab, c);
      ran++;
      if (c.error) {
        try {
          await engine.crossEntropy(input, options);
          failures.push(`${c.name}: should have been refused`);
        } catch (e) {
          if (!(e instanceof Error) || !errorFragment(c).test(e.message)) failures.push(`${c.name}: refused with ${e}`);
        }
        continue;
      }
      const r = await engine.crossEntropy(input, options);
      if (r.backend !== "webgpu") failures.push(`${c.name}: ran on ${r.backend} (${r.fallbackReason})`);
      failures.push(...check(c, r, worst, 1e-5).map((m) => `webgpu ${m}`));
      const cpu = losslab.crossEntropy(input, options);
      failures.push(...check(c, cpu, cpuWorst).map((m) => `cpu ${m}`));
      if (r.loss !== null && relErr(r.loss, cpu.loss) > 1e-5)
        failures.push(`${c.name}: webgpu ${r.loss} vs cpu ${cpu.loss}`);
      if (r.grad) {
        const g = gradGap(r.grad, cpu.grad);
        if (g.first >= 0)
          failures.push(`${c.name}: grad[${g.first}] webgpu ${r.grad[g.first]} vs cpu ${cpu.grad?.[g.first]}`);
      }
    }
    // Chromium runs relaxed SIMD, so the package entry must have loaded the FMA build: the golden
    // table above then covers it (Node's suites cover the plain simd128 build).
    if (losslab.simdLevel() !== "relaxed-simd") failures.push(`the entry loaded the ${losslab.simdLevel()} build`);
    const analytics = await analyticsOnEngine(engine);
    failures.push(...analytics.failures);
    return { ran, failures, worst, cpuWorst, simd: losslab.simdLevel(), adapter: engine.adapterInfo, analytics };
  },

  /** Big hash-generated inputs with gradient: WebGPU against the CPU and a float64 reference. */
  async big(shapes) {
    const engine = await webgpuEngine();
    const failures = [],
      rows = [];
    for (const [B, T, V] of shapes) {
      const seed = 1000 + V;
      const logits = losslab.hashLogits(B * T * V, seed, 8);
      const labels = losslab.hashLabels(B * T, V, seed, -100);
      const input = { logits, dims: [B, T, V], labels };
      const options = { epsilon: 0.1, grad: true };
      const t0 = performance.now();
      const gpu = await engine.crossEntropy(input, options);
      const t1 = performance.now();
      const cpu = losslab.crossEntropy(input, options);
      const t2 = performance.now();
      const ref = labelSmootherF64({ logits, dims: [B, T, V], labels }, options);
      const g = gradGap(gpu.grad, cpu.grad);
      const row = {
        shape: `${B}x${T}x${V}`,
        backend: gpu.backend,
        gpuMs: +(t1 - t0).toFixed(1),
        cpuMs: +(t2 - t1).toFixed(1),
        gpuLossErr: relErr(gpu.loss, ref.loss),
        cpuLossErr: relErr(cpu.loss, ref.loss),
        gradGapOfMax: g.worst,
      };
      rows.push(row);
      if (gpu.backend !== "webgpu") failures.push(`${row.shape}: ran on ${gpu.backend} (${gpu.fallbackReason})`);
      if (row.gpuLossErr > 1e-5) failures.push(`${row.shape}: webgpu loss rel err ${row.gpuLossErr}`);
      if (row.cpuLossErr > 1e-6) failures.push(`${row.shape}: cpu loss rel err ${row.cpuLossErr}`);
      if (g.first >= 0) failures.push(`${row.shape}: grad[${g.first}] differs beyond 1e-5 of max |g| (${g.worst})`);
    }
    return { failures, rows };
  },

  /** Fallback reporting after an injected failure (the page's init script did the injecting). */
  async fallback(expectReason) {
    const failures = [];
    const auto = await losslab.Engine.create({ backend: "auto" });
    if (auto.backend !== "cpu-simd") failures.push(`auto engine runs on ${auto.backend}`);
    if (!new RegExp(expectReason).test(auto.reason ?? ""))
      failures.push(`reason ${JSON.stringify(auto.reason)} !~ ${expectReason}`);
    try {
      await losslab.Engine.create({ backend: "webgpu" });
      failures.push(`backend "webgpu" did not reject`);
    } catch (e) {
      if (!(e instanceof Error) || !/backend "webgpu" is unavailable/.test(e.message))
        failures.push(`webgpu rejected with ${e}`);
    }
    const c = cases.crossEntropy.find((x) => x.name === "hf_basic");
    if (!c) throw new Error("no golden case hf_basic");
    const { input, options } = caseInput(losslab, c);
    const r = await auto.crossEntropy(input, options);
    failures.push(...check(c, r));
    if (r.backend !== "cpu-simd") failures.push(`call ran on ${r.backend}`);
    return { failures, reason: auto.reason };
  },

  /** A device lost in the middle of a call: that call finishes on the CPU, nothing is lost. */
  async deviceLost() {
    const failures = [];
    const engine = await webgpuEngine();
    const [B, T, V] = [2, 8, 3000];
    const logits = losslab.hashLogits(B * T * V, 5, 8);
    const before = logits.slice();
    const labels = losslab.hashLabels(B * T, V, 5, -100);
    const options = { grad: true, shiftLabels: true };
    window.__loseDeviceOnNextSubmit = true; // armed: the init script's submit hook destroys the device
    const r = await engine.crossEntropy({ logits, dims: [B, T, V], labels }, options);
    const cpu = losslab.crossEntropy({ logits, dims: [B, T, V], labels }, options);
    if (r.backend !== "cpu-simd") failures.push(`the call reports ${r.backend}`);
    if (!/lost|destroyed|failed/i.test(r.fallbackReason ?? ""))
      failures.push(`fallbackReason ${JSON.stringify(r.fallbackReason)}`);
    if (engine.backend !== "cpu-simd") failures.push(`engine still on ${engine.backend}`);
    if (!engine.reason) failures.push("engine.reason is empty");
    if (r.loss !== cpu.loss) failures.push(`loss ${r.loss} vs cpu ${cpu.loss}`);
    if (gradGap(r.grad, cpu.grad, 0).first >= 0) failures.push("gradient differs from the CPU");
    if (logits.some((x, i) => !Object.is(x, before[i]))) failures.push("the caller's logits were modified");
    const again = await engine.crossEntropy({ logits, dims: [B, T, V], labels }, options);
    if (again.loss !== cpu.loss || again.backend !== "cpu-simd") failures.push("the next call is not a clean CPU call");
    return { failures, reason: engine.reason };
  },

  /** The error contract in Chromium, through the synchronous API and the engine. */
  async badInputs() {
    const failures = [];
    const engine = await losslab.Engine.create({ backend: "auto" });
    for (const [what, call, fragment] of badInputs) {
      try {
        call(losslab);
        failures.push(`${what}: did not throw`);
      } catch (e) {
        if (!(e instanceof Error) || !fragment.test(e.message))
          failures.push(`${what}: threw ${e instanceof Error ? e.message : e}`);
      }
      const s = sanity(losslab);
      if (Math.abs(s.loss - s.want) > 1e-6) failures.push(`${what}: the module answers ${s.loss} afterwards`);
    }
    for (const [what, call, ok] of edgeInputs) {
      const r = call(losslab);
      if (!ok(r)) failures.push(`edge case ${what}: ${JSON.stringify({ loss: r.loss, notes: r.notes })}`);
    }
    // The engine rejects (never throws synchronously) with the same messages.
    // (Rows about wasm memory do not apply: the WebGPU engine uploads from JS, not via wasm memory.)
    const engineRows = badInputs.filter(
      ([what, call]) => /l\.crossEntropy\(/.test(String(call)) && !/wasm memory/.test(what),
    );
    for (const [what, call, fragment] of engineRows) {
      /** @type {{ crossEntropy: typeof engine.crossEntropy }} */
      const viaEngine = { crossEntropy: (input, options) => engine.crossEntropy(input, options) };
      let promise;
      try {
        promise = call({ ...losslab, crossEntropy: viaEngine.crossEntropy });
      } catch (e) {
        failures.push(`engine ${what}: threw synchronously ${e}`);
        continue;
      }
      try {
        await promise;
        if (promise instanceof Promise) failures.push(`engine ${what}: resolved`);
      } catch (e) {
        if (!(e instanceof Error) || !fragment.test(e.message))
          failures.push(`engine ${what}: rejected with ${e instanceof Error ? e.message : e}`);
      }
    }
    return { failures, rows: badInputs.length, edgeRows: edgeInputs.length, engineRows: engineRows.length };
  },

  /**
   * linearCrossEntropy in Chromium: PyTorch's goldens through the function, a "cpu" Engine (which
   * must say so: "linear-cpu") and an EngineWorker holding WebGPU (whose reasons must come back
   * from the worker: "webgpu-requested"); the property against crossEntropy on materialised
   * logits; non-finite rows.
   */
  async linear() {
    /** @type {string[]} */
    const failures = [];
    const sync = await linearTable(losslab, linearCases.linear, (input, options) =>
      losslab.linearCrossEntropy(input, options),
    );
    failures.push(...sync.failures);
    const engine = await losslab.Engine.create({ backend: "cpu" });
    const viaEngine = await linearTable(losslab, linearCases.linear, async (input, options) => {
      const r = await engine.linearCrossEntropy(input, options);
      if (r.backend !== "cpu-simd" || r.backendReasonCode !== "linear-cpu")
        failures.push(`engine: ran on ${r.backend} (${r.backendReasonCode})`);
      const here = losslab.linearCrossEntropy(input, options);
      if (r.loss !== here.loss) failures.push(`engine: loss ${r.loss} vs the function's ${here.loss}`);
      return r;
    });
    failures.push(...viaEngine.failures.map((f) => `engine ${f}`));
    engine.free();
    const w = await EngineWorker.create({ backend: "webgpu" });
    const viaWorker = await linearTable(losslab, linearCases.linear, async (input, options) => {
      const r = await w.linearCrossEntropy(input, options);
      if (r.backend !== "webgpu" || r.backendReasonCode !== "webgpu-requested" || !(r.timeMs >= 0))
        failures.push(`worker: ${r.backend} (${r.backendReasonCode}), timeMs ${r.timeMs}`);
      return r;
    });
    failures.push(...viaWorker.failures.map((f) => `worker ${f}`));
    try {
      // No weight, on purpose: the worker must refuse it by name.
      const noWeight = /** @type {any} */ ({ hidden: new Float32Array(2), dims: [1, 2, 3], labels: Int32Array.of(0) });
      await w.linearCrossEntropy(noWeight);
      failures.push("worker: a missing weight was accepted");
    } catch (e) {
      if (!/weight must be a Float32Array/.test(String(e))) failures.push(`worker: refused with ${e}`);
    }
    w.terminate();
    const property = linearProperty(losslab, 25);
    failures.push(...property.failures);
    failures.push(...linearNonFinite(losslab).failures);
    return {
      failures,
      cases: linearCases.linear.length,
      passed: [sync.passed, viaEngine.passed, viaWorker.passed],
      worst: sync.worst,
      property: { trials: property.trials, worstLoss: property.worstLoss, worstGrad: property.worstGrad },
    };
  },

  /**
   * linearCrossEntropy on the WebGPU engine: every golden case on the device (reason
   * "webgpu-requested"), F32Buffer inputs, a call spanning several row blocks against float64 and the CPU, the
   * calls that go to the CPU instead and say why (non-finite logits, a shape beyond the adapter's
   * workgroup limit, materialize, temperature), and "auto" on the software adapter routing by its
   * linear probe.
   */
  async linearGpu() {
    /** @type {string[]} */
    const failures = [];
    const engine = await webgpuEngine();
    const table = await linearTable(losslab, linearCases.linear, async (input, options) => {
      const r = await engine.linearCrossEntropy(input, options);
      if (r.backend !== "webgpu" || r.backendReasonCode !== "webgpu-requested")
        failures.push(`golden: ran on ${r.backend} (${r.backendReasonCode}: ${r.backendReason})`);
      return r;
    });
    failures.push(...table.failures);

    // F32Buffer tensors are read where they lie in wasm memory: the same device result, bit for bit.
    const withBias = linearCases.linear[0];
    const fromArrays = linearCaseInput(losslab, withBias);
    const arrays = await engine.linearCrossEntropy(fromArrays.input, fromArrays.options);
    const { hidden: h0, weight: w0, bias: b0 } = fromArrays.input;
    const resident = [h0, w0, b0].map((a) => losslab.F32Buffer.fromArray(/** @type {Float32Array} */ (a)));
    const viaBuffers = await engine.linearCrossEntropy(
      { ...fromArrays.input, hidden: resident[0], weight: resident[1], bias: resident[2] },
      fromArrays.options,
    );
    if (viaBuffers.backend !== "webgpu") failures.push(`F32Buffer: ran on ${viaBuffers.backend}`);
    if (viaBuffers.loss !== arrays.loss) failures.push(`F32Buffer: loss ${viaBuffers.loss} vs ${arrays.loss}`);
    for (const k of /** @type {const} */ (["gradHidden", "gradWeight", "gradBias"]))
      if (gradGap(viaBuffers[k], arrays[k], 0).first >= 0) failures.push(`F32Buffer: ${k} differs`);
    for (const b of resident) b.free();

    // Several row blocks: a block holds 32 MiB of logits, 32 rows of V = 262 144; 36 positions,
    // more than 32 of them scored (asserted), make two blocks, the second partial — gradWeight
    // and gradBias accumulate across them on the device.
    const [N, D, V] = [36, 4, 262144];
    const hidden = losslab.hashLogits(N * D, 21, 2);
    const weight = losslab.hashLogits(V * D, 22, 1);
    const bias = losslab.hashLogits(V, 23, 0.5);
    const labels = losslab.hashLabels(N, V, 24, -100);
    const input = { hidden, dims: [N, D, V], weight, bias, labels };
    const options = { epsilon: 0.1, grad: true };
    const started = performance.now();
    const gpu = await engine.linearCrossEntropy(input, options);
    const gpuMs = performance.now() - started;
    const t0 = performance.now();
    const cpu = losslab.linearCrossEntropy(input, options);
    const cpuMs = performance.now() - t0;
    if (gpu.backend !== "webgpu") failures.push(`blocks: ran on ${gpu.backend} (${gpu.backendReason})`);
    const logits = new Float32Array(N * V);
    for (let i = 0; i < N; i++)
      for (let c = 0; c < V; c++) {
        let z = bias[c];
        for (let k = 0; k < D; k++) z += hidden[i * D + k] * weight[c * D + k];
        logits[i * V + c] = z;
      }
    const f64 = labelSmootherF64({ logits, dims: [N, V], labels }, options);
    const blockLossErr = relErr(gpu.loss, f64.loss);
    if (!(blockLossErr <= 1e-5)) failures.push(`blocks: loss ${gpu.loss} vs float64 ${f64.loss} (${blockLossErr})`);
    if (gpu.numActive !== cpu.numActive) failures.push(`blocks: numActive ${gpu.numActive} vs ${cpu.numActive}`);
    if (!(gpu.numActive > 32)) failures.push(`blocks: ${gpu.numActive} scored rows fit one block of 32`);
    if (gpu.accuracy !== cpu.accuracy) failures.push(`blocks: accuracy ${gpu.accuracy} vs ${cpu.accuracy}`);
    /** @type {Record<string, number>} */
    const blockGradErr = {};
    for (const k of /** @type {const} */ (["gradHidden", "gradWeight", "gradBias"])) {
      const g = gradGap(gpu[k], cpu[k], 1e-4);
      blockGradErr[k] = g.worst;
      if (g.first >= 0) failures.push(`blocks: ${k}[${g.first}] beyond 1e-4 of max |g| of the CPU's (${g.worst})`);
    }

    // The CPU instead, with the reason.
    /** @type {[string, import("../../pkg/index.js").LinearCrossEntropyInput, any, string][]} */
    const routed = [];
    const h = losslab.hashLogits(4 * 3, 5, 4);
    const w = losslab.hashLogits(9 * 3, 6, 1);
    const nanBias = Float32Array.from({ length: 9 }, (_, c) => (c === 4 ? NaN : 0));
    const small = { hidden: h, dims: [4, 3, 9], weight: w, labels: Int32Array.of(2, -100, 7, 0) };
    routed.push(["NaN logits", { ...small, bias: nanBias }, { grad: true }, "linear-nonfinite-cpu"]);
    const infBias = Float32Array.from({ length: 9 }, (_, c) => (c === 5 ? Infinity : 0));
    routed.push([
      "+inf logits",
      { ...small, bias: infBias },
      { semantics: "torch", epsilon: 0 },
      "linear-nonfinite-cpu",
    ]);
    routed.push(["materialize", small, { grad: true, materialize: true }, "linear-materialize-cpu"]);
    routed.push(["temperature", small, { temperature: 2 }, "temperature-cpu"]);
    // V / 32 = 65 537 matmul tiles across the vocabulary, beyond maxComputeWorkgroupsPerDimension.
    const wide = 65537 * 32;
    routed.push([
      "workgroup limit",
      {
        hidden: Float32Array.of(0.5),
        dims: [1, 1, wide],
        weight: losslab.hashLogits(wide, 7, 1),
        labels: Int32Array.of(3),
      },
      {},
      "shape-beyond-limits",
    ]);
    for (const [what, inp, opts, code] of routed) {
      const r = await engine.linearCrossEntropy(inp, opts);
      const want = losslab.linearCrossEntropy(inp, opts);
      if (r.backend !== "cpu-simd" || r.backendReasonCode !== code)
        failures.push(`${what}: ${r.backend} (${r.backendReasonCode}: ${r.backendReason}), want cpu-simd (${code})`);
      if (!Object.is(r.loss, want.loss)) failures.push(`${what}: loss ${r.loss} vs the function's ${want.loss}`);
      if (code === "shape-beyond-limits" && !/workgroups/.test(r.backendReason ?? ""))
        failures.push(`${what}: reason ${r.backendReason}`);
    }
    if (engine.backend !== "webgpu") failures.push(`the engine left the GPU: ${engine.reason}`);
    engine.free();

    // "auto" on the software adapter (allowed): the first linear call runs the probe, and the
    // reason carries its numbers.
    const auto = await losslab.Engine.create({ backend: "auto", allowSoftwareAdapter: true });
    const c = linearCases.linear[linearCases.linear.length - 1];
    const caseIn = linearCaseInput(losslab, c);
    const r = await auto.linearCrossEntropy(caseIn.input, caseIn.options);
    const probe = r.backendReasonParams ?? {};
    const probeCodes = ["linear-above-crossover", "linear-below-crossover", "linear-gpu-never-faster"];
    if (!probeCodes.includes(r.backendReasonCode ?? ""))
      failures.push(`auto: reason ${r.backendReasonCode} (${r.backendReason})`);
    else if (r.backendReasonCode !== "linear-gpu-never-faster" && !(Number(probe.crossover) > 0))
      failures.push(`auto: no crossover in ${JSON.stringify(probe)}`);
    failures.push(...checkLinear(c, r).map((f) => `auto ${f}`));
    auto.free();
    return {
      failures,
      cases: table.cases,
      passed: table.passed,
      worst: table.worst,
      blocks: {
        scored: gpu.numActive,
        gpuMs: Math.round(gpuMs),
        cpuMs: Math.round(cpuMs),
        lossErr: blockLossErr,
        gradErr: blockGradErr,
      },
      auto: { code: r.backendReasonCode, reason: r.backendReason },
    };
  },

  /** A device lost in the middle of a linear call: the call finishes on the CPU, and says why. */
  async linearDeviceLost() {
    const failures = [];
    const engine = await webgpuEngine();
    const c = linearCases.linear[0];
    const { input, options } = linearCaseInput(losslab, c);
    window.__loseDeviceOnNextSubmit = true;
    const r = await engine.linearCrossEntropy(input, options);
    if (r.backend !== "cpu-simd" || r.backendReasonCode !== "gpu-failed-during-call")
      failures.push(`the call reports ${r.backend} (${r.backendReasonCode})`);
    if (!/lost|destroyed|failed/i.test(r.fallbackReason ?? ""))
      failures.push(`fallbackReason ${JSON.stringify(r.fallbackReason)}`);
    if (engine.backend !== "cpu-simd") failures.push(`engine still on ${engine.backend}`);
    failures.push(...checkLinear(c, r));
    return { failures, reason: r.fallbackReason };
  },

  /**
   * CrossEntropyWorkers on a cross-origin isolated page: the split cases with 2 and 3 workers
   * against one crossEntropy call (every field and the gradient, bit for bit), gradInto, its
   * refusals, and a 1×2048×32000 forward+gradient with 2 workers against one call.
   */
  async workersSplit() {
    const failures = [];
    if (!self.crossOriginIsolated) return { failures: ["the page is not cross-origin isolated"] };
    const { CrossEntropyWorkers, sharedFloat32Array: sharedArray } = await import("../../pkg/engine/split.js");
    let compared = 0;
    for (const count of [2, 3]) {
      const pool = await CrossEntropyWorkers.create({ workers: count });
      if (pool.workers !== count) failures.push(`asked for ${count} workers, got ${pool.workers}`);
      for (const c of SPLIT_CASES) {
        const input = splitInput(losslab, c, sharedArray);
        const want = losslab.crossEntropy(input, c.options);
        const got = await pool.crossEntropy(input, c.options);
        if (got.workers !== count) failures.push(`${c.name}: result.workers ${got.workers}`);
        if (c.options.grad && !(got.grad?.buffer instanceof SharedArrayBuffer))
          failures.push(`${c.name}: the returned gradient is not on a SharedArrayBuffer`);
        for (const d of resultDifferences(got, want, ["workers"])) failures.push(`${count} workers, ${c.name}: ${d}`);
        if (c.options.grad) {
          const gradInto = sharedArray(input.logits.length).fill(NaN);
          const into = await pool.crossEntropy({ ...input, gradInto }, c.options);
          if ("grad" in into) failures.push(`${c.name}: gradInto given, yet a grad came back`);
          for (const d of gradientDifferences(gradInto, /** @type {Float32Array} */ (want.grad)))
            failures.push(`${count} workers, ${c.name}, gradInto: ${d}`);
        }
        compared++;
      }
      // Refusals: the arrays must be shared; the module's own refusals come back as Errors.
      const c = SPLIT_CASES[0];
      const input = splitInput(losslab, c, sharedArray);
      /** @type {[() => Promise<unknown>, RegExp][]} */
      const refusals = [
        [() => pool.crossEntropy({ ...input, logits: new Float32Array(input.logits) }, c.options), /SharedArrayBuffer/],
        [
          () => pool.crossEntropy({ ...input, gradInto: new Float32Array(input.logits.length) }, { grad: true }),
          /gradInto must be a Float32Array on a SharedArrayBuffer/,
        ],
        [() => pool.crossEntropy(input, { epsilon: 2, semantics: "torch" }), /epsilon 2 is out of range/],
        [() => pool.crossEntropy({ ...input, labels: new Int32Array(3) }, c.options), /labels has 3 elements/],
      ];
      for (const [call, message] of refusals) {
        try {
          await call();
          failures.push(`${count} workers: no refusal for ${message}`);
        } catch (e) {
          if (!(e instanceof Error && message.test(e.message))) failures.push(`${count} workers: ${message} → ${e}`);
        }
      }
      pool.terminate();
    }
    // A big call: two workers against one call, and their times (informational: 2 cores here).
    const dims = [1, 2048, 32000];
    const n = dims[0] * dims[1] * dims[2];
    const logits = sharedArray(n);
    logits.set(losslab.hashLogits(n, 101, 8));
    const input = { logits, dims, labels: losslab.hashLabels(dims[1], dims[2], 101, -100) };
    const options = { grad: true };
    let t = performance.now();
    const one = losslab.crossEntropy(input, options);
    const oneMs = performance.now() - t;
    const pool = await CrossEntropyWorkers.create({ workers: 2 });
    await pool.crossEntropy(input, options); // warm
    t = performance.now();
    const split = await pool.crossEntropy(input, options);
    const splitMs = performance.now() - t;
    pool.terminate();
    for (const d of resultDifferences(split, one, ["workers"])) failures.push(`1x2048x32000: ${d}`);
    return { failures, compared, big: { oneMs: Math.round(oneMs), twoWorkersMs: Math.round(splitMs) } };
  },

  /** Without cross-origin isolation there is no SharedArrayBuffer: create says so. */
  async workersRefused() {
    const failures = [];
    const { CrossEntropyWorkers, sharedFloat32Array } = await import("../../pkg/engine/split.js");
    try {
      sharedFloat32Array(4);
      failures.push("sharedFloat32Array made shared memory on a page that is not cross-origin isolated");
    } catch (e) {
      if (/** @type {any} */ (e).code !== "unsupported") failures.push(`sharedFloat32Array: ${e}`);
    }
    try {
      await CrossEntropyWorkers.create({ workers: 2 });
      failures.push("CrossEntropyWorkers.create succeeded on a page that is not cross-origin isolated");
    } catch (e) {
      const ok =
        e instanceof Error && /cross-origin isolated/.test(e.message) && /** @type {any} */ (e).code === "unsupported";
      if (!ok) failures.push(`unexpected refusal: ${e}`);
      return { failures, message: e instanceof Error ? e.message : String(e) };
    }
    return { failures };
  },
};

/** @type {HTMLElement} */ (document.getElementById("status")).textContent = "ready";
