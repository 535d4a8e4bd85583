"""GRU classifier for variable-length 2-channel sensor traces, fed by a custom
length-bucketing batch sampler and a collate_fn that pads and sorts each batch
for pack_padded_sequence(enforce_sorted=True); RMSprop optimizer.

Seeded bug: collate_packed sorts the sequences (and lengths) by descending
length but returns the labels in the original order. Because the sampler
hands over batches sorted by ascending length, every batch's labels end up
reversed relative to its inputs, so the targets carry no information about
the sequences they are paired with (same for validation).

Measured (8 epochs, 304 RMSprop steps): buggy train loss 1.393 -> 1.385
(chance ln 4 = 1.386), val acc 0.23-0.26; with labels = labels[order]:
train loss 1.24 -> 0.019, val acc 0.997.
"""
# traindebug-expect: label_problem
import math
import random

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence
from torch.utils.data import Dataset, DataLoader, Sampler

torch.set_num_threads(1)
random.seed(0)
np.random.seed(0)
torch.manual_seed(0)

N_CLASSES = 4


class SensorSequences(Dataset):
    """Variable-length 2-channel sensor traces; the class is the dominant
    oscillation frequency of channel 0, channel 1 is a noisy trend."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        freqs = [0.05, 0.12, 0.2, 0.3]
        self.items = []
        for _ in range(n):
            c = int(rng.integers(N_CLASSES))
            L = int(rng.integers(12, 48))
            t = np.arange(L)
            ch0 = np.sin(2 * np.pi * freqs[c] * t + rng.uniform(0, 2 * np.pi))
            ch0 += 0.4 * rng.standard_normal(L)
            ch1 = np.cumsum(0.1 * rng.standard_normal(L))
            x = np.stack([ch0, ch1], 1).astype(np.float32)
            self.items.append((torch.from_numpy(x), c))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


class BucketBatchSampler(Sampler):
    """Yields batches of indices with similar lengths to limit padding."""

    def __init__(self, lengths, batch_size, bucket_size=4, shuffle=True, seed=0):
        self.lengths = lengths
        self.batch_size = batch_size
        self.bucket_size = bucket_size
        self.shuffle = shuffle
        self.rng = random.Random(seed)

    def __iter__(self):
        idx = list(range(len(self.lengths)))
        if self.shuffle:
            self.rng.shuffle(idx)
        chunk = self.batch_size * self.bucket_size
        batches = []
        for i in range(0, len(idx), chunk):
            block = sorted(idx[i:i + chunk], key=lambda j: self.lengths[j])
            batches += [block[k:k + self.batch_size] for k in range(0, len(block), self.batch_size)]
        if self.shuffle:
            self.rng.shuffle(batches)
        return iter(batches)

    def __len__(self):
        return math.ceil(len(self.lengths) / self.batch_size)


def collate_packed(batch):
    seqs = [b[0] for b in batch]
    labels = torch.tensor([b[1] for b in batch])
    lengths = torch.tensor([len(s) for s in seqs])
    order = torch.argsort(lengths, descending=True)
    seqs = [seqs[i] for i in order]
    lengths = lengths[order]
    padded = pad_sequence(seqs, batch_first=True)
    return padded, lengths, labels


class GRUClassifier(nn.Module):
    def __init__(self, d_in=2, hidden=32):
        super().__init__()
        self.gru = nn.GRU(d_in, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, N_CLASSES)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=True)
        _, h = self.gru(packed)
        return self.fc(h[-1])


train_ds = SensorSequences(1200, 1)
val_ds = SensorSequences(300, 2)
train_dl = DataLoader(train_ds, collate_fn=collate_packed,
                      batch_sampler=BucketBatchSampler([len(x) for x, _ in train_ds.items], 32))
val_dl = DataLoader(val_ds, collate_fn=collate_packed,
                    batch_sampler=BucketBatchSampler([len(x) for x, _ in val_ds.items], 100, shuffle=False))

model = GRUClassifier()
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(8):
    model.train()
    tl, nb = 0.0, 0
    for x, lengths, y in train_dl:
        opt.zero_grad()
        loss = loss_fn(model(x, lengths), y)
        loss.backward()
        opt.step()
        tl += loss.item()
        nb += 1
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, lengths, y in val_dl:
            correct += (model(x, lengths).argmax(1) == y).sum().item()
            total += len(y)
    print(f"epoch {epoch} batches {nb} train_loss {tl / nb:.4f} val_acc {correct / total:.3f}")
