// In-page suites for the JS API in Chromium: the golden table on the WebGPU engine, big
// hash-generated inputs (GPU against CPU against float64), the fallback paths, and the error
// contract. tests/browser/run.mjs loads this page and calls `window.suites.*`.
import init, * as losslab from "../../pkg/index.js";
import { caseInput, check, errorFragment, relErr } from "../js/golden.mjs";
import { badInputs, edgeInputs, sanity } from "../js/bad-inputs.mjs";
import { labelSmootherF64 } from "../js/reference.mjs";

await init();
window.losslab = losslab;

const cases = await (await fetch("../golden/cases.json")).json();

/** Largest |a − b| over the largest |b|, and the first index beyond `tol` of it. */
function gradGap(a, b, tol = 1e-5) {
  let max = 0;
  for (const x of b) if (Number.isFinite(x)) max = Math.max(max, Math.abs(x));
  let worst = 0, first = -1;
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
  const engine = await losslab.Engine.create({ backend: "auto" });
  if (engine.backend !== "webgpu") {
    throw new Error(`Chromium was started with WebGPU, but the engine runs on ${engine.backend}: ${engine.reason}`);
  }
  return engine;
}

window.suites = {
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
      if (r.loss !== null && relErr(r.loss, cpu.loss) > 1e-5) failures.push(`${c.name}: webgpu ${r.loss} vs cpu ${cpu.loss}`);
      if (r.grad) {
        const g = gradGap(r.grad, cpu.grad);
        if (g.first >= 0) failures.push(`${c.name}: grad[${g.first}] webgpu ${r.grad[g.first]} vs cpu ${cpu.grad[g.first]}`);
      }
    }
    // Chromium runs relaxed SIMD, so the package entry must have loaded the FMA build: the golden
    // table above then covers it (Node's suites cover the plain simd128 build).
    if (losslab.simdLevel() !== "relaxed-simd") failures.push(`the entry loaded the ${losslab.simdLevel()} build`);
    return { ran, failures, worst, cpuWorst, simd: losslab.simdLevel(), adapter: engine.adapterInfo };
  },

  /** Big hash-generated inputs with gradient: WebGPU against the CPU and a float64 reference. */
  async big(shapes) {
    const engine = await webgpuEngine();
    const failures = [], rows = [];
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
    if (!new RegExp(expectReason).test(auto.reason ?? "")) failures.push(`reason ${JSON.stringify(auto.reason)} !~ ${expectReason}`);
    try {
      await losslab.Engine.create({ backend: "webgpu" });
      failures.push(`backend "webgpu" did not reject`);
    } catch (e) {
      if (!(e instanceof Error) || !/backend "webgpu" is unavailable/.test(e.message)) failures.push(`webgpu rejected with ${e}`);
    }
    const c = cases.crossEntropy.find((x) => x.name === "hf_basic");
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
    if (!/lost|destroyed|failed/i.test(r.fallbackReason ?? "")) failures.push(`fallbackReason ${JSON.stringify(r.fallbackReason)}`);
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
        if (!(e instanceof Error) || !fragment.test(e.message)) failures.push(`${what}: threw ${e?.message ?? e}`);
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
    const engineRows = badInputs.filter(([what, call]) => /l\.crossEntropy\(/.test(String(call)) && !/wasm memory/.test(what));
    for (const [what, call, fragment] of engineRows) {
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
        if (!(e instanceof Error) || !fragment.test(e.message)) failures.push(`engine ${what}: rejected with ${e?.message ?? e}`);
      }
    }
    return { failures, rows: badInputs.length, edgeRows: edgeInputs.length, engineRows: engineRows.length };
  },
};

document.getElementById("status").textContent = "ready";
