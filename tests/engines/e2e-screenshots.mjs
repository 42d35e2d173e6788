// Screenshots of every view in Firefox and WebKit, for comparison with the Chromium ones in
// artifacts/screenshots/: each view at 1280 px wide (whole page), and the playground at phone width.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { By } from "selenium-webdriver";
import { assertNoProblems, load, screenshot, setViewport, waitFor } from "./e2e-page.mjs";

/** @typedef {import("selenium-webdriver").WebDriver} WebDriver */

export const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** What each view's picture waits for beyond the app being ready. @type {[string, string | null][]} */
const VIEWS = [
  ["playground", `document.querySelector(".katex")`],
  ["objectives", null],
  ["padding", null],
  // The view runs its first computation on load; the picture shows the result.
  ["big", `/Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? "")`],
  // The model is built in the worker first; the picture shows it ready to train.
  ["train", `document.querySelector('[data-testid="train-status"]')?.dataset.state === "idle"`],
];

/**
 * Saves engines-<engine>-<view>.png for every view, and engines-<engine>-playground-phone.png.
 * @param {WebDriver} driver @param {"firefox" | "webkit"} engine @param {string} base @param {string} dir
 * @returns {Promise<string>} what was saved, and how the phone width was reached
 */
export async function screenshotViews(driver, engine, base, dir) {
  mkdirSync(dir, { recursive: true });
  const saved = [];
  for (const [view, ready] of VIEWS) {
    await load(driver, `${base}index.html#view=${view}`);
    if (ready) await waitFor(driver, ready, 60000);
    await driver.executeAsyncScript(
      "const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done());",
    );
    const path = join(dir, `engines-${engine}-${view}.png`);
    await screenshot(driver, path, DESKTOP);
    await assertNoProblems(driver, view);
    saved.push(view);
  }
  return `${saved.join(", ")}; ${await phonePlayground(driver, engine, base, dir)}`;
}

/**
 * The playground at 390 px. Where the engine's window cannot be that narrow (Firefox headless
 * stops at 500 px, MiniBrowser at about 450), the page is shown in a 390 px iframe instead: its
 * media queries see the iframe's width, as on a phone.
 * @param {WebDriver} driver @param {"firefox" | "webkit"} engine @param {string} base @param {string} dir
 */
async function phonePlayground(driver, engine, base, dir) {
  const path = join(dir, `engines-${engine}-playground-phone.png`);
  await setViewport(driver, PHONE.width, PHONE.height);
  const width = Number(await driver.executeScript("return innerWidth"));
  if (width === PHONE.width) {
    await load(driver, `${base}index.html`);
    await screenshot(driver, path, PHONE);
    await setViewport(driver, DESKTOP.width, DESKTOP.height);
    return "phone: a 390 px window";
  }
  await setViewport(driver, DESKTOP.width, DESKTOP.height);
  // docs.html is a static page of the same origin whose CSP allows same-origin frames.
  await load(driver, `${base}docs.html`, { app: false });
  await driver.executeScript(
    `const frame = document.createElement("iframe");
     frame.id = "phone"; frame.width = String(arguments[0]); frame.height = String(arguments[1]);
     frame.src = arguments[2];
     document.body.replaceChildren(frame);`,
    PHONE.width,
    PHONE.height,
    `${base}index.html`,
  );
  const inFrame = `document.getElementById("phone").contentDocument`;
  await waitFor(
    driver,
    `${inFrame}?.querySelector("#app")?.dataset.ready === "true" && ${inFrame}.querySelector(".katex")`,
  );
  const height = Number(await driver.executeScript(`return Math.ceil(${inFrame}.body.getBoundingClientRect().height)`));
  assert.ok(height > PHONE.height, `the playground at 390 px is only ${height} px tall`);
  await driver.executeScript(`document.getElementById("phone").height = String(arguments[0])`, height);
  await setViewport(driver, DESKTOP.width, Math.min(6000, height + 20));
  const png = await driver.findElement(By.id("phone")).takeScreenshot();
  writeFileSync(path, Buffer.from(png, "base64"));
  await setViewport(driver, DESKTOP.width, DESKTOP.height);
  return `phone: a 390 px iframe (the window stops at ${width} px)`;
}
