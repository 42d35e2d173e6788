// Node entry of losslab's trainer: loads the trainer's wasm synchronously, so `Trainer` is ready
// as soon as this module is imported. `await init()` still works (and does nothing).
import { readFileSync } from "node:fs";
import { initSync } from "./losslab_train.js";

export * from "./losslab_train.js";

const exports = initSync({ module: readFileSync(new URL("./losslab_train_bg.wasm", import.meta.url)) });

export default async function init() {
  return exports;
}
