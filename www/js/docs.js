// docs.html: sizes the live iframe example from its height messages, adds copy buttons, and lists
// the state keys from the schema itself (so the table cannot drift from the decoder).
import { h } from "./dom.js";
import { SCHEMA, LIMITS } from "./state.js";

const ABOUT = {
  view: "which view", lang: "interface language", theme: "colour theme", only: "embed one panel (playground or train)",
  vocab: "token names (percent-encoded, comma-separated)", in: "input token per position (display)", logits: "logits, rows ';', values ','; inf, -inf, nan allowed",
  labels: "label per position (ignore_index to ignore)", eps: "label smoothing ε", ii: "ignore_index", shift: "shift_labels", sem: "semantics",
  red: "reduction (torch)", nib: "num_items_in_batch", z: "z-loss scale", cap: "logit soft-cap", pos: "position shown in the distribution",
  oseq: "objectives: token ids of the sequence", oplen: "objectives: prompt length", opc: "objectives: toy model confidence on the prompt", orc: "objectives: confidence on the response",
  oeps: "objectives: ε", oseed: "objectives: MLM seed", oprob: "objectives: MLM probability", omp: "MSE predictions", omt: "MSE targets",
  pp: "padding: prompts (rows ';')", pl: "padding: labels", pg: "padding: generated tokens", ppad: "pad_token_id", pside: "collate padding side", pmul: "pad_to_multiple_of (0 off)", pstep: "step shown",
  bb: "big: B", bt: "big: T", bv: "big: V", bseed: "big: seed", bscale: "big: logit scale", beps: "big: ε", bshift: "big: shift_labels", bbe: "big: engine backend",
  tcorpus: "train: bundled corpus", tlayers: "train: transformer blocks", tdmodel: "train: width d_model", theads: "train: attention heads (must divide the width)",
  tctx: "train: context in tokens", tvocab: "train: BPE vocabulary size (0: characters)", tseed: "train: seed of the weights and the batches", teps: "train: label smoothing ε",
  tlr: "train: pre-training learning rate", tlr2: "train: SFT learning rate", tsteps: "train: pre-training steps", tsteps2: "train: SFT steps", tbatch: "train: batch size",
};

function accepted(spec) {
  switch (spec.kind) {
    case "enum": return spec.values.map((v) => (v === "" ? "(empty)" : v)).join(" | ");
    case "bool": return "0 | 1";
    case "num": return `${spec.integer ? "integer" : "number"} in [${spec.min}, ${spec.max}]${spec.nullable ? ", or none" : ""}`;
    case "names": return `1–${LIMITS.V} names of ≤ ${LIMITS.nameChars} characters`;
    case "ints": case "nums": return `≤ ${spec.maxLen} ${spec.kind === "ints" ? "integers" : "numbers"}`;
    case "matrix": return `≤ ${spec.maxRows} rows × ${spec.maxCols}${spec.ragged ? " (ragged)" : ""}`;
  }
  return "";
}
const show = (v) => (v === null ? "none" : Array.isArray(v) ? JSON.stringify(v).slice(0, 40) + (JSON.stringify(v).length > 40 ? "…" : "") : String(v) || "(empty)");

const tbody = document.querySelector("#state-keys tbody");
for (const [key, spec] of Object.entries(SCHEMA)) {
  tbody.append(h("tr", {}, h("td", {}, h("code", { text: key })), h("td", { text: ABOUT[key] ?? "" }), h("td", { text: accepted(spec) }), h("td", {}, h("code", { text: show(spec.def) }))));
}

// The live iframe: trust only messages from its own window, of the one known shape.
const frame = document.getElementById("docs-iframe");
window.addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow || e.data?.type !== "losslab:height") return;
  const height = Number(e.data.height);
  if (Number.isFinite(height) && height > 0 && height < 20000) {
    frame.style.height = `${height}px`;
    frame.dataset.postedHeight = String(height);
  }
});

for (const pre of document.querySelectorAll(".snippet pre")) {
  const code = pre.querySelector("code");
  const button = h("button", { type: "button", text: "Copy", "aria-label": `Copy the ${code.id === "snippet-iframe" ? "iframe" : "custom element"} snippet` });
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      button.textContent = "Copied";
    } catch {
      getSelection().selectAllChildren(code);
      button.textContent = "Selected";
    }
    setTimeout(() => (button.textContent = "Copy"), 2000);
  });
  pre.parentElement.append(button);
}
