"""Log-linear (multinomial softmax regression) text classifier on signed hashed
bag-of-words features, written functionally with an explicit parameter dict and
trained with Adagrad (the usual choice for sparse hashed features).

Seeded bug (non_finite): the log-softmax is hand-rolled as
log(exp(z) / exp(z).sum()) without subtracting the row maximum.  Adagrad's first
per-coordinate steps push the logits of some documents past ~88, exp() overflows to
inf, inf/inf gives NaN, and from the second optimizer step on the loss, gradients and
W/b are NaN.  Using a log-sum-exp (F.cross_entropy / F.log_softmax) fixes it.

Measured: first NaN loss at epoch 0, step 1; after 12 epochs (228 steps) loss is nan
and train/test accuracy 0.176/0.140 (chance ~0.17).  With a stable log-softmax the
same run ends at train/test accuracy 1.000/0.840 (max |logit| ~139, finite).
"""
# traindebug-expect: non_finite
import zlib
import numpy as np
import torch

torch.set_num_threads(1)
rng = np.random.default_rng(3)
torch.manual_seed(3)

N_BUCKETS = 2 ** 12
N_CLASSES = 6
VOCAB = [f"w{i}" for i in range(3000)]


def make_corpus(n_docs):
    """Topic-style synthetic documents: each class prefers its own slice of the vocabulary."""
    topic = rng.dirichlet(np.full(len(VOCAB), 0.05), size=N_CLASSES)
    background = rng.dirichlet(np.full(len(VOCAB), 1.0))
    docs, labels = [], []
    for _ in range(n_docs):
        c = rng.integers(N_CLASSES)
        length = rng.integers(40, 400)
        p = 0.1 * topic[c] + 0.9 * background
        toks = rng.choice(len(VOCAB), size=length, p=p)
        docs.append([VOCAB[t] for t in toks])
        labels.append(c)
    return docs, np.array(labels)


def hash_features(docs):
    rows = np.zeros((len(docs), N_BUCKETS), dtype=np.float32)
    for r, doc in enumerate(docs):
        for tok in doc:
            for feat in (tok, "len>200" if len(doc) > 200 else "len<=200"):
                h = zlib.crc32(feat.encode())
                sign = 1.0 if (h >> 31) & 1 else -1.0
                rows[r, h % N_BUCKETS] += sign
    return torch.from_numpy(np.log1p(np.abs(rows)) * np.sign(rows))


def log_softmax_rows(z):
    e = torch.exp(z)
    return torch.log(e / e.sum(dim=1, keepdim=True))


def nll(params, x, y):
    logits = x @ params["W"] + params["b"]
    return -log_softmax_rows(logits)[torch.arange(len(y)), y].mean()


def accuracy(params, x, y):
    with torch.no_grad():
        return ((x @ params["W"] + params["b"]).argmax(1) == y).float().mean().item()


docs, labels = make_corpus(1500)
X = hash_features(docs)
y = torch.from_numpy(labels)
Xtr, ytr, Xte, yte = X[:1200], y[:1200], X[1200:], y[1200:]

params = {
    "W": torch.zeros(N_BUCKETS, N_CLASSES, requires_grad=True),
    "b": torch.zeros(N_CLASSES, requires_grad=True),
}
batch, epochs = 64, 12
opt = torch.optim.Adagrad(params.values(), lr=0.5)
for epoch in range(epochs):
    perm = torch.randperm(len(ytr))
    for i in range(0, len(ytr), batch):
        idx = perm[i:i + batch]
        loss = nll(params, Xtr[idx], ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch:2d}  last-batch nll {loss.item():.4f}  "
          f"train acc {accuracy(params, Xtr, ytr):.3f}  test acc {accuracy(params, Xte, yte):.3f}")
