// Display formatting: float32 results at their shortest exact decimal, refusals in the UI language.
import { test } from "node:test";
import assert from "node:assert/strict";
import { shortestF32, fmt, refusalText } from "../../www/js/format.js";

/** Significant digits of a plain or exponent decimal (the text shortestF32 writes never pads). @param {string} s */
const digitsOf = (s) =>
  s
    .replace(/^-/, "")
    .split("e")[0]
    .replace(".", "")
    .replace(/^0+|0+$/g, "").length;

test("shortestF32: the decimals people wrote come back as written", () => {
  assert.equal(shortestF32(Math.fround(0.07)), "0.07");
  assert.equal(shortestF32(Math.fround(0.1)), "0.1");
  assert.equal(shortestF32(Math.fround(-2.5)), "-2.5");
  assert.equal(shortestF32(Math.fround(65504)), "65504");
  assert.equal(shortestF32(Math.fround(1 / 3)), "0.33333334");
  assert.equal(shortestF32(Math.fround(1e-8)), "1e-8");
  assert.equal(shortestF32(0), "0");
  assert.equal(shortestF32(NaN), "NaN");
  assert.equal(shortestF32(Infinity), "+∞");
  // fmt's 7 digits pad a float32 0.07 with zeros; String() shows the widened double's tail.
  assert.equal(fmt(Math.fround(0.07)), "0.07000000");
  assert.equal(String(Math.fround(0.07)), "0.07000000029802322");
});

test("shortestF32: round-trips every float32 and no shorter decimal would", () => {
  const bits = new Uint32Array(1);
  const f32 = new Float32Array(bits.buffer);
  let seed = 12345;
  for (let i = 0; i < 50000; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    bits[0] = seed;
    const x = f32[0];
    if (!Number.isFinite(x) || x === 0) continue;
    const s = shortestF32(x);
    assert.equal(Math.fround(Number(s)), x, `${s} does not read back as ${x}`);
    const p = digitsOf(s);
    if (p > 1) assert.notEqual(Math.fround(Number(x.toPrecision(p - 1))), x, `${s}: ${p - 1} digits would do`);
  }
});

test("refusalText: English keeps the module's message, Chinese says it by code with the original kept", () => {
  /** @param {string} k */
  const zh = (k) => ({ "msg.refusal.dims": "形状不对。" })[k] ?? k;
  assert.deepEqual(refusalText(zh, "en", "dims", "dims must be …"), {
    text: "dims must be …",
    original: "dims must be …",
  });
  assert.deepEqual(refusalText(zh, "zh", "dims", "dims must be …"), { text: "形状不对。", original: "dims must be …" });
  // A code without a sentence falls back to the message rather than showing a key.
  assert.deepEqual(refusalText(zh, "zh", "new-code", "m"), { text: "m", original: "m" });
  assert.deepEqual(refusalText(zh, "zh", null, "m"), { text: "m", original: "m" });
});
