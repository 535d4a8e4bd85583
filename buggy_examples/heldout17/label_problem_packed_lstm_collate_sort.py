"""Variable-length motif classification with a packed LSTM (pack_padded_sequence).

Seeded bug (label_problem): the custom collate_fn sorts each batch by decreasing
length (required by pack_padded_sequence with enforce_sorted=True) and reorders
the sequences, but the labels tensor is built from the original, unsorted order.
Inside every batch the labels are therefore permuted relative to the inputs and
carry no usable signal.
Measured (6 epochs, 300 Adam steps): buggy train loss stays at 1.099 (= ln 3),
val acc 0.35; fixed (`labels = torch.tensor(labels)[order]`) train loss 0.045,
val acc 0.965.
"""
# traindebug-expect: label_problem
import math
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

VOCAB = 24
PAD = 0
MOTIFS = (3, 7, 11)          # the dominant motif decides the class


def make_corpus(n, rng):
    seqs, labels = [], []
    for _ in range(n):
        length = int(rng.integers(6, 32))
        toks = rng.integers(12, VOCAB, size=length)
        cls = int(rng.integers(0, len(MOTIFS)))
        k = max(2, length // 4)
        pos = rng.choice(length, size=k, replace=False)
        toks[pos] = MOTIFS[cls]
        # a few distractor motifs
        other = [m for m in MOTIFS if m != MOTIFS[cls]]
        d = rng.choice(length, size=max(1, k // 3), replace=False)
        toks[d] = rng.choice(other, size=len(d))
        seqs.append(torch.as_tensor(toks, dtype=torch.long))
        labels.append(cls)
    return seqs, labels


class MotifDataset(Dataset):
    def __init__(self, seqs, labels):
        self.seqs, self.labels = seqs, labels

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        return self.seqs[i], self.labels[i]


def collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    # pack_padded_sequence wants the batch sorted by decreasing length
    lengths, order = lengths.sort(descending=True)
    padded = pad_sequence([seqs[i] for i in order], batch_first=True, padding_value=PAD)
    labels = torch.tensor(labels)
    return padded, lengths, labels


class MotifLSTM(nn.Module):
    def __init__(self, vocab, emb=16, hidden=32, n_cls=3):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.rnn = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_cls)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True)
        _, (h, _) = self.rnn(packed)
        return self.out(h[-1])


rng = np.random.default_rng(SEED)
tr_s, tr_y = make_corpus(1600, rng)
va_s, va_y = make_corpus(400, rng)
train_dl = DataLoader(MotifDataset(tr_s, tr_y), batch_size=32, shuffle=True, collate_fn=collate)
val_dl = DataLoader(MotifDataset(va_s, va_y), batch_size=128, collate_fn=collate)

model = MotifLSTM(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(6):
    model.train()
    tot, n = 0.0, 0
    for x, lengths, y in train_dl:
        logits = model(x, lengths)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        tot += loss.item() * len(y)
        n += len(y)
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, lengths, y in val_dl:
            correct += (model(x, lengths).argmax(1) == y).sum().item()
            total += len(y)
    print(f"epoch {epoch}  train_loss {tot / n:.4f}  val_acc {correct / total:.3f}")
