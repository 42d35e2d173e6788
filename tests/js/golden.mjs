// The golden case table, checked through the JavaScript API. Environment-agnostic: Node's
// test runner and the browser suites import it and pass in a loaded losslab module.

export const LOSS_REL = 1e-6;
export const GRAD_OF_MAX = 1e-5;

/** A golden number: a JSON number or "NaN" / "Infinity" / "-Infinity". */
export const num = (v) =>
  v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;

/** Relative error with non-finite values required to match exactly. */
export function relErr(got, want, floor = 1e-12) {
  if (!Number.isFinite(want) || !Number.isFinite(got)) {
    return Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)) ? 0 : Infinity;
  }
  return Math.abs(got - want) / Math.max(Math.abs(want), floor);
}

/** The case's input object and options (a gradient unless the case says grad: false). */
export function caseInput(losslab, c) {
  const [B, T, V] = c.dims;
  let logits, labels;
  if (c.generator) {
    const g = c.generator;
    logits = losslab.hashLogits(B * T * V, g.seed, g.scale);
    labels = losslab.hashLabels(B * T, V, g.seed, g.ignore);
  } else {
    logits = Float32Array.from(c.logits.map(num));
    labels = Int32Array.from(c.labels);
  }
  const options = { grad: true, ...c.options };
  return { input: { logits, dims: c.dims, labels }, options };
}

/** Every violation of result `r` against case `c`, as strings; updates `worst`. `lossRel` is
 *  the accuracy bar: 1e-6 for the CPU, 1e-5 for WebGPU (per-token values get the same bar, with
 *  values under 1 nat held to it absolutely). */
export function check(c, r, worst = { loss: 0, lossCase: "", grad: 0, gradCase: "" }, lossRel = LOSS_REL) {
  const e = c.expected;
  const bad = [];
  const scalar = (what, got, want) => {
    const err = relErr(got, num(want));
    if (what === "loss" && err > worst.loss) Object.assign(worst, { loss: err, lossCase: c.name });
    if (err > lossRel) bad.push(`${c.name}: ${what} ${got} vs ${want} (rel err ${err})`);
  };
  if (e.loss === null) {
    if (r.loss !== null) bad.push(`${c.name}: loss should be null, got ${r.loss}`);
  } else scalar("loss", r.loss, e.loss);
  scalar("nll", r.nll, e.nll);
  scalar("smooth", r.smooth, e.smooth);
  if (r.numActive !== e.numActive) bad.push(`${c.name}: numActive ${r.numActive} vs ${e.numActive}`);
  for (const f of ["perTokenLoss", "perTokenNll", "perTokenSmooth"]) {
    if (!e[f]) continue;
    if (!(r[f] instanceof Float32Array) || r[f].length !== e[f].length) {
      bad.push(`${c.name}: ${f} has the wrong type or length`);
      continue;
    }
    e[f].forEach((w, i) => {
      if (relErr(r[f][i], num(w), 1) > lossRel) bad.push(`${c.name}: ${f}[${i}] ${r[f][i]} vs ${w}`);
    });
  }
  const g = r.grad;
  if (e.grad) {
    const want = e.grad.map(num);
    const max = Math.max(1e-30, ...want.filter(Number.isFinite).map(Math.abs));
    if (!(g instanceof Float32Array) || g.length !== want.length) bad.push(`${c.name}: no gradient of the right length`);
    else {
      let err = 0;
      for (let i = 0; i < want.length; i++) {
        const ok = Number.isFinite(want[i]) ? Math.abs(g[i] - want[i]) <= GRAD_OF_MAX * max : relErr(g[i], want[i]) === 0;
        if (Number.isFinite(want[i]) && Number.isFinite(g[i])) err = Math.max(err, Math.abs(g[i] - want[i]) / max);
        if (!ok) {
          bad.push(`${c.name}: grad[${i}] ${g[i]} vs ${want[i]}`);
          break;
        }
      }
      if (err > worst.grad) Object.assign(worst, { grad: err, gradCase: c.name });
    }
  }
  if (e.gradSummary) {
    const s = e.gradSummary;
    const tol = GRAD_OF_MAX * s.maxAbs;
    let maxAbs = 0, sumAbs = 0, sum = 0;
    for (const x of g) { maxAbs = Math.max(maxAbs, Math.abs(x)); sumAbs += Math.abs(x); sum += x; }
    if (Math.abs(maxAbs - s.maxAbs) > tol) bad.push(`${c.name}: max |g| ${maxAbs} vs ${s.maxAbs}`);
    if (relErr(sumAbs, s.sumAbs) > 1e-5) bad.push(`${c.name}: sum |g| ${sumAbs} vs ${s.sumAbs}`);
    if (Math.abs(sum - s.sum) > 10 * tol) bad.push(`${c.name}: sum g ${sum} vs ${s.sum}`);
    let err = 0;
    for (const [i, w] of s.samples) {
      const d = Math.abs(g[i] - w);
      err = Math.max(err, d / s.maxAbs);
      if (d > tol) bad.push(`${c.name}: grad[${i}] ${g[i]} vs ${w}`);
    }
    if (err > worst.grad) Object.assign(worst, { grad: err, gradCase: c.name });
  }
  return bad;
}

/** The fragment an error case's message must contain. */
export const errorFragment = (c) => (c.error.includes("epsilon") ? /epsilon .*out of range/ : /label .*out of range/);
