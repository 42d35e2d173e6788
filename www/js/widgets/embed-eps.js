// The compact ε control above a single embedded playground panel (only=curve, only=formula, …): a
// slider and an exact number bound to the state's ε, and the loss they give, so a reader of the host
// page can interact with a panel that has no controls of its own.
import { h, setValue, uid } from "../dom.js";
import { fmt, exact } from "../format.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createEmbedEps(ctx) {
  const { t, store } = ctx;
  const rangeId = uid("ctl");
  const numberId = uid("ctl");
  const range = h("input", {
    id: rangeId,
    type: "range",
    min: "0",
    max: "1",
    step: "0.01",
    dataset: { testid: "embed-eps" },
  });
  const number = h("input", {
    id: numberId,
    type: "number",
    min: "-10",
    max: "10",
    step: "0.01",
    inputmode: "decimal",
    dataset: { testid: "embed-eps-value" },
  });
  const loss = h("output", {
    class: "embed-eps-loss",
    dataset: { testid: "embed-loss" },
    for: `${rangeId} ${numberId}`,
  });
  range.addEventListener("input", () => store.set({ epsilon: Number(range.value) }));
  number.addEventListener("input", () => {
    const text = number.value.trim();
    const x = Number(text);
    // The same range the link accepts; anything else stays in the box, marked, and changes nothing.
    const ok = text !== "" && Number.isFinite(x) && x >= -10 && x <= 10;
    number.setAttribute("aria-invalid", ok ? "false" : "true");
    if (ok) store.set({ epsilon: x });
  });
  number.addEventListener("change", () => number.setAttribute("aria-invalid", "false"));
  const el = h(
    "div",
    { class: "embed-eps", role: "group", "aria-label": t("controls.epsSlider") },
    h("label", { for: rangeId, text: t("controls.epsSlider") }),
    range,
    h("label", { for: numberId, class: "sr-only", text: t("controls.epsNumber") }),
    number,
    h("span", { class: "embed-eps-result" }, h("span", { text: `${t("summary.loss")} = ` }), loss),
  );

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    // Outside [0, 1] the slider rests at its end; the number box shows the exact ε in use.
    setValue(range, Math.max(0, Math.min(1, s.epsilon)));
    setValue(number, s.epsilon);
    const value = d.main?.loss;
    loss.textContent = d.main ? fmt(value) : "—";
    loss.dataset.value = exact(value);
  }
  return { el, update };
}
