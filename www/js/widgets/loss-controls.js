// The loss options: ε (slider and number), ignore_index, shift_labels, semantics, reduction,
// num_items_in_batch, z-loss and soft-cap, each a labelled control bound to the state.
import { h, setValue, uid } from "../dom.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createLossControls(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<import("../state.js").State>} */ patch) => store.set(patch);
  /** @param {string} labelKey @param {HTMLElement} control @param {string} [helpKey] */
  const field = (labelKey, control, helpKey) => {
    const id = control.id || (control.id = uid("ctl"));
    const help = helpKey ? h("small", { class: "help", id: `${id}-help`, text: t(helpKey) }) : null;
    if (help) control.setAttribute("aria-describedby", help.id);
    return h("div", { class: "field" }, h("label", { for: id, text: t(labelKey) }), control, help);
  };
  // A number input that writes valid values only; empty means null where allowed.
  /**
   * @param {"epsilon" | "ignoreIndex" | "numItemsInBatch" | "zLossScale" | "softcap"} key
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
    input.addEventListener("input", () => {
      const text = input.value.trim();
      if (text === "" && nullable) return set({ [key]: null });
      const x = Number(text);
      const ok = text !== "" && Number.isFinite(x) && x >= min && x <= max && (!integer || Number.isInteger(x));
      input.setAttribute("aria-invalid", ok ? "false" : "true");
      if (ok) set({ [key]: x });
    });
    input.addEventListener("change", () => input.setAttribute("aria-invalid", "false"));
    return input;
  };

  const epsRange = h("input", { type: "range", min: "0", max: "1", step: "0.01", dataset: { testid: "eps-range" } });
  epsRange.addEventListener("input", () => set({ epsilon: Number(epsRange.value) }));
  const epsNumber = numberInput("epsilon", { min: -10, max: 10, step: 0.01, testid: "eps" });
  const rangeId = uid("ctl");
  epsRange.id = rangeId;
  const epsField = h(
    "div",
    { class: "field field-eps" },
    h("label", { for: rangeId, text: t("controls.epsSlider") }),
    epsRange,
    h("label", { for: (epsNumber.id = uid("ctl")), class: "sr-only", text: t("controls.epsNumber") }),
    epsNumber,
    h("small", { class: "help", text: t("controls.epsHelp") }),
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
    h("div", { class: "button-row" }, reset),
  );

  /** @param {import("../state.js").State} s */
  function update(s) {
    setValue(epsRange, Math.max(0, Math.min(1, s.epsilon)));
    setValue(epsNumber, s.epsilon);
    setValue(ii, s.ignoreIndex);
    shift.checked = s.shiftLabels;
    for (const r of semRadios) r.checked = r.value === s.semantics;
    red.value = s.reduction;
    red.disabled = s.semantics !== "torch";
    setValue(nib, s.numItemsInBatch ?? "");
    setValue(z, s.zLossScale);
    setValue(cap, s.softcap ?? "");
  }
  return { el, update };
}
