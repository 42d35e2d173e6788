// A trace of transformers' LabelSmoother.__call__ (as quoted in the seed article): each line
// shows the tensor it produces for the current input, every value from the wasm module.
import { h, fill } from "../dom.js";
import { short } from "../format.js";
import { vectorView, matrixView, scalarView } from "./tensor.js";

// Lines 559–584 of transformers/trainer_pt_utils.py, verbatim.
/** @type {[number, string][]} */
const CODE = [
  [559, "    def __call__(self, model_output, labels, shift_labels=False):"],
  [560, '        logits = model_output["logits"] if isinstance(model_output, dict) else model_output[0]'],
  [561, "        if shift_labels:"],
  [562, "            logits = logits[..., :-1, :].contiguous()"],
  [563, "            labels = labels[..., 1:].contiguous()"],
  [564, ""],
  [565, "        log_probs = -nn.functional.log_softmax(logits, dim=-1)"],
  [566, "        if labels.dim() == log_probs.dim() - 1:"],
  [567, "            labels = labels.unsqueeze(-1)"],
  [568, ""],
  [569, "        padding_mask = labels.eq(self.ignore_index)"],
  [
    570,
    "        # In case the ignore_index is -100, the gather will fail, so we replace labels by 0. The padding_mask",
  ],
  [571, "        # will ignore them in any case."],
  [572, "        labels = torch.clamp(labels, min=0)"],
  [573, "        nll_loss = log_probs.gather(dim=-1, index=labels)"],
  [574, "        # works for fp16 input tensor too, by internally upcasting it to fp32"],
  [575, "        smoothed_loss = log_probs.sum(dim=-1, keepdim=True, dtype=torch.float32)"],
  [576, ""],
  [577, "        nll_loss.masked_fill_(padding_mask, 0.0)"],
  [578, "        smoothed_loss.masked_fill_(padding_mask, 0.0)"],
  [579, ""],
  [
    580,
    "        # Take the mean over the label dimensions, then divide by the number of active elements (i.e. not-padded):",
  ],
  [581, "        num_active_elements = padding_mask.numel() - padding_mask.long().sum()"],
  [582, "        nll_loss = nll_loss.sum() / num_active_elements"],
  [583, "        smoothed_loss = smoothed_loss.sum() / (num_active_elements * log_probs.shape[-1])"],
  [584, "        return (1 - self.epsilon) * nll_loss + self.epsilon * smoothed_loss"],
];

/** @param {import("../shell.js").ViewContext} ctx */
export function createTrace(ctx) {
  const { t } = ctx;
  const note = h("p", { class: "hint" });
  const list = h("ol", { class: "trace", "aria-label": t("trace.title") });
  // One scroll box for the whole listing (focusable, so keyboard users can scroll it too).
  const el = h(
    "div",
    {},
    note,
    h("div", { class: "trace-wrap", tabindex: "0", role: "region", "aria-label": t("trace.scroll") }, list),
  );

  /** @param {import("../state.js").State} s @param {import("../compute.js").Playground} d */
  function update(s, d) {
    const T = s.logits.length;
    const V = s.vocab.length;
    const rows = d.rows;
    const tr = d.trace.value;
    const um = d.unmasked.value;
    const targets = d.targets;
    const mask = targets.map((y) => y === s.ignoreIndex);
    const clamped = targets.map((y) => Math.max(0, y));
    const boolFmt = (/** @type {boolean} */ b) => (b ? "True" : "False");
    /** @type {string[]} */
    const differs = [];
    if (s.semantics === "torch") differs.push(t("trace.diffTorch"));
    if (s.numItemsInBatch !== null) differs.push(t("trace.diffNib"));
    if (s.zLossScale > 0) differs.push(t("trace.diffZ"));
    if (s.softcap !== null) differs.push(t("trace.diffCap"));
    note.textContent =
      t("trace.caption") + (differs.length ? " " + t("trace.differs", { list: differs.join("; ") }) : "");

    /** @type {Map<number, HTMLElement>} */
    const out = new Map(); // line → tensor node
    const err = (/** @type {string} */ msg) => h("p", { class: "error", text: msg });
    out.set(
      559,
      vectorView(s.labels, {
        shape: `labels: [1, ${T}]`,
        format: String,
        cls: (i, v) => (v === s.ignoreIndex ? "muted" : ""),
      }),
    );
    out.set(
      560,
      matrixView(s.logits, {
        shape: `logits: [1, ${T}, ${V}]`,
        colLabel: (c) => s.vocab[c],
        rowLabel: String,
        label: "logits",
      }),
    );
    if (s.shiftLabels) {
      out.set(562, h("div", { class: "tensor" }, h("span", { class: "shape", text: `logits: [1, ${rows}, ${V}]` })));
      out.set(563, vectorView(targets, { shape: `labels: [1, ${rows}]`, format: String }));
    }
    if (d.logp)
      out.set(
        565,
        matrixView(d.logp.slice(0, rows), {
          shape: `log_probs: [1, ${rows}, ${V}]`,
          colLabel: (c) => s.vocab[c],
          rowLabel: String,
          label: "log_probs",
          cls: (r, c) => (!mask[r] && clamped[r] === c ? "hit" : ""),
        }),
      );
    out.set(567, h("div", { class: "tensor" }, h("span", { class: "shape", text: `labels: [1, ${rows}, 1]` })));
    out.set(
      569,
      vectorView(mask, { shape: `padding_mask: [1, ${rows}, 1]`, format: boolFmt, cls: (i, v) => (v ? "muted" : "") }),
    );
    out.set(
      572,
      vectorView(clamped, {
        shape: `labels: [1, ${rows}, 1]`,
        format: String,
        cls: (i) => (targets[i] < 0 && !mask[i] ? "warn" : ""),
      }),
    );
    if (d.unmasked.error) out.set(573, err(d.unmasked.error));
    else if (um) {
      out.set(573, vectorView(um.perTokenNll, { shape: `nll_loss: [1, ${rows}, 1]` }));
      out.set(575, vectorView(um.perTokenSmooth, { shape: `smoothed_loss: [1, ${rows}, 1]` }));
    }
    if (tr) {
      out.set(
        577,
        vectorView(tr.perTokenNll, { shape: `nll_loss: [1, ${rows}, 1]`, cls: (i) => (mask[i] ? "muted" : "") }),
      );
      out.set(
        578,
        vectorView(tr.perTokenSmooth, {
          shape: `smoothed_loss: [1, ${rows}, 1]`,
          cls: (i) => (mask[i] ? "muted" : ""),
        }),
      );
      out.set(581, scalarView(tr.numActive, { label: "num_active_elements", format: String }));
      out.set(582, scalarView(tr.nll, { label: "nll_loss" }));
      out.set(583, scalarView(tr.smooth, { label: "smoothed_loss" }));
      // LabelSmoother's loss is a scalar.
      out.set(
        584,
        scalarView(tr.loss ?? NaN, { label: t("trace.returns"), format: (x) => short(x, 7), testid: "trace-result" }),
      );
    } else if (d.trace.error && !d.unmasked.error) {
      out.set(573, err(d.trace.error));
    }

    fill(
      list,
      CODE.map(([n, code]) => {
        const skipped = !s.shiftLabels && (n === 562 || n === 563);
        return h(
          "li",
          {
            class: "trace-line" + (skipped ? " skipped" : "") + (code.trim().startsWith("#") ? " comment" : ""),
            value: String(n),
          },
          h("code", { class: "code", text: code === "" ? " " : code.slice(4) }),
          skipped && n === 562 ? h("span", { class: "skip-note", text: t("trace.skipped") }) : null,
          out.get(n) ?? null,
        );
      }),
    );
  }
  return { el, update };
}
