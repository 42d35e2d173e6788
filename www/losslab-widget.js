// <losslab-widget view="playground" state="eps=0.2" only="curve">: a self-sizing custom element that
// renders one losslab view inside a shadow root (no global CSS needed) and follows the host page's
// light/dark preference unless theme="light|dark" is given.
import { loadLosslab } from "./js/wasm.js";
import { loadKatex } from "./js/katex-loader.js";
import { decodeHash, encodeState } from "./js/state.js";
import { createStore } from "./js/store.js";
import { mountShell } from "./js/shell.js";
import { errorMessage } from "./js/format.js";

const STYLE_URL = new URL("./css/losslab.css", import.meta.url).href;
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

  connectedCallback() {
    if (!this.shadowRoot) {
      const shadow = this.attachShadow({ mode: "open" });
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = STYLE_URL;
      const root = document.createElement("div");
      root.className = "ll-theme ll-widget";
      root.setAttribute("role", "group");
      root.setAttribute("aria-label", this.getAttribute("aria-label") ?? "losslab");
      root.textContent = "…";
      shadow.append(link, root);
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
    try {
      const [losslab, katex] = await Promise.all([loadLosslab(), loadKatex()]);
      const { state, messages } = decodeHash(attributesToHash((a) => this.getAttribute(a)));
      this.#shell?.destroy();
      const store = createStore(state);
      this.#shell = mountShell(root, { losslab, store, katex, katexMode: "mathml", chrome: false, landmark: "region" });
      this.#shell.setMessages(messages);
      store.subscribe((s) =>
        this.dispatchEvent(new CustomEvent("losslab-change", { detail: { state: encodeState(s) } })),
      );
      this.dataset.ready = "true";
    } catch (e) {
      root.textContent = `losslab could not start: ${errorMessage(e)}`;
      this.dataset.ready = "error";
    }
  }
}

if (!customElements.get("losslab-widget")) customElements.define("losslab-widget", LosslabWidget);
