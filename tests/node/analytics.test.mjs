// The analytics golden table (temperature, entropy, rank, lse, argmax, accuracy, perplexity)
// through the JS API in Node, on both CPU kernels, resident (F32Buffer) and streamed
// (Float32Array) logits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab, readJson } from "./load.mjs";
import { caseInput, checkAnalytics } from "../js/analytics.mjs";

/** @type {{ cases: import("../js/analytics.mjs").AnalyticsCase[] }} */
const table = readJson("tests/golden/analytics.json");

for (const kernel of /** @type {const} */ (["simd", "scalar"])) {
  for (const c of table.cases) {
    test(`analytics ${c.name} (${kernel})`, () => {
      const { input, options } = caseInput(losslab, c);
      const r = losslab.crossEntropy(input, { ...options, kernel });
      assert.equal(r.backend, `cpu-${kernel}`);
      assert.deepEqual(checkAnalytics(c, r), []);
      // Logits already in wasm memory take the resident path: the same numbers, bit for bit.
      const buf = losslab.F32Buffer.fromArray(input.logits);
      const resident = losslab.crossEntropy({ ...input, logits: buf }, { ...options, kernel });
      buf.free();
      assert.deepEqual(
        [resident.accuracy, resident.perplexity, resident.perTokenEntropy, resident.perTokenRank],
        [r.accuracy, r.perplexity, r.perTokenEntropy, r.perTokenRank],
      );
    });
  }
}

test("the worst analytics errors over the table", () => {
  const worst = { loss: 0, lossCase: "", grad: 0, gradCase: "", stat: 0 };
  for (const c of table.cases) {
    const { input, options } = caseInput(losslab, c);
    assert.deepEqual(checkAnalytics(c, losslab.crossEntropy(input, options), worst), []);
  }
  console.log(
    `analytics worst: loss ${worst.loss.toExponential(2)} (${worst.lossCase}), grad ${worst.grad.toExponential(2)} of max (${worst.gradCase}), statistics ${worst.stat.toExponential(2)}`,
  );
  assert.ok(worst.stat <= 1e-6);
});

test("temperature and stats through a CPU Engine: the same analytics, its own reason kept", async () => {
  const engine = await losslab.Engine.create({ backend: "cpu" });
  const c = table.cases.find((x) => x.name === "torch_t2.5");
  assert.ok(c);
  const { input, options } = caseInput(losslab, c);
  const r = await engine.crossEntropy(input, options);
  assert.equal(r.backend, "cpu-simd");
  // A CPU engine says it was asked for the CPU; "temperature-cpu" is for calls routed off a GPU
  // (checked on WebGPU in tests/browser/suites.mjs and natively in src/engine/route.rs).
  assert.equal(r.backendReasonCode, "cpu-requested");
  assert.deepEqual(checkAnalytics(c, r), []);
  engine.free();
});

test("temperature 1 leaves every number of the default call bit-identical", () => {
  const c = table.cases.find((x) => x.name === "hf_t1.0_softcap_shift");
  assert.ok(c);
  const { input, options } = caseInput(losslab, c);
  const { temperature: _t, stats: _s, ...plain } = options;
  const a = losslab.crossEntropy(input, plain);
  const b = losslab.crossEntropy(input, { ...plain, temperature: 1 });
  assert.deepEqual(b, a);
  assert.equal(a.perTokenEntropy, undefined, "no statistics unless asked for");
});
