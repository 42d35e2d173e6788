// <losslab-widget view="playground" state="eps=0.2" only="curve">: a self-sizing custom element that
// renders one losslab view inside a shadow root (no global CSS needed) and follows the host page's
// light/dark preference unless theme="light|dark" is given. When it cannot start (a blocked or
// missing package, stylesheet or wasm), it says so inside the element, shows the author's own
// fallback children, and links to the same view on its own page.
import { loadLosslab } from "./js/wasm.js";
import { loadKatex, loadKatexFonts } from "./js/katex-loader.js";
import { decodeHash, encodeState } from "./js/state.js";
import { createStore } from "./js/store.js";
import { mountShell } from "./js/shell.js";
import { errorMessage } from "./js/format.js";
import { makeT } from "./js/i18n.js";

const STYLE_URL = new URL("./css/losslab.css", import.meta.url).href;
const KATEX_STYLE_URL = new URL("./vendor/katex/katex.min.css", import.meta.url).href;
const PAGE_URL = new URL("./index.html", import.meta.url).href;

/** Resolves once the stylesheet has loaded; rejects, naming it, when it cannot. @param {HTMLLinkElement} link */
function stylesheetLoaded(link) {
  if (link.sheet) return Promise.resolve();
  return new Promise((ok, fail) => {
    link.addEventListener("load", () => ok(undefined), { once: true });
    link.addEventListener("error", () => fail(new Error(`the stylesheet ${link.href} did not load`)), { once: true });
  });
}
const ATTRS = ["view", "state", "only", "lang", "theme"];

/** The element's attributes as one hash string: `state` first, then the named attributes win. @param {(name: string) => string | null} get */
export function attributesToHash(get) {
  const parts = [];
  const state = get("state");
  if (state) parts.push(state.startsWith("#") ? state.slice(1) : state);
  for (const a of ["view", "only", "lang", "theme"]) {
    const v = get(a);
    if (v !== null && v !== "") parts.push(`${a}=${encodeURIComponent(v)}`);
  }
  return parts.join("&");
}

class LosslabWidget extends HTMLElement {
  static observedAttributes = ATTRS;
  /** @type {HTMLDivElement | null} */
  #root = null;
  /** @type {ReturnType<typeof mountShell> | null} */
  #shell = null;
  #pending = false;
  /** @type {Promise<unknown> | null} */
  #styles = null;

  connectedCallback() {
    if (!this.shadowRoot) {
      const shadow = this.attachShadow({ mode: "open" });
      // KaTeX's layout rules live in the shadow root with ours; its fonts are declared on the
      // document (loadKatexFonts), because @font-face inside a shadow root is ignored.
      const links = [KATEX_STYLE_URL, STYLE_URL].map((href) => {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = href;
        return link;
      });
      this.#styles = Promise.all(links.map(stylesheetLoaded));
      const root = document.createElement("div");
      root.className = "ll-theme ll-widget";
      root.setAttribute("role", "group");
      root.setAttribute("aria-label", this.getAttribute("aria-label") ?? "losslab");
      root.textContent = "…";
      shadow.append(...links, root);
      this.#root = root;
    }
    this.#schedule();
  }

  attributeChangedCallback() {
    if (this.isConnected) this.#schedule();
  }

  disconnectedCallback() {
    this.#shell?.destroy();
    this.#shell = null;
  }

  // Several attribute changes in one task render once.
  #schedule() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      this.#render();
    });
  }

  async #render() {
    const root = this.#root;
    if (!root) return; // rendered only once connected, when the root exists
    const hash = attributesToHash((a) => this.getAttribute(a));
    try {
      // KaTeX is optional (formulas fall back to plain text); the package and the styles are not.
      const [losslab, katex] = await Promise.all([loadLosslab(), loadKatex(), this.#styles, loadKatexFonts()]);
      const { state, messages } = decodeHash(hash);
      this.#shell?.destroy();
      const store = createStore(state);
      this.#shell = mountShell(root, { losslab, store, katex, chrome: false, landmark: "region" });
      this.#shell.setMessages(messages);
      store.subscribe((s) =>
        this.dispatchEvent(new CustomEvent("losslab-change", { detail: { state: encodeState(s) } })),
      );
      this.dataset.ready = "true";
    } catch (e) {
      this.#fail(root, hash, e);
    }
  }

  /**
   * What a reader sees when the widget cannot start: why, the author's fallback children (a <slot>
   * shows them), and a link to the same view on its own page. Text only; unstyled if the
   * stylesheet itself is what failed.
   * @param {HTMLElement} root @param {string} hash @param {unknown} error
   */
  #fail(root, hash, error) {
    this.#shell?.destroy();
    this.#shell = null;
    const { state } = decodeHash(hash);
    const t = makeT(state.lang);
    const link = document.createElement("a");
    link.href = `${PAGE_URL}#${encodeState(state)}`;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = t("chrome.widgetOpen");
    const sentence = document.createElement("p");
    sentence.append(`${t("chrome.widgetFailed")} `, link);
    const reason = document.createElement("p");
    reason.className = "hint";
    reason.textContent = errorMessage(error);
    const box = document.createElement("div");
    box.className = "widget-fallback";
    box.setAttribute("role", "status");
    box.dataset.testid = "widget-fallback";
    box.append(document.createElement("slot"), sentence, reason);
    root.replaceChildren(box);
    this.dataset.ready = "error";
  }
}

if (!customElements.get("losslab-widget")) customElements.define("losslab-widget", LosslabWidget);
