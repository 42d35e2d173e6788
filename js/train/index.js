// losslab's trainer entry for browsers and bundlers: the trainer's wasm build, which holds the
// whole loss API plus `Trainer`. Pages that only compute losses load the smaller `losslab` entry.
import initGlue from "./losslab_train.js";

export * from "./losslab_train.js";

/**
 * Loads the trainer's wasm (or `input`, if given) and resolves to its exports.
 * @param {Parameters<typeof initGlue>[0]} [input]
 */
export default function init(input) {
  return initGlue(input ?? { module_or_path: new URL("./losslab_train_bg.wasm", import.meta.url) });
}
