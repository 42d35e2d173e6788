// A float64 reference of hf-semantics cross-entropy (mean, ε, ignoreIndex, shiftLabels) for
// inputs too big to ship as golden vectors: the truth big-input checks measure errors against.
// Straightforward on purpose: two passes per row in float64, no shortcuts to share bugs with.

export function referenceLoss(logits, labels, [B, T, V], { epsilon = 0.1, ignoreIndex = -100, shiftLabels = false } = {}) {
  const steps = shiftLabels ? T - 1 : T;
  let nll = 0, smooth = 0, count = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < steps; t++) {
      let y = labels[b * T + t + (shiftLabels ? 1 : 0)];
      if (y === ignoreIndex) continue;
      if (y < 0) y = 0;
      const base = (b * T + t) * V;
      let m = -Infinity;
      for (let c = 0; c < V; c++) m = Math.max(m, logits[base + c]);
      let s = 0;
      for (let c = 0; c < V; c++) s += Math.exp(logits[base + c] - m);
      const lse = m + Math.log(s);
      let gaps = 0;
      for (let c = 0; c < V; c++) gaps += lse - logits[base + c];
      nll += lse - logits[base + y];
      smooth += gaps;
      count++;
    }
  }
  const n = nll / count, sm = smooth / (count * V);
  return { loss: (1 - epsilon) * n + epsilon * sm, nll: n, smooth: sm, numActive: count };
}
