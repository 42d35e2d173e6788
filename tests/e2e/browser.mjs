// Starts the static server and headless Chromium (playwright-core, the system browser) for the e2e suite.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { serve } from "../../scripts/serve.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The running suite's server and browser. @typedef {Awaited<ReturnType<typeof start>>} Env */
/** A page that records what went wrong in it. @typedef {import("playwright-core").Page & { problems: string[] }} CheckedPage */

export async function start() {
  const server = await serve(join(ROOT, "www"), 0);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await launchChromium({
    prefix: "losslab-e2e-",
    webgpu: true,
    viewport: { width: 1280, height: 800 },
  });
  return {
    base,
    context: browser.context,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/**
 * A fresh page that records console errors, CSP violations, page errors and dialogs.
 * @param {Env} env @param {{ width?: number, height?: number, colorScheme?: "light" | "dark" }} [options]
 * @returns {Promise<CheckedPage>}
 */
export async function newPage(env, { width = 1280, height = 800, colorScheme = "light" } = {}) {
  const page = /** @type {CheckedPage} */ (await env.context.newPage());
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme });
  /** @type {string[]} */
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy|Refused to/.test(m.text()))
      problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog opened: ${d.message()}`);
    d.dismiss();
  });
  page.problems = problems;
  return page;
}
