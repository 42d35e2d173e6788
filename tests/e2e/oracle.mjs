// The float64 LabelSmoother of tests/js/reference.mjs, proven here against the PyTorch golden
// vectors before the e2e checks use it (test code, not UI code).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { labelSmootherF64 } from "../js/reference.mjs";
import { num } from "../js/golden.mjs";

export { labelSmootherF64 };

/** @returns {import("../js/golden.mjs").GoldenCase[]} */
export const goldenCases = () =>
  JSON.parse(readFileSync(fileURLToPath(new URL("../golden/cases.json", import.meta.url)), "utf8")).crossEntropy;

/** Returns the number of golden cases the oracle reproduces (throws on the first disagreement). */
export function checkOracle() {
  let n = 0;
  for (const c of goldenCases()) {
    const o = c.options;
    if (c.error || o.semantics !== "hf" || o.zLossScale || o.softcap || c.dims[2] > 4096 || c.generator) continue;
    const logits = c.logits.map(num);
    if (logits.some((v) => !Number.isFinite(v))) continue;
    const r = labelSmootherF64({ logits, dims: c.dims, labels: c.labels }, o);
    if (c.expected.loss === null) throw new Error(`golden ${c.name}: an hf case without a scalar loss`);
    const want = num(c.expected.loss);
    if (Number.isNaN(want) ? !Number.isNaN(r.loss) : Math.abs(r.loss - want) > 1e-9 * Math.max(1, Math.abs(want)))
      throw new Error(`oracle disagrees with golden ${c.name}: ${r.loss} vs ${want}`);
    n++;
  }
  return n;
}
