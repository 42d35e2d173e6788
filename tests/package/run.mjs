// Packs pkg/ with npm and checks the tarball the way users meet it, each in a scratch project:
// Node ≥ 20 (import, initialise, compute, and the TypeScript types under strict checking), a
// Vite production build loaded in headless Chromium, and examples/headless-test run as is.
// Exits non-zero on any failure.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serve } from "../../scripts/serve.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "losslab-package-"));
const golden = JSON.parse(readFileSync(join(root, "tests/golden/cases.json"), "utf8"));
/** @type {import("../js/golden.mjs").GoldenCase} */
const basic = golden.crossEntropy.find((/** @type {{ name: string }} */ c) => c.name === "hf_basic");
/** Runs a command and returns its output. @type {(cmd: string, args: string[], cwd: string) => string} */
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
/** @type {(cwd: string, ...specs: string[]) => string} */
const npmInstall = (cwd, ...specs) =>
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...specs], cwd);
let failures = 0;
let passes = 0;
/** @type {(ok: boolean, what: string) => void} */
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (ok) passes++;
  else failures++;
};

const [{ filename }] = JSON.parse(
  run("npm", ["pack", join(root, "pkg"), "--pack-destination", scratch, "--json"], root),
);
const tarball = join(scratch, filename);
check(true, `npm pack → ${filename}`);

// The computation every project checks: LabelSmoother(ε = 0.1) on the golden hf_basic case.
const computeSource = `
  const logits = Float32Array.from(${JSON.stringify(basic.logits)});
  const labels = Int32Array.from(${JSON.stringify(basic.labels)});
  const loss = crossEntropy({ logits, dims: ${JSON.stringify(basic.dims)}, labels }, { epsilon: 0.1 }).loss;`;
const want = Number(basic.expected.loss); // hf_basic's loss is a plain number
/** @type {(loss: number) => boolean} */
const close = (loss) => Math.abs(loss - want) <= 1e-6 * want;

// 1. Node: a plain ES module project.
const nodeApp = join(scratch, "node-app");
mkdirSync(nodeApp);
writeFileSync(join(nodeApp, "package.json"), JSON.stringify({ private: true, type: "module" }));
writeFileSync(
  join(nodeApp, "smoke.mjs"),
  `import init, { crossEntropy, version } from "losslab";\nawait init();\n${computeSource}\nconsole.log(JSON.stringify({ loss, version: version() }));\n`,
);
npmInstall(nodeApp, tarball);
const nodeOut = JSON.parse(run("node", ["smoke.mjs"], nodeApp));
check(
  close(nodeOut.loss),
  `Node ${process.version}: import "losslab" → loss ${nodeOut.loss} (PyTorch ${basic.expected.loss})`,
);

// 1a. The trainer's entry: import "losslab/train", train a few steps, generate.
writeFileSync(
  join(nodeApp, "train.mjs"),
  `import init, { Trainer } from "losslab/train";
await init();
const t = Trainer.create({ dModel: 32, vocabSize: 128 });
t.beginRun({ steps: 3, batchSize: 2, warmup: 1 });
const r = t.step(3);
console.log(JSON.stringify({ ...r, text: t.generate("Who is Pip?", { maxTokens: 3 }) }));
`,
);
const trainOut = JSON.parse(run("node", ["train.mjs"], nodeApp));
check(
  trainOut.done && Number.isFinite(trainOut.loss) && typeof trainOut.text === "string",
  `Node: import "losslab/train" → 3 steps, loss ${trainOut.loss}`,
);

// 1b. The types, as a TypeScript user sees them through the package's exports.
writeFileSync(
  join(nodeApp, "types.ts"),
  `import init, * as losslab from "losslab";
import * as train from "losslab/train";
import { TrainerWorker } from "losslab/train/client.js";
import { EngineWorker, type WorkerCrossEntropyResult } from "losslab/engine/client.js";
import { CrossEntropyWorkers, type WorkersCrossEntropyResult } from "losslab/engine/split.js";
await init();
const input: losslab.CrossEntropyInput = { logits: new Float32Array(6), dims: [2, 3], labels: new Int32Array(2) };
const r: losslab.CrossEntropyResult = losslab.crossEntropy(input, { epsilon: 0.1, semantics: "torch", reduction: "sum" });
const loss: number | null = r.loss;
const grad: Float32Array | undefined = r.grad;
const engine: losslab.Engine = await losslab.Engine.create({ backend: "auto" });
const later: Promise<losslab.CrossEntropyResult> = engine.crossEntropy(input);
const padded: Int32Array = losslab.padToTargetLen(new Int32Array(2), [1, 2], 4, 0);
const trainer: train.Trainer = train.Trainer.create({ corpus: "zh", layers: 1 });
trainer.beginRun({ objective: "sft", steps: 1, loss: { epsilon: 0.1 } });
const report: train.StepReport = trainer.step();
const client: Promise<TrainerWorker> = TrainerWorker.create({ corpus: "en" });
const worker: EngineWorker = await EngineWorker.create({ backend: "auto", allowSoftwareAdapter: false });
const handle: number = await worker.hashInput({ dims: [1, 2, 8], seed: 1, scale: 4 });
const inWorker: WorkerCrossEntropyResult = await worker.crossEntropy(handle, { grad: true }, { on: "cpu", keepGradient: true });
const why: string | undefined = inWorker.backendReason;
const kept: number | undefined = inWorker.gradHandle;
const cal: losslab.EngineCalibration | null = engine.calibration;
const pool: CrossEntropyWorkers = await CrossEntropyWorkers.create({ workers: 2 });
const shared = { logits: new Float32Array(new SharedArrayBuffer(24)), dims: [2, 3], labels: new Int32Array(2) };
const split: WorkersCrossEntropyResult = await pool.crossEntropy(shared, { grad: true });
const splitWorkers: number = split.workers;
const range: Float64Array = losslab.crossEntropyRows(shared, {}, 0, 1);
const combined: losslab.CrossEntropyResult = losslab.crossEntropyFromRows({ dims: [2, 3], labels: new Int32Array(2) }, {}, [range]);
// @ts-expect-error the workers read a Float32Array in place: no F32Buffer
pool.crossEntropy({ ...input, logits: new losslab.F32Buffer(6) });
// @ts-expect-error on is "engine" | "cpu"
worker.crossEntropy(input, {}, { on: "gpu" });
// @ts-expect-error objective is "clm" | "sft" | "sft-unmasked"
trainer.beginRun({ objective: "rlhf" });
// @ts-expect-error semantics is "hf" | "torch"
losslab.crossEntropy(input, { semantics: "jax" });
// @ts-expect-error logits must be a Float32Array (or an F32Buffer)
losslab.crossEntropy({ ...input, logits: [1, 2, 3] });
export { loss, grad, later, padded, report, client, why, kept, cal, splitWorkers, combined };
`,
);
writeFileSync(
  join(nodeApp, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2022",
      lib: ["es2022", "esnext.disposable", "dom"],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ["types.ts"],
  }),
);
try {
  run(join(root, "node_modules/.bin/tsc"), ["-p", nodeApp], nodeApp);
  check(true, "TypeScript (strict, nodenext): the declarations type-check, and misuse is caught");
} catch (e) {
  console.log(/** @type {{ stdout?: string }} */ (e).stdout);
  check(false, "TypeScript (strict, nodenext)");
}

// 2. Vite: a production build of a page that imports the package, loaded in Chromium.
const viteApp = join(scratch, "vite-app");
mkdirSync(viteApp);
writeFileSync(join(viteApp, "package.json"), JSON.stringify({ private: true, type: "module" }));
writeFileSync(
  join(viteApp, "index.html"),
  `<!doctype html><title>vite app</title><script type="module" src="/main.js"></script>`,
);
writeFileSync(
  join(viteApp, "main.js"),
  `import init, { crossEntropy, simdLevel } from "losslab";\nawait init();\n${computeSource}\ndocument.body.dataset.simd = simdLevel();\ndocument.body.dataset.loss = String(loss);\n`,
);
npmInstall(viteApp, tarball);
run("node", [join(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], viteApp);
const server = await serve(join(viteApp, "dist"), 0);
const browser = await launchChromium({ prefix: "losslab-package-" });
const page = await browser.context.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
const viteLoss = Number(await page.waitForFunction(() => document.body.dataset.loss).then((h) => h.jsonValue()));
const viteSimd = await page.evaluate(() => document.body.dataset.simd);
check(
  close(viteLoss) && viteSimd === "relaxed-simd",
  `Vite build in Chromium: loss ${viteLoss}, ${viteSimd} build (both wasm files bundled, the entry picked)`,
);
await browser.close();
server.close();

// 3. The headless-test example, copied as a user would copy it.
const example = join(scratch, "example");
cpSync(join(root, "examples/headless-test"), example, { recursive: true });
const playwright = JSON.parse(readFileSync(join(root, "node_modules/playwright-core/package.json"), "utf8")).version;
npmInstall(example, tarball, `playwright-core@${playwright}`);
try {
  run("npm", ["test", "--silent"], example);
  check(true, "examples/headless-test: npm test");
} catch (e) {
  console.log(/** @type {{ stdout?: string }} */ (e).stdout);
  check(false, "examples/headless-test: npm test");
}

console.log(`\npackage: ${passes} passed, ${failures} failed`);
if (failures) {
  console.log(`scratch projects kept in ${scratch}`);
  process.exit(1);
}
// Nothing to look at: the scratch projects (node_modules of Vite and Playwright) go.
rmSync(scratch, { recursive: true, force: true });
