// linearCrossEntropy in Node: PyTorch's goldens, the property against crossEntropy on
// materialised logits, non-finite rows, and the Engine's CPU-only path with its reason code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab, readJson } from "./load.mjs";
import { linearCaseInput, linearNonFinite, linearProperty, linearTable } from "../js/linear.mjs";

/** @type {{ linear: import("../js/linear.mjs").LinearCase[] }} */
const golden = readJson("tests/golden/linear.json");

for (const kernel of /** @type {const} */ (["simd", "scalar"])) {
  test(`linearCrossEntropy: ${golden.linear.length} PyTorch goldens (${kernel})`, async () => {
    const r = await linearTable(losslab, golden.linear, (input, options) =>
      losslab.linearCrossEntropy(input, { ...options, kernel }),
    );
    assert.deepEqual(r.failures, []);
    assert.equal(r.passed, golden.linear.length);
    console.log(
      `# worst loss rel err ${r.worst.loss.toExponential(2)}, gradient ${r.worst.grad.toExponential(2)} of max`,
    );
  });
}

test("linearCrossEntropy equals crossEntropy on float64-materialised logits (60 random shapes and options)", () => {
  const r = linearProperty(losslab, 60);
  assert.deepEqual(r.failures, []);
  console.log(`# worst loss rel err ${r.worstLoss.toExponential(2)}, gradient ${r.worstGrad.toExponential(2)} of max`);
});

test("linearCrossEntropy: NaN and ±inf logits give crossEntropy's notes and values", () => {
  assert.deepEqual(linearNonFinite(losslab).failures, []);
});

test("linearCrossEntropy: the caller's arrays are left as they were; the result has no logits gradient", () => {
  const c = golden.linear[0];
  const { input, options } = linearCaseInput(losslab, c);
  const copies = [input.hidden.slice(), input.weight.slice(), input.bias?.slice()];
  const r = losslab.linearCrossEntropy(input, options);
  assert.deepEqual([input.hidden, input.weight, input.bias], copies);
  assert.ok(!("grad" in r));
  assert.equal(r.backend, "cpu-simd");
  assert.ok(r.gradHidden instanceof Float32Array && r.gradWeight instanceof Float32Array);
});

test("Engine.linearCrossEntropy: the CPU function's result, and a backend reason that says CPU", async () => {
  const engine = await losslab.Engine.create({ backend: "cpu" });
  for (const c of golden.linear.slice(0, 4)) {
    const { input, options } = linearCaseInput(losslab, c);
    const r = await engine.linearCrossEntropy(input, options);
    const sync = losslab.linearCrossEntropy(input, options);
    assert.equal(r.backend, "cpu-simd");
    assert.equal(r.backendReasonCode, "linear-cpu");
    assert.match(r.backendReason ?? "", /CPU/);
    assert.equal(r.loss, sync.loss);
    assert.deepEqual(r.gradWeight, sync.gradWeight);
  }
  // No weight, on purpose: the Engine rejects (never throws) with the function's message.
  const noWeight = /** @type {any} */ ({ hidden: new Float32Array(2), dims: [1, 2, 3], labels: Int32Array.of(0) });
  await assert.rejects(
    engine.linearCrossEntropy(noWeight),
    /weight must be a Float32Array or an F32Buffer, got undefined/,
  );
  engine.free();
});

test("linearCrossEntropy: F32Buffer hidden, weight and bias give the Float32Array result, bit for bit", () => {
  for (const c of golden.linear.filter((g) => g.bias).slice(0, 3)) {
    const { input, options } = linearCaseInput(losslab, c);
    const want = losslab.linearCrossEntropy(input, options);
    const buffers = [input.hidden, input.weight, /** @type {Float32Array} */ (input.bias)].map((a) =>
      losslab.F32Buffer.fromArray(a),
    );
    const got = losslab.linearCrossEntropy(
      { ...input, hidden: buffers[0], weight: buffers[1], bias: buffers[2] },
      options,
    );
    assert.equal(got.loss, want.loss, c.name);
    for (const k of /** @type {const} */ (["perTokenLoss", "gradHidden", "gradWeight", "gradBias"])) {
      assert.deepEqual(got[k], want[k], `${c.name}: ${k}`);
    }
    // The same buffer as hidden and weight is two reads of one tensor, allowed.
    const square = losslab.F32Buffer.fromArray(new Float32Array(4).fill(0.5));
    const r = losslab.linearCrossEntropy({
      hidden: square,
      weight: square,
      dims: [2, 2, 2],
      labels: Int32Array.of(0, 1),
    });
    assert.ok(Math.abs(Number(r.loss) - Math.log(2)) < 1e-7, `loss ${r.loss}`);
    assert.throws(
      () => losslab.linearCrossEntropy({ ...input, weight: buffers[0] }, options),
      /weight has \d+ elements but dims \[\d+, \d+\] need \d+/,
    );
    for (const b of [...buffers, square]) b.free();
  }
});
