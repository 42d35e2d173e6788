// A number box that says what it used: an entry outside the control's range (or a fraction where a
// whole number is needed) is clamped or rounded and applied, the typed text stays, and a note beside
// the control names the value in use. The note goes when the box and the state agree again.
import { h, setValue, uid } from "../dom.js";

/** @typedef {(key: string, params?: Record<string, unknown>) => string} Translate */
/**
 * What the box holds, read against the current range: the value to use and why it differs from the
 * entry (null when it does not); null when the text is no number.
 * @typedef {{ used: number | null, why: "above" | "below" | "integer" | null, x: number, min: number, max: number }} Reading
 */

/**
 * @param {HTMLInputElement} input
 * @param {{
 *   t: Translate,
 *   min: number | (() => number), max: number | (() => number),
 *   integer?: boolean, nullable?: boolean,
 *   apply: (x: number | null) => void,
 *   current: () => number | null,
 * }} opts
 * @returns {{ note: HTMLElement, sync: (value: number | null) => void }}
 */
export function boundNumber(input, { t, min, max, integer = false, nullable = false, apply, current }) {
  const note = h("small", {
    class: "clamp-note",
    id: uid("note"),
    role: "status",
    dataset: { testid: "clamp-note" },
    hidden: true,
  });
  input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), note.id].filter(Boolean).join(" "));
  const bound = (/** @type {number | (() => number)} */ b) => (typeof b === "function" ? b() : b);

  /** @param {string} raw @returns {Reading | null} */
  function read(raw) {
    const text = raw.trim();
    if (input.validity.badInput) return null;
    if (text === "") return nullable ? { used: null, why: null, x: NaN, min: NaN, max: NaN } : null;
    const x = Number(text);
    if (!Number.isFinite(x)) return null;
    const lo = bound(min);
    const hi = bound(max);
    let used = integer ? Math.round(x) : x;
    /** @type {Reading["why"]} */
    let why = used !== x ? "integer" : null;
    if (used < lo) [used, why] = [lo, "below"];
    else if (used > hi) [used, why] = [hi, "above"];
    return { used: used === 0 ? 0 : used, why, x, min: lo, max: hi };
  }

  /** @param {string | null} text */
  function say(text) {
    note.hidden = text === null;
    note.textContent = text ?? "";
    input.setAttribute("aria-invalid", text === null ? "false" : "true");
  }
  /** @param {Reading} r */
  const explain = (r) =>
    r.why === null
      ? null
      : t(r.why === "above" ? "msg.fieldAbove" : r.why === "below" ? "msg.fieldBelow" : "msg.fieldInteger", {
          x: r.x,
          min: r.min,
          max: r.max,
          used: r.used,
        });

  input.addEventListener("input", () => {
    const r = read(input.value);
    // Half-typed text ("-", "1e") is no number yet: marked, and explained once the entry is left.
    if (r === null) return input.setAttribute("aria-invalid", "true");
    keptFor = undefined;
    say(explain(r));
    apply(r.used);
  });
  /** The value in use when the box was left holding no number; undefined when it holds one. @type {number | null | undefined} */
  let keptFor;
  input.addEventListener("change", () => {
    if (read(input.value) !== null) return;
    keptFor = current();
    say(t("msg.fieldNotNumber", { used: keptFor ?? "—" }));
  });

  return {
    note,
    // The state's value into the box, unless the box already reads as that value (then the entry
    // and its note stay: "20" with "using 16" beside it).
    sync(value) {
      const r = read(input.value);
      if (r !== null && Object.is(r.used, value)) return say(explain(r));
      // "Not a number" stays until the value in use changes.
      if (r === null && keptFor !== undefined && Object.is(keptFor, value)) return;
      keptFor = undefined;
      setValue(input, value ?? "");
      say(null);
    },
  };
}
