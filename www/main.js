// Loads the wasm module and shows the default example's loss.
import init, { crossEntropy } from "./pkg/losslab.js";

await init();
const logits = Float32Array.from([2.0, 0.5, -1.0, 0.1, 1.5, 0.3, -0.5, 0.2, 2.5]);
const r = crossEntropy({ logits, dims: [3, 3], labels: Int32Array.from([0, 1, 2]) }, { epsilon: 0.1 });
document.getElementById("loss").textContent = r.loss.toPrecision(7);
