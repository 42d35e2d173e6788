// Formatting for display: numbers with ≥ 7 significant digits for losses (float64 sums), float32
// results at their shortest exact form, words for non-finite values, and the message and code of
// whatever a failed call threw.

/** @param {number | null | undefined} x @param {number} [digits] */
export function fmt(x, digits = 7) {
  if (x === null || x === undefined) return "—";
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+∞";
  if (x === -Infinity) return "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e7) return x.toPrecision(digits);
  return x.toExponential(digits - 1);
}

/** Short form for dense tables (grids, traces). @param {number} x @param {number} [digits] */
export function short(x, digits = 4) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 2);
}

/**
 * A float32 value (an element of a Float32Array the module returned) as the shortest decimal that
 * reads back as the same float32: 0.07, where String(x) of the widened double gives
 * 0.07000000029802322 and 7 digits give 0.07000000. At most 9 significant digits are ever needed.
 * @param {number} x
 */
export function shortestF32(x) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+∞";
  if (x === -Infinity) return "−∞";
  if (x === 0) return "0";
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return tidy(s);
  }
  return tidy(f.toPrecision(9));
}

/** toPrecision's text without its padding: "7.000e-2" → "0.07"-style plain text where short enough. @param {string} s */
function tidy(s) {
  const x = Number(s);
  const a = Math.abs(x);
  // Plain notation over the range people read easily; exponent notation (trimmed) outside it.
  if (a >= 1e-4 && a < 1e7) return String(x);
  const [m, e] = x.toExponential().split("e");
  return `${m}e${e}`;
}

/** The exact value as a machine-readable string (data-value attributes for tests and copy). */
export const exact = (/** @type {number | null | undefined} */ x) => (x === null || x === undefined ? "" : String(x));

/** The module's error code of a thrown value (`dims`, `label-out-of-range`, …), or null. @param {unknown} e */
export function errorCode(e) {
  const code = typeof e === "object" && e !== null && "code" in e ? e.code : null;
  return code == null ? null : String(code);
}

/**
 * A refusal in the UI language: English shows the module's own message (it names the argument);
 * other languages show the sentence for its code, with the original kept for a title. Unknown
 * codes fall back to the original message.
 * @param {(key: string, params?: Record<string, unknown>) => string} t @param {string} lang
 * @param {string | null | undefined} code @param {string} message
 * @returns {{ text: string, original: string }}
 */
export function refusalText(t, lang, code, message) {
  const key = `msg.refusal.${code}`;
  const sentence = code ? t(key) : key;
  if (lang === "en" || sentence === key) return { text: message, original: message };
  return { text: sentence, original: message };
}

/** The message of a thrown value: its `message` when it has one, else the value as text. @param {unknown} e */
export function errorMessage(e) {
  const message = typeof e === "object" && e !== null && "message" in e ? e.message : undefined;
  return String(message ?? e);
}
