// `TrainerWorker`: the trainer running in a module Web Worker (./worker.js), behind promises.
// Every method resolves with what the same `Trainer` method returns; refusals reject with an
// `Error` carrying the same `message` and `code`.

/** @typedef {import("./losslab_train.js").TrainerOptions} TrainerOptions */
/** @typedef {import("./losslab_train.js").RunOptions} RunOptions */
/** @typedef {import("./losslab_train.js").TrainerSnapshot} TrainerSnapshot */
/** @typedef {import("./client.js").TrainProgress} TrainProgress */

export class TrainerWorker {
  /** @type {Worker} */ #worker;
  #next = 1;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, onProgress?: (p: TrainProgress) => void }>} */
  #pending = new Map();

  /**
   * Starts a worker and builds a trainer in it (see `Trainer.create` for `options`).
   * @param {TrainerOptions} [options] @param {{ workerUrl?: string | URL }} [settings]
   */
  static async create(options, { workerUrl } = {}) {
    const worker = new Worker(workerUrl ?? new URL("./worker.js", import.meta.url), { type: "module" });
    const t = new TrainerWorker(worker);
    try {
      await t.#call("create", { options });
    } catch (e) {
      worker.terminate(); // a refused trainer leaves no worker running
      throw e;
    }
    return t;
  }

  /** @param {Worker} worker */
  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => {
      const pending = this.#pending.get(data.id);
      if (!pending) return;
      if (data.type === "progress") return pending.onProgress?.(data);
      this.#pending.delete(data.id);
      if (data.ok) pending.resolve(data.result);
      else pending.reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
    };
    worker.onerror = (event) => {
      const error = new Error(`the trainer's worker failed: ${event.message ?? "unknown error"}`);
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
  }

  /** @param {string} type @param {Record<string, unknown>} [args] @param {(p: TrainProgress) => void} [onProgress] @returns {Promise<any>} */
  #call(type, args = {}, onProgress) {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#worker.postMessage({ id, type, ...args });
    });
  }

  /**
   * Runs a whole run (see `Trainer.beginRun`), calling `onProgress` about ten times a second.
   * @param {RunOptions} options @param {(p: TrainProgress) => void} [onProgress]
   * @returns {Promise<{ elapsedMs: number, snapshot: TrainerSnapshot }>}
   */
  run(options, onProgress) {
    return this.#call("run", { options }, onProgress);
  }
  /** Pauses the run in progress after its current chunk of steps. */
  pause() {
    this.#worker.postMessage({ type: "pause" });
  }
  resume() {
    this.#worker.postMessage({ type: "resume" });
  }
  /** @returns {Promise<import("./losslab_train.js").EvalPoint>} */
  evaluate() {
    return this.#call("evaluate");
  }
  /** @param {number} [index] @returns {Promise<{ pieces: string[], promptLength: number, clm: number[], sft: number[] }>} */
  tokenLosses(index) {
    return this.#call("tokenLosses", { index });
  }
  /** @param {string} prompt @param {import("./losslab_train.js").GenerateOptions} [options] @returns {Promise<string>} */
  generate(prompt, options) {
    return this.#call("generate", { prompt, options });
  }
  /** @param {string} text @returns {Promise<{ ids: Int32Array, pieces: string[] }>} */
  tokenize(text) {
    return this.#call("tokenize", { text });
  }
  /**
   * @param {string} prompt @param {string} response @param {"clm" | "sft" | "sft-unmasked"} [objective]
   * @returns {Promise<{ inputIds: Int32Array, labels: Int32Array, pieces: string[], promptLength: number }>}
   */
  encodePair(prompt, response, objective) {
    return this.#call("encodePair", { prompt, response, objective });
  }
  /** @returns {Promise<TrainerSnapshot>} */
  snapshot() {
    return this.#call("snapshot");
  }
  /** The lesson's three runs as `run` options (see `lessonRuns`). @param {number} [epsilon] @returns {Promise<RunOptions[]>} */
  lessonRuns(epsilon) {
    return this.#call("lessonRuns", { epsilon });
  }
  /** @param {number} epsilon @param {number} vocab @returns {Promise<number>} */
  labelSmoothingFloor(epsilon, vocab) {
    return this.#call("labelSmoothingFloor", { epsilon, vocab });
  }
  /** Stops the worker at once (a run in progress is abandoned); pending calls reject. */
  terminate() {
    this.#worker.terminate();
    for (const p of this.#pending.values()) p.reject(new Error("the trainer's worker was terminated"));
    this.#pending.clear();
  }
}
