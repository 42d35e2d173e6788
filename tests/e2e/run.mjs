// The browser end-to-end suite of the losslab front end (www/): serves www/ on an ephemeral port,
// drives the system Chromium through playwright-core, runs every check, writes screenshots to
// artifacts/screenshots/, prints a summary and exits non-zero on any failure.
// Usage: node tests/e2e/run.mjs [--only <substring>] [--fuzz-ms <ms>]
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { start, ROOT } from "./browser.mjs";
import { checkOracle } from "./oracle.mjs";
import { fuzzAll } from "./fuzz.mjs";
import { DICT } from "../../www/js/i18n.js";
import { playgroundChecks } from "./checks-playground.mjs";
import { linkChecks } from "./checks-links.mjs";
import { viewChecks } from "./checks-views.mjs";
import { a11yChecks } from "./checks-a11y.mjs";
import { trainChecks } from "./checks-train.mjs";
import { polishChecks } from "./checks-polish.mjs";
import { writerChecks } from "./checks-writer.mjs";
import { engineerChecks } from "./checks-engineer.mjs";
import { learnerChecks } from "./checks-learner.mjs";
import { analyticsChecks } from "./checks-analytics.mjs";
import { fusedChecks } from "./checks-fused.mjs";

/** @type {(name: string, def: string) => string} */
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const only = arg("--only", "");
const fuzzMs = Number(arg("--fuzz-ms", "9000"));

/** @type {{ name: string, fn: () => Promise<string | void> }[]} */
const checks = [];
/** @type {import("./helpers.mjs").Check} */
const check = (name, fn) => checks.push({ name, fn });

// Node-side checks: the oracle the UI checks rely on, the fuzzers, the dictionary.
check(
  "oracle: the float64 LabelSmoother reproduces the PyTorch golden vectors",
  async () => `${checkOracle()} golden cases`,
);
check(`fuzz: URL-state decoder, .npy reader, JSON import (${fuzzMs} ms)`, async () => {
  const counts = fuzzAll(fuzzMs);
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v} executions`)
    .join(", ");
});
check("i18n: every UI string key exists in English and 中文", async () => {
  const used = new Set();
  const walk = (/** @type {string} */ dir) => {
    for (const f of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (p.endsWith(".js"))
        for (const m of readFileSync(p, "utf8").matchAll(
          /["'`]((?:nav|chrome|msg|playground|grid|controls|summary|dist|heatmap|curve|formula|trace|obj|pad|big|train|tokenStats)\.[A-Za-z0-9.]+)["'`]/g,
        ))
          used.add(m[1]);
    }
  };
  walk(join(ROOT, "www", "js"));
  const missing = [...used].filter((k) => !(k in DICT.en) || !(k in DICT.zh));
  assert.deepEqual(missing, [], "keys missing from a language");
  const onlyOne = Object.keys(DICT.en)
    .filter((k) => !(k in DICT.zh))
    .concat(Object.keys(DICT.zh).filter((k) => !(k in DICT.en)));
  assert.deepEqual(onlyOne, [], "keys in one language only");
  return `${used.size} keys used, ${Object.keys(DICT.en).length} defined`;
});

const env = await start();
playgroundChecks(check, env);
linkChecks(check, env);
viewChecks(check, env);
a11yChecks(check, env);
trainChecks(check, env);
polishChecks(check, env);
writerChecks(check, env);
engineerChecks(check, env);
learnerChecks(check, env);
analyticsChecks(check, env);
fusedChecks(check, env);

const started = Date.now();
let failed = 0;
let ran = 0;
for (const { name, fn } of checks) {
  if (only && !name.includes(only)) continue;
  ran++;
  const t0 = Date.now();
  try {
    const info = await fn();
    console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)${info ? ` — ${info}` : ""}`);
  } catch (e) {
    failed++;
    console.log(
      `FAIL ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n     ${String((e instanceof Error && e.stack) || e)
        .split("\n")
        .slice(0, 6)
        .join("\n     ")}`,
    );
  }
}
await env.close();
console.log(
  `\ne2e: ${ran - failed}/${ran} checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s; screenshots in artifacts/screenshots/`,
);
process.exit(failed ? 1 : 0);
