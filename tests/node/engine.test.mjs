// The Engine in Node, where there is no WebGPU: "auto" says why it runs on the CPU, "webgpu"
// rejects, and calls give the CPU's answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab } from "./load.mjs";

const input = () => ({
  logits: losslab.hashLogits(2 * 3 * 50, 9, 8),
  dims: [2, 3, 50],
  labels: losslab.hashLabels(6, 50, 9, -100),
});

test("auto falls back to the CPU and says why", async () => {
  const engine = await losslab.Engine.create({ backend: "auto" });
  assert.equal(engine.backend, "cpu-simd");
  assert.match(engine.reason ?? "", /navigator\.gpu is undefined/);
  assert.equal(engine.reasonCode, "no-webgpu", "the reason's code, for a UI in another language");
  assert.deepEqual(engine.reasonParams, {});
  assert.equal(engine.adapterInfo, null);
  const r = await engine.crossEntropy(input(), { grad: true });
  const cpu = losslab.crossEntropy(input(), { grad: true });
  assert.equal(r.backend, "cpu-simd");
  assert.equal(r.backendReason, engine.reason, "each call says why it ran where it ran");
  assert.equal(r.backendReasonCode, "no-webgpu");
  assert.deepEqual(r.backendReasonParams, {});
  assert.equal(r.fallbackReason, undefined);
  assert.equal(engine.calibration, null);
  assert.equal(r.loss, cpu.loss);
  assert.deepEqual(r.grad, cpu.grad);
  engine.free();
});

test("cpu is taken as asked, with no reason to give", async () => {
  const engine = await losslab.Engine.create({ backend: "cpu" });
  assert.equal(engine.backend, "cpu-simd");
  assert.equal(engine.reason, null);
  assert.equal(engine.reasonCode, null);
  assert.equal(engine.reasonParams, null);
  const r = await engine.crossEntropy(input(), {});
  assert.equal(r.backendReason, 'backend: "cpu" was asked for');
  assert.equal(r.backendReasonCode, "cpu-requested");
});

test("allowSoftwareAdapter is an option of its own, checked like every other", async () => {
  const engine = await losslab.Engine.create({ backend: "auto", allowSoftwareAdapter: true });
  assert.match(engine.reason ?? "", /navigator\.gpu is undefined/, "no adapter at all is still no adapter");
  await assert.rejects(
    // @ts-expect-error a string on purpose: the engine must refuse it by name
    losslab.Engine.create({ allowSoftwareAdapter: "yes" }),
    /invalid options\.allowSoftwareAdapter: .*expected a boolean/,
  );
});

test("webgpu without WebGPU rejects with an Error", async () => {
  await assert.rejects(
    losslab.Engine.create({ backend: "webgpu" }),
    (e) =>
      e instanceof Error &&
      /** @type {Error & { code?: string }} */ (e).code === "webgpu-unavailable" &&
      /backend "webgpu" is unavailable: navigator\.gpu is undefined/.test(e.message),
  );
  // @ts-expect-error an unknown backend on purpose: the engine must refuse it
  await assert.rejects(losslab.Engine.create({ backend: "tpu" }), /backend must be "auto", "webgpu" or "cpu"/);
  // @ts-expect-error a misspelt key on purpose: the engine must refuse it by name
  await assert.rejects(losslab.Engine.create({ backends: "cpu" }), /unknown key "backends"/);
});

test("calls run in order and a refused call does not disturb the next", async () => {
  const engine = await losslab.Engine.create({ backend: "cpu" });
  const good = engine.crossEntropy(input(), {});
  const bad = engine.crossEntropy({ ...input(), dims: [2, 3, 51] }, {});
  const after = engine.crossEntropy(input(), {});
  assert.equal((await good).loss, losslab.crossEntropy(input()).loss);
  await assert.rejects(bad, /logits has 300 elements but dims \[2, 3, 51\] need 306/);
  assert.equal((await after).loss, losslab.crossEntropy(input()).loss);
});
