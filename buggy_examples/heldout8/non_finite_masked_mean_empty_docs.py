"""Bag-of-embeddings text classifier on a synthetic two-topic corpus: min-count vocabulary,
padding collate, masked mean pooling, AdamW + BCEWithLogitsLoss.

Seeded bug (non_finite): out-of-vocabulary tokens are mapped onto the padding id, and the
masked mean divides by mask.sum(1) without a floor. 15 of the 2400 training documents are short
messages made only of rare tokens, so after encoding they are all padding and the pooling
computes 0/0 = NaN. The first batch containing such a document (step 4) gives a NaN loss, the
NaN gradient is applied by AdamW, and every parameter and every later loss is NaN.

Measured: train loss nan in all 4 epochs (300 steps), val acc 0.495 (chance).
Fixed copy (mask.sum(1).clamp(min=1.0)): train loss 0.321 -> 0.057, val acc 0.965.
"""
# traindebug-expect: non_finite
import collections
import math
import random

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

SEED = 5
PAD = 0
MIN_COUNT = 4
MAX_LEN = 40


def synth_corpus(n_docs, rng):
    """Two-topic corpus: topic words are shared, but each class leans on a different half."""
    n_words = 3000
    ranks = np.arange(1, n_words + 1)
    base = 1.0 / ranks ** 1.1
    docs, labels = [], []
    for _ in range(n_docs):
        c = rng.integers(0, 2)
        p = base.copy()
        lean = np.where((ranks % 2) == c, 1.8, 0.6)
        p[:400] *= lean[:400]
        p /= p.sum()
        length = int(rng.integers(1, 4)) if rng.random() < 0.015 else int(rng.integers(8, MAX_LEN))
        if length <= 3:
            words = rng.integers(1200, n_words, size=length)  # short, jargon-y messages
        else:
            words = rng.choice(n_words, size=length, p=p)
        docs.append([f"w{w}" for w in words])
        labels.append(int(c))
    return docs, labels


class Vocab:
    def __init__(self, docs, min_count):
        counts = collections.Counter(tok for d in docs for tok in d)
        self.itos = ["<pad>"] + sorted(t for t, c in counts.items() if c >= min_count)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def encode(self, doc):
        # out-of-vocabulary tokens are dropped by mapping them onto padding
        return [self.stoi.get(t, PAD) for t in doc][:MAX_LEN]

    def __len__(self):
        return len(self.itos)


class DocDataset(Dataset):
    def __init__(self, docs, labels, vocab):
        self.items = [(vocab.encode(d), y) for d, y in zip(docs, labels)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    ids = torch.full((len(batch), MAX_LEN), PAD, dtype=torch.long)
    for i, (seq, _) in enumerate(batch):
        ids[i, :len(seq)] = torch.tensor(seq, dtype=torch.long)
    return ids, torch.tensor([y for _, y in batch], dtype=torch.float32)


class MeanPoolClassifier(nn.Module):
    def __init__(self, vocab_size, dim=48):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, ids):
        mask = (ids != PAD).unsqueeze(-1).float()
        summed = (self.emb(ids) * mask).sum(1)
        pooled = summed / mask.sum(1)
        return self.mlp(pooled).squeeze(-1)


def main():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    docs, labels = synth_corpus(3000, rng)
    vocab = Vocab(docs[:2400], MIN_COUNT)
    train_ds = DocDataset(docs[:2400], labels[:2400], vocab)
    val_ds = DocDataset(docs[2400:], labels[2400:], vocab)
    train_dl = DataLoader(train_ds, batch_size=32, shuffle=True, collate_fn=collate,
                          generator=torch.Generator().manual_seed(SEED))
    val_dl = DataLoader(val_ds, batch_size=200, collate_fn=collate)

    model = MeanPoolClassifier(len(vocab))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    loss_fn = nn.BCEWithLogitsLoss()
    print(f"vocab {len(vocab)} train docs {len(train_ds)}")

    step = 0
    for epoch in range(4):
        model.train()
        losses = []
        for ids, y in train_dl:
            loss = loss_fn(model(ids), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            losses.append(loss.item())
        model.eval()
        correct, n = 0, 0
        with torch.no_grad():
            for ids, y in val_dl:
                correct += ((model(ids) > 0).float() == y).sum().item()
                n += len(y)
        print(f"epoch {epoch} step {step} train_loss {np.mean(losses):.4f} val_acc {correct / n:.3f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
