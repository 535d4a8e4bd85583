"""Healthy control: L0-regularised feature selection with hard-concrete gates (Louizos et al.)
in front of a 60-32-1 ReLU MLP on breast-cancer data (30 standardised real features + 30 pure
noise columns). Stochastic stretched-sigmoid gates clamped to [0,1] during training, deterministic
gates at eval, expected-L0 penalty 0.01 per open gate, Adam with separate groups (lr 3e-3 and
weight decay 1e-4 for the MLP, lr 0.1 for the gate logits), batches of 50, 30 epochs (240 steps).

Possible false alarm: by design the gates saturate - the clamp makes most gates exactly 0 (or 1)
and their sigmoids run into flat regions, so noise-feature gates and the first-layer weights
behind them stop receiving gradient. A detector could read this as saturated_units, dead or
no-gradient inputs, or over_regularization (the L0 term is a visible share of the loss), but it
is the intended sparsification and the classifier trains well.

Measured (plain python, 1 thread): noise-feature mean keep probability 0.83 -> 0.00, open gates
60 -> 16 (16/30 real, 0/30 noise); final test loss 0.116, test accuracy 0.959.
"""
# traindebug-expect: clean
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)


class HardConcreteGate(nn.Module):
    """L0 feature gates (Louizos et al. 2018): stretched, clamped binary-concrete masks."""

    def __init__(self, n, beta=2 / 3, gamma=-0.1, zeta=1.1, init_keep=0.9):
        super().__init__()
        self.beta, self.gamma, self.zeta = beta, gamma, zeta
        self.log_alpha = nn.Parameter(torch.full((n,), math.log(init_keep / (1 - init_keep))))

    def forward(self, x):
        if self.training:
            u = torch.rand_like(self.log_alpha).clamp(1e-6, 1 - 1e-6)
            s = torch.sigmoid((u.log() - (1 - u).log() + self.log_alpha) / self.beta)
        else:
            s = torch.sigmoid(self.log_alpha)
        z = (s * (self.zeta - self.gamma) + self.gamma).clamp(0.0, 1.0)
        return x * z

    def expected_l0(self):
        return torch.sigmoid(self.log_alpha - self.beta * math.log(-self.gamma / self.zeta)).sum()

    def open_gates(self):
        with torch.no_grad():
            s = torch.sigmoid(self.log_alpha)
            return ((s * (self.zeta - self.gamma) + self.gamma).clamp(0, 1) > 0).sum().item()


class GatedMLP(nn.Module):
    def __init__(self, d_in, hidden=32):
        super().__init__()
        self.gate = HardConcreteGate(d_in)
        self.mlp = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.mlp(self.gate(x)).squeeze(-1)


X, y = load_breast_cancer(return_X_y=True)
# 30 real measurements + 30 pure-noise columns the gates should learn to switch off
X = np.hstack([X, rng.standard_normal((len(X), 30))])
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
sc = StandardScaler().fit(X_tr)
X_tr, X_te = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (X_tr, X_te))
y_tr, y_te = (torch.tensor(a, dtype=torch.float32) for a in (y_tr, y_te))

model = GatedMLP(X_tr.shape[1])
opt = torch.optim.Adam([
    {"params": model.mlp.parameters(), "lr": 3e-3, "weight_decay": 1e-4},
    {"params": model.gate.parameters(), "lr": 0.1},
])
lam = 0.01  # per open gate
batch, step = 50, 0

for epoch in range(1, 31):
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch]
        bce = F.binary_cross_entropy_with_logits(model(X_tr[idx]), y_tr[idx])
        loss = bce + lam * model.gate.expected_l0()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 5 == 0 or epoch == 1:
        model.eval()
        with torch.no_grad():
            te_logits = model(X_te)
            te_loss = F.binary_cross_entropy_with_logits(te_logits, y_te).item()
            te_acc = ((te_logits > 0).float() == y_te).float().mean().item()
        model.train()
        kept = model.gate.open_gates()
        real = model.gate.log_alpha[:30].sigmoid().mean().item()
        noise = model.gate.log_alpha[30:].sigmoid().mean().item()
        print(f"epoch {epoch:2d} step {step:4d}  bce {bce.item():.4f}  test loss {te_loss:.4f} acc {te_acc:.3f}  "
              f"open gates {kept}/60  mean keep-prob real {real:.2f} noise {noise:.2f}")

print(f"final test loss {te_loss:.4f}  test accuracy {te_acc:.3f}  open gates {kept}/60")
