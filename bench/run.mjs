#!/usr/bin/env node
// losslab's browser benchmark: label-smoothed cross-entropy in headless Chromium, losslab's
// kernels against tfjs (wasm SIMD, one thread), plain JavaScript and the memory ceilings, on the
// hash-generated inputs of the golden vectors. Prints a Markdown table and writes
// bench/out/results.json and bench/out/results.md. A benchmark, not a test: nothing here asserts
// a time. `--smoke` is the exception that checks: every peer's loss against float64, no timing.
// onnxruntime-web (1 and N threads) runs a one-node ONNX model (bench/ort-model.mjs); ONNX has no
// label smoothing, so its cells and the two losslab cells timed for them compute ε = 0, forward.
// The same invocation then runs the CPU peers in Firefox and WebKit (bench/webdriver-session.mjs:
// the same page and inputs over WebDriver), one engine after another; the report sets the
// engines side by side. WebGPU, Engine "auto" and ORT's threads stay Chromium's, and so do the
// rows split across workers (CrossEntropyWorkers: one losslab instance per logical CPU on a
// SharedArrayBuffer), reported as the scaling over one thread.
//
// Usage: node bench/run.mjs [--shapes 1x128x32000,...] [--runs N] [--budget SECONDS] [--quick]
//                           [--peers a,b,...] [--engines chromium,firefox,webkit] [--smoke]
//                           [--linear NxDxV,...|none] [--out DIR] [--verbose]
// The fused linear cross-entropy table (bench/linear.mjs) runs in Chromium after the engines.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import wabtInit from "wabt";
import { serveBench } from "./server.mjs";
import { launchBenchChromium, machine, withTimeout } from "./harness.mjs";
import { LINEAR_GRAD_TOL, LINEAR_LOSS_TOL, linearMarkdown, linearProblems, runLinear } from "./linear.mjs";
import * as lm from "./lossmath.mjs";
import { openWebDriverEngine } from "./webdriver-session.mjs";

/** @typedef {import("./page.mjs").CellResponse} CellResponse */
/** @typedef {import("./page.mjs").Measurement} Measurement */
/**
 * One cell of the table: its shape, mode and peer, what the page answered, and the numbers
 * derived from the float64 reference and the other peers.
 * @typedef {{ dims: number[], shape: string, grad: boolean, mode: string, engine: EngineName, peer: string, label: string, epsilon: number, gbps?: number, relErr?: number, gradErr?: number, vsLosslab?: number | null } & CellResponse} Row
 */
/** @typedef {NonNullable<Awaited<ReturnType<typeof import("./page.mjs").bench.prepare>>["reference"]>} Reference */
/**
 * Per shape and mode: losslab's time and the ratios the report quotes.
 * @typedef {{
 *   dims: number[], mode: string, grad: boolean, engine: EngineName, wasm: string | null, losslabMs: number | null, overChromium: number | null,
 *   tfjsOverLosslab: number | null, plainOverLosslab: number | null,
 *   scalarOverSimd: number | null, copyOverResident: number | null, losslabOverCeiling: number | null, reference: number, tfjsProblem: string | null,
 * }} Summary
 */
/**
 * Per shape and ORT cell, at ε = 0: ORT's time, losslab's on both paths, and the ratios.
 * @typedef {{ dims: number[], engine: EngineName, peer: string, ortMs: number, residentMs: number | null, copyMs: number | null, overResident: number | null, overCopy: number | null, workersMs: number | null, overWorkers: number | null, reference: number }} OrtSummary
 */
/**
 * Per shape and mode: one thread on a Float32Array (gradInto the caller's array) against the rows
 * split across workers on a SharedArrayBuffer, and the scaling.
 * @typedef {{ dims: number[], engine: EngineName, mode: string, workers: number, oneMs: number, workersMs: number, scaling: number }} WorkersSummary
 */
/** @typedef {typeof report} Report */
/** @typedef {"chromium" | import("../scripts/webdriver.mjs").EngineName} EngineName */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_SHAPES = "1x128x32000,4x512x32000,1x2048x32000,1x512x151936";
const TARGET_SHAPE = "4x512x32000";
const PEERS = [
  ["losslab-simd", "losslab CPU simd (relaxed-simd FMA build where supported; F32Buffer in, gradInto)"],
  ["losslab-simd128", "losslab CPU simd128 build, no FMA (F32Buffer in, gradInto)"],
  ["losslab-scalar", "losslab CPU scalar (F32Buffer in, gradInto)"],
  ["losslab-simd-copy", "losslab CPU simd, Float32Array in (streamed), gradient returned"],
  ["losslab-simd-f32into", "losslab CPU simd, Float32Array in (streamed), gradInto the caller's Float32Array"],
  [
    "losslab-workers",
    "losslab CrossEntropyWorkers, one per logical CPU (Float32Array on a SharedArrayBuffer, gradInto the caller's)",
  ],
  ["losslab-webgpu", "losslab WebGPU (F32Buffer in, gradInto; informational)"],
  ["losslab-auto", 'losslab Engine "auto" (Float32Array in, gradient out)'],
  ["tfjs-wasm", "tfjs wasm SIMD, 1 thread"],
  ["losslab-simd-eps0", "losslab CPU simd at ε = 0 (F32Buffer in; ORT's comparison)"],
  ["losslab-simd-copy-eps0", "losslab CPU simd at ε = 0 (Float32Array in; ORT's comparison)"],
  ["losslab-workers-eps0", "losslab CrossEntropyWorkers at ε = 0 (SharedArrayBuffer; ORT's comparison)"],
  ["ort-1", "onnxruntime-web wasm SIMD, 1 thread (ε = 0)"],
  ["ort-n", "onnxruntime-web wasm SIMD, N threads (ε = 0)"],
  ["plain-js", "plain JS online logsumexp"],
  ["ceiling", "ceiling: wasm f32x4"],
  ["fresh-array", "floor of a returned gradient: a new Float32Array of N·V floats written in 256 KiB blocks"],
];
/** @type {Record<string, string>} */
const LABEL = Object.fromEntries(PEERS);
/** Peers at label smoothing 0, forward only: onnxruntime-web (ONNX has neither label smoothing
 *  nor, in ORT-web, a gradient) and the losslab cells its ratios divide by. */
const EPS0_PEERS = new Set(["losslab-simd-eps0", "losslab-simd-copy-eps0", "losslab-workers-eps0", "ort-1", "ort-n"]);
const ORT_PEERS = ["ort-1", "ort-n"];
/** The engines, in the order they run. @type {EngineName[]} */
const ENGINE_NAMES = ["chromium", "firefox", "webkit"];
/** @type {Record<EngineName, string>} */
const ENGINE_TITLE = { chromium: "Chromium", firefox: "Firefox", webkit: "WebKit" };
/** The peers Firefox and WebKit run: the CPU rows (losslab resident and Float32Array in, tfjs,
 *  plain JS, the ceiling) and ORT on one thread with its ε = 0 losslab cells. Neither engine has
 *  WebGPU here, so the WebGPU and "auto" rows would only repeat the CPU ones. */
const OTHER_ENGINE_PEERS = new Set([
  "losslab-simd",
  "losslab-simd-copy",
  "losslab-simd-f32into",
  "losslab-workers",
  "tfjs-wasm",
  "plain-js",
  "ceiling",
  "losslab-simd-eps0",
  "losslab-simd-copy-eps0",
  "ort-1",
]);
const ORT_TARGET = 5;
/** Cells that time memory traffic, not a loss: nothing to check against float64. */
const NO_LOSS_PEERS = new Set(["ceiling", "fresh-array"]);
const SMOKE_TOLERANCE = 1e-5;

const { values: opt } = parseArgs({
  options: {
    shapes: { type: "string" },
    runs: { type: "string" },
    budget: { type: "string" },
    peers: { type: "string" },
    engines: { type: "string", default: ENGINE_NAMES.join(",") },
    quick: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    out: { type: "string" },
    linear: { type: "string" },
    seed: { type: "string", default: "101" },
    scale: { type: "string", default: "8" },
    epsilon: { type: "string", default: "0.1" },
    "cell-timeout": { type: "string", default: "300" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (opt.help) {
  console.log(`node bench/run.mjs [options]
  --shapes LIST    BxTxV,... (default ${DEFAULT_SHAPES})
  --runs N         timed samples per cell, median reported (default 7; --quick 3; --smoke 1)
  --budget S       seconds of timed samples per cell; slow cells take fewer runs (default 8)
  --peers LIST     subset of: ${PEERS.map(([k]) => k).join(", ")}
  --engines LIST   subset of ${ENGINE_NAMES.join(", ")} (default all, in that order); Firefox and WebKit
                   run ${[...OTHER_ENGINE_PEERS].join(", ")} (--smoke: those at ε = 0.1);
                   an engine not installed is skipped
  --quick          runs 3, budget 2 s, shapes 1x128x32000,4x512x32000 unless --shapes is given
  --smoke          smallest shape, 1 run; fails unless every peer's loss is within ${SMOKE_TOLERANCE}
                   relative of the float64 reference (no timing is checked)
  --linear LIST    NxDxV,... the fused linear cross-entropy tables' shapes (default 2048x256x32000;
                   --smoke 64x32x1000, checked against float64), or "none"
  --out DIR        output folder (default bench/out)
  --seed/--scale/--epsilon   generator seed (101), logit scale (8), label smoothing (0.1)`);
  process.exit(0);
}

const smoke = opt.smoke;
const quick = opt.quick && !smoke;
const shapes = (opt.shapes ?? (smoke ? "1x128x32000" : quick ? "1x128x32000,4x512x32000" : DEFAULT_SHAPES))
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean)
  .map((s) => {
    const dims = s.split("x").map(Number);
    if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`bad shape ${s}: expected BxTxV, e.g. 4x512x32000`);
    }
    return dims;
  });
const runs = Number(opt.runs ?? (smoke ? 1 : quick ? 3 : 7));
const budgetMs = 1000 * Number(opt.budget ?? (smoke ? 0.5 : quick ? 2 : 8));
const timing = { runs, budgetMs, minSampleMs: smoke ? 5 : 20 };
const peers = opt.peers ? opt.peers.split(",").map((s) => s.trim()) : PEERS.map(([k]) => k);
for (const p of peers) if (!LABEL[p]) throw new Error(`unknown peer ${p}`);
// An ORT cell's ratios need losslab at ε = 0 on both paths (and the workers', when they run):
// asking for one brings those cells.
if (peers.some((p) => ORT_PEERS.includes(p))) {
  for (const p of ["losslab-simd-eps0", "losslab-simd-copy-eps0"]) if (!peers.includes(p)) peers.push(p);
  if (peers.includes("losslab-workers") && !peers.includes("losslab-workers-eps0")) peers.push("losslab-workers-eps0");
}
const engines = /** @type {EngineName[]} */ (opt.engines.split(",").map((s) => s.trim()));
for (const e of engines) if (!ENGINE_NAMES.includes(e)) throw new Error(`unknown engine ${e}`);
const seed = Number(opt.seed);
const scale = Number(opt.scale);
const epsilon = Number(opt.epsilon);
const ignoreIndex = -100;
const cellTimeoutMs = 1000 * Number(opt["cell-timeout"]);
const outDir = opt.out ?? join(ROOT, "bench", "out");
const linearShape = opt.linear ?? (smoke ? "64x32x1000" : "2048x256x32000");
const linearShapes =
  linearShape === "none"
    ? []
    : linearShape.split(",").map((text) => {
        const dims = text.trim().split("x").map(Number);
        if (dims.length !== 3 || !dims.every((x) => Number.isInteger(x) && x > 0))
          throw new Error(`bad --linear ${text}: expected NxDxV, e.g. 2048x256x32000, or none`);
        return dims;
      });
const log = (/** @type {unknown[]} */ ...a) => console.error("[bench]", ...a);

// ---------------------------------------------------------------------------------------------
// Machine, versions, and the self-checks of the reference

/** The float64 reference against the golden vector made by PyTorch on the same generator. */
function goldenCheck() {
  try {
    const cases = JSON.parse(readFileSync(join(ROOT, "tests/golden/cases.json"), "utf8")).crossEntropy;
    /** @type {import("../tests/js/golden.mjs").GoldenCase | undefined} */
    const c = cases.find(
      (/** @type {import("../tests/js/golden.mjs").GoldenCase & { generator?: { kind?: string } }} */ c) =>
        c.generator?.kind === "hash" && c.options.semantics === "hf" && !c.options.shiftLabels,
    );
    if (!c || !c.generator) return { skipped: "no unshifted hf hash case in tests/golden/cases.json" };
    const [b, t, v] = c.dims;
    const g = c.generator;
    const expected = Number(c.expected.loss);
    const x = lm.hashLogits(b * t * v, g.seed, g.scale);
    const y = lm.hashLabels(b * t, v, g.seed, g.ignore);
    const got = lm.referenceLoss(x, y, v, c.options.epsilon ?? 0.1, g.ignore).loss;
    return { case: c.name, expected, got, relErr: Math.abs(got - expected) / Math.abs(expected) };
  } catch (e) {
    return { skipped: String((e instanceof Error ? e.message : undefined) ?? e) };
  }
}

async function compileCeiling() {
  const wabt = await wabtInit();
  const src = readFileSync(join(ROOT, "bench", "ceiling.wat"), "utf8");
  const mod = wabt.parseWat("ceiling.wat", src, { simd: true });
  mod.validate();
  const { buffer } = mod.toBinary({});
  mod.destroy();
  return Buffer.from(buffer);
}

// ---------------------------------------------------------------------------------------------
// Running cells, one fresh page each

/** @typedef {import("playwright-core").BrowserContext} BrowserContext */
/** @typedef {Parameters<typeof import("./page.mjs").bench.prepare>[0]} ShapeConfig */

/** @param {BrowserContext} context @param {string} url @param {ShapeConfig} shapeCfg */
async function openPage(context, url, shapeCfg) {
  const page = await context.newPage();
  page.on("pageerror", (e) => log("page error:", e.message));
  if (opt.verbose) page.on("console", (m) => log("console:", m.text()));
  await page.goto(url);
  await page.waitForFunction(() => window.bench !== undefined, null, { timeout: 30000 });
  const prepared = await withTimeout(
    page.evaluate((c) => window.bench.prepare(c), shapeCfg),
    cellTimeoutMs,
    "prepare",
  );
  return { page, prepared };
}

/**
 * @param {BrowserContext} context @param {string} url @param {ShapeConfig} shapeCfg @param {string} peer @param {boolean} grad
 * @returns {Promise<{ prepared: Awaited<ReturnType<typeof openPage>>["prepared"] | null, result: CellResponse, page: import("playwright-core").Page | null }>}
 */
async function runCell(context, url, shapeCfg, peer, grad) {
  /** @type {import("playwright-core").Page | null} */
  let page = null;
  try {
    const opened = await openPage(context, url, shapeCfg);
    page = opened.page;
    const result = await withTimeout(
      page.evaluate((c) => window.bench.cell(c), { peer, grad, timing }),
      cellTimeoutMs,
      `${peer}`,
    );
    return { prepared: opened.prepared, result, page };
  } catch (e) {
    const msg = String((e instanceof Error ? e.message : undefined) ?? e).split("\n")[0];
    return {
      prepared: null,
      result: { status: "failed", message: msg.includes("crash") ? `renderer crashed (${msg})` : msg },
      page,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Formatting

const fmtMs = (/** @type {number} */ ms) =>
  ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
const fmtX = (/** @type {number | null | undefined} */ r) =>
  r == null || !Number.isFinite(r) ? "—" : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
const fmtE = (/** @type {number | null | undefined} */ e) => (e == null ? "—" : e === 0 ? "0" : e.toExponential(1));
const fmtMB = (/** @type {number} */ b) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 2 : 0)} MiB`;
const shapeName = (/** @type {number[]} */ d) => d.join("x");
const shapePretty = (/** @type {number[]} */ d) => d.join("×");

/** @param {import("./page.mjs").Memory | undefined} m */
function memoryText(m) {
  if (!m) return "";
  const first = m.afterFirstBytes - m.beforeBytes;
  const peak = m.peakBytes - m.beforeBytes;
  return `+${fmtMB(first)} first call, +${fmtMB(peak)} peak (of ${fmtMB(m.beforeBytes)})`;
}

/** One engine's generator check in words. @param {GeneratorCheck | null | undefined} g */
function generatorText(g) {
  if (!g) return "not run";
  if ("error" in g) return `failed (${g.error})`;
  return `${g.logitsMismatches} + ${g.labelsMismatches} mismatches in ${g.checkedLogits} logits + ${g.checkedLabels} labels`;
}

/** @param {Report} report */
function markdown(report) {
  const L = [];
  const m = report.machine;
  L.push(`# losslab benchmark${report.smoke ? " (smoke: correctness only, timings meaningless)" : ""}`);
  L.push("");
  const busy = m.loadBefore > 1 || m.loadMean > 2;
  L.push(
    `- ${report.date}; ${m.cpu}, ${m.logicalCpus} logical CPUs, ${m.memoryGiB} GiB; 1-minute load average ${m.loadBefore.toFixed(2)} before, ${m.loadMean.toFixed(2)} mean and ${m.loadMax.toFixed(2)} max during the run (the benchmark itself accounts for about 1)${busy ? ": **the machine was busy with other work; times compete for the CPUs**" : ""}`,
  );
  L.push(`- ${report.browser}; Node ${m.node}; losslab ${m.losslab}`);
  for (const engine of ENGINE_NAMES) {
    const e = report.engines[engine];
    if (!e) continue;
    if (!("label" in e)) {
      L.push(
        `- ${ENGINE_TITLE[engine]}: ${"skipped" in e ? `skipped (${e.skipped})` : `**did not start** (${e.failed})`}`,
      );
      continue;
    }
    const i = e.info;
    const page = i
      ? `the package entry loads ${i.losslabWasm} (relaxed SIMD ${i.relaxedSimd ? "validates" : "does not validate"} here), crossOriginIsolated=${i.crossOriginIsolated}, navigator.gpu ${i.webgpu ? "present" : "absent"}, hardwareConcurrency ${i.hardwareConcurrency}, performance.now() step ${i.timerStepMs == null ? "?" : `${(i.timerStepMs * 1000).toFixed(0)} µs`}`
      : "the page did not describe itself";
    const tfjs = e.tfjs ? `; tfjs loaded ${(e.tfjs.wasmFiles ?? []).join(", ") || "?"}` : "";
    const load = e.loadMean == null ? "" : `, load average ${e.loadMean.toFixed(1)} meanwhile`;
    L.push(
      `- ${ENGINE_TITLE[engine]}: ${e.version} (${e.label}): ${page}${tfjs}; ${(e.wallMs / 1000).toFixed(0)} s${load}`,
    );
  }
  if (report.tfjs) {
    const t = report.tfjs;
    L.push(
      `- tfjs-core ${t.version}, backend "${t.backend}", WASM_HAS_SIMD_SUPPORT=${t.simd}, WASM_HAS_MULTITHREAD_SUPPORT=${t.multithread}, threads=${t.threads}, loaded ${(t.wasmFiles ?? []).join(", ")}`,
    );
  }
  const ortCells = Object.entries(report.ort.info);
  if (ortCells.length) {
    const o = ortCells[0][1];
    const threads = ortCells
      .map(
        ([p, i]) =>
          `${p}: ${i.requestedThreads} asked, ${i.threads} used${i.crossOriginIsolated ? "" : " (page not cross-origin isolated)"}`,
      )
      .join("; ");
    const isolated = ortCells.every(([, i]) => i.crossOriginIsolated);
    L.push(
      `- onnxruntime-web ${o.version} (dist/ort.wasm.min.mjs, wasm execution provider), crossOriginIsolated=${isolated}, navigator.hardwareConcurrency=${o.hardwareConcurrency}; threads: ${threads}; loaded ${[...new Set(ortCells.flatMap(([, i]) => i.wasmFiles))].join(", ")}; model: one SoftmaxCrossEntropyLoss node (ai.onnx opset 13, reduction "mean", ignore_index ${report.inputs.ignoreIndex}, scores float32 [N, V], labels int64 [N]), ${o.modelBytes} bytes written by bench/ort-model.mjs`,
    );
  }
  if (report.webgpuAdapter)
    L.push(
      `- WebGPU adapter: ${JSON.stringify(report.webgpuAdapter)} (SwiftShader is a CPU emulation: its row is informational, not a speed claim)`,
    );
  L.push(
    `- Inputs: the golden hash generator (seed ${report.inputs.seed}, scale ${report.inputs.scale}), ε = ${report.inputs.epsilon}, 10 % of labels ignored (hf semantics, mean over active tokens).`,
  );
  L.push(
    '- Timed: only the loss computation on resident data — losslab on an `F32Buffer` with `gradInto`; tfjs on tensors made before timing (results disposed); the ceiling on its own wasm memory, filled once. WebGPU takes the same F32Buffers and uploads the logits (reads the gradient back) on every call. The "Float32Array in" row includes losslab\'s copy in (and the gradient\'s copy out): what a casual call costs. Each cell runs in a fresh page: a cold call, a warm-up, then the median of the runs listed (runs × calls per timed sample); "Cold" is the first call of the fresh page.',
  );
  L.push(
    "- GB/s counts logits bytes read once (forward+gradient also writes as many). \"× losslab\" is the peer's time over losslab CPU simd128's (same shape and mode): above 1 means losslab is faster. Rel. err: |loss − float64| / float64; grad err: largest error at 64 sampled entries over the largest |gradient|. losslab and plain JS skip ignored rows; tfjs and the ceilings read every row.",
  );
  if (report.smoke && report.results.some((r) => r.engine !== "chromium")) {
    L.push(
      "- Smoke run: Firefox and WebKit run the cells of a shape in one document (no timing to protect; a page load per cell would cost more than the checks), and only the ε = 0.1 CPU peers.",
    );
  }
  if (report.results.some((r) => EPS0_PEERS.has(r.peer))) {
    L.push(
      `- onnxruntime-web at ε = 0: ONNX's SoftmaxCrossEntropyLoss has no label smoothing, so the ORT cells compute plain cross-entropy (torch semantics, mean over the rows whose label is not ${report.inputs.ignoreIndex}), forward only (ORT-web runs inference: no gradient). Their comparison is losslab at ε = 0, cells of their own (simd: resident F32Buffer, Float32Array in, and, where asked for, the rows split across workers on a SharedArrayBuffer), each in a fresh page like every cell, so ORT's wasm threads never share a page with a losslab measurement; the ε = ${report.inputs.epsilon} rows are unchanged. These rows' rel. err is against the float64 loss at ε = 0 and their "× losslab" against losslab simd at ε = 0. ORT's tensors are made before timing, but every run copies the scores into ORT's wasm heap (its wasm backend takes no resident input) and computes log-softmax on every row, ignored or not; "ORT / losslab (Float32Array)" is the like-for-like ratio (both copy the logits in on every call), "ORT / losslab (resident)" adds what keeping the logits in an F32Buffer saves. The pages are cross-origin isolated (COOP/COEP from bench/server.mjs) for ORT's threads; tfjs is held to its single-threaded SIMD binary.`,
    );
  }
  L.push("");
  L.push(
    "| Shape | Mode | Engine | Peer | Median ms | Min ms | Cold ms | Runs × calls | GB/s | × losslab | Loss | Rel. err | Grad err | losslab wasm memory |",
  );
  L.push("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  const footnotes = [];
  for (const r of report.results) {
    const chose = r.peer === "losslab-auto" && r.status === "ok" && r.backend ? ` → ${r.backend}` : "";
    const head = `| ${shapePretty(r.dims)} | ${r.mode} | ${ENGINE_TITLE[r.engine]} | ${r.label}${chose} |`;
    if (r.status !== "ok") {
      L.push(`${head} ${r.status}: ${r.message.replaceAll("|", "\\|")} | | | | | | | | | |`);
      continue;
    }
    const t = r.timing;
    const loss = r.loss != null ? r.loss.toPrecision(10) : r.value != null ? `(sum ${r.value.toPrecision(6)})` : "—";
    let runsText = `${t.runs} × ${t.reps}`;
    if (t.failure) {
      footnotes.push(
        `${shapePretty(r.dims)} ${r.mode}, ${ENGINE_TITLE[r.engine]}, ${r.label}: call ${t.failedAtCall} failed (${t.failure}); the times are from the ${t.samplesFrom} that completed before it.`,
      );
      runsText += ` ⚠${footnotes.length}`;
    }
    L.push(
      `${head} ${fmtMs(t.medianMs)} | ${fmtMs(t.minMs)} | ${fmtMs(t.firstMs)} | ${runsText} | ${(r.gbps ?? NaN).toFixed(2)} | ${fmtX(r.vsLosslab)} | ${loss} | ${fmtE(r.relErr)} | ${fmtE(r.gradErr)} | ${memoryText(r.memory)} |`,
    );
  }
  if (footnotes.length) {
    L.push("");
    footnotes.forEach((f, i) => L.push(`⚠${i + 1} ${f}`));
  }
  L.push("");
  L.push("## Ratios, engine by engine");
  L.push("");
  L.push(
    "| Shape | Mode | Engine | losslab build | losslab ms | losslab vs Chromium | tfjs / losslab | plain JS / losslab | scalar / simd | copy-in / resident | losslab / ceiling | float64 loss |",
  );
  L.push("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const s of report.summary) {
    L.push(
      `| ${shapePretty(s.dims)} | ${s.mode} | ${ENGINE_TITLE[s.engine]} | ${s.wasm ?? "—"} | ${s.losslabMs == null ? "—" : fmtMs(s.losslabMs)} | ${fmtX(s.overChromium)} | ${fmtX(s.tfjsOverLosslab)} | ${fmtX(s.plainOverLosslab)} | ${fmtX(s.scalarOverSimd)} | ${fmtX(s.copyOverResident)} | ${fmtX(s.losslabOverCeiling)} | ${s.reference.toPrecision(12)} |`,
    );
  }
  L.push("");
  L.push(
    "Every ratio divides two times from the same engine; \"losslab vs Chromium\" is this engine's losslab time over Chromium's (above 1: slower than in Chromium), measured minutes apart: compare it only when the engines' load averages above are alike. The build is the wasm the package entry picked for losslab's row (`losslab_relaxed_bg.wasm`: simd128 + relaxed-SIMD fused multiply-add; `losslab_bg.wasm`: plain simd128). Ceiling: forward against an f32x4 sum of the logits (read once); forward+gradient against an f32x4 copy (read once, write once).",
  );
  if (report.ort.summary.length) {
    L.push("");
    L.push("## onnxruntime-web at ε = 0 (forward)");
    L.push("");
    L.push(
      "| Shape | Engine | ORT cell | ORT ms | losslab resident ms | losslab Float32Array ms | losslab workers ms | ORT / losslab (resident) | ORT / losslab (Float32Array) | ORT / losslab (workers) | float64 loss at ε = 0 |",
    );
    L.push("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const o of report.ort.summary) {
      const ms = (/** @type {number | null} */ v) => (v == null ? "—" : fmtMs(v));
      L.push(
        `| ${shapePretty(o.dims)} | ${ENGINE_TITLE[o.engine]} | ${LABEL[o.peer]} | ${fmtMs(o.ortMs)} | ${ms(o.residentMs)} | ${ms(o.copyMs)} | ${ms(o.workersMs)} | ${fmtX(o.overResident)} | ${fmtX(o.overCopy)} | ${fmtX(o.overWorkers)} | ${o.reference.toPrecision(12)} |`,
      );
    }
    L.push("");
    L.push(
      `ORT / losslab (resident): ${report.ort.summary.map((o) => `${shapePretty(o.dims)} ${ENGINE_TITLE[o.engine]} ${o.peer} ${fmtX(o.overResident)}`).join(", ")}. ORT / losslab (Float32Array): ${report.ort.summary.map((o) => `${shapePretty(o.dims)} ${ENGINE_TITLE[o.engine]} ${o.peer} ${fmtX(o.overCopy)}`).join(", ")}.`,
    );
  }
  if (report.workers.length) {
    L.push("");
    L.push("## Rows split across workers");
    L.push("");
    L.push("| Shape | Mode | Engine | Workers | one thread ms | workers ms | scaling |");
    L.push("|---|---|---|---:|---:|---:|---:|");
    for (const w of report.workers)
      L.push(
        `| ${shapePretty(w.dims)} | ${w.mode} | ${ENGINE_TITLE[w.engine]} | ${w.workers} | ${fmtMs(w.oneMs)} | ${fmtMs(w.workersMs)} | ${fmtX(w.scaling)} |`,
      );
    L.push("");
    L.push(
      "One thread: losslab on a plain Float32Array (streamed; the gradient into the caller's Float32Array). Workers: CrossEntropyWorkers with one module worker per logical CPU, each with its own losslab instance, computing a contiguous block of logits rows of a Float32Array on a SharedArrayBuffer (what a cross-origin isolated page can share without copying) and writing its rows of the caller's shared gradient; the page's own instance reduces the rows (crossEntropyFromRows), so the result is one call's, bit for bit. Scaling: one thread's time over the workers'.",
    );
  }
  if (report.targets.length) {
    L.push("");
    L.push("## Targets (Chromium)");
    L.push("");
    for (const t of report.targets)
      L.push(`- ${t.met == null ? "n/a" : t.met ? "met" : "NOT met"}: ${t.what} — ${t.detail}`);
  }
  L.push("");
  L.push(
    `Reference check: ${report.checks.golden.skipped ? `skipped (${report.checks.golden.skipped})` : `float64 reference on golden case ${report.checks.golden.case}: rel. err ${fmtE(report.checks.golden.relErr)} against PyTorch's float64`}; JS generator vs losslab.hashLogits/hashLabels: ${
      Object.entries(report.checks.generator)
        .map(([engine, g]) => `${ENGINE_TITLE[/** @type {EngineName} */ (engine)]} ${generatorText(g)}`)
        .join("; ") || "not run"
    }.`,
  );
  L.push(`Wall time ${(report.wallMs / 1000).toFixed(0)} s.`);
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Derived numbers and targets

/** A row that was measured. @typedef {Row & { status: "ok" } & Measurement} Measured */

/**
 * The float64 loss at the row's ε: the shape's reference at the run's ε, or at ε = 0 its nll
 * term, which is what lossmath's referenceLoss returns at ε = 0 ((1 − 0)·nll/n + 0·smooth).
 * @param {Reference} ref @param {number} eps
 */
const lossAt = (ref, eps) => (eps === epsilon ? ref.loss : eps === 0 ? ref.nll : NaN);

/** @param {Row[]} results @param {Record<string, Reference>} references */
function derive(results, references) {
  /** @type {(dims: number[], grad: boolean, peer: string, engine?: string) => Measured | undefined} */
  const find = (dims, grad, peer, engine = "chromium") =>
    /** @type {Measured | undefined} */ (
      results.find(
        (r) =>
          shapeName(r.dims) === shapeName(dims) &&
          r.grad === grad &&
          r.peer === peer &&
          r.engine === engine &&
          r.status === "ok",
      )
    );
  for (const r of results) {
    if (r.status !== "ok") continue;
    const ref = references[shapeName(r.dims)];
    const bytes = r.dims[0] * r.dims[1] * r.dims[2] * 4;
    r.gbps = bytes / (r.timing.medianMs / 1000) / 1e9;
    if (r.loss != null && ref) r.relErr = Math.abs(r.loss - lossAt(ref, r.epsilon)) / Math.abs(lossAt(ref, r.epsilon));
    if (r.gradSamples && ref) {
      // A sample missing on either side is an error, not a NaN that Math.max would drop.
      let worst = r.gradSamples.length === ref.gradSamples.length ? 0 : Infinity;
      r.gradSamples.forEach((g, i) => (worst = Math.max(worst, Math.abs(g - ref.gradSamples[i]))));
      r.gradErr = worst / ref.maxAbsGrad;
    }
    const base = find(r.dims, r.grad, EPS0_PEERS.has(r.peer) ? "losslab-simd-eps0" : "losslab-simd", r.engine);
    r.vsLosslab = base ? r.timing.medianMs / base.timing.medianMs : null;
  }
  /** @type {(a: number | null, b: number | null) => number | null} */
  const ratio = (a, b) => (a == null || b == null ? null : a / b);
  /** @type {Summary[]} */
  const summary = [];
  // Shape by shape, mode by mode, the engines side by side.
  for (const dims of shapes) {
    for (const grad of [false, true]) {
      for (const engine of ENGINE_NAMES) {
        if (!results.some((r) => r.engine === engine)) continue;
        const ms = (/** @type {string} */ peer) => find(dims, grad, peer, engine)?.timing.medianMs ?? null;
        const ls = ms("losslab-simd");
        if (!references[shapeName(dims)]) continue;
        const chromiumMs = find(dims, grad, "losslab-simd")?.timing.medianMs ?? null;
        summary.push({
          dims,
          mode: grad ? "forward+gradient" : "forward",
          grad,
          engine,
          wasm: find(dims, grad, "losslab-simd", engine)?.wasm ?? null,
          losslabMs: ls,
          overChromium: engine === "chromium" ? null : ratio(ls, chromiumMs),
          tfjsOverLosslab: ratio(ms("tfjs-wasm"), ls),
          plainOverLosslab: ratio(ms("plain-js"), ls),
          scalarOverSimd: ratio(ms("losslab-scalar"), ls),
          copyOverResident: ratio(ms("losslab-simd-copy"), ls),
          losslabOverCeiling: ratio(ls, ms("ceiling")),
          reference: references[shapeName(dims)].loss,
          tfjsProblem: (() => {
            const t = results.find(
              (r) =>
                shapeName(r.dims) === shapeName(dims) &&
                r.grad === grad &&
                r.peer === "tfjs-wasm" &&
                r.engine === engine,
            );
            if (!t) return null;
            if (t.status !== "ok") return `tfjs-wasm ${t.status}: ${t.message}`;
            return t.timing.failure ? `tfjs-wasm call ${t.timing.failedAtCall} failed: ${t.timing.failure}` : null;
          })(),
        });
      }
    }
  }
  /** @type {{ what: string, met: boolean | null, detail: string }[]} */
  const targets = [];
  // The targets are Chromium's: the figures the project states were set in Chromium.
  /** @type {(name: string, grad: boolean) => Summary | undefined} */
  const s = (name, grad) =>
    summary.find((x) => shapeName(x.dims) === name && x.grad === grad && x.engine === "chromium");
  const fwd = s(TARGET_SHAPE, false);
  const bwd = s(TARGET_SHAPE, true);
  /** @type {(what: string, value: number | null, ok: (v: number) => boolean, detail: (v: number) => string, problem?: string | null) => void} */
  const check = (what, value, ok, detail, problem) =>
    targets.push({
      what,
      met: value == null ? null : ok(value),
      detail: (value == null ? "not measured in this run" : detail(value)) + (problem ? ` (${problem})` : ""),
    });
  if (fwd) {
    check(
      "4×512×32000 forward ≥ 10× faster than tfjs-wasm SIMD",
      fwd.tfjsOverLosslab,
      (v) => v >= 10,
      (v) => `tfjs / losslab = ${fmtX(v)}`,
      fwd.tfjsProblem,
    );
    check(
      "4×512×32000 forward within 3× of the read ceiling",
      fwd.losslabOverCeiling,
      (v) => v <= 3,
      (v) => `losslab / ceiling = ${fmtX(v)}`,
    );
  }
  if (bwd) {
    check(
      "4×512×32000 forward+gradient ≥ 8× faster than tfjs-wasm SIMD",
      bwd.tfjsOverLosslab,
      (v) => v >= 8,
      (v) => `tfjs / losslab = ${fmtX(v)}`,
      bwd.tfjsProblem,
    );
  }
  // The path every user takes: a plain Float32Array in, against logits resident in wasm memory.
  for (const dims of shapes) {
    for (const [grad, bar] of /** @type {[boolean, number][]} */ ([
      [false, 1.2],
      [true, 1.4],
    ])) {
      const x = s(shapeName(dims), grad);
      if (!x) continue;
      const into = find(dims, grad, "losslab-simd-f32into");
      const intoRatio = into && x.losslabMs ? into.timing.medianMs / x.losslabMs : null;
      const fresh = grad ? find(dims, grad, "fresh-array") : undefined;
      check(
        `${shapePretty(dims)} ${grad ? "forward+gradient" : "forward"}: Float32Array in within ${bar}× of resident`,
        x.copyOverResident,
        (v) => v <= bar,
        (v) =>
          `Float32Array / resident = ${fmtX(v)}${grad && intoRatio != null ? `; gradInto a Float32Array ${fmtX(intoRatio)}` : ""}` +
          (fresh && x.losslabMs
            ? `; a fresh N·V Float32Array alone, written block by block with no arithmetic, takes ${fmtMs(fresh.timing.medianMs)} ms (${fmtX(fresh.timing.medianMs / x.losslabMs)} of resident forward+gradient)`
            : ""),
      );
    }
  }
  for (const name of ["1x2048x32000", "1x512x151936"]) {
    const r = results.find((r) => shapeName(r.dims) === name && r.grad && r.peer === "losslab-simd");
    if (r) {
      targets.push({
        what: `${name.replaceAll("x", "×")} forward+gradient completes (losslab CPU simd128)`,
        met: r.status === "ok",
        detail:
          r.status === "ok"
            ? `${fmtMs(r.timing.medianMs)} ms, rel. err ${fmtE(r.relErr)}`
            : `${r.status}: ${r.message}`,
      });
    }
  }
  // "auto" must run each call where it is faster: its choice against the two backends measured.
  for (const dims of shapes) {
    for (const grad of [false, true]) {
      const auto = find(dims, grad, "losslab-auto");
      const cpu = find(dims, grad, "losslab-simd-copy");
      const gpu = find(dims, grad, "losslab-webgpu");
      if (!auto || !cpu) continue;
      const faster = gpu && gpu.timing.medianMs < cpu.timing.medianMs ? "webgpu" : "cpu-simd";
      const times = `CPU (Float32Array in) ${fmtMs(cpu.timing.medianMs)} ms, WebGPU ${gpu ? `${fmtMs(gpu.timing.medianMs)} ms` : "not measured"}`;
      targets.push({
        what: `${shapePretty(dims)} ${grad ? "forward+gradient" : "forward"}: Engine "auto" runs on the faster backend`,
        met: auto.backend === faster,
        detail: `it ran on ${auto.backend} (${auto.backendReason}); ${times}`,
      });
    }
  }
  // onnxruntime-web at ε = 0 against losslab at ε = 0, resident (F32Buffer) and Float32Array in.
  /** @type {OrtSummary[]} */
  const ort = [];
  for (const dims of shapes) {
    const ref = references[shapeName(dims)];
    if (!ref || !ORT_PEERS.some((p) => peers.includes(p))) continue;
    // Firefox and WebKit run ORT on one thread only: their rows are reported (after Chromium's),
    // not targeted.
    /** @type {OrtSummary[]} */
    const others = [];
    for (const engine of ENGINE_NAMES.filter((e) => e !== "chromium")) {
      const o = find(dims, false, "ort-1", engine);
      if (!o) continue;
      const residentMs = find(dims, false, "losslab-simd-eps0", engine)?.timing.medianMs ?? null;
      const copyMs = find(dims, false, "losslab-simd-copy-eps0", engine)?.timing.medianMs ?? null;
      others.push({
        dims,
        engine,
        peer: "ort-1",
        ortMs: o.timing.medianMs,
        residentMs,
        copyMs,
        overResident: residentMs && o.timing.medianMs / residentMs,
        overCopy: copyMs && o.timing.medianMs / copyMs,
        workersMs: null,
        overWorkers: null,
        reference: lossAt(ref, 0),
      });
    }
    const residentMs = find(dims, false, "losslab-simd-eps0")?.timing.medianMs ?? null;
    const copyMs = find(dims, false, "losslab-simd-copy-eps0")?.timing.medianMs ?? null;
    const workersMs = find(dims, false, "losslab-workers-eps0")?.timing.medianMs ?? null;
    /** @type {OrtSummary[]} */
    const here = [];
    for (const peer of ORT_PEERS) {
      const o = find(dims, false, peer);
      if (!o) continue;
      const ms = o.timing.medianMs;
      here.push({
        dims,
        engine: "chromium",
        peer,
        ortMs: ms,
        residentMs,
        copyMs,
        overResident: residentMs && ms / residentMs,
        overCopy: copyMs && ms / copyMs,
        workersMs,
        overWorkers: workersMs && ms / workersMs,
        reference: lossAt(ref, 0),
      });
    }
    ort.push(...here, ...others);
    // "Faster than ORT-web": than its faster thread setting on this shape, on both losslab paths.
    const best = here.reduce((/** @type {OrtSummary | null} */ a, b) => (a && a.ortMs <= b.ortMs ? a : b), null);
    const what = `${shapePretty(dims)} forward at ε = 0: ≥ ${ORT_TARGET}× faster than onnxruntime-web on both paths (resident and Float32Array in)`;
    if (!best || best.overResident == null || best.overCopy == null) {
      const failed = results.filter(
        (r) =>
          shapeName(r.dims) === shapeName(dims) &&
          EPS0_PEERS.has(r.peer) &&
          r.engine === "chromium" &&
          r.status !== "ok",
      );
      targets.push({
        what,
        met: null,
        detail: `not measured in this run${failed.length ? ` (${failed.map((r) => `${r.peer}: ${r.status === "ok" ? "" : r.message}`).join("; ")})` : ""}`,
      });
      continue;
    }
    targets.push({
      what,
      met: best.overResident >= ORT_TARGET && best.overCopy >= ORT_TARGET,
      detail:
        `fastest ORT cell ${best.peer} ${fmtMs(best.ortMs)} ms: ORT / losslab (resident, ${fmtMs(/** @type {number} */ (residentMs))} ms) = ${fmtX(best.overResident)}, ` +
        `ORT / losslab (Float32Array, ${fmtMs(/** @type {number} */ (copyMs))} ms) = ${fmtX(best.overCopy)}` +
        here
          .filter((o) => o !== best)
          .map((o) => `; ${o.peer} ${fmtMs(o.ortMs)} ms (${fmtX(o.overResident)}, ${fmtX(o.overCopy)})`)
          .join("") +
        (best.overWorkers == null
          ? ""
          : `; against losslab's rows split across workers (SharedArrayBuffer, ${fmtMs(/** @type {number} */ (workersMs))} ms) ${fmtX(best.overWorkers)}`),
    });
  }
  // The rows split across workers against one thread on the same kind of input (a Float32Array;
  // the gradient into the caller's array): the scaling on this machine's cores.
  /** @type {WorkersSummary[]} */
  const workers = [];
  for (const engine of ENGINE_NAMES) {
    for (const dims of shapes) {
      for (const grad of [false, true]) {
        const w = find(dims, grad, "losslab-workers", engine);
        const one = find(dims, grad, grad ? "losslab-simd-f32into" : "losslab-simd-copy", engine);
        if (!w || !one || !w.workers) continue;
        workers.push({
          dims,
          engine,
          mode: grad ? "forward+gradient" : "forward",
          workers: w.workers.workers,
          oneMs: one.timing.medianMs,
          workersMs: w.timing.medianMs,
          scaling: one.timing.medianMs / w.timing.medianMs,
        });
      }
    }
  }
  return { summary, targets, ort, workers };
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const info = machine();
const loadBefore = loadavg()[0];
/** @type {number[]} */
const loads = [];
const loadTimer = setInterval(() => loads.push(loadavg()[0]), 5000).unref();
const golden = goldenCheck();
log(`golden reference check: ${JSON.stringify(golden)}`);
const extra = new Map([["/bench/ceiling.wasm", { type: "application/wasm", body: await compileCeiling() }]]);
const server = await serveBench(ROOT, extra);
const url = `http://127.0.0.1:${server.address().port}/bench/page.html`;
/** @typedef {Awaited<ReturnType<typeof import("./page.mjs").bench.engineInfo>>} EngineInfo */
/** @typedef {Awaited<ReturnType<typeof import("./page.mjs").bench.checkGenerator>> | { error: string }} GeneratorCheck */
/**
 * What one engine ran: its browser, what the page reported, tfjs's and ORT's details, the
 * generator check, its wall time.
 * @typedef {{
 *   label: string, version: string, info: EngineInfo | null, tfjs: import("./page.mjs").TfjsInfo | null,
 *   ort: Record<string, import("./page.mjs").OrtInfo>, generator: GeneratorCheck | null, wallMs: number,
 *   loadMean: number | null,
 * }} EngineRun
 */
/** An engine's run, or why it did not run: `skipped` (not installed), `failed` (installed, did not start). @typedef {EngineRun | { skipped: string } | { failed: string }} EngineReport */

/** Chromium behind the interface bench/webdriver-session.mjs gives Firefox and WebKit. */
async function openChromium() {
  const { context, close, browser, tfjsWasmFiles } = await launchBenchChromium({
    prefix: "losslab-bench-",
    webgpu: true,
    log,
  });
  /** @type {EngineInfo | null} */
  let info = null;
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.bench !== undefined, null, { timeout: 30000 });
    info = await page.evaluate(() => window.bench.engineInfo());
    await page.close();
  } catch (e) {
    log(`Chromium: the page's engine description failed: ${e instanceof Error ? e.message : e}`);
  }
  return {
    label: "Chromium (headless, scripts/chromium.mjs)",
    version: browser,
    info,
    tfjsWasmFiles,
    /**
     * @param {ShapeConfig} shapeCfg @param {{ peer: string, grad: boolean }} request
     * @param {{ seed: number, scale: number, vocab: number, ignoreIndex: number } | null} checkGenerator
     * @returns {Promise<{ prepared: Awaited<ReturnType<typeof openPage>>["prepared"] | null, result: CellResponse, generator?: GeneratorCheck }>}
     */
    async runCell(shapeCfg, { peer, grad }, checkGenerator) {
      const { prepared, result, page } = await runCell(context, url, shapeCfg, peer, grad);
      /** @type {GeneratorCheck | undefined} */
      let generator;
      if (page && checkGenerator && result.status !== "failed") {
        generator = await page
          .evaluate((c) => window.bench.checkGenerator(c), checkGenerator)
          .catch((e) => ({ error: String((e instanceof Error ? e.message : undefined) ?? e) }));
      }
      await page?.close().catch(() => {});
      return { prepared, result, generator };
    },
    close,
  };
}

/** @type {Row[]} */
const results = [];
/** @type {Record<string, Reference>} */
const references = {};
/** @type {Partial<Record<EngineName, EngineReport>>} */
const engineReports = {};
/** @type {Awaited<ReturnType<typeof runLinear>>[]} */
const linearTables = [];
try {
  for (const engine of engines) {
    const engineStarted = Date.now();
    const title = ENGINE_TITLE[engine];
    /** @type {Awaited<ReturnType<typeof openChromium>> | import("./webdriver-session.mjs").WebDriverEngine} */
    let session;
    if (engine === "chromium") session = await openChromium();
    else {
      const opened = await openWebDriverEngine(engine, url, { cellTimeoutMs, log });
      if ("skipped" in opened || "failed" in opened) {
        engineReports[engine] = opened;
        log(`${title}: ${"skipped" in opened ? `skipped: ${opened.skipped}` : `FAILED to start: ${opened.failed}`}`);
        continue;
      }
      session = opened;
    }
    /** @type {EngineRun} */
    const er = {
      label: session.label,
      version: session.version,
      info: session.info,
      tfjs: null,
      ort: {},
      generator: null,
      wallMs: 0,
      loadMean: null,
    };
    const loadsFrom = loads.length;
    engineReports[engine] = er;
    log(`${title}: ${session.version}; the package entry loads ${session.info?.losslabWasm ?? "?"}`);
    try {
      for (const dims of shapes) {
        const shapeCfg = { dims, seed, scale, epsilon, ignoreIndex, reference: true };
        if (!references[shapeName(dims)]) log(`${shapePretty(dims)}: generating inputs and the float64 reference`);
        for (const [peer] of PEERS) {
          if (!peers.includes(peer) || (engine !== "chromium" && !OTHER_ENGINE_PEERS.has(peer))) continue;
          // The smoke run's time is CI's: beyond Chromium it checks the ε = 0.1 CPU peers only.
          if (smoke && engine !== "chromium" && EPS0_PEERS.has(peer)) continue;
          for (const grad of EPS0_PEERS.has(peer) ? [false] : [false, true]) {
            const mode = grad ? "forward+gradient" : "forward";
            const cfg = { ...shapeCfg, reference: !references[shapeName(dims)] };
            const t0 = Date.now();
            const checkGenerator = er.generator ? null : { seed, scale, vocab: dims[2], ignoreIndex };
            // The smoke run checks values only: Firefox and WebKit keep one document per shape.
            const { prepared, result, generator } = await session.runCell(
              cfg,
              { peer, grad, timing },
              checkGenerator,
              smoke,
            );
            if (prepared?.reference) references[shapeName(dims)] = prepared.reference;
            if (generator) er.generator = generator;
            /** @type {Row} */
            const row = {
              dims,
              shape: shapeName(dims),
              grad,
              mode,
              engine,
              peer,
              label: LABEL[peer],
              epsilon: EPS0_PEERS.has(peer) ? 0 : epsilon,
              ...result,
            };
            if (row.status === "ok") {
              if (row.tfjs) er.tfjs ??= row.tfjs;
              delete row.tfjs; // reported once per engine, in the header
              if (row.ort) er.ort[peer] ??= row.ort;
              delete row.ort; // the same
            }
            results.push(row);
            const summaryText =
              row.status === "ok"
                ? `${fmtMs(row.timing.medianMs)} ms (${row.timing.runs} × ${row.timing.reps}), loss ${row.loss ?? row.value}${row.timing.failure ? `; then call ${row.timing.failedAtCall} failed: ${row.timing.failure}` : ""}`
                : `${row.status}: ${row.message}`;
            log(
              `${title} ${shapePretty(dims)} ${mode} ${peer}: ${summaryText} [${((Date.now() - t0) / 1000).toFixed(1)} s]`,
            );
          }
        }
      }
      // Chromium's evidence of the tfjs binary is the requests it made (the page's list agrees).
      if ("tfjsWasmFiles" in session && er.tfjs) er.tfjs.wasmFiles = [...session.tfjsWasmFiles];
    } finally {
      await session.close();
      er.wallMs = Date.now() - engineStarted;
      // The engines run one after another: the load while each ran says how far their times compare.
      const during = [...loads.slice(loadsFrom), loadavg()[0]];
      er.loadMean = during.reduce((a, b) => a + b, 0) / during.length;
      log(`${title}: done in ${(er.wallMs / 1000).toFixed(1)} s`);
    }
  }
  // The fused linear cross-entropy table: Chromium, its own browser, a fresh page per cell.
  for (const linearDims of engines.includes("chromium") ? linearShapes : []) {
    const { context, close } = await launchBenchChromium({ prefix: "losslab-bench-linear-", log });
    try {
      const table = await runLinear({
        newPage: () => context.newPage(),
        url,
        dims: linearDims,
        seed,
        epsilon,
        ignoreIndex,
        // Float64 over N·V·D: the smoke shape's 2 M products, not the full one's 17 G.
        reference: linearDims[0] * linearDims[1] * linearDims[2] <= 1e8,
        // Calls of seconds each: three timed runs fit a longer budget than the loss table's.
        timing: smoke ? timing : { ...timing, runs: Math.min(runs, 3), budgetMs: Math.max(budgetMs, 45000) },
        cellTimeoutMs,
        log,
      });
      linearTables.push(table);
    } finally {
      await close();
    }
  }
} finally {
  server.close();
}

clearInterval(loadTimer);
loads.push(loadavg()[0]);
const loadMean = loads.reduce((a, b) => a + b, 0) / loads.length;
const loadMax = Math.max(...loads);
const { summary, targets, ort, workers } = derive(results, references);
const ran = (/** @type {EngineReport | undefined} */ e) => (e && "label" in e ? e : null);
const chromium = ran(engineReports.chromium);
const report = {
  smoke,
  date: new Date().toISOString(),
  machine: { ...info, loadBefore, loadMean, loadMax },
  browser: chromium?.version ?? "Chromium not run",
  tfjs: chromium?.tfjs ?? null,
  ort: { info: chromium?.ort ?? {}, summary: ort },
  workers,
  engines: engineReports,
  webgpuAdapter:
    results.flatMap((r) => (r.peer === "losslab-webgpu" && r.status === "ok" ? [r.adapter] : []))[0] ?? null,
  inputs: { seed, scale, epsilon, ignoreIndex, ignoredShare: 0.1, shapes: shapes.map(shapeName) },
  settings: { runs, budgetMs, minSampleMs: timing.minSampleMs, peers },
  checks: {
    golden,
    generator: Object.fromEntries(
      Object.entries(engineReports).flatMap(([engine, e]) => (e && "label" in e ? [[engine, e.generator]] : [])),
    ),
  },
  references: Object.fromEntries(Object.entries(references).map(([k, v]) => [k, { ...v, gradSamples: undefined }])),
  results,
  summary,
  targets,
  linear: linearTables,
  wallMs: Date.now() - started,
};
const md = markdown(report) + linearTables.map((l) => `\n${linearMarkdown(l).join("\n")}\n`).join("");
mkdirSync(outDir, { recursive: true });
const base = smoke ? "smoke" : "results";
writeFileSync(join(outDir, `${base}.json`), JSON.stringify(report, null, 2) + "\n");
writeFileSync(join(outDir, `${base}.md`), md);
console.log(md);
log(`wrote ${join(outDir, `${base}.json`)} and ${base}.md`);

if (smoke) {
  const problems = [];
  if (!golden.skipped && !((golden.relErr ?? Infinity) <= 1e-12))
    problems.push(`float64 reference off the golden value: ${JSON.stringify(golden)}`);
  for (const engine of engines) {
    const e = engineReports[engine];
    if (e && "failed" in e) problems.push(`${ENGINE_TITLE[engine]} did not start: ${e.failed}`);
    if (!e || !("label" in e)) continue;
    const g = e.generator;
    if (!g || "error" in g || g.logitsMismatches || g.labelsMismatches) {
      problems.push(`${ENGINE_TITLE[engine]}: JS generator differs from losslab's: ${JSON.stringify(g)}`);
    }
  }
  for (const r of results) {
    const name = `${ENGINE_TITLE[r.engine]} ${r.shape} ${r.mode} ${r.peer}`;
    if (r.status === "not available") continue;
    if (r.status !== "ok") problems.push(`${name}: ${r.status}: ${r.message}`);
    else if (r.timing.failure) problems.push(`${name}: call ${r.timing.failedAtCall} failed: ${r.timing.failure}`);
    else if (!NO_LOSS_PEERS.has(r.peer) && !((r.relErr ?? Infinity) <= SMOKE_TOLERANCE))
      problems.push(`${name}: loss ${r.loss}, rel. err ${r.relErr}`);
    else if (r.gradErr != null && !(r.gradErr <= SMOKE_TOLERANCE))
      problems.push(`${name}: gradient error ${r.gradErr}`);
  }
  for (const l of linearTables) problems.push(...linearProblems(l));
  if (problems.length) {
    console.error(`smoke FAILED:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const skipped = engines.filter((e) => engineReports[e] && "skipped" in /** @type {object} */ (engineReports[e]));
  const engineTimes = engines
    .flatMap((e) => {
      const r = ran(engineReports[e]);
      return r ? [`${ENGINE_TITLE[e]} ${(r.wallMs / 1000).toFixed(1)} s`] : [];
    })
    .join(", ");
  console.error(
    `smoke ok: ${results.filter((r) => r.status === "ok").length} cells within ${SMOKE_TOLERANCE} of float64${linearTables.length ? `, ${linearTables.reduce((k, l) => k + l.rows.length, 0)} fused linear cells within ${LINEAR_LOSS_TOL} (loss) and ${LINEAR_GRAD_TOL} of max |g| (gradients)` : ""} in ${((Date.now() - started) / 1000).toFixed(1)} s${engineTimes ? ` (${engineTimes})` : ""}${skipped.length ? `; skipped, not installed: ${skipped.map((e) => ENGINE_TITLE[e]).join(", ")}` : ""}`,
  );
}
