// How the suites start the two engines beside Chromium, over WebDriver (selenium-webdriver):
// Firefox ESR (Gecko; headless, through geckodriver built into .tools/bin by setup.sh) and
// WebKitGTK's MiniBrowser (WebKit, Safari's engine; WebKitWebDriver under a virtual display from
// xvfb-run, since MiniBrowser has no headless mode of its own). playwright-core drives only its own
// patched builds of these engines, so WebDriver it is. close() ends the browser, its driver and
// the display, and removes the profile folder.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Builder } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The engines this module starts, with what each needs on disk. */
export const ENGINES = /** @type {const} */ ({
  firefox: {
    label: "Firefox ESR (Gecko)",
    binary: process.env.FIREFOX ?? "/usr/bin/firefox-esr",
    driver: process.env.GECKODRIVER ?? join(ROOT, ".tools/bin/geckodriver"),
  },
  webkit: {
    label: "WebKitGTK MiniBrowser (WebKit)",
    binary: process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    driver: process.env.WEBKITWEBDRIVER ?? "/usr/bin/WebKitWebDriver",
  },
});
/** @typedef {keyof typeof ENGINES} EngineName */

/** Why `engine` cannot start here (a missing binary, named), or null when it can. @param {EngineName} engine */
export function missing(engine) {
  const e = ENGINES[engine];
  const need = [e.binary, e.driver, ...(engine === "webkit" ? ["/usr/bin/xvfb-run"] : [])];
  const absent = need.filter((p) => !existsSync(p));
  return absent.length ? `${e.label}: missing ${absent.join(", ")} (./scripts/setup.sh installs them)` : null;
}

/** A free TCP port on 127.0.0.1. @returns {Promise<number>} */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => ok(port));
    });
  });
}

/** Resolves once `port` on 127.0.0.1 answers HTTP (the driver is up), or rejects after `ms`. @param {number} port @param {number} ms */
async function waitForDriver(port, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/status`);
      return;
    } catch {
      if (Date.now() > until) throw new Error(`the WebDriver server on port ${port} did not start in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts one engine, with a window of `width` × `height` CSS pixels where the engine allows it.
 * @param {EngineName} engine @param {{ width?: number, height?: number }} [options]
 * @returns {Promise<{ driver: import("selenium-webdriver").WebDriver, engine: EngineName, label: string, close: () => Promise<void> }>}
 */
export async function launch(engine, { width = 1280, height = 800 } = {}) {
  const why = missing(engine);
  if (why) throw new Error(why);
  const e = ENGINES[engine];
  const profile = mkdtempSync(join(tmpdir(), `losslab-${engine}-`));
  /** @type {import("selenium-webdriver").WebDriver} */
  let driver;
  /** @type {import("node:child_process").ChildProcess | null} */
  let server = null;
  if (engine === "firefox") {
    const options = new firefox.Options()
      .addArguments("-headless", "-profile", profile)
      .setBinary(e.binary)
      .windowSize({ width, height });
    const service = new firefox.ServiceBuilder(e.driver);
    driver = await new Builder().forBrowser("firefox").setFirefoxOptions(options).setFirefoxService(service).build();
  } else {
    const port = await freePort();
    // -a: a free display number; the driver starts MiniBrowser on that display.
    server = spawn("xvfb-run", ["-a", "-s", "-screen 0 1920x1200x24", e.driver, `--port=${port}`], {
      stdio: "ignore",
      detached: true,
      env: { ...process.env, TMPDIR: profile },
    });
    await waitForDriver(port, 20000);
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({
        browserName: "MiniBrowser",
        "webkitgtk:browserOptions": { binary: e.binary, args: ["--automation"] },
      })
      .build();
    await driver.manage().window().setRect({ width, height, x: 0, y: 0 });
  }
  return {
    driver,
    engine,
    label: e.label,
    async close() {
      await driver.quit().catch(() => {});
      // The whole process group: xvfb-run, Xvfb, the driver and whatever MiniBrowser left.
      if (server?.pid) {
        try {
          process.kill(-server.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
