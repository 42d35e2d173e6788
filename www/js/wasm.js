// Loads the losslab wasm module once (the package entry picks the relaxed-simd build where the
// browser has it); every number the UI shows comes from it.
import init, * as losslab from "../pkg/index.js";

let ready = null;
export function loadLosslab() {
  ready ??= init().then(() => losslab);
  return ready;
}
