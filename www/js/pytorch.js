// The playground's inputs and options as a runnable PyTorch cell that recomputes the loss and
// checks it against losslab's value. Pure text building: no DOM, so Node can import it.

/**
 * A number as Python source. Logits are written as the doubles the page itself converts to
 * float32 (Float32Array.from rounds each double to the nearest float32); torch.tensor(...,
 * dtype=torch.float32) rounds the same double the same way, and String(x) is the shortest text
 * that reads back as exactly that double in Python, so both sides hold identical float32 values.
 * @param {number} x
 */
export function pyNumber(x) {
  if (Number.isNaN(x)) return 'float("nan")';
  if (x === Infinity) return 'float("inf")';
  if (x === -Infinity) return '-float("inf")';
  if (Object.is(x, -0)) return "-0.0";
  const text = String(x);
  // 1e-07 and 1e+21 are Python floats as written; a plain integer gets ".0" to stay a float.
  return /[.eE]/.test(text) || !Number.isInteger(x) ? text.replace("e+", "e") : `${text}.0`;
}

/** A float64 to 17 significant digits: reads back as exactly the same double. @param {number} x */
export const seventeen = (x) => (Number.isFinite(x) ? x.toPrecision(17) : pyNumber(x));

/**
 * @typedef {{
 *   logits: number[][], labels: number[], epsilon: number, ignoreIndex: number, shiftLabels: boolean,
 *   semantics: "hf" | "torch", reduction: "mean" | "sum" | "none", numItemsInBatch: number | null,
 *   zLossScale: number, softcap: number | null, classWeights: number[], temperature?: number,
 * }} CellState
 */
/** The parts of a crossEntropy result the cell checks. @typedef {{ loss: number | null, perTokenLoss: ArrayLike<number> }} CellResult */

/**
 * The Python cell. `r` is losslab's result for exactly these inputs and options.
 * @param {CellState} s @param {CellResult} r @returns {string}
 */
export function pytorchCell(s, r) {
  const T = s.logits.length;
  const V = s.logits[0]?.length ?? 0;
  const torchSem = s.semantics === "torch";
  const reduction = torchSem ? s.reduction : "mean";
  const weighted = s.classWeights.length > 0;
  const nib = s.numItemsInBatch;
  const L = [];
  L.push("# losslab → PyTorch: the playground's inputs and options; PyTorch must give the same loss.");
  L.push("import torch");
  if (torchSem) L.push("import torch.nn.functional as F");
  else L.push("from transformers.trainer_pt_utils import LabelSmoother");
  L.push("");
  L.push(`# Logits [B = 1, T = ${T}, V = ${V}]. Each number is the double the page rounds to float32;`);
  L.push("# torch.tensor(..., dtype=torch.float32) rounds it the same way: identical float32 inputs.");
  L.push("logits = torch.tensor([[");
  for (const row of s.logits) L.push(`    [${row.map(pyNumber).join(", ")}],`);
  L.push("]], dtype=torch.float32)");
  L.push(`labels = torch.tensor([[${s.labels.join(", ")}]])  # int64, PyTorch's default for labels`);
  L.push(`EPSILON = ${pyNumber(s.epsilon)}`);
  L.push(`IGNORE_INDEX = ${s.ignoreIndex}`);
  if (weighted) L.push(`WEIGHT = torch.tensor([${s.classWeights.map(pyNumber).join(", ")}], dtype=torch.float32)`);
  L.push("");

  if (s.temperature !== undefined && s.temperature !== 1) {
    L.push("# Temperature: every logit is divided by T (a float32 division) before anything else.");
    L.push(`logits = logits / ${pyNumber(s.temperature)}`);
  }
  let x = "logits";
  if (s.softcap !== null) {
    L.push("# Soft-capping (Gemma 2): every logit becomes cap · tanh(x / cap) before anything else.");
    L.push(`CAP = ${pyNumber(s.softcap)}`);
    L.push("x = CAP * torch.tanh(logits / CAP)");
    x = "x";
  }

  // The rows and labels that are scored (after shifting), needed by F.cross_entropy and z-loss.
  const needRows = torchSem || s.zLossScale > 0;
  if (needRows) {
    if (s.shiftLabels) {
      L.push("# shift_labels: position t predicts label t + 1 (the last row and the first label drop out).");
      L.push(`rows, targets = ${x}[:, :-1, :].reshape(-1, ${V}), labels[:, 1:].reshape(-1)`);
    } else L.push(`rows, targets = ${x}.reshape(-1, ${V}), labels.reshape(-1)`);
    L.push("active = targets != IGNORE_INDEX");
  }

  if (!torchSem) {
    const nibArg = nib !== null ? `, num_items_in_batch=${pyNumber(nib)}` : "";
    L.push("smoother = LabelSmoother(epsilon=EPSILON, ignore_index=IGNORE_INDEX)");
    L.push(`loss = smoother({"logits": ${x}}, labels, shift_labels=${s.shiftLabels ? "True" : "False"}${nibArg})`);
    if (s.zLossScale > 0)
      L.push(`D = ${nib !== null ? pyNumber(nib) : "active.sum()"}  # what LabelSmoother divides by`);
  } else {
    const w = weighted ? ", weight=WEIGHT" : "";
    const call = (/** @type {string} */ red) =>
      `F.cross_entropy(rows, targets${w}, ignore_index=IGNORE_INDEX, reduction="${red}", label_smoothing=EPSILON)`;
    if (reduction === "mean" && nib !== null) {
      L.push("# num_items_in_batch replaces the mean's denominator: the sum divided by it.");
      L.push(`NUM_ITEMS_IN_BATCH = ${pyNumber(nib)}`);
      L.push(`loss = ${call("sum")} / NUM_ITEMS_IN_BATCH`);
      if (s.zLossScale > 0) L.push("D = NUM_ITEMS_IN_BATCH");
    } else {
      if (nib !== null) L.push(`# num_items_in_batch (${pyNumber(nib)}) has no effect with reduction "${reduction}".`);
      L.push(`loss = ${call(reduction)}`);
      if (s.zLossScale > 0 && reduction === "mean")
        L.push(
          weighted
            ? "D = WEIGHT[targets[active]].sum()  # PyTorch's weighted mean divides by Σ w[y]"
            : "D = active.sum()",
        );
      if (s.zLossScale > 0 && reduction === "sum") L.push("D = 1");
    }
  }

  if (s.zLossScale > 0) {
    L.push("# z-loss (PaLM): z · logsumexp² per active position, unweighted, divided like the loss.");
    L.push(`Z_LOSS = ${pyNumber(s.zLossScale)}`);
    L.push("lse = torch.logsumexp(rows, dim=-1)");
    if (reduction === "none") L.push("loss = loss + (Z_LOSS * lse * lse).masked_fill(~active, 0.0)");
    else L.push("loss = loss + Z_LOSS * (lse[active] ** 2).sum() / D");
  }
  L.push("");

  const tolNote = [
    "# losslab sums in float64 over the float32 inputs; PyTorch computes in float32 (about 7",
    "# significant digits), so the two agree to about 1e-6 relative, and 1e-5 leaves room.",
    "# With logits.double() PyTorch also works in float64 and agrees far more closely.",
  ];
  if (r.loss !== null) {
    L.push(`EXPECTED = ${seventeen(r.loss)}  # losslab's loss, 17 significant digits`);
    L.push(...tolNote);
    if (Number.isNaN(r.loss)) L.push("assert loss.isnan().item(), loss.item()");
    else if (!Number.isFinite(r.loss)) L.push("assert loss.item() == EXPECTED, loss.item()");
    else {
      L.push("tol = 1e-5 * max(1.0, abs(EXPECTED))");
      L.push("assert abs(loss.item() - EXPECTED) < tol, (loss.item(), EXPECTED)");
    }
  } else {
    // reduction "none": one loss per position, as losslab's perTokenLoss (float32) holds them.
    const values = Array.from(r.perTokenLoss, (v) => pyNumber(v));
    L.push(`EXPECTED = torch.tensor([${values.join(", ")}], dtype=torch.float64)  # losslab's per-token loss`);
    L.push(...tolNote);
    L.push("diff = (loss.double() - EXPECTED).abs()");
    L.push("same = (diff < 1e-5 * EXPECTED.abs().clamp(min=1.0)) | (loss.double() == EXPECTED)");
    L.push("same |= loss.isnan() & EXPECTED.isnan()");
    L.push("assert same.all(), (loss, EXPECTED)");
  }
  L.push('print("PyTorch", loss.tolist() if loss.dim() else loss.item(), "losslab", EXPECTED)');
  return L.join("\n") + "\n";
}
