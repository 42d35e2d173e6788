export * from "./losslab_train.js";
import type { InitInput, InitOutput } from "./losslab_train.js";
/** Loads the trainer's wasm (or `input`, if given) and resolves to its exports. */
export default function init(
  input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
