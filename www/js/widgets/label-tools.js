// Label tools under the logits grid: mask the prompt (its labels → ignore_index, undone exactly),
// the "labels = input_ids" preset for shift_labels, and a hint when shifting would shift twice.
import { h, setValue, uid } from "../dom.js";
import { LIMITS } from "../state.js";

/** @typedef {import("../state.js").State} State */

/**
 * The label positions whose target token lies in the prompt (the first `promptLength` inputs).
 * Without shift_labels, label t is the token after input t, so it is a prompt token when t + 1 < P;
 * with shift_labels, label t is input t itself (labels = input_ids), a prompt token when t < P.
 * @param {number} T @param {number} promptLength @param {boolean} shiftLabels @returns {number[]}
 */
export function promptLabelPositions(T, promptLength, shiftLabels) {
  const n = Math.max(0, Math.min(T, shiftLabels ? promptLength : promptLength - 1));
  return Array.from({ length: n }, (_, t) => t);
}

/** The patch that masks the prompt's labels, keeping the labels as they were to restore them. @param {State} s */
export function maskPromptPatch(s) {
  const labels = s.labels.slice();
  for (const t of promptLabelPositions(labels.length, s.promptLength, s.shiftLabels)) labels[t] = s.ignoreIndex;
  return { labels, labelsBeforeMask: s.labels.slice() };
}

/** The patch that takes the mask off: the labels kept at masking time come back (positions added
 *  since keep their labels). @param {State} s */
export function unmaskPromptPatch(s) {
  const kept = s.labelsBeforeMask;
  return { labels: s.labels.map((y, t) => (t < kept.length ? kept[t] : y)), labelsBeforeMask: [] };
}

/** True when the labels already look shifted (label t = input t+1 at most labelled positions), so
 *  shift_labels would score row t against input t+2. @param {State} s */
export function labelsLookShifted(s) {
  let labelled = 0;
  let next = 0;
  let same = 0;
  for (let t = 0; t + 1 < s.labels.length; t++) {
    const y = s.labels[t];
    if (y === s.ignoreIndex) continue;
    labelled++;
    if (y === s.inputTokens[t + 1]) next++;
    if (y === s.inputTokens[t]) same++;
  }
  return next > 0 && next * 2 >= labelled && next > same;
}

/** @param {import("../shell.js").ViewContext} ctx */
export function createLabelTools(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<State>} */ patch) => store.set(patch);

  const mask = h("input", { type: "checkbox", id: uid("ctl"), dataset: { testid: "mask-prompt" } });
  mask.addEventListener("change", () => {
    const s = store.get();
    const on = s.labelsBeforeMask.length > 0;
    if (mask.checked && !on) set(maskPromptPatch(s));
    else if (!mask.checked && on) set(unmaskPromptPatch(s));
  });
  const promptLength = h("input", {
    type: "number",
    min: "0",
    max: String(LIMITS.T),
    step: "1",
    id: uid("ctl"),
    dataset: { testid: "prompt-len" },
  });
  promptLength.addEventListener("input", () => {
    const x = Number(promptLength.value);
    const s = store.get();
    const ok = promptLength.value !== "" && Number.isInteger(x) && x >= 0 && x <= s.labels.length;
    promptLength.setAttribute("aria-invalid", ok ? "false" : "true");
    if (!ok) return;
    // While masked, the mask follows the new prompt: restore, then mask again.
    if (s.labelsBeforeMask.length > 0) set(maskPromptPatch({ ...s, ...unmaskPromptPatch(s), promptLength: x }));
    else set({ promptLength: x });
  });
  promptLength.addEventListener("change", () => promptLength.setAttribute("aria-invalid", "false"));
  const promptText = h("span", { class: "prompt-text", dataset: { testid: "prompt-text" } });
  const maskHelp = h("small", { class: "help", dataset: { testid: "mask-help" } });

  const applyInputIds = () => {
    const s = store.get();
    set({ labels: s.inputTokens.slice(), shiftLabels: true, labelsBeforeMask: [] });
  };
  const preset = h("button", {
    type: "button",
    text: t("grid.labelsInputIds"),
    dataset: { testid: "labels-input-ids" },
    onclick: applyInputIds,
  });
  const hintButton = h("button", { type: "button", text: t("grid.labelsInputIds"), onclick: applyInputIds });
  const shiftHint = h(
    "div",
    { class: "shift-hint", role: "status", dataset: { testid: "shift-hint" }, hidden: true },
    h("p", { text: t("grid.shiftHint") }),
    hintButton,
  );

  const el = h(
    "div",
    { class: "label-tools" },
    h(
      "div",
      { class: "mask-row" },
      mask,
      h("label", { for: mask.id, text: t("grid.maskPrompt") }),
      h(
        "span",
        { class: "inline" },
        h("label", { for: promptLength.id, text: t("grid.promptLength") }),
        promptLength,
        promptText,
      ),
      maskHelp,
    ),
    h("div", { class: "preset-row" }, preset, h("small", { class: "help", text: t("grid.labelsInputIdsHelp") })),
    shiftHint,
  );

  /** @param {State} s */
  function update(s) {
    const on = s.labelsBeforeMask.length > 0;
    mask.checked = on;
    setValue(promptLength, s.promptLength);
    promptLength.max = String(s.labels.length);
    const P = Math.min(s.promptLength, s.inputTokens.length);
    promptText.textContent =
      P === 0
        ? t("grid.noPrompt")
        : `“${s.inputTokens
            .slice(0, P)
            .map((x) => s.vocab[x])
            .join(" ")}”`;
    const rows = promptLabelPositions(s.labels.length, s.promptLength, s.shiftLabels);
    maskHelp.textContent = t(s.shiftLabels ? "grid.maskHelpShift" : "grid.maskHelp", {
      ii: s.ignoreIndex,
      rows: rows.length === 0 ? "—" : rows.length === 1 ? "0" : `0–${rows.length - 1}`,
    });
    shiftHint.hidden = !(s.shiftLabels && labelsLookShifted(s));
  }
  return { el, update };
}
