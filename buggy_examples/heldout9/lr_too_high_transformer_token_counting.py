"""Sequence classifier (post-LN nn.TransformerEncoder) that predicts which of three tokens
occurs most often in a random token sequence; trained with AdamW.

Seeded bug: the learning rate is derived with the linear-scaling rule from a base rate of 0.2,
a value copied from an SGD recipe. Fed into AdamW this gives lr = 0.2 * 64 / 256 = 0.05, far too
large for Adam on a post-LN Transformer (1e-3 is typical).

Measured (torch 2.13 CPU, 192 optimizer steps): batch losses spike to 2.29 in the first epoch
(chance level ln 3 = 1.10); the mean training loss per epoch stays between 0.97 and 1.15 for the whole run,
and the final val_loss is 0.943 with val_acc 0.598. Fixed copy (base_lr 4e-3, so lr 1e-3):
train loss 0.051, val_loss 0.031, val_acc 0.998.
"""
# traindebug-expect: lr_too_high
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = {
    "data": {"n_train": 2048, "n_val": 512, "seq_len": 16, "vocab": 12},
    "model": {"d_model": 48, "nhead": 4, "layers": 2, "ff": 96, "dropout": 0.1},
    "optim": {"base_lr": 0.2, "ref_batch": 256, "weight_decay": 0.01, "betas": (0.9, 0.98)},
    "train": {"batch_size": 64, "epochs": 6},
}


def make_split(n, seq_len, vocab, rng):
    # 3-way task: which of the tokens {1, 2, 3} occurs most often in the sequence
    x = rng.integers(0, vocab, size=(n, seq_len))
    counts = np.stack([(x == t).sum(1) for t in (1, 2, 3)], 1)
    y = counts.argmax(1)
    return torch.from_numpy(x).long(), torch.from_numpy(y).long()


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=128):
        super().__init__()
        pe = torch.zeros(max_len, d_model)
        pos = torch.arange(max_len).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        return x + self.pe[:, : x.size(1)]


class SeqClassifier(nn.Module):
    def __init__(self, vocab, n_classes, d_model, nhead, layers, ff, dropout):
        super().__init__()
        self.emb = nn.Embedding(vocab, d_model)
        self.pos = PositionalEncoding(d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, ff, dropout, batch_first=True, norm_first=False)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, tokens):
        h = self.pos(self.emb(tokens) * math.sqrt(self.emb.embedding_dim))
        h = self.encoder(h)
        return self.head(self.norm(h.mean(1)))


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y).item()
        acc = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, acc


def main():
    t0 = time.time()
    rng = np.random.default_rng(0)
    d = CFG["data"]
    xtr, ytr = make_split(d["n_train"], d["seq_len"], d["vocab"], rng)
    xva, yva = make_split(d["n_val"], d["seq_len"], d["vocab"], rng)

    model = SeqClassifier(d["vocab"], 3, **CFG["model"])
    o = CFG["optim"]
    bs = CFG["train"]["batch_size"]
    lr = o["base_lr"] * bs / o["ref_batch"]  # linear scaling rule
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=o["betas"], weight_decay=o["weight_decay"])
    print(f"lr={lr:.4g}")

    step = 0
    for epoch in range(CFG["train"]["epochs"]):
        perm = torch.randperm(len(xtr))
        running = []
        for i in range(0, len(xtr), bs):
            idx = perm[i : i + bs]
            logits = model(xtr[idx])
            loss = F.cross_entropy(logits, ytr[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running.append(loss.item())
            step += 1
        vl, va = evaluate(model, xva, yva)
        print(f"epoch {epoch} step {step} train_loss {np.mean(running):.4f} "
              f"(min {min(running):.3f} max {max(running):.3f}) val_loss {vl:.4f} val_acc {va:.3f}")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
