"""Golden vectors for losslab's temperature and per-token analytics.

Writes tests/golden/analytics.json: cross-entropy cases over hf and torch semantics at
temperatures 0.5, 1 and 2.5 (with and without soft-capping, label smoothing, ignored rows,
shifting, a table of ties built on purpose for argmax and rank, rows holding a -inf logit, class
weights, z-loss and one large hash-generated case), each with PyTorch's loss, nll, smoothing
term, per-token values and gradient (or, for the large case, its summary) beside the analytics:
per-token entropy, rank, logsumexp, argmax, accuracy and perplexity. CI never runs this script;
it only reads the JSON.

Made with torch 2.15.0 (the PyPI wheel, run on the CPU), transformers 5.24.0 and numpy. Run it by
hand in a venv with
    pip install torch==2.15.0 transformers==5.24.0
    python tests/golden/make_analytics.py [--out PATH]
It reuses make_cases.py beside it (the float64 reference of the loss, the hash generator, the
JSON conventions), so both tables follow the same definitions.

References:
- temperature: the logits are divided first, `logits / T` on the float32 tensor (PyTorch's CPU
  kernel divides; it does not multiply by 1/T: checked below on every case), then everything of
  make_cases.py follows on the divided logits: `F.cross_entropy(logits / T, ...)` (torch) and
  `LabelSmoother` on `logits / T` (hf; lossTorchF32 is LabelSmoother itself on the f32 division).
  The expected loss is the float64 graph on the divided f32 logits; the gradient with respect to
  the logits as given is that graph's gradient times 1/T (the chain rule through the division).
- the row the analytics read is the divided row, soft-capped as losslab caps it
  (f32(c * tanh(x / c)) computed in float64): entropy = torch.special.entr(softmax(row)).sum(-1)
  in float64 (entr(0) = 0, so a -inf logit contributes nothing), lse = torch.logsumexp(row) in
  float64, rank = (row > row[label]).sum() (ties count in the label's favour), predicted =
  row.argmax() (the first maximal index), accuracy = mean(predicted == label) over active
  positions, perplexity = exp(sum of -log_softmax(row)[label] over active positions / their
  count) -- unweighted, without epsilon, z-loss or numItemsInBatch.
- ignored positions: entropy and lse NaN, rank and predicted 0 (losslab's convention; PyTorch has
  no value there).

Inputs draw from torch's CPU generator seeded with 11, one case after another in table order.
"""

import argparse
import json
import math
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F
import transformers

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from make_cases import (  # noqa: E402
    IGNORE,
    capped,
    check_against_label_smoother,
    grad_summary,
    hash_labels,
    hash_logits,
    js,
    reference,
    torch_f32_loss,
)

OUT = pathlib.Path(__file__).with_name("analytics.json")
ALL_STATS = ["entropy", "rank", "lse", "predicted"]

ABOUT = "Golden vectors for losslab's temperature and per-token analytics, from PyTorch + transformers."
CONVENTIONS = (
    "as cases.json (dims [B,T,V], flat row-major logits/labels, float64 expectations on the f32 inputs, "
    "non-finite numbers as strings, per-token arrays after shifting); options.temperature divides the "
    "logits first (an f32 division); options.stats names the per-token statistics the call asks for; "
    "expected.perTokenEntropy/perTokenLse are NaN and perTokenRank/predicted 0 at ignored positions; "
    "accuracy and perplexity are NaN when no position is active."
)


def divided(x32: torch.Tensor, t: float) -> torch.Tensor:
    """`x32 / T` in float32, checked to be the IEEE division (not x * (1/T))."""
    out = x32 / t
    want = x32.numpy() / np.float32(t)
    assert np.array_equal(out.numpy(), want, equal_nan=True), "torch's f32 division changed"
    return out


def analytics(xs32: torch.Tensor, labels: torch.Tensor, o: dict) -> dict:
    """Per-token analytics of the divided f32 logits `xs32`, on the row losslab reads."""
    V = xs32.shape[-1]
    row = capped(xs32.double(), o.get("softcap")).float()
    y = labels
    if o.get("shiftLabels"):
        row, y = row[..., :-1, :], y[..., 1:]
    row, y = row.reshape(-1, V), y.reshape(-1)
    mask = y.eq(o.get("ignoreIndex", IGNORE))
    target = y.clamp(min=0)
    r64 = row.double()
    lp = F.log_softmax(r64, dim=-1)
    entropy = torch.special.entr(lp.exp()).sum(-1)
    lse = torch.logsumexp(r64, dim=-1)
    label = row.gather(-1, target.unsqueeze(-1))
    rank = (row > label).sum(-1)
    predicted = row.argmax(-1)
    nll = -lp.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    active = ~mask
    n = int(active.sum())
    nan = torch.full_like(entropy, math.nan)
    return {
        "perTokenEntropy": js(torch.where(mask, nan, entropy)),
        "perTokenRank": rank.masked_fill(mask, 0).tolist(),
        "perTokenLse": js(torch.where(mask, nan, lse)),
        "predicted": predicted.masked_fill(mask, 0).tolist(),
        "accuracy": js((predicted == target)[active].double().sum().item() / n if n else math.nan),
        "perplexity": js(math.exp(nll[active].sum().item() / n) if n else math.nan),
    }


def expected(x32, labels, o, big=False):
    t = o.get("temperature", 1.0)
    xs32 = divided(x32, t)
    grad = o.get("grad", True) and o.get("reduction", "mean") != "none"
    r = reference(xs32, labels, o, torch.float64, grad)
    if r["loss"] is not None and math.isfinite(r["loss"].item()):
        check_against_label_smoother(xs32, labels, o, r["loss"].item())
    e = {
        "loss": js(r["loss"]) if r["loss"] is not None else None,
        "nll": js(r["nll"]),
        "smooth": js(r["smooth"]),
        "numActive": r["numActive"],
        "lossTorchF32": js(torch_f32_loss(xs32, labels, o)),
    }
    g = r["grad"] / t if grad else None
    if big:
        e["gradSummary"] = grad_summary(g)
    else:
        for k in ("perTokenLoss", "perTokenNll", "perTokenSmooth"):
            e[k] = js(r[k])
        if grad:
            e["grad"] = js(g)
    e.update(analytics(xs32, labels, o))
    return e


def randn(B, T, V, scale=3.0):
    return torch.randn(B, T, V) * scale


def randint_labels(B, T, V, ignore=0.0):
    y = torch.randint(0, V, (B, T))
    if ignore > 0:
        y[torch.rand(B, T) < ignore] = IGNORE
    return y


def cases():
    torch.manual_seed(11)
    out = []

    def add(name, options, x, y, note="", grad=True):
        B, T, V = x.shape
        options = {**options, **({} if grad else {"grad": False})}
        c = {"name": name, "note": note, "dims": [B, T, V], "options": options}
        c["logits"], c["labels"] = js(x), y.flatten().tolist()
        c["expected"] = expected(x, y, options)
        out.append(c)

    def opts(semantics, t, eps=0.1, stats=ALL_STATS, **kw):
        return {"semantics": semantics, "epsilon": eps, "temperature": t, "stats": stats, **kw}

    for semantics in ("hf", "torch"):
        for t in (0.5, 1.0, 2.5):
            add(f"{semantics}_t{t}", opts(semantics, t), randn(2, 4, 10), randint_labels(2, 4, 10, 0.25))
            add(
                f"{semantics}_t{t}_softcap_shift",
                opts(semantics, t, softcap=15.0, shiftLabels=True),
                randn(2, 5, 12, 20.0),
                randint_labels(2, 5, 12, 0.2),
                "soft-capping after the division; logits large enough for the cap to bite",
            )
    add("torch_t2.5_no_stats", opts("torch", 2.5, stats=[]), randn(2, 3, 7), randint_labels(2, 3, 7, 0.2),
        "no per-token statistics asked for: accuracy and perplexity still come with every result")
    add("torch_t0.5_weights_numitems", opts("torch", 0.5, classWeights=(torch.rand(9) * 2 + 0.1).tolist(),
        numItemsInBatch=11), randn(2, 4, 9), randint_labels(2, 4, 9, 0.2),
        "perplexity and accuracy ignore class weights and numItemsInBatch")
    add("hf_t2.5_zloss_eps0", opts("hf", 2.5, eps=0.0, zLossScale=0.01), randn(1, 5, 8), randint_labels(1, 5, 8, 0.2),
        "perTokenLse is the z-loss term's lse")

    # Ties on purpose: equal maxima before and after the label, a uniform row, a label tied with
    # others below the max. Exact in f32 after dividing by 2.5 (equal inputs stay equal).
    ties = torch.tensor([[
        [1.0, 3.0, 3.0, 0.0, -1.0, 2.0],  # label 2: tied at the max with class 1 -> predicted 1, rank 0
        [1.0, 3.0, 3.0, 0.0, -1.0, 2.0],  # label 1: the first maximal index -> correct
        [2.0, 2.0, 2.0, 2.0, 2.0, 2.0],   # label 4: uniform -> predicted 0, rank 0, entropy ln 6
        [0.0, 5.0, 1.0, 5.0, 1.0, -2.0],  # label 4: two classes above it -> rank 2
        [4.0, -1.0, 4.0, 4.0, 0.5, 0.5],  # ignored
    ]])
    ties_labels = torch.tensor([[2, 1, 4, 4, IGNORE]])
    for semantics, t in (("hf", 2.5), ("torch", 0.5), ("torch", 1.0)):
        add(f"{semantics}_t{t}_ties", opts(semantics, t), ties, ties_labels, "argmax and rank ties")
    # -inf logits away from the label: probability 0, entropy and lse finite; the smoothing term is
    # +inf (hf always has it; torch at eps 0 has none).
    inf = float("-inf")
    neg = torch.tensor([[
        [0.5, inf, 2.0, -1.0, inf],
        [inf, 1.0, 1.0, 0.0, 3.0],
        [inf, inf, inf, inf, 0.25],  # label 4 is certain: entropy 0
    ]])
    neg_labels = torch.tensor([[2, 1, 4]])
    add("torch_t0.5_neginf_eps0", opts("torch", 0.5, eps=0.0), neg, neg_labels, "-inf logits, no smoothing term")
    add("hf_t2.5_neginf", opts("hf", 2.5), neg, neg_labels,
        "-inf logits make hf's smoothing term +inf (the loss too; its gradient is not compared)", grad=False)
    # One large case from losslab's hash generator: the gradient as a summary.
    B, T, V, seed = 2, 6, 3000, 21
    o = opts("torch", 2.5, softcap=30.0)
    x = hash_logits(B * T * V, seed, 40.0).view(B, T, V)
    y = hash_labels(B * T, V, seed, IGNORE).view(B, T)
    out.append({
        "name": "torch_t2.5_softcap_hash_large",
        "note": "hash-generated (src/hash.rs), V = 3000",
        "dims": [B, T, V],
        "options": o,
        "generator": {"seed": seed, "scale": 40.0, "ignore": IGNORE},
        "expected": expected(x, y, o, big=True),
    })
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    data = {
        "about": ABOUT,
        "made_with": {"torch": torch.__version__, "transformers": transformers.__version__, "numpy": np.__version__},
        "conventions": CONVENTIONS,
        "cases": cases(),
    }
    args.out.write_text(json.dumps(data))
    print(f"wrote {args.out}: {len(data['cases'])} cases")
