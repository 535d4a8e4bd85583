"""Cosine-softmax (NormFace-style) digits classifier with a learned inverse
temperature `log_scale` multiplying the cosine logits.

Seeded bug (frozen_or_unoptimized): log_scale is created as a plain tensor with
requires_grad=True instead of an nn.Parameter, so it is not registered with
the module and never reaches the optimizer. It receives a gradient on every
backward but stays at scale 1.0, which caps logits to [-1, 1] and keeps the
softmax nearly uniform.

Measured (330 Adam steps): buggy train CE 1.39, test CE 1.41 (scale stuck at
1.00), test acc 0.980; fixed copy (nn.Parameter) train CE 0.64, test CE 0.65,
scale learned to 2.17, test acc 0.982. Ranking accuracy is barely affected,
but the loss/calibration is badly hurt (test NLL more than doubled).
"""
# traindebug-expect: frozen_or_unoptimized
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X = (X / 16.0 - 0.5) / 0.5
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0,
                                          stratify=y)
X_tr, X_te = (torch.tensor(a, dtype=torch.float32) for a in (X_tr, X_te))
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)


class CosineClassifier(nn.Module):
    """Normalised embeddings vs normalised class prototypes, times a learned
    inverse temperature (as in NormFace / cosine-softmax heads)."""

    def __init__(self, d_in, d_emb, n_cls, init_scale=1.0):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(),
                                     nn.Linear(128, d_emb))
        self.prototypes = nn.Parameter(torch.randn(n_cls, d_emb) * 0.1)
        self.log_scale = torch.tensor(math.log(init_scale), requires_grad=True)

    def forward(self, x):
        z = F.normalize(self.encoder(x), dim=1)
        w = F.normalize(self.prototypes, dim=1)
        return self.log_scale.exp() * z @ w.t()


model = CosineClassifier(64, 32, 10)
opt = torch.optim.Adam(model.parameters(), lr=2e-3)

bs = 64
step = 0
for epoch in range(15):
    model.train()
    perm = torch.randperm(len(X_tr))
    tot = 0.0
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = F.cross_entropy(model(X_tr[b]), y_tr[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(b)
        step += 1
    if epoch % 3 == 2:
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            acc = (logits.argmax(1) == y_te).float().mean().item()
        print(f"epoch {epoch:2d} step {step} train_loss {tot / len(X_tr):.4f} "
              f"test_loss {te_loss:.4f} test_acc {acc:.3f} "
              f"scale {model.log_scale.exp().item():.2f}")
