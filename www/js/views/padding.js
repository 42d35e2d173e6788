// View 3, padding: the seq2seq trainer's prediction_step as a step-through (left-padded prompts,
// labels padded with the pad id or truncated, the prompt removed from the generated tokens, the
// backed-up labels returned for metrics), what pad_token_id = eos_token_id does to those tensors,
// and a collate view (right/left padding, -100 label padding, pad_to_multiple_of).
import { h, fill, uid } from "../dom.js";
import { matrixView } from "../widgets/tensor.js";
import { LIMITS, SCHEMA } from "../state.js";
import { errorMessage, errorCode, refusalText } from "../format.js";
import { boundNumber } from "../widgets/field-note.js";

/** A flat [B, W] matrix as B rows. @type {(flat: Int32Array, dims: [number, number]) => number[][]} */
const rowsOf = (flat, [B, W]) => Array.from({ length: B }, (_, b) => Array.from(flat.subarray(b * W, b * W + W)));

/** The eos id of this view's batch: the generated continuations end with it. */
export const EOS_ID = 2;

/** The pad id in use: the eos id when the tokenizer has no pad token of its own. @param {import("../state.js").State} s */
export const padIdOf = (s) => (s.padEos ? EOS_ID : s.padTokenId);

/** @param {import("../shell.js").Losslab} L @param {import("../state.js").State} s */
export function computePadding(L, s) {
  const pad = padIdOf(s);
  const B = s.padPrompts.length;
  if (B === 0) return { B, error: "no prompts", errorCode: "no-prompts" };
  try {
    const examples = s.padPrompts.map((p, b) => ({ inputIds: p, labels: s.padLabels[b] ?? [] }));
    const left = L.collate(examples, { padId: pad, paddingSide: "left" });
    const right = L.collate(examples, { padId: pad, paddingSide: "right" });
    // Every example has labels here, so the collated labels are there.
    const leftLabels = /** @type {Int32Array} */ (left.labels);
    const leftLabelDims = /** @type {[number, number]} */ (left.labelDims);
    const [, P] = left.dims;
    const [, Lb] = leftLabelDims;
    const leftIds = rowsOf(left.inputIds, left.dims);
    const aligned = L.alignLabels(leftLabels, leftLabelDims, P, pad);
    // Generation appends new tokens after each (left-padded) prompt; rows end with padding.
    const G = Math.max(1, ...s.padGenerated.map((r) => r.length));
    const genFlat = Int32Array.from(
      leftIds.flatMap((row, b) => [...row, ...Array.from({ length: G }, (_, j) => s.padGenerated[b]?.[j] ?? pad)]),
    );
    const c = L.collate(examples, {
      padId: pad,
      paddingSide: s.paddingSide,
      ...(s.padToMultipleOf > 0 ? { padToMultipleOf: s.padToMultipleOf } : {}),
    });
    return {
      B,
      error: null,
      pad,
      left: { ids: leftIds, mask: rowsOf(left.attentionMask, left.dims), labels: rowsOf(leftLabels, leftLabelDims) },
      right: { ids: rowsOf(right.inputIds, right.dims) },
      P,
      L: Lb,
      aligned: rowsOf(aligned.data, aligned.dims),
      generated: rowsOf(genFlat, [B, P + G]),
      masked: rowsOf(L.maskPrompt(genFlat, [B, P + G], P, pad), [B, P + G]),
      collate: {
        ids: rowsOf(c.inputIds, c.dims),
        mask: rowsOf(c.attentionMask, c.dims),
        labels: c.labels && c.labelDims ? rowsOf(c.labels, c.labelDims) : null,
        dims: c.dims,
        labelDims: c.labelDims,
      },
    };
  } catch (e) {
    return { B, error: errorMessage(e), errorCode: errorCode(e) };
  }
}

/** @type {Record<number, [number, string][]>} */
const CODE = {
  0: [[94, '        labels = inputs["labels"] if "labels" in inputs else None']],
  1: [[96, '            assert self.tokenizer.padding_side == "left", "This method only accepts left-padded tensor."']],
  2: [
    [98, '            prompt_len, label_len = inputs["input_ids"].size(-1), inputs["labels"].size(-1)'],
    [99, "            if prompt_len > label_len:"],
    [100, '                inputs["labels"] = self._pad_tensors_to_target_len(inputs["labels"], inputs["input_ids"])'],
    [
      101,
      "            if label_len > prompt_len:  # truncate the labels instead of padding the inputs (llama2 fp16 compatibility)",
    ],
    [102, '                inputs["labels"] = inputs["labels"][:, :prompt_len]'],
    [118, "        padded_tensor = self.tokenizer.pad_token_id * torch.ones_like(tgt_tensor)"],
    [119, "        padded_tensor[:, -src_tensor.shape[-1] :] = src_tensor  # adopt left-padding"],
  ],
  3: [
    [
      104,
      "        loss, generated_tokens, _ = super().prediction_step(  # ignore the returned labels (may be truncated)",
    ],
  ],
  4: [
    [107, "        if generated_tokens is not None and self.args.predict_with_generate:"],
    [108, "            generated_tokens[:, :prompt_len] = self.tokenizer.pad_token_id"],
  ],
  5: [
    [94, '        labels = inputs["labels"] if "labels" in inputs else None'],
    [97, "            labels = labels.detach().clone() if labels is not None else None  # backup labels"],
    [111, "        return loss, generated_tokens, labels"],
  ],
};

/** @param {import("../shell.js").ViewContext} ctx */
export function createPadding(ctx) {
  const { t, store } = ctx;
  const set = (/** @type {Partial<import("../state.js").State>} */ p) => store.set(p);
  const STEPS = 6;

  // Row editors for the prompts, labels and generated continuations ("11, 12, 13").
  /** @param {"padPrompts" | "padLabels" | "padGenerated"} field @param {string} labelKey */
  const rowEditor = (field, labelKey) => {
    const wrap = h("div", { class: "row-editor" });
    let count = -1;
    /** @type {HTMLInputElement[]} */
    let inputs = [];
    /** @param {import("../state.js").State} s */
    const update = (s) => {
      const rows = s[field];
      if (rows.length !== count) {
        count = rows.length;
        inputs = rows.map((_, b) => {
          const input = h("input", {
            type: "text",
            inputmode: "numeric",
            spellcheck: "false",
            "aria-label": t(labelKey, { b }),
            dataset: { testid: `${SCHEMA[field].key}-${b}` },
          });
          input.addEventListener("input", () => {
            const text = input.value.trim();
            const parts = text === "" ? [] : text.split(/[\s,]+/).filter(Boolean);
            const ok = parts.length <= LIMITS.rowLen && parts.every((p) => /^-?\d{1,7}$/.test(p));
            input.setAttribute("aria-invalid", ok ? "false" : "true");
            if (!ok) return;
            const next = store.get()[field].map((r) => r.slice());
            next[b] = parts.map(Number);
            set({ [field]: next });
          });
          return input;
        });
        fill(
          wrap,
          inputs.map((inp, b) =>
            h(
              "div",
              { class: "row-input" },
              h("span", { class: "row-index", "aria-hidden": "true", text: String(b) }),
              inp,
            ),
          ),
        );
      }
      inputs.forEach((inp, b) => {
        const text = rows[b].join(", ");
        if (
          inp.ownerDocument.activeElement !== inp &&
          /** @type {Document | ShadowRoot} */ (inp.getRootNode()).activeElement !== inp
        )
          inp.value = text;
      });
    };
    return { wrap, update };
  };
  const prompts = rowEditor("padPrompts", "pad.promptRow");
  const labels = rowEditor("padLabels", "pad.labelRow");
  const gens = rowEditor("padGenerated", "pad.genRow");
  const addRow = () => {
    const s = store.get();
    if (s.padPrompts.length >= LIMITS.batch) return;
    set({
      padPrompts: [...s.padPrompts, [41, 42]],
      padLabels: [...s.padLabels, [43]],
      padGenerated: [...s.padGenerated, [44, 2]],
    });
  };
  const removeRow = () => {
    const s = store.get();
    if (s.padPrompts.length <= 1) return;
    set({
      padPrompts: s.padPrompts.slice(0, -1),
      padLabels: s.padLabels.slice(0, s.padPrompts.length - 1),
      padGenerated: s.padGenerated.slice(0, s.padPrompts.length - 1),
    });
  };
  const padId = h("input", { type: "number", step: "1", id: uid("ctl"), dataset: { testid: "pad-id" } });
  // Entries beyond a bound are clamped, applied and explained beside the box.
  const padIdBound = boundNumber(padId, {
    t,
    min: -LIMITS.label,
    max: LIMITS.label,
    integer: true,
    apply: (x) => set({ padTokenId: x ?? 0 }),
    current: () => store.get().padTokenId,
  });
  const padEos = h("input", { type: "checkbox", id: uid("ctl"), dataset: { testid: "pad-eos" } });
  padEos.addEventListener("change", () => set({ padEos: padEos.checked }));
  const editors = h(
    "div",
    { class: "editors" },
    h("div", { class: "editor" }, h("h3", { text: t("pad.prompts") }), prompts.wrap),
    h("div", { class: "editor" }, h("h3", { text: t("pad.labels") }), labels.wrap),
    h("div", { class: "editor" }, h("h3", { text: t("pad.generated") }), gens.wrap),
    h(
      "div",
      { class: "editor" },
      h("div", { class: "field" }, h("label", { for: padId.id, text: t("pad.padId") }), padId, padIdBound.note),
      h(
        "div",
        { class: "field field-check" },
        padEos,
        h("label", { for: padEos.id, text: t("pad.eos", { eos: EOS_ID }) }),
        h("small", { class: "help", text: t("pad.eosHelp", { eos: EOS_ID }) }),
      ),
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "button", text: t("pad.addRow"), onclick: addRow }),
        h("button", { type: "button", text: t("pad.removeRow"), onclick: removeRow }),
      ),
    ),
  );

  // The step-through.
  const stepButtons = Array.from({ length: STEPS }, (_, i) =>
    h("button", {
      type: "button",
      class: "step-button",
      text: `${i + 1}. ${t(`pad.step${i}`)}`,
      onclick: () => set({ padStep: i }),
    }),
  );
  const stepNav = h(
    "ol",
    { class: "steps", "aria-label": t("pad.stepsLabel") },
    stepButtons.map((b) => h("li", {}, b)),
  );
  const prev = h("button", {
    type: "button",
    text: t("pad.prev"),
    onclick: () => set({ padStep: Math.max(0, store.get().padStep - 1) }),
  });
  const next = h("button", {
    type: "button",
    text: t("pad.next"),
    dataset: { testid: "pad-next" },
    onclick: () => set({ padStep: Math.min(STEPS - 1, store.get().padStep + 1) }),
  });
  const stepBody = h("div", { class: "step-body", "aria-live": "polite", dataset: { testid: "pad-step" } });
  const eosEffects = h("div", { class: "eos-effects", dataset: { testid: "pad-eos-effects" }, hidden: true });

  // Collate.
  const side = h(
    "select",
    { id: uid("ctl"), dataset: { testid: "collate-side" } },
    ["right", "left"].map((v) => h("option", { value: v, text: t(`pad.side.${v}`) })),
  );
  side.addEventListener("change", () => set({ paddingSide: /** @type {"right" | "left"} */ (side.value) }));
  const mul = h("input", {
    type: "number",
    min: "0",
    max: "64",
    step: "1",
    id: uid("ctl"),
    dataset: { testid: "collate-multiple" },
  });
  const mulBound = boundNumber(mul, {
    t,
    min: 0,
    max: 64,
    integer: true,
    apply: (x) => set({ padToMultipleOf: x ?? 0 }),
    current: () => store.get().padToMultipleOf,
  });
  const collateBody = h("div", { dataset: { testid: "collate" } });

  /** @param {string} key @param {import("../dom.js").Child[]} children */
  const card = (key, ...children) => {
    const id = uid("h");
    return h("section", { class: "card span-2", "aria-labelledby": id }, h("h2", { id, text: t(key) }), children);
  };
  const el = h(
    "div",
    { class: "view view-padding" },
    ctx.only ? null : h("p", { class: "intro", text: t("pad.intro") }),
    h(
      "div",
      { class: "cards" },
      card("pad.inputsTitle", editors),
      card("pad.stepsTitle", stepNav, stepBody, h("div", { class: "button-row" }, prev, next), eosEffects),
      card(
        "pad.collateTitle",
        h("p", { class: "hint", text: t("pad.collateIntro") }),
        h(
          "div",
          { class: "controls inline-controls" },
          h("div", { class: "field" }, h("label", { for: side.id, text: t("pad.side") }), side),
          h("div", { class: "field" }, h("label", { for: mul.id, text: t("pad.multiple") }), mul, mulBound.note),
        ),
        collateBody,
      ),
    ),
  );

  /**
   * Token ids with padding and -100 marked.
   * @template V
   * @param {ArrayLike<V>[]} rows @param {number} pad @param {string} shape @param {NonNullable<Parameters<typeof matrixView<V>>[1]>} [extra]
   */
  const idsView = (rows, pad, shape, extra = {}) =>
    matrixView(rows, {
      shape,
      format: String,
      cls: (r, c, v) => (v === pad ? "pad" : v === -100 ? "ignored" : ""),
      label: shape,
      ...extra,
    });
  const code = (/** @type {[number, string][]} */ lines) => {
    // Dedent the excerpt as a block, keeping its inner indentation.
    const indent = Math.min(...lines.map(([, text]) => text.length - text.trimStart().length));
    return h(
      "pre",
      { class: "code-block" },
      lines.map(([n, text]) =>
        h("code", { class: "code-line" }, h("span", { class: "line-no", text: String(n) }), text.slice(indent) + "\n"),
      ),
    );
  };

  /**
   * pad_token_id = eos_token_id, with this batch's tensors: padding and a real eos share one id.
   * @param {import("../state.js").State} s @param {Extract<ReturnType<typeof computePadding>, { error: null }>} d
   */
  function showEosEffects(s, d) {
    eosEffects.hidden = !s.padEos;
    if (!s.padEos) return fill(eosEffects);
    const B = d.B;
    const eosCls = (/** @type {boolean} */ isPadding) => (isPadding ? "pad eos-pad" : "eos-real");
    // _pad_tensors_to_target_len fills the first P − L label columns; they now read "predict eos".
    const padCols = Math.max(0, d.P - d.L);
    const eosTargets = padCols * B;
    const fixed = d.aligned.map((row) => row.map((v, c) => (c < padCols ? -100 : v)));
    fill(
      eosEffects,
      h("h3", { text: t("pad.eosTitle", { eos: EOS_ID }) }),
      h("p", { text: t("pad.eosInputs") }),
      h(
        "div",
        { class: "compare" },
        matrixView(d.left.ids, {
          shape: `input_ids: [${B}, ${d.P}]`,
          format: String,
          cls: (r, c, v) => (v === EOS_ID ? eosCls(d.left.mask[r][c] === 0) : ""),
        }),
        matrixView(d.left.mask, {
          shape: `attention_mask: [${B}, ${d.P}]`,
          format: String,
          cls: (r, c, v) => (v === 0 ? "pad" : ""),
        }),
      ),
      h("p", {
        dataset: { testid: "pad-eos-labels" },
        text:
          eosTargets > 0
            ? t("pad.eosLabels", { n: eosTargets, eos: EOS_ID })
            : t("pad.eosLabelsNone", { P: d.P, L: d.L }),
      }),
      h(
        "div",
        { class: "compare" },
        matrixView(d.aligned, {
          shape: t("pad.eosLabelsShape", { B, P: d.P }),
          format: String,
          cls: (r, c, v) => (c < padCols ? "eos-target" : v === -100 ? "ignored" : ""),
        }),
        matrixView(fixed, {
          shape: t("pad.eosFixedShape", { B, P: d.P }),
          format: String,
          cls: (r, c, v) => (v === -100 ? "ignored" : ""),
        }),
      ),
      h("p", { text: t("pad.eosGen") }),
      matrixView(d.generated, {
        shape: `generated_tokens: [${B}, ${d.generated[0].length}]`,
        format: String,
        // A cell past a row's own continuation (or before its prompt) is padding.
        cls: (r, c, v) => {
          const j = c - d.P;
          const real = j >= 0 ? j < (s.padGenerated[r]?.length ?? 0) : d.left.mask[r][c] === 1;
          return v === EOS_ID ? eosCls(!real) : j >= 0 && real ? "new" : "";
        },
      }),
      h("p", { class: "hint", text: t("pad.eosStop", { eos: EOS_ID }) }),
    );
  }

  /** @param {import("../state.js").State} s */
  function update(s) {
    prompts.update(s);
    labels.update(s);
    gens.update(s);
    padIdBound.sync(s.padTokenId);
    side.value = s.paddingSide;
    mulBound.sync(s.padToMultipleOf);
    stepButtons.forEach((b, i) =>
      i === s.padStep ? b.setAttribute("aria-current", "step") : b.removeAttribute("aria-current"),
    );
    prev.disabled = s.padStep === 0;
    next.disabled = s.padStep === STEPS - 1;
    padEos.checked = s.padEos;
    // The pad id box keeps the tokenizer's own pad id; with pad = eos it is not the one in use.
    padId.disabled = s.padEos;
    const d = computePadding(ctx.losslab, s);
    if (d.error !== null) {
      const refusal = refusalText(t, ctx.lang, "errorCode" in d ? d.errorCode : null, d.error);
      fill(
        stepBody,
        h("p", {
          class: "error",
          role: "alert",
          text: t("summary.refused") + " " + refusal.text,
          title: refusal.original,
        }),
      );
      fill(collateBody);
      eosEffects.hidden = true;
      return;
    }
    const B = d.B;
    const pad = d.pad;
    /** @type {HTMLElement[]} */
    const parts = [code(CODE[s.padStep])];
    switch (s.padStep) {
      case 0:
        parts.push(h("p", { text: t("pad.s0") }), idsView(s.padPrompts, pad, t("pad.raggedShape", { B })));
        break;
      case 1:
        parts.push(
          h("p", { text: t("pad.s1", { P: d.P }) }),
          idsView(d.left.ids, pad, `input_ids (left): [${B}, ${d.P}]`),
          matrixView(d.left.mask, {
            shape: `attention_mask: [${B}, ${d.P}]`,
            format: String,
            cls: (r, c, v) => (v === 0 ? "pad" : ""),
          }),
          h("h3", { text: t("pad.whyLeft") }),
          h("p", { text: t("pad.whyLeftText") }),
          h(
            "div",
            { class: "compare" },
            idsView(
              d.right.ids.map((row) => [...row, "→"]),
              pad,
              t("pad.rightAppend"),
              {
                format: (v) => (v === "→" ? t("pad.next1") : String(v)),
                cls: (r, c, v) => (v === "→" ? "new" : v === pad ? "pad" : ""),
              },
            ),
            idsView(
              d.left.ids.map((row) => [...row, "→"]),
              pad,
              t("pad.leftAppend"),
              {
                format: (v) => (v === "→" ? t("pad.next1") : String(v)),
                cls: (r, c, v) => (v === "→" ? "new" : v === pad ? "pad" : ""),
              },
            ),
          ),
        );
        break;
      case 2: {
        const branch = d.P > d.L ? "pad.s2pad" : d.L > d.P ? "pad.s2cut" : "pad.s2same";
        parts.push(
          h("p", { text: t("pad.s2", { P: d.P, L: d.L }) }),
          idsView(d.left.labels, pad, `labels (collated, -100 padding): [${B}, ${d.L}]`),
          h("p", { class: "branch", text: t(branch, { P: d.P, L: d.L, pad: pad }) }),
          idsView(d.aligned, pad, `labels → [${B}, ${d.P}]`),
        );
        break;
      }
      case 3:
        parts.push(
          h("p", { text: t("pad.s3") }),
          idsView(d.generated, pad, `generated_tokens: [${B}, ${d.generated[0].length}]`, {
            cls: (r, c, v) => (c >= d.P ? "new" : v === pad ? "pad" : ""),
          }),
        );
        break;
      case 4:
        parts.push(
          h("p", { text: t("pad.s4", { P: d.P, pad: pad }) }),
          idsView(d.masked, pad, `generated_tokens[:, :${d.P}] = ${pad}: [${B}, ${d.masked[0].length}]`, {
            cls: (r, c, v) => (c >= d.P && v !== pad ? "new" : v === pad ? "pad" : ""),
          }),
        );
        break;
      case 5:
        parts.push(
          h("p", { text: t("pad.s5") }),
          h(
            "div",
            { class: "compare", dataset: { testid: "pad-return" } },
            idsView(d.left.labels, pad, t("pad.returned", { B, L: d.L }), { label: t("pad.returned", { B, L: d.L }) }),
            idsView(d.aligned, pad, t("pad.forLoss", { B, P: d.P }), { label: t("pad.forLoss", { B, P: d.P }) }),
          ),
          h("p", { class: "hint", text: t("pad.returnCaption", { P: d.P, L: d.L }) }),
        );
        break;
    }
    fill(stepBody, parts);
    showEosEffects(s, d);
    const c = d.collate;
    fill(
      collateBody,
      idsView(c.ids, pad, `input_ids: [${c.dims.join(", ")}]`, { label: "DataCollatorForSeq2Seq input_ids" }),
      matrixView(c.mask, {
        shape: `attention_mask: [${c.dims.join(", ")}]`,
        label: "DataCollatorForSeq2Seq attention_mask",
        format: String,
        cls: (r, cc, v) => (v === 0 ? "pad" : ""),
      }),
      c.labels && c.labelDims
        ? idsView(c.labels, pad, `labels: [${c.labelDims.join(", ")}]`, { label: "DataCollatorForSeq2Seq labels" })
        : null,
      h("p", { class: "hint", text: t("pad.collateNote") }),
    );
  }
  return { el, update };
}
