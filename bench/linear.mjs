// The benchmark's fused linear cross-entropy table (bench/linear-page.mjs has the cells): at one
// [N, D, V] shape, losslab's fused `linearCrossEntropy`, the same function materialising the
// logits, and tfjs-wasm, forward + gradients of hidden, weight and bias, hf ε = 0.1. Each cell
// in a fresh page: its wasm memory growth is its peak. The smoke shape also checks every peer
// against the float64 reference computed in the page.
import { withTimeout } from "./harness.mjs";

export const LINEAR_PEERS = [
  ["losslab-fused", "losslab `linearCrossEntropy` (fused: vocabulary chunks, online logsumexp)"],
  ["losslab-materialize", "losslab `linearCrossEntropy` with `materialize: true` ([N, V] logits and gradient)"],
  ["tfjs-wasm", "tfjs wasm SIMD, 1 thread: `matMul(h, W, false, true)` + bias, `softmaxCrossEntropy`, `valueAndGrads`"],
];
/** The smoke run's bars against float64: loss relative, gradients as a fraction of max |g|. */
export const LINEAR_LOSS_TOL = 1e-4;
export const LINEAR_GRAD_TOL = 1e-3;

/** @typedef {{ peer: string, label: string, status: string, message?: string } & Partial<import("./linear-page.mjs").LinearMeasurement>} LinearRow */

/**
 * Runs the three cells. `openPage` gives a fresh page on the benchmark URL.
 * @param {{
 *   newPage: () => Promise<import("playwright-core").Page>, url: string, dims: number[], seed: number,
 *   epsilon: number, ignoreIndex: number, reference: boolean, timing: import("./page.mjs").Timing,
 *   cellTimeoutMs: number, log: (...a: unknown[]) => void,
 * }} c
 */
export async function runLinear({
  newPage,
  url,
  dims,
  seed,
  epsilon,
  ignoreIndex,
  reference,
  timing,
  cellTimeoutMs,
  log,
}) {
  /** @type {LinearRow[]} */
  const rows = [];
  /** @type {number | null} */
  let referenceLoss = null;
  for (const [peer, label] of LINEAR_PEERS) {
    const t0 = Date.now();
    const page = await newPage();
    try {
      page.on("pageerror", (e) => log("page error:", e.message));
      await page.goto(url);
      await page.waitForFunction(() => window.benchLinear !== undefined, null, { timeout: 30000 });
      const prepared = await withTimeout(
        page.evaluate((c) => window.benchLinear.prepare(c), { dims, seed, epsilon, ignoreIndex, reference }),
        cellTimeoutMs,
        "linear prepare",
      );
      referenceLoss ??= prepared.referenceLoss;
      const r = await withTimeout(
        page.evaluate((c) => window.benchLinear.cell(c), { peer, timing }),
        cellTimeoutMs,
        `linear ${peer}`,
      );
      rows.push({ peer, label, ...r });
    } catch (e) {
      rows.push({ peer, label, status: "failed", message: String(e instanceof Error ? e.message : e).split("\n")[0] });
    } finally {
      await page.close().catch(() => {});
    }
    const row = rows[rows.length - 1];
    log(
      `linear ${dims.join("×")} ${peer}: ${row.status === "ok" ? `${row.timing.medianMs.toFixed(0)} ms, +${((row.memory?.growthBytes ?? 0) / 2 ** 20).toFixed(1)} MiB, loss ${row.loss}` : `${row.status}: ${row.message}`} [${((Date.now() - t0) / 1000).toFixed(1)} s]`,
    );
  }
  return { dims, epsilon, referenceLoss, rows, summary: summarise(rows) };
}

/** The peers against the fused cell: time and memory ratios, loss and sampled-gradient agreement. @param {LinearRow[]} rows */
function summarise(rows) {
  const fused = rows.find((r) => r.peer === "losslab-fused" && r.status === "ok");
  const of = (/** @type {string} */ p) => rows.find((r) => r.peer === p && r.status === "ok");
  const mat = of("losslab-materialize");
  const tfjs = of("tfjs-wasm");
  const ratio = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) =>
    a != null && b != null && b > 0 ? a / b : null;
  /** Loss relative difference and worst sampled gradient entry off the fused one (of its max |g|). @param {LinearRow | undefined} r */
  const agreement = (r) => {
    if (!r || !fused || r.loss == null || fused.loss == null || !r.grads || !fused.grads) return null;
    let grad = 0;
    for (const k of /** @type {const} */ (["hidden", "weight", "bias"])) {
      const a = r.grads[k];
      const b = fused.grads[k];
      for (let i = 0; i < b.samples.length; i++)
        grad = Math.max(grad, Math.abs(a.samples[i] - b.samples[i]) / b.maxAbs);
    }
    return { lossRel: Math.abs(r.loss - fused.loss) / Math.abs(fused.loss), gradOfMax: grad };
  };
  return {
    materializeOverFusedTime: ratio(mat?.timing.medianMs, fused?.timing.medianMs),
    materializeOverFusedMemory: ratio(mat?.memory?.growthBytes, fused?.memory?.growthBytes),
    tfjsOverFusedTime: ratio(tfjs?.timing.medianMs, fused?.timing.medianMs),
    tfjsOverFusedMemory: ratio(tfjs?.memory?.growthBytes, fused?.memory?.growthBytes),
    materializeVsFused: agreement(mat),
    tfjsVsFused: agreement(tfjs),
  };
}

/** What the smoke run fails on: a cell that did not run, or one off the float64 reference. @param {Awaited<ReturnType<typeof runLinear>>} t */
export function linearProblems(t) {
  const problems = [];
  for (const r of t.rows) {
    const name = `linear ${t.dims.join("x")} ${r.peer}`;
    if (r.status !== "ok") problems.push(`${name}: ${r.status}: ${r.message}`);
    else if (r.timing.failure) problems.push(`${name}: call ${r.timing.failedAtCall} failed: ${r.timing.failure}`);
    else if (!((r.lossRelErr ?? Infinity) <= LINEAR_LOSS_TOL)) problems.push(`${name}: loss rel. err ${r.lossRelErr}`);
    else
      for (const [k, g] of Object.entries(r.grads ?? {}))
        if (!((g.errOfMax ?? Infinity) <= LINEAR_GRAD_TOL)) problems.push(`${name}: grad ${k} err ${g.errOfMax}`);
  }
  return problems;
}

const fmtMB = (/** @type {number} */ b) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 2 : 0)} MiB`;
const fmtX = (/** @type {number | null} */ r) => (r == null || !Number.isFinite(r) ? "—" : `${r.toFixed(2)}×`);
const fmtE = (/** @type {number | null | undefined} */ e) => (e == null ? "—" : e === 0 ? "0" : e.toExponential(1));

/** The table's Markdown lines. @param {Awaited<ReturnType<typeof runLinear>>} t */
export function linearMarkdown(t) {
  const [n, d, v] = t.dims;
  const L = [];
  L.push(`## Fused linear cross-entropy: ${n} tokens × D ${d} × V ${v}, forward + gradients (hidden, weight, bias)`);
  L.push("");
  L.push(
    `hf semantics, ε = ${t.epsilon}, 10 % of labels ignored; logits = hidden @ weightᵀ + bias would be ${fmtMB(n * v * 4)} (and as much again for their gradient). Memory: growth of each cell's own wasm memory (losslab's module; tfjs-backend-wasm's heap) from before the first call to after the last, in a fresh page: wasm memory only grows, so this is the peak. The layer's tensors (hidden, weight, bias) are made resident before the count starts, as a trainer holds them: F32Buffers for both losslab rows, tensors for tfjs; the [N, V] one-hot labels tfjs's softmaxCrossEntropy takes do count, as losslab's labels do.${t.referenceLoss != null ? ` Float64 reference loss ${t.referenceLoss}.` : ""}`,
  );
  L.push("");
  L.push(
    "| Peer | Median | Cold | Runs | Wasm memory growth (peak) | Loss | vs float64 (loss; worst grad of max) | vs fused (loss; sampled grads of max) |",
  );
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  const s = t.summary;
  for (const r of t.rows) {
    if (r.status !== "ok" || !r.timing || !r.memory) {
      L.push(`| ${r.label} | ${r.status}: ${r.message} | | | | | | |`);
      continue;
    }
    const worstGrad = Math.max(...Object.values(r.grads ?? {}).map((g) => g.errOfMax ?? NaN));
    const vsRef = r.lossRelErr == null ? "—" : `${fmtE(r.lossRelErr)}; ${fmtE(worstGrad)}`;
    const agree =
      r.peer === "losslab-materialize" ? s.materializeVsFused : r.peer === "tfjs-wasm" ? s.tfjsVsFused : null;
    L.push(
      `| ${r.label} | ${r.timing.medianMs.toFixed(0)} ms | ${r.timing.firstMs.toFixed(0)} ms | ${r.timing.runs} × ${r.timing.reps} | +${fmtMB(r.memory.growthBytes)} | ${r.loss?.toFixed(6)} | ${vsRef} | ${agree ? `${fmtE(agree.lossRel)}; ${fmtE(agree.gradOfMax)}` : "—"} |`,
    );
  }
  L.push("");
  L.push(
    `Ratios over the fused row: materialising ${fmtX(s.materializeOverFusedTime)} the time and ${fmtX(s.materializeOverFusedMemory)} the memory; tfjs-wasm ${fmtX(s.tfjsOverFusedTime)} the time and ${fmtX(s.tfjsOverFusedMemory)} the memory.`,
  );
  return L;
}
