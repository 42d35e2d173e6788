// The JS API in Node: objectives and collation against transformers, and the error contract.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab, readJson, wasm } from "./load.mjs";
import { badInputs, edgeInputs, sanity } from "../js/bad-inputs.mjs";

const golden = readJson("tests/golden/objectives.json");
/** @type {(got: number | null, want: number, rel?: number) => boolean} */
const close = (got, want, rel = 1e-6) => got !== null && Math.abs(got - want) <= rel * Math.max(Math.abs(want), 1);

test("collate matches DataCollatorForSeq2Seq", () => {
  for (const c of golden.collate) {
    const r = losslab.collate(c.examples, c.options);
    assert.deepEqual(Array.from(r.inputIds), c.expected.inputIds);
    assert.deepEqual(Array.from(r.attentionMask), c.expected.attentionMask);
    assert.ok(r.labels, "collate returned no labels");
    assert.deepEqual(Array.from(r.labels), c.expected.labels);
    assert.deepEqual(r.dims, c.expected.dims);
    assert.deepEqual(r.labelDims, c.expected.labelDims);
  }
});

test("clmLabels and the CLM loss match transformers", () => {
  for (const c of golden.clm) {
    const [B, T] = c.dims;
    const labels = losslab.clmLabels(Int32Array.from(c.inputIds), [B, T], { padId: c.padId });
    assert.deepEqual(Array.from(labels), c.expected.labels);
    const r = losslab.crossEntropy(
      { logits: Float32Array.from(c.logits), dims: c.dims, labels },
      { epsilon: 0, shiftLabels: true, numItemsInBatch: c.numItemsInBatch },
    );
    assert.ok(close(r.loss, c.expected.loss), `${r.loss} vs ${c.expected.loss}`);
  }
});

test("sftLabels masks the prompt", () => {
  for (const c of golden.sft) {
    const got = losslab.sftLabels(Int32Array.from(c.inputIds), c.dims, c.promptLens, { padId: c.padId });
    assert.deepEqual(Array.from(got), c.expected.labels);
  }
});

test("mse matches F.mse_loss", () => {
  for (const c of golden.mse) {
    const r = losslab.mse(Float32Array.from(c.pred), Float32Array.from(c.target), {
      reduction: c.reduction,
      grad: c.reduction !== "none",
    });
    if (c.expected.loss === null) assert.equal(r.loss, null);
    else assert.ok(close(r.loss, c.expected.loss));
    assert.equal(r.perElement.length, c.expected.perElement.length, "perElement length");
    c.expected.perElement.forEach((/** @type {number} */ w, /** @type {number} */ i) =>
      assert.ok(close(r.perElement[i], w)),
    );
    if (c.expected.grad) {
      const grad = r.grad;
      assert.ok(grad, "no gradient");
      assert.equal(grad.length, c.expected.grad.length, "grad length");
      c.expected.grad.forEach((/** @type {number} */ w, /** @type {number} */ i) => assert.ok(close(grad[i], w)));
    }
  }
});

test("mlmMask is seeded and keeps labels only where chosen", () => {
  const ids = Int32Array.from({ length: 4096 }, (_, i) => 5 + (i % 100));
  const o = { maskTokenId: 3, vocabSize: 105, seed: 7 };
  const a = losslab.mlmMask(ids, [4, 1024], o);
  const b = losslab.mlmMask(ids, [4, 1024], o);
  assert.deepEqual(a, b);
  const chosen = a.labels.filter((x) => x !== -100).length;
  assert.ok(chosen > 0.13 * 4096 && chosen < 0.17 * 4096, `${chosen} chosen`);
  assert.equal(a.labels.length, ids.length, "labels length");
  assert.equal(a.inputIds.length, ids.length, "inputIds length");
  a.labels.forEach((y, i) => {
    if (y === -100) assert.equal(a.inputIds[i], ids[i]);
    else assert.equal(y, ids[i]);
  });
});

test("notes explain NaN in words", () => {
  const r = losslab.crossEntropy({ logits: new Float32Array(8), dims: [2, 4], labels: Int32Array.from([-100, -100]) });
  assert.ok(Number.isNaN(r.loss));
  assert.equal(r.notes[0].code, "all-ignored");
  assert.match(r.notes[0].message, /0 \/ 0|divides 0 by 0/);
});

for (const [what, call, fragment] of badInputs) {
  test(`refuses: ${what}`, () => {
    assert.throws(
      () => call(losslab),
      (e) => {
        assert.ok(e instanceof Error, `threw ${e} (not an Error)`);
        assert.match(e.message, fragment);
        assert.match(
          String(/** @type {Error & { code?: string }} */ (e).code),
          /^(dims|length|label-out-of-range|epsilon-out-of-range|option|unsupported|out-of-memory|invalid-argument)$/,
        );
        return true;
      },
    );
    const s = sanity(losslab);
    assert.ok(close(s.loss, s.want), `after the refusal the module answers ${s.loss}, want ${s.want}`);
  });
}

test("F32Buffer: logits used in place, gradient written in place, same answers", () => {
  const [B, T, V] = [2, 5, 300];
  const logits = losslab.hashLogits(B * T * V, 11, 8);
  const labels = losslab.hashLabels(B * T, V, 11, -100);
  const options = { grad: true, shiftLabels: true, epsilon: 0.1 };
  const copied = losslab.crossEntropy({ logits, dims: [B, T, V], labels }, options);
  const resident = losslab.F32Buffer.fromArray(logits);
  const grad = new losslab.F32Buffer(B * T * V);
  grad.set(new Float32Array(B * T * V).fill(7), 0); // stale contents must be overwritten
  const r = losslab.crossEntropy({ logits: resident, dims: [B, T, V], labels, gradInto: grad }, options);
  assert.equal(r.loss, copied.loss);
  assert.equal(r.grad, undefined);
  assert.deepEqual(grad.toArray(), copied.grad);
  assert.throws(
    () => losslab.crossEntropy({ logits: resident, dims: [B, T, V], labels, gradInto: resident }, options),
    /gradInto must be different storage from logits/,
  );
  assert.throws(
    () =>
      losslab.crossEntropy({ logits: resident, dims: [B, T, V], labels, gradInto: new losslab.F32Buffer(3) }, options),
    /gradInto has 3 elements/,
  );
  resident.free();
  assert.throws(
    () => losslab.crossEntropy({ logits: resident, dims: [B, T, V], labels }, options),
    /logits must be a Float32Array or an F32Buffer/,
  );
  grad.free();
});

test("a Float32Array streams through a small window: same answers as resident logits, gradInto a Float32Array too", () => {
  const [B, T, V] = [2, 7, 40000]; // rows larger than half the window: one or two rows per block
  const logits = losslab.hashLogits(B * T * V, 12, 8);
  const labels = losslab.hashLabels(B * T, V, 12, -100);
  labels[3] = -100;
  const options = { grad: true, shiftLabels: true, epsilon: 0.1, softcap: 30 };
  const resident = losslab.F32Buffer.fromArray(logits);
  const residentGrad = new losslab.F32Buffer(B * T * V);
  const want = losslab.crossEntropy({ logits: resident, dims: [B, T, V], labels, gradInto: residentGrad }, options);
  const streamed = losslab.crossEntropy({ logits, dims: [B, T, V], labels }, options);
  assert.equal(streamed.loss, want.loss);
  assert.deepEqual(streamed.perTokenLoss, want.perTokenLoss);
  assert.deepEqual(streamed.grad, residentGrad.toArray());
  // Into the caller's array: stale values are overwritten, ignored and shifted-away rows zeroed.
  const mine = new Float32Array(B * T * V).fill(Number.NaN);
  const r = losslab.crossEntropy({ logits, dims: [B, T, V], labels, gradInto: mine }, options);
  assert.equal(r.grad, undefined);
  assert.equal(r.loss, want.loss);
  assert.deepEqual(mine, residentGrad.toArray());
  // Resident logits, gradient into a Float32Array.
  mine.fill(7);
  losslab.crossEntropy({ logits: resident, dims: [B, T, V], labels, gradInto: mine }, options);
  assert.deepEqual(mine, residentGrad.toArray());
  assert.throws(
    () => losslab.crossEntropy({ logits, dims: [B, T, V], labels, gradInto: logits }, options),
    /gradInto must be different storage from logits/,
  );
  assert.throws(
    () => losslab.crossEntropy({ logits, dims: [B, T, V], labels, gradInto: new Float32Array(5) }, options),
    /gradInto has 5 elements/,
  );
  assert.throws(
    // @ts-expect-error an Array on purpose: the module must refuse it by name
    () => losslab.crossEntropy({ logits, dims: [B, T, V], labels, gradInto: [1, 2] }, options),
    /gradInto must be an F32Buffer or a Float32Array, got an Array/,
  );
  resident.free();
  residentGrad.free();
});

test("a Float32Array call grows wasm memory by a window, not by the logits", () => {
  const [B, T, V] = [1, 256, 32000]; // 32 MB of logits, 32 MB of gradient
  const logits = losslab.hashLogits(B * T * V, 13, 8);
  const labels = losslab.hashLabels(B * T, V, 13, -100);
  losslab.crossEntropy(
    { logits: logits.subarray(0, V), dims: [1, 1, V], labels: labels.subarray(0, 1) },
    { grad: true },
  );
  const before = wasm.memory.buffer.byteLength;
  const r = losslab.crossEntropy({ logits, dims: [B, T, V], labels }, { grad: true });
  const grown = wasm.memory.buffer.byteLength - before;
  assert.ok(Number.isFinite(r.loss) && r.grad?.length === B * T * V);
  assert.ok(grown <= 4 << 20, `wasm memory grew by ${grown} bytes for ${B * T * V * 4} bytes of logits`);
});

for (const [what, call, ok] of edgeInputs) {
  test(`edge case: ${what}`, () => {
    const r = call(losslab);
    assert.ok(ok(r), JSON.stringify({ loss: r.loss, nll: r.nll, smooth: r.smooth, notes: r.notes }));
  });
}

/** @param {unknown} e */
const codeOf = (e) => /** @type {{ code?: unknown }} */ (e)?.code;

test("errors carry a stable code", () => {
  const input = { logits: new Float32Array(8), dims: [2, 4], labels: Int32Array.from([0, 9]) };
  assert.throws(
    () => losslab.crossEntropy(input),
    (e) => codeOf(e) === "label-out-of-range",
  );
  assert.throws(
    () => losslab.crossEntropy({ ...input, labels: Int32Array.from([0, 1]) }, { semantics: "torch", epsilon: 2 }),
    (e) => codeOf(e) === "epsilon-out-of-range",
  );
  assert.throws(
    () => losslab.crossEntropy({ ...input, dims: [2, 5] }),
    (e) => codeOf(e) === "length",
  );
});

test("denominator and note params", () => {
  const logits = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const r = losslab.crossEntropy({ logits, dims: [2, 3], labels: Int32Array.from([2, -1]) }, { numItemsInBatch: 5 });
  assert.equal(r.denominator, 5);
  const clamped = r.notes.find((n) => n.code === "clamped-label");
  assert.ok(clamped, "no clamped-label note");
  assert.deepEqual(clamped.params, { label: -1 });
  const w = losslab.crossEntropy(
    { logits, dims: [2, 3], labels: Int32Array.from([2, 0]) },
    { semantics: "torch", classWeights: [0.5, 1, 2] },
  );
  assert.equal(w.denominator, 2.5);
  assert.ok(Math.abs(w.nll * w.denominator - (2 * w.perTokenNll[0] + 0.5 * w.perTokenNll[1])) < 1e-5);
});

test("logSoftmax gives the log-probabilities the loss is made of", () => {
  const logits = losslab.hashLogits(3 * 7, 2, 8);
  const lp = losslab.logSoftmax({ logits, dims: [3, 7] });
  const labels = Int32Array.from([4, 0, 6]);
  const r = losslab.crossEntropy({ logits, dims: [3, 7], labels }, { epsilon: 0 });
  for (let n = 0; n < 3; n++) {
    assert.ok(Math.abs(-lp[n * 7 + labels[n]] - r.perTokenNll[n]) < 1e-6);
    const total = lp.slice(n * 7, n * 7 + 7).reduce((a, x) => a + Math.exp(x), 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
  }
  const capped = losslab.logSoftmax({ logits, dims: [3, 7] }, { softcap: 2 });
  assert.notDeepEqual(capped, lp);
  assert.throws(
    () => losslab.logSoftmax({ logits, dims: [3, 7] }, { softcap: -1 }),
    /softcap must be a positive finite number/,
  );
});
