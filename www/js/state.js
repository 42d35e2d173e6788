// The whole UI state: its schema, defaults, and the URL-hash codec (decode never throws).
// Pure JS with no DOM, so Node tests and the fuzzer import it directly.

export const LIMITS = Object.freeze({
  hashChars: 65536, // a longer hash is refused whole
  pairs: 96, // key=value pairs read from one hash
  T: 16, // playground positions
  V: 16, // playground vocabulary
  nameChars: 16,
  logit: 1e5, // |logit| above this is clamped (fp16 tops out at 65504)
  label: 1e6,
  seqLen: 24, // objectives sequence
  mse: 8,
  batch: 6, // padding view rows
  rowLen: 16,
  bigElements: 1 * 2048 * 32000,
  // Train view: caps that keep a run in a browser tab to minutes (the trainer itself allows more).
  trainLayers: 4,
  trainDModel: 128,
  trainHeads: 8,
  trainContext: 128,
  trainVocab: 512,
  trainSteps: 2000,
  trainBatch: 32,
});

// Field kinds. Each names the field's key in the link first (a public format: shared links must
// keep working, so a key never changes once published), then the values it takes and its default.
// Each parser gets tokens (strings), returns { value } or { error, value? , clamped }.
/**
 * @template {string} V
 * @param {string} key @param {readonly V[]} values @param {NoInfer<V>} def
 */
const enumOf = (key, values, def) => ({ key, kind: /** @type {const} */ ("enum"), values, def });
/** @param {string} key @param {number} min @param {number} max @param {number} def @param {{ integer?: boolean }} [opts] */
const num = (key, min, max, def, opts = {}) => ({
  key,
  kind: /** @type {const} */ ("num"),
  min,
  max,
  def,
  integer: !!opts.integer,
  nullable: false,
});
/** A number that may be absent ("none" in the link, null in the state), which is its default. */
const optionalNum = (/** @type {string} */ key, /** @type {number} */ min, /** @type {number} */ max) => ({
  key,
  kind: /** @type {const} */ ("num"),
  min,
  max,
  def: /** @type {number | null} */ (null),
  integer: false,
  nullable: true,
});
/** @param {string} key @param {number} min @param {number} max @param {number} def */
const int = (key, min, max, def) => num(key, min, max, def, { integer: true });
/** @param {string} key @param {boolean} def */
const bool = (key, def) => ({ key, kind: /** @type {const} */ ("bool"), def });
/** @param {string} key @param {string[]} def */
const names = (key, def) => ({ key, kind: /** @type {const} */ ("names"), def });
/** @param {string} key @param {number} min @param {number} max @param {number} maxLen @param {number[]} def */
const ints = (key, min, max, maxLen, def) => ({ key, kind: /** @type {const} */ ("ints"), min, max, maxLen, def });
/** @param {string} key @param {number} min @param {number} max @param {number} maxLen @param {number[]} def */
const nums = (key, min, max, maxLen, def) => ({ key, kind: /** @type {const} */ ("nums"), min, max, maxLen, def });
/**
 * @param {string} key
 * @param {{ maxRows: number, maxCols: number, min: number, max: number, integer?: boolean, nonFinite?: boolean, ragged?: boolean }} opts
 * @param {number[][]} def
 */
const matrix = (key, opts, def) => ({
  key,
  kind: /** @type {const} */ ("matrix"),
  integer: false,
  nonFinite: false,
  ragged: false,
  ...opts,
  def,
});

export const DEFAULT_VOCAB = ["Q:", "sky", "color", "?", "A:", "blue", "red", "</s>"];
// The default example: "Q: sky color ? A: blue </s>". Row t has seen in[t] and should predict
// labels[t]; the prompt rows are unsure, the response rows confident (as a tuned model would be).
const DEFAULT_LOGITS = [
  [0.2, 1.5, 0.8, -0.5, -1.0, 0.3, 0.1, -1.2],
  [-0.8, -0.2, 1.1, 0.6, -0.4, 0.2, 0.0, -0.6],
  [-0.5, -0.9, -0.3, 2.0, 0.4, -0.2, -0.4, 0.1],
  [-1.0, -0.7, -1.2, -0.4, 3.2, 0.1, -0.3, 0.2],
  [-1.5, 0.3, -0.8, -1.1, -0.9, 3.5, 1.9, -0.7],
  [-1.1, -0.6, -1.4, 0.2, -1.3, -0.5, -1.0, 3.0],
];

// Objectives view vocabulary: specials first, as tokenizers do.
export const OBJ_VOCAB = [
  "<pad>",
  "<s>",
  "</s>",
  "[MASK]",
  "Q:",
  "A:",
  "what",
  "color",
  "is",
  "the",
  "sky",
  "?",
  "blue",
  "red",
  ".",
];
export const OBJ_SPECIAL = { pad: 0, bos: 1, eos: 2, mask: 3 };

/**
 * Every field of the UI state, by the name views and widgets use, with its key in the link (the
 * `key` argument: short, and fixed once published), its kind, limits and default. The order is the
 * order of the pairs in the links encodeState writes.
 */
export const SCHEMA = {
  view: enumOf("view", ["playground", "objectives", "padding", "big", "train"], "playground"),
  lang: enumOf("lang", ["en", "zh"], "en"),
  theme: enumOf("theme", ["auto", "light", "dark"], "auto"),
  only: enumOf(
    "only",
    [
      "",
      "grid",
      "summary",
      "dist",
      "heatmap",
      "curve",
      "formula",
      "trace",
      "train-curves",
      "train-table",
      "train-tokens",
      "train-samples",
      "train-data",
    ],
    "",
  ),
  // Playground
  vocab: names("vocab", DEFAULT_VOCAB),
  inputTokens: ints("in", 0, LIMITS.V - 1, LIMITS.T, [0, 1, 2, 3, 4, 5]),
  logits: matrix(
    "logits",
    { maxRows: LIMITS.T, maxCols: LIMITS.V, min: -LIMITS.logit, max: LIMITS.logit, nonFinite: true },
    DEFAULT_LOGITS,
  ),
  labels: ints("labels", -LIMITS.label, LIMITS.label, LIMITS.T, [1, 2, 3, 4, 5, 7]),
  epsilon: num("eps", -10, 10, 0.1),
  ignoreIndex: int("ii", -LIMITS.label, LIMITS.label, -100),
  shiftLabels: bool("shift", false),
  semantics: enumOf("sem", ["hf", "torch"], "hf"),
  reduction: enumOf("red", ["mean", "sum", "none"], "mean"),
  numItemsInBatch: optionalNum("nib", 1e-6, 1e9),
  zLossScale: num("z", 0, 10, 0),
  softcap: optionalNum("cap", 1e-3, 1e5),
  // Logits are divided by it before everything else (1: unchanged, and left out of links).
  temperature: num("temp", 0.1, 5, 1),
  // torch class weights, one per vocabulary entry; empty means unweighted.
  classWeights: nums("cw", -1e6, 1e6, LIMITS.V, []),
  position: int("pos", 0, LIMITS.T - 1, 4),
  // The prompt: its first N input tokens (default "Q: sky color ? A:"); while the prompt is masked,
  // the labels as they were before (restored when the mask is taken off; empty = not masked).
  promptLength: int("plen", 0, LIMITS.T, 5),
  labelsBeforeMask: ints("mpl", -LIMITS.label, LIMITS.label, LIMITS.T, []),
  // Pre-training vs alignment
  objSequence: ints(
    "oseq",
    0,
    OBJ_VOCAB.length - 1,
    LIMITS.seqLen,
    [1, 4, 6, 7, 8, 9, 10, 11, 5, 9, 10, 8, 12, 14, 2, 0],
  ),
  objPromptLength: int("oplen", 0, LIMITS.seqLen, 9),
  objPromptConfidence: num("opc", 0, 20, 1),
  objResponseConfidence: num("orc", 0, 20, 5),
  objEpsilon: num("oeps", 0, 1, 0),
  objMlmSeed: int("oseed", 0, 1e9, 3),
  objMlmProbability: num("oprob", 0, 1, 0.3),
  objMlmConfidence: num("omc", 0, 20, 3),
  msePredictions: nums("omp", -1e6, 1e6, LIMITS.mse, [0.8, 2.9, -0.4]),
  mseTargets: nums("omt", -1e6, 1e6, LIMITS.mse, [1, 3, 0]),
  // Padding
  padPrompts: matrix(
    "pp",
    {
      maxRows: LIMITS.batch,
      maxCols: LIMITS.rowLen,
      min: -LIMITS.label,
      max: LIMITS.label,
      integer: true,
      ragged: true,
    },
    [
      [11, 12, 13],
      [21, 22],
      [31, 32, 33, 34],
    ],
  ),
  padLabels: matrix(
    "pl",
    {
      maxRows: LIMITS.batch,
      maxCols: LIMITS.rowLen,
      min: -LIMITS.label,
      max: LIMITS.label,
      integer: true,
      ragged: true,
    },
    [[51, 52], [61], [71, 72]],
  ),
  padGenerated: matrix(
    "pg",
    {
      maxRows: LIMITS.batch,
      maxCols: LIMITS.rowLen,
      min: -LIMITS.label,
      max: LIMITS.label,
      integer: true,
      ragged: true,
    },
    [
      [81, 82, 2],
      [91, 2],
      [95, 96, 97],
    ],
  ),
  padTokenId: int("ppad", -LIMITS.label, LIMITS.label, 0),
  padEos: bool("peos", false),
  paddingSide: enumOf("pside", ["right", "left"], "right"),
  padToMultipleOf: int("pmul", 0, 64, 0),
  padStep: int("pstep", 0, 5, 0),
  // Big tensors
  bigBatch: int("bb", 1, 2048, 1),
  bigSeqLen: int("bt", 1, 2048, 64),
  bigVocab: int("bv", 1, 262144, 32000),
  bigSeed: int("bseed", 0, 1e9, 1),
  bigLogitScale: num("bscale", 0, 1e4, 8),
  bigEpsilon: num("beps", 0, 1, 0.1),
  bigShiftLabels: bool("bshift", false),
  bigGradient: bool("bgrad", true),
  bigBackend: enumOf("bbe", ["auto", "webgpu", "cpu"], "auto"),
  // The fused mode (linearCrossEntropy): its own sizes, so the logits mode's stay as linked.
  bigMode: enumOf("bigmode", ["logits", "fused"], "logits"),
  bigTokens: int("bfn", 1, 32768, 2048),
  bigHidden: int("bfd", 1, 4096, 256),
  bigFusedVocab: int("bfv", 1, 262144, 32000),
  // Train: the trainer's configuration (never its weights, nor the user's own text); the defaults
  // are the lesson's (lessonRuns: 400 pre-training steps at 3e-3, 300 SFT steps at 2e-3).
  trainCorpus: enumOf("tcorpus", ["en", "zh"], "en"),
  trainLayers: int("tlayers", 1, LIMITS.trainLayers, 2),
  trainDModel: int("tdmodel", 8, LIMITS.trainDModel, 64),
  trainHeads: int("theads", 1, LIMITS.trainHeads, 4),
  trainContext: int("tctx", 16, LIMITS.trainContext, 64),
  trainVocab: int("tvocab", 0, LIMITS.trainVocab, 512),
  trainSeed: int("tseed", 0, 1e9, 0),
  trainEpsilon: num("teps", 0, 0.5, 0),
  trainLr: num("tlr", 1e-5, 0.03, 0.003),
  trainSftLr: num("tlr2", 1e-5, 0.03, 0.002),
  trainSteps: int("tsteps", 1, LIMITS.trainSteps, 400),
  trainSftSteps: int("tsteps2", 1, LIMITS.trainSteps, 300),
  trainBatch: int("tbatch", 1, LIMITS.trainBatch, 16),
};

/** @typedef {typeof SCHEMA} Schema */
/** @typedef {keyof Schema} Field */
/** @typedef {Schema[Field]} Spec */
/** The UI state: one value per field, as the views read it. @typedef {{ [F in Field]: Schema[F]["def"] }} State */

/** The fields in link order. @type {Field[]} */
export const FIELDS = /** @type {Field[]} */ (Object.keys(SCHEMA));
/** The keys of a link, in the same order. */
export const URL_KEYS = FIELDS.map((f) => SCHEMA[f].key);
/** A link key → its field (a Map: keys such as "__proto__" from a link are plain strings here). */
const FIELD_OF_KEY = new Map(FIELDS.map((f) => [SCHEMA[f].key, f]));

/** @type {<T>(v: T) => T} */
const clone = (v) => /** @type {any} */ (Array.isArray(v) ? v.map(clone) : v);

/** A fresh state holding every default (arrays are new copies). @returns {State} */
export function defaultState() {
  return /** @type {State} */ (Object.fromEntries(FIELDS.map((f) => [f, clone(SCHEMA[f].def)])));
}

// Messages are codes plus plain-text details; the UI translates the code and shows details
// with textContent. `detail` is truncated so a hostile value cannot flood the page.
const MAX_DETAIL = 40;
/** @param {unknown} s */
function shortText(s) {
  const str = String(s);
  return str.length > MAX_DETAIL ? str.slice(0, MAX_DETAIL) + "…" : str;
}
/**
 * What the decoder says about a link: a code, the link key it concerns, and a plain-text detail.
 * @typedef {{ code: string, key: string | null, detail: string | null }} Message
 */
/** @param {string} code @param {unknown} [key] @param {unknown} [detail] @returns {Message} */
const msg = (code, key, detail) => ({
  code,
  key: key == null ? null : shortText(key),
  detail: detail == null ? null : shortText(detail),
});

// eslint-disable-next-line no-control-regex -- the control characters are what it matches
const CONTROL = /[\u0000-\u001f\u007f]/g;
/** A token name as stored: no control characters, at most nameChars UTF-16 units, no lone surrogates. */
/** @param {unknown} text */
export function cleanName(text) {
  let s = String(text).replace(CONTROL, "");
  if (s.length > LIMITS.nameChars) s = s.slice(0, LIMITS.nameChars);
  // A cut (or a hostile link) can leave half a surrogate pair, which encodeURIComponent rejects.
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$/;
const NONFINITE = {
  inf: Infinity,
  "+inf": Infinity,
  infinity: Infinity,
  "-inf": -Infinity,
  "-infinity": -Infinity,
  nan: NaN,
};

/** @typedef {{ value: number, clamped?: boolean, error?: undefined } | { error: string, value?: undefined, clamped?: undefined }} NumberResult */
/** @typedef {{ min: number, max: number, integer?: boolean, nonFinite?: boolean }} NumberSpec */

/** One number token → { value } | { error } | { value, clamped }. @param {string} token @param {NumberSpec} spec @returns {NumberResult} */
function parseNumber(token, spec) {
  const t = String(token).trim();
  let x;
  if (NUM_RE.test(t)) x = Number(t);
  else if (spec.nonFinite && Object.hasOwn(NONFINITE, t.toLowerCase()))
    return { value: NONFINITE[/** @type {keyof typeof NONFINITE} */ (t.toLowerCase())] };
  else return { error: "bad-number" };
  if (spec.integer && !Number.isInteger(x)) {
    if (!Number.isFinite(x)) return clampTo(x, spec);
    return { error: "not-integer" };
  }
  return clampTo(x, spec);
}
/** @param {number} x @param {NumberSpec} spec @returns {NumberResult} */
function clampTo(x, spec) {
  if (Number.isNaN(x)) return { error: "bad-number" };
  if (x < spec.min) return { value: spec.min, clamped: true };
  if (x > spec.max) return { value: spec.max, clamped: true };
  return { value: x === 0 ? 0 : x }; // no -0 in state: it would not round-trip as "-0"
}

/** @param {string} raw @returns {{ value: string, error?: undefined } | { error: string, value?: undefined }} */
function decodeToken(raw) {
  try {
    return { value: decodeURIComponent(raw) };
  } catch {
    return { error: "bad-encoding" };
  }
}

/**
 * Turns a field's raw input (a hash string, or a JSON value from the s= form) into a value.
 * Returns { value, problems: [msg] }; value undefined means "keep the default".
 * @param {Spec} spec @param {unknown} raw @param {boolean} fromJson
 * @returns {{ value: unknown, problems: Message[] }}
 */
function parseField(spec, raw, fromJson) {
  const key = spec.key;
  /** @type {Message[]} */
  const problems = [];
  /** @param {string} code @param {unknown} [detail] */
  const fail = (code, detail) => ({ value: undefined, problems: [msg(code, key, detail)] });
  // Flatten the input into string tokens (lists) or one string (scalars).
  // A list of tokens; null when it is not a list of strings and numbers.
  /** @param {unknown} x @returns {string[] | null | "bad-encoding"} */
  const listOf = (x) => {
    if (fromJson)
      return Array.isArray(x) && x.every((e) => typeof e === "string" || typeof e === "number") ? x.map(String) : null;
    if (typeof x !== "string") return null;
    if (x === "") return [];
    const parts = x.split(",");
    const out = [];
    for (const p of parts) {
      const d = decodeToken(p);
      if (d.error !== undefined) return "bad-encoding";
      out.push(d.value);
    }
    return out;
  };
  /** @param {unknown} x @returns {string | null} */
  const scalarOf = (x) => {
    if (fromJson) {
      if (x === null) return "";
      if (typeof x === "boolean") return x ? "1" : "0";
      if (typeof x === "string" || typeof x === "number") return String(x);
      return null;
    }
    if (typeof x !== "string") return null;
    const d = decodeToken(x);
    return d.error !== undefined ? "\u0000bad-encoding" : d.value;
  };

  switch (spec.kind) {
    case "enum": {
      const s = scalarOf(raw);
      if (s === "\u0000bad-encoding") return fail("bad-encoding");
      if (s === null || !(/** @type {readonly string[]} */ (spec.values).includes(s))) return fail("bad-choice", s);
      return { value: s, problems };
    }
    case "bool": {
      const s = scalarOf(raw);
      if (s === "\u0000bad-encoding") return fail("bad-encoding");
      if (s === "1" || s === "true") return { value: true, problems };
      if (s === "0" || s === "false") return { value: false, problems };
      return fail("bad-bool", s);
    }
    case "num": {
      const s = scalarOf(raw);
      if (s === "\u0000bad-encoding") return fail("bad-encoding");
      if (s === null) return fail("bad-number");
      if (spec.nullable && (s === "" || s === "none")) return { value: null, problems };
      const r = parseNumber(s, spec);
      if (r.error !== undefined) return fail(r.error, s);
      if (r.clamped) problems.push(msg("clamped", key, r.value));
      return { value: r.value, problems };
    }
    case "names": {
      const list = listOf(raw);
      if (list === "bad-encoding") return fail("bad-encoding");
      if (list === null) return fail("bad-list");
      if (list.length > LIMITS.V) return fail("too-many", list.length);
      if (list.length === 0) return fail("empty");
      const value = list.map((n, i) => {
        const clean = cleanName(n);
        // A name with nothing left would be a blank column, and a lone blank name has no link form
        // ("vocab=" is an empty list): it takes the placeholder the shape fixer gives, and says so.
        if (clean === "") {
          problems.push(msg("name-empty", key, `t${i}`));
          return `t${i}`;
        }
        if (clean !== n.replace(CONTROL, "")) problems.push(msg("name-cut", key, clean));
        return clean;
      });
      return { value, problems };
    }
    case "ints":
    case "nums": {
      const list = listOf(raw);
      if (list === "bad-encoding") return fail("bad-encoding");
      if (list === null) return fail("bad-list");
      if (list.length > spec.maxLen) return fail("too-many", list.length);
      /** @type {number[]} */
      const value = [];
      let clamped = false;
      for (const tok of list) {
        const r = parseNumber(tok, { ...spec, integer: spec.kind === "ints" });
        if (r.error !== undefined) return fail(r.error, tok);
        clamped ||= !!r.clamped;
        value.push(r.value);
      }
      if (clamped) problems.push(msg("clamped", key));
      return { value, problems };
    }
    case "matrix": {
      /** @type {string[][]} */
      const rows = [];
      if (fromJson) {
        if (!Array.isArray(raw)) return fail("bad-list");
        if (raw.length > spec.maxRows) return fail("too-many", raw.length);
        for (const r of raw) {
          const list = listOf(r);
          if (list === null || list === "bad-encoding") return fail("bad-list");
          rows.push(list);
        }
      } else {
        if (typeof raw !== "string") return fail("bad-list");
        const rawRows = raw === "" ? [] : raw.split(";");
        if (rawRows.length > spec.maxRows) return fail("too-many", rawRows.length);
        for (const rr of rawRows) {
          const list = listOf(rr);
          if (list === "bad-encoding") return fail("bad-encoding");
          if (list === null) return fail("bad-list");
          rows.push(list);
        }
      }
      if (!spec.ragged && rows.length === 0) return fail("empty");
      /** @type {number[][]} */
      const value = [];
      let clamped = false;
      for (const row of rows) {
        if (row.length > spec.maxCols) return fail("too-many", row.length);
        if (!spec.ragged && row.length === 0) return fail("empty");
        const out = [];
        for (const tok of row) {
          const r = parseNumber(tok, spec);
          if (r.error !== undefined) return fail(r.error, tok);
          clamped ||= !!r.clamped;
          out.push(r.value);
        }
        value.push(out);
      }
      if (!spec.ragged && value.some((r) => r.length !== value[0].length)) return fail("ragged");
      if (clamped) problems.push(msg("clamped", key));
      return { value, problems };
    }
  }
  return fail("bad-choice");
}

// base64url (or base64) → UTF-8 text, strictly; null when malformed.
/** @param {string} b64 */
function decodeBase64Text(b64) {
  const body = b64.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_\-+/]*$/.test(body) || body.length % 4 === 1) return null;
  try {
    const bin = atob(body.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * The s= form of a link: base64url of the JSON of an object keyed by link keys (`{ eps: 0.2 }`),
 * what generated links may use.
 * @param {Record<string, unknown>} obj
 */
export function encodeJsonForm(obj) {
  const bytes = new TextEncoder().encode(JSON.stringify(obj));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return "s=" + btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** @typedef {Map<Field, { raw: unknown, fromJson: boolean }>} Given */

/**
 * Decodes a URL hash (with or without "#") into a complete, valid state.
 * Never throws: anything unusable is reported in `messages` and the default is kept.
 * Two forms: `key=value&…` (readable), or `s=<base64url JSON object>` (for generated links).
 * @param {unknown} hash
 * @returns {{ state: State, messages: Message[] }}
 */
export function decodeHash(hash) {
  const state = defaultState();
  /** @type {Message[]} */
  const messages = [];
  let text = typeof hash === "string" ? hash : "";
  if (text.startsWith("#")) text = text.slice(1);
  if (text === "") return { state, messages };
  if (text.length > LIMITS.hashChars) {
    messages.push(msg("too-long", null, text.length));
    return { state, messages };
  }
  /** @type {Given} */
  const given = new Map();
  let pairs = text.split("&").filter((p) => p !== "");
  if (pairs.length > LIMITS.pairs) {
    messages.push(msg("too-many-pairs", null, pairs.length));
    pairs = pairs.slice(0, LIMITS.pairs);
  }
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawVal = eq < 0 ? "" : pair.slice(eq + 1);
    const k = decodeToken(rawKey);
    if (k.error !== undefined) {
      messages.push(msg("bad-encoding", rawKey));
      continue;
    }
    if (k.value === "s") {
      readJsonForm(rawVal, given, messages);
      continue;
    }
    const field = FIELD_OF_KEY.get(k.value);
    if (field === undefined) {
      messages.push(msg("unknown-key", k.value));
      continue;
    }
    given.set(field, { raw: rawVal, fromJson: false });
  }
  /** @type {Set<Field>} */
  const applied = new Set(); // fields whose linked value was usable
  /** @type {Record<Field, unknown>} */
  const values = state;
  for (const [field, { raw, fromJson }] of given) {
    const r = parseField(SCHEMA[field], raw, fromJson);
    messages.push(...r.problems);
    if (r.value !== undefined) {
      values[field] = r.value;
      applied.add(field);
    }
  }
  reconcile(state, applied, messages);
  return { state, messages };
}

/** @param {string} rawVal @param {Given} given @param {Message[]} messages */
function readJsonForm(rawVal, given, messages) {
  const d = decodeToken(rawVal);
  if (d.error !== undefined) return messages.push(msg("bad-encoding", "s"));
  const text = decodeBase64Text(d.value);
  if (text === null) return messages.push(msg("bad-base64", "s"));
  let obj;
  try {
    obj = JSON.parse(text);
  } catch {
    return messages.push(msg("bad-json", "s"));
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return messages.push(msg("bad-json", "s"));
  for (const key of Object.keys(obj)) {
    const field = FIELD_OF_KEY.get(key);
    if (field === undefined) messages.push(msg("unknown-key", key));
    else given.set(field, { raw: obj[key], fromJson: true });
  }
}

// Makes the playground arrays agree with the logits' shape [T, V] and pulls indices in range.
/** @param {State} s @param {Set<Field>} applied @param {Message[]} messages */
function reconcile(s, applied, messages) {
  const T = s.logits.length;
  const V = s.logits[0].length;
  /** @template X @param {Field} field @param {X[]} arr @param {number} len @param {(i: number) => X} fill */
  const fit = (field, arr, len, fill) => {
    if (arr.length === len) return arr;
    if (applied.has(field)) messages.push(msg("shape-fixed", SCHEMA[field].key, `${arr.length} → ${len}`));
    return arr.length > len
      ? arr.slice(0, len)
      : arr.concat(Array.from({ length: len - arr.length }, (_, i) => fill(arr.length + i)));
  };
  s.vocab = fit("vocab", s.vocab, V, (i) => `t${i}`);
  s.labels = fit("labels", s.labels, T, () => s.ignoreIndex);
  // Default labels that fall outside a linked vocabulary become "ignore", not an error.
  if (!applied.has("labels") && s.labels.some((y) => y >= V))
    s.labels = s.labels.map((y) => (y >= V ? s.ignoreIndex : y));
  s.inputTokens = fit("inputTokens", s.inputTokens, T, () => 0);
  if (s.inputTokens.some((x) => x >= V)) {
    messages.push(msg("clamped", SCHEMA.inputTokens.key));
    s.inputTokens = s.inputTokens.map((x) => Math.min(x, V - 1));
  }
  if (s.position > T - 1) s.position = T - 1;
  if (s.objPromptLength > s.objSequence.length) s.objPromptLength = s.objSequence.length;
  // Attention heads split the width evenly: take the largest divisor of the width not above the heads.
  if (s.trainDModel % s.trainHeads !== 0) {
    let heads = s.trainHeads;
    while (s.trainDModel % heads !== 0) heads--;
    if (applied.has("trainHeads") || applied.has("trainDModel"))
      messages.push(msg("not-divisor", SCHEMA.trainHeads.key, `${s.trainHeads} → ${heads}`));
    s.trainHeads = heads;
  }
  if (s.bigBatch * s.bigSeqLen * s.bigVocab > LIMITS.bigElements) {
    messages.push(
      msg(
        "too-big",
        [SCHEMA.bigBatch.key, SCHEMA.bigSeqLen.key, SCHEMA.bigVocab.key].join("×"),
        s.bigBatch * s.bigSeqLen * s.bigVocab,
      ),
    );
    s.bigBatch = SCHEMA.bigBatch.def;
    s.bigSeqLen = SCHEMA.bigSeqLen.def;
    s.bigVocab = SCHEMA.bigVocab.def;
  }
}

/** @param {number} x */
const fmtNum = (x) => (Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : String(x));

/**
 * Encodes a state as a readable hash (no "#") in link keys, leaving out values equal to the default.
 * @param {State} s
 */
export function encodeState(s) {
  const out = [];
  const defs = defaultState();
  for (const field of FIELDS) {
    const spec = SCHEMA[field];
    const v = s[field];
    if (sameValue(v, defs[field])) continue;
    let text;
    switch (spec.kind) {
      case "enum":
        text = encodeURIComponent(/** @type {string} */ (v));
        break;
      case "bool":
        text = v ? "1" : "0";
        break;
      case "num":
        text = v === null ? "none" : fmtNum(/** @type {number} */ (v));
        break;
      case "names":
        text = /** @type {string[]} */ (v).map(encodeURIComponent).join(",");
        break;
      case "ints":
      case "nums":
        text = /** @type {number[]} */ (v).map(fmtNum).join(",");
        break;
      case "matrix":
        text = /** @type {number[][]} */ (v).map((row) => row.map(fmtNum).join(",")).join(";");
        break;
    }
    out.push(`${spec.key}=${text}`);
  }
  return out.join("&");
}

/** @param {unknown} a @param {unknown} b @returns {boolean} */
function sameValue(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  return Object.is(a, b);
}

/**
 * Checks every invariant a decoded state must hold (used by the fuzzer and tests).
 * Returns null when valid, else a description of the first violation.
 * @param {unknown} state
 * @returns {string | null}
 */
export function checkState(state) {
  if (state === null || typeof state !== "object") return "not an object";
  for (const name of Object.keys(state)) if (!Object.hasOwn(SCHEMA, name)) return `unknown field ${name}`;
  const values = /** @type {Record<Field, unknown>} */ (state);
  for (const field of FIELDS) {
    const spec = SCHEMA[field];
    const v = values[field];
    /** @param {unknown} x @param {boolean} allowNonFinite */
    const inRange = (x, allowNonFinite) =>
      typeof x === "number" &&
      (allowNonFinite && !Number.isFinite(x)
        ? true
        : "min" in spec &&
          x >= spec.min &&
          x <= spec.max &&
          (!("integer" in spec) || !spec.integer || Number.isInteger(x)));
    switch (spec.kind) {
      case "enum":
        if (!(/** @type {readonly unknown[]} */ (spec.values).includes(v))) return `${field}: bad choice`;
        break;
      case "bool":
        if (typeof v !== "boolean") return `${field}: not boolean`;
        break;
      case "num":
        if (!(spec.nullable && v === null) && !inRange(v, false)) return `${field}: out of range`;
        break;
      case "names":
        if (
          !Array.isArray(v) ||
          v.length < 1 ||
          v.length > LIMITS.V ||
          v.some((n) => typeof n !== "string" || n.length > LIMITS.nameChars)
        )
          return `${field}: bad names`;
        break;
      case "ints":
      case "nums":
        if (
          !Array.isArray(v) ||
          v.length > spec.maxLen ||
          v.some((x) => !inRange(x, false) || (spec.kind === "ints" && !Number.isInteger(x)))
        )
          return `${field}: bad list`;
        break;
      case "matrix":
        if (!Array.isArray(v) || v.length > spec.maxRows || (!spec.ragged && v.length < 1)) return `${field}: bad rows`;
        for (const row of v)
          if (
            !Array.isArray(row) ||
            row.length > spec.maxCols ||
            (!spec.ragged && row.length !== v[0].length) ||
            row.some((x) => !inRange(x, spec.nonFinite))
          )
            return `${field}: bad row`;
        break;
    }
  }
  const s = /** @type {State} */ (state);
  const T = s.logits.length;
  const V = s.logits[0].length;
  if (V < 1 || s.vocab.length !== V || s.labels.length !== T || s.inputTokens.length !== T)
    return "playground shapes disagree";
  if (s.inputTokens.some((x) => x >= V)) return "input token out of vocabulary";
  if (s.position >= T) return "position out of range";
  if (s.objPromptLength > s.objSequence.length) return "prompt longer than sequence";
  if (s.bigBatch * s.bigSeqLen * s.bigVocab > LIMITS.bigElements) return "big tensor too large";
  if (s.trainDModel % s.trainHeads !== 0) return "trainHeads does not divide trainDModel";
  return null;
}
