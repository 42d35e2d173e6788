// The golden table through the JS API in Node, exactly as a user calls it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab, readJson } from "./load.mjs";
import { caseInput, check, errorFragment } from "../js/golden.mjs";

const cases = readJson("tests/golden/cases.json");

for (const kernel of /** @type {const} */ (["simd", "scalar"])) {
  for (const c of cases.crossEntropy) {
    test(`crossEntropy ${c.name} (${kernel})`, () => {
      const { input, options } = caseInput(losslab, c);
      if (c.error) {
        assert.throws(
          () => losslab.crossEntropy(input, { ...options, kernel }),
          (e) => e instanceof Error && errorFragment(c).test(e.message),
        );
        return;
      }
      const r = losslab.crossEntropy(input, { ...options, kernel });
      assert.equal(r.backend, `cpu-${kernel}`);
      assert.deepEqual(check(c, r), []);
    });
  }
}

for (const [i, c] of cases.padding.entries()) {
  test(`${c.fn} #${i}`, () => {
    const a = c.args;
    const call = () => {
      switch (c.fn) {
        case "padToTargetLen":
          return {
            data: losslab.padToTargetLen(Int32Array.from(a.src), a.dims, a.targetLen, a.padId),
            dims: [a.dims[0], a.targetLen],
          };
        case "alignLabels":
          return losslab.alignLabels(Int32Array.from(a.labels), a.dims, a.promptLen, a.padId);
        case "maskPrompt":
          return { data: losslab.maskPrompt(Int32Array.from(a.generated), a.dims, a.promptLen, a.padId), dims: a.dims };
        default:
          throw new Error(`no such padding function: ${c.fn}`);
      }
    };
    if (c.error) {
      assert.throws(call, /longer than targetLen/);
      return;
    }
    const out = call();
    assert.ok(out.data instanceof Int32Array);
    assert.deepEqual(Array.from(out.data), c.expected.data);
    assert.deepEqual(Array.from(out.dims), c.expected.dims);
  });
}
