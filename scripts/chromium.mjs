// How every browser suite and benchmark starts Chromium: the system browser ($CHROMIUM, else
// /usr/bin/chromium) driven by playwright-core, headless, in a fresh profile that close() removes.
// (webdriver.json gives wasm-bindgen-test's ChromeDriver the same flags; examples/headless-test
// keeps its own copy, as a user would.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** Headless, no sandbox (containers), and none of the browser's own network traffic or first-run UI. */
export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Starts Chromium in a fresh profile (a temporary folder named from `prefix`).
 *
 * - `webgpu`: adds --enable-unsafe-webgpu (without a GPU, SwiftShader's adapter answers).
 * - `headless`: playwright's headless mode (its own switches: hidden scrollbars, muted audio...) on
 *   top of --headless=new; `false` leaves the browser headless by the flag alone, as the
 *   benchmarks run it.
 * - `viewport`: the pages' size (playwright's default, 1280 × 720, when left out).
 *
 * @param {{ prefix?: string, webgpu?: boolean, headless?: boolean, viewport?: { width: number, height: number } }} [options]
 * @returns {Promise<{ context: import("playwright-core").BrowserContext, userDataDir: string, close: () => Promise<void> }>}
 */
export async function launchChromium({ prefix = "losslab-chromium-", webgpu = false, headless = true, viewport } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless,
    args: [...CHROMIUM_FLAGS, ...(webgpu ? ["--enable-unsafe-webgpu"] : [])],
    ...(viewport ? { viewport } : {}),
  });
  return {
    context,
    userDataDir,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
