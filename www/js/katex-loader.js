// Loads the vendored KaTeX (copied by scripts/build.sh); null when absent, so formulas fall back to text.
let loading = null;
export function loadKatex() {
  loading ??= import("../vendor/katex/katex.mjs").then((m) => m.default).catch(() => null);
  return loading;
}
