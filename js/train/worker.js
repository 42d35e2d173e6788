// losslab's trainer in a module Web Worker: the page stays responsive while the model trains.
// Start it with `new Worker(new URL("./worker.js", import.meta.url), { type: "module" })`, or use
// `TrainerWorker` from ./client.js, which speaks this protocol for you.
//
// Requests: `{ id, type, ...args }`; each gets one reply `{ id, ok: true, result }` or
// `{ id, ok: false, error: { message, code } }`. While a "run" request is in progress the worker
// also posts `{ type: "progress", id, run, step, steps, loss, stepsPerSecond, elapsedMs,
// eval }` about ten times a second, and answers "pause" / "resume" at once.
import init, { Trainer, labelSmoothingFloor, lessonRuns } from "./index.js";

/** @typedef {import("./losslab_train.js").TrainerOptions} TrainerOptions */
/** @typedef {import("./losslab_train.js").RunOptions} RunOptions */

const ready = init();
/** @type {Trainer | null} */
let trainer = null;
let paused = false;
/** @type {((value?: unknown) => void) | null} */
let wake = null;

/** Lets queued messages (pause, resume) in between chunks of steps. */
const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));

function need() {
  if (!trainer) throw Object.assign(new Error('no trainer: send a "create" request first'), { code: "unsupported" });
  return trainer;
}

/** Runs a whole run in chunks sized to about 100 ms, posting progress after each. @param {number} id @param {RunOptions} options */
async function run(id, options) {
  const t = need();
  t.beginRun(options);
  const started = performance.now();
  let chunk = 1;
  let report = { step: 0, steps: 0, loss: NaN, done: false };
  let evals = 0;
  while (!report.done) {
    while (paused) await new Promise((resolve) => (wake = resolve));
    const t0 = performance.now();
    report = t.step(chunk);
    const dt = performance.now() - t0;
    chunk = Math.max(1, Math.min(64, Math.round((chunk * 100) / Math.max(dt, 1))));
    const snapshot = t.snapshot();
    const current = snapshot.runs[snapshot.runs.length - 1];
    const fresh = current.evals.length > evals ? current.evals[current.evals.length - 1] : null;
    evals = current.evals.length;
    const elapsedMs = performance.now() - started;
    self.postMessage({
      type: "progress",
      id,
      run: current.name,
      step: report.step,
      steps: report.steps,
      loss: report.loss,
      stepsPerSecond: report.step / (elapsedMs / 1000),
      elapsedMs,
      eval: fresh,
    });
    await yieldToMessages();
  }
  return { elapsedMs: performance.now() - started, snapshot: t.snapshot() };
}

// Each request's arguments, as the client sends them.
const handlers = {
  /** @param {{ options?: TrainerOptions }} request */
  async create({ options }) {
    trainer?.free();
    trainer = null;
    trainer = Trainer.create(options);
    return trainer.snapshot();
  },
  run: (/** @type {{ id: number, options: RunOptions }} */ { id, options }) => run(id, options),
  evaluate: () => need().evaluate(),
  tokenLosses: (/** @type {{ index?: number }} */ { index }) => need().tokenLosses(index),
  generate: (
    /** @type {{ prompt: string, options?: import("./losslab_train.js").GenerateOptions }} */ { prompt, options },
  ) => need().generate(prompt, options),
  tokenize: (/** @type {{ text: string }} */ { text }) => need().tokenize(text),
  encodePair: (
    /** @type {{ prompt: string, response: string, objective?: "clm" | "sft" | "sft-unmasked" }} */ {
      prompt,
      response,
      objective,
    },
  ) => need().encodePair(prompt, response, objective),
  lessonRuns: (/** @type {{ epsilon?: number }} */ { epsilon }) => lessonRuns(epsilon),
  labelSmoothingFloor: (/** @type {{ epsilon: number, vocab: number }} */ { epsilon, vocab }) =>
    labelSmoothingFloor(epsilon, vocab),
  snapshot: () => need().snapshot(),
  dispose() {
    trainer?.free();
    trainer = null;
    return null;
  },
};

self.onmessage = async ({ data }) => {
  if (data?.type === "pause") return void (paused = true);
  if (data?.type === "resume") {
    paused = false;
    wake?.();
    wake = null;
    return;
  }
  const { id, type } = data ?? {};
  try {
    await ready;
    // Own keys only: "constructor" or "toString" is no request type.
    const handler =
      typeof type === "string" && Object.hasOwn(handlers, type)
        ? handlers[/** @type {keyof typeof handlers} */ (type)]
        : undefined;
    if (!handler)
      throw Object.assign(new Error(`unknown request type ${JSON.stringify(type)}`), { code: "invalid-argument" });
    self.postMessage({ id, ok: true, result: await handler(data) });
  } catch (e) {
    const error = /** @type {{ message?: unknown, code?: unknown } | null | undefined} */ (e);
    self.postMessage({ id, ok: false, error: { message: String(error?.message ?? e), code: error?.code ?? "error" } });
  }
};
