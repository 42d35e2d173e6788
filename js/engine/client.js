// `EngineWorker`: losslab's Engine running in a module Web Worker (./worker.js), behind
// promises, so a page's main thread never waits on a big call. Results are those of
// `Engine.crossEntropy`, plus `timeMs` (the call's time inside the worker); refusals reject with
// an `Error` carrying the same `message` and `code`.

export class EngineWorker {
  /** @type {Worker} */ #worker;
  #next = 1;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  #pending = new Map();
  /** What `Engine.create` reported: backend, reason, adapterInfo, calibration, simd. */
  info = null;

  /** Starts a worker and creates an Engine in it (`options` as for `Engine.create`). */
  static async create(options, { workerUrl } = {}) {
    const worker = new Worker(workerUrl ?? new URL("./worker.js", import.meta.url), { type: "module" });
    const w = new EngineWorker(worker);
    try {
      w.info = await w.#call("create", { options });
    } catch (e) {
      worker.terminate(); // a refused engine leaves no worker running
      throw e;
    }
    return w;
  }

  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => {
      const pending = this.#pending.get(data?.id);
      if (!pending) return;
      this.#pending.delete(data.id);
      if (data.ok) pending.resolve(data.result);
      else pending.reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
    };
    worker.onerror = (event) => {
      const error = new Error(`the engine's worker failed: ${event.message ?? "unknown error"}`);
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
  }

  #call(type, args = {}, transfer = []) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, type, ...args }, transfer);
    });
  }

  /** Replaces the worker's engine (`options` as for `Engine.create`); kept inputs stay. */
  async recreate(options) {
    this.info = await this.#call("create", { options });
    return this.info;
  }

  get backend() {
    return this.info?.backend ?? null;
  }
  get reason() {
    return this.info?.reason ?? null;
  }
  get adapterInfo() {
    return this.info?.adapterInfo ?? null;
  }
  get calibration() {
    return this.info?.calibration ?? null;
  }

  /**
   * Cross-entropy in the worker. `input` is `{ logits, dims, labels }` (copied to the worker, or
   * moved with `{ transfer: true }`: the caller's arrays are then detached) or a handle from
   * `put` / `hashInput`. `on: "cpu"` runs the synchronous CPU kernel instead of the engine;
   * `keepGradient: true` leaves the gradient in the worker (`result.gradHandle`).
   */
  crossEntropy(input, options, { on = "engine", keepGradient = false, transfer = false } = {}) {
    if (typeof input === "number") return this.#call("crossEntropy", { handle: input, options, on, keepGradient });
    const moved = transfer
      ? [input?.logits?.buffer, input?.labels?.buffer].filter((b) => b instanceof ArrayBuffer)
      : [];
    return this.#call("crossEntropy", { input, options, on, keepGradient }, moved);
  }

  /**
   * `linearCrossEntropy` in the worker, routed by its Engine (WebGPU or the CPU; the result's
   * `backend` and `backendReason*` say which and why). `input` is
   * `{ hidden, dims, weight, bias?, labels }`, copied to the worker, or moved with
   * `{ transfer: true }` (the caller's arrays are then detached). `on: "cpu"` calls the function
   * directly instead of through the worker's Engine.
   */
  linearCrossEntropy(input, options, { on = "engine", transfer = false } = {}) {
    const moved = transfer
      ? [input?.hidden?.buffer, input?.weight?.buffer, input?.bias?.buffer, input?.labels?.buffer].filter(
          (b) => b instanceof ArrayBuffer,
        )
      : [];
    return this.#call("linearCrossEntropy", { input, options, on }, [...new Set(moved)]);
  }

  /** Keeps an input in the worker (moved with `{ transfer: true }`) and resolves to its handle. */
  put(input, { transfer = false } = {}) {
    const moved = transfer
      ? [input?.logits?.buffer, input?.labels?.buffer].filter((b) => b instanceof ArrayBuffer)
      : [];
    return this.#call("put", { input }, moved);
  }

  /** Generates `hashLogits` / `hashLabels` inputs inside the worker; resolves to their handle. */
  hashInput({ dims, seed, scale, ignoreIndex = -100 }) {
    return this.#call("hashInput", { dims, seed, scale, ignoreIndex });
  }

  /** Compares two kept gradients: `{ length, maxAbs, maxAbsDiff }` (maxAbs of `b`). */
  compare(a, b) {
    return this.#call("compare", { a, b });
  }

  release(handle) {
    return this.#call("release", { handle });
  }

  /** Frees the engine and stops the worker; pending calls reject. */
  terminate() {
    this.#worker.terminate();
    const error = new Error("the engine's worker was terminated");
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
