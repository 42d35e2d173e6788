// View 4, big tensors: generate up to 1×2048×32000 logits (or import .npy / JSON), run the engine
// and the CPU kernel in a Web Worker (the page never waits on them), and show time, backend and
// why, and how far the two agree (loss, gradient). Its "fused" mode runs linearCrossEntropy
// (views/big-fused.js) instead: the loss of a linear layer whose logits never exist.
import { h, uid } from "../dom.js";
import { boundNumber } from "../widgets/field-note.js";
import { fmt, exact, errorMessage, errorCode, refusalText } from "../format.js";
import { LIMITS, SCHEMA } from "../state.js";
import { createEngineSession, probeWebGPU } from "../engine.js";
import { parseNpy, parseJsonInput, lossInput, ImportError } from "../npy.js";
import { generatedNpy, saveFile } from "../npy-export.js";
import { createFused } from "./big-fused.js";

/** @typedef {import("../state.js").State} State */

/**
 * Why the engine ran where it did, in the UI's language: the sentence for the module's reason
 * code with its values, or the module's own (English) sentence for a code this page does not know.
 * @param {import("../i18n.js").Translate} t @param {string | null | undefined} code
 * @param {Record<string, string> | null | undefined} params @param {string} sentence
 */
export function reasonText(t, code, params, sentence) {
  const key = `big.reason.${code}`;
  const values = { ...params };
  if (values.kind) values.kind = t(`big.reason.kind.${values.kind}`);
  const said = code ? t(key, values) : key;
  return said === key ? sentence : said;
}
/** An input read from files or JSON (not part of the link: too big); its arrays move to the worker. @typedef {{ logits: Float32Array | null, labels: Int32Array | null, dims: number[], name: string, key: string }} Imported */

/** @type {[number, number, number][]} */
const PRESETS = [
  [1, 8, 1000],
  [1, 64, 32000],
  [1, 512, 32000],
  [1, 2048, 32000],
  [4, 128, 50257],
  [1, 16, 151936],
];
const AUTO_RUN_ELEMENTS = 4_000_000; // small enough to run on load without a click

const runKeyOf = (/** @type {State} */ s) =>
  JSON.stringify([
    s.bigBatch,
    s.bigSeqLen,
    s.bigVocab,
    s.bigSeed,
    s.bigLogitScale,
    s.bigEpsilon,
    s.bigShiftLabels,
    s.bigBackend,
    s.bigGradient,
  ]);

/** @param {import("../shell.js").ViewContext} ctx */
export function createBig(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<State>} */ p) => store.set(p);
  /** @type {Imported | null} */
  let imported = null;
  let imports = 0;
  let running = false;
  /** @type {string | null} */
  let lastRunKey = null;
  /** @type {string | null} */
  let ranKey = null; // the settings the shown results belong to

  const preset = h(
    "select",
    { id: uid("ctl"), dataset: { testid: "big-preset" } },
    h("option", { value: "", text: t("big.custom") }),
    PRESETS.map(([b, tt, v]) => h("option", { value: `${b}x${tt}x${v}`, text: `${b} × ${tt} × ${v}` })),
  );
  preset.addEventListener("change", () => {
    if (!preset.value) return;
    const [bigBatch, bigSeqLen, bigVocab] = preset.value.split("x").map(Number);
    set({ bigBatch, bigSeqLen, bigVocab });
  });
  /** @type {Map<keyof import("../state.js").State, ReturnType<typeof boundNumber>>} */
  const boundFields = new Map();
  /** @param {"bigBatch" | "bigSeqLen" | "bigVocab"} field @param {number} max @param {string} labelKey */
  const dimInput = (field, max, labelKey) => {
    const input = h("input", {
      type: "number",
      min: "1",
      max: String(max),
      step: "1",
      id: uid("ctl"),
      dataset: { testid: `big-${SCHEMA[field].key}` },
    });
    // The largest size the other two dimensions leave under the element cap; beyond it, clamped and said.
    const hi = () => {
      const st = store.get();
      const others = (st.bigBatch * st.bigSeqLen * st.bigVocab) / st[field];
      return Math.min(max, Math.floor(LIMITS.bigElements / others));
    };
    const apply = (/** @type {number | null} */ x) => set({ [field]: x ?? SCHEMA[field].def });
    const b = boundNumber(input, { t, min: 1, max: hi, integer: true, apply, current: () => store.get()[field] });
    boundFields.set(field, b);
    return h("div", { class: "field" }, h("label", { for: input.id, text: t(labelKey) }), input, b.note);
  };
  const bb = dimInput("bigBatch", 2048, "big.B");
  const bt = dimInput("bigSeqLen", 2048, "big.T");
  const bv = dimInput("bigVocab", 262144, "big.V");
  const size = h("p", { class: "hint", dataset: { testid: "big-size" } });
  /**
   * @param {"bigSeed" | "bigLogitScale" | "bigEpsilon"} key @param {string} labelKey
   * @param {{ min: number, max: number, step: number, integer?: boolean, testid?: string }} options
   */
  const numField = (key, labelKey, { min, max, step, integer, testid }) => {
    const input = h("input", {
      type: "number",
      min: String(min),
      max: String(max),
      step: String(step),
      id: uid("ctl"),
      dataset: testid ? { testid } : {},
    });
    const apply = (/** @type {number | null} */ x) => set({ [key]: x ?? SCHEMA[key].def });
    const b = boundNumber(input, { t, min, max, integer, apply, current: () => store.get()[key] });
    boundFields.set(key, b);
    return {
      input,
      el: h("div", { class: "field" }, h("label", { for: input.id, text: t(labelKey) }), input, b.note),
    };
  };
  const seed = numField("bigSeed", "big.seed", { min: 0, max: 1e9, step: 1, integer: true, testid: "big-seed" });
  const scale = numField("bigLogitScale", "big.scale", { min: 0, max: 1e4, step: 1 });
  const eps = numField("bigEpsilon", "big.eps", { min: 0, max: 1, step: 0.05 });
  const shift = h("input", { type: "checkbox", id: uid("ctl") });
  shift.addEventListener("change", () => set({ bigShiftLabels: shift.checked }));
  const gradient = h("input", { type: "checkbox", id: uid("ctl"), dataset: { testid: "big-grad" } });
  gradient.addEventListener("change", () => set({ bigGradient: gradient.checked }));
  const backend = h(
    "select",
    { id: uid("ctl"), dataset: { testid: "big-backend-choice" } },
    ["auto", "webgpu", "cpu"].map((v) => h("option", { value: v, text: t(`big.be.${v}`) })),
  );
  backend.addEventListener("change", () => set({ bigBackend: /** @type {State["bigBackend"]} */ (backend.value) }));

  const run = h("button", {
    type: "button",
    class: "primary",
    text: t("big.run"),
    dataset: { testid: "big-run" },
    onclick: () => runBoth(),
  });
  const status = h("p", { class: "status", role: "status", dataset: { testid: "big-status" } });

  // Export of the generated inputs as .npy, made in a one-shot worker on click (up to 262 MB).
  const exportStatus = h("p", { class: "hint", role: "status", dataset: { testid: "big-export-status" } });
  /** @param {"logits" | "labels"} which */
  const exportButton = (which) => {
    const button = h("button", {
      type: "button",
      text: t(`big.export.${which}`),
      title: t(`big.export.${which}Title`),
      dataset: { testid: `big-export-${which}` },
    });
    button.addEventListener("click", async () => {
      const s = store.get();
      /** @type {[number, number, number]} */
      const dims = [s.bigBatch, s.bigSeqLen, s.bigVocab];
      const name = `losslab-${which}-${dims.join("x")}-seed${s.bigSeed}.npy`;
      button.disabled = true;
      exportStatus.textContent = t("big.export.making", { name });
      try {
        const bytes = await generatedNpy(which, dims, s.bigSeed, s.bigLogitScale);
        saveFile(bytes, name);
        exportStatus.textContent = t("big.export.saved", {
          name,
          size:
            bytes.length < 2 ** 20
              ? `${(bytes.length / 2 ** 10).toFixed(1)} KiB`
              : `${(bytes.length / 2 ** 20).toFixed(1)} MiB`,
        });
      } catch (e) {
        exportStatus.textContent = t("big.export.failed", { name }) + " " + errorMessage(e);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const exportLogits = exportButton("logits");
  const exportLabels = exportButton("labels");
  const exportRow = h(
    "div",
    { class: "button-row" },
    exportLogits,
    exportLabels,
    h("small", { class: "help", text: t("big.export.help") }),
  );

  // Import: two .npy files, or pasted JSON.
  const logitsFile = h("input", {
    type: "file",
    accept: ".npy,application/octet-stream",
    id: uid("ctl"),
    dataset: { testid: "npy-logits" },
  });
  const labelsFile = h("input", {
    type: "file",
    accept: ".npy,application/octet-stream",
    id: uid("ctl"),
    dataset: { testid: "npy-labels" },
  });
  const importMsg = h("p", { class: "import-msg", role: "alert", dataset: { testid: "import-message" } });
  /**
   * An import refusal in the UI's language: in English the reader's own words (they name the
   * place in the file); otherwise the sentence for its code, those words in the title.
   * @param {unknown} e
   */
  const importRefusal = (e) => {
    const message = e instanceof ImportError ? e.message : errorMessage(e);
    const code = e instanceof ImportError ? e.code : errorCode(e);
    importMsg.title = message;
    const key = `big.import.${code}`;
    const said = ctx.lang === "en" ? key : t(key);
    return said === key ? refusalText(t, ctx.lang, code, message).text : said;
  };
  const json = h("textarea", {
    id: uid("ctl"),
    rows: "4",
    spellcheck: "false",
    dataset: { testid: "json-input" },
    placeholder: '{"logits": [[2, 0.5, -1], [0.1, 1.5, 0.3]], "labels": [0, -100]}',
  });
  const useJson = h("button", {
    type: "button",
    text: t("big.useJson"),
    dataset: { testid: "json-use" },
    onclick: () => importJson(),
  });
  const useGenerated = h("button", {
    type: "button",
    text: t("big.useGenerated"),
    onclick: () => {
      imported = null;
      showSource();
    },
  });
  const source = h("p", { class: "hint", dataset: { testid: "big-source" } });
  /** @type {Record<"logits" | "labels", (import("../npy.js").NpyArray & { name?: string }) | null>} */
  let npyParts = { logits: null, labels: null };
  /** @param {"logits" | "labels"} which @param {HTMLInputElement} input */
  const readNpy = async (which, input) => {
    const file = input.files?.[0];
    if (!file) return;
    try {
      if (file.size > LIMITS.bigElements * 8 + 65536) throw new ImportError("too-large", "the file is too large");
      const part = { ...parseNpy(await file.arrayBuffer()), name: file.name };
      npyParts[which] = part;
      importMsg.textContent = t("big.npyRead", { name: file.name, shape: part.shape.join(" × "), dtype: part.dtype });
      importMsg.title = "";
      importMsg.className = "import-msg ok";
      if (npyParts.logits && npyParts.labels) {
        const li = lossInput(npyParts.logits, npyParts.labels);
        imported = { ...li, name: `${npyParts.logits.name} + ${npyParts.labels.name}`, key: `import-${++imports}` };
        showSource();
        await runBoth();
      }
    } catch (e) {
      npyParts[which] = null;
      importMsg.className = "import-msg bad";
      importMsg.textContent = t("big.importRefused", { name: file.name }) + " " + importRefusal(e);
    }
  };
  logitsFile.addEventListener("change", () => readNpy("logits", logitsFile));
  labelsFile.addEventListener("change", () => readNpy("labels", labelsFile));
  async function importJson() {
    try {
      const li = parseJsonInput(json.value);
      imported = { ...li, name: "JSON", key: `import-${++imports}` };
      importMsg.className = "import-msg ok";
      importMsg.textContent = t("big.jsonRead", { dims: li.dims.join(" × ") });
      importMsg.title = "";
      showSource();
      await runBoth();
    } catch (e) {
      importMsg.className = "import-msg bad";
      importMsg.textContent = t("big.importRefused", { name: "JSON" }) + " " + importRefusal(e);
    }
  }
  const showSource = () => {
    source.textContent = imported
      ? t("big.sourceImported", { name: imported.name, dims: imported.dims.join(" × ") })
      : t("big.sourceGenerated");
    useGenerated.hidden = !imported;
    // The export writes the generated inputs; an imported input is the user's own file already.
    exportRow.hidden = !!imported;
  };

  // Results.
  const cell = (/** @type {string} */ testid) => h("td", { dataset: { testid } });
  const rows = {
    engine: { backend: cell("backend"), time: cell("big-time-engine"), loss: cell("big-loss-engine") },
    cpu: { backend: cell("big-backend-cpu"), time: cell("big-time-cpu"), loss: cell("big-loss-cpu") },
  };
  const results = h(
    "table",
    { class: "results" },
    h("caption", { class: "sr-only", text: t("big.resultsTitle") }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["big.colRun", "big.colBackend", "big.colTime", "big.colLoss"].map((k) =>
          h("th", { scope: "col", text: t(k) }),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "row", text: t("big.engineRow") }),
        rows.engine.backend,
        rows.engine.time,
        rows.engine.loss,
      ),
      h("tr", {}, h("th", { scope: "row", text: t("big.cpuRow") }), rows.cpu.backend, rows.cpu.time, rows.cpu.loss),
    ),
  );
  const diff = h("output", { dataset: { testid: "big-diff" } });
  const gradDiff = h("output", { dataset: { testid: "big-grad-diff" } });
  const reason = h("p", { class: "hint", dataset: { testid: "engine-reason" } });
  const gpuInfo = h("p", { class: "hint", dataset: { testid: "webgpu-probe" } });

  /** @param {string} key @param {import("../dom.js").Child[]} children */
  const card = (key, ...children) => {
    const id = uid("h");
    return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id, text: t(key) }), children);
  };
  const mode = h(
    "select",
    { id: uid("ctl"), dataset: { testid: "big-mode" } },
    ["logits", "fused"].map((v) => h("option", { value: v, text: t(`big.mode.${v}`) })),
  );
  mode.addEventListener("change", () => set({ bigMode: /** @type {State["bigMode"]} */ (mode.value) }));
  const fused = createFused(ctx);
  const logitsCards = h(
    "div",
    { class: "cards" },
    card(
      "big.sizeTitle",
      h("div", { class: "field" }, h("label", { for: preset.id, text: t("big.preset") }), preset),
      h("div", { class: "controls inline-controls" }, bb, bt, bv),
      size,
      h(
        "div",
        { class: "controls inline-controls" },
        seed.el,
        scale.el,
        eps.el,
        h("div", { class: "field field-check" }, shift, h("label", { for: shift.id, text: t("big.shift") })),
        h("div", { class: "field field-check" }, gradient, h("label", { for: gradient.id, text: t("big.grad") })),
        h("div", { class: "field" }, h("label", { for: backend.id, text: t("big.backend") }), backend),
      ),
      h("div", { class: "button-row" }, run),
      status,
      exportRow,
      exportStatus,
    ),
    card(
      "big.resultsTitle",
      h("div", { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("big.resultsTable") }, results),
      h("p", {}, h("span", { text: t("big.diff") + " " }), diff),
      h("p", {}, h("span", { text: t("big.gradDiff") + " " }), gradDiff),
      reason,
      gpuInfo,
    ),
    card(
      "big.importTitle",
      source,
      useGenerated,
      h("div", { class: "field" }, h("label", { for: logitsFile.id, text: t("big.npyLogits") }), logitsFile),
      h("div", { class: "field" }, h("label", { for: labelsFile.id, text: t("big.npyLabels") }), labelsFile),
      h("div", { class: "field" }, h("label", { for: json.id, text: t("big.json") }), json),
      h("div", { class: "button-row" }, useJson),
      importMsg,
    ),
  );
  const el = h(
    "div",
    { class: "view view-big" },
    ctx.only ? null : h("p", { class: "intro", text: t("big.intro") }),
    h("div", { class: "field" }, h("label", { for: mode.id, text: t("big.mode") }), mode),
    logitsCards,
    fused.el,
  );

  probeWebGPU().then((p) => {
    const a = p.adapterInfo;
    gpuInfo.textContent = a
      ? t("big.gpuYes", {
          info:
            [a.vendor, a.architecture, a.description].filter(Boolean).join(" / ") +
            (a.isFallbackAdapter ? t("big.fallbackAdapter") : ""),
        })
      : t("big.gpuNo", { reason: reasonText(t, p.reason, { detail: p.detail }, p.detail || String(p.reason)) });
  });

  // Every heavy step runs in the session's worker: generating the inputs, the engine's call and
  // the CPU reference, and the gradient comparison. The page only posts messages and shows text.
  const session = (ctx.keep.bigEngine ??= createEngineSession());
  /** @type {{ key: string, handle: number, n: number } | null} */
  let inputHandle = null; // the generated or imported input kept in the worker

  /** @param {import("../../pkg/engine/client.js").EngineWorker} w @param {State} s */
  async function workerInput(w, s) {
    const key = imported
      ? imported.key
      : JSON.stringify([s.bigBatch, s.bigSeqLen, s.bigVocab, s.bigSeed, s.bigLogitScale]);
    if (inputHandle?.key === key) return inputHandle;
    if (inputHandle) await w.release(inputHandle.handle);
    inputHandle = null;
    const dims = /** @type {[number, number, number]} */ (
      imported ? imported.dims : [s.bigBatch, s.bigSeqLen, s.bigVocab]
    );
    // Imported arrays move to the worker once (transfer, no copy); generated ones are made there
    // by the module's hash generator: the same numbers as the golden vectors and the benchmark.
    // (An imported input is put once per import: its key changes with every import.)
    const handle = imported
      ? await w.put(
          {
            logits: /** @type {Float32Array} */ (imported.logits),
            dims,
            labels: /** @type {Int32Array} */ (imported.labels),
          },
          { transfer: true },
        )
      : await w.hashInput({ dims, seed: s.bigSeed, scale: s.bigLogitScale, ignoreIndex: -100 });
    if (imported) imported.logits = imported.labels = null; // detached: the worker holds them now
    inputHandle = { key, handle, n: dims[0] * dims[1] * dims[2] };
    return inputHandle;
  }

  async function runBoth() {
    if (running) return;
    running = true;
    run.disabled = true;
    const s = store.get();
    ranKey = imported ? null : runKeyOf(s);
    for (const r of Object.values(rows)) for (const c of Object.values(r)) c.textContent = "…";
    diff.textContent = "…";
    gradDiff.textContent = "…";
    status.textContent = t("big.running");
    /** @type {number[]} */
    const kept = [];
    try {
      const w = await session.get(s.bigBackend);
      const input = await workerInput(w, s);
      const options = { epsilon: s.bigEpsilon, shiftLabels: s.bigShiftLabels, grad: s.bigGradient };
      const call = { keepGradient: true };
      let eRes = null;
      try {
        eRes = await w.crossEntropy(input.handle, options, call);
        if (eRes.gradHandle) kept.push(eRes.gradHandle);
        rows.engine.time.textContent = `${eRes.timeMs.toFixed(1)} ms`;
        rows.engine.backend.textContent = eRes.backend;
        rows.engine.loss.textContent = fmt(eRes.loss);
        rows.engine.loss.dataset.value = exact(eRes.loss);
        const adapter = w.adapterInfo
          ? " " + t("big.adapter", { info: `${w.adapterInfo.vendor} ${w.adapterInfo.architecture}`.trim() })
          : "";
        const kernels = eRes.gpuTimeMs != null ? " " + t("big.gpuTime", { ms: eRes.gpuTimeMs.toFixed(2) }) : "";
        const why = reasonText(t, eRes.backendReasonCode, eRes.backendReasonParams, eRes.backendReason ?? "");
        reason.textContent = t("big.why", { backend: eRes.backend, reason: why }) + adapter + kernels;
        // The module's own sentence stays one hover away when the page says it in another language.
        reason.title = why === eRes.backendReason ? "" : (eRes.backendReason ?? "");
      } catch (e) {
        rows.engine.backend.textContent = t("big.failed");
        rows.engine.time.textContent = "—";
        rows.engine.loss.textContent = "—";
        const said = refusalText(t, ctx.lang, errorCode(e), errorMessage(e));
        reason.textContent = said.text;
        reason.title = said.original;
      }
      const cRes = await w.crossEntropy(input.handle, options, { ...call, on: "cpu" });
      if (cRes.gradHandle) kept.push(cRes.gradHandle);
      rows.cpu.time.textContent = `${cRes.timeMs.toFixed(1)} ms`;
      rows.cpu.backend.textContent = cRes.backend;
      rows.cpu.loss.textContent = fmt(cRes.loss);
      rows.cpu.loss.dataset.value = exact(cRes.loss);
      if (eRes) {
        // Scalars: the view never asks for reduction "none".
        const a = eRes.loss ?? NaN;
        const b = cRes.loss ?? NaN;
        const abs = Math.abs(a - b);
        diff.textContent = Number.isFinite(abs)
          ? t("big.diffValue", {
              abs: abs.toExponential(2),
              rel: (abs / Math.max(Math.abs(b), 1e-30)).toExponential(2),
            })
          : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))
            ? t("big.sameNonFinite")
            : "—";
        diff.dataset.value = String(abs);
      } else diff.textContent = "—";
      if (eRes?.gradHandle && cRes.gradHandle) {
        const g = await w.compare(eRes.gradHandle, cRes.gradHandle);
        gradDiff.textContent = t("big.gradGap", {
          diff: g.maxAbsDiff.toExponential(2),
          max: g.maxAbs.toExponential(2),
        });
        gradDiff.dataset.value = String(g.maxAbsDiff / Math.max(g.maxAbs, 1e-30));
      } else gradDiff.textContent = s.bigGradient ? "—" : t("big.noGrad");
      status.textContent = t("big.done", { n: input.n.toLocaleString("en") });
    } catch (e) {
      const said = refusalText(t, ctx.lang, errorCode(e), errorMessage(e));
      status.textContent = t("summary.refused") + " " + said.text;
      status.title = said.original;
    } finally {
      const w = await session.get(s.bigBackend).catch(() => null);
      for (const h of kept) w?.release(h);
      results.classList.remove("stale");
      running = false;
      run.disabled = false;
    }
  }

  /** @param {State} s */
  function update(s) {
    mode.value = s.bigMode;
    logitsCards.hidden = s.bigMode !== "logits";
    fused.el.hidden = s.bigMode !== "fused";
    fused.update(s);
    if (s.bigMode !== "logits") return;
    const key = `${s.bigBatch}x${s.bigSeqLen}x${s.bigVocab}`;
    preset.value = PRESETS.some((p) => p.join("x") === key) ? key : "";
    for (const f of /** @type {const} */ ([
      "bigBatch",
      "bigSeqLen",
      "bigVocab",
      "bigSeed",
      "bigLogitScale",
      "bigEpsilon",
    ]))
      boundFields.get(f)?.sync(s[f]);
    const n = s.bigBatch * s.bigSeqLen * s.bigVocab;
    size.textContent = t("big.size", { n: n.toLocaleString("en"), mb: ((n * 4) / 2 ** 20).toFixed(1) });
    shift.checked = s.bigShiftLabels;
    gradient.checked = s.bigGradient;
    backend.value = s.bigBackend;
    showSource();
    const runKey = runKeyOf(s);
    // Results computed for other settings stay visible but dimmed until the next run.
    results.classList.toggle("stale", ranKey !== null && ranKey !== runKey && !imported);
    if (lastRunKey === null && n <= AUTO_RUN_ELEMENTS) runBoth();
    else if (lastRunKey !== runKey) status.textContent = t("big.pressRun");
    lastRunKey = runKey;
  }
  return { el, update };
}
