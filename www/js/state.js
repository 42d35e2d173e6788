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

// Field kinds. Each parser gets tokens (strings), returns { value } or { error, value? , clamped }.
const enumOf = (values, def) => ({ kind: "enum", values, def });
const num = (min, max, def, opts = {}) => ({ kind: "num", min, max, def, ...opts });
const int = (min, max, def, opts = {}) => ({ kind: "num", min, max, def, integer: true, ...opts });
const bool = (def) => ({ kind: "bool", def });
const names = (def) => ({ kind: "names", def });
const ints = (min, max, maxLen, def) => ({ kind: "ints", min, max, maxLen, def });
const nums = (min, max, maxLen, def) => ({ kind: "nums", min, max, maxLen, def });
const matrix = (opts, def) => ({ kind: "matrix", ...opts, def });

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
export const OBJ_VOCAB = ["<pad>", "<s>", "</s>", "[MASK]", "Q:", "A:", "what", "color", "is", "the", "sky", "?", "blue", "red", "."];
export const OBJ_SPECIAL = { pad: 0, bos: 1, eos: 2, mask: 3 };

export const SCHEMA = {
  view: enumOf(["playground", "objectives", "padding", "big", "train"], "playground"),
  lang: enumOf(["en", "zh"], "en"),
  theme: enumOf(["auto", "light", "dark"], "auto"),
  only: enumOf(["", "grid", "summary", "dist", "heatmap", "curve", "formula", "trace", "train-curves", "train-table", "train-tokens", "train-samples", "train-data"], ""),
  // Playground
  vocab: names(DEFAULT_VOCAB),
  in: ints(0, LIMITS.V - 1, LIMITS.T, [0, 1, 2, 3, 4, 5]),
  logits: matrix({ maxRows: LIMITS.T, maxCols: LIMITS.V, min: -LIMITS.logit, max: LIMITS.logit, nonFinite: true }, DEFAULT_LOGITS),
  labels: ints(-LIMITS.label, LIMITS.label, LIMITS.T, [1, 2, 3, 4, 5, 7]),
  eps: num(-10, 10, 0.1),
  ii: int(-LIMITS.label, LIMITS.label, -100),
  shift: bool(false),
  sem: enumOf(["hf", "torch"], "hf"),
  red: enumOf(["mean", "sum", "none"], "mean"),
  nib: num(1e-6, 1e9, null, { nullable: true }),
  z: num(0, 10, 0),
  cap: num(1e-3, 1e5, null, { nullable: true }),
  pos: int(0, LIMITS.T - 1, 4),
  // Pre-training vs alignment
  oseq: ints(0, OBJ_VOCAB.length - 1, LIMITS.seqLen, [1, 4, 6, 7, 8, 9, 10, 11, 5, 9, 10, 8, 12, 14, 2, 0]),
  oplen: int(0, LIMITS.seqLen, 9),
  opc: num(0, 20, 1),
  orc: num(0, 20, 5),
  oeps: num(0, 1, 0),
  oseed: int(0, 1e9, 3),
  oprob: num(0, 1, 0.3),
  omp: nums(-1e6, 1e6, LIMITS.mse, [0.8, 2.9, -0.4]),
  omt: nums(-1e6, 1e6, LIMITS.mse, [1, 3, 0]),
  // Padding
  pp: matrix({ maxRows: LIMITS.batch, maxCols: LIMITS.rowLen, min: -LIMITS.label, max: LIMITS.label, integer: true, ragged: true }, [[11, 12, 13], [21, 22], [31, 32, 33, 34]]),
  pl: matrix({ maxRows: LIMITS.batch, maxCols: LIMITS.rowLen, min: -LIMITS.label, max: LIMITS.label, integer: true, ragged: true }, [[51, 52], [61], [71, 72]]),
  pg: matrix({ maxRows: LIMITS.batch, maxCols: LIMITS.rowLen, min: -LIMITS.label, max: LIMITS.label, integer: true, ragged: true }, [[81, 82, 2], [91, 2], [95, 96, 97]]),
  ppad: int(-LIMITS.label, LIMITS.label, 0),
  pside: enumOf(["right", "left"], "right"),
  pmul: int(0, 64, 0),
  pstep: int(0, 4, 0),
  // Big tensors
  bb: int(1, 2048, 1),
  bt: int(1, 2048, 64),
  bv: int(1, 262144, 32000),
  bseed: int(0, 1e9, 1),
  bscale: num(0, 1e4, 8),
  beps: num(0, 1, 0.1),
  bshift: bool(false),
  bbe: enumOf(["auto", "webgpu", "cpu"], "auto"),
  // Train: the trainer's configuration (never its weights, nor the user's own text); the defaults
  // are the lesson's (lessonRuns: 400 pre-training steps at 3e-3, 300 SFT steps at 2e-3).
  tcorpus: enumOf(["en", "zh"], "en"),
  tlayers: int(1, LIMITS.trainLayers, 2),
  tdmodel: int(8, LIMITS.trainDModel, 64),
  theads: int(1, LIMITS.trainHeads, 4),
  tctx: int(16, LIMITS.trainContext, 64),
  tvocab: int(0, LIMITS.trainVocab, 512),
  tseed: int(0, 1e9, 0),
  teps: num(0, 0.5, 0),
  tlr: num(1e-5, 0.03, 0.003),
  tlr2: num(1e-5, 0.03, 0.002),
  tsteps: int(1, LIMITS.trainSteps, 400),
  tsteps2: int(1, LIMITS.trainSteps, 300),
  tbatch: int(1, LIMITS.trainBatch, 16),
};

export const KEYS = Object.keys(SCHEMA);

const clone = (v) => (Array.isArray(v) ? v.map(clone) : v);

export function defaultState() {
  const s = {};
  for (const k of KEYS) s[k] = clone(SCHEMA[k].def);
  return s;
}

// Messages are codes plus plain-text details; the UI translates the code and shows details
// with textContent. `detail` is truncated so a hostile value cannot flood the page.
const MAX_DETAIL = 40;
function shortText(s) {
  const str = String(s);
  return str.length > MAX_DETAIL ? str.slice(0, MAX_DETAIL) + "…" : str;
}
const msg = (code, key, detail) => ({ code, key: key == null ? null : shortText(key), detail: detail == null ? null : shortText(detail) });

const CONTROL = /[\u0000-\u001f\u007f]/g;
/** A token name as stored: no control characters, at most nameChars UTF-16 units, no lone surrogates. */
export function cleanName(text) {
  let s = String(text).replace(CONTROL, "");
  if (s.length > LIMITS.nameChars) s = s.slice(0, LIMITS.nameChars);
  // A cut (or a hostile link) can leave half a surrogate pair, which encodeURIComponent rejects.
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$/;
const NONFINITE = { inf: Infinity, "+inf": Infinity, infinity: Infinity, "-inf": -Infinity, "-infinity": -Infinity, nan: NaN };

// One number token → { value } | { error } | { value, clamped }.
function parseNumber(token, spec) {
  const t = String(token).trim();
  let x;
  if (NUM_RE.test(t)) x = Number(t);
  else if (spec.nonFinite && Object.hasOwn(NONFINITE, t.toLowerCase())) return { value: NONFINITE[t.toLowerCase()] };
  else return { error: "bad-number" };
  if (spec.integer && !Number.isInteger(x)) {
    if (!Number.isFinite(x)) return clampTo(x, spec);
    return { error: "not-integer" };
  }
  return clampTo(x, spec);
}
function clampTo(x, spec) {
  if (Number.isNaN(x)) return { error: "bad-number" };
  if (x < spec.min) return { value: spec.min, clamped: true };
  if (x > spec.max) return { value: spec.max, clamped: true };
  return { value: x === 0 ? 0 : x }; // no -0 in state: it would not round-trip as "-0"
}

function decodeToken(raw) {
  try {
    return { value: decodeURIComponent(raw) };
  } catch {
    return { error: "bad-encoding" };
  }
}

// Turns a field's raw input (a hash string, or a JSON value from the s= form) into a value.
// Returns { value, problems: [msg] }; value undefined means "keep the default".
function parseField(key, spec, raw, fromJson) {
  const problems = [];
  const fail = (code, detail) => ({ value: undefined, problems: [msg(code, key, detail)] });
  // Flatten the input into string tokens (lists) or one string (scalars).
  const listOf = (x) => {
    if (fromJson) return Array.isArray(x) ? x.map((e) => (typeof e === "string" || typeof e === "number" ? String(e) : null)) : null;
    if (typeof x !== "string") return null;
    if (x === "") return [];
    const parts = x.split(",");
    const out = [];
    for (const p of parts) {
      const d = decodeToken(p);
      if (d.error) return "bad-encoding";
      out.push(d.value);
    }
    return out;
  };
  const scalarOf = (x) => {
    if (fromJson) {
      if (x === null) return "";
      if (typeof x === "boolean") return x ? "1" : "0";
      if (typeof x === "string" || typeof x === "number") return String(x);
      return null;
    }
    const d = decodeToken(x);
    return d.error ? "\u0000bad-encoding" : d.value;
  };

  switch (spec.kind) {
    case "enum": {
      const s = scalarOf(raw);
      if (s === "\u0000bad-encoding") return fail("bad-encoding");
      if (s === null || !spec.values.includes(s)) return fail("bad-choice", s);
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
      if (r.error) return fail(r.error, s);
      if (r.clamped) problems.push(msg("clamped", key, r.value));
      return { value: r.value, problems };
    }
    case "names": {
      const list = listOf(raw);
      if (list === "bad-encoding") return fail("bad-encoding");
      if (list === null || list.some((e) => e === null)) return fail("bad-list");
      if (list.length > LIMITS.V) return fail("too-many", list.length);
      if (list.length === 0) return fail("empty");
      const value = list.map((n) => {
        const clean = cleanName(n);
        if (clean !== n.replace(CONTROL, "")) problems.push(msg("name-cut", key, clean));
        return clean;
      });
      return { value, problems };
    }
    case "ints":
    case "nums": {
      const list = listOf(raw);
      if (list === "bad-encoding") return fail("bad-encoding");
      if (list === null || list.some((e) => e === null)) return fail("bad-list");
      if (list.length > spec.maxLen) return fail("too-many", list.length);
      const value = [];
      let clamped = false;
      for (const tok of list) {
        const r = parseNumber(tok, { ...spec, integer: spec.kind === "ints" });
        if (r.error) return fail(r.error, tok);
        clamped ||= !!r.clamped;
        value.push(r.value);
      }
      if (clamped) problems.push(msg("clamped", key));
      return { value, problems };
    }
    case "matrix": {
      let rows;
      if (fromJson) {
        if (!Array.isArray(raw)) return fail("bad-list");
        if (raw.length > spec.maxRows) return fail("too-many", raw.length);
        rows = raw.map((r) => (Array.isArray(r) ? r.map((e) => (typeof e === "number" || typeof e === "string" ? String(e) : null)) : null));
        if (rows.some((r) => r === null || r.some((e) => e === null))) return fail("bad-list");
      } else {
        if (typeof raw !== "string") return fail("bad-list");
        const rawRows = raw === "" ? [] : raw.split(";");
        if (rawRows.length > spec.maxRows) return fail("too-many", rawRows.length);
        rows = [];
        for (const rr of rawRows) {
          const list = listOf(rr);
          if (list === "bad-encoding") return fail("bad-encoding");
          rows.push(list);
        }
      }
      if (!spec.ragged && rows.length === 0) return fail("empty");
      const value = [];
      let clamped = false;
      for (const row of rows) {
        if (row.length > spec.maxCols) return fail("too-many", row.length);
        if (!spec.ragged && row.length === 0) return fail("empty");
        const out = [];
        for (const tok of row) {
          const r = parseNumber(tok, spec);
          if (r.error) return fail(r.error, tok);
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

/** The s= form of a state object: base64url of its JSON (what generated links may use). */
export function encodeJsonForm(obj) {
  const bytes = new TextEncoder().encode(JSON.stringify(obj));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return "s=" + btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes a URL hash (with or without "#") into a complete, valid state.
 * Never throws: anything unusable is reported in `messages` and the default is kept.
 * Two forms: `key=value&…` (readable), or `s=<base64url JSON object>` (for generated links).
 */
export function decodeHash(hash) {
  const state = defaultState();
  const messages = [];
  let text = typeof hash === "string" ? hash : "";
  if (text.startsWith("#")) text = text.slice(1);
  if (text === "") return { state, messages };
  if (text.length > LIMITS.hashChars) {
    messages.push(msg("too-long", null, text.length));
    return { state, messages };
  }
  const given = new Map(); // key → { raw, fromJson }
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
    if (k.error) {
      messages.push(msg("bad-encoding", rawKey));
      continue;
    }
    if (k.value === "s") {
      readJsonForm(rawVal, given, messages);
      continue;
    }
    if (!Object.hasOwn(SCHEMA, k.value)) {
      messages.push(msg("unknown-key", k.value));
      continue;
    }
    given.set(k.value, { raw: rawVal, fromJson: false });
  }
  const applied = new Set(); // keys whose linked value was usable
  for (const [key, { raw, fromJson }] of given) {
    const r = parseField(key, SCHEMA[key], raw, fromJson);
    messages.push(...r.problems);
    if (r.value !== undefined) {
      state[key] = r.value;
      applied.add(key);
    }
  }
  reconcile(state, applied, messages);
  return { state, messages };
}

function readJsonForm(rawVal, given, messages) {
  const d = decodeToken(rawVal);
  if (d.error) return messages.push(msg("bad-encoding", "s"));
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
    if (!Object.hasOwn(SCHEMA, key)) messages.push(msg("unknown-key", key));
    else given.set(key, { raw: obj[key], fromJson: true });
  }
}

// Makes the playground arrays agree with the logits' shape [T, V] and pulls indices in range.
function reconcile(s, applied, messages) {
  const T = s.logits.length;
  const V = s.logits[0].length;
  const fit = (key, arr, len, fill) => {
    if (arr.length === len) return arr;
    if (applied.has(key)) messages.push(msg("shape-fixed", key, `${arr.length} → ${len}`));
    return arr.length > len ? arr.slice(0, len) : arr.concat(Array.from({ length: len - arr.length }, (_, i) => fill(arr.length + i)));
  };
  s.vocab = fit("vocab", s.vocab, V, (i) => `t${i}`);
  s.labels = fit("labels", s.labels, T, () => s.ii);
  // Default labels that fall outside a linked vocabulary become "ignore", not an error.
  if (!applied.has("labels") && s.labels.some((y) => y >= V)) s.labels = s.labels.map((y) => (y >= V ? s.ii : y));
  s.in = fit("in", s.in, T, () => 0);
  if (s.in.some((x) => x >= V)) {
    messages.push(msg("clamped", "in"));
    s.in = s.in.map((x) => Math.min(x, V - 1));
  }
  if (s.pos > T - 1) s.pos = T - 1;
  if (s.oplen > s.oseq.length) s.oplen = s.oseq.length;
  // Attention heads split the width evenly: take the largest divisor of tdmodel not above theads.
  if (s.tdmodel % s.theads !== 0) {
    let heads = s.theads;
    while (s.tdmodel % heads !== 0) heads--;
    if (applied.has("theads") || applied.has("tdmodel")) messages.push(msg("not-divisor", "theads", `${s.theads} → ${heads}`));
    s.theads = heads;
  }
  if (s.bb * s.bt * s.bv > LIMITS.bigElements) {
    messages.push(msg("too-big", "bb×bt×bv", s.bb * s.bt * s.bv));
    s.bb = SCHEMA.bb.def;
    s.bt = SCHEMA.bt.def;
    s.bv = SCHEMA.bv.def;
  }
}

const fmtNum = (x) => (Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : String(x));

/** Encodes a state as a readable hash (no "#"), leaving out values equal to the default. */
export function encodeState(s) {
  const out = [];
  const defs = defaultState();
  for (const key of KEYS) {
    const spec = SCHEMA[key];
    const v = s[key];
    if (sameValue(v, defs[key])) continue;
    let text;
    switch (spec.kind) {
      case "enum":
        text = encodeURIComponent(v);
        break;
      case "bool":
        text = v ? "1" : "0";
        break;
      case "num":
        text = v === null ? "none" : fmtNum(v);
        break;
      case "names":
        text = v.map(encodeURIComponent).join(",");
        break;
      case "ints":
      case "nums":
        text = v.map(fmtNum).join(",");
        break;
      case "matrix":
        text = v.map((row) => row.map(fmtNum).join(",")).join(";");
        break;
    }
    out.push(`${key}=${text}`);
  }
  return out.join("&");
}

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
 */
export function checkState(s) {
  if (s === null || typeof s !== "object") return "not an object";
  for (const key of Object.keys(s)) if (!Object.hasOwn(SCHEMA, key)) return `unknown key ${key}`;
  for (const key of KEYS) {
    const spec = SCHEMA[key];
    const v = s[key];
    const inRange = (x, allowNonFinite) =>
      typeof x === "number" && (allowNonFinite && !Number.isFinite(x) ? true : x >= spec.min && x <= spec.max && (!spec.integer || Number.isInteger(x)));
    switch (spec.kind) {
      case "enum":
        if (!spec.values.includes(v)) return `${key}: bad choice`;
        break;
      case "bool":
        if (typeof v !== "boolean") return `${key}: not boolean`;
        break;
      case "num":
        if (!(spec.nullable && v === null) && !inRange(v, false)) return `${key}: out of range`;
        break;
      case "names":
        if (!Array.isArray(v) || v.length < 1 || v.length > LIMITS.V || v.some((n) => typeof n !== "string" || n.length > LIMITS.nameChars)) return `${key}: bad names`;
        break;
      case "ints":
      case "nums":
        if (!Array.isArray(v) || v.length > spec.maxLen || v.some((x) => !inRange(x, false) || (spec.kind === "ints" && !Number.isInteger(x)))) return `${key}: bad list`;
        break;
      case "matrix":
        if (!Array.isArray(v) || v.length > spec.maxRows || (!spec.ragged && v.length < 1)) return `${key}: bad rows`;
        for (const row of v) if (!Array.isArray(row) || row.length > spec.maxCols || (!spec.ragged && row.length !== v[0].length) || row.some((x) => !inRange(x, spec.nonFinite))) return `${key}: bad row`;
        break;
    }
  }
  const T = s.logits.length;
  const V = s.logits[0].length;
  if (V < 1 || s.vocab.length !== V || s.labels.length !== T || s.in.length !== T) return "playground shapes disagree";
  if (s.in.some((x) => x >= V)) return "input token out of vocabulary";
  if (s.pos >= T) return "pos out of range";
  if (s.oplen > s.oseq.length) return "prompt longer than sequence";
  if (s.bb * s.bt * s.bv > LIMITS.bigElements) return "big tensor too large";
  if (s.tdmodel % s.theads !== 0) return "theads does not divide tdmodel";
  return null;
}
