// Reads NumPy .npy files and pasted JSON into checked logits/labels arrays. Pure JS (no DOM), so the
// fuzzer runs it in Node. Anything malformed throws ImportError with a code and a plain message.
import { LIMITS } from "./state.js";

export class ImportError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = "ImportError";
    this.code = code;
  }
}
/** @type {(code: string, message: string) => never} */
const fail = (code, message) => {
  throw new ImportError(code, message);
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 65536;
/** @type {Record<string, { size: number, kind: "float" | "int" }>} */
const DTYPES = {
  f2: { size: 2, kind: "float" },
  f4: { size: 4, kind: "float" },
  f8: { size: 8, kind: "float" },
  i1: { size: 1, kind: "int" },
  i2: { size: 2, kind: "int" },
  i4: { size: 4, kind: "int" },
  i8: { size: 8, kind: "int" },
  u1: { size: 1, kind: "int" },
  u2: { size: 2, kind: "int" },
  u4: { size: 4, kind: "int" },
  u8: { size: 8, kind: "int" },
};

/** @typedef {string | boolean | number[]} HeaderValue */

// The header is a Python dict literal; read exactly the subset numpy writes (no eval).
/** @param {string} text @returns {Record<string, HeaderValue>} */
function parseHeader(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  /** @param {string} ch */
  const expect = (ch) => {
    ws();
    if (text[i] !== ch) fail("bad-header", `expected "${ch}" at ${i} in the header`);
    i++;
  };
  const str = () => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') fail("bad-header", `expected a string at ${i} in the header`);
    const end = text.indexOf(q, i + 1);
    if (end < 0 || end - i > 64) fail("bad-header", "unterminated string in the header");
    const v = text.slice(i + 1, end);
    i = end + 1;
    return v;
  };
  /** @returns {HeaderValue} */
  const value = () => {
    ws();
    if (text[i] === "'" || text[i] === '"') return str();
    if (text.startsWith("True", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("False", i)) {
      i += 5;
      return false;
    }
    if (text[i] === "(") {
      i++;
      const dims = [];
      for (;;) {
        ws();
        if (text[i] === ")") {
          i++;
          return dims;
        }
        const m = /^\d{1,12}/.exec(text.slice(i, i + 13));
        if (!m) fail("bad-shape", "the shape must be a tuple of non-negative integers");
        dims.push(Number(m[0]));
        i += m[0].length;
        if (dims.length > 8) fail("bad-shape", "more than 8 dimensions");
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== ")") fail("bad-shape", "the shape tuple is malformed");
      }
    }
    return fail("bad-header", `unexpected value at ${i} in the header`);
  };
  expect("{");
  /** @type {Record<string, HeaderValue>} */
  const out = Object.create(null); // a "__proto__" key must stay a plain key
  for (;;) {
    ws();
    if (text[i] === "}") {
      i++;
      break;
    }
    const key = str();
    expect(":");
    if (Object.hasOwn(out, key)) fail("bad-header", `duplicate key "${key}"`);
    out[key] = value();
    ws();
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail("bad-header", "expected , or } in the header");
    if (Object.keys(out).length > 8) fail("bad-header", "too many header keys");
  }
  if (text.slice(i).trim() !== "") fail("bad-header", "text after the header dict");
  for (const k of ["descr", "fortran_order", "shape"])
    if (!Object.hasOwn(out, k)) fail("bad-header", `the header has no "${k}"`);
  for (const k of Object.keys(out))
    if (!["descr", "fortran_order", "shape"].includes(k)) fail("bad-header", `unknown header key "${k}"`);
  return out;
}

/**
 * A read array: float kinds as a Float32Array, integer kinds as an Int32Array.
 * @typedef {{ dtype: string, shape: number[], kind: "float", data: Float32Array } | { dtype: string, shape: number[], kind: "int", data: Int32Array }} NpyArray
 */

/**
 * Parses an .npy file (ArrayBuffer or Uint8Array). Returns { dtype, shape, kind, data }, where data
 * is a Float32Array (float kinds) or an Int32Array (integer kinds). Throws ImportError otherwise.
 * @param {unknown} input @param {{ maxElements?: number }} [options] @returns {NpyArray}
 */
export function parseNpy(input, { maxElements = LIMITS.bigElements } = {}) {
  const bytes =
    input instanceof Uint8Array
      ? input
      : input instanceof ArrayBuffer
        ? new Uint8Array(input)
        : fail("not-bytes", "not a file");
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b))
    fail("bad-magic", "not an .npy file (it does not start with \\x93NUMPY)");
  const major = bytes[6];
  if (major < 1 || major > 3) fail("bad-version", `unsupported .npy version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + hlenBytes) fail("truncated", "the file ends inside its header");
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + hlenBytes + hlen;
  if (hlen > MAX_HEADER) fail("bad-header", "the header is too long");
  if (start > bytes.length) fail("truncated", "the file ends inside its header");
  let text = "";
  try {
    text = new TextDecoder(major === 3 ? "utf-8" : "latin1", { fatal: true }).decode(
      bytes.subarray(8 + hlenBytes, start),
    );
  } catch {
    fail("bad-header", "the header is not valid text");
  }
  const header = parseHeader(text);
  const descr = header.descr;
  if (typeof descr !== "string") return fail("bad-dtype", "descr must be a string");
  const m = /^([<>|=])([fiu])(\d)$/.exec(descr);
  if (!m || !DTYPES[m[2] + m[3]])
    return fail("bad-dtype", `unsupported dtype "${descr.slice(0, 16)}" (use float16/32/64 or an integer type)`);
  const dt = DTYPES[m[2] + m[3]];
  const little = m[1] !== ">";
  if (m[1] === "|" && dt.size > 1) fail("bad-dtype", `byte order "|" needs a 1-byte type, not ${descr}`);
  if (header.fortran_order !== false)
    fail("fortran-order", "Fortran-order arrays are not supported: save with np.ascontiguousarray(x)");
  const shape = header.shape;
  if (!Array.isArray(shape)) return fail("bad-shape", "shape must be a tuple");
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > maxElements) fail("too-large", `more than ${maxElements} elements`);
  }
  const need = n * dt.size;
  if (bytes.length - start < need)
    fail("truncated", `the data is ${bytes.length - start} bytes; shape ${JSON.stringify(shape)} needs ${need}`);
  if (bytes.length - start > need) fail("trailing", `${bytes.length - start - need} bytes after the data`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + start, need);
  if (dt.kind === "float") {
    const data = new Float32Array(n);
    /** @type {(o: number) => number} */
    const get =
      dt.size === 2
        ? (o) => half(dv.getUint16(o, little))
        : dt.size === 4
          ? (o) => dv.getFloat32(o, little)
          : (o) => dv.getFloat64(o, little);
    for (let k = 0; k < n; k++) data[k] = get(k * dt.size);
    return { dtype: descr, shape, kind: "float", data };
  } else {
    const data = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const o = k * dt.size;
      let v = 0;
      switch (m[2] + m[3]) {
        case "i1":
          v = dv.getInt8(o);
          break;
        case "u1":
          v = dv.getUint8(o);
          break;
        case "i2":
          v = dv.getInt16(o, little);
          break;
        case "u2":
          v = dv.getUint16(o, little);
          break;
        case "i4":
          v = dv.getInt32(o, little);
          break;
        case "u4":
          v = dv.getUint32(o, little);
          break;
        case "i8":
          v = Number(dv.getBigInt64(o, little));
          break;
        case "u8":
          v = Number(dv.getBigUint64(o, little));
          break;
      }
      if (v < -2147483648 || v > 2147483647) fail("int-range", `value ${v} at index ${k} does not fit in int32`);
      data[k] = v;
    }
    return { dtype: descr, shape, kind: "int", data };
  }
}

/** An IEEE half-precision value from its 16 bits. @param {number} u */
function half(u) {
  const sign = u & 0x8000 ? -1 : 1;
  const e = (u >> 10) & 0x1f;
  const f = u & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Writes a little-endian .npy (v1.0) file: float32, int32 or int64 (PyTorch's dtype for labels),
 * for tests and for the Big tensors downloads.
 * @param {Float32Array | Int32Array | BigInt64Array} typed @param {number[]} shape
 */
export function writeNpy(typed, shape) {
  const descr =
    typed instanceof Float32Array
      ? "<f4"
      : typed instanceof Int32Array
        ? "<i4"
        : typed instanceof BigInt64Array
          ? "<i8"
          : fail("bad-dtype", "only Float32Array/Int32Array/BigInt64Array");
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== typed.length)
    fail("bad-shape", `shape [${shape.join(", ")}] needs ${count} values, got ${typed.length}`);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const pad = 16 - ((10 + header.length + 1) % 16);
  header += " ".repeat(pad % 16) + "\n";
  const out = new Uint8Array(10 + header.length + typed.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  out.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), 10 + header.length);
  return out;
}

/**
 * Checks logits and labels arrays against each other: logits [B, T, V] or [N, V], labels [B, T] or
 * [N] (or flat with the same count of positions). Returns { logits, labels, dims }.
 * @param {NpyArray | { kind: string, shape: number[], data: Float32Array | Int32Array }} logits @param {typeof logits} labels
 * @returns {{ logits: Float32Array, labels: Int32Array, dims: number[] }}
 */
export function lossInput(logits, labels) {
  if (logits.kind !== "float" || !(logits.data instanceof Float32Array))
    return fail("logits-dtype", "logits must be a float array");
  if (labels.kind !== "int" || !(labels.data instanceof Int32Array))
    return fail("labels-dtype", "labels must be an integer array");
  const ls = logits.shape;
  if (ls.length !== 2 && ls.length !== 3)
    fail("logits-shape", `logits must be [B, T, V] or [N, V], not [${ls.join(", ")}]`);
  const V = ls[ls.length - 1];
  const positions = ls.length === 3 ? ls[0] * ls[1] : ls[0];
  if (V < 1 || positions < 1) fail("logits-shape", "logits have no elements");
  if (labels.data.length !== positions)
    fail("labels-shape", `labels have ${labels.data.length} entries; the logits have ${positions} positions`);
  return { logits: logits.data, labels: labels.data, dims: ls.length === 3 ? [ls[0], ls[1], V] : [1, ls[0], V] };
}

const MAX_JSON_CHARS = 64 * 1024 * 1024;

/** Flattens nested JSON arrays of numbers; returns { shape, values } or throws. @param {unknown} x @param {string} what */
function flatten(x, what) {
  /** @type {number[]} */
  const shape = [];
  let probe = x;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (shape.length > 3) fail("json-shape", `${what} nests deeper than 3`);
    probe = probe[0];
  }
  if (shape.length === 0) fail("json-shape", `${what} must be an array`);
  /** @type {number[]} */
  const values = [];
  /** @param {unknown} node @param {number} depth */
  const walk = (node, depth) => {
    if (depth === shape.length) {
      if (typeof node !== "number") fail("json-value", `${what} holds a non-number`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) fail("json-shape", `${what} is ragged`);
    if (values.length + node.length > LIMITS.bigElements) fail("too-large", `${what} has too many elements`);
    for (const c of node) walk(c, depth + 1);
  };
  walk(x, 0);
  return { shape, values };
}

/** Reads pasted JSON: { "logits": nested or flat, "dims"?: [B, T, V], "labels": nested or flat }. @param {unknown} text */
export function parseJsonInput(text) {
  if (typeof text !== "string") fail("json", "not text");
  if (text.length > MAX_JSON_CHARS) fail("too-large", "the JSON text is too long");
  /** @type {unknown} */
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail("json", `not valid JSON (${String(/** @type {SyntaxError} */ (e).message).slice(0, 80)})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return fail("json", 'expected an object { "logits": …, "labels": … }');
  const obj = /** @type {Record<string, unknown>} */ (parsed);
  for (const k of Object.keys(obj))
    if (!["logits", "labels", "dims"].includes(k)) fail("json-key", `unknown key "${k.slice(0, 20)}"`);
  if (!("logits" in obj) || !("labels" in obj)) fail("json-key", 'both "logits" and "labels" are required');
  const lg = flatten(obj.logits, "logits");
  const lb = flatten(obj.labels, "labels");
  let shape = lg.shape;
  const dims = obj.dims;
  if (dims !== undefined) {
    if (
      !Array.isArray(dims) ||
      (dims.length !== 2 && dims.length !== 3) ||
      dims.some((d) => !Number.isInteger(d) || d < 1)
    )
      return fail("json-shape", "dims must be [B, T, V] or [N, V] of positive integers");
    if (dims.reduce((a, b) => a * b, 1) !== lg.values.length)
      fail("json-shape", "dims do not match the number of logits");
    shape = dims;
  }
  if (lb.values.some((v) => !Number.isInteger(v) || v < -2147483648 || v > 2147483647))
    fail("json-value", "labels must be int32 integers");
  const logits = { kind: "float", shape, data: Float32Array.from(lg.values) };
  const labels = { kind: "int", shape: lb.shape, data: Int32Array.from(lb.values) };
  return lossInput(logits, labels);
}
