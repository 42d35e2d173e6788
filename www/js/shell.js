// Mounts losslab into a root element (a page body, an embed page, or a shadow root): optional page
// chrome (header, navigation, language, theme, share), the state messages, and the current view.
import { h, fill, uid } from "./dom.js";
import { makeT, messageText } from "./i18n.js";
import { encodeState } from "./state.js";
import { createSharePanel } from "./share-panel.js";
import { createPlayground } from "./views/playground.js";
import { createObjectives } from "./views/objectives.js";
import { createPadding } from "./views/padding.js";
import { createBig } from "./views/big.js";
import { createTrain } from "./views/train.js";

/** @typedef {import("./state.js").State} State */
/** @typedef {typeof import("../pkg/index.js")} Losslab */
/** @typedef {typeof import("katex").default} Katex */
/**
 * What a view keeps across its own rebuilds (a language switch, another panel): the train view's
 * model and curves. Each entry may have dispose(), called when the shell goes.
 * @typedef {{ train?: import("./trainer.js").TrainSession, bigEngine?: ReturnType<typeof import("./engine.js").createEngineSession> }} Keep
 */
/**
 * What every view and widget is built with.
 * @typedef {{
 *   losslab: Losslab, store: import("./store.js").Store, t: import("./i18n.js").Translate, lang: string,
 *   katex: Katex | null, katexMode: "html" | "mathml" | "htmlAndMathml", only: string, keep: Keep,
 *   embedded: boolean,
 *   resetPlayground?: () => void,
 * }} ViewContext
 */
/** A mounted view: its element, and how it follows the state. @typedef {{ el: HTMLElement, update(s: State, prev: State | null): void, destroy?(): void }} View */
/**
 * @typedef {{
 *   losslab: Losslab, store: import("./store.js").Store, katex: Katex | null, katexMode?: ViewContext["katexMode"],
 *   chrome: boolean, landmark: "main" | "region", heading?: string, themeHost?: HTMLElement,
 *   shareBase?: string, embedBase?: string, forceWhole?: boolean,
 * }} ShellOptions
 */

/** @type {Record<State["view"], (ctx: ViewContext) => View>} */
const VIEWS = {
  playground: createPlayground,
  objectives: createObjectives,
  padding: createPadding,
  big: createBig,
  train: createTrain,
};
export const VIEW_NAMES = /** @type {State["view"][]} */ (Object.keys(VIEWS));

/**
 * Fills `root` with the page chrome (when `opts.chrome`), the state messages and the current view,
 * and keeps them in step with the store. `shareBase` is the URL of index.html (for links),
 * `embedBase` that of embed.html.
 * @param {HTMLElement} root @param {ShellOptions} opts
 */
export function mountShell(root, opts) {
  const { store } = opts;
  /** @type {import("./state.js").Message[]} */
  let messages = [];
  /** @type {View | null} */
  let view = null;
  let viewKey = "";
  /** @type {Keep} */
  const keep = {};
  const themeHost = opts.themeHost ?? root;
  const messageBox = h("div", {
    class: "messages",
    role: "status",
    "aria-live": "polite",
    dataset: { testid: "state-message" },
    hidden: true,
  });
  // Inside a host page (the custom element) there is already a <main>: use a plain container.
  const mainEl =
    opts.landmark === "main" ? h("main", { id: "main", tabindex: "-1" }) : h("div", { class: "widget-body" });
  /** @type {HTMLElement | null} */
  let header = null;
  /** @type {HTMLElement | null} */
  let footer = null;
  /** @type {{ nav: HTMLElement, share: ReturnType<typeof createSharePanel>, themeSel: HTMLSelectElement } | null} */
  let chromeRefs = null;

  /** @param {State} s @param {import("./i18n.js").Translate} t */
  function buildChrome(s, t) {
    const nav = h(
      "nav",
      { "aria-label": t("nav.label") },
      h(
        "ul",
        {},
        VIEW_NAMES.map((v) =>
          h(
            "li",
            {},
            h("a", {
              href: `#${encodeState({ ...s, view: v })}`,
              dataset: { view: v, testid: `nav-${v}` },
              text: t(`nav.${v}`),
            }),
          ),
        ),
      ),
    );
    const langBtn = h("button", {
      type: "button",
      dataset: { testid: "lang-toggle" },
      lang: s.lang === "en" ? "zh-CN" : "en",
      text: s.lang === "en" ? "中文" : "English",
      title: t("chrome.langAria"),
      onclick: () => store.set({ lang: store.get().lang === "en" ? "zh" : "en" }),
    });
    const themeId = uid("ctl");
    const themeSel = h(
      "select",
      { id: themeId, dataset: { testid: "theme" } },
      ["auto", "light", "dark"].map((v) => h("option", { value: v, text: t(`chrome.theme.${v}`) })),
    );
    themeSel.value = s.theme;
    themeSel.addEventListener("change", () => store.set({ theme: /** @type {State["theme"]} */ (themeSel.value) }));
    const share = createSharePanel({ t, shareBase: opts.shareBase, embedBase: opts.embedBase, initial: s });
    header = h(
      "header",
      { class: "site-header" },
      h("a", {
        class: "skip",
        href: "#main",
        text: t("chrome.skip"),
        onclick: (e) => {
          e.preventDefault();
          mainEl.focus();
        },
      }),
      h(
        "div",
        { class: "brand" },
        h("span", { class: "logo", "aria-hidden": "true", text: "ℒ" }),
        h("h1", { class: "brand-name", text: "losslab" }),
        h("span", { class: "tagline", text: t("chrome.tagline") }),
      ),
      nav,
      h(
        "div",
        { class: "tools" },
        langBtn,
        h("span", { class: "theme-field" }, h("label", { for: themeId, text: t("chrome.theme") }), themeSel),
        share.el,
      ),
    );
    footer = h(
      "footer",
      { class: "site-footer" },
      h("span", { text: t("chrome.footer", { version: opts.losslab.version() }) }),
      " · ",
      h("a", { href: "docs.html", text: t("chrome.docs") }),
    );
    chromeRefs = { nav, share, themeSel };
  }

  /** @param {State} s */
  function updateChrome(s) {
    if (!chromeRefs) return;
    for (const a of chromeRefs.nav.querySelectorAll("a")) {
      a.href = `#${encodeState({ ...s, view: /** @type {State["view"]} */ (a.dataset.view) })}`;
      if (a.dataset.view === s.view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    chromeRefs.themeSel.value = s.theme;
    chromeRefs.share.update(s);
  }

  /** @param {State} s */
  function renderMessages(s) {
    const t = makeT(s.lang);
    messageBox.hidden = messages.length === 0;
    if (messages.length === 0) return fill(messageBox);
    fill(
      messageBox,
      h("p", { class: "messages-title", text: t("msg.title") }),
      h(
        "ul",
        {},
        messages.slice(0, 12).map((m) => h("li", { text: messageText(s.lang, m) })),
      ),
      messages.length > 12 ? h("p", { text: t("msg.more", { n: messages.length - 12 }) }) : null,
      h("button", {
        type: "button",
        text: t("msg.dismiss"),
        onclick: () => {
          messages = [];
          renderMessages(store.get());
        },
      }),
    );
  }

  /** @param {State} s */
  function mountView(s) {
    const t = makeT(s.lang);
    /** @type {ViewContext} */
    const ctx = {
      losslab: opts.losslab,
      store,
      t,
      lang: s.lang,
      katex: opts.katex,
      katexMode: opts.katexMode ?? "htmlAndMathml",
      only: opts.forceWhole ? "" : s.only,
      keep,
      // Embedded (embed.html, the custom element): no page chrome around the view.
      embedded: !opts.chrome,
    };
    view?.destroy?.();
    const created = VIEWS[s.view](ctx);
    view = created;
    // The embed page has no header: its one heading, for screen readers, lives inside <main>.
    fill(mainEl, opts.heading ? h("h1", { class: "sr-only", text: opts.heading }) : null, created.el);
    created.update(s, null);
  }

  /** @param {State} s @param {State | null} prev */
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
    } else view?.update(s, prev);
    renderMessages(s);
  }

  const unsubscribe = store.subscribe(render);
  render(store.get(), null);
  return {
    /** @param {import("./state.js").Message[]} list */
    setMessages(list) {
      messages = list;
      renderMessages(store.get());
    },
    destroy() {
      unsubscribe();
      view?.destroy?.();
      for (const entry of Object.values(keep)) entry?.dispose?.();
    },
  };
}
