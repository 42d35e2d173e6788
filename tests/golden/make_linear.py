"""Golden vectors for losslab's linearCrossEntropy: the loss of `hidden @ weight.T + bias`.

Writes tests/golden/linear.json. CI never runs this script; it only reads the JSON.

Made with torch 2.15.0 (the PyPI wheel, "2.15.0+cu132", run on the CPU) and transformers 5.24.0,
the versions of make_cases.py, whose reference it reuses. Run it by hand from the repository root
in a venv with
    pip install torch==2.15.0 transformers==5.24.0
    python tests/golden/make_linear.py [--out PATH]

References: the logits are `F.linear(hidden, weight, bias)` = hidden @ weight.T + bias, computed in
float64 from the f32 inputs; every loss quantity is then make_cases.py's `reference` on those
logits (hf: transformers' LabelSmoother step by step, checked against LabelSmoother itself;
torch: F.cross_entropy; z-loss and soft-capping written out), and the gradients are
torch.autograd's of the float64 loss with respect to hidden, weight and bias.

Inputs: hidden, weight and bias come from losslab's hash generator (src/hash.rs, reimplemented
in make_cases.py) and are stored as {seed, scale}: hidden = hashLogits(N·D, seed, scale) as
[N, D], weight = hashLogits(V·D, seed, scale) as [V, D] (PyTorch's lm_head.weight layout),
bias = hashLogits(V, seed, scale). Labels are stored as they are (a hash draw with 1 in 10
ignored, then edited where a case says so).

Small cases store every per-token value and gradient; cases with more than GRAD_FULL_MAX
gradient entries store, per gradient, maxAbs, sumAbs, sum, sumSq and 64 sampled entries.
"""

import argparse
import json
import pathlib
import sys
import warnings

import torch
import torch.nn.functional as F
import transformers

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from make_cases import IGNORE, check_against_label_smoother, hash_labels, hash_logits, js, reference  # noqa: E402

OUT = pathlib.Path(__file__).with_name("linear.json")
GRAD_FULL_MAX = 4096

ABOUT = "Golden vectors for losslab's linearCrossEntropy, from PyTorch + transformers."
CONVENTIONS = (
    "dims [B,T,D,V] or [N,D,V]; hidden/weight/bias are hashLogits(length, seed, scale) (src/hash.rs) "
    "shaped [N,D], [V,D], [V]; labels flat; expected values are float64 computations on the f32 inputs; "
    "gradHidden/gradWeight/gradBias are d loss/d hidden, weight, bias (flat, row-major), or, for large "
    "cases, summaries {maxAbs, sumAbs, sum, sumSq, samples: [[index, value], ...]}; non-finite numbers "
    "are the strings NaN, Infinity, -Infinity."
)


def summary(g: torch.Tensor) -> dict:
    g = g.flatten()
    n = g.numel()
    return {
        "maxAbs": g.abs().max().item(),
        "sumAbs": g.abs().sum().item(),
        "sum": g.sum().item(),
        "sumSq": (g * g).sum().item(),
        "samples": [[i * (n - 1) // 63, g[i * (n - 1) // 63].item()] for i in range(64)],
    }


def grad_value(g: torch.Tensor, full: bool):
    return js(g) if full else summary(g)


def case(name, dims, options, hidden_spec, weight_spec, bias_spec=None, label_edits=None, note=""):
    *lead, D, V = dims
    N = 1
    for n in lead:
        N *= n
    hidden32 = hash_logits(N * D, *hidden_spec).view(N, D)
    weight32 = hash_logits(V * D, *weight_spec).view(V, D)
    bias32 = None if bias_spec is None else hash_logits(V, *bias_spec)
    labels = hash_labels(N, V, hidden_spec[0], IGNORE)
    for at, label in (label_edits or {}).items():
        labels[at] = label
    B, T = (lead if len(lead) == 2 else [1, N])

    grad = options.get("grad", True) and options.get("reduction", "mean") != "none"
    h = hidden32.double().requires_grad_(grad)
    w = weight32.double().requires_grad_(grad)
    b = None if bias32 is None else bias32.double().requires_grad_(grad)
    logits = F.linear(h, w, b).view(B, T, V)
    r = reference(logits, labels.view(B, T), options, torch.float64, grad)
    if r["loss"] is not None:
        check_against_label_smoother(logits.detach(), labels.view(B, T), options, r["loss"].item())
    full = (N * D + V * D) <= GRAD_FULL_MAX
    e = {"loss": js(r["loss"]) if r["loss"] is not None else None, "nll": js(r["nll"]), "smooth": js(r["smooth"])}
    e["numActive"] = r["numActive"]
    if full:
        for k in ("perTokenLoss", "perTokenNll", "perTokenSmooth"):
            e[k] = js(r[k].detach())
    if grad:
        e["gradHidden"] = grad_value(h.grad, full)
        e["gradWeight"] = grad_value(w.grad, full)
        if b is not None:
            e["gradBias"] = grad_value(b.grad, full)
    c = {"name": name, "note": note, "dims": dims, "options": options}
    c["hidden"] = {"seed": hidden_spec[0], "scale": hidden_spec[1]}
    c["weight"] = {"seed": weight_spec[0], "scale": weight_spec[1]}
    if bias_spec is not None:
        c["bias"] = {"seed": bias_spec[0], "scale": bias_spec[1]}
    c["labels"] = labels.tolist()
    c["expected"] = e
    return c


def cases():
    hf = lambda eps=0.1, **kw: {"semantics": "hf", "epsilon": eps, "grad": True, **kw}  # noqa: E731
    pt = lambda eps=0.1, **kw: {"semantics": "torch", "epsilon": eps, "grad": True, **kw}  # noqa: E731
    weights = [round(0.25 + 0.125 * ((7 * c) % 13), 3) for c in range(10)]
    return [
        case("hf, bias, [B,T,D,V]", [2, 3, 8, 11], hf(), (1, 4.0), (2, 1.0), (3, 2.0)),
        case("hf, ε = 0, no bias, [N,D,V]", [6, 13, 9], hf(0.0), (4, 4.0), (5, 1.0)),
        case(
            "hf clamps a negative label to class 0",
            [6, 5, 7],
            hf(0.2),
            (6, 4.0),
            (7, 1.0),
            (8, 1.0),
            label_edits={1: -1, 4: IGNORE},
        ),
        case("hf, shiftLabels, numItemsInBatch", [2, 4, 6, 9], hf(shiftLabels=True, numItemsInBatch=5), (9, 4.0), (10, 1.0), (11, 1.0)),
        case("torch, ε 0.2, class weights, bias", [7, 6, 10], pt(0.2, classWeights=weights), (12, 4.0), (13, 1.0), (14, 2.0)),
        case("torch, ε = 0, sum, z-loss", [8, 5, 12], pt(0.0, reduction="sum", zLossScale=1e-3), (15, 4.0), (16, 1.0), (17, 1.0)),
        case("torch, reduction none, softcap", [2, 4, 5, 7], pt(0.1, reduction="none", grad=False, softcap=3.0), (18, 8.0), (19, 1.0), (20, 1.0)),
        case("hf, softcap and z-loss, ignoreIndex 3", [9, 6, 8], hf(0.1, softcap=2.5, zLossScale=1e-2, ignoreIndex=3), (21, 8.0), (22, 1.0), (23, 1.0)),
        case(
            "torch, V = 1100: two chunks, the second partial",
            [10, 8, 1100],
            pt(0.1),
            (24, 4.0),
            (25, 1.0),
            (26, 1.0),
            note="gradients summarised",
        ),
        case(
            "hf, N 64, D 96, V 5000: several chunks",
            [64, 96, 5000],
            hf(0.1),
            (27, 4.0),
            (28, 0.5),
            (29, 1.0),
            note="gradients summarised",
        ),
        case(
            "torch, [B,T,D,V] 4×16×96×5000, shift, no bias",
            [4, 16, 96, 5000],
            pt(0.05, shiftLabels=True),
            (30, 4.0),
            (31, 0.5),
            note="gradients summarised",
        ),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    torch.set_num_threads(1)
    # reference() reads .grad of the logits it is handed; here they are not a leaf (the
    # gradients wanted are hidden's, weight's and bias's), so that read is None by design.
    warnings.filterwarnings("ignore", message="The .grad attribute of a Tensor that is not a leaf")
    data = {
        "about": ABOUT,
        "made_with": {"torch": torch.__version__, "transformers": transformers.__version__},
        "conventions": CONVENTIONS,
        "linear": cases(),
    }
    args.out.write_text(json.dumps(data))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
