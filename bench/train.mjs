#!/usr/bin/env node
// losslab's training benchmark: steps/s and tokens/s of the trainer's default model (the
// calibration shape of tests/golden/make_trainer.py) in headless Chromium on one thread, side by
// side with the same GPT, shapes and optimiser written in tfjs on its wasm SIMD backend, and
// PyTorch CPU on one thread as an informational figure read from tests/golden/trainer_parity.json
// (measured when that file was made, not in this run). Prints a Markdown table and writes
// bench/out/train.json and bench/out/train.md. A benchmark, not a test: nothing here asserts a
// time. `--smoke` is the exception that checks: two steps per engine, finite losses starting near
// ln V, and V = 256.
//
// Usage: node bench/train.mjs [--runs N] [--seconds S] [--warmup N] [--engines losslab,tfjs]
//                             [--smoke] [--out DIR] [--verbose]
//
// Two tfjs rows: the model as written, with tfjs's own gradients, and the same model whose linear
// layers get a custom gradient that transposes explicitly, working around the wasm backend's slow
// transposed matMul. The second is the stronger baseline; both are reported.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { serveBench } from "./server.mjs";
import { launchBenchChromium, machine, withTimeout } from "./harness.mjs";

/** @typedef {import("playwright-core").Page} Page */
/** @typedef {typeof import("./train-page.mjs").trainBench} TrainBench */
/** @typedef {import("./train-page.mjs").Engine["info"] & Partial<import("./page.mjs").TfjsInfo>} TrainInfo */
/** @typedef {{ status: "failed", message: string }} Failure */
/** @typedef {{ steps: number, first: number, last: number, firstMean: number, lastMean: number, window: number, finite: boolean, falls: boolean }} LossSummary */
/** @typedef {{ runs: number, stepsPerRun: number, msPerStep: number, stepsPerSecond: number, minStepsPerSecond: number, maxStepsPerSecond: number, tokensPerSecond: number }} TrainTiming */
/**
 * An engine's page and what it measured so far: `status` "ok" until something fails (then
 * `message` says what).
 * @typedef {{
 *   engine: string, page: Page, call: Call, runMs: number[], status?: "ok" | "failed", message?: string, info?: TrainInfo,
 *   prepareMs?: number, warmup?: ReturnType<TrainBench["warmup"]>, steps?: number,
 * }} Opened
 */
/** A page call; its argument and answer cross serialised, so the answer is the caller's to name. @typedef {(fn: keyof TrainBench, arg: unknown, what: string) => Promise<any>} Call */
/** What the report keeps of an engine that trained. @typedef {Omit<Opened, "page" | "call" | "status" | "info" | "steps"> & ReturnType<TrainBench["finish"]> & { status: "ok", label: string, info: TrainInfo, steps: number, loss: LossSummary, timing?: TrainTiming }} Trained */
/** @typedef {Trained | (Failure & { engine: string, label: string })} Result */
/** @typedef {typeof report} Report */
/** @type {(r: Result) => r is Trained} */
const trained = (r) => r.status === "ok";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// The calibration shape: the trainer's default model with a 256-token vocabulary, batch 16, and
// AdamW as losslab's beginRun defaults (and make_trainer.py's benchmark) set it.
const CONFIG = {
  vocab: 256,
  context: 64,
  layers: 2,
  dModel: 64,
  heads: 4,
  batch: 16,
  seed: 0,
  optim: { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clip: 1.0 },
};
const TOKENS_PER_STEP = CONFIG.batch * CONFIG.context;
const ENGINES = [
  ["losslab", "losslab Trainer (wasm simd128, 1 thread)"],
  ["tfjs", "tfjs wasm SIMD, 1 thread (tf.variableGrads as is)"],
  ["tfjs-transposed", "tfjs wasm SIMD, 1 thread (linear gradients with explicit transposes)"],
];
/** @type {Record<string, string>} */
const LABEL = Object.fromEntries(ENGINES);
const SMOKE_FIRST_LOSS = 0.25;
// The two tfjs engines start from the same weights and batches and differ only in how the linear
// layers' gradients are multiplied, so their second losses agree to float rounding.
const SMOKE_TFJS_AGREEMENT = 1e-4;

const { values: opt } = parseArgs({
  options: {
    runs: { type: "string" },
    seconds: { type: "string" },
    warmup: { type: "string" },
    engines: { type: "string" },
    smoke: { type: "boolean", default: false },
    out: { type: "string" },
    timeout: { type: "string", default: "300" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (opt.help) {
  console.log(`node bench/train.mjs [options]
  --runs N         timed runs per engine, median reported (default 7)
  --seconds S      least length of one timed run; its step count N follows from the warm-up (default 1)
  --warmup N       untimed steps first, at least N and at least 1 s of them (default 5)
  --engines LIST   subset of: ${ENGINES.map(([k]) => k).join(", ")} (default all)
  --smoke          2 steps per engine, no timing; fails unless every loss is finite, the first
                   within ${SMOKE_FIRST_LOSS} of ln ${CONFIG.vocab}, the two tfjs engines agree within ${SMOKE_TFJS_AGREEMENT},
                   and the losslab trainer's vocabulary is ${CONFIG.vocab}
  --out DIR        output folder (default bench/out)
  --timeout S      seconds any one page call may take (default 300)`);
  process.exit(0);
}

const smoke = opt.smoke;
const runs = Number(opt.runs ?? 7);
const minRunMs = 1000 * Number(opt.seconds ?? 1);
const warmupSteps = smoke ? 2 : Number(opt.warmup ?? 5);
const warmupMs = smoke ? 0 : 1000;
const engines = opt.engines ? opt.engines.split(",").map((s) => s.trim()) : ENGINES.map(([k]) => k);
for (const e of engines) if (!LABEL[e]) throw new Error(`unknown engine ${e}`);
if (!(runs >= 1 && minRunMs > 0 && warmupSteps >= 1))
  throw new Error("--runs, --seconds and --warmup must be positive");
const callTimeoutMs = 1000 * Number(opt.timeout);
const outDir = opt.out ?? join(ROOT, "bench", "out");
const log = (/** @type {unknown[]} */ ...a) => console.error("[train]", ...a);

// ---------------------------------------------------------------------------------------------
// Machine, versions, and the PyTorch figure (as bench/run.mjs reports them)

/** make_trainer.py's benchmark, if the golden file has one at this benchmark's shape. */
function pytorchFigure() {
  try {
    const golden = JSON.parse(readFileSync(join(ROOT, "tests/golden/trainer_parity.json"), "utf8"));
    const b = golden.benchmark;
    if (!b) return { skipped: "tests/golden/trainer_parity.json has no benchmark" };
    const c = b.config;
    const same =
      b.batch === CONFIG.batch &&
      /** @type {const} */ (["vocab", "context", "layers", "dModel", "heads"]).every((k) => c?.[k] === CONFIG[k]);
    if (!same) return { skipped: `its shape differs: ${JSON.stringify({ ...c, batch: b.batch })}` };
    /** @type {{ skipped?: undefined, stepsPerSecond: number, tokensPerSecond: number, machine?: string, torch: string, python: string }} */
    const figure = { ...b, torch: golden.torch, python: golden.python };
    return figure;
  } catch (e) {
    return { skipped: String((e instanceof Error ? e.message : undefined) ?? e) };
  }
}

// ---------------------------------------------------------------------------------------------
// One engine, one fresh page

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Opens the engine's fresh page, builds its model and takes the warm-up steps.
 * @param {import("playwright-core").BrowserContext} context @param {string} url @param {string} engine @returns {Promise<Opened>}
 */
async function openEngine(context, url, engine) {
  const page = await context.newPage();
  page.on("pageerror", (e) => log("page error:", e.message));
  if (opt.verbose) page.on("console", (m) => log("console:", m.text()));
  /** @type {Call} */
  const call = (fn, arg, what) =>
    withTimeout(
      page.evaluate(
        ([f, a]) => /** @type {(arg: unknown) => unknown} */ (window.trainBench[f])(a),
        /** @type {const} */ ([fn, arg]),
      ),
      callTimeoutMs,
      `${engine} ${what}`,
    );
  /** @type {Opened} */
  const e = { engine, page, call, runMs: [] };
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.trainBench !== undefined, null, { timeout: 30000 });
    /** @type {Awaited<ReturnType<TrainBench["prepare"]>>} */
    const prepared = await call("prepare", { engine, ...CONFIG }, "prepare");
    if (prepared.status !== "ok") return { ...e, ...prepared };
    log(`${engine}: ready in ${(prepared.prepareMs / 1000).toFixed(1)} s, ${prepared.info.parameters} parameters`);
    /** @type {ReturnType<TrainBench["warmup"]>} */
    const warm = await call("warmup", { steps: warmupSteps, minMs: warmupMs }, "warm-up");
    // The first step is cold; the others say how many steps make a run of --seconds.
    const estimate = median(warm.stepMs.length > 1 ? warm.stepMs.slice(1) : warm.stepMs);
    const steps = Math.max(1, Math.ceil(minRunMs / estimate));
    if (!smoke)
      log(
        `${engine}: warm-up ${warm.steps} steps (first ${warm.stepMs[0].toFixed(0)} ms, then ~${estimate.toFixed(1)} ms); runs of ${steps} steps`,
      );
    return { ...e, status: "ok", info: prepared.info, prepareMs: prepared.prepareMs, warmup: warm, steps };
  } catch (err) {
    return { ...e, ...failure(err) };
  }
}

/** @param {unknown} err @returns {Failure} */
function failure(err) {
  const msg = String((err instanceof Error ? err.message : undefined) ?? err).split("\n")[0];
  return { status: "failed", message: msg.includes("crash") ? `renderer crashed (${msg})` : msg };
}

/** One timed run of the engine's N steps, its page in front. @param {Opened} e @param {number} i */
async function timedRun(e, i) {
  try {
    await e.page.bringToFront();
    /** @type {ReturnType<TrainBench["timed"]>} */
    const r = await e.call("timed", { steps: e.steps }, `run ${i + 1}`);
    e.runMs.push(r.ms);
    log(
      `${e.engine}: run ${i + 1}/${runs}: ${(((e.steps ?? 0) * 1000) / r.ms).toFixed(2)} steps/s, loss ${r.loss.toFixed(4)}`,
    );
  } catch (err) {
    Object.assign(e, failure(err));
  }
}

/** The engine's losses and memory; closes its page. What the report keeps of it. @param {Opened} e */
async function closeEngine(e) {
  const { page, call, ...kept } = e;
  try {
    if (kept.status === "ok") Object.assign(kept, await call("finish", null, "finish"));
  } catch (err) {
    Object.assign(kept, failure(err));
  } finally {
    await page.close().catch(() => {});
  }
  return kept;
}

/**
 * Speed from the median run, and the loss sanity numbers.
 * @param {Awaited<ReturnType<typeof closeEngine>> & Partial<ReturnType<TrainBench["finish"]>> & { label: string }} kept
 * @returns {Result}
 */
function derive(kept) {
  if (kept.status !== "ok") return { ...kept, status: "failed", message: kept.message ?? "failed" };
  const { losses, info, steps } = kept;
  // An engine still "ok" has built its model, planned its runs and reported its losses.
  if (!losses || !info || steps === undefined) return { ...kept, status: "failed", message: "no losses reported" };
  /** @type {Trained} */
  const r = {
    ...kept,
    status: "ok",
    losses,
    info,
    steps,
    memoryBytes: kept.memoryBytes ?? null,
    tensorsAfterPrepare: kept.tensorsAfterPrepare,
    loss: /** @type {LossSummary} */ ({}),
  };
  const mean = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const k = Math.min(5, Math.floor(losses.length / 2)) || 1;
  r.loss = {
    steps: losses.length,
    first: losses[0],
    last: losses[losses.length - 1],
    firstMean: mean(losses.slice(0, k)),
    lastMean: mean(losses.slice(-k)),
    window: k,
    finite: losses.length > 0 && losses.every(Number.isFinite),
    falls: false,
  };
  r.loss.falls = r.loss.finite && losses.length > 2 * k - 1 && r.loss.lastMean < r.loss.firstMean;
  if (r.runMs.length) {
    const msPerStep = r.runMs.map((ms) => ms / steps);
    const stepsPerSecond = 1000 / median(msPerStep);
    r.timing = {
      runs: r.runMs.length,
      stepsPerRun: steps,
      msPerStep: median(msPerStep),
      stepsPerSecond,
      minStepsPerSecond: 1000 / Math.max(...msPerStep),
      maxStepsPerSecond: 1000 / Math.min(...msPerStep),
      tokensPerSecond: stepsPerSecond * TOKENS_PER_STEP,
    };
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** @type {(x: number | null | undefined, digits?: number) => string} */
const fmt = (x, digits = 2) => (x == null || !Number.isFinite(x) ? "—" : x.toFixed(digits));
const fmtX = (/** @type {number | null | undefined} */ r) =>
  r == null || !Number.isFinite(r) ? "—" : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
const fmtInt = (/** @type {number | null | undefined} */ x) =>
  x == null || !Number.isFinite(x) ? "—" : Math.round(x).toLocaleString("en-US");
const fmtMB = (/** @type {number | null | undefined} */ b) => (b == null ? "—" : `${(b / 2 ** 20).toFixed(1)} MiB`);

/** @param {Report} report */
function markdown(report) {
  const L = [];
  const m = report.machine;
  const c = report.config;
  L.push(`# losslab training benchmark${report.smoke ? " (smoke: two steps per engine, no timing)" : ""}`);
  L.push("");
  const busy = m.loadBefore > 1 || m.loadMean > 2;
  L.push(
    `- ${report.date}; ${m.cpu}, ${m.logicalCpus} logical CPUs, ${m.memoryGiB} GiB; 1-minute load average ${m.loadBefore.toFixed(2)} before, ${m.loadMean.toFixed(2)} mean and ${m.loadMax.toFixed(2)} max during the run (the benchmark itself accounts for about 1)${busy ? ": **the machine was busy with other work; times compete for the CPUs**" : ""}`,
  );
  L.push(`- ${report.browser}; Node ${m.node}; losslab ${m.losslab}`);
  if (report.tfjs) {
    const t = report.tfjs;
    L.push(
      `- tfjs-core ${t.version}, backend "${t.backend}", WASM_HAS_SIMD_SUPPORT=${t.simd}, WASM_HAS_MULTITHREAD_SUPPORT=${t.multithread}, threads=${t.threads}, loaded ${t.wasmFiles.join(", ") || "?"}`,
    );
  }
  L.push(
    `- Model: GPT-2-shaped, ${c.layers} layers, d_model ${c.dModel}, ${c.heads} heads, context ${c.context}, vocabulary ${c.vocab}, MLP 4×, pre-LN, tanh GELU, untied LM head; batch ${c.batch} → ${TOKENS_PER_STEP} tokens a step (causal LM, labels shifted, ε = 0). AdamW lr ${c.optim.lr}, betas ${c.optim.beta1}/${c.optim.beta2}, eps ${c.optim.eps}, weight decay ${c.optim.weightDecay} on matrices, global-norm clip ${c.optim.clip}.`,
  );
  L.push(
    "- One step: batch, forward, loss, backward, clipping, optimiser update, the loss read into JavaScript. Each engine trains in a fresh page: warm-up steps (untimed), then runs of N steps each, the engines taking turns run by run; the median run gives steps/s. \"× losslab\" is the row's time per step over losslab's: above 1 means losslab is faster.",
  );
  L.push("");
  L.push(
    "| Engine | Steps/s | Tokens/s | ms/step | Steps/s range | Runs × steps | Parameters | Optimiser | Wasm memory | × losslab |",
  );
  L.push("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
  const base = report.results.filter(trained).find((r) => r.engine === "losslab" && r.timing)?.timing;
  for (const r of report.results) {
    if (r.status !== "ok") {
      L.push(`| ${r.label} | ${r.status}: ${r.message.replaceAll("|", "\\|")} | | | | | | | | |`);
      continue;
    }
    const t = r.timing;
    const vs = t && base ? t.msPerStep / base.msPerStep : null;
    L.push(
      `| ${r.label} | ${fmt(t?.stepsPerSecond)} | ${fmtInt(t?.tokensPerSecond)} | ${fmt(t?.msPerStep, 1)} | ${t ? `${fmt(t.minStepsPerSecond)}–${fmt(t.maxStepsPerSecond)}` : "—"} | ${t ? `${t.runs} × ${t.stepsPerRun}` : "—"} | ${fmtInt(r.info.parameters)} | ${r.info.optimizer} | ${fmtMB(r.memoryBytes)} | ${fmtX(vs)} |`,
    );
  }
  const pt = report.pytorch;
  if (pt.skipped === undefined) {
    const vs = base ? base.stepsPerSecond / pt.stepsPerSecond : null;
    L.push(
      `| PyTorch ${pt.torch} CPU, 1 thread (informational, not this run) | ${fmt(pt.stepsPerSecond)} | ${fmtInt(pt.tokensPerSecond)} | ${fmt(1000 / pt.stepsPerSecond, 1)} | — | — | — | torch.optim.AdamW, clip_grad_norm_, warm-up + cosine | — | ${fmtX(vs)} |`,
    );
  }
  L.push("");
  L.push("## Ratios (medians)");
  L.push("");
  for (const engine of ["tfjs", "tfjs-transposed"]) {
    const t = report.results.filter(trained).find((x) => x.engine === engine && x.timing)?.timing;
    L.push(
      `- ${engine} / losslab time per step: ${t && base ? fmtX(t.msPerStep / base.msPerStep) : "— (not measured in this run)"}`,
    );
  }
  L.push(
    `- losslab / PyTorch speed: ${pt.skipped !== undefined ? `— (no PyTorch figure: ${pt.skipped})` : base ? `${fmtX(base.stepsPerSecond / pt.stepsPerSecond)} (PyTorch ${fmt(pt.stepsPerSecond)} steps/s from tests/golden/trainer_parity.json: native CPU, torch.set_num_threads(1), label smoothing 0.1, measured by tests/golden/make_trainer.py on ${pt.machine ?? "an unrecorded machine"}, not in this run)` : "— (losslab not measured in this run)"}`,
  );
  L.push("");
  L.push("## Losses (sanity: finite, and falling over the steps taken)");
  L.push("");
  L.push("| Engine | Data | Steps | First | Last | Mean of first k → last k | Falls |");
  L.push("|---|---|---:|---:|---:|---:|---|");
  for (const r of report.results) {
    if (r.status !== "ok") continue;
    const l = r.loss;
    L.push(
      `| ${r.label} | ${r.info.data} | ${l.steps} | ${fmt(l.first, 4)} | ${fmt(l.last, 4)} | ${fmt(l.firstMean, 4)} → ${fmt(l.lastMean, 4)} (k = ${l.window}) | ${!l.finite ? "**not finite**" : l.falls ? "yes" : "no"} |`,
    );
  }
  L.push("");
  L.push(
    `ln ${c.vocab} = ${Math.log(c.vocab).toFixed(4)} is the loss of a uniform guess. The engines see different tokens (losslab its corpus, tfjs a synthetic stream; the work per step does not depend on them), and losslab's rate warms up from 0 while tfjs's is constant, so only the direction of the curves compares.`,
  );
  const tfjsRows = report.results.filter(trained).filter((r) => r.engine.startsWith("tfjs"));
  if (tfjsRows.length) {
    L.push("");
    L.push(
      `tfjs model: token embedding by tf.gather with a scatterND gradient (the wasm backend has no UnsortedSegmentSum, tf.gather's own gradient), learned positions added, LayerNorm from tf ops (eps 1e-5), attention with matMul, scale, a -1e9 causal mask and softmax (batched matMuls, tfjs's gradients in both rows), tf.fused.matMul with bias for the linear layers, tf.losses.softmaxCrossEntropy on one-hot shifted labels; tf.variableGrads, then clipping, decay and tf.train.adam's applyGradients. "Explicit transposes": the linear layers' gradients as dy·transpose(W) and transpose(x)·dy, since the wasm backend's matMul with transposeA/transposeB (what tfjs's matMul gradient uses) is about 10× slower than the untransposed product here. Live tensors (a leak would grow them): ${tfjsRows.map((r) => `${r.engine} ${r.tensorsAfterPrepare} after building, ${r.tensors} after the last step`).join("; ")}.`,
    );
  }
  L.push(`Wall time ${(report.wallMs / 1000).toFixed(0)} s.`);
  return L.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------

const started = Date.now();
const info = machine();
const loadBefore = loadavg()[0];
const loads = [];
const loadTimer = setInterval(() => loads.push(loadavg()[0]), 5000).unref();
const pytorch = pytorchFigure();
const server = await serveBench(ROOT);
const url = `http://127.0.0.1:${server.address().port}/bench/train-page.html`;
const { context, close, browser, tfjsWasmFiles } = await launchBenchChromium({ prefix: "losslab-train-", log });

/** @type {Result[]} */
const results = [];
/** @type {Opened[]} */
const open = [];
try {
  for (const engine of engines) open.push(await openEngine(context, url, engine));
  // The engines take turns, run by run, so that other work on a shared machine coming and going
  // weighs on all of them alike rather than on whichever happened to run then.
  if (!smoke) {
    for (let i = 0; i < runs; i++) {
      for (const e of open) if (e.status === "ok") await timedRun(e, i);
    }
  }
  for (const e of open) {
    const r = derive({ label: LABEL[e.engine], ...(await closeEngine(e)) });
    results.push(r);
    const text =
      r.status !== "ok"
        ? `${r.status}: ${r.message}`
        : `${r.timing ? `${fmt(r.timing.stepsPerSecond)} steps/s, ${fmtInt(r.timing.tokensPerSecond)} tokens/s; ` : ""}loss ${fmt(r.loss.first, 4)} → ${fmt(r.loss.last, 4)} over ${r.loss.steps} steps`;
    log(`${e.engine}: ${text}`);
  }
} finally {
  await close();
  server.close();
}

clearInterval(loadTimer);
loads.push(loadavg()[0]);
const loadMean = loads.reduce((a, b) => a + b, 0) / loads.length;
const loadMax = Math.max(...loads);
const tfjsRow = results.filter(trained).find((r) => r.engine.startsWith("tfjs"));
const tfjsInfo = tfjsRow
  ? (({ version, backend, simd, multithread, threads }) => ({
      version,
      backend,
      simd,
      multithread,
      threads,
      wasmFiles: [...tfjsWasmFiles],
    }))(tfjsRow.info)
  : null;
const report = {
  smoke,
  date: new Date().toISOString(),
  machine: { ...info, loadBefore, loadMean, loadMax },
  browser,
  tfjs: tfjsInfo,
  config: CONFIG,
  tokensPerStep: TOKENS_PER_STEP,
  settings: { runs, minRunMs, warmupSteps, warmupMs, engines },
  results,
  pytorch,
  wallMs: Date.now() - started,
};
const md = markdown(report);
mkdirSync(outDir, { recursive: true });
// A smoke run keeps its own files, so it does not overwrite the last real measurement.
const base = smoke ? "train-smoke" : "train";
writeFileSync(join(outDir, `${base}.json`), JSON.stringify(report, null, 2) + "\n");
writeFileSync(join(outDir, `${base}.md`), md);
console.log(md);
log(`wrote ${join(outDir, `${base}.json`)} and ${base}.md`);

if (smoke) {
  const problems = [];
  for (const r of results) {
    if (r.status !== "ok") problems.push(`${r.engine}: ${r.status}: ${r.message}`);
    else if (!r.loss.finite || r.loss.steps < 2) problems.push(`${r.engine}: losses ${JSON.stringify(r.losses)}`);
    // A fresh model (weights of std 0.02) guesses nearly uniformly; a first loss far from ln V
    // means the loss does not see the labels (a zero one-hot gives 0) or the logits are off.
    else if (!(Math.abs(r.loss.first - Math.log(CONFIG.vocab)) < SMOKE_FIRST_LOSS)) {
      problems.push(`${r.engine}: first loss ${r.loss.first}, not within ${SMOKE_FIRST_LOSS} of ln ${CONFIG.vocab}`);
    }
  }
  const ll = results.filter(trained).find((r) => r.engine === "losslab");
  if (ll && ll.info.config.vocab !== CONFIG.vocab) {
    problems.push(`losslab trainer's vocabulary is ${ll.info.config.vocab}, not ${CONFIG.vocab}`);
  }
  const [t1, t2] = ["tfjs", "tfjs-transposed"].map((e) => results.filter(trained).find((r) => r.engine === e));
  if (t1 && t2 && !(Math.abs(t1.losses[1] - t2.losses[1]) <= SMOKE_TFJS_AGREEMENT)) {
    problems.push(`the tfjs engines' second losses differ: ${t1.losses[1]} and ${t2.losses[1]}`);
  }
  if (problems.length) {
    console.error(`smoke FAILED:\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  console.error(
    `smoke ok: ${results
      .filter(trained)
      .map((r) => `${r.engine} ${r.losses.map((x) => x.toFixed(4)).join(", ")}`)
      .join("; ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
