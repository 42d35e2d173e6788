// View 2, pre-training vs alignment: one sequence scored as CLM, SFT (prompt masked) and MLM,
// which tokens count in each, the losses side by side with the identity that ties CLM to its
// prompt and response parts, and MSE for a regression head.
import { h, fill, setValue, uid } from "../dom.js";
import { fmt, exact, short, errorMessage, errorCode, refusalText } from "../format.js";
import { OBJ_VOCAB, OBJ_SPECIAL, LIMITS, encodeState } from "../state.js";
import { seedTable } from "../widgets/seed-table.js";
import { boundNumber } from "../widgets/field-note.js";

const V = OBJ_VOCAB.length;

/** The causal toy model's logits: fixed noise from the module's hash generator plus a boost on the
 *  next token, weak where that token lies in the prompt and strong in the response. The two
 *  confidences are the page's assumption, set by sliders; nothing here learns. */
/**
 * @param {import("../shell.js").Losslab} L @param {number[]} ids @param {number} promptLen
 * @param {number} promptBoost @param {number} responseBoost
 */
function causalLogits(L, ids, promptLen, promptBoost, responseBoost) {
  const T = ids.length;
  const x = L.hashLogits(T * V, 7, 4);
  for (let t = 0; t + 1 < T; t++) x[t * V + ids[t + 1]] += t + 1 < promptLen ? promptBoost : responseBoost;
  return x;
}

/** The masked-LM toy model's logits: its own noise and one confidence for every position's own
 *  token. MLM has no prompt: it does not read the prompt length or the prompt/response sliders.
 *  @param {import("../shell.js").Losslab} L @param {number[]} ids @param {number} confidence */
function maskedLmLogits(L, ids, confidence) {
  const T = ids.length;
  const x = L.hashLogits(T * V, 8, 4);
  for (let t = 0; t < T; t++) x[t * V + ids[t]] += confidence;
  return x;
}

/** How an MLM-chosen position's input was replaced (BERT's 80/10/10): the mask token, a random
 *  token, or left unchanged; null where the position was not chosen.
 *  @param {number} label @param {number} input @param {number} original @returns {"mask" | "random" | "kept" | null} */
export function mlmReplacement(label, input, original) {
  if (label === -100) return null;
  if (input === OBJ_SPECIAL.mask) return "mask";
  return input === original ? "kept" : "random";
}

/**
 * CLM's mean split into its prompt part and its response part: mean_p is the module's loss with
 * only the prompt's next tokens labelled, mean_r the SFT loss, so
 * (n_p·mean_p + n_r·mean_r) / (n_p + n_r) must equal the CLM loss. An empty part contributes
 * nothing (its mean is 0/0 = NaN and its weight 0). NaN when neither part has a token.
 * @param {{ numActive: number, loss: number | null }} prompt @param {{ numActive: number, loss: number | null }} response
 */
export function identityRhs(prompt, response) {
  const part = (/** @type {{ numActive: number, loss: number | null }} */ r) =>
    r.numActive === 0 ? 0 : r.numActive * (r.loss ?? NaN);
  const n = prompt.numActive + response.numActive;
  return n === 0 ? NaN : (part(prompt) + part(response)) / n;
}

/** @typedef {import("../../pkg/index.js").CrossEntropyResult} CrossEntropyResult */
/**
 * The three objectives' labels and losses (set when `error` is null), and MSE (or why not).
 * @typedef {{
 *   T: number, error: string | null, clmLabels?: Int32Array, sftLabels?: Int32Array, clm?: CrossEntropyResult, sft?: CrossEntropyResult,
 *   promptPart?: CrossEntropyResult,
 *   mlmMasked?: import("../../pkg/index.js").MlmResult, mlm?: CrossEntropyResult, mse?: import("../../pkg/index.js").MseResult, mseError?: string,
 *   errorCode?: string | null, mseErrorCode?: string | null,
 * }} Objectives
 */

/** @param {import("../shell.js").Losslab} L @param {import("../state.js").State} s */
export function computeObjectives(L, s) {
  const ids = Int32Array.from(s.objSequence);
  const T = ids.length;
  /** @type {Objectives} */
  const out = { T, error: null };
  try {
    const clmX = causalLogits(L, s.objSequence, s.objPromptLength, s.objPromptConfidence, s.objResponseConfidence);
    const clmLabels = (out.clmLabels = L.clmLabels(ids, [1, T], { padId: OBJ_SPECIAL.pad }));
    const sftLabels = (out.sftLabels = L.sftLabels(ids, [1, T], s.objPromptLength, { padId: OBJ_SPECIAL.pad }));
    const opts = { epsilon: s.objEpsilon, shiftLabels: true };
    const dims = [1, T, V];
    out.clm = L.crossEntropy({ logits: clmX, dims, labels: clmLabels }, opts);
    out.sft = L.crossEntropy({ logits: clmX, dims, labels: sftLabels }, opts);
    // The tokens CLM counts and SFT does not: the prompt's next tokens, scored on the same logits.
    const promptLabels = clmLabels.map((y, i) => (sftLabels[i] === -100 ? y : -100));
    out.promptPart = L.crossEntropy({ logits: clmX, dims, labels: promptLabels }, opts);
    const mlmMasked = (out.mlmMasked = L.mlmMask(ids, [1, T], {
      maskTokenId: OBJ_SPECIAL.mask,
      vocabSize: V,
      probability: s.objMlmProbability,
      seed: s.objMlmSeed,
      specialIds: [OBJ_SPECIAL.pad, OBJ_SPECIAL.bos, OBJ_SPECIAL.eos, OBJ_SPECIAL.mask],
    }));
    const mlmX = maskedLmLogits(L, s.objSequence, s.objMlmConfidence);
    out.mlm = L.crossEntropy({ logits: mlmX, dims, labels: mlmMasked.labels }, { epsilon: s.objEpsilon });
  } catch (e) {
    out.error = errorMessage(e);
    out.errorCode = errorCode(e);
  }
  try {
    out.mse = L.mse(Float32Array.from(s.msePredictions), Float32Array.from(s.mseTargets), {
      reduction: "mean",
      grad: true,
    });
  } catch (e) {
    out.mseError = errorMessage(e);
    out.mseErrorCode = errorCode(e);
  }
  return out;
}

/** @param {import("../shell.js").ViewContext} ctx */
export function createObjectives(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<import("../state.js").State>} */ p) => store.set(p);
  /** @type {Map<HTMLInputElement, ReturnType<typeof boundNumber>>} */
  const boundFields = new Map();
  /**
   * @param {"objPromptLength" | "objEpsilon" | "objMlmProbability" | "objMlmSeed"} key
   * @param {{ min: number, max: number, step: number, integer?: boolean, testid: string }} options
   */
  const num = (key, { min, max, step, integer, testid }) => {
    const input = h("input", {
      type: "number",
      min: String(min),
      max: String(max),
      step: String(step),
      id: uid("ctl"),
      dataset: { testid },
    });
    // The prompt cannot be longer than the sequence; an entry beyond a bound is clamped and says so.
    const hi = () => (key === "objPromptLength" ? store.get().objSequence.length : max);
    const apply = (/** @type {number | null} */ x) => set({ [key]: x });
    boundFields.set(input, boundNumber(input, { t, min, max: hi, integer, apply, current: () => store.get()[key] }));
    return input;
  };
  /** @param {"objPromptConfidence" | "objResponseConfidence" | "objMlmConfidence"} key @param {{ min: number, max: number, step: number, testid: string }} options */
  const range = (key, { min, max, step, testid }) => {
    const input = h("input", {
      type: "range",
      min: String(min),
      max: String(max),
      step: String(step),
      id: uid("ctl"),
      dataset: { testid },
    });
    input.addEventListener("input", () => set({ [key]: Number(input.value) }));
    return input;
  };
  /** @type {(labelKey: string, control: HTMLElement, out?: HTMLElement) => HTMLElement} */
  const field = (labelKey, control, out) =>
    h(
      "div",
      { class: "field" },
      h("label", { for: control.id, text: t(labelKey) }),
      control,
      out ?? null,
      control instanceof HTMLInputElement ? (boundFields.get(control)?.note ?? null) : null,
    );

  const plen = num("objPromptLength", { min: 0, max: LIMITS.seqLen, step: 1, integer: true, testid: "obj-prompt-len" });
  const opc = range("objPromptConfidence", { min: 0, max: 10, step: 0.5, testid: "obj-prompt-conf" });
  const orc = range("objResponseConfidence", { min: 0, max: 10, step: 0.5, testid: "obj-response-conf" });
  const omc = range("objMlmConfidence", { min: 0, max: 10, step: 0.5, testid: "obj-mlm-conf" });
  const opcOut = h("output", {});
  const orcOut = h("output", {});
  const omcOut = h("output", {});
  const oeps = num("objEpsilon", { min: 0, max: 1, step: 0.05, testid: "obj-eps" });
  const oprob = num("objMlmProbability", { min: 0, max: 1, step: 0.05, testid: "obj-mlm-prob" });
  const oseed = num("objMlmSeed", { min: 0, max: 1e9, step: 1, integer: true, testid: "obj-mlm-seed" });
  const redraw = h("button", {
    type: "button",
    text: t("obj.redraw"),
    onclick: () => set({ objMlmSeed: (store.get().objMlmSeed + 1) % 1e9 }),
  });
  const seqButtons = h(
    "div",
    { class: "button-row" },
    h("button", {
      type: "button",
      text: t("obj.addToken"),
      onclick: () => {
        const st = store.get();
        if (st.objSequence.length < LIMITS.seqLen) set({ objSequence: [...st.objSequence, OBJ_SPECIAL.pad] });
      },
    }),
    h("button", {
      type: "button",
      text: t("obj.removeToken"),
      onclick: () => {
        const st = store.get();
        if (st.objSequence.length > 2)
          set({
            objSequence: st.objSequence.slice(0, -1),
            objPromptLength: Math.min(st.objPromptLength, st.objSequence.length - 1),
          });
      },
    }),
  );
  const controls = h(
    "div",
    { class: "controls" },
    field("obj.promptLen", plen),
    field("obj.promptConf", opc, opcOut),
    field("obj.responseConf", orc, orcOut),
    field("obj.eps", oeps),
    field("obj.mlmProb", oprob),
    field("obj.mlmConf", omc, omcOut),
    h(
      "div",
      { class: "field" },
      h("label", { for: oseed.id, text: t("obj.mlmSeed") }),
      h("div", { class: "inline" }, oseed, redraw),
      boundFields.get(oseed)?.note ?? null,
    ),
  );
  const controlsNote = h("p", { class: "hint", text: t("obj.controlsNote") });

  /** @param {string} key @param {string} testid */
  const stat = (key, testid) => {
    const out = h("output", { class: "big-number", dataset: { testid } });
    const count = h("span", { class: "stat-sub" });
    const bar = h("span", { class: "cmp-bar" });
    return {
      out,
      count,
      bar,
      el: h(
        "div",
        { class: "stat" },
        h("span", { class: "stat-label", text: t(key) }),
        out,
        count,
        h("span", { class: "cmp-track", "aria-hidden": "true" }, bar),
      ),
    };
  };
  const clm = stat("obj.clm", "obj-clm");
  const sft = stat("obj.sft", "obj-sft");
  const mlm = stat("obj.mlm", "obj-mlm");
  const why = h("div", { class: "why" });
  // CLM = weighted mean of its prompt and response parts, with this page's own numbers.
  const identity = h("div", { class: "obj-identity-block" });
  const identityValue = h("output", { class: "scalar", dataset: { testid: "obj-identity" } });
  const edge = h("p", { class: "edge", dataset: { testid: "obj-edge" } });
  const trainLink = h("a", {
    href: "#view=train",
    text: t("obj.trainLink"),
    dataset: { testid: "obj-train-link" },
    onclick: (/** @type {MouseEvent} */ e) => {
      // Inside an embed or a widget the store is the page's state: switch views there.
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      set({ view: "train" });
    },
  });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const table = h("table", { class: "obj-table" });
  const tableWrap = h(
    "div",
    { class: "scroll-x", tabindex: "0", role: "region", "aria-label": t("obj.tableScroll") },
    table,
  );
  /** @typedef {{ sel: HTMLSelectElement, th: HTMLTableCellElement, tr: HTMLTableRowElement } & Record<"clm" | "clmLoss" | "sft" | "sftLoss" | "mlmIn" | "mlm" | "mlmLoss", HTMLTableCellElement>} Row */
  /** @type {Row[]} */
  let tableRows = [];
  const buildTable = (/** @type {number} */ T) => {
    tableRows = Array.from({ length: T }, (_, i) => {
      /** @type {HTMLSelectElement} */
      const sel = h(
        "select",
        {
          "aria-label": t("obj.tokenAt", { i }),
          onchange: () => {
            const a = store.get().objSequence.slice();
            a[i] = Number(sel.value);
            set({ objSequence: a });
          },
        },
        OBJ_VOCAB.map((n, id) => h("option", { value: String(id), text: n })),
      );
      const td = () => h("td", {});
      const row = {
        sel,
        th: h("th", { scope: "row" }),
        clm: td(),
        clmLoss: td(),
        sft: td(),
        sftLoss: td(),
        mlmIn: td(),
        mlm: td(),
        mlmLoss: td(),
      };
      return {
        ...row,
        tr: h(
          "tr",
          {},
          row.th,
          h("td", {}, sel),
          row.clm,
          row.clmLoss,
          row.sft,
          row.sftLoss,
          row.mlmIn,
          row.mlm,
          row.mlmLoss,
        ),
      };
    });
    const head = h(
      "tr",
      {},
      [
        "obj.colPos",
        "obj.colToken",
        "obj.colClm",
        "obj.colClmLoss",
        "obj.colSft",
        "obj.colSftLoss",
        "obj.colMlmIn",
        "obj.colMlm",
        "obj.colMlmLoss",
      ].map((k) => h("th", { scope: "col", text: t(k) })),
    );
    fill(
      table,
      h("caption", { class: "sr-only", text: t("obj.tableTitle") }),
      h("thead", {}, head),
      h(
        "tbody",
        {},
        tableRows.map((r) => r.tr),
      ),
    );
  };

  // MSE for a regression head.
  const mseBody = h("div", { class: "mse-rows" });
  const mseOut = h("output", { class: "big-number", dataset: { testid: "obj-mse" } });
  const mseButtons = h(
    "div",
    { class: "button-row" },
    h("button", {
      type: "button",
      text: t("obj.mseAdd"),
      onclick: () => {
        const st = store.get();
        if (st.msePredictions.length < LIMITS.mse)
          set({ msePredictions: [...st.msePredictions, 0], mseTargets: [...st.mseTargets, 0] });
      },
    }),
    h("button", {
      type: "button",
      text: t("obj.mseRemove"),
      onclick: () => {
        const st = store.get();
        if (st.msePredictions.length > 1)
          set({ msePredictions: st.msePredictions.slice(0, -1), mseTargets: st.mseTargets.slice(0, -1) });
      },
    }),
  );
  const mseNote = h("p", { class: "hint" });
  let mseShape = -1;
  /** @type {{ p: HTMLInputElement, y: HTMLInputElement, e: HTMLOutputElement }[]} */
  let mseInputs = [];

  /** @param {string} key @param {import("../dom.js").Child[]} children */
  const section = (key, ...children) => {
    const id = uid("h");
    return h("section", { class: "card span-2", "aria-labelledby": id }, h("h2", { id, text: t(key) }), children);
  };
  const intro = h("p", { class: "intro" });
  const el = h(
    "div",
    { class: "view view-objectives" },
    ctx.only ? null : intro,
    h(
      "div",
      { class: "cards" },
      section(
        "obj.resultsTitle",
        h("div", { class: "stats" }, clm.el, sft.el, mlm.el),
        error,
        h("p", { class: "obj-same", text: t("obj.same") }),
        identity,
        edge,
        why,
        h("p", { class: "hint" }, t("obj.toyCaveat") + " ", trainLink),
      ),
      section(
        "obj.tableTitle",
        h("p", { class: "hint", text: t("obj.tableHint") }),
        tableWrap,
        h("p", { class: "hint", dataset: { testid: "obj-mlm-legend" }, text: t("obj.mlmLegend") }),
        seqButtons,
      ),
      section("obj.controlsTitle", controls, controlsNote),
      section(
        "obj.mseTitle",
        h("p", { class: "hint", text: t("obj.mseIntro") }),
        mseBody,
        mseButtons,
        h("div", { class: "stat" }, h("span", { class: "stat-label", text: t("obj.mseLoss") }), mseOut),
        mseNote,
      ),
      section("obj.seedTitle", seedTable(ctx, { scrollLabel: t("obj.seedScroll"), sourceLabel: t("obj.seedSource") })),
    ),
  );

  /** The identity with the page's numbers, and what the edge cases mean. @param {Objectives} d */
  function showIdentity(d) {
    const { clm: rc, sft: rs, promptPart: rp } = d;
    if (d.error || !rc || !rs || !rp) {
      fill(identity);
      edge.hidden = true;
      identityValue.dataset.value = "";
      return;
    }
    const np = rp.numActive;
    const nr = rs.numActive;
    const rhs = identityRhs(rp, rs);
    const clmLoss = rc.loss ?? NaN;
    const mp = np === 0 ? "—" : short(rp.loss ?? NaN, 7);
    const mr = nr === 0 ? "—" : short(rs.loss ?? NaN, 7);
    identityValue.textContent = fmt(rhs);
    identityValue.dataset.value = exact(rhs);
    const line = (/** @type {import("../dom.js").Child[]} */ ...parts) => h("code", { class: "identity-line" }, parts);
    fill(
      identity,
      h("p", { class: "hint", text: t("obj.identityLegend", { np, nr }) }),
      line("mean_CLM = (n_p·mean_p + n_r·mean_r) / (n_p + n_r)"),
      line(`         = (${np} · ${mp} + ${nr} · ${mr}) / (${np} + ${nr})`),
      line("         = ", identityValue),
      h(
        "p",
        { class: "hint", dataset: { testid: "obj-identity-check" } },
        t("obj.identityCheck", {
          clm: fmt(clmLoss),
          diff: Number.isFinite(rhs) && Number.isFinite(clmLoss) ? short(Math.abs(rhs - clmLoss), 2) : "—",
        }),
      ),
    );
    // The edges: nothing to score in one part, or in both.
    const text =
      np + nr === 0
        ? t("obj.edgeNothing")
        : nr === 0
          ? t("obj.edgeNoResponse")
          : np === 0
            ? t("obj.edgeNoPrompt")
            : (rs.loss ?? NaN) < (rp.loss ?? NaN)
              ? t("obj.compareLower", { mr, mp })
              : t("obj.compareNotLower", { mr, mp });
    edge.textContent = text;
    edge.dataset.edge = np + nr === 0 ? "nothing" : nr === 0 ? "no-response" : np === 0 ? "no-prompt" : "both";
    edge.hidden = false;
  }

  /** @param {import("../state.js").State} s */
  function update(s) {
    const d = computeObjectives(ctx.losslab, s);
    boundFields.get(plen)?.sync(s.objPromptLength);
    plen.max = String(s.objSequence.length);
    setValue(opc, s.objPromptConfidence);
    setValue(orc, s.objResponseConfidence);
    setValue(omc, s.objMlmConfidence);
    opcOut.textContent = String(s.objPromptConfidence);
    orcOut.textContent = String(s.objResponseConfidence);
    omcOut.textContent = String(s.objMlmConfidence);
    // The intro quotes the masking probability the MLM column actually uses.
    intro.textContent = t("obj.intro", { p: short(s.objMlmProbability * 100, 3) });
    // Opened in a new tab, the link keeps the language and the rest of the state.
    trainLink.href = `#${encodeState({ ...s, view: "train" })}`;
    boundFields.get(oeps)?.sync(s.objEpsilon);
    boundFields.get(oprob)?.sync(s.objMlmProbability);
    boundFields.get(oseed)?.sync(s.objMlmSeed);
    error.hidden = !d.error;
    const refusal = d.error ? refusalText(t, ctx.lang, d.errorCode, d.error) : null;
    error.textContent = refusal ? t("summary.refused") + " " + refusal.text : "";
    error.title = refusal?.original ?? "";
    // Every part is there when nothing failed; the losses are scalars (the default mean).
    const { clm: rc, sft: rs, mlm: rm, clmLabels, sftLabels, mlmMasked } = d;
    const all =
      !d.error && rc && rs && rm && clmLabels && sftLabels && mlmMasked
        ? { rc, rs, rm, clmLabels, sftLabels, mlmMasked }
        : null;
    /** @type {(r: CrossEntropyResult) => number} */
    const lossOf = (r) => r.loss ?? NaN;
    const losses = all ? [lossOf(all.rc), lossOf(all.rs), lossOf(all.rm)] : [];
    const max = Math.max(...losses.filter(Number.isFinite), 1e-9);
    for (const [st, r] of /** @type {const} */ ([
      [clm, rc],
      [sft, rs],
      [mlm, rm],
    ])) {
      st.out.textContent = r ? fmt(r.loss) : "—";
      st.out.dataset.value = r ? exact(r.loss) : "";
      st.count.textContent = !r ? "" : r.numActive === 0 ? t("obj.countedNone") : t("obj.counted", { n: r.numActive });
      st.bar.style.width = r && Number.isFinite(lossOf(r)) ? `${(lossOf(r) / max) * 100}%` : "0%";
    }
    fill(
      why,
      all
        ? [
            h("p", { text: t("obj.whyTitle") }),
            h(
              "ul",
              {},
              ["obj.why1", "obj.why2", "obj.why3", "obj.why4"].map((k) => h("li", { text: t(k) })),
            ),
          ]
        : null,
    );
    showIdentity(d);

    // Per-token table: which tokens count in each objective, and their losses. Rows are built once
    // per length and updated in place, so a keyboard user's focus stays on the select they changed.
    if (all) {
      if (tableRows.length !== d.T) buildTable(d.T);
      const tok = (/** @type {number} */ id) => OBJ_VOCAB[id] ?? String(id);
      /** @param {HTMLElement} td @param {HTMLElement} lossTd @param {number | null} y @param {number} loss @param {boolean} last */
      const put = (td, lossTd, y, loss, last) => {
        if (last) {
          td.textContent = t("obj.lastPos");
          lossTd.textContent = "";
        } else if (y === -100) {
          td.textContent = t("obj.notCounted");
          lossTd.textContent = "—";
        } else if (y !== null) {
          td.textContent = "✓ " + tok(y);
          lossTd.textContent = short(loss, 4);
        }
        td.className = last || y === -100 ? "muted" : "counted";
        lossTd.className = "num" + (last || y === -100 ? " muted" : "");
      };
      tableRows.forEach((row, i) => {
        row.sel.value = String(s.objSequence[i]);
        row.tr.className = i < s.objPromptLength ? "prompt-row" : "";
        row.th.textContent = String(i) + (i < s.objPromptLength ? " · P" : "");
        const last = i + 1 >= d.T;
        put(row.clm, row.clmLoss, last ? null : all.clmLabels[i + 1], last ? 0 : all.rc.perTokenLoss[i], last);
        put(row.sft, row.sftLoss, last ? null : all.sftLabels[i + 1], last ? 0 : all.rs.perTokenLoss[i], last);
        // The token the MLM model reads here, and how BERT's 80/10/10 rule replaced it.
        const input = all.mlmMasked.inputIds[i];
        const how = mlmReplacement(all.mlmMasked.labels[i], input, s.objSequence[i]);
        fill(
          row.mlmIn,
          tok(input),
          how ? h("span", { class: "mlm-how", dataset: { mlm: how }, text: " " + t(`obj.mlmHow.${how}`) }) : null,
        );
        row.mlmIn.className = how === null ? "" : "changed";
        put(row.mlm, row.mlmLoss, all.mlmMasked.labels[i], all.rm.perTokenLoss[i], false);
      });
    }

    // MSE rows: rebuilt only when the count changes, so typing keeps focus.
    if (mseShape !== s.msePredictions.length) {
      mseShape = s.msePredictions.length;
      mseInputs = s.msePredictions.map((_, i) => {
        /** @param {"msePredictions" | "mseTargets"} key @param {string} label */
        const mk = (key, label) => {
          const input = h("input", { type: "number", step: "0.1", id: uid("ctl"), "aria-label": t(label, { i }) });
          input.addEventListener("input", () => {
            const x = Number(input.value);
            if (input.value === "" || !Number.isFinite(x) || Math.abs(x) > 1e6)
              return input.setAttribute("aria-invalid", "true");
            input.setAttribute("aria-invalid", "false");
            const arr = store.get()[key].slice();
            arr[i] = x;
            set({ [key]: arr });
          });
          return input;
        };
        return { p: mk("msePredictions", "obj.msePred"), y: mk("mseTargets", "obj.mseTarget"), e: h("output", {}) };
      });
      fill(
        mseBody,
        h(
          "div",
          { class: "mse-row mse-head", "aria-hidden": "true" },
          h("span", { text: "i" }),
          h("span", { text: t("obj.msePredCol") }),
          h("span", { text: t("obj.mseTargetCol") }),
          h("span", { text: "(p − y)²" }),
        ),
        mseInputs.map((m, i) => h("div", { class: "mse-row" }, h("span", { text: String(i) }), m.p, m.y, m.e)),
      );
    }
    mseInputs.forEach((m, i) => {
      setValue(m.p, s.msePredictions[i]);
      setValue(m.y, s.mseTargets[i] ?? "");
      m.e.textContent = d.mse ? short(d.mse.perElement[i] ?? NaN, 5) : "—";
    });
    mseOut.textContent = d.mse ? fmt(d.mse.loss) : "—";
    mseOut.dataset.value = d.mse ? exact(d.mse.loss) : "";
    const mseRefusal = d.mseError ? refusalText(t, ctx.lang, d.mseErrorCode, d.mseError) : null;
    mseNote.textContent = mseRefusal ? t("summary.refused") + " " + mseRefusal.text : t("obj.mseNote");
    mseNote.title = mseRefusal?.original ?? "";
  }
  return { el, update };
}
