// Loads the losslab wasm module once; every number the UI shows comes from it.
import init, * as losslab from "../pkg/losslab.js";

let ready = null;
export function loadLosslab() {
  ready ??= init().then(() => losslab);
  return ready;
}
