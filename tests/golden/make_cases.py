"""Golden vectors for losslab's cross-entropy and the prediction step's padding.

Writes tests/golden/cases.json: the "crossEntropy" table (hf and torch semantics, edge cases,
errors, z-loss, soft-capping, three large hash-generated cases) and the "padding" table
(padToTargetLen, alignLabels, maskPrompt). CI never runs this script; it only reads the JSON.

Made with torch 2.15.0 (the PyPI wheel, "2.15.0+cu132", run on the CPU) and transformers
5.24.0. Run it by hand in a venv with
    pip install torch==2.15.0 transformers==5.24.0
    python tests/golden/make_cases.py [--out PATH] [--compare PATH]
(--compare PATH reads an existing file, says whether inputs are identical and how far every
expected value is from this run's, and writes nothing).

Reproducing: torch's CPU kernels are vectorised per instruction set, and that reaches the data.
Without AVX2, randn takes a scalar path and draws different logits, so the script refuses to run
there. With AVX2 or AVX-512 the inputs are identical, but reductions (log_softmax, sums, f32
cross-entropy) may round differently in the last bit: the committed file was written by this
script on an AVX2 machine; an earlier run of the same table on another machine differed from it
only there: no input, option or loss changed; 4 of 29 lossTorchF32 moved by one f32 ulp; nll,
smooth, per-token values and gradients by at most 1e-13 relative (sampled gradients of ~1e-8 in
the large cases by 7e-12); gradSummary.sum, the ~1e-13 rounding residue of an exact 0, by
~1e-12. The tests' tolerances are wider by orders of magnitude.

References:
- hf semantics: transformers.trainer_pt_utils.LabelSmoother.__call__ (5.24.0). Negative
  labels other than ignore_index are clamped to class 0 and count as active; the smoothing
  term is -log_softmax summed over all V classes; nll and smoothing are both divided by the
  number of active positions, or, when num_items_in_batch is given, by num_items_in_batch
  instead (nll_loss.sum() / num_items_in_batch, smoothed_loss.sum() / (num_items_in_batch * V)):
  the version we match replaces the count by num_items_in_batch in both terms. The expected
  values follow those steps in float64 on the f32 inputs (LabelSmoother itself sums the
  smoothing term with dtype=torch.float32, which would round a float64 run back to f32);
  lossTorchF32 is LabelSmoother itself on the f32 inputs, and every hf case also checks that
  LabelSmoother on float64 inputs agrees with the float64 steps to f32 accuracy.
- torch semantics: torch.nn.functional.cross_entropy(logits.view(-1, V), labels.view(-1),
  weight, ignore_index, reduction, label_smoothing=epsilon), in float64.
- z-loss (scale * lse^2 per active token, divided by the loss's denominator) and soft-capping
  (x <- c * tanh(x / c) before everything) are not in PyTorch: written out below, in the same
  float64 graph, so autograd differentiates through them.
- grad: torch.autograd on the float64 loss, with respect to the logits as given.
- padding: the prediction step of a seq2seq trainer that left-pads: pad_to_target_len is
  out = pad * ones(B, target_len); out[:, -S:] = src (transformers' own
  Seq2SeqTrainer._pad_tensors_to_max_len pads on the right instead); labels shorter than the
  prompt are left-padded with the pad id, longer ones truncated to labels[:, :prompt_len];
  generated[:, :prompt_len] = pad removes the prompt from generated tokens.

Inputs: explicit cases draw their logits (randn * 3, or as noted) and labels (randint, a
uniform draw below `ignore` marking positions -100) from torch's CPU generator seeded with 7,
one case after another in table order, so the order of the table and of the draws inside each
case is part of the data. The large cases use losslab's hash generator (src/hash.rs),
reimplemented bit for bit below, and store only its seed. The padding inputs come from a
generator seeded with 8.
"""

import argparse
import json
import math
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
import transformers
from transformers.trainer_pt_utils import LabelSmoother

OUT = pathlib.Path(__file__).with_name("cases.json")
IGNORE = -100

ABOUT = "Golden vectors for losslab, from PyTorch + transformers (the real LabelSmoother)."
CONVENTIONS = (
    "dims [B,T,V]; logits/labels flat row-major; expected.loss etc. are float64 computations on the same "
    "f32 inputs (lossTorchF32 is PyTorch's own f32 result); grad is d loss/d logits shaped like the inputs "
    "(0 at positions removed by shiftLabels and at ignored positions); 'error' means the call must throw; "
    "non-finite numbers are the strings NaN, Infinity, -Infinity; per-token arrays have one entry per "
    "position after shifting (B*(T-1) when shiftLabels)."
)


# ----------------------------------------------------------------------------- hash generator


def fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, in wrapping uint32 arithmetic."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


def h32(i: np.ndarray, seed: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return fmix32(i.astype(np.uint32) * np.uint32(0x9E3779B1) + np.uint32(seed & 0xFFFFFFFF))


def hash_logits(n: int, seed: int, scale: float) -> torch.Tensor:
    """logits[i] = f32((h32(i, seed) / 2^32 - 0.5) * scale), the arithmetic in float64."""
    with np.errstate(over="ignore"):
        h = h32(np.arange(n, dtype=np.uint32), seed)
    return torch.from_numpy(((h.astype(np.float64) / 4294967296.0 - 0.5) * scale).astype(np.float32))


def hash_labels(n: int, vocab: int, seed: int, ignore: int) -> torch.Tensor:
    """labels[t] = ignore if h32(t, seed + 2) % 10 == 0 else h32(t, seed + 1) % vocab."""
    t = np.arange(n, dtype=np.uint32)
    with np.errstate(over="ignore"):
        skip = h32(t, seed + 2) % np.uint32(10) == 0
        label = (h32(t, seed + 1) % np.uint32(vocab)).astype(np.int64)
    return torch.from_numpy(np.where(skip, ignore, label))


# ----------------------------------------------------------------------------- the reference


def capped(x: torch.Tensor, cap):
    return x if cap is None else cap * torch.tanh(x / cap)


def reference(x32: torch.Tensor, labels: torch.Tensor, o: dict, dtype, grad: bool):
    """Every reported quantity of one case, computed in `dtype` from the f32 logits."""
    eps = o.get("epsilon", 0.1)
    ignore = o.get("ignoreIndex", IGNORE)
    torch_sem = o.get("semantics", "hf") == "torch"
    reduction = o.get("reduction", "mean")
    num_items = o.get("numItemsInBatch")
    z_scale = o.get("zLossScale", 0.0)
    V = x32.shape[-1]
    x = x32.to(dtype).requires_grad_(grad)
    logits, y = capped(x, o.get("softcap")), labels
    if o.get("shiftLabels"):
        logits, y = logits[..., :-1, :], y[..., 1:]
    logits, y = logits.reshape(-1, V), y.reshape(-1)
    w = None if o.get("classWeights") is None else torch.tensor(o["classWeights"], dtype=torch.float32).to(dtype)

    lp = -F.log_softmax(logits, dim=-1)
    lse = torch.logsumexp(logits, dim=-1)
    mask = y.eq(ignore)
    target = y.clamp(min=0)  # hf: LabelSmoother clamps; torch refuses negatives (see refusal)
    nll = lp.gather(-1, target.unsqueeze(-1)).squeeze(-1).masked_fill(mask, 0.0)
    smooth = lp.sum(-1).masked_fill(mask, 0.0)
    w_y = (torch.ones_like(nll) if w is None else w[target]).masked_fill(mask, 0.0)
    w_smooth = smooth if w is None else (lp * w).sum(-1).masked_fill(mask, 0.0)
    z = (z_scale * lse * lse).masked_fill(mask, 0.0) if z_scale else torch.zeros_like(nll)
    num_active = int((~mask).sum())

    if torch_sem:
        # PyTorch's own loss; nll/smooth are its two terms, divided as it divides them.
        ce = F.cross_entropy(logits, y, weight=w, ignore_index=ignore, reduction=reduction, label_smoothing=eps)
        denom = {"mean": w_y.sum(), "sum": torch.ones((), dtype=dtype), "none": torch.ones((), dtype=dtype)}[reduction]
        if num_items is not None and reduction == "mean":
            denom = torch.tensor(float(num_items), dtype=dtype)
            ce = ce * w_y.sum() / denom
        loss = None if reduction == "none" else (ce + z.sum() / denom if z_scale else ce)
        per_token = F.cross_entropy(logits, y, weight=w, ignore_index=ignore, reduction="none", label_smoothing=eps)
        per_token = per_token + z
    else:
        # LabelSmoother.__call__, step by step, with num_items_in_batch replacing the count.
        denom = torch.tensor(float(num_items if num_items is not None else num_active), dtype=dtype)
        loss = (1 - eps) * (nll.sum() / denom) + eps * (smooth.sum() / (denom * V))
        if z_scale:
            loss = loss + z.sum() / denom
        per_token = ((1 - eps) * nll + eps * smooth / V + z).masked_fill(mask, 0.0)
    r = {
        "loss": loss,
        "nll": (w_y * nll).sum() / denom,
        "smooth": w_smooth.sum() / (denom * V),
        "numActive": num_active,
        "perTokenLoss": per_token,
        "perTokenNll": nll,
        "perTokenSmooth": smooth,
    }
    if grad:
        loss.backward()
        r["grad"] = x.grad
    return r


def check_against_label_smoother(x32, labels, o, want_loss):
    """hf cases: transformers' LabelSmoother itself, on f64 logits, agrees to f32 accuracy."""
    if o.get("semantics", "hf") != "hf" or o.get("zLossScale") or o.get("softcap"):
        return
    smoother = LabelSmoother(epsilon=o.get("epsilon", 0.1), ignore_index=o.get("ignoreIndex", IGNORE))
    kwargs = {} if o.get("numItemsInBatch") is None else {"num_items_in_batch": o["numItemsInBatch"]}
    got = smoother({"logits": x32.double()}, labels, shift_labels=o.get("shiftLabels", False), **kwargs).item()
    same = (math.isnan(got) and math.isnan(want_loss)) or got == want_loss or abs(got - want_loss) <= 1e-6 * abs(want_loss)
    assert same, f"LabelSmoother {got} vs the float64 steps {want_loss}"


def torch_f32_loss(x32, labels, o):
    """PyTorch's own result on the f32 inputs: LabelSmoother (hf) or F.cross_entropy (torch)."""
    if o.get("semantics", "hf") == "hf" and not o.get("zLossScale") and not o.get("softcap"):
        smoother = LabelSmoother(epsilon=o.get("epsilon", 0.1), ignore_index=o.get("ignoreIndex", IGNORE))
        kwargs = {} if o.get("numItemsInBatch") is None else {"num_items_in_batch": o["numItemsInBatch"]}
        return smoother({"logits": x32}, labels, shift_labels=o.get("shiftLabels", False), **kwargs).item()
    loss = reference(x32, labels, o, torch.float32, grad=False)["loss"]
    return None if loss is None else loss.item()


# ----------------------------------------------------------------------------- JSON


def js(v):
    """A JSON value, with non-finite numbers as the strings NaN, Infinity, -Infinity."""
    if isinstance(v, torch.Tensor):
        v = v.item() if v.dim() == 0 else v.flatten().tolist()
    if isinstance(v, list):
        return [js(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def grad_summary(g: torch.Tensor) -> dict:
    g = g.flatten()
    n = g.numel()
    return {
        "sumAbs": g.abs().sum().item(),
        "maxAbs": g.abs().max().item(),
        "sum": g.sum().item(),
        "samples": [[i * (n - 1) // 63, g[i * (n - 1) // 63].item()] for i in range(64)],
    }


def expected(x32, labels, o, big=False):
    grad = o.get("grad", True) and o.get("reduction", "mean") != "none"
    r = reference(x32, labels, o, torch.float64, grad)
    if r["loss"] is not None:
        check_against_label_smoother(x32, labels, o, r["loss"].item())
    e = {
        "loss": js(r["loss"]) if r["loss"] is not None else None,
        "nll": js(r["nll"]),
        "smooth": js(r["smooth"]),
        "numActive": r["numActive"],
        "lossTorchF32": js(torch_f32_loss(x32, labels, o)),
    }
    if big:
        e["gradSummary"] = grad_summary(r["grad"])
        return e
    for k in ("perTokenLoss", "perTokenNll", "perTokenSmooth"):
        e[k] = js(r[k])
    if grad:
        e["grad"] = js(r["grad"])
    return e


def refusal(x32, labels, o):
    """What PyTorch raises for this case, as the golden file names it; None if it does not."""
    try:
        if o.get("semantics") == "torch":
            V = x32.shape[-1]
            F.cross_entropy(x32.view(-1, V), labels.view(-1), label_smoothing=o["epsilon"])
        else:
            LabelSmoother(epsilon=o["epsilon"])({"logits": x32}, labels)
    except (RuntimeError, IndexError, ValueError) as err:
        return "epsilon out of range" if "label_smoothing" in str(err) else "label out of range"
    return None


# ----------------------------------------------------------------------------- the table


def randn(B, T, V, scale=3.0):
    return torch.randn(B, T, V) * scale


def randint_labels(B, T, V, ignore=0.0):
    """Uniform labels; with ignore > 0, a second draw marks positions below it as -100."""
    y = torch.randint(0, V, (B, T))
    if ignore > 0:
        y[torch.rand(B, T) < ignore] = IGNORE
    return y


def weights(V, low=0.1, spread=2.0):
    return (torch.rand(V) * spread + low).tolist()


def cross_entropy_cases():
    torch.manual_seed(7)
    cases = []

    def add(name, options, x, y, note=""):
        B, T, V = x.shape
        c = {"name": name, "note": note, "dims": [B, T, V], "options": options}
        c["logits"], c["labels"] = js(x), y.flatten().tolist()
        err = refusal(x, y, options)
        if err:
            c["error"] = err
        else:
            c["expected"] = expected(x, y, options)
        cases.append(c)

    def same_inputs(name, options, note=""):
        prev = cases[-1]
        x = torch.tensor([float(v) for v in prev["logits"]], dtype=torch.float32).view(*prev["dims"])
        add(name, options, x, torch.tensor(prev["labels"]).view(*prev["dims"][:2]), note)

    hf = lambda eps=0.1, **kw: {"semantics": "hf", "epsilon": eps, **kw}  # noqa: E731
    pt = lambda eps=0.1, **kw: {"semantics": "torch", "epsilon": eps, **kw}  # noqa: E731

    add("hf_basic", hf(), randn(1, 4, 5), randint_labels(1, 4, 5))
    for eps in (0.0, 0.25, 1.0):
        add(f"hf_eps_{eps}", hf(eps), randn(2, 3, 7), randint_labels(2, 3, 7, 0.2))
    add("hf_eps_above_one_unchecked", hf(1.5), randn(1, 3, 4), randint_labels(1, 3, 4),
        "LabelSmoother does not range-check epsilon")
    add("hf_shift", hf(shiftLabels=True), randn(2, 6, 11), randint_labels(2, 6, 11, 0.3))
    add("hf_shift_T1_zero_tokens", hf(shiftLabels=True), randn(2, 1, 5), randint_labels(2, 1, 5), "0/0 -> NaN")
    add("hf_all_ignored", hf(), randn(2, 3, 5), torch.full((2, 3), IGNORE), "0/0 -> NaN")
    y = randint_labels(1, 5, 6)
    y[0, 1], y[0, 3] = -1, -7
    add("hf_negative_label_clamped", hf(), randn(1, 5, 6), y, "-1 and -7 count as class 0")
    y = randint_labels(1, 4, 6)
    y[0, 2] = 6
    add("hf_label_eq_V_error", hf(), randn(1, 4, 6), y)
    y = randint_labels(2, 4, 6)
    y[0, 1], y[1, 3] = -1, -1
    add("hf_custom_ignore_index", hf(ignoreIndex=-1), randn(2, 4, 6), y)
    y = randint_labels(2, 4, 6)
    add("hf_ignore_index_zero", hf(ignoreIndex=0), randn(2, 4, 6), y, "class 0 is ignored")
    add("hf_num_items", hf(numItemsInBatch=17), randn(2, 5, 13), randint_labels(2, 5, 13, 0.2))
    add("hf_num_items_shift", hf(numItemsInBatch=5, shiftLabels=True), randn(3, 4, 9), randint_labels(3, 4, 9, 0.2))
    add("hf_V1", hf(), randn(1, 3, 1), torch.zeros(1, 3, dtype=torch.long), "one class: loss 0")
    x = randn(1, 4, 5)
    x[0, 0, 3] = x[0, 1, 0] = -math.inf
    add("hf_neg_inf_eps0.1", hf(), x, torch.tensor([[1, 2, 0, 4]]), "smooth term +inf")
    same_inputs("hf_neg_inf_eps0", hf(0.0), "0*inf = NaN")
    x = randn(1, 3, 5)
    x[0, 1, 2] = math.nan
    add("hf_nan_logit", hf(), x, torch.tensor([[1, 2, 0]]), "NaN propagates")
    x = randn(1, 4, 5)
    x[0, 2, 0] = -math.inf
    add("hf_neg_inf_in_ignored_row", hf(), x, torch.tensor([[1, 2, IGNORE, 4]]))
    x = randn(1, 3, 6)
    x[0, 0] = torch.tensor([1e4, -1e4, 0.0, 1e4, -1e4, 3.0])
    x[0, 2] = torch.tensor([3e4, 29999.0, -2e4, 5.0, 29998.0, 0.0])
    add("hf_extreme_1e4", hf(), x, torch.tensor([[1, 0, 2]]))
    x = ((torch.rand(2, 4, 40) * 2 - 1) * 65504).half().float()
    add("hf_fp16_range", hf(), x, randint_labels(2, 4, 40, 0.3))
    add("hf_2d_input_as_one_sequence", hf(shiftLabels=True), randn(1, 7, 9), randint_labels(1, 7, 9, 0.2),
        "also call with dims [7, 9]")

    add("torch_mean", pt(), randn(2, 4, 8), randint_labels(2, 4, 8, 0.3))
    add("torch_sum", pt(reduction="sum"), randn(2, 4, 8), randint_labels(2, 4, 8, 0.2))
    add("torch_none", pt(reduction="none", grad=False), randn(2, 4, 8), randint_labels(2, 4, 8, 0.3))
    w = weights(8)
    add("torch_weights_mean", pt(classWeights=w), randn(2, 4, 8), randint_labels(2, 4, 8, 0.3))
    add("torch_weights_sum_eps0.3", pt(0.3, classWeights=w, reduction="sum"), randn(2, 4, 8),
        randint_labels(2, 4, 8, 0.2))
    add("torch_eps_out_of_range_error", pt(1.5), randn(1, 2, 3), randint_labels(1, 2, 3))
    y = randint_labels(1, 4, 6)
    y[0, 1] = -1
    add("torch_negative_label_error", pt(), randn(1, 4, 6), y)
    add("torch_all_ignored", pt(), randn(1, 3, 4), torch.full((1, 3), IGNORE), "NaN")
    x = randn(1, 4, 5)
    x[0, 0, 3] = x[0, 1, 0] = -math.inf
    add("torch_neg_inf_eps0_finite", pt(0.0), x, torch.tensor([[1, 2, 0, 4]]),
        "torch computes no smoothing term at eps=0: finite (hf gives NaN)")
    same_inputs("torch_neg_inf_eps0_none", pt(0.0, reduction="none", grad=False))
    x = randn(1, 3, 5)
    x[0, 1, 2] = -math.inf
    add("torch_neg_inf_at_label_eps0", pt(0.0), x, torch.tensor([[1, 2, 0]]), "+inf")
    add("torch_shift_weights", pt(shiftLabels=True, classWeights=w[:6]), randn(2, 5, 6), randint_labels(2, 5, 6, 0.2))

    add("hf_zloss", hf(zLossScale=0.01), randn(2, 4, 10), randint_labels(2, 4, 10, 0.2))
    add("hf_softcap", hf(softcap=15.0), randn(2, 4, 10, 20.0), randint_labels(2, 4, 10, 0.2))
    add("hf_zloss_softcap_shift_numitems",
        hf(zLossScale=0.001, softcap=30.0, shiftLabels=True, numItemsInBatch=6),
        randn(2, 5, 10, 20.0), randint_labels(2, 5, 10, 0.2))
    x, y = randn(2, 4, 10), randint_labels(2, 4, 10, 0.2)
    add("torch_zloss_weights", pt(zLossScale=0.01, classWeights=weights(10, low=0.5, spread=1.0)), x, y)

    for name, options, dims, seed in (
        ("hf_hash_v32000", hf(), (1, 6, 32000), 101),
        ("hf_hash_v151936_shift", hf(shiftLabels=True), (1, 3, 151936), 202),
        ("torch_hash_v50257_sum", pt(reduction="sum"), (2, 3, 50257), 303),
    ):
        B, T, V = dims
        generator = {"kind": "hash", "seed": seed, "scale": 8.0, "ignore": IGNORE}
        x = hash_logits(B * T * V, seed, 8.0).view(B, T, V)
        y = hash_labels(B * T, V, seed, IGNORE).view(B, T)
        cases.append({"name": name, "note": "", "dims": list(dims), "options": options, "generator": generator,
                      "expected": expected(x, y, options, big=True)})
    return cases


# ----------------------------------------------------------------------------- padding


def pad_to_target_len(src: torch.Tensor, target_len: int, pad_id: int) -> torch.Tensor:
    out = pad_id * torch.ones((src.shape[0], target_len), dtype=src.dtype)
    if src.shape[1] > 0:  # src[:, -0:] would be the whole row: an empty source is all padding
        out[:, -src.shape[1]:] = src
    return out


def align_labels(labels: torch.Tensor, prompt_len: int, pad_id: int) -> torch.Tensor:
    if prompt_len > labels.shape[1]:
        return pad_to_target_len(labels, prompt_len, pad_id)
    return labels[:, :prompt_len]


def mask_prompt(generated: torch.Tensor, prompt_len: int, pad_id: int) -> torch.Tensor:
    out = generated.clone()
    out[:, :prompt_len] = pad_id
    return out


def padding_cases():
    torch.manual_seed(8)
    ids = lambda B, L: torch.randint(3, 50, (B, L))  # noqa: E731
    cases = []

    def add(fn, key, x, **args):
        c = {"fn": fn, "args": {key: x.flatten().tolist(), "dims": list(x.shape), **args}}
        if fn == "padToTargetLen" and x.shape[1] > args["targetLen"]:
            c["error"] = "source longer than target"
        else:
            f = {"padToTargetLen": lambda: pad_to_target_len(x, args["targetLen"], args["padId"]),
                 "alignLabels": lambda: align_labels(x, args["promptLen"], args["padId"]),
                 "maskPrompt": lambda: mask_prompt(x, args["promptLen"], args["padId"])}[fn]
            out = f()
            c["expected"] = {"data": out.flatten().tolist(), "dims": list(out.shape)}
        cases.append(c)

    for dims, target, pad in (((2, 3), 5, 0), ((1, 4), 4, 2), ((3, 1), 6, 99), ((2, 5), 9, IGNORE)):
        add("padToTargetLen", "src", ids(*dims), targetLen=target, padId=pad)
    add("padToTargetLen", "src", torch.tensor([[1, 2, 3, 4]]), targetLen=2, padId=0)
    add("padToTargetLen", "src", torch.zeros((2, 0), dtype=torch.long), targetLen=3, padId=7)
    for dims, prompt, pad in (((2, 3), 6, 0), ((2, 7), 4, 1), ((1, 5), 5, 0)):
        labels = ids(*dims)
        labels[0, 0] = IGNORE
        add("alignLabels", "labels", labels, promptLen=prompt, padId=pad)
    for dims, prompt, pad in (((2, 8), 3, 0), ((1, 4), 4, 2), ((2, 3), 5, 0)):
        add("maskPrompt", "generated", ids(*dims), promptLen=prompt, padId=pad)
    return cases


# ----------------------------------------------------------------------------- main


def compare(old: dict, new: dict):
    """Prints how `new` differs from `old`: inputs must be identical, values may differ in the last bits."""
    def walk(a, b, path, worst):
        if isinstance(a, dict):
            assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: keys {list(a)} vs {list(b)}"
            for k in a:
                walk(a[k], b[k], f"{path}.{k}", worst)
        elif isinstance(a, list):
            assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{path}[{i}]", worst)
        elif isinstance(a, float) and isinstance(b, float) and a != b:
            rel = abs(a - b) / max(abs(a), 1e-300)
            field = path.split(".")[-1].split("[")[0]
            if rel > worst.get(field, (0.0, ""))[0]:
                worst[field] = (rel, path)
        else:
            assert a == b, f"{path}: {a!r} vs {b!r}"

    inputs = ("name", "note", "dims", "options", "logits", "labels", "generator", "error")
    for section in ("crossEntropy", "padding"):
        assert len(old[section]) == len(new[section]), f"{section}: case counts differ"
    for a, b in zip(old["crossEntropy"], new["crossEntropy"]):
        for k in inputs:
            assert a.get(k) == b.get(k), f"{a['name']}: input {k} differs"
    assert old["padding"] == new["padding"], "padding cases differ"
    worst = {}
    walk(old, new, "", worst)
    print("inputs, options, errors, counts and every integer: identical")
    for field, (rel, path) in sorted(worst.items()):
        print(f"  {field}: largest relative difference {rel:.2e} at {path}")
    if not worst:
        print("  every expected value: identical")


if __name__ == "__main__":
    capability = torch.backends.cpu.get_cpu_capability()
    assert capability in ("AVX2", "AVX512"), f"randn draws other inputs on {capability}: run on AVX2 or AVX-512"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    ap.add_argument("--compare", type=pathlib.Path, help="compare with this file instead of writing")
    args = ap.parse_args()
    data = {
        "about": ABOUT,
        "made_with": {"torch": torch.__version__, "transformers": transformers.__version__},
        "conventions": CONVENTIONS,
        "crossEntropy": cross_entropy_cases(),
        "padding": padding_cases(),
    }
    if args.compare:
        compare(json.loads(args.compare.read_text()), data)
    else:
        args.out.write_text(json.dumps(data))
        print(f"wrote {args.out}")
