// The analytics golden table (tests/golden/analytics.json: temperature, entropy, rank, lse,
// argmax, accuracy, perplexity) checked through the JS API. Environment-agnostic: Node, the
// Chromium suites and the Firefox/WebKit suites import it and pass in a loaded losslab module.

import { caseInput, check, num, relErr } from "./golden.mjs";

/** @typedef {import("./golden.mjs").GoldenNumber} GoldenNumber */
/**
 * A case of analytics.json: a golden case plus the analytics PyTorch computed for it.
 * @typedef {import("./golden.mjs").GoldenCase & { expected: {
 *   accuracy: GoldenNumber, perplexity: GoldenNumber, perTokenEntropy: GoldenNumber[], perTokenLse: GoldenNumber[],
 *   perTokenRank: number[], predicted: number[] } }} AnalyticsCase
 */
/** @typedef {import("../../pkg/index.js").CrossEntropyResult} CrossEntropyResult */

/** Entropy, lse, accuracy and perplexity: as per-token losses (1e-6, absolute under 1). */
export const STAT_REL = 1e-6;

export { caseInput };

/**
 * Every violation of result `r` against analytics case `c` (the loss checks of golden.mjs
 * included), as strings; `worst.stat` takes the largest relative error of a float statistic.
 * @param {AnalyticsCase} c @param {CrossEntropyResult} r
 * @param {import("./golden.mjs").Worst & { stat?: number }} [worst] @param {number} [lossRel]
 */
export function checkAnalytics(c, r, worst = { loss: 0, lossCase: "", grad: 0, gradCase: "", stat: 0 }, lossRel) {
  const bad = check(c, r, worst, lossRel);
  const e = c.expected;
  const note = (/** @type {number} */ err) => {
    if (Number.isFinite(err)) worst.stat = Math.max(worst.stat ?? 0, err);
  };
  for (const what of /** @type {const} */ (["accuracy", "perplexity"])) {
    const err = relErr(r[what], num(e[what]));
    note(err);
    if (!(err <= STAT_REL)) bad.push(`${c.name}: ${what} ${r[what]} vs ${e[what]}`);
  }
  const asked = (c.options.stats ?? []).length > 0;
  for (const f of /** @type {const} */ (["perTokenEntropy", "perTokenLse"])) {
    const got = r[f];
    if (!asked) {
      if (got !== undefined) bad.push(`${c.name}: ${f} returned without stats`);
      continue;
    }
    if (!(got instanceof Float32Array) || got.length !== e[f].length) {
      bad.push(`${c.name}: ${f} is not a Float32Array of ${e[f].length}`);
      continue;
    }
    e[f].forEach((w, i) => {
      const err = relErr(got[i], num(w), 1);
      if (Number.isFinite(num(w))) note(err);
      if (!(err <= STAT_REL)) bad.push(`${c.name}: ${f}[${i}] ${got[i]} vs ${w}`);
    });
  }
  for (const f of /** @type {const} */ (["perTokenRank", "predicted"])) {
    const got = r[f];
    if (!asked) {
      if (got !== undefined) bad.push(`${c.name}: ${f} returned without stats`);
      continue;
    }
    if (!(got instanceof Int32Array)) bad.push(`${c.name}: ${f} is not an Int32Array`);
    else if (JSON.stringify(Array.from(got)) !== JSON.stringify(e[f]))
      bad.push(`${c.name}: ${f} ${Array.from(got)} vs ${e[f]}`);
  }
  return bad;
}

/**
 * Runs every case through `call` (a sync or async crossEntropy) and returns the violations, the
 * count and the worst errors.
 * @param {Pick<typeof import("../../pkg/index.js"), "hashLogits" | "hashLabels">} losslab
 * @param {{ cases: AnalyticsCase[] }} table
 * @param {(input: any, options: any) => CrossEntropyResult | Promise<CrossEntropyResult>} call
 * @param {{ lossRel?: number, backend?: string }} [opts] `backend`: what every result must report
 */
export async function runAnalyticsTable(losslab, table, call, opts = {}) {
  const worst = { loss: 0, lossCase: "", grad: 0, gradCase: "", stat: 0 };
  /** @type {string[]} */
  const failures = [];
  for (const c of table.cases) {
    const { input, options } = caseInput(losslab, c);
    const r = await call(input, options);
    if (opts.backend && r.backend !== opts.backend) failures.push(`${c.name}: ran on ${r.backend}`);
    failures.push(...checkAnalytics(c, r, worst, opts.lossRel));
  }
  return { failures, cases: table.cases.length, worst };
}
