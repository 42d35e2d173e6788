export * from "./losslab_train.js";
import type { InitOutput } from "./losslab_train.js";
/** Already initialised when imported in Node; resolves to the wasm exports. */
export default function init(): Promise<InitOutput>;
