// Loads the built ES module in Node the way a user would: initSync with the wasm bytes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
/** @type {typeof import("../../pkg/losslab.js")} */
export const losslab = await import(new URL("pkg/losslab.js", root).href);
/** The raw wasm exports, for tests that watch `memory`. */
export const wasm = losslab.initSync({ module: readFileSync(fileURLToPath(new URL("pkg/losslab_bg.wasm", root))) });

/** A JSON file of the repository, by its path from the root. @param {string} rel @returns {any} */
export const readJson = (rel) => JSON.parse(readFileSync(fileURLToPath(new URL(rel, root)), "utf8"));
