"""Set classifier: each example is a set of 7 digit images, label = the digit that
appears 4 times. Per-element MLP, attention pooling with a learned seed query per head,
all written by hand with einsum and raw nn.Parameter tensors.

Seeded bug (bad_init_scale): every weight is created with plain torch.randn(...), i.e.
std 1 instead of ~1/sqrt(fan_in). Hidden activations, attention scores and logits are
orders of magnitude too large at step 0 (attention softmax is one-hot, logits huge).

Measured (5 epochs, 235 Adam steps): initial loss 455.3 (ln 10 = 2.30), final train
loss 187.6, test acc 0.279. Fixed copy (fan-in scaled init): initial loss 2.31,
final train loss 0.055, test acc 0.986.
"""
# traindebug-expect: bad_init_scale
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

SET_SIZE = 7
N_MAJ = 4


def make_sets(X, y, n_sets, rng):
    by_class = [np.where(y == c)[0] for c in range(10)]
    xs, ys = [], []
    for _ in range(n_sets):
        c = rng.randint(10)
        idx = list(rng.choice(by_class[c], N_MAJ, replace=False))
        others = [k for k in range(10) if k != c]
        for k in rng.choice(others, SET_SIZE - N_MAJ, replace=False):
            idx.append(rng.choice(by_class[k]))
        rng.shuffle(idx)
        xs.append(X[idx])
        ys.append(c)
    return np.stack(xs).astype(np.float32), np.array(ys)


digits = load_digits()
X = digits.data / 16.0
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.3, random_state=0, stratify=digits.target)
rng = np.random.RandomState(0)
Str, Ltr = make_sets(Xtr, ytr, 3000, rng)
Ste, Lte = make_sets(Xte, yte, 800, rng)
Str, Ltr = torch.tensor(Str), torch.tensor(Ltr)
Ste, Lte = torch.tensor(Ste), torch.tensor(Lte)


class SetAttentionPool(nn.Module):
    def __init__(self, d_in, d_model=64, n_heads=4, n_classes=10):
        super().__init__()
        self.h = n_heads
        self.dk = d_model // n_heads
        self.W_in = nn.Parameter(torch.randn(d_in, d_model))
        self.b_in = nn.Parameter(torch.zeros(d_model))
        self.seed = nn.Parameter(torch.randn(n_heads, self.dk))
        self.W_k = nn.Parameter(torch.randn(d_model, n_heads, self.dk))
        self.W_v = nn.Parameter(torch.randn(d_model, n_heads, self.dk))
        self.W_out = nn.Parameter(torch.randn(d_model, n_classes))
        self.b_out = nn.Parameter(torch.zeros(n_classes))

    def forward(self, x):
        # x: (batch, set, d_in)
        h = F.relu(torch.einsum("bnd,de->bne", x, self.W_in) + self.b_in)
        k = torch.einsum("bne,ehk->bnhk", h, self.W_k)
        v = torch.einsum("bne,ehk->bnhk", h, self.W_v)
        scores = torch.einsum("hk,bnhk->bhn", self.seed, k) / math.sqrt(self.dk)
        attn = scores.softmax(dim=-1)
        pooled = torch.einsum("bhn,bnhk->bhk", attn, v).reshape(x.shape[0], -1)
        return pooled @ self.W_out + self.b_out


model = SetAttentionPool(64)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
BATCH = 64
EPOCHS = 5
for epoch in range(EPOCHS):
    perm = torch.randperm(len(Str))
    model.train()
    tot, nb = 0.0, 0
    for i in range(0, len(Str), BATCH):
        idx = perm[i:i + BATCH]
        logits = model(Str[idx])
        loss = F.cross_entropy(logits, Ltr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item(); nb += 1
        if epoch == 0 and nb == 1:
            print(f"initial loss {loss.item():.3f} (ln10={math.log(10):.3f})")
    model.eval()
    with torch.no_grad():
        acc = (model(Ste).argmax(1) == Lte).float().mean().item()
    print(f"epoch {epoch} train loss {tot / nb:.3f} test acc {acc:.3f}")
