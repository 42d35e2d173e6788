// Loads the vendored KaTeX (copied by scripts/build.sh); null when absent, so formulas fall back to text.
// For shadow roots (the custom element) it also declares KaTeX's fonts on the document.
// The URL is computed, not a literal import: the type checker reads KaTeX's own types instead of
// checking the vendored bundle.
const KATEX_URL = new URL("../vendor/katex/katex.mjs", import.meta.url).href;
const KATEX_CSS_URL = new URL("../vendor/katex/katex.min.css", import.meta.url).href;

/** @type {Promise<typeof import("katex").default | null> | null} */
let loading = null;
export function loadKatex() {
  loading ??= import(KATEX_URL).then((m) => m.default).catch(() => null);
  return loading;
}

/** @type {Promise<number> | null} */
let fonts = null;
/**
 * Declares KaTeX's font faces on the document, once, with absolute URLs: browsers ignore @font-face
 * rules inside shadow roots, but a shadow tree uses the document's faces. Read from the vendored
 * katex.min.css so the list cannot drift from the bundle. Resolves to the number of faces added
 * (0 when the page has them already or KaTeX is absent: formulas then keep fallback fonts).
 */
export function loadKatexFonts() {
  fonts ??= (async () => {
    if ([...document.fonts].some((f) => f.family.replace(/["']/g, "") === "KaTeX_Main")) return 0;
    const response = await fetch(KATEX_CSS_URL);
    if (!response.ok) return 0;
    const css = await response.text();
    let added = 0;
    for (const block of css.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
      const decl = (/** @type {string} */ name) =>
        new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]+)`).exec(block[1])?.[1].trim();
      const family = decl("font-family")?.replace(/["']/g, "");
      const src = decl("src")?.replace(
        /url\((["']?)([^)"']+)\1\)/g,
        (_, _q, path) => `url("${new URL(path, KATEX_CSS_URL).href}")`,
      );
      if (!family || !src) continue;
      const face = new FontFace(family, src, {
        weight: decl("font-weight") ?? "normal",
        style: decl("font-style") ?? "normal",
        display: "block",
      });
      document.fonts.add(face);
      added++;
    }
    return added;
  })().catch(() => 0);
  return fonts;
}
