// The single integration point for the asynchronous (WebGPU-capable) engine.
// When pkg/ has no `Engine` yet, the synchronous CPU kernel stands in and says so.

export const NO_ENGINE_REASON = "WebGPU engine unavailable";

/**
 * Returns { backend, reason, adapterInfo, crossEntropy(input, options) → Promise, free() }.
 * `backend: "webgpu"` rejects when WebGPU cannot run, as Engine.create does.
 */
export async function createEngine(losslab, backend = "auto") {
  if (typeof losslab.Engine?.create === "function") {
    const engine = await losslab.Engine.create({ backend });
    return {
      backend: engine.backend,
      reason: engine.reason ?? null,
      adapterInfo: engine.adapterInfo ?? null,
      crossEntropy: (input, options) => engine.crossEntropy(input, options),
      free: () => engine.free(),
    };
  }
  if (backend === "webgpu") throw new Error(`${NO_ENGINE_REASON}: this build of losslab has no Engine`);
  return {
    backend: "cpu-simd",
    reason: NO_ENGINE_REASON,
    adapterInfo: null,
    crossEntropy: async (input, options) => losslab.crossEntropy(input, options),
    free() {},
  };
}

/** What the browser offers, independent of the engine: { available, adapterInfo, reason }. */
export async function probeWebGPU() {
  if (typeof navigator === "undefined" || !navigator.gpu) return { available: false, adapterInfo: null, reason: "no navigator.gpu" };
  try {
    const adapter = await Promise.race([
      navigator.gpu.requestAdapter(),
      new Promise((ok) => setTimeout(() => ok("timeout"), 3000)),
    ]);
    if (adapter === "timeout") return { available: false, adapterInfo: null, reason: "requestAdapter timed out" };
    if (!adapter) return { available: false, adapterInfo: null, reason: "no adapter" };
    const info = adapter.info ?? {};
    return {
      available: true,
      adapterInfo: { vendor: info.vendor ?? "", architecture: info.architecture ?? "", description: info.description ?? "", isFallbackAdapter: !!(info.isFallbackAdapter ?? adapter.isFallbackAdapter) },
      reason: null,
    };
  } catch (e) {
    return { available: false, adapterInfo: null, reason: String(e?.message ?? e) };
  }
}
