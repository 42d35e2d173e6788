// A one-shot module worker for the Big tensors view's fused mode: generates the inputs, runs
// `linearCrossEntropy` with the gradient on an Engine (CPU; its reason code says why), measures
// this fresh wasm instance's memory growth from load to the call's end (wasm memory only grows,
// so the growth is the peak), replies once and is terminated by the page.
//   request { tokens, hidden, vocab, seed, epsilon } →
//   { ok: true, result: { loss, timeMs, usedBytes, logitsBytes, backend, backendReason, backendReasonCode, simd } }
//   or { ok: false, error: { message, code } }
import init, { Engine, hashLabels, hashLogits, simdLevel } from "../pkg/index.js";
import { fusedInputs } from "./fused-inputs.js";

self.onmessage = async ({ data }) => {
  try {
    const exports = await init();
    const memory = /** @type {WebAssembly.Memory} */ (exports.memory);
    // Before the inputs are generated: the generator's buffers are freed and then reused by the
    // call's copies, so measuring after them would hide that much of the call's peak. (Each is
    // at most the weight's size, which the call copies in and holds anyway.)
    const before = memory.buffer.byteLength;
    const input = fusedInputs({ hashLogits, hashLabels }, data);
    const engine = await Engine.create({ backend: "cpu" });
    const started = performance.now();
    const r = await engine.linearCrossEntropy(input, { epsilon: data.epsilon, grad: true });
    const timeMs = performance.now() - started;
    const usedBytes = memory.buffer.byteLength - before;
    engine.free();
    self.postMessage({
      ok: true,
      result: {
        loss: r.loss,
        numActive: r.numActive,
        timeMs,
        usedBytes,
        logitsBytes: data.tokens * data.vocab * 4,
        backend: r.backend,
        backendReason: r.backendReason,
        backendReasonCode: r.backendReasonCode,
        simd: simdLevel(),
      },
    });
  } catch (e) {
    const err = /** @type {{ message?: string, code?: string }} */ (e);
    self.postMessage({ ok: false, error: { message: String(err?.message ?? e), code: err?.code ?? "error" } });
  }
};
