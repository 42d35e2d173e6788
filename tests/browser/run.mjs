// Runs the in-page suites (tests/browser/suites.mjs) in headless Chromium with WebGPU enabled
// (SwiftShader's adapter on machines without a GPU): the golden table and big inputs on the
// WebGPU engine against the CPU and float64, injected fallbacks, the error contract, and the
// trainer's build (PyTorch parity, bad input, a run in its worker).
// Exits non-zero on any failure. Usage: node tests/browser/run.mjs [--quick]
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serve } from "../../scripts/serve.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const quick = process.argv.includes("--quick");
const BIG = quick
  ? [[1, 64, 32000]]
  : [
      [1, 512, 151936],
      [1, 2048, 32000],
    ];

const server = await serve(root, 0);
const base = `http://127.0.0.1:${server.address().port}/tests/browser/`;
// The same files, cross-origin isolated (COOP + COEP): SharedArrayBuffer, for CrossEntropyWorkers.
const isolatedServer = await serve(root, 0, { isolated: true });
const isolatedPage = `http://127.0.0.1:${isolatedServer.address().port}/tests/browser/page.html`;
const browser = await launchChromium({ webgpu: true });

let failed = 0;
let suites = 0;
let suitesFailed = 0;
/**
 * Runs one in-page suite in a fresh page and prints what it found. `call` runs in the page (its
 * argument crosses serialised, hence untyped); `init` runs there before the page's scripts.
 * @param {string} name @param {(arg: any) => unknown} call @param {() => void} [init] @param {unknown} [arg] @param {string} [pageName]
 */
async function suite(name, call, init, arg, pageName = "page.html") {
  const page = await browser.context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  if (init) await page.addInitScript(init);
  await page.goto(pageName.startsWith("http") ? pageName : base + pageName);
  await page.waitForFunction(
    () => window.suites !== undefined || document.getElementById("status")?.textContent === "failed",
    null,
    { timeout: 60_000 },
  );
  const started = Date.now();
  /** @type {SuiteResult} */
  let result;
  try {
    result = /** @type {SuiteResult} */ (await page.evaluate(call, arg));
  } catch (e) {
    result = { failures: [`${name}: ${e instanceof Error ? e.message : e}`] };
  }
  const failures = [...result.failures, ...errors.map((e) => `page error: ${e}`)];
  failed += failures.length;
  suites++;
  if (failures.length) suitesFailed++;
  const { failures: _, ...info } = result;
  console.log(
    `${failures.length ? "FAIL" : "ok  "} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s) ${JSON.stringify(info)}`,
  );
  for (const f of failures.slice(0, 30)) console.log(`     ${f}`);
  await page.close();
}

// Injections run before the module loads, as a browser without WebGPU would look.
const noGpu = () => Object.defineProperty(Navigator.prototype, "gpu", { get: () => undefined, configurable: true });
const nullAdapter = () => {
  if (navigator.gpu) navigator.gpu.requestAdapter = async () => null;
};
const loseDevice = () => {
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await request.apply(this, args);
    const submit = device.queue.submit.bind(device.queue);
    device.queue.submit = (buffers) => {
      submit(buffers);
      if (window.__loseDeviceOnNextSubmit) device.destroy();
    };
    return device;
  };
};

await suite("golden table on the WebGPU engine", () => window.suites.golden());
await suite("routing: auto skips the software adapter and says why; webgpu, cpu, measured", () =>
  window.suites.routing(),
);
await suite(
  `the Engine in a worker: ${BIG[BIG.length - 1].join("x")} forward+gradient, no long task`,
  (dims) => window.suites.engineWorker(dims),
  undefined,
  BIG[BIG.length - 1],
);
await suite(
  `big inputs with gradient: ${BIG.map((s) => s.join("x")).join(", ")}`,
  (shapes) => window.suites.big(shapes),
  undefined,
  BIG,
);
await suite("fallback: no navigator.gpu", () => window.suites.fallback("navigator.gpu is undefined"), noGpu);
await suite("fallback: requestAdapter() returns null", () => window.suites.fallback("returned null"), nullAdapter);
await suite("fallback: device lost mid-call", () => window.suites.deviceLost(), loseDevice);
await suite("error contract in Chromium", () => window.suites.badInputs());
await suite("linearCrossEntropy: goldens, a cpu Engine, a WebGPU worker, property", () => window.suites.linear());
await suite("linearCrossEntropy on WebGPU: goldens, row blocks, CPU routes, auto's probe", () =>
  window.suites.linearGpu(),
);
await suite("linearCrossEntropy: device lost mid-call", () => window.suites.linearDeviceLost(), loseDevice);
await suite(
  "CrossEntropyWorkers: split across 2 and 3 workers = one call, bit for bit; refusals; 1x2048x32000",
  () => window.suites.workersSplit(),
  undefined,
  undefined,
  isolatedPage,
);
await suite("CrossEntropyWorkers: refused, by name, without cross-origin isolation", () =>
  window.suites.workersRefused(),
);

// The trainer's build (pkg/train): parity and bad input as Node checks them, plus a run in its
// module worker. The lesson itself is not rerun here: parity shows Chromium computes the native
// curve bit for bit, Node runs the lesson through this same wasm build, and the Train view's
// end-to-end check runs it in Chromium through the UI.
/** @type {(name: string, call: () => unknown) => Promise<void>} */
const trainer = (name, call) => suite(name, call, undefined, undefined, "trainer.html");
await trainer("trainer: every step matches PyTorch and the native curve", () => window.suites.parity());
await trainer("trainer: bad input is refused by name", () => window.suites.badInput());
await trainer("trainer: a run in the worker keeps the page responsive", () => window.suites.worker());

await browser.close();
server.close();
isolatedServer.close();
console.log(`\nbrowser suites: ${suites - suitesFailed} passed, ${suitesFailed} failed (${failed} failure(s))`);
if (failed) process.exit(1);
