"""PyTorch reference for losslab's trainer: step-by-step parity of a tiny GPT-2-shaped model.

Reads tests/golden/trainer_fixture.json (written by losslab: model config, optimiser
settings, initial parameters and the token batches of each run) and writes
tests/golden/trainer_parity.json with, for every run and every step, the loss before the
update, the learning rate used and the total gradient norm before clipping, plus every
parameter's gradient at the first step of the "clm" run, and an informational CPU
benchmark of the same training step at the calibration config.

The reference is plain PyTorch + transformers:
- model:     GPT below (pre-LN GPT-2 block, explicit causal attention, tanh GELU,
             untied lm_head without bias), float32 on CPU, no dropout;
- loss:      transformers.trainer_pt_utils.LabelSmoother(epsilon) with shift_labels=True;
- optimiser: torch.optim.AdamW (decay only on 2-D parameters), clip_grad_norm_,
             transformers.get_cosine_schedule_with_warmup.

Run it by hand in a venv with
    pip install torch==2.15.0 transformers==5.24.0
    python tests/golden/make_trainer.py [--fixture PATH] [--out PATH] [--bench-only]
(--bench-only runs just the benchmark and prints it, writing nothing). CI never runs
this script; it only reads trainer_parity.json.
"""

import argparse
import hashlib
import json
import math
import pathlib
import os
import platform
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import transformers
from transformers import get_cosine_schedule_with_warmup
from transformers.trainer_pt_utils import LabelSmoother

REPO = pathlib.Path(__file__).resolve().parents[2]
GENERATOR = "tests/golden/make_trainer.py"
DEFAULT_FIXTURE = REPO / "tests/golden/trainer_fixture.json"
DEFAULT_OUT = REPO / "tests/golden/trainer_parity.json"

BENCH_CONFIG = {"vocab": 256, "context": 64, "layers": 2, "dModel": 64, "heads": 4}
BENCH_BATCH = 16
BENCH_WARMUP_STEPS = 3
BENCH_REPEATS = 5
BENCH_STEPS_PER_REPEAT = 20


# ----------------------------------------------------------------------------- model


class CausalSelfAttention(nn.Module):
    def __init__(self, d_model: int, heads: int):
        super().__init__()
        assert d_model % heads == 0
        self.heads = heads
        self.c_attn = nn.Linear(d_model, 3 * d_model)
        self.c_proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, d = x.shape
        h, hd = self.heads, d // self.heads
        q, k, v = self.c_attn(x).split(d, dim=-1)
        q = q.view(B, T, h, hd).transpose(1, 2)
        k = k.view(B, T, h, hd).transpose(1, 2)
        v = v.view(B, T, h, hd).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
        future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        att = att.masked_fill(future, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, d)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, d_model: int):
        super().__init__()
        self.c_fc = nn.Linear(d_model, 4 * d_model)
        self.gelu = nn.GELU(approximate="tanh")
        self.c_proj = nn.Linear(4 * d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, d_model: int, heads: int):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, heads)
        self.ln_2 = nn.LayerNorm(d_model)
        self.mlp = MLP(d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab: int, context: int, layers: int, d_model: int, heads: int):
        super().__init__()
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = nn.Embedding(context, d_model)
        self.h = nn.ModuleList(Block(d_model, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)

    @classmethod
    def from_config(cls, config: dict) -> "GPT":
        """From the fixture's "config" (other keys there, such as "seed", are ignored)."""
        return cls(config["vocab"], config["context"], config["layers"], config["dModel"], config["heads"])

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def load_params(model: GPT, fixture: dict) -> None:
    """Copy the fixture's initial parameters into `model`; every name and shape must match."""
    given = fixture["params"]
    own = dict(model.named_parameters())
    assert set(given) == set(own), (
        f"missing from fixture: {sorted(set(own) - set(given))}; unknown in fixture: {sorted(set(given) - set(own))}"
    )
    with torch.no_grad():
        for name, p in own.items():
            shape, data = given[name]["shape"], given[name]["data"]
            assert list(p.shape) == shape, f"{name}: fixture shape {shape}, model shape {list(p.shape)}"
            assert len(data) == p.numel(), f"{name}: {len(data)} values for shape {shape}"
            p.copy_(torch.tensor(data, dtype=torch.float32).view(shape))


# ----------------------------------------------------------------------------- training


def make_optimizer(model: GPT, optim: dict) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() != 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": optim["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=optim["lr"],
        betas=(optim["beta1"], optim["beta2"]),
        eps=optim["eps"],
        foreach=False,
    )


class Trainer:
    """One run: a model, a fresh AdamW and a fresh cosine-with-warmup schedule."""

    def __init__(self, model: GPT, optim: dict, epsilon: float):
        self.model = model
        self.clip = optim["clip"]
        self.opt = make_optimizer(model, optim)
        self.sched = get_cosine_schedule_with_warmup(
            self.opt, num_warmup_steps=optim["warmup"], num_training_steps=optim["steps"]
        )
        self.smoother = LabelSmoother(epsilon=epsilon)

    def step(self, ids: torch.Tensor, labels: torch.Tensor, on_grads=None) -> dict:
        self.opt.zero_grad()
        logits = self.model(ids)
        loss = self.smoother({"logits": logits}, labels, shift_labels=True)
        loss.backward()
        if on_grads is not None:
            on_grads(self.model)
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        lr = self.opt.param_groups[0]["lr"]
        self.opt.step()
        self.sched.step()
        return {"loss": loss.item(), "lr": lr, "gradNorm": grad_norm.item()}


def run(fixture: dict, batches: list, grads_out: dict | None = None) -> dict:
    config, optim = fixture["config"], fixture["optim"]
    assert len(batches) == optim["steps"], f"{len(batches)} batches for {optim['steps']} steps"
    model = GPT.from_config(config)
    load_params(model, fixture)
    trainer = Trainer(model, optim, fixture["epsilon"])

    def capture(m: GPT) -> None:
        grads_out.update({name: p.grad.flatten().tolist() for name, p in m.named_parameters()})

    record = {"loss": [], "lr": [], "gradNorm": []}
    for k, batch in enumerate(batches):
        ids = torch.tensor(batch["inputIds"], dtype=torch.long)
        labels = torch.tensor(batch["labels"], dtype=torch.long)
        assert ids.shape == labels.shape and ids.shape[1] <= config["context"], f"step {k}: bad batch shape"
        hook = capture if (k == 0 and grads_out is not None) else None
        for key, value in trainer.step(ids, labels, on_grads=hook).items():
            record[key].append(value)
    return record


# ----------------------------------------------------------------------------- benchmark


def machine() -> str:
    """The CPU model and count, so the figure says where it was measured."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf8") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} logical CPUs"


def benchmark() -> dict:
    """Time the same training step at the calibration config (informational only)."""
    torch.manual_seed(0)
    cfg = BENCH_CONFIG
    model = GPT.from_config(cfg)
    steps = BENCH_WARMUP_STEPS + BENCH_REPEATS * BENCH_STEPS_PER_REPEAT
    optim = {"lr": 3e-3, "warmup": 10, "steps": steps, "weightDecay": 0.01,
             "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "clip": 1.0}
    trainer = Trainer(model, optim, epsilon=0.1)
    shape = (BENCH_BATCH, cfg["context"])
    batches = [torch.randint(0, cfg["vocab"], shape) for _ in range(steps)]
    it = iter(batches)
    for _ in range(BENCH_WARMUP_STEPS):
        ids = next(it)
        trainer.step(ids, ids)
    times = []
    for _ in range(BENCH_REPEATS):
        start = time.perf_counter()
        for _ in range(BENCH_STEPS_PER_REPEAT):
            ids = next(it)
            trainer.step(ids, ids)
        times.append(time.perf_counter() - start)
    steps_per_second = BENCH_STEPS_PER_REPEAT / statistics.median(times)
    return {
        "note": "PyTorch CPU, torch.set_num_threads(1), informational",
        "machine": machine(),
        "config": cfg,
        "batch": BENCH_BATCH,
        "stepsPerSecond": steps_per_second,
        "tokensPerSecond": steps_per_second * BENCH_BATCH * cfg["context"],
    }


# ----------------------------------------------------------------------------- output


def to_json(obj, indent: int = 0) -> str:
    """JSON with one line per key; lists of numbers stay on one line (full float repr)."""
    if isinstance(obj, dict) and obj:
        pad = " " * (indent + 1)
        items = [f"{pad}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return json.dumps(obj, allow_nan=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixture", type=pathlib.Path, default=DEFAULT_FIXTURE)
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--bench-only", action="store_true", help="run only the benchmark and print it")
    args = parser.parse_args()

    torch.set_num_threads(1)  # the benchmark's setting, and keeps the CPU reductions reproducible
    if args.bench_only:
        print(json.dumps(benchmark(), indent=1))
        return

    raw = args.fixture.read_bytes()
    fixture = json.loads(raw)
    runs, first_grads = {}, {}
    for spec in fixture["runs"]:
        grads = {} if spec["name"] == "clm" else None
        runs[spec["name"]] = run(fixture, spec["batches"], grads)
        if grads is not None:
            first_grads["clm"] = grads
    assert "clm" in first_grads, "the fixture has no 'clm' run"

    out = {
        "generator": GENERATOR,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "fixtureSha256": hashlib.sha256(raw).hexdigest(),
        "runs": runs,
        "firstStepGrads": first_grads,
        "benchmark": benchmark(),
    }
    args.out.write_text(to_json(out) + "\n")
    for name, r in runs.items():
        line = f"{name}: loss {r['loss'][0]:.4f} -> {r['loss'][-1]:.4f} over {len(r['loss'])} steps"
        theirs = fixture.get("losslab", {}).get(name)  # losslab's own losses, when the fixture has them
        if theirs is not None and len(theirs) == len(r["loss"]):
            line += f"; max |losslab - torch| {max(abs(a - b) for a, b in zip(theirs, r['loss'])):.3g}"
        print(line)
    print(f"benchmark: {out['benchmark']['stepsPerSecond']:.1f} steps/s")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
