// View 5, train: a tiny GPT-2-shaped model learns in a Web Worker on losslab's own cross-entropy.
// One button runs the default lesson (pre-train, then SFT with the prompt masked); the stages also
// run one by one (and SFT without masking). Live curves, the article's table beside the learner's
// own numbers, per-token losses, samples, and the data (tokens, input_ids and labels). The link
// holds the configuration, never the weights; the same link trains to the same losses.
import { h, fill, uid } from "../dom.js";
import { exact } from "../format.js";
import { SCHEMA } from "../state.js";
import { createTrainSession, MODEL_FIELDS } from "../trainer.js";
import { createTrainCurves, runLabel } from "../widgets/train-curves.js";
import { createTokenLosses } from "../widgets/token-losses.js";
import { createTrainCompare } from "../widgets/train-compare.js";
import { createTrainSamples, DEFAULT_PROMPT } from "../widgets/train-samples.js";
import { createTrainData } from "../widgets/train-data.js";
import { boundNumber } from "../widgets/field-note.js";

/** @type {(n: number, max: number) => number[]} */
const divisors = (n, max) => Array.from({ length: max }, (_, i) => i + 1).filter((d) => n % d === 0);
/** @type {(n: number, atMost: number) => number} */
const largestDivisor = (n, atMost) => {
  let d = Math.max(1, atMost);
  while (n % d !== 0) d--;
  return d;
};

/** @param {import("../i18n.js").Translate} t @param {number} seconds */
function duration(t, seconds) {
  if (!Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  return s < 90 ? t("train.seconds", { s }) : t("train.minutes", { m: Math.floor(s / 60), s: s % 60 });
}

/** @typedef {import("../state.js").State} State */

/** @param {import("../shell.js").ViewContext} ctx */
export function createTrain(ctx) {
  const { t, store } = ctx;
  const session = (ctx.keep.train ??= createTrainSession());
  const st0 = session.get();
  st0.prompt ??= DEFAULT_PROMPT[store.get().trainCorpus];
  const set = (/** @type {Partial<State>} */ p) => store.set(p);

  // Settings: number fields held to the schema's caps (an out-of-range entry is clamped and the note
  // beside it says so; the link's values are clamped by the decoder, which says so too).
  /** @type {Partial<Record<NumberField, ReturnType<typeof boundNumber>>>} */
  const boundFields = {};
  /** @typedef {"trainLayers" | "trainDModel" | "trainContext" | "trainVocab" | "trainSeed" | "trainEpsilon" | "trainLr" | "trainSteps" | "trainSftLr" | "trainSftSteps" | "trainBatch"} NumberField */
  /** @param {NumberField} field @param {string} labelKey @param {number} step @param {string} [helpKey] */
  const numField = (field, labelKey, step, helpKey) => {
    const spec = SCHEMA[field];
    const input = h("input", {
      type: "number",
      min: String(spec.min),
      max: String(spec.max),
      step: String(step),
      id: uid("ctl"),
      dataset: { testid: `train-${spec.key}` },
    });
    const help = h("span", { class: "help", text: t(helpKey ?? "train.range", { min: spec.min, max: spec.max }) });
    // An entry beyond the caps is clamped, applied and explained beside the box.
    const apply = (/** @type {number | null} */ value) => {
      const x = value ?? spec.def;
      if (field === "trainDModel") {
        const heads = largestDivisor(x, store.get().trainHeads);
        headsNote.textContent =
          heads !== store.get().trainHeads
            ? t("train.headsChanged", { from: store.get().trainHeads, to: heads, d: x })
            : "";
        set({ trainDModel: x, trainHeads: heads });
      } else set({ [field]: x });
    };
    const current = () => store.get()[field];
    boundFields[field] = boundNumber(input, { t, min: spec.min, max: spec.max, integer: spec.integer, apply, current });
    return h(
      "div",
      { class: "field" },
      h("label", { for: input.id, text: t(labelKey) }),
      input,
      boundFields[field].note,
      help,
    );
  };
  const heads = h("select", { id: uid("ctl"), dataset: { testid: "train-theads" } });
  heads.addEventListener("change", () => {
    headsNote.textContent = "";
    set({ trainHeads: Number(heads.value) });
  });
  const headsNote = h("span", { class: "help", "aria-live": "polite" });
  const modelFields = h(
    "div",
    { class: "controls inline-controls" },
    numField("trainLayers", "train.set.layers", 1),
    numField("trainDModel", "train.set.dModel", 8),
    h(
      "div",
      { class: "field" },
      h("label", { for: heads.id, text: t("train.set.heads") }),
      heads,
      h("span", { class: "help", text: t("train.set.headsHelp") }),
      headsNote,
    ),
    numField("trainContext", "train.set.context", 8),
    numField("trainVocab", "train.set.vocab", 32, "train.set.vocabHelp"),
    numField("trainSeed", "train.set.seed", 1),
  );
  const trainFields = h(
    "div",
    { class: "controls inline-controls" },
    numField("trainEpsilon", "train.set.eps", 0.05),
    numField("trainLr", "train.set.lr", 0.0005),
    numField("trainSteps", "train.set.steps", 50),
    numField("trainSftLr", "train.set.lr2", 0.0005),
    numField("trainSftSteps", "train.set.steps2", 50),
    numField("trainBatch", "train.set.batch", 1),
  );

  // Buttons, status and progress.
  const runBtn = h("button", {
    type: "button",
    class: "primary",
    text: t("train.run"),
    dataset: { testid: "train-run" },
    onclick: () => session.runLesson(store.get()),
  });
  const pauseBtn = h("button", {
    type: "button",
    text: t("train.pause"),
    dataset: { testid: "train-pause" },
    onclick: () => (session.get().phase === "paused" ? session.resume() : session.pause()),
  });
  const resetBtn = h("button", {
    type: "button",
    text: t("train.reset"),
    dataset: { testid: "train-reset" },
    onclick: () => session.reset(store.get()),
  });
  /** @param {import("../trainer.js").Objective} kind @param {string} key */
  const stage = (kind, key) =>
    h("button", {
      type: "button",
      text: t(key),
      dataset: { testid: `train-stage-${kind}` },
      onclick: () => session.runStage(kind, store.get()),
    });
  const stageBtns = [
    stage("clm", "train.stage.clm"),
    stage("sft", "train.stage.sft"),
    stage("sft-unmasked", "train.stage.unmasked"),
  ];
  const status = h("p", { class: "status", role: "status", dataset: { testid: "train-status", state: "preparing" } });
  const bar = h("progress", {
    max: "1",
    value: "0",
    "aria-label": t("train.progressLabel"),
    dataset: { testid: "train-progress" },
  });
  const stepText = h("span", {});
  const rate = h("span", { class: "num", dataset: { testid: "train-steps-per-s", value: "" }, text: "—" });
  const left = h("span", { dataset: { testid: "train-time-left" } });
  const rateBits = h("span", {}, " · ", rate, " " + t("train.stepsPerS"));
  const leftBits = h("span", {}, " · ", left);
  const progressLine = h("p", { class: "progress-line" }, stepText, rateBits, leftBits);
  const error = h("p", { class: "error", role: "alert", hidden: true, dataset: { testid: "train-error" } });
  const stale = h("p", { class: "note-box", hidden: true, dataset: { testid: "train-stale" } });
  const model = h("p", { class: "hint", dataset: { testid: "train-model" } });

  /** @param {string} key @param {import("../dom.js").Child} body */
  const card = (key, body, extra = "") => {
    const id = uid("h");
    return h(
      "section",
      { class: `card ${extra}`, "aria-labelledby": id, dataset: { widget: key } },
      h("h2", { id, text: t(`train.${key}.title`) }),
      body,
    );
  };
  const lessonCard = card(
    "lesson",
    [
      h("p", { class: "hint", text: t("train.lesson.hint") }),
      h("div", { class: "button-row" }, runBtn, pauseBtn, resetBtn),
      h(
        "div",
        { class: "button-row stage-row" },
        h("span", { class: "stage-label", text: t("train.stage.label") }),
        stageBtns,
      ),
      status,
      h("div", { class: "progress-box" }, bar, progressLine),
      error,
      stale,
      model,
      // Open where there is room; on a phone the curves come first and the settings fold away.
      h(
        "details",
        { class: "settings", open: !globalThis.matchMedia?.("(max-width: 600px)").matches },
        h("summary", { text: t("train.set.title") }),
        h("h3", { text: t("train.set.model") }),
        modelFields,
        h("h3", { text: t("train.set.training") }),
        trainFields,
        h("p", { class: "hint", text: t("train.set.linkNote") }),
      ),
    ],
    "span-2",
  );

  const curves = createTrainCurves(ctx);
  const compare = createTrainCompare(ctx);
  const tokens = createTokenLosses(ctx, session);
  const samples = createTrainSamples(ctx, session);
  const data = createTrainData(ctx, session);
  /** @type {Record<string, HTMLElement>} */
  const cards = {
    "train-curves": card("curves", curves.el, "span-2"),
    "train-table": card("cmp", compare.el, "span-2"),
    "train-tokens": card("tokens", tokens.el, "span-2"),
    "train-data": card("data", data.el),
    "train-samples": card("samples", samples.el),
  };
  const only = ctx.only && cards[ctx.only] ? ctx.only : "";
  for (const [k, c] of Object.entries(cards)) c.hidden = !!only && k !== only;
  const el = h(
    "div",
    { class: "view view-train" },
    only ? null : h("p", { class: "intro", text: t("train.intro") }),
    h("div", { class: only ? "cards only" : "cards" }, lessonCard, Object.values(cards)),
  );

  const asked = new Set(); // floors requested from the worker, so that a render asks once
  const ref = () => {
    const st = session.get();
    const s = store.get();
    const lastRun = st.runs.at(-1);
    const eps = lastRun ? lastRun.epsilon : s.trainEpsilon;
    const floor = st.floors.has(eps) ? st.floors.get(eps) : null;
    const key = `${st.modelId}:${eps}`;
    if (st.config && !st.floors.has(eps) && !asked.has(key)) {
      asked.add(key);
      session.floor(eps).then(
        () => render("all"),
        () => {},
      );
    }
    return { lnV: st.lnV, V: st.config?.vocab, eps, floor };
  };

  // Rendering. The status line at once (cheap; it is what a click changes); everything else in a
  // queue of small jobs, one per task and each at most once in the queue, so that no main-thread
  // task grows long however much a stage's end changes. data-state: "preparing" (the model is being
  // built), "idle", "running", "paused", "done", "error"; the settled ones (idle, done, error) are
  // written only after the queue has drained, so a reader who waits for them finds every number in
  // place.
  let statusKey = "";
  /** @type {(keyof typeof JOBS)[]} */
  const queue = [];
  let pumping = false;
  /** @param {(keyof typeof JOBS)[]} jobs */
  const enqueue = (...jobs) => {
    for (const j of jobs) if (!queue.includes(j)) queue.push(j);
    if (!pumping) {
      pumping = true;
      setTimeout(pump, 0);
    }
  };
  function pump() {
    const job = queue.shift();
    if (job) JOBS[job]();
    if (queue.length) setTimeout(pump, 0);
    else pumping = false;
  }
  const dataStateOf = () => {
    const st = session.get();
    if (st.phase === "error") return "error";
    if (st.phase === "paused") return "paused";
    if (session.isBusy()) return "running";
    if (st.phase === "creating" || !st.config) return "preparing";
    return st.phase === "done" ? "done" : "idle";
  };
  const JOBS = {
    curves: () => curves.update(session.get().runs, ref(), true),
    curvesLive: () => curves.update(session.get().runs, ref(), false),
    panel: () => {
      const st = session.get();
      error.hidden = st.phase !== "error";
      error.textContent = st.phase === "error" ? t("train.refused") + " " + st.error : "";
      const isStale = session.stale(store.get()) && st.runs.length > 0;
      stale.hidden = !isStale;
      stale.textContent = isStale ? t("train.stale") : "";
      model.textContent = st.config
        ? t("train.model", {
            layers: st.config.layers,
            d: st.config.dModel,
            heads: st.config.heads,
            ctx: st.config.context,
            V: st.config.vocab,
            params: st.parameters.toLocaleString(ctx.lang === "zh" ? "zh-CN" : "en"),
          })
        : "";
    },
    compare: () => compare.update(session.get(), ref()),
    tokens: () => tokens.update(session.get(), session.isBusy()),
    samples: () => samples.update(session.get(), session.isBusy()),
    data: () => data.update(store.get(), session.get()),
    state: () => {
      status.dataset.state = dataStateOf();
    },
  };

  function render(what = "all") {
    const st = session.get();
    const busy = session.isBusy();
    const dataState = dataStateOf();
    if (dataState === "done" || dataState === "error" || dataState === "idle") enqueue("state");
    else status.dataset.state = dataState;
    const live = st.live;
    const liveRun = live ? st.runs.find((r) => r.name === live.run) : null;
    const liveLabel = liveRun ? runLabel(t, st.runs, liveRun) : "";
    let text;
    if (st.phase === "error") text = t("train.status.error");
    else if (st.phase === "creating") text = t("train.status.creating");
    else if (st.phase === "paused") text = t("train.status.paused", { run: liveLabel, step: live?.step ?? 0 });
    else if (busy && liveRun)
      text = st.lesson
        ? t("train.status.lesson", { n: st.runs.indexOf(liveRun) + 1, run: liveLabel })
        : t("train.status.stage", { run: liveLabel });
    else if (busy) text = t("train.status.starting");
    else if (st.phase === "done") {
      const total = st.runs.filter((r) => r.done).reduce((a, r) => a + r.elapsedMs, 0) / 1000;
      text = st.lesson
        ? t("train.status.lessonDone", {
            time: duration(t, total),
            list: st.runs.map((r) => `${runLabel(t, st.runs, r)} ${duration(t, r.elapsedMs / 1000)}`).join(", "),
          })
        : t("train.status.stageDone", {
            run: runLabel(t, st.runs, st.runs[st.runs.length - 1]),
            time: duration(t, st.runs[st.runs.length - 1].elapsedMs / 1000),
          });
    } else text = st.config ? t("train.status.ready") : t("train.status.idle");
    if (text !== statusKey) status.textContent = statusKey = text;

    bar.max = live?.steps || 1;
    bar.value = live?.step ?? 0;
    bar.dataset.run = live?.run ?? "";
    stepText.textContent = live
      ? t("train.stepOf", { run: liveLabel, step: live.step, steps: live.steps })
      : t("train.noRun");
    rate.textContent = live?.rate ? live.rate.toFixed(1) : "—";
    rate.dataset.value = live?.rate ? exact(live.rate) : "";
    left.textContent =
      busy && live?.left !== null && live?.left !== undefined
        ? t("train.left", { time: duration(t, live.left) })
        : st.phase === "done"
          ? t("train.finished")
          : "";
    rateBits.hidden = !live;
    leftBits.hidden = !left.textContent;

    runBtn.disabled = busy;
    for (const b of stageBtns) b.disabled = busy;
    pauseBtn.disabled = !(st.phase === "running" || st.phase === "paused");
    pauseBtn.textContent = st.phase === "paused" ? t("train.resume") : t("train.pause");
    if (what === "progress") {
      if (!queue.includes("curves")) enqueue("curvesLive");
      return;
    }
    enqueue("curves", "panel", "compare", "tokens", "samples", "data");
    // Keep "state" last: it may already be queued ahead of the jobs just added.
    if (queue.includes("state")) {
      queue.splice(queue.indexOf("state"), 1);
      queue.push("state");
    }
  }

  /** @param {State} s */
  function syncFields(s) {
    for (const [k, b] of /** @type {[NumberField, ReturnType<typeof boundNumber>][]} */ (Object.entries(boundFields)))
      b.sync(s[k]);
    const ds = divisors(s.trainDModel, SCHEMA.trainHeads.max);
    if (heads.options.length !== ds.length || [...heads.options].some((o, i) => Number(o.value) !== ds[i]))
      fill(
        heads,
        ds.map((d) => h("option", { value: String(d), text: String(d) })),
      );
    heads.value = String(s.trainHeads);
  }

  const unsubscribe = session.subscribe((_, what) => render(what));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let prepTimer;
  /** @param {State} s @param {State | null} prev */
  function update(s, prev) {
    syncFields(s);
    // The sample prompt follows the corpus' language until the learner types their own.
    if (prev && s.trainCorpus !== prev.trainCorpus && session.get().prompt === DEFAULT_PROMPT[prev.trainCorpus])
      session.get().prompt = DEFAULT_PROMPT[s.trainCorpus];
    if (!prev || MODEL_FIELDS.some((f) => s[f] !== prev[f])) {
      clearTimeout(prepTimer);
      prepTimer = setTimeout(() => session.prepare(store.get()), prev ? 400 : 0);
    }
    render("all");
  }
  return {
    el,
    update,
    destroy() {
      unsubscribe();
      clearTimeout(prepTimer);
    },
  };
}
