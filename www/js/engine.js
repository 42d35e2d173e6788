// The single integration point for the engine: the Big tensors view runs every heavy call in
// `EngineWorker` (pkg/engine/client.js), a module Web Worker with its own wasm instance, so the
// page's main thread never waits on a big call.
import { EngineWorker } from "../pkg/engine/client.js";
import { errorMessage } from "./format.js";

/**
 * A worker that lives as long as the view's session (`ctx.keep`): `get(backend)` resolves to the
 * `EngineWorker` with an engine for that backend (created once, recreated when the backend
 * changes); `dispose()` stops it.
 */
export function createEngineSession() {
  /** @type {Promise<EngineWorker> | null} */
  let worker = null;
  /** @type {"auto" | "webgpu" | "cpu" | null} */
  let backend = null;
  return {
    /** @param {"auto" | "webgpu" | "cpu"} wanted */
    async get(wanted) {
      if (!worker) {
        backend = wanted;
        worker = EngineWorker.create({ backend: wanted });
        worker.catch(() => (worker = null)); // a refused engine: try again next time
        return worker;
      }
      const w = await worker;
      if (backend !== wanted) {
        backend = wanted;
        await w.recreate({ backend: wanted });
      }
      return w;
    },
    dispose() {
      worker?.then(
        (w) => w.terminate(),
        () => {},
      );
      worker = null;
    },
  };
}

/**
 * What the browser offers, independent of the engine: { available, adapterInfo, reason }, the
 * reason a code the engine's reasons share ("no-webgpu", "no-adapter", …) with its `detail`.
 */
export async function probeWebGPU() {
  if (typeof navigator === "undefined" || !navigator.gpu)
    return { available: false, adapterInfo: null, reason: "no-webgpu", detail: "" };
  try {
    const adapter = await Promise.race([
      navigator.gpu.requestAdapter(),
      new Promise((ok) => setTimeout(() => ok("timeout"), 3000)),
    ]);
    if (adapter === "timeout") return { available: false, adapterInfo: null, reason: "adapter-timeout", detail: "" };
    if (!adapter) return { available: false, adapterInfo: null, reason: "no-adapter", detail: "" };
    const info = adapter.info ?? {};
    return {
      available: true,
      adapterInfo: {
        vendor: info.vendor ?? "",
        architecture: info.architecture ?? "",
        description: info.description ?? "",
        isFallbackAdapter: !!(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
      },
      reason: null,
      detail: "",
    };
  } catch (e) {
    return { available: false, adapterInfo: null, reason: "adapter-failed", detail: errorMessage(e) };
  }
}
