// Page helpers of the Firefox and WebKit end-to-end checks, over selenium-webdriver: fresh loads that
// wait for the app like tests/e2e/helpers.mjs open(), reading displayed numbers, typing into controls,
// the page's own record of errors, and whole-page screenshots.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { By } from "selenium-webdriver";

/** @typedef {import("selenium-webdriver").WebDriver} WebDriver */

// Installed after each load: WebDriver gives no console log in these engines, so the page records
// its own errors, unhandled rejections and CSP violations from then on (a dialog fails the next
// WebDriver command by itself).
const RECORD_PROBLEMS = `
  if (!window.__llProblems) {
    const problems = (window.__llProblems = []);
    // "ResizeObserver loop completed with undelivered notifications" is the browser telling that an
    // observer's layout change waits for the next frame (the spec's benign case), not a script error.
    addEventListener("error", (e) => /^ResizeObserver loop/.test(e.message) || problems.push("page error: " + e.message));
    addEventListener("unhandledrejection", (e) => problems.push("unhandled rejection: " + String(e.reason)));
    document.addEventListener("securitypolicyviolation", (e) =>
      problems.push("CSP: " + e.violatedDirective + " " + e.blockedURI));
  }`;

/**
 * Polls `predicate` (a JS expression evaluated in the page) until it is truthy; fails after `ms`,
 * naming the expression. One WebDriver round trip, the polling happens in the page.
 * @param {WebDriver} driver @param {string} predicate @param {number} [ms]
 */
export async function waitFor(driver, predicate, ms = 30000) {
  const ok = await driver.executeAsyncScript(
    `const done = arguments[arguments.length - 1];
     const until = Date.now() + arguments[0];
     (function poll() {
       let v = false;
       try { v = (${predicate}); } catch { v = false; }
       if (v) return done(true);
       if (Date.now() > until) return done(false);
       setTimeout(poll, 25);
     })();`,
    ms,
  );
  assert.ok(ok, `waited ${ms} ms for: ${predicate.trim().slice(0, 160)}`);
}

/**
 * A fresh load of `url` (through about:blank, so a link differing only in its hash is not a
 * same-document jump), then, for app pages, the wait for #app[data-ready] and the readiness value.
 * @param {WebDriver} driver @param {string} url @param {{ app?: boolean }} [options]
 */
export async function load(driver, url, { app = true } = {}) {
  await driver.get("about:blank");
  await driver.get(url);
  await driver.executeScript(RECORD_PROBLEMS);
  if (!app) return;
  await waitFor(driver, `document.querySelector("#app")?.dataset.ready`);
  const ready = await driver.executeScript(`return document.querySelector("#app").dataset.ready`);
  assert.equal(ready, "true", "the app did not start");
}

/** The errors the page recorded since its load. @param {WebDriver} driver @returns {Promise<string[]>} */
export const problemsOf = async (driver) =>
  /** @type {string[]} */ (await driver.executeScript("return window.__llProblems ?? []"));

/** @param {WebDriver} driver @param {string} what */
export async function assertNoProblems(driver, what) {
  assert.deepEqual(await problemsOf(driver), [], `${what}: page errors or CSP violations`);
}

const byTestid = (/** @type {string} */ testid) => By.css(`[data-testid="${testid}"]`);

/** The exact value behind a displayed number (data-value), null when it has none. @param {WebDriver} driver @param {string} testid */
export async function valueOf(driver, testid) {
  const v = await driver.findElement(byTestid(testid)).getAttribute("data-value");
  return v === "" || v === null ? null : Number(v);
}

/** The rendered text of an element (what a reader sees). @param {WebDriver} driver @param {string} testid */
export const textOf = async (driver, testid) => (await driver.findElement(byTestid(testid)).getText()).trim();

/** A control's current value (a property: inputs hidden in a closed popover read too). @param {WebDriver} driver @param {string} testid */
export const inputValue = async (driver, testid) =>
  String(await driver.executeScript(`return document.querySelector('[data-testid="${testid}"]').value`));

/**
 * Selects a box's text and types `text` over it key by key, as a reader would. (WebDriver's clear()
 * empties the box and leaves it, and a number box left empty takes its value back.)
 * @param {WebDriver} driver @param {string} testid @param {string} text
 */
export async function type(driver, testid, text) {
  const box = await driver.findElement(byTestid(testid));
  await driver.executeScript("arguments[0].focus(); arguments[0].select();", box);
  await box.sendKeys(text);
}

/** Picks an option of a <select> by clicking it. @param {WebDriver} driver @param {string} testid @param {string} value */
export async function choose(driver, testid, value) {
  await driver.findElement(By.css(`[data-testid="${testid}"] option[value="${value}"]`)).click();
}

/** Clicks an element. @param {WebDriver} driver @param {string} testid */
export const click = async (driver, testid) => (await driver.findElement(byTestid(testid))).click();

/**
 * Saves a PNG of the whole page to `path`: the viewport is made as tall as the content (capped at
 * `maxHeight`), since WebKit's WebDriver captures the viewport only and panels with
 * content-visibility: auto stay unpainted below it; the viewport is restored after.
 * @param {WebDriver} driver @param {string} path @param {{ width: number, height: number, maxHeight?: number }} size
 */
export async function screenshot(driver, path, { width, height, maxHeight = 6000 }) {
  for (let i = 0; i < 3; i++) {
    const content = Number(
      await driver.executeScript("return Math.ceil(document.body.getBoundingClientRect().height)"),
    );
    const tall = Math.min(maxHeight, Math.max(height, content));
    const now = Number(await driver.executeScript("return innerHeight"));
    if (now === tall) break;
    await setViewport(driver, width, tall);
    await driver.executeAsyncScript(
      "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(done));",
    );
  }
  writeFileSync(path, Buffer.from(await driver.takeScreenshot(), "base64"));
  await setViewport(driver, width, height);
}

/** Resizes the window so the page's viewport (not the outer window) is `width` × `height`. @param {WebDriver} driver @param {number} width @param {number} height */
export async function setViewport(driver, width, height) {
  const win = driver.manage().window();
  await win.setRect({ width, height });
  const [w, h] = /** @type {[number, number]} */ (await driver.executeScript("return [innerWidth, innerHeight]"));
  if (w !== width || h !== height) await win.setRect({ width: 2 * width - w, height: 2 * height - h });
}
