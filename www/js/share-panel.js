// The Share / embed popover of the page chrome: the link to this exact view, and two snippets that
// work pasted as-is into another page — the custom element, and the iframe with its auto-height
// script — for the whole view or one of its panels, in the reader's theme unless one is chosen.
import { h, uid } from "./dom.js";
import { encodeState, defaultState } from "./state.js";
import { makeCopyButton } from "./widgets/copy-button.js";

/** @typedef {import("./state.js").State} State */

/** The panels a view can embed alone (`only=`), each with the i18n key of its title. @type {Record<State["view"], [State["only"], string][]>} */
export const PANELS = {
  playground: [
    ["grid", "grid.title"],
    ["summary", "summary.title"],
    ["dist", "dist.title"],
    ["heatmap", "heatmap.title"],
    ["curve", "curve.title"],
    ["formula", "formula.title"],
    ["trace", "trace.title"],
  ],
  objectives: [],
  padding: [],
  big: [],
  train: [
    ["train-curves", "train.curves.title"],
    ["train-table", "train.cmp.title"],
    ["train-tokens", "train.tokens.title"],
    ["train-samples", "train.samples.title"],
    ["train-data", "train.data.title"],
  ],
};

// The iframe's height before its first height message (or for ever, on a page that strips the
// script): about what the content needs at a desktop width, so it neither shows a 150 px sliver
// nor a tall empty box.
/** @type {Record<string, number>} */
const START_HEIGHT = {
  playground: 3800,
  objectives: 1900,
  padding: 1900,
  big: 1500,
  train: 2600,
  grid: 1000,
  summary: 420,
  dist: 560,
  heatmap: 560,
  curve: 480,
  formula: 520,
  trace: 760,
};

/** `url#hash`, or `url` alone for the default state. @param {string} url @param {State} s */
const withHash = (url, s) => {
  const hash = encodeState(s);
  return hash ? `${url}#${hash}` : url;
};

/** Text as a double-quoted HTML attribute value. @param {string} text */
const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/**
 * The state a snippet carries: the view's own fields, the panel, and the chosen theme (auto unless
 * the sharer picked one for the snippet).
 * @param {State} s @param {State["only"]} only @param {State["theme"]} theme @returns {State}
 */
const snippetState = (s, only, theme) => ({ ...s, only, theme });

/**
 * `<script type="module" src=…><losslab-widget …>fallback link</losslab-widget>`: view, only, lang
 * and theme as attributes, everything else in `state`. The link inside shows where the script
 * cannot run, and the element shows it again if loading fails.
 * @param {State} s @param {{ widgetSrc: string, pageUrl: string, fallback: string }} where
 */
export function elementSnippet(s, { widgetSrc, pageUrl, fallback }) {
  const d = defaultState();
  const rest = encodeState({ ...s, view: d.view, only: d.only, lang: d.lang, theme: d.theme });
  const attrs = [`view="${s.view}"`];
  if (s.only) attrs.push(`only="${s.only}"`);
  if (s.lang !== d.lang) attrs.push(`lang="${s.lang}"`);
  if (s.theme !== d.theme) attrs.push(`theme="${s.theme}"`);
  if (rest) attrs.push(`state="${attr(rest)}"`);
  return (
    `<script type="module" src="${attr(widgetSrc)}"></script>\n` +
    `<losslab-widget ${attrs.join(" ")}>\n` +
    `  <a href="${attr(withHash(pageUrl, s))}">${attr(fallback)}</a>\n` +
    `</losslab-widget>`
  );
}

/**
 * `<iframe …>` of embed.html with a starting height, then a classic inline script that sizes that
 * very iframe (its previous sibling) from the height messages embed.html posts, and from no other
 * window or message shape.
 * @param {State} s @param {{ embedSrc: string, title: string }} where
 */
export function iframeSnippet(s, { embedSrc, title }) {
  const height = START_HEIGHT[s.only || s.view] ?? 1200;
  return [
    `<iframe src="${attr(withHash(embedSrc, s))}" title="${attr(title)}" height="${height}" style="width:100%;border:0" loading="lazy"></iframe>`,
    `<script>`,
    `  (() => {`,
    `    // losslab posts {type: "losslab:height", height} when its content changes size.`,
    `    const frame = document.currentScript.previousElementSibling;`,
    `    addEventListener("message", (e) => {`,
    `      if (e.source !== frame.contentWindow || e.data?.type !== "losslab:height") return;`,
    `      const h = Number(e.data.height);`,
    `      if (Number.isFinite(h) && h > 0 && h < 20000) frame.style.height = h + "px";`,
    `    });`,
    `  })();`,
    `</script>`,
  ].join("\n");
}

/** An absolute URL next to `base` when base is absolute, else the bare name. @param {string} name @param {string | undefined} base */
function sibling(name, base) {
  try {
    return new URL(name, base).href;
  } catch {
    return name;
  }
}

/**
 * A copy button for a text field; the field is also selected, so Ctrl+C works where the clipboard is refused.
 * @param {import("./i18n.js").Translate} t @param {HTMLInputElement | HTMLTextAreaElement} field
 * @param {string} labelKey @param {string} testid
 */
function copyButton(t, field, labelKey, testid) {
  const button = h("button", { type: "button", dataset: { testid }, text: t(labelKey), onclick: () => field.select() });
  return makeCopyButton(button, () => field.value, { copied: t("chrome.copied"), failed: t("chrome.copySelect") });
}

/**
 * @param {{ t: import("./i18n.js").Translate, shareBase?: string, embedBase?: string, initial: State }} opts
 */
export function createSharePanel({ t, shareBase, embedBase, initial }) {
  const embedSrc = embedBase ?? "embed.html";
  const widgetSrc = sibling("losslab-widget.js", embedBase);
  const pageUrl = shareBase ?? sibling("index.html", embedBase);
  const field = (/** @type {string} */ tag) => ({ id: uid("ctl"), class: tag });
  const shareOut = h("input", {
    ...field("share-url"),
    type: "text",
    readonly: true,
    dataset: { testid: "share-url" },
  });
  const onlySel = h("select", { ...field("share-only"), dataset: { testid: "share-only" } });
  const themeSel = h(
    "select",
    { ...field("share-theme"), dataset: { testid: "share-theme" } },
    ["auto", "light", "dark"].map((v) =>
      h("option", { value: v, text: v === "auto" ? t("chrome.snippetThemeAuto") : t(`chrome.theme.${v}`) }),
    ),
  );
  const elementOut = h("textarea", {
    ...field("share-embed"),
    readonly: true,
    rows: "4",
    dataset: { testid: "share-element" },
  });
  const embedOut = h("textarea", {
    ...field("share-embed"),
    readonly: true,
    rows: "4",
    dataset: { testid: "share-embed" },
  });
  const onlyNote = h("small", { class: "help", id: uid("ctl") });
  onlySel.setAttribute("aria-describedby", onlyNote.id);
  const summary = h("summary", { text: t("chrome.share") });
  const el = h(
    "details",
    { class: "share" },
    summary,
    h(
      "div",
      { class: "share-body" },
      h("label", { for: shareOut.id, text: t("chrome.link") }),
      h("div", { class: "inline" }, shareOut, copyButton(t, shareOut, "chrome.copy", "copy-link")),
      h(
        "div",
        { class: "share-options" },
        h("span", { class: "field" }, h("label", { for: onlySel.id, text: t("chrome.snippetOnly") }), onlySel),
        h("span", { class: "field" }, h("label", { for: themeSel.id, text: t("chrome.snippetTheme") }), themeSel),
      ),
      onlyNote,
      h(
        "div",
        { class: "share-snippet-head" },
        h("label", { for: elementOut.id, text: t("chrome.element") }),
        copyButton(t, elementOut, "chrome.copySnippet", "copy-element"),
      ),
      elementOut,
      h(
        "div",
        { class: "share-snippet-head" },
        h("label", { for: embedOut.id, text: t("chrome.embed") }),
        copyButton(t, embedOut, "chrome.copySnippet", "copy-embed"),
      ),
      embedOut,
      h("a", { href: "docs.html", class: "share-docs", text: t("chrome.snippetDocs") }),
    ),
  );
  // Escape closes the popover and gives focus back to its summary (where the reader opened it).
  el.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || !el.open) return;
    e.preventDefault();
    el.open = false;
    summary.focus();
  });

  /** @type {State} */
  let current = initial;
  let viewShown = "";
  function refresh() {
    const s = current;
    const only = /** @type {State["only"]} */ (onlySel.value);
    const theme = /** @type {State["theme"]} */ (themeSel.value);
    shareOut.value = `${shareBase ?? ""}#${encodeState(s)}`;
    const snip = snippetState(s, only, theme);
    elementOut.value = elementSnippet(snip, { widgetSrc, pageUrl, fallback: t("chrome.snippetFallback") });
    embedOut.value = iframeSnippet(snip, { embedSrc, title: t("chrome.snippetTitle") });
  }
  /** @param {State} s */
  function update(s) {
    current = s;
    if (viewShown !== s.view) {
      // Another view: its own panels; the state's panel is the default choice where it fits.
      viewShown = s.view;
      const panels = PANELS[s.view];
      onlySel.replaceChildren(
        h("option", { value: "", text: t("chrome.snippetWhole") }),
        ...panels.map(([value, key]) => h("option", { value, text: t(key) })),
      );
      onlySel.value = panels.some(([v]) => v === s.only) ? s.only : "";
      onlySel.disabled = panels.length === 0;
      onlyNote.textContent = panels.length === 0 ? t("chrome.snippetWholeOnly") : "";
      onlyNote.hidden = panels.length === 0 ? false : true;
    }
    refresh();
  }
  onlySel.addEventListener("change", refresh);
  themeSel.addEventListener("change", refresh);
  update(initial);
  return { el, update };
}
