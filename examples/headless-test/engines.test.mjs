// The same check in Firefox and WebKit (Safari's engine), driven over WebDriver by
// selenium-webdriver: Firefox headless through geckodriver, WebKitGTK's MiniBrowser through
// WebKitWebDriver on a virtual display (xvfb-run). ENGINES=firefox (or webkit) runs one of them; an
// engine listed there whose browser or driver is missing fails, with the path it looked for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { Builder } from "selenium-webdriver";
import firefox from "selenium-webdriver/firefox.js";
import { PYTORCH_LOSS, computeInPage, servePackage } from "./loss-case.mjs";

const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
const GECKODRIVER = process.env.GECKODRIVER ?? "geckodriver"; // on PATH unless given
const MINIBROWSER = process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
const WEBKITWEBDRIVER = process.env.WEBKITWEBDRIVER ?? "/usr/bin/WebKitWebDriver";

/** Starts a browser over WebDriver; returns the driver and a function that stops everything. */
const START = {
  async firefox() {
    assert.ok(existsSync(FIREFOX), `no Firefox at ${FIREFOX} (set FIREFOX)`);
    const options = new firefox.Options().addArguments("-headless").setBinary(FIREFOX);
    const driver = await new Builder()
      .forBrowser("firefox")
      .setFirefoxOptions(options)
      .setFirefoxService(new firefox.ServiceBuilder(GECKODRIVER))
      .build();
    return { driver, stop: () => driver.quit() };
  },
  async webkit() {
    for (const p of [MINIBROWSER, WEBKITWEBDRIVER]) assert.ok(existsSync(p), `missing ${p} (webkit2gtk-driver)`);
    const port = 4400 + Math.floor(Math.random() * 500);
    // MiniBrowser has no headless mode: its driver runs on a virtual display, in its own process group.
    const display = spawn("xvfb-run", ["-a", WEBKITWEBDRIVER, `--port=${port}`], { stdio: "ignore", detached: true });
    for (let i = 0; ; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/status`);
        break;
      } catch {
        if (i > 200) throw new Error("WebKitWebDriver did not start");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}`)
      .withCapabilities({
        browserName: "MiniBrowser",
        "webkitgtk:browserOptions": { binary: MINIBROWSER, args: ["--automation"] },
      })
      .build();
    return {
      driver,
      stop: async () => {
        await driver.quit().catch(() => {});
        process.kill(-display.pid, "SIGTERM");
      },
    };
  },
};

const { server, url } = await servePackage();
test.after(() => server.close());

for (const engine of (process.env.ENGINES ?? "firefox,webkit").split(",")) {
  test(`label-smoothed cross-entropy in ${engine} matches PyTorch`, async () => {
    assert.ok(engine in START, `unknown engine ${engine} (firefox or webkit)`);
    const { driver, stop } = await START[engine]();
    try {
      await driver.get(url);
      const r = await driver.executeAsyncScript(
        `const done = arguments[arguments.length - 1];
         (${computeInPage})().then(done, (e) => done({ error: String(e) }));`,
      );
      assert.equal(r.error, undefined, `the page failed: ${r.error}`);
      assert.ok(Math.abs(r.loss - PYTORCH_LOSS) <= 1e-6 * PYTORCH_LOSS, `losslab ${r.loss}, PyTorch ${PYTORCH_LOSS}`);
      assert.equal(r.numActive, 4);
      assert.equal(r.backend, "cpu-simd");
    } finally {
      await stop();
    }
  });
}
