// Plain-JavaScript loss math of the benchmark, shared by the browser page and Node:
// the hash generator of the golden vectors, the float64 reference, and the "plain JS" peer.
// Semantics: hf label-smoothed cross-entropy, mean over active positions; the
// benchmark's labels are never negative except ignoreIndex, so no clamping is needed here.

/** MurmurHash3's 32-bit finaliser, in wrapping u32 arithmetic. @param {number} x */
function fmix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** @type {(i: number, seed: number) => number} */
const h32 = (i, seed) => fmix32((Math.imul(i, 0x9e3779b1) + seed) | 0);

/** `logits[i] = f32((h32(i, seed) / 2^32 − 0.5) · scale)`, the arithmetic in float64. @param {number} len @param {number} seed @param {number} scale */
export function hashLogits(len, seed, scale) {
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = (h32(i, seed) / 4294967296 - 0.5) * scale;
  return out;
}

/** `labels[t] = ignore if h32(t, seed + 2) % 10 == 0 else h32(t, seed + 1) % V`. */
/** @param {number} len @param {number} vocab @param {number} seed @param {number} ignoreIndex */
export function hashLabels(len, vocab, seed, ignoreIndex) {
  const out = new Int32Array(len);
  for (let t = 0; t < len; t++) {
    out[t] = h32(t, (seed + 2) >>> 0) % 10 === 0 ? ignoreIndex : h32(t, (seed + 1) >>> 0) % vocab;
  }
  return out;
}

/** Neumaier's compensated sum. */
class Sum {
  s = 0;
  c = 0;
  /** @param {number} x */
  add(x) {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }
  get value() {
    return this.s + this.c;
  }
}

/**
 * The float64 reference on the same f32 logits: per active row, two passes (max, then
 * Σexp(x − max) and Σ(max − x), every term ≥ 0), `lse = max + ln Σexp`,
 * `nll = lse − x_y`, `smooth = V·(lse − max) + Σ(max − x)`; rows are combined with compensated
 * sums. Also returns each row's lse (NaN for ignored rows) for gradient checks, and the largest
 * |gradient| (bounded by the label entry, the row's largest and smallest softmax values).
 */
/** @param {Float32Array} logits @param {Int32Array} labels @param {number} vocab @param {number} epsilon @param {number} ignoreIndex */
export function referenceLoss(logits, labels, vocab, epsilon, ignoreIndex) {
  const rows = labels.length;
  const lse = new Float64Array(rows).fill(NaN);
  const nll = new Sum();
  const smooth = new Sum();
  let active = 0;
  for (let r = 0; r < rows; r++) if (labels[r] !== ignoreIndex) active++;
  let maxAbsGrad = 0;
  for (let r = 0; r < rows; r++) {
    const y = labels[r];
    if (y === ignoreIndex) continue;
    const off = r * vocab;
    let m = -Infinity;
    let lo = Infinity;
    for (let c = 0; c < vocab; c++) {
      const x = logits[off + c];
      if (x > m) m = x;
      if (x < lo) lo = x;
    }
    let sumExp = 0;
    let sumGap = 0;
    for (let c = 0; c < vocab; c++) {
      const x = logits[off + c];
      sumExp += Math.exp(x - m);
      sumGap += m - x;
    }
    const l = m + Math.log(sumExp);
    lse[r] = l;
    nll.add(l - logits[off + y]);
    smooth.add(vocab * (l - m) + sumGap);
    const u = epsilon / vocab;
    const label = Math.abs(Math.exp(logits[off + y] - l) - u - (1 - epsilon));
    const high = Math.abs(Math.exp(m - l) - u);
    const low = Math.abs(Math.exp(lo - l) - u);
    maxAbsGrad = Math.max(maxAbsGrad, Math.max(label, high, low) / active);
  }
  const n = active;
  const loss = ((1 - epsilon) * nll.value) / n + (epsilon * smooth.value) / (n * vocab);
  return { loss, nll: nll.value / n, smooth: smooth.value / (n * vocab), numActive: n, lse, maxAbsGrad };
}

/** Expected gradient entries `(softmax_c − (1−ε)[c = y] − ε/V) / N` at flat indices. */
/**
 * @param {Float32Array} logits @param {Int32Array} labels @param {number} vocab @param {number} epsilon @param {number} ignoreIndex
 * @param {Float64Array} lse @param {number} numActive @param {number[]} indices
 */
export function referenceGrad(logits, labels, vocab, epsilon, ignoreIndex, lse, numActive, indices) {
  return indices.map((i) => {
    const r = Math.floor(i / vocab);
    const c = i % vocab;
    if (labels[r] === ignoreIndex) return 0;
    const p = Math.exp(logits[i] - lse[r]);
    return (p - epsilon / vocab - (c === labels[r] ? 1 - epsilon : 0)) / numActive;
  });
}

/** Deterministic sample of gradient indices: spread over the whole tensor, plus label entries. */
/** @param {Int32Array} labels @param {number} vocab @param {number} ignoreIndex @param {number} [count] */
export function gradSampleIndices(labels, vocab, ignoreIndex, count = 48) {
  const total = labels.length * vocab;
  const out = [];
  for (let k = 0; k < count; k++) out.push(h32(k, 7) % total);
  let labelled = 0;
  for (let r = 0; r < labels.length && labelled < 16; r += Math.max(1, labels.length >> 4)) {
    const y = labels[r];
    out.push(r * vocab + (y === ignoreIndex ? 0 : y));
    labelled++;
  }
  return out;
}

/**
 * The "plain JS" peer: one pass per active row with an online logsumexp (running max, Σexp
 * rescaled when the max grows, Σ(max − x) shifted by the count seen), float64 throughout as
 * JavaScript numbers are. Ignored rows are skipped, as losslab does.
 */
/** One row's online pass: logsumexp and Σ_c (lse − x_c), reading the row once. */
/** @param {Float32Array} logits @param {number} off @param {number} vocab */
function plainRow(logits, off, vocab) {
  let m = logits[off];
  let s = 1;
  let gap = 0;
  for (let c = 1; c < vocab; c++) {
    const x = logits[off + c];
    if (x > m) {
      s = s * Math.exp(m - x) + 1;
      gap += c * (x - m);
      m = x;
    } else {
      s += Math.exp(x - m);
      gap += m - x;
    }
  }
  const lse = m + Math.log(s);
  return { lse, smooth: vocab * (lse - m) + gap };
}

/** @param {Float32Array} logits @param {Int32Array} labels @param {number} vocab @param {number} epsilon @param {number} ignoreIndex */
export function plainForward(logits, labels, vocab, epsilon, ignoreIndex) {
  let nllSum = 0;
  let smoothSum = 0;
  let n = 0;
  for (let r = 0; r < labels.length; r++) {
    const y = labels[r];
    if (y === ignoreIndex) continue;
    n++;
    const { lse, smooth } = plainRow(logits, r * vocab, vocab);
    nllSum += lse - logits[r * vocab + y];
    smoothSum += smooth;
  }
  return ((1 - epsilon) * nllSum) / n + (epsilon * smoothSum) / (n * vocab);
}

/**
 * The "plain JS" peer with a gradient, two passes per active row: the online pass above, then
 * `g_c = (exp(x_c − lse) − ε/V) / N` with `(1−ε)/N` taken off at the label; ignored rows get 0.
 * Writes into `grad` (allocated by the caller, like losslab's gradInto).
 */
/** @param {Float32Array} logits @param {Int32Array} labels @param {number} vocab @param {number} epsilon @param {number} ignoreIndex @param {Float32Array} grad */
export function plainForwardGrad(logits, labels, vocab, epsilon, ignoreIndex, grad) {
  let n = 0;
  for (let r = 0; r < labels.length; r++) if (labels[r] !== ignoreIndex) n++;
  let nllSum = 0;
  let smoothSum = 0;
  const offset = epsilon / vocab / n;
  for (let r = 0; r < labels.length; r++) {
    const y = labels[r];
    const off = r * vocab;
    if (y === ignoreIndex) {
      grad.fill(0, off, off + vocab);
      continue;
    }
    const { lse, smooth } = plainRow(logits, off, vocab);
    nllSum += lse - logits[off + y];
    smoothSum += smooth;
    for (let c = 0; c < vocab; c++) grad[off + c] = Math.exp(logits[off + c] - lse) / n - offset;
    grad[off + y] -= (1 - epsilon) / n;
  }
  return ((1 - epsilon) * nllSum) / n + (epsilon * smoothSum) / (n * vocab);
}
