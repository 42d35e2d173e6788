// One worker of `CrossEntropyWorkers` (./split.js): its own losslab instance computes a range of
// logits rows of a call whose logits (and gradient) live in SharedArrayBuffers, read in place.
//
// Requests are `{ id, input, options, start, end }` (`input` as for `crossEntropy`, its arrays
// on SharedArrayBuffers); each gets one reply `{ id, ok: true, rows }` (`crossEntropyRows`'
// packed rows, transferred) or `{ id, ok: false, error: { message, code } }`; a message without
// an id is ignored. The first message this worker posts is `{ ready: true, simd }` once its wasm
// is loaded.
import init, { crossEntropyRows, simdLevel } from "../index.js";

await init();

self.onmessage = ({ data }) => {
  const { id, input, options, start, end } = data;
  if (id === undefined) return; // the pool's probe that shared memory can be posted here
  try {
    const rows = crossEntropyRows(input, options, start, end);
    self.postMessage({ id, ok: true, rows }, [rows.buffer]);
  } catch (e) {
    const error = { message: e instanceof Error ? e.message : String(e), code: e?.code ?? "internal" };
    self.postMessage({ id, ok: false, error });
  }
};
self.postMessage({ ready: true, simd: simdLevel() });
