// Shared helpers of the e2e checks: page loading, reading displayed numbers, tolerances, golden links.
import assert from "node:assert/strict";
import { newPage } from "./browser.mjs";
import { num } from "../js/golden.mjs";

/** @typedef {import("./browser.mjs").Env} Env */
/** @typedef {import("./browser.mjs").CheckedPage} CheckedPage */
/** How a suite registers a check: its name, and a function that throws on failure and may say what it saw. @typedef {(name: string, fn: () => Promise<string | void>) => void} Check */

export { num };

/**
 * Opens `file#hash` in a fresh page and waits until the app is ready.
 * @param {Env} env @param {string} [hash]
 * @param {{ file?: string, width?: number, height?: number, colorScheme?: "light" | "dark" }} [options]
 */
export async function open(env, hash = "", { file = "index.html", width, height, colorScheme } = {}) {
  const page = await newPage(env, { width, height, colorScheme });
  await page.goto(`${env.base}${file}${hash ? "#" + hash : ""}`);
  if (file === "docs.html") return page; // a static page; its widgets are awaited by the caller
  await page.waitForSelector("#app[data-ready]", { timeout: 30000 });
  assert.equal(await page.getAttribute("#app", "data-ready"), "true", "the app did not start");
  return page;
}

/**
 * The exact value behind a displayed number (its data-value attribute); null when it has none.
 * @param {import("playwright-core").Page} page @param {string} testid @param {string} [scope]
 */
export async function valueOf(page, testid, scope = "") {
  const v = await page.locator(`${scope} [data-testid="${testid}"]`.trim()).first().getAttribute("data-value");
  return v === "" || v === null ? null : Number(v);
}
/** The text of the first element with this test id. @param {import("playwright-core").Page} page @param {string} testid @param {string} [scope] */
export const textOf = async (page, testid, scope = "") =>
  (await page.locator(`${scope} [data-testid="${testid}"]`.trim()).first().textContent()) ?? "";

/**
 * got ≈ want within `rel` (NaN equals NaN; infinities must match exactly); a missing value (null) fails.
 * @param {number | null} got @param {number | null} want @param {number} rel @param {string} what
 */
export function assertClose(got, want, rel, what) {
  if (got === null || want === null) return assert.fail(`${what}: ${got} vs ${want}: a value is missing`);
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: ${got}, expected NaN`);
  if (!Number.isFinite(want)) return assert.equal(got, want, `${what}: ${got}, expected ${want}`);
  assert.ok(
    Math.abs(got - want) <= rel * Math.max(Math.abs(want), 1e-30),
    `${what}: ${got}, expected ${want} (rel ${rel})`,
  );
}

/** The displayed loss text agrees with `want` to 6 significant digits and shows at least 6. @param {string} text @param {number} want @param {string} what */
export function assertSixDigits(text, want, what) {
  if (Number.isNaN(want)) return assert.equal(text, "NaN", what);
  if (want === Infinity) return assert.equal(text, "+∞", what);
  if (want === -Infinity) return assert.equal(text, "−∞", what);
  if (want === 0) return assert.equal(text, "0", what);
  const digits = text.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "").length;
  assert.ok(digits >= 6, `${what}: "${text}" shows fewer than 6 significant digits`);
  // Agreement to 6 significant digits: within half a unit of the 6th digit of the expected value.
  const halfUnit = 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(want))) - 5);
  assert.ok(Math.abs(Number(text) - want) <= halfUnit, `${what}: "${text}" vs expected ${want} (6 significant digits)`);
}

/** @param {CheckedPage} page @param {string} what */
export function assertNoProblems(page, what) {
  assert.deepEqual(page.problems, [], `${what}: console errors, CSP violations or dialogs`);
}

const fmtLink = (/** @type {number} */ v) =>
  Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);

/** @typedef {import("../js/golden.mjs").GoldenCase} GoldenCase */

/** A playground link holding a golden case (B = 1), or null when the case does not fit the playground. @param {GoldenCase} c */
export function goldenLink(c) {
  const [B, T, V] = c.dims;
  const o = c.options;
  if (B !== 1 || T > 16 || V > 16 || o.classWeights || c.generator) return null;
  const logits = c.logits.map(num);
  const rows = Array.from({ length: T }, (_, t) =>
    logits
      .slice(t * V, (t + 1) * V)
      .map(fmtLink)
      .join(","),
  ).join(";");
  const parts = [
    `logits=${rows}`,
    `labels=${c.labels.join(",")}`,
    `vocab=${Array.from({ length: V }, (_, i) => `t${i}`).join(",")}`,
    `in=${Array(T).fill(0).join(",")}`,
  ];
  parts.push(`eps=${o.epsilon ?? 0.1}`, `sem=${o.semantics ?? "hf"}`);
  if (o.ignoreIndex !== undefined) parts.push(`ii=${o.ignoreIndex}`);
  if (o.shiftLabels) parts.push("shift=1");
  if (o.reduction) parts.push(`red=${o.reduction}`);
  if (o.numItemsInBatch) parts.push(`nib=${o.numItemsInBatch}`);
  if (o.zLossScale) parts.push(`z=${o.zLossScale}`);
  if (o.softcap) parts.push(`cap=${o.softcap}`);
  return parts.join("&");
}

/** Waits (up to 15 s) until the element's text matches `re`; fails with the text it had. @param {import("playwright-core").Page} page @param {string} testid @param {RegExp} re */
export async function waitForText(page, testid, re) {
  const sel = `[data-testid="${testid}"]`;
  try {
    await page.waitForFunction(
      ([s, src, flags]) => new RegExp(src, flags).test(document.querySelector(s)?.textContent ?? ""),
      [sel, re.source, re.flags],
      { timeout: 15000 },
    );
  } catch {
    assert.match((await page.textContent(sel)) ?? "", re);
  }
}

/** Runs `fn` with the viewport as tall as the page: the train view's lower panels use
 *  content-visibility: auto, which a full-page capture beyond the viewport would leave unpainted. */
/** @template T @param {import("playwright-core").Page} page @param {() => Promise<T>} fn */
export async function tall(page, fn) {
  const size = page.viewportSize();
  if (size === null) throw new Error("the page has no viewport size");
  // Content height, not scrollHeight: a viewport taller than the content would pad the picture.
  for (let i = 0; i < 4; i++) {
    const height = Math.max(
      size.height,
      await page.evaluate(() => Math.ceil(document.body.getBoundingClientRect().height)),
    );
    if (height === page.viewportSize()?.height) break;
    await page.setViewportSize({ width: size.width, height });
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  }
  try {
    return await fn();
  } finally {
    await page.setViewportSize(size);
  }
}
