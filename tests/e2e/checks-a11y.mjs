// Accessibility scans (axe-core: no serious or critical violations) and the screenshots of every view
// at desktop and phone width, written to artifacts/screenshots/.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { open, assertNoProblems, tall } from "./helpers.mjs";
import { ROOT } from "./browser.mjs";

const AXE = fileURLToPath(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url));
export const SHOTS = join(ROOT, "artifacts", "screenshots");

/** @typedef {{ name: string, hash: string, file: string, width?: number, height?: number, colorScheme?: "light" | "dark" }} Run */
/** @type {[string, string, string][]} */
const PAGES = [
  ["playground", "", "index.html"],
  ["objectives", "view=objectives", "index.html"],
  ["padding", "view=padding&pstep=1", "index.html"],
  ["big", "view=big&bt=16", "index.html"],
  ["train", "view=train", "index.html"],
  ["docs", "", "docs.html"],
  ["embed", "view=playground&only=formula", "embed.html"],
];

/** The page's serious and lesser accessibility violations, from axe-core. @param {import("playwright-core").Page} page */
export async function axe(page) {
  // Served from the page's own origin, so the page's CSP (no inline script) stays in force unchanged.
  await page.route("**/__axe.min.js", (route) => route.fulfill({ path: AXE, contentType: "text/javascript" }));
  await page.addScriptTag({ url: new URL("/__axe.min.js", page.url()).href });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  return result;
}

/** @param {import("playwright-core").Page} page @param {string} file */
async function ready(page, file) {
  // The train view builds its model (tokenizer included) in a worker after the page is ready.
  if (page.url().includes("view=train"))
    await page.waitForFunction(() => !!document.querySelector('[data-testid="train-model"]')?.textContent, null, {
      timeout: 60000,
    });
  if (file === "docs.html") await page.waitForSelector("losslab-widget[data-ready=true]");
  if (file === "docs.html")
    await page.waitForFunction(() => Number(document.getElementById("docs-iframe")?.dataset.postedHeight) > 0);
  await page.evaluate(() => document.fonts.ready);
}

/** @param {import("./helpers.mjs").Check} check @param {import("./helpers.mjs").Env} env */
export function a11yChecks(check, env) {
  check("axe-core: no serious or critical violations (every view, light, dark, 中文, phone)", async () => {
    /** @type {Run[]} */
    const runs = [
      ...PAGES.map(([name, hash, file]) => ({ name, hash, file })),
      { name: "playground dark", hash: "theme=dark", file: "index.html" },
      { name: "playground 中文", hash: "lang=zh", file: "index.html" },
      { name: "objectives dark", hash: "view=objectives&theme=dark", file: "index.html" },
      { name: "playground phone", hash: "", file: "index.html", width: 390, height: 844 },
      { name: "docs dark", hash: "", file: "docs.html", colorScheme: "dark" },
    ];
    /** @type {string[]} */
    const bad = [];
    const minor = new Set();
    for (const r of runs) {
      const page = await open(env, r.hash, {
        file: r.file,
        width: r.width,
        height: r.height,
        colorScheme: r.colorScheme,
      });
      await ready(page, r.file);
      // The page's own console must be clean; what axe itself triggers while probing is not ours.
      assertNoProblems(page, r.name);
      const violations = r.hash.includes("view=train") ? await tall(page, () => axe(page)) : await axe(page);
      for (const v of violations) {
        if (v.impact === "serious" || v.impact === "critical")
          bad.push(`${r.name}: [${v.impact}] ${v.id} — ${v.help} at ${v.nodes.join(", ")}`);
        else minor.add(`${v.id} (${v.impact}) in ${r.name} at ${v.nodes[0]}`);
      }
      await page.close();
    }
    assert.deepEqual(bad, [], "axe violations");
    return `${runs.length} pages scanned${minor.size ? `; minor: ${[...minor].join(", ")}` : ""}`;
  });

  check("screenshots of each view at desktop and phone width", async () => {
    mkdirSync(SHOTS, { recursive: true });
    /** @type {Run[]} */
    const runs = [];
    for (const [name, hash, file] of PAGES) {
      runs.push({ name: `${name}-desktop-light`, hash, file });
      runs.push({ name: `${name}-phone-light`, hash, file, width: 390, height: 844 });
    }
    runs.push({ name: "playground-desktop-dark", hash: "theme=dark", file: "index.html" });
    runs.push({ name: "playground-phone-dark", hash: "theme=dark", file: "index.html", width: 390, height: 844 });
    runs.push({ name: "playground-desktop-zh", hash: "lang=zh", file: "index.html" });
    runs.push({
      name: "objectives-phone-zh",
      hash: "view=objectives&lang=zh",
      file: "index.html",
      width: 390,
      height: 844,
    });
    runs.push({ name: "playground-desktop-nan", hash: "labels=-100,-100,-100,-100,-100,-100", file: "index.html" });
    runs.push({
      name: "playground-desktop-hostile",
      hash: "vocab=%3Cimg%20src%3Dx%3E,b&eps=%E0%A4%A&foo=1",
      file: "index.html",
    });
    runs.push({ name: "docs-desktop-dark", hash: "", file: "docs.html", colorScheme: "dark" });
    for (const r of runs) {
      const page = await open(env, r.hash, {
        file: r.file,
        width: r.width ?? 1280,
        height: r.height ?? 800,
        colorScheme: r.colorScheme,
      });
      await ready(page, r.file);
      if (r.file === "index.html" && r.hash.startsWith("view=big"))
        await page.waitForFunction(() =>
          /Done/.test(document.querySelector('[data-testid="big-status"]')?.textContent ?? ""),
        );
      if (r.hash.includes("view=train"))
        await tall(page, () => page.screenshot({ path: join(SHOTS, `${r.name}.png`) }));
      else await page.screenshot({ path: join(SHOTS, `${r.name}.png`), fullPage: true });
      // Nothing may stick out sideways at phone width: wide tables scroll inside their own box.
      if (r.width === 390) {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${r.name}: page scrolls sideways by ${overflow}px`);
      }
      await page.close();
    }
    return `${runs.length} screenshots in artifacts/screenshots/`;
  });
}
