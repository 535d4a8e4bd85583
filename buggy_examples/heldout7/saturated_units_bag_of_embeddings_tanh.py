"""Bag-of-embeddings topic classifier on synthetic 40-token documents (vocab 500, 4 topics).

Seeded bug: the token vectors are pooled with .sum(dim=1) instead of .mean(dim=1) before
torch.tanh. nn.Embedding is initialised N(0, 1), so the pooled pre-activation has std ~6.3
and the tanh sits in its flat region, passing almost no gradient back to the embeddings.
Measured effect: 65% of the tanh pre-activations have |x| > 3 at init and still 66% after
training (57% of outputs within 1e-3 of +-1); test acc after 240 SGD steps 0.777.
Fixed (mean pooling): test acc 0.836.
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(0)
torch.manual_seed(0)

VOCAB, SEQ, N_CLASSES = 500, 40, 4


def make_corpus(n):
    """Synthetic 'topic' documents: each topic prefers its own slice of the vocabulary."""
    topic = rng.integers(0, N_CLASSES, size=n)
    docs = np.empty((n, SEQ), dtype=np.int64)
    block = VOCAB // N_CLASSES
    for i, t in enumerate(topic):
        n_topic = rng.binomial(SEQ, 0.35)
        topical = rng.integers(t * block, (t + 1) * block, size=n_topic)
        background = rng.integers(0, VOCAB, size=SEQ - n_topic)
        docs[i] = rng.permutation(np.concatenate([topical, background]))
    return torch.from_numpy(docs), torch.from_numpy(topic)


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab, dim=64, hidden=64, n_classes=N_CLASSES):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.proj = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, tokens):
        doc = torch.tanh(self.emb(tokens).sum(dim=1))   # pool token vectors
        h = torch.tanh(self.proj(doc))
        return self.out(h)


x_tr, y_tr = make_corpus(3000)
x_te, y_te = make_corpus(1000)

model = BagOfEmbeddings(VOCAB)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(8):
    perm = torch.randperm(len(x_tr))
    tot = 0.0
    for i in range(0, len(x_tr), 100):
        idx = perm[i:i + 100]
        opt.zero_grad()
        loss = F.cross_entropy(model(x_tr[idx]), y_tr[idx])
        loss.backward()
        opt.step()
        tot += loss.item() * len(idx)
    with torch.no_grad():
        acc = (model(x_te).argmax(1) == y_te).float().mean().item()
    print(f"epoch {epoch} loss {tot / len(x_tr):.4f} test_acc {acc:.3f}")
