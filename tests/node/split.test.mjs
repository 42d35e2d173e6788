// A call split by logits rows (crossEntropyRows on each range, crossEntropyFromRows over all of
// them) returns what one crossEntropy call returns, bit for bit, gradient included, however the
// rows are cut; and malformed ranges are refused by name. The same split across real workers is
// checked in Chromium (tests/browser, CrossEntropyWorkers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { losslab } from "./load.mjs";
import { SPLIT_CASES, gradientDifferences, resultDifferences, splitInput } from "../js/split.mjs";

/** Cuts `rows` logits rows: whole, in two, unevenly with an empty range, one row each. @param {number} rows */
const cuttings = (rows) => [
  [0, rows],
  [0, rows >> 1, rows],
  [0, 1, 1, rows - 2, rows],
  Array.from({ length: rows + 1 }, (_, i) => i),
];

for (const c of SPLIT_CASES) {
  test(`split by rows = one call, bit for bit: ${c.name}`, () => {
    const input = splitInput(losslab, c);
    const rows = c.dims[0] * c.dims[1];
    const want = losslab.crossEntropy(input, c.options);
    for (const cuts of cuttings(rows)) {
      const gradInto = c.options.grad ? new Float32Array(input.logits.length).fill(NaN) : undefined;
      // Ranges computed last to first, as workers may finish in any order.
      const ranges = [];
      for (let i = cuts.length - 2; i >= 0; i--) {
        ranges.push(losslab.crossEntropyRows({ ...input, gradInto }, c.options, cuts[i], cuts[i + 1]));
      }
      const got = losslab.crossEntropyFromRows({ dims: input.dims, labels: input.labels }, c.options, ranges);
      // The gradient is in gradInto, compared below.
      assert.deepEqual(resultDifferences(got, want, ["grad"]), [], `cuts ${cuts}`);
      if (gradInto)
        assert.deepEqual(gradientDifferences(gradInto, /** @type {Float32Array} */ (want.grad)), [], `cuts ${cuts}`);
    }
  });
}

test("crossEntropyRows and crossEntropyFromRows refuse what does not fit, by name", () => {
  const c = SPLIT_CASES[0];
  const input = splitInput(losslab, c);
  const { dims, labels } = input;
  const rows = dims[0] * dims[1];
  const whole = losslab.crossEntropyRows(input, c.options, 0, rows);
  const first = losslab.crossEntropyRows(input, c.options, 0, 5);
  /** @type {[() => unknown, RegExp][]} */
  const cases = [
    [() => losslab.crossEntropyRows(input, c.options, 5, 2), /rows \[5, 2\) must lie within the 18 logits rows/],
    [() => losslab.crossEntropyRows(input, c.options, 0, rows + 1), /must lie within the 18 logits rows/],
    [() => losslab.crossEntropyRows(input, c.options, -1, 2), /start must be an integer/],
    [() => losslab.crossEntropyRows(input, { grad: true }, 0, 2), /needs gradInto/],
    [
      () => losslab.crossEntropyRows({ ...input, logits: new Float32Array(3) }, c.options, 0, 2),
      /logits has 3 elements/,
    ],
    [
      () => losslab.crossEntropyFromRows({ dims, labels }, c.options, [first]),
      /position \d+ \(logits row \d+\) is in none of the ranges/,
    ],
    [
      () => losslab.crossEntropyFromRows({ dims, labels }, c.options, [whole, first]),
      /position 0 appears in two ranges/,
    ],
    [() => losslab.crossEntropyFromRows({ dims, labels }, c.options, [new Float64Array(5)]), /not a multiple of 9/],
    [
      () => losslab.crossEntropyFromRows({ dims, labels }, c.options, [Float64Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0)]),
      /position 1, which these labels and options do not score/,
    ],
    [
      () => losslab.crossEntropyFromRows({ dims, labels }, c.options, /** @type {any} */ ([[1, 2]])),
      /ranges\[0\] must be a Float64Array/,
    ],
    [
      () => losslab.crossEntropyFromRows({ dims, labels }, c.options, /** @type {any} */ (whole)),
      /ranges must be an array/,
    ],
    [() => losslab.crossEntropyFromRows({ ...input }, c.options, [whole]), /logits/],
  ];
  for (const [call, message] of cases) assert.throws(call, (e) => e instanceof Error && message.test(e.message));
  // Every refusal left the module usable.
  assert.deepEqual(
    resultDifferences(
      losslab.crossEntropyFromRows({ dims, labels }, c.options, [whole]),
      losslab.crossEntropy(input, c.options),
    ),
    [],
  );
});
