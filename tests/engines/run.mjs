// Runs the package's GPU-free suites in the two engines beside Chromium — Firefox ESR (Gecko) and
// WebKitGTK's MiniBrowser (WebKit, Safari's engine) — over WebDriver (scripts/webdriver.mjs): the
// golden table through the build each engine loads (Firefox validates relaxed SIMD, so it must load
// the fused multiply-add build; WebKit does not, so the plain simd128 one), the error contract,
// the Engine's CPU fallback where navigator.gpu is absent, on the page and in a worker, and
// CrossEntropyWorkers (the page is served cross-origin isolated).
// Exits non-zero on any failure, including an engine that cannot start.
// Usage: node tests/engines/run.mjs [firefox | webkit]...
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/serve.mjs";
import { ENGINES, launch, missing } from "../../scripts/webdriver.mjs";

/** @typedef {import("../../scripts/webdriver.mjs").EngineName} EngineName */

const root = fileURLToPath(new URL("../../", import.meta.url));
/** The build each engine's relaxed-SIMD support must make the package's entry load. */
const EXPECTED_BUILD = /** @type {const} */ ({ firefox: "relaxed-simd", webkit: "simd128" });
/** Whether CrossEntropyWorkers runs: WebKitGTK has shared memory but cannot post it to a worker. */
const EXPECTED_SPLIT = /** @type {const} */ ({ firefox: "ran", webkit: "refused" });
const PAGE_TIMEOUT_MS = 60_000;
const SUITE_TIMEOUT_MS = 180_000;

const asked = process.argv.slice(2);
for (const a of asked)
  if (!(a in ENGINES)) throw new Error(`unknown engine ${a}; expected one of ${Object.keys(ENGINES)}`);
const engines = /** @type {EngineName[]} */ (asked.length ? asked : Object.keys(ENGINES));

// Cross-origin isolated (COOP + COEP), so SharedArrayBuffer exists for CrossEntropyWorkers.
const server = await serve(root, 0, { isolated: true });
const base = `http://127.0.0.1:${server.address().port}/`;
let passed = 0;
let failed = 0;

/** Prints one suite's outcome and counts it. @param {string} name @param {number} ms @param {SuiteResult} result */
function report(name, ms, result) {
  const { failures, ...info } = result;
  if (failures.length) failed++;
  else passed++;
  console.log(`${failures.length ? "FAIL" : "ok  "} ${name} (${(ms / 1000).toFixed(1)} s) ${JSON.stringify(info)}`);
  for (const f of failures.slice(0, 30)) console.log(`     ${f}`);
  if (failures.length > 30) console.log(`     … and ${failures.length - 30} more`);
}

/** Compact scientific notation for an error. @param {number} x */
const sci = (x) => x.toExponential(1);

for (const engine of engines) {
  const why = missing(engine);
  if (why) {
    report(`${engine}: start`, 0, { failures: [why] });
    continue;
  }
  const started = Date.now();
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let browser;
  try {
    browser = await launch(engine);
  } catch (e) {
    report(`${engine}: start`, Date.now() - started, { failures: [e instanceof Error ? e.message : String(e)] });
    continue;
  }
  const { driver } = browser;
  try {
    const caps = await driver.getCapabilities();
    const version = `${caps.get("browserName")} ${caps.get("browserVersion")}`;
    console.log(`\n== ${browser.label}: ${version} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    await driver.manage().setTimeouts({ script: SUITE_TIMEOUT_MS });
    await driver.get(`${base}tests/browser/page.html`);
    const loaded = Date.now();
    /** @type {unknown} */
    let status = "";
    while (Date.now() - loaded < PAGE_TIMEOUT_MS) {
      status = await driver.executeScript(
        "return window.suites ? 'ready' : document.getElementById('status')?.textContent ?? 'no status'",
      );
      if (status === "ready") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (status !== "ready") {
      report(`${engine}: the suites page loads the package`, Date.now() - loaded, {
        failures: [`window.suites never appeared (status: ${status})`],
      });
      continue;
    }

    /**
     * Runs `call` in the page (a function body that returns a promise of a SuiteResult) and reports it.
     * @param {string} name @param {string} call @param {...unknown} args
     */
    const suite = async (name, call, ...args) => {
      const t = Date.now();
      /** @type {SuiteResult} */
      let result;
      try {
        result = /** @type {SuiteResult} */ (
          await driver.executeAsyncScript(
            `const done = arguments[arguments.length - 1];
             Promise.resolve().then(() => { ${call} }).then(done, (e) => done({ failures: [String(e) + (e && e.stack ? '\\n' + e.stack : '')] }));`,
            ...args,
          )
        );
      } catch (e) {
        result = { failures: [e instanceof Error ? e.message : String(e)] };
      }
      report(`${engine}: ${name}`, Date.now() - t, result);
      return result;
    };
    // The module joins the page as a <script type="module">, in the page's own realm: a dynamic
    // import() from a WebDriver script runs, in Firefox, in the driver's sandbox, with a module
    // graph (and an uninitialised package) of its own.
    const injected = await suite(
      "the GPU-free suites join the page",
      `const s = document.createElement("script");
       s.type = "module";
       s.textContent = "import * as m from " + JSON.stringify(arguments[0]) + "; window.engineSuites = m;";
       document.head.append(s);
       return new Promise((ok) => {
         const until = Date.now() + 30000;
         (function poll() {
           if (window.engineSuites) ok({ failures: [], exports: Object.keys(window.engineSuites) });
           else if (Date.now() > until) ok({ failures: ["tests/engines/suites-cpu.mjs did not load in 30 s"] });
           else setTimeout(poll, 50);
         })();
       });`,
      `${base}tests/engines/suites-cpu.mjs`,
    );
    if (injected.failures.length) continue;
    const fromModule = "return window.engineSuites[arguments[0]]();";

    const golden = await suite("golden table through the package", fromModule, "goldenCpu");
    // The build is checked against what this engine is known to support, so a change in either
    // the engine or the entry's probe is noticed.
    const want = EXPECTED_BUILD[engine];
    report(`${engine}: the entry loads the ${want} build`, 0, {
      failures: golden.simd === want ? [] : [`loaded the ${golden.simd} build, expected ${want}`],
      simd: golden.simd,
    });
    const w = /** @type {{ loss: number, lossCase: string, grad: number, gradCase: string } | undefined} */ (
      golden.worst
    );
    if (w)
      console.log(
        `     ${browser.label}: ${golden.simd} build, ${golden.passed}/${golden.cases} golden cases, ` +
          `worst loss rel err ${sci(w.loss)} (${w.lossCase}), worst gradient err ${sci(w.grad)} of max |g| (${w.gradCase})`,
      );
    await suite("error contract (page module and engine)", "return window.suites.badInputs();");
    await suite("CPU fallback without navigator.gpu", fromModule, "cpuFallback");
    await suite("CPU fallback in a module worker", fromModule, "workerFallback");
    await suite("linearCrossEntropy: goldens, Engine and worker, property", fromModule, "linearCpu");
    const split = await suite(
      EXPECTED_SPLIT[engine] === "ran"
        ? "CrossEntropyWorkers: a call split across 2 workers = one call, bit for bit"
        : "CrossEntropyWorkers: refused by code, as this engine cannot post shared memory to a worker",
      fromModule,
      "workersSplit",
    );
    // Pinned per engine, like the build: a change in the engine is noticed either way.
    report(`${engine}: CrossEntropyWorkers ${EXPECTED_SPLIT[engine]}, as expected here`, 0, {
      failures: split.split === EXPECTED_SPLIT[engine] ? [] : [`it ${split.split}, expected ${EXPECTED_SPLIT[engine]}`],
    });
  } finally {
    await browser.close();
  }
  console.log(`     ${browser.label}: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
}

server.close();
console.log(`\nengines: ${passed} passed, ${failed} failed`);
if (failed) process.exit(1);
