// The front end's core end-to-end checks in Firefox (Gecko) and WebKit, the engines beside Chromium
// that learners use: serves www/ on 127.0.0.1, starts each engine over WebDriver
// (scripts/webdriver.mjs), runs the checks of e2e-checks.mjs, saves screenshots of every view to
// artifacts/screenshots/engines-<engine>-<view>.png, prints each result and a count, exits 1 on failure.
// Usage: node tests/engines/e2e.mjs [--engine firefox|webkit] [--only <substring>] [--no-screenshots]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../../scripts/serve.mjs";
import { launch, missing, ENGINES } from "../../scripts/webdriver.mjs";
import { checkOracle } from "../e2e/oracle.mjs";
import { engineChecks } from "./e2e-checks.mjs";
import { DESKTOP, screenshotViews } from "./e2e-screenshots.mjs";
import { setViewport } from "./e2e-page.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** @type {(name: string) => string | null} */
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : null;
};
const only = arg("--only") ?? "";
const engines = /** @type {import("../../scripts/webdriver.mjs").EngineName[]} */ (
  arg("--engine") ? [arg("--engine")] : Object.keys(ENGINES)
);
const screenshots = !process.argv.includes("--no-screenshots");

const started = Date.now();
let passed = 0;
let failed = 0;
/**
 * Runs one check and prints its line. `always`: run it whatever --only says (starting an engine
 * is what every check of that engine needs).
 * @param {string} name @param {() => Promise<string | void>} fn @param {{ always?: boolean }} [how]
 */
async function run(name, fn, { always = false } = {}) {
  if (only && !always && !name.includes(only)) return;
  const t0 = Date.now();
  const took = () => `(${((Date.now() - t0) / 1000).toFixed(1)} s)`;
  try {
    const info = await fn();
    passed++;
    console.log(`ok   ${name} ${took()}${info ? ` — ${info}` : ""}`);
  } catch (e) {
    failed++;
    const detail = String((e instanceof Error && e.stack) || e)
      .split("\n")
      .slice(0, 6)
      .join("\n     ");
    console.log(`FAIL ${name} ${took()}\n     ${detail}`);
  }
}

// The expected values come from this oracle: it must first reproduce PyTorch's golden vectors.
await run("oracle: the float64 LabelSmoother reproduces the PyTorch golden vectors", async () => {
  return `${checkOracle()} golden cases`;
});

const server = await serve(join(ROOT, "www"), 0);
const base = `http://127.0.0.1:${server.address().port}/`;
for (const engine of engines) {
  const why = missing(engine);
  if (why) {
    // An engine that cannot start is a failure, not a skip: setup.sh installs both.
    await run(
      `${engine}: start`,
      async () => {
        throw new Error(why);
      },
      { always: true },
    );
    continue;
  }
  /** @type {Awaited<ReturnType<typeof launch>> | null} */
  let browser = null;
  await run(
    `${engine}: start ${ENGINES[engine].label}`,
    async () => {
      browser = await launch(engine, DESKTOP);
      await browser.driver.manage().setTimeouts({ script: 90000, pageLoad: 60000 });
      await setViewport(browser.driver, DESKTOP.width, DESKTOP.height);
      const ua = String(await browser.driver.executeScript("return navigator.userAgent"));
      return ua;
    },
    { always: true },
  );
  const session = /** @type {Awaited<ReturnType<typeof launch>> | null} */ (browser);
  if (!session) continue;
  const { driver } = session;
  for (const { name, fn } of engineChecks(base)) await run(`${engine}: ${name}`, () => fn(driver));
  if (screenshots)
    await run(`${engine}: screenshots of every view`, () =>
      screenshotViews(driver, engine, base, join(ROOT, "artifacts/screenshots")),
    );
  await session.close();
}
server.close();

const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nengines e2e: ${passed} passed, ${failed} failed in ${seconds} s (${engines.join(", ")})`);
process.exit(failed ? 1 : 0);
