// The benchmark in Firefox and WebKit: the same page (bench/page.html) driven over WebDriver
// (scripts/webdriver.mjs), calling the same in-page functions as the Chromium driver. Each cell
// navigates to a fresh document, so every peer starts with fresh wasm memory and a fresh module
// graph, as a fresh Chromium page does; only `reuse` (the correctness-only smoke run, where a page
// load per cell would cost more than the checks) keeps one document for the cells of a shape.
// A browser that dies mid-run is started again for the next cell.
import { launch, missing } from "../scripts/webdriver.mjs";
import { withTimeout } from "./harness.mjs";

/** @typedef {import("../scripts/webdriver.mjs").EngineName} EngineName */
/** @typedef {import("./page.mjs").CellResponse} CellResponse */
/** @typedef {import("./page.mjs").Timing} Timing */
/** @typedef {Parameters<typeof import("./page.mjs").bench.prepare>[0]} ShapeConfig */
/** @typedef {ReturnType<typeof import("./page.mjs").bench.prepare>} Prepared */
/** @typedef {Awaited<ReturnType<typeof import("./page.mjs").bench.engineInfo>>} EngineInfo */
/** @typedef {Awaited<ReturnType<typeof import("./page.mjs").bench.checkGenerator>>} GeneratorCheck */
/**
 * A started engine: its names, what the page reported, one cell at a time, close().
 * @typedef {{
 *   engine: EngineName, label: string, version: string, info: EngineInfo,
 *   runCell: (shapeCfg: ShapeConfig, request: { peer: string, grad: boolean, timing: Timing },
 *     checkGenerator: { seed: number, scale: number, vocab: number, ignoreIndex: number } | null,
 *     reuse?: boolean)
 *     => Promise<{ prepared: Prepared | null, result: CellResponse, generator?: GeneratorCheck | { error: string } }>,
 *   close: () => Promise<void>,
 * }} WebDriverEngine
 */

// executeAsyncScript bodies: the last argument is WebDriver's callback. A rejection becomes a
// value, so a failing page call is a result to report rather than a script timeout.
const CALL_PAGE = `const done = arguments[arguments.length - 1];
const [name, arg] = arguments;
Promise.resolve()
  .then(() => window.bench[name](arg))
  .then((value) => done({ value }), (e) => done({ error: String((e && e.message) || e).slice(0, 500) }));`;

/** @param {unknown} e */
const firstLine = (e) => String((e instanceof Error ? e.message : undefined) ?? e).split("\n")[0];

/**
 * Starts `engine` for the benchmark page at `url`, or says why it cannot: `{ skipped }` when it
 * is not installed, `{ failed }` when it is but did not start.
 * @param {EngineName} engine @param {string} url
 * @param {{ cellTimeoutMs: number, log: (...parts: unknown[]) => void }} options
 * @returns {Promise<{ skipped: string } | { failed: string } | WebDriverEngine>}
 */
export async function openWebDriverEngine(engine, url, { cellTimeoutMs, log }) {
  const why = missing(engine);
  if (why) return { skipped: why };
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let browser;
  /** @param {Awaited<ReturnType<typeof launch>>} b */
  const configure = async (b) => {
    // Page calls are bounded here and by withTimeout: a hung cell costs one cell, not the run.
    await b.driver.manage().setTimeouts({ script: cellTimeoutMs, pageLoad: 60000 });
    return b;
  };
  try {
    browser = await configure(await launch(engine));
  } catch (e) {
    return { failed: `${engine} is installed but did not start: ${firstLine(e)}` };
  }
  const caps = await browser.driver.getCapabilities();
  const version = `${caps.get("browserName")} ${caps.get("browserVersion")}`;

  /** The shape the open document's inputs were prepared for, while it may be reused. @type {string | null} */
  let preparedFor = null;
  /** Opens a fresh document of the page and waits for its `window.bench`. */
  const openPage = async () => {
    preparedFor = null;
    await browser.driver.get(url);
    await browser.driver.wait(() => browser.driver.executeScript("return window.bench !== undefined"), 30000);
  };
  /**
   * Calls `window.bench[name](arg)` in the page.
   * @type {<K extends keyof typeof import("./page.mjs").bench>(name: K, arg?: Parameters<typeof import("./page.mjs").bench[K]>[0]) => Promise<Awaited<ReturnType<typeof import("./page.mjs").bench[K]>>>}
   */
  const call = async (name, arg) => {
    const answer = /** @type {{ value?: any, error?: string }} */ (
      await withTimeout(browser.driver.executeAsyncScript(CALL_PAGE, name, arg ?? null), cellTimeoutMs + 5000, name)
    );
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.value;
  };
  /** After a failed cell: a browser that no longer answers is replaced, so later cells still run. */
  const recover = async () => {
    try {
      await withTimeout(browser.driver.executeScript("return 1"), 10000, "liveness");
    } catch (e) {
      log(`${engine}: the browser stopped answering (${firstLine(e)}); starting it again`);
      await browser.close();
      browser = await configure(await launch(engine));
    }
  };

  await openPage();
  /** @type {EngineInfo} */
  const info = await call("engineInfo");

  return {
    engine,
    label: browser.label,
    version,
    info,
    /**
     * One cell in a fresh document: the shape's inputs (and the reference, if asked), then the
     * peer; with `checkGenerator`, also the JS generator against losslab's in this engine. With
     * `reuse`, the document of the previous cell serves when it holds this shape's inputs and no
     * reference is asked for.
     * @param {ShapeConfig} shapeCfg @param {{ peer: string, grad: boolean, timing: Timing }} request
     * @param {{ seed: number, scale: number, vocab: number, ignoreIndex: number } | null} checkGenerator
     * @param {boolean} [reuse]
     * @returns {Promise<{ prepared: Prepared | null, result: CellResponse, generator?: GeneratorCheck | { error: string } }>}
     */
    async runCell(shapeCfg, request, checkGenerator, reuse = false) {
      /** @type {Prepared | null} */
      let prepared = null;
      const key = JSON.stringify({ ...shapeCfg, reference: false });
      try {
        if (!reuse || shapeCfg.reference || preparedFor !== key) {
          await openPage();
          prepared = await call("prepare", shapeCfg);
          preparedFor = key;
        }
        const result = await call("cell", request);
        /** @type {GeneratorCheck | { error: string } | undefined} */
        let generator;
        if (checkGenerator && result.status !== "failed") {
          generator = await call("checkGenerator", checkGenerator).catch((e) => ({ error: firstLine(e) }));
        }
        return { prepared, result, generator };
      } catch (e) {
        preparedFor = null;
        await recover().catch((r) => log(`${engine}: could not restart: ${firstLine(r)}`));
        return { prepared, result: { status: "failed", message: firstLine(e) } };
      }
    },
    close: () => browser.close(),
  };
}
