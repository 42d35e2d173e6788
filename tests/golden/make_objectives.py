"""Golden vectors for losslab's objectives and collation, from PyTorch + transformers.

Writes tests/golden/objectives.json. Run once with torch and transformers installed
(`pip install torch transformers`); CI only reads the JSON. Sources:
- collate:  transformers.DataCollatorForSeq2Seq (label_pad_token_id, padding side,
            pad_to_multiple_of) with an in-memory word-level tokenizer;
- clm:      transformers.DataCollatorForLanguageModeling(mlm=False) labels, and
            transformers.loss.loss_utils.ForCausalLMLoss for the loss (with and without
            num_items_in_batch);
- sft:      the completion-only recipe (prompt positions set to -100), in torch;
- mse:      torch.nn.functional.mse_loss with autograd for the gradient.
"""

import json
import pathlib

import torch
import transformers
from tokenizers import Tokenizer, models
from transformers import DataCollatorForLanguageModeling, DataCollatorForSeq2Seq, PreTrainedTokenizerFast
from transformers.loss.loss_utils import ForCausalLMLoss

OUT = pathlib.Path(__file__).with_name("objectives.json")
torch.manual_seed(20261128)


def tokenizer(pad_id: int, side: str) -> PreTrainedTokenizerFast:
    vocab = {f"t{i}": i for i in range(64)}
    names = {v: k for k, v in vocab.items()}
    tok = PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(models.WordLevel(vocab=vocab, unk_token="t1")),
        pad_token=names[pad_id],
        unk_token="t1",
    )
    tok.padding_side = side
    assert tok.pad_token_id == pad_id
    return tok


def rand_ids(n: int, lo: int = 3, hi: int = 64) -> list[int]:
    return torch.randint(lo, hi, (n,)).tolist()


def collate_cases():
    cases = []
    for side in ("right", "left"):
        for multiple in (None, 4):
            for pad_id in (0, 2):
                examples = []
                for n in (3, 5, 1):
                    examples.append({"inputIds": rand_ids(n), "labels": rand_ids(int(torch.randint(1, 7, ()).item()))})
                coll = DataCollatorForSeq2Seq(
                    tokenizer(pad_id, side), label_pad_token_id=-100, pad_to_multiple_of=multiple, return_tensors="pt"
                )
                batch = coll([{"input_ids": e["inputIds"], "labels": e["labels"]} for e in examples])
                options = {"padId": pad_id, "labelPadId": -100, "paddingSide": side}
                if multiple:
                    options["padToMultipleOf"] = multiple
                cases.append(
                    {
                        "examples": examples,
                        "options": options,
                        "expected": {
                            "inputIds": batch["input_ids"].flatten().tolist(),
                            "attentionMask": batch["attention_mask"].flatten().tolist(),
                            "dims": list(batch["input_ids"].shape),
                            "labels": batch["labels"].flatten().tolist(),
                            "labelDims": list(batch["labels"].shape),
                        },
                    }
                )
    return cases


def clm_cases():
    cases = []
    for side, pad_id, num_items in (("right", 0, None), ("left", 0, None), ("right", 2, 11)):
        seqs = [rand_ids(n) for n in (6, 4, 5)]
        coll = DataCollatorForLanguageModeling(tokenizer(pad_id, side), mlm=False, return_tensors="pt")
        batch = coll([{"input_ids": s} for s in seqs])
        ids, labels = batch["input_ids"], batch["labels"]
        B, T = ids.shape
        V = 64
        logits = (torch.randn(B, T, V) * 3).float()
        kwargs = {} if num_items is None else {"num_items_in_batch": torch.tensor(num_items)}
        loss = ForCausalLMLoss(logits.double(), labels, vocab_size=V, **kwargs)
        loss_f32 = ForCausalLMLoss(logits, labels, vocab_size=V, **kwargs)
        cases.append(
            {
                "dims": [B, T, V],
                "inputIds": ids.flatten().tolist(),
                "padId": pad_id,
                "logits": logits.flatten().tolist(),
                "numItemsInBatch": num_items,
                "expected": {"labels": labels.flatten().tolist(), "loss": loss.item(), "lossTorchF32": loss_f32.item()},
            }
        )
    return cases


def sft_cases():
    cases = []
    for side in ("right", "left"):
        tok = tokenizer(0, side)
        prompts = [rand_ids(n) for n in (3, 2)]
        responses = [rand_ids(n) for n in (2, 4)]
        batch = tok.pad({"input_ids": [p + r for p, r in zip(prompts, responses)]}, return_tensors="pt")
        ids = batch["input_ids"]
        labels = ids.clone()
        labels[batch["attention_mask"] == 0] = -100
        for b, p in enumerate(prompts):
            start = int((batch["attention_mask"][b] == 1).nonzero()[0].item())
            labels[b, start : start + len(p)] = -100
        cases.append(
            {
                "dims": list(ids.shape),
                "inputIds": ids.flatten().tolist(),
                "promptLens": [len(p) for p in prompts],
                "padId": 0,
                "expected": {"labels": labels.flatten().tolist()},
            }
        )
    return cases


def mse_cases():
    cases = []
    for reduction in ("mean", "sum", "none"):
        pred = (torch.randn(7) * 2).float()
        target = (torch.randn(7) * 2).float()
        p = pred.double().requires_grad_(reduction != "none")
        loss = torch.nn.functional.mse_loss(p, target.double(), reduction=reduction)
        expected = {"perElement": ((p - target.double()) ** 2).detach().tolist()}
        if reduction == "none":
            expected["loss"] = None
        else:
            loss.backward()
            expected["loss"] = loss.item()
            expected["grad"] = p.grad.tolist()
        cases.append({"pred": pred.tolist(), "target": target.tolist(), "reduction": reduction, "expected": expected})
    return cases


if __name__ == "__main__":
    data = {
        "about": "Golden vectors for losslab's objectives and collation; see make_objectives.py beside this file.",
        "made_with": {"torch": torch.__version__, "transformers": transformers.__version__},
        "collate": collate_cases(),
        "clm": clm_cases(),
        "sft": sft_cases(),
        "mse": mse_cases(),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}")
