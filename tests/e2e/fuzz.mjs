// Fuzzes the front end's input readers in Node: the URL-state decoder, the .npy reader and the JSON
// import, with random and mutated inputs for a bounded time. Every result must be a valid state (or a
// checked tensor) or a clear refusal; no other exception may escape.
import { decodeHash, encodeState, checkState, defaultState, encodeJsonForm, URL_KEYS } from "../../www/js/state.js";
import { parseNpy, writeNpy, parseJsonInput, ImportError } from "../../www/js/npy.js";

/** A seeded generator of uniform numbers in [0, 1) (mulberry32). @param {number} seed */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  "view=<script>alert(1)</script>",
  "vocab=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E,b",
  "eps=1e999",
  "eps=%E0%A4%A",
  "s=!!!!",
  "s=e30",
  "logits=" + "1,".repeat(5000),
  "__proto__=1&constructor=2",
  "labels=NaN",
  "ii=-0",
  "s=" + "A".repeat(1000),
  "logits=1;2;3&vocab=a,b,c,d",
  "pp=1,2;;3",
  "oseq=99",
  "bb=2048&bt=2048&bv=262144",
  "%",
  "&&&",
  "=",
  "#",
  "view=train&tdmodel=60&theads=7",
  "theads=0&tdmodel=1e9",
  "tsteps=-1&tlr=nan&teps=inf",
  "only=train-curves&view=playground",
];
const ATOMS = [
  "%",
  "%2",
  "%ZZ",
  "%E0%A4",
  "&",
  "=",
  ";",
  ",",
  "#",
  "-",
  "e",
  "E",
  ".",
  "inf",
  "nan",
  "-inf",
  "1e308",
  "\u0000",
  "\uD800",
  "😀",
  "<",
  ">",
  '"',
  "'",
  "\\",
  "s=",
  "+",
  " ",
  "0x10",
  "__proto__",
  "1".repeat(30),
];

/** @typedef {() => number} Rng */
/** @type {<T>(r: Rng, arr: readonly T[]) => T} */
const pick = (r, arr) => arr[Math.floor(r() * arr.length)];

/** @param {Rng} r */
function randomState(r) {
  const s = defaultState();
  // A few random but valid edits through the decoder's own language.
  const T = 1 + Math.floor(r() * 16);
  const V = 1 + Math.floor(r() * 16);
  s.logits = Array.from({ length: T }, () =>
    Array.from({ length: V }, () =>
      r() < 0.05 ? pick(r, [Infinity, -Infinity, NaN]) : Math.round((r() - 0.5) * 2000) / 100,
    ),
  );
  s.vocab = Array.from({ length: V }, (_, i) =>
    r() < 0.2 ? pick(r, ["<s>", "a,b", "x&y=z", "100%", "中文", "🙂"]) : `t${i}`,
  );
  s.labels = Array.from({ length: T }, () => (r() < 0.2 ? -100 : Math.floor(r() * V)));
  s.inputTokens = Array.from({ length: T }, () => Math.floor(r() * V));
  s.epsilon = Math.round(r() * 100) / 100;
  s.shiftLabels = r() < 0.5;
  s.semantics = r() < 0.5 ? "hf" : "torch";
  s.view = pick(r, ["playground", "objectives", "padding", "big", "train"]);
  s.trainDModel = 8 * (1 + Math.floor(r() * 16));
  s.trainHeads = pick(r, [1, 2, 4, 8]);
  s.trainSteps = 1 + Math.floor(r() * 2000);
  s.trainEpsilon = Math.round(r() * 50) / 100;
  s.trainCorpus = pick(r, ["en", "zh"]);
  s.position = Math.floor(r() * T);
  return s;
}

/** @param {Rng} r @param {string} text */
function mutate(r, text) {
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0:
        s = s.slice(0, i) + pick(r, ATOMS) + s.slice(i);
        break;
      case 1:
        s = s.slice(0, i) + s.slice(i + 1 + Math.floor(r() * 8));
        break;
      case 2:
        s = s.slice(0, i) + String.fromCharCode(Math.floor(r() * 0xffff)) + s.slice(i + 1);
        break;
      case 3:
        s = s + "&" + pick(r, URL_KEYS) + "=" + pick(r, ATOMS);
        break;
      case 4: {
        const j = Math.floor(r() * s.length);
        s = s.slice(0, i) + s.slice(Math.min(i, j), Math.max(i, j)).repeat(1 + Math.floor(r() * 3)) + s.slice(i);
        break;
      }
      case 5:
        s = encodeJsonForm(
          r() < 0.5
            ? { [pick(r, URL_KEYS)]: pick(r, [1, "x", [1, 2], [[1], [2, 3]], null, true, { a: 1 }, -Infinity]) }
            : { eps: s.slice(0, 20) },
        );
        break;
    }
  }
  return s.slice(0, 70000);
}

/** @param {number} budgetMs @param {number} seed */
function fuzzState(budgetMs, seed) {
  const r = rng(seed);
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < budgetMs) {
    const base = r() < 0.2 ? pick(r, HOSTILE) : encodeState(randomState(r));
    const input = r() < 0.1 ? base : mutate(r, base);
    let out;
    try {
      out = decodeHash(input);
    } catch (e) {
      throw new Error(
        `decodeHash threw on ${JSON.stringify(input.slice(0, 200))}: ${e instanceof Error ? e.stack : e}`,
        { cause: e },
      );
    }
    const bad = checkState(out.state);
    if (bad) throw new Error(`invalid state (${bad}) from ${JSON.stringify(input.slice(0, 200))}`);
    for (const m of out.messages) {
      if (
        typeof m.code !== "string" ||
        (m.key !== null && (typeof m.key !== "string" || m.key.length > 41)) ||
        (m.detail !== null && (typeof m.detail !== "string" || m.detail.length > 41))
      ) {
        throw new Error(`malformed message ${JSON.stringify(m)}`);
      }
    }
    // A decoded state re-encodes to a link that decodes to the same state, with no complaints.
    const again = decodeHash(encodeState(out.state));
    if (again.messages.length || encodeState(again.state) !== encodeState(out.state)) {
      throw new Error(
        `round trip changed the state for ${JSON.stringify(input)}: ${JSON.stringify(again.messages)}\n${encodeState(out.state)}\n${encodeState(again.state)}`,
      );
    }
    runs++;
  }
  return runs;
}

/** @param {Rng} r */
function seedsNpy(r) {
  const f = Float32Array.from({ length: 24 }, () => (r() - 0.5) * 10);
  const i = Int32Array.from({ length: 6 }, () => Math.floor(r() * 4));
  const f8 = new TextEncoder().encode("\x93NUMPY\x01\x00");
  /** @param {string} descr @param {number[]} shape */
  const header = (descr, shape) => {
    let h = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
    h += " ".repeat((16 - ((10 + h.length + 1) % 16)) % 16) + "\n";
    return h;
  };
  /** @param {string} descr @param {number[]} shape @param {Uint8Array} bytes */
  const raw = (descr, shape, bytes) => {
    const h = header(descr, shape);
    const out = new Uint8Array(10 + h.length + bytes.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(out.buffer).setUint16(8, h.length, true);
    for (let k = 0; k < h.length; k++) out[10 + k] = h.charCodeAt(k);
    out.set(bytes, 10 + h.length);
    return out;
  };
  return [
    writeNpy(f, [1, 4, 6]),
    writeNpy(f, [4, 6]),
    writeNpy(i, [1, 6]),
    writeNpy(i, [6]),
    raw("<f8", [3], new Uint8Array(24)),
    raw("<f2", [2, 2], new Uint8Array(8)),
    raw(">f4", [2], new Uint8Array(8)),
    raw("<i8", [2], new Uint8Array(16)),
    raw("|u1", [5], new Uint8Array(5)),
    raw("<u4", [1], new Uint8Array(4)),
    f8,
  ];
}

/** @param {Rng} r @param {Uint8Array} bytes */
function mutateBytes(r, bytes) {
  let b = Uint8Array.from(bytes);
  const n = 1 + Math.floor(r() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(r() * (b.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0:
        if (b.length) b[i % b.length] = Math.floor(r() * 256);
        break;
      case 1:
        b = b.slice(0, i);
        break;
      case 2: {
        const e = new Uint8Array(b.length + 1 + Math.floor(r() * 16));
        e.set(b);
        b = e;
        break;
      }
      case 3: {
        // rewrite part of the header text
        const text = new TextDecoder("latin1").decode(b.subarray(10, Math.min(b.length, 10 + 128)));
        const edited = text.replace(
          pick(r, ["<f4", "False", "(1, 4, 6)", "(6,)", "'shape'", "}", "(4, 6)"]),
          pick(r, [
            "<f16",
            "True",
            "(99999999, 99999999)",
            "(-1,)",
            "'shapes'",
            "",
            "(0,)",
            "('a',)",
            "<c8",
            "|f4",
            "(1,2,3,4,5,6,7,8,9)",
          ]),
        );
        const enc = Uint8Array.from(edited, (c) => c.charCodeAt(0) & 255);
        const out = new Uint8Array(10 + enc.length + Math.max(0, b.length - 10 - Math.min(b.length - 10, 128)));
        out.set(b.subarray(0, 10));
        out.set(enc, 10);
        out.set(b.subarray(Math.min(b.length, 10 + 128)), 10 + enc.length);
        b = out;
        break;
      }
      case 4:
        if (b.length > 9) {
          b[8] = Math.floor(r() * 256);
          b[9] = Math.floor(r() * 256);
        }
        break;
      case 5:
        if (b.length > 7) b[6] = Math.floor(r() * 5);
        break;
    }
  }
  return b;
}

/** @param {number} budgetMs @param {number} seed */
function fuzzNpy(budgetMs, seed) {
  const r = rng(seed);
  const seeds = seedsNpy(r);
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < budgetMs) {
    const input = r() < 0.05 ? pick(r, seeds) : mutateBytes(r, pick(r, seeds));
    try {
      const out = parseNpy(input, { maxElements: 1 << 20 });
      const n = out.shape.reduce((a, d) => a * d, 1);
      if (out.data.length !== n) throw new Error(`data length ${out.data.length} ≠ shape product ${n}`);
      if (!(out.data instanceof (out.kind === "float" ? Float32Array : Int32Array)))
        throw new Error("wrong array type");
    } catch (e) {
      if (!(e instanceof ImportError) || !e.message)
        throw new Error(`parseNpy escaped with ${e instanceof Error ? e.stack : e}`, { cause: e });
    }
    runs++;
  }
  return runs;
}

/** @param {number} budgetMs @param {number} seed */
function fuzzJson(budgetMs, seed) {
  const r = rng(seed);
  const seeds = [
    '{"logits": [[2, 0.5, -1], [0.1, 1.5, 0.3]], "labels": [0, -100]}',
    '{"logits": [1,2,3,4,5,6], "dims": [2, 3], "labels": [1, 2]}',
    '{"logits": [[[1, 2], [3, 4]]], "labels": [[0, 1]]}',
    '{"logits": [], "labels": []}',
    "[]",
    "null",
    '{"labels": [1]}',
  ];
  const t0 = performance.now();
  let runs = 0;
  while (performance.now() - t0 < budgetMs) {
    const text = mutate(r, pick(r, seeds)).replace(/^s=/, "");
    try {
      const out = parseJsonInput(text);
      const [B, T, V] = out.dims;
      if (out.logits.length !== B * T * V || out.labels.length !== B * T)
        throw new Error(`inconsistent result for ${text}`);
    } catch (e) {
      if (!(e instanceof ImportError))
        throw new Error(`parseJsonInput escaped with ${e instanceof Error ? e.stack : e} on ${text}`, { cause: e });
    }
    runs++;
  }
  return runs;
}

/** Runs all three for about `budgetMs` in total; returns the execution counts. */
export function fuzzAll(budgetMs = 9000, seed = 20250101) {
  return {
    stateDecoder: fuzzState(budgetMs * 0.45, seed),
    npyReader: fuzzNpy(budgetMs * 0.35, seed + 1),
    jsonImport: fuzzJson(budgetMs * 0.2, seed + 2),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  console.log(fuzzAll(Number(process.argv[2] ?? 9000)));
}
