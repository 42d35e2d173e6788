// Formatting for display: numbers with ≥ 7 significant digits for losses and words for non-finite
// values, and the message of whatever a failed call threw.

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

/** The exact value as a machine-readable string (data-value attributes for tests and copy). */
export const exact = (/** @type {number | null | undefined} */ x) => (x === null || x === undefined ? "" : String(x));

/** The message of a thrown value: its `message` when it has one, else the value as text. @param {unknown} e */
export function errorMessage(e) {
  const message = typeof e === "object" && e !== null && "message" in e ? e.message : undefined;
  return String(message ?? e);
}
