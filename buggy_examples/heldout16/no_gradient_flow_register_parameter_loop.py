"""Digits classifier where each band of two image rows (16 pixels) has its own low-rank
projection; the projections are created in a loop and registered with
register_parameter, followed by a small MLP.

Seeded bug (no_gradient_flow): the loop keeps a Python list of the raw tensors that were
wrapped in nn.Parameter, and forward() multiplies with those list entries instead of the
registered parameters. The proj_* parameters are handed to the optimizer but never get
a .grad (the projections stay at their random init).

Measured (12 epochs, 264 Adam steps): final train loss 0.437, test acc 0.811. Fixed copy
(forward uses getattr(self, f"proj_{g}")): train loss 0.128, test acc 0.933.
"""
# traindebug-expect: no_gradient_flow
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

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
Xtr, Xte, ytr, yte = train_test_split(X, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
Xtr, Xte = torch.tensor(Xtr, dtype=torch.float32), torch.tensor(Xte, dtype=torch.float32)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)


class RowGroupNet(nn.Module):
    """Each band of two image rows (16 pixels) gets its own low-rank projection."""

    def __init__(self, n_groups=4, group_dim=16, rank=3, hidden=64, n_classes=10):
        super().__init__()
        self.n_groups = n_groups
        self.group_dim = group_dim
        self._proj = []
        for g in range(n_groups):
            w = torch.empty(group_dim, rank)
            nn.init.kaiming_uniform_(w, a=math.sqrt(5))
            self._proj.append(w)
            self.register_parameter(f"proj_{g}", nn.Parameter(w))
        self.mix = nn.Linear(n_groups * rank, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        groups = x.view(x.shape[0], self.n_groups, self.group_dim)
        parts = [groups[:, g] @ self._proj[g] for g in range(self.n_groups)]
        h = torch.cat(parts, dim=1)
        h = F.gelu(self.mix(h))
        return self.head(h)


model = RowGroupNet()
print("trainable params:", sum(p.numel() for p in model.parameters() if p.requires_grad))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
BATCH = 64
for epoch in range(12):
    model.train()
    perm = torch.randperm(len(Xtr))
    tot, nb = 0.0, 0
    for i in range(0, len(Xtr), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item(); nb += 1
    if epoch % 3 == 2 or epoch == 0:
        model.eval()
        with torch.no_grad():
            acc = (model(Xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch} train loss {tot / nb:.3f} test acc {acc:.3f}")
