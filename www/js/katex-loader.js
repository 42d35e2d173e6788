// Loads the vendored KaTeX (copied by scripts/build.sh); null when absent, so formulas fall back to text.
// The URL is computed, not a literal import: the type checker reads KaTeX's own types instead of
// checking the vendored bundle.
const KATEX_URL = new URL("../vendor/katex/katex.mjs", import.meta.url).href;

/** @type {Promise<typeof import("katex").default | null> | null} */
let loading = null;
export function loadKatex() {
  loading ??= import(KATEX_URL).then((m) => m.default).catch(() => null);
  return loading;
}
