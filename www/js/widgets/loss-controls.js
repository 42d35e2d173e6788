// The loss options: ε (slider and number), ignore_index, shift_labels, semantics, reduction,
// num_items_in_batch, z-loss, soft-cap and temperature, each a labelled control bound to the state.
import { h, setValue, uid } from "../dom.js";
import { boundNumber } from "./field-note.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createLossControls(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<import("../state.js").State>} */ patch) => store.set(patch);
  /** @param {string} labelKey @param {HTMLElement} control @param {string} [helpKey] */
  const field = (labelKey, control, helpKey) => {
    const id = control.id || (control.id = uid("ctl"));
    const help = helpKey ? h("small", { class: "help", id: `${id}-help`, text: t(helpKey) }) : null;
    if (help)
      control.setAttribute("aria-describedby", [help.id, control.getAttribute("aria-describedby")].join(" ").trim());
    const note = control instanceof HTMLInputElement ? noteOf(control) : null;
    return h("div", { class: "field" }, h("label", { for: id, text: t(labelKey) }), control, note, help);
  };
  // A number input bound to the state: out-of-range entries are clamped, applied and explained in a
  // note beside it (boundNumber); empty means null where allowed.
  /** @type {Map<HTMLInputElement, ReturnType<typeof boundNumber>>} */
  const bound = new Map();
  /**
   * @param {"epsilon" | "ignoreIndex" | "numItemsInBatch" | "zLossScale" | "softcap" | "temperature"} key
   * @param {{ min: number, max: number, step: number, nullable?: boolean, integer?: boolean, testid: string }} options
   */
  const numberInput = (key, { min, max, step, nullable, integer, testid }) => {
    const input = h("input", {
      type: "number",
      min: String(min),
      max: String(max),
      step: String(step),
      inputmode: "decimal",
      dataset: { testid },
    });
    if (nullable) input.placeholder = t("controls.none");
    bound.set(
      input,
      boundNumber(input, {
        t,
        min,
        max,
        integer,
        nullable,
        apply: (x) => set({ [key]: x }),
        current: () => store.get()[key],
      }),
    );
    return input;
  };
  const noteOf = (/** @type {HTMLInputElement} */ input) => bound.get(input)?.note ?? null;

  const epsRange = h("input", { type: "range", min: "0", max: "1", step: "0.01", dataset: { testid: "eps-range" } });
  epsRange.addEventListener("input", () => set({ epsilon: Number(epsRange.value) }));
  const epsNumber = numberInput("epsilon", { min: -10, max: 10, step: 0.01, testid: "eps" });
  // The module accepts ε < 0 as LabelSmoother does (no guard): say what that means where it is set.
  const epsWarning = h("small", { class: "warn-note", dataset: { testid: "eps-negative" }, hidden: true });
  const rangeId = uid("ctl");
  epsRange.id = rangeId;
  const epsField = h(
    "div",
    { class: "field field-eps" },
    h("label", { for: rangeId, text: t("controls.epsSlider") }),
    epsRange,
    h("label", { for: (epsNumber.id = uid("ctl")), class: "sr-only", text: t("controls.epsNumber") }),
    epsNumber,
    noteOf(epsNumber),
    epsWarning,
    h("small", { class: "help", text: t("controls.epsHelp") }),
  );

  // Temperature: a slider over its whole range, a number box to type it, and the value in use.
  const tempRange = h("input", {
    type: "range",
    min: "0.1",
    max: "5",
    step: "0.05",
    id: uid("ctl"),
    dataset: { testid: "temperature" },
  });
  tempRange.addEventListener("input", () => set({ temperature: Number(tempRange.value) }));
  const tempNumber = numberInput("temperature", { min: 0.1, max: 5, step: 0.05, testid: "temperature-number" });
  const tempValue = h("output", { dataset: { testid: "temperature-value" } });
  const tempField = h(
    "div",
    { class: "field field-eps" },
    h("label", { for: tempRange.id, text: t("controls.temperature") }),
    tempRange,
    h("label", { for: (tempNumber.id = uid("ctl")), class: "sr-only", text: t("controls.temperatureNumber") }),
    tempNumber,
    tempValue,
    noteOf(tempNumber),
    h("small", { class: "help", text: t("controls.temperatureHelp") }),
  );

  const ii = numberInput("ignoreIndex", { min: -1e6, max: 1e6, step: 1, integer: true, testid: "ignore-index" });
  const shift = h("input", { type: "checkbox", dataset: { testid: "shift" } });
  shift.addEventListener("change", () => set({ shiftLabels: shift.checked }));
  const shiftId = (shift.id = uid("ctl"));

  const semName = uid("sem");
  const semRadios = /** @type {const} */ (["hf", "torch"]).map((v) => {
    const r = h("input", { type: "radio", name: semName, value: v, id: uid("ctl"), dataset: { testid: `sem-${v}` } });
    r.addEventListener("change", () => r.checked && set({ semantics: v }));
    return r;
  });
  const semantics = h(
    "fieldset",
    { class: "field" },
    h("legend", { text: t("controls.semantics") }),
    semRadios.map((r) =>
      h("span", { class: "radio" }, r, h("label", { for: r.id, text: t(`controls.sem.${r.value}`) })),
    ),
  );
  const red = h(
    "select",
    { dataset: { testid: "reduction" } },
    ["mean", "sum", "none"].map((v) => h("option", { value: v, text: v })),
  );
  red.addEventListener("change", () =>
    set({ reduction: /** @type {import("../state.js").State["reduction"]} */ (red.value) }),
  );
  const nib = numberInput("numItemsInBatch", { min: 1e-6, max: 1e9, step: 1, nullable: true, testid: "num-items" });
  const z = numberInput("zLossScale", { min: 0, max: 10, step: 0.001, testid: "z-loss-scale" });
  const cap = numberInput("softcap", { min: 1e-3, max: 1e5, step: 1, nullable: true, testid: "softcap" });
  // Class weights as "w0, w1, …" (empty: unweighted); the module names a wrong count or semantics.
  const weights = h("input", {
    type: "text",
    inputmode: "decimal",
    spellcheck: "false",
    dataset: { testid: "class-weights" },
  });
  weights.placeholder = t("controls.none");
  weights.addEventListener("input", () => {
    const text = weights.value.trim();
    // An empty token ("1,,2" or a trailing comma) is an error, not a zero.
    const list = text === "" ? [] : text.split(/\s*,\s*|\s+/).map((tok) => (tok === "" ? NaN : Number(tok)));
    const ok = list.length <= 16 && list.every((x) => Number.isFinite(x) && Math.abs(x) <= 1e6);
    weights.setAttribute("aria-invalid", ok ? "false" : "true");
    if (ok) set({ classWeights: list });
  });
  const reset = h("button", { type: "button", text: t("controls.reset"), onclick: () => ctx.resetPlayground?.() });

  const el = h(
    "div",
    { class: "controls" },
    epsField,
    field("controls.ignoreIndex", ii, "controls.ignoreHelp"),
    h(
      "div",
      { class: "field field-check" },
      shift,
      h("label", { for: shiftId, text: t("controls.shift") }),
      h("small", { class: "help", text: t("controls.shiftHelp") }),
    ),
    semantics,
    field("controls.reduction", red, "controls.reductionHelp"),
    field("controls.numItems", nib, "controls.numItemsHelp"),
    field("controls.zLoss", z, "controls.zLossHelp"),
    field("controls.softcap", cap, "controls.softcapHelp"),
    tempField,
    field("controls.classWeights", weights, "controls.classWeightsHelp"),
    h("div", { class: "button-row" }, reset),
  );

  /** @param {import("../state.js").State} s */
  function update(s) {
    setValue(epsRange, Math.max(0, Math.min(1, s.epsilon)));
    for (const [input, value] of /** @type {const} */ ([
      [epsNumber, s.epsilon],
      [ii, s.ignoreIndex],
      [nib, s.numItemsInBatch],
      [z, s.zLossScale],
      [cap, s.softcap],
      [tempNumber, s.temperature],
    ]))
      bound.get(input)?.sync(value);
    setValue(tempRange, s.temperature);
    tempValue.textContent = `T = ${s.temperature}`;
    tempValue.dataset.value = String(s.temperature);
    epsWarning.hidden = !(s.epsilon < 0 || s.epsilon > 1);
    epsWarning.textContent = s.epsilon < 0 ? t("controls.epsNegative") : s.epsilon > 1 ? t("controls.epsAboveOne") : "";
    shift.checked = s.shiftLabels;
    for (const r of semRadios) r.checked = r.value === s.semantics;
    red.value = s.reduction;
    red.disabled = s.semantics !== "torch";
    // Unless the user is typing: "1, 2," parses as [1, 2, NaN] and must not be overwritten.
    const root = /** @type {Document | ShadowRoot} */ (weights.getRootNode());
    if (root.activeElement !== weights) weights.value = s.classWeights.join(", ");
  }
  return { el, update };
}
