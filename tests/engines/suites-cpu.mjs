// In-page suites that need no WebGPU, for engines without it (Firefox, WebKit): the golden table
// through the package's CPU kernel (whichever wasm build the entry picked), and the Engine's CPU
// fallback where navigator.gpu is absent, on the page and in its worker, linearCrossEntropy, and a
// call split across workers (CrossEntropyWorkers). tests/engines/run.mjs
// imports this module into tests/browser/page.html, which has already loaded the package: the
// import below is that same, initialised module instance.
import * as losslab from "../../pkg/index.js";
import { EngineWorker } from "../../pkg/engine/client.js";
import { caseInput, check, errorFragment } from "../js/golden.mjs";
import { runAnalyticsTable } from "../js/analytics.mjs";
import { linearNonFinite, linearProperty, linearTable } from "../js/linear.mjs";
import { SPLIT_CASES, gradientDifferences, resultDifferences, splitInput } from "../js/split.mjs";
import { CrossEntropyWorkers, sharedFloat32Array } from "../../pkg/engine/split.js";

/** @typedef {import("../js/golden.mjs").GoldenCase} GoldenCase */

/** @type {{ crossEntropy: GoldenCase[] }} */
const cases = await (await fetch(new URL("../golden/cases.json", import.meta.url))).json();
/** @type {{ linear: import("../js/linear.mjs").LinearCase[] }} */
const linearCases = await (await fetch(new URL("../golden/linear.json", import.meta.url))).json();

/** Whether two numbers are the same float (NaN equal to NaN, 0 and -0 apart). @param {number | null} a @param {number | null} b */
const same = (a, b) => Object.is(a, b);

/** The first index where two gradients differ in any bit, -1 when equal (lengths included). @param {Float32Array | undefined} a @param {Float32Array | undefined} b */
function firstGradDifference(a, b) {
  if (!a || !b) return a === b ? -1 : 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return i;
  return -1;
}

/** The message of something thrown. @param {unknown} e */
const message = (e) => (e instanceof Error ? e.message : String(e));

/**
 * Every golden case through `losslab.crossEntropy` (the CPU kernel of the build the entry loaded):
 * PyTorch's values within the CPU bar (loss 1e-6 relative, gradient 1e-5 of its largest entry),
 * refusals with PyTorch's reason. Also: the build the entry loaded is the one its relaxed-SIMD probe
 * chose, so a build that failed to load cannot hide behind the other.
 */
export async function goldenCpu() {
  /** @type {string[]} */
  const failures = [];
  const worst = { loss: 0, lossCase: "", grad: 0, gradCase: "" };
  let passed = 0;
  for (const c of cases.crossEntropy) {
    const { input, options } = caseInput(losslab, c);
    /** @type {string[]} */
    let bad;
    if (c.error) {
      try {
        losslab.crossEntropy(input, options);
        bad = [`${c.name}: should have been refused`];
      } catch (e) {
        bad = errorFragment(c).test(message(e)) ? [] : [`${c.name}: refused with ${message(e)}`];
      }
    } else {
      bad = check(c, losslab.crossEntropy(input, options), worst);
    }
    if (bad.length === 0) passed++;
    failures.push(...bad);
  }
  const simd = losslab.simdLevel();
  if (simd !== (losslab.relaxedSimd ? "relaxed-simd" : "simd128"))
    failures.push(`the engine ${losslab.relaxedSimd ? "validates" : "rejects"} relaxed SIMD, but ${simd} loaded`);
  // The analytics table (temperature, entropy, rank, lse, argmax, accuracy, perplexity) too.
  const table = await (await fetch(new URL("../golden/analytics.json", import.meta.url))).json();
  const analytics = await runAnalyticsTable(losslab, table, (i, o) => losslab.crossEntropy(i, o));
  failures.push(...analytics.failures.map((m) => `analytics ${m}`));
  return {
    failures,
    cases: cases.crossEntropy.length,
    passed,
    worst,
    simd,
    relaxedSimd: losslab.relaxedSimd,
    analytics: { cases: analytics.cases, worst: analytics.worst },
  };
}

/**
 * With no navigator.gpu, `Engine.create({ backend: "auto" })` holds the CPU and says why (code
 * "no-webgpu"), `backend: "webgpu"` rejects, and every golden case through the engine is the CPU
 * kernel's result bit for bit (and PyTorch's within the bar).
 */
export async function cpuFallback() {
  /** @type {string[]} */
  const failures = [];
  if ("gpu" in navigator && navigator.gpu !== undefined)
    return { failures: ["this engine offers navigator.gpu: the no-WebGPU fallback cannot be checked here"] };
  const engine = await losslab.Engine.create({ backend: "auto" });
  if (engine.backend !== "cpu-simd") failures.push(`auto holds ${engine.backend}`);
  if (engine.reasonCode !== "no-webgpu") failures.push(`reasonCode ${engine.reasonCode}`);
  if (!/navigator\.gpu is undefined/.test(engine.reason ?? ""))
    failures.push(`reason ${JSON.stringify(engine.reason)}`);
  try {
    await losslab.Engine.create({ backend: "webgpu" });
    failures.push(`backend "webgpu" did not reject`);
  } catch (e) {
    if (!/backend "webgpu" is unavailable/.test(message(e))) failures.push(`webgpu rejected with ${message(e)}`);
  }
  let compared = 0;
  for (const c of cases.crossEntropy) {
    if (c.error) continue;
    const { input, options } = caseInput(losslab, c);
    const r = await engine.crossEntropy(input, options);
    const cpu = losslab.crossEntropy(input, options);
    compared++;
    if (r.backend !== "cpu-simd" || r.backendReasonCode !== "no-webgpu")
      failures.push(`${c.name}: ran on ${r.backend} (${r.backendReasonCode})`);
    for (const k of /** @type {const} */ (["loss", "nll", "smooth"]))
      if (!same(r[k], cpu[k])) failures.push(`${c.name}: engine ${k} ${r[k]} vs CPU kernel ${cpu[k]}`);
    const at = firstGradDifference(r.grad, cpu.grad);
    if (at >= 0) failures.push(`${c.name}: grad[${at}] engine ${r.grad?.[at]} vs CPU kernel ${cpu.grad?.[at]}`);
    failures.push(...check(c, r).map((m) => `engine ${m}`));
  }
  const { reasonCode, reason } = engine;
  engine.free();
  return { failures, compared, reasonCode, reason };
}

/** The same fallback in a module Web Worker (`EngineWorker`): CPU, code "no-webgpu", the page's numbers. */
export async function workerFallback() {
  /** @type {string[]} */
  const failures = [];
  const w = await EngineWorker.create({ backend: "auto" });
  const info = /** @type {{ reasonCode?: string, simd?: string } | null} */ (w.info);
  if (w.backend !== "cpu-simd" || info?.reasonCode !== "no-webgpu")
    failures.push(`worker engine: ${w.backend} (${info?.reasonCode}: ${w.reason})`);
  if (info?.simd !== losslab.simdLevel()) failures.push(`worker loaded ${info?.simd}, the page ${losslab.simdLevel()}`);
  let compared = 0;
  for (const name of ["hf_basic", "torch_weights_mean"]) {
    const c = cases.crossEntropy.find((x) => x.name === name);
    if (!c) throw new Error(`no golden case ${name}`);
    const { input, options } = caseInput(losslab, c);
    const r = await w.crossEntropy(input, options);
    const here = losslab.crossEntropy(input, options);
    compared++;
    if (!same(r.loss, here.loss)) failures.push(`${name}: worker ${r.loss} vs page ${here.loss}`);
    if (firstGradDifference(r.grad, here.grad) >= 0) failures.push(`${name}: the worker's gradient differs`);
  }
  // Temperature and stats pass through the worker, and the new arrays come back.
  const table = await (await fetch(new URL("../golden/analytics.json", import.meta.url))).json();
  const analytics = await runAnalyticsTable(losslab, table, (i, o) => w.crossEntropy(i, o));
  failures.push(...analytics.failures.map((m) => `worker analytics ${m}`));
  w.terminate();
  return { failures, compared, workerSimd: info?.simd, analyticsCases: analytics.cases };
}

/**
 * linearCrossEntropy in this engine: PyTorch's goldens through the function, the Engine (CPU,
 * code "linear-cpu") and an EngineWorker; the property against crossEntropy on materialised
 * logits; non-finite rows.
 */
export async function linearCpu() {
  /** @type {string[]} */
  const failures = [];
  const sync = await linearTable(losslab, linearCases.linear, (input, options) =>
    losslab.linearCrossEntropy(input, options),
  );
  failures.push(...sync.failures);
  const engine = await losslab.Engine.create({ backend: "auto" });
  const viaEngine = await linearTable(losslab, linearCases.linear, async (input, options) => {
    const r = await engine.linearCrossEntropy(input, options);
    if (r.backendReasonCode !== "linear-cpu") failures.push(`engine: reason ${r.backendReasonCode}`);
    return r;
  });
  failures.push(...viaEngine.failures.map((f) => `engine ${f}`));
  engine.free();
  const w = await EngineWorker.create({ backend: "auto" });
  const viaWorker = await linearTable(losslab, linearCases.linear, (input, options) =>
    w.linearCrossEntropy(input, options),
  );
  failures.push(...viaWorker.failures.map((f) => `worker ${f}`));
  w.terminate();
  const property = linearProperty(losslab, 15);
  failures.push(...property.failures, ...linearNonFinite(losslab).failures);
  return {
    failures,
    cases: linearCases.linear.length,
    passed: [sync.passed, viaEngine.passed, viaWorker.passed],
    worst: sync.worst,
    property: { trials: property.trials, worstLoss: property.worstLoss, worstGrad: property.worstGrad },
  };
}

/**
 * crossEntropyRows + crossEntropyFromRows in the page against one call, then CrossEntropyWorkers
 * in this engine (the page is served cross-origin isolated): the split cases
 * across 2 workers against one crossEntropy call, every field and the gradient bit for bit; or,
 * where the engine cannot post shared memory to workers, create's refusal (code "unsupported").
 */
export async function workersSplit() {
  /** @type {string[]} */
  const failures = [];
  if (!self.crossOriginIsolated) return { failures: ["the page is not cross-origin isolated"] };
  // The split itself, in this page's own instance (every engine): two ranges, last one first.
  for (const c of SPLIT_CASES) {
    const input = splitInput(losslab, c);
    const rows = c.dims[0] * c.dims[1];
    const gradInto = c.options.grad ? new Float32Array(input.logits.length) : undefined;
    const ranges = [
      losslab.crossEntropyRows({ ...input, gradInto }, c.options, rows >> 1, rows),
      losslab.crossEntropyRows({ ...input, gradInto }, c.options, 0, rows >> 1),
    ];
    const got = losslab.crossEntropyFromRows({ dims: input.dims, labels: input.labels }, c.options, ranges);
    const want = losslab.crossEntropy(input, c.options);
    failures.push(...resultDifferences(got, want, ["grad"]).map((d) => `in the page, ${c.name}: ${d}`));
    if (gradInto) failures.push(...gradientDifferences(gradInto, /** @type {Float32Array} */ (want.grad)));
  }
  let pool;
  try {
    pool = await CrossEntropyWorkers.create({ workers: 2 });
  } catch (e) {
    // An engine that cannot post shared memory to workers must say so, by code.
    const code = /** @type {{ code?: string }} */ (e).code;
    if (code !== "unsupported") failures.push(`create refused with code ${code}: ${message(e)}`);
    return { failures, split: "refused", refusal: message(e) };
  }
  for (const c of SPLIT_CASES) {
    const input = splitInput(losslab, c, sharedFloat32Array);
    const want = losslab.crossEntropy(input, c.options);
    const got = await pool.crossEntropy(input, c.options);
    failures.push(...resultDifferences(got, want, ["workers"]).map((d) => `${c.name}: ${d}`));
    if (c.options.grad && !(got.grad instanceof Float32Array)) failures.push(`${c.name}: no gradient came back`);
  }
  const simd = pool.simd;
  pool.terminate();
  return { failures, split: "ran", compared: SPLIT_CASES.length, workers: 2, workerSimd: simd };
}
