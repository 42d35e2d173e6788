// The trainer's checks for every JS runner (Node and Chromium run the same functions): PyTorch
// parity step by step, the lesson's numbers, and bad input. Each returns `{ failures, ...info }`.

/** @typedef {typeof import("../../pkg/train/index.js")} TrainModule */
/** tests/golden/trainer_fixture.json: the native run's loss per step. @typedef {{ config: { vocab: number }, losslab: Record<string, number[]> }} Fixture */
/** tests/golden/trainer_parity.json: PyTorch's loss per step. @typedef {{ runs: Record<string, { loss: number[] }> }} TorchRuns */

/** The fixture's trainer (tests/golden/trainer_fixture.json, made by examples/trainer_fixture.rs). */
/** @type {import("../../pkg/train/index.js").TrainerOptions} */
export const FIXTURE_TRAINER = {
  corpus: "en",
  context: 64,
  layers: 2,
  dModel: 32,
  heads: 4,
  vocabSize: 128,
  seed: 1234,
};
/** @param {string} name @param {"clm" | "sft" | "sft-unmasked"} objective @returns {import("../../pkg/train/index.js").RunOptions} */
export const fixtureRun = (name, objective) => ({
  name,
  objective,
  steps: 30,
  batchSize: 4,
  warmup: 3,
  evalEvery: 0,
  from: "init",
  loss: { epsilon: 0.1 },
});

/** The latest run and its final evaluation (the lesson's runs evaluate at their end). @param {import("../../pkg/train/index.js").Trainer} t */
function latest(t) {
  const run = t.snapshot().runs.at(-1);
  const final = run?.evals.at(-1);
  if (!run || !final) throw new Error("the trainer holds no evaluated run");
  return { run, final };
}

/** Every step's loss: bit for bit the native run's, and within 1e-4 of PyTorch's. @param {TrainModule} module @param {Fixture} fixture @param {TorchRuns} torch */
export function parity({ Trainer }, fixture, torch) {
  /** @type {string[]} */
  const failures = [];
  let worst = 0;
  const t = Trainer.create(FIXTURE_TRAINER);
  const { config } = t.snapshot();
  if (config.vocab !== fixture.config.vocab) failures.push(`vocab ${config.vocab}, fixture ${fixture.config.vocab}`);
  for (const [name, objective] of /** @type {const} */ ([
    ["clm", "clm"],
    ["sft", "sft"],
  ])) {
    // Both references must hold every step, or a short one would compare against undefined.
    const [nativeSteps, torchSteps] = [fixture.losslab[name]?.length, torch.runs[name]?.loss.length];
    if (nativeSteps !== 30 || torchSteps !== 30)
      failures.push(`${name}: the references hold ${nativeSteps} and ${torchSteps} steps, not 30`);
    t.beginRun(fixtureRun(name, objective));
    for (let step = 0; step < 30; step++) {
      const { loss } = t.step(1);
      const native = fixture.losslab[name][step];
      const want = torch.runs[name].loss[step];
      const rel = Math.abs(loss - want) / Math.abs(want);
      worst = Math.max(worst, rel);
      if (loss !== native) failures.push(`${name} step ${step}: ${loss} differs from the native run's ${native}`);
      if (!(rel < 1e-4))
        failures.push(`${name} step ${step}: ${loss} vs PyTorch ${want} (relative ${rel.toExponential(2)})`);
    }
  }
  t.free();
  return { failures, worstRelativeError: worst };
}

/** The default lesson: held-out SFT loss at most half the pre-training loss, unmasked SFT in
 *  between, and with ε = 0.1 nothing below the label-smoothing floor. @param {TrainModule} module */
export function lesson({ Trainer, lessonRuns, labelSmoothingFloor }) {
  /** @type {string[]} */
  const failures = [];
  const t = Trainer.create({});
  const last = [];
  for (const run of lessonRuns()) {
    t.beginRun(run);
    t.step(run.steps);
    last.push(latest(t).final);
  }
  const [pretraining, sft, unmasked] = [last[0].clm, last[1].sft, last[2].sftUnmasked];
  if (!(sft <= 0.5 * pretraining)) failures.push(`SFT ${sft} is not at most half of pre-training ${pretraining}`);
  if (!(sft < unmasked && unmasked < pretraining))
    failures.push(`unmasked ${unmasked} is not between ${sft} and ${pretraining}`);

  const smoothed = { ...lessonRuns(0.1)[1], name: "sft-smoothed" };
  t.beginRun(smoothed);
  t.step(smoothed.steps);
  const { run } = latest(t);
  const floor = labelSmoothingFloor(0.1, t.snapshot().config.vocab);
  const lowest = Math.min(...run.trainLoss, ...run.evals.flatMap((e) => [e.clm, e.sft, e.sftUnmasked]));
  if (!(lowest >= floor)) failures.push(`a loss of ${lowest} fell below the floor ${floor}`);
  const lowestEval = Math.min(...run.evals.flatMap((e) => [e.clm, e.sft, e.sftUnmasked]));
  if (!(lowestEval < floor + 0.5))
    failures.push(`held-out loss with smoothing stayed at ${lowestEval}, not near its floor ${floor}`);
  t.free();
  return { failures, pretraining, sft, unmasked, floor, lowestSmoothed: lowest };
}

/** Each refusal is an Error naming what was wrong, and the trainer still trains afterwards. @param {TrainModule} module */
export function badInput({ Trainer }) {
  /** @type {string[]} */
  const failures = [];
  /** @param {string} label @param {() => unknown} call @param {RegExp} fragment */
  const expectError = (label, call, fragment) => {
    try {
      call();
      failures.push(`${label}: no error`);
    } catch (e) {
      if (!(e instanceof Error)) failures.push(`${label}: threw ${typeof e}, not an Error`);
      else if (!fragment.test(e.message))
        failures.push(`${label}: message ${JSON.stringify(e.message)} does not match ${fragment}`);
    }
  };
  const text = "A small text about a cat and a mat. ".repeat(40);
  const pairs = '{"prompt": "cat?", "response": "a cat."}\n{"prompt": "mat?", "response": "a mat."}';
  expectError("layers", () => Trainer.create({ layers: 9 }), /^layers must be an integer in \[1, 8\], got 9$/);
  expectError("dModel", () => Trainer.create({ dModel: 1000 }), /^dModel must be an integer in \[4, 256\]/);
  expectError("heads", () => Trainer.create({ heads: 3 }), /^heads must be a divisor of dModel/);
  expectError("context", () => Trainer.create({ context: 4096 }), /^context must be an integer in \[2, 256\]/);
  expectError("vocabSize", () => Trainer.create({ vocabSize: 9999 }), /^vocabSize must be an integer in \[0, 512\]/);
  // @ts-expect-error the key is misspelt on purpose: the trainer must refuse it by name
  expectError("unknown key", () => Trainer.create({ layer: 2 }), /unknown key "layer"/);
  expectError("empty text", () => Trainer.create({ text: "  " }), /^text is empty/);
  expectError(
    "missing response",
    () => Trainer.create({ text, pairs: '{"prompt": "a"}\n' }),
    /^pairs, line 1: missing "response"$/,
  );
  expectError(
    "bad JSON",
    () => Trainer.create({ text, pairs: '{"prompt": "a", "response": "b"}\n{oops' }),
    /^pairs, line 2: not valid JSON/,
  );
  expectError(
    "pair too long",
    () =>
      Trainer.create({
        text,
        pairs: `{"prompt": "${"why ".repeat(20)}", "response": "b."}\n{"prompt": "a", "response": "b"}`,
        context: 32,
        vocabSize: 0,
      }),
    /^pair 1 \("why why why why why why "…\) is \d+ tokens with the chat template, longer than the context of 32$/,
  );
  expectError(
    "invalid UTF-8",
    () => Trainer.create({ text: new Uint8Array([0x61, 0x62, 0xff, 0x63]) }),
    /^text is not valid UTF-8: the bytes at offset 2/,
  );
  // @ts-expect-error a number on purpose: the trainer must refuse it
  expectError("text type", () => Trainer.create({ text: 42 }), /^text must be a string or a Uint8Array, got a number$/);

  const t = Trainer.create({ text: new TextEncoder().encode(text), pairs, context: 32 });
  expectError("step before a run", () => t.step(1), /no run in progress/);
  expectError("steps", () => t.beginRun({ steps: 0 }), /^steps must be an integer in \[1, 100000\], got 0$/);
  expectError("lr", () => t.beginRun({ lr: -1 }), /^lr must be a number in \(0, 1\]/);
  expectError(
    "objective",
    // @ts-expect-error an unknown objective on purpose: the trainer must refuse it
    () => t.beginRun({ objective: "rlhf" }),
    /^objective must be "clm", "sft" or "sft-unmasked"/,
  );
  expectError("from", () => t.beginRun({ from: "nowhere" }), /^from must be/);
  // @ts-expect-error the trainer shifts the labels itself, and must refuse the option
  expectError("loss.shiftLabels", () => t.beginRun({ loss: { shiftLabels: true } }), /set by the trainer/);
  expectError(
    "loss epsilon",
    () => t.beginRun({ loss: { semantics: "torch", epsilon: 2 } }),
    /^epsilon 2 is out of range/,
  );
  expectError("generate temperature", () => t.generate("cat?", { temperature: -1 }), /^temperature must be/);
  t.beginRun({ objective: "sft", steps: 3, batchSize: 2, warmup: 1 });
  const r = t.step(10);
  if (!(r.done && r.step === 3 && Number.isFinite(r.loss)))
    failures.push(`after the refusals a run did not finish: ${JSON.stringify(r)}`);
  const tokens = t.tokenize("a cat");
  if (t.snapshot().vocab.length === 0 || tokens.pieces.join("") !== "a cat")
    failures.push(`tokenize: ${JSON.stringify(tokens.pieces)}`);
  if (typeof t.generate("cat?", { maxTokens: 5 }) !== "string") failures.push("generate did not return a string");
  const pair = t.encodePair("cat?", "a cat.");
  const masked = Array.from(pair.labels.slice(0, pair.promptLength));
  if (
    pair.pieces.join("") !== "Q: cat?\nA: a cat.<eos>" ||
    masked.some((l) => l !== -100) ||
    pair.labels[pair.promptLength] !== pair.inputIds[pair.promptLength]
  ) {
    failures.push(`encodePair: ${JSON.stringify({ pieces: pair.pieces, labels: Array.from(pair.labels) })}`);
  }
  expectError("encodePair objective", () => t.encodePair("a", "b", "mlm"), /^objective must be/);
  t.free();
  return { failures };
}
