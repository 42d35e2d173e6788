// An independent float64 LabelSmoother for the e2e checks (test code, not UI code): logits are rounded
// to f32 first, as the page sends them. checkOracle() proves it against the PyTorch golden vectors.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function labelSmootherF64({ logits, dims, labels }, { epsilon = 0.1, ignoreIndex = -100, shiftLabels = false, numItemsInBatch = null } = {}) {
  const [B, T, V] = dims.length === 3 ? dims : [1, ...dims];
  const x = Float32Array.from(logits);
  let nll = 0, smooth = 0, active = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < (shiftLabels ? T - 1 : T); t++) {
      const y = labels[b * T + t + (shiftLabels ? 1 : 0)];
      if (y === ignoreIndex) continue;
      active++;
      const row = x.subarray((b * T + t) * V, (b * T + t + 1) * V);
      let m = -Infinity;
      for (const v of row) m = Math.max(m, v);
      let se = 0;
      for (const v of row) se += Math.exp(v - m);
      const lse = m + Math.log(se);
      nll += lse - row[Math.max(0, y)];
      for (const v of row) smooth += lse - v;
    }
  }
  const N = numItemsInBatch ?? active;
  return { loss: (1 - epsilon) * (nll / N) + epsilon * (smooth / (N * V)), nll: nll / N, smooth: smooth / (N * V), numActive: active };
}

export const goldenCases = () => JSON.parse(readFileSync(fileURLToPath(new URL("../golden/cases.json", import.meta.url)), "utf8")).crossEntropy;
const num = (v) => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);

/** Returns the number of golden cases the oracle reproduces (throws on the first disagreement). */
export function checkOracle() {
  let n = 0;
  for (const c of goldenCases()) {
    const o = c.options;
    if (c.error || o.semantics !== "hf" || o.zLossScale || o.softcap || c.dims[2] > 4096) continue;
    const logits = c.logits.map(num);
    if (logits.some((v) => !Number.isFinite(v))) continue;
    const r = labelSmootherF64({ logits, dims: c.dims, labels: c.labels }, o);
    const want = num(c.expected.loss);
    if (Number.isNaN(want) ? !Number.isNaN(r.loss) : Math.abs(r.loss - want) > 1e-9 * Math.max(1, Math.abs(want))) throw new Error(`oracle disagrees with golden ${c.name}: ${r.loss} vs ${want}`);
    n++;
  }
  return n;
}
