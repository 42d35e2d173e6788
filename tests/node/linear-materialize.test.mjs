// linearCrossEntropy's `materialize: true` in Node: PyTorch's goldens through the [N, V] path, its
// agreement with the fused path, the Engine passing the option on, and its refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab, readJson } from "./load.mjs";
import { linearCaseInput, linearTable } from "../js/linear.mjs";

/** @type {{ linear: import("../js/linear.mjs").LinearCase[] }} */
const golden = readJson("tests/golden/linear.json");

test(`linearCrossEntropy materialize: true: ${golden.linear.length} PyTorch goldens`, async () => {
  const r = await linearTable(losslab, golden.linear, (input, options) =>
    losslab.linearCrossEntropy(input, { ...options, materialize: true }),
  );
  assert.deepEqual(r.failures, []);
  assert.equal(r.passed, golden.linear.length);
  console.log(
    `# worst loss rel err ${r.worst.loss.toExponential(2)}, gradient ${r.worst.grad.toExponential(2)} of max`,
  );
});

test("materialize: true agrees with the fused path on every golden input (loss 1e-5, gradients 1e-4 of max)", () => {
  let worstLoss = 0;
  let worstGrad = 0;
  for (const c of golden.linear) {
    const { input, options: o } = linearCaseInput(losslab, c);
    // reduction "none" has no gradient: compare its per-token losses forward only.
    const options = { ...o, grad: o.reduction !== "none" };
    const fused = losslab.linearCrossEntropy(input, options);
    const mat = losslab.linearCrossEntropy(input, { ...options, materialize: true });
    assert.equal(mat.numActive, fused.numActive, c.name);
    const perToken = mat.perTokenLoss ?? [];
    for (let i = 0; i < perToken.length; i++) {
      const want = /** @type {Float32Array} */ (fused.perTokenLoss)[i];
      assert.ok(Math.abs(perToken[i] - want) <= 1e-5 * Math.max(Math.abs(want), 1), `${c.name}: token ${i}`);
    }
    for (const k of /** @type {const} */ (["nll", "smooth"])) {
      const err = Math.abs(mat[k] - fused[k]) / Math.max(Math.abs(fused[k]), 1e-12);
      assert.ok(err <= 1e-5, `${c.name}: ${k} ${mat[k]} vs ${fused[k]}`);
      worstLoss = Math.max(worstLoss, err);
    }
    for (const k of /** @type {const} */ (["gradHidden", "gradWeight", "gradBias"])) {
      const a = mat[k];
      const b = fused[k];
      assert.equal(a === undefined, b === undefined, `${c.name}: ${k} presence`);
      if (!a || !b) continue;
      let max = 0;
      let diff = 0;
      for (let i = 0; i < b.length; i++) {
        max = Math.max(max, Math.abs(b[i]));
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      assert.ok(diff <= 1e-4 * max, `${c.name}: ${k} off by ${diff} of max ${max}`);
      worstGrad = Math.max(worstGrad, diff / max);
    }
  }
  console.log(`# worst loss rel diff ${worstLoss.toExponential(2)}, gradient ${worstGrad.toExponential(2)} of max`);
});

test("materialize: the Engine passes it on; the caller's options are left as given", async () => {
  const { input, options: o } = linearCaseInput(losslab, golden.linear[0]);
  const options = { ...o, grad: true, materialize: true };
  const engine = await losslab.Engine.create({ backend: "cpu" });
  const r = await engine.linearCrossEntropy(input, options);
  engine.free();
  const direct = losslab.linearCrossEntropy(input, options);
  assert.equal(r.loss, direct.loss);
  assert.equal(r.backendReasonCode, "linear-cpu");
  assert.equal(options.materialize, true, "the option object still holds materialize");
});

test("materialize: anything but a boolean is refused naming options.materialize", () => {
  const { input } = linearCaseInput(losslab, golden.linear[0]);
  for (const bad of ["yes", 1, null, {}]) {
    assert.throws(
      () => losslab.linearCrossEntropy(input, { materialize: /** @type {any} */ (bad) }),
      (e) => e instanceof Error && /options\.materialize must be a boolean/.test(e.message),
      JSON.stringify(bad),
    );
  }
  // Other unknown keys are still refused as before.
  assert.throws(() => losslab.linearCrossEntropy(input, /** @type {any} */ ({ materialise: true })), /materialise/);
});
