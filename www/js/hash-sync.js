// Keeps the store and the URL hash in step: edits replace the hash (no history flood); a hash
// changed from outside (a pasted link, the navigation) is decoded and replaces the state.
/**
 * @param {import("./store.js").Store} store
 * @param {{ setMessages(list: import("./state.js").Message[]): void }} shell
 * @param {{ decodeHash: typeof import("./state.js").decodeHash, encodeState: typeof import("./state.js").encodeState }} codec
 */
export function syncHash(store, shell, { decodeHash, encodeState }) {
  /** @type {string | null} */
  let written = null;
  /** @param {import("./state.js").State} s */
  const write = (s) => {
    const hash = encodeState(s);
    if (hash === written) return;
    written = hash;
    history.replaceState(null, "", hash ? `#${hash}` : location.pathname + location.search);
  };
  // Normalise a hostile or verbose link at once, so sharing never passes the garbage on.
  write(store.get());
  store.subscribe(write);
  window.addEventListener("hashchange", () => {
    const raw = location.hash.slice(1);
    if (raw === written) return;
    const { state, messages } = decodeHash(location.hash);
    written = null;
    store.replace(state);
    write(state);
    shell.setMessages(messages);
  });
}
