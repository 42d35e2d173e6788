// An independent float64 LabelSmoother: the truth that checks without golden vectors measure
// against (big hash-generated inputs in the browser suites, UI edits in the e2e suite).
// Straightforward on purpose — f32 logits, float64 arithmetic, two passes per row, no shortcuts
// to share bugs with the kernels. tests/e2e/oracle.mjs proves it against the PyTorch vectors.

/**
 * @param {{ logits: Float32Array | number[], dims: number[], labels: Int32Array | number[] }} input
 * @param {{ epsilon?: number, ignoreIndex?: number, shiftLabels?: boolean, numItemsInBatch?: number | null }} [options]
 */
export function labelSmootherF64(
  { logits, dims, labels },
  { epsilon = 0.1, ignoreIndex = -100, shiftLabels = false, numItemsInBatch = null } = {},
) {
  const [B, T, V] = dims.length === 3 ? dims : [1, ...dims];
  // Arrays that disagree with the dims would be read short (undefined, NaN) instead of refused.
  if (logits.length !== B * T * V || labels.length !== B * T) {
    throw new Error(
      `labelSmootherF64: ${logits.length} logits and ${labels.length} labels for dims [${dims.join(", ")}]`,
    );
  }
  const x = logits instanceof Float32Array ? logits : Float32Array.from(logits);
  let nll = 0,
    smooth = 0,
    active = 0;
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
      nll += lse - row[Math.max(0, y)]; // LabelSmoother clamps negative labels to class 0
      for (const v of row) smooth += lse - v;
    }
  }
  const N = numItemsInBatch ?? active;
  return {
    loss: (1 - epsilon) * (nll / N) + epsilon * (smooth / (N * V)),
    nll: nll / N,
    smooth: smooth / (N * V),
    numActive: active,
  };
}
