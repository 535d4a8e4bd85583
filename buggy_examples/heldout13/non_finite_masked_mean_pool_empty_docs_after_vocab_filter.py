"""Bag-of-embeddings text classifier with masked mean pooling on a synthetic corpus.

Seeded bug: MeanPoolClassifier divides the masked sum of token embeddings by
mask.sum(1) without guarding against zero.  The vocabulary drops tokens seen
fewer than 3 times, so a (very) short document made only of rare tokens
encodes to an empty sequence (one such document in train, one in val).  For it
the pooled vector is 0/0 = NaN; the NaN goes through the loss into every
gradient, AdamW writes NaN into the MLP and embedding weights, and from then
on every prediction is NaN (argmax -> class 0).

Measured (8 epochs, 304 AdamW steps):
  buggy : loss NaN from the 2nd optimizer step on; all parameters NaN;
          val acc 0.185 every epoch (5 classes, chance ~0.2)
  fixed (mask.sum(1).clamp(min=1)): train loss 1.24 -> 0.26, val acc 0.862
"""
# traindebug-expect: non_finite
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

PAD = 0


def synth_corpus(n_docs, n_classes, raw_vocab, seed):
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, raw_vocab + 1)
    base = 1.0 / ranks ** 1.1
    topic = []
    for c in range(n_classes):
        w = base.copy()
        boost = rng.choice(raw_vocab, size=60, replace=False)
        w[boost] *= 25.0
        topic.append(w / w.sum())
    docs, labels = [], []
    for _ in range(n_docs):
        c = rng.integers(n_classes)
        length = 1 + rng.poisson(14) if rng.random() > 0.08 else rng.integers(1, 3)
        docs.append(rng.choice(raw_vocab, size=length, p=topic[c]).tolist())
        labels.append(int(c))
    return docs, labels


class Vocab:
    def __init__(self, docs, min_count=3):
        counts = Counter(t for d in docs for t in d)
        kept = sorted(t for t, c in counts.items() if c >= min_count)
        self.stoi = {t: i + 1 for i, t in enumerate(kept)}

    def __len__(self):
        return len(self.stoi) + 1

    def encode(self, doc):
        return [self.stoi[t] for t in doc if t in self.stoi]


class DocDataset(Dataset):
    def __init__(self, docs, labels, vocab):
        self.items = [torch.tensor(vocab.encode(d), dtype=torch.long) for d in docs]
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i], self.labels[i]


def collate(batch):
    seqs, ys = zip(*batch)
    padded = pad_sequence(list(seqs), batch_first=True, padding_value=PAD)
    return padded, torch.stack(ys)


class MeanPoolClassifier(nn.Module):
    def __init__(self, vocab_size, dim, n_classes):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, dim, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, n_classes))

    def forward(self, tokens):
        mask = (tokens != PAD).unsqueeze(-1).float()
        summed = (self.emb(tokens) * mask).sum(1)
        pooled = summed / mask.sum(1)
        return self.mlp(pooled)


class Trainer:
    def __init__(self, model, lr=3e-3, epochs=8):
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-2)
        self.epochs = epochs
        self.history = []

    def fit(self, train_dl, val_dl):
        step = 0
        for epoch in range(self.epochs):
            self.model.train()
            losses = []
            for x, y in train_dl:
                loss = F.cross_entropy(self.model(x), y)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                losses.append(loss.item())
                step += 1
            acc = self.evaluate(val_dl)
            self.history.append((np.mean(losses), acc))
            print(f"epoch {epoch + 1}  step {step}  train loss {np.mean(losses):.4f}  val acc {acc:.3f}")

    @torch.no_grad()
    def evaluate(self, dl):
        self.model.eval()
        correct = total = 0
        for x, y in dl:
            correct += (self.model(x).argmax(1) == y).sum().item()
            total += len(y)
        return correct / total


def main():
    torch.manual_seed(3)
    docs, labels = synth_corpus(3000, 5, 2000, seed=3)
    tr_docs, va_docs = docs[:2400], docs[2400:]
    tr_y, va_y = labels[:2400], labels[2400:]
    vocab = Vocab(tr_docs, min_count=3)
    train_ds = DocDataset(tr_docs, tr_y, vocab)
    val_ds = DocDataset(va_docs, va_y, vocab)
    print(f"vocab {len(vocab)}  train {len(train_ds)}  val {len(val_ds)}")
    train_dl = DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=collate)
    val_dl = DataLoader(val_ds, batch_size=256, collate_fn=collate)
    model = MeanPoolClassifier(len(vocab), 32, 5)
    Trainer(model).fit(train_dl, val_dl)


if __name__ == "__main__":
    main()
