// Turns wasm-bindgen's output in pkg/ into an npm-ready package: package.json (ES module,
// exports with a Node entry that loads the wasm synchronously), LICENSE, README and API docs.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const pkg = `${root}pkg/`;
const cargo = readFileSync(`${root}Cargo.toml`, "utf8");
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, "m"))[1];

const manifest = {
  name: "losslab",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  type: "module",
  keywords: ["cross-entropy", "label-smoothing", "loss", "webassembly", "webgpu", "transformers", "pytorch"],
  main: "./losslab.js",
  module: "./losslab.js",
  types: "./losslab.d.ts",
  exports: {
    ".": {
      node: { types: "./node.d.ts", default: "./node.js" },
      types: "./losslab.d.ts",
      default: "./losslab.js",
    },
    "./losslab_bg.wasm": "./losslab_bg.wasm",
    "./package.json": "./package.json",
  },
  files: ["losslab.js", "losslab.d.ts", "losslab_bg.wasm", "losslab_bg.wasm.d.ts", "node.js", "node.d.ts", "API.md"],
  sideEffects: ["./node.js"],
  engines: { node: ">=20" },
};
writeFileSync(`${pkg}package.json`, `${JSON.stringify(manifest, null, 2)}\n`);

writeFileSync(
  `${pkg}node.js`,
  `// Node entry of losslab: loads the wasm from this package synchronously, so the module is ready
// as soon as it is imported. \`await init()\` still works (and does nothing), so code written for
// browsers runs unchanged.
import { readFileSync } from "node:fs";
import { initSync } from "./losslab.js";

export * from "./losslab.js";

const exports = initSync({ module: readFileSync(new URL("./losslab_bg.wasm", import.meta.url)) });

export default async function init() {
  return exports;
}
`,
);
writeFileSync(
  `${pkg}node.d.ts`,
  `export * from "./losslab.js";
import type { InitOutput } from "./losslab.js";
/** Already initialised when imported in Node; resolves to the wasm exports. */
export default function init(): Promise<InitOutput>;
`,
);
copyFileSync(`${root}LICENSE`, `${pkg}LICENSE`);
copyFileSync(`${root}docs/npm-README.md`, `${pkg}README.md`);
copyFileSync(`${root}docs/API.md`, `${pkg}API.md`);
