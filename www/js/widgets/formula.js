// The loss formula with the live numbers substituted, typeset by KaTeX (plain text if it is missing).
import { h, fill } from "../dom.js";
import { fmt, shortestF32 } from "../format.js";

/**
 * A number as TeX: exponents as ×10^k, non-finite values as symbols; `format` writes the finite
 * digits (fmt's 7 for the f64 sums, shortestF32 for Float32Array elements).
 * @param {number | null | undefined} x @param {(x: number) => string} [format]
 */
export function texNum(x, format = fmt) {
  if (x === null || x === undefined) return "\\text{—}";
  if (Number.isNaN(x)) return "\\mathrm{NaN}";
  if (x === Infinity) return "+\\infty";
  if (x === -Infinity) return "-\\infty";
  const s = format(x);
  const m = /^(-?[\d.]+)e([+-]?\d+)$/.exec(s);
  return m ? `${m[1]}\\times 10^{${Number(m[2])}}` : s;
}

/** An input value (ε, N, V) exactly as the state holds it, as TeX. */
const texIn = (/** @type {number} */ x) => {
  const m = /^(-?[\d.]+)e([+-]?\d+)$/.exec(String(x));
  return m ? `${m[1]}\\times 10^{${Number(m[2])}}` : String(x);
};

/** @param {import("../shell.js").ViewContext} ctx */
export function createFormula(ctx) {
  const { t } = ctx;
  // Focusable: on a phone the formulas scroll sideways, and keyboard users must reach that.
  const general = h("div", {
    class: "math",
    tabindex: "0",
    role: "region",
    "aria-label": t("formula.general"),
    dataset: { testid: "formula-general" },
  });
  const live = h("div", {
    class: "math",
    tabindex: "0",
    role: "region",
    "aria-label": t("formula.live"),
    dataset: { testid: "formula-live" },
  });
  const legend = h("p", { class: "hint" });
  const el = h("div", { class: "formula" }, general, live, legend);

  /** @param {HTMLElement} node @param {string} tex @param {string} fallback */
  const render = (node, tex, fallback) => {
    if (ctx.katex) {
      try {
        ctx.katex.render(tex, node, {
          displayMode: true,
          throwOnError: true,
          output: ctx.katexMode,
          trust: false,
          strict: "ignore",
        });
        return;
      } catch {
        // fall through to plain text
      }
    }
    node.textContent = fallback;
  };

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const r = d.main;
    const torchNone = s.semantics === "torch" && s.reduction === "none";
    const sumRed = s.semantics === "torch" && s.reduction === "sum";
    const zTerm = s.zLossScale > 0 ? " + \\frac{z}{N}\\sum_n \\mathrm{lse}_n^2" : "";
    if (torchNone) {
      render(
        general,
        "\\ell_n = (1-\\varepsilon)\\,(-\\log p_{n,y_n}) + \\frac{\\varepsilon}{V}\\sum_{c=1}^{V} -\\log p_{n,c}" +
          (s.zLossScale > 0 ? " + z\\,\\mathrm{lse}_n^2" : ""),
        "ℓ_n = (1−ε)·(−log p[n, y_n]) + (ε/V)·Σ_c −log p[n, c]",
      );
    } else {
      render(
        general,
        `\\begin{aligned}\\mathcal{L} &= (1-\\varepsilon)\\,\\frac{1}{N}\\sum_{n}\\bigl(-\\log p_{n,y_n}\\bigr) \\\\ &\\quad + \\varepsilon\\,\\frac{1}{N V}\\sum_{n}\\sum_{c=1}^{V}\\bigl(-\\log p_{n,c}\\bigr)${zTerm}\\end{aligned}`,
        "L = (1−ε)·(1/N)·Σ_n −log p[n, y_n] + ε·(1/(N·V))·Σ_n Σ_c −log p[n, c]" +
          (s.zLossScale > 0 ? " + (z/N)·Σ lse²" : ""),
      );
    }
    if (!r) {
      fill(live);
      legend.textContent = d.error ? t("formula.error") : "";
      return;
    }
    const V = s.vocab.length;
    const eps = texIn(s.epsilon);
    // The Σ terms are the module's f64 sums: nll and smooth times the denominator it divided by.
    const N = texIn(r.denominator);
    const A = texNum(r.nll * r.denominator);
    const S = texNum(r.smooth * r.denominator * V);
    const z = s.zLossScale > 0 ? ` + ${texNum(r.zLoss)}` : "";
    if (torchNone) {
      // perTokenLoss is a Float32Array: each element at its shortest exact decimal.
      const parts = Array.from(r.perTokenLoss, (v) => texNum(v, shortestF32)).join(",\\ ");
      render(live, `\\ell = [\\,${parts}\\,]`, `ℓ = [${Array.from(r.perTokenLoss, shortestF32).join(", ")}]`);
    } else {
      const tex = `\\begin{aligned}\\mathcal{L} &= (1-${eps})\\cdot\\frac{${A}}{${N}} + ${eps}\\cdot\\frac{${S}}{${N}\\cdot ${V}}${z} \\\\ &= (1-${eps})\\cdot ${texNum(r.nll)} + ${eps}\\cdot ${texNum(r.smooth)}${z} \\\\ &= \\mathbf{${texNum(r.loss)}}\\end{aligned}`;
      const text = `L = (1−${s.epsilon})·${fmt(r.nll * r.denominator)}/${r.denominator} + ${s.epsilon}·${fmt(r.smooth * r.denominator * V)}/(${r.denominator}·${V})${s.zLossScale > 0 ? " + " + fmt(r.zLoss) : ""} = ${fmt(r.loss)}`;
      render(live, tex, text);
    }
    legend.textContent = t("formula.legend", {
      N: sumRed ? t("formula.nSum") : s.numItemsInBatch !== null ? t("formula.nNib") : t("formula.nActive"),
    });
  }
  return { el, update };
}
