// The error contract: each row is a call that must throw an Error whose message contains the
// fragment. Environment-agnostic: Node and the browser suites run the same table. After every
// row, a normal call must still return the right answer (the module keeps working).

/** The loss API (Node passes the glue module, the browser suites the package entry). @typedef {typeof import("../../pkg/losslab.js")} Losslab */

const f32 = (/** @type {number} */ n, fill = 0.5) => new Float32Array(n).fill(fill);
const i32 = (/** @type {number[]} */ ...xs) => Int32Array.from(xs);
const ok = () => ({ logits: f32(2 * 3 * 4), dims: [2, 3, 4], labels: i32(0, 1, 2, 3, -100, 1) });
/** A valid linearCrossEntropy input: N 2, D 3, V 4, with a bias. */
const lin = () => ({ hidden: f32(2 * 3), dims: [2, 3, 4], weight: f32(4 * 3), bias: f32(4), labels: i32(0, 3) });

// Each call passes what the types forbid on purpose: the module must refuse it at run time.
/** [description, (losslab) => call, message fragment (RegExp)] @type {[string, (l: any) => unknown, RegExp][]} */
export const badInputs = [
  [
    "dims disagree with logits length",
    (l) => l.crossEntropy({ ...ok(), dims: [2, 3, 5] }),
    /logits has 24 elements but dims \[2, 3, 5\] need 30/,
  ],
  [
    "labels length wrong",
    (l) => l.crossEntropy({ ...ok(), labels: i32(0, 1) }),
    /labels has 2 elements but dims \[2, 3\] need 6/,
  ],
  ["dims not integers", (l) => l.crossEntropy({ ...ok(), dims: [2, 3.5, 4] }), /dims must be non-negative integers/],
  ["dims negative", (l) => l.crossEntropy({ ...ok(), dims: [-2, 3, 4] }), /dims must be non-negative integers/],
  ["dims NaN", (l) => l.crossEntropy({ ...ok(), dims: [NaN, 3, 4] }), /dims must be non-negative integers/],
  ["dims overflow", (l) => l.crossEntropy({ ...ok(), dims: [65536, 65536, 2] }), /more than 2\^32 elements/],
  ["dims of rank 1", (l) => l.crossEntropy({ ...ok(), dims: [24] }), /dims must be \[B, T, V\] or \[N, V\]/],
  [
    "dims not an array",
    (l) => l.crossEntropy({ ...ok(), dims: "2,3,4" }),
    /dims must be an array of numbers, got a string/,
  ],
  [
    "B of 0",
    (l) => l.crossEntropy({ logits: f32(0), dims: [0, 3, 4], labels: i32() }),
    /B \(batch size\) must be at least 1/,
  ],
  [
    "T of 0",
    (l) => l.crossEntropy({ logits: f32(0), dims: [2, 0, 4], labels: i32() }),
    /T \(sequence length\) must be at least 1/,
  ],
  [
    "V of 0",
    (l) => l.crossEntropy({ logits: f32(0), dims: [2, 3, 0], labels: i32(0, 0, 0, 0, 0, 0) }),
    /V \(vocabulary size\) must be at least 1/,
  ],
  [
    "label equal to V",
    (l) => l.crossEntropy({ ...ok(), labels: i32(0, 1, 4, 3, 0, 1) }),
    /label 4 at position 2 is out of range/,
  ],
  [
    "negative label in torch",
    (l) => l.crossEntropy(ok2(-1), { semantics: "torch" }),
    /label -1 at position 1 is out of range/,
  ],
  [
    "epsilon above 1 in torch",
    (l) => l.crossEntropy(ok(), { semantics: "torch", epsilon: 1.5 }),
    /epsilon 1.5 is out of range/,
  ],
  [
    "epsilon below 0 in torch",
    (l) => l.crossEntropy(ok(), { semantics: "torch", epsilon: -0.1 }),
    /epsilon -0.1 is out of range/,
  ],
  ["epsilon NaN", (l) => l.crossEntropy(ok(), { epsilon: NaN }), /epsilon must be a finite number/],
  [
    "grad with reduction none",
    (l) => l.crossEntropy(ok(), { semantics: "torch", reduction: "none", grad: true }),
    /grad: true needs a scalar loss/,
  ],
  ["reduction sum in hf", (l) => l.crossEntropy(ok(), { reduction: "sum" }), /need semantics "torch"/],
  [
    "class weights in hf",
    (l) => l.crossEntropy(ok(), { classWeights: [1, 1, 1, 1] }),
    /classWeights need semantics "torch"/,
  ],
  [
    "class weights of the wrong length",
    (l) => l.crossEntropy(ok(), { semantics: "torch", classWeights: [1, 1] }),
    /classWeights must be one weight per class/,
  ],
  [
    "unknown option key",
    (l) => l.crossEntropy(ok(), { epsilonn: 0.1 }),
    /unknown key "epsilonn" in options; expected one of: semantics, epsilon/,
  ],
  [
    "option of the wrong type, named",
    (l) => l.crossEntropy(ok(), { epsilon: "0.1" }),
    /invalid options\.epsilon: .*expected f64/,
  ],
  [
    "unknown semantics",
    (l) => l.crossEntropy(ok(), { semantics: "jax" }),
    /semantics must be "hf" or "torch", got "jax"/,
  ],
  ["ignoreIndex not an integer", (l) => l.crossEntropy(ok(), { ignoreIndex: 1.5 }), /ignoreIndex must be an integer/],
  [
    "numItemsInBatch of 0",
    (l) => l.crossEntropy(ok(), { numItemsInBatch: 0 }),
    /numItemsInBatch must be a positive number/,
  ],
  ["softcap of 0", (l) => l.crossEntropy(ok(), { softcap: 0 }), /softcap must be a positive finite number/],
  ["options not an object", (l) => l.crossEntropy(ok(), 0.1), /options must be an object, got a number/],
  [
    "logits as Float64Array",
    (l) => l.crossEntropy({ ...ok(), logits: new Float64Array(24) }),
    /logits must be a Float32Array or an F32Buffer, got a Float64Array/,
  ],
  [
    "logits as a plain array",
    (l) => l.crossEntropy({ ...ok(), logits: Array(24).fill(0) }),
    /logits must be a Float32Array or an F32Buffer, got an Array/,
  ],
  [
    "labels as Float32Array",
    (l) => l.crossEntropy({ ...ok(), labels: new Float32Array(6) }),
    /labels must be an Int32Array, got a Float32Array/,
  ],
  [
    "unknown input key",
    (l) => l.crossEntropy({ ...ok(), label: i32(0) }),
    /unknown key "label" in input; expected one of: logits, dims, labels/,
  ],
  ["input missing", (l) => l.crossEntropy(undefined), /input must be an object, got undefined/],
  ["padToTargetLen shorter target", (l) => l.padToTargetLen(i32(1, 2, 3), [1, 3], 2, 0), /longer than targetLen 2/],
  [
    "padToTargetLen pad id not an integer",
    (l) => l.padToTargetLen(i32(1, 2, 3), [1, 3], 4, 0.5),
    /padId must be an integer/,
  ],
  [
    "alignLabels dims mismatch",
    (l) => l.alignLabels(i32(1, 2, 3), [2, 2], 3, 0),
    /labels has 3 elements but dims \[2, 2\] need 4/,
  ],
  ["maskPrompt negative prompt", (l) => l.maskPrompt(i32(1, 2), [1, 2], -1, 0), /promptLen must be an integer in \[0/],
  [
    "collate with mixed labels",
    (l) => l.collate([{ inputIds: [1], labels: [1] }, { inputIds: [2] }]),
    /either every example has labels or none does/,
  ],
  [
    "collate unknown side",
    (l) => l.collate([{ inputIds: [1] }], { paddingSide: "up" }),
    /paddingSide must be "right" or "left"/,
  ],
  ["mlmMask without vocabSize", (l) => l.mlmMask(i32(1, 2), [1, 2], { maskTokenId: 3 }), /vocabSize must be given/],
  ["mse length mismatch", (l) => l.mse(f32(3), f32(2)), /target has 2 elements but dims \[3\] need 3/],
  ["temperature 0", (l) => l.crossEntropy(ok(), { temperature: 0 }), /temperature must be a positive finite number/],
  ["temperature -1", (l) => l.crossEntropy(ok(), { temperature: -1 }), /temperature must be a positive finite number/],
  [
    "temperature NaN",
    (l) => l.crossEntropy(ok(), { temperature: NaN }),
    /temperature must be a positive finite number/,
  ],
  [
    "temperature Infinity",
    (l) => l.crossEntropy(ok(), { temperature: Infinity }),
    /temperature must be a positive finite number/,
  ],
  ["temperature a string", (l) => l.crossEntropy(ok(), { temperature: "2" }), /options\.temperature/],
  ["stats not an array", (l) => l.crossEntropy(ok(), { stats: "entropy" }), /options\.stats/],
  [
    "stats with an unknown name",
    (l) => l.crossEntropy(ok(), { stats: ["entropy", "argmax"] }),
    /stats must be an array of "entropy", "rank", "lse" or "predicted", got "argmax"/,
  ],
  // Requests beyond what 32-bit wasm memory can hold: an Error, and the module keeps working.
  // (A Float32Array streams through a window of rows, so only a single row too large for it fails.)
  [
    "a logits row too large for wasm memory",
    (l) =>
      l.crossEntropy({ logits: new Float32Array(600_000_000), dims: [1, 1, 600_000_000], labels: new Int32Array(1) }),
    /not enough memory for the logits window: 2400000000 bytes/,
  ],
  ["billions of empty rows", (l) => l.padToTargetLen(i32(), [2147483648, 0], 5, 0), /beyond one wasm allocation/],
  ["F32Buffer too large for wasm memory", (l) => new l.F32Buffer(600_000_000), /not enough memory for an F32Buffer/],
  [
    "hashLogits too large for wasm memory",
    (l) => l.hashLogits(600_000_000, 1, 8),
    /not enough memory for hashed logits/,
  ],
  // linearCrossEntropy: the layer's tensors, named.
  [
    "linear: weight missing",
    (l) => l.linearCrossEntropy({ ...lin(), weight: undefined }),
    /weight must be a Float32Array or an F32Buffer, got undefined/,
  ],
  [
    "linear: hidden not a Float32Array",
    (l) => l.linearCrossEntropy({ ...lin(), hidden: [0, 0, 0, 0, 0, 0] }),
    /hidden must be a Float32Array or an F32Buffer, got an Array/,
  ],
  [
    "linear: hidden of the wrong length",
    (l) => l.linearCrossEntropy({ ...lin(), hidden: f32(5) }),
    /hidden has 5 elements but dims \[1, 2, 3\] need 6/,
  ],
  [
    "linear: weight of the wrong length",
    (l) => l.linearCrossEntropy({ ...lin(), weight: f32(11) }),
    /weight has 11 elements but dims \[4, 3\] need 12/,
  ],
  [
    "linear: bias of the wrong length",
    (l) => l.linearCrossEntropy({ ...lin(), bias: f32(3) }),
    /bias has 3 elements but dims \[4\] need 4/,
  ],
  [
    "linear: labels of the wrong length",
    (l) => l.linearCrossEntropy({ ...lin(), labels: i32(0) }),
    /labels has 1 elements but dims \[1, 2\] need 2/,
  ],
  [
    "linear: dims of the wrong arity",
    (l) => l.linearCrossEntropy({ ...lin(), dims: [2, 12] }),
    /dims must be \[B, T, D, V\] or \[N, D, V\]/,
  ],
  [
    "linear: huge dims",
    (l) => l.linearCrossEntropy({ ...lin(), dims: [65536, 65536, 2, 4] }),
    /more than 2\^32 elements/,
  ],
  [
    "linear: D of 0",
    (l) => l.linearCrossEntropy({ ...lin(), dims: [2, 0, 4] }),
    /D \(hidden size\) must be at least 1/,
  ],
  [
    "linear: an unknown input key",
    (l) => l.linearCrossEntropy({ ...lin(), logits: f32(8) }),
    /unknown key "logits" in input/,
  ],
  [
    "linear: label out of range",
    (l) => l.linearCrossEntropy({ ...lin(), labels: i32(0, 4) }),
    /label 4 at position 1 is out of range/,
  ],
];

/**
 * Inputs that are not errors but edge cases with PyTorch's answer: [description, call, check].
 * @type {[string, (l: Losslab) => import("../../pkg/index.js").CrossEntropyResult, (r: import("../../pkg/index.js").CrossEntropyResult) => boolean][]}
 */
export const edgeInputs = [
  [
    "NaN logit: NaN loss, explained",
    (l) => l.crossEntropy({ logits: Float32Array.from([1, NaN, 2, 0.5, 0.5, 0.5]), dims: [2, 3], labels: i32(0, 1) }),
    (r) => Number.isNaN(r.loss) && r.notes.some((n) => n.code === "nan-logit" && n.position === 0),
  ],
  [
    "+inf logit: NaN loss, explained",
    (l) => l.crossEntropy({ logits: Float32Array.from([1, Infinity, 2]), dims: [1, 3], labels: i32(0) }),
    (r) => Number.isNaN(r.loss) && r.notes.some((n) => n.code === "positive-infinity"),
  ],
  [
    "-inf logit away from the label: +inf loss for ε > 0",
    (l) => l.crossEntropy({ logits: Float32Array.from([1, -Infinity, 2]), dims: [1, 3], labels: i32(0) }),
    (r) => r.loss === Infinity && Number.isFinite(r.nll) && r.notes.some((n) => n.code === "negative-infinity"),
  ],
  [
    "-inf logit, torch at ε = 0: finite, as PyTorch skips the smoothing term",
    (l) =>
      l.crossEntropy(
        { logits: Float32Array.from([1, -Infinity, 2]), dims: [1, 3], labels: i32(0) },
        { semantics: "torch", epsilon: 0 },
      ),
    (r) => Number.isFinite(r.loss) && r.smooth === Infinity,
  ],
  [
    "negative label in hf: class 0 and counted, as LabelSmoother clamps",
    (l) =>
      l.crossEntropy(
        { logits: Float32Array.from([3, 1, 2, 0.5, 0.5, 0.5]), dims: [2, 3], labels: i32(-1, -100) },
        { epsilon: 0 },
      ),
    (r) =>
      r.numActive === 1 &&
      r.loss !== null &&
      Math.abs(r.loss - (Math.log(Math.exp(3) + Math.exp(1) + Math.exp(2)) - 3)) < 1e-6 &&
      r.notes.some((n) => n.code === "clamped-label"),
  ],
  [
    "every label ignored: NaN, explained as 0 / 0",
    (l) => l.crossEntropy({ logits: f32(6), dims: [2, 3], labels: i32(-100, -100) }),
    (r) => Number.isNaN(r.loss) && r.numActive === 0 && r.notes[0].code === "all-ignored",
  ],
  [
    "every label ignored: accuracy and perplexity NaN",
    (l) => l.crossEntropy({ logits: f32(6), dims: [2, 3], labels: i32(-100, -100) }, { stats: ["rank", "entropy"] }),
    (r) =>
      Number.isNaN(r.accuracy) &&
      Number.isNaN(r.perplexity) &&
      Array.from(r.perTokenRank ?? [1]).every((x) => x === 0) &&
      Array.from(r.perTokenEntropy ?? [0]).every(Number.isNaN),
  ],
  [
    "NaN logit: predicted is the first NaN (torch.argmax), entropy NaN",
    (l) =>
      l.crossEntropy(
        { logits: Float32Array.from([1, NaN, 2, NaN]), dims: [1, 4], labels: i32(2) },
        { stats: ["predicted", "entropy"] },
      ),
    (r) => r.predicted?.[0] === 1 && Number.isNaN(r.perTokenEntropy?.[0]) && r.accuracy === 0,
  ],
];

/** @param {number} bad */
function ok2(bad) {
  return { logits: f32(1 * 3 * 4), dims: [1, 3, 4], labels: i32(0, bad, 2) };
}

/** A call whose answer is known: uniform logits give loss ln V whatever ε. @param {Losslab} losslab */
export function sanity(losslab) {
  const r = losslab.crossEntropy(ok(), { grad: true });
  return { loss: r.loss ?? NaN, want: Math.log(4) };
}
