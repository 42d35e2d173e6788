// Wasm memory stays flat over many calls: nothing a call allocates outlives it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab, wasm } from "./load.mjs";

const pages = () => wasm.memory.buffer.byteLength / 65536;

test("10 000 crossEntropy calls with gradient leave wasm memory flat", () => {
  const [B, T, V] = [2, 16, 257];
  const logits = losslab.hashLogits(B * T * V, 3, 8);
  const labels = losslab.hashLabels(B * T, V, 3, -100);
  const options = { grad: true, shiftLabels: true, softcap: 20, zLossScale: 1e-3 };
  const call = () => losslab.crossEntropy({ logits, dims: [B, T, V], labels }, options);
  const first = call();
  for (let i = 0; i < 100; i++) call(); // let the allocator reach its steady state
  const before = pages();
  for (let i = 0; i < 10_000; i++) {
    const r = call();
    if (i % 2500 === 0) assert.equal(r.loss, first.loss);
  }
  assert.equal(pages(), before, `wasm memory grew from ${before} to ${pages()} pages`);
});

test("F32Buffer create/use/free cycles and refused oversized requests leave memory flat", () => {
  const n = 4 * 8 * 1000;
  const labels = losslab.hashLabels(32, 1000, 4, -100);
  const cycle = () => {
    const logits = losslab.F32Buffer.fromArray(losslab.hashLogits(n, 4, 8));
    const grad = new losslab.F32Buffer(n);
    losslab.crossEntropy({ logits, dims: [4, 8, 1000], labels, gradInto: grad }, { grad: true });
    logits.free();
    grad.free();
    assert.throws(() => new losslab.F32Buffer(600_000_000), /not enough memory for an F32Buffer/);
  };
  for (let i = 0; i < 20; i++) cycle();
  const before = pages();
  for (let i = 0; i < 2000; i++) cycle();
  assert.equal(pages(), before, `wasm memory grew from ${before} to ${pages()} pages`);
});
