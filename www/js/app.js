// Entry of index.html: the full page. State lives in the URL hash, both ways.
import { loadLosslab } from "./wasm.js";
import { loadKatex } from "./katex-loader.js";
import { decodeHash, encodeState } from "./state.js";
import { createStore } from "./store.js";
import { mountShell } from "./shell.js";
import { syncHash } from "./hash-sync.js";
import { errorMessage } from "./format.js";

const root = /** @type {HTMLElement} */ (document.getElementById("app"));
try {
  const [losslab, katex] = await Promise.all([loadLosslab(), loadKatex()]);
  const { state, messages } = decodeHash(location.hash);
  const store = createStore(state);
  const base = location.href.split("#")[0];
  const shell = mountShell(root, {
    losslab,
    store,
    katex,
    chrome: true,
    landmark: "main",
    forceWhole: true,
    themeHost: document.documentElement,
    shareBase: base,
    embedBase: new URL("embed.html", base).href,
  });
  shell.setMessages(messages);
  syncHash(store, shell, { decodeHash, encodeState });
  root.dataset.ready = "true";
} catch (e) {
  root.textContent = `losslab could not start: ${errorMessage(e)}`;
  root.dataset.ready = "error";
}
