// The trainer's wasm build in Node, as a user imports it: PyTorch parity step by step (and the
// native run's curve bit for bit), the lesson's numbers, and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readJson } from "./load.mjs";
import { badInput, lesson, parity } from "../js/trainer.mjs";

/** @type {typeof import("../../pkg/train/node.js")} */
const train = await import(new URL("../../pkg/train/node.js", import.meta.url).href);

test("trainer: every step matches PyTorch and the native curve", () => {
  const r = parity(train, readJson("tests/golden/trainer_fixture.json"), readJson("tests/golden/trainer_parity.json"));
  console.log(`worst per-step relative error against PyTorch: ${r.worstRelativeError.toExponential(2)}`);
  assert.deepEqual(r.failures, []);
});

test("trainer: the lesson (SFT loss small next to pre-training; the label-smoothing floor holds)", () => {
  const r = lesson(train);
  console.log(
    `held-out: pre-training ${r.pretraining.toFixed(4)}, SFT ${r.sft.toFixed(4)}, unmasked ${r.unmasked.toFixed(4)}; floor ${r.floor.toFixed(4)}, lowest smoothed ${r.lowestSmoothed.toFixed(4)}`,
  );
  assert.deepEqual(r.failures, []);
});

test("trainer: bad input is refused by name, and training works afterwards", () => {
  assert.deepEqual(badInput(train).failures, []);
});
