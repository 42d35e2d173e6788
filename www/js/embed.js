// Entry of embed.html: one view (or one playground widget) without page chrome. It posts its
// height to the parent and acts on no incoming message.
import { loadLosslab } from "./wasm.js";
import { loadKatex } from "./katex-loader.js";
import { decodeHash, encodeState } from "./state.js";
import { createStore } from "./store.js";
import { mountShell } from "./shell.js";
import { syncHash } from "./hash-sync.js";
import { errorMessage } from "./format.js";

const root = /** @type {HTMLElement} */ (document.getElementById("app"));

// The only message this page ever sends; "*" because the embedding origin is unknown and a
// height reveals nothing.
let lastHeight = -1;
function postHeight() {
  const height = Math.ceil(root.getBoundingClientRect().height);
  if (height === lastHeight || window.parent === window) return;
  lastHeight = height;
  window.parent.postMessage({ type: "losslab:height", height }, "*");
}
new ResizeObserver(postHeight).observe(root);

try {
  const [losslab, katex] = await Promise.all([loadLosslab(), loadKatex()]);
  const { state, messages } = decodeHash(location.hash);
  const store = createStore(state);
  const shell = mountShell(root, {
    losslab,
    store,
    katex,
    chrome: false,
    landmark: "main",
    heading: "losslab",
    themeHost: document.documentElement,
  });
  shell.setMessages(messages);
  syncHash(store, shell, { decodeHash, encodeState });
  root.dataset.ready = "true";
} catch (e) {
  root.textContent = `losslab could not start: ${errorMessage(e)}`;
  root.dataset.ready = "error";
}
postHeight();
