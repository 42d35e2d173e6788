// The train view's one integration point of the trainer (`TrainerWorker`, a module Web Worker):
// a session that builds the trainer from the URL state, runs the lesson or single stages, and
// keeps every run's curves, the per-token losses and the samples for the widgets. The session
// outlives the view's DOM (a language switch rebuilds the view, not the model); the shell keeps it
// per mounted page and disposes of it with the page.
import { TrainerWorker } from "../pkg/train/client.js";
import { errorMessage } from "./format.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {import("../pkg/train/index.js").RunOptions} RunOptions */
/** @typedef {import("../pkg/train/index.js").EvalPoint} EvalPoint */
/** @typedef {"clm" | "sft" | "sft-unmasked"} Objective */
/** The user's own data, not in the link; `version` counts changes. @typedef {{ text: string | null, pairs: string | null, version: number }} OwnData */
/**
 * A run as the widgets draw it: its options, the training loss by step (index step − 1), the
 * held-out evaluations and, once done, the trainer's samples and its time.
 * @typedef {{
 *   name: string, objective: Objective, epsilon: number, steps: number, lr: number | undefined, batch: number | undefined,
 *   from: string | undefined, train: number[], evals: EvalPoint[], samples: import("../pkg/train/index.js").TrainerRun["samples"],
 *   done: boolean, elapsedMs: number, rate: number | null,
 * }} Run
 */
/** The run in progress: where it is and how fast it goes. @typedef {{ run: string, objective: Objective, step: number, steps: number, loss: number, rate: number | null, left: number | null }} Live */
/** Per-token losses of a held-out pair, after which run. @typedef {import("../pkg/train/index.js").TokenLosses & { index: number, count: number, after: string | null, afterObjective: Objective | null }} Tokens */
/** The user's prompt answered by some weights (`after`: the run, or null for the initial weights). @typedef {{ after: string | null, prompt: string, text: string }} Answer */
/**
 * What the train view shows, kept by the session across the view's rebuilds. `demo` belongs to
 * the data panel (its example texts).
 * @typedef {{
 *   phase: "idle" | "creating" | "ready" | "running" | "paused" | "done" | "error", error: string | null,
 *   config: import("../pkg/train/index.js").TrainerSnapshot["config"] | null, parameters: number, lnV: number | null,
 *   builtFrom: State | null, runs: Run[], live: Live | null, queue: RunOptions[], lesson: boolean, own: OwnData,
 *   tokens: Tokens | null, answers: Answer[], prompt: string | null, floors: Map<number, number>, modelId: number,
 *   demo?: { corpus: "en" | "zh" | null, sentence: string, prompt: string, response: string, objective: Objective },
 * }} SessionState
 */
/** @typedef {ReturnType<typeof createTrainSession>} TrainSession */
/** A run's options with what the session relies on spelled out. @typedef {RunOptions & { name: string, objective: Objective, steps: number }} LessonRun */

/** The state fields that decide the model (a change means a new trainer). @type {(keyof State)[]} */
export const MODEL_FIELDS = [
  "trainCorpus",
  "trainLayers",
  "trainDModel",
  "trainHeads",
  "trainContext",
  "trainVocab",
  "trainSeed",
];

/**
 * What `TrainerWorker.create` gets for a state (and the user's own data, which is not in it).
 * @param {State} s @param {OwnData} [own] @returns {import("../pkg/train/index.js").TrainerOptions}
 */
export function trainerOptions(s, own) {
  /** @type {import("../pkg/train/index.js").TrainerOptions} */
  const o = {
    corpus: s.trainCorpus,
    context: s.trainContext,
    layers: s.trainLayers,
    dModel: s.trainDModel,
    heads: s.trainHeads,
    vocabSize: s.trainVocab,
    seed: s.trainSeed,
  };
  if (own?.text) o.text = own.text;
  if (own?.pairs) o.pairs = own.pairs;
  return o;
}

/**
 * The lesson's run options (from `lessonRuns(ε)`) with the state's learning rates, steps and batch.
 * @param {RunOptions[]} lesson @param {State} s @returns {Record<Objective, LessonRun>}
 */
export function adjustRuns(lesson, s) {
  /** @type {(r: RunOptions, steps: number, lr: number) => LessonRun} */
  const fit = (r, steps, lr) => ({
    // The trainer's own defaults where the lesson leaves these out.
    ...r,
    name: r.name ?? r.objective ?? "clm",
    objective: r.objective ?? "clm",
    steps,
    lr,
    batchSize: s.trainBatch,
    // The lesson's warm-up (20) and evaluation interval (50), kept where the run is long enough.
    warmup: Math.min(r.warmup ?? 20, Math.floor(steps / 5)),
    evalEvery: steps >= 100 ? (r.evalEvery ?? 50) : Math.max(1, Math.ceil(steps / 5)),
  });
  const [pre, sft, unmasked] = lesson;
  return {
    clm: fit(pre, s.trainSteps, s.trainLr),
    sft: fit(sft, s.trainSftSteps, s.trainSftLr),
    "sft-unmasked": fit(unmasked, s.trainSftSteps, s.trainSftLr),
  };
}

/** @type {(s: State, own: OwnData) => string} */
const keyOf = (s, own) => JSON.stringify([MODEL_FIELDS.map((f) => s[f]), own.version]);

class Cancelled extends Error {}

/** A worker URL for pages served from another origin than the package (the custom element):
 *  browsers refuse a cross-origin worker script, but a same-origin module may import it. */
function workerSettings() {
  const url = new URL("../pkg/train/worker.js", import.meta.url);
  if (typeof location === "undefined" || url.origin === location.origin) return {};
  const blob = new Blob([`import ${JSON.stringify(url.href)};`], { type: "text/javascript" });
  return { workerUrl: URL.createObjectURL(blob) };
}

export function createTrainSession() {
  /** @type {TrainerWorker | null} */
  let worker = null;
  /** @type {string | null} */
  let workerKey = null;
  let epoch = 0; // bumped by every reset: callbacks of an older trainer are ignored
  let busy = false; // a run or a lesson is in progress
  let jobs = 0; // every flow (lesson, stage, preparation, reset) takes a number; only the latest reports
  /** @type {number | null} */
  let heldOutCount = null;
  /** @type {Set<(st: SessionState, what: string) => void>} */
  const listeners = new Set();
  /** @type {SessionState} */
  const st = {
    /** "idle" (no model yet) | "creating" | "ready" | "running" | "paused" | "done" | "error" */
    phase: "idle",
    error: null,
    config: null, // the built model's config (from its snapshot)
    parameters: 0,
    lnV: null,
    builtFrom: null, // the state the model was built from (for "settings changed" notes)
    runs: [], // { name, objective, label, epsilon, steps, lr, from, train: [loss by step-1], evals, samples, done, elapsedMs }
    live: null, // { run, step, steps, loss, rate, left }
    queue: [], // run options still to come in the lesson
    lesson: false, // the running (or last) work is the default lesson
    own: { text: null, pairs: null, version: 0 },
    tokens: null, // { index, count, after, pieces, promptLength, clm, sft }
    answers: [], // { after, prompt, text } for the user's prompt at each stage
    prompt: null, // the prompt box's text (kept across view rebuilds)
    floors: new Map(), // ε → label-smoothing floor for the model's V
    modelId: 0, // changes whenever the model (and its tokenizer) does
  };
  const notify = (what = "all") => {
    for (const fn of listeners) fn(st, what);
  };
  const check = (/** @type {number} */ my) => {
    if (my !== epoch) throw new Cancelled();
  };

  function terminate() {
    epoch++;
    worker?.terminate();
    worker = null;
    workerKey = null;
    heldOutCount = null;
  }

  /** @param {State} s */
  async function build(s) {
    terminate();
    const my = epoch;
    Object.assign(st, {
      phase: "creating",
      error: null,
      runs: [],
      live: null,
      queue: [],
      tokens: null,
      answers: [],
      config: null,
      builtFrom: { ...s },
      modelId: st.modelId + 1,
    });
    notify();
    /** @type {TrainerWorker} */
    let w;
    const settings = workerSettings();
    try {
      w = await TrainerWorker.create(trainerOptions(s, st.own), settings);
    } catch (e) {
      if (my !== epoch) throw new Cancelled();
      Object.assign(st, { phase: "error", error: errorMessage(e) });
      notify();
      throw new Cancelled();
    }
    if (settings.workerUrl) URL.revokeObjectURL(settings.workerUrl); // loaded by now
    if (my !== epoch) {
      w.terminate();
      throw new Cancelled();
    }
    worker = w;
    workerKey = keyOf(s, st.own);
    const snap = await w.snapshot();
    check(my);
    st.config = snap.config;
    st.parameters = snap.parameters;
    st.lnV = Math.log(snap.config.vocab);
    st.floors = new Map();
    st.phase = "ready";
    st.modelId++;
    return w;
  }

  /** The trainer for this state: the current one if its model settings match, else a new one. @param {State} s */
  async function ensure(s) {
    if (worker && workerKey === keyOf(s, st.own)) return worker;
    return build(s);
  }

  /** @param {number} eps */
  async function floorFor(eps) {
    if (!worker || !st.config) return null;
    if (!st.floors.has(eps)) st.floors.set(eps, await worker.labelSmoothingFloor(eps, st.config.vocab));
    return st.floors.get(eps);
  }

  /** @param {string} base */
  function uniqueName(base) {
    let name = base;
    for (let n = 2; st.runs.some((r) => r.name === name); n++) name = `${base}-${n}`;
    return name;
  }

  // Steps per second over the last few seconds of progress (a pause starts the window afresh).
  /** @type {[number, number][]} */
  let recent = [];
  /** @param {TrainerWorker} w @param {LessonRun} opts @param {number} my */
  async function runOne(w, opts, my) {
    /** @type {Run} */
    const rec = {
      name: opts.name,
      objective: opts.objective,
      epsilon: opts.loss?.epsilon ?? 0,
      steps: opts.steps,
      lr: opts.lr,
      batch: opts.batchSize,
      from: opts.from,
      train: [],
      evals: [],
      samples: [],
      done: false,
      elapsedMs: 0,
      rate: null,
    };
    st.runs.push(rec);
    st.live = {
      run: rec.name,
      objective: rec.objective,
      step: 0,
      steps: opts.steps,
      loss: NaN,
      rate: null,
      left: null,
    };
    recent = [];
    notify();
    const result = await w.run(opts, (p) => {
      if (my !== epoch) return;
      rec.train[p.step - 1] = p.loss;
      const ev = p.eval;
      if (ev && !rec.evals.some((e) => e.step === ev.step)) rec.evals.push(ev);
      const now = performance.now();
      recent.push([now, p.step]);
      while (recent.length > 2 && now - recent[0][0] > 3000) recent.shift();
      const [t0, s0] = recent[0];
      const rate = recent.length > 1 && now > t0 ? ((p.step - s0) * 1000) / (now - t0) : p.stepsPerSecond;
      const queued = st.queue.reduce((a, q) => a + (q.steps ?? 0), 0);
      st.live = {
        run: rec.name,
        objective: rec.objective,
        step: p.step,
        steps: p.steps,
        loss: p.loss,
        rate,
        left: rate > 0 ? (p.steps - p.step + queued) / rate : null,
      };
      notify("progress");
    });
    check(my);
    const run = result.snapshot.runs.find((r) => r.name === opts.name);
    if (!run) throw new Error(`the trainer has no run named ${opts.name}`);
    Object.assign(rec, {
      train: run.trainLoss,
      evals: run.evals,
      samples: run.samples,
      done: true,
      elapsedMs: result.elapsedMs,
      rate: (opts.steps * 1000) / result.elapsedMs,
    });
    if (st.live) st.live = { ...st.live, step: opts.steps, steps: opts.steps, rate: rec.rate, left: 0 };
    return rec;
  }

  /** After a stage: the user's prompt answered by the new weights, and the per-token losses. @param {TrainerWorker} w @param {number} my @param {string} after */
  async function afterStage(w, my, after) {
    if (st.prompt) {
      const text = await w.generate(st.prompt, { maxTokens: 40 });
      check(my);
      st.answers.push({ after, prompt: st.prompt, text });
    }
    await loadTokens(st.tokens?.index ?? 0, my);
  }

  /** @param {number} index @param {number} [my] */
  async function loadTokens(index, my = epoch) {
    const w = worker;
    if (!w) return;
    if (heldOutCount === null) {
      heldOutCount = (await w.snapshot()).heldoutPairs;
      check(my);
    }
    const i = Math.max(0, Math.min(heldOutCount - 1, index));
    const r = await w.tokenLosses(i);
    check(my);
    const last = [...st.runs].reverse().find((x) => x.done);
    st.tokens = {
      index: i,
      count: heldOutCount,
      after: last?.name ?? null,
      afterObjective: last?.objective ?? null,
      ...r,
    };
  }

  // Runs a flow; an exclusive one (a lesson, a stage) refuses to start while another is running.
  // Errors of a flow that a later one superseded (its worker was terminated) are not reported.
  /** @param {() => Promise<void>} fn @param {boolean} [exclusive] */
  async function flow(fn, exclusive = true) {
    if (busy) return;
    const my = ++jobs;
    if (exclusive) {
      busy = true;
      notify(); // the status says "running" from the click on
    }
    try {
      await fn();
    } catch (e) {
      if (my === jobs && !(e instanceof Cancelled)) {
        Object.assign(st, { phase: "error", error: errorMessage(e), live: null, queue: [] });
        notify();
      }
    } finally {
      if (exclusive && my === jobs) {
        busy = false;
        notify();
      }
    }
  }

  return {
    get: () => st,
    isBusy: () => busy,
    /** @param {(st: SessionState, what: string) => void} fn */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Builds the model for `s` when none matches it yet, unless runs would be thrown away. @param {State} s */
    async prepare(s) {
      if (busy) return;
      if (worker && workerKey === keyOf(s, st.own)) return;
      if (st.runs.length > 0 && st.phase !== "error") return notify(); // kept until the next run
      await flow(async () => {
        const w = await build(s);
        await loadTokens(0, epoch);
        st.answers = [];
        if (st.prompt)
          st.answers.push({ after: null, prompt: st.prompt, text: await w.generate(st.prompt, { maxTokens: 40 }) });
        st.phase = "ready";
        notify();
      }, false);
    },
    /** Whether the built model no longer matches the state's model settings. */
    stale: (/** @type {State} */ s) => !!worker && workerKey !== keyOf(s, st.own),
    /** The default lesson on a fresh model: pre-train, then SFT with the prompt masked. @param {State} s */
    runLesson(s) {
      return flow(async () => {
        const w = await build(s);
        const my = epoch;
        st.lesson = true;
        const runs = adjustRuns(await w.lessonRuns(s.trainEpsilon), s);
        check(my);
        st.queue = [runs.sft];
        await floorFor(s.trainEpsilon);
        if (st.prompt)
          st.answers.push({ after: null, prompt: st.prompt, text: await w.generate(st.prompt, { maxTokens: 40 }) });
        check(my);
        st.phase = "running";
        const pre = await runOne(w, runs.clm, my);
        st.queue = [];
        await afterStage(w, my, pre.name);
        await runOne(w, runs.sft, my);
        await afterStage(w, my, runs.sft.name);
        st.phase = "done";
        notify();
      });
    },
    /** One stage on the current model: "clm", "sft" or "sft-unmasked". SFT starts from the latest
     *  finished pre-training run (or the current weights if there is none). @param {Objective} kind @param {State} s */
    runStage(kind, s) {
      return flow(async () => {
        const w = await ensure(s);
        const my = epoch;
        st.lesson = false;
        const runs = adjustRuns(await w.lessonRuns(s.trainEpsilon), s);
        check(my);
        await floorFor(s.trainEpsilon);
        const opts = { ...runs[kind], name: uniqueName(runs[kind].name) };
        if (kind === "clm") opts.from = "current";
        else opts.from = [...st.runs].reverse().find((r) => r.done && r.objective === "clm")?.name ?? "current";
        if (st.prompt && st.runs.length === 0 && st.answers.length === 0)
          st.answers.push({ after: null, prompt: st.prompt, text: await w.generate(st.prompt, { maxTokens: 40 }) });
        st.queue = [];
        st.phase = "running";
        await runOne(w, opts, my);
        await afterStage(w, my, opts.name);
        st.phase = "done";
        notify();
      });
    },
    pause() {
      if (!worker || st.phase !== "running") return;
      worker.pause();
      st.phase = "paused";
      notify();
    },
    resume() {
      if (!worker || st.phase !== "paused") return;
      recent = [];
      worker.resume();
      st.phase = "running";
      notify();
    },
    /** Throws the model and its curves away and builds a fresh one. @param {State} s */
    async reset(s) {
      terminate();
      jobs++;
      busy = false;
      Object.assign(st, {
        phase: "idle",
        runs: [],
        live: null,
        queue: [],
        tokens: null,
        answers: [],
        error: null,
        config: null,
        modelId: st.modelId + 1,
      });
      notify();
      await this.prepare(s);
    },
    /** Uses the user's own text / JSONL pairs (null: the bundled ones) from the next model on. @param {string | null} text @param {string | null} pairs */
    setOwn(text, pairs) {
      st.own = { text: text || null, pairs: pairs || null, version: st.own.version + 1 };
    },
    /** @param {number} eps */
    async floor(eps) {
      return floorFor(eps);
    },
    /** @param {number} index */
    async tokenLosses(index) {
      if (busy || !worker) return;
      await loadTokens(index).catch(() => {});
      notify("tokens");
    },
    tokenize: (/** @type {string} */ text) =>
      worker ? worker.tokenize(text) : Promise.reject(new Error("no model yet")),
    encodePair: (/** @type {string} */ p, /** @type {string} */ r, /** @type {Objective} */ objective) =>
      worker ? worker.encodePair(p, r, objective) : Promise.reject(new Error("no model yet")),
    /** Answers a prompt with the current weights. @param {string} prompt @param {import("../pkg/train/index.js").GenerateOptions} [opts] */
    async generate(prompt, opts) {
      if (!worker) throw new Error("no model yet");
      return worker.generate(prompt, opts);
    },
    dispose() {
      terminate();
      listeners.clear();
    },
  };
}
