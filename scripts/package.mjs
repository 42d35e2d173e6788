// Turns wasm-bindgen's output in pkg/ into an npm-ready package: package.json (ES module,
// exports), the entries that pick the wasm build (index.js: browsers and bundlers; node.js:
// loads it synchronously), LICENSE, README and API docs.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const pkg = `${root}pkg/`;
const cargo = readFileSync(`${root}Cargo.toml`, "utf8");
/** @param {string} name */
const field = (name) => {
  const m = cargo.match(new RegExp(`^${name} = "([^"]*)"`, "m"));
  if (!m) throw new Error(`Cargo.toml has no ${name} field`);
  return m[1];
};

const manifest = {
  name: "losslab",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  type: "module",
  keywords: ["cross-entropy", "label-smoothing", "loss", "webassembly", "webgpu", "transformers", "pytorch"],
  main: "./index.js",
  module: "./index.js",
  types: "./index.d.ts",
  exports: {
    ".": {
      node: { types: "./node.d.ts", default: "./node.js" },
      types: "./index.d.ts",
      default: "./index.js",
    },
    "./losslab.js": { types: "./losslab.d.ts", default: "./losslab.js" },
    "./losslab_bg.wasm": "./losslab_bg.wasm",
    "./losslab_relaxed_bg.wasm": "./losslab_relaxed_bg.wasm",
    "./train": {
      node: { types: "./train/node.d.ts", default: "./train/node.js" },
      types: "./train/index.d.ts",
      default: "./train/index.js",
    },
    "./train/worker.js": "./train/worker.js",
    "./train/client.js": { types: "./train/client.d.ts", default: "./train/client.js" },
    "./train/losslab_train_bg.wasm": "./train/losslab_train_bg.wasm",
    "./engine/worker.js": "./engine/worker.js",
    "./engine/client.js": { types: "./engine/client.d.ts", default: "./engine/client.js" },
    "./engine/rows-worker.js": "./engine/rows-worker.js",
    "./engine/split.js": { types: "./engine/split.d.ts", default: "./engine/split.js" },
    "./package.json": "./package.json",
  },
  files: [
    "index.js",
    "index.d.ts",
    "losslab.js",
    "losslab.d.ts",
    "losslab_bg.wasm",
    "losslab_relaxed_bg.wasm",
    "losslab_bg.wasm.d.ts",
    "node.js",
    "node.d.ts",
    "API.md",
    "SEMANTICS.md",
    "train/",
    "engine/",
  ],
  sideEffects: ["./node.js"],
  engines: { node: ">=20" },
};
writeFileSync(`${pkg}package.json`, `${JSON.stringify(manifest, null, 2)}\n`);

// A minimal module that uses f32x4.relaxed_madd: engines that validate it run the faster build.
const RELAXED_PROBE =
  "[0,97,115,109,1,0,0,0,1,5,1,96,0,1,123,3,2,1,0,10,61,1,59,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,12,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,253,133,2,11]";
const probe = `/** Whether this engine runs relaxed SIMD (then the fused multiply-add build is loaded). */
export const relaxedSimd = typeof WebAssembly === "object" && WebAssembly.validate(new Uint8Array(${RELAXED_PROBE}));`;

writeFileSync(
  `${pkg}index.js`,
  `// losslab's entry for browsers and bundlers: wasm-bindgen's glue, initialised with the fastest
// wasm build this engine runs — simd128 + relaxed-simd (fused multiply-add) where it validates,
// plain simd128 otherwise. \`simdLevel()\` says which one is loaded.
import initGlue from "./losslab.js";

export * from "./losslab.js";

${probe}

/** Loads the wasm (the build \`relaxedSimd\` picks, unless \`input\` names one) and resolves to its exports. */
export default function init(input) {
  if (input !== undefined) return initGlue(input);
  const url = relaxedSimd
    ? new URL("./losslab_relaxed_bg.wasm", import.meta.url)
    : new URL("./losslab_bg.wasm", import.meta.url);
  return initGlue({ module_or_path: url });
}
`,
);
writeFileSync(
  `${pkg}index.d.ts`,
  `export * from "./losslab.js";
import type { InitInput, InitOutput } from "./losslab.js";
/** Whether this engine runs relaxed SIMD (then the fused multiply-add build is loaded). */
export const relaxedSimd: boolean;
/** Loads the wasm (the build \`relaxedSimd\` picks, unless \`input\` names one) and resolves to its exports. */
export default function init(input?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
`,
);
writeFileSync(
  `${pkg}node.js`,
  `// Node entry of losslab: loads the wasm build this Node runs (relaxed SIMD from Node 22, simd128
// before) synchronously, so the module is ready as soon as it is imported. \`await init()\`
// still works (and does nothing), so code written for browsers runs unchanged.
import { readFileSync } from "node:fs";
import { initSync } from "./losslab.js";

export * from "./losslab.js";

${probe}

const file = relaxedSimd ? "./losslab_relaxed_bg.wasm" : "./losslab_bg.wasm";
const exports = initSync({ module: readFileSync(new URL(file, import.meta.url)) });

export default async function init() {
  return exports;
}
`,
);
writeFileSync(
  `${pkg}node.d.ts`,
  `export * from "./losslab.js";
import type { InitOutput } from "./losslab.js";
/** Whether this engine runs relaxed SIMD (then the fused multiply-add build is loaded). */
export const relaxedSimd: boolean;
/** Already initialised when imported in Node; resolves to the wasm exports. */
export default function init(): Promise<InitOutput>;
`,
);
copyFileSync(`${root}LICENSE`, `${pkg}LICENSE`);
copyFileSync(`${root}docs/npm-README.md`, `${pkg}README.md`);
copyFileSync(`${root}docs/API.md`, `${pkg}API.md`);
copyFileSync(`${root}docs/SEMANTICS.md`, `${pkg}SEMANTICS.md`);
