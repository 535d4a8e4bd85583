"""Repeat-token detector: a small Transformer encoder classifies whether the first
token of a 12-token sequence re-appears later in the sequence.

Seeded bug (batch_mixing): the nn.TransformerEncoderLayer is constructed without
batch_first=True, so it interprets its input as (seq, batch, d_model), but the model
feeds it (batch, seq, d_model) tensors from nn.Embedding. Self-attention therefore
attends across the samples of the mini-batch at each position instead of across the
positions of one sequence; every sample's output depends on the other samples in the
batch (also at eval time) and the within-sequence comparison the task needs is impossible.

Measured (252 Adam steps, CPU): buggy train loss 0.715 -> 0.694, val acc 0.504
(positive rate 0.52, i.e. chance). With batch_first=True: train loss 0.715 -> 0.346,
val acc 0.799. In eval mode, replacing the other 7 samples of an 8-sample batch changes
sample 0's logits by up to 0.28."""
# traindebug-expect: batch_mixing
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = {
    "data": {"n_train": 2304, "n_val": 512, "seq_len": 12, "vocab": 16},
    "model": {"d_model": 48, "nhead": 4, "layers": 2, "ff": 96, "dropout": 0.0},
    "optim": {"lr": 1e-3, "betas": (0.9, 0.98)},
    "train": {"batch_size": 64, "epochs": 7},
}


def make_split(n, T, V, rng):
    """Label: does the first token re-appear anywhere later in the sequence?"""
    seqs = rng.integers(0, V, size=(n, T))
    labels = (seqs[:, 1:] == seqs[:, :1]).any(axis=1).astype(np.int64)
    return torch.from_numpy(seqs).long(), torch.from_numpy(labels)


class SinusoidalPE(nn.Module):
    def __init__(self, d, max_len=64):
        super().__init__()
        pe = torch.zeros(max_len, d)
        pos = torch.arange(max_len).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d, 2).float() * (-math.log(10000.0) / d))
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, x):  # x: (batch, seq, d)
        return x + self.pe[: x.size(1)].unsqueeze(0)


class RepeatDetector(nn.Module):
    def __init__(self, vocab, d_model, nhead, layers, ff, dropout):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = SinusoidalPE(d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, ff, dropout, activation="gelu")
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 2)

    def forward(self, tokens):
        h = self.pos(self.embed(tokens) * math.sqrt(self.embed.embedding_dim))
        h = self.encoder(h)
        # read out the representation of the query token (position 0)
        return self.head(self.norm(h[:, 0]))


def batches(x, y, bs, shuffle, gen=None):
    idx = torch.randperm(len(x), generator=gen) if shuffle else torch.arange(len(x))
    for i in range(0, len(x), bs):
        j = idx[i:i + bs]
        yield x[j], y[j]


def main():
    rng = np.random.default_rng(0)
    d = CFG["data"]
    xtr, ytr = make_split(d["n_train"], d["seq_len"], d["vocab"], rng)
    xva, yva = make_split(d["n_val"], d["seq_len"], d["vocab"], rng)
    print(f"positive rate train={ytr.float().mean():.3f}")

    model = RepeatDetector(d["vocab"], **CFG["model"])
    opt = torch.optim.Adam(model.parameters(), **CFG["optim"])
    gen = torch.Generator().manual_seed(0)
    step = 0
    for epoch in range(CFG["train"]["epochs"]):
        model.train()
        tot, n = 0.0, 0
        for xb, yb in batches(xtr, ytr, CFG["train"]["batch_size"], True, gen):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            tot += loss.item() * len(xb)
            n += len(xb)
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in batches(xva, yva, 256, False):
                correct += (model(xb).argmax(-1) == yb).sum().item()
        print(f"epoch {epoch} step {step} train_loss {tot / n:.4f} val_acc {correct / len(xva):.3f}")


if __name__ == "__main__":
    main()
