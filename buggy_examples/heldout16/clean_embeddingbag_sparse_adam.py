"""Healthy control: sentiment-style binary classifier on synthetic padded token
sequences with nn.EmbeddingBag(mode="mean", padding_idx=0, sparse=True),
SparseAdam for the embedding table and Adam for the MLP head.

Patterns that may fool a naive detector: the embedding produces sparse
gradients, so in any single step only the rows of tokens in the batch get a
gradient and change; the padding row (id 0) never gets a gradient; and ~370 of
the 5000 Zipf-distributed vocabulary ids never occur in training at all, so
their rows keep their initial values for the whole run. Two optimizers are
stepped in the loop.

Measured healthy numbers (250 steps): train loss 0.671 -> 0.065, val_loss
0.626 -> 0.117, val_acc 0.760 -> 0.959.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

# Synthetic sentiment-style data: reviews are padded token-id sequences.
# id 0 is padding; ids 1..VOCAB-1 follow a Zipf-like frequency distribution,
# and a handful of mid-frequency ids carry the polarity.
VOCAB, MAX_LEN, N_DOCS = 5000, 60, 4000
rng = np.random.default_rng(0)
freq = 1.0 / np.arange(1, VOCAB) ** 1.1
freq /= freq.sum()
pos_words = rng.choice(np.arange(50, 800), size=30, replace=False)
neg_words = rng.choice(np.setdiff1d(np.arange(50, 800), pos_words), size=30, replace=False)

tokens = np.zeros((N_DOCS, MAX_LEN), dtype=np.int64)
labels = rng.integers(0, 2, size=N_DOCS)
for i in range(N_DOCS):
    length = rng.integers(15, MAX_LEN + 1)
    doc = rng.choice(np.arange(1, VOCAB), size=length, p=freq)
    n_sent = rng.integers(2, 6)
    pos = rng.choice(length, size=n_sent, replace=False)
    strong = pos_words if labels[i] == 1 else neg_words
    weak = neg_words if labels[i] == 1 else pos_words
    for k, p in enumerate(pos):
        doc[p] = rng.choice(strong) if k > 0 or rng.random() < 0.8 else rng.choice(weak)
    tokens[i, :length] = doc

tokens = torch.tensor(tokens)
labels = torch.tensor(labels, dtype=torch.float32)
n_tr = 3200


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim=32):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="mean", padding_idx=0, sparse=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.mlp(self.embed(x)).squeeze(1)


model = BagOfEmbeddings(VOCAB)
# Sparse gradients for the embedding table, dense Adam for the rest.
sparse_opt = torch.optim.SparseAdam(list(model.embed.parameters()), lr=4e-3)
dense_opt = torch.optim.Adam(model.mlp.parameters(), lr=3e-3)

BATCH = 64
for epoch in range(5):
    model.train()
    perm = torch.randperm(n_tr)
    tot = 0.0
    for i in range(0, n_tr, BATCH):
        j = perm[i:i + BATCH]
        sparse_opt.zero_grad()
        dense_opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(tokens[j]), labels[j])
        loss.backward()
        sparse_opt.step()
        dense_opt.step()
        tot += loss.item() * len(j)
    model.eval()
    with torch.no_grad():
        logits = model(tokens[n_tr:])
        vl = F.binary_cross_entropy_with_logits(logits, labels[n_tr:]).item()
        acc = ((logits > 0).float() == labels[n_tr:]).float().mean().item()
    print(f"epoch {epoch+1} train_loss {tot/n_tr:.4f} val_loss {vl:.4f} val_acc {acc:.3f}")

with torch.no_grad():
    seen = torch.zeros(VOCAB, dtype=torch.bool)
    seen[tokens[:n_tr].flatten()] = True
print(f"vocabulary ids seen in training: {int(seen[1:].sum())}/{VOCAB - 1}")
