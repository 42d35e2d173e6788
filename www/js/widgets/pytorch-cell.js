// "Copy as PyTorch": the playground's inputs, options and loss as a Python cell that reruns them
// in PyTorch (LabelSmoother or F.cross_entropy) and asserts the same loss; shown and copied.
import { h, uid } from "../dom.js";
import { pytorchCell } from "../pytorch.js";
import { makeCopyButton } from "./copy-button.js";

/** @param {import("../shell.js").ViewContext} ctx */
export function createPytorchCell(ctx) {
  const { t } = ctx;
  /** The text for the latest state, or null while the module refuses the inputs (the button is
   *  then disabled; the summary shows why). @type {string | null} */
  let latest = null;
  const id = uid("ctl");
  const cell = h("textarea", {
    id,
    readonly: true,
    rows: "14",
    spellcheck: "false",
    class: "pytorch-cell",
    dataset: { testid: "pytorch-cell" },
    hidden: true,
  });
  const label = h("label", { for: id, class: "sr-only", text: t("summary.pytorchCell") });
  const button = h("button", { type: "button", dataset: { testid: "copy-pytorch" }, text: t("summary.copyPytorch") });
  // The cell is written when asked for and stays in view, rewritten as the state changes.
  button.addEventListener("click", () => {
    if (latest === null) return;
    cell.hidden = false;
    cell.value = latest;
  });
  makeCopyButton(button, () => latest, { copied: t("summary.copied"), failed: t("summary.copyFailed") });
  const el = h(
    "div",
    { class: "pytorch" },
    h("div", { class: "button-row" }, button, h("small", { class: "help", text: t("summary.pytorchHelp") })),
    label,
    cell,
  );

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    latest = d.main ? pytorchCell(s, d.main) : null;
    button.disabled = latest === null;
    if (!cell.hidden && latest !== null) cell.value = latest;
    if (latest === null) cell.hidden = true;
  }
  return { el, update };
}
