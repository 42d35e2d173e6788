// The URL-state codec: views read readable field names, links keep the short keys they have always
// had. A shared link is a public format, so the keys and the text encodeState writes are pinned here.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SCHEMA,
  FIELDS,
  URL_KEYS,
  defaultState,
  decodeHash,
  encodeState,
  encodeJsonForm,
  checkState,
} from "../../www/js/state.js";

// Every key a published link may hold, in the order links are written.
const PUBLISHED_KEYS = [
  "view",
  "lang",
  "theme",
  "only",
  "vocab",
  "in",
  "logits",
  "labels",
  "eps",
  "ii",
  "shift",
  "sem",
  "red",
  "nib",
  "z",
  "cap",
  "temp",
  "pos",
  "oseq",
  "oplen",
  "opc",
  "orc",
  "oeps",
  "oseed",
  "oprob",
  "omp",
  "omt",
  "pp",
  "pl",
  "pg",
  "ppad",
  "pside",
  "pmul",
  "pstep",
  "bb",
  "bt",
  "bv",
  "bseed",
  "bscale",
  "beps",
  "bshift",
  "bbe",
  "bigmode",
  "bfn",
  "bfd",
  "bfv",
  "tcorpus",
  "tlayers",
  "tdmodel",
  "theads",
  "tctx",
  "tvocab",
  "tseed",
  "teps",
  "tlr",
  "tlr2",
  "tsteps",
  "tsteps2",
  "tbatch",
];

// A link that sets every field away from its default, as the app has always written it.
const EVERY_KEY =
  "view=train&lang=zh&theme=dark&only=grid&vocab=a,b%20c,%E4%B8%AD&in=2,0&logits=1,-2.5,inf;nan,0,-inf&labels=-100,1&eps=0.25&ii=-1" +
  "&shift=1&sem=torch&red=sum&nib=4&z=0.01&cap=30&temp=2.5&pos=1&oseq=1,4,6,2&oplen=2&opc=2.5&orc=7&oeps=0.1&oseed=9&oprob=0.5&omp=1.5&omt=2" +
  "&pp=1,2;3&pl=4;&pg=5,6&ppad=-1&pside=left&pmul=8&pstep=3&bb=2&bt=16&bv=1000&bseed=5&bscale=4&beps=0.2&bshift=1&bbe=cpu" +
  "&bigmode=fused&bfn=64&bfd=32&bfv=1000" +
  "&tcorpus=zh&tlayers=3&tdmodel=96&theads=6&tctx=32&tvocab=256&tseed=7&teps=0.1&tlr=0.001&tlr2=0.0005&tsteps=160&tsteps2=60&tbatch=8";

test("every published key is still read, in the published order, one field each", () => {
  // New keys may join; a published one never leaves or moves (links of old states keep their text).
  assert.deepEqual(
    URL_KEYS.filter((k) => PUBLISHED_KEYS.includes(k)),
    PUBLISHED_KEYS,
  );
  assert.equal(new Set(URL_KEYS).size, URL_KEYS.length, "two fields share a link key");
  assert.equal(FIELDS.length, URL_KEYS.length);
  for (const f of FIELDS) assert.equal(typeof SCHEMA[f].key, "string", f);
});

test("temperature: old links read T = 1 and leave it out; a set T round-trips; out of range is clamped", () => {
  const old = decodeHash("#eps=0.25&cap=30");
  assert.deepEqual(old.messages, []);
  assert.equal(old.state.temperature, 1);
  assert.equal(encodeState(old.state), "eps=0.25&cap=30");
  const hot = decodeHash("#temp=0.35");
  assert.equal(hot.state.temperature, 0.35);
  assert.equal(encodeState(hot.state), "temp=0.35");
  const far = decodeHash("#temp=50");
  assert.equal(far.state.temperature, 5);
  assert.ok(far.messages.length > 0, "a clamped value is reported");
});

test("a link with every key decodes to named fields and re-encodes byte for byte", () => {
  const { state, messages } = decodeHash(`#${EVERY_KEY}`);
  assert.deepEqual(messages, []);
  assert.equal(checkState(state), null);
  assert.deepEqual(Object.keys(state), FIELDS);
  const want = {
    ...defaultState(),
    view: "train",
    lang: "zh",
    theme: "dark",
    only: "grid",
    vocab: ["a", "b c", "中"],
    inputTokens: [2, 0],
    logits: [
      [1, -2.5, Infinity],
      [NaN, 0, -Infinity],
    ],
    labels: [-100, 1],
    epsilon: 0.25,
    ignoreIndex: -1,
    shiftLabels: true,
    semantics: "torch",
    reduction: "sum",
    numItemsInBatch: 4,
    zLossScale: 0.01,
    softcap: 30,
    temperature: 2.5,
    position: 1,
    objSequence: [1, 4, 6, 2],
    objPromptLength: 2,
    objPromptConfidence: 2.5,
    objResponseConfidence: 7,
    objEpsilon: 0.1,
    objMlmSeed: 9,
    objMlmProbability: 0.5,
    msePredictions: [1.5],
    mseTargets: [2],
    padPrompts: [[1, 2], [3]],
    padLabels: [[4], []],
    padGenerated: [[5, 6]],
    padTokenId: -1,
    paddingSide: "left",
    padToMultipleOf: 8,
    padStep: 3,
    bigBatch: 2,
    bigSeqLen: 16,
    bigVocab: 1000,
    bigSeed: 5,
    bigLogitScale: 4,
    bigEpsilon: 0.2,
    bigShiftLabels: true,
    bigBackend: "cpu",
    bigMode: "fused",
    bigTokens: 64,
    bigHidden: 32,
    bigFusedVocab: 1000,
    trainCorpus: "zh",
    trainLayers: 3,
    trainDModel: 96,
    trainHeads: 6,
    trainContext: 32,
    trainVocab: 256,
    trainSeed: 7,
    trainEpsilon: 0.1,
    trainLr: 0.001,
    trainSftLr: 0.0005,
    trainSteps: 160,
    trainSftSteps: 60,
    trainBatch: 8,
  };
  assert.deepEqual(state, want);
  assert.equal(encodeState(state), EVERY_KEY);
});

test("defaults stay out of the link; an edit writes its short key", () => {
  assert.equal(encodeState(defaultState()), "");
  const s = { ...defaultState(), ignoreIndex: -1, softcap: 30, trainSftSteps: 60 };
  assert.equal(encodeState(s), "ii=-1&cap=30&tsteps2=60");
  assert.equal(encodeState({ ...defaultState(), numItemsInBatch: null }), "");
  assert.equal(decodeHash("nib=none").state.numItemsInBatch, null);
});

test("the Big tensors view's mode: a link without bigmode keeps the logits view", () => {
  const old = decodeHash("#view=big&bb=2&bt=16&bv=1000");
  assert.deepEqual(old.messages, []);
  assert.equal(old.state.bigMode, "logits");
  const fused = decodeHash("#view=big&bigmode=fused&bfn=4096&bfd=128&bfv=50257");
  assert.deepEqual(fused.messages, []);
  assert.deepEqual(
    [fused.state.bigMode, fused.state.bigTokens, fused.state.bigHidden, fused.state.bigFusedVocab],
    ["fused", 4096, 128, 50257],
  );
  assert.equal(encodeState(fused.state), "view=big&bigmode=fused&bfn=4096&bfd=128&bfv=50257");
});

test("field names are not link keys, in either form", () => {
  const plain = decodeHash("ignoreIndex=-1&eps=0.3");
  assert.equal(plain.state.ignoreIndex, -100);
  assert.equal(plain.state.epsilon, 0.3);
  assert.deepEqual(
    plain.messages.map((m) => [m.code, m.key]),
    [["unknown-key", "ignoreIndex"]],
  );
  const json = decodeHash(encodeJsonForm({ ii: -1, epsilon: 0.3 }));
  assert.equal(json.state.ignoreIndex, -1);
  assert.equal(json.state.epsilon, 0.1);
  assert.deepEqual(
    json.messages.map((m) => [m.code, m.key]),
    [["unknown-key", "epsilon"]],
  );
});

test("messages name the key as the link wrote it", () => {
  const { state, messages } = decodeHash("tdmodel=60&theads=7&in=1,2,3&bb=2048&bt=2048&bv=262144&pos=99");
  assert.equal(state.trainHeads, 6);
  assert.equal(state.position, 5);
  assert.deepEqual(
    messages.map((m) => [m.code, m.key]),
    [
      ["clamped", "pos"],
      ["shape-fixed", "in"],
      ["not-divisor", "theads"],
      ["too-big", "bb×bt×bv"],
    ],
  );
});

test("checkState speaks of fields and refuses link keys", () => {
  assert.equal(checkState({ ...defaultState(), ii: -1 }), "unknown field ii");
  assert.equal(checkState({ ...defaultState(), trainHeads: 5 }), "trainHeads does not divide trainDModel");
  assert.equal(checkState({ ...defaultState(), semantics: "jax" }), "semantics: bad choice");
});

test("a token name with nothing left after cleaning takes its placeholder, says so, and round-trips", () => {
  // Found by the fuzzer: a lone blank name encoded as "vocab=", which decodes as an empty list.
  for (const hash of ["vocab=%00", "vocab=\u0001&in=0,0&logits=1;2", "vocab=a,,b"]) {
    const { state, messages } = decodeHash(hash);
    assert.ok(!state.vocab.includes(""), `${hash}: ${JSON.stringify(state.vocab)}`);
    assert.ok(
      messages.some((m) => m.code === "name-empty" && m.key === "vocab"),
      hash,
    );
    const again = decodeHash(encodeState(state));
    assert.deepEqual(again.messages, [], hash);
    assert.deepEqual(again.state, state, hash);
  }
  assert.deepEqual(decodeHash("vocab=a,,b").state.vocab.slice(0, 3), ["a", "t1", "b"]);
});
