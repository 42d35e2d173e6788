// The Big tensors view's fused mode: N tokens × D hidden × V vocabulary, linearCrossEntropy with
// its gradient in a one-shot worker (www/js/fused-worker.js: a fresh wasm instance, so its memory
// growth is the call's own), and side by side what the logits would take and what was used.
import { h, uid } from "../dom.js";
import { boundNumber } from "../widgets/field-note.js";
import { fmt, exact, errorMessage, errorCode, refusalText } from "../format.js";
import { SCHEMA } from "../state.js";
import { FUSED_LIMITS } from "../fused-inputs.js";
import { reasonText } from "./big.js";

/** @typedef {import("../state.js").State} State */
/** What the worker replies. @typedef {{ loss: number, timeMs: number, usedBytes: number, logitsBytes: number, backend: string, backendReason: string, backendReasonCode: string }} FusedResult */

/** Bytes in binary units, one decimal. @param {number} b */
export const bytesText = (b) =>
  b >= 2 ** 30
    ? `${(b / 2 ** 30).toFixed(1)} GiB`
    : b >= 2 ** 20
      ? `${(b / 2 ** 20).toFixed(1)} MiB`
      : `${(b / 2 ** 10).toFixed(1)} KiB`;

/** Runs one call in a fresh worker, which is terminated after its one reply. @param {object} request @returns {Promise<FusedResult>} */
function runInWorker(request) {
  const worker = new Worker(new URL("../fused-worker.js", import.meta.url), { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      worker.terminate();
      if (data.ok) resolve(data.result);
      else reject(Object.assign(new Error(data.error.message), { code: data.error.code }));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "the fused worker failed to start"));
    };
    worker.postMessage(request);
  });
}

/** @param {import("../shell.js").ViewContext} ctx */
export function createFused(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<State>} */ p) => store.set(p);
  let running = false;
  /** @type {Map<string, ReturnType<typeof boundNumber>>} */
  const bound = new Map();
  /**
   * A size box clamped to its own cap and to what the other two leave: the inputs (N·D + V·D)
   * and the work (N·V·D) under FUSED_LIMITS.
   * @param {"bigTokens" | "bigHidden" | "bigFusedVocab"} field @param {number} cap @param {string} labelKey @param {string} testid
   */
  const sizeInput = (field, cap, labelKey, testid) => {
    const input = h("input", {
      type: "number",
      min: "1",
      max: String(cap),
      step: "1",
      id: uid("ctl"),
      dataset: { testid },
    });
    const hi = () => {
      const s = store.get();
      const [n, d, v] = [s.bigTokens, s.bigHidden, s.bigFusedVocab];
      const macs = Math.floor(FUSED_LIMITS.macs / ((n * d * v) / s[field]));
      const inputs =
        field === "bigHidden"
          ? Math.floor(FUSED_LIMITS.inputElements / (n + v))
          : Math.floor(FUSED_LIMITS.inputElements / d) - (field === "bigTokens" ? v : n);
      return Math.max(1, Math.min(cap, macs, inputs));
    };
    const apply = (/** @type {number | null} */ x) => set({ [field]: x ?? SCHEMA[field].def });
    const b = boundNumber(input, { t, min: 1, max: hi, integer: true, apply, current: () => store.get()[field] });
    bound.set(field, b);
    return h("div", { class: "field" }, h("label", { for: input.id, text: t(labelKey) }), input, b.note);
  };
  const n = sizeInput("bigTokens", FUSED_LIMITS.tokens, "big.fused.N", "big-fused-n");
  const d = sizeInput("bigHidden", FUSED_LIMITS.hidden, "big.fused.D", "big-fused-d");
  const v = sizeInput("bigFusedVocab", FUSED_LIMITS.vocab, "big.fused.V", "big-fused-v");
  const inputs = h("p", { class: "hint", dataset: { testid: "big-fused-inputs" } });
  const run = h("button", {
    type: "button",
    class: "primary",
    text: t("big.fused.run"),
    dataset: { testid: "big-fused-run" },
    onclick: () => runFused(),
  });
  const status = h("p", { class: "status", role: "status", dataset: { testid: "big-fused-status" } });

  /** One readout row: a label and a value cell whose `data-value` holds the raw number. @param {string} key @param {string} testid */
  const readout = (key, testid) => {
    const value = h("td", { dataset: { testid } });
    return { value, row: h("tr", {}, h("th", { scope: "row", text: t(key) }), value) };
  };
  const out = {
    logits: readout("big.fused.logitsBytes", "big-fused-logits-bytes"),
    used: readout("big.fused.usedBytes", "big-fused-used-bytes"),
    loss: readout("big.fused.loss", "big-fused-loss"),
    time: readout("big.fused.time", "big-fused-time"),
    backend: readout("big.fused.backend", "big-fused-backend"),
  };
  const reason = h("p", { class: "hint", dataset: { testid: "big-fused-reason" } });
  const table = h(
    "table",
    { class: "results" },
    h("caption", { class: "sr-only", text: t("big.fused.title") }),
    h(
      "tbody",
      {},
      Object.values(out).map((r) => r.row),
    ),
  );
  const titleId = uid("h");
  const el = h(
    "div",
    { class: "cards" },
    h(
      "section",
      { class: "card", "aria-labelledby": titleId },
      h("h2", { id: titleId, text: t("big.fused.title") }),
      h("p", { text: t("big.fused.why") }),
      h("div", { class: "controls inline-controls" }, n, d, v),
      inputs,
      h("div", { class: "button-row" }, run),
      status,
      h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("big.fused.title") }, table),
      reason,
    ),
  );

  /** @param {State} s */
  function showLogitsBytes(s) {
    const bytes = s.bigTokens * s.bigFusedVocab * 4;
    out.logits.value.textContent = t("big.fused.logitsValue", { size: bytesText(bytes) });
    out.logits.value.dataset.value = String(bytes);
  }

  async function runFused() {
    if (running) return;
    running = true;
    run.disabled = true;
    const s = store.get();
    for (const k of /** @type {const} */ (["used", "loss", "time", "backend"])) {
      out[k].value.textContent = "…";
      delete out[k].value.dataset.value;
    }
    reason.textContent = "";
    reason.title = "";
    delete reason.dataset.value;
    status.textContent = t("big.fused.running");
    try {
      const r = await runInWorker({
        tokens: s.bigTokens,
        hidden: s.bigHidden,
        vocab: s.bigFusedVocab,
        seed: s.bigSeed,
        epsilon: s.bigEpsilon,
      });
      showLogitsBytes(s);
      out.used.value.textContent = t("big.fused.usedValue", {
        size: bytesText(r.usedBytes),
        ratio: ((100 * r.usedBytes) / r.logitsBytes).toFixed(1),
      });
      out.used.value.dataset.value = String(r.usedBytes);
      out.loss.value.textContent = fmt(r.loss);
      out.loss.value.dataset.value = exact(r.loss);
      out.time.value.textContent = `${r.timeMs.toFixed(0)} ms`;
      out.time.value.dataset.value = String(r.timeMs);
      out.backend.value.textContent = r.backend;
      out.backend.value.dataset.value = r.backend;
      const why = reasonText(t, r.backendReasonCode, null, r.backendReason);
      reason.textContent = t("big.why", { backend: r.backend, reason: why });
      reason.dataset.value = r.backendReasonCode;
      reason.title = why === r.backendReason ? "" : r.backendReason;
      status.textContent = t("big.fused.done", { n: s.bigTokens, d: s.bigHidden, v: s.bigFusedVocab });
    } catch (e) {
      const said = refusalText(t, ctx.lang, errorCode(e), errorMessage(e));
      status.textContent = t("summary.refused") + " " + said.text;
      status.title = said.original;
    } finally {
      running = false;
      run.disabled = false;
    }
  }

  /** @param {State} s */
  function update(s) {
    for (const f of /** @type {const} */ (["bigTokens", "bigHidden", "bigFusedVocab"])) bound.get(f)?.sync(s[f]);
    inputs.textContent = t("big.fused.inputs", {
      n: s.bigTokens,
      d: s.bigHidden,
      v: s.bigFusedVocab,
      seed: s.bigSeed,
      eps: s.bigEpsilon,
    });
    showLogitsBytes(s);
  }
  return { el, update };
}
