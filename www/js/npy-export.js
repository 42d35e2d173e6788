// Downloads the Big tensors view's generated inputs as .npy files: the bytes are made in a
// one-shot worker (npy-export-worker.js) and saved through a temporary object URL.

/**
 * Makes the .npy bytes of the generated logits (float32, [B, T, V]) or labels (int64, [B, T]).
 * @param {"logits" | "labels"} which @param {[number, number, number]} dims @param {number} seed @param {number} scale
 * @returns {Promise<Uint8Array>}
 */
export function generatedNpy(which, dims, seed, scale) {
  const url = new URL("./npy-export-worker.js", import.meta.url);
  // A page on another origin than the module (the custom element) may not start a worker from
  // it, but a same-origin module may import it.
  const workerUrl =
    typeof location === "undefined" || url.origin === location.origin
      ? url
      : URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: "text/javascript" }));
  const worker = new Worker(workerUrl, { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (/** @type {MessageEvent<{ bytes?: Uint8Array, error?: string }>} */ e) => {
      worker.terminate();
      if (e.data.bytes) resolve(e.data.bytes);
      else reject(new Error(e.data.error ?? "the export worker sent nothing"));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "the export worker failed to start"));
    };
    worker.postMessage({ which, dims, seed, scale });
  });
}

/** Saves bytes as a file through a download link. @param {Uint8Array} bytes @param {string} name */
export function saveFile(bytes, name) {
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (bytes)], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference once started; free the URL after it has begun.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
