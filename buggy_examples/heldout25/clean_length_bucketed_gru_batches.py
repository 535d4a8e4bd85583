"""Clean control: GRU sequence classifier (rising / falling / periodic) on variable-length
generated series, with length-bucketed batching and pack_padded_sequence.

Pattern that may fool a naive detector: batches are built from a length-sorted index
list, so consecutive samples inside a batch have similar lengths and the stream of
inputs looks "sorted". But sequences are shuffled before the stable sort, the batch
order is reshuffled every epoch, and the label is independent of length, so each
batch's label mix matches the global one. Measured (235 AdamW steps): train loss
0.747 -> 0.209, val loss 0.585 -> 0.196, val accuracy 0.935.
"""
# traindebug-expect: clean
import random

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

torch.set_num_threads(1)
random.seed(17)
np.random.seed(17)
torch.manual_seed(17)

N_CLASSES = 3  # 0: rising trend, 1: falling trend, 2: periodic, no trend


def make_sequence(label):
    T = np.random.randint(10, 60)
    t = np.arange(T)
    slope = np.random.uniform(0.02, 0.06)
    if label == 0:
        s = slope * t
    elif label == 1:
        s = -slope * t
    else:
        s = 0.8 * np.sin(2 * np.pi * t / np.random.uniform(6, 14))
    s = s + np.random.normal(0, 0.35, T) + np.random.normal(0, 0.5)
    return torch.tensor(s, dtype=torch.float32).unsqueeze(-1)


labels = np.random.randint(0, N_CLASSES, 1900)
seqs = [make_sequence(int(l)) for l in labels]
labels = torch.tensor(labels)
split = 1500
train_ids, val_ids = list(range(split)), list(range(split, len(seqs)))


class BucketBatcher:
    """Groups sequences of similar length into the same batch to minimise padding.
    Sequences are shuffled inside each length band and the batch order is reshuffled each epoch."""

    def __init__(self, ids, lengths, batch_size, seed=0):
        self.ids, self.lengths, self.bs = list(ids), lengths, batch_size
        self.rng = random.Random(seed)

    def __iter__(self):
        ids = self.ids[:]
        self.rng.shuffle(ids)                                 # random order among equal lengths
        ids.sort(key=lambda i: self.lengths[i] // 8)          # stable sort by length band
        batches = [ids[i:i + self.bs] for i in range(0, len(ids), self.bs)]
        self.rng.shuffle(batches)
        return iter(batches)

    def __len__(self):
        return (len(self.ids) + self.bs - 1) // self.bs


def collate(ids):
    xs = [seqs[i] for i in ids]
    lens = torch.tensor([len(x) for x in xs])
    return pad_sequence(xs, batch_first=True), lens, labels[ids]


class GRUClassifier(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, N_CLASSES)

    def forward(self, x, lens):
        packed = pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1])


lengths = [len(s) for s in seqs]
batcher = BucketBatcher(train_ids, lengths, batch_size=32, seed=17)
model = GRUClassifier()
opt = torch.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-2)
crit = nn.CrossEntropyLoss()
xv, lv, yv = collate(val_ids)

step = 0
for epoch in range(5):
    model.train()
    tot = 0.0
    for ids in batcher:
        x, lens, y = collate(ids)
        loss = crit(model(x, lens), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
        step += 1
    model.eval()
    with torch.no_grad():
        logits = model(xv, lv)
    print(f"epoch {epoch} step {step} train_loss {tot / len(batcher):.4f} "
          f"val_loss {crit(logits, yv).item():.4f} val_acc {(logits.argmax(1) == yv).float().mean().item():.3f}")
