// docs.html: in English, or in 中文 with ?lang=zh (or #lang=zh: the page's prose then comes from its
// <template id="docs-zh">); sizes the live iframe example from its height messages, adds copy
// buttons, and lists the state keys from the schema itself (so the table cannot drift from the decoder).
import { h } from "./dom.js";
import { SCHEMA, FIELDS, LIMITS } from "./state.js";
import { DOCS_TEXT, ABOUT_ZH } from "./docs-zh.js";

/** The page's language: ?lang=zh or #lang=zh (as in the playground's links), else English. */
const lang =
  new URLSearchParams(location.search).get("lang") === "zh" || /(?:^#|&)lang=zh(?:&|$)/.test(location.hash)
    ? "zh"
    : "en";
const L = DOCS_TEXT[lang];
if (lang === "zh") {
  // Swapped before the widget's script defines the element, so only the Chinese example ever starts.
  const main = /** @type {HTMLElement} */ (document.getElementById("main"));
  const zh = /** @type {HTMLTemplateElement} */ (document.getElementById("docs-zh"));
  main.replaceChildren(zh.content.cloneNode(true));
  document.documentElement.lang = "zh-CN";
  document.title = L.title;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const key = /** @type {"tagline" | "playground" | "docs" | "back"} */ (
      /** @type {HTMLElement} */ (el).dataset.i18n
    );
    el.textContent = L[key];
  }
  for (const a of document.querySelectorAll('a[href="index.html"]')) a.setAttribute("href", "index.html#lang=zh");
}
const switchLink = /** @type {HTMLAnchorElement} */ (document.querySelector('[data-testid="docs-lang"]'));
switchLink.href = L.switchHref;
switchLink.textContent = L.switchTo;
switchLink.lang = L.switchLang;
switchLink.hreflang = L.switchLang;

/** What each field means, by field name (every field has one); the table shows its link key. @type {Record<import("./state.js").Field, string>} */
const ABOUT = {
  view: "which view",
  lang: "interface language",
  theme: "colour theme",
  only: "embed one panel (playground or train)",
  vocab: "token names (percent-encoded, comma-separated)",
  inputTokens: "input token per position (display)",
  logits: "logits, rows ';', values ','; inf, -inf, nan allowed",
  labels: "label per position (ignore_index to ignore)",
  epsilon: "label smoothing ε",
  ignoreIndex: "ignore_index",
  shiftLabels: "shift_labels",
  semantics: "semantics",
  reduction: "reduction (torch)",
  numItemsInBatch: "num_items_in_batch",
  zLossScale: "z-loss scale",
  softcap: "logit soft-cap",
  temperature: "temperature T: logits are divided by it first (1: unchanged)",
  classWeights: "class weights, one per vocabulary entry (torch)",
  position: "position shown in the distribution",
  objSequence: "objectives: token ids of the sequence",
  objPromptLength: "objectives: prompt length",
  objPromptConfidence: "objectives: toy model confidence on the prompt",
  objResponseConfidence: "objectives: confidence on the response",
  objEpsilon: "objectives: ε",
  objMlmSeed: "objectives: MLM seed",
  objMlmProbability: "objectives: MLM probability",
  promptLength: "playground: how many input tokens form the prompt (for “mask the prompt”)",
  labelsBeforeMask: "playground: the labels before the prompt was masked, restored when the mask is taken off",
  objMlmConfidence: "objectives: the MLM toy model's confidence on masked tokens",
  msePredictions: "MSE predictions",
  mseTargets: "MSE targets",
  padPrompts: "padding: prompts (rows ';')",
  padLabels: "padding: labels",
  padGenerated: "padding: generated tokens",
  padTokenId: "pad_token_id",
  padEos: "padding: pad_token_id = eos_token_id (the tokenizer has no pad token of its own)",
  paddingSide: "collate padding side",
  padToMultipleOf: "pad_to_multiple_of (0 off)",
  padStep: "step shown",
  bigBatch: "big: B",
  bigSeqLen: "big: T",
  bigVocab: "big: V",
  bigSeed: "big: seed",
  bigLogitScale: "big: logit scale",
  bigEpsilon: "big: ε",
  bigShiftLabels: "big: shift_labels",
  bigBackend: "big: engine backend",
  bigGradient: "big: also compute and compare the gradient",
  bigMode: "big: logits (cross-entropy of logits) or fused (linearCrossEntropy)",
  bigTokens: "big, fused: N, tokens",
  bigHidden: "big, fused: D, hidden size",
  bigFusedVocab: "big, fused: V, vocabulary size",
  trainCorpus: "train: bundled corpus",
  trainLayers: "train: transformer blocks",
  trainDModel: "train: width d_model",
  trainHeads: "train: attention heads (must divide the width)",
  trainContext: "train: context in tokens",
  trainVocab: "train: BPE vocabulary size (0: characters)",
  trainSeed: "train: seed of the weights and the batches",
  trainEpsilon: "train: label smoothing ε",
  trainLr: "train: pre-training learning rate",
  trainSftLr: "train: SFT learning rate",
  trainSteps: "train: pre-training steps",
  trainSftSteps: "train: SFT steps",
  trainBatch: "train: batch size",
};

/** @param {import("./state.js").Spec} spec */
function accepted(spec) {
  switch (spec.kind) {
    case "enum":
      return /** @type {readonly string[]} */ (spec.values).map((v) => (v === "" ? L.empty : v)).join(" | ");
    case "bool":
      return "0 | 1";
    case "num":
      return L.range(spec.integer ? L.integer : L.number, spec.min, spec.max) + (spec.nullable ? L.orNone : "");
    case "names":
      return L.names(LIMITS.V, LIMITS.nameChars);
    case "ints":
    case "nums":
      return L.list(spec.maxLen, spec.kind === "ints");
    case "matrix":
      return L.matrix(spec.maxRows, spec.maxCols, spec.ragged);
  }
  return "";
}
const show = (/** @type {unknown} */ v) =>
  v === null
    ? L.none
    : Array.isArray(v)
      ? JSON.stringify(v).slice(0, 40) + (JSON.stringify(v).length > 40 ? "…" : "")
      : String(v) || L.empty;

const tbody = /** @type {HTMLTableSectionElement} */ (document.querySelector("#state-keys tbody"));
for (const field of FIELDS) {
  const spec = SCHEMA[field];
  tbody.append(
    h(
      "tr",
      {},
      h("td", {}, h("code", { text: spec.key })),
      h("td", { text: (lang === "zh" ? ABOUT_ZH[field] : undefined) ?? ABOUT[field] ?? "" }),
      h("td", { text: accepted(spec) }),
      h("td", {}, h("code", { text: show(spec.def) })),
    ),
  );
}

// The live iframe: trust only messages from its own window, of the one known shape.
const frame = /** @type {HTMLIFrameElement} */ (document.getElementById("docs-iframe"));
window.addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow || e.data?.type !== "losslab:height") return;
  const height = Number(e.data.height);
  if (Number.isFinite(height) && height > 0 && height < 20000) {
    frame.style.height = `${height}px`;
    frame.dataset.postedHeight = String(height);
  }
});

for (const pre of document.querySelectorAll(".snippet pre")) {
  const code = /** @type {HTMLElement} */ (pre.querySelector("code"));
  const button = h("button", {
    type: "button",
    text: L.copy,
    "aria-label": code.id === "snippet-iframe" ? L.copyIframe : L.copyElement,
  });
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent ?? "");
      button.textContent = L.copied;
    } catch {
      getSelection()?.selectAllChildren(code);
      button.textContent = L.selected;
    }
    setTimeout(() => (button.textContent = L.copy), 2000);
  });
  pre.parentElement?.append(button);
}
