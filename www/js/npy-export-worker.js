// A one-shot module worker: regenerates the Big tensors view's hash inputs (the same module
// functions and seeds as the engine worker's hashInput) and writes them as an .npy file, so the
// page's main thread never holds the generator's work; the bytes move back without a copy.
import init, { hashLogits, hashLabels } from "../pkg/index.js";
import { writeNpy } from "./npy.js";

/** @typedef {{ which: "logits" | "labels", dims: [number, number, number], seed: number, scale: number }} ExportRequest */

self.onmessage = async (/** @type {MessageEvent<ExportRequest>} */ e) => {
  const { which, dims, seed, scale } = e.data;
  try {
    await init();
    const [b, t, v] = dims;
    // Labels as int64, PyTorch's dtype for class indices (torch.from_numpy keeps it).
    const bytes =
      which === "logits"
        ? writeNpy(hashLogits(b * t * v, seed, scale), dims)
        : writeNpy(
            BigInt64Array.from(hashLabels(b * t, v, seed + 1, -100), (y) => BigInt(y)),
            [b, t],
          );
    self.postMessage({ bytes }, { transfer: [bytes.buffer] });
  } catch (err) {
    self.postMessage({ error: String((err && typeof err === "object" && "message" in err && err.message) || err) });
  }
};
