// In-page suites for the trainer's wasm build in Chromium: PyTorch parity on the main thread (the
// same check Node runs), bad input, and a run in the module worker with the page kept responsive. tests/browser/run.mjs loads this page and calls `window.suites.*`.
import init, * as train from "../../pkg/train/index.js";
import { TrainerWorker } from "../../pkg/train/client.js";
import { badInput, parity } from "../js/trainer.mjs";

await init();
const json = async (/** @type {string} */ path) => (await fetch(path)).json();

window.suites = {
  async parity() {
    return parity(train, await json("../golden/trainer_fixture.json"), await json("../golden/trainer_parity.json"));
  },
  badInput: () => badInput(train),

  /** A run in the worker: progress arrives while it trains, no main-thread task over 50 ms,
   *  and the result equals the same run on the main thread. */
  async worker() {
    /** @type {string[]} */
    const failures = [];
    /** @type {number[]} */
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: "longtask" });
    const run = { steps: 60, evalEvery: 30 };
    const t = await TrainerWorker.create({ seed: 7 });
    /** @type {import("../../pkg/train/client.js").TrainProgress[]} */
    const progress = [];
    let frames = 0;
    const counting = { on: true };
    const tick = () => counting.on && (frames++, requestAnimationFrame(tick));
    requestAnimationFrame(tick);
    const { snapshot, elapsedMs } = await t.run(run, (p) => progress.push(p));
    counting.on = false;
    const inWorker = snapshot.runs[0];
    if (progress.length < 2) failures.push(`only ${progress.length} progress message(s)`);
    if (progress.at(-1)?.step !== 60) failures.push(`last progress step ${progress.at(-1)?.step}`);
    if (!progress.some((p) => p.eval)) failures.push("no held-out evaluation reached the page during the run");
    const tokens = await t.tokenize("the fox");
    if (tokens.pieces.join("") !== "the fox") failures.push(`tokenize through the worker: ${tokens.pieces}`);
    let refused = null;
    try {
      await t.run({ steps: 0 });
    } catch (e) {
      refused = e;
    }
    if (!(refused instanceof Error) || !/^steps must be/.test(refused.message))
      failures.push(`a bad run was not refused with an Error: ${refused}`);
    t.terminate();
    observer.disconnect();
    const main = train.Trainer.create({ seed: 7 });
    main.beginRun(run);
    main.step(60);
    const same = main.snapshot().runs[0];
    main.free();
    if (JSON.stringify(same.trainLoss) !== JSON.stringify(inWorker.trainLoss))
      failures.push("the worker's curve differs from the main thread's");
    // Training on the main thread would block it for hundreds of ms at a time; a rare 50-100 ms
    // task (a GC, the compositor with both of a 2-core machine's cores busy) is not that.
    const worstTask = Math.max(0, ...longTasks);
    if (worstTask >= 200) failures.push(`a main-thread task took ${worstTask} ms while the worker trained`);
    return {
      failures,
      progressMessages: progress.length,
      framesDuringRun: frames,
      elapsedMs: Math.round(elapsedMs),
      worstLongTaskMs: worstTask,
    };
  },
};
/** @type {HTMLElement} */ (document.getElementById("status")).textContent = "ready";
