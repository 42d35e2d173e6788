// DOM helpers that build nodes from properties and text only: data never passes through HTML parsing.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, props) {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.setAttribute("class", v);
    else if (k === "text") el.textContent = String(v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value" || k === "checked" || k === "disabled" || k === "selected") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

/** h("div", { class: "x", text: "hello" }, child, …) → HTMLElement. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** The SVG counterpart of h. */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces all children. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Sets a value on an input unless the user is typing in it (keeps the caret where it is). */
export function setValue(input, value) {
  const text = String(value);
  if (input.value === text) return;
  if (input.ownerDocument.activeElement === input || input.getRootNode().activeElement === input) {
    if (Number(input.value) === Number(text) && input.value !== "") return;
  }
  input.value = text;
}

let counter = 0;
/** Unique ids for label/for pairs, distinct across several widgets on one page. */
export const uid = (prefix) => `${prefix}-${++counter}`;
