"""Bag-of-words topic classifier: nn.EmbeddingBag -> tanh MLP, synthetic documents.

Vocabulary of 400 tokens, 5 topics; each document is 40 tokens drawn from a mix of a
topic-specific distribution (20 %) and a shared background distribution.  Model:
EmbeddingBag(400, 64) -> Tanh -> Linear(64, 64) -> Tanh -> Linear(64, 5), plain SGD
(lr 0.3, batch 50), 300 optimizer steps, hand-written loop with manual batching.

Seeded bug: the bag is pooled with `mode="sum"` instead of `mode="mean"`.  With the
default N(0, 1) embedding init, a sum of 40 embeddings has a standard deviation of
about 6, so the first tanh layer sits almost entirely in its flat regions (|tanh| > 0.99
for most units) and passes back almost no gradient.  "sum" is the documented default
of the old functional API and is an easy slip when copying a snippet.

Measured (seed 0): buggy final test accuracy 0.628 (train loss 0.515: the saturated
+-1 codes of the bag act as fixed random features that the later layers memorise);
fixed copy (mode="mean") test accuracy 0.706 (train loss 0.785).
"""
# traindebug-expect: saturated_units
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, TOPICS, DOC_LEN = 400, 5, 40
N_TRAIN, N_TEST = 1500, 500

background = rng.dirichlet(np.full(VOCAB, 0.5))
topic_dists = rng.dirichlet(np.full(VOCAB, 0.1), size=TOPICS)


def make_docs(n):
    labels = rng.integers(0, TOPICS, size=n)
    docs = np.empty((n, DOC_LEN), dtype=np.int64)
    for i, t in enumerate(labels):
        from_topic = rng.random(DOC_LEN) < 0.2
        docs[i] = np.where(from_topic,
                           rng.choice(VOCAB, DOC_LEN, p=topic_dists[t]),
                           rng.choice(VOCAB, DOC_LEN, p=background))
    return torch.from_numpy(docs), torch.from_numpy(labels)


X_tr, y_tr = make_docs(N_TRAIN)
X_te, y_te = make_docs(N_TEST)


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim, hidden, n_classes):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="sum")
        self.hidden = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, tokens):
        h = torch.tanh(self.bag(tokens))
        h = torch.tanh(self.hidden(h))
        return self.out(h)


model = BagClassifier(VOCAB, 64, 64, TOPICS)
opt = torch.optim.SGD(model.parameters(), lr=0.3)

step, batch = 0, 50
while step < 300:
    perm = torch.randperm(N_TRAIN)
    for i in range(0, N_TRAIN, batch):
        idx = perm[i:i + batch]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 75 == 0:
            with torch.no_grad():
                acc = (model(X_te).argmax(1) == y_te).float().mean().item()
            print(f"step {step}  batch loss {loss.item():.4f}  test acc {acc:.3f}")
        if step == 300:
            break

with torch.no_grad():
    train_loss = F.cross_entropy(model(X_tr), y_tr).item()
    acc = (model(X_te).argmax(1) == y_te).float().mean().item()
print(f"final: train loss {train_loss:.4f}  test accuracy {acc:.4f}")
