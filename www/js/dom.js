// DOM helpers that build nodes from properties and text only: data never passes through HTML parsing.

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * What h and s accept: `class`, `text` (textContent), `dataset`, `on…` listeners, the live
 * properties value/checked/disabled/selected, and any other attribute (true → present, and
 * undefined, null or false → left out).
 * @typedef {{
 *   class?: string, text?: string | number, dataset?: Record<string, string | undefined>,
 *   onclick?: (e: MouseEvent) => unknown, onkeydown?: (e: KeyboardEvent) => unknown,
 *   oninput?: (e: Event) => unknown, onchange?: (e: Event) => unknown,
 *   value?: string, checked?: boolean, disabled?: boolean, selected?: boolean,
 *   [attribute: string]: unknown,
 * }} Props
 */
/** A child: a node, text (numbers are written as text), nothing, or a list of children. @typedef {Node | string | number | null | undefined | false | Child[]} Child */

/** @param {HTMLElement | SVGElement} el @param {Props | undefined} props */
function apply(el, props) {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.setAttribute("class", String(v));
    else if (k === "text") el.textContent = String(v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function")
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === "value" || k === "checked" || k === "disabled" || k === "selected")
      /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el))[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

/**
 * h("div", { class: "x", text: "hello" }, child, …) → HTMLElement.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Props} [props] @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

/**
 * The SVG counterpart of h.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag @param {Props} [props] @param {Child[]} children
 * @returns {SVGElementTagNameMap[K]}
 */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** Appends children in order, lists flattened. @template {Element} E @param {E} el @param {Child[]} children @returns {E} */
export function append(el, children) {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c === null || c === undefined || c === false) continue;
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces all children. @template {Element} E @param {E} el @param {Child[]} children @returns {E} */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/**
 * Sets a value on an input unless the user is typing in it (keeps the caret where it is).
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} input @param {unknown} value
 */
export function setValue(input, value) {
  const text = String(value);
  if (input.value === text) return;
  const root = input.getRootNode();
  if (input.ownerDocument.activeElement === input || (root instanceof ShadowRoot && root.activeElement === input)) {
    if (Number(input.value) === Number(text) && input.value !== "") return;
  }
  input.value = text;
}

let counter = 0;
/** Unique ids for label/for pairs, distinct across several widgets on one page. */
export const uid = (/** @type {string} */ prefix) => `${prefix}-${++counter}`;
