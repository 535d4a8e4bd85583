"""Bidirectional GRU classifier on variable-length token sequences (class = which motif
appears), batches built by a custom collate_fn for pack_padded_sequence.

Seeded bug (label_problem): collate() sorts the sequences by length (enforce_sorted=True
needs that) but returns the labels in the original order, so within every batch the
labels no longer belong to their inputs.

Measured (5 epochs, 125 Adam steps): train loss 1.397 -> 1.393 (chance ln 4 = 1.386),
val acc 0.225-0.26.  With labels reordered by the same permutation: train loss 0.0031,
val loss 0.0032, val acc 1.000.
"""
# traindebug-expect: label_problem
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, N_CLASSES, PAD = 40, 4, 0
MOTIFS = {c: [1 + 2 * c, 2 + 2 * c] for c in range(N_CLASSES)}  # tokens 1..8 are motif tokens


def make_example(label):
    length = int(rng.integers(8, 28))
    seq = rng.integers(9, VOCAB, size=length)
    pos = int(rng.integers(0, length - 1))
    seq[pos:pos + 2] = MOTIFS[label]
    return torch.tensor(seq, dtype=torch.long)


def make_split(n):
    labels = rng.integers(0, N_CLASSES, size=n)
    return [(make_example(int(l)), int(l)) for l in labels]


train_data, val_data = make_split(1600), make_split(400)


def collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    lengths, order = lengths.sort(descending=True)  # pack_padded_sequence wants sorted lengths
    padded = pad_sequence([seqs[i] for i in order], batch_first=True, padding_value=PAD)
    return padded, lengths, torch.tensor(labels)


class GRUClassifier(nn.Module):
    def __init__(self, vocab, emb=24, hidden=32, n_out=N_CLASSES):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.gru = nn.GRU(emb, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, n_out)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=True)
        _, h = self.gru(packed)
        return self.head(torch.cat([h[0], h[1]], dim=1))


train_loader = torch.utils.data.DataLoader(train_data, batch_size=64, shuffle=True, collate_fn=collate,
                                           generator=torch.Generator().manual_seed(0))
val_loader = torch.utils.data.DataLoader(val_data, batch_size=200, shuffle=False, collate_fn=collate)

model = GRUClassifier(VOCAB)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 5

for epoch in range(EPOCHS):
    model.train()
    tot, n = 0.0, 0
    for x, lengths, yb in train_loader:
        loss = F.cross_entropy(model(x, lengths), yb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    correct, vl, vn = 0, 0.0, 0
    with torch.no_grad():
        for x, lengths, yb in val_loader:
            out = model(x, lengths)
            vl += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            vn += len(yb)
    print(f"epoch {epoch} train_loss={tot / n:.4f} val_loss={vl / vn:.4f} val_acc={correct / vn:.3f}")
