// Mounts losslab into a root element (a page body, an embed page, or a shadow root): optional page
// chrome (header, navigation, language, theme, share), the state messages, and the current view.
import { h, fill, uid } from "./dom.js";
import { makeT, messageText } from "./i18n.js";
import { encodeState } from "./state.js";
import { createPlayground } from "./views/playground.js";
import { createObjectives } from "./views/objectives.js";
import { createPadding } from "./views/padding.js";
import { createBig } from "./views/big.js";
import { createTrain } from "./views/train.js";

const VIEWS = { playground: createPlayground, objectives: createObjectives, padding: createPadding, big: createBig, train: createTrain };
export const VIEW_NAMES = Object.keys(VIEWS);

/**
 * root: element to fill. opts: { losslab, store, katex, katexMode, chrome (bool), landmark ("main" or
 * "region"), shareBase (URL of index.html, for links), embedBase (URL of embed.html) }.
 * Returns { setMessages(list), destroy() }.
 */
export function mountShell(root, opts) {
  const { store } = opts;
  let messages = [];
  let view = null;
  let viewKey = "";
  // What a view keeps across its own rebuilds (a language switch, another panel): the train view's
  // model and curves. Each entry may have dispose(), called when the shell goes.
  const keep = {};
  const themeHost = opts.themeHost ?? root;
  const messageBox = h("div", { class: "messages", role: "status", "aria-live": "polite", dataset: { testid: "state-message" }, hidden: true });
  // Inside a host page (the custom element) there is already a <main>: use a plain container.
  const mainEl = opts.landmark === "main" ? h("main", { id: "main", tabindex: "-1" }) : h("div", { class: "widget-body" });
  let header = null;
  let footer = null;
  let chromeRefs = null;

  function buildChrome(s, t) {
    const nav = h("nav", { "aria-label": t("nav.label") },
      h("ul", {}, VIEW_NAMES.map((v) => h("li", {}, h("a", { href: `#${encodeState({ ...s, view: v })}`, dataset: { view: v, testid: `nav-${v}` }, text: t(`nav.${v}`) })))));
    const langBtn = h("button", { type: "button", dataset: { testid: "lang-toggle" }, lang: s.lang === "en" ? "zh-CN" : "en", text: s.lang === "en" ? "中文" : "English",
      title: t("chrome.langAria"), onclick: () => store.set({ lang: store.get().lang === "en" ? "zh" : "en" }) });
    const themeId = uid("ctl");
    const themeSel = h("select", { id: themeId, dataset: { testid: "theme" } }, ["auto", "light", "dark"].map((v) => h("option", { value: v, text: t(`chrome.theme.${v}`) })));
    themeSel.value = s.theme;
    themeSel.addEventListener("change", () => store.set({ theme: themeSel.value }));
    const shareOut = h("input", { type: "text", readonly: true, class: "share-url", id: uid("ctl"), dataset: { testid: "share-url" } });
    const embedOut = h("textarea", { readonly: true, rows: "3", class: "share-embed", id: uid("ctl"), dataset: { testid: "share-embed" } });
    const copyBtn = h("button", { type: "button", dataset: { testid: "copy-link" }, text: t("chrome.copy"), onclick: async () => {
      shareOut.select();
      try {
        await navigator.clipboard.writeText(shareOut.value);
        copyBtn.textContent = t("chrome.copied");
      } catch {
        copyBtn.textContent = t("chrome.copySelect");
      }
      setTimeout(() => (copyBtn.textContent = t("chrome.copy")), 2000);
    } });
    const share = h("details", { class: "share" }, h("summary", { text: t("chrome.share") }),
      h("div", { class: "share-body" },
        h("label", { for: shareOut.id, text: t("chrome.link") }), h("div", { class: "inline" }, shareOut, copyBtn),
        h("label", { for: embedOut.id, text: t("chrome.embed") }), embedOut));
    header = h("header", { class: "site-header" },
      h("a", { class: "skip", href: "#main", text: t("chrome.skip"), onclick: (e) => { e.preventDefault(); mainEl.focus(); } }),
      h("div", { class: "brand" }, h("span", { class: "logo", "aria-hidden": "true", text: "ℒ" }), h("h1", { class: "brand-name", text: "losslab" }), h("span", { class: "tagline", text: t("chrome.tagline") })),
      nav,
      h("div", { class: "tools" }, langBtn, h("span", { class: "theme-field" }, h("label", { for: themeId, text: t("chrome.theme") }), themeSel), share));
    footer = h("footer", { class: "site-footer" },
      h("span", { text: t("chrome.footer", { version: opts.losslab.version() }) }), " · ",
      h("a", { href: "docs.html", text: t("chrome.docs") }));
    chromeRefs = { nav, shareOut, embedOut, themeSel };
  }

  function updateChrome(s) {
    if (!chromeRefs) return;
    const t = makeT(s.lang);
    for (const a of chromeRefs.nav.querySelectorAll("a")) {
      a.href = `#${encodeState({ ...s, view: a.dataset.view })}`;
      if (a.dataset.view === s.view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    chromeRefs.themeSel.value = s.theme;
    const hash = encodeState(s);
    const base = opts.shareBase ?? "";
    chromeRefs.shareOut.value = `${base}#${hash}`;
    const embedHash = encodeState({ ...s, theme: "auto" });
    chromeRefs.embedOut.value = t("chrome.embedSnippet", { src: `${opts.embedBase ?? "embed.html"}#${embedHash}` });
  }

  function renderMessages(s) {
    const t = makeT(s.lang);
    messageBox.hidden = messages.length === 0;
    if (messages.length === 0) return fill(messageBox);
    fill(messageBox,
      h("p", { class: "messages-title", text: t("msg.title") }),
      h("ul", {}, messages.slice(0, 12).map((m) => h("li", { text: messageText(s.lang, m) }))),
      messages.length > 12 ? h("p", { text: t("msg.more", { n: messages.length - 12 }) }) : null,
      h("button", { type: "button", text: t("msg.dismiss"), onclick: () => { messages = []; renderMessages(store.get()); } }));
  }

  function mountView(s) {
    const t = makeT(s.lang);
    const ctx = { losslab: opts.losslab, store, t, lang: s.lang, katex: opts.katex, katexMode: opts.katexMode ?? "htmlAndMathml", only: opts.forceWhole ? "" : s.only, keep };
    view?.destroy?.();
    view = VIEWS[s.view](ctx);
    // The embed page has no header: its one heading, for screen readers, lives inside <main>.
    fill(mainEl, opts.heading ? h("h1", { class: "sr-only", text: opts.heading }) : null, view.el);
    view.update(s, null);
  }

  function render(s, prev) {
    themeHost.dataset.theme = s.theme;
    themeHost.setAttribute("lang", s.lang === "zh" ? "zh-CN" : "en");
    const key = `${s.view}|${s.lang}|${s.only}`;
    if (opts.chrome && (!prev || prev.lang !== s.lang)) {
      buildChrome(s, makeT(s.lang));
      fill(root, header, messageBox, mainEl, footer);
    } else if (!prev) {
      fill(root, messageBox, mainEl);
    }
    updateChrome(s);
    if (key !== viewKey) {
      viewKey = key;
      mountView(s);
    } else view.update(s, prev);
    renderMessages(s);
  }

  const unsubscribe = store.subscribe(render);
  render(store.get(), null);
  return {
    setMessages(list) {
      messages = list;
      renderMessages(store.get());
    },
    destroy() {
      unsubscribe();
      view?.destroy?.();
      for (const k of Object.keys(keep)) keep[k]?.dispose?.();
    },
  };
}
