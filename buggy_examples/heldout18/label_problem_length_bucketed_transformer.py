"""Transformer encoder classifier on synthetic token sequences with key padding masks.

Seeded bug (label_problem): to reduce padding, the corpus is bucketed by sequence
length (``np.argsort`` over lengths) and the token matrix and length vector are
re-ordered with that permutation, but the label vector is not.  Every label
therefore belongs to some other sequence, so labels carry no signal about inputs.

Measured (seed 0, 200 steps): buggy -> train loss 0.698 -> 0.693 (ln 2 = 0.693),
val loss 0.703, val accuracy 0.51 (chance); fixed (labels re-indexed with the same
permutation) -> train loss 0.438 -> 0.101, val loss 0.104, val accuracy 0.954.
"""
# traindebug-expect: label_problem
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)


@dataclass
class Config:
    vocab_size: int = 16
    pad_id: int = 0
    min_len: int = 5
    max_len: int = 16
    n_train: int = 2400
    n_val: int = 500
    d_model: int = 32
    n_heads: int = 4
    ff_dim: int = 64
    n_layers: int = 1
    dropout: float = 0.1
    batch_size: int = 48
    epochs: int = 4
    lr: float = 2e-3
    weight_decay: float = 1e-2
    seed: int = 0


def make_corpus(n, cfg, rng):
    """Label = 1 if the mean token id of the sequence is above the vocabulary midpoint."""
    lengths = rng.integers(cfg.min_len, cfg.max_len + 1, size=n)
    tokens = np.full((n, cfg.max_len), cfg.pad_id, dtype=np.int64)
    labels = np.zeros(n, dtype=np.int64)
    for i, L in enumerate(lengths):
        seq = rng.integers(1, cfg.vocab_size, size=L)
        tokens[i, :L] = seq
        labels[i] = int(seq.mean() > cfg.vocab_size / 2)
    return tokens, lengths, labels


class BucketedSequences(Dataset):
    def __init__(self, tokens, lengths, labels):
        # sort by length so neighbouring batches need similar amounts of padding
        order = np.argsort(lengths, kind="stable")
        self.tokens = torch.from_numpy(tokens[order])
        self.lengths = torch.from_numpy(lengths[order])
        self.labels = torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.tokens[idx], self.lengths[idx], self.labels[idx]


def collate(batch):
    toks, lens, ys = zip(*batch)
    toks = torch.stack(toks)
    lens = torch.stack(lens)
    width = int(lens.max())
    return toks[:, :width], lens, torch.stack(ys)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len):
        super().__init__()
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class SeqClassifier(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model, padding_idx=cfg.pad_id)
        self.pos = PositionalEncoding(cfg.d_model, cfg.max_len)
        layer = nn.TransformerEncoderLayer(
            cfg.d_model, cfg.n_heads, cfg.ff_dim, cfg.dropout, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.n_layers, enable_nested_tensor=False)
        self.head = nn.Linear(cfg.d_model, 2)

    def forward(self, toks, lens):
        pad_mask = torch.arange(toks.size(1))[None, :] >= lens[:, None]
        h = self.encoder(self.pos(self.embed(toks)), src_key_padding_mask=pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.head(pooled)


def evaluate(model, loader):
    model.eval()
    tot, correct, loss = 0, 0, 0.0
    with torch.no_grad():
        for toks, lens, y in loader:
            logits = model(toks, lens)
            loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            tot += len(y)
    return loss / tot, correct / tot


def main():
    cfg = Config()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    train_ds = BucketedSequences(*make_corpus(cfg.n_train, cfg, rng))
    val_ds = BucketedSequences(*make_corpus(cfg.n_val, cfg, rng))
    train_dl = DataLoader(train_ds, batch_size=cfg.batch_size, shuffle=True, collate_fn=collate)
    val_dl = DataLoader(val_ds, batch_size=256, collate_fn=collate)

    model = SeqClassifier(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    step = 0
    for epoch in range(cfg.epochs):
        model.train()
        running, seen = 0.0, 0
        for toks, lens, y in train_dl:
            logits = model(toks, lens)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            running += loss.item() * len(y)
            seen += len(y)
            step += 1
        vl, va = evaluate(model, val_dl)
        print(f"epoch {epoch}  step {step}  train_loss {running / seen:.4f}  val_loss {vl:.4f}  val_acc {va:.3f}")


if __name__ == "__main__":
    main()
