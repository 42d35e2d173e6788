// `CrossEntropyWorkers`: one cross-entropy call split by logits rows across module Web Workers
// (./rows-worker.js), each with its own losslab instance reading the caller's logits in place
// from a SharedArrayBuffer and writing its rows of the gradient there. The page's own losslab
// instance then reduces the rows (`crossEntropyFromRows`), so the result is bit for bit that of
// one `crossEntropy` call. Needs a cross-origin isolated page (SharedArrayBuffer).
import { crossEntropyFromRows } from "../index.js";

const refuse = (message, code = "invalid-argument") => Object.assign(new Error(message), { code });

/**
 * The SharedArrayBuffer class, or null where there is none. WebKit keeps the global hidden even on
 * a cross-origin isolated page, yet hands out shared buffers through shared wasm memory: its
 * buffer's constructor is the same class.
 */
function sharedArrayBufferClass() {
  if (typeof SharedArrayBuffer === "function") return SharedArrayBuffer;
  if (globalThis.crossOriginIsolated === false) return null;
  try {
    return new WebAssembly.Memory({ initial: 0, maximum: 0, shared: true }).buffer.constructor;
  } catch {
    return null;
  }
}

const Shared = sharedArrayBufferClass();
const sharedFloat32 = (a) => a instanceof Float32Array && Shared !== null && a.buffer instanceof Shared;

/** A Float32Array of `length` zeros on a new SharedArrayBuffer (in every engine that has one). */
export function sharedFloat32Array(length) {
  if (Shared === null) {
    throw refuse("this page has no SharedArrayBuffer: serve it cross-origin isolated", "unsupported");
  }
  return new Float32Array(new Shared(length * 4));
}

export class CrossEntropyWorkers {
  /** @type {Worker[]} */ #workers;
  #next = 1;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  #pending = new Map();
  /** The wasm build the workers loaded. */
  simd = null;

  /**
   * Starts `workers` module workers (default: `navigator.hardwareConcurrency`), each loading
   * losslab. The page's own losslab module must be initialised (`await init()`) before calls.
   */
  static async create({ workers, workerUrl } = {}) {
    if (Shared === null) {
      throw refuse(
        "CrossEntropyWorkers needs SharedArrayBuffer: serve the page cross-origin isolated " +
          "(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)",
        "unsupported",
      );
    }
    if (typeof Worker !== "function") throw refuse("CrossEntropyWorkers needs Web Workers", "unsupported");
    const count = workers ?? globalThis.navigator?.hardwareConcurrency ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 256) {
      throw refuse(`workers must be an integer in [1, 256], got ${String(count)}`);
    }
    const url = workerUrl ?? new URL("./rows-worker.js", import.meta.url);
    const started = Array.from({ length: count }, () => new Worker(url, { type: "module" }));
    try {
      const ready = await Promise.all(started.map(whenReady));
      // Some engines have shared memory yet cannot post it (WebKitGTK: DataCloneError): find out
      // now, not at the first call. The worker ignores a message without an id.
      try {
        started[0].postMessage({ probe: new Shared(8) });
      } catch (e) {
        throw refuse(
          `this browser cannot share memory with workers (posting a SharedArrayBuffer failed: ${e?.message ?? e})`,
          "unsupported",
        );
      }
      const pool = new CrossEntropyWorkers(started);
      pool.simd = ready[0].simd;
      return pool;
    } catch (e) {
      for (const w of started) w.terminate();
      throw e;
    }
  }

  constructor(workers) {
    this.#workers = workers;
    for (const w of workers) {
      w.onmessage = ({ data }) => {
        const pending = this.#pending.get(data?.id);
        if (!pending) return;
        this.#pending.delete(data.id);
        if (data.ok) pending.resolve(data.rows);
        else pending.reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
      };
      w.onerror = (event) => this.#fail(new Error(`a worker failed: ${event.message ?? "unknown error"}`));
    }
  }

  /** How many workers the calls are split across. */
  get workers() {
    return this.#workers.length;
  }

  /**
   * `crossEntropy(input, options)`, split across the workers. `input.logits` (and `gradInto`,
   * when given) must be Float32Arrays on SharedArrayBuffers: the workers read and write them in
   * place. With `grad: true` and no `gradInto`, the gradient comes back as `grad`, a
   * Float32Array on a new SharedArrayBuffer. The rest of the result is `crossEntropy`'s, bit
   * for bit, plus `workers`.
   */
  async crossEntropy(input, options) {
    if (!sharedFloat32(input?.logits)) {
      throw refuse(
        "logits must be a Float32Array on a SharedArrayBuffer: the workers read it in place " +
          "(copy it once: sharedFloat32Array(n).set(logits))",
      );
    }
    const dims = input.dims;
    const rows = Array.isArray(dims) && dims.length >= 2 ? dims.slice(0, -1).reduce((a, b) => a * b, 1) : NaN;
    if (!Number.isSafeInteger(rows)) {
      throw refuse(`dims must be [B, T, V] or [N, V], got ${JSON.stringify(dims)}`, "invalid-dims");
    }
    let gradInto = input.gradInto;
    let fresh = null;
    if (options?.grad) {
      if (gradInto === undefined) {
        gradInto = fresh = sharedFloat32Array(input.logits.length);
      } else if (!sharedFloat32(gradInto)) {
        throw refuse("gradInto must be a Float32Array on a SharedArrayBuffer: the workers write it in place");
      }
    }
    const call = { logits: input.logits, dims, labels: input.labels, ...(gradInto ? { gradInto } : {}) };
    const n = this.#workers.length;
    const ranges = await Promise.all(
      this.#workers.map((w, i) =>
        this.#send(w, {
          input: call,
          options,
          start: Math.floor((i * rows) / n),
          end: Math.floor(((i + 1) * rows) / n),
        }),
      ),
    );
    const result = crossEntropyFromRows({ dims, labels: input.labels }, options, ranges);
    if (fresh) result.grad = fresh;
    result.workers = n;
    return result;
  }

  #send(worker, request) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...request });
    });
  }

  #fail(error) {
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }

  /** Stops the workers; pending calls reject. */
  terminate() {
    for (const w of this.#workers) w.terminate();
    this.#fail(new Error("the workers were terminated"));
  }
}

/** Resolves with a new worker's `{ ready, simd }`, or rejects if it fails to load. */
function whenReady(worker) {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => data?.ready && resolve(data);
    worker.onerror = (event) =>
      reject(new Error(`a worker failed to load losslab: ${event.message ?? "unknown error"}`));
  });
}
