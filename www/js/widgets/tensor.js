// Small tensor displays (a shape line plus a table or a row of values) for traces and step-throughs.
import { h } from "../dom.js";
import { short, shortestF32 } from "../format.js";

/**
 * The default format of the views below. The tensors shown are the module's Float32Arrays (or
 * logits it reads as float32): each at its shortest exact decimal, 0.07 and not 0.06999999.
 * @param {unknown} v
 */
const f32Number = (v) => shortestF32(Number(v));

/**
 * A 1-D tensor as a row of cells. `cls(i, v)` may add a class per cell.
 * @template V
 * @param {ArrayLike<V>} values
 * @param {{ shape?: string, format?: (v: V) => string, cls?: (i: number, v: V) => string, label?: string }} [options]
 */
export function vectorView(values, { shape, format = f32Number, cls, label } = {}) {
  return h(
    "div",
    { class: "tensor" },
    shape ? h("span", { class: "shape", text: shape }) : null,
    h(
      "div",
      { class: "vector", role: "list", "aria-label": label ?? shape ?? "" },
      Array.from(values, (v, i) =>
        h("span", { role: "listitem", class: "cell " + (cls?.(i, v) ?? ""), text: format(v) }),
      ),
    ),
  );
}

/**
 * A 2-D tensor (array of rows) as a table; `rowLabel(r)`/`colLabel(c)` optional headers.
 * @template V
 * @param {ArrayLike<V>[]} rows
 * @param {{ shape?: string, format?: (v: V) => string, cls?: (r: number, c: number, v: V) => string, rowLabel?: (r: number) => string, colLabel?: (c: number) => string, label?: string }} [options]
 */
export function matrixView(rows, { shape, format = f32Number, cls, rowLabel, colLabel, label } = {}) {
  const cols = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const head = colLabel
    ? h(
        "tr",
        {},
        rowLabel ? h("td", {}) : null,
        Array.from({ length: cols }, (_, c) => h("th", { scope: "col", text: colLabel(c) })),
      )
    : null;
  const body = rows.map((row, r) =>
    h(
      "tr",
      {},
      rowLabel ? h("th", { scope: "row", text: rowLabel(r) }) : null,
      Array.from({ length: cols }, (_, c) => {
        const v = row[c];
        return h("td", {
          class: "cell " + (v === undefined ? "absent" : (cls?.(r, c, v) ?? "")),
          text: v === undefined ? "" : format(v),
        });
      }),
    ),
  );
  return h(
    "div",
    { class: "tensor" },
    shape ? h("span", { class: "shape", text: shape }) : null,
    h(
      "div",
      { class: "scroll-x", tabindex: "0", role: "region", "aria-label": label ?? shape ?? "tensor" },
      h("table", { class: "matrix" }, head ? h("thead", {}, head) : null, h("tbody", {}, body)),
    ),
  );
}

/**
 * A scalar result.
 * @param {number} value @param {{ format?: (v: number) => string, label?: string, testid?: string }} [options]
 */
export function scalarView(value, { format = short, label, testid } = {}) {
  return h(
    "div",
    { class: "tensor" },
    label ? h("span", { class: "shape", text: label }) : null,
    h("output", {
      class: "scalar",
      dataset: testid ? { testid, value: String(value) } : undefined,
      text: format(value),
    }),
  );
}
